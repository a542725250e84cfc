#include "report_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db_sync.h"
#include "log.h"
#include "sql_text.h"
#include "util.h"

/* ---- the stored bytes ----------------------------------------------------- */

char *report_snapshot_bytes(const cJSON *doc, char sha256[65], char **err)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	char *text = cJSON_PrintUnformatted(doc), *again = NULL;
	cJSON *parsed = NULL;
	const char *end = NULL;

	*err = NULL;
	if (!text)
		goto oom;
	/* The served document is these bytes parsed, with one member added:
	 * only if they print back the same does it hold them verbatim.
	 * cJSON's own output always does; the check makes it a fact. */
	parsed = cJSON_ParseWithLengthOpts(text, strlen(text), &end, false);
	if (parsed && !(again = cJSON_PrintUnformatted(parsed)))
		goto oom;
	if (!parsed || end != text + strlen(text) || strcmp(again, text) != 0) {
		*err = str_printf("the document does not print back to the same bytes");
		goto fail;
	}
	crypto_hash_sha256(digest, (const unsigned char *)text, strlen(text));
	sodium_bin2hex(sha256, 65, digest, sizeof digest);
	cJSON_Delete(parsed);
	free(again);
	return text;
oom:
	*err = str_printf("out of memory");
fail:
	cJSON_Delete(parsed);
	free(again);
	free(text);
	return NULL;
}

/* ---- taking ---------------------------------------------------------------- */

/* Ends a transaction left open by a failure or by finding the lock taken;
 * nothing when the connection is gone or already idle. */
static void roll_back(PGconn *conn)
{
	if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
}

/* One round's snapshot, inside the caller's transaction.  True when stored
 * (*stored: a row was inserted), false with *err. */
static bool take_one(PGconn *conn, const PGresult *due, int row, int k, bool *stored, char **err)
{
	ReportQuery q = {
		/* Seen from the round's own unit, as its school reads it: the
		 * document names nothing above that unit, so whoever may read
		 * the round may read all of it. */
		.node = PQgetvalue(due, row, 2),
		.scope_path = PQgetvalue(due, row, 3),
		.campaign = PQgetvalue(due, row, 1),
		.privacy_threshold = k,
	};
	ReportError rerr;
	char sha[65], responses[24];
	const char *values[4];
	char *bytes = NULL;
	cJSON *doc = report_build(conn, &q, &rerr), *zero;
	PGresult *res = NULL;
	bool ok = false;

	if (!doc) {
		*err = str_oneline("%s", rerr.message);
		return false;
	}
	/* Every response of the round stored so far is counted (the rule
	 * above): what else the queue holds belongs to other rounds. */
	zero = cJSON_CreateNumber(0);
	if (!zero || !cJSON_ReplaceItemInObjectCaseSensitive(doc, "uncounted", zero)) {
		cJSON_Delete(zero);
		*err = str_printf("the document has no uncounted member");
		goto cleanup;
	}
	snprintf(responses, sizeof responses, "%lld",
		 (long long)cJSON_GetNumberValue(
			 cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "rounds"),
							  "responses")));
	if (!(bytes = report_snapshot_bytes(doc, sha, err)))
		goto cleanup;
	values[0] = PQgetvalue(due, row, 0);
	values[1] = responses;
	values[2] = bytes;
	values[3] = sha;
	if (!(res = db_sync_query(conn, SQL_SNAPSHOT_INSERT, 4, values, "storing the snapshot", err)))
		goto cleanup;
	*stored = strcmp(PQcmdTuples(res), "1") == 0;
	ok = true;
cleanup:
	PQclear(res);
	free(bytes);
	cJSON_Delete(doc);
	return ok;
}

bool report_snapshot_take(PGconn *conn, int privacy_threshold, int max_rounds, int *taken, char **err)
{
	char limit[16];
	const char *params[1] = {limit};
	PGresult *res = NULL;
	bool ok = false;

	*taken = 0;
	*err = NULL;
	snprintf(limit, sizeof limit, "%d", max_rounds);
	/* One view of the database for the check and every document. */
	if (!db_sync_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ", "starting the snapshots",
			  err))
		return false;
	/* The aggregation job's lock: one instance at a time, and no counting
	 * meanwhile (REPEATABLE READ would not see it anyway). */
	if (!(res = db_sync_query(conn, SQL_TALLY_LOCK, 0, NULL, "taking the lock", err)))
		goto cleanup;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		ok = true; /* another instance is at it */
		goto cleanup;
	}
	PQclear(res);
	if (!(res = db_sync_query(conn, SQL_SNAPSHOT_DUE, 1, params, "finding closed rounds", err)))
		goto cleanup;
	for (int i = 0; i < PQntuples(res); i++) {
		char *why = NULL;
		bool stored = false;
		if (!db_sync_exec(conn, "SAVEPOINT one_round", "starting a snapshot", err))
			goto cleanup;
		if (take_one(conn, res, i, privacy_threshold, &stored, &why)) {
			*taken += stored;
		} else {
			/* This round waits for the next run; a broken
			 * questionnaire version must not hold up the others. */
			log_warn("the published result of round %s is not taken yet: %s",
				 PQgetvalue(res, i, 1), why ? why : "out of memory");
			if (!db_sync_exec(conn, "ROLLBACK TO SAVEPOINT one_round",
					  "leaving a snapshot out", err)) {
				free(why);
				goto cleanup;
			}
		}
		free(why);
	}
	if (!db_sync_exec(conn, "COMMIT", "storing the snapshots", err))
		goto cleanup;
	ok = true;
