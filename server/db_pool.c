#include "db_pool.h"

#include <event2/event.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "log.h"
#include "metrics.h"
#include "util.h"

enum {
	BACKOFF_MIN_MS = 50,
	BACKOFF_MAX_MS = 2000,
	/* A budget job with less time left is not sent: its answer could not
	 * come back before the deadline, and SQL told "0 ms" cannot commit. */
	BUDGET_MIN_MS = 100,
};

typedef enum ConnState {
	CONN_DOWN,       /* no PGconn; a retry timer may be pending */
	CONN_CONNECTING, /* PQconnectPoll in progress */
	CONN_IDLE,       /* connected, watching the socket for a server-side close */
	CONN_BUSY,       /* running conn->job */
} ConnState;

typedef struct DbConn DbConn;

struct DbJob {
	DbPool *pool;
	DbConn *conn; /* set while running */
	DbCallback cb;
	void *arg;
	bool cancelled;
	const char *sql;
	int nparams;
	char **values; /* each a malloc'd copy, NULL for SQL NULL */
	int *lengths;
	int *formats;
	int result_format;
	struct event *deadline;
	int64_t deadline_ms; /* monotonic, for budget_param */
	int64_t queued_us;   /* monotonic, when submitted: for the wait metric */
	int budget_param;    /* 1-based, 0: none */
	bool finishing_later;   /* on pool->finished, waiting for its callback */
	DbStatus later_status;
	char *later_message;
	TAILQ_ENTRY(DbJob) link; /* in pool->queue or pool->finished */
};

TAILQ_HEAD(JobQueue, DbJob);

struct DbConn {
	DbPool *pool;
	int index;
	ConnState state;
	PGconn *pg;
	struct event *io;    /* socket readiness, re-assigned as the socket may change */
	struct event *retry; /* backoff timer while CONN_DOWN */
	int backoff_ms;
	struct timeval connect_deadline;
	DbJob *job;
	PGresult *result;   /* latest result of job */
	PGresult *error;    /* first error result of job, kept over later ones */
	bool want_write;
};

struct DbPool {
	struct event_base *base;
	DbPoolOptions opts;
	const char **keys; /* connection keywords and values, owned */
	const char **vals;
	int nkeys;
	DbConn *conns;
	struct JobQueue queue;
	int queued;
	int connected;
	bool reported_down; /* an outage is logged once, and its end once */
	bool freeing;
	/* While db_submit runs, failures are not reported at once: a callback
	 * must never run inside the db_submit call that created its job (the
	 * caller has not even seen the job pointer yet).  They wait here for
	 * finished_ev, at the next turn of the loop. */
	int submitting;
	struct JobQueue finished;
	struct event *finished_ev;
	DbPoolStats counters;
	MetricsShard *metrics; /* borrowed; NULL: none */
};

static void conn_io_cb(evutil_socket_t fd, short what, void *arg);
static void conn_start(DbConn *conn);
static void conn_drop(DbConn *conn, const char *why, bool retry_now);
static void pool_dispatch(DbPool *pool);

const char *db_status_name(DbStatus status)
{
	switch (status) {
	case DB_OK:
		return "ok";
	case DB_ERR_QUEUE_FULL:
		return "queue_full";
	case DB_ERR_TIMEOUT:
		return "timeout";
	case DB_ERR_UNAVAILABLE:
		return "unavailable";
	case DB_ERR_QUERY:
		return "query_error";
	case DB_ERR_SHUTDOWN:
		return "shutdown";
	}
	return "unknown";
}

/* ---- jobs --------------------------------------------------------------- */

static void job_free(DbJob *job)
{
	if (!job)
		return;
	if (job->deadline)
		event_free(job->deadline);
	free(job->later_message);
	for (int i = 0; i < job->nparams; i++)
		free(job->values ? job->values[i] : NULL);
	free(job->values);
	free(job->lengths);
	free(job->formats);
	free(job);
}

/* Runs the job's callback (unless cancelled) and frees the job.  The job
 * must already be out of the queue and off its connection. */
