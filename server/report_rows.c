#include "report_rows.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_doc.h"
#include "report_publication.h"
#include "report_words.h"

const ReportColumn REPORT_COLUMNS[RC_COUNT] = {
	[RC_NODE_CODE] = {"node_code", "Mã đơn vị", 12},
	[RC_NODE_NAME] = {"node_name", "Tên đơn vị", 28},
	[RC_FROM] = {"period_from", "Từ ngày", 11},
	[RC_TO] = {"period_to", "Đến ngày", 11},
	[RC_ROUND] = {"round_code", "Mã đợt khảo sát", 10},
	[RC_FORM] = {"form_id", "Mã phiếu", 16},
	[RC_EDITION] = {"form_edition", "Ấn bản phiếu", 8},
	[RC_VERSION] = {"form_version", "Phiên bản phiếu", 8},
	[RC_KIND] = {"kind", "Loại dòng", 10},
	[RC_METHOD] = {"method", "Cách tổng hợp", 16},
	[RC_ROLE] = {"role", "Vai trò câu hỏi", 8},
	[RC_ELEMENT] = {"element_id", "Mã yếu tố", 10},
	[RC_ITEM] = {"item_id", "Mã câu", 10},
	[RC_TEXT] = {"text", "Nội dung", 48},
	[RC_RESPONSES] = {"responses", "Số phiếu", 9},
	[RC_ANSWERED] = {"answered", "Số người trả lời câu", 9},
	[RC_N1] = {"n1", "Số chọn mức 1", 8},
	[RC_N2] = {"n2", "Số chọn mức 2", 8},
	[RC_N3] = {"n3", "Số chọn mức 3", 8},
	[RC_N4] = {"n4", "Số chọn mức 4", 8},
	[RC_N5] = {"n5", "Số chọn mức 5", 8},
	[RC_COUNTS] = {"counts", "Số chọn từng phương án", 16},
	[RC_NO_OPINION] = {"no_opinion", "Không ý kiến", 9},
	[RC_BLANK] = {"blank", "Bỏ trống", 9},
	[RC_SATISFIED] = {"satisfied", "Số hài lòng (tử số)", 10},
	[RC_VALID] = {"valid", "Số trả lời hợp lệ (mẫu số)", 10},
	[RC_PERCENT] = {"percent", "Tỷ lệ hài lòng (%)", 10},
	[RC_LOW] = {"ci_low", "Cận dưới KTC 95% (%)", 10},
	[RC_HIGH] = {"ci_high", "Cận trên KTC 95% (%)", 10},
	[RC_TARGET] = {"target_percent", "Mục tiêu (%)", 9},
	[RC_VERDICT] = {"verdict", "Mã kết luận", 12},
	[RC_VERDICT_LABEL] = {"verdict_label", "Kết luận", 16},
	[RC_GAP] = {"gap_points", "Chênh lệch so với mục tiêu (điểm %)", 11},
	[RC_SCORE] = {"mean_score", "Điểm trung bình", 9},
	[RC_CHANGE] = {"change_points", "Thay đổi so với kỳ trước (điểm %)", 11},
	[RC_CRITERIA] = {"criteria", "Số tiêu chí", 8},
	[RC_FORMULA] = {"formula", "Cách tính", 30},
	[RC_PUBLICATION] = {"publication", "Mã công bố", 11},
	[RC_PUBLICATION_LABEL] = {"publication_label", "Công bố", 22},
	[RC_LATE] = {"late_responses", "Số phiếu tính sau khi công bố", 10},
};

/* What every row of one questionnaire repeats, so each row stands alone
 * in a pivot table. */
typedef struct Context {
	const char *node_code, *node_name, *from, *to, *round;
	const char *form, *edition;
	long long version, responses;
	const char *publication; /* "published", "amendment" or NULL (not published) */
	long long late;          /* responses counted after publication; -1: not an amendment */
	ReportRowSink sink;
	void *sink_ctx;
} Context;

/* Enough for 99 option values with counts up to 2^53: "99=9007199254740992; ". */
enum { COUNTS_MAX = 99 * 24 + 1 };

static void text_cell(Cell *c, CellType type, const char *text)
{
	*c = (Cell){.type = text ? type : CELL_EMPTY, .text = text};
}

