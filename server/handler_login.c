/*
 * Staff sign-in: GET/POST /login, POST /logout, GET /staff.
 *
 * The password check (Argon2id, ~0.1 s and 64 MiB) runs on a worker thread,
 * never on the event loop.  An unknown login is checked against a dummy hash,
 * so it costs the same time and gets the same answer as a wrong password.
 * Attempts are limited per client address and per login name.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "auth.h"
#include "formdata.h"
#include "handlers.h"
#include "log.h"
#include "page.h"
#include "proxy.h"
#include "server.h"
#include "sql_text.h"
#include "token.h"

#include <event2/http.h>

enum {
	LOGIN_FORM_MAX_AGE = 3600,
	SESSION_SECONDS = 12 * 3600,
};

/* An Argon2id hash of a random password nobody knows. */
static const char DUMMY_HASH[] =
	"$argon2id$v=19$m=65536,t=2,p=1$Nhby+THLbdpniGViHyPhYw$"
	"JCfbMm1cXEl40U9eo05eBLWSOgP+dZAbRNglZ9FDsg0";

/* Shared with the worker thread: only these fields are touched there. */
typedef struct PasswordCheck {
	char hash[crypto_pwhash_STRBYTES];
	char *password;
	bool ok;
	bool ran;
	HttpRequest *r; /* NULL once the request has gone */
} PasswordCheck;

typedef struct Login {
	FormData data;
	char login[65];
	char next[AUTH_NEXT_MAX]; /* the staff page to return to, or "" */
	long long account_id;
	PasswordCheck *check;
} Login;

static void login_free(void *arg)
{
	Login *l = arg;

	if (l->check)
		l->check->r = NULL; /* the worker's done callback frees it */
	formdata_free(&l->data);
	free(l);
}

static void reply_login_page(HttpRequest *r, int status, const char *message,
			     const char *login_value, const char *next)
{
	SubmissionToken t;
	char nonce[TOKEN_TEXT_LEN + 1];
	Buf page;

	/* A signed, dated form token: a sign-in can only come from our page. */
	token_new(&t, 0, (long long)time(NULL));
	token_encode(r->server->secret, &t, nonce);
	buf_init(&page, 4096);
	page_login(&page, nonce, message, login_value, next);
	http_reply_html(r, status, &page);
}

static void show_login(HttpRequest *r)
{
	char next[AUTH_NEXT_MAX];

	/* Only a staff page: anything else would be an open redirect. */
	if (!http_query_param(r, "next", next, sizeof next) || !auth_next_valid(next))
		next[0] = '\0';
	reply_login_page(r, 200, NULL, "", next);
}

void handle_login_get(HttpRequest *r)
{
	auth_with_secret(r, show_login);
}

static void refuse(HttpRequest *r)
{
	Login *l = r->data;

	reply_login_page(r, 401, "Tên đăng nhập hoặc mật khẩu không đúng.", l->login, l->next);
}

static void session_made(HttpRequest *r, const DbResult *result)
{
	if (result->status != DB_OK || PQntuples(result->res) != 1) {
		http_reply_db_failure(r, result);
		return;
	}
	http_add_header(r, "Location", ((Login *)r->data)->next[0] ? ((Login *)r->data)->next
								   : "/staff");
	http_reply(r, 303, "text/plain; charset=utf-8", "", 0);
}

