#include "demo.h"

#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "db_sync.h"
#include "sql_text.h"
#include "util.h"

enum { CODE_ATTEMPTS = 20 };

/* Makes (or finds) an organisation node; writes its id into id. */
static bool org(PGconn *conn, const char *code, const char *name, const char *kind,
		const char *level, const char *parent, char id[24], char **err)
{
	const char *params[5] = {code, name, kind, level, parent};
	PGresult *res = db_sync_query(conn, SQL_DEMO_ORG, 5, params, "cannot create the demo school",
				      err);

	if (!res)
		return false;
	snprintf(id, 24, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	if (!id[0])
		*err = str_printf("cannot create the demo organisation %s", code);
	return id[0] != '\0';
}

/* Finds the school's round on version, or makes one; writes its code. */
static bool campaign(PGconn *conn, const char *school, const char *version, const char *title,
		     char code[CODE_CAMPAIGN_LEN + 1], char **err)
{
	const char *find[2] = {school, version};
	PGresult *res = db_sync_query(conn, SQL_DEMO_FIND_CAMPAIGN, 2, find,
				      "cannot look for the demo round", err);

	if (!res)
		return false;
	if (PQntuples(res) == 1) {
		const char *reopen[1] = {PQgetvalue(res, 0, 0)};
		PGresult *upd;
		snprintf(code, CODE_CAMPAIGN_LEN + 1, "%s", PQgetvalue(res, 0, 1));
		upd = db_sync_query(conn, SQL_DEMO_REOPEN_CAMPAIGN, 1, reopen,
				    "cannot keep the demo round open", err);
		PQclear(res);
		PQclear(upd);
		return upd != NULL;
	}
	PQclear(res);
	for (int attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
		char *round_title = str_printf("Khảo sát mẫu: %s", title);
		const char *params[4] = {code, school, version, round_title};
		code_random(code, CODE_CAMPAIGN_LEN);
		res = round_title ? db_sync_query(conn, SQL_DEMO_CREATE_CAMPAIGN, 4, params,
						  "cannot create the demo round", err)
				  : NULL;
		free(round_title);
		if (!res)
			return false;
		if (PQntuples(res) == 1) {
			PQclear(res);
			return true;
		}
		PQclear(res); /* the random code was taken: draw again */
	}
	*err = str_printf("no free round code after %d attempts", CODE_ATTEMPTS);
	return false;
}

bool demo_run(const char *conninfo, const char *base_url, FILE *out, char **err)
{
	PGconn *conn;
	PGresult *versions = NULL;
	char province[24], commune[24], school[24];
	bool ok = false;

	*err = NULL;
	conn = db_sync_connect(conninfo, "hailong-demo", err);
	if (!conn)
		return false;
	if (!org(conn, "DEMO-TINH", "Sở Giáo dục và Đào tạo Tỉnh Mẫu (dữ liệu thử)", "province",
		 NULL, NULL, province, err) ||
	    !org(conn, "DEMO-XA", "Phường Hài Lòng (dữ liệu thử)", "commune", NULL, "DEMO-TINH",
		 commune, err) ||
	    !org(conn, "DEMO-TRUONG", "Trường Liên cấp Hài Lòng (dữ liệu thử)", "school",
		 "lien-cap", "DEMO-XA", school, err))
		goto done;
	versions = db_sync_query(conn, SQL_DEMO_CURRENT_VERSIONS, 0, NULL,
				 "cannot list the questionnaires", err);
	if (!versions)
		goto done;
	if (PQntuples(versions) == 0) {
		*err = str_printf("no questionnaire is loaded: run hailong forms load first");
		goto done;
	}
	for (int i = 0; i < PQntuples(versions); i++) {
		char code[CODE_CAMPAIGN_LEN + 1];
		if (!campaign(conn, school, PQgetvalue(versions, i, 0), PQgetvalue(versions, i, 1),
			      code, err))
			goto done;
		fprintf(out, "%s/s/%s\n", base_url, code);
	}
	ok = true;
done:
	PQclear(versions);
	PQfinish(conn);
	return ok;
}
