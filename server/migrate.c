#include "migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "db_sync.h"
#include "sql_text.h"
#include "util.h"

enum { MAX_MIGRATION_BYTES = 16 * 1024 * 1024 };

int migrate_parse_name(const char *name)
{
	size_t len = strlen(name);
	const char *p = name;
	long version = 0;
	int digits = 0;

	if (len < 4 || strcmp(name + len - 4, ".sql") != 0)
		return 0;
	for (; isdigit((unsigned char)*p); p++, digits++) {
		version = version * 10 + (*p - '0');
		if (version > 999999)
			return -1;
	}
	if (digits < 3 || *p != '_' || version == 0)
		return -1;
	p++;
	if (p == name + len - 4)
		return -1;
	for (; p < name + len - 4; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
			return -1;
	return (int)version;
}

void migrate_files_free(MigrationFile *files, size_t count)
{
	if (!files)
		return;
	for (size_t i = 0; i < count; i++) {
		free(files[i].name);
		free(files[i].path);
		free(files[i].sql);
	}
	free(files);
}

static int compare_version(const void *a, const void *b)
{
	const MigrationFile *x = a, *y = b;
	return (x->version > y->version) - (x->version < y->version);
}

/* Reads path whole; false with *err on failure. */
static bool read_file(const char *path, char **out, char **err)
{
	size_t len = 0;
	char *buf = read_file_whole(path, MAX_MIGRATION_BYTES, "a migration", &len, err);

	if (!buf)
		return false;
	if (memchr(buf, '\0', len)) {
		*err = str_oneline("%s: contains a NUL byte", path);
		free(buf);
		return false;
	}
	*out = buf;
	return true;
}

bool migrate_read_dir(const char *dir, MigrationFile **files_out, size_t *count_out, char **err)
{
	DIR *d = opendir(dir);
	struct dirent *entry;
	MigrationFile *files = NULL;
	size_t count = 0, cap = 0;

	*err = NULL;
	if (!d) {
		*err = str_oneline("%s: cannot open migrations folder: %s", dir, strerror(errno));
		return false;
	}
	while ((entry = readdir(d))) {
		int version = migrate_parse_name(entry->d_name);
		MigrationFile *f;
		size_t path_len;

		if (version == 0)
			continue;
		if (version < 0) {
			*err = str_oneline("%s/%s: a migration file name must look like 001_create_things.sql",
				      dir, entry->d_name);
			goto fail;
		}
		if (count == cap) {
			MigrationFile *grown;
			cap = cap ? cap * 2 : 16;
			grown = realloc(files, cap * sizeof *files);
			if (!grown)
				goto oom;
			files = grown;
		}
		f = &files[count];
		memset(f, 0, sizeof *f);
		count++;
		f->version = version;
		f->name = strdup(entry->d_name);
		path_len = strlen(dir) + strlen(entry->d_name) + 2;
		f->path = malloc(path_len);
		if (!f->name || !f->path)
			goto oom;
		snprintf(f->path, path_len, "%s/%s", dir, entry->d_name);
		if (!read_file(f->path, &f->sql, err))
			goto fail;
		{
			unsigned char digest[crypto_hash_sha256_BYTES];
			crypto_hash_sha256(digest, (const unsigned char *)f->sql, strlen(f->sql));
			sodium_bin2hex(f->checksum, sizeof f->checksum, digest, sizeof digest);
		}
	}
	closedir(d);
	d = NULL;
	if (count)
		qsort(files, count, sizeof *files, compare_version);
	for (size_t i = 1; i < count; i++) {
		if (files[i].version == files[i - 1].version) {
			*err = str_oneline("%s: has the same number as %s", files[i].path, files[i - 1].path);
			goto fail;
		}
	}
	*files_out = files;
	*count_out = count;
	return true;
oom:
	*err = str_oneline("%s: out of memory", dir);
fail:
	if (d)
		closedir(d);
	migrate_files_free(files, count);
	return false;
}

void migrate_position(const char *text, long position, int *line, int *column)
{
	long chars = 1;

	*line = 1;
	*column = 1;
	for (const unsigned char *p = (const unsigned char *)text; *p && chars < position; p++) {
		if ((*p & 0xC0) == 0x80)
			continue; /* a UTF-8 continuation byte is not a character */
		chars++;
		if (*p == '\n') {
			(*line)++;
			*column = 1;
		} else {
			(*column)++;
		}
	}
}

static bool word_is(const char *p, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(p, word, len) == 0;
}

int migrate_find_transaction_control(const char *sql)
{
	const char *p = sql;
	int line = 1, statement_line = 1;
	bool at_start = true; /* no token yet in the current statement */
	bool after_prepare = false;

	while (*p) {
		if (*p == '\n') {
			line++;
			p++;
		} else if (isspace((unsigned char)*p)) {
			p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			int depth = 1;
			for (p += 2; *p && depth > 0; p++) {
				if (*p == '\n')
					line++;
				else if (p[0] == '/' && p[1] == '*')
					depth++, p++;
				else if (p[0] == '*' && p[1] == '/')
					depth--, p++;
			}
		} else if (*p == ';') {
			at_start = true;
			after_prepare = false;
			p++;
		} else if (*p == '\'' || *p == '"') {
			char quote = *p++;
			at_start = false;
			while (*p) {
				if (*p == '\n')
					line++;
				if (*p == quote) {
					if (p[1] == quote) {
						p += 2;
						continue;
					}
					p++;
					break;
				}
				/* E'…' strings may escape a quote with a backslash. */
				if (*p == '\\' && quote == '\'' && p[1])
					p++;
				p++;
			}
		} else if (*p == '$' && (p[1] == '$' || isalpha((unsigned char)p[1]) || p[1] == '_')) {
			/* A dollar quote $tag$…$tag$, or a positional parameter $1. */
			const char *tag_end = p + 1;
			while (isalnum((unsigned char)*tag_end) || *tag_end == '_')
				tag_end++;
			at_start = false;
			if (*tag_end != '$') {
				p = tag_end;
				continue;
			}
			{
				size_t tag_len = (size_t)(tag_end - p) + 1;
				const char *body = tag_end + 1, *close = body;
				while (*close && strncmp(close, p, tag_len) != 0)
					close++;
				for (const char *q = body; q < close; q++)
					if (*q == '\n')
						line++;
				p = *close ? close + tag_len : close;
			}
		} else if (isalpha((unsigned char)*p) || *p == '_') {
			const char *start = p;
			size_t len;
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			len = (size_t)(p - start);
			if (at_start) {
				statement_line = line;
				if (word_is(start, len, "BEGIN") || word_is(start, len, "START") ||
				    word_is(start, len, "COMMIT") || word_is(start, len, "END") ||
				    word_is(start, len, "ROLLBACK") || word_is(start, len, "ABORT"))
					return statement_line;
				after_prepare = word_is(start, len, "PREPARE");
			} else if (after_prepare) {
				if (word_is(start, len, "TRANSACTION"))
					return statement_line;
				after_prepare = false;
			}
			at_start = false;
		} else {
			at_start = false;
			after_prepare = false;
			p++;
		}
	}
	return 0;
}

typedef struct Applied {
	int version;
	char *name;
	char *checksum;
	char *applied_at;
} Applied;

/* Runs one file in a transaction and records it. */
static bool apply_one(PGconn *conn, const MigrationFile *f, char **err)
{
	PGresult *res = NULL;
	char version[16];
	const char *params[3];

	{
		int line = migrate_find_transaction_control(f->sql);
		if (line) {
			*err = str_oneline("%s:%d: the file must not start or end transactions "
				      "(BEGIN/COMMIT/ROLLBACK): each migration already runs in one; "
				      "nothing of this file was applied",
				      f->path, line);
			return false;
		}
	}
	if (!db_sync_exec(conn, "BEGIN", f->path, err))
		return false;
	res = PQexec(conn, f->sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_EMPTY_QUERY) {
		const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
		const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
		int line = 0, column = 0;

		if (pos)
			migrate_position(f->sql, atol(pos), &line, &column);
		if (line)
			*err = str_oneline("%s:%d:%d: %s: %s (SQLSTATE %s); nothing of this file was applied",
				      f->path, line, column, severity ? severity : "ERROR",
				      primary ? primary : PQerrorMessage(conn), state ? state : "?");
		else
			*err = str_oneline("%s: %s: %s (SQLSTATE %s); nothing of this file was applied",
				      f->path, severity ? severity : "ERROR",
				      primary ? primary : PQerrorMessage(conn), state ? state : "?");
		goto rollback;
	}
	PQclear(res);
	res = NULL;
	if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
		*err = str_oneline("%s: the file must not end or start transactions (BEGIN/COMMIT): "
			      "each migration already runs in one",
			      f->path);
		goto rollback;
	}
	snprintf(version, sizeof version, "%d", f->version);
	params[0] = version;
	params[1] = f->name;
	params[2] = f->checksum;
	res = PQexecParams(conn, SQL_MIGRATE_RECORD, 3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		*err = str_oneline("%s: cannot record the migration: %s", f->path, PQerrorMessage(conn));
		goto rollback;
	}
	PQclear(res);
	return db_sync_exec(conn, "COMMIT", f->path, err);
rollback:
	PQclear(res);
	res = PQexec(conn, "ROLLBACK");
	PQclear(res);
	return false;
}

