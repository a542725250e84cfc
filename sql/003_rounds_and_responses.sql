-- The organisation tree, survey rounds (đợt khảo sát), single-use slips and
-- the responses themselves.

CREATE EXTENSION IF NOT EXISTS ltree;
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- The server's signing key for submission ids and receipts, made here so that
-- every instance on this database shares it.
ALTER TABLE installation ADD COLUMN secret bytea NOT NULL DEFAULT gen_random_bytes(32)
    CHECK (length(secret) = 32);

-- Province (Sở GD&ĐT) → commune/ward → school → grade → class; older rounds
-- also used districts.  path holds the ids from the root, for subtree queries.
CREATE TABLE org_unit (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code                text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    kind                text NOT NULL CHECK (kind IN ('country', 'province', 'district', 'commune',
                                                      'school', 'grade', 'class', 'other')),
    school_level        text CHECK (school_level IN ('mam-non', 'tieu-hoc', 'thcs', 'thpt',
                                                     'lien-cap', 'gdtx')),
    parent_id           bigint REFERENCES org_unit (id),
    path                ltree NOT NULL DEFAULT '',
    old_province_code   text,
    old_district_code   text,
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX org_unit_path ON org_unit USING gist (path);

-- path is always the parent's path plus the node's own id.
CREATE FUNCTION org_unit_set_path() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_id IS NULL THEN
        NEW.path := text2ltree(NEW.id::text);
    ELSE
        SELECT path || text2ltree(NEW.id::text) INTO NEW.path FROM org_unit WHERE id = NEW.parent_id;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER org_unit_path BEFORE INSERT ON org_unit
    FOR EACH ROW EXECUTE FUNCTION org_unit_set_path();
CREATE INDEX org_unit_parent ON org_unit (parent_id);

-- A survey round.  public_code is the short code of the shared QR link
-- /s/CODE; slips have their own codes.
CREATE TABLE campaign (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_code         text NOT NULL UNIQUE CHECK (public_code ~ '^[2-9A-HJKMNP-Z]{6}$'),
    org_unit_id         bigint NOT NULL REFERENCES org_unit (id),
    version_id          bigint NOT NULL REFERENCES questionnaire_version (id),
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    opens_at            timestamptz NOT NULL,
    closes_at           timestamptz NOT NULL,
    closed_early_at     timestamptz,
    target_count        integer CHECK (target_count > 0),
    mode                text NOT NULL DEFAULT 'shared' CHECK (mode IN ('shared', 'slips', 'both')),
    kiosk               boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (closes_at > opens_at)
);

CREATE INDEX campaign_org_unit ON campaign (org_unit_id);

-- Single-use codes printed one per parent.  On purpose a slip keeps no link
-- to the response it was used for, and no time: slips cannot be joined to
-- answers.
CREATE TABLE slip (
    code                text PRIMARY KEY CHECK (code ~ '^[2-9A-HJKMNP-Z]{13}$'),
    campaign_id         bigint NOT NULL REFERENCES campaign (id),
    batch               integer NOT NULL DEFAULT 1,
    used                boolean NOT NULL DEFAULT false
);

CREATE INDEX slip_campaign ON slip (campaign_id, batch);

-- One row per response, append-only.  answers holds one smallint per
-- answerable item of the questionnaire version, in its answer_index order:
-- 0 blank, -1 "không ý kiến", 1..99 the chosen option value; for multiple
-- choice a bit set of option positions; for free text 1 when texts holds it.
-- texts holds the free-text answers in the same order as the text questions.
-- Nothing identifies the parent: no name, phone, IP address, user agent or
-- cookie, and the time is kept to the minute only.
CREATE TABLE response (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id         bigint NOT NULL REFERENCES campaign (id),
    version_id          bigint NOT NULL REFERENCES questionnaire_version (id),
    submission_id       uuid NOT NULL UNIQUE,
    content_hash        bytea NOT NULL CHECK (length(content_hash) = 32),
    answers             smallint[] NOT NULL,
    texts               text[],
    source              text NOT NULL CHECK (source IN ('qr', 'slip', 'paper')),
    receipt             text NOT NULL,
    submitted_minute    timestamptz NOT NULL
        CHECK (submitted_minute = date_trunc('minute', submitted_minute))
);

CREATE INDEX response_campaign ON response (campaign_id);

CREATE TRIGGER response_append_only
    BEFORE UPDATE OR DELETE ON response
    FOR EACH ROW EXECUTE FUNCTION refuse_change('responses are append-only');
