/* /api/v1/: the JSON API for integrations and the staff pages. */
#include "auth.h"
#include "handlers.h"

static void me(HttpRequest *r)
{
	cJSON *doc = cJSON_CreateObject(), *unit = cJSON_AddObjectToObject(doc, "unit");

	cJSON_AddStringToObject(doc, "kind", "api_token");
	cJSON_AddNumberToObject(doc, "token_id", (double)r->caller.token_id);
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
