-- A queue of stored INSERT statements instead of stored responses, so the
-- aggregation job can absorb hundreds of thousands of responses a second.
--
-- sql/008 queued one row per response and deleted it again when counting:
-- at a million responses that queue alone cost more than the counting.  Now
-- the statement-level trigger on response adds one row per INSERT statement
-- (per CHUNK responses of a big one) to response_batch_queue: the range of
-- ids it stored, and the ids themselves only when they are not contiguous
-- (two sessions inserting at the same time interleave their ids).
--
-- Exactly once, as before: the queue row is written by the transaction that
-- stores the responses, so the job sees it only when they commit, whatever
-- their ids.  The job (server/tally_job.c) deletes the queue rows it takes
-- (FOR UPDATE SKIP LOCKED), reads their responses, counts them and adds the
-- counts to tally and tally_total in one transaction: a crash undoes all of
-- it, two jobs never take the same queue row, and a response that commits
-- after later-numbered ones is taken on the next run.  No watermark.
--
-- tally and tally_total keep their columns, keys and meaning (sql/008).
-- The counting itself moved from SQL into C; hl_aggregate stays as a slower
-- SQL fallback over the new queue (for psql, and as the definition the C
-- code must agree with).
--
-- tally loses its two foreign keys: checking them cost more than everything
-- else the job does (two lookups per new tally row, measured 6.6 us of about
-- 12 us per row).  They guarded nothing: tally rows are only ever made from
-- responses, whose own foreign keys hold the same campaign and version, and
-- responses are append-only, so those rows can never go.  tally_total,
-- one row per round and version, keeps its foreign keys.

CREATE TABLE response_batch_queue (
    seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_id        bigint NOT NULL,
    last_id         bigint NOT NULL,
    -- NULL: every id from first_id to last_id; else exactly these ids.
    ids             bigint[],
    rows            integer NOT NULL CHECK (rows > 0),
    CHECK (last_id >= first_id),
    CHECK ((ids IS NULL AND rows = last_id - first_id + 1)
           OR (ids IS NOT NULL AND rows = cardinality(ids)))
);

-- At most this many responses per queue row, so that one huge INSERT (an
-- import, the benchmark's generator) still gives the job bounded pieces.
CREATE FUNCTION response_batch_chunk() RETURNS integer
LANGUAGE sql IMMUTABLE AS 'SELECT 10000';

CREATE FUNCTION response_batch_enqueue() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    lo bigint;
    hi bigint;
    n bigint;
    chunk constant integer := response_batch_chunk();
BEGIN
    SELECT min(id), max(id), count(*) INTO lo, hi, n FROM stored;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    IF hi - lo + 1 = n THEN
        -- Contiguous (the usual case): ranges only, no id is copied.
        INSERT INTO response_batch_queue (first_id, last_id, rows)
        SELECT s, least(s + chunk - 1, hi), least(s + chunk - 1, hi) - s + 1
        FROM generate_series(lo, hi, chunk) s;
    ELSE
        INSERT INTO response_batch_queue (first_id, last_id, ids, rows)
        SELECT min(id), max(id), array_agg(id ORDER BY id), count(*)
        FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / chunk AS part FROM stored) s
        GROUP BY part;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER response_batch_enqueue AFTER INSERT ON response
    REFERENCING NEW TABLE AS stored
    FOR EACH STATEMENT EXECUTE FUNCTION response_batch_enqueue();

-- What the old queue still holds moves over as runs of consecutive ids.
INSERT INTO response_batch_queue (first_id, last_id, rows)
SELECT min(response_id), max(response_id), count(*)
FROM (SELECT response_id,
             response_id - row_number() OVER (ORDER BY response_id) AS run,
             (row_number() OVER (ORDER BY response_id) - 1) / response_batch_chunk() AS part
      FROM response_uncounted) u
GROUP BY run, part
ORDER BY min(response_id);

ALTER TABLE tally DROP CONSTRAINT tally_campaign_id_fkey,
                  DROP CONSTRAINT tally_version_id_fkey;

DROP TRIGGER response_enqueue ON response;
DROP FUNCTION response_enqueue();
DROP FUNCTION hl_aggregate(integer);
DROP TABLE response_uncounted;

-- The responses of the queue rows a run takes: ranges by index range scan,
-- the rare id lists id by id.
CREATE FUNCTION hl_batch_responses(first_id bigint, last_id bigint, ids bigint[])
RETURNS SETOF response
LANGUAGE sql STABLE AS $$
    SELECT r.* FROM response r WHERE ids IS NULL AND r.id BETWEEN first_id AND last_id
    UNION ALL
    SELECT r.* FROM unnest(ids) i JOIN response r ON r.id = i
$$;

-- The SQL fallback: counts up to about batch queued responses the same way
-- the C job does; returns how many (0: nothing to do), or -1 when another
-- instance is counting right now.
CREATE FUNCTION hl_aggregate(batch integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    counted integer;
BEGIN
    -- 104971108111110104: "hailong" + 1, next to the migration lock.
    IF NOT pg_try_advisory_xact_lock(104971108111110104) THEN
        RETURN -1;
    END IF;
    WITH picked AS (
        SELECT seq, rows FROM response_batch_queue ORDER BY seq LIMIT batch
        FOR UPDATE SKIP LOCKED),
    upto AS (
        SELECT seq, sum(rows) OVER (ORDER BY seq) - rows AS before FROM picked),
    gone AS (
        DELETE FROM response_batch_queue q USING upto u
        WHERE q.seq = u.seq AND u.before < batch
        RETURNING q.first_id, q.last_id, q.ids),
    taken AS (
        SELECT r.campaign_id, r.version_id, r.answers, r.submitted_minute
        FROM gone g, hl_batch_responses(g.first_id, g.last_id, g.ids) r),
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