static void applied_free(Applied *applied, int count)
{
	for (int i = 0; i < count; i++) {
		free(applied[i].name);
		free(applied[i].checksum);
		free(applied[i].applied_at);
	}
	free(applied);
}

/* Loads the applied list; false with *err. */
static bool load_applied(PGconn *conn, Applied **out, int *count, char **err)
{
	PGresult *res = PQexec(conn, SQL_MIGRATE_APPLIED);
	Applied *applied = NULL;
	int n;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		*err = str_oneline("cannot read %s: %s", MIGRATIONS_TABLE, PQerrorMessage(conn));
		PQclear(res);
		return false;
	}
	n = PQntuples(res);
	applied = calloc((size_t)n + 1, sizeof *applied);
	if (!applied) {
		*err = str_oneline("out of memory");
		PQclear(res);
		return false;
	}
	for (int i = 0; i < n; i++) {
		applied[i].version = atoi(PQgetvalue(res, i, 0));
		applied[i].name = strdup(PQgetvalue(res, i, 1));
		applied[i].checksum = strdup(PQgetvalue(res, i, 2));
		applied[i].applied_at = strdup(PQgetvalue(res, i, 3));
	}
	PQclear(res);
	*out = applied;
	*count = n;
	return true;
}

/* Checks the applied list against the files before anything is changed. */
static bool check_history(const MigrationFile *files, size_t nfiles, const Applied *applied,
			  int napplied, const char *dir, char **err)
{
	int newest = napplied ? applied[napplied - 1].version : 0;

	for (int i = 0; i < napplied; i++) {
		const MigrationFile *f = NULL;
		for (size_t j = 0; j < nfiles && !f; j++)
			if (files[j].version == applied[i].version)
				f = &files[j];
		if (!f) {
			*err = str_oneline("the database has migration %s (applied %s) but %s has no file "
				      "numbered %d: is this an older hailong than the one that "
				      "migrated it?",
				      applied[i].name, applied[i].applied_at, dir, applied[i].version);
			return false;
		}
		if (strcmp(f->checksum, applied[i].checksum) != 0) {
			*err = str_oneline("%s was changed after it was applied on %s (recorded sha256 %.12s…, "
				      "file has %.12s…): applied migrations must not change; put the "
				      "change in a new numbered file",
				      f->path, applied[i].applied_at, applied[i].checksum, f->checksum);
			return false;
		}
	}
	for (size_t j = 0; j < nfiles; j++) {
		bool done = false;
		for (int i = 0; i < napplied && !done; i++)
			done = applied[i].version == files[j].version;
		if (!done && files[j].version < newest) {
			*err = str_oneline("%s is numbered below the newest applied migration (%d) but was "
				      "never applied: give it a number above %d",
				      files[j].path, newest, newest);
			return false;
		}
	}
	return true;
}

