-- Schoolscan schema, version 1: the domain records.
-- Every column carries a data category in a trailing comment (privacy-security.md R15):
--   [org] organisation data, [id] pupil identity, [pupil] pupil-level data,
--   [bijzonder] special-category (health/care) data, [meta] technical.

CREATE TABLE boards (
    id          INTEGER PRIMARY KEY,             -- [meta]
    key         TEXT NOT NULL UNIQUE,            -- [org]
    name        TEXT NOT NULL,                   -- [org]
    is_demo     INTEGER NOT NULL DEFAULT 0       -- [meta]
) STRICT;

CREATE TABLE schools (
    id          INTEGER PRIMARY KEY,             -- [meta]
    board_id    INTEGER NOT NULL REFERENCES boards(id) ON DELETE CASCADE, -- [org]
    brin        TEXT NOT NULL UNIQUE,            -- [org]
    name        TEXT NOT NULL                    -- [org]
) STRICT;

CREATE TABLE pupils (
    id                INTEGER PRIMARY KEY,       -- [meta]
    school_id         INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE, -- [org]
    number            TEXT NOT NULL,             -- [id]
    eck_id            TEXT,                      -- [id]
    first_name        TEXT,                      -- [id]
    prefix            TEXT,                      -- [id]
    last_name         TEXT,                      -- [id]
    birth_date        TEXT,                      -- [id]
    sex               TEXT,                      -- [pupil]
    weight            TEXT,                      -- [pupil]
    parents_education TEXT,                      -- [pupil]
    opp               INTEGER NOT NULL DEFAULT 0, -- [bijzonder]
    risk_flags        TEXT NOT NULL DEFAULT '[]', -- [bijzonder]
    arrived           TEXT,                      -- [pupil]
    left_on           TEXT,                      -- [pupil]
    UNIQUE (school_id, number)
) STRICT;

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,             -- [meta]
    school_id   INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE, -- [org]
    year        INTEGER NOT NULL,                -- [org] start year of the school year
    name        TEXT NOT NULL,                   -- [org]
    UNIQUE (school_id, year, name)
) STRICT;

CREATE TABLE enrolments (
    pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE, -- [pupil]
    year        INTEGER NOT NULL,                -- [pupil]
    group_id    INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE, -- [pupil]
    grade       INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 8), -- [pupil]
    PRIMARY KEY (pupil_id, year)
) STRICT;
CREATE INDEX enrolments_group ON enrolments(group_id);

CREATE TABLE tests (
    id          INTEGER PRIMARY KEY,             -- [meta]
    key         TEXT NOT NULL UNIQUE,            -- [org]
    vendor      TEXT NOT NULL,                   -- [org]
    name        TEXT NOT NULL,                   -- [org]
    version     TEXT,                            -- [org]
    subject     TEXT NOT NULL,                   -- [org]
    scale_code  TEXT NOT NULL,                   -- [org]
    scale_kind  TEXT NOT NULL CHECK (scale_kind IN ('vertical', 'norm_referenced')), -- [org]
    scale_min   REAL NOT NULL,                   -- [org]
    scale_max   REAL NOT NULL                    -- [org]
) STRICT;

CREATE TABLE scores (
    id              INTEGER PRIMARY KEY,         -- [meta]
    pupil_id        INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE, -- [pupil]
    test_id         INTEGER NOT NULL REFERENCES tests(id), -- [pupil]
    component       TEXT NOT NULL DEFAULT '',    -- [pupil] '' = the whole test
    date            TEXT NOT NULL,               -- [pupil]
    moment          TEXT,                        -- [pupil]
    ability         REAL,                        -- [pupil]
    csem            REAL,                        -- [pupil]
    raw             REAL,                        -- [pupil]
    level           TEXT,                        -- [pupil]
    percentile      REAL,                        -- [pupil]
    dle             REAL,                        -- [pupil]
    reference_level TEXT,                        -- [pupil]
    UNIQUE (pupil_id, test_id, component, date)
) STRICT;

CREATE TABLE observations (
    id          INTEGER PRIMARY KEY,             -- [meta]
    pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE, -- [pupil]
    instrument  TEXT NOT NULL,                   -- [pupil]
    dimension   TEXT NOT NULL,                   -- [pupil]
    informant   TEXT NOT NULL,                   -- [pupil]
    date        TEXT NOT NULL,                   -- [pupil]
    value       REAL NOT NULL,                   -- [pupil]
    signal      TEXT,                            -- [pupil]
    UNIQUE (pupil_id, instrument, dimension, informant, date)
) STRICT;

CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,             -- [meta]
    pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE, -- [pupil]
    kind        TEXT NOT NULL,                   -- [pupil] special category for care-team/OPP/diagnostics
    informant   TEXT NOT NULL,                   -- [pupil]
    date        TEXT NOT NULL,                   -- [pupil]
    author      TEXT NOT NULL,                   -- [org]
    domains     TEXT NOT NULL DEFAULT '[]',      -- [pupil]
    ratings     TEXT NOT NULL DEFAULT '[]',      -- [pupil]
    body        TEXT                             -- [bijzonder] free text, never logged
) STRICT;
CREATE INDEX notes_pupil ON notes(pupil_id);

-- A schoolscan per school per school year; step content is a JSON document per step.
CREATE TABLE scans (
    id          INTEGER PRIMARY KEY,             -- [meta]
    school_id   INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE, -- [org]
    year        INTEGER NOT NULL,                -- [org]
    status      TEXT NOT NULL DEFAULT '["not_started","not_started","not_started","not_started","not_started","not_started","not_started","not_started"]', -- [org]
    version     INTEGER NOT NULL DEFAULT 0,      -- [meta]
    UNIQUE (school_id, year)
) STRICT;

CREATE TABLE scan_steps (
    scan_id     INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE, -- [org]
    step        INTEGER NOT NULL CHECK (step BETWEEN 1 AND 8), -- [org]
    content     TEXT NOT NULL DEFAULT '{}',      -- [pupil] may name pupils (risk register, conclusions)
    version     INTEGER NOT NULL DEFAULT 0,      -- [meta] optimistic locking
    updated_by  TEXT,                            -- [org]
    updated_at  TEXT,                            -- [meta]
    PRIMARY KEY (scan_id, step)
) STRICT;

-- Column mappings for imports, remembered per school once used.
CREATE TABLE import_mappings (
    school_id   INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE, -- [org]
    kind        TEXT NOT NULL,                   -- [org] scores | pupils | seo
    mapping     TEXT NOT NULL,                   -- [org] TOML
    updated_at  TEXT NOT NULL,                   -- [meta]
    PRIMARY KEY (school_id, kind)
) STRICT;
