#include "campaigns.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "codes.h"
#include "db_sync.h"
#include "jsonpath.h"
#include "sql_text.h"
#include "text.h"
#include "util.h"

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

static bool text_field_ok(const char *text, int max_chars)
{
	size_t len = strlen(text);

	return text_valid_utf8(text, len, NULL) && text_has_content(text) &&
	       text_char_count(text, len) <= (size_t)max_chars;
}

/* "yes"/"true" → "true", "no"/"false" → "false", else NULL. */
static const char *yes_no(const char *text)
{
	if (strcmp(text, "yes") == 0 || strcmp(text, "true") == 0)
		return "true";
	if (strcmp(text, "no") == 0 || strcmp(text, "false") == 0)
		return "false";
	return NULL;
}

bool campaign_check(const CampaignSpec *spec, const char *prefix, CampaignParams *out, char **err)
{
	*out = (CampaignParams){.title = spec->title, .mode = spec->mode, .form = spec->form};
	*err = NULL;
	if (spec->title && !text_field_ok(spec->title, 300)) {
		*err = str_printf("%stitle: 1 to 300 characters of text", prefix);
		return false;
	}
	if (spec->opens) {
		if (!campaign_parse_time(spec->opens, out->opens_buf)) {
			*err = str_oneline("%sopens \"%s\": write a date and time as 2026-11-25 07:30",
					   prefix, spec->opens);
			return false;
		}
		out->opens = out->opens_buf;
	}
	if (spec->closes) {
		if (!campaign_parse_time(spec->closes, out->closes_buf)) {
			*err = str_oneline("%scloses \"%s\": write a date and time as 2026-12-05 17:00",
					   prefix, spec->closes);
			return false;
		}
		out->closes = out->closes_buf;
	}
	if (out->opens && out->closes && strcmp(out->closes, out->opens) <= 0) {
		*err = str_printf("%scloses (%s) must be after %sopens (%s)", prefix, out->closes,
				  prefix, out->opens);
		return false;
	}
	if (spec->target) {
		char *end;
		long target = strtol(spec->target, &end, 10);
		if (!isdigit((unsigned char)*spec->target) || *end || target < 1 || target > 1000000) {
			*err = str_oneline("%starget \"%s\": the number of parents, 1 to 1000000",
					   prefix, spec->target);
			return false;
		}
		snprintf(out->target_buf, sizeof out->target_buf, "%ld", target);
		out->target = out->target_buf;
	}
	if (spec->mode && strcmp(spec->mode, "shared") && strcmp(spec->mode, "slips") &&
	    strcmp(spec->mode, "both")) {
		*err = str_oneline("%smode \"%s\": use shared, slips or both", prefix, spec->mode);
		return false;
	}
	if (spec->kiosk && !(out->kiosk = yes_no(spec->kiosk))) {
		*err = str_oneline("%skiosk \"%s\": use yes or no", prefix, spec->kiosk);
		return false;
	}
	if (spec->double_entry && !(out->double_entry = yes_no(spec->double_entry))) {
		*err = str_oneline("%sdouble%sentry \"%s\": use yes or no", prefix,
				   *prefix ? "-" : "_", spec->double_entry);
		return false;
	}
	if (spec->form && (strlen(spec->form) > 200 || !text_valid_utf8(spec->form,
									strlen(spec->form), NULL))) {
		*err = str_printf("%sform: a questionnaire id, optionally with @edition", prefix);
		return false;
	}
	return true;
}

/* Runs one of the round statements and parses the JSON it answers with.
 * NULL with *err; a statement without a row is "no round …". */
static cJSON *round_query(const char *conninfo, const char *sql, int nparams,
			  const char *const *params, const char *code, char **err)
{
	PGconn *conn = db_sync_connect(conninfo, "hailong-campaign", err);
	PGresult *res;
	cJSON *doc = NULL;

	if (!conn)
		return NULL;
	res = db_sync_query(conn, sql, nparams, params, "database", err);
	if (res && (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)))
		*err = str_oneline("no round has the code \"%s\"", code ? code : "?");
	else if (res && !(doc = cJSON_Parse(PQgetvalue(res, 0, 0))))
		*err = str_printf("out of memory");
	PQclear(res);
	PQfinish(conn);
	return doc;
}

/* "2026-11-25T07:30:00+07:00" → "2026-11-25 07:30". */
static const char *short_time(const char *iso, char out[17])
{
	snprintf(out, 17, "%s", iso);
	if (out[10] == 'T')
		out[10] = ' ';
	return out;
}

