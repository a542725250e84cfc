-- Questionnaire versions.  A version is one exact content of a forms/ file,
-- identified by the SHA-256 of its canonical JSON: loading the same file again
-- finds the same version, a changed file makes a new one, and responses keep
-- pointing at the version they answered.  Versions never change afterwards.
CREATE TABLE questionnaire_version (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    form_id         text NOT NULL CHECK (form_id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    edition         text NOT NULL CHECK (length(edition) BETWEEN 1 AND 32),
    content_hash    text NOT NULL UNIQUE CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    title           text NOT NULL,
    audience        text NOT NULL,
    family          text NOT NULL,
    index_method    text NOT NULL CHECK (index_method IN ('mean-of-criteria', 'pooled')),
    target_percent  numeric(5, 2) NOT NULL CHECK (target_percent BETWEEN 0 AND 100),
    answer_count    integer NOT NULL CHECK (answer_count > 0),
    definition      jsonb NOT NULL,
    source_file     text,
    loaded_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX questionnaire_version_form ON questionnaire_version (form_id, edition);

-- One row per item of a version, in document order: what reports join on.
-- answer_index is the item's place in a response's answer array (NULL for
-- groups and elements).  Criterion ids are stable across versions and
-- editions, so reports compare versions by item_id.
CREATE TABLE questionnaire_item (
    version_id      bigint NOT NULL REFERENCES questionnaire_version (id),
    position        integer NOT NULL CHECK (position >= 0),
    item_id         text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('group', 'element', 'criterion', 'question')),
    parent_item_id  text,
    element_item_id text,
    text            text NOT NULL,
    short_text      text,
    answer_index    integer CHECK (answer_index >= 0),
    scale_name      text,
    scale_type      text CHECK (scale_type IN ('ordinal', 'yes-no', 'single', 'multi', 'text')),
    scale_values    smallint[],
    satisfied       smallint[],
    role            text NOT NULL CHECK (role IN ('none', 'index', 'overall', 'info')),
    required        boolean NOT NULL,
    no_opinion      boolean NOT NULL,
    PRIMARY KEY (version_id, position),
    UNIQUE (version_id, item_id),
    UNIQUE (version_id, answer_index)
);

-- The version new survey rounds get for each questionnaire and edition.
CREATE TABLE questionnaire_current (
    form_id     text NOT NULL,
    edition     text NOT NULL,
    version_id  bigint NOT NULL REFERENCES questionnaire_version (id),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (form_id, edition)
);

-- Refuses the change, with the message given to the trigger: for tables
-- whose rows are history (questionnaire versions, responses).
CREATE FUNCTION refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER questionnaire_version_immutable
    BEFORE UPDATE OR DELETE ON questionnaire_version
    FOR EACH ROW EXECUTE FUNCTION
    refuse_change('questionnaire versions are immutable: load a changed file as a new version');

CREATE TRIGGER questionnaire_item_immutable
    BEFORE UPDATE OR DELETE ON questionnaire_item
    FOR EACH ROW EXECUTE FUNCTION
    refuse_change('questionnaire versions are immutable: load a changed file as a new version');
