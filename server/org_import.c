#include "org_import.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "db_sync.h"
#include "sql_text.h"
#include "text.h"
#include "util.h"

enum { COL_CODE, COL_NAME, COL_KIND, COL_PARENT, COL_LEVEL, COL_OLD_PROVINCE, COL_OLD_DISTRICT,
       NCOLS };

static const char *const column_names[NCOLS] = {"code", "name", "kind", "parent_code",
						"school_level", "old_province_code",
						"old_district_code"};
static const char *const kinds[] = {"country", "province", "district", "commune", "school",
				    "grade", "class", "other", NULL};
static const char *const levels[] = {"mam-non", "tieu-hoc", "thcs", "thpt", "lien-cap", "gdtx",
				     NULL};

typedef struct Unit {
	int line;
	char *v[NCOLS]; /* NULL for absent optional columns or empty cells */
	int parent;     /* index in the file, -1 when the parent is in the database or none */
	int state;      /* ordering: 0 new, 1 visiting, 2 done */
} Unit;

typedef struct Existing {
	char *code;
	char *parent_code; /* NULL at the top */
} Existing;

static bool in_list(const char *value, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(value, *list) == 0)
			return true;
	return false;
}

static bool valid_code(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 64 || !isalnum((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
			return false;
	return true;
}

/* Trims ASCII white space in place. */
static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

static int find_unit(const Unit *units, int n, const char *code)
{
	for (int i = 0; i < n; i++)
		if (units[i].v[COL_CODE] && strcmp(units[i].v[COL_CODE], code) == 0)
			return i;
	return -1;
}

static const Existing *find_existing(const Existing *ex, int n, const char *code)
{
	for (int i = 0; i < n; i++)
		if (strcmp(ex[i].code, code) == 0)
			return &ex[i];
	return NULL;
}

/* Appends units in an order where every parent comes before its children;
 * reports cycles. */
static void order_units(Unit *units, int i, int *order, int *norder, const char *path,
			FormErrors *errors)
{
	if (units[i].state == 2)
		return;
	if (units[i].state == 1) {
		form_errors_add(errors, "%s:%d: %s is its own ancestor (a cycle through the "
					"parent_code column)",
				path, units[i].line, units[i].v[COL_CODE]);
		units[i].state = 2;
		return;
	}
	units[i].state = 1;
	if (units[i].parent >= 0)
		order_units(units, units[i].parent, order, norder, path, errors);
	if (units[i].state != 2) {
		units[i].state = 2;
		order[(*norder)++] = i;
	}
}

static bool load_existing(PGconn *conn, Existing **out, int *n, FormErrors *errors)
{
	char *err = NULL;
	PGresult *res = db_sync_query(conn, SQL_ORG_CODES, 0, NULL, "cannot read the organisation tree", &err);
	Existing *ex;

	if (!res) {
		form_errors_add(errors, "%s", err);
		free(err);
		return false;
	}
	*n = PQntuples(res);
	ex = calloc((size_t)*n + 1, sizeof *ex);
	for (int i = 0; ex && i < *n; i++) {
		ex[i].code = strdup(PQgetvalue(res, i, 0));
		ex[i].parent_code = PQgetisnull(res, i, 1) ? NULL : strdup(PQgetvalue(res, i, 1));
	}
	PQclear(res);
	*out = ex;
	return ex != NULL;
}

static void free_existing(Existing *ex, int n)
{
	for (int i = 0; ex && i < n; i++) {
		free(ex[i].code);
		free(ex[i].parent_code);
	}
	free(ex);
}

/* Parses and checks the file.  Returns the units (even when errors were
 * found: the caller decides by errors->count). */
static Unit *parse_units(const char *path, const char *data, size_t len, int *nunits,
			 FormErrors *errors)
{
	CsvReader r;
	char **fields = NULL;
	int nfields = 0, line = 0, map[NCOLS], rc;
	const char *why = NULL;
	Unit *units = NULL;
	int n = 0, cap = 0;

	for (int c = 0; c < NCOLS; c++)
		map[c] = -1;
	csv_init(&r, data, len);
	rc = csv_next(&r, &fields, &nfields, &line, &why);
	if (rc <= 0) {
		form_errors_add(errors, "%s:1: %s", path,
				rc == 0 ? "the file is empty: the first line must name the columns"
					: why);
		return NULL;
	}
	for (int f = 0; f < nfields; f++) {
		char *name = trim(fields[f]);
		int c;
		for (char *p = name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		for (c = 0; c < NCOLS && strcmp(column_names[c], name) != 0; c++)
			;
		if (c == NCOLS)
			form_errors_add(errors, "%s:%d: unknown column \"%s\" (columns: code, name, kind, "
						"parent_code, school_level, old_province_code, "
						"old_district_code)",
					path, line, name);
		else if (map[c] >= 0)
			form_errors_add(errors, "%s:%d: column \"%s\" given twice", path, line, name);
		else
			map[c] = f;
	}
	for (int c = COL_CODE; c <= COL_PARENT; c++)
		if (map[c] < 0)
			form_errors_add(errors, "%s:%d: the column \"%s\" is missing", path, line,
					column_names[c]);
	csv_free_fields(fields, nfields);
	if (errors->count)
		return NULL;

	while ((rc = csv_next(&r, &fields, &nfields, &line, &why)) != 0) {
		Unit *u;
		if (rc < 0) {
			form_errors_add(errors, "%s:%d: %s", path, line, why);
			continue;
		}
		if (n == cap) {
			Unit *grown = realloc(units, (size_t)(cap = cap ? cap * 2 : 64) * sizeof *grown);
			if (!grown) {
				form_errors_add(errors, "%s: out of memory", path);
				csv_free_fields(fields, nfields);
				break;
			}
			units = grown;
		}
		u = &units[n++];
		memset(u, 0, sizeof *u);
		u->line = line;
		u->parent = -1;
		for (int c = 0; c < NCOLS; c++) {
			char *value;
			if (map[c] < 0 || map[c] >= nfields)
				continue;
			value = trim(fields[map[c]]);
			if (*value)
				u->v[c] = strdup(value);
		}
		{
			int expected = 0;
			for (int c = 0; c < NCOLS; c++)
				expected += map[c] >= 0;
			if (nfields != expected)
				form_errors_add(errors, "%s:%d: %d fields where the header has %d", path,
						line, nfields, expected);
		}
		csv_free_fields(fields, nfields);
		if (!u->v[COL_CODE]) {
			form_errors_add(errors, "%s:%d: code is empty", path, line);
		} else if (!valid_code(u->v[COL_CODE])) {
			form_errors_add(errors, "%s:%d: code \"%s\": use 1-64 letters, digits, '.', '_' "
						"or '-'",
					path, line, u->v[COL_CODE]);
		} else {
			int other = find_unit(units, n - 1, u->v[COL_CODE]);
			if (other >= 0)
				form_errors_add(errors, "%s:%d: code \"%s\" is already on line %d", path,
						line, u->v[COL_CODE], units[other].line);
		}
		if (!u->v[COL_NAME] || !text_has_content(u->v[COL_NAME])) {
			form_errors_add(errors, "%s:%d: name is empty", path, line);
		} else {
			char *nfc = text_to_nfc(u->v[COL_NAME]);
			free(u->v[COL_NAME]);
			u->v[COL_NAME] = nfc;
			if (nfc && text_char_count(nfc, strlen(nfc)) > 300)
				form_errors_add(errors, "%s:%d: name is longer than 300 characters", path,
						line);
		}
		if (!u->v[COL_KIND] || !in_list(u->v[COL_KIND], kinds))
			form_errors_add(errors, "%s:%d: kind \"%s\": use province, commune, district, "
						"school, grade, class, country or other",
					path, line, u->v[COL_KIND] ? u->v[COL_KIND] : "");
		if (u->v[COL_LEVEL] && !in_list(u->v[COL_LEVEL], levels))
			form_errors_add(errors, "%s:%d: school_level \"%s\": use mam-non, tieu-hoc, thcs, "
						"thpt, lien-cap or gdtx",
					path, line, u->v[COL_LEVEL]);
		else if (u->v[COL_LEVEL] && u->v[COL_KIND] && strcmp(u->v[COL_KIND], "school") != 0)
			form_errors_add(errors, "%s:%d: school_level is for schools only", path, line);
		if (u->v[COL_PARENT] && u->v[COL_CODE] &&
		    strcmp(u->v[COL_PARENT], u->v[COL_CODE]) == 0)
			form_errors_add(errors, "%s:%d: %s is its own parent", path, line,
					u->v[COL_CODE]);
	}
	*nunits = n;
	return units;
}

static void free_units(Unit *units, int n)
{
	for (int i = 0; units && i < n; i++)
		for (int c = 0; c < NCOLS; c++)
			free(units[i].v[c]);
	free(units);
}

static bool write_units(PGconn *conn, Unit *units, const int *order, int n, int *added,
			FormErrors *errors, const char *path)
{
	char *err = NULL;

	if (!db_sync_exec(conn, "BEGIN", "cannot start a transaction", &err))
		goto fail;
	for (int k = 0; k < n; k++) {
		Unit *u = &units[order[k]];
		const char *params[7] = {u->v[COL_CODE],	  u->v[COL_NAME],	u->v[COL_KIND],
					 u->v[COL_LEVEL],	  u->v[COL_PARENT],	u->v[COL_OLD_PROVINCE],
					 u->v[COL_OLD_DISTRICT]};
		PGresult *res = db_sync_query(conn, SQL_ORG_UPSERT, 7, params, "cannot store a unit", &err);
		if (!res) {
			char *named = str_printf("%s:%d: %s", path, u->line, err);
			free(err);
			err = named;
			goto rollback;
		}
		*added += PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
	}
	if (!db_sync_exec(conn, "COMMIT", "cannot commit", &err))
		goto fail;
	return true;
rollback: {
	PGresult *res = PQexec(conn, "ROLLBACK");
	PQclear(res);
}
fail:
	form_errors_add(errors, "%s", err ? err : "out of memory");
	free(err);
	return false;
}

/* Line number of a "path:LINE: …" message (0 when none). */
static long message_line(const char *message, size_t path_len)
{
	return strlen(message) > path_len && message[path_len] == ':'
		       ? strtol(message + path_len + 1, NULL, 10)
		       : 0;
}

static int by_line(const void *a, const void *b, void *path_len)
{
	long x = message_line(*(char *const *)a, *(size_t *)path_len);
	long y = message_line(*(char *const *)b, *(size_t *)path_len);
	return (x > y) - (x < y);
}

bool org_import(const char *conninfo, const char *path, FILE *out, FormErrors *errors)
{
	size_t len = 0, bad = 0;
	char *err = NULL;
	char *data = read_file_whole(path, ORG_IMPORT_MAX_BYTES, "a list of units", &len, &err);
	Unit *units = NULL;
	Existing *existing = NULL;
	int n = 0, nexisting = 0, norder = 0, added = 0;
	int *order = NULL;
	PGconn *conn = NULL;
	bool ok = false;

	if (!data) {
		form_errors_add(errors, "%s", err ? err : "out of memory");
		free(err);
		return false;
	}
	if (!text_valid_utf8(data, len, &bad)) {
		int line, col;
		text_line_col(data, bad, &line, &col);
		form_errors_add(errors, "%s:%d: invalid UTF-8 (save the file as UTF-8 CSV)", path,
				line);
		goto done;
	}
	units = parse_units(path, data, len, &n, errors);
	if (!units && errors->count)
		goto done; /* the header is wrong: the rows cannot be read */
	if (n == 0 && !errors->count) {
		form_errors_add(errors, "%s: no unit below the header line", path);
		goto done;
	}
	conn = db_sync_connect(conninfo, "hailong-org-import", &err);
	if (!conn) {
		form_errors_add(errors, "%s", err);
		goto done;
	}
	if (!load_existing(conn, &existing, &nexisting, errors))
		goto done;
	/* Parents and cycles are checked even when lines had other problems:
	 * the whole list of what to fix comes in one run. */
	for (int i = 0; i < n; i++) {
		Unit *u = &units[i];
		const Existing *was;
		if (!u->v[COL_CODE])
			continue;
		was = find_existing(existing, nexisting, u->v[COL_CODE]);
		if (u->v[COL_PARENT]) {
			u->parent = find_unit(units, n, u->v[COL_PARENT]);
			if (u->parent < 0 && !find_existing(existing, nexisting, u->v[COL_PARENT]))
				form_errors_add(errors, "%s:%d: parent_code \"%s\" is neither in this file "
							"nor in the database",
						path, u->line, u->v[COL_PARENT]);
		} else if (!u->v[COL_KIND] || (strcmp(u->v[COL_KIND], "province") != 0 &&
						 strcmp(u->v[COL_KIND], "country") != 0)) {
			form_errors_add(errors, "%s:%d: parent_code is empty: only a province (or the "
						"country) may stand at the top",
					path, u->line);
		}
		if (was && ((was->parent_code == NULL) != (u->v[COL_PARENT] == NULL) ||
			    (was->parent_code && u->v[COL_PARENT] &&
			     strcmp(was->parent_code, u->v[COL_PARENT]) != 0)))
			form_errors_add(errors, "%s:%d: %s already exists under %s; moving a unit to "
						"another parent is not done by import",
					path, u->line, u->v[COL_CODE],
					was->parent_code ? was->parent_code : "the top");
	}
	order = calloc((size_t)n + 1, sizeof *order);
	for (int i = 0; order && i < n; i++)
		if (units[i].v[COL_CODE])
			order_units(units, i, order, &norder, path, errors);
	if (errors->count || !order)
		goto done;
	if (!write_units(conn, units, order, norder, &added, errors, path))
		goto done;
	fprintf(out, "%s: %d units imported (%d new, %d updated)\n", path, n, added, n - added);
	ok = true;
done:
	if (!ok && errors->count > 1 && errors->count <= errors->cap) {
		/* In file order, as the person fixing it reads the file. */
		size_t path_len = strlen(path);
		qsort_r(errors->lines, errors->count, sizeof *errors->lines, by_line, &path_len);
	}
	free(err);
	free(order);
	free_existing(existing, nexisting);
	free_units(units, n);
	PQfinish(conn);
	free(data);
	return ok;
}

bool org_import_check_text(const char *path, const char *data, size_t len, FormErrors *errors)
{
	size_t bad;
	int n = 0;
	Unit *units;

	if (!text_valid_utf8(data, len, &bad)) {
		form_errors_add(errors, "%s: invalid UTF-8", path);
		return false;
	}
	units = parse_units(path, data, len, &n, errors);
	free_units(units, n);
	return errors->count == 0;
}