static void int_cell(Cell *c, long long n)
{
	/* -1 is doc_count's null. */
	*c = (Cell){.type = n < 0 ? CELL_EMPTY : CELL_INT, .n = n};
}

static void num_cell(Cell *c, CellType type, double v)
{
	*c = (Cell){.type = isnan(v) ? CELL_EMPTY : type, .num = v};
}

static void row_start(Cell row[RC_COUNT], const Context *q, const char *kind)
{
	for (int i = 0; i < RC_COUNT; i++)
		row[i] = (Cell){.type = CELL_EMPTY};
	text_cell(&row[RC_NODE_CODE], CELL_TEXT, q->node_code);
	text_cell(&row[RC_NODE_NAME], CELL_TEXT, q->node_name);
	text_cell(&row[RC_FROM], CELL_DATE, q->from);
	text_cell(&row[RC_TO], CELL_DATE, q->to);
	text_cell(&row[RC_ROUND], CELL_TEXT, q->round);
	text_cell(&row[RC_FORM], CELL_TEXT, q->form);
	text_cell(&row[RC_EDITION], CELL_TEXT, q->edition);
	int_cell(&row[RC_VERSION], q->version);
	text_cell(&row[RC_KIND], CELL_WORD, kind);
	int_cell(&row[RC_RESPONSES], q->responses);
	text_cell(&row[RC_PUBLICATION], CELL_WORD, q->publication);
	text_cell(&row[RC_PUBLICATION_LABEL], CELL_WORD, report_publication_label(q->publication));
	int_cell(&row[RC_LATE], q->late);
}

/* Reads a rate object (docs/reports.md, "A rate") into the row's rate
 * columns; no_opinion and blank come from its "excluded" unless the caller
 * has the item's own. */
static bool put_rate(Cell row[RC_COUNT], const cJSON *rate, const char *path, bool excluded,
		     char **err)
{
	char sub[DOC_PATH_MAX];
	const cJSON *ex;
	const char *verdict, *label, *formula;
	long long satisfied, valid, no_opinion, blank, criteria = -1;
	double percent, low, high, target, gap;

	if (!doc_count(rate, path, "satisfied", false, &satisfied, err) ||
	    !doc_count(rate, path, "valid", false, &valid, err) ||
	    !doc_number(rate, path, "percent", true, &percent, err) ||
	    !doc_number(rate, path, "low", true, &low, err) ||
	    !doc_number(rate, path, "high", true, &high, err) ||
	    !doc_number(rate, path, "target_percent", true, &target, err) ||
	    !doc_string(rate, path, "verdict", false, &verdict, err) ||
	    !doc_number(rate, path, "gap_points", true, &gap, err) ||
	    !doc_string(rate, path, "formula", true, &formula, err) ||
	    !doc_object(rate, path, "excluded", false, &ex, err))
		return false;
	if (!(label = report_verdict_label(verdict)))
		return doc_fail(err, path, "verdict", "expected met, not_met, inconclusive, none or suppressed");
	/* Only indices say how many criteria they cover. */
	if (cJSON_GetObjectItemCaseSensitive(rate, "criteria") &&
	    !doc_count(rate, path, "criteria", true, &criteria, err))
		return false;
	doc_path(sub, path, "excluded", 0);
	if (!doc_count(ex, sub, "no_opinion", false, &no_opinion, err) ||
	    !doc_count(ex, sub, "blank", false, &blank, err))
		return false;

	int_cell(&row[RC_SATISFIED], satisfied);
	int_cell(&row[RC_VALID], valid);
	num_cell(&row[RC_PERCENT], CELL_PERCENT, percent);
	num_cell(&row[RC_LOW], CELL_PERCENT, low);
	num_cell(&row[RC_HIGH], CELL_PERCENT, high);
	num_cell(&row[RC_TARGET], CELL_PERCENT, target);
	text_cell(&row[RC_VERDICT], CELL_WORD, verdict);
	text_cell(&row[RC_VERDICT_LABEL], CELL_WORD, label);
	num_cell(&row[RC_GAP], CELL_POINTS, gap);
	text_cell(&row[RC_FORMULA], CELL_TEXT, formula);
	if (criteria >= 0)
		int_cell(&row[RC_CRITERIA], criteria);
	if (excluded) {
		int_cell(&row[RC_NO_OPINION], no_opinion);
		int_cell(&row[RC_BLANK], blank);
	}
	return true;
}

