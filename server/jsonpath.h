/*
 * jsonpath: reading fields of JSON documents made by our own SQL, by
 * dotted path ("responses.total").  Absent or mistyped fields read as ""
 * or 0: the documents are ours, and a missing figure must not crash a page.
 */
#ifndef HAILONG_JSONPATH_H
#define HAILONG_JSONPATH_H

#include <cjson/cJSON.h>
#include <stdbool.h>

/* The item at path, or NULL. */
const cJSON *json_at(const cJSON *doc, const char *path);
/* The string at path (borrowed from doc), or "". */
const char *json_text(const cJSON *doc, const char *path);
/* The number at path, or 0. */
double json_number(const cJSON *doc, const char *path);
/* True when the item at path is a number. */
bool json_has_number(const cJSON *doc, const char *path);

#endif