static void job_finish(DbJob *job, DbStatus status, const PGresult *res, const char *message)
{
	DbPool *pool = job->pool;
	DbResult result = {.status = status, .res = res, .message = message ? message : ""};

	if (pool->submitting > 0 && !res) {
		job->finishing_later = true;
		job->later_status = status;
		job->later_message = strdup(result.message);
		event_del(job->deadline);
		TAILQ_INSERT_TAIL(&pool->finished, job, link);
		event_active(pool->finished_ev, EV_TIMEOUT, 0);
		return;
	}

	if (status == DB_OK)
		pool->counters.completed++;
	else
		pool->counters.failed++;
	if (status == DB_ERR_TIMEOUT)
		pool->counters.timeouts++;
	if (status == DB_ERR_QUERY && res)
		result.sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (!job->cancelled && job->cb)
		job->cb(&result, job->arg);
	job_free(job);
}

static void finished_cb(evutil_socket_t fd, short what, void *arg)
{
	DbPool *pool = arg;

	(void)fd;
	(void)what;
	while (!TAILQ_EMPTY(&pool->finished)) {
		DbJob *job = TAILQ_FIRST(&pool->finished);
		char *message = job->later_message;
		TAILQ_REMOVE(&pool->finished, job, link);
		job->finishing_later = false;
		job->later_message = NULL;
		job_finish(job, job->later_status, NULL, message ? message : "out of memory");
		free(message);
	}
}

static void queue_remove(DbPool *pool, DbJob *job)
{
	TAILQ_REMOVE(&pool->queue, job, link);
	pool->queued--;
}

static void job_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	DbJob *job = arg;
	DbConn *conn = job->conn;

	(void)fd;
	(void)what;
	if (!conn) {
		queue_remove(job->pool, job);
		job_finish(job, DB_ERR_TIMEOUT, NULL, "deadline passed while waiting for a connection");
		return;
	}
	/* Running: nothing cancels a libpq 15 query without blocking, so the
	 * connection goes; the server's statement_timeout stops the query. */
	conn->job = NULL;
	job->conn = NULL;
	conn_drop(conn, "query deadline passed", true);
	job_finish(job, DB_ERR_TIMEOUT, NULL, "deadline passed while the query ran");
}

static DbJob *submit(DbPool *pool, const DbQuery *query, DbCallback cb, void *arg,
		     DbStatus *refused);

/* Writes the time left before the job's deadline into its budget parameter:
 * measured now, as the statement leaves, not at submit (the job may have
 * waited for a connection).  False when memory runs out. */
static bool job_fill_budget(DbJob *job)
{
	char text[24];
	int64_t left = job->deadline_ms - monotonic_ms();
	int i = job->budget_param - 1;
	char *copy;

	snprintf(text, sizeof text, "%lld", (long long)(left < 0 ? 0 : left));
	copy = strdup(text);
	if (!copy)
		return false;
	free(job->values[i]);
	job->values[i] = copy;
	job->lengths[i] = (int)strlen(copy);
	job->formats[i] = 0;
	return true;
}

DbJob *db_submit(DbPool *pool, const DbQuery *query, DbCallback cb, void *arg,
		 DbStatus *refused)
{
	DbJob *job;

	pool->submitting++;
	job = submit(pool, query, cb, arg, refused);
	pool->submitting--;
	return job;
}