static void start_session(HttpRequest *r)
{
	Login *l = r->data;
	unsigned char raw[32], csrf_raw[16];
	char token[44], hash[65], csrf[33], account[24], cookie[160];
	const char *params[3] = {hash, account, csrf};
	DbQuery q = {.sql = SQL_SESSION_CREATE, .nparams = 3, .values = params};

	randombytes_buf(raw, sizeof raw);
	randombytes_buf(csrf_raw, sizeof csrf_raw);
	sodium_bin2base64(token, sizeof token, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_bin2hex(csrf, sizeof csrf, csrf_raw, sizeof csrf_raw);
	api_token_hash(token, hash);
	snprintf(account, sizeof account, "%lld", l->account_id);
	snprintf(cookie, sizeof cookie, SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; "
						       "SameSite=Lax%s",
		 token, SESSION_SECONDS,
		 strncmp(r->server->base_url, "https://", 8) == 0 ? "; Secure" : "");
	http_add_header(r, "Set-Cookie", cookie);
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(token, sizeof token);
	if (!http_db(r, &q, session_made))
		return;
}

static void check_password(void *arg)
{
	PasswordCheck *c = arg;

	c->ok = crypto_pwhash_str_verify(c->hash, c->password, strlen(c->password)) == 0;
	c->ran = true;
}

static void password_checked(void *arg)
{
	PasswordCheck *c = arg;
	HttpRequest *r = c->r;
	bool ok = c->ok && c->ran;

	sodium_memzero(c->password, strlen(c->password));
	free(c->password);
	free(c);
	if (!r)
		return; /* the client left meanwhile */
	((Login *)r->data)->check = NULL;
	if (!ok) {
		log_msg(LOG_INFO, r->id, "sign-in refused");
		refuse(r);
		return;
	}
	start_session(r);
}

static void account_found(HttpRequest *r, const DbResult *result)
{
	Login *l = r->data;
	const char *password = formdata_get(&l->data, "password");
	PasswordCheck *c;

	if (result->status != DB_OK) {
		http_reply_db_failure(r, result);
		return;
	}
	c = calloc(1, sizeof *c);
	if (!c || !(c->password = strdup(password ? password : ""))) {
		free(c);
		http_reply_error(r, 503, "busy", "out of memory");
		return;
	}
	if (PQntuples(result->res) == 1) {
		l->account_id = atoll(PQgetvalue(result->res, 0, 0));
		snprintf(c->hash, sizeof c->hash, "%s", PQgetvalue(result->res, 0, 1));
	} else {
		snprintf(c->hash, sizeof c->hash, "%s", DUMMY_HASH);
	}
	c->r = r;
	l->check = c;
	if (!workq_submit(r->server->workers, check_password, password_checked, c)) {
		l->check = NULL;
		free(c->password);
		free(c);
		http_reply_error(r, 503, "busy", "too many sign-ins at once, try again shortly");
	}
}

static bool limited(HttpRequest *r, RateLimit *limit, const char *key)
{
	struct timespec now;
	int retry = 1;
	char value[16];

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ratelimit_take(limit, key, strlen(key),
			   (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, &retry))
		return false;
	snprintf(value, sizeof value, "%d", retry);
	http_add_header(r, "Retry-After", value);
	reply_login_page(r, 429, "Quá nhiều lần đăng nhập. Vui lòng chờ một lát rồi thử lại.", "",
			 ((Login *)r->data)->next);
	return true;
}

static void login_post(HttpRequest *r)
{
	Login *l = calloc(1, sizeof *l);
	const char *why = NULL, *nonce, *login;
	size_t len;
	const char *body;
	SubmissionToken t;
	char client[PROXY_ADDR_MAX];
	long long now = (long long)time(NULL);
	const char *params[1];
	DbQuery q = {.sql = SQL_LOGIN_LOOKUP, .nparams = 1, .values = params};

	if (!l) {
		http_reply_error(r, 503, "busy", "out of memory");
		return;
	}
	r->data = l;
	r->data_free = login_free;
	if (proxy_request_client(r->server->trusted_proxies, r->req, r->conn, client) &&
	    limited(r, r->server->login_limit_client, client))
		return;
	body = http_request_body(r, &len);
	if (!formdata_parse(body, len, &l->data, &why)) {
		reply_login_page(r, 400, "Không đọc được dữ liệu gửi lên, vui lòng thử lại.", "", "");
		return;
	}
	if (formdata_get(&l->data, "next") && auth_next_valid(formdata_get(&l->data, "next")))
		snprintf(l->next, sizeof l->next, "%s", formdata_get(&l->data, "next"));
	nonce = formdata_get(&l->data, "f");
	if (!nonce || !token_decode(r->server->secret, nonce, &t) || t.campaign_id != 0 ||
	    t.issued_at > now + 300 || t.issued_at < now - LOGIN_FORM_MAX_AGE) {
		reply_login_page(r, 400, "Trang đăng nhập đã quá hạn, vui lòng đăng nhập lại.", "",
				 l->next);
		return;
	}
	login = formdata_get(&l->data, "login");
	if (!login || !*login || strlen(login) >= sizeof l->login) {
		refuse(r);
		return;
	}
	for (size_t i = 0; login[i]; i++)
		l->login[i] = (char)tolower((unsigned char)login[i]);
	if (limited(r, r->server->login_limit_name, l->login))
		return;
	params[0] = l->login;
	if (!http_db(r, &q, account_found))
		return;
}

void handle_login_post(HttpRequest *r)
{
	auth_with_secret(r, login_post);
}

static void logout(HttpRequest *r)
{
	FormData data = {0};
	const char *why = NULL, *body;
	size_t len;
	char session[64], hash[65];

	body = http_request_body(r, &len);
	if (!formdata_parse(body, len, &data, &why) ||
	    !auth_csrf_ok(r, formdata_get(&data, "csrf"))) {
		formdata_free(&data);
		http_reply_error(r, 403, "csrf", "the form's security token is missing or wrong");
		return;
	}
	formdata_free(&data);
	if (auth_session_cookie(r, session, sizeof session)) {
		const char *params[1] = {hash};
		DbQuery q = {.sql = SQL_SESSION_DELETE, .nparams = 1, .values = params};
		api_token_hash(session, hash);
		/* The reply does not wait for the row: the cookie goes now. */
		(void)db_submit(r->server->pool, &q, NULL, NULL, NULL);
	}
	http_add_header(r, "Set-Cookie", SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
	http_add_header(r, "Location", "/login");
	http_reply(r, 303, "text/plain; charset=utf-8", "", 0);
}

void handle_logout(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, logout);
}
