/* A round's published result, without a database: the stored bytes are the
 * compact JSON with their SHA-256 (a known vector); the served document is
 * those bytes parsed with "publication" appended, so its JSON holds them
 * verbatim; an amendment only when the round counts more responses now,
 * carrying them and the figures now; a comment search takes the comments
 * of now; stored bytes that do not parse are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report_fixture.h"

#include "report_snapshot.h"
#include "util.h"

/* The sample's stored bytes, as report_snapshot_take would store them. */
static char *stored(char sha[65])
{
	cJSON *doc = report_sample();
	char *err = NULL, *bytes = report_snapshot_bytes(doc, sha, &err);

	assert_non_null(bytes);
	assert_null(err);
	cJSON_Delete(doc);
	return bytes;
}

static ReportSnapshot snapshot_of(const char *bytes, const char *sha)
{
	return (ReportSnapshot){.document = bytes, .len = strlen(bytes), .sha256 = sha,
				.taken_at = "2026-11-23T21:14:20+07:00", .responses = 412};
}

/* The sample as the round is now: responses more, a new generated_at. */
static cJSON *current(int more)
{
	cJSON *doc = report_sample();

	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(doc, "rounds"), "responses",
				  cJSON_CreateNumber(412 + more));
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "questionnaires"), 0),
				  "responses", cJSON_CreateNumber(412 + more));
	cJSON_ReplaceItemInObject(doc, "generated_at", cJSON_CreateString("2026-11-24T08:05:00+07:00"));
	return doc;
}

static void test_bytes(void **state)
{
	cJSON *doc = cJSON_Parse("{ \"a\" : 1, \"b\" : \"x\" }"), *sample = report_sample();
	char sha[65], *err = NULL, *bytes = report_snapshot_bytes(doc, sha, &err), *printed;
	(void)state;

	/* Compact, and the SHA-256 of exactly those bytes. */
	assert_string_equal(bytes, "{\"a\":1,\"b\":\"x\"}");
	assert_string_equal(sha, "ecf9e98ec0641e23113ff3ce8bdc78d0ddd249886517fd4a7f68cc83d4e65667");
	free(bytes);
	cJSON_Delete(doc);

	/* The sample (Vietnamese text, markup, fractions) prints back the same. */
	bytes = report_snapshot_bytes(sample, sha, &err);
	printed = cJSON_PrintUnformatted(sample);
	assert_non_null(bytes);
	assert_string_equal(bytes, printed);
	assert_int_equal(strlen(sha), 64);
	free(bytes);
	free(printed);
	cJSON_Delete(sample);
}

static void test_no_amendment(void **state)
{
	char sha[65], *bytes = stored(sha), *text, *want;
	ReportSnapshot snap = snapshot_of(bytes, sha);
	ReportError err;
	cJSON *doc = report_snapshot_compose(&snap, current(0), false, &err);
	(void)state;

	assert_non_null(doc);
	assert_int_equal(err.status, 0);
	text = cJSON_PrintUnformatted(doc);
	/* The published bytes verbatim, then the publication member. */
	want = str_printf("%.*s,\"publication\":{\"taken_at\":\"2026-11-23T21:14:20+07:00\","
			  "\"responses\":412,\"sha256\":\"%s\",\"amendment\":null}}",
			  (int)strlen(bytes) - 1, bytes, sha);
	assert_string_equal(text, want);
	free(want);
	free(text);
	cJSON_Delete(doc);

	/* No current document at all: no amendment either. */
	doc = report_snapshot_compose(&snap, NULL, false, &err);
	assert_non_null(doc);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "publication"),
						     "amendment")));
	cJSON_Delete(doc);
	free(bytes);
}

static void test_amendment(void **state)
{
	char sha[65], *bytes = stored(sha), *text;
	ReportSnapshot snap = snapshot_of(bytes, sha);
	ReportError err;
	cJSON *doc = report_snapshot_compose(&snap, current(3), false, &err), *a;
	(void)state;

	assert_non_null(doc);
	text = cJSON_PrintUnformatted(doc);
	assert_memory_equal(text, bytes, strlen(bytes) - 1);
	a = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "publication"), "amendment");
	assert_true(cJSON_IsObject(a));
	assert_int_equal(cJSON_GetObjectItem(a, "late_responses")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItem(a, "responses")->valueint, 415);
	assert_string_equal(cJSON_GetObjectItem(a, "generated_at")->valuestring,
			    "2026-11-24T08:05:00+07:00");
	assert_string_equal(cJSON_GetObjectItem(a, "data_as_of")->valuestring, "2026-11-23T10:14:00+07:00");
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(a, "rounds"), "responses")->valueint, 415);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(a, "questionnaires"), 0),
					     "responses")->valueint,
			 415);
	/* The published figures are untouched. */
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "questionnaires"), 0),
					     "responses")->valueint,
			 412);
	assert_string_equal(cJSON_GetObjectItem(doc, "generated_at")->valuestring,
			    "2026-11-23T10:15:00+07:00");
	free(text);
	cJSON_Delete(doc);
	free(bytes);
}

static void test_search_comments(void **state)
{
	char sha[65], *bytes = stored(sha);
	ReportSnapshot snap = snapshot_of(bytes, sha);
	ReportError err;
	cJSON *now = current(0), *doc, *items;
	(void)state;

	cJSON_ReplaceItemInObject(now, "comments",
				  cJSON_Parse("{\"shown\":true,\"total\":1,\"withheld_rounds\":0,"
					      "\"items\":[{\"date\":\"2026-11-24\",\"unit\":null,"
					      "\"question\":\"gopy\",\"text\":\"tìm thấy\"}]}"));
	doc = report_snapshot_compose(&snap, now, true, &err);
	assert_non_null(doc);
	items = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "comments"), "items");
	assert_int_equal(cJSON_GetArraySize(items), 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "text")->valuestring,
			    "tìm thấy");
	cJSON_Delete(doc);
	free(bytes);
}

static void test_corrupt(void **state)
{
	ReportSnapshot snap = {.document = "{\"format\":", .len = 10, .sha256 = "00",
			       .taken_at = "t", .responses = 1};
	ReportError err;
	(void)state;

	assert_null(report_snapshot_compose(&snap, current(1), false, &err));
	assert_int_equal(err.status, 503);
	assert_non_null(strstr(err.message, "does not parse"));
	snap.document = "[1]";
	snap.len = 3;
	assert_null(report_snapshot_compose(&snap, NULL, false, &err));
	assert_int_equal(err.status, 503);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_no_amendment),
		cmocka_unit_test(test_amendment),
		cmocka_unit_test(test_search_comments),
		cmocka_unit_test(test_corrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
