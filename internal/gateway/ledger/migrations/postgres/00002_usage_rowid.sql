-- +goose Up
-- SQLite's 00002 gives its table a rowid, rows appended in order beside a
-- unique request_id. PostgreSQL's table is that already (a heap with the
-- primary key's index beside it): nothing to do, and the number keeps the
-- two dialects' versions in step.
SELECT 1;

-- +goose Down
SELECT 1;