bool migrate_run(const char *conninfo, const char *dir, FILE *out, char **err)
{
	MigrationFile *files = NULL;
	size_t nfiles = 0, applied_now = 0;
	Applied *applied = NULL;
	int napplied = 0;
	PGconn *conn = NULL;
	bool ok = false, locked = false;

	*err = NULL;
	if (!migrate_read_dir(dir, &files, &nfiles, err))
		return false;
	conn = db_sync_connect(conninfo, "hailong-migrate", err);
	if (!conn)
		goto done;
	if (!db_sync_exec(conn, SQL_MIGRATE_LOCK, "cannot take the migration lock", err))
		goto done;
	locked = true;
	if (!db_sync_exec(conn, SQL_MIGRATE_CREATE_TABLE, "cannot create " MIGRATIONS_TABLE, err))
		goto done;
	if (!load_applied(conn, &applied, &napplied, err))
		goto done;
	if (!check_history(files, nfiles, applied, napplied, dir, err))
		goto done;
	for (size_t j = 0; j < nfiles; j++) {
		bool done_already = false;
		struct timespec t0, t1;

		for (int i = 0; i < napplied && !done_already; i++)
			done_already = applied[i].version == files[j].version;
		if (done_already)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (!apply_one(conn, &files[j], err))
			goto done;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		applied_now++;
		if (out)
			fprintf(out, "applied %s (%.0f ms)\n", files[j].name,
				(double)(t1.tv_sec - t0.tv_sec) * 1e3 +
					(double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	}
	if (out)
		fprintf(out, "database is up to date at migration %d (%zu applied now)\n",
			nfiles ? files[nfiles - 1].version : 0, applied_now);
	ok = true;
done:
	if (locked) {
		PGresult *res = PQexec(conn, SQL_MIGRATE_UNLOCK);
		PQclear(res);
	}
	if (conn)
		PQfinish(conn);
	applied_free(applied, napplied);
	migrate_files_free(files, nfiles);
	return ok;
}
