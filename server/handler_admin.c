/*
 * /staff/accounts, /staff/tokens, /staff/audit: the admins' pages.
 *
 * Every route lets any signed-in caller through auth_require and then asks
 * for the admin role itself, so that others get a Vietnamese 403 page rather
 * than the API's JSON.  Every statement is scoped by the caller's unit path
 * (sql_text.c SQL_ADMIN_*); an account or token outside the subtree is "not
 * found".  State changes are POSTs with the session's CSRF token, answered
 * with a redirect to the list (so Back and reload never send them again),
 * and write their audit row in the same statement that makes the change.
 * Creating accounts and tokens reuses the command line's statements and
 * rules (accounts.c), with the caller as actor and their subtree as scope.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "auth.h"
#include "formdata.h"
#include "handlers.h"
#include "log.h"
#include "page.h"
#include "page_admin.h"
#include "server.h"
#include "sql_text.h"
#include "workq.h"

enum { AUDIT_PAGE_SIZE = 50 };

typedef enum AdminList { LIST_ACCOUNTS, LIST_TOKENS } AdminList;

/* An Argon2id hash computed on a worker thread.  Shared with that thread:
 * only password, hash, ok and ran are touched there. */
typedef struct HashJob {
	char *password; /* owned, wiped */
	char hash[crypto_pwhash_STRBYTES];
	bool ok, ran;
	HttpRequest *r; /* NULL once the request has gone */
	HttpHandler next;
} HashJob;

typedef struct Admin {
	AdminList list;
	FormData data;
	AdminForm form;
	bool have_form;       /* render form (with its problems) */
	int status;           /* of the rendered list page */
	const char *notice;   /* points into notice_text or is static */
	char notice_text[200];
	PGresult *units;      /* copied, owned */
	char target[65];      /* the account of the route, or the token id */
	bool disable;         /* disable (true) or enable the target account */
	char login[65], role[16], unit[65];
	char nonce[33];
	char secret[API_TOKEN_TEXT_LEN + 1];
	char hash[crypto_pwhash_STRBYTES];
	char token_hash[65];
	char field_id[80];    /* the password field with a problem ("mk-LOGIN") */
	/* The audit filters as typed, and the dates as the database takes them. */
	char actor[81], action[41], from_text[16], to_text[16];
	char from[11], to[11];
	HashJob *job;
} Admin;

static void admin_free(void *arg)
{
	Admin *a = arg;

	if (a->job)
		a->job->r = NULL; /* its done callback frees it */
	PQclear(a->units);
	formdata_free(&a->data);
	sodium_memzero(a->secret, sizeof a->secret);
	sodium_memzero(a->hash, sizeof a->hash);
	free(a);
}

static void reply_message(HttpRequest *r, int status, const char *heading, const char *message,
			  const char *href, const char *back)
{
	Buf out;

	buf_init(&out, 4096);
	page_admin_message(&out, heading, message, href, back);
	http_reply_html(r, status, &out);
}

static void reply_busy(HttpRequest *r)
{
	reply_message(r, 503, "Hệ thống đang bận", "Hệ thống đang bận, vui lòng thử lại sau ít phút.",
		      "/staff", "Trang cán bộ");
}

static void reply_db_failure(HttpRequest *r, const DbResult *result)
{
	log_msg(LOG_WARN, r->id, "database %s: %s", db_status_name(result->status),
		result->message);
	reply_busy(r);
}

static void redirect(HttpRequest *r, const char *location)
{
	http_add_header(r, "Location", location);
	http_reply(r, 303, "text/plain; charset=utf-8", "", 0);
}

/* The request's state, or NULL (answered) when memory runs out or the
 * caller is no admin. */
