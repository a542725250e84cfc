-- The round (campaign_id) in the primary key and in every unique key of the
-- tables that grow with parents, so that partitioning `response` and
-- distributing the tables on the round with Citus (docs/scaling.md) are
-- configuration steps, not rewrites: PostgreSQL and Citus both require
-- every unique index of such a table to include its partition or
-- distribution key.

-- response: the key of a resent form is per round (a submission id is
-- issued for one round and its MAC covers the round: server/token.c, so
-- "unique per round" is the same set of ids), and its index serves every
-- look-up of a round's responses, as response_campaign did.  The primary
-- key holds the round after the id: the aggregation job reads responses by
-- id ranges, so the id must lead one index, and a third index just for it
-- would cost 22 bytes a response (measured on bench/generate's dataset).
ALTER TABLE response DROP CONSTRAINT response_pkey;
ALTER TABLE response ADD CONSTRAINT response_pkey PRIMARY KEY (id, campaign_id);
ALTER TABLE response DROP CONSTRAINT response_submission_id_key;
ALTER TABLE response ADD CONSTRAINT response_submission UNIQUE (campaign_id, submission_id);
DROP INDEX response_campaign;

-- slip: a parent's link carries only the slip's code, so the code stays
-- unique across rounds on one server (slip_code); on a Citus cluster that
-- index is the one to drop, leaving codes unique by their 64 random bits,
-- the primary key per round and a lookup by code that asks every shard.
ALTER TABLE paper_draft DROP CONSTRAINT paper_draft_slip_fkey;
ALTER TABLE slip DROP CONSTRAINT slip_pkey;
ALTER TABLE slip ADD CONSTRAINT slip_pkey PRIMARY KEY (campaign_id, code);
ALTER TABLE slip ADD CONSTRAINT slip_code UNIQUE (code);
ALTER TABLE paper_draft ADD CONSTRAINT paper_draft_slip_fkey
    FOREIGN KEY (campaign_id, slip) REFERENCES slip (campaign_id, code);

-- Makes batch `wanted` (NULL: the next number) of `how_many` slips.  Asking
-- for an existing batch with the same count returns it unchanged; with
-- another count it is refused.  Returns the batch number.
CREATE OR REPLACE FUNCTION hl_slips_create(actor text, scope ltree, round_code text, wanted integer,
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
            -- No arbiter: a code taken in any round is skipped and drawn
            -- again, whichever unique index says so (slip_code here; the
            -- primary key alone on a distributed table).
            ON CONFLICT DO NOTHING;
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

