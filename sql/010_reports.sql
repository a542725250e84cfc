-- Reports read the tallies (sql/008); this adds what they need besides.
--
-- Comments: the newest free-text answers of a set of rounds, found without
-- reading the responses that have none.
CREATE INDEX response_comments ON response (campaign_id, id) WHERE texts IS NOT NULL;

-- Published figures of closed rounds: the exact bytes of the report
-- document when the round closed, with the questionnaire version and
-- method inside it, so a published result can be reproduced byte for byte
-- whatever is entered later (late paper sheets show as an amendment).
CREATE TABLE report_snapshot (
    campaign_id     bigint PRIMARY KEY REFERENCES campaign (id),
    taken_at        timestamptz NOT NULL DEFAULT now(),
    responses       bigint NOT NULL CHECK (responses >= 0),
    document        text NOT NULL,
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$')
);