static DbJob *submit(DbPool *pool, const DbQuery *query, DbCallback cb, void *arg,
		     DbStatus *refused)
{
	DbJob *job;
	struct timeval tv;
	int timeout_ms = query->timeout_ms > 0 ? query->timeout_ms : pool->opts.query_timeout_ms;

	if (refused)
		*refused = DB_OK;
	if (pool->freeing) {
		if (refused)
			*refused = DB_ERR_SHUTDOWN;
		return NULL;
	}
	if (pool->queued >= pool->opts.queue_max) {
		bool idle = false;
		for (int i = 0; i < pool->opts.size && !idle; i++)
			idle = pool->conns[i].state == CONN_IDLE;
		if (!idle) {
			pool->counters.refused++;
			if (refused)
				*refused = DB_ERR_QUEUE_FULL;
			return NULL;
		}
	}
	job = calloc(1, sizeof *job);
	if (!job)
		goto oom;
	job->pool = pool;
	job->cb = cb;
	job->arg = arg;
	job->sql = query->sql;
	job->nparams = query->nparams;
	job->result_format = query->result_format;
	if (query->budget_param > 0 && query->budget_param <= query->nparams)
		job->budget_param = query->budget_param;
	job->deadline_ms = monotonic_ms() + timeout_ms;
	job->queued_us = monotonic_us();
	if (query->nparams > 0) {
		job->values = calloc((size_t)query->nparams, sizeof *job->values);
		job->lengths = calloc((size_t)query->nparams, sizeof *job->lengths);
		job->formats = calloc((size_t)query->nparams, sizeof *job->formats);
		if (!job->values || !job->lengths || !job->formats)
			goto oom;
		for (int i = 0; i < query->nparams; i++) {
			const char *v = query->values[i];
			int binary = query->formats ? query->formats[i] : 0;
			size_t len;
			if (!v)
				continue;
			len = binary ? (size_t)query->lengths[i] : strlen(v);
			job->values[i] = malloc(len + 1);
			if (!job->values[i])
				goto oom;
			memcpy(job->values[i], v, len);
			job->values[i][len] = '\0';
			job->lengths[i] = (int)len;
			job->formats[i] = binary;
		}
	}
	job->deadline = evtimer_new(pool->base, job_deadline_cb, job);
	if (!job->deadline)
		goto oom;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(job->deadline, &tv);
	TAILQ_INSERT_TAIL(&pool->queue, job, link);
	pool->queued++;
	/* With no connection up, try one now rather than at the end of a backoff:
	 * the job then fails fast or runs as soon as the server is back. */
	if (pool->connected == 0) {
		bool connecting = false;
		for (int i = 0; i < pool->opts.size && !connecting; i++)
			connecting = pool->conns[i].state == CONN_CONNECTING;
		if (!connecting && pool->opts.size > 0) {
			DbConn *conn = &pool->conns[0];
			event_del(conn->retry);
			conn_start(conn);
		}
	}
	pool_dispatch(pool);
	return job;
oom:
	log_error("out of memory submitting a database query");
	job_free(job);
	pool->counters.refused++;
	if (refused)
		*refused = DB_ERR_UNAVAILABLE;
	return NULL;
}

void db_job_cancel(DbJob *job)
{
	if (!job)
		return;
	if (job->conn) {
		/* Let the statement finish so the connection stays in step. */
		job->cancelled = true;
		return;
	}
	if (job->finishing_later) {
		TAILQ_REMOVE(&job->pool->finished, job, link);
		job_free(job);
		return;
	}
	queue_remove(job->pool, job);
	job->cancelled = true;
	job_free(job);
}

/* ---- connections -------------------------------------------------------- */

static void notice_receiver(void *arg, const PGresult *res)
{
	(void)arg;
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	log_msg(LOG_DEBUG, NULL, "postgres %s: %s", severity ? severity : "notice",
		msg ? msg : "");
}

/* Waits for the socket to become readable (and writable when asked), with
 * an optional absolute deadline. */
static void conn_wait(DbConn *conn, short what, const struct timeval *deadline)
{
	evutil_socket_t fd = PQsocket(conn->pg);
	struct timeval now, left;

	event_del(conn->io);
	event_assign(conn->io, conn->pool->base, fd, what, conn_io_cb, conn);
	if (deadline) {
		evutil_gettimeofday(&now, NULL);
		if (evutil_timercmp(deadline, &now, <))
			evutil_timerclear(&left);
		else
			evutil_timersub(deadline, &now, &left);
		event_add(conn->io, &left);
	} else {
		event_add(conn->io, NULL);
	}
}

static void conn_schedule_retry(DbConn *conn)
{
	struct timeval tv;
	int delay = conn->backoff_ms;

	/* Jitter spreads reconnects of many pools after a server restart. */
	delay += (int)(((unsigned)rand() % 100) * (unsigned)delay / 400);
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	conn->backoff_ms = conn->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
								 : conn->backoff_ms * 2;
	evtimer_add(conn->retry, &tv);
}

/* With nothing connected and nothing trying, waiting jobs cannot run soon:
 * fail them now with the reason instead of letting each hit its deadline. */
static void pool_fail_waiting(DbPool *pool, const char *why)
{
	for (int i = 0; i < pool->opts.size; i++)
		if (pool->conns[i].state == CONN_CONNECTING || pool->conns[i].state >= CONN_IDLE)
			return;
	while (!TAILQ_EMPTY(&pool->queue)) {
		DbJob *job = TAILQ_FIRST(&pool->queue);
		queue_remove(pool, job);
		job_finish(job, DB_ERR_UNAVAILABLE, NULL, why);
	}
}

static void conn_clear_results(DbConn *conn)
{
	PQclear(conn->result);
	PQclear(conn->error);
	conn->result = NULL;
	conn->error = NULL;
}

