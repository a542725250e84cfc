#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The 97.5th percentile of the standard normal distribution. */
static const double Z95 = 1.959963984540054;

/* Wilson's interval for a proportion p observed over n (n may be a
 * non-integer effective size), in percent. */
static void wilson(double p, double n, double *low, double *high)
{
	double z2 = Z95 * Z95, denom, centre, half;

	if (n <= 0) {
		*low = *high = NAN;
		return;
	}
	denom = 1 + z2 / n;
	centre = p + z2 / (2 * n);
	half = Z95 * sqrt(p * (1 - p) / n + z2 / (4 * n * n));
	*low = 100 * fmax(0, (centre - half) / denom);
	*high = 100 * fmin(1, (centre + half) / denom);
}

void wilson_interval(long long satisfied, long long valid, double *low, double *high)
{
	wilson(valid > 0 ? (double)satisfied / (double)valid : 0, (double)valid, low, high);
}

const char *verdict_name(Verdict verdict)
{
	switch (verdict) {
	case VERDICT_MET:
		return "met";
	case VERDICT_NOT_MET:
		return "not_met";
	case VERDICT_INCONCLUSIVE:
		return "inconclusive";
	case VERDICT_NONE:
		break;
	}
	return "none";
}

void report_count(const Form *form, ItemCounts *counts, int answer_index, int value, long long n)
{
	const FormItem *item = form_answer_item(form, answer_index);
	const FormScale *scale;
	ItemCounts *c;

	if (!item || n <= 0)
		return;
	c = &counts[answer_index];
	scale = &form->scales[item->scale];
	if (value == 0) {
		c->blank += n;
		return;
	}
	c->answered += n;
	if (value < 0) {
		c->no_opinion += n;
		return;
	}
	if (scale->type == SCALE_MULTI) {
		/* A bit per chosen option, by its position in the scale. */
		for (int b = 0; b < scale->noptions && b < 15; b++)
			if (value & (1 << b))
				c->by_value[scale->options[b].value] += n;
		return;
	}
	if (value <= REPORT_MAX_VALUE)
		c->by_value[value] += n;
}

/* Sets the verdict and gap of a rate that has its percent and interval. */
static void judge(Rate *rate, double target)
{
	rate->target = target;
	if (isnan(rate->percent)) {
		rate->verdict = VERDICT_NONE;
		rate->gap = NAN;
		return;
	}
	rate->gap = rate->percent - target;
	/* Compared with a little slack: 90.0 must meet a 90 % target although
	 * floating point may make it 89.99999. */
	if (rate->low >= target - 1e-9)
		rate->verdict = VERDICT_MET;
	else if (rate->high < target - 1e-9)
		rate->verdict = VERDICT_NOT_MET;
	else
		rate->verdict = VERDICT_INCONCLUSIVE;
}

static void rate_from_counts(Rate *rate, long long satisfied, long long valid, double target)
{
	rate->satisfied = satisfied;
	rate->valid = valid;
	rate->percent = valid > 0 ? 100.0 * (double)satisfied / (double)valid : NAN;
	wilson_interval(satisfied, valid, &rate->low, &rate->high);
	judge(rate, target);
}

static void score_finish(Score *score)
{
	score->mean = score->n > 0 ? (double)score->sum / (double)score->n : NAN;
}

static bool has_rate(const FormItem *item, const FormScale *scale)
{
	return item->nsatisfied > 0 && scale->type != SCALE_MULTI && scale->type != SCALE_TEXT;
}

static void item_result(ItemResult *out, const Form *form, const FormItem *item,
			const ItemCounts *counts, double form_target)
{
	double target = form_target;

	/* A criterion's own target, else its element's, else the form's. */
	if (item->kind == ITEM_CRITERION && !isnan(item->target_percent))
		target = item->target_percent;
	else if (item->kind == ITEM_CRITERION && item->element >= 0 &&
		 !isnan(form->items[item->element].target_percent))
		target = form->items[item->element].target_percent;
	const FormScale *scale = &form->scales[item->scale];
	long long satisfied = 0, valid = 0;

	out->item = (int)(item - form->items);
	out->counts = *counts;
	out->rate.percent = out->rate.low = out->rate.high = out->rate.gap = NAN;
	out->score.mean = NAN;
	if (!has_rate(item, scale))
		return;
	for (int o = 0; o < scale->noptions; o++) {
		int v = scale->options[o].value;
		valid += counts->by_value[v];
		if (scale->type == SCALE_ORDINAL) {
			out->score.sum += (long long)v * counts->by_value[v];
			out->score.n += counts->by_value[v];
		}
	}
	for (int s = 0; s < item->nsatisfied; s++)
		satisfied += counts->by_value[item->satisfied[s]];
	rate_from_counts(&out->rate, satisfied, valid, target);
	score_finish(&out->score);
}

/* An index over a set of criteria: their mean rate and their pooled rate.
 * The mean's interval uses the criteria's mean number of valid answers as
 * its sample size (docs/methodology.md says why). */
