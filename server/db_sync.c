#include "db_sync.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

PGconn *db_sync_connect(const char *conninfo, const char *application_name, char **err)
{
	static const char *const keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *vals[] = {conninfo, "10", application_name, NULL};
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	PGresult *res;

	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		*err = str_oneline("cannot connect to the database: %s",
				   conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		return NULL;
	}
	res = PQexec(conn, "SET client_min_messages = warning");
	PQclear(res);
	return conn;
}

bool db_sync_exec(PGconn *conn, const char *sql, const char *what, char **err)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		*err = str_oneline("%s: %s", what, PQerrorMessage(conn));
	PQclear(res);
	return ok;
}

PGresult *db_sync_query(PGconn *conn, const char *sql, int nparams, const char *const *values,
			const char *what, char **err)
{
	PGresult *res = PQexecParams(conn, sql, nparams, NULL, values, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	/* Our own refusals (sql/007) are written for the person who asked. */
	if (state && strncmp(state, "HL", 2) == 0)
		*err = str_oneline("%s", PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
	else
		*err = str_oneline("%s: %s", what, PQerrorMessage(conn));
	PQclear(res);
	return NULL;
}
