-- The first schema: the seal check that tells a wrong master key apart, the encrypted Data
-- Protection key ring, root secrets with their versions, hashed operator tokens, and the
-- hash-chained audit trail with its head. Times are unix milliseconds (NodaTime Instant).

CREATE TABLE broker_seal (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    seal_check  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE data_protection_key (
    friendly_name TEXT PRIMARY KEY,
    xml           TEXT NOT NULL
);

CREATE TABLE root_secret (
    name            TEXT    PRIMARY KEY,
    type            TEXT    NOT NULL,
    current_version INTEGER NOT NULL,
    field_names     TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- Only the current version keeps its ciphertext; older rows stay as history.
CREATE TABLE root_secret_version (
    name        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    ciphertext  TEXT    NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT    NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE operator_token (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    scopes      TEXT    NOT NULL,
    hash        TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER NULL,
    created_by  TEXT    NOT NULL
);

CREATE TABLE audit_event (
    seq             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    actor           TEXT    NOT NULL,
    action          TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    decision        TEXT    NOT NULL,
    reason          TEXT    NULL,
    request_id      TEXT    NULL,
    remote_address  TEXT    NULL,
    user_agent      TEXT    NULL,
    previous_mac    TEXT    NOT NULL,
    mac             TEXT    NOT NULL
);

-- Append-only at the database too; the MAC chain is what catches anyone who drops these.
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

-- The head carries its own MAC, so it cannot be rewound to an earlier event after the newest
-- events are deleted.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    seq       INTEGER NOT NULL,
    mac       TEXT    NOT NULL,
    head_mac  TEXT    NOT NULL
);
