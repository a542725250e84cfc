/*
 * formdata: application/x-www-form-urlencoded bodies, as browsers post
 * forms.  Strict: malformed escapes, NUL bytes, invalid UTF-8 and too many
 * fields are errors, not guesses.
 */
#ifndef HAILONG_FORMDATA_H
#define HAILONG_FORMDATA_H

#include <stdbool.h>
#include <stddef.h>

enum {
	FORMDATA_MAX_FIELDS = 1000,
	FORMDATA_MAX_NAME = 64,
};

typedef struct FormField {
	char *name;  /* decoded, owned */
	char *value; /* decoded, valid UTF-8, owned */
} FormField;

typedef struct FormData {
	FormField *fields; /* in body order; a name may repeat (checkboxes) */
	size_t count;
} FormData;

/* Parses body[0..len).  On failure returns false, frees what it built and
 * sets *why to a static English reason for logs. */
bool formdata_parse(const char *body, size_t len, FormData *out, const char **why)
	__attribute__((warn_unused_result));

/* The first value of name, or NULL. */
const char *formdata_get(const FormData *data, const char *name);

void formdata_free(FormData *data);

#endif
