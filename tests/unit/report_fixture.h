/*
 * The sample report document (tests/fixtures/report-sample.json, hostile
 * strings included), shared by the report unit tests.  Include after
 * <cmocka.h>.
 */
#ifndef HAILONG_TEST_REPORT_FIXTURE_H
#define HAILONG_TEST_REPORT_FIXTURE_H

#include <stdbool.h>
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

/* The sample as a round's published result (412 responses published on
 * 23/11/2026 at 21:14); amended: two responses counted after publication,
 * the round now (414) in the amendment, a copy of the sample's
 * questionnaires with their responses updated. */
static inline cJSON *report_sample_published(bool amended)
{
	cJSON *doc = report_sample(), *pub = cJSON_CreateObject(), *a, *now;

	cJSON_AddStringToObject(pub, "taken_at", "2026-11-23T21:14:20+07:00");
	cJSON_AddNumberToObject(pub, "responses", 412);
	cJSON_AddStringToObject(pub, "sha256",
				"ecf9e98ec0641e23113ff3ce8bdc78d0ddd249886517fd4a7f68cc83d4e65667");
	if (amended) {
		a = cJSON_AddObjectToObject(pub, "amendment");
		cJSON_AddNumberToObject(a, "late_responses", 2);
		cJSON_AddNumberToObject(a, "responses", 414);
		cJSON_AddStringToObject(a, "generated_at", "2026-11-24T08:05:00+07:00");
		cJSON_AddStringToObject(a, "data_as_of", "2026-11-24T08:01:00+07:00");
		now = cJSON_Duplicate(cJSON_GetObjectItem(doc, "questionnaires"), true);
		cJSON_ReplaceItemInObject(cJSON_GetArrayItem(now, 0), "responses",
					  cJSON_CreateNumber(414));
		cJSON_AddItemToObject(a, "questionnaires", now);
	} else {
		cJSON_AddNullToObject(pub, "amendment");
	}
	cJSON_AddItemToObject(doc, "publication", pub);
	return doc;
}

#endif
