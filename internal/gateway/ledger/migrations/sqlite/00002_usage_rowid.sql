-- +goose Up
-- The table becomes a rowid table, its rows appended in the order they are
-- written, with request_id unique beside it. Keyed by request_id (WITHOUT
-- ROWID, 00001), every insert went to a random place in a tree holding the
-- whole rows, and each of the three indexes carried the 26-byte key: as
-- the ledger grew past SQLite's page cache, each row read and rewrote
-- pages across the file. Now the row goes at the end, the indexes on ts
-- and on (org_id, ts), (person, ts) grow at their ends, and only the
-- unique index on request_id (exactly-once: ON CONFLICT) takes a random
-- place, with entries a fifth of a row's size. Copying the rows costs one
-- pass over the ledger, once.
CREATE TABLE model_usage_rowid (
    request_id    TEXT    NOT NULL UNIQUE,
    ts            INTEGER NOT NULL,
    org_id        TEXT    NOT NULL DEFAULT '',
    client_id     TEXT    NOT NULL DEFAULT '',
    person        TEXT    NOT NULL DEFAULT '',
    model         TEXT    NOT NULL DEFAULT '',
    server        TEXT    NOT NULL DEFAULT '',
    input_tokens  INTEGER,
    output_tokens INTEGER,
    unmetered     INTEGER NOT NULL,
    cost_micros   INTEGER NOT NULL DEFAULT 0,
    status        INTEGER NOT NULL,
    duration_us   INTEGER NOT NULL,
    CHECK (unmetered = (input_tokens IS NULL AND output_tokens IS NULL))
);
INSERT INTO model_usage_rowid (request_id, ts, org_id, client_id, person, model, server, input_tokens,
        output_tokens, unmetered, cost_micros, status, duration_us)
    SELECT request_id, ts, org_id, client_id, person, model, server, input_tokens,
        output_tokens, unmetered, cost_micros, status, duration_us
    FROM model_usage ORDER BY ts, request_id;
DROP TABLE model_usage;
ALTER TABLE model_usage_rowid RENAME TO model_usage;
-- What the reports read by: a period (ts), an organization's and a
-- person's usage over a period (query.go, person.go).
CREATE INDEX model_usage_ts ON model_usage (ts);
CREATE INDEX model_usage_org_ts ON model_usage (org_id, ts);
CREATE INDEX model_usage_person_ts ON model_usage (person, ts);

-- +goose Down
CREATE TABLE model_usage_keyed (
    request_id    TEXT    PRIMARY KEY,
    ts            INTEGER NOT NULL,
    org_id        TEXT    NOT NULL DEFAULT '',
    client_id     TEXT    NOT NULL DEFAULT '',
    person        TEXT    NOT NULL DEFAULT '',
    model         TEXT    NOT NULL DEFAULT '',
    server        TEXT    NOT NULL DEFAULT '',
    input_tokens  INTEGER,
    output_tokens INTEGER,
    unmetered     INTEGER NOT NULL,
    cost_micros   INTEGER NOT NULL DEFAULT 0,
    status        INTEGER NOT NULL,
    duration_us   INTEGER NOT NULL,
    CHECK (unmetered = (input_tokens IS NULL AND output_tokens IS NULL))
) WITHOUT ROWID;
INSERT INTO model_usage_keyed SELECT request_id, ts, org_id, client_id, person, model, server, input_tokens,
        output_tokens, unmetered, cost_micros, status, duration_us FROM model_usage;
DROP TABLE model_usage;
ALTER TABLE model_usage_keyed RENAME TO model_usage;
CREATE INDEX model_usage_ts ON model_usage (ts);
CREATE INDEX model_usage_org_ts ON model_usage (org_id, ts);
CREATE INDEX model_usage_person_ts ON model_usage (person, ts);
