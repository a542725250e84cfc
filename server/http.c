#include "http.h"

#include <ctype.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "handlers.h"
#include "log.h"
#include "metrics.h"
#include "page.h"
#include "server.h"

static HttpMethod method_from_evhttp(enum evhttp_cmd_type type)
{
	switch (type) {
	case EVHTTP_REQ_GET:
		return HTTP_GET;
	case EVHTTP_REQ_HEAD:
		return HTTP_HEAD;
	case EVHTTP_REQ_POST:
		return HTTP_POST;
	case EVHTTP_REQ_PUT:
		return HTTP_PUT;
	case EVHTTP_REQ_DELETE:
		return HTTP_DELETE;
	case EVHTTP_REQ_PATCH:
		return HTTP_PATCH;
	case EVHTTP_REQ_OPTIONS:
		return HTTP_OPTIONS;
	default:
		return 0;
	}
}

static const char *method_name(HttpMethod method)
{
	switch (method) {
	case HTTP_GET:
		return "GET";
	case HTTP_HEAD:
		return "HEAD";
	case HTTP_POST:
		return "POST";
	case HTTP_PUT:
		return "PUT";
	case HTTP_DELETE:
		return "DELETE";
	case HTTP_PATCH:
		return "PATCH";
	case HTTP_OPTIONS:
		return "OPTIONS";
	}
	return "?";
}

static int64_t elapsed_us(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - since->tv_sec) * 1000000 +
	       (now.tv_nsec - since->tv_nsec) / 1000;
}

/* The path as logged for a request no route matched: its first segment
 * when that is the first segment of a route ("/staff/…"), else nothing
 * ("/…"); "/…" stands for the rest.  A matched request logs its route
 * pattern instead.  Either way no code or token typed into a path, at
 * whatever depth, reaches the log. */
static void redact_path(const Router *router, const char *path, char *out, size_t cap)
{
	const char *first = path && *path == '/' ? path + 1 : NULL;
	size_t len = first ? strcspn(first, "/") : 0;

	if (!first)
		snprintf(out, cap, "?");
	else if (len > 0 && router_first_segment_known(router, first, len))
		snprintf(out, cap, "/%.*s%s", (int)len, first, first[len] ? "/…" : "");
	else
		snprintf(out, cap, len == 0 && !*first ? "/" : "/…");
}

/* The access log line and the request's metrics: called exactly once per
 * request that got an HttpRequest, whatever ended it. */
static void log_request(const HttpRequest *r, int status, size_t bytes)
{
	char status_text[16], dur[32], size[32], path[80];
	int64_t us = elapsed_us(&r->started);

	metrics_request(r->server->shard, r->match.route_id, r->method, status,
			(uint64_t)(us > 0 ? us : 0));
	if (r->match.handler == (void *)handle_survey_post)
		metrics_submission(r->server->shard, status);
	snprintf(status_text, sizeof status_text, "%d", status);
	snprintf(dur, sizeof dur, "%.2f", (double)us / 1e3);
	snprintf(size, sizeof size, "%zu", bytes);
	if (r->match.pattern) {
		log_fields(status >= 500 && status != 503 ? LOG_WARN : LOG_INFO, r->id, "request",
			   "method", method_name(r->method), "route", r->match.pattern, "status",
			   status_text, "duration_ms", dur, "bytes", size, NULL);
		return;
	}
	redact_path(r->server->router, r->path, path, sizeof path);
	log_fields(status >= 500 && status != 503 ? LOG_WARN : LOG_INFO, r->id, "request", "method",
		   method_name(r->method), "route", "-", "path", path, "status", status_text,
		   "duration_ms", dur, "bytes", size, NULL);
}

/* Frees the request context.  The request counts as in flight until its
 * answer is written out (or its connection is gone), not merely queued:
 * a shutdown must not cut answers off. */
