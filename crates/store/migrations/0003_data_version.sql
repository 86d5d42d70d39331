-- A counter that every write of analysis data (pupils, enrolments, tests, scores, observations)
-- increments in the same transaction, and a random id of this database: caches of derived
-- results (the step 4 findings) compare the pair instead of re-reading the data.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1), -- [meta]
    version INTEGER NOT NULL,              -- [meta]
    instance TEXT NOT NULL                 -- [meta]
) STRICT;
INSERT INTO data_version (id, version, instance) VALUES (1, 0, lower(hex(randomblob(16))));