static Admin *start(HttpRequest *r, AdminList list)
{
	Admin *a;

	if (r->caller.role < AUTH_ADMIN) {
		reply_message(r, 403, "Không có quyền",
			      "Trang này chỉ dành cho tài khoản quản trị. Nếu bạn cần làm việc này, "
			      "hãy liên hệ người quản trị của đơn vị.",
			      "/staff", "Trang cán bộ");
		return NULL;
	}
	a = calloc(1, sizeof *a);
	if (!a) {
		reply_busy(r);
		return NULL;
	}
	a->list = list;
	a->status = 200;
	r->data = a;
	r->data_free = admin_free;
	return a;
}

/* A posted admin form: parsed, CSRF checked.  False when answered. */
static bool posted_form(HttpRequest *r, Admin *a)
{
	const char *type = http_request_header(r, "Content-Type");
	const char *body, *why = NULL;
	size_t len;

	if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0) {
		reply_message(r, 415, "Yêu cầu không hợp lệ", "Hãy gửi từ trang của hailong.",
			      "/staff", "Trang cán bộ");
		return false;
	}
	body = http_request_body(r, &len);
	if (!formdata_parse(body, len, &a->data, &why)) {
		log_msg(LOG_INFO, r->id, "refused an admin form: %s", why);
		reply_message(r, 400, "Yêu cầu không hợp lệ", "Không đọc được nội dung gửi lên.",
			      "/staff", "Trang cán bộ");
		return false;
	}
	if (!auth_csrf_ok(r, formdata_get(&a->data, "csrf"))) {
		reply_message(r, 403, "Phiên làm việc đã thay đổi",
			      "Trang này đã cũ (phiên đăng nhập đã thay đổi), nên chưa có gì được "
			      "lưu. Hãy mở lại trang và làm lại.",
			      a->list == LIST_TOKENS ? "/staff/tokens" : "/staff/accounts",
			      "Mở lại trang");
		return false;
	}
	return true;
}

/* A form field with surrounding blanks dropped, copied into out; "" when
 * absent.  False when it does not fit. */
static bool field(const Admin *a, const char *name, char *out, size_t cap)
{
	const char *v = formdata_get(&a->data, name);
	size_t len;

	out[0] = '\0';
	if (!v)
		return true;
	while (*v == ' ' || *v == '\t')
		v++;
	len = strlen(v);
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (len >= cap)
		return false;
	memcpy(out, v, len);
	out[len] = '\0';
	return true;
}

/* ---- the list pages (accounts, tokens), also after a refused form ---- */

static void render_accounts(HttpRequest *r, const PGresult *accounts)
{
	Admin *a = r->data;
	AccountsPage page = {.login = r->caller.login,
			     .unit_code = r->caller.unit_code,
			     .csrf = r->caller.csrf,
			     .accounts = accounts,
			     .units = a->units,
			     .notice = a->notice,
			     .form = a->have_form ? &a->form : NULL,
			     .new_login = a->have_form && !a->form.account ? a->login : NULL,
			     .new_role = a->have_form && !a->form.account ? a->role : NULL,
			     .new_unit = a->have_form && !a->form.account ? a->unit : NULL};
	Buf out;

	buf_init(&out, 16 * 1024);
	page_accounts(&out, &page);
	http_reply_html(r, a->status, &out);
}

static void render_tokens(HttpRequest *r, const PGresult *tokens)
{
	Admin *a = r->data;
	unsigned char raw[16];
	TokensPage page = {.login = r->caller.login,
			   .unit_code = r->caller.unit_code,
			   .csrf = r->caller.csrf,
			   .nonce = a->nonce,
			   .tokens = tokens,
			   .units = a->units,
			   .notice = a->notice,
			   .form = a->have_form ? &a->form : NULL,
			   .new_name = a->have_form ? formdata_get(&a->data, "name") : NULL,
			   .new_role = a->have_form ? a->role : NULL,
			   .new_unit = a->have_form ? a->unit : NULL};
	Buf out;

	/* A fresh form value each time the form is shown: the secret of the
	 * token it creates is derived from it (see token_secret). */
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(a->nonce, sizeof a->nonce, raw, sizeof raw);
	buf_init(&out, 16 * 1024);
	page_tokens(&out, &page);
	http_reply_html(r, a->status, &out);
}

