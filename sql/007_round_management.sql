-- Running a round: edit, close early, print slips in batches, follow
-- progress.  The rules live here, in functions, so that the command line and
-- the HTTP API apply exactly the same ones in one round trip each.
--
-- Errors meant for the person asking are raised with our own SQLSTATEs:
-- HL404 (no such round in the caller's subtree), HL409 (the round's state
-- forbids it), HL422 (a bad value).  The message is shown as it is; DETAIL
-- names the field.

-- How many slips each batch holds: printing a batch again never makes new
-- codes, and the count is known without scanning the slips.
CREATE TABLE slip_batch (
    campaign_id     bigint NOT NULL REFERENCES campaign (id),
    batch           integer NOT NULL CHECK (batch BETWEEN 1 AND 1000),
    slip_count      integer NOT NULL CHECK (slip_count BETWEEN 1 AND 5000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL,
    PRIMARY KEY (campaign_id, batch)
);

INSERT INTO slip_batch (campaign_id, batch, slip_count, created_by)
SELECT campaign_id, batch, count(*), 'migration' FROM slip GROUP BY campaign_id, batch;

-- Double entry of paper sheets: when on, a sheet counts only once two people
-- have keyed it the same (or the second resolved the differences).  The
-- first keying waits here, the one place where a slip meets answers; the row
-- goes when the response is stored.
ALTER TABLE campaign ADD COLUMN paper_double_entry boolean NOT NULL DEFAULT false;

CREATE TABLE paper_draft (
    campaign_id     bigint NOT NULL REFERENCES campaign (id),
    slip            text NOT NULL REFERENCES slip (code),
    answers         smallint[] NOT NULL,
    texts           text[],
    content_hash    bytea NOT NULL CHECK (length(content_hash) = 32),
    entered_by      text NOT NULL,
    entered_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, slip)
);

CREATE FUNCTION hl_fail(state text, message text, field text DEFAULT '')
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = state, MESSAGE = message, DETAIL = field;
END;
$$;

-- A random code of the printed alphabet (see server/codes.h), unbiased:
-- bytes of 248 and above are drawn again (248 = 8 × 31).
CREATE FUNCTION hl_random_code(len integer) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    alphabet constant text := '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
    raw bytea;
    b integer;
    code text := '';
BEGIN
    WHILE length(code) < len LOOP
        raw := gen_random_bytes(len * 2);
        FOR i IN 0 .. length(raw) - 1 LOOP
            b := get_byte(raw, i);
            IF b < 248 AND length(code) < len THEN
                code := code || substr(alphabet, b % 31 + 1, 1);
            END IF;
        END LOOP;
    END LOOP;
    RETURN code;
END;
$$;

