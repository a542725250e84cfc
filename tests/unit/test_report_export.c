/* The exports of the report document: the figures CSV read back with the
 * project's own CSV reader, cell by cell, from the sample document with
 * hostile strings; formula injection neutralised; suppressed figures as
 * empty cells, counts kept; an empty report; malformed documents refused
 * with the field's path and nothing written; the streamed comments CSV
 * byte for byte; the workbook written (its cells are checked by
 * check_xlsx.py with Python's own readers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report_fixture.h"

#include "csv.h"
#include "report_export.h"
#include "report_rows.h"
#include "report_words.h"
#include "util.h"

#define BOM "\xEF\xBB\xBF"

/* Replaces (json) or deletes (NULL) the member at a '/'-separated path
 * such as "questionnaires/0/items/0/rate/valid". */
static void set(cJSON *doc, const char *path, const char *json)
{
	char copy[256], *save = NULL, *token, *next;
	cJSON *parent = doc, *value = NULL;

	snprintf(copy, sizeof copy, "%s", path);
	token = strtok_r(copy, "/", &save);
	while ((next = strtok_r(NULL, "/", &save))) {
		parent = cJSON_IsArray(parent) ? cJSON_GetArrayItem(parent, atoi(token))
					       : cJSON_GetObjectItemCaseSensitive(parent, token);
		assert_non_null(parent);
		token = next;
	}
	if (json)
		assert_non_null(value = cJSON_Parse(json));
	if (cJSON_IsArray(parent)) {
		if (value)
			assert_true(cJSON_ReplaceItemInArray(parent, atoi(token), value));
		else
			cJSON_DeleteItemFromArray(parent, atoi(token));
	} else if (value) {
		if (cJSON_GetObjectItemCaseSensitive(parent, token))
			assert_true(cJSON_ReplaceItemInObjectCaseSensitive(parent, token, value));
		else
			cJSON_AddItemToObject(parent, token, value);
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(parent, token);
	}
}

typedef struct Output {
	char *data;
	size_t len;
	bool ok;
	char *err;
} Output;

static Output csv_of(const cJSON *doc)
{
	Output o = {0};
	FILE *f = open_memstream(&o.data, &o.len);

	assert_non_null(f);
	o.ok = report_csv(f, doc, &o.err);
	assert_int_equal(fclose(f), 0);
	return o;
}

static void output_free(Output *o)
{
	free(o->data);
	free(o->err);
}

/* All records of a CSV text; the header is records[0]. */
typedef struct Table {
	char **fields[64];
	int counts[64];
	int n;
} Table;

static void parse(const Output *o, Table *t)
{
	CsvReader r;
	const char *why;
	int line, rc;

	memset(t, 0, sizeof *t);
	csv_init(&r, o->data, o->len);
	while ((rc = csv_next(&r, &t->fields[t->n], &t->counts[t->n], &line, &why)) == 1) {
		assert_int_equal(t->counts[t->n], RC_COUNT);
		assert_true(++t->n < 64);
	}
	assert_int_equal(rc, 0);
}

static void table_free(Table *t)
{
	for (int i = 0; i < t->n; i++)
		csv_free_fields(t->fields[i], t->counts[i]);
}

/* The record of item id (or, with kind, the first record of that kind and
 * method). */
static char **find(const Table *t, const char *kind, const char *method, const char *item)
{
	for (int i = 1; i < t->n; i++) {
		char **f = t->fields[i];

		if (item && strcmp(f[RC_ITEM], item) == 0)
			return f;
		if (!item && strcmp(f[RC_KIND], kind) == 0 && (!method || strcmp(f[RC_METHOD], method) == 0))
			return f;
	}
	fail_msg("no row %s %s %s", kind ? kind : "", method ? method : "", item ? item : "");
	return NULL;
}

