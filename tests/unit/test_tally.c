/* Counting answers in memory: the smallint[] text parser and the counter,
 * checked against counts written out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally.h"

static long parse(const char *text, int16_t *out, size_t cap)
{
	return tally_parse_answers(text, strlen(text), out, cap);
}

static void test_parse(void **state)
{
	int16_t v[8];
	(void)state;
	assert_int_equal(parse("{}", v, 8), 0);
	assert_int_equal(parse("{5}", v, 8), 1);
	assert_int_equal(v[0], 5);
	assert_int_equal(parse("{1,-1,0,32767,-32768}", v, 8), 5);
	assert_int_equal(v[1], -1);
	assert_int_equal(v[2], 0);
	assert_int_equal(v[3], 32767);
	assert_int_equal(v[4], -32768);
	/* More values than room: all counted, only cap written. */
	assert_int_equal(parse("{1,2,3}", v, 2), 3);
	assert_int_equal(v[1], 2);
}

static void test_parse_malformed(void **state)
{
	static const char *const bad[] = {
		"", "{", "}", "5", "{5", "5}", "{,}", "{1,}", "{,1}", "{1,,2}", "{-}", "{--1}",
		"{1 ,2}", "{ 1}", "{NULL}", "{1,NULL}", "{{1,2},{3,4}}", "[0:1]={1,2}",
		"{32768}", "{-32769}", "{123456}", "{1}x", "{1}}", "{1a}", "{+1}", "{1.5}",
	};
	int16_t v[8];
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (parse(bad[i], v, 8) != -1)
			fail_msg("accepted %s", bad[i]);
	}
	/* Not NUL-terminated: the length is the end. */
	assert_int_equal(tally_parse_answers("{1,2}9", 5, v, 8), 2);
	assert_int_equal(tally_parse_answers("{1,2}", 4, v, 8), -1);
}

static void add(Tally *t, int64_t c, int64_t v, const char *answers, int64_t minute)
{
	bool oom;
	assert_true(tally_add(t, c, v, answers, strlen(answers), minute, &oom));
	assert_false(oom);
}

/* The counts of the group of (c, v), as "index:value=n" separated by
 * spaces, in the order given. */
static char *counts_text(Tally *t, int64_t c, int64_t v)
{
	const TallyGroup *groups;
	size_t n;
	static char text[4096];
	assert_true(tally_groups(t, &groups, &n));
	text[0] = 0;
	for (size_t i = 0; i < n; i++) {
		TallyCount *k;
		size_t count;
		if (groups[i].campaign_id != c || groups[i].version_id != v)
			continue;
		assert_true(tally_group_counts(t, i, &k, &count));
		for (size_t j = 0; j < count; j++) {
			char one[64];
			snprintf(one, sizeof one, "%s%d:%d=%lld", j ? " " : "", k[j].answer_index,
				 k[j].value, (long long)k[j].n);
			strcat(text, one);
		}
		free(k);
	}
	return text;
}

static void test_count(void **state)
{
	Tally *t = tally_new();
	const TallyGroup *groups;
	size_t n;
	(void)state;
	assert_non_null(t);
	add(t, 7, 2, "{5,4,-1}", 100);
	add(t, 7, 2, "{5,5,0}", 160);
	add(t, 3, 2, "{1}", 60);
	add(t, 7, 1, "{2,2}", 40);
	add(t, 7, 2, "{4,4,-1}", 120);
	assert_int_equal(tally_responses(t), 5);
	assert_true(tally_groups(t, &groups, &n));
	/* Ordered by campaign, then version. */
	assert_int_equal(n, 3);
	assert_int_equal(groups[0].campaign_id, 3);
	assert_int_equal(groups[1].campaign_id, 7);
	assert_int_equal(groups[1].version_id, 1);
	assert_int_equal(groups[2].version_id, 2);
	assert_int_equal(groups[2].responses, 3);
	assert_int_equal(groups[2].last_minute, 160);
	assert_int_equal(groups[0].last_minute, 60);
	assert_string_equal(counts_text(t, 7, 2), "0:4=1 0:5=2 1:4=2 1:5=1 2:-1=2 2:0=1");
	assert_string_equal(counts_text(t, 3, 2), "0:1=1");
	assert_string_equal(counts_text(t, 7, 1), "0:2=1 1:2=1");
	tally_free(t);
}