static void print_round(const cJSON *doc, const char *base_url, FILE *out)
{
	char opens[17], closes[17];

	fprintf(out, "round %s: %s\n", json_text(doc, "code"), json_text(doc, "title"));
	fprintf(out, "unit %s (%s), questionnaire %s@%s\n", json_text(doc, "unit.code"),
		json_text(doc, "unit.name"), json_text(doc, "form.id"), json_text(doc, "form.edition"));
	fprintf(out, "open %s to %s (Việt Nam time), mode %s%s%s, %s\n",
		short_time(json_text(doc, "opens"), opens), short_time(json_text(doc, "closes"), closes),
		json_text(doc, "mode"),
		cJSON_IsTrue(json_at(doc, "kiosk")) ? ", kiosk" : "",
		cJSON_IsTrue(json_at(doc, "double_entry")) ? ", paper keyed twice" : "",
		json_text(doc, "state"));
	fprintf(out, "responses %.0f (qr %.0f, slip %.0f, paper %.0f)", json_number(doc, "responses.total"),
		json_number(doc, "responses.qr"), json_number(doc, "responses.slip"),
		json_number(doc, "responses.paper"));
	if (json_has_number(doc, "target"))
		fprintf(out, " of %.0f parents targeted: %.1f %%", json_number(doc, "target"),
			json_number(doc, "response_rate"));
	fprintf(out, "\nslips printed %.0f, redeemed %.0f\n%s%s\n", json_number(doc, "slips.printed"),
		json_number(doc, "slips.redeemed"), base_url, json_text(doc, "path"));
}

/* Runs a round statement and prints the round it answers with. */
static bool print_round_query(const char *conninfo, const char *base_url, const char *sql,
			      int nparams, const char *const *params, const char *code, FILE *out,
			      char **err)
{
	cJSON *doc = round_query(conninfo, sql, nparams, params, code, err);

	if (!doc)
		return false;
	print_round(doc, base_url, out);
	cJSON_Delete(doc);
	return true;
}

bool campaign_create(const char *conninfo, const char *base_url, const CampaignSpec *spec,
		     FILE *out, char **err)
{
	CampaignParams p;

	if (!campaign_check(spec, "--", &p, err))
		return false;
	{
		const char *params[11] = {"cli",   NULL,     spec->org, p.form, p.title,       p.opens,
					  p.closes, p.target, p.mode,    p.kiosk, p.double_entry};
		return print_round_query(conninfo, base_url, SQL_CAMPAIGN_CREATE, 11, params, NULL,
					 out, err);
	}
}

bool campaign_update(const char *conninfo, const char *base_url, const char *code,
		     const CampaignSpec *spec, FILE *out, char **err)
{
	CampaignParams p;

	if (!campaign_check(spec, "--", &p, err))
		return false;
	{
		const char *params[11] = {"cli",    NULL,   code,    p.title, p.opens,       p.closes,
					  p.target, p.mode, p.kiosk, p.form,  p.double_entry};
		return print_round_query(conninfo, base_url, SQL_CAMPAIGN_UPDATE, 11, params, code,
					 out, err);
	}
}

bool campaign_close(const char *conninfo, const char *base_url, const char *code, FILE *out,
		    char **err)
{
	const char *params[3] = {"cli", NULL, code};

	return print_round_query(conninfo, base_url, SQL_CAMPAIGN_CLOSE, 3, params, code, out, err);
}

bool campaign_show(const char *conninfo, const char *base_url, const char *code, FILE *out,
		   char **err)
{
	const char *params[2] = {code, NULL};

	return print_round_query(conninfo, base_url, SQL_CAMPAIGN_GET, 2, params, code, out, err);
}

bool campaign_list(const char *conninfo, const char *org, FILE *out, char **err)
{
	const char *params[4] = {NULL, org, NULL, "10000"};
	cJSON *doc = round_query(conninfo, SQL_CAMPAIGN_LIST, 4, params, NULL, err);
	const cJSON *item;

	if (!doc)
		return false;
	fprintf(out, "%-6s  %-8s  %-16s  %-16s  %9s  %6s  %-12s  %s\n", "code", "state", "opens",
		"closes", "responses", "target", "unit", "title");
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "items"))
	{
		char opens[17], closes[17], target[16] = "-";
		if (json_has_number(item, "target"))
			snprintf(target, sizeof target, "%.0f", json_number(item, "target"));
		fprintf(out, "%-6s  %-8s  %-16s  %-16s  %9.0f  %6s  %-12s  %s\n", json_text(item, "code"),
			json_text(item, "state"), short_time(json_text(item, "opens"), opens),
			short_time(json_text(item, "closes"), closes), json_number(item, "responses.total"),
			target, json_text(item, "unit.code"), json_text(item, "title"));
	}
	cJSON_Delete(doc);
	return true;
}