static void test_csv_fixture(void **state)
{
	cJSON *doc = report_sample();
	Output o = csv_of(doc);
	Table t;
	char **f;
	(void)state;

	assert_true(o.ok);
	assert_null(o.err);
	assert_memory_equal(o.data, BOM, 3);
	/* CRLF everywhere: no bare LF. */
	for (size_t i = 0; i < o.len; i++)
		if (o.data[i] == '\n')
			assert_true(i > 0 && o.data[i - 1] == '\r');
	/* c1 as one exact line: counts, rate, interval, verdict both ways. */
	assert_non_null(strstr(o.data,
		",\"criterion\",,\"index\",\"e-csvc\",\"c1\",\"Phòng học <sạch> & thoáng mát\",412,410,"
		"5,15,20,200,160,,10,2,360,400,90.0,86.7,92.6,90.0,\"inconclusive\",\"Chưa kết luận được\","
		"0.0,4.23,3.5,,\"(n4 + n5) ÷ (n1 + … + n5)\",,,\r\n"));

	parse(&o, &t);
	/* Header, headline, overall ×2, one element ×2, five items. */
	assert_int_equal(t.n, 1 + 1 + 2 + 2 + 5);
	for (int i = 0; i < RC_COUNT; i++)
		assert_string_equal(t.fields[0][i], REPORT_COLUMNS[i].header);
	assert_string_equal(t.fields[0][RC_PERCENT], "Tỷ lệ hài lòng (%)");

	f = find(&t, NULL, NULL, "c1");
	assert_string_equal(f[RC_NODE_CODE], "X-PHU-LOC");
	assert_string_equal(f[RC_NODE_NAME], "Xã Phú Lộc <b>");
	assert_string_equal(f[RC_FROM], "2026-09-01");
	assert_string_equal(f[RC_TO], "2027-08-31");
	assert_string_equal(f[RC_ROUND], "");
	assert_string_equal(f[RC_FORM], "moet-cmhs-thcs");
	assert_string_equal(f[RC_VERSION], "3");
	assert_string_equal(f[RC_SATISFIED], "360");
	assert_string_equal(f[RC_VALID], "400");
	assert_string_equal(f[RC_PERCENT], "90.0");
	assert_string_equal(f[RC_N4], "200");

	f = find(&t, "headline", NULL, NULL);
	assert_string_equal(f[RC_METHOD], "mean-of-criteria");
	assert_string_equal(f[RC_TEXT], "Chỉ số hài lòng chung");
	assert_string_equal(f[RC_PERCENT], "88.1");
	assert_string_equal(f[RC_GAP], "-1.9");
	assert_string_equal(f[RC_CHANGE], "3.1");
	assert_string_equal(f[RC_CRITERIA], "24");
	assert_string_equal(f[RC_NO_OPINION], "310");

	f = find(&t, "overall", "pooled", NULL);
	assert_string_equal(f[RC_PERCENT], "88.1"); /* 88.09 */
	assert_string_equal(f[RC_VERDICT], "not_met");
	assert_string_equal(f[RC_VERDICT_LABEL], "Chưa đạt");
	assert_string_equal(f[RC_SCORE], "4.21");
	f = find(&t, "overall", "mean-of-criteria", NULL);
	assert_string_equal(f[RC_SCORE], "4.20");
	f = find(&t, "element", "pooled", NULL);
	assert_string_equal(f[RC_ELEMENT], "e-csvc");
	assert_string_equal(f[RC_TEXT], "Cơ sở vật chất");
	assert_string_equal(f[RC_LOW], "85.0");

	/* 91.85 and 1.85 are halves in the document: rounded up, not to the
	 * binary 91.8499…. */
	f = find(&t, NULL, NULL, "hl-chung");
	assert_string_equal(f[RC_ROLE], "overall");
	assert_string_equal(f[RC_PERCENT], "91.9");
	assert_string_equal(f[RC_GAP], "1.9");

	/* Multiple choice: counts by value in one cell, no rate. */
	f = find(&t, NULL, NULL, "kenh");
	assert_string_equal(f[RC_N1], "");
	assert_string_equal(f[RC_COUNTS], "1=300; 2=250");
	assert_string_equal(f[RC_PERCENT], "");
	assert_string_equal(f[RC_VERDICT], "");
	assert_string_equal(f[RC_BLANK], "12");

	table_free(&t);
	output_free(&o);
	cJSON_Delete(doc);
}

