/*
 * Checks every rendered page must pass, shared by the page unit tests.
 * Include after <cmocka.h>.
 */
#ifndef HAILONG_TEST_PAGE_CHECKS_H
#define HAILONG_TEST_PAGE_CHECKS_H

#include <string.h>

#include "buf.h"

static inline int count(const char *haystack, const char *needle)
{
	int n = 0;
	size_t len = strlen(needle);

	for (const char *p = strstr(haystack, needle); p; p = strstr(p + len, needle))
		n++;
	return n;
}

/* Exactly one style element holding style (the one the CSP allows by
 * hash), no style attribute, no script, a Vietnamese html element. */
static inline void check_page_shell(const Buf *b, const char *style)
{
	const char *open, *close;

	assert_false(b->failed);
	assert_int_equal(count(b->data, "<style"), 1);
	open = strstr(b->data, "<style>");
	assert_non_null(open);
	open += strlen("<style>");
	close = strstr(open, "</style>");
	assert_non_null(close);
	assert_int_equal((size_t)(close - open), strlen(style));
	assert_memory_equal(open, style, strlen(style));
	assert_null(strstr(b->data, "style="));
	assert_null(strstr(b->data, "<script"));
	assert_non_null(strstr(b->data, "<html lang=\"vi\">"));
	assert_non_null(strstr(b->data, "</html>"));
}

#endif