static void list_loaded(HttpRequest *r, const DbResult *result)
{
	Admin *a = r->data;

	if (result->status != DB_OK) {
		reply_db_failure(r, result);
		return;
	}
	if (a->list == LIST_ACCOUNTS)
		render_accounts(r, result->res);
	else
		render_tokens(r, result->res);
}

static void units_loaded(HttpRequest *r, const DbResult *result)
{
	Admin *a = r->data;
	const char *params[1] = {r->caller.unit_path};
	DbQuery q = {.sql = a->list == LIST_ACCOUNTS ? SQL_ADMIN_ACCOUNTS : SQL_ADMIN_TOKENS,
		     .nparams = 1,
		     .values = params};

	if (result->status != DB_OK) {
		reply_db_failure(r, result);
		return;
	}
	/* The pool frees its result when this returns; the page needs it later. */
	a->units = PQcopyResult(result->res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
	if (!a->units) {
		reply_busy(r);
		return;
	}
	if (!http_db(r, &q, list_loaded))
		return;
}

/* Renders the list page of a->list with status (after the units and the
 * list are read). */
static void show_list(HttpRequest *r, int status)
{
	Admin *a = r->data;
	const char *params[1] = {r->caller.unit_path};
	DbQuery q = {.sql = SQL_ADMIN_UNITS, .nparams = 1, .values = params};

	a->status = status;
	if (!http_db(r, &q, units_loaded))
		return;
}

/* The refused form again, with its problems, keeping what was typed. */
static void refuse_form(HttpRequest *r, int status)
{
	Admin *a = r->data;

	a->have_form = true;
	show_list(r, status);
}

/* The notice of a redirect after a change (?created=login …): only
 * well-formed values are shown, so a crafted link cannot put words on the
 * page. */
static void notice_from_query(HttpRequest *r)
{
	static const struct {
		const char *param, *before, *after;
	} notices[] = {
		{"created", "Đã tạo tài khoản ", "."},
		{"disabled", "Đã khóa tài khoản ",
		 ". Các phiên đăng nhập của tài khoản đã kết thúc."},
		{"enabled", "Đã mở khóa tài khoản ", "."},
		{"password", "Đã đặt mật khẩu mới cho ", "."},
		{"revoked", "Đã thu hồi khóa số ", ". Khóa không còn dùng được."},
	};
	Admin *a = r->data;
	char value[65];
	const char *why;

	for (size_t i = 0; i < sizeof notices / sizeof notices[0]; i++) {
		if (!http_query_param(r, notices[i].param, value, sizeof value))
			continue;
		if (strcmp(notices[i].param, "revoked") == 0) {
			if (!*value || strspn(value, "0123456789") != strlen(value))
				continue;
		} else if (!account_login_valid(value, &why)) {
			continue;
		}
		snprintf(a->notice_text, sizeof a->notice_text, "%s%s%s", notices[i].before, value,
			 notices[i].after);
		a->notice = a->notice_text;
		return;
	}
}

static void accounts_get(HttpRequest *r)
{
	if (!start(r, LIST_ACCOUNTS))
		return;
	notice_from_query(r);
	show_list(r, 200);
}

void handle_staff_accounts(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, accounts_get);
}

static void tokens_get(HttpRequest *r)
{
	if (!start(r, LIST_TOKENS))
		return;
	notice_from_query(r);
	show_list(r, 200);
}

void handle_staff_tokens(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, tokens_get);
}

/* ---- passwords: hashed off the event loop ---- */

static void hash_work(void *arg)
{
	HashJob *job = arg;

	job->ok = account_hash_password(job->password, job->hash);
	job->ran = true;
}

static void hash_done(void *arg)
{
	HashJob *job = arg;
	HttpRequest *r = job->r;
	bool ok = job->ok && job->ran;

	sodium_memzero(job->password, strlen(job->password));
	free(job->password);
	if (r) {
		Admin *a = r->data;
		a->job = NULL;
		memcpy(a->hash, job->hash, sizeof a->hash);
	}
	sodium_memzero(job->hash, sizeof job->hash);
	if (!r) {
		free(job);
		return; /* the client left meanwhile */
	}
	{
		HttpHandler next = job->next;
		free(job);
		if (!ok) {
			reply_busy(r);
			return;
		}
		next(r);
	}
}