static void test_csv_published(void **state)
{
	cJSON *doc = report_sample_published(true);
	Output o = csv_of(doc);
	Table t;
	(void)state;

	assert_true(o.ok);
	parse(&o, &t);
	/* The ten published rows, then the same ten for the round now. */
	assert_int_equal(t.n, 1 + 10 + 10);
	assert_string_equal(t.fields[0][RC_PUBLICATION], "Mã công bố");
	assert_string_equal(t.fields[0][RC_LATE], "Số phiếu tính sau khi công bố");
	for (int i = 1; i <= 10; i++) {
		assert_string_equal(t.fields[i][RC_PUBLICATION], "published");
		assert_string_equal(t.fields[i][RC_PUBLICATION_LABEL], "Số liệu đã công bố");
		assert_string_equal(t.fields[i][RC_LATE], "");
		assert_string_equal(t.fields[i][RC_RESPONSES], "412");
	}
	for (int i = 11; i <= 20; i++) {
		assert_string_equal(t.fields[i][RC_PUBLICATION], "amendment");
		assert_string_equal(t.fields[i][RC_PUBLICATION_LABEL], "Bổ sung sau khi công bố");
		assert_string_equal(t.fields[i][RC_LATE], "2");
		assert_string_equal(t.fields[i][RC_RESPONSES], "414");
		/* Each amendment row is the published row's twin otherwise. */
		assert_string_equal(t.fields[i][RC_ITEM], t.fields[i - 10][RC_ITEM]);
		assert_string_equal(t.fields[i][RC_PERCENT], t.fields[i - 10][RC_PERCENT]);
	}
	table_free(&t);
	output_free(&o);
	cJSON_Delete(doc);

	/* Published without anything after: the published rows only. */
	doc = report_sample_published(false);
	o = csv_of(doc);
	assert_true(o.ok);
	parse(&o, &t);
	assert_int_equal(t.n, 1 + 10);
	assert_string_equal(find(&t, NULL, NULL, "c1")[RC_PUBLICATION], "published");
	table_free(&t);
	output_free(&o);
	cJSON_Delete(doc);

	/* Not published (null, or a document older than publication): empty. */
	doc = report_sample();
	set(doc, "publication", "null");
	o = csv_of(doc);
	assert_true(o.ok);
	parse(&o, &t);
	assert_int_equal(t.n, 1 + 10);
	assert_string_equal(find(&t, NULL, NULL, "c1")[RC_PUBLICATION], "");
	assert_string_equal(find(&t, NULL, NULL, "c1")[RC_PUBLICATION_LABEL], "");
	table_free(&t);
	output_free(&o);
	cJSON_Delete(doc);
}

static void test_csv_hostile(void **state)
{
	cJSON *doc = report_sample();
	Output o;
	Table t;
	char **f;
	(void)state;

	set(doc, "scope/node/name", "\"=1+2\"");
	set(doc, "questionnaires/0/items/0/text", "\"-2+3 \\\"quoted\\\", comma\\r\\nline two\"");
	set(doc, "questionnaires/0/items/1/text", "\"@SUM(A1)\"");
	set(doc, "questionnaires/0/elements/0/text", "\"\\tTAB\"");
	set(doc, "questionnaires/0/items/2/text", "\"\\r=cmd|' /C calc'!A0\"");
	set(doc, "questionnaires/0/items/3/text", "\"+x\"");
	o = csv_of(doc);
	assert_true(o.ok);
	/* Inside quotes, after an apostrophe. */
	assert_non_null(strstr(o.data, ",\"'=1+2\","));
	assert_non_null(strstr(o.data, ",\"'-2+3 \"\"quoted\"\", comma\r\nline two\","));
	assert_null(strstr(o.data, ",=1+2"));
	assert_null(strstr(o.data, "\"=1+2"));

	parse(&o, &t);
	f = find(&t, NULL, NULL, "c1");
	assert_string_equal(f[RC_NODE_NAME], "'=1+2");
	assert_string_equal(f[RC_TEXT], "'-2+3 \"quoted\", comma\r\nline two");
	f = find(&t, NULL, NULL, "c2");
	assert_string_equal(f[RC_TEXT], "'@SUM(A1)");
	/* A negative number is a number, not text: no apostrophe. */
	assert_string_equal(f[RC_GAP], "-5.0");
	assert_string_equal(find(&t, NULL, NULL, "hl-chung")[RC_TEXT], "'\r=cmd|' /C calc'!A0");
	assert_string_equal(find(&t, NULL, NULL, "kenh")[RC_TEXT], "'+x");
	assert_string_equal(find(&t, "element", NULL, NULL)[RC_TEXT], "'\tTAB");
	/* Our own words are left alone. */
	assert_string_equal(find(&t, "overall", NULL, NULL)[RC_TEXT], "Chỉ số hài lòng chung");

	table_free(&t);
	output_free(&o);
	cJSON_Delete(doc);
}

