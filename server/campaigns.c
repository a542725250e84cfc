#include "campaigns.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "db_sync.h"
#include "sql_text.h"
#include "text.h"
#include "util.h"

enum { CODE_ATTEMPTS = 20 };

bool campaign_parse_time(const char *text, char out[20])
{
	int y, mo, d, h, mi, s = 0, n = 0;
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (strlen(text) != 16 && strlen(text) != 19)
		return false;
	for (int i = 0; text[i]; i++) {
		bool sep = i == 4 || i == 7 || i == 10 || i == 13 || i == 16;
		if (!sep && !isdigit((unsigned char)text[i]))
			return false;
	}
	if (text[4] != '-' || text[7] != '-' || (text[10] != ' ' && text[10] != 'T') ||
	    text[13] != ':' || (text[16] && text[16] != ':'))
		return false;
	if (sscanf(text, "%4d-%2d-%2d%*c%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5)
		return false;
	if (text[16] == ':')
		s = atoi(text + 17);
	if (y < 2000 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > days[mo - 1] || h > 23 ||
	    mi > 59 || s > 59)
		return false;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	/* Fields are range-checked above: the text is exactly 19 characters. */
	snprintf(out, 20, "%04u-%02u-%02u %02u:%02u:%02u", (unsigned)y % 10000, (unsigned)mo % 100,
		 (unsigned)d % 100, (unsigned)h % 100, (unsigned)mi % 100, (unsigned)s % 100);
	return true;
}

/* Finds the questionnaire version: "id" (the only edition) or "id@edition". */
static bool find_version(PGconn *conn, const char *form, char version[24], char **err)
{
	char id[80];
	const char *at = strchr(form, '@'), *edition = at ? at + 1 : NULL;
	const char *params[1] = {id};
	PGresult *res;
	bool ok = false;

	snprintf(id, sizeof id, "%.*s", at ? (int)(at - form) : (int)strlen(form), form);
	res = db_sync_query(conn, SQL_CAMPAIGN_FORM_VERSIONS, 1, params,
			    "cannot look up the questionnaire", err);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res) && !ok; i++) {
		if (edition ? strcmp(edition, PQgetvalue(res, i, 0)) == 0 : PQntuples(res) == 1) {
			snprintf(version, 24, "%s", PQgetvalue(res, i, 1));
			ok = true;
		}
	}
	if (!ok && PQntuples(res) == 0)
		*err = str_printf("no questionnaire \"%s\" is loaded (see hailong forms load)", id);
	else if (!ok && edition)
		*err = str_printf("questionnaire \"%s\" has no edition \"%s\"", id, edition);
	else if (!ok)
		*err = str_printf("questionnaire \"%s\" has %d editions: name one, e.g. %s@%s", id,
				  PQntuples(res), id, PQgetvalue(res, 0, 0));
	PQclear(res);
	return ok;
}

bool campaign_create(const char *conninfo, const char *base_url, const CampaignSpec *spec,
		     FILE *out, char **err)
{
	char opens[20], closes[20], version[24], unit[24], code[CODE_CAMPAIGN_LEN + 1];
	const char *mode = spec->mode ? spec->mode : "shared";
	const char *kiosk = spec->kiosk ? spec->kiosk : "no";
	long target = 0;
	PGconn *conn = NULL;
	PGresult *res = NULL;
	bool ok = false;

	*err = NULL;
	if (!spec->title || !text_valid_utf8(spec->title, strlen(spec->title), NULL) ||
	    !text_has_content(spec->title) || text_char_count(spec->title, strlen(spec->title)) > 300) {
		*err = str_printf("--title: 1 to 300 characters of text");
		return false;
	}
	if (!campaign_parse_time(spec->opens, opens)) {
		*err = str_printf("--opens \"%s\": write a date and time as 2026-11-25 07:30", spec->opens);
		return false;
	}
	if (!campaign_parse_time(spec->closes, closes)) {
		*err = str_printf("--closes \"%s\": write a date and time as 2026-12-05 17:00",
				  spec->closes);
		return false;
	}
	if (strcmp(closes, opens) <= 0) {
		*err = str_printf("--closes (%s) must be after --opens (%s)", closes, opens);
		return false;
	}
	if (spec->target) {
		char *end;
		target = strtol(spec->target, &end, 10);
		if (!*spec->target || *end || target < 1 || target > 1000000) {
			*err = str_printf("--target \"%s\": the number of parents, 1 to 1000000",
					  spec->target);
			return false;
		}
	}
	if (strcmp(mode, "shared") && strcmp(mode, "slips") && strcmp(mode, "both")) {
		*err = str_printf("--mode \"%s\": use shared, slips or both", mode);
		return false;
	}
	if (strcmp(kiosk, "yes") && strcmp(kiosk, "no")) {
		*err = str_printf("--kiosk \"%s\": use yes or no", kiosk);
		return false;
	}
	conn = db_sync_connect(conninfo, "hailong-campaign", err);
	if (!conn)
		return false;
	{
		const char *params[1] = {spec->org};
		res = db_sync_query(conn, SQL_CAMPAIGN_UNIT, 1, params, "cannot look up the unit", err);
	}
	if (!res)
		goto done;
	if (PQntuples(res) != 1) {
		*err = str_printf("no organisation unit has the code \"%s\"", spec->org);
		goto done;
	}
	if (strcmp(PQgetvalue(res, 0, 1), "school") && strcmp(PQgetvalue(res, 0, 1), "grade") &&
	    strcmp(PQgetvalue(res, 0, 1), "class")) {
		*err = str_printf("%s is a %s: rounds are run by a school, a grade or a class",
				  spec->org, PQgetvalue(res, 0, 1));
		goto done;
	}
	snprintf(unit, sizeof unit, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	if (!find_version(conn, spec->form, version, err))
		goto done;
	for (int attempt = 0; attempt < CODE_ATTEMPTS && !ok; attempt++) {
		char target_text[16];
		const char *params[9] = {code, unit, version, spec->title, opens, closes,
					 spec->target ? target_text : NULL, mode,
					 strcmp(kiosk, "yes") == 0 ? "true" : "false"};
		snprintf(target_text, sizeof target_text, "%ld", target);
		code_random(code, CODE_CAMPAIGN_LEN);
		PQclear(res);
		res = db_sync_query(conn, SQL_CAMPAIGN_CREATE, 9, params, "cannot create the round", err);
		if (!res)
			goto done;
		ok = PQntuples(res) == 1;
	}
	if (!ok) {
		*err = str_printf("no free round code after %d attempts", CODE_ATTEMPTS);
		goto done;
	}
	fprintf(out, "round %s: %s\nopen %s to %s (Việt Nam time), mode %s%s\n%s/s/%s\n",
		PQgetvalue(res, 0, 0), spec->title, opens, closes, mode,
		strcmp(kiosk, "yes") == 0 ? ", kiosk" : "", base_url, code);
done:
	PQclear(res);
	PQfinish(conn);
	return ok;
}
