/*
 * demo: `hailong demo` — a demo school with an open round on every current
 * questionnaire, so that a newcomer sees a working form at once.
 * Idempotent: running it again reuses the school and its rounds (and keeps
 * them open).  Blocking: command line only.
 */
#ifndef HAILONG_DEMO_H
#define HAILONG_DEMO_H

#include <stdbool.h>
#include <stdio.h>

/* Prints one public form URL per line to out (base_url + "/s/" + code).
 * False with *err (malloc'd, one line) on failure. */
bool demo_run(const char *conninfo, const char *base_url, FILE *out, char **err)
	__attribute__((warn_unused_result));

#endif
