/*
 * sql_text: every SQL statement the server sends, as constants with $n
 * parameters.  Nothing else in server/ builds SQL; values always travel as
 * parameters.
 */
#ifndef HAILONG_SQL_TEXT_H
#define HAILONG_SQL_TEXT_H

/* The name of the table that records applied migrations. */
#define MIGRATIONS_TABLE "hailong_migrations"

extern const char SQL_HEALTH_SCHEMA_VERSION[];
/* Aggregation lag: responses queued for counting and the age in seconds of
 * the oldest (NULL when none; to the minute, as responses keep no finer
 * time).  Reads the small queue and one response by primary key. */
extern const char SQL_AGGREGATION_LAG[];
/* hailong status: responses stored today, rounds open now, the migration
 * level, all in one row. */
extern const char SQL_STATUS_SUMMARY[];
extern const char SQL_MIGRATE_LOCK[];
extern const char SQL_MIGRATE_UNLOCK[];
extern const char SQL_MIGRATE_CREATE_TABLE[];
extern const char SQL_MIGRATE_APPLIED[];
extern const char SQL_MIGRATE_RECORD[];
extern const char SQL_FORM_INSERT_VERSION[];
extern const char SQL_FORM_FIND_VERSION[];
extern const char SQL_FORM_INSERT_ITEM[];
extern const char SQL_FORM_SET_CURRENT[];
extern const char SQL_SECRET[];
extern const char SQL_VERSION_DEFINITION[];
extern const char SQL_SURVEY_BY_CAMPAIGN_CODE[];
extern const char SQL_SURVEY_BY_SLIP_CODE[];
extern const char SQL_COMMIT_BATCH[];
extern const char SQL_SUBMISSION_LOOKUP[];
extern const char SQL_DEMO_ORG[];
extern const char SQL_DEMO_FIND_CAMPAIGN[];
extern const char SQL_DEMO_REOPEN_CAMPAIGN[];
extern const char SQL_DEMO_CREATE_CAMPAIGN[];
extern const char SQL_DEMO_CURRENT_VERSIONS[];
extern const char SQL_TOKEN_CREATE[];
extern const char SQL_TOKEN_LIST[];
extern const char SQL_TOKEN_REVOKE[];
extern const char SQL_TOKEN_AUTH[];
extern const char SQL_ACCOUNT_ADD[];
extern const char SQL_LOGIN_LOOKUP[];
extern const char SQL_SESSION_CREATE[];
extern const char SQL_SESSION_AUTH[];
extern const char SQL_SESSION_DELETE[];
extern const char SQL_API_UNIT[];
extern const char SQL_API_AUDIT[];
extern const char SQL_UNIT_EXISTS[];
extern const char SQL_ACCOUNT_LIST[];
extern const char SQL_ORG_CODES[];
extern const char SQL_ORG_UPSERT[];
extern const char SQL_BENCH_ROUND_SECRET[];
extern const char SQL_CAMPAIGN_CREATE[];
extern const char SQL_CAMPAIGN_UPDATE[];
extern const char SQL_CAMPAIGN_CLOSE[];
extern const char SQL_CAMPAIGN_GET[];
extern const char SQL_CAMPAIGN_LIST[];
extern const char SQL_SLIPS_CREATE[];
extern const char SQL_SLIPS_GET[];
extern const char SQL_STAFF_ROUND[];
extern const char SQL_PAPER_SLIP[];
extern const char SQL_PAPER_DRAFT[];
extern const char SQL_PAPER_DRAFT_DONE[];
/* admin pages */
extern const char SQL_ADMIN_ACCOUNTS[];
extern const char SQL_ADMIN_UNITS[];
extern const char SQL_ADMIN_ACCOUNT_WHY[];
extern const char SQL_ADMIN_ACCOUNT_STATE[];
extern const char SQL_ADMIN_ACCOUNT_PASSWORD[];
extern const char SQL_ADMIN_TOKENS[];
extern const char SQL_ADMIN_TOKEN_AGAIN[];
extern const char SQL_ADMIN_TOKEN_IN_SCOPE[];
/* the staff pages of rounds (sql/013) */
extern const char SQL_STAFF_ROUND_CREATE[];
extern const char SQL_STAFF_ROUND_PAGE[];
extern const char SQL_STAFF_ROUND_FORM[];
extern const char SQL_STAFF_DASHBOARD[];
/* aggregation */
extern const char SQL_TALLY_LOCK[];
extern const char SQL_TALLY_TAKE[];
extern const char SQL_TALLY_RANGES[];
extern const char SQL_TALLY_READ[];
extern const char SQL_TALLY_REMOVE[];
extern const char SQL_TALLY_COPY[];
extern const char SQL_REPORT_NODE[];
extern const char SQL_REPORT_CAMPAIGN[];
extern const char SQL_REPORT_ROUNDS[];
extern const char SQL_REPORT_TALLIES[];
extern const char SQL_REPORT_VERSIONS[];
extern const char SQL_REPORT_UNITS[];
extern const char SQL_REPORT_UNCOUNTED[];
extern const char SQL_SNAPSHOT_DUE[];
extern const char SQL_SNAPSHOT_INSERT[];
extern const char SQL_SNAPSHOT_FOR_REPORT[];
extern const char SQL_SNAPSHOT_GET[];
extern const char SQL_COMMENTS_ROUNDS[];
extern const char SQL_COMMENTS_COUNT[];
extern const char SQL_COMMENTS_PAGE[];
extern const char SQL_COMMENTS_BEGIN[];
extern const char SQL_COMMENTS_DECLARE[];
extern const char SQL_COMMENTS_FETCH[];
extern const char SQL_COMMENTS_COMMIT[];
extern const char SQL_COMMENTS_ROLLBACK[];

#endif
