#include "auth.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <strings.h>

#include <event2/http.h>

#include "accounts.h"
#include "log.h"
#include "page_staff.h"
#include "server.h"
#include "sql_text.h"

AuthRole auth_role_parse(const char *name)
{
	if (strcmp(name, "admin") == 0)
		return AUTH_ADMIN;
	if (strcmp(name, "staff") == 0)
		return AUTH_STAFF;
	if (strcmp(name, "viewer") == 0)
		return AUTH_VIEWER;
	return 0;
}

const char *auth_role_name(AuthRole role)
{
	return role == AUTH_ADMIN ? "admin" : role == AUTH_STAFF ? "staff" : "viewer";
}

static void unauthorized(HttpRequest *r, const char *code, const char *message)
{
	http_add_header(r, "WWW-Authenticate",
			strcmp(code, "unauthorized") == 0
				? "Bearer realm=\"hailong\""
				: "Bearer realm=\"hailong\", error=\"invalid_token\"");
	http_reply_error(r, 401, code, message);
}

static bool token_shaped(const char *t)
{
	size_t len = strlen(t);

	if (len != API_TOKEN_TEXT_LEN || strncmp(t, API_TOKEN_PREFIX, 3) != 0)
		return false;
	for (const char *p = t + 3; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

/* Staff pages send people to the sign-in page; the API answers 401. */
static bool wants_html(const HttpRequest *r)
{
	return strncmp(r->path, "/api/", 5) != 0;
}

bool auth_next_valid(const char *next)
{
	size_t len = next ? strlen(next) : 0;

	if (len < 6 || len >= AUTH_NEXT_MAX || strncmp(next, "/staff", 6) != 0 ||
	    (next[6] != '\0' && next[6] != '/' && next[6] != '?') || strstr(next, "//") ||
	    strstr(next, ".."))
		return false;
	for (const char *p = next; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/._~-?=&%+", *p))
			return false;
	return true;
}

/* The page to come back to after signing in: the page asked for, or, for a
 * form sent after the session ended, the nearest page above the form's
 * address (POST /staff/accounts/x/disable → /staff/accounts; a new round's
 * form, POST /staff/rounds, is at /staff/rounds/new), where the page's
 * script refills what was typed.  Empty when that is /staff itself (where
 * sign-in leads anyway) or there is none. */
static void next_page(HttpRequest *r, char *out, size_t cap)
{
	RouteMatch match;
	size_t len;

	out[0] = '\0';
	if (r->method == HTTP_GET || r->method == HTTP_HEAD) {
		snprintf(out, cap, "%s%s%s", r->path, r->query ? "?" : "", r->query ? r->query : "");
	} else if (strcmp(r->path, "/staff/rounds") == 0) {
		snprintf(out, cap, "/staff/rounds/new");
	} else {
		snprintf(out, cap, "%s", r->path);
		while ((len = strlen(out)) > 1 &&
		       router_match(r->server->router, HTTP_GET, out, &match) != ROUTE_FOUND) {
			char *slash = strrchr(out, '/');
			if (!slash || slash == out) {
				out[0] = '\0';
				break;
			}
			*slash = '\0';
		}
	}
	if (strcmp(out, "/staff") == 0 || !auth_next_valid(out))
		out[0] = '\0';
}

static void sign_in_first(HttpRequest *r)
{
	char next[AUTH_NEXT_MAX], location[AUTH_NEXT_MAX * 3 + 16];
	size_t n;

	next_page(r, next, sizeof next);
	n = (size_t)snprintf(location, sizeof location, "/login%s", next[0] ? "?next=" : "");
	/* The query's own separators are escaped so that it stays one value. */
	for (const char *p = next; *p && n + 4 < sizeof location; p++)
		n += (size_t)(strchr("?&=%+", *p) ? snprintf(location + n, sizeof location - n,
							      "%%%02X", (unsigned char)*p)
						   : snprintf(location + n, sizeof location - n, "%c",
							      *p));
	http_add_header(r, "Location", location);
	http_reply(r, 303, "text/plain; charset=utf-8", "", 0);
}

/* A role too low: staff pages say so in Vietnamese, the API in JSON. */
static void forbidden(HttpRequest *r)
{
	Buf out;

	if (!wants_html(r)) {
		http_reply_error(r, 403, "forbidden", "your role does not allow this action");
		return;
	}
	buf_init(&out, 2048);
	page_staff_message(&out, "Không có quyền",
			   "Vai trò của bạn không được làm việc này. Nếu cần, hãy nhờ người quản "
			   "trị của đơn vị cấp quyền.",
			   NULL);
	http_reply_html(r, 403, &out);
}

bool auth_cookie_session(const char *cookie, char *out, size_t cap)
{
	const char *p = cookie;
	size_t len;

	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, SESSION_COOKIE "=", sizeof SESSION_COOKIE) == 0) {
			p += sizeof SESSION_COOKIE;
			len = strcspn(p, "; ");
			if (len != 43 || len + 1 > cap)
				return false;
			for (size_t i = 0; i < len; i++)
				if (!isalnum((unsigned char)p[i]) && p[i] != '-' && p[i] != '_')
					return false;
			memcpy(out, p, len);
			out[len] = '\0';
			return true;
		}
		p = strchr(p, ';');
	}
	return false;
}

bool auth_session_cookie(HttpRequest *r, char *out, size_t cap)
{
	return auth_cookie_session(http_request_header(r, "Cookie"), out, cap);
}

