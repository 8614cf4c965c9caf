-- Break-glass alerts wait here until every configured webhook has them. An alert row is written in
-- the same transaction as the change it reports (an issuance, a review reminder), so a crash or a
-- restart, which empties the in-memory job queue, cannot lose one: the next poll finds it due.

CREATE TABLE alert (
    id              TEXT    PRIMARY KEY,
    kind            TEXT    NOT NULL,
    request_id      TEXT    NOT NULL REFERENCES break_glass_request (id),
    raised_at       INTEGER NOT NULL,
    failures        INTEGER NOT NULL DEFAULT 0,
    -- When the next delivery may start; a delivery in progress pushes it out by its claim.
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER NULL
);

CREATE INDEX alert_due ON alert (next_attempt_at) WHERE delivered_at IS NULL;

-- Which webhooks already have an alert, so a retry sends it only to those that missed it.
CREATE TABLE alert_delivery (
    alert_id     TEXT    NOT NULL REFERENCES alert (id),
    webhook      TEXT    NOT NULL,
    delivered_at INTEGER NOT NULL,
    PRIMARY KEY (alert_id, webhook)
) WITHOUT ROWID;

-- When a request was approved (by a second operator, or at once when its role needs none): a request
-- still approved long after that lost its issuance with its process, and the sweep settles it.
ALTER TABLE break_glass_request ADD COLUMN approved_at INTEGER NULL;

UPDATE break_glass_request SET approved_at = requested_at WHERE state IN ('approved', 'issued', 'failed');

CREATE INDEX break_glass_approved ON break_glass_request (approved_at) WHERE state = 'approved';

-- A two-person request's credential goes to its requester, who collects it once after the approval;
-- the approver never holds it.
ALTER TABLE break_glass_request ADD COLUMN collected_at INTEGER NULL;

-- Before this, the approver received the credential: nothing is left to collect.
UPDATE break_glass_request SET collected_at = requested_at WHERE state = 'issued' AND approver IS NOT NULL;
