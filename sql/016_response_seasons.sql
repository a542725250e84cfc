-- Responses partitioned by season (docs/scaling.md#partitioning-responses-by-season).
-- `SELECT hl_response_new_season('2027_28')`, run once when a school year
-- starts, sends the responses of every round created from then on to a new
-- partition `response_2027_28`; the rounds created before keep theirs where
-- they are.  The partition key is the round (campaign_id, ranges of round
-- ids): every unique key of `response` already leads with it (sql/015), a
-- resent form always reaches its own round's partition, and a report reads
-- only the partitions of the rounds it covers.
--
-- The first call turns the plain table into the partition of all earlier
-- rounds (named response_before_LABEL) without copying a row; later calls
-- close the open-ended partition at the first new round id and open the
-- next.  Both hold an exclusive lock on `response` while they run, and
-- checking the closed partition's bound reads it once: run it out of
-- season (in summer), when parents are not submitting.  Returns the new
-- partition's name.
CREATE FUNCTION hl_response_new_season(label text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    first_round bigint;
    next_id bigint;
    open_part text;
    open_from bigint;
    new_part text := 'response_' || label;
    old_part text := 'response_before_' || label;
BEGIN
    IF label IS NULL OR label !~ '^[a-z0-9_]{1,40}$' THEN
        PERFORM hl_fail('HL422', 'a season label is 1 to 40 of a-z, 0-9 and _ (say 2027_28)',
                        'label');
    END IF;
    IF to_regclass(new_part) IS NOT NULL THEN
        PERFORM hl_fail('HL409', format('table %s exists already', new_part), 'label');
    END IF;
    -- No round may be created between choosing the bound and opening the
    -- partition, and no response written while the table changes shape.
    LOCK TABLE campaign IN SHARE ROW EXCLUSIVE MODE;
    LOCK TABLE response IN ACCESS EXCLUSIVE MODE;
    first_round := (SELECT coalesce(max(id), 0) + 1 FROM campaign);

    IF (SELECT relkind FROM pg_class WHERE oid = 'response'::regclass) = 'r' THEN
        IF to_regclass(old_part) IS NOT NULL THEN
            PERFORM hl_fail('HL409', format('table %s exists already', old_part), 'label');
        END IF;
        -- Ids stay unique across partitions: the aggregation job reads
        -- responses by id ranges.
        next_id := nextval(pg_get_serial_sequence('response', 'id'));
        EXECUTE format('ALTER TABLE response RENAME TO %I', old_part);
        EXECUTE format('ALTER INDEX response_pkey RENAME TO %I', old_part || '_pkey');
        EXECUTE format('ALTER INDEX response_submission RENAME TO %I', old_part || '_submission');
        EXECUTE format('ALTER INDEX response_comments_newest RENAME TO %I',
                       old_part || '_comments_newest');
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT response_campaign_id_fkey,'
                       ' DROP CONSTRAINT response_version_id_fkey', old_part);
        EXECUTE format('DROP TRIGGER response_append_only ON %I', old_part);
        EXECUTE format('DROP TRIGGER response_batch_enqueue ON %I', old_part);
        EXECUTE format('ALTER TABLE %I ALTER COLUMN id DROP IDENTITY', old_part);

        -- The same table as sql/003 and sql/015 make, partitioned.
        EXECUTE format('CREATE TABLE response (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS'
                       ' INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE (campaign_id)',
                       old_part);
        EXECUTE format('ALTER TABLE response ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY'
                       ' (START WITH %s)', next_id);
        ALTER TABLE response
            ADD CONSTRAINT response_pkey PRIMARY KEY (id, campaign_id),
            ADD CONSTRAINT response_submission UNIQUE (campaign_id, submission_id),
            ADD CONSTRAINT response_campaign_id_fkey FOREIGN KEY (campaign_id)
                REFERENCES campaign (id),
            ADD CONSTRAINT response_version_id_fkey FOREIGN KEY (version_id)
                REFERENCES questionnaire_version (id);
        CREATE INDEX response_comments_newest
            ON response (campaign_id, submitted_minute DESC, id DESC) WHERE texts IS NOT NULL;
        CREATE TRIGGER response_append_only
            BEFORE UPDATE OR DELETE ON response
            FOR EACH ROW EXECUTE FUNCTION refuse_change('responses are append-only');
        CREATE TRIGGER response_batch_enqueue AFTER INSERT ON response
            REFERENCING NEW TABLE AS stored
            FOR EACH STATEMENT EXECUTE FUNCTION response_batch_enqueue();
        -- Its indexes match the parent's, so they are attached, not rebuilt.
        EXECUTE format('ALTER TABLE response ATTACH PARTITION %I'
                       ' FOR VALUES FROM (MINVALUE) TO (%s)', old_part, first_round);
    ELSE
        SELECT c.relname, substring(pg_get_expr(c.relpartbound, c.oid)
                                    FROM '^FOR VALUES FROM \(''?(-?[0-9]+)''?\) TO \(MAXVALUE\)$')::bigint
            INTO open_part, open_from
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'response'::regclass
              AND pg_get_expr(c.relpartbound, c.oid) LIKE '% TO (MAXVALUE)';
        IF open_part IS NULL THEN
            PERFORM hl_fail('HL409', 'response has no open-ended partition to close', 'label');
        END IF;
        IF first_round <= open_from THEN
            PERFORM hl_fail('HL409', format('no round has been created since %s opened', open_part),
                            'label');
        END IF;
        EXECUTE format('ALTER TABLE response DETACH PARTITION %I', open_part);
        -- With this constraint proven, attaching with the closed bound
        -- needs no second scan.
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (campaign_id >= %s AND campaign_id < %s)',
                       open_part, open_part || '_rounds', open_from, first_round);
        EXECUTE format('ALTER TABLE response ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
                       open_part, open_from, first_round);
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF response FOR VALUES FROM (%s) TO (MAXVALUE)',
                   new_part, first_round);
    RETURN new_part;
END;
$$;
