/*
 * The sample report document (tests/fixtures/report-sample.json, hostile
 * strings included), shared by the report unit tests.  Include after
 * <cmocka.h>.
 */
#ifndef HAILONG_TEST_REPORT_FIXTURE_H
#define HAILONG_TEST_REPORT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "util.h"

/* The sample, parsed (caller frees with cJSON_Delete); fails the test when
 * it cannot be read. */
static inline cJSON *report_sample(void)
{
	char path[1024], *text, *err = NULL;
	const char *root = getenv("HAILONG_SOURCE_ROOT");
	cJSON *doc;
	size_t len;

	snprintf(path, sizeof path, "%s/tests/fixtures/report-sample.json", root ? root : ".");
	text = read_file_whole(path, 1 << 20, "the sample report", &len, &err);
	if (!text)
		print_error("%s\n", err);
	assert_non_null(text);
	doc = cJSON_Parse(text);
	free(text);
	assert_non_null(doc);
	return doc;
}

#endif