/* Hashes password on a worker thread, then runs next(r) with the hash in
 * the request's Admin.  Answers 503 itself when the queue is full. */
static void hash_then(HttpRequest *r, const char *password, HttpHandler next)
{
	Admin *a = r->data;
	HashJob *job = calloc(1, sizeof *job);

	if (!job || !(job->password = strdup(password))) {
		free(job);
		reply_busy(r);
		return;
	}
	job->r = r;
	job->next = next;
	a->job = job;
	if (!workq_submit(r->server->workers, hash_work, hash_done, job)) {
		a->job = NULL;
		sodium_memzero(job->password, strlen(job->password));
		free(job->password);
		free(job);
		reply_busy(r);
	}
}

/* ---- POST /staff/accounts: a new account ---- */

static void account_why(HttpRequest *r, const DbResult *result)
{
	Admin *a = r->data;
	const PGresult *res = result->res;

	if (result->status != DB_OK || PQntuples(res) != 1) {
		reply_db_failure(r, result);
		return;
	}
	if (PQgetvalue(res, 0, 2)[0] == 't') {
		/* The same form again (a double click, a resend): the answer the
		 * first one got. */
		char location[128];
		snprintf(location, sizeof location, "/staff/accounts?created=%s", a->login);
		redirect(r, location);
		return;
	}
	if (PQgetvalue(res, 0, 1)[0] != 't')
		admin_form_error(&a->form, "tk-unit", "Không có đơn vị nào mang mã này trong phạm vi "
						      "đơn vị của bạn.");
	if (PQgetvalue(res, 0, 0)[0] == 't')
		admin_form_error(&a->form, "tk-login", "Tên đăng nhập này đã có người dùng. Hãy "
						       "chọn tên khác.");
	if (a->form.nerrors == 0) /* a race: added meanwhile and gone again */
		admin_form_error(&a->form, "tk-login", "Chưa tạo được tài khoản. Hãy thử lại.");
	refuse_form(r, 409);
}

static void account_added(HttpRequest *r, const DbResult *result)
{
	Admin *a = r->data;
	char location[128];

	if (result->status != DB_OK) {
		reply_db_failure(r, result);
		return;
	}
	if (PQntuples(result->res) == 0) {
		char actor[80];
		const char *params[5] = {a->login, a->unit, r->caller.unit_path, actor, a->role};
		DbQuery q = {.sql = SQL_ADMIN_ACCOUNT_WHY, .nparams = 5, .values = params};
		auth_actor(r, actor, sizeof actor);
		if (!http_db(r, &q, account_why))
			return;
		return;
	}
	log_msg(LOG_INFO, r->id, "account %s added (%s of %s)", a->login, a->role, a->unit);
	snprintf(location, sizeof location, "/staff/accounts?created=%s", a->login);
	redirect(r, location);
}

static void account_hashed(HttpRequest *r)
{
	Admin *a = r->data;
	char actor[80];
	const char *params[6] = {a->login, a->unit, a->role, a->hash, actor, r->caller.unit_path};
	DbQuery q = {.sql = SQL_ACCOUNT_ADD, .nparams = 6, .values = params};

	auth_actor(r, actor, sizeof actor);
	if (!http_db(r, &q, account_added))
		return;
}

/* The role asked for, checked: a known one, and not above the caller's. */
static void check_role(HttpRequest *r, Admin *a, const char *field_id)
{
	if (!account_role_valid(a->role))
		admin_form_error(&a->form, field_id, "Hãy chọn một vai trò.");
	else if ((int)auth_role_parse(a->role) > r->caller.role)
		admin_form_error(&a->form, field_id, "Bạn không thể cấp vai trò cao hơn vai trò của "
						     "mình.");
}

