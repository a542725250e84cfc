/*
 * The reports: GET /api/v1/reports/{node} as JSON, CSV or XLSX, scoped to
 * the caller's subtree.  The work happens on report_service's threads; this
 * file reads the query, hands it over and sends back what comes.
 */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "auth.h"
#include "handlers.h"
#include "log.h"
#include "report_service.h"
#include "server.h"

typedef struct ReportCall {
	ReportTask *task;
	char node[65];
} ReportCall;

static void call_free(void *arg)
{
	ReportCall *c = arg;

	if (c->task)
		c->task->arg = NULL; /* the client left: the task is dropped when done */
	free(c);
}

static const char *error_code(int status)
{
	return status == 404 ? "not_found" : status == 422 ? "invalid" : "unavailable";
}

static void report_ready(ReportTask *t)
{
	HttpRequest *r = t->arg;
	char filename[128];

	if (!r) {
		report_task_free(t);
		return;
	}
	((ReportCall *)r->data)->task = NULL;
	if (!t->ran) {
		http_reply_error(r, 503, "unavailable", "the server is stopping");
	} else if (t->error.status) {
		if (t->error.status == 503)
			log_msg(LOG_WARN, r->id, "report: %s", t->error.message);
		http_reply_error_field(r, t->error.status, error_code(t->error.status),
				       t->error.message, t->error.field);
	} else {
		int fd = t->fd;
		bool download = t->format != REPORT_FORMAT_JSON;
		t->fd = -1;
		snprintf(filename, sizeof filename, "bao-cao-%s.%s", ((ReportCall *)r->data)->node,
			 report_format_extension(t->format));
		http_reply_file(r, 200, report_format_mime(t->format), fd, (long long)t->size, false,
				download ? filename : NULL);
	}
	report_task_free(t);
}

/* The query-string parameters of a report: every one checked, none
 * silently dropped. */
static bool read_query(HttpRequest *r, struct evkeyvalq *q, ReportQuery *query,
		       ReportFormat *format)
{
	static const struct {
		const char *name;
		size_t max;
	} limits[] = {{"from", 10},	{"to", 10},	  {"compare_from", 10}, {"compare_to", 10},
		      {"campaign", 16}, {"format", 8}, {"q", REPORT_SEARCH_MAX}};
	const char *v;

	if (r->query && evhttp_parse_query_str(r->query, q) != 0) {
		http_reply_error(r, 400, "bad_request", "the query string is malformed");
		return false;
	}
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		v = evhttp_find_header(q, limits[i].name);
		if (v && strlen(v) > limits[i].max) {
			char message[96];
			snprintf(message, sizeof message, "%s is too long (at most %zu characters)",
				 limits[i].name, limits[i].max);
			http_reply_error_field(r, 422, "invalid", message, limits[i].name);
			return false;
		}
	}
#define PARAM(name) ((v = evhttp_find_header(q, name)) && *v ? v : NULL)
	query->from = PARAM("from");
	query->to = PARAM("to");
	query->compare_from = PARAM("compare_from");
	query->compare_to = PARAM("compare_to");
	query->campaign = PARAM("campaign");
	query->search = PARAM("q");
	v = PARAM("format");
#undef PARAM
	*format = REPORT_FORMAT_JSON;
	if (v && !report_format_parse(v, format)) {
		http_reply_error_field(r, 422, "invalid", "format must be json", "format");
		return false;
	}
	return true;
}

static void report_authorised(HttpRequest *r)
{
	ReportCall *c = calloc(1, sizeof *c);
	struct evkeyvalq q = {0};
	ReportQuery query = {
		.node = route_param(&r->match, "code"),
		.scope_path = r->caller.unit_path,
		.privacy_threshold = (int)r->server->config->privacy_threshold,
	};
	ReportFormat format;

	TAILQ_INIT(&q);
	if (!c) {
		http_reply_error(r, 503, "busy", "out of memory");
		return;
	}
	r->data = c;
	r->data_free = call_free;
	snprintf(c->node, sizeof c->node, "%s", query.node ? query.node : "");
	if (!read_query(r, &q, &query, &format))
		goto done;
	c->task = report_task_new(&query, format, report_ready, r);
	if (!c->task) {
		http_reply_error(r, 503, "busy", "out of memory");
		goto done;
	}
	if (!report_service_submit(r->server->reports, c->task)) {
		report_task_free(c->task);
		c->task = NULL;
		http_reply_error(r, 503, "busy", "too many reports at once, try again shortly");
	}
done:
	evhttp_clear_headers(&q);
}

void handle_api_report(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, report_authorised);
}
