-- Staff web pages: a form sent twice (a double click, the back button and
-- "resend") does its work once.  The page carries a random key; the first
-- request with it stores what it made, a later one gets the same answer.
-- A second request waits on the primary key until the first commits, so two
-- at the same moment still make one round.
CREATE TABLE staff_form_once (
    form_key        text PRIMARY KEY CHECK (form_key ~ '^[0-9a-f]{32}$'),
    actor           text NOT NULL,
    result          text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX staff_form_once_created ON staff_form_once (created_at);

-- hl_campaign_create (sql/007), once per key.  Returns the round's code.
CREATE FUNCTION hl_campaign_create_once(key_text text, actor text, scope ltree,
                                        unit_code text, form text, title text,
                                        opens timestamp, closes timestamp, target integer,
                                        mode text, kiosk boolean, double_entry boolean)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    made text;
BEGIN
    -- Keys only matter for the minutes a resend can happen: old ones go.
    DELETE FROM staff_form_once WHERE created_at < now() - interval '2 days';
    INSERT INTO staff_form_once (form_key, actor) VALUES (key_text, actor)
        ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        SELECT f.result INTO made FROM staff_form_once f
            WHERE f.form_key = key_text AND f.actor = hl_campaign_create_once.actor;
        IF coalesce(made, '') = '' THEN
            PERFORM hl_fail('HL409', 'this form was already sent', 'form_key');
        END IF;
        RETURN made;
    END IF;
    made := hl_campaign_create(actor, scope, unit_code, form, title, opens, closes, target,
                               mode, kiosk, double_entry);
    UPDATE staff_form_once SET result = made WHERE form_key = key_text;
    RETURN made;
END;
$$;
