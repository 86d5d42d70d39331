-- Schoolscan schema: the import log (issue 3). Data categories as in 0001.
-- One row per import that was written (not for dry runs, not for refused imports). The report
-- holds the rejected and skipped rows with the cell value found, which can be a pupil number or a
-- name: pupil-level data, shown only to school-wide roles.
-- (Mappings remembered per school live in import_mappings, created in 0001.)

CREATE TABLE import_log (
    id          INTEGER PRIMARY KEY,             -- [meta]
    school_id   INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE, -- [org]
    kind        TEXT NOT NULL CHECK (kind IN ('scores','pupils','seo')), -- [meta]
    file_name   TEXT NOT NULL,                   -- [org]
    actor       TEXT NOT NULL,                   -- [account] user name, or 'cli' for the command line
    at          TEXT NOT NULL,                   -- [meta] UTC, RFC 3339
    read        INTEGER NOT NULL,                -- [meta]
    imported    INTEGER NOT NULL,                -- [meta]
    updated     INTEGER NOT NULL,                -- [meta]
    duplicates  INTEGER NOT NULL,                -- [meta]
    skipped     INTEGER NOT NULL,                -- [meta]
    rejected    INTEGER NOT NULL,                -- [meta]
    report      TEXT NOT NULL                    -- [pupil] the full report as JSON
) STRICT;
CREATE INDEX import_log_school ON import_log(school_id, id);
