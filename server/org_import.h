/*
 * org_import: `hailong org import FILE.csv` — a Department's list of units
 * (province, commune/ward, school, grade, class; historical districts) into
 * the organisation tree.
 *
 * The file is checked whole first: every bad line is reported as
 * FILE:LINE: reason, and nothing is written unless the whole file is valid.
 * Then one transaction writes it, parents before children; a unit that
 * already exists (same code) gets its name and attributes updated in place.
 * Columns (header line required, any order): code, name, kind, parent_code,
 * and optionally school_level, old_province_code, old_district_code.
 */
#ifndef HAILONG_ORG_IMPORT_H
#define HAILONG_ORG_IMPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "form.h" /* FormErrors: a list of error lines */

enum { ORG_IMPORT_MAX_BYTES = 32 * 1024 * 1024 };

/* Checks path and, when valid, imports it; a summary line goes to out.  On
 * any problem returns false with every line in errors (nothing written). */
bool org_import(const char *conninfo, const char *path, FILE *out, FormErrors *errors)
	__attribute__((warn_unused_result));

/* Only the check of a file's text (data[0..len), not NUL-terminated): what
 * org_import refuses before it connects.  True when no line is at fault. */
bool org_import_check_text(const char *path, const char *data, size_t len, FormErrors *errors);

#endif
