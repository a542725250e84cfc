#include "report_doc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

void doc_path(char out[DOC_PATH_MAX], const char *path, const char *key, int index)
{
	/* Paths are built from constant keys and indices only, never from
	 * document strings, so DOC_PATH_MAX is never reached in practice;
	 * snprintf truncates rather than overflows if it were. */
	if (!key)
		snprintf(out, DOC_PATH_MAX, "%s[%d]", path, index);
	else if (*path)
		snprintf(out, DOC_PATH_MAX, "%s.%s", path, key);
	else
		snprintf(out, DOC_PATH_MAX, "%s", key);
}

bool doc_fail(char **err, const char *path, const char *key, const char *what)
{
	char full[DOC_PATH_MAX];

	if (key)
		doc_path(full, path, key, 0);
	else
		snprintf(full, sizeof full, "%s", *path ? path : "the report document");
	*err = str_printf("%s: %s", full, what);
	return false;
}

/* The member, or a "missing" failure; a document that is not an object
 * fails at its own path. */
static bool member(const cJSON *obj, const char *path, const char *key, const cJSON **out,
		   char **err)
{
	if (!cJSON_IsObject(obj))
		return doc_fail(err, path, NULL, "expected an object");
	*out = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!*out)
		return doc_fail(err, path, key, "missing");
	return true;
}

/* The member's state: MEMBER_FAILED (err set), MEMBER_NULL (null, when
 * nullable) or MEMBER_VALUE (*v is it). */
enum { MEMBER_FAILED, MEMBER_NULL, MEMBER_VALUE };

static int nullable_member(const cJSON *obj, const char *path, const char *key, bool nullable,
			   const cJSON **v, char **err)
{
	if (!member(obj, path, key, v, err))
		return MEMBER_FAILED;
	return nullable && cJSON_IsNull(*v) ? MEMBER_NULL : MEMBER_VALUE;
}

/* "expected WHAT", or "expected WHAT or null". */
static bool wrong_type(char **err, const char *path, const char *key, bool nullable,
		       const char *what)
{
	char message[64];

	snprintf(message, sizeof message, "expected %s%s", what, nullable ? " or null" : "");
	return doc_fail(err, path, key, message);
}

static bool doc_container(const cJSON *obj, const char *path, const char *key, bool nullable,
			  const cJSON **out, char **err, cJSON_bool (*is)(const cJSON *),
			  const char *what)
{
	const cJSON *v;

	switch (nullable_member(obj, path, key, nullable, &v, err)) {
	case MEMBER_FAILED:
		return false;
	case MEMBER_NULL:
		*out = NULL;
		return true;
	}
	if (!is(v))
		return wrong_type(err, path, key, nullable, what);
	*out = v;
	return true;
}

bool doc_object(const cJSON *obj, const char *path, const char *key, bool nullable,
		const cJSON **out, char **err)
{
	return doc_container(obj, path, key, nullable, out, err, cJSON_IsObject, "an object");
}

bool doc_array(const cJSON *obj, const char *path, const char *key, bool nullable,
	       const cJSON **out, char **err)
{
	return doc_container(obj, path, key, nullable, out, err, cJSON_IsArray, "an array");
}

bool doc_element(const cJSON *arr, const char *path, int i, const cJSON **out,
		 char elem_path[DOC_PATH_MAX], char **err)
{
	doc_path(elem_path, path, NULL, i);
	*out = cJSON_GetArrayItem(arr, i);
	if (!cJSON_IsObject(*out))
		return doc_fail(err, elem_path, NULL, "expected an object");
	return true;
}

bool doc_string(const cJSON *obj, const char *path, const char *key, bool nullable,
		const char **out, char **err)
{
	const cJSON *v;

	switch (nullable_member(obj, path, key, nullable, &v, err)) {
	case MEMBER_FAILED:
		return false;
	case MEMBER_NULL:
		*out = NULL;
		return true;
	}
	if (!cJSON_IsString(v) || !v->valuestring)
		return wrong_type(err, path, key, nullable, "a string");
	*out = v->valuestring;
	return true;
}

bool doc_number(const cJSON *obj, const char *path, const char *key, bool nullable,
		double *out, char **err)
{
	const cJSON *v;

	switch (nullable_member(obj, path, key, nullable, &v, err)) {
	case MEMBER_FAILED:
		return false;
	case MEMBER_NULL:
		*out = NAN;
		return true;
	}
	/* cJSON reads 1e999 as infinity: not a figure. */
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return wrong_type(err, path, key, nullable, "a number");
	*out = v->valuedouble;
	return true;
}

bool doc_count(const cJSON *obj, const char *path, const char *key, bool nullable,
	       long long *out, char **err)
{
	const cJSON *v;
	double d;

	switch (nullable_member(obj, path, key, nullable, &v, err)) {
	case MEMBER_FAILED:
		return false;
	case MEMBER_NULL:
		*out = -1;
		return true;
	}
	/* 2^53: beyond it a double no longer holds every whole number. */
	if (!cJSON_IsNumber(v) || !((d = v->valuedouble) >= 0 && d <= 9007199254740992.0) || d != floor(d))
		return wrong_type(err, path, key, nullable, "a whole number ≥ 0");
	*out = (long long)d;
	return true;
}

bool doc_bool(const cJSON *obj, const char *path, const char *key, bool *out, char **err)
{
	const cJSON *v;

	if (!member(obj, path, key, &v, err))
		return false;
	if (!cJSON_IsBool(v))
		return doc_fail(err, path, key, "expected true or false");
	*out = cJSON_IsTrue(v);
	return true;
}

static bool digits(const char *s, int n, int *value)
{
	*value = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*value = *value * 10 + (s[i] - '0');
	}
	return true;
}

bool doc_date(const cJSON *obj, const char *path, const char *key, bool nullable,
	      const char **out, int *y, int *m, int *d, char **err)
{
	int yy, mm, dd;

	if (!doc_string(obj, path, key, nullable, out, err))
		return false;
	if (!*out)
		return true;
	if (strlen(*out) != 10 || (*out)[4] != '-' || (*out)[7] != '-' || !digits(*out, 4, &yy) ||
	    !digits(*out + 5, 2, &mm) || !digits(*out + 8, 2, &dd) || mm < 1 || mm > 12 || dd < 1 ||
	    dd > 31 || yy < 1900)
		return doc_fail(err, path, key, "expected a date YYYY-MM-DD");
	if (y)
		*y = yy;
	if (m)
		*m = mm;
	if (d)
		*d = dd;
	return true;
}
