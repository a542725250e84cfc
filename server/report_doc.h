/*
 * report_doc: typed reads of a report document (docs/reports.md) for the
 * renderers.  The document comes from report_build, but a renderer must not
 * crash or print nonsense when a field is missing or has the wrong type, so
 * every read checks and, on failure, names the field by its full path:
 * "questionnaires[0].items[2].rate.valid: expected a whole number ≥ 0".
 *
 * path is the path of obj itself ("" for the document, otherwise e.g.
 * "questionnaires[0].items[2]").  On failure the functions return false and
 * set *err to a malloc'd message (caller frees; NULL if memory ran out).
 */
#ifndef HAILONG_REPORT_DOC_H
#define HAILONG_REPORT_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

enum { DOC_PATH_MAX = 256 };

/* out = "path.key", or "key" at the top; "path[i]" when key is NULL. */
void doc_path(char out[DOC_PATH_MAX], const char *path, const char *key, int index);

/* Fails with "path: what" (or "path.key: what"). */
bool doc_fail(char **err, const char *path, const char *key, const char *what);

/* The member key of obj, which must be an object (or JSON null when
 * nullable: *out = NULL). */
bool doc_object(const cJSON *obj, const char *path, const char *key, bool nullable,
		const cJSON **out, char **err);

/* The member key of obj, which must be an array (or null when nullable). */
bool doc_array(const cJSON *obj, const char *path, const char *key, bool nullable,
	       const cJSON **out, char **err);

/* Element i of array arr (path is the array's), which must be an object;
 * elem_path receives its path. */
bool doc_element(const cJSON *arr, const char *path, int i, const cJSON **out,
		 char elem_path[DOC_PATH_MAX], char **err);

/* A string member (null when nullable: *out = NULL).  The pointer is into
 * the document. */
bool doc_string(const cJSON *obj, const char *path, const char *key, bool nullable,
		const char **out, char **err);

/* A finite number (null when nullable: *out = NAN). */
bool doc_number(const cJSON *obj, const char *path, const char *key, bool nullable,
		double *out, char **err);

/* A whole number ≥ 0 (null when nullable: *out = -1). */
bool doc_count(const cJSON *obj, const char *path, const char *key, bool nullable,
	       long long *out, char **err);

bool doc_bool(const cJSON *obj, const char *path, const char *key, bool *out, char **err);

/* A "YYYY-MM-DD" date string (null when nullable: *out = NULL); y, m, d
 * may be NULL. */
bool doc_date(const cJSON *obj, const char *path, const char *key, bool nullable,
	      const char **out, int *y, int *m, int *d, char **err);

#endif
