#include "auth.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "log.h"
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
		http_reply_error(r, 403, "forbidden", "your role does not allow this action");
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
