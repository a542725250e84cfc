/* Config: value parsers, bounds, precedence, and docs/config.md in step
 * with the option table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

static void test_sizes(void **state)
{
	long long v;
	(void)state;
	assert_true(config_parse_size("65536", &v));
	assert_int_equal(v, 65536);
	assert_true(config_parse_size("64KiB", &v));
	assert_int_equal(v, 65536);
	assert_true(config_parse_size("1m", &v));
	assert_int_equal(v, 1048576);
	assert_true(config_parse_size("2 MiB", &v));
	assert_int_equal(v, 2097152);
	assert_false(config_parse_size("", &v));
	assert_false(config_parse_size("-1", &v));
	assert_false(config_parse_size("1TiB", &v));
	assert_false(config_parse_size("1.5MiB", &v));
	assert_false(config_parse_size("99999999999999999999", &v));
	assert_false(config_parse_size("9223372036854775807MiB", &v));
}

static void test_durations(void **state)
{
	long long v;
	(void)state;
	assert_true(config_parse_duration_ms("250", &v));
	assert_int_equal(v, 250);
	assert_true(config_parse_duration_ms("250ms", &v));
	assert_int_equal(v, 250);
	assert_true(config_parse_duration_ms("5s", &v));
	assert_int_equal(v, 5000);
	assert_true(config_parse_duration_ms("2min", &v));
	assert_int_equal(v, 120000);
	assert_true(config_parse_duration_ms("1h", &v));
	assert_int_equal(v, 3600000);
	assert_false(config_parse_duration_ms("5 years", &v));
	assert_false(config_parse_duration_ms("s", &v));
}

static void test_listen(void **state)
{
	char *host = NULL;
	int port = -1;
	(void)state;
	assert_true(config_parse_listen("127.0.0.1:8080", &host, &port));
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8080);
	free(host);
	assert_true(config_parse_listen("[::1]:0", &host, &port));
	assert_string_equal(host, "::1");
	assert_int_equal(port, 0);
	free(host);
	assert_true(config_parse_listen("localhost:65535", &host, &port));
	free(host);
	host = NULL;
	assert_false(config_parse_listen("localhost", &host, &port));
	assert_false(config_parse_listen(":8080", &host, &port));
	assert_false(config_parse_listen("127.0.0.1:65536", &host, &port));
	assert_false(config_parse_listen("127.0.0.1:-1", &host, &port));
	assert_false(config_parse_listen("127.0.0.1:80a", &host, &port));
	assert_false(config_parse_listen("::1:8080", &host, &port));
	assert_false(config_parse_listen("[::1]8080", &host, &port));
	assert_false(config_parse_listen("ho st:80", &host, &port));
	assert_null(host);
}

static void test_set_and_errors(void **state)
{
	Config c;
	char *err = NULL;
	(void)state;
	assert_true(config_init(&c));
	assert_int_equal(c.listen.port, 8080);
	assert_int_equal(c.http_max_body, 65536);
	assert_null(c.database_url);

	assert_false(config_set(&c, config_find("db-pool-size"), "0", &err));
	assert_string_equal(err, "invalid value for HAILONG_DB_POOL_SIZE (--db-pool-size): \"0\": "
				 "must be between 1 and 200");
	free(err);
	assert_int_equal(c.db_pool_size, 8);
	assert_false(config_set(&c, config_find("db-pool-size"), " 5", &err));
	free(err);
	assert_false(config_set(&c, config_find("db-pool-size"), "5x", &err));
	free(err);
	assert_true(config_set(&c, config_find("db-pool-size"), "5", &err));
	assert_int_equal(c.db_pool_size, 5);

	assert_true(config_set(&c, config_find("base-url"), "https://ks.edu.vn/hl//", &err));
	assert_string_equal(c.base_url, "https://ks.edu.vn/hl");
	assert_false(config_set(&c, config_find("base-url"), "https://ks.edu.vn/?q=1", &err));
	free(err);
	assert_false(config_set(&c, config_find("base-url"), "http://trường.vn", &err));
	free(err);
	assert_string_equal(c.base_url, "https://ks.edu.vn/hl");

	assert_false(config_set(&c, config_find("database-url"), "postgresql://u:pw@[x", &err));
	assert_null(strstr(err, "pw@"));
	free(err);
	assert_true(config_set(&c, config_find("database-url"), "host=/tmp dbname=x", &err));
	assert_string_equal(c.database_url, "host=/tmp dbname=x");

	assert_false(config_set(&c, config_find("http-max-body"), "512", &err));
	assert_non_null(strstr(err, "must be between 1024 and 67108864 bytes"));
	free(err);
	assert_false(config_set(&c, config_find("log-level"), "verbose", &err));
	free(err);
	config_free(&c);
	config_free(NULL);
}

static void test_args_and_env(void **state)
{
	Config c;
	char *err = NULL;
	int used = 0;
	char *argv[] = {"--listen", "127.0.0.1:9000", "--db-timeout=2s", "rest", "--x"};
	char *bad[] = {"--nope=1"};
	char *missing[] = {"--listen"};
	(void)state;

	assert_true(config_init(&c));
	setenv("HAILONG_LISTEN", "127.0.0.1:7000", 1);
	setenv("HAILONG_DB_TIMEOUT", "9s", 1);
	assert_true(config_load_env(&c, &err));
	assert_int_equal(c.listen.port, 7000);
	assert_int_equal(c.db_timeout_ms, 9000);
	/* Flags win over the environment. */
	assert_true(config_parse_args(&c, 5, argv, &used, &err));
	assert_int_equal(used, 3);
	assert_int_equal(c.listen.port, 9000);
	assert_int_equal(c.db_timeout_ms, 2000);
	assert_false(config_parse_args(&c, 1, bad, &used, &err));
	assert_string_equal(err, "unknown option \"--nope\" (see hailong --help)");
	free(err);
	assert_false(config_parse_args(&c, 1, missing, &used, &err));
	free(err);
	assert_true(config_finish(&c));
	assert_string_equal(c.base_url, "http://127.0.0.1:9000");
	assert_true(c.base_url_derived);
	setenv("HAILONG_DB_TIMEOUT", "forever", 1);
	assert_false(config_load_env(&c, &err));
	assert_non_null(strstr(err, "HAILONG_DB_TIMEOUT"));
	free(err);
	unsetenv("HAILONG_LISTEN");
	unsetenv("HAILONG_DB_TIMEOUT");
	config_free(&c);
}