static void index_over(IndexResult *out, const Report *report, bool (*member)(const FormItem *, int),
		       int element, double target)
{
	double sum_percent = 0, sum_valid = 0, sum_scores = 0;
	long long satisfied = 0, valid = 0;
	int rated = 0, scored = 0;

	out->item = element;
	out->criteria = 0;
	for (int i = 0; i < report->form->nanswers; i++) {
		const ItemResult *r = &report->items[i];
		const FormItem *item = &report->form->items[r->item];
		if (!member(item, element))
			continue;
		out->criteria++;
		satisfied += r->rate.satisfied;
		valid += r->rate.valid;
		out->score.sum += r->score.sum;
		out->score.n += r->score.n;
		if (r->rate.valid > 0) {
			sum_percent += r->rate.percent;
			sum_valid += (double)r->rate.valid;
			rated++;
		}
		if (r->score.n > 0) {
			sum_scores += r->score.mean;
			scored++;
		}
	}
	rate_from_counts(&out->pooled, satisfied, valid, target);
	out->mean_valid = rated ? sum_valid / rated : 0;
	out->mean_of_criteria.satisfied = satisfied;
	out->mean_of_criteria.valid = valid;
	out->mean_of_criteria.percent = rated ? sum_percent / rated : NAN;
	if (rated)
		wilson(out->mean_of_criteria.percent / 100, sum_valid / rated,
		       &out->mean_of_criteria.low, &out->mean_of_criteria.high);
	else
		out->mean_of_criteria.low = out->mean_of_criteria.high = NAN;
	judge(&out->mean_of_criteria, target);
	score_finish(&out->score);
	out->score_mean_of_criteria = scored ? sum_scores / scored : NAN;
}

static bool is_index_criterion(const FormItem *item)
{
	return item->kind == ITEM_CRITERION && item->role == ROLE_INDEX;
}

static bool in_element(const FormItem *item, int element)
{
	return is_index_criterion(item) && item->element == element;
}

static bool any_index(const FormItem *item, int element)
{
	(void)element;
	return is_index_criterion(item);
}

/* The overall mean of criteria goes through the elements: each element
 * weighs the same, however many criteria it has. */
static void overall_of_elements(Report *report, double target)
{
	IndexResult *o = &report->overall;
	double sum = 0, sum_valid = 0, sum_scores = 0;
	int rated = 0, scored = 0;

	if (report->nelements == 0)
		return; /* criteria without elements: the mean of criteria stands */
	for (int e = 0; e < report->nelements; e++) {
		const IndexResult *el = &report->elements[e];
		if (!isnan(el->mean_of_criteria.percent)) {
			sum += el->mean_of_criteria.percent;
			sum_valid += el->mean_valid;
			rated++;
		}
		if (!isnan(el->score_mean_of_criteria)) {
			sum_scores += el->score_mean_of_criteria;
			scored++;
		}
	}
	o->mean_of_criteria.percent = rated ? sum / rated : NAN;
	if (rated)
		wilson(o->mean_of_criteria.percent / 100, sum_valid / rated, &o->mean_of_criteria.low,
		       &o->mean_of_criteria.high);
	else
		o->mean_of_criteria.low = o->mean_of_criteria.high = NAN;
	judge(&o->mean_of_criteria, target);
	o->score_mean_of_criteria = scored ? sum_scores / scored : NAN;
}

static void hide_rate(Rate *rate)
{
	rate->percent = rate->low = rate->high = rate->gap = NAN;
	rate->verdict = VERDICT_NONE;
}

static void hide_index(IndexResult *index)
{
	hide_rate(&index->mean_of_criteria);
	hide_rate(&index->pooled);
	index->score.mean = index->score_mean_of_criteria = NAN;
}

bool report_compute(Report *out, const Form *form, const ItemCounts *counts, long long responses,
		    double target, long long min_responses)
{
	int e = 0;

	memset(out, 0, sizeof *out);
	out->form = form;
	out->responses = responses;
	out->target = target;
	out->overall_question = -1;
	out->items = calloc((size_t)(form->nanswers ? form->nanswers : 1), sizeof *out->items);
	for (int k = 0; k < form->nitems; k++)
		out->nelements += form->items[k].kind == ITEM_ELEMENT;
	out->elements = calloc((size_t)(out->nelements ? out->nelements : 1), sizeof *out->elements);
	if (!out->items || !out->elements) {
		report_free(out);
		return false;
	}
	for (int k = 0; k < form->nitems; k++) {
		const FormItem *item = &form->items[k];
		if (item->answer_index < 0)
			continue;
		item_result(&out->items[item->answer_index], form, item, &counts[item->answer_index],
			    target);
		if (item->role == ROLE_OVERALL && out->overall_question < 0)
			out->overall_question = item->answer_index;
	}
	for (int k = 0; k < form->nitems; k++)
		if (form->items[k].kind == ITEM_ELEMENT)
			index_over(&out->elements[e++], out, in_element, k,
				   isnan(form->items[k].target_percent) ? target
									: form->items[k].target_percent);
	index_over(&out->overall, out, any_index, -1, target);
	overall_of_elements(out, target);
	out->suppressed = responses < min_responses;
	if (out->suppressed) {
		for (int i = 0; i < form->nanswers; i++) {
			hide_rate(&out->items[i].rate);
			out->items[i].score.mean = NAN;
		}
		for (int i = 0; i < out->nelements; i++)
			hide_index(&out->elements[i]);
		hide_index(&out->overall);
	}
	return true;
}

void report_free(Report *report)
{
	free(report->items);
	free(report->elements);
	report->items = NULL;
	report->elements = NULL;
}
