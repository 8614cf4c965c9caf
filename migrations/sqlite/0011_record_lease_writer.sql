-- After a crash, the restarted broker had to wait out Leases:StuckIssuingAfterSeconds before it
-- revoked the leases the crash left in 'issuing', although no process could activate them any more.
-- Each lease written ahead now records which process wrote it: the node (one per data folder, kept
-- across restarts) and the incarnation (new at every start). At start a node reclaims at once the
-- rows of its own earlier incarnations; another node's rows, and rows from before this change (no
-- writer), still wait for the timeout. Leases committed once, as 'active', leave both NULL, so the
-- rows a mass revocation rewrites do not grow.
ALTER TABLE lease ADD COLUMN writer_node TEXT NULL;
ALTER TABLE lease ADD COLUMN writer_incarnation TEXT NULL;
