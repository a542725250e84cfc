/* Config: value parsers, bounds, precedence, and docs/config.md in step
 * with the option table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	/* Nor a piece of a key/value string that libpq's message quotes. */
	assert_false(config_set(&c, config_find("database-url"), "password=se cret", &err));
	assert_null(strstr(err, "cret"));
	assert_non_null(strstr(err, "missing \"=\" after"));
	free(err);
	assert_false(config_set(&c, config_find("database-url"), "host=/x dbnamefuzzpw", &err));
	assert_null(strstr(err, "fuzzpw"));
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

/* Writes text to a fresh temporary file; returns its path (static buffer
 * reused by the next call). */
static const char *temp_conf(const char *text)
{
	static char path[64];
	int fd;
	FILE *f;

	snprintf(path, sizeof path, "/tmp/hailong-test-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads text as a configuration file into a fresh Config; returns the error
 * (caller frees) or NULL on success, leaving the Config in *c. */
static char *load_text(Config *c, const char *text, char *path_out, size_t path_len)
{
	const char *path = temp_conf(text);
	char *err = NULL;
	bool ok;

	assert_true(config_init(c));
	ok = config_load_file(c, path, &err);
	snprintf(path_out, path_len, "%s", path);
	unlink(path);
	if (ok)
		assert_null(err);
	else
		assert_non_null(err);
	return ok ? NULL : err;
}

/* The message of a file that fails, without its "PATH:" prefix. */
static void assert_file_error(const char *text, const char *expected)
{
	Config c;
	char path[64], *err = load_text(&c, text, path, sizeof path);
	size_t plen = strlen(path);

	if (!err)
		fail_msg("no error for %s", text);
	if (strncmp(err, path, plen) != 0 || err[plen] != ':')
		fail_msg("error does not start with the path: %s", err);
	if (strcmp(err + plen + 1, expected) != 0)
		fail_msg("expected \"%s\", got \"%s\"", expected, err + plen + 1);
	free(err);
	config_free(&c);
}

static void test_file_good(void **state)
{
	Config c;
	char path[64], *err;
	size_t i;
	(void)state;

	err = load_text(&c,
			"# comment\n"
			"\n"
			"   # indented comment\n"
			"db-pool-size = 16\n"
			"listen=\"127.0.0.1:9000\"   # quoted, then a comment\n"
			"rate-limit = 30 # unquoted, then a comment\n"
			"forms-dir = '/srv/forms #1'\n"
			"sql-dir = /srv/sql#2\n"
			"\tlog-level\t=\twarn\t\r\n"
			"trusted-proxies = 127.0.0.1, 10.0.0.0/8 ::1\n"
			"database-url = \"postgresql://u:secret@db/hailong\"\n",
			path, sizeof path);
	assert_null(err);
	assert_int_equal(c.db_pool_size, 16);
	assert_int_equal(c.listen.port, 9000);
	assert_int_equal(c.rate_per_minute, 30);
	assert_string_equal(c.forms_dir, "/srv/forms #1");
	assert_string_equal(c.sql_dir, "/srv/sql#2");
	assert_int_equal(c.log_level, LOG_WARN);
	assert_string_equal(c.trusted_proxies, "127.0.0.1, 10.0.0.0/8 ::1");
	assert_string_equal(c.database_url, "postgresql://u:secret@db/hailong");
	assert_string_equal(c.config_file, path);
	i = (size_t)(config_find("db-pool-size") - config_options(&i));
	assert_int_equal(c.source[i], CFG_SOURCE_FILE);
	assert_int_equal(c.source_line[i], 4);
	i = (size_t)(config_find("max-inflight") - config_options(&i));
	assert_int_equal(c.source[i], CFG_SOURCE_DEFAULT);
	config_free(&c);

	/* An empty file is fine and changes nothing. */
	err = load_text(&c, "", path, sizeof path);
	assert_null(err);
	assert_int_equal(c.db_pool_size, 8);
	config_free(&c);
}

/* Every kind of error names the line and, when there is one, the key. */
static void test_file_errors(void **state)
{
	Config c;
	char *err = NULL;
	(void)state;

	assert_file_error("db-pool-size = 4\n\n# x\ndb-pool-sise = 5\n",
			  "4: unknown key \"db-pool-sise\" (did you mean \"db-pool-size\"?)");
	assert_file_error("HAILONG_DB_POOL_SIZE = 5\n",
			  "1: unknown key \"HAILONG_DB_POOL_SIZE\" (did you mean \"db-pool-size\"?)");
	assert_file_error("--listen = 127.0.0.1:1\n",
			  "1: unknown key \"--listen\" (did you mean \"listen\"?)");
	assert_file_error("colour = blue\n", "1: unknown key \"colour\" (see docs/config.md)");
	assert_file_error("db-pool-size = lots\n",
			  "1: invalid value for key \"db-pool-size\": \"lots\": expected a whole number");
	assert_file_error("db-pool-size = 0\n",
			  "1: invalid value for key \"db-pool-size\": \"0\": must be between 1 and 200");
	assert_file_error("db-timeout = 5 years\n",
			  "1: invalid value for key \"db-timeout\": \"5 years\": expected a duration "
			  "such as 500ms, 5s or 2min");
	assert_file_error("http-max-body = 1TiB\n",
			  "1: invalid value for key \"http-max-body\": \"1TiB\": expected a size such "
			  "as 65536, 64KiB or 1MiB");
	assert_file_error("log-level = loud\n",
			  "1: invalid value for key \"log-level\": \"loud\": expected debug, info, "
			  "warn or error");
	assert_file_error("listen = 8080\n",
			  "1: invalid value for key \"listen\": \"8080\": expected host:port, e.g. "
			  "127.0.0.1:8080 or [::1]:8080, with a port from 0 to 65535");
	assert_file_error("trusted-proxies = 127.0.0.1, 10.0.0.1/8\n",
			  "1: invalid value for key \"trusted-proxies\": \"127.0.0.1, 10.0.0.1/8\": "
			  "\"10.0.0.1/8\" has bits set past its prefix length");
	assert_file_error("sql-dir =\n", "1: invalid value for key \"sql-dir\": \"\": must not be empty");
	assert_file_error("rate-limit = 5\nrate-burst = 5\nrate-limit = 6\n",
			  "3: duplicate key \"rate-limit\" (first set on line 1)");
	assert_file_error("db-pool-size 16\n", "1: expected key = value");
	assert_file_error(" = 16\n", "1: missing key before \"=\"");
	assert_file_error("listen = \"127.0.0.1:80\n", "1: unterminated quoted value");
	assert_file_error("listen = \"127.0.0.1:80\" x\n", "1: unexpected text after the quoted value");
	assert_file_error("config = /etc/other.conf\n",
			  "1: key \"config\" cannot be set in a configuration file");

	/* A database URL is never repeated, even when it is wrong. */
	{
		char path[64];
		err = load_text(&c, "database-url = \"postgresql://u:s3cret@[x\"\n", path, sizeof path);
		assert_non_null(err);
		assert_non_null(strstr(err, ":1: invalid value for key \"database-url\""));
		assert_null(strstr(err, "s3cret"));
		free(err);
		config_free(&c);
		err = load_text(&c, "database-url = 'pw=s3cret\n", path, sizeof path);
		assert_null(strstr(err, "s3cret"));
		free(err);
		config_free(&c);
	}

	/* Files that cannot be read. */
	assert_true(config_init(&c));
	assert_false(config_load_file(&c, "/nonexistent/hailong.conf", &err));
	assert_string_equal(err, "/nonexistent/hailong.conf: cannot read: No such file or directory");
	free(err);
	assert_false(config_load_file(&c, "/tmp", &err));
	assert_string_equal(err, "/tmp: cannot read: Is a directory");
	free(err);
	config_free(&c);
}

/* Flags win over the environment, the environment over the file. */
static void test_file_precedence(void **state)
{
	Config c;
	char *err = NULL;
	int used = 0;
	const char *path = temp_conf("db-pool-size = 16\nrate-limit = 30\nrate-burst = 7\n");
	char *argv[] = {"--rate-limit", "50"};
	char *want[] = {"serve", "--config", "a.conf", "--x", "--config=b.conf", "--", "--config", "c"};
	size_t n;
	(void)state;

	assert_true(config_init(&c));
	assert_true(config_load_file(&c, path, &err));
	setenv("HAILONG_RATE_LIMIT", "40", 1);
	setenv("HAILONG_RATE_BURST", "9", 1);
	assert_true(config_load_env(&c, &err));
	assert_true(config_parse_args(&c, 2, argv, &used, &err));
	assert_int_equal(c.db_pool_size, 16);
	assert_int_equal(c.rate_burst, 9);
	assert_int_equal(c.rate_per_minute, 50);
	assert_int_equal(c.source[config_find("db-pool-size") - config_options(&n)], CFG_SOURCE_FILE);
	assert_int_equal(c.source[config_find("rate-burst") - config_options(&n)], CFG_SOURCE_ENV);
	assert_int_equal(c.source[config_find("rate-limit") - config_options(&n)], CFG_SOURCE_FLAG);
	unsetenv("HAILONG_RATE_LIMIT");
	unsetenv("HAILONG_RATE_BURST");
	unlink(path);
	config_free(&c);

	/* Which file: the last --config before "--", else $HAILONG_CONFIG. */
	unsetenv("HAILONG_CONFIG");
	assert_string_equal(config_file_wanted(8, want), "b.conf");
	assert_string_equal(config_file_wanted(3, want), "a.conf");
	assert_null(config_file_wanted(1, want));
	setenv("HAILONG_CONFIG", "/etc/hailong/hailong.conf", 1);
	assert_string_equal(config_file_wanted(1, want), "/etc/hailong/hailong.conf");
	assert_string_equal(config_file_wanted(3, want), "a.conf");
	unsetenv("HAILONG_CONFIG");
}

static char *read_source_file(const char *relative)
{
	const char *root = getenv("HAILONG_SOURCE_ROOT");
	char path[1024];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof path, "%s/%s", root ? root : ".", relative);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
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

/* The example file of docs/config.md is deploy/hailong.conf, word for word,
 * and the real parser accepts it: the docs cannot drift from the program. */
static void test_docs_example_parses(void **state)
{
	char *docs = read_source_file("docs/config.md");
	char *example = read_source_file("deploy/hailong.conf");
	const char *start = strstr(docs, "```ini\n"), *end;
	char path[1024], *err = NULL;
	const char *root = getenv("HAILONG_SOURCE_ROOT");
	Config c;
	(void)state;

	if (!start)
		fail_msg("docs/config.md has no ```ini example block");
	start += strlen("```ini\n");
	end = strstr(start, "```");
	assert_non_null(end);
	if (strlen(example) != (size_t)(end - start) ||
	    strncmp(start, example, (size_t)(end - start)) != 0)
		fail_msg("the example of docs/config.md differs from deploy/hailong.conf");
	snprintf(path, sizeof path, "%s/deploy/hailong.conf", root ? root : ".");
	assert_true(config_init(&c));
	if (!config_load_file(&c, path, &err))
		fail_msg("deploy/hailong.conf: %s", err);
	assert_true(c.trusted_proxies && *c.trusted_proxies);
	assert_non_null(c.database_url);
	config_free(&c);
	free(docs);
	free(example);
}

static char *read_docs(void)
{
	return read_source_file("docs/config.md");
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
		cmocka_unit_test(test_file_good),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_file_precedence),
		cmocka_unit_test(test_docs_example_parses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