/* Closes the connection.  retry_now asks for an immediate new attempt
 * (after a deadline drop), otherwise the backoff applies. */
static void conn_drop(DbConn *conn, const char *why_text, bool retry_now)
{
	DbPool *pool = conn->pool;
	DbJob *job = conn->job;
	bool was_connected = conn->state >= CONN_IDLE;
	char why[512];

	/* why_text often lives in the PGconn about to be finished: copy it. */
	snprintf(why, sizeof why, "%s", why_text && *why_text ? why_text : "connection lost");
	for (char *p = why; *p; p++)
		if (*p == '\n')
			*p = ' ';

	/* Events go before the socket they watch (libevent issue #503). */
	event_del(conn->io);
	conn_clear_results(conn);
	if (conn->pg) {
		PQfinish(conn->pg);
		conn->pg = NULL;
	}
	conn->state = CONN_DOWN;
	conn->job = NULL;
	if (was_connected) {
		pool->connected--;
		if (pool->connected == 0 && !pool->reported_down && !pool->freeing) {
			log_warn("database connection lost: %s", why);
			pool->reported_down = true;
		}
	}
	if (job) {
		job->conn = NULL;
		/* The statement may or may not have committed: report, never retry. */
		job_finish(job, DB_ERR_UNAVAILABLE, NULL, why);
	}
	if (pool->freeing)
		return;
	if (retry_now) {
		conn->backoff_ms = BACKOFF_MIN_MS;
		conn_start(conn);
	} else {
		conn_schedule_retry(conn);
	}
	pool_fail_waiting(pool, why);
}

static void conn_connect_failed(DbConn *conn, const char *why)
{
	DbPool *pool = conn->pool;
	char msg[512];
	size_t len;

	snprintf(msg, sizeof msg, "%s", why && *why ? why : "connection failed");
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	event_del(conn->io);
	if (conn->pg) {
		PQfinish(conn->pg);
		conn->pg = NULL;
	}
	conn->state = CONN_DOWN;
	if (!pool->reported_down && pool->connected == 0) {
		log_msg(LOG_WARN, NULL, "database connection failed: %s", msg);
		pool->reported_down = true;
	} else {
		log_msg(LOG_DEBUG, NULL, "database connection failed: %s", msg);
	}
	if (pool->freeing)
		return;
	conn_schedule_retry(conn);
	pool_fail_waiting(pool, msg);
}

static void conn_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_start(arg);
}

static void conn_start(DbConn *conn)
{
	DbPool *pool = conn->pool;
	struct timeval now, span;

	if (conn->state != CONN_DOWN)
		return;
	conn->pg = PQconnectStartParams(pool->keys, pool->vals, 0);
	if (!conn->pg) {
		conn_connect_failed(conn, "out of memory");
		return;
	}
	if (PQstatus(conn->pg) == CONNECTION_BAD) {
		conn_connect_failed(conn, PQerrorMessage(conn->pg));
		return;
	}
	if (PQsetnonblocking(conn->pg, 1) != 0) {
		conn_connect_failed(conn, PQerrorMessage(conn->pg));
		return;
	}
	PQsetNoticeReceiver(conn->pg, notice_receiver, NULL);
	conn->state = CONN_CONNECTING;
	evutil_gettimeofday(&now, NULL);
	span.tv_sec = pool->opts.connect_timeout_ms / 1000;
	span.tv_usec = (pool->opts.connect_timeout_ms % 1000) * 1000;
	evutil_timeradd(&now, &span, &conn->connect_deadline);
	/* libpq's own documentation: wait for write-ready before the first poll. */
	conn_wait(conn, EV_WRITE, &conn->connect_deadline);
}

static void conn_became_ready(DbConn *conn)
{
	DbPool *pool = conn->pool;

	conn->state = CONN_IDLE;
	conn->backoff_ms = BACKOFF_MIN_MS;
	pool->connected++;
	if (pool->connected == 1) {
		log_info("database connection ready%s", pool->reported_down ? " again" : "");
		pool->reported_down = false;
	}
	/* The other slots may be sleeping in backoff after an outage: wake them. */
	for (int i = 0; i < pool->opts.size; i++) {
		DbConn *other = &pool->conns[i];
		if (other->state == CONN_DOWN && event_pending(other->retry, EV_TIMEOUT, NULL)) {
			event_del(other->retry);
			conn_start(other);
		}
	}
	pool_dispatch(pool);
}