static void test_csv_suppressed(void **state)
{
	cJSON *doc = report_sample();
	Output o;
	Table t;
	char **f;
	(void)state;

	set(doc, "questionnaires/0/suppressed", "true");
	set(doc, "questionnaires/0/items/0/rate/percent", "null");
	set(doc, "questionnaires/0/items/0/rate/low", "null");
	set(doc, "questionnaires/0/items/0/rate/high", "null");
	set(doc, "questionnaires/0/items/0/rate/gap_points", "null");
	set(doc, "questionnaires/0/items/0/rate/verdict", "\"suppressed\"");
	set(doc, "questionnaires/0/items/0/score/mean", "null");
	o = csv_of(doc);
	assert_true(o.ok);
	assert_non_null(strstr(o.data, ",360,400,,,,90.0,\"suppressed\",\"Ẩn (dưới ngưỡng)\",,,3.5,,"));
	parse(&o, &t);
	f = find(&t, NULL, NULL, "c1");
	assert_string_equal(f[RC_PERCENT], "");
	assert_string_equal(f[RC_LOW], "");
	assert_string_equal(f[RC_HIGH], "");
	assert_string_equal(f[RC_GAP], "");
	assert_string_equal(f[RC_SCORE], "");
	assert_string_equal(f[RC_VERDICT], "suppressed");
	/* Counts are never hidden. */
	assert_string_equal(f[RC_SATISFIED], "360");
	assert_string_equal(f[RC_N5], "160");
	table_free(&t);
	output_free(&o);
	cJSON_Delete(doc);
}

static void test_csv_empty(void **state)
{
	cJSON *doc = report_sample();
	Output o;
	const char *crlf;
	(void)state;

	set(doc, "questionnaires", "[]");
	o = csv_of(doc);
	assert_true(o.ok);
	assert_memory_equal(o.data, BOM "\"Mã đơn vị\",\"Tên đơn vị\",", strlen(BOM "\"Mã đơn vị\",\"Tên đơn vị\","));
	crlf = strstr(o.data, "\r\n");
	assert_non_null(crlf);
	assert_int_equal((size_t)(crlf + 2 - o.data), o.len);
	assert_non_null(strstr(o.data, "\"Cách tính\",\"Mã công bố\",\"Công bố\","
				       "\"Số phiếu tính sau khi công bố\"\r\n"));
	output_free(&o);
	cJSON_Delete(doc);
}

