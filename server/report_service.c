#include "report_service.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "report_snapshot.h"
#include "workq.h"

enum { IDLE_MAX = 16 };

struct ReportService {
	WorkQueue *workers;
	char *conninfo;
	char connect_timeout[24];
	pthread_mutex_t lock;
	PGconn *idle[IDLE_MAX]; /* connections between tasks */
	int nidle;
};

static PGconn *take_connection(ReportService *s)
{
	static const char *const keys[] = {"dbname", "connect_timeout", "application_name",
					   "options", NULL};
	/* Reports may scan a province: more time than a parent's request, but
	 * never unbounded. */
	const char *values[] = {s->conninfo, s->connect_timeout, "hailong-report",
				"-c statement_timeout=60000 -c default_transaction_read_only=on", NULL};
	PGconn *conn = NULL;

	pthread_mutex_lock(&s->lock);
	if (s->nidle > 0)
		conn = s->idle[--s->nidle];
	pthread_mutex_unlock(&s->lock);
	if (conn && PQstatus(conn) == CONNECTION_OK)
		return conn;
	PQfinish(conn);
	conn = PQconnectdbParams(keys, values, 1);
	if (conn && PQstatus(conn) == CONNECTION_OK) {
		PQclear(PQexec(conn, "SET client_min_messages = warning"));
		return conn;
	}
	PQfinish(conn);
	return NULL;
}

static void give_back(ReportService *s, PGconn *conn)
{
	if (!conn)
		return;
	if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE) {
		pthread_mutex_lock(&s->lock);
		if (s->nidle < IDLE_MAX) {
			s->idle[s->nidle++] = conn;
			conn = NULL;
		}
		pthread_mutex_unlock(&s->lock);
	}
	PQfinish(conn);
}

/* Hands the finished output over to the loop as a file descriptor at
 * offset 0. */
static void hand_over(ReportTask *t, FILE *out)
{
	t->size = ftello(out);
	t->fd = dup(fileno(out));
	if (t->fd < 0) {
		t->error.status = 503;
		snprintf(t->error.message, sizeof t->error.message, "out of file descriptors");
	}
}

/* Comments are written while they are read (an export can be far larger
 * than memory), so the file is open before the connection is used. */
static void run_comments(ReportTask *t, PGconn *conn)
{
	FILE *out = tmpfile();

	if (!out) {
		t->error.status = 503;
		snprintf(t->error.message, sizeof t->error.message, "cannot write the comments: "
			 "no temporary file");
		return;
	}
	if (report_comments_write(conn, &t->query, t->comments_format, out, &t->error))
		hand_over(t, out);
	fclose(out);
}

static void run(void *arg)
{
	ReportTask *t = arg;
	PGconn *conn = take_connection(t->service);
	cJSON *doc;
	FILE *out = NULL;
	char *err = NULL;

	t->ran = true;
	if (!conn) {
		t->error.status = 503;
		snprintf(t->error.message, sizeof t->error.message, "the database is not reachable");
		return;
	}
	if (t->comments) {
		run_comments(t, conn);
		give_back(t->service, conn);
		return;
	}
	doc = report_published(conn, &t->query, &t->error);
	give_back(t->service, conn);
	if (!doc)
		return;
	if (t->keep_document) {
		t->document = doc;
		return;
	}
	if (!(out = tmpfile()) || !report_write(out, doc, t->format, t->with_links ? &t->links : NULL, &err) || fflush(out) != 0) {
		t->error.status = 503;
		snprintf(t->error.message, sizeof t->error.message, "cannot write the report: %s",
			 err ? err : "no temporary file");
		free(err);
		goto done;
	}
	hand_over(t, out);
done:
	if (out)
		fclose(out);
	cJSON_Delete(doc);
}

static void finished(void *arg)
{
	ReportTask *t = arg;

	t->done(t);
}

ReportService *report_service_new(struct event_base *base, const char *conninfo,
				  long long connect_timeout_ms, int nthreads)
{
	ReportService *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	snprintf(s->connect_timeout, sizeof s->connect_timeout, "%lld",
		 connect_timeout_ms < 1000 ? 1 : connect_timeout_ms / 1000);
	s->conninfo = strdup(conninfo ? conninfo : "");
	s->workers = workq_new(base, nthreads, 64);
	if (!s->conninfo || !s->workers) {
		report_service_free(s);
		return NULL;
	}
	return s;
}

void report_service_free(ReportService *s)
{
	if (!s)
		return;
	workq_free(s->workers);
	for (int i = 0; i < s->nidle; i++)
		PQfinish(s->idle[i]);
	pthread_mutex_destroy(&s->lock);
	free(s->conninfo);
	free(s);
}

static const char *own(ReportTask *t, int slot, const char *text, bool *ok)
{
	if (!text)
		return NULL;
	if (!(t->owned[slot] = strdup(text)))
		*ok = false;
	return t->owned[slot];
}

ReportTask *report_task_new(const ReportQuery *query, ReportFormat format, ReportDone done,
			    void *arg)
{
	ReportTask *t = calloc(1, sizeof *t);
	bool ok = true;

	if (!t)
		return NULL;
	t->query = *query;
	t->query.node = own(t, 0, query->node, &ok);
	t->query.scope_path = own(t, 1, query->scope_path, &ok);
	t->query.from = own(t, 2, query->from, &ok);
	t->query.to = own(t, 3, query->to, &ok);
	t->query.campaign = own(t, 4, query->campaign, &ok);
	t->query.compare_from = own(t, 5, query->compare_from, &ok);
	t->query.compare_to = own(t, 6, query->compare_to, &ok);
	t->query.search = own(t, 7, query->search, &ok);
	t->format = format;
	t->done = done;
	t->arg = arg;
	t->fd = -1;
	if (!ok) {
		report_task_free(t);
		return NULL;
	}
	return t;
}

bool report_task_set_links(ReportTask *t, const ReportPageLinks *links)
{
	bool ok = true;

	t->links.csv = own(t, 8, links->csv, &ok);
	t->links.xlsx = own(t, 9, links->xlsx, &ok);
	t->links.json = own(t, 10, links->json, &ok);
	t->links.notice = own(t, 11, links->notice, &ok);
	t->links.methodology = own(t, 12, links->methodology, &ok);
	t->links.period_action = own(t, 13, links->period_action, &ok);
	t->links.node_path = own(t, 14, links->node_path, &ok);
	t->links.comments_query = own(t, 15, links->comments_query, &ok);
	t->links.comments_all = own(t, 16, links->comments_all, &ok);
	t->links.comments_more = own(t, 17, links->comments_more, &ok);
	t->with_links = ok;
	return ok;
}

void report_task_free(ReportTask *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < sizeof t->owned / sizeof t->owned[0]; i++)
		free(t->owned[i]);
	if (t->fd >= 0)
		close(t->fd);
	cJSON_Delete(t->document);
	free(t);
}

bool report_service_submit(ReportService *s, ReportTask *t)
{
	t->service = s;
	return workq_submit(s->workers, run, finished, t);
}