static void request_free(HttpRequest *r)
{
	free(r->caller.unit_name);
	free(r->caller.unit_path);
	if (r->data_free)
		r->data_free(r->data);
	if (r->uri)
		evhttp_uri_free(r->uri);
	free(r);
}

/* The answer is fully written. */
static void on_reply_written(struct evhttp_request *req, void *arg)
{
	evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL, NULL);
	server_request_done(arg);
}

/* The connection closed before the answer was fully written. */
static void on_reply_aborted(struct evhttp_connection *conn, void *arg)
{
	(void)conn;
	server_request_done(arg);
}

/* The client's connection is closing while we still hold its request. */
static void on_connection_close(struct evhttp_connection *conn, void *arg)
{
	HttpRequest *r = arg;

	(void)conn;
	db_job_cancel(r->job);
	r->job = NULL;
	r->req = NULL;
	log_request(r, 499, 0);
	server_request_done(r->server);
	request_free(r);
}

void http_add_header(HttpRequest *r, const char *name, const char *value)
{
	if (r->req)
		evhttp_add_header(evhttp_request_get_output_headers(r->req), name, value);
}

static void reply_parts(HttpRequest *r, int status, const char *content_type,
			const char *const *parts, const size_t *lens, int nparts);

void http_reply(HttpRequest *r, int status, const char *content_type, const char *body,
		size_t len)
{
	reply_parts(r, status, content_type, &body, &len, 1);
}

void http_reply_json(HttpRequest *r, int status, cJSON *json)
{
	char *text = json ? cJSON_PrintUnformatted(json) : NULL;

	cJSON_Delete(json);
	if (!text) {
		static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
		http_reply(r, 500, "application/json", oom, sizeof oom - 1);
		return;
	}
	http_reply(r, status, "application/json", text, strlen(text));
	cJSON_free(text);
}

void http_reply_error_field(HttpRequest *r, int status, const char *code, const char *message,
			   const char *field)
{
	cJSON *doc = cJSON_CreateObject(), *error = cJSON_AddObjectToObject(doc, "error");

	if (error) {
		cJSON_AddStringToObject(error, "code", code);
		cJSON_AddStringToObject(error, "message", message);
		if (field && *field)
			cJSON_AddStringToObject(error, "field", field);
		cJSON_AddStringToObject(error, "request_id", r->id);
	}
	if (status == 503)
		http_add_header(r, "Retry-After", "2");
	http_reply_json(r, status, doc);
}

void http_reply_error(HttpRequest *r, int status, const char *code, const char *message)
{
	http_reply_error_field(r, status, code, message, NULL);
}

bool http_query_value(const char *query, const char *name, char *out, size_t cap)
{
	struct evkeyvalq q;
	const char *v;
	bool found = false;

	if (!query || evhttp_parse_query_str(query, &q) != 0)
		return false;
	v = evhttp_find_header(&q, name);
	if (v && strlen(v) < cap) {
		memcpy(out, v, strlen(v) + 1);
		found = true;
	}
	evhttp_clear_headers(&q);
	return found;
}

bool http_query_param(HttpRequest *r, const char *name, char *out, size_t cap)
{
	return http_query_value(r->query, name, out, cap);
}

long long http_query_count(const char *query, const char *name, long long def)
{
	struct evkeyvalq q;
	const char *v;
	long long n = def;

	if (!query)
		return def;
	if (evhttp_parse_query_str(query, &q) != 0)
		return -1;
	v = evhttp_find_header(&q, name);
	if (v) {
		char *end;
		n = strtoll(v, &end, 10);
		if (!isdigit((unsigned char)*v) || *end || n < 0)
			n = -1;
	}
	evhttp_clear_headers(&q);
	return n;
}

long long http_query_number(HttpRequest *r, const char *name, long long def)
{
	return http_query_count(r->query, name, def);
}

const char *http_request_header(HttpRequest *r, const char *name)
{
	return r->req ? evhttp_find_header(evhttp_request_get_input_headers(r->req), name) : NULL;
}

