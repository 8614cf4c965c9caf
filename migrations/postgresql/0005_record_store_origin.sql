-- A store filled by migrate-store from an embedded broker names where its data came from, so an
-- operator looking at either side can tell which store is the live one (the embedded side keeps a
-- marker file beside its database, and a broker refuses to start on it).
CREATE TABLE store_origin (
    id         integer PRIMARY KEY CHECK (id = 1),
    source     text    NOT NULL,
    copied_at  bigint  NOT NULL
);
