-- A lease row holds the binding and the state, never the credential (DESIGN: "provider handle, never
-- the secret value itself"). The sealed credential kept so that a retried request gets the same answer
-- lives beside it, one row per live lease, and is erased when the lease ends. A narrow lease row is what
-- makes ending many leases in one statement cheap: the statement rewrites every page holding one of
-- them, and a page holds about four leases with a credential, fifteen without.

CREATE TABLE lease_credential (
    lease_id    TEXT    PRIMARY KEY REFERENCES lease (id) ON DELETE CASCADE,
    ciphertext  TEXT    NOT NULL
) WITHOUT ROWID;

INSERT INTO lease_credential (lease_id, ciphertext)
SELECT id, credential FROM lease WHERE credential IS NOT NULL AND state IN ('issuing', 'active');

ALTER TABLE lease DROP COLUMN credential;

-- Fewer indexes for a state change to maintain: these two leave the state out, so ending a lease does
-- not touch them. The reuse lookup seeks the binding and then the last minute of issued_at, so ended
-- leases cost it nothing; the identity index orders by id, which is how the inventory pages.
DROP INDEX lease_reusable;
CREATE INDEX lease_reusable ON lease (issuer, run_id, step, purpose, role, issued_at);
DROP INDEX lease_by_identity;
CREATE INDEX lease_by_identity ON lease (issuer, subject, id);
