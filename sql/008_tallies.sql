-- Tallies: how many responses gave each answer to each question, per round
-- and questionnaire version, kept up to date incrementally by the
-- aggregation job.  Reports read tallies, never only percentages.
--
-- Exactly once: every stored response is queued in response_uncounted by a
-- trigger, in the transaction that stores it, so it becomes visible to the
-- job only when it commits, whatever its id.  The job deletes what it takes
-- from the queue and adds it to the tallies in one transaction: a crash
-- undoes both, two jobs never take the same response (SKIP LOCKED), and a
-- response that commits after a later-numbered one is simply taken on the
-- next run.  No watermark, so nothing can be skipped.

CREATE TABLE response_uncounted (
    response_id     bigint PRIMARY KEY
);

CREATE FUNCTION response_enqueue() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO response_uncounted (response_id) SELECT id FROM stored;
    RETURN NULL;
END;
$$;

CREATE TRIGGER response_enqueue AFTER INSERT ON response
    REFERENCING NEW TABLE AS stored
    FOR EACH STATEMENT EXECUTE FUNCTION response_enqueue();

-- Responses stored before this migration are counted by the first run.
INSERT INTO response_uncounted (response_id) SELECT id FROM response;

-- value as in response.answers: 0 blank, -1 "không ý kiến", the option value,
-- the bit set of a multiple choice, 1 for an answered text question.
CREATE TABLE tally (
    campaign_id     bigint NOT NULL REFERENCES campaign (id),
    version_id      bigint NOT NULL REFERENCES questionnaire_version (id),
    answer_index    smallint NOT NULL,
    value           smallint NOT NULL,
    n               bigint NOT NULL CHECK (n >= 0),
    PRIMARY KEY (campaign_id, version_id, answer_index, value)
);

-- Responses counted, per round and version, with the newest one's minute:
-- the denominators of response rates and the freshness of every report.
CREATE TABLE tally_total (
    campaign_id     bigint NOT NULL REFERENCES campaign (id),
    version_id      bigint NOT NULL REFERENCES questionnaire_version (id),
    responses       bigint NOT NULL CHECK (responses >= 0),
    last_minute     timestamptz NOT NULL,
    PRIMARY KEY (campaign_id, version_id)
);

-- Counts up to batch queued responses; returns how many (0: nothing to do),
-- or -1 when another instance is counting right now.
CREATE FUNCTION hl_aggregate(batch integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    counted integer;
BEGIN
    -- One job at a time across instances; the others skip this turn.
    -- 104971108111110104: "hailong" + 1, next to the migration lock.
    IF NOT pg_try_advisory_xact_lock(104971108111110104) THEN
        RETURN -1;
    END IF;
    -- One statement: its parts see the same snapshot and commit together.
    WITH gone AS (
        DELETE FROM response_uncounted WHERE response_id IN (
            SELECT response_id FROM response_uncounted ORDER BY response_id LIMIT batch
            FOR UPDATE SKIP LOCKED)
        RETURNING response_id),
    taken AS (
        SELECT r.campaign_id, r.version_id, r.answers, r.submitted_minute
        FROM gone g JOIN response r ON r.id = g.response_id),
    counts AS (
        INSERT INTO tally AS t (campaign_id, version_id, answer_index, value, n)
        SELECT k.campaign_id, k.version_id, a.i - 1, a.v, count(*)
        FROM taken k, unnest(k.answers) WITH ORDINALITY AS a(v, i)
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (campaign_id, version_id, answer_index, value)
        DO UPDATE SET n = t.n + EXCLUDED.n),
    totals AS (
        INSERT INTO tally_total AS t (campaign_id, version_id, responses, last_minute)
        SELECT campaign_id, version_id, count(*), max(submitted_minute)
        FROM taken GROUP BY 1, 2
        ON CONFLICT (campaign_id, version_id)
        DO UPDATE SET responses = t.responses + EXCLUDED.responses,
                      last_minute = greatest(t.last_minute, EXCLUDED.last_minute))
    SELECT count(*) INTO counted FROM taken;
    RETURN counted;
END;
$$;