static void conn_watch_idle(DbConn *conn)
{
	conn_wait(conn, EV_READ, NULL);
}

static void conn_poll_connect(DbConn *conn, short what)
{
	PostgresPollingStatusType st;

	if (what & EV_TIMEOUT) {
		conn_connect_failed(conn, "timed out while connecting");
		return;
	}
	st = PQconnectPoll(conn->pg);
	switch (st) {
	case PGRES_POLLING_READING:
		conn_wait(conn, EV_READ, &conn->connect_deadline);
		break;
	case PGRES_POLLING_WRITING:
		conn_wait(conn, EV_WRITE, &conn->connect_deadline);
		break;
	case PGRES_POLLING_OK:
		conn_became_ready(conn);
		break;
	default:
		conn_connect_failed(conn, PQerrorMessage(conn->pg));
		break;
	}
}

/* Sends job on an idle connection.  Returns false when the connection
 * turned out to be broken before anything was sent (the job is then still
 * the caller's, to queue again). */
static bool conn_send(DbConn *conn, DbJob *job)
{
	int rc;

	if (PQstatus(conn->pg) != CONNECTION_OK)
		return false;
	if (job->budget_param && !job_fill_budget(job))
		return false;
	if (!PQsendQueryParams(conn->pg, job->sql, job->nparams, NULL,
			       (const char *const *)job->values, job->lengths, job->formats,
			       job->result_format))
		return false;
	conn->state = CONN_BUSY;
	conn->job = job;
	job->conn = conn;
	rc = PQflush(conn->pg);
	if (rc < 0) {
		conn_drop(conn, PQerrorMessage(conn->pg), false);
		return true;
	}
	conn->want_write = rc == 1;
	conn_wait(conn, conn->want_write ? EV_READ | EV_WRITE : EV_READ, NULL);
	return true;
}

static void pool_dispatch(DbPool *pool)
{
	for (int i = 0; i < pool->opts.size && !TAILQ_EMPTY(&pool->queue); i++) {
		DbConn *conn = &pool->conns[i];
		DbJob *job;

		if (conn->state != CONN_IDLE)
			continue;
		job = TAILQ_FIRST(&pool->queue);
		queue_remove(pool, job);
		if (job->budget_param && job->deadline_ms - monotonic_ms() < BUDGET_MIN_MS) {
			/* Never sent, so surely not done: the caller may say so. */
			job_finish(job, DB_ERR_TIMEOUT, NULL,
				   "deadline too close to send the query");
			/* The callback may have changed the pool: start over. */
			i = -1;
			continue;
		}
		if (conn_send(conn, job)) {
			metrics_pool_wait(pool->metrics, (uint64_t)(monotonic_us() - job->queued_us));
		} else {
			/* Nothing reached the server: safe to give the job to another. */
			TAILQ_INSERT_HEAD(&pool->queue, job, link);
			pool->queued++;
			conn_drop(conn, PQerrorMessage(conn->pg), true);
			/* conn_drop may have failed the queue; start over from the top. */
			i = -1;
		}
	}
}

/* The job's results are all in: hand them over and make the connection idle. */
static void conn_job_done(DbConn *conn)
{
	DbJob *job = conn->job;
	PGresult *result = conn->result, *error = conn->error;
	DbPool *pool = conn->pool;

	conn->job = NULL;
	conn->result = conn->error = NULL;
	job->conn = NULL;
	event_del(job->deadline);
	if (PQtransactionStatus(conn->pg) != PQTRANS_IDLE) {
		/* A statement left a transaction open: never hand that state on. */
		conn_drop(conn, "a statement left a transaction open", true);
	} else {
		conn->state = CONN_IDLE;
		conn_watch_idle(conn);
	}
	if (error)
		job_finish(job, DB_ERR_QUERY, error, PQresultErrorMessage(error));
	else if (result)
		job_finish(job, DB_OK, result, NULL);
	else
		job_finish(job, DB_ERR_QUERY, NULL, "the server sent no result");
	PQclear(result);
	PQclear(error);
	pool_dispatch(pool);
}