bool auth_csrf_ok(const HttpRequest *r, const char *submitted)
{
	size_t len = strlen(r->caller.csrf);

	if (r->caller.token_id)
		return true;
	return len > 0 && submitted && strlen(submitted) == len &&
	       sodium_memcmp(submitted, r->caller.csrf, len) == 0;
}

static void session_checked(HttpRequest *r, const DbResult *result)
{
	const PGresult *res = result->res;

	if (result->status != DB_OK) {
		http_reply_db_failure(r, result);
		return;
	}
	if (PQntuples(res) != 1) {
		/* Expired or signed out: the cookie is dropped on the way. */
		http_add_header(r, "Set-Cookie", SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; "
						     "SameSite=Lax");
		if (wants_html(r))
			sign_in_first(r);
		else
			unauthorized(r, "unauthorized", "the session has expired: sign in again");
		return;
	}
	r->caller.known = true;
	r->caller.account_id = atoll(PQgetvalue(res, 0, 0));
	r->caller.role = auth_role_parse(PQgetvalue(res, 0, 1));
	snprintf(r->caller.unit_code, sizeof r->caller.unit_code, "%s", PQgetvalue(res, 0, 2));
	r->caller.unit_name = strdup(PQgetvalue(res, 0, 3));
	r->caller.unit_path = strdup(PQgetvalue(res, 0, 4));
	snprintf(r->caller.login, sizeof r->caller.login, "%s", PQgetvalue(res, 0, 5));
	snprintf(r->caller.csrf, sizeof r->caller.csrf, "%s", PQgetvalue(res, 0, 6));
	if (!r->caller.unit_name || !r->caller.unit_path) {
		http_reply_error(r, 503, "busy", "out of memory");
		return;
	}
	if (r->caller.role < r->auth_min_role) {
		forbidden(r);
		return;
	}
	r->auth_next(r);
}

static void secret_ready(HttpRequest *r, const DbResult *result)
{
	if (result->status != DB_OK) {
		http_reply_db_failure(r, result);
		return;
	}
	if (PQntuples(result->res) != 1 || PQgetlength(result->res, 0, 0) != TOKEN_KEY_BYTES) {
		http_reply_error(r, 503, "unavailable", "the installation secret is missing");
		return;
	}
	memcpy(r->server->secret, PQgetvalue(result->res, 0, 0), TOKEN_KEY_BYTES);
	r->server->have_secret = true;
	r->auth_next(r);
}

void auth_with_secret(HttpRequest *r, HttpHandler next)
{
	DbQuery q = {.sql = SQL_SECRET, .result_format = 1};

	if (r->server->have_secret) {
		next(r);
		return;
	}
	r->auth_next = next;
	if (!http_db(r, &q, secret_ready))
		return;
}

static void token_checked(HttpRequest *r, const DbResult *result)
{
	const PGresult *res = result->res;
	AuthRole role;

	if (result->status != DB_OK) {
		http_reply_db_failure(r, result);
		return;
	}
	if (PQntuples(res) != 1) {
		log_msg(LOG_INFO, r->id, "refused an unknown or revoked API token");
		unauthorized(r, "invalid_token", "the token is unknown or revoked");
		return;
	}
	role = auth_role_parse(PQgetvalue(res, 0, 1));
	r->caller.known = true;
	r->caller.token_id = atoll(PQgetvalue(res, 0, 0));
	r->caller.role = role;
	snprintf(r->caller.unit_code, sizeof r->caller.unit_code, "%s", PQgetvalue(res, 0, 2));
	r->caller.unit_name = strdup(PQgetvalue(res, 0, 3));
	r->caller.unit_path = strdup(PQgetvalue(res, 0, 4));
	if (!r->caller.unit_name || !r->caller.unit_path) {
		http_reply_error(r, 503, "busy", "out of memory");
		return;
	}
	if ((int)role < r->auth_min_role) {
		forbidden(r);
		return;
	}
	r->auth_next(r);
}

void auth_require(HttpRequest *r, AuthRole min_role, HttpHandler next)
{
	const char *header = http_request_header(r, "Authorization");
	const char *token;
	char hash[65];
	const char *params[1] = {hash};
	DbQuery q = {.sql = SQL_TOKEN_AUTH, .nparams = 1, .values = params};

	if (!header) {
		char session[64];
		if (auth_session_cookie(r, session, sizeof session)) {
			char session_hash[65];
			const char *sparams[1] = {session_hash};
			DbQuery sq = {.sql = SQL_SESSION_AUTH, .nparams = 1, .values = sparams};
			api_token_hash(session, session_hash);
			r->auth_next = next;
			r->auth_min_role = (int)min_role;
			if (!http_db(r, &sq, session_checked))
				return;
			return;
		}
		if (wants_html(r)) {
			sign_in_first(r);
			return;
		}
		unauthorized(r, "unauthorized", "authentication required: send an API token as "
						"\"Authorization: Bearer hl_…\"");
		return;
	}
	if (strncasecmp(header, "Bearer ", 7) != 0) {
		unauthorized(r, "invalid_token", "only Bearer tokens are accepted");
		return;
	}
	token = header + 7;
	while (*token == ' ')
		token++;
	if (!token_shaped(token)) {
		unauthorized(r, "invalid_token", "malformed bearer token");
		return;
	}
	api_token_hash(token, hash);
	r->auth_next = next;
	r->auth_min_role = (int)min_role;
	if (!http_db(r, &q, token_checked))
		return;
}

void auth_actor(const HttpRequest *r, char *out, size_t cap)
{
	if (r->caller.account_id)
		snprintf(out, cap, "%s", r->caller.login);
	else
		snprintf(out, cap, "token:%lld", r->caller.token_id);
}