static bool headline_row(const Context *q, const cJSON *qn, const char *path, char **err)
{
	char sub[DOC_PATH_MAX], prev[DOC_PATH_MAX];
	Cell row[RC_COUNT];
	const cJSON *method, *headline, *rate, *previous, *prev_headline = NULL;
	const char *index, *basis, *label;
	double change = NAN;

	if (!doc_object(qn, path, "method", false, &method, err) ||
	    !doc_object(qn, path, "headline", false, &headline, err) ||
	    !doc_object(qn, path, "previous", true, &previous, err))
		return false;
	doc_path(sub, path, "method", 0);
	if (!doc_string(method, sub, "index", false, &index, err) ||
	    !doc_string(method, sub, "headline", false, &basis, err))
		return false;
	doc_path(sub, path, "headline", 0);
	if (!doc_string(headline, sub, "label", false, &label, err) ||
	    !doc_object(headline, sub, "rate", true, &rate, err))
		return false;
	if (previous) {
		doc_path(sub, path, "previous", 0);
		if (!doc_object(previous, sub, "headline", true, &prev_headline, err))
			return false;
		doc_path(prev, sub, "headline", 0);
		if (prev_headline && !doc_number(prev_headline, prev, "change_points", true, &change, err))
			return false;
	}

	row_start(row, q, "headline");
	text_cell(&row[RC_METHOD], CELL_TEXT, strcmp(basis, "overall-question") == 0 ? basis : index);
	text_cell(&row[RC_TEXT], CELL_TEXT, label);
	num_cell(&row[RC_CHANGE], CELL_POINTS, change);
	doc_path(sub, path, "headline.rate", 0);
	if (rate && !put_rate(row, rate, sub, true, err))
		return false;
	return q->sink(q->sink_ctx, row, err);
}

/* The two rows of an index (overall or element): by mean of criteria and
 * pooled, each with its own mean score. */
static bool index_rows(const Context *q, const cJSON *obj, const char *path, const char *kind,
		       const char *element, const char *text, char **err)
{
	static const char *const methods[] = {"mean-of-criteria", "pooled"};
	static const char *const keys[] = {"mean_of_criteria", "pooled"};
	char sub[DOC_PATH_MAX];
	Cell row[RC_COUNT];
	const cJSON *rate, *score;
	long long criteria;
	double score_mean, score_of_criteria;

	if (!doc_count(obj, path, "criteria", false, &criteria, err) ||
	    !doc_object(obj, path, "score", true, &score, err) ||
	    !doc_number(obj, path, "score_mean_of_criteria", true, &score_of_criteria, err))
		return false;
	score_mean = NAN;
	doc_path(sub, path, "score", 0);
	if (score && !doc_number(score, sub, "mean", true, &score_mean, err))
		return false;

	for (int m = 0; m < 2; m++) {
		if (!doc_object(obj, path, keys[m], false, &rate, err))
			return false;
		row_start(row, q, kind);
		text_cell(&row[RC_METHOD], CELL_WORD, methods[m]);
		text_cell(&row[RC_ELEMENT], CELL_TEXT, element);
		text_cell(&row[RC_TEXT], element ? CELL_TEXT : CELL_WORD, text);
		doc_path(sub, path, keys[m], 0);
		if (!put_rate(row, rate, sub, true, err))
			return false;
		/* The index's own criteria count wins over its rate's. */
		int_cell(&row[RC_CRITERIA], criteria);
		num_cell(&row[RC_SCORE], CELL_SCORE, m == 0 ? score_of_criteria : score_mean);
		if (!q->sink(q->sink_ctx, row, err))
			return false;
	}
	return true;
}

/* The counts at each option: in n1..n5 for a 1–5 ordinal scale (what
 * Excel users pivot on), otherwise "value=n; value=n" in one cell. */
