-- Staff accounts: one role on one node of the organisation tree, which
-- scopes everything the account may see or do to that node's subtree.
-- Passwords are stored only as Argon2id hashes (libsodium crypto_pwhash_str).
CREATE TABLE account (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login           text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    org_unit_id     bigint NOT NULL REFERENCES org_unit (id),
    role            text NOT NULL CHECK (role IN ('admin', 'staff', 'viewer')),
    password_hash   text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    disabled_at     timestamptz
);

CREATE INDEX account_org_unit ON account (org_unit_id);
