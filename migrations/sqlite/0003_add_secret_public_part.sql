-- Some root secrets have a public part that must outlive the secret value: a signing key's public
-- key stays in the JWKS until every token it signed has expired, even after rotation has erased
-- the private key. The public part is not secret and is stored in the clear.
ALTER TABLE root_secret_version ADD COLUMN public_part TEXT NULL;
