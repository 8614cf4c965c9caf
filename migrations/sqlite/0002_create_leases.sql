-- Leases live in an indexed table, never all in memory: every query the broker makes about leases
-- (expiry sweep, due clean-ups, a run's or an identity's live leases, idempotent retries) has a
-- partial index over exactly the rows it reads, so a million leases cost disk, not time.

CREATE TABLE lease (
    id               TEXT    PRIMARY KEY,
    role             TEXT    NOT NULL,
    provider         TEXT    NOT NULL,
    secret           TEXT    NOT NULL,
    handle           TEXT    NOT NULL,
    issuer           TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    run_id           TEXT    NOT NULL,
    job_id           TEXT    NULL,
    step             TEXT    NOT NULL,
    purpose          TEXT    NOT NULL,
    rule             TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('issuing', 'active', 'revoking', 'revoked', 'revoke_failed')),
    issued_at        INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    max_expires_at   INTEGER NOT NULL,
    renewable        INTEGER NOT NULL,
    idempotency_key  TEXT    NULL,
    -- Data Protection ciphertext of the credential, kept only while the lease is live so that a
    -- retried request gets the same credential; cleared in the statement that ends the lease.
    credential       TEXT    NULL,
    revoke_reason    TEXT    NULL,
    revoked_at       INTEGER NULL,
    revoke_attempts  INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NULL
);

CREATE INDEX lease_active_by_expiry ON lease (expires_at) WHERE state = 'active';
CREATE INDEX lease_cleanup_due ON lease (next_attempt_at) WHERE state IN ('revoking', 'revoke_failed');
CREATE INDEX lease_issuing_by_age ON lease (issued_at) WHERE state = 'issuing';
CREATE INDEX lease_live_by_run ON lease (issuer, run_id) WHERE state IN ('issuing', 'active');
CREATE INDEX lease_by_identity ON lease (issuer, subject, state);
CREATE INDEX lease_reusable ON lease (issuer, run_id, step, purpose, role, issued_at) WHERE state = 'active';
CREATE UNIQUE INDEX lease_idempotency ON lease (issuer, subject, idempotency_key) WHERE idempotency_key IS NOT NULL;
