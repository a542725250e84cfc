/*
 * migrate: applies the numbered SQL files of sql/ (NNN_name.sql) to the
 * database, each once, each in its own transaction, recorded with its SHA-256
 * in hailong_migrations.  A file that changed after it was applied, a gap in
 * the numbering below the newest applied file, or a migration the database
 * has but this build lacks all make it refuse before touching anything.  An
 * advisory lock makes concurrent runs wait for each other.
 *
 * This runs from the command line, before any event loop: blocking libpq
 * is right here.
 */
#ifndef HAILONG_MIGRATE_H
#define HAILONG_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct MigrationFile {
	int version;
	char *name;     /* file name, e.g. "001_init.sql" */
	char *path;     /* dir + "/" + name */
	char *sql;      /* file contents, NUL-terminated */
	char checksum[65]; /* lower-case hex SHA-256 of the contents */
} MigrationFile;

/* Parses a migration file name "NNN_words.sql" (at least three digits, then
 * lower-case letters, digits and underscores).  Returns the version, 0 when
 * the name is not a migration name at all (no .sql suffix), or -1 when it
 * ends in .sql but is malformed. */
int migrate_parse_name(const char *name);

/* Reads every migration in dir, sorted by version.  On failure returns false
 * and sets *err (malloc'd, caller frees) to "path: reason".  *files is an
 * array the caller frees with migrate_files_free. */
bool migrate_read_dir(const char *dir, MigrationFile **files, size_t *count, char **err)
	__attribute__((warn_unused_result));

void migrate_files_free(MigrationFile *files, size_t count);

/* Converts PostgreSQL's 1-based character position in text into a line
 * and column (both 1-based; columns count characters, not bytes). */
void migrate_position(const char *text, long position, int *line, int *column);

/* Looks for a statement that starts or ends a transaction (BEGIN, START,
 * COMMIT, END, ROLLBACK, ABORT, PREPARE TRANSACTION) at the top level of
 * sql, skipping comments, string literals, quoted identifiers and
 * dollar-quoted bodies.  Returns the 1-based line of the first one, or 0.
 * Such a statement would commit part of a migration on its own. */
int migrate_find_transaction_control(const char *sql);

/* Applies what is pending.  Progress lines go to out.  Returns false with
 * *err set (one line, malloc'd) on any failure; a failing file is rolled
 * back whole, files before it stay applied. */
bool migrate_run(const char *conninfo, const char *dir, FILE *out, char **err)
	__attribute__((warn_unused_result));

#endif
