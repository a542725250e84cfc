/*
 * tally_job: one run of the aggregation job on a blocking libpq connection,
 * shared by the server's aggregation thread (aggregator.c) and `hailong
 * aggregate`.  In one transaction: take the advisory lock (another instance
 * counting: skip), take queue rows of response_batch_queue (sql/009) up to
 * about `batch` responses and read their responses through a cursor,
 * count them in C (tally.c), replace the touched groups' tally_group rows
 * (sql/011) by their sums, commit.  Exactly once
 * follows from that single transaction; see sql/009.
 *
 * Memory is bounded by the counts of the groups a run touches.
 * The connection is the caller's; on failure the transaction is rolled back
 * when the connection still works.
 */
#ifndef HAILONG_TALLY_JOB_H
#define HAILONG_TALLY_JOB_H

#include <libpq-fe.h>
#include <stdbool.h>

/* Responses per run, for the server and `hailong aggregate`: big enough
 * that a group's row is rewritten once for many responses (the cost that
 * counts, see sql/011), small enough that a run's transaction stays short
 * (a few seconds).  Memory does not grow with it: responses are read a
 * piece at a time and only the counts are kept. */
enum { TALLY_BATCH = 1000000 };

typedef struct TallyRun {
	long long counted; /* responses counted and committed */
	bool busy;         /* another instance holds the lock: nothing done */
	bool full;         /* the batch was full: more may be waiting */
} TallyRun;

/* Runs once with up to about batch (> 0) responses.  reader: NULL, or a
 * second connection (idle, the caller's) that reads half the responses at
 * the same time on a thread of the run's own.  True with *out set, or
 * false with *err (malloc'd, one line) set and nothing committed. */
bool tally_job_run(PGconn *conn, PGconn *reader, int batch, TallyRun *out, char **err)
	__attribute__((warn_unused_result));

#endif
