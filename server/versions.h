/*
 * versions: questionnaire versions for request handlers.  A version never
 * changes once stored, so each server keeps every version it has parsed, by
 * id, for its lifetime.
 */
#ifndef HAILONG_VERSIONS_H
#define HAILONG_VERSIONS_H

#include "http.h"

/* Sets r->form to the questionnaire of version_id — from the cache, or
 * loaded and parsed first — then runs next(r).  r->form is NULL when it
 * could not be had (database away, or a stored version that does not parse:
 * logged); next must then reply "busy". */
void versions_with(HttpRequest *r, long long version_id, HttpHandler next);

#endif