static void conn_read_results(DbConn *conn)
{
	if (!PQconsumeInput(conn->pg)) {
		conn_drop(conn, PQerrorMessage(conn->pg), false);
		return;
	}
	while (!PQisBusy(conn->pg)) {
		PGresult *res = PQgetResult(conn->pg);
		if (!res) {
			conn_job_done(conn);
			return;
		}
		switch (PQresultStatus(res)) {
		case PGRES_FATAL_ERROR:
		case PGRES_NONFATAL_ERROR:
		case PGRES_BAD_RESPONSE:
			if (!conn->error) {
				conn->error = res;
				break;
			}
			PQclear(res);
			break;
		default:
			PQclear(conn->result);
			conn->result = res;
			break;
		}
	}
	conn_wait(conn, conn->want_write ? EV_READ | EV_WRITE : EV_READ, NULL);
}

static void conn_io_cb(evutil_socket_t fd, short what, void *arg)
{
	DbConn *conn = arg;

	(void)fd;
	switch (conn->state) {
	case CONN_CONNECTING:
		conn_poll_connect(conn, what);
		return;
	case CONN_IDLE:
		/* Idle and readable: a notice, or the server closing on us. */
		if (!PQconsumeInput(conn->pg) || PQstatus(conn->pg) != CONNECTION_OK) {
			conn_drop(conn, PQerrorMessage(conn->pg), false);
			return;
		}
		{
			PGnotify *n;
			while ((n = PQnotifies(conn->pg)))
				PQfreemem(n);
		}
		conn_watch_idle(conn);
		return;
	case CONN_BUSY:
		if ((what & EV_WRITE) && conn->want_write) {
			int rc = PQflush(conn->pg);
			if (rc < 0) {
				conn_drop(conn, PQerrorMessage(conn->pg), false);
				return;
			}
			conn->want_write = rc == 1;
		}
		if (what & EV_READ) {
			conn_read_results(conn);
			return;
		}
		conn_wait(conn, conn->want_write ? EV_READ | EV_WRITE : EV_READ, NULL);
		return;
	case CONN_DOWN:
		return;
	}
}

/* ---- pool --------------------------------------------------------------- */

/* Builds the keyword/value arrays from conninfo plus our additions. */
static bool pool_set_conninfo(DbPool *pool, const char *conninfo, char **err)
{
	char *parse_err = NULL;
	PQconninfoOption *parsed = PQconninfoParse(conninfo, &parse_err), *o;
	int n = 0, i = 0;
	bool have_app = false;
	const char *user_options = NULL;
	char timeout_opt[160];

	if (!parsed) {
		size_t len;
		*err = strdup(parse_err ? parse_err : "invalid connection string");
		PQfreemem(parse_err);
		if (*err && (len = strlen(*err)) > 0 && (*err)[len - 1] == '\n')
			(*err)[len - 1] = '\0';
		return false;
	}
	for (o = parsed; o->keyword; o++)
		if (o->val)
			n++;
	pool->keys = calloc((size_t)n + 4, sizeof *pool->keys);
	pool->vals = calloc((size_t)n + 4, sizeof *pool->vals);
	if (!pool->keys || !pool->vals)
		goto oom;
	for (o = parsed; o->keyword; o++) {
		if (!o->val)
			continue;
		if (strcmp(o->keyword, "options") == 0) {
			user_options = o->val;
			continue;
		}
		if (strcmp(o->keyword, "application_name") == 0)
			have_app = true;
		pool->keys[i] = strdup(o->keyword);
		pool->vals[i] = strdup(o->val);
		if (!pool->keys[i] || !pool->vals[i])
			goto oom;
		i++;
	}
	if (!have_app) {
		pool->keys[i] = strdup("application_name");
		pool->vals[i] = strdup("hailong");
		if (!pool->keys[i] || !pool->vals[i])
			goto oom;
		i++;
	}
	/* synchronous_commit on whatever the database's default: a parent is
	 * thanked only for what is on disk.  A query whose deadline passes
	 * loses its connection (job_deadline_cb); client_connection_check_
	 * interval (PostgreSQL 14) has the backend notice within 250 ms, even
	 * while it waits for a lock, and roll back, so that a submission
	 * answered 503 is not stored a moment later behind the parent's back. */
	snprintf(timeout_opt, sizeof timeout_opt,
		 "-c statement_timeout=%d -c synchronous_commit=on "
		 "-c client_connection_check_interval=250",
		 pool->opts.query_timeout_ms);
	pool->keys[i] = strdup("options");
	if (user_options) {
		size_t len = strlen(user_options) + strlen(timeout_opt) + 2;
		char *both = malloc(len);
		if (both)
			snprintf(both, len, "%s %s", user_options, timeout_opt);
		pool->vals[i] = both;
	} else {
		pool->vals[i] = strdup(timeout_opt);
	}
	if (!pool->keys[i] || !pool->vals[i])
		goto oom;
	i++;
	pool->nkeys = i;
	PQconninfoFree(parsed);
	return true;
oom:
	PQconninfoFree(parsed);
	*err = strdup("out of memory");
	return false;
}

