/* Log quoting: nothing a client sends can break a log line apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"

static void check(const char *in, const char *want)
{
	char buf[256];
	size_t n = log_quote(buf, sizeof buf, in);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void test_bare(void **state)
{
	(void)state;
	check("/healthz", "/healthz");
	check("GET", "GET");
	check("12.5", "12.5");
}

static void test_quoted(void **state)
{
	(void)state;
	check("", "\"\"");
	check("a b", "\"a b\"");
	check("say \"hi\"", "\"say \\\"hi\\\"\"");
	check("back\\slash", "\"back\\\\slash\"");
	check("line\nbreak", "\"line\\nbreak\"");
	check("tab\there", "\"tab\\there\"");
	check("bell\a\x7f", "\"bell\\x07\\x7f\"");
	check("k=v", "\"k=v\"");
	check("Trường", "\"Trường\"");
}

static void test_truncation(void **state)
{
	char buf[8];
	(void)state;
	log_quote(buf, sizeof buf, "a b c d e f g h");
	assert_int_equal(strlen(buf), 7);
	log_quote(buf, sizeof buf, "abcdefghijkl");
	assert_string_equal(buf, "abcdefg");
	assert_int_equal(log_quote(buf, 0, "x"), 0);
}

static void test_levels(void **state)
{
	LogLevel level = LOG_ERROR;
	(void)state;
	assert_true(log_level_parse("debug", &level));
	assert_int_equal(level, LOG_DEBUG);
	assert_true(log_level_parse("warn", &level));
	assert_int_equal(level, LOG_WARN);
	assert_false(log_level_parse("WARN", &level));
	assert_false(log_level_parse("", &level));
	assert_int_equal(level, LOG_WARN);
	assert_string_equal(log_level_name(LOG_INFO), "info");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bare),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_levels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
