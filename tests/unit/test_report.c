/* Report arithmetic against figures worked out by hand: criterion rates
 * with "không ý kiến" and blanks excluded, Wilson intervals, element and
 * overall indices by both methods, mean scores, verdicts, the privacy
 * threshold, multiple choice counted per option. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"

static const char FORM[] =
	"{\"format\": 1, \"id\": \"thu\", \"edition\": \"1\", \"title\": \"Thử\", \"language\": \"vi\","
	" \"audience\": \"cmhs-lien-cap\", \"family\": \"school\","
	" \"source\": {\"document\": \"d\", \"date\": \"2026-01-01\", \"issuer\": \"i\"},"
	" \"method\": {\"index\": \"mean-of-criteria\", \"target_percent\": 90, \"headline\": \"index\"},"
	" \"items\": ["
	"  {\"kind\": \"element\", \"id\": \"E1\", \"title\": \"Một\", \"items\": ["
	"   {\"kind\": \"criterion\", \"id\": \"A1\", \"text\": \"a một\", \"scale\": \"satisfaction-5\","
	"    \"no_opinion\": true},"
	"   {\"kind\": \"criterion\", \"id\": \"A2\", \"text\": \"a hai\", \"scale\": \"satisfaction-5\"}]},"
	"  {\"kind\": \"element\", \"id\": \"E2\", \"title\": \"Hai\", \"items\": ["
	"   {\"kind\": \"criterion\", \"id\": \"B1\", \"text\": \"b một\", \"scale\": \"satisfaction-5\"}]},"
	"  {\"kind\": \"question\", \"id\": \"O\", \"role\": \"overall\", \"text\": \"chung\","
	"   \"scale\": \"satisfaction-5\"}"
	" ]}";

static Form *load(void)
{
	FormErrors errors = {0};
	Form *form = form_parse("test", FORM, strlen(FORM), &errors);

	if (!form)
		for (size_t i = 0; i < errors.count; i++)
			print_error("%s\n", errors.lines[i]);
	form_errors_free(&errors);
	assert_non_null(form);
	return form;
}

static void test_wilson(void **state)
{
	double low, high;
	(void)state;
	/* 8 of 10: Wilson 95 % is 49.02 % to 94.33 % (textbook value). */
	wilson_interval(8, 10, &low, &high);
	assert_float_equal(low, 49.016, 0.01);
	assert_float_equal(high, 94.332, 0.01);
	/* 0 of 20 still gives an upper bound; 20 of 20 a lower one. */
	wilson_interval(0, 20, &low, &high);
	assert_float_equal(low, 0, 1e-9);
	assert_float_equal(high, 16.11, 0.01);
	wilson_interval(20, 20, &low, &high);
	assert_float_equal(low, 83.89, 0.01);
	assert_float_equal(high, 100, 1e-9);
	wilson_interval(0, 0, &low, &high);
	assert_true(isnan(low) && isnan(high));
}

/* A1: levels 1..5 = 1,1,2,3,13; 4 "không ý kiến"; 2 blank → 16/20 = 80 %.
 * A2: 0,0,1,4,5 → 9/10 = 90 %.   B1: 0,0,0,2,8 → 10/10 = 100 %.
 * Element 1: mean (80 + 90) / 2 = 85; pooled 25/30 = 83.33.
 * Overall: mean of elements (85 + 100) / 2 = 92.5; pooled 35/40 = 87.5.
 * The overall question: 0,0,0,1,1 → 2/2 = 100 %, its own figure. */
static void fill(const Form *form, ItemCounts *c)
{
	static const long long a1[] = {1, 1, 2, 3, 13}, a2[] = {0, 0, 1, 4, 5},
			       b1[] = {0, 0, 0, 2, 8}, o[] = {0, 0, 0, 1, 1};
	const long long *levels[] = {a1, a2, b1, o};

	memset(c, 0, 4 * sizeof *c);
	for (int i = 0; i < 4; i++)
		for (int v = 1; v <= 5; v++)
			report_count(form, c, i, v, levels[i][v - 1]);
	report_count(form, c, 0, -1, 4);
	report_count(form, c, 0, 0, 2);
}