/* A fresh directory for workbooks; removed with its files by rm_dir. */
static void make_dir(char dir[64])
{
	snprintf(dir, 64, "/tmp/hailong-export-XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void rm_dir(const char *dir, const char *file)
{
	char path[128];

	snprintf(path, sizeof path, "%s/%s", dir, file);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

static const struct Malformed {
	const char *path, *json, *err;
	bool csv; /* report_csv reads the field (report_xlsx reads all) */
} MALFORMED[] = {
	{"questionnaires", NULL, "questionnaires: missing", true},
	{"format", "\"hailong-report/2\"", "format: expected \"hailong-report/1\"", true},
	{"scope/node", "[]", "scope.node: expected an object", true},
	{"scope/period/from", "\"2026-13-01\"", "scope.period.from: expected a date YYYY-MM-DD", true},
	{"questionnaires/0/items/0/rate/valid", "\"400\"",
	 "questionnaires[0].items[0].rate.valid: expected a whole number ≥ 0", true},
	{"questionnaires/0/items/0/levels/1/n", "-1",
	 "questionnaires[0].items[0].levels[1].n: expected a whole number ≥ 0", true},
	{"questionnaires/0/items/1/rate/verdict", "\"maybe\"",
	 "questionnaires[0].items[1].rate.verdict: expected met, not_met, inconclusive, none or suppressed", true},
	{"questionnaires/0/elements/0", "5", "questionnaires[0].elements[0]: expected an object", true},
	{"questionnaires/0/overall/pooled/percent", "\"88\"",
	 "questionnaires[0].overall.pooled.percent: expected a number or null", true},
	{"questionnaires/0/items/2/text", NULL, "questionnaires[0].items[2].text: missing", true},
	{"questionnaires/0/form/version", "3.5",
	 "questionnaires[0].form.version: expected a whole number ≥ 0", true},
	{"questionnaires/0/headline/rate/excluded", "null",
	 "questionnaires[0].headline.rate.excluded: expected an object", true},
	{"questionnaires/0/items/0/rate/low", "1e999",
	 "questionnaires[0].items[0].rate.low: expected a number or null", true},
	{"questionnaires/0", "[]", "questionnaires[0]: expected an object", true},
	{"comments/items/0/text", "7", "comments.items[0].text: expected a string", false},
	{"questionnaires/0/schools/items/1/criteria", "[null]",
	 "questionnaires[0].schools.items[1].criteria: expected 2 values, one per schools.criteria", false},
	{"rounds/targeted", "\"500\"", "rounds.targeted: expected a whole number ≥ 0 or null", false},
	{"questionnaires/0/previous/period", "null",
	 "questionnaires[0].previous.period: expected an object", false},
	{"publication", "\"yes\"", "publication: expected an object or null", true},
	{"publication", "{\"taken_at\": 5, \"sha256\": \"ab\", \"responses\": 412, \"amendment\": null}",
	 "publication.taken_at: expected a string", true},
	{"publication", "{\"taken_at\": \"t\", \"sha256\": \"ab\", \"responses\": 412, \"amendment\":"
	 " {\"late_responses\": \"2\", \"responses\": 414, \"generated_at\": \"g\","
	 " \"data_as_of\": null, \"questionnaires\": []}}",
	 "publication.amendment.late_responses: expected a whole number ≥ 0", true},
	{"publication", "{\"taken_at\": \"t\", \"sha256\": \"ab\", \"responses\": 412, \"amendment\":"
	 " {\"late_responses\": 2, \"responses\": 414, \"generated_at\": \"g\","
	 " \"data_as_of\": null, \"questionnaires\": [{}]}}",
	 "publication.amendment.questionnaires[0].form: missing", true},
};

static void test_malformed(void **state)
{
	char dir[64], path[128];
	(void)state;

	make_dir(dir);
	snprintf(path, sizeof path, "%s/r.xlsx", dir);
	for (size_t i = 0; i < sizeof MALFORMED / sizeof MALFORMED[0]; i++) {
		const struct Malformed *m = &MALFORMED[i];
		cJSON *doc = report_sample();
		char *err = NULL;
		Output o;

		set(doc, m->path, m->json);
		o = csv_of(doc);
		if (m->csv) {
			assert_false(o.ok);
			assert_non_null(o.err);
			assert_string_equal(o.err, m->err);
			/* Refused before the first byte. */
			assert_int_equal(o.len, 0);
		} else {
			assert_true(o.ok);
		}
		assert_false(report_xlsx(path, doc, &err));
		assert_non_null(err);
		assert_string_equal(err, m->err);
		assert_int_equal(access(path, F_OK), -1);
		free(err);
		output_free(&o);
		cJSON_Delete(doc);
	}
	/* Not an object at all, or nothing. */
	{
		cJSON *array = cJSON_CreateArray();
		Output o = csv_of(array);
		char *err = NULL;

		assert_false(o.ok);
		assert_string_equal(o.err, "the report document: expected an object");
		assert_false(report_xlsx(path, NULL, &err));
		assert_string_equal(err, "the report document: expected an object");
		free(err);
		output_free(&o);
		cJSON_Delete(array);
	}
	rm_dir(dir, "r.xlsx");
}

static void test_comments_stream(void **state)
{
	char *data = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);
	(void)state;

	assert_true(report_comments_csv_header(f));
	assert_true(report_comments_csv_row(f, "2026-11-20", "Trường A", "gopy", "=HYPERLINK(\"http://x\")"));
	assert_true(report_comments_csv_row(f, "2026-11-19", NULL, "gopy", "dòng 1\ndòng 2, \"ổn\""));
	assert_int_equal(fclose(f), 0);
	assert_string_equal(data, BOM "\"Ngày\",\"Đơn vị\",\"Câu hỏi\",\"Nội dung góp ý\"\r\n"
				  "\"2026-11-20\",\"Trường A\",\"gopy\",\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"
				  "\"2026-11-19\",,\"gopy\",\"dòng 1\ndòng 2, \"\"ổn\"\"\"\r\n");
	free(data);
}

static void test_comments_document(void **state)
{
	cJSON *doc = report_sample();
	char *data = NULL, *err = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);
	(void)state;

	assert_true(report_comments_csv(f, doc, &err));
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(data, "\"2026-11-20\",\"Trường THCS Phú Lộc\",\"gopy\","
				     "\"Nhà vệ sinh cần sạch hơn <script>alert(1)</script>\"\r\n"));
	free(data);

	/* Below the privacy threshold: the header only, whatever items say. */
	set(doc, "comments/shown", "false");
	data = NULL;
	f = open_memstream(&data, &len);
	assert_true(report_comments_csv(f, doc, &err));
	assert_int_equal(fclose(f), 0);
	assert_string_equal(data, BOM "\"Ngày\",\"Đơn vị\",\"Câu hỏi\",\"Nội dung góp ý\"\r\n");
	free(data);
	cJSON_Delete(doc);
}

