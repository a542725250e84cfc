/*
 * aggregator: the aggregation job inside the server.  A thread of its own
 * with its own blocking connection runs tally_job_run (tally_job.c) every
 * interval, at once again while a run comes back full, so the event loop
 * never waits on counting.  After a run that was not full it also freezes
 * the published results of rounds that have closed and are all counted
 * (report_snapshot.c).  The rules of exactly-once live in the run's
 * transaction (sql/009); several servers may run the job: the database lets
 * one count at a time.
 *
 * The thread touches no libevent and no server state: only its own
 * connection and the Aggregator, whose shared fields sit under its mutex.
 * The Aggregator owns the thread, the connection and a copy of conninfo.
 */
#ifndef HAILONG_AGGREGATOR_H
#define HAILONG_AGGREGATOR_H

typedef struct AggregatorStats {
	unsigned long long runs, counted, busy, failures;
	double last_run;          /* Unix seconds when the last run ended; 0: none yet */
	/* Measured after each run (one cheap query on the job's connection,
	 * never on the event loop). */
	long long lag_responses;  /* stored, not yet counted; -1: not measured yet */
	double lag_measured_at;   /* Unix seconds of that measurement */
	double lag_oldest_age;    /* age then of the oldest of them, to the minute; < 0: none */
	double caught_up_at;      /* start of the last run that took all that was queued;
				   * everything stored before it is counted.  0: none */
} AggregatorStats;

/* The age in seconds, at Unix time now, of the oldest response not yet
 * counted, from stats: 0 when none were waiting at the last measurement,
 * otherwise the tighter of two upper bounds (time since the job last caught
 * up, the oldest queued response's minute); -1 when not measured. */
double aggregator_lag_seconds(const AggregatorStats *stats, double now);

typedef struct Aggregator Aggregator;

/* Starts the job: first run soon, then every interval_ms (> 0), batch
 * responses per run.  connect_timeout_ms bounds a connection attempt (libpq
 * counts whole seconds, at least 2), statement_timeout_ms one statement;
 * privacy_threshold is the k of the published documents.  NULL when memory
 * or threads run out. */
Aggregator *aggregator_new(const char *conninfo, int interval_ms, int batch,
			   int connect_timeout_ms, int statement_timeout_ms, int privacy_threshold);

/* Stops the job promptly: a run in flight is cancelled (its transaction
 * rolls back, nothing is lost), the thread joined.  NULL-safe. */
void aggregator_free(Aggregator *aggregator);

/* A consistent copy of the counters; safe from any thread. */
void aggregator_stats(Aggregator *aggregator, AggregatorStats *out);

#endif
