/*
 * GET /staff: the staff start page.  Two steps, neither on the loop thread's
 * time: the open rounds of the caller's subtree through the pool (the API's
 * list statement), then the report document of the caller's unit on a
 * report worker (report_service, the same document as the report page), of
 * which the page shows the criteria below target.  A report that cannot be
 * made leaves the rest of the page standing.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "handlers.h"
#include "log.h"
#include "page_rounds.h"
#include "report_service.h"
#include "server.h"
#include "sql_text.h"

typedef struct Dashboard {
	cJSON *open_rounds;
	ReportTask *task; /* in flight, or NULL */
} Dashboard;

static void dashboard_free(void *arg)
{
	Dashboard *d = arg;

	if (d->task)
		d->task->arg = NULL; /* the client left: the task is dropped when done */
	cJSON_Delete(d->open_rounds);
	free(d);
}

static void render(HttpRequest *r, const cJSON *report, bool report_missing)
{
	Dashboard *d = r->data;
	DashboardPage page = {.login = r->caller.login[0] ? r->caller.login : "API",
			      .role = auth_role_name((AuthRole)r->caller.role),
			      .unit_name = r->caller.unit_name ? r->caller.unit_name : "",
			      .unit_code = r->caller.unit_code,
			      .csrf = r->caller.csrf,
			      .open_rounds = d->open_rounds,
			      .report = report,
			      .report_missing = report_missing,
			      .can_create = r->caller.role >= AUTH_STAFF};
	Buf out;

	buf_init(&out, 16 * 1024);
	page_dashboard(&out, &page);
	http_reply_html(r, 200, &out);
}

static void report_ready(ReportTask *t)
{
	HttpRequest *r = t->arg;

	if (!r) {
		report_task_free(t);
		return;
	}
	((Dashboard *)r->data)->task = NULL;
	if (t->ran && t->error.status == 503)
		log_msg(LOG_WARN, r->id, "report: %s", t->error.message);
	/* 404/422 here means a unit with nothing to report: "no data yet". */
	render(r, t->ran && !t->error.status ? t->document : NULL,
	       !t->ran || t->error.status == 503);
	report_task_free(t);
}

static void rounds_listed(HttpRequest *r, const DbResult *result)
{
	Dashboard *d = r->data;
	ReportQuery query = {
		.node = r->caller.unit_code,
		.scope_path = r->caller.unit_path,
		.comments_limit = 1, /* the page shows none */
		.privacy_threshold = (int)r->server->config->privacy_threshold,
	};

	if (result->status == DB_OK && PQntuples(result->res) == 1)
		d->open_rounds = cJSON_Parse(PQgetvalue(result->res, 0, 0));
	else
		log_msg(LOG_WARN, r->id, "database %s: %s", db_status_name(result->status),
			result->message);
	d->task = report_task_new(&query, REPORT_FORMAT_JSON, report_ready, r);
	if (d->task) {
		d->task->keep_document = true;
		if (report_service_submit(r->server->reports, d->task))
			return;
		report_task_free(d->task);
		d->task = NULL;
	}
	render(r, NULL, true);
}

static void dashboard(HttpRequest *r)
{
	Dashboard *d = calloc(1, sizeof *d);
	const char *params[2] = {r->caller.unit_path, "20"};
	DbQuery q = {.sql = SQL_STAFF_DASHBOARD, .nparams = 2, .values = params};

	if (!d) {
		http_reply_error(r, 503, "busy", "out of memory");
		return;
	}
	r->data = d;
	r->data_free = dashboard_free;
	if (!http_db(r, &q, rounds_listed))
		return;
}

void handle_staff_home(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, dashboard);
}