static void test_xlsx_written(void **state)
{
	char dir[64], path[128], head[4] = {0};
	cJSON *doc = report_sample();
	char *err = NULL;
	FILE *f;
	(void)state;

	make_dir(dir);
	snprintf(path, sizeof path, "%s/r.xlsx", dir);
	/* Invalid UTF-8 and control characters must not break the file. */
	cJSON_AddItemToArray(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "comments"), "items"),
			     cJSON_Parse("{\"date\": \"2026-11-01\", \"unit\": null, \"question\": \"gopy\","
					 " \"text\": \"\\u0001 bell \\u0007\"}"));
	cJSON_SetValuestring(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
				     cJSON_GetObjectItem(doc, "comments"), "items"), 1), "text"),
			     "bad \xff\xfe bytes");
	assert_true(report_xlsx(path, doc, &err));
	assert_null(err);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, 4, f), 4);
	fclose(f);
	assert_memory_equal(head, "PK\x03\x04", 4);

	/* An empty report is a workbook too. */
	set(doc, "questionnaires", "[]");
	assert_true(report_xlsx(path, doc, &err));
	cJSON_Delete(doc);
	/* And a published one with its amendment (cells: check_xlsx.py and
	 * the integration test). */
	doc = report_sample_published(true);
	assert_true(report_xlsx(path, doc, &err));
	assert_null(err);
	rm_dir(dir, "r.xlsx");
	cJSON_Delete(doc);
}

static void test_words(void **state)
{
	(void)state;
	assert_string_equal(report_verdict_label("met"), "Đạt");
	assert_string_equal(report_verdict_label("not_met"), "Chưa đạt");
	assert_string_equal(report_verdict_label("inconclusive"), "Chưa kết luận được");
	assert_string_equal(report_verdict_label("none"), "Không có dữ liệu");
	assert_string_equal(report_verdict_label("suppressed"), "Ẩn (dưới ngưỡng)");
	assert_null(report_verdict_label("Met"));
	assert_null(report_verdict_label(NULL));
	assert_string_equal(report_method_label("pooled"), "Gộp các câu trả lời");
	assert_string_equal(report_kind_label("criterion"), "Tiêu chí");
	assert_string_equal(report_publication_label("published"), "Số liệu đã công bố");
	assert_string_equal(report_publication_label("amendment"), "Bổ sung sau khi công bố");
	assert_null(report_publication_label("live"));
	assert_null(report_publication_label(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_fixture),
		cmocka_unit_test(test_csv_published),
		cmocka_unit_test(test_csv_hostile),
		cmocka_unit_test(test_csv_suppressed),
		cmocka_unit_test(test_csv_empty),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_comments_stream),
		cmocka_unit_test(test_comments_document),
		cmocka_unit_test(test_xlsx_written),
		cmocka_unit_test(test_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