static void account_create(HttpRequest *r)
{
	Admin *a = start(r, LIST_ACCOUNTS);
	const char *password, *why = NULL;

	if (!a || !posted_form(r, a))
		return;
	password = formdata_get(&a->data, "password");
	/* Logins are lower case; sign-in lower-cases what is typed too. */
	bool fits = field(a, "login", a->login, sizeof a->login);
	for (char *p = a->login; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!fits || !account_login_valid(a->login, &why)) {
		admin_form_error(&a->form, "tk-login", "Tên đăng nhập có 3–64 ký tự: chữ thường "
						       "không dấu, số, “.”, “_”, “-”, bắt đầu bằng "
						       "chữ hoặc số.");
	}
	if (!field(a, "role", a->role, sizeof a->role))
		a->role[0] = '\0';
	check_role(r, a, "tk-role");
	if (!field(a, "unit", a->unit, sizeof a->unit) || !a->unit[0])
		admin_form_error(&a->form, "tk-unit", "Hãy nhập mã đơn vị.");
	if (!password || !account_password_valid(password))
		admin_form_error(&a->form, "tk-password", "Mật khẩu cần ít nhất 10 ký tự.");
	if (a->form.nerrors) {
		refuse_form(r, 422);
		return;
	}
	hash_then(r, password, account_hashed);
}

void handle_staff_account_create(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, account_create);
}

/* ---- POST /staff/accounts/{login}/disable|enable ---- */

/* "No such account here": for a login outside the caller's subtree too,
 * so that a 404 tells nothing about other schools' accounts. */
static void reply_no_account(HttpRequest *r)
{
	reply_message(r, 404, "Không tìm thấy", "Không có tài khoản này trong phạm vi đơn vị của bạn.",
		      "/staff/accounts", "Danh sách tài khoản");
}

/* An account statement's answer: back to the list, saying what was done
 * (a second click or a resend gets the same answer). */
static void account_changed(HttpRequest *r, const DbResult *result, const char *what)
{
	Admin *a = r->data;
	char location[128];

	if (result->status != DB_OK) {
		reply_db_failure(r, result);
		return;
	}
	if (PQntuples(result->res) != 1) {
		reply_no_account(r);
		return;
	}
	snprintf(location, sizeof location, "/staff/accounts?%s=%s", what, a->target);
	redirect(r, location);
}

static void state_changed(HttpRequest *r, const DbResult *result)
{
	account_changed(r, result, ((Admin *)r->data)->disable ? "disabled" : "enabled");
}

/* The account named by the route, checked; false when answered. */
static bool route_account(HttpRequest *r, Admin *a)
{
	const char *login = route_param(&r->match, "login"), *why = NULL;

	if (!login || strlen(login) >= sizeof a->target || !account_login_valid(login, &why)) {
		reply_no_account(r);
		return false;
	}
	snprintf(a->target, sizeof a->target, "%s", login);
	return true;
}

static void change_state(HttpRequest *r, bool disable)
{
	Admin *a = start(r, LIST_ACCOUNTS);
	char actor[80];
	const char *params[4] = {NULL, NULL, actor, disable ? "t" : "f"};
	DbQuery q = {.sql = SQL_ADMIN_ACCOUNT_STATE, .nparams = 4, .values = params};

	if (!a || !posted_form(r, a) || !route_account(r, a))
		return;
	params[1] = r->caller.unit_path;
	if (disable && strcmp(a->target, r->caller.login) == 0) {
		reply_message(r, 409, "Không tự khóa được",
			      "Bạn không thể tự khóa tài khoản của mình. Hãy nhờ một người quản trị "
			      "khác.",
			      "/staff/accounts", "Danh sách tài khoản");
		return;
	}
	a->disable = disable;
	auth_actor(r, actor, sizeof actor);
	params[0] = a->target;
	if (!http_db(r, &q, state_changed))
		return;
}

static void account_disable(HttpRequest *r)
{
	change_state(r, true);
}

