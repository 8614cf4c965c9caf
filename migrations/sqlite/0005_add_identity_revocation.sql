-- A stolen workload identity must be found, cut off and kept out: the broker remembers every
-- identity it has issued to (with its claims, so a claim selector such as repository=acme/app can
-- find them), marks which mass revocation ended each lease (so its downstream clean-up can be
-- followed), and keeps block rules that refuse an identity before any policy decision.

CREATE TABLE workload_identity (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    claims      TEXT    NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    UNIQUE (issuer, subject)
);

ALTER TABLE lease ADD COLUMN revocation_id TEXT NULL;

CREATE INDEX lease_by_revocation ON lease (revocation_id, state) WHERE revocation_id IS NOT NULL;
CREATE INDEX lease_live_by_identity ON lease (issuer, subject) WHERE state IN ('issuing', 'active');

CREATE TABLE identity_revocation (
    id              TEXT    PRIMARY KEY,
    issuer          TEXT    NOT NULL,
    subject         TEXT    NULL,
    claim_name      TEXT    NULL,
    claim_value     TEXT    NULL,
    reason          TEXT    NOT NULL,
    blocked         INTEGER NOT NULL,
    total           INTEGER NOT NULL,
    at              INTEGER NOT NULL
);

-- One rule per target: issuer + subject, or issuer + one exact claim.
CREATE TABLE identity_block (
    rule_key        TEXT    PRIMARY KEY,
    issuer          TEXT    NOT NULL,
    subject         TEXT    NULL,
    claim_name      TEXT    NULL,
    claim_value     TEXT    NULL,
    reason          TEXT    NOT NULL,
    revocation_id   TEXT    NULL,
    at              INTEGER NOT NULL
);
