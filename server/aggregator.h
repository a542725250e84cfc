/*
 * aggregator: the aggregation job inside the server.  Every interval it asks
 * PostgreSQL to count the responses stored since the last run into the
 * tallies (sql/008 hl_aggregate), in batches, at once again while a batch
 * comes back full.  The rules of exactly-once live in that function; this
 * only schedules it, through the pool, never blocking the loop.  Several
 * servers may run it: the database lets one count at a time.
 */
#ifndef HAILONG_AGGREGATOR_H
#define HAILONG_AGGREGATOR_H

#include "db_pool.h"

struct event_base;

typedef struct AggregatorStats {
	unsigned long long runs, counted, busy, failures;
} AggregatorStats;

typedef struct Aggregator Aggregator;

/* Starts the job: first run soon, then every interval_ms (> 0), batch
 * responses per statement.  NULL when memory runs out. */
Aggregator *aggregator_new(struct event_base *base, DbPool *pool, int interval_ms, int batch);

/* Stops the job (a run in flight finishes in the database; its result is
 * dropped).  Call before db_pool_free.  NULL-safe. */
void aggregator_free(Aggregator *aggregator);

void aggregator_stats(const Aggregator *aggregator, AggregatorStats *out);

#endif
