/*
 * form_store: questionnaires into PostgreSQL as immutable versions.
 *
 * Each form is stored under the SHA-256 of its canonical JSON: the same
 * content loaded twice is one version; changed content is a new version; the
 * (id, edition) pair then points at it as the current one for new rounds.
 * Old versions stay, so responses keep the questions they answered.
 */
#ifndef HAILONG_FORM_STORE_H
#define HAILONG_FORM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "form.h"

/* Stores forms, each in its own transaction, and writes one line per form to
 * out: "ID EDITION: version N (new|unchanged|current again)".  Blocking:
 * command line only.
 * False with *err (malloc'd, one line) on the first failure; forms before it
 * stay stored. */
bool form_store_load(const char *conninfo, Form *const *forms, size_t count, FILE *out,
		     char **err) __attribute__((warn_unused_result));

/* A PostgreSQL array literal of the ints: "{1,2,3}".  Writes into buf
 * (always NUL-terminated). */
void form_store_int_array(const int *values, int count, char *buf, size_t cap);

#endif
