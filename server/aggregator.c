#include "aggregator.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "log.h"
#include "report_snapshot.h"
#include "sql_text.h"
#include "tally_job.h"
#include "util.h"

/* After a failure the next attempt waits this long, doubling up to the
 * maximum: a database that is down is not hammered, one that is back is
 * used again soon. */
enum { BACKOFF_MIN_MS = 250, BACKOFF_MAX_MS = 10000 };

struct Aggregator {
	/* Set before the thread starts, read-only afterwards. */
	char *conninfo;
	int interval_ms, batch, connect_timeout_s, statement_timeout_ms;
	int privacy_threshold; /* k of the published documents */
	pthread_t thread;
	/* Shared with the thread: under lock. */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	PGcancel *cancel; /* of the thread's connection, while it has one */
	AggregatorStats stats;
};

/* Waits ms or until stopping; false when stopping. */
static bool sleep_unless_stopping(Aggregator *a, int ms)
{
	struct timespec until;
	bool stopping;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&a->lock);
	while (!a->stopping && pthread_cond_timedwait(&a->wake, &a->lock, &until) == 0)
		; /* woken early (by stop, or spuriously): look again */
	stopping = a->stopping;
	pthread_mutex_unlock(&a->lock);
	return !stopping;
}

static PGconn *open_connection(Aggregator *a, char **err)
{
	char timeout[32], options[64];
	const char *const keys[] = {"dbname", "connect_timeout", "application_name", "options", NULL};
	const char *vals[] = {a->conninfo, timeout, "hailong-aggregator", options, NULL};
	PGconn *conn;
	PGcancel *cancel;

	snprintf(timeout, sizeof timeout, "%d", a->connect_timeout_s);
	/* The server stops a statement we no longer wait for. */
	snprintf(options, sizeof options, "-c statement_timeout=%d", a->statement_timeout_ms);
	conn = PQconnectdbParams(keys, vals, 1);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		*err = str_oneline("cannot connect to the database: %s",
				   conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		return NULL;
	}
	PQclear(PQexec(conn, "SET client_min_messages = warning"));
	cancel = PQgetCancel(conn);
	pthread_mutex_lock(&a->lock);
	a->cancel = cancel;
	pthread_mutex_unlock(&a->lock);
	return conn;
}

static void close_connection(Aggregator *a, PGconn *conn)
{
	PGcancel *cancel;

	pthread_mutex_lock(&a->lock);
	cancel = a->cancel;
	a->cancel = NULL;
	pthread_mutex_unlock(&a->lock);
	PQfreeCancel(cancel);
	PQfinish(conn);
}

/* After a run that left the queue empty: freezes the published results of
 * the rounds that closed and are now counted (report_snapshot.c).  True
 * when more may be due at once. */
static bool publish(Aggregator *a, PGconn *conn)
{
	char *err = NULL;
	int taken = 0;
	bool stopping;

	if (!report_snapshot_take(conn, a->privacy_threshold, REPORT_SNAPSHOT_BATCH, &taken,
				  &err)) {
		pthread_mutex_lock(&a->lock);
		stopping = a->stopping; /* a cancelled statement is no failure */
		pthread_mutex_unlock(&a->lock);
		if (!stopping)
			log_warn("published results not taken: %s", err ? err : "out of memory");
	} else if (taken > 0) {
		log_info("published results frozen for %d closed rounds", taken);
	}
	free(err);
	return taken >= REPORT_SNAPSHOT_BATCH;
}

static double wall_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* After a run: how many responses still wait, and since when.  A failure
 * only leaves the last measurement in place (the next run tries again). */
static void measure_lag(Aggregator *a, PGconn *conn)
{
	PGresult *res = PQexec(conn, SQL_AGGREGATION_LAG);

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		pthread_mutex_lock(&a->lock);
		a->stats.lag_responses = atoll(PQgetvalue(res, 0, 0));
		a->stats.lag_oldest_age =
			PQgetisnull(res, 0, 1) ? -1 : atof(PQgetvalue(res, 0, 1));
		a->stats.lag_measured_at = wall_now();
		pthread_mutex_unlock(&a->lock);
	}
	PQclear(res);
}

double aggregator_lag_seconds(const AggregatorStats *st, double now)
{
	double best = -1;

	if (st->lag_responses < 0)
		return -1;
	if (st->lag_responses == 0)
		return 0;
	if (st->caught_up_at > 0)
		best = now - st->caught_up_at;
	if (st->lag_oldest_age >= 0) {
		double by_minute = st->lag_oldest_age + (now - st->lag_measured_at);
		if (best < 0 || by_minute < best)
			best = by_minute;
	}
	return best < 0 ? 0 : best;
}

