#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "log.h"
#include "server.h"
#include "sql_text.h"
#include "version.h"

/* Health checks must answer fast even when the configured query deadline is
 * long: a load balancer that waits 30 s for /healthz is not helped. */
enum { HEALTH_TIMEOUT_MS = 2000 };

static void healthz_done(HttpRequest *r, const DbResult *result)
{
	cJSON *doc;

	if (result->status != DB_OK) {
		const char *why = result->status == DB_ERR_QUERY && result->sqlstate &&
						  strcmp(result->sqlstate, "42P01") == 0
					  ? "not_migrated"
					  : db_status_name(result->status);
		log_msg(LOG_WARN, r->id, "health check failed: %s", result->message);
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "status", "unavailable");
		cJSON_AddStringToObject(doc, "database", why);
		cJSON_AddStringToObject(doc, "version", HAILONG_VERSION);
		http_add_header(r, "Retry-After", "2");
		http_reply_json(r, 503, doc);
		return;
	}
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "status", "ok");
	cJSON_AddStringToObject(doc, "database", "ok");
	cJSON_AddNumberToObject(doc, "schema_version",
				PQntuples(result->res) == 1
					? atoi(PQgetvalue(result->res, 0, 0))
					: 0);
	cJSON_AddStringToObject(doc, "version", HAILONG_VERSION);
	http_reply_json(r, 200, doc);
}

void handle_healthz(HttpRequest *r)
{
	DbQuery query = {.sql = SQL_HEALTH_SCHEMA_VERSION, .timeout_ms = HEALTH_TIMEOUT_MS};

	if (r->server->config->db_timeout_ms < HEALTH_TIMEOUT_MS)
		query.timeout_ms = (int)r->server->config->db_timeout_ms;
	if (!http_db(r, &query, healthz_done))
		return;
}
