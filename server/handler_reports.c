/*
 * The reports: GET /api/v1/reports/{code} (JSON, CSV, XLSX), its comments
 * GET /api/v1/reports/{code}/comments (a JSON page, or all as CSV) and the
 * staff report page GET /staff/reports/{code} (HTML, the notice-board
 * sheet and the same downloads; ?comments_offset= pages the comments),
 * scoped to the caller's subtree.  The work happens on report_service's
 * threads; this file reads the query, hands it over and sends back what
 * comes.  And a round's published result as stored,
 * GET /api/v1/campaigns/{code}/snapshot: one row read through the pool.
 */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "auth.h"
#include "buf.h"
#include "page.h"
#include "page_staff.h"
#include "handlers.h"
#include "log.h"
#include "report_service.h"
#include "server.h"
#include "sql_text.h"

typedef enum CallKind {
	CALL_REPORT,   /* the API's report */
	CALL_PAGE,     /* a staff page: errors as pages in Vietnamese */
	CALL_COMMENTS, /* the API's comments */
} CallKind;

typedef struct ReportCall {
	ReportTask *task;
	bool page; /* a staff page: errors as pages in Vietnamese */
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

/* The staff page's answer to a report it could not make. */
static void reply_page_error(HttpRequest *r, int status, const char *field)
{
	Buf out;

	buf_init(&out, 2048);
	if (status == 404)
		page_staff_message(&out, "Không tìm thấy",
				   "Không có đơn vị hoặc đợt khảo sát này trong phạm vi của bạn.", NULL);
	else if (status == 422 && field && (!strcmp(field, "from") || !strcmp(field, "to") ||
					    !strcmp(field, "compare_from") ||
					    !strcmp(field, "compare_to")))
		page_staff_message(&out, "Khoảng thời gian không hợp lệ",
				   "Hãy nhập ngày theo dạng ngày/tháng/năm hợp lệ, ngày bắt đầu không "
				   "sau ngày kết thúc, và không quá mười năm.",
				   NULL);
	else if (status == 422)
		page_staff_message(&out, "Yêu cầu không hợp lệ",
				   "Nội dung tìm kiếm, trang ý kiến hoặc định dạng xuất không hợp lệ.",
				   NULL);
	else
		page_staff_message(&out, "Hệ thống đang bận",
				   "Chưa lập được báo cáo lúc này, vui lòng thử lại sau ít phút.", NULL);
	http_reply_html(r, status, &out);
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
	if (t->ran && t->error.status == 503)
		log_msg(LOG_WARN, r->id, "report: %s", t->error.message);
	if (!t->ran || t->error.status) {
		int status = t->ran ? t->error.status : 503;
		if (((ReportCall *)r->data)->page)
			reply_page_error(r, status, t->error.field);
		else
			http_reply_error_field(r, status, error_code(status),
					       t->ran ? t->error.message : "the server is stopping",
					       t->error.field);
	} else {
		int fd = t->fd;
		bool page = t->format == REPORT_FORMAT_HTML || t->format == REPORT_FORMAT_NOTICE;
		bool download = !page && t->format != REPORT_FORMAT_JSON;
		t->fd = -1;
		snprintf(filename, sizeof filename, "%s-%s.%s", t->comments ? "y-kien" : "bao-cao",
			 ((ReportCall *)r->data)->node, report_format_extension(t->format));
		http_reply_file(r, 200, report_format_mime(t->format), fd, (long long)t->size, page,
				download ? filename : NULL);
	}
	report_task_free(t);
}

/* A refused parameter: a Vietnamese page for staff, an error naming the
 * field for the API. */
static void refuse(HttpRequest *r, bool page, int status, const char *message, const char *field)
{
	if (page)
		reply_page_error(r, status, field);
	else
		http_reply_error_field(r, status, "invalid", message, field);
}

/* The query-string parameters of a report or of its comments: every one
 * checked, none silently dropped. */
static bool read_query(HttpRequest *r, struct evkeyvalq *q, ReportQuery *query,
		       ReportFormat *format, CallKind kind, char iso[4][11])
{
	static const struct {
		const char *name;
		size_t max;
	} limits[] = {{"from", 10},	{"to", 10},	  {"compare_from", 10}, {"compare_to", 10},
		      {"campaign", 16}, {"format", 8}, {"q", REPORT_SEARCH_MAX},
		      {"limit", 9},     {"offset", 9},   {"comments_offset", 9}};
	bool page = kind == CALL_PAGE;
	ReportError paging;
	const char *v, *limit, *offset;

	if (r->query && evhttp_parse_query_str(r->query, q) != 0) {
		if (page)
			reply_page_error(r, 422, NULL);
		else
			http_reply_error(r, 400, "bad_request", "the query string is malformed");
		return false;
	}
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		v = evhttp_find_header(q, limits[i].name);
		if (v && strlen(v) > limits[i].max) {
			char message[96];
			snprintf(message, sizeof message, "%s is too long (at most %zu characters)",
				 limits[i].name, limits[i].max);
			refuse(r, page, 422, message, limits[i].name);
			return false;
		}
	}
#define PARAM(name) ((v = evhttp_find_header(q, name)) && *v ? v : NULL)
	query->from = PARAM("from");
	query->to = PARAM("to");
	query->compare_from = PARAM("compare_from");
	query->compare_to = PARAM("compare_to");
	/* The page's fields are typed as dd/mm/yyyy; links carry yyyy-mm-dd.
	 * What is neither goes on as typed, for report_query_check to refuse. */
	if (page) {
		const char **dates[] = {&query->from, &query->to, &query->compare_from,
					&query->compare_to};
		for (int i = 0; i < 4; i++)
			if (*dates[i] && page_parse_date(*dates[i], iso[i]))
				*dates[i] = iso[i];
	}
	query->campaign = PARAM("campaign");
	query->search = PARAM("q");
	limit = PARAM("limit");
	offset = PARAM(page ? "comments_offset" : "offset");
	/* The page shows one page of comments; the API's report its first. */
	if ((kind == CALL_COMMENTS && !report_comments_paging(limit, offset, query, &paging)) ||
	    (page && !report_comments_paging(NULL, offset, query, &paging))) {
		refuse(r, page, 422, paging.message, page ? "comments_offset" : paging.field);
		return false;
	}
	v = PARAM("format");
#undef PARAM
	*format = page ? REPORT_FORMAT_HTML : REPORT_FORMAT_JSON;
	if (kind == CALL_COMMENTS) {
		if (v && (!report_format_parse(v, format) ||
			  (*format != REPORT_FORMAT_JSON && *format != REPORT_FORMAT_CSV))) {
			refuse(r, false, 422, "format must be json or csv", "format");
			return false;
		}
		return true;
	}
	if (v && (!report_format_parse(v, format) ||
		  (!page && (*format == REPORT_FORMAT_HTML || *format == REPORT_FORMAT_NOTICE)))) {
		refuse(r, page, 422, "format must be json, csv or xlsx", "format");
		return false;
	}
	return true;
}

