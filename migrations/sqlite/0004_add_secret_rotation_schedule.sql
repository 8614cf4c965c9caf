-- A root secret may carry a rotation period: the broker rotates it (a Hangfire recurring job looks
-- every minute) once that long has passed since its last write or rotation.
ALTER TABLE root_secret ADD COLUMN rotate_every_seconds INTEGER NULL;
