-- Comments newest first per round (server/sql_text.c, COMMENTS_SELECT): a
-- report shows a province's newest comments by reading, round by round,
-- only as many rows as it shows, in this index's order, instead of sorting
-- every comment of the province.  It also serves what response_comments
-- (sql/010) served, finding a round's responses that carry text.
CREATE INDEX response_comments_newest
    ON response (campaign_id, submitted_minute DESC, id DESC) WHERE texts IS NOT NULL;
DROP INDEX response_comments;
