/*
 * report_snapshot: the published result of a closed round (issue 7, point
 * 10).  When a round has closed and every response stored before then is
 * counted, its report document is frozen: the exact bytes report_build
 * gave, with their SHA-256, in report_snapshot (sql/010).  The questionnaire
 * version (form id, edition, version number, content hash) and the method
 * are inside the document, so the published figures can be reproduced byte
 * for byte whatever is edited or keyed later.
 *
 *   - Taking (report_snapshot_take) runs on the aggregation job's own
 *     connection, right after a run that emptied the queue, and from
 *     `hailong aggregate`.  The rule for "every response stored before the
 *     close is counted": in one REPEATABLE READ transaction, the round is
 *     closed and no row of response_batch_queue holds one of its
 *     responses.  A response's queue row is written by the transaction that
 *     stores it and deleted by the one that counts it, so in that one view
 *     of the database every response of the round committed so far — all
 *     those stored before the close among them — is in the tallies the
 *     report reads.  The job's advisory lock makes one instance take
 *     snapshots at a time; the insert never replaces one (ON CONFLICT DO
 *     NOTHING).
 *   - Serving (report_published) answers a report query: a query scoped to
 *     one round that has a snapshot gets the published document, with a
 *     "publication" member added that says when it was taken, its SHA-256
 *     and, when responses were counted after it (paper sheets keyed after
 *     the close, forms sent late), an amendment with their number and the
 *     round's figures now.  The published figures are never replaced.
 *     Every other query gets report_build's document with "publication":
 *     null.
 *
 * Blocking, like report_build: only on the command line, the aggregation
 * thread or a report thread, never on the event loop.
 */
#ifndef HAILONG_REPORT_SNAPSHOT_H
#define HAILONG_REPORT_SNAPSHOT_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "report_build.h"

/* Snapshots taken in one transaction at most: a backlog (the first run
 * after an upgrade, with years of closed rounds) goes in pieces, and the
 * lock that also holds up counting is never kept long. */
enum { REPORT_SNAPSHOT_BATCH = 20 };

/* What was stored for a round; borrowed strings. */
typedef struct ReportSnapshot {
	const char *document; /* the published bytes, NUL-terminated */
	size_t len;
	const char *sha256;   /* of those bytes, 64 lower-case hex digits */
	const char *taken_at; /* ISO 8601, +07:00 */
	long long responses;  /* responses the document counts */
} ReportSnapshot;

/* Takes the snapshots that are due, at most max_rounds (> 0), each of the
 * document of the round seen from its own unit, with privacy_threshold as
 * k.  True with *taken set (0 also when another instance holds the job's
 * lock: it takes them then).  A round whose document cannot be made is
 * logged and left for the next run, the others are still taken.  False
 * with *err (malloc'd, one line) when the transaction fails: nothing is
 * stored then, and the transaction is rolled back if the connection works. */
bool report_snapshot_take(PGconn *conn, int privacy_threshold, int max_rounds, int *taken,
			  char **err) __attribute__((warn_unused_result));

/* The document a report query is answered with (caller frees with
 * cJSON_Delete), or NULL with *err filled as report_build does.  Checks
 * and scoping are report_build's: the published document is given only to
 * a caller who may read the round's report. */
cJSON *report_published(PGconn *conn, const ReportQuery *query, ReportError *err);

/* The published document as served: snap's bytes parsed, with
 * "publication" added (taken_at, responses, sha256, amendment).  current is
 * the round's document now (taken over: freed here; may be NULL): when it
 * counts more responses than snap, the amendment carries late_responses,
 * responses, generated_at, data_as_of, rounds and questionnaires from it,
 * else the amendment is null.  search_comments: the comments are current's
 * (a comment search looks through every comment, as for any report).  NULL
 * with *err set (503) when the stored bytes do not parse or memory runs
 * out. */
cJSON *report_snapshot_compose(const ReportSnapshot *snap, cJSON *current, bool search_comments,
			       ReportError *err);

/* The bytes a snapshot stores for doc: compact JSON (cJSON_PrintUnformatted,
 * what the JSON output prints), checked to print the same again once
 * parsed, so the served document holds them verbatim; and their SHA-256 in
 * hex.  Returns the bytes (caller frees) or NULL with *err set. */
char *report_snapshot_bytes(const cJSON *doc, char sha256[65], char **err);

#endif