bool campaign_slips(const char *conninfo, const char *base_url, const char *code,
		    const char *count, const char *batch, FILE *out, char **err)
{
	const char *params[5] = {"cli", NULL, code, batch, count};
	const cJSON *slip;
	cJSON *doc;

	if (!isdigit((unsigned char)*count) || strspn(count, "0123456789") != strlen(count) ||
	    strlen(count) > 9) {
		*err = str_oneline("--count \"%s\": a number of slips, 1 to 5000", count);
		return false;
	}
	if (batch && (!isdigit((unsigned char)*batch) ||
		      strspn(batch, "0123456789") != strlen(batch) || strlen(batch) > 9)) {
		*err = str_oneline("--batch \"%s\": a batch number, 1 to 1000", batch);
		return false;
	}
	doc = round_query(conninfo, SQL_SLIPS_CREATE, 5, params, code, err);
	if (!doc)
		return false;
	fprintf(out, "round %s, batch %.0f: %.0f slips\n", json_text(doc, "code"), json_number(doc, "batch"),
		json_number(doc, "count"));
	cJSON_ArrayForEach(slip, cJSON_GetObjectItemCaseSensitive(doc, "slips"))
		fprintf(out, "%s/s/%s\n", base_url, cJSON_IsString(slip) ? slip->valuestring : "");
	cJSON_Delete(doc);
	return true;
}

bool campaign_spec_from_json(const cJSON *body, bool creating, CampaignSpec *spec,
			     char number[CAMPAIGN_NUMBER_MAX], char *message, size_t cap,
			     const char **field_name)
{
	static const char *const strings[] = {"unit", "form", "title", "opens", "closes", "mode"};
	const cJSON *field;

	*spec = (CampaignSpec){0};
	*field_name = NULL;
	cJSON_ArrayForEach(field, body)
	{
		const char *name = field->string;
		bool known = false;
		for (size_t i = 0; i < sizeof strings / sizeof strings[0] && !known; i++) {
			if (strcmp(name, strings[i]) != 0)
				continue;
			known = true;
			if (!cJSON_IsString(field) || (!creating && strcmp(name, "unit") == 0)) {
				snprintf(message, cap, "%s: %s", name,
					 cJSON_IsString(field) ? "a round cannot move to another unit"
							       : "must be a string");
				*field_name = strings[i];
				return false;
			}
		}
		if (known)
			continue;
		if (strcmp(name, "target") == 0) {
			double v = field->valuedouble;
			/* The range first: converting 1e20 to an integer is undefined. */
			if (!cJSON_IsNumber(field) || !(v >= 1 && v <= 1e6) || v != (double)(long long)v) {
				snprintf(message, cap, "target: the number of parents, 1 to 1000000");
				*field_name = "target";
				return false;
			}
			snprintf(number, CAMPAIGN_NUMBER_MAX, "%lld", (long long)v);
			spec->target = number;
		} else if (strcmp(name, "kiosk") == 0 || strcmp(name, "double_entry") == 0) {
			bool kiosk = strcmp(name, "kiosk") == 0;
			if (!cJSON_IsBool(field)) {
				snprintf(message, cap, "%s: true or false", name);
				*field_name = kiosk ? "kiosk" : "double_entry";
				return false;
			}
			*(kiosk ? &spec->kiosk : &spec->double_entry) =
				cJSON_IsTrue(field) ? "true" : "false";
		} else {
			/* The field named by the request: the caller copies it out
			 * before the body goes. */
			snprintf(message, cap, "unknown field \"%.60s\"", name);
			*field_name = name;
			return false;
		}
	}
#define STRING_FIELD(name) \
	(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(body, name)) \
		 ? cJSON_GetObjectItemCaseSensitive(body, name)->valuestring \
		 : NULL)
	spec->org = STRING_FIELD("unit");
	spec->form = STRING_FIELD("form");
	spec->title = STRING_FIELD("title");
	spec->opens = STRING_FIELD("opens");
	spec->closes = STRING_FIELD("closes");
	spec->mode = STRING_FIELD("mode");
#undef STRING_FIELD
	if (creating && (!spec->org || !spec->form || !spec->title || !spec->opens || !spec->closes)) {
		*field_name = !spec->org     ? "unit"
			      : !spec->form  ? "form"
			      : !spec->title ? "title"
			      : !spec->opens ? "opens"
					     : "closes";
		snprintf(message, cap, "%s is required", *field_name);
		return false;
	}
	return true;
}
