/*
 * status_cmd: `hailong status`, a quick terminal view for operators.  It
 * reads a running server's GET /metrics over plain HTTP (blocking, with a
 * short timeout: this is a command, not the server) and the database
 * directly, and prints aligned lines: uptime, version, request rate,
 * submissions, open rounds, pool state, aggregation lag, migration level.
 */
#ifndef HAILONG_STATUS_CMD_H
#define HAILONG_STATUS_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"

/* Runs the command: url (NULL: the configured listen address, a wildcard
 * host read as loopback) is the server's base URL, http:// only.  The
 * --metrics-token, when configured, is sent as the bearer.  Prints the view
 * to out and problems to err.  Returns 0 when the server answered and the
 * database (when DATABASE_URL is set) too, 1 otherwise, 2 for a bad URL. */
int status_run(const Config *config, const char *url, FILE *out, FILE *err);

/* Sums the samples of metric `name` in the exposition text whose label set
 * contains `label` (e.g. "status=\"503\"", or NULL for all).  False when
 * there is no such sample.  Exposed for tests. */
bool status_metric(const char *text, const char *name, const char *label, double *sum);

#endif