static char *read_docs(void)
{
	const char *root = getenv("HAILONG_SOURCE_ROOT");
	char path[1024];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof path, "%s/docs/config.md", root ? root : ".");
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* Every option has a table row in docs/config.md naming its flag, its
 * variable and its default; and every documented flag exists. */
static void test_docs_match_table(void **state)
{
	size_t n;
	const ConfigOption *opts = config_options(&n);
	char *docs = read_docs();
	(void)state;

	for (size_t i = 0; i < n; i++) {
		char needle[128];
		const char *row;
		const char *end;
		snprintf(needle, sizeof needle, "| `--%s` | `%s` |", opts[i].name, opts[i].env);
		row = strstr(docs, needle);
		if (!row)
			fail_msg("docs/config.md has no row starting \"%s\"", needle);
		end = strchr(row, '\n');
		if (opts[i].default_value && opts[i].type != CFG_PATH) {
			snprintf(needle, sizeof needle, "`%s`", opts[i].default_value);
			const char *found = strstr(row, needle);
			if (!found || found > end)
				fail_msg("docs/config.md row of --%s does not give the default %s",
					 opts[i].name, needle);
		}
	}
	for (const char *p = strstr(docs, "| `--"); p; p = strstr(p + 1, "| `--")) {
		char name[64];
		size_t len = strcspn(p + 5, "`");
		if (len >= sizeof name)
			fail_msg("odd row in docs/config.md");
		memcpy(name, p + 5, len);
		name[len] = '\0';
		if (!config_find(name))
			fail_msg("docs/config.md documents --%s, which does not exist", name);
	}
	free(docs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_set_and_errors),
		cmocka_unit_test(test_args_and_env),
		cmocka_unit_test(test_docs_match_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
