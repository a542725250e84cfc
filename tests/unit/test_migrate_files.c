/* Migration file names, error positions, transaction-control detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "migrate.h"

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(migrate_parse_name("001_init.sql"), 1);
	assert_int_equal(migrate_parse_name("012_add_forms_2.sql"), 12);
	assert_int_equal(migrate_parse_name("1234_x.sql"), 1234);
	assert_int_equal(migrate_parse_name("README"), 0);
	assert_int_equal(migrate_parse_name("001_init.sql.orig"), 0);
	assert_int_equal(migrate_parse_name("1_init.sql"), -1);
	assert_int_equal(migrate_parse_name("001init.sql"), -1);
	assert_int_equal(migrate_parse_name("001_.sql"), -1);
	assert_int_equal(migrate_parse_name("001_Init.sql"), -1);
	assert_int_equal(migrate_parse_name("001_in-it.sql"), -1);
	assert_int_equal(migrate_parse_name("000_zero.sql"), -1);
	assert_int_equal(migrate_parse_name("9999999_big.sql"), -1);
	assert_int_equal(migrate_parse_name(".sql"), -1);
}

static void test_position(void **state)
{
	int line, col;
	(void)state;
	migrate_position("SELECT 1;\nSELECT x;", 18, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 8);
	migrate_position("abc", 1, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 1);
	/* Positions count characters: "đ" is two bytes but one character. */
	migrate_position("-- đ\nxx", 7, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 2);
	migrate_position("short", 999, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 6);
}

static void test_transaction_control(void **state)
{
	(void)state;
	assert_int_equal(migrate_find_transaction_control("CREATE TABLE a (x int);"), 0);
	assert_int_equal(migrate_find_transaction_control("CREATE TABLE a (x int);\ncommit;"), 2);
	assert_int_equal(migrate_find_transaction_control("BEGIN;\nCREATE TABLE a();"), 1);
	assert_int_equal(migrate_find_transaction_control("SELECT 1;\n\n  Rollback ;"), 3);
	assert_int_equal(migrate_find_transaction_control("select 1; end;"), 1);
	assert_int_equal(migrate_find_transaction_control("START TRANSACTION;"), 1);
	assert_int_equal(migrate_find_transaction_control("SELECT 1;\nPREPARE TRANSACTION 'x';"), 2);
	/* Not at a statement start, or hidden in comments, strings and bodies. */
	assert_int_equal(migrate_find_transaction_control("PREPARE q AS SELECT 1;"), 0);
	assert_int_equal(migrate_find_transaction_control("-- COMMIT;\nSELECT 1;"), 0);
	assert_int_equal(migrate_find_transaction_control("/* BEGIN; /* nested */ COMMIT; */ SELECT 1;"), 0);
	assert_int_equal(migrate_find_transaction_control("SELECT 'x; COMMIT;';"), 0);
	assert_int_equal(migrate_find_transaction_control("SELECT 'it''s; commit';"), 0);
	assert_int_equal(migrate_find_transaction_control("SELECT E'\\'; commit';"), 0);
	assert_int_equal(migrate_find_transaction_control("SELECT \"commit\" FROM t;"), 0);
	assert_int_equal(migrate_find_transaction_control(
				 "CREATE FUNCTION f() RETURNS void AS $body$\nBEGIN\n  NULL;\nEND;\n$body$ LANGUAGE plpgsql;\nCOMMIT;"),
			 6);
	assert_int_equal(migrate_find_transaction_control(
				 "DO $$ BEGIN PERFORM 1; END $$;"), 0);
	assert_int_equal(migrate_find_transaction_control("SELECT $1; COMMIT;"), 1);
	assert_int_equal(migrate_find_transaction_control("CREATE TABLE committed (x int);"), 0);
}

static void test_read_dir(void **state)
{
	char dir[] = "/tmp/hailong-unit-XXXXXX";
	char path[256];
	MigrationFile *files = NULL;
	size_t count = 0;
	char *err = NULL;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/002_b.sql", dir);
	f = fopen(path, "w");
	fputs("SELECT 2;\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/001_a.sql", dir);
	f = fopen(path, "w");
	fputs("SELECT 1;\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/notes.txt", dir);
	f = fopen(path, "w");
	fclose(f);
	assert_true(migrate_read_dir(dir, &files, &count, &err));
	assert_int_equal(count, 2);
	assert_int_equal(files[0].version, 1);
	assert_string_equal(files[1].name, "002_b.sql");
	assert_string_equal(files[0].sql, "SELECT 1;\n");
	assert_int_equal(strlen(files[0].checksum), 64);
	assert_string_not_equal(files[0].checksum, files[1].checksum);
	migrate_files_free(files, count);

	snprintf(path, sizeof path, "%s/2_bad.sql", dir);
	f = fopen(path, "w");
	fclose(f);
	assert_false(migrate_read_dir(dir, &files, &count, &err));
	assert_non_null(strstr(err, "2_bad.sql: a migration file name must look like"));
	free(err);
	unlink(path);

	snprintf(path, sizeof path, "%s/001_a.sql", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/002_b.sql", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/notes.txt", dir);
	unlink(path);
	rmdir(dir);

	assert_false(migrate_read_dir("/nonexistent-hailong", &files, &count, &err));
	assert_non_null(strstr(err, "cannot open migrations folder"));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_position),
		cmocka_unit_test(test_transaction_control),
		cmocka_unit_test(test_read_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