static void account_enable(HttpRequest *r)
{
	change_state(r, false);
}

void handle_staff_account_disable(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, account_disable);
}

void handle_staff_account_enable(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, account_enable);
}

/* ---- POST /staff/accounts/{login}/password ---- */

static void password_set(HttpRequest *r, const DbResult *result)
{
	account_changed(r, result, "password");
}

static void password_hashed(HttpRequest *r)
{
	Admin *a = r->data;
	char actor[80], account[24];
	const char *params[5] = {a->target, r->caller.unit_path, actor, a->hash, account};
	DbQuery q = {.sql = SQL_ADMIN_ACCOUNT_PASSWORD, .nparams = 5, .values = params};

	auth_actor(r, actor, sizeof actor);
	snprintf(account, sizeof account, "%lld", r->caller.account_id);
	if (!http_db(r, &q, password_set))
		return;
}

static void account_password(HttpRequest *r)
{
	Admin *a = start(r, LIST_ACCOUNTS);
	const char *password;

	if (!a || !posted_form(r, a) || !route_account(r, a))
		return;
	password = formdata_get(&a->data, "password");
	if (!password || !account_password_valid(password)) {
		snprintf(a->field_id, sizeof a->field_id, "mk-%s", a->target);
		a->form.account = a->target;
		admin_form_error(&a->form, a->field_id, "Mật khẩu mới cần ít nhất 10 ký tự.");
		refuse_form(r, 422);
		return;
	}
	hash_then(r, password, password_hashed);
}

void handle_staff_account_password(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, account_password);
}

/* ---- POST /staff/tokens: a new token, its secret shown once ---- */

/* The secret of the token a create form makes: derived (HMAC under the
 * installation secret) from the form's one-time value and the session, so
 * that the same form sent twice (a double click, a resend after a lost
 * answer) names the same token instead of making a second one whose secret
 * nobody saw.  Only its hash is stored; the form value is stored nowhere. */
static void token_secret(HttpRequest *r, Admin *a)
{
	unsigned char raw[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char who[32];

	snprintf(who, sizeof who, "%lld/%lld", r->caller.account_id, r->caller.token_id);
	crypto_auth_hmacsha256_init(&st, r->server->secret, TOKEN_KEY_BYTES);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"api-token-form", 14);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)who, strlen(who) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)r->caller.csrf,
				      strlen(r->caller.csrf) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)a->nonce, strlen(a->nonce));
	crypto_auth_hmacsha256_final(&st, raw);
	api_token_text(raw, a->secret);
	api_token_hash(a->secret, a->token_hash);
	sodium_memzero(raw, sizeof raw);
}

static void show_secret(HttpRequest *r)
{
	Admin *a = r->data;
	Buf out;

	buf_init(&out, 8192);
	page_token_created(&out, r->caller.login, formdata_get(&a->data, "name"), a->role, a->unit,
			   a->secret);
	http_reply_html(r, 200, &out);
}

static void token_again(HttpRequest *r, const DbResult *result)
{
	Admin *a = r->data;
	const PGresult *res = result->res;

	if (result->status != DB_OK) {
		reply_db_failure(r, result);
		return;
	}
	if (PQntuples(res) == 0) {
		admin_form_error(&a->form, "kh-unit", "Không có đơn vị nào mang mã này trong phạm vi "
						      "đơn vị của bạn.");
		refuse_form(r, 422);
		return;
	}
	if (PQgetvalue(res, 0, 1)[0] == 't') {
		/* The same form again within a moment: the page the first click
		 * would have shown. */
		show_secret(r);
		return;
	}
	reply_message(r, 409, "Khóa đã được tạo",
		      "Khóa của biểu mẫu này đã được tạo trước đó. Mã bí mật chỉ hiện một lần nên "
		      "không hiện lại được; nếu chưa chép được, hãy thu hồi khóa đó và tạo khóa mới.",
		      "/staff/tokens", "Danh sách khóa API");
}