const char *http_request_body(HttpRequest *r, size_t *len)
{
	struct evbuffer *in = r->req ? evhttp_request_get_input_buffer(r->req) : NULL;

	*len = in ? evbuffer_get_length(in) : 0;
	if (*len == 0)
		return "";
	return (const char *)evbuffer_pullup(in, -1);
}

/* True when the client lists gzip in Accept-Encoding (without q=0). */
static bool accepts_gzip(HttpRequest *r)
{
	const char *accept = http_request_header(r, "Accept-Encoding");
	const char *p = accept ? strstr(accept, "gzip") : NULL;

	return p && strncmp(p + 4, ";q=0", 4) != 0;
}

/* Compresses in into out as gzip; false on failure (send plain then). */
static bool gzip_buf(const Buf *in, Buf *out)
{
	z_stream z;
	bool ok;

	memset(&z, 0, sizeof z);
	/* 15 + 16: a gzip header rather than zlib's; level 6 is zlib's default. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	buf_init(out, deflateBound(&z, in->len) + 32);
	if (out->failed) {
		deflateEnd(&z);
		return false;
	}
	z.next_in = (Bytef *)in->data;
	z.avail_in = (uInt)in->len;
	z.next_out = (Bytef *)out->data;
	z.avail_out = (uInt)out->cap;
	ok = deflate(&z, Z_FINISH) == Z_STREAM_END;
	out->len = z.total_out;
	deflateEnd(&z);
	if (!ok)
		buf_free(out);
	return ok;
}

/* The headers of every answer.  False when the client has gone (the
 * request is then ended here). */
static bool reply_start(HttpRequest *r, int status, const char *content_type, size_t size)
{
	struct evkeyvalq *headers;

	if (!r->req) {
		log_request(r, status, size);
		server_request_done(r->server);
		request_free(r);
		return false;
	}
	headers = evhttp_request_get_output_headers(r->req);
	evhttp_add_header(headers, "Content-Type", content_type);
	evhttp_add_header(headers, "X-Request-Id", r->id);
	evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
	if (!evhttp_find_header(headers, "Cache-Control"))
		evhttp_add_header(headers, "Cache-Control", "no-store");
	if (r->server->stopping)
		evhttp_add_header(headers, "Connection", "close");
	return true;
}

/* Sends the answer (out NULL: no body) and ends the request. */
static void reply_send(HttpRequest *r, int status, struct evbuffer *out, size_t size)
{
	/* From here the request is done for us; only the write is pending,
	 * and exactly one of these two callbacks ends it. */
	evhttp_connection_set_closecb(r->conn, on_reply_aborted, r->server);
	evhttp_request_set_on_complete_cb(r->req, on_reply_written, r->server);
	log_request(r, status, size);
	evhttp_send_reply(r->req, status, NULL, out);
	if (out)
		evbuffer_free(out);
	r->req = NULL;
	request_free(r);
}

/* Sends body pieces straight into the connection's buffer: one copy. */
static void reply_parts(HttpRequest *r, int status, const char *content_type,
			const char *const *parts, const size_t *lens, int nparts)
{
	struct evbuffer *out;
	size_t total = 0;

	for (int i = 0; i < nparts; i++)
		total += lens[i];
	if (!reply_start(r, status, content_type, total))
		return;
	out = evbuffer_new();
	for (int i = 0; out && i < nparts; i++) {
		if (lens[i] > 0 && evbuffer_add(out, parts[i], lens[i]) != 0) {
			evbuffer_free(out);
			out = NULL;
			status = 500;
		}
	}
	reply_send(r, status, out, total);
}

static void page_headers(HttpRequest *r, int status)
{
	http_add_header(r, "Content-Security-Policy", r->server->csp);
	http_add_header(r, "X-Frame-Options", "DENY");
	http_add_header(r, "Referrer-Policy", "no-referrer");
	http_add_header(r, "Vary", "Accept-Encoding");
	if (status == 503)
		http_add_header(r, "Retry-After", "2");
}

void http_reply_file(HttpRequest *r, int status, const char *content_type, int fd, long long size,
		     bool page, const char *filename)
{
	struct evbuffer *out;
	char disposition[160];

	if (r->req && page)
		page_headers(r, status);
	if (r->req && filename) {
		snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", filename);
		http_add_header(r, "Content-Disposition", disposition);
	}
	if (!reply_start(r, status, content_type, (size_t)size)) {
		close(fd);
		return;
	}
	out = evbuffer_new();
	/* The file is sent from the kernel's cache with sendfile: no copy of
	 * an export in our memory.  libevent uses sendfile only for a buffer
	 * marked as draining to a socket; unmarked, it maps the whole file and
	 * every page sent stays in our resident set until the reply ends (a
	 * 60 MB export measured +60 MiB of peak RSS).  The body only ever
	 * moves whole into the connection's buffer, which is what the flag
	 * promises.  evbuffer_add_file owns fd from here. */
	if (out)
		evbuffer_set_flags(out, EVBUFFER_FLAG_DRAINS_TO_FD);
	if (!out || (size > 0 && evbuffer_add_file(out, fd, 0, size) != 0)) {
		if (out)
			evbuffer_free(out);
		out = NULL;
		close(fd);
		status = 500;
	} else if (size == 0) {
		close(fd);
	}
	reply_send(r, status, out, (size_t)size);
}

void http_reply_html_parts(HttpRequest *r, int status, const char *const *parts,
			   const size_t *lens, int nparts)
{
	Buf whole;

	if (accepts_gzip(r)) {
		buf_init(&whole, 32 * 1024);
		for (int i = 0; i < nparts; i++)
			buf_add(&whole, parts[i], lens[i]);
		http_reply_html(r, status, &whole);
		return;
	}
	page_headers(r, status);
	reply_parts(r, status, "text/html; charset=utf-8", parts, lens, nparts);
}

void http_reply_html(HttpRequest *r, int status, Buf *page)
{
	Buf gz;

	if (page->failed) {
		buf_free(page);
		http_reply(r, 500, "text/plain; charset=utf-8", "out of memory\n", 14);
		return;
	}
	page_headers(r, status);
	if (page->len > 512 && accepts_gzip(r) && gzip_buf(page, &gz)) {
		http_add_header(r, "Content-Encoding", "gzip");
		http_reply(r, status, "text/html; charset=utf-8", gz.data, gz.len);
		buf_free(&gz);
	} else {
		http_reply(r, status, "text/html; charset=utf-8", page->data, page->len);
	}
	buf_free(page);
}

static void on_db_result(const DbResult *result, void *arg)
{
	HttpRequest *r = arg;
	HttpDbCallback cb = r->db_cb;

	r->job = NULL;
	r->db_cb = NULL;
	cb(r, result);
}

bool http_db(HttpRequest *r, const DbQuery *query, HttpDbCallback cb)
{
	DbStatus refused;

	r->db_cb = cb;
	r->job = db_submit(r->server->pool, query, on_db_result, r, &refused);
	if (!r->job) {
		log_msg(LOG_WARN, r->id, "database query refused: %s", db_status_name(refused));
		http_reply_error(r, 503, "busy",
				 "the service is busy, please try again in a few seconds");
		return false;
	}
	return true;
}

void http_reply_db_failure(HttpRequest *r, const DbResult *result)
{
	/* Our own refusals (sql/007): written for the caller, shown as they are. */
	if (result->status == DB_ERR_QUERY && result->sqlstate &&
	    strncmp(result->sqlstate, "HL", 2) == 0) {
		const char *message = PQresultErrorField(result->res, PG_DIAG_MESSAGE_PRIMARY);
		const char *field = PQresultErrorField(result->res, PG_DIAG_MESSAGE_DETAIL);
		int status = atoi(result->sqlstate + 2);
		if (status != 404 && status != 409)
			status = 422;
		http_reply_error_field(r, status,
				       status == 404   ? "not_found"
				       : status == 409 ? "conflict"
						       : "invalid",
				       message ? message : "refused", field);
		return;
	}
	log_msg(LOG_WARN, r->id, "database %s: %s", db_status_name(result->status),
		result->message);
	switch (result->status) {
	case DB_ERR_TIMEOUT:
	case DB_ERR_QUEUE_FULL:
		http_reply_error(r, 503, "busy",
				 "the service is busy, please try again in a few seconds");
		return;
	case DB_ERR_UNAVAILABLE:
	case DB_ERR_SHUTDOWN:
		http_reply_error(r, 503, "unavailable",
				 "the database is unavailable, please try again in a few seconds");
		return;
	default:
		http_reply_error(r, 500, "internal", "internal error");
		return;
	}
}

static void make_request_id(char out[HTTP_REQUEST_ID_SIZE])
{
	unsigned char raw[8];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(out, HTTP_REQUEST_ID_SIZE, raw, sizeof raw);
}

bool http_request_id_acceptable(const char *id)
{
	size_t n = 0;

	if (!id)
		return false;
	for (; id[n]; n++)
		if (n >= HTTP_REQUEST_ID_SIZE - 1 ||
		    !(isalnum((unsigned char)id[n]) || id[n] == '-' || id[n] == '_' || id[n] == '.'))
			return false;
	return n > 0;
}

/* The id of a request: the one a proxy or client sent in X-Request-Id when
 * it is short and made of safe characters (so a trace can follow a request
 * across the proxy and us), else a fresh random one. */
static void request_id_for(struct evhttp_request *req, char out[HTTP_REQUEST_ID_SIZE])
{
	const char *given = evhttp_find_header(evhttp_request_get_input_headers(req), "X-Request-Id");

	if (http_request_id_acceptable(given))
		memcpy(out, given, strlen(given) + 1);
	else
		make_request_id(out);
}

/* Answers without a request context: admission refusals.  They are logged
 * and counted too (route "-": they were refused before routing). */
static void reply_early(Server *server, struct evhttp_request *req, int status, const char *code,
			const char *message)
{
	struct evbuffer *out = evbuffer_new();
	struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
	char id[HTTP_REQUEST_ID_SIZE], status_text[16];
	unsigned method = method_from_evhttp(evhttp_request_get_command(req));

	request_id_for(req, id);
	metrics_request(server->shard, 0, method, status, 0);
	snprintf(status_text, sizeof status_text, "%d", status);
	log_fields(LOG_INFO, id, "request", "method", method_name(method), "route", "-", "status",
		   status_text, "duration_ms", "0.00", "bytes", "0", "refused", code, NULL);
	evhttp_add_header(headers, "X-Request-Id", id);
	evhttp_add_header(headers, "Content-Type", "application/json");
	evhttp_add_header(headers, "Cache-Control", "no-store");
	if (status == 503)
		evhttp_add_header(headers, "Retry-After", "1");
	if (out)
		evbuffer_add_printf(out, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}", code,
				    message);
	evhttp_send_reply(req, status, NULL, out);
	if (out)
		evbuffer_free(out);
}

