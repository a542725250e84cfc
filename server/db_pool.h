/*
 * db_pool: a fixed set of non-blocking libpq connections driven by one
 * libevent loop.  The loop never waits on the database: connects go through
 * PQconnectStartParams/PQconnectPoll, queries through PQsendQueryParams,
 * PQflush, PQconsumeInput and PQisBusy.
 *
 * A query (a DbJob) either runs at once on an idle connection or waits in a
 * bounded FIFO.  Every job has a deadline covering the wait and the run;
 * when it passes, the job's callback gets DB_ERR_TIMEOUT and, if the query
 * was running, its connection is dropped and reopened (libpq 15 has no
 * non-blocking cancel; statement_timeout makes the server give up too).
 * Lost connections are reopened with exponential backoff; while none is up,
 * waiting jobs fail at once with DB_ERR_UNAVAILABLE instead of hanging.
 *
 * Exactly one callback per accepted job, unless the job is cancelled first.
 * Only parameterised single statements are accepted: values never become
 * SQL text.
 */
#ifndef HAILONG_DB_POOL_H
#define HAILONG_DB_POOL_H

#include <libpq-fe.h>
#include <stdbool.h>

struct event_base;

typedef enum DbStatus {
	DB_OK = 0,
	DB_ERR_QUEUE_FULL,  /* refused at submit: too many jobs waiting */
	DB_ERR_TIMEOUT,     /* the deadline passed */
	DB_ERR_UNAVAILABLE, /* no connection could be had, or it broke mid-query */
	DB_ERR_QUERY,       /* the server answered with an error (sqlstate set) */
	DB_ERR_SHUTDOWN,    /* the pool is being freed */
} DbStatus;

typedef struct DbResult {
	DbStatus status;
	const PGresult *res;  /* DB_OK: the statement's result; DB_ERR_QUERY: the error result */
	const char *message;  /* for logs, never for users; "" when DB_OK */
	const char *sqlstate; /* DB_ERR_QUERY only, else NULL */
} DbResult;

/* Called once per job from the event loop.  result and everything it points
 * to belong to the pool and are freed when the callback returns.  The
 * callback may submit new jobs; it must not free the pool. */
typedef void (*DbCallback)(const DbResult *result, void *arg);

typedef struct DbQuery {
	const char *sql;            /* one statement with $1… placeholders */
	int nparams;
	const char *const *values;  /* NULL entry = SQL NULL; copied at submit */
	const int *lengths;         /* NULL for text parameters */
	const int *formats;         /* NULL for all-text */
	int result_format;          /* 0 text, 1 binary */
	int timeout_ms;             /* 0: the pool's default */
	int budget_param;           /* 1-based: this text parameter is set, as the
				     * statement is sent, to the milliseconds left
				     * before the job's deadline, so SQL can refuse
				     * to finish what nobody waits for; with less
				     * than 100 ms left the job is not sent and
				     * gets DB_ERR_TIMEOUT; 0: none */
} DbQuery;

typedef struct DbPoolOptions {
	int size;               /* connections, >= 1 */
	int queue_max;          /* waiting jobs before DB_ERR_QUEUE_FULL, >= 0 */
	int query_timeout_ms;   /* default job deadline */
	int connect_timeout_ms; /* deadline of one connection attempt */
} DbPoolOptions;

typedef struct DbPoolStats {
	int size, connected, idle, busy, queued;
	unsigned long long completed, failed, timeouts, refused;
} DbPoolStats;

typedef struct DbPool DbPool;
typedef struct DbJob DbJob;

/* Creates the pool and starts connecting in the background; returns at once.
 * conninfo is a libpq string or URI (checked here: on a bad one returns NULL
 * and sets *err to a malloc'd message the caller frees).  The pool adds
 * application_name=hailong unless set, and statement_timeout to the
 * connection options. */
DbPool *db_pool_new(struct event_base *base, const char *conninfo, const DbPoolOptions *opts,
		    char **err) __attribute__((warn_unused_result));

/* Fails every pending job with DB_ERR_SHUTDOWN (callbacks run), closes every
 * connection and frees the pool.  NULL-safe.  Not from inside a callback. */
void db_pool_free(DbPool *pool);

/* Submits a query.  Returns the job, which stays valid until its callback
 * has returned or db_job_cancel is called.  Returns NULL when the queue is
 * full (the callback is not called; *refused, if given, says why).  The SQL
 * text must be a string constant or otherwise outlive the job; parameter
 * values are copied. */
DbJob *db_submit(DbPool *pool, const DbQuery *query, DbCallback cb, void *arg,
		 DbStatus *refused);

/* Withdraws interest in a job: its callback will not be called, and the
 * caller must not use the pointer again.  A waiting job is dropped; a running
 * one finishes on its connection and its result is discarded.  NULL-safe. */
void db_job_cancel(DbJob *job);

/* Current counters. */
void db_pool_stats(const DbPool *pool, DbPoolStats *stats);

struct MetricsShard;
/* From now on, how long each job waited for a connection is observed into
 * shard (borrowed; must outlive the pool; NULL: stop). */
void db_pool_set_metrics(DbPool *pool, struct MetricsShard *shard);

/* A short English name of a status, for logs. */
const char *db_status_name(DbStatus status);

#endif
