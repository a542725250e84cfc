#include "aggregator.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "sql_text.h"

struct Aggregator {
	DbPool *pool;
	struct event *timer;
	DbJob *job;
	int interval_ms, batch;
	char batch_text[16];
	AggregatorStats stats;
};

static void schedule(Aggregator *a, int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

	evtimer_add(a->timer, &tv);
}

static void ran(const DbResult *result, void *arg)
{
	Aggregator *a = arg;
	long counted;

	a->job = NULL;
	a->stats.runs++;
	if (result->status != DB_OK || PQntuples(result->res) != 1) {
		a->stats.failures++;
		log_warn("aggregation: database %s: %s", db_status_name(result->status),
			 result->message);
		schedule(a, a->interval_ms);
		return;
	}
	counted = atol(PQgetvalue(result->res, 0, 0));
	if (counted < 0) {
		/* Another server is counting: it will catch up for everyone. */
		a->stats.busy++;
		schedule(a, a->interval_ms);
		return;
	}
	a->stats.counted += (unsigned long long)counted;
	if (counted > 0)
		log_info("aggregation: %ld responses counted", counted);
	schedule(a, counted == a->batch ? 0 : a->interval_ms);
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
	Aggregator *a = arg;
	const char *params[1] = {a->batch_text};
	DbQuery q = {.sql = SQL_AGGREGATE, .nparams = 1, .values = params};
	DbStatus refused;

	(void)fd;
	(void)what;
	a->job = db_submit(a->pool, &q, ran, a, &refused);
	if (!a->job) {
		/* The pool is full of parents' work: they come first. */
		a->stats.busy++;
		schedule(a, a->interval_ms);
	}
}

Aggregator *aggregator_new(struct event_base *base, DbPool *pool, int interval_ms, int batch)
{
	Aggregator *a = calloc(1, sizeof *a);

	if (!a)
		return NULL;
	a->pool = pool;
	a->interval_ms = interval_ms;
	a->batch = batch;
	snprintf(a->batch_text, sizeof a->batch_text, "%d", batch);
	a->timer = evtimer_new(base, tick, a);
	if (!a->timer) {
		free(a);
		return NULL;
	}
	/* Not at once: the first requests of a fresh start get the pool. */
	schedule(a, interval_ms < 1000 ? interval_ms : 1000);
	return a;
}

void aggregator_free(Aggregator *a)
{
	if (!a)
		return;
	db_job_cancel(a->job);
	event_free(a->timer);
	free(a);
}

void aggregator_stats(const Aggregator *a, AggregatorStats *out)
{
	*out = a->stats;
}
