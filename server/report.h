/*
 * report: satisfaction figures from tallies, by the methods of
 * docs/methodology.md — pure arithmetic, no I/O, so every formula is unit
 * tested with figures worked out by hand.
 *
 * Input: one questionnaire version and, per answerable item, how many
 * responses gave each value (the tallies, summed over the rounds in scope).
 * Output: per criterion the counts at every level, the satisfaction rate
 * (satisfied ÷ valid, "không ý kiến" and blanks excluded and reported) with
 * its 95 % Wilson interval, the mean score, and the verdict against the
 * target; per element and overall both the mean of criterion rates and the
 * pooled rate (the questionnaire's method says which leads); the separate
 * overall-satisfaction question as its own figure.
 */
#ifndef HAILONG_REPORT_H
#define HAILONG_REPORT_H

#include <stdbool.h>

#include "form.h"

enum { REPORT_MAX_VALUE = FORM_MAX_OPTIONS }; /* option values run 1..99 */

/* How many responses gave each stored value to one item (see sql/003). */
typedef struct ItemCounts {
	long long by_value[REPORT_MAX_VALUE + 1]; /* [v]: option value v; multiple choice: per option */
	long long no_opinion;                    /* "không ý kiến" */
	long long blank;
	long long answered;                      /* responses that gave any answer */
} ItemCounts;

typedef enum Verdict {
	VERDICT_NONE,         /* no valid answer, or hidden below the privacy threshold */
	VERDICT_MET,          /* the whole interval is at or above the target */
	VERDICT_NOT_MET,      /* the whole interval is below it */
	VERDICT_INCONCLUSIVE, /* the interval straddles it */
} Verdict;

typedef struct Rate {
	long long satisfied, valid; /* numerator and denominator */
	double percent;             /* 100 × satisfied / valid; NAN when valid is 0 */
	double low, high;           /* 95 % interval, percent; NAN when valid is 0 */
	double target;              /* percent: the criterion's, element's or form's */
	Verdict verdict;
	double gap;                 /* percent − target, in points; NAN without a rate */
} Rate;

typedef struct Score {
	long long sum, n; /* Σ value × count over valid answers, and their number */
	double mean;      /* NAN when n is 0 */
} Score;

typedef struct ItemResult {
	int item;          /* index in form->items */
	ItemCounts counts;
	Rate rate;         /* criteria, the overall question, yes/no questions */
	Score score;       /* ordinal scales only (else n = 0) */
} ItemResult;

typedef struct IndexResult {
	int item;              /* the element's index in form->items; -1 for overall */
	int criteria;          /* criteria counted */
	double mean_valid;     /* mean valid answers of its criteria that have any */
	Rate mean_of_criteria; /* the mean of the criteria's rates; interval: see methodology */
	Rate pooled;           /* all their answers pooled */
	Score score;           /* mean score, answers pooled */
	double score_mean_of_criteria;
} IndexResult;

typedef struct Report {
	const Form *form;
	long long responses; /* responses counted */
	double target;       /* percent */
	bool suppressed;     /* fewer responses than the privacy threshold: counts only */
	ItemResult *items;   /* form->nanswers, in answer order */
	IndexResult *elements;
	int nelements;
	IndexResult overall;     /* all index criteria: of elements (mean) and pooled */
	int overall_question;    /* answer index of the overall question, or -1 */
} Report;

/* The 95 % Wilson score interval of satisfied / valid, in percent. */
void wilson_interval(long long satisfied, long long valid, double *low, double *high);

/* Fills counts[answer_index] for a value stored in tallies (sql/003 coding)
 * seen n times. */
void report_count(const Form *form, ItemCounts *counts, int answer_index, int value, long long n);

/* Computes the report from counts (form->nanswers entries; read only).
 * target is the questionnaire's target (the overall index and questions);
 * criteria and elements use their own when the form sets one
 * (form_item_target).
 * Groups with fewer than min_responses responses are suppressed: counts are
 * kept, rates and scores left NAN.  Returns false when memory runs out.
 * Free with report_free. */
bool report_compute(Report *out, const Form *form, const ItemCounts *counts,
		    long long responses, double target, long long min_responses);

void report_free(Report *report);

const char *verdict_name(Verdict verdict);

#endif
