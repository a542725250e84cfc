-- One tally row per round and questionnaire version instead of one per
-- (round, version, question, answer value).
--
-- With sql/009 the aggregation job's cost was the tally rows it wrote: a
-- small round has about 120 distinct (question, value) pairs, so its first
-- 20 responses made 120 rows, 2–3 us each.  Now a round and version is one
-- row holding its counts in one bytea (below), with the responses and the
-- newest minute that tally_total held.
-- The job reads the rows of the groups a batch touches, adds in C, deletes
-- them and copies the sums back in (server/tally_job.c): per batch one row
-- per group touched, whatever the number of questions.  Reports read one
-- row per round instead of a hundred (a province: about 1,500 rows instead
-- of 250,000).
--
-- The counts are one bytea of 8-byte entries, sorted by (answer_index,
-- value): answer_index (int2), value (int2), n (int4), big-endian, the
-- binary form of the three integers.  Arrays were tried first: sending and
-- receiving them cost PostgreSQL a function call per element (a province
-- report spent 90 ms there), while a bytea is copied as it is.
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
    counts          bytea NOT NULL CHECK (length(counts) % 8 = 0),
    PRIMARY KEY (campaign_id, version_id)
);

INSERT INTO tally_group (campaign_id, version_id, responses, last_minute, counts)
SELECT t.campaign_id, t.version_id, t.responses, t.last_minute, coalesce(k.counts, '')
FROM tally_total t
LEFT JOIN (SELECT campaign_id, version_id,
                  string_agg(int2send(answer_index) || int2send(value) || int4send(n::integer),
                             '' ORDER BY answer_index, value) AS counts
           FROM tally WHERE n > 0 GROUP BY 1, 2) k USING (campaign_id, version_id)
WHERE t.responses > 0;

DROP FUNCTION hl_aggregate(integer);
DROP FUNCTION hl_batch_responses(bigint, bigint, bigint[]);
DROP TABLE tally;
DROP TABLE tally_total;

-- Decodes the entries.  PostgreSQL gives <<, | and # one precedence, left
-- to right: hence every parenthesis.  (u # 32768) - 32768 makes an unsigned
-- 16-bit number signed.
CREATE VIEW tally AS
SELECT g.campaign_id, g.version_id,
       ((((get_byte(g.counts, o) << 8) | get_byte(g.counts, o + 1)) # 32768) - 32768)::smallint
           AS answer_index,
       ((((get_byte(g.counts, o + 2) << 8) | get_byte(g.counts, o + 3)) # 32768) - 32768)::smallint
           AS value,
       ((get_byte(g.counts, o + 4)::bigint << 24) | (get_byte(g.counts, o + 5) << 16)
        | (get_byte(g.counts, o + 6) << 8) | get_byte(g.counts, o + 7)) AS n
FROM tally_group g, generate_series(0, length(g.counts) - 8, 8) AS o;

CREATE VIEW tally_total AS
SELECT campaign_id, version_id, responses, last_minute FROM tally_group;