static void *job_thread(void *arg)
{
	Aggregator *a = arg;
	PGconn *conn = NULL;
	/* Not at once: the first requests of a fresh start come first. */
	int delay = a->interval_ms < 1000 ? a->interval_ms : 1000;
	int backoff = BACKOFF_MIN_MS;

	while (sleep_unless_stopping(a, delay)) {
		TallyRun run;
		char *err = NULL;
		bool ok;
		double started = wall_now();

		if (!conn)
			conn = open_connection(a, &err);
		ok = conn && tally_job_run(conn, NULL, a->batch, &run, &err);
		pthread_mutex_lock(&a->lock);
		a->stats.runs++;
		if (!ok)
			a->stats.failures++;
		else if (run.busy)
			a->stats.busy++;
		else
			a->stats.counted += (unsigned long long)run.counted;
		if (ok && !run.busy && !run.full)
			a->stats.caught_up_at = started; /* it took all that was queued */
		a->stats.last_run = wall_now();
		ok = ok || a->stopping; /* a cancelled run is no failure */
		pthread_mutex_unlock(&a->lock);
		if (!ok) {
			log_warn("aggregation failed, next try in %d ms: %s", backoff,
				 err ? err : "out of memory");
			free(err);
			if (conn && PQstatus(conn) != CONNECTION_OK) {
				close_connection(a, conn);
				conn = NULL;
			}
			delay = backoff;
			backoff = backoff * 2 < BACKOFF_MAX_MS ? backoff * 2 : BACKOFF_MAX_MS;
			continue;
		}
		free(err);
		backoff = BACKOFF_MIN_MS;
		if (conn)
			measure_lag(a, conn);
		if (conn && !run.busy && run.counted > 0)
			log_info("aggregation: %lld responses counted", run.counted);
		/* Another instance counting will catch up for everyone. */
		delay = conn && !run.busy && run.full ? 0 : a->interval_ms;
		/* Snapshots wait for a run that was not full: only then can a
		 * round's responses all be counted, and the check is cheap. */
		if (conn && !run.busy && !run.full && publish(a, conn))
			delay = 0;
	}
	if (conn)
		close_connection(a, conn);
	return NULL;
}

Aggregator *aggregator_new(const char *conninfo, int interval_ms, int batch,
			   int connect_timeout_ms, int statement_timeout_ms, int privacy_threshold)
{
	Aggregator *a = calloc(1, sizeof *a);
	pthread_condattr_t attr;
	bool cond_made = false;

	if (!a)
		return NULL;
	a->conninfo = strdup(conninfo);
	a->interval_ms = interval_ms;
	a->batch = batch;
	a->connect_timeout_s = connect_timeout_ms < 2000 ? 2 : (connect_timeout_ms + 999) / 1000;
	a->statement_timeout_ms = statement_timeout_ms;
	a->privacy_threshold = privacy_threshold;
	a->stats.lag_responses = -1;
	if (!a->conninfo || pthread_mutex_init(&a->lock, NULL) != 0) {
		free(a->conninfo);
		free(a);
		return NULL;
	}
	/* Timed waits on the monotonic clock: a clock change moves no run. */
	if (pthread_condattr_init(&attr) == 0) {
		cond_made = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
			    pthread_cond_init(&a->wake, &attr) == 0;
		pthread_condattr_destroy(&attr);
	}
	if (!cond_made)
		goto fail;
	if (pthread_create(&a->thread, NULL, job_thread, a) != 0) {
		pthread_cond_destroy(&a->wake);
		goto fail;
	}
	return a;
fail:
	pthread_mutex_destroy(&a->lock);
	free(a->conninfo);
	free(a);
	return NULL;
}

void aggregator_free(Aggregator *a)
{
	char errbuf[256];

	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stopping = true;
	/* A run in flight stops at its current statement and rolls back. */
	if (a->cancel)
		(void)PQcancel(a->cancel, errbuf, sizeof errbuf);
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	pthread_cond_destroy(&a->wake);
	pthread_mutex_destroy(&a->lock);
	free(a->conninfo);
	free(a);
}

void aggregator_stats(Aggregator *a, AggregatorStats *out)
{
	pthread_mutex_lock(&a->lock);
	*out = a->stats;
	pthread_mutex_unlock(&a->lock);
}