/* prefix + code + tail + "?from=…&to=…[&campaign=…][&q=…]&format=" +
 * format (without format: ending in "?" or "&", ready for one more
 * parameter), every value percent-encoded; NULL when memory runs out. */
static char *report_link(const char *prefix, const char *code, const char *tail,
			 const ReportQuery *q, bool search, const char *format)
{
	const char *names[] = {"from", "to", "campaign", "q"};
	const char *values[] = {q->from, q->to, q->campaign, search ? q->search : NULL};
	char *enc = evhttp_encode_uri(code);
	Buf b;

	buf_init(&b, 128);
	buf_printf(&b, "%s%s%s", prefix, enc ? enc : "", tail);
	free(enc);
	buf_puts(&b, "?");
	for (int i = 0; i < 4; i++) {
		if (!values[i])
			continue;
		enc = evhttp_encode_uri(values[i]);
		buf_printf(&b, "%s=%s&", names[i], enc ? enc : "");
		free(enc);
	}
	if (format)
		buf_printf(&b, "format=%s", format);
	if (b.failed) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* "/staff/reports/CODE?from=…&to=…[&campaign=…]&format=" + format. */
static char *page_link(const char *code, const ReportQuery *q, const char *format)
{
	return report_link("/staff/reports/", code, "", q, false, format);
}

static void start(HttpRequest *r, CallKind kind)
{
	bool page = kind == CALL_PAGE;
	ReportCall *c = calloc(1, sizeof *c);
	struct evkeyvalq q = {0};
	ReportQuery query = {
		.node = route_param(&r->match, "code"),
		.scope_path = r->caller.unit_path,
		.privacy_threshold = (int)r->server->config->privacy_threshold,
	};
	ReportFormat format;
	char iso[4][11];

	TAILQ_INIT(&q);
	if (!c) {
		http_reply_error(r, 503, "busy", "out of memory");
		return;
	}
	r->data = c;
	r->data_free = call_free;
	c->page = page;
	snprintf(c->node, sizeof c->node, "%s", query.node ? query.node : "");
	if (!read_query(r, &q, &query, &format, kind, iso))
		goto done;
	c->task = report_task_new(&query, format, report_ready, r);
	if (c->task && kind == CALL_COMMENTS) {
		c->task->comments = true;
		c->task->comments_format = format == REPORT_FORMAT_CSV ? COMMENTS_CSV : COMMENTS_JSON;
	}
	if (c->task && page) {
		char *csv = page_link(c->node, &query, "csv"), *xlsx = page_link(c->node, &query, "xlsx");
		char *json = page_link(c->node, &query, "json"),
		     *notice = page_link(c->node, &query, "notice"),
		     *self = page_link(c->node, &query, NULL);
		char *all = report_link("/api/v1/reports/", c->node, "/comments", &query, true, "csv");
		char *more = report_link("/staff/reports/", c->node, "", &query, true, NULL);
		ReportPageLinks links = {.csv = csv, .xlsx = xlsx, .json = json, .notice = notice,
					 .period_action = self, .node_path = "/staff/reports/",
					 .comments_query = query.search, .comments_all = all,
					 .comments_more = more};
		bool ok = csv && xlsx && json && notice && self && all && more &&
			  report_task_set_links(c->task, &links);
		free(csv);
		free(xlsx);
		free(json);
		free(notice);
		free(self);
		free(all);
		free(more);
		if (!ok) {
			report_task_free(c->task);
			c->task = NULL;
		}
	}
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

static void api_authorised(HttpRequest *r)
{
	start(r, CALL_REPORT);
}

static void page_authorised(HttpRequest *r)
{
	start(r, CALL_PAGE);
}

static void comments_authorised(HttpRequest *r)
{
	start(r, CALL_COMMENTS);
}

void handle_api_report(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, api_authorised);
}

void handle_staff_report(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, page_authorised);
}

