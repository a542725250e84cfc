/* /api/v1/: the JSON API for integrations and the staff pages. */
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "handlers.h"
#include "sql_text.h"

enum { AUDIT_PAGE_MAX = 200, AUDIT_PAGE_DEFAULT = 50 };

static void me(HttpRequest *r)
{
	cJSON *doc = cJSON_CreateObject(), *unit = cJSON_AddObjectToObject(doc, "unit");

	if (r->caller.account_id) {
		cJSON_AddStringToObject(doc, "kind", "session");
		cJSON_AddStringToObject(doc, "login", r->caller.login);
	} else {
		cJSON_AddStringToObject(doc, "kind", "api_token");
		cJSON_AddNumberToObject(doc, "token_id", (double)r->caller.token_id);
	}
	cJSON_AddStringToObject(doc, "role", auth_role_name((AuthRole)r->caller.role));
	if (unit) {
		cJSON_AddStringToObject(unit, "code", r->caller.unit_code);
		cJSON_AddStringToObject(unit, "name", r->caller.unit_name);
	}
	http_reply_json(r, 200, doc);
}

void handle_api_me(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, me);
}

static void unit_loaded(HttpRequest *r, const DbResult *result)
{
	const PGresult *res = result->res;
	cJSON *doc;

	if (result->status != DB_OK) {
		http_reply_db_failure(r, result);
		return;
	}
	if (PQntuples(res) != 1) {
		http_reply_error(r, 404, "not_found", "no such unit");
		return;
	}
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "code", PQgetvalue(res, 0, 0));
	cJSON_AddStringToObject(doc, "name", PQgetvalue(res, 0, 1));
	cJSON_AddStringToObject(doc, "kind", PQgetvalue(res, 0, 2));
	if (!PQgetisnull(res, 0, 3))
		cJSON_AddStringToObject(doc, "school_level", PQgetvalue(res, 0, 3));
	if (!PQgetisnull(res, 0, 4))
		cJSON_AddStringToObject(doc, "parent", PQgetvalue(res, 0, 4));
	cJSON_AddNumberToObject(doc, "children", atof(PQgetvalue(res, 0, 5)));
	http_reply_json(r, 200, doc);
}

static void unit(HttpRequest *r)
{
	const char *code = route_param(&r->match, "code");
	const char *params[2] = {code, r->caller.unit_path};
	DbQuery q = {.sql = SQL_API_UNIT, .nparams = 2, .values = params};

	if (!http_db(r, &q, unit_loaded))
		return;
}

void handle_api_unit(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, unit);
}

static void audit_loaded(HttpRequest *r, const DbResult *result)
{
	const PGresult *res = result->res;
	cJSON *doc, *items;
	int n;

	if (result->status != DB_OK) {
		http_reply_db_failure(r, result);
		return;
	}
	doc = cJSON_CreateObject();
	items = cJSON_AddArrayToObject(doc, "items");
	n = PQntuples(res);
	for (int i = 0; items && i < n; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "id", atof(PQgetvalue(res, i, 0)));
		cJSON_AddStringToObject(e, "at", PQgetvalue(res, i, 1));
		cJSON_AddStringToObject(e, "actor", PQgetvalue(res, i, 2));
		cJSON_AddStringToObject(e, "unit", PQgetvalue(res, i, 3));
		cJSON_AddStringToObject(e, "action", PQgetvalue(res, i, 4));
		cJSON_AddItemToObject(e, "detail", cJSON_Parse(PQgetvalue(res, i, 5)));
		cJSON_AddItemToArray(items, e);
	}
	/* Cursor pagination: pass next_before to get the following page. */
	if (n > 0)
		cJSON_AddNumberToObject(doc, "next_before", atof(PQgetvalue(res, n - 1, 0)));
	else
		cJSON_AddNullToObject(doc, "next_before");
	http_reply_json(r, 200, doc);
}

static void audit(HttpRequest *r)
{
	long long before = http_query_number(r, "before", 0),
		  limit = http_query_number(r, "limit", AUDIT_PAGE_DEFAULT);
	char before_text[24], limit_text[24];
	const char *params[7] = {r->caller.unit_path, before_text, limit_text, NULL, NULL, NULL, NULL};
	DbQuery q = {.sql = SQL_API_AUDIT, .nparams = 7, .values = params};

	if (before < 0 || limit < 1 || limit > AUDIT_PAGE_MAX) {
		http_reply_error(r, 400, "bad_request",
				 "before must be a whole number and limit from 1 to 200");
		return;
	}
	snprintf(before_text, sizeof before_text, "%lld", before);
	snprintf(limit_text, sizeof limit_text, "%lld", limit);
	if (!http_db(r, &q, audit_loaded))
		return;
}

void handle_api_audit(HttpRequest *r)
{
	auth_require(r, AUTH_ADMIN, audit);
}