-- "id" (when it has one edition) or "id@edition" → the current version.
CREATE FUNCTION hl_form_version(form text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    wanted_id text := split_part(form, '@', 1);
    wanted text := CASE WHEN position('@' IN form) > 0
                        THEN substr(form, position('@' IN form) + 1) END;
    found bigint;
    editions text[];
BEGIN
    SELECT array_agg(edition ORDER BY edition) INTO editions
        FROM questionnaire_current q WHERE q.form_id = wanted_id;
    IF editions IS NULL THEN
        PERFORM hl_fail('HL422', format('no questionnaire "%s" is loaded', wanted_id), 'form');
    END IF;
    IF wanted IS NULL AND cardinality(editions) > 1 THEN
        PERFORM hl_fail('HL422', format('questionnaire "%s" has %s editions: name one, e.g. %s@%s',
                        wanted_id, cardinality(editions), wanted_id, editions[1]), 'form');
    END IF;
    SELECT q.version_id INTO found FROM questionnaire_current q
        WHERE q.form_id = wanted_id AND (wanted IS NULL OR q.edition = wanted);
    IF found IS NULL THEN
        PERFORM hl_fail('HL422', format('questionnaire "%s" has no edition "%s"', wanted_id, wanted),
                        'form');
    END IF;
    RETURN found;
END;
$$;

-- The round of code, locked against concurrent changes and against responses
-- being stored meanwhile (FOR UPDATE waits for inserts that reference it),
-- when it lies in the subtree of scope (NULL: anywhere, for the command line).
CREATE FUNCTION hl_campaign_for_change(round_code text, scope ltree) RETURNS campaign
LANGUAGE plpgsql AS $$
DECLARE
    found campaign;
BEGIN
    SELECT c.* INTO found FROM campaign c JOIN org_unit o ON o.id = c.org_unit_id
        WHERE c.public_code = upper(round_code) AND (scope IS NULL OR o.path <@ scope)
        FOR UPDATE OF c;
    IF found.id IS NULL THEN
        PERFORM hl_fail('HL404', format('no round has the code "%s" here', round_code), 'code');
    END IF;
    RETURN found;
END;
$$;

CREATE FUNCTION hl_check_round_fields(title text, opens timestamptz, closes timestamptz,
                                      target integer, mode text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF title IS NOT NULL AND (length(title) NOT BETWEEN 1 AND 300 OR btrim(title) = '') THEN
        PERFORM hl_fail('HL422', 'the title must be 1 to 300 characters of text', 'title');
    END IF;
    IF closes <= opens THEN
        PERFORM hl_fail('HL422', format('the round must close after it opens (opens %s, closes %s)',
                        to_char(opens AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI'),
                        to_char(closes AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI')),
                        'closes');
    END IF;
    IF target IS NOT NULL AND target NOT BETWEEN 1 AND 1000000 THEN
        PERFORM hl_fail('HL422', 'the number of parents targeted must be 1 to 1000000', 'target');
    END IF;
    IF mode IS NOT NULL AND mode NOT IN ('shared', 'slips', 'both') THEN
        PERFORM hl_fail('HL422', format('mode "%s": use shared, slips or both', mode), 'mode');
    END IF;
END;
$$;

-- Times are local to Việt Nam ("2026-11-25 07:30").  Returns the new round's
-- code.
CREATE FUNCTION hl_campaign_create(actor text, scope ltree, unit_code text, form text,
                                   title text, opens timestamp, closes timestamp,
                                   target integer, mode text, kiosk boolean,
                                   double_entry boolean)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    unit org_unit;
    version bigint;
    made campaign;
BEGIN
    SELECT * INTO unit FROM org_unit WHERE code = unit_code AND (scope IS NULL OR path <@ scope);
    IF unit.id IS NULL THEN
        PERFORM hl_fail('HL422', format('no organisation unit has the code "%s"%s', unit_code,
                        CASE WHEN scope IS NULL THEN '' ELSE ' in your part of the tree' END),
                        'unit');
    END IF;
    IF unit.kind NOT IN ('school', 'grade', 'class') THEN
        PERFORM hl_fail('HL422', format('%s is a %s: rounds are run by a school, a grade or a class',
                        unit_code, unit.kind), 'unit');
    END IF;
    PERFORM hl_check_round_fields(title, opens AT TIME ZONE 'Asia/Ho_Chi_Minh',
                                  closes AT TIME ZONE 'Asia/Ho_Chi_Minh', target,
                                  coalesce(mode, 'shared'));
    version := hl_form_version(form);
    FOR attempt IN 1 .. 20 LOOP
        INSERT INTO campaign (public_code, org_unit_id, version_id, title, opens_at, closes_at,
                              target_count, mode, kiosk, paper_double_entry)
            VALUES (hl_random_code(6), unit.id, version, title,
                    opens AT TIME ZONE 'Asia/Ho_Chi_Minh', closes AT TIME ZONE 'Asia/Ho_Chi_Minh',
                    target, coalesce(mode, 'shared'), coalesce(kiosk, false),
                    coalesce(double_entry, false))
            ON CONFLICT (public_code) DO NOTHING RETURNING * INTO made;
        EXIT WHEN made.id IS NOT NULL;
    END LOOP;
    IF made.id IS NULL THEN
        RAISE EXCEPTION 'no free round code after 20 attempts';
    END IF;
    INSERT INTO audit_log (actor, org_unit_id, action, detail)
        VALUES (actor, unit.id, 'campaign.create',
                jsonb_build_object('campaign_id', made.id, 'code', made.public_code,
                                   'title', made.title));
    RETURN made.public_code;
END;
$$;

-- NULL arguments leave the field as it is.  The questionnaire can change only
-- while the round has no response.
CREATE FUNCTION hl_campaign_update(actor text, scope ltree, round_code text, new_title text,
                                   new_opens timestamp, new_closes timestamp,
                                   new_target integer, new_mode text, new_kiosk boolean,
                                   new_form text, new_double_entry boolean)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    old campaign := hl_campaign_for_change(round_code, scope);
    changed jsonb := '{}';
    version bigint := old.version_id;
    opens timestamptz := coalesce(new_opens AT TIME ZONE 'Asia/Ho_Chi_Minh', old.opens_at);
    closes timestamptz := coalesce(new_closes AT TIME ZONE 'Asia/Ho_Chi_Minh', old.closes_at);
    responses bigint;
BEGIN
    PERFORM hl_check_round_fields(new_title, opens, closes, new_target, new_mode);
    IF new_form IS NOT NULL THEN
        version := hl_form_version(new_form);
        IF version <> old.version_id THEN
            SELECT count(*) INTO responses FROM response WHERE campaign_id = old.id;
            IF responses > 0 THEN
                PERFORM hl_fail('HL409', format('the questionnaire cannot change: the round already '
                                'has %s responses', responses), 'form');
            END IF;
        END IF;
    END IF;
    UPDATE campaign SET title = coalesce(new_title, title), opens_at = opens, closes_at = closes,
        target_count = coalesce(new_target, target_count), mode = coalesce(new_mode, mode),
        kiosk = coalesce(new_kiosk, kiosk), version_id = version,
        paper_double_entry = coalesce(new_double_entry, paper_double_entry)
        WHERE id = old.id;
    changed := jsonb_strip_nulls(jsonb_build_object(
        'title', nullif(new_title, old.title),
        'opens', CASE WHEN opens <> old.opens_at THEN opens END,
        'closes', CASE WHEN closes <> old.closes_at THEN closes END,
        'target', nullif(new_target, old.target_count),
        'mode', nullif(new_mode, old.mode),
        'kiosk', nullif(new_kiosk, old.kiosk),
        'double_entry', nullif(new_double_entry, old.paper_double_entry),
        'version_id', nullif(version, old.version_id)));
    INSERT INTO audit_log (actor, org_unit_id, action, detail)
        VALUES (actor, old.org_unit_id, 'campaign.update',
                jsonb_build_object('campaign_id', old.id, 'code', old.public_code,
                                   'changed', changed));
    RETURN old.public_code;
END;
$$;

-- Closing twice is not an error: the first close stands.
CREATE FUNCTION hl_campaign_close(actor text, scope ltree, round_code text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    old campaign := hl_campaign_for_change(round_code, scope);
BEGIN
    IF old.closed_early_at IS NULL AND old.closes_at > now() THEN
        UPDATE campaign SET closed_early_at = now() WHERE id = old.id;
        INSERT INTO audit_log (actor, org_unit_id, action, detail)
            VALUES (actor, old.org_unit_id, 'campaign.close',
                    jsonb_build_object('campaign_id', old.id, 'code', old.public_code));
    END IF;
    RETURN old.public_code;
END;
$$;

-- Makes batch `wanted` (NULL: the next number) of `how_many` slips.  Asking
-- for an existing batch with the same count returns it unchanged; with
-- another count it is refused.  Returns the batch number.
CREATE FUNCTION hl_slips_create(actor text, scope ltree, round_code text, wanted integer,
                                how_many integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    target_round campaign := hl_campaign_for_change(round_code, scope);
    existing integer;
    total bigint;
    number integer := wanted;
    made integer := 0;
BEGIN
    IF how_many IS NULL OR how_many NOT BETWEEN 1 AND 5000 THEN
        PERFORM hl_fail('HL422', format('%s slips at once is too many: ask for 1 to 5000 per batch '
                        '(print several batches for more)', coalesce(how_many::text, 'no')),
                        'count');
    END IF;
    IF number IS NOT NULL AND number NOT BETWEEN 1 AND 1000 THEN
        PERFORM hl_fail('HL422', 'the batch number must be 1 to 1000', 'batch');
    END IF;
    IF number IS NOT NULL THEN
        SELECT slip_count INTO existing FROM slip_batch
            WHERE campaign_id = target_round.id AND batch = number;
        IF existing = how_many THEN
            RETURN number;
        ELSIF existing IS NOT NULL THEN
            PERFORM hl_fail('HL409', format('batch %s already holds %s slips, not %s', number,
                            existing, how_many), 'count');
        END IF;
    END IF;
    IF target_round.mode = 'shared' THEN
        PERFORM hl_fail('HL409', 'this round uses one shared code; set its mode to slips or both '
                        'to print slips', 'mode');
    END IF;
    IF least(target_round.closes_at, coalesce(target_round.closed_early_at, target_round.closes_at)) <= now() THEN
        PERFORM hl_fail('HL409', 'the round is closed', 'code');
    END IF;
    SELECT coalesce(sum(slip_count), 0), coalesce(max(batch), 0) + 1 INTO total, existing
        FROM slip_batch WHERE campaign_id = target_round.id;
    IF total + how_many > 20000 THEN
        PERFORM hl_fail('HL422', format('a round holds at most 20000 slips; it has %s', total),
                        'count');
    END IF;
    number := coalesce(number, existing);
    IF number > 1000 THEN
        PERFORM hl_fail('HL422', 'a round holds at most 1000 batches', 'batch');
    END IF;
    INSERT INTO slip_batch (campaign_id, batch, slip_count, created_by)
        VALUES (target_round.id, number, how_many, actor);
    WHILE made < how_many LOOP
        INSERT INTO slip (code, campaign_id, batch)
            SELECT hl_random_code(13), target_round.id, number FROM generate_series(1, how_many - made)
            ON CONFLICT (code) DO NOTHING;
        GET DIAGNOSTICS existing = ROW_COUNT;
        made := made + existing;
    END LOOP;
    INSERT INTO audit_log (actor, org_unit_id, action, detail)
        VALUES (actor, target_round.org_unit_id, 'slips.create',
                jsonb_build_object('campaign_id', target_round.id, 'code', target_round.public_code,
                                   'batch', number, 'count', how_many));
    RETURN number;
END;
$$;

CREATE FUNCTION hl_campaign_state(c campaign) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN now() < c.opens_at THEN 'upcoming'
                WHEN now() < least(c.closes_at, coalesce(c.closed_early_at, c.closes_at))
                THEN 'open' ELSE 'closed' END;
$$;

-- Everything staff see about a round, as JSON: settings, state, progress.
-- Slips are counted, never listed with their state: which slip was used
-- says which family answered.
CREATE FUNCTION hl_campaign_json(c campaign) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'code', c.public_code,
        'path', '/s/' || c.public_code,
        'title', c.title,
        'unit', jsonb_build_object('code', o.code, 'name', o.name, 'kind', o.kind),
        'school', (SELECT s.name FROM org_unit s WHERE s.path @> o.path AND s.kind = 'school'
                   ORDER BY nlevel(s.path) DESC LIMIT 1),
        'form', jsonb_build_object('id', v.form_id, 'edition', v.edition, 'version_id', v.id,
                                   'title', v.title),
        'opens', to_char(c.opens_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"'),
        'closes', to_char(c.closes_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"'),
        'closed_early', to_char(c.closed_early_at AT TIME ZONE 'Asia/Ho_Chi_Minh',
                                'YYYY-MM-DD"T"HH24:MI:SS"+07:00"'),
        'state', hl_campaign_state(c),
        'mode', c.mode,
        'kiosk', c.kiosk,
        'double_entry', c.paper_double_entry,
        'target', c.target_count,
        'responses', jsonb_build_object('total', r.total, 'qr', r.qr, 'slip', r.slip,
                                        'paper', r.paper, 'today', r.today),
        'response_rate', CASE WHEN c.target_count > 0
                              THEN round(r.total * 100.0 / c.target_count, 1) END,
        'slips', jsonb_build_object('printed', coalesce(s.printed, 0),
                                    'redeemed', coalesce(s.redeemed, 0),
                                    'batches', coalesce(s.batches, '[]')),
        'paper_awaiting_second_entry', (SELECT count(*) FROM paper_draft d
                                        WHERE d.campaign_id = c.id),
        'form_locked', r.total > 0)
    FROM org_unit o, questionnaire_version v,
        LATERAL (SELECT count(*) AS total,
                        count(*) FILTER (WHERE source = 'qr') AS qr,
                        count(*) FILTER (WHERE source = 'slip') AS slip,
                        count(*) FILTER (WHERE source = 'paper') AS paper,
                        count(*) FILTER (WHERE submitted_minute >=
                            date_trunc('day', now() AT TIME ZONE 'Asia/Ho_Chi_Minh')
                            AT TIME ZONE 'Asia/Ho_Chi_Minh') AS today
                 FROM response WHERE campaign_id = c.id) r,
        LATERAL (SELECT sum(b.slip_count) AS printed, sum(u.used) AS redeemed,
                        jsonb_agg(jsonb_build_object('batch', b.batch, 'count', b.slip_count,
                                                     'redeemed', u.used)
                                  ORDER BY b.batch) AS batches
                 FROM slip_batch b,
                      LATERAL (SELECT count(*) FILTER (WHERE used) AS used FROM slip
                               WHERE campaign_id = c.id AND batch = b.batch) u
                 WHERE b.campaign_id = c.id) s
    WHERE o.id = c.org_unit_id AND v.id = c.version_id;
$$;

-- The same, for a round just changed in the calling statement: VOLATILE, so
-- it reads with a fresh snapshot that sees the change.
CREATE FUNCTION hl_campaign_view(round_code text) RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
    SELECT hl_campaign_json(c) FROM campaign c WHERE c.public_code = upper(round_code);
$$;

-- A batch of slips and its codes.
CREATE FUNCTION hl_slips_view(round_code text, wanted integer) RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
    SELECT jsonb_build_object('code', c.public_code, 'batch', b.batch, 'count', b.slip_count,
                              'created', b.created_at,
                              'slips', (SELECT coalesce(jsonb_agg(s.code ORDER BY s.code), '[]')
                                        FROM slip s WHERE s.campaign_id = c.id
                                        AND s.batch = b.batch))
    FROM campaign c JOIN slip_batch b ON b.campaign_id = c.id
    WHERE c.public_code = upper(round_code) AND b.batch = wanted;
$$;
