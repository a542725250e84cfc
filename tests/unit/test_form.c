/* Questionnaire model: shipped forms load with the right shape, hashing is
 * stable, UTF-8/NFC/positions helpers behave. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "form.h"
#include "json_pos.h"
#include "text.h"

static char *forms_dir(void)
{
	static char path[1024];
	const char *root = getenv("HAILONG_SOURCE_ROOT");
	snprintf(path, sizeof path, "%s/forms", root ? root : ".");
	return path;
}

static const Form *find(Form **forms, size_t n, const char *id, const char *edition)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(forms[i]->id, id) && !strcmp(forms[i]->edition, edition))
			return forms[i];
	fail_msg("form %s %s not found", id, edition);
	return NULL;
}

static int count_kind(const Form *f, ItemKind kind)
{
	int n = 0;
	for (int i = 0; i < f->nitems; i++)
		n += f->items[i].kind == kind;
	return n;
}

static void test_shipped_forms(void **state)
{
	Form **forms = NULL;
	size_t n = 0;
	FormErrors errors = {0};
	const Form *f;
	(void)state;

	if (!form_load_dir(forms_dir(), &forms, &n, &errors)) {
		for (size_t i = 0; i < errors.count; i++)
			print_message("%s\n", errors.lines[i]);
		fail_msg("shipped forms do not validate");
	}
	assert_true(n >= 8);

	f = find(forms, n, "sipas-truong", "2017");
	assert_int_equal(count_kind(f, ITEM_ELEMENT), 5);
	assert_int_equal(count_kind(f, ITEM_CRITERION), 22);
	assert_true(f->display_descending);
	f = find(forms, n, "sipas-truong", "2023-2026");
	assert_int_equal(count_kind(f, ITEM_ELEMENT), 5);
	assert_int_equal(count_kind(f, ITEM_CRITERION), 16);

	f = find(forms, n, "hop-phu-huynh-nhanh", "2026");
	assert_int_equal(count_kind(f, ITEM_CRITERION), 10);
	{
		const FormItem *overall = form_find_item(f, "overall");
		const FormItem *comment = form_find_item(f, "y-kien-khac");
		const FormItem *c = form_find_item(f, "E3.1");
		assert_non_null(overall);
		assert_int_equal(overall->role, ROLE_OVERALL);
		assert_non_null(comment);
		assert_int_equal(f->scales[comment->scale].type, SCALE_TEXT);
		assert_false(comment->required);
		assert_int_equal(comment->max_length, 500);
		assert_non_null(c);
		assert_int_equal(c->role, ROLE_INDEX);
		assert_string_equal(f->items[c->element].id, "E3");
		assert_int_equal(c->nsatisfied, 2);
		assert_int_equal(c->satisfied[0], 4);
		assert_int_equal(c->satisfied[1], 5);
		assert_true(c->no_opinion);
		assert_string_equal(c->no_opinion_label, "Không ý kiến");
	}
	/* Answer slots are 0..n-1 in document order. */
	for (size_t k = 0; k < n; k++) {
		int next = 0;
		for (int i = 0; i < forms[k]->nitems; i++)
			if (forms[k]->items[i].answer_index >= 0)
				assert_int_equal(forms[k]->items[i].answer_index, next++);
		assert_int_equal(next, forms[k]->nanswers);
		assert_int_equal(strlen(forms[k]->hash), 64);
	}

	f = find(forms, n, "papi-truong-tieu-hoc", "2026");
	{
		int reversed = 0;
		for (int i = 0; i < f->nitems; i++)
			if (f->items[i].kind == ITEM_CRITERION && f->items[i].nsatisfied == 1 &&
			    f->items[i].satisfied[0] == 2)
				reversed++;
		assert_true(reversed >= 2);
	}
	form_list_free(forms, n);
	form_errors_free(&errors);
}

static const char minimal[] =
	"{\"$schema\": \"schema.json\", \"format\": 1, \"id\": \"mini\", \"edition\": \"1\","
	" \"title\": \"Phiếu thử\", \"language\": \"vi\", \"audience\": \"cmhs-thcs\","
	" \"family\": \"school\", \"source\": {\"document\": \"Tự soạn\", \"date\": \"2026-01-02\","
	" \"issuer\": \"Trường\"}, \"items\": [{\"kind\": \"element\", \"id\": \"E1\", \"title\":"
	" \"Yếu tố\", \"items\": [{\"kind\": \"criterion\", \"id\": \"C1\", \"text\": \"Tốt\","
	" \"scale\": \"satisfaction-5\"}]}]}";

