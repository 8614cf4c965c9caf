-- A revocation by claim selector (actor=mallory, repository=acme/app) must end the leases issued
-- under that claim, whatever the same subject's later tokens carried: each lease points at the claim
-- set of the token it was issued under. The sets are shared (the steps of one CI job carry one) and
-- pruned once no live lease points at them.

CREATE TABLE workload_claims (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    -- SHA-256 of the issuer and the canonical claims JSON.
    digest  TEXT    NOT NULL UNIQUE,
    issuer  TEXT    NOT NULL,
    claims  TEXT    NOT NULL
);

ALTER TABLE lease ADD COLUMN claims_id INTEGER NULL;

CREATE INDEX lease_by_claims ON lease (claims_id);

-- Live leases from before this change: the best available is their identity's latest claims.
INSERT INTO workload_claims (digest, issuer, claims)
SELECT 'identity:' || i.seq, i.issuer, i.claims FROM workload_identity i
WHERE EXISTS (SELECT 1 FROM lease l WHERE l.issuer = i.issuer AND l.subject = i.subject AND l.state IN ('issuing', 'active'));

UPDATE lease SET claims_id = (
    SELECT c.id FROM workload_claims c JOIN workload_identity i ON c.digest = 'identity:' || i.seq
    WHERE i.issuer = lease.issuer AND i.subject = lease.subject)
WHERE state IN ('issuing', 'active');
