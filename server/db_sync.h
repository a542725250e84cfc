/*
 * db_sync: blocking libpq helpers for the command-line tools (migrate,
 * forms load …).  They run before or outside any event loop, where waiting
 * on the database is what the user asked for.  The server never uses these.
 */
#ifndef HAILONG_DB_SYNC_H
#define HAILONG_DB_SYNC_H

#include <libpq-fe.h>
#include <stdbool.h>

/* Connects with a 10 s timeout, quiet notices below warning.  On failure
 * returns NULL with *err set ("cannot connect to the database: …", one line,
 * malloc'd). */
PGconn *db_sync_connect(const char *conninfo, const char *application_name, char **err)
	__attribute__((warn_unused_result));

/* Runs a command without parameters (BEGIN, COMMIT, fixed statements).
 * On failure sets *err to "what: message" and returns false. */
bool db_sync_exec(PGconn *conn, const char *sql, const char *what, char **err)
	__attribute__((warn_unused_result));

/* Runs a parameterised statement (text parameters, NULL = SQL NULL).
 * Returns the result (caller PQclears) or NULL with *err set. */
PGresult *db_sync_query(PGconn *conn, const char *sql, int nparams, const char *const *values,
			const char *what, char **err) __attribute__((warn_unused_result));

#endif
