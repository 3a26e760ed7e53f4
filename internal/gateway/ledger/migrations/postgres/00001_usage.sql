-- +goose Up
-- One row per completed model call. Tokens are NULL when the response
-- reported no usage (unmetered), never 0.
CREATE TABLE model_usage (
    request_id    text        PRIMARY KEY,
    ts            timestamptz NOT NULL,
    org_id        text        NOT NULL DEFAULT '',
    client_id     text        NOT NULL DEFAULT '',
    person        text        NOT NULL DEFAULT '',
    model         text        NOT NULL DEFAULT '',
    server        text        NOT NULL DEFAULT '',
    input_tokens  bigint,
    output_tokens bigint,
    unmetered     boolean     NOT NULL,
    cost_micros   bigint      NOT NULL DEFAULT 0,
    status        integer     NOT NULL,
    duration_us   bigint      NOT NULL,
    CHECK (unmetered = (input_tokens IS NULL AND output_tokens IS NULL))
);
-- The reports select a period, often for one organization or person.
CREATE INDEX model_usage_ts ON model_usage (ts);
CREATE INDEX model_usage_org_ts ON model_usage (org_id, ts);
CREATE INDEX model_usage_person_ts ON model_usage (person, ts);

-- +goose Down
DROP TABLE model_usage;