static void token_made(HttpRequest *r, const DbResult *result)
{
	Admin *a = r->data;

	if (result->status != DB_OK) {
		reply_db_failure(r, result);
		return;
	}
	if (PQntuples(result->res) == 0) {
		const char *params[2] = {a->token_hash, r->caller.unit_path};
		DbQuery q = {.sql = SQL_ADMIN_TOKEN_AGAIN, .nparams = 2, .values = params};
		if (!http_db(r, &q, token_again))
			return;
		return;
	}
	/* The id, never the secret, goes to the log. */
	log_msg(LOG_INFO, r->id, "api token %s created (%s of %s)", PQgetvalue(result->res, 0, 0),
		a->role, a->unit);
	show_secret(r);
}

static void token_create_with_secret(HttpRequest *r)
{
	Admin *a = r->data;
	char actor[80];
	const char *params[6] = {formdata_get(&a->data, "name"), a->token_hash, a->unit, a->role,
				 actor, r->caller.unit_path};
	DbQuery q = {.sql = SQL_TOKEN_CREATE, .nparams = 6, .values = params};

	token_secret(r, a);
	auth_actor(r, actor, sizeof actor);
	if (!http_db(r, &q, token_made))
		return;
}

static void token_create(HttpRequest *r)
{
	Admin *a = start(r, LIST_TOKENS);
	const char *name;

	if (!a || !posted_form(r, a))
		return;
	name = formdata_get(&a->data, "name");
	if (!field(a, "nonce", a->nonce, sizeof a->nonce) || strlen(a->nonce) != 32 ||
	    strspn(a->nonce, "0123456789abcdef") != 32) {
		reply_message(r, 400, "Yêu cầu không hợp lệ",
			      "Biểu mẫu này không đến từ trang của hailong. Hãy mở lại trang và làm "
			      "lại.",
			      "/staff/tokens", "Danh sách khóa API");
		return;
	}
	if (!name || !api_token_name_valid(name))
		admin_form_error(&a->form, "kh-name", "Hãy đặt tên cho khóa (tối đa 200 ký tự), ví "
						      "dụ “Cổng thông tin của Sở”.");
	if (!field(a, "role", a->role, sizeof a->role))
		a->role[0] = '\0';
	check_role(r, a, "kh-role");
	if (!field(a, "unit", a->unit, sizeof a->unit) || !a->unit[0])
		admin_form_error(&a->form, "kh-unit", "Hãy nhập mã đơn vị.");
	if (a->form.nerrors) {
		refuse_form(r, 422);
		return;
	}
	auth_with_secret(r, token_create_with_secret);
}

void handle_staff_token_create(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, token_create);
}

/* ---- POST /staff/tokens/{id}/revoke ---- */

static void revoke_redirect(HttpRequest *r)
{
	Admin *a = r->data;
	char location[128];

	snprintf(location, sizeof location, "/staff/tokens?revoked=%s", a->target);
	redirect(r, location);
}

static void reply_token_not_found(HttpRequest *r)
{
	reply_message(r, 404, "Không tìm thấy", "Không có khóa này trong phạm vi đơn vị của bạn.",
		      "/staff/tokens", "Danh sách khóa API");
}

static void token_in_scope(HttpRequest *r, const DbResult *result)
{
	if (result->status != DB_OK) {
		reply_db_failure(r, result);
		return;
	}
	/* Revoked already (a second click): the same answer as the first. */
	if (PQntuples(result->res) == 1)
		revoke_redirect(r);
	else
		reply_token_not_found(r);
}

static void token_revoked(HttpRequest *r, const DbResult *result)
{
	Admin *a = r->data;

	if (result->status != DB_OK) {
		reply_db_failure(r, result);
		return;
	}
	if (PQntuples(result->res) == 0) {
		const char *params[2] = {a->target, r->caller.unit_path};
		DbQuery q = {.sql = SQL_ADMIN_TOKEN_IN_SCOPE, .nparams = 2, .values = params};
		if (!http_db(r, &q, token_in_scope))
			return;
		return;
	}
	log_msg(LOG_INFO, r->id, "api token %s revoked", a->target);
	revoke_redirect(r);
}