static bool put_levels(Cell row[RC_COUNT], const cJSON *item, const char *path, const char *scale,
		       char counts[COUNTS_MAX], char **err)
{
	char sub[DOC_PATH_MAX], lpath[DOC_PATH_MAX];
	const cJSON *levels, *level;
	long long value, n;
	bool in_columns = strcmp(scale, "ordinal") == 0;
	int nlevels;
	size_t used = 0;

	if (!doc_array(item, path, "levels", false, &levels, err))
		return false;
	doc_path(sub, path, "levels", 0);
	nlevels = cJSON_GetArraySize(levels);
	if (nlevels > 99)
		return doc_fail(err, sub, NULL, "more than 99 options");
	/* First pass: check every level, and whether 1..5 columns hold them. */
	for (int i = 0; i < nlevels; i++) {
		if (!doc_element(levels, sub, i, &level, lpath, err) ||
		    !doc_count(level, lpath, "value", false, &value, err) ||
		    !doc_count(level, lpath, "n", false, &n, err))
			return false;
		if (value < 1 || value > 5)
			in_columns = false;
	}
	counts[0] = '\0';
	for (int i = 0; i < nlevels; i++) {
		level = cJSON_GetArrayItem(levels, i);
		value = (long long)cJSON_GetObjectItemCaseSensitive(level, "value")->valuedouble;
		n = (long long)cJSON_GetObjectItemCaseSensitive(level, "n")->valuedouble;
		if (in_columns) {
			int_cell(&row[RC_N1 + (value - 1)], n);
		} else if (value <= 99) {
			int w = snprintf(counts + used, COUNTS_MAX - used, "%s%lld=%lld", used ? "; " : "",
					 value, n);
			if (w > 0 && (size_t)w < COUNTS_MAX - used)
				used += (size_t)w;
		} else {
			return doc_fail(err, lpath, "value", "expected an option value from 1 to 99");
		}
	}
	if (used)
		text_cell(&row[RC_COUNTS], CELL_WORD, counts);
	return true;
}

static bool item_row(const Context *q, const cJSON *item, const char *path, char **err)
{
	char sub[DOC_PATH_MAX], counts[COUNTS_MAX];
	Cell row[RC_COUNT];
	const cJSON *rate, *score;
	const char *id, *kind, *role, *element, *text, *scale;
	long long no_opinion, blank, answered;
	double change, mean = NAN;

	if (!doc_string(item, path, "id", false, &id, err) ||
	    !doc_string(item, path, "kind", false, &kind, err) ||
	    !doc_string(item, path, "role", false, &role, err) ||
	    !doc_string(item, path, "element", true, &element, err) ||
	    !doc_string(item, path, "text", false, &text, err) ||
	    !doc_string(item, path, "scale", false, &scale, err) ||
	    !doc_count(item, path, "no_opinion", false, &no_opinion, err) ||
	    !doc_count(item, path, "blank", false, &blank, err) ||
	    !doc_count(item, path, "answered", false, &answered, err) ||
	    !doc_object(item, path, "rate", true, &rate, err) ||
	    !doc_object(item, path, "score", true, &score, err) ||
	    !doc_number(item, path, "change_points", true, &change, err))
		return false;
	if (strcmp(kind, "criterion") != 0 && strcmp(kind, "question") != 0)
		return doc_fail(err, path, "kind", "expected criterion or question");
	doc_path(sub, path, "score", 0);
	if (score && !doc_number(score, sub, "mean", true, &mean, err))
		return false;

	row_start(row, q, kind);
	text_cell(&row[RC_ROLE], CELL_TEXT, role);
	text_cell(&row[RC_ELEMENT], CELL_TEXT, element);
	text_cell(&row[RC_ITEM], CELL_TEXT, id);
	text_cell(&row[RC_TEXT], CELL_TEXT, text);
	int_cell(&row[RC_ANSWERED], answered);
	if (!put_levels(row, item, path, scale, counts, err))
		return false;
	int_cell(&row[RC_NO_OPINION], no_opinion);
	int_cell(&row[RC_BLANK], blank);
	doc_path(sub, path, "rate", 0);
	if (rate && !put_rate(row, rate, sub, false, err))
		return false;
	num_cell(&row[RC_SCORE], CELL_SCORE, mean);
	num_cell(&row[RC_CHANGE], CELL_POINTS, change);
	return q->sink(q->sink_ctx, row, err);
}

