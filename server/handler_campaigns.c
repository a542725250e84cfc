/*
 * /api/v1/campaigns: survey rounds through the API — list, create, read,
 * edit, close early, and batches of single-use slips.  The rules are the SQL
 * functions of sql/007, shared with the command line; the statements answer
 * with the round as JSON, passed through as it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "campaigns.h"
#include "handlers.h"
#include "sql_text.h"

enum { LIST_MAX = 500, LIST_DEFAULT = 100 };

typedef struct RoundCall {
	int status; /* on success */
	char actor[80];
	char code[16];
	char number[3][CAMPAIGN_NUMBER_MAX];
	CampaignParams params;
	cJSON *body;
} RoundCall;

static void round_call_free(void *arg)
{
	RoundCall *call = arg;

	cJSON_Delete(call->body);
	free(call);
}

static RoundCall *round_call(HttpRequest *r, int status)
{
	RoundCall *call = calloc(1, sizeof *call);

	if (!call) {
		http_reply_error(r, 503, "busy", "out of memory, please try again");
		return NULL;
	}
	call->status = status;
	auth_actor(r, call->actor, sizeof call->actor);
	{
		const char *code = route_param(&r->match, "code");
		snprintf(call->code, sizeof call->code, "%s", code ? code : "");
	}
	r->data = call;
	r->data_free = round_call_free;
	return call;
}

/* The statement's single JSON value, or 404 when there is none. */
static void answered(HttpRequest *r, const DbResult *result)
{
	RoundCall *call = r->data;
	const PGresult *res = result->res;

	if (result->status != DB_OK) {
		http_reply_db_failure(r, result);
		return;
	}
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		http_reply_error(r, 404, "not_found", "no such round or batch here");
		return;
	}
	http_reply(r, call->status, "application/json", PQgetvalue(res, 0, 0),
		   (size_t)PQgetlength(res, 0, 0));
}

static void run(HttpRequest *r, const char *sql, int nparams, const char *const *values)
{
	DbQuery q = {.sql = sql, .nparams = nparams, .values = values};

	if (!http_db(r, &q, answered))
		return;
}

/* The request's JSON object, or NULL after replying 415/400. */
static cJSON *json_body(HttpRequest *r)
{
	const char *type = http_request_header(r, "Content-Type");
	const char *body;
	size_t len;
	cJSON *doc;

	if (!type || strncasecmp(type, "application/json", 16) != 0) {
		http_reply_error(r, 415, "unsupported_media_type", "send application/json");
		return NULL;
	}
	body = http_request_body(r, &len);
	doc = body ? cJSON_ParseWithLength(body, len) : NULL;
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		http_reply_error(r, 400, "bad_request", "the body must be one JSON object");
		return NULL;
	}
	return doc;
}

/* Reads the round fields of body into spec (campaign_spec_from_json).
 * Replies 422 naming the field and returns false when it refuses. */
static bool read_spec(HttpRequest *r, RoundCall *call, const cJSON *body, bool creating,
		      CampaignSpec *spec)
{
	char message[160];
	const char *field = NULL;

	if (campaign_spec_from_json(body, creating, spec, call->number[0], message,
				    sizeof message, &field))
		return true;
	http_reply_error_field(r, 422, "invalid", message, field);
	return false;
}

/* Checks spec; replies 422 naming the field on a bad value. */
static bool check_spec(HttpRequest *r, RoundCall *call, const CampaignSpec *spec)
{
	char *err = NULL;

	if (campaign_check(spec, "", &call->params, &err))
		return true;
	if (err) {
		size_t field = strcspn(err, " :");
		char name[16];
		snprintf(name, sizeof name, "%.*s", (int)field, err);
		http_reply_error_field(r, 422, "invalid", err, name);
		free(err);
	} else {
		http_reply_error(r, 503, "busy", "out of memory, please try again");
	}
	return false;
}

/* POST (creating) or PATCH: the same fields, checked the same way. */
static void save_round(HttpRequest *r, bool creating)
{
	RoundCall *call = round_call(r, creating ? 201 : 200);
	CampaignSpec spec;
	CampaignParams *p;
	cJSON *body;

	/* json_body may reply, which frees call: keep the body in a local first. */
	if (!call || !(body = json_body(r)))
		return;
	call->body = body;
	if (!read_spec(r, call, body, creating, &spec) || !check_spec(r, call, &spec))
		return;
	p = &call->params;
	if (creating) {
		const char *values[11] = {call->actor, r->caller.unit_path, spec.org,  p->form,
					  p->title,    p->opens,	    p->closes, p->target,
					  p->mode,     p->kiosk,	    p->double_entry};
		run(r, SQL_CAMPAIGN_CREATE, 11, values);
	} else {
		const char *values[11] = {call->actor, r->caller.unit_path, call->code, p->title,
					  p->opens,    p->closes,	    p->target,  p->mode,
					  p->kiosk,    p->form,		    p->double_entry};
		run(r, SQL_CAMPAIGN_UPDATE, 11, values);
	}
}

