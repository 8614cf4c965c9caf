-- Break-glass: an operator's emergency lease. The lease row carries the flag (so its expiry can
-- never be moved and inventories can filter on it); the request row keeps who asked, why, for
-- which incident, who approved it and who reviewed it afterwards.

ALTER TABLE lease ADD COLUMN break_glass INTEGER NOT NULL DEFAULT 0;

CREATE TABLE break_glass_request (
    id              TEXT    PRIMARY KEY,
    role            TEXT    NOT NULL,
    requester       TEXT    NOT NULL,
    requester_actor TEXT    NOT NULL,
    justification   TEXT    NOT NULL,
    incident        TEXT    NOT NULL,
    ttl_seconds     INTEGER NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'approved', 'issued', 'expired', 'failed')),
    requested_at    INTEGER NOT NULL,
    approve_by      INTEGER NOT NULL,
    approver        TEXT    NULL,
    lease_id        TEXT    NULL,
    reviewer        TEXT    NULL,
    review_outcome  TEXT    NULL,
    review_notes    TEXT    NULL,
    reviewed_at     INTEGER NULL,
    -- When the last "still unreviewed" reminder went out, so the reminder job nags once per period.
    reminded_at     INTEGER NULL
);

CREATE INDEX break_glass_pending_by_deadline ON break_glass_request (approve_by) WHERE state = 'pending';
CREATE INDEX break_glass_unreviewed ON break_glass_request (requested_at) WHERE state = 'issued' AND reviewed_at IS NULL;
