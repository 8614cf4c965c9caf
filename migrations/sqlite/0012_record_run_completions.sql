-- A CI platform's webhook says when a run (or one job of it) finished, so leases of a cancelled,
-- failed or timed-out job end then instead of at expiry. Each delivery is recorded once: its id and
-- the SHA-256 of its body are unique per issuer, so a delivery sent again (under the same id, or the
-- same signed body under another) changes nothing. A recorded completion also refuses a new lease of
-- its run (or job) in its project whose token was issued at or before it: a step still in flight when
-- the run ended. Rows are dropped after 14 days.
CREATE TABLE run_completion (
    issuer        TEXT    NOT NULL,
    delivery_id   TEXT    NOT NULL,
    body_sha256   TEXT    NOT NULL,
    event         TEXT    NOT NULL,
    project       TEXT    NOT NULL,
    run_id        TEXT    NOT NULL,
    job_id        TEXT    NULL,
    completed_at  INTEGER NOT NULL,
    PRIMARY KEY (issuer, delivery_id)
);

CREATE UNIQUE INDEX run_completion_by_body ON run_completion (issuer, body_sha256);
CREATE INDEX run_completion_by_run ON run_completion (issuer, run_id);
CREATE INDEX run_completion_by_age ON run_completion (completed_at);

-- The repository or project the workload token named (GitHub's repository, GitLab's project path):
-- a webhook for one project finds only that project's leases. NULL for leases from before this change
-- and for break-glass leases, which no webhook ends.
ALTER TABLE lease ADD COLUMN project TEXT NULL;