/* The stored bytes go out untouched: whoever checks the published result
 * hashes exactly what was frozen (X-Content-SHA256 is that hash). */
static void snapshot_loaded(HttpRequest *r, const DbResult *result)
{
	const PGresult *res = result->res;

	if (result->status != DB_OK) {
		http_reply_db_failure(r, result);
		return;
	}
	if (PQntuples(res) != 1) {
		http_reply_error(r, 404, "not_found", "no such round");
		return;
	}
	if (PQgetisnull(res, 0, 0)) {
		http_reply_error(r, 409, "conflict",
				 "the round has no published result yet: it is published once the "
				 "round has closed and its responses are counted");
		return;
	}
	http_add_header(r, "X-Content-SHA256", PQgetvalue(res, 0, 1));
	http_add_header(r, "X-Published-At", PQgetvalue(res, 0, 2));
	http_reply(r, 200, "application/json", PQgetvalue(res, 0, 0),
		   (size_t)PQgetlength(res, 0, 0));
}

static void snapshot_authorised(HttpRequest *r)
{
	const char *params[2] = {route_param(&r->match, "code"), r->caller.unit_path};
	DbQuery q = {.sql = SQL_SNAPSHOT_GET, .nparams = 2, .values = params};

	/* Refused: http_db has answered 503 itself. */
	if (!http_db(r, &q, snapshot_loaded))
		return;
}

void handle_api_snapshot(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, snapshot_authorised);
}

void handle_api_report_comments(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, comments_authorised);
}