static void test_hash_stability(void **state)
{
	FormErrors errors = {0};
	Form *a, *b, *c;
	char *spaced, *noschema, *changed;
	(void)state;

	a = form_parse("a.json", minimal, strlen(minimal), &errors);
	assert_non_null(a);
	assert_int_equal(a->nanswers, 1);
	assert_string_equal(a->source_name, "a.json");
	/* More white space, a BOM, and no $schema: the same questionnaire. */
	spaced = malloc(strlen(minimal) * 2 + 8);
	strcpy(spaced, "\xEF\xBB\xBF\n  ");
	for (const char *p = minimal; *p; p++) {
		size_t n = strlen(spaced);
		spaced[n] = *p;
		spaced[n + 1] = '\0';
		if (*p == ',')
			strcat(spaced, "\n   ");
	}
	b = form_parse("b.json", spaced, strlen(spaced), &errors);
	assert_non_null(b);
	assert_string_equal(a->hash, b->hash);
	noschema = strdup(minimal);
	memcpy(strstr(noschema, "\"$schema\": \"schema.json\", "), "                          ", 26);
	c = form_parse("c.json", noschema, strlen(noschema), &errors);
	assert_non_null(c);
	assert_string_equal(a->hash, c->hash);
	form_free(c);
	changed = strdup(minimal);
	memcpy(strstr(changed, "\"Tốt\""), "\"Xấu\"", strlen("\"Xấu\""));
	c = form_parse("c.json", changed, strlen(changed), &errors);
	assert_non_null(c);
	assert_string_not_equal(a->hash, c->hash);
	assert_int_equal(errors.count, 0);
	form_free(a);
	form_free(b);
	form_free(c);
	free(spaced);
	free(noschema);
	free(changed);
}

static void test_error_positions(void **state)
{
	FormErrors errors = {0};
	char *text = strdup(minimal);
	(void)state;
	/* Replace the criterion's scale with an unknown one. */
	memcpy(strstr(text, "satisfaction-5"), "satisfaction-7", 14);
	assert_null(form_parse("x.json", text, strlen(text), &errors));
	assert_int_equal(errors.count, 1);
	{
		char want[256];
		int col = (int)(strstr(text, "\"satisfaction-7\"") - text) + 1;
		/* The column counts characters: subtract the extra bytes of the
		 * Vietnamese letters before it. */
		col -= (int)(strlen(text) - text_char_count(text, strlen(text))) -
		       (int)(strlen(strstr(text, "\"satisfaction-7\"")) -
			     text_char_count(strstr(text, "\"satisfaction-7\""),
					     strlen(strstr(text, "\"satisfaction-7\""))));
		snprintf(want, sizeof want,
			 "x.json:1:%d: items[0].items[0].scale: unknown scale \"satisfaction-7\"", col);
		assert_string_equal(errors.lines[0], want);
	}
	form_errors_free(&errors);
	free(text);
}

static void test_text_helpers(void **state)
{
	size_t bad = 0;
	int line, col;
	char *nfc;
	(void)state;
	assert_true(text_valid_utf8("Trường học", strlen("Trường học"), NULL));
	assert_false(text_valid_utf8("ab\xC3", 3, &bad));
	assert_int_equal(bad, 2);
	assert_false(text_valid_utf8("\xC0\xAF", 2, &bad)); /* overlong '/' */
	assert_false(text_valid_utf8("\xED\xA0\x80", 3, &bad)); /* a surrogate */
	assert_true(text_is_nfc("Hài lòng"));
	assert_false(text_is_nfc("Ha\xCC\x80i")); /* a + combining grave */
	nfc = text_to_nfc("Ha\xCC\x80i");
	assert_string_equal(nfc, "Hài");
	free(nfc);
	assert_int_equal(text_char_count("Hài lòng", strlen("Hài lòng")), 8);
	assert_false(text_has_content("  \t\n\xC2\xA0 "));
	assert_false(text_has_content("\xE2\x80\x83\xE3\x80\x80\xEF\xBB\xBF\x0B\x0C")); /* em space, ideographic space, BOM, VT, FF */
	assert_true(text_has_content("  x "));
	text_line_col("ab\ncđe\nf", 6, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 3);
}

static void test_json_helpers(void **state)
{
	size_t at = 0;
	(void)state;
	assert_false(json_too_deep("[[[\"[[[[\"]]]", 12, 3, &at));
	assert_true(json_too_deep("[[[\"[[[[\"]]]", 12, 2, &at));
	assert_int_equal(at, 2);
	assert_true(json_too_deep("[[[[[]]]]]", 10, 2, &at));
	assert_int_equal(at, 2); /* the first bracket past the limit, not the deepest */
	assert_true(json_has_nul_escape("{\"a\": \"x\\u0000\"}", 16, &at));
	assert_int_equal(at, 8);
	assert_false(json_has_nul_escape("{\"a\": \"x\\\\u0000\"}", 17, &at));
	assert_true(json_ends_early("{\"a\": [1,", 9));
	assert_false(json_ends_early("{\"a\": \"x", 8)); /* a quote missing, somewhere */
	assert_false(json_ends_early("{\"a\": \"}\"}", 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_forms),
		cmocka_unit_test(test_hash_stability),
		cmocka_unit_test(test_error_positions),
		cmocka_unit_test(test_text_helpers),
		cmocka_unit_test(test_json_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