static void create(HttpRequest *r)
{
	save_round(r, true);
}

void handle_api_campaign_create(HttpRequest *r)
{
	auth_require(r, AUTH_STAFF, create);
}

static void update(HttpRequest *r)
{
	save_round(r, false);
}

void handle_api_campaign_update(HttpRequest *r)
{
	auth_require(r, AUTH_STAFF, update);
}

static void close_round(HttpRequest *r)
{
	RoundCall *call = round_call(r, 200);

	if (call) {
		const char *values[3] = {call->actor, r->caller.unit_path, call->code};
		run(r, SQL_CAMPAIGN_CLOSE, 3, values);
	}
}

void handle_api_campaign_close(HttpRequest *r)
{
	auth_require(r, AUTH_STAFF, close_round);
}

static void get_round(HttpRequest *r)
{
	RoundCall *call = round_call(r, 200);

	if (call) {
		const char *values[2] = {call->code, r->caller.unit_path};
		run(r, SQL_CAMPAIGN_GET, 2, values);
	}
}

void handle_api_campaign_get(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, get_round);
}

static void list(HttpRequest *r)
{
	RoundCall *call = round_call(r, 200);
	char unit[72], state[16];
	bool has_unit = http_query_param(r, "unit", unit, sizeof unit);
	bool has_state = http_query_param(r, "state", state, sizeof state);
	long long limit = http_query_number(r, "limit", LIST_DEFAULT);

	if (!call)
		return;
	if (has_state && strcmp(state, "open") && strcmp(state, "upcoming") &&
	    strcmp(state, "closed")) {
		http_reply_error_field(r, 422, "invalid", "state: open, upcoming or closed", "state");
		return;
	}
	if (limit < 1 || limit > LIST_MAX) {
		http_reply_error_field(r, 422, "invalid", "limit: 1 to 500", "limit");
		return;
	}
	snprintf(call->number[0], sizeof call->number[0], "%lld", limit);
	{
		const char *values[4] = {r->caller.unit_path, has_unit ? unit : NULL,
					 has_state ? state : NULL, call->number[0]};
		run(r, SQL_CAMPAIGN_LIST, 4, values);
	}
}

void handle_api_campaign_list(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, list);
}

/* A JSON number field that must be a whole number in [1, max]; writes its
 * text into out.  Absent: out stays NULL when optional. */
static bool whole_field(HttpRequest *r, const cJSON *body, const char *name, long long max,
			bool required, char out[24], const char **value)
{
	const cJSON *field = cJSON_GetObjectItemCaseSensitive(body, name);
	char message[120];
	double v;

	*value = NULL;
	if (!field && !required)
		return true;
	v = cJSON_IsNumber(field) ? field->valuedouble : -1;
	/* The range first: converting 1e20 to an integer is undefined. */
	if (!(v >= 1 && v <= 1e9) || v != (double)(long long)v) {
		snprintf(message, sizeof message, "%s: a whole number from 1 to %lld", name, max);
		http_reply_error_field(r, 422, "invalid", message, name);
		return false;
	}
	/* Larger values go to the database, which says what the limit is for. */
	snprintf(out, 24, "%lld", (long long)v);
	*value = out;
	return true;
}

static void slips_create(HttpRequest *r)
{
	RoundCall *call = round_call(r, 200);
	const char *count, *batch;
	const cJSON *field;
	cJSON *body;

	if (!call || !(body = json_body(r)))
		return;
	call->body = body;
	cJSON_ArrayForEach(field, body)
	{
		if (strcmp(field->string, "count") && strcmp(field->string, "batch")) {
			char message[120];
			snprintf(message, sizeof message, "unknown field \"%.60s\"", field->string);
			http_reply_error_field(r, 422, "invalid", message, field->string);
			return;
		}
	}
	if (!whole_field(r, call->body, "count", 5000, true, call->number[0], &count) ||
	    !whole_field(r, call->body, "batch", 1000, false, call->number[1], &batch))
		return;
	{
		const char *values[5] = {call->actor, r->caller.unit_path, call->code, batch, count};
		run(r, SQL_SLIPS_CREATE, 5, values);
	}
}

void handle_api_slips_create(HttpRequest *r)
{
	auth_require(r, AUTH_STAFF, slips_create);
}

static void slips_get(HttpRequest *r)
{
	RoundCall *call = round_call(r, 200);
	long long batch = http_query_number(r, "batch", 1);

	if (!call)
		return;
	if (batch < 1 || batch > 1000) {
		http_reply_error_field(r, 422, "invalid", "batch: 1 to 1000", "batch");
		return;
	}
	snprintf(call->number[0], sizeof call->number[0], "%lld", batch);
	{
		const char *values[3] = {call->code, r->caller.unit_path, call->number[0]};
		run(r, SQL_SLIPS_GET, 3, values);
	}
}

void handle_api_slips_get(HttpRequest *r)
{
	auth_require(r, AUTH_STAFF, slips_get);
}
