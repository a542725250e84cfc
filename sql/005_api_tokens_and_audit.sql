-- API tokens for integrations: scoped like an account (one role on one
-- unit), stored only as the SHA-256 of the token (tokens are 256 random bits,
-- so a fast hash is enough), shown once at creation, revocable.
CREATE TABLE api_token (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    token_hash      text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    org_unit_id     bigint NOT NULL REFERENCES org_unit (id),
    role            text NOT NULL CHECK (role IN ('admin', 'staff', 'viewer')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz
);

CREATE INDEX api_token_org_unit ON api_token (org_unit_id);

-- Every state change by staff: who, on which unit, what, when.  Readable by
-- admins of the unit's ancestors (through the unit's path).
CREATE TABLE audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor           text NOT NULL,
    org_unit_id     bigint REFERENCES org_unit (id),
    action          text NOT NULL,
    detail          jsonb NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_log_unit_at ON audit_log (org_unit_id, at);

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change('the audit log is append-only');
