#include "jsonpath.h"

#include <stdio.h>
#include <string.h>

const cJSON *json_at(const cJSON *doc, const char *path)
{
	char key[64];
	const char *dot;

	while (doc && (dot = strchr(path, '.'))) {
		snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
		doc = cJSON_GetObjectItemCaseSensitive(doc, key);
		path = dot + 1;
	}
	return doc ? cJSON_GetObjectItemCaseSensitive(doc, path) : NULL;
}

const char *json_text(const cJSON *doc, const char *path)
{
	const cJSON *item = json_at(doc, path);

	return cJSON_IsString(item) ? item->valuestring : "";
}

double json_number(const cJSON *doc, const char *path)
{
	const cJSON *item = json_at(doc, path);

	return cJSON_IsNumber(item) ? item->valuedouble : 0;
}

bool json_has_number(const cJSON *doc, const char *path)
{
	return cJSON_IsNumber(json_at(doc, path));
}