static void test_beyond_dense(void **state)
{
	Tally *t = tally_new();
	(void)state;
	/* Multiple-choice bit sets, values up to 99, negatives below -1, and
	 * the dense range's edges, mixed on one index, in value order. */
	add(t, 1, 1, "{16,15,-1}", 0);
	add(t, 1, 1, "{32767,99,-2}", 0);
	add(t, 1, 1, "{16,15,-32768}", 0);
	add(t, 1, 1, "{5,99,-1}", 0);
	assert_string_equal(counts_text(t, 1, 1),
			    "0:5=1 0:16=2 0:32767=1 1:15=2 1:99=2 2:-32768=1 2:-2=1 2:-1=2");
	tally_free(t);
}

static void test_many_groups_and_lengths(void **state)
{
	Tally *t = tally_new();
	const TallyGroup *groups;
	size_t n;
	(void)state;
	/* Enough groups and overflow values to make both tables grow. */
	for (int c = 1000; c > 0; c--) {
		char answers[64];
		snprintf(answers, sizeof answers, "{%d,%d}", 100 + c % 7, c % 3);
		add(t, c, 9, answers, c);
		add(t, c, 9, "{1,2,3,4}", 0); /* longer arrays widen the group */
	}
	assert_true(tally_groups(t, &groups, &n));
	assert_int_equal(n, 1000);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(groups[i].campaign_id, (int64_t)i + 1);
		assert_int_equal(groups[i].responses, 2);
		assert_int_equal(groups[i].last_minute, (int64_t)i + 1);
	}
	assert_string_equal(counts_text(t, 10, 9), "0:1=1 0:103=1 1:1=1 1:2=1 2:3=1 3:4=1");
	tally_free(t);
}

static void test_rejects(void **state)
{
	Tally *t = tally_new();
	bool oom = true;
	const TallyGroup *groups;
	size_t n;
	(void)state;
	assert_false(tally_add(t, 1, 1, "{1,NULL}", 8, 0, &oom));
	assert_false(oom);
	assert_false(tally_add(t, 1, 1, "{1,2", 4, 0, &oom));
	assert_false(oom);
	/* Nothing of a refused response is counted. */
	assert_int_equal(tally_responses(t), 0);
	assert_true(tally_groups(t, &groups, &n));
	assert_int_equal(n, 0);
	tally_free(t);
	tally_free(NULL);
}

/* Stored counts added to a batch's: sums per (index, value), dense and
 * beyond, responses added, the newer minute kept, new responses alone in
 * tally_responses. */
static void test_merge(void **state)
{
	Tally *t = tally_new();
	bool oom = true;
	const TallyGroup *groups;
	size_t n;
	const TallyGroup stored = {.campaign_id = 7, .version_id = 2, .responses = 40,
				   .last_minute = 90};
	const TallyCount counts[] = {{2, 99, 3}, {0, 5, 30}, {0, 4, 10}, {4, -1, 6}};
	const TallyGroup only = {.campaign_id = 8, .version_id = 2, .responses = 1,
				 .last_minute = 500};
	const TallyCount too_big[] = {{0, 5, 5000000000LL}};
	const TallyCount negative[] = {{-1, 5, 1}};
	(void)state;
	add(t, 7, 2, "{5,4,-1}", 100);
	add(t, 7, 2, "{5,5,99}", 60);
	assert_true(tally_merge(t, &stored, counts, 4, &oom));
	assert_false(oom);
	assert_true(tally_merge(t, &only, NULL, 0, &oom));
	assert_string_equal(counts_text(t, 7, 2), "0:4=10 0:5=32 1:4=1 1:5=1 2:-1=1 2:99=4 4:-1=6");
	assert_string_equal(counts_text(t, 8, 2), "");
	assert_int_equal(tally_responses(t), 2);
	assert_true(tally_groups(t, &groups, &n));
	assert_int_equal(n, 2);
	assert_int_equal(groups[0].responses, 42);
	assert_int_equal(groups[0].last_minute, 100);
	assert_int_equal(groups[1].responses, 1);
	assert_int_equal(groups[1].last_minute, 500);
	/* A count beyond what a counter holds, a negative index: refused. */
	assert_false(tally_merge(t, &stored, too_big, 1, &oom));
	assert_false(oom);
	assert_false(tally_merge(t, &stored, negative, 1, &oom));
	assert_false(oom);
	tally_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_beyond_dense),
		cmocka_unit_test(test_many_groups_and_lengths),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