static void pool_release(DbPool *pool)
{
	if (!pool)
		return;
	if (pool->finished_ev)
		event_free(pool->finished_ev);
	if (pool->conns) {
		for (int i = 0; i < pool->opts.size; i++) {
			if (pool->conns[i].io)
				event_free(pool->conns[i].io);
			if (pool->conns[i].retry)
				event_free(pool->conns[i].retry);
			if (pool->conns[i].pg)
				PQfinish(pool->conns[i].pg);
		}
		free(pool->conns);
	}
	if (pool->keys)
		for (int i = 0; pool->keys[i]; i++)
			free((char *)pool->keys[i]);
	if (pool->vals)
		for (int i = 0; i < pool->nkeys + 4 && pool->vals[i]; i++)
			free((char *)pool->vals[i]);
	free(pool->keys);
	free(pool->vals);
	free(pool);
}

DbPool *db_pool_new(struct event_base *base, const char *conninfo, const DbPoolOptions *opts,
		    char **err)
{
	DbPool *pool = calloc(1, sizeof *pool);

	*err = NULL;
	if (!pool)
		goto oom;
	pool->base = base;
	pool->opts = *opts;
	if (pool->opts.size < 1)
		pool->opts.size = 1;
	TAILQ_INIT(&pool->queue);
	TAILQ_INIT(&pool->finished);
	if (!pool_set_conninfo(pool, conninfo, err))
		goto fail;
	pool->finished_ev = event_new(base, -1, 0, finished_cb, pool);
	if (!pool->finished_ev)
		goto oom;
	pool->conns = calloc((size_t)pool->opts.size, sizeof *pool->conns);
	if (!pool->conns)
		goto oom;
	for (int i = 0; i < pool->opts.size; i++) {
		DbConn *conn = &pool->conns[i];
		conn->pool = pool;
		conn->index = i;
		conn->backoff_ms = BACKOFF_MIN_MS;
		conn->io = event_new(base, -1, 0, conn_io_cb, conn);
		conn->retry = evtimer_new(base, conn_retry_cb, conn);
		if (!conn->io || !conn->retry)
			goto oom;
	}
	for (int i = 0; i < pool->opts.size; i++)
		conn_start(&pool->conns[i]);
	return pool;
oom:
	if (!*err)
		*err = strdup("out of memory");
fail:
	pool_release(pool);
	return NULL;
}

void db_pool_free(DbPool *pool)
{
	if (!pool)
		return;
	pool->freeing = true;
	finished_cb(-1, 0, pool);
	while (!TAILQ_EMPTY(&pool->queue)) {
		DbJob *job = TAILQ_FIRST(&pool->queue);
		queue_remove(pool, job);
		job_finish(job, DB_ERR_SHUTDOWN, NULL, "the server is shutting down");
	}
	for (int i = 0; i < pool->opts.size; i++) {
		DbConn *conn = &pool->conns[i];
		DbJob *job = conn->job;
		event_del(conn->io);
		event_del(conn->retry);
		conn_clear_results(conn);
		conn->job = NULL;
		if (job) {
			job->conn = NULL;
			job_finish(job, DB_ERR_SHUTDOWN, NULL, "the server is shutting down");
		}
	}
	pool_release(pool);
}

void db_pool_set_metrics(DbPool *pool, MetricsShard *shard)
{
	pool->metrics = shard;
}

void db_pool_stats(const DbPool *pool, DbPoolStats *stats)
{
	*stats = pool->counters;
	stats->size = pool->opts.size;
	stats->connected = pool->connected;
	stats->queued = pool->queued;
	stats->idle = stats->busy = 0;
	for (int i = 0; i < pool->opts.size; i++) {
		if (pool->conns[i].state == CONN_IDLE)
			stats->idle++;
		else if (pool->conns[i].state == CONN_BUSY)
			stats->busy++;
	}
}
