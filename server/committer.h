/*
 * committer: group commit of parents' responses.
 *
 * Submissions that arrive while a batch is being written wait and go
 * together in the next one: one statement, one transaction, one fsync for
 * many parents (a durable one-row transaction costs about as much as a
 * 50-row one).  At low load a submission goes out at once, so batching adds
 * no latency.  Bounds: batch_max rows per statement, max_batches statements
 * in flight, and optionally wait_ms to gather more before writing.
 *
 * Exactly once: the database keys responses by submission id; a replay with
 * the same content is reported as such (the parent gets the same receipt), a
 * reuse with other content as a conflict.  A batch that fails as a whole is
 * retried row by row, so one bad row cannot sink its neighbours.  A caller
 * is told COMMIT_STORED or COMMIT_REPLAY only after the transaction
 * committed.
 */
#ifndef HAILONG_COMMITTER_H
#define HAILONG_COMMITTER_H

#include <stdbool.h>
#include <stdint.h>

#include "db_pool.h"

struct event_base;

typedef enum CommitOutcome {
	COMMIT_STORED,      /* newly stored */
	COMMIT_REPLAY,      /* this id with this content was stored before */
	COMMIT_CONFLICT,    /* this id was stored before with other content */
	COMMIT_SLIP_USED,   /* the slip was used by another response */
	COMMIT_UNAVAILABLE, /* the database could not be reached in time: try again */
	COMMIT_ERROR,       /* the database refused the row */
} CommitOutcome;

typedef struct CommitItem {
	char submission_id[37]; /* UUID text */
	int64_t campaign_id;
	int64_t version_id;
	char hash_hex[65];
	char *answers_json; /* "[5,4,-1,0]", owned */
	char *texts_json;   /* "[\"…\",null]" or NULL, owned */
	const char *source; /* "qr", "slip" or "paper" (static) */
	char slip[16];      /* "" when not a slip */
	char receipt[16];
} CommitItem;

typedef void (*CommitCallback)(CommitOutcome outcome, void *arg);

typedef struct CommitterOptions {
	int batch_max;   /* rows per statement, >= 1 */
	int max_batches; /* statements in flight, >= 1 */
	int wait_ms;     /* extra time to gather a batch; 0: none */
	int timeout_ms;  /* a submission's deadline, its wait here included; 0: the
			  * pool's query deadline only (a wait behind busy batches is
			  * then unbounded) */
} CommitterOptions;

typedef struct CommitterStats {
	unsigned long long batches, rows, stored, replays, conflicts, slip_used, unavailable,
		errors, split_batches, expired;
	int pending, in_flight;
} CommitterStats;

typedef struct Committer Committer;
typedef struct CommitTicket CommitTicket;

/* The committer writes through pool.  Returns NULL when memory runs out. */
Committer *committer_new(struct event_base *base, DbPool *pool, const CommitterOptions *opts);

/* Fails every waiting submission with COMMIT_UNAVAILABLE and frees the
 * committer.  Rows already sent to the database finish there; their callers
 * are told COMMIT_UNAVAILABLE (they resend; the resend is a replay).  Call
 * before db_pool_free.  NULL-safe. */
void committer_free(Committer *c);

/* Queues item (taken over, freed by the committer).  cb runs exactly once,
 * later, from the loop (never inside this call), unless the ticket is
 * cancelled.  With opts.timeout_ms set, cb runs within that time: a row still
 * waiting for its batch near the deadline (250 ms, or a quarter of
 * timeout_ms if less) is never sent and gets COMMIT_UNAVAILABLE, and a batch
 * is sent with the deadline of its earliest row as the query's deadline; the
 * statement rolls back rather than commit after that deadline (sql/014).  Returns NULL only when memory runs out (cb is then not
 * called, item is freed). */
CommitTicket *committer_submit(Committer *c, CommitItem *item, CommitCallback cb, void *arg);

/* The caller lost interest (its client went away).  The row is still written
 * if it was already sent; cb is not called.  NULL-safe. */
void committer_cancel(CommitTicket *ticket);

void committer_stats(const Committer *c, CommitterStats *out);

struct MetricsShard;
/* From now on every batch sent is counted into shard (borrowed; must
 * outlive the committer; NULL: stop). */
void committer_set_metrics(Committer *c, struct MetricsShard *shard);

/* Frees an item not handed to committer_submit.  NULL-safe. */
void commit_item_free(CommitItem *item);

#endif