static bool questionnaire_rows(Context *q, const cJSON *qn, const char *path, char **err)
{
	char sub[DOC_PATH_MAX], epath[DOC_PATH_MAX];
	const cJSON *form, *overall, *elements, *items, *el;
	const char *id, *text;

	if (!doc_object(qn, path, "form", false, &form, err) ||
	    !doc_count(qn, path, "responses", false, &q->responses, err) ||
	    !doc_object(qn, path, "overall", false, &overall, err) ||
	    !doc_array(qn, path, "elements", false, &elements, err) ||
	    !doc_array(qn, path, "items", false, &items, err))
		return false;
	doc_path(sub, path, "form", 0);
	if (!doc_string(form, sub, "id", false, &q->form, err) ||
	    !doc_string(form, sub, "edition", false, &q->edition, err) ||
	    !doc_count(form, sub, "version", false, &q->version, err))
		return false;

	if (!headline_row(q, qn, path, err))
		return false;
	doc_path(sub, path, "overall", 0);
	if (!index_rows(q, overall, sub, "overall", NULL, "Chỉ số hài lòng chung", err))
		return false;
	doc_path(sub, path, "elements", 0);
	for (int i = 0; i < cJSON_GetArraySize(elements); i++)
		if (!doc_element(elements, sub, i, &el, epath, err) ||
		    !doc_string(el, epath, "id", false, &id, err) ||
		    !doc_string(el, epath, "text", false, &text, err) ||
		    !index_rows(q, el, epath, "element", id, text, err))
			return false;
	doc_path(sub, path, "items", 0);
	for (int i = 0; i < cJSON_GetArraySize(items); i++)
		if (!doc_element(items, sub, i, &el, epath, err) || !item_row(q, el, epath, err))
			return false;
	return true;
}

bool report_rows(const cJSON *report, ReportRowSink sink, void *ctx, char **err)
{
	char sub[DOC_PATH_MAX];
	const cJSON *scope, *node, *period, *campaign, *questionnaires, *qn;
	const char *format;
	Context q = {.sink = sink, .sink_ctx = ctx, .late = -1};
	ReportPublication pub;

	*err = NULL;
	if (!doc_string(report, "", "format", false, &format, err))
		return false;
	if (strcmp(format, "hailong-report/1") != 0)
		return doc_fail(err, "", "format", "expected \"hailong-report/1\"");
	if (!doc_object(report, "", "scope", false, &scope, err) ||
	    !doc_object(scope, "scope", "node", false, &node, err) ||
	    !doc_string(node, "scope.node", "code", false, &q.node_code, err) ||
	    !doc_string(node, "scope.node", "name", false, &q.node_name, err) ||
	    !doc_object(scope, "scope", "period", false, &period, err) ||
	    !doc_date(period, "scope.period", "from", false, &q.from, NULL, NULL, NULL, err) ||
	    !doc_date(period, "scope.period", "to", false, &q.to, NULL, NULL, NULL, err) ||
	    !doc_object(scope, "scope", "campaign", true, &campaign, err) ||
	    (campaign && !doc_string(campaign, "scope.campaign", "code", false, &q.round, err)) ||
	    !doc_array(report, "", "questionnaires", false, &questionnaires, err) ||
	    !report_publication_read(report, &pub, err))
		return false;
	q.publication = pub.published ? "published" : NULL;
	for (int i = 0; i < cJSON_GetArraySize(questionnaires); i++)
		if (!doc_element(questionnaires, "questionnaires", i, &qn, sub, err) ||
		    !questionnaire_rows(&q, qn, sub, err))
			return false;
	if (!pub.amended)
		return true;
	/* The round now, after the published rows, never instead of them. */
	q.publication = "amendment";
	q.late = pub.late;
	for (int i = 0; i < cJSON_GetArraySize(pub.questionnaires); i++)
		if (!doc_element(pub.questionnaires, "publication.amendment.questionnaires", i, &qn,
				 sub, err) ||
		    !questionnaire_rows(&q, qn, sub, err))
			return false;
	return true;
}