static void token_revoke(HttpRequest *r)
{
	Admin *a = start(r, LIST_TOKENS);
	const char *id;
	char actor[80];
	const char *params[3] = {NULL, actor, NULL};
	DbQuery q = {.sql = SQL_TOKEN_REVOKE, .nparams = 3, .values = params};

	if (!a || !posted_form(r, a))
		return;
	id = route_param(&r->match, "id");
	params[2] = r->caller.unit_path;
	if (!id || !*id || strlen(id) > 18 || strspn(id, "0123456789") != strlen(id)) {
		reply_token_not_found(r);
		return;
	}
	snprintf(a->target, sizeof a->target, "%s", id);
	auth_actor(r, actor, sizeof actor);
	params[0] = a->target;
	if (!http_db(r, &q, token_revoked))
		return;
}

void handle_staff_token_revoke(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, token_revoke);
}

/* ---- GET /staff/audit ---- */

static void render_audit(HttpRequest *r, const PGresult *rows, int status)
{
	Admin *a = r->data;
	AuditPage page = {.login = r->caller.login,
			  .rows = rows,
			  .limit = AUDIT_PAGE_SIZE,
			  .actor = a->actor,
			  .action = a->action,
			  .from = a->from_text,
			  .to = a->to_text,
			  .form = a->form.nerrors ? &a->form : NULL};
	Buf out;

	buf_init(&out, 32 * 1024);
	page_audit(&out, &page);
	http_reply_html(r, status, &out);
}

static void audit_loaded(HttpRequest *r, const DbResult *result)
{
	if (result->status != DB_OK) {
		reply_db_failure(r, result);
		return;
	}
	render_audit(r, result->res, 200);
}

static void audit_get(HttpRequest *r)
{
	/* start() ends the request when it refuses: r is read only after it. */
	Admin *a = start(r, LIST_ACCOUNTS);
	long long before;
	char before_text[24], limit_text[16];
	const char *params[7] = {NULL, before_text, limit_text};
	DbQuery q = {.sql = SQL_API_AUDIT, .nparams = 7, .values = params};

	if (!a)
		return;
	before = http_query_number(r, "before", 0);
	params[0] = r->caller.unit_path;
	/* An absent or over-long value is no filter; the form shows what is used. */
	if (!http_query_param(r, "actor", a->actor, sizeof a->actor))
		a->actor[0] = '\0';
	if (!http_query_param(r, "action", a->action, sizeof a->action))
		a->action[0] = '\0';
	if (!http_query_param(r, "from", a->from_text, sizeof a->from_text))
		a->from_text[0] = '\0';
	if (!http_query_param(r, "to", a->to_text, sizeof a->to_text))
		a->to_text[0] = '\0';
	if (a->from_text[0] && !page_parse_date(a->from_text, a->from))
		admin_form_error(&a->form, "nk-from", "“Từ ngày” phải là một ngày dạng dd/mm/yyyy, "
						      "ví dụ 05/09/2026.");
	if (a->to_text[0] && !page_parse_date(a->to_text, a->to))
		admin_form_error(&a->form, "nk-to", "“Đến ngày” phải là một ngày dạng dd/mm/yyyy, "
						    "ví dụ 30/09/2026.");
	if (a->form.nerrors) {
		render_audit(r, NULL, 422);
		return;
	}
	if (before < 0)
		before = 0;
	snprintf(before_text, sizeof before_text, "%lld", before);
	snprintf(limit_text, sizeof limit_text, "%d", AUDIT_PAGE_SIZE);
	params[3] = a->actor[0] ? a->actor : NULL;
	params[4] = a->action[0] ? a->action : NULL;
	params[5] = a->from[0] ? a->from : NULL;
	params[6] = a->to[0] ? a->to : NULL;
	if (!http_db(r, &q, audit_loaded))
		return;
}

void handle_staff_audit(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, audit_get);
}