static void dispatch(struct evhttp_request *req, void *arg)
{
	Server *server = arg;
	HttpRequest *r;
	RouteResult found;
	char allow[128];

	server->requests_total++;
	/* Right after a stop signal, requests on connections accepted before
	 * it are still served (each answer closes its connection); after the
	 * linger, only the requests in flight are finished. */
	if (server->stopping && server->lingered) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		reply_early(server, req, 503, "shutting_down", "the server is restarting, try again shortly");
		return;
	}
	if (server->inflight >= server->config->max_inflight) {
		server->rejected_busy++;
		reply_early(server, req, 503, "busy", "the service is busy, please try again in a few seconds");
		return;
	}
	r = calloc(1, sizeof *r);
	if (!r) {
		reply_early(server, req, 503, "busy", "out of memory");
		return;
	}
	server->inflight++;
	r->server = server;
	r->req = req;
	r->conn = evhttp_request_get_connection(req);
	r->method = method_from_evhttp(evhttp_request_get_command(req));
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	request_id_for(req, r->id);
	r->uri = evhttp_uri_parse_with_flags(evhttp_request_get_uri(req), 0);
	if (r->uri) {
		r->path = evhttp_uri_get_path(r->uri);
		r->query = evhttp_uri_get_query(r->uri);
	}
	if (!r->uri || !r->path || r->path[0] != '/') {
		http_reply_error(r, 400, "bad_request", "malformed request URI");
		return;
	}
	evhttp_connection_set_closecb(r->conn, on_connection_close, r);

	if (evbuffer_get_length(evhttp_request_get_input_buffer(req)) >
	    (size_t)server->config->http_max_body) {
		if (strncmp(r->path, "/s/", 3) == 0) {
			Buf page;
			buf_init(&page, 4096);
			page_message(&page, "Nội dung gửi lên quá lớn",
				     "Phần trả lời gửi lên dài hơn mức cho phép. Ông/Bà vui lòng rút "
				     "gọn ý kiến rồi gửi lại.",
				     NULL);
			http_reply_html(r, 413, &page);
		} else {
			http_reply_error(r, 413, "too_large", "the request body is too large");
		}
		return;
	}

	found = router_match(server->router, r->method, r->path, &r->match);
	switch (found) {
	case ROUTE_FOUND:
		((HttpHandler)r->match.handler)(r);
		return;
	case ROUTE_METHOD_NOT_ALLOWED:
		router_allow_header(r->match.allowed, allow, sizeof allow);
		http_add_header(r, "Allow", allow);
		if (r->method == HTTP_OPTIONS) {
			http_reply(r, 204, "text/plain; charset=utf-8", "", 0);
			return;
		}
		http_reply_error(r, 405, "method_not_allowed",
				 "this method is not allowed on this path");
		return;
	case ROUTE_BAD_PATH:
		http_reply_error(r, 400, "bad_request", "malformed path");
		return;
	case ROUTE_NOT_FOUND:
		break;
	}
	http_reply_error(r, 404, "not_found", "no such page");
}

