/*
 * http: the life of one HTTP request on top of evhttp.
 *
 * Every request that passes admission gets an HttpRequest.  The handler may
 * answer at once or later (after database work); either way exactly one of
 * the http_reply* functions ends the request, logs it and frees the
 * HttpRequest.  If the client goes away first, the request's database job is
 * cancelled and the HttpRequest is freed by the connection's close callback;
 * a later reply attempt is impossible because the handler's database
 * callback is never run (see http_db).
 */
#ifndef HAILONG_HTTP_H
#define HAILONG_HTTP_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "db_pool.h"
#include "router.h"

struct evhttp;
struct evhttp_request;
struct evhttp_connection;
struct evhttp_uri;
typedef struct Server Server;
typedef struct HttpRequest HttpRequest;

typedef void (*HttpHandler)(HttpRequest *r);

/* Request ids: 16 hex digits of our own, or the caller's X-Request-Id when
 * acceptable; the size includes the NUL. */
enum { HTTP_REQUEST_ID_SIZE = 65 };

/* True when id may be adopted as a request id: 1 to 64 characters of
 * letters, digits, '-', '_' and '.' (nothing that could change the meaning
 * of a log line or a header).  NULL gives false. */
bool http_request_id_acceptable(const char *id);

/* Runs when the request's database job finishes, only while the client is
 * still connected.  The handler must reply (or start another job). */
typedef void (*HttpDbCallback)(HttpRequest *r, const DbResult *result);

/* Who is calling, once auth_require let the request through. */
typedef struct AuthCaller {
	bool known;
	long long token_id;   /* the API token, or 0 */
	long long account_id; /* the signed-in account, or 0 */
	char login[65];       /* the account's login ("" for a token) */
	char csrf[33];        /* the session's CSRF token ("" for a token) */
	int role;             /* an AuthRole */
	char unit_code[65];   /* the unit the caller's role applies to (and below) */
	char *unit_name;      /* owned */
	char *unit_path;      /* ltree text of the unit, for subtree filters; owned */
} AuthCaller;

struct HttpRequest {
	Server *server;
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	struct evhttp_uri *uri; /* parsed request URI, owned */
	HttpMethod method;
	const char *path;  /* raw path, points into uri */
	const char *query; /* raw query string or NULL, points into uri */
	RouteMatch match;
	char id[HTTP_REQUEST_ID_SIZE]; /* request id, also sent as X-Request-Id */
	struct timespec started;
	DbJob *job;        /* the database job in flight, if any */
	HttpDbCallback db_cb;
	AuthCaller caller;
	HttpHandler auth_next; /* where auth_require continues */
	int auth_min_role;     /* the role it asked for */
	const struct Form *form;   /* set by versions_with */
	long long form_version;
	HttpHandler form_next;
	void *data;        /* handler state, freed with data_free when the request ends */
	void (*data_free)(void *data);
};

/* Applies limits and the dispatcher to a fresh evhttp: header and body
 * limits with lingering close, timeouts, allowed methods, default content
 * type.  Requests are routed through server->router. */
void http_setup(Server *server, struct evhttp *http);

/* The body size at which evhttp itself stops reading (a multiple of the
 * configured limit, at least 1 MiB, at most 64 MiB). */
long long body_hard_limit(long long limit);

/* Sends status with body (copied) and content_type, then ends the request.
 * HEAD requests get the headers only. */
void http_reply(HttpRequest *r, int status, const char *content_type, const char *body,
		size_t len);

/* Sends a JSON document and ends the request; takes ownership of json. */
void http_reply_json(HttpRequest *r, int status, cJSON *json);

/* Sends {"error": {"code": code, "message": message}} and ends the request.
 * For 503 a Retry-After header is added. */
void http_reply_error(HttpRequest *r, int status, const char *code, const char *message);
/* The same with "field": the input field at fault (omitted when NULL or ""). */
void http_reply_error_field(HttpRequest *r, int status, const char *code, const char *message,
			    const char *field);
/* Sends size bytes of the file fd (which is closed here) as the body; with
 * page true, the security headers of HTML pages too.  filename, when given,
 * makes it a download of that name. */
void http_reply_file(HttpRequest *r, int status, const char *content_type, int fd, long long size,
		     bool page, const char *filename);

/* A query-string parameter, decoded, copied into out; false when absent,
 * malformed or longer than cap - 1. */
bool http_query_param(HttpRequest *r, const char *name, char *out, size_t cap);
/* A whole-number query parameter; def when absent, -1 when malformed. */
long long http_query_number(HttpRequest *r, const char *name, long long def);
/* The same two over a query string's text (NULL: none): what the fuzz
 * targets reach without a request. */
bool http_query_value(const char *query, const char *name, char *out, size_t cap);
long long http_query_count(const char *query, const char *name, long long def);

/* Sends an HTML page (the Buf is freed here) with the security headers of
 * every page: the server's Content-Security-Policy, no framing, no referrer,
 * no caching (pages carry single-use submission ids).  Compressed with gzip
 * when the client accepts it.  A failed Buf becomes a 500. */
void http_reply_html(HttpRequest *r, int status, Buf *page);

/* Like http_reply_html, for a page given as pieces (copied): saves
 * assembling it first. */
void http_reply_html_parts(HttpRequest *r, int status, const char *const *parts,
			   const size_t *lens, int nparts);

/* A request header, or NULL. */
const char *http_request_header(HttpRequest *r, const char *name);

/* The request body as a contiguous block (not NUL-terminated); *len its size. */
const char *http_request_body(HttpRequest *r, size_t *len);

/* Adds a response header (copied). */
void http_add_header(HttpRequest *r, const char *name, const char *value);

/* Starts a database query for the request.  When the pool refuses it (queue
 * full, shutting down), replies 503 with Retry-After itself and returns false;
 * the handler must then not touch r again. */
bool http_db(HttpRequest *r, const DbQuery *query, HttpDbCallback cb)
	__attribute__((warn_unused_result));

/* Replies 503 (busy or unavailable) or 500 for a failed database result,
 * logging the database's message.  Refusals raised by our SQL functions
 * (SQLSTATE HL404, HL409, HL422) become that status with their message and
 * field. */
void http_reply_db_failure(HttpRequest *r, const DbResult *result);

#endif
