-- Browser sessions of staff: the cookie holds a random token, the table only
-- its SHA-256, so a copy of the database opens no session.  csrf is the
-- per-session token every state-changing form must carry.
CREATE TABLE staff_session (
    token_hash      text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    account_id      bigint NOT NULL REFERENCES account (id),
    csrf            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX staff_session_expires ON staff_session (expires_at);
CREATE INDEX staff_session_account ON staff_session (account_id);