static void test_rates(void **state)
{
	Form *form = load();
	ItemCounts counts[4];
	Report r;
	(void)state;

	fill(form, counts);
	assert_true(report_compute(&r, form, counts, 22, 90, 5));
	assert_false(r.suppressed);
	assert_int_equal(r.items[0].counts.no_opinion, 4);
	assert_int_equal(r.items[0].counts.blank, 2);
	assert_int_equal(r.items[0].counts.answered, 24);
	assert_int_equal(r.items[0].rate.satisfied, 16);
	assert_int_equal(r.items[0].rate.valid, 20);
	assert_float_equal(r.items[0].rate.percent, 80, 1e-9);
	/* Mean score of A1: (1 + 2 + 6 + 12 + 65) / 20 = 4.3. */
	assert_float_equal(r.items[0].score.mean, 4.3, 1e-9);
	assert_float_equal(r.items[1].rate.percent, 90, 1e-9);
	assert_float_equal(r.items[2].rate.percent, 100, 1e-9);

	assert_int_equal(r.nelements, 2);
	assert_float_equal(r.elements[0].mean_of_criteria.percent, 85, 1e-9);
	assert_float_equal(r.elements[0].pooled.percent, 100.0 * 25 / 30, 1e-9);
	assert_int_equal(r.elements[0].criteria, 2);
	assert_float_equal(r.overall.mean_of_criteria.percent, 92.5, 1e-9);
	assert_float_equal(r.overall.pooled.percent, 87.5, 1e-9);
	assert_int_equal(r.overall.criteria, 3);
	assert_int_equal(r.overall_question, 3);
	assert_float_equal(r.items[3].rate.percent, 100, 1e-9);
	/* Mean scores: pooled over element 1 (86 + 44) / 30; of criteria
	 * (4.3 + 4.4) / 2 = 4.35. */
	assert_float_equal(r.elements[0].score.mean, 130.0 / 30, 1e-9);
	assert_float_equal(r.elements[0].score_mean_of_criteria, 4.35, 1e-9);

	/* Verdicts at 90 %: A1 80 % of 20: interval 58.4–91.9 straddles;
	 * B1 100 % of 10: 72.2–100 straddles; A2 also; no criterion is
	 * conclusively met with this few answers. */
	assert_int_equal(r.items[0].rate.verdict, VERDICT_INCONCLUSIVE);
	assert_float_equal(r.items[0].rate.gap, -10, 1e-9);
	report_free(&r);

	/* At a 50 % target B1 is met, and at 99 % A1 is not. */
	assert_true(report_compute(&r, form, counts, 22, 50, 5));
	assert_int_equal(r.items[2].rate.verdict, VERDICT_MET);
	report_free(&r);
	assert_true(report_compute(&r, form, counts, 22, 99, 5));
	assert_int_equal(r.items[0].rate.verdict, VERDICT_NOT_MET);
	assert_string_equal(verdict_name(r.items[0].rate.verdict), "not_met");
	report_free(&r);
	form_free(form);
}

static void test_suppressed(void **state)
{
	Form *form = load();
	ItemCounts counts[4];
	Report r;
	(void)state;

	fill(form, counts);
	assert_true(report_compute(&r, form, counts, 4, 90, 5));
	assert_true(r.suppressed);
	assert_int_equal(r.items[0].rate.satisfied, 16); /* counts stay */
	assert_true(isnan(r.items[0].rate.percent));
	assert_true(isnan(r.items[0].score.mean));
	assert_true(isnan(r.overall.mean_of_criteria.percent));
	assert_int_equal(r.overall.pooled.verdict, VERDICT_NONE);
	report_free(&r);
	form_free(form);
}

static void test_empty(void **state)
{
	Form *form = load();
	ItemCounts counts[4];
	Report r;
	(void)state;

	memset(counts, 0, sizeof counts);
	assert_true(report_compute(&r, form, counts, 0, 90, 0));
	assert_true(isnan(r.items[0].rate.percent));
	assert_int_equal(r.items[0].rate.verdict, VERDICT_NONE);
	assert_true(isnan(r.overall.mean_of_criteria.percent));
	report_free(&r);
	form_free(form);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wilson),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_suppressed),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
