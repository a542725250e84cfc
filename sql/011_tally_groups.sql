-- One tally row per round and questionnaire version instead of one per
-- (round, version, question, answer value).
--
-- With sql/009 the aggregation job's cost was the tally rows it wrote: a
-- small round has about 120 distinct (question, value) pairs, so its first
-- 20 responses made 120 rows, 2–3 us each.  Now a round and version is one
-- row holding its counts as three parallel arrays, sorted by (answer_index,
-- value), with the responses and the newest minute that tally_total held.
-- The job reads the rows of the groups a batch touches, adds in C, deletes
-- them and copies the sums back in (server/tally_job.c): per batch one row
-- per group touched, whatever the number of questions.  Reports read one
-- row per round instead of a hundred (a province: about 1,500 rows instead
-- of 250,000).
--
-- tally and tally_total stay as views with their old columns, so SQL
-- written against them (psql, the tests' recounts) keeps working.
--
-- Exactly once as before (sql/009): the queue rows, the responses' counts
-- and the tally rows change in one transaction.
--
-- No foreign keys, for the reason sql/009 gave for tally: rows are only
-- made from responses, whose own keys hold, and responses are never
-- deleted; checking them would cost two lookups per row per batch.

CREATE TABLE tally_group (
    campaign_id     bigint NOT NULL,
    version_id      bigint NOT NULL,
    responses       bigint NOT NULL CHECK (responses > 0),
    last_minute     timestamptz NOT NULL,
    -- value as in response.answers: 0 blank, -1 "không ý kiến", the option
    -- value, the bit set of a multiple choice, 1 for an answered text.
    answer_index    smallint[] NOT NULL,
    value           smallint[] NOT NULL,
    n               bigint[] NOT NULL,
    PRIMARY KEY (campaign_id, version_id),
    CHECK (cardinality(answer_index) = cardinality(value)
           AND cardinality(value) = cardinality(n))
);

INSERT INTO tally_group (campaign_id, version_id, responses, last_minute, answer_index, value, n)
SELECT t.campaign_id, t.version_id, t.responses, t.last_minute,
       coalesce(k.answer_index, '{}'), coalesce(k.value, '{}'), coalesce(k.n, '{}')
FROM tally_total t
LEFT JOIN (SELECT campaign_id, version_id,
                  array_agg(answer_index ORDER BY answer_index, value) AS answer_index,
                  array_agg(value ORDER BY answer_index, value) AS value,
                  array_agg(n ORDER BY answer_index, value) AS n
           FROM tally WHERE n > 0 GROUP BY 1, 2) k USING (campaign_id, version_id)
WHERE t.responses > 0;

DROP FUNCTION hl_aggregate(integer);
DROP FUNCTION hl_batch_responses(bigint, bigint, bigint[]);
DROP TABLE tally;
DROP TABLE tally_total;

CREATE VIEW tally AS
SELECT g.campaign_id, g.version_id, c.answer_index, c.value, c.n
FROM tally_group g, unnest(g.answer_index, g.value, g.n) AS c(answer_index, value, n);

CREATE VIEW tally_total AS
SELECT campaign_id, version_id, responses, last_minute FROM tally_group;
