-- +goose Up
-- One row per completed model call. Tokens are NULL when the response
-- reported no usage (unmetered), never 0. Time is Unix microseconds (UTC):
-- SQLite has no time type, and an integer sorts and compares exactly.
CREATE TABLE model_usage (
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
CREATE INDEX model_usage_ts ON model_usage (ts);
CREATE INDEX model_usage_org_ts ON model_usage (org_id, ts);
CREATE INDEX model_usage_person_ts ON model_usage (person, ts);

-- +goose Down
DROP TABLE model_usage;