long long body_hard_limit(long long limit)
{
	long long hard = limit * 4 < 1024 * 1024 ? 1024 * 1024 : limit * 4;

	return hard > 64LL * 1024 * 1024 ? 64LL * 1024 * 1024 : hard;
}

void http_setup(Server *server, struct evhttp *http)
{
	const Config *config = server->config;

	evhttp_set_max_headers_size(http, (ev_ssize_t)config->http_max_headers);
	/* evhttp's own limit is only the hard stop (its 413 is a bare English
	 * page); bodies between http-max-body and it get our answer, a
	 * Vietnamese page on the parents' path. */
	evhttp_set_max_body_size(http, (ev_ssize_t)body_hard_limit(config->http_max_body));
	/* Read an oversized body before answering 413, or browsers see a reset
	 * instead of the answer (libevent issue #321). */
	evhttp_set_flags(http, EVHTTP_SERVER_LINGERING_CLOSE);
	{
		struct timeval tv = {.tv_sec = config->http_timeout_ms / 1000,
				     .tv_usec = (config->http_timeout_ms % 1000) * 1000};
		evhttp_set_timeout_tv(http, &tv);
	}
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
						 EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
						 EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
	/* The pointer is stored, not copied: a literal. */
	evhttp_set_default_content_type(http, "application/json");
	evhttp_set_gencb(http, dispatch, server);
}