cleanup:
	PQclear(res);
	if (!ok)
		*taken = 0;
	roll_back(conn);
	return ok;
}

/* ---- serving --------------------------------------------------------------- */

/* Moves member key of from to the end of to (JSON null when absent). */
static void move_member(cJSON *to, cJSON *from, const char *key)
{
	cJSON *item = from ? cJSON_DetachItemFromObjectCaseSensitive(from, key) : NULL;

	cJSON_AddItemToObject(to, key, item ? item : cJSON_CreateNull());
}

static long long responses_of(const cJSON *doc)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, "rounds"), "responses");

	return cJSON_IsNumber(n) ? (long long)n->valuedouble : -1;
}

cJSON *report_snapshot_compose(const ReportSnapshot *snap, cJSON *current, bool search_comments,
			       ReportError *err)
{
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithLengthOpts(snap->document, snap->len, &end, false);
	cJSON *pub, *amendment;
	long long now = responses_of(current);

	memset(err, 0, sizeof *err);
	if (!doc || !cJSON_IsObject(doc)) {
		err->status = 503;
		snprintf(err->message, sizeof err->message,
			 "the published document does not parse (stored %zu bytes)", snap->len);
		goto fail;
	}
	if (search_comments && current) {
		cJSON *found = cJSON_DetachItemFromObjectCaseSensitive(current, "comments");
		if (found && !cJSON_ReplaceItemInObjectCaseSensitive(doc, "comments", found))
			cJSON_Delete(found);
	}
	pub = cJSON_AddObjectToObject(doc, "publication");
	if (!pub)
		goto oom;
	cJSON_AddStringToObject(pub, "taken_at", snap->taken_at);
	cJSON_AddNumberToObject(pub, "responses", (double)snap->responses);
	cJSON_AddStringToObject(pub, "sha256", snap->sha256);
	/* Only more responses make an amendment: the counts never go down
	 * (responses are append-only), and equal counts are the same figures. */
	if (now > snap->responses) {
		amendment = cJSON_AddObjectToObject(pub, "amendment");
		if (!amendment)
			goto oom;
		cJSON_AddNumberToObject(amendment, "late_responses", (double)(now - snap->responses));
		cJSON_AddNumberToObject(amendment, "responses", (double)now);
		move_member(amendment, current, "generated_at");
		move_member(amendment, current, "data_as_of");
		move_member(amendment, current, "rounds");
		move_member(amendment, current, "questionnaires");
	} else {
		cJSON_AddNullToObject(pub, "amendment");
	}
	cJSON_Delete(current);
	return doc;
oom:
	err->status = 503;
	snprintf(err->message, sizeof err->message, "out of memory");
fail:
	cJSON_Delete(doc);
	cJSON_Delete(current);
	return NULL;
}

/* The snapshot of q's round when q may read it; NULL (err->status 0) when
 * there is none, NULL with err->status 503 when the database fails. */
static PGresult *find_snapshot(PGconn *conn, const ReportQuery *q, ReportError *err)
{
	const char *params[3] = {q->node, q->scope_path, q->campaign};
	PGresult *res = PQexecParams(conn, SQL_SNAPSHOT_FOR_REPORT, 3, NULL, params, NULL, NULL, 0);
	char *why;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		return res;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		why = str_oneline("database: %s", PQerrorMessage(conn));
		err->status = 503;
		snprintf(err->message, sizeof err->message, "%s", why ? why : "database: out of memory");
		free(why);
	}
	PQclear(res);
	return NULL;
}

cJSON *report_published(PGconn *conn, const ReportQuery *q, ReportError *err)
{
	ReportQuery canonical;
	ReportSnapshot snap;
	PGresult *res;
	cJSON *doc;

	memset(err, 0, sizeof *err);
	res = q->campaign ? find_snapshot(conn, q, err) : NULL;
	if (err->status)
		return NULL;
	if (!res) {
		/* Not one published round: the figures as they are now. */
		doc = report_build(conn, q, err);
		if (doc)
			cJSON_AddNullToObject(doc, "publication");
		return doc;
	}
	/* The round now, seen from where the snapshot was taken, so the
	 * amendment compares like with like whichever unit above it asks.  The
	 * period parameters still go along: they are checked as for any query
	 * (a round is its own period anyway). */
	canonical = *q;
	canonical.node = PQgetvalue(res, 0, 4);
	canonical.scope_path = PQgetvalue(res, 0, 5);
	doc = report_build(conn, &canonical, err);
	if (doc) {
		snap.document = PQgetvalue(res, 0, 0);
		snap.len = (size_t)PQgetlength(res, 0, 0);
		snap.sha256 = PQgetvalue(res, 0, 1);
		snap.responses = atoll(PQgetvalue(res, 0, 2));
		snap.taken_at = PQgetvalue(res, 0, 3);
		doc = report_snapshot_compose(&snap, doc, q->search != NULL, err);
	}
	PQclear(res);
	return doc;
}
