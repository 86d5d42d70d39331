-- Schoolscan schema, version 2: accounts, sessions, grants, the audit log, corrections, retention.
-- Data categories as in 0001: [org] organisation, [id] identity, [pupil] pupil-level,
-- [bijzonder] special category, [meta] technical, [account] user account data.
-- Pupils are referred to by (school BRIN, pupil number) as text, without foreign keys: access
-- records and audit entries must survive `schoolscan demo` replacing a board, and the audit log
-- must outlive the pupils it mentions.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,         -- [meta]
    username        TEXT NOT NULL UNIQUE COLLATE NOCASE, -- [account]
    display_name    TEXT NOT NULL,               -- [account]
    role            TEXT NOT NULL CHECK (role IN ('board_admin','quality_officer','director','intern_begeleider',
                        'teacher','mr_member','parent','care_partner','municipality')), -- [account]
    board           TEXT NOT NULL,               -- [org] board key
    school          TEXT,                        -- [org] BRIN for school roles
    municipality    TEXT,                        -- [org] municipality key for the municipality role
    password_hash   TEXT,                        -- [account] Argon2id PHC string; NULL = OIDC only
    totp_secret     TEXT,                        -- [account] base32; NULL = not enrolled
    totp_confirmed  INTEGER NOT NULL DEFAULT 0,  -- [account]
    totp_last_step  INTEGER,                     -- [account] replay protection
    oidc_subject    TEXT,                        -- [account] 'issuer|sub' of a linked OIDC identity
    disabled        INTEGER NOT NULL DEFAULT 0,  -- [account]
    created_at      TEXT NOT NULL                -- [meta]
) STRICT;
CREATE UNIQUE INDEX users_oidc ON users(oidc_subject) WHERE oidc_subject IS NOT NULL;

-- A teacher's groups per school year.
CREATE TABLE teacher_groups (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, -- [account]
    school      TEXT NOT NULL,                   -- [org]
    year        INTEGER NOT NULL,                -- [org]
    group_name  TEXT NOT NULL,                   -- [org]
    PRIMARY KEY (user_id, school, year, group_name)
) STRICT;

-- A parent's children, with gezag (legal parental authority, R7).
CREATE TABLE parent_links (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, -- [account]
    school      TEXT NOT NULL,                   -- [id]
    pupil       TEXT NOT NULL,                   -- [id]
    gezag       INTEGER NOT NULL,                -- [bijzonder]
    PRIMARY KEY (user_id, school, pupil)
) STRICT;

-- A care partner's access to a named pupil (R6): consent or legal basis and expiry are required.
CREATE TABLE care_grants (
    id          INTEGER PRIMARY KEY,             -- [meta]
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, -- [account]
    school      TEXT NOT NULL,                   -- [id]
    pupil       TEXT NOT NULL,                   -- [id]
    consent_ref TEXT NOT NULL CHECK (length(trim(consent_ref)) > 0), -- [bijzonder]
    granted_by  TEXT NOT NULL,                   -- [account]
    granted_at  TEXT NOT NULL,                   -- [meta]
    expires_at  TEXT NOT NULL                    -- [meta] UTC, RFC 3339
) STRICT;
CREATE INDEX care_grants_user ON care_grants(user_id);

-- Schools that share aggregates with a municipality.
CREATE TABLE municipality_shares (
    municipality TEXT NOT NULL,                  -- [org]
    school       TEXT NOT NULL,                  -- [org]
    PRIMARY KEY (municipality, school)
) STRICT;

-- Server-side sessions (R20). Only the SHA-256 of the session id is stored.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,                -- [account]
    user_id     INTEGER REFERENCES users(id) ON DELETE CASCADE, -- [account] NULL while anonymous
    stage       TEXT NOT NULL CHECK (stage IN ('anon','mfa','full')), -- [meta]
    csrf_token  TEXT NOT NULL,                   -- [account]
    created_at  TEXT NOT NULL,                   -- [meta]
    last_seen   TEXT NOT NULL,                   -- [meta]
    oidc_state  TEXT                             -- [meta] JSON: state, nonce, PKCE verifier during OIDC login
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

-- Failed logins per account name, known or not (R18).
CREATE TABLE login_failures (
    username    TEXT NOT NULL,                   -- [account] normalised
    at          TEXT NOT NULL                    -- [meta]
) STRICT;
CREATE INDEX login_failures_user ON login_failures(username, at);

-- The audit log (R24): append-only, hash-chained.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,             -- [meta]
    time_utc    TEXT NOT NULL,                   -- [meta]
    board       TEXT NOT NULL,                   -- [org] whose log it is
    actor_id    INTEGER,                         -- [account]
    actor       TEXT NOT NULL,                   -- [account]
    actor_role  TEXT NOT NULL,                   -- [account]
    acting_for  TEXT NOT NULL,                   -- [org]
    school      TEXT,                            -- [org]
    group_name  TEXT,                            -- [org]
    pupil       TEXT,                            -- [id] pupil number, never a name
    category    TEXT NOT NULL,                   -- [meta]
    action      TEXT NOT NULL,                   -- [meta]
    route       TEXT NOT NULL,                   -- [meta] the route pattern, never the concrete URL
    request_id  TEXT NOT NULL,                   -- [meta]
    outcome     TEXT NOT NULL,                   -- [meta]
    prev_hash   TEXT NOT NULL,                   -- [meta]
    hash        TEXT NOT NULL                    -- [meta]
) STRICT;
CREATE INDEX audit_pupil ON audit_log(school, pupil);
CREATE INDEX audit_board ON audit_log(board, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Corrections keep their history (R13): every version of a note's text.
CREATE TABLE note_versions (
    id          INTEGER PRIMARY KEY,             -- [meta]
    note_id     INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE, -- [pupil]
    old_text    TEXT,                            -- [bijzonder]
    new_text    TEXT,                            -- [bijzonder]
    reason      TEXT NOT NULL,                   -- [pupil]
    actor       TEXT NOT NULL,                   -- [account]
    at          TEXT NOT NULL                    -- [meta]
) STRICT;

-- A parent's view (zienswijze) attached to a pupil's dossier or a note (R13).
CREATE TABLE zienswijzen (
    id          INTEGER PRIMARY KEY,             -- [meta]
    pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE, -- [pupil]
    note_id     INTEGER REFERENCES notes(id) ON DELETE SET NULL, -- [pupil]
    text        TEXT NOT NULL,                   -- [bijzonder]
    author      TEXT NOT NULL,                   -- [account]
    at          TEXT NOT NULL                    -- [meta]
) STRICT;

-- Retention per board and category, in months after the pupil left (default 24, R14).
CREATE TABLE retention_settings (
    board       TEXT NOT NULL,                   -- [org]
    category    TEXT NOT NULL,                   -- [org]
    months      INTEGER NOT NULL CHECK (months > 0), -- [org]
    PRIMARY KEY (board, category)
) STRICT;

-- OpenID Connect providers a board configured (Microsoft Entra ID, Google Workspace).
CREATE TABLE oidc_providers (
    board         TEXT PRIMARY KEY,              -- [org]
    issuer        TEXT NOT NULL,                 -- [org]
    client_id     TEXT NOT NULL,                 -- [org]
    client_secret TEXT NOT NULL,                 -- [account]
    auth_url      TEXT NOT NULL,                 -- [org]
    token_url     TEXT NOT NULL,                 -- [org]
    jwks          TEXT NOT NULL,                 -- [org] the provider's JSON Web Key Set
    redirect_url  TEXT NOT NULL                  -- [org]
) STRICT;
