/*
 * report_xlsx: the report document as an XLSX workbook (libxlsxwriter),
 * four sheets: "Tổng hợp" (summary), "Tiêu chí" (the figures table of
 * report_rows), "Trường" (schools), "Góp ý" (comments).  Layout in
 * docs/reports.md ("XLSX").
 *
 * Every sheet is written twice by the same code: first with no worksheet,
 * which only reads and checks the document, then for real — so a malformed
 * document is refused before a file exists, and the checks cannot drift
 * from what is written.
 */
#include "report_export.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "buf.h"
#include "report_build.h"
#include "report_doc.h"
#include "report_publication.h"
#include "report_rows.h"
#include "report_words.h"
#include "text.h"
#include "util.h"

/* Excel's limit for one cell; longer text is cut at a character boundary. */
enum { CELL_MAX_BYTES = 32767 };

typedef struct Formats {
	lxw_format *title, *header, *bold, *percent, *points, *score, *date, *wrap;
} Formats;

/* One worksheet being written, or (ws NULL) only checked. */
typedef struct Sheet {
	lxw_worksheet *ws;
	const Formats *f;
	lxw_row_t row;
	lxw_error error; /* the first libxlsxwriter error */
} Sheet;

static void keep_error(Sheet *s, lxw_error e)
{
	if (e != LXW_NO_ERROR && s->error == LXW_NO_ERROR)
		s->error = e;
}

/* Text as a string cell: never a formula, number or link, whatever it
 * starts with.  Invalid UTF-8 would make the whole file unreadable, so bad
 * bytes become U+FFFD; control characters are escaped by libxlsxwriter. */
static void put_text(Sheet *s, lxw_col_t col, const char *text, lxw_format *format)
{
	size_t len, bad, cut;
	Buf clean;

	if (!s->ws || !text)
		return;
	len = strlen(text);
	if (len <= CELL_MAX_BYTES && text_valid_utf8(text, len, NULL)) {
		keep_error(s, worksheet_write_string(s->ws, s->row, col, text, format));
		return;
	}
	buf_init(&clean, len < CELL_MAX_BYTES ? len + 16 : CELL_MAX_BYTES + 16);
	while (len > 0) {
		if (text_valid_utf8(text, len, &bad)) {
			buf_add(&clean, text, len);
			break;
		}
		buf_add(&clean, text, bad);
		buf_puts(&clean, "\xEF\xBF\xBD");
		text += bad + 1;
		len -= bad + 1;
	}
	if (clean.failed) {
		keep_error(s, LXW_ERROR_MEMORY_MALLOC_FAILED);
		buf_free(&clean);
		return;
	}
	/* Cut before a continuation byte never splits a character. */
	for (cut = clean.len < CELL_MAX_BYTES ? clean.len : CELL_MAX_BYTES;
	     cut > 0 && cut < clean.len && (clean.data[cut] & 0xC0) == 0x80; cut--)
		;
	clean.data[cut] = '\0';
	keep_error(s, worksheet_write_string(s->ws, s->row, col, clean.data, format));
	buf_free(&clean);
}

static void put_number(Sheet *s, lxw_col_t col, double v, lxw_format *format)
{
	if (s->ws && !isnan(v))
		keep_error(s, worksheet_write_number(s->ws, s->row, col, v, format));
}

static void put_count(Sheet *s, lxw_col_t col, long long n)
{
	if (n >= 0)
		put_number(s, col, (double)n, NULL);
}

/* Percentages are stored as fractions with a percentage format, which is
 * what Excel users expect: 88.1 % displays as "88.1%", sorts and charts as
 * a percentage, and =AVERAGE() of a column still reads right. */
static void put_percent(Sheet *s, lxw_col_t col, double percent)
{
	if (!isnan(percent))
		put_number(s, col, percent / 100.0, s->f->percent);
}

/* A checked "YYYY-MM-DD" as an Excel date, so it sorts and filters. */
static void put_date(Sheet *s, lxw_col_t col, const char *ymd)
{
	lxw_datetime dt = {0};

	if (!s->ws || !ymd)
		return;
	dt.year = atoi(ymd);
	dt.month = atoi(ymd + 5);
	dt.day = atoi(ymd + 8);
	keep_error(s, worksheet_write_datetime(s->ws, s->row, col, &dt, s->f->date));
}

static void put_cell(Sheet *s, lxw_col_t col, const Cell *c)
{
	switch (c->type) {
	case CELL_EMPTY:
		break;
	case CELL_TEXT:
	case CELL_WORD:
		put_text(s, col, c->text, NULL);
		break;
	case CELL_DATE:
		put_date(s, col, c->text);
		break;
	case CELL_INT:
		put_count(s, col, c->n);
		break;
	case CELL_PERCENT:
		put_percent(s, col, c->num);
		break;
	case CELL_POINTS:
		put_number(s, col, c->num, s->f->points);
		break;
	case CELL_SCORE:
		put_number(s, col, c->num, s->f->score);
		break;
	}
}

static void put_headers(Sheet *s, const char *const *headers, int n)
{
	for (int i = 0; i < n; i++)
		put_text(s, (lxw_col_t)i, headers[i], s->f->header);
}

static void set_widths(Sheet *s, const double *widths, int n)
{
	for (int i = 0; s->ws && i < n; i++)
		keep_error(s, worksheet_set_column(s->ws, (lxw_col_t)i, (lxw_col_t)i, widths[i], NULL));
}

/* ---- "Tiêu chí": the figures table, as in the CSV ---- */

static bool criteria_row(void *ctx, const Cell row[RC_COUNT], char **err)
{
	Sheet *s = ctx;

	for (int i = 0; i < RC_COUNT; i++)
		put_cell(s, (lxw_col_t)i, &row[i]);
	s->row++;
	return true;
}

static bool criteria_sheet(Sheet *s, const cJSON *report, char **err)
{
	const char *headers[RC_COUNT];
	double widths[RC_COUNT];

	for (int i = 0; i < RC_COUNT; i++) {
		headers[i] = REPORT_COLUMNS[i].header;
		widths[i] = REPORT_COLUMNS[i].width;
	}
	set_widths(s, widths, RC_COUNT);
	put_headers(s, headers, RC_COUNT);
	s->row = 1;
	if (!report_rows(report, criteria_row, s, err))
		return false;
	if (s->ws) {
		worksheet_freeze_panes(s->ws, 1, 0);
		keep_error(s, worksheet_autofilter(s->ws, 0, 0, s->row > 1 ? s->row - 1 : 0, RC_COUNT - 1));
	}
	return true;
}

/* ---- "Tổng hợp": the summary ---- */

enum { SUMMARY_COLS = 9 };

/* A label in column A, then the caller's values on the same row. */
static void label(Sheet *s, const char *text)
{
	s->row++;
	put_text(s, 0, text, s->f->bold);
}

/* A rate as columns B–I: percent, low, high, target, verdict, gap,
 * satisfied, valid.  NULL rate: nothing. */
static bool summary_rate(Sheet *s, const cJSON *rate, const char *path, char **err)
{
	double percent, low, high, target, gap;
	long long satisfied, valid;
	const char *verdict, *word;

	if (!rate)
		return true;
	if (!doc_number(rate, path, "percent", true, &percent, err) ||
	    !doc_number(rate, path, "low", true, &low, err) ||
	    !doc_number(rate, path, "high", true, &high, err) ||
	    !doc_number(rate, path, "target_percent", true, &target, err) ||
	    !doc_string(rate, path, "verdict", false, &verdict, err) ||
	    !doc_number(rate, path, "gap_points", true, &gap, err) ||
	    !doc_count(rate, path, "satisfied", false, &satisfied, err) ||
	    !doc_count(rate, path, "valid", false, &valid, err))
		return false;
	if (!(word = report_verdict_label(verdict)))
		return doc_fail(err, path, "verdict", "expected met, not_met, inconclusive, none or suppressed");
	put_percent(s, 1, percent);
	put_percent(s, 2, low);
	put_percent(s, 3, high);
	put_percent(s, 4, target);
	put_text(s, 5, word, NULL);
	put_number(s, 6, gap, s->f->points);
	put_count(s, 7, satisfied);
	put_count(s, 8, valid);
	return true;
}

static const char *const RATE_HEADERS[SUMMARY_COLS] = {
	"Chỉ số", "Tỷ lệ hài lòng (%)", "Cận dưới KTC 95% (%)", "Cận trên KTC 95% (%)",
	"Mục tiêu (%)", "Kết luận", "Chênh lệch so với mục tiêu (điểm %)",
	"Số hài lòng (tử số)", "Số trả lời hợp lệ (mẫu số)",
};

static bool summary_scope(Sheet *s, const cJSON *report, char **err)
{
	const cJSON *scope, *node, *ancestors, *period, *campaign, *rounds, *rate, *a;
	const char *generated, *as_of, *code, *name, *from, *to, *round_code = NULL,
		   *round_title = NULL;
	char path[DOC_PATH_MAX];
	long long k, count, responses, targeted, uncounted, num = -1, den = -1;
	double percent = NAN;
	Buf trail;
	bool ok = false;

	buf_init(&trail, 128);
	if (!doc_string(report, "", "generated_at", false, &generated, err) ||
	    !doc_string(report, "", "data_as_of", true, &as_of, err) ||
	    !doc_count(report, "", "uncounted", false, &uncounted, err) ||
	    !doc_object(report, "", "scope", false, &scope, err) ||
	    !doc_object(scope, "scope", "node", false, &node, err) ||
	    !doc_string(node, "scope.node", "code", false, &code, err) ||
	    !doc_string(node, "scope.node", "name", false, &name, err) ||
	    !doc_array(scope, "scope", "ancestors", false, &ancestors, err) ||
	    !doc_object(scope, "scope", "period", false, &period, err) ||
	    !doc_date(period, "scope.period", "from", false, &from, NULL, NULL, NULL, err) ||
	    !doc_date(period, "scope.period", "to", false, &to, NULL, NULL, NULL, err) ||
	    !doc_object(scope, "scope", "campaign", true, &campaign, err) ||
	    (campaign && (!doc_string(campaign, "scope.campaign", "code", false, &round_code, err) ||
			  !doc_string(campaign, "scope.campaign", "title", false, &round_title, err))) ||
	    !doc_count(scope, "scope", "privacy_threshold", false, &k, err) ||
	    !doc_object(report, "", "rounds", false, &rounds, err) ||
	    !doc_count(rounds, "rounds", "count", false, &count, err) ||
	    !doc_count(rounds, "rounds", "responses", false, &responses, err) ||
	    !doc_count(rounds, "rounds", "targeted", true, &targeted, err) ||
	    !doc_object(rounds, "rounds", "response_rate", true, &rate, err) ||
	    (rate && (!doc_count(rate, "rounds.response_rate", "numerator", false, &num, err) ||
		      !doc_count(rate, "rounds.response_rate", "denominator", false, &den, err) ||
		      !doc_number(rate, "rounds.response_rate", "percent", true, &percent, err))))
		goto cleanup;
	/* Root first, as a breadcrumb: "Việt Nam › Thành phố Huế". */
	for (int i = 0; i < cJSON_GetArraySize(ancestors); i++) {
		const char *ancestor;

		if (!doc_element(ancestors, "scope.ancestors", i, &a, path, err) ||
		    !doc_string(a, path, "name", false, &ancestor, err))
			goto cleanup;
		if (i)
			buf_puts(&trail, " › ");
		buf_puts(&trail, ancestor);
	}
	if (trail.failed) {
		*err = str_printf("out of memory");
		goto cleanup;
	}

	put_text(s, 0, "Báo cáo sự hài lòng của cha mẹ học sinh", s->f->title);
	label(s, "Đơn vị");
	put_text(s, 1, name, NULL);
	put_text(s, 2, code, NULL);
	label(s, "Thuộc");
	put_text(s, 1, trail.data, NULL);
	label(s, "Kỳ báo cáo (từ ngày, đến ngày)");
	put_date(s, 1, from);
	put_date(s, 2, to);
	label(s, "Đợt khảo sát");
	if (campaign) {
		put_text(s, 1, round_code, NULL);
		put_text(s, 2, round_title, NULL);
	} else {
		put_text(s, 1, "Tất cả các đợt mở trong kỳ", NULL);
	}
	label(s, "Lập lúc");
	put_text(s, 1, generated, NULL);
	label(s, "Số liệu tính đến");
	put_text(s, 1, as_of ? as_of : "Chưa có phiếu nào được tính", NULL);
	label(s, "Phiếu đã nhận nhưng chưa được tính");
	put_count(s, 1, uncounted);
	label(s, "Số đợt khảo sát");
	put_count(s, 1, count);
	label(s, "Số phiếu trả lời");
	put_count(s, 1, responses);
	label(s, "Số cha mẹ học sinh dự kiến");
	put_count(s, 1, targeted);
	label(s, "Tỷ lệ phản hồi (%, phiếu, dự kiến)");
	put_percent(s, 1, percent);
	put_count(s, 2, num);
	put_count(s, 3, den);
	label(s, "Ngưỡng bảo mật (số phiếu tối thiểu)");
	put_count(s, 1, k);
	put_text(s, 2, "Nhóm có ít phiếu hơn ngưỡng chỉ hiện số lượng: không hiện tỷ lệ, điểm, "
		       "kết luận và góp ý, để không nhận ra được từng phụ huynh.", NULL);
	ok = true;
cleanup:
	buf_free(&trail);
	return ok;
}

static bool summary_below_target(Sheet *s, const cJSON *qn, const char *path, char **err)
{
	char sub[DOC_PATH_MAX], ipath[DOC_PATH_MAX];
	const cJSON *below, *b;
	const char *id, *text, *verdict, *word;
	double percent, low, high, gap;

	if (!doc_array(qn, path, "below_target", false, &below, err))
		return false;
	doc_path(sub, path, "below_target", 0);
	s->row++;
	label(s, "Tiêu chí dưới mục tiêu (tồn tại, hạn chế)");
	if (cJSON_GetArraySize(below) == 0) {
		put_text(s, 1, "Không có", NULL);
		return true;
	}
	s->row++;
	put_headers(s, (const char *const[]){"Tiêu chí", "Tỷ lệ hài lòng (%)", "Cận dưới KTC 95% (%)",
					     "Cận trên KTC 95% (%)", "Mã tiêu chí", "Kết luận",
					     "Chênh lệch so với mục tiêu (điểm %)"},
		    7);
	for (int i = 0; i < cJSON_GetArraySize(below); i++) {
		if (!doc_element(below, sub, i, &b, ipath, err) ||
		    !doc_string(b, ipath, "id", false, &id, err) ||
		    !doc_string(b, ipath, "text", false, &text, err) ||
		    !doc_number(b, ipath, "percent", true, &percent, err) ||
		    !doc_number(b, ipath, "low", true, &low, err) ||
		    !doc_number(b, ipath, "high", true, &high, err) ||
		    !doc_number(b, ipath, "gap_points", true, &gap, err) ||
		    !doc_string(b, ipath, "verdict", false, &verdict, err))
			return false;
		if (!(word = report_verdict_label(verdict)))
			return doc_fail(err, ipath, "verdict", "expected met, not_met, inconclusive, none or suppressed");
		s->row++;
		put_text(s, 0, text, NULL);
		put_percent(s, 1, percent);
		put_percent(s, 2, low);
		put_percent(s, 3, high);
		put_text(s, 4, id, NULL);
		put_text(s, 5, word, NULL);
		put_number(s, 6, gap, s->f->points);
	}
	return true;
}

static bool summary_previous(Sheet *s, const cJSON *qn, const char *path, char **err)
{
	char sub[DOC_PATH_MAX], part[DOC_PATH_MAX];
	const cJSON *prev, *period, *form, *headline, *question;
	const char *from, *to, *id, *edition;
	long long version, responses;
	double h_percent = NAN, h_change = NAN, q_percent = NAN, q_change = NAN;

	if (!doc_object(qn, path, "previous", true, &prev, err))
		return false;
	s->row++;
	label(s, "So với kỳ trước");
	if (!prev) {
		put_text(s, 1, "Không có kỳ trước để so sánh", NULL);
		return true;
	}
	doc_path(sub, path, "previous", 0);
	if (!doc_object(prev, sub, "period", false, &period, err) ||
	    !doc_object(prev, sub, "form", false, &form, err) ||
	    !doc_count(prev, sub, "responses", false, &responses, err) ||
	    !doc_object(prev, sub, "headline", true, &headline, err) ||
	    !doc_object(prev, sub, "overall_question", true, &question, err))
		return false;
	doc_path(part, sub, "period", 0);
	if (!doc_date(period, part, "from", false, &from, NULL, NULL, NULL, err) ||
	    !doc_date(period, part, "to", false, &to, NULL, NULL, NULL, err))
		return false;
	doc_path(part, sub, "form", 0);
	if (!doc_string(form, part, "id", false, &id, err) ||
	    !doc_string(form, part, "edition", false, &edition, err) ||
	    !doc_count(form, part, "version", false, &version, err))
		return false;
	doc_path(part, sub, "headline", 0);
	if (headline && (!doc_number(headline, part, "percent", true, &h_percent, err) ||
			 !doc_number(headline, part, "change_points", true, &h_change, err)))
		return false;
	doc_path(part, sub, "overall_question", 0);
	if (question && (!doc_number(question, part, "percent", true, &q_percent, err) ||
			 !doc_number(question, part, "change_points", true, &q_change, err)))
		return false;

	label(s, "Kỳ trước (từ ngày, đến ngày)");
	put_date(s, 1, from);
	put_date(s, 2, to);
	label(s, "Phiếu kỳ trước (mã, ấn bản, phiên bản)");
	put_text(s, 1, id, NULL);
	put_text(s, 2, edition, NULL);
	put_count(s, 3, version);
	label(s, "Số phiếu kỳ trước");
	put_count(s, 1, responses);
	label(s, "Chỉ số chính kỳ trước (%, thay đổi điểm %)");
	put_percent(s, 1, h_percent);
	put_number(s, 2, h_change, s->f->points);
	label(s, "Câu hỏi hài lòng chung kỳ trước (%, thay đổi điểm %)");
	put_percent(s, 1, q_percent);
	put_number(s, 2, q_change, s->f->points);
	return true;
}

static bool summary_questionnaire(Sheet *s, const cJSON *qn, const char *path, char **err)
{
	char sub[DOC_PATH_MAX], part[DOC_PATH_MAX];
	const cJSON *form, *method, *headline, *hrate, *overall, *mean, *pooled, *question, *qrate = NULL;
	const char *title, *id, *edition, *source, *index, *basis, *hlabel, *qtext = NULL, *index_word,
		   *basis_word;
	long long version, rounds, responses;
	bool suppressed;

	if (!doc_object(qn, path, "form", false, &form, err) ||
	    !doc_object(qn, path, "method", false, &method, err) ||
	    !doc_count(qn, path, "rounds", false, &rounds, err) ||
	    !doc_count(qn, path, "responses", false, &responses, err) ||
	    !doc_bool(qn, path, "suppressed", &suppressed, err) ||
	    !doc_object(qn, path, "headline", false, &headline, err) ||
	    !doc_object(qn, path, "overall", false, &overall, err) ||
	    !doc_object(qn, path, "overall_question", true, &question, err))
		return false;
	doc_path(sub, path, "form", 0);
	if (!doc_string(form, sub, "title", false, &title, err) ||
	    !doc_string(form, sub, "id", false, &id, err) ||
	    !doc_string(form, sub, "edition", false, &edition, err) ||
	    !doc_count(form, sub, "version", false, &version, err) ||
	    !doc_string(form, sub, "source", true, &source, err))
		return false;
	doc_path(sub, path, "method", 0);
	if (!doc_string(method, sub, "index", false, &index, err) ||
	    !doc_string(method, sub, "headline", false, &basis, err))
		return false;
	if (!(index_word = report_method_label(index)))
		return doc_fail(err, sub, "index", "expected mean-of-criteria or pooled");
	if (!(basis_word = report_method_label(basis)))
		return doc_fail(err, sub, "headline", "expected index or overall-question");
	doc_path(sub, path, "headline", 0);
	if (!doc_string(headline, sub, "label", false, &hlabel, err) ||
	    !doc_object(headline, sub, "rate", true, &hrate, err))
		return false;
	doc_path(sub, path, "overall", 0);
	if (!doc_object(overall, sub, "mean_of_criteria", false, &mean, err) ||
	    !doc_object(overall, sub, "pooled", false, &pooled, err))
		return false;
	doc_path(sub, path, "overall_question", 0);
	if (question && (!doc_string(question, sub, "text", false, &qtext, err) ||
			 !doc_object(question, sub, "rate", true, &qrate, err)))
		return false;

	s->row += 2;
	put_text(s, 0, "Phiếu khảo sát", s->f->title);
	put_text(s, 1, title, s->f->title);
	label(s, "Mã phiếu, ấn bản, phiên bản");
	put_text(s, 1, id, NULL);
	put_text(s, 2, edition, NULL);
	put_count(s, 3, version);
	label(s, "Căn cứ");
	put_text(s, 1, source, NULL);
	label(s, "Cách tính chỉ số");
	put_text(s, 1, index_word, NULL);
	label(s, "Chỉ số chính theo");
	put_text(s, 1, basis_word, NULL);
	label(s, "Số đợt, số phiếu");
	put_count(s, 1, rounds);
	put_count(s, 2, responses);
	if (suppressed) {
		label(s, "Dưới ngưỡng bảo mật");
		put_text(s, 1, "Ít phiếu hơn ngưỡng: chỉ hiện số lượng.", NULL);
	}
	s->row += 2;
	put_headers(s, RATE_HEADERS, SUMMARY_COLS);
	label(s, hlabel);
	doc_path(part, path, "headline.rate", 0);
	if (!summary_rate(s, hrate, part, err))
		return false;
	label(s, "Chỉ số chung: trung bình các tiêu chí");
	doc_path(part, path, "overall.mean_of_criteria", 0);
	if (!summary_rate(s, mean, part, err))
		return false;
	label(s, "Chỉ số chung: gộp các câu trả lời");
	doc_path(part, path, "overall.pooled", 0);
	if (!summary_rate(s, pooled, part, err))
		return false;
	if (question) {
		/* A separate question, never part of the index (methodology). */
		label(s, qtext);
		doc_path(part, path, "overall_question.rate", 0);
		if (!summary_rate(s, qrate, part, err))
			return false;
	}
	return summary_below_target(s, qn, path, err) && summary_previous(s, qn, path, err);
}

/* A round's published result: when and what was frozen. */
static void summary_publication(Sheet *s, const ReportPublication *pub)
{
	if (!pub->published)
		return;
	label(s, "Công bố");
	put_text(s, 1, report_publication_label("published"), NULL);
	put_text(s, 2, pub->taken_at, NULL);
	label(s, "Số phiếu khi công bố");
	put_count(s, 1, pub->responses);
	label(s, "Mã kiểm tra SHA-256 của bản công bố");
	put_text(s, 1, pub->sha256, NULL);
}

/* Responses counted after publication: their number and the round's
 * figures now, below the published ones, which stay as they were. */
static bool summary_amendment(Sheet *s, const ReportPublication *pub, char **err)
{
	char path[DOC_PATH_MAX];
	const cJSON *qn;

	if (!pub->amended)
		return true;
	s->row += 2;
	put_text(s, 0, report_publication_label("amendment"), s->f->title);
	label(s, "Số phiếu tính sau khi công bố");
	put_count(s, 1, pub->late);
	label(s, "Số phiếu hiện có");
	put_count(s, 1, pub->now);
	label(s, "Số liệu tính đến");
	put_text(s, 1, pub->data_as_of ? pub->data_as_of : "Chưa có phiếu nào được tính", NULL);
	label(s, "Lập lúc");
	put_text(s, 1, pub->generated_at, NULL);
	label(s, "Ghi chú");
	put_text(s, 1, "Số liệu đã công bố ở trên giữ nguyên; dưới đây là số liệu hiện tại của "
		       "đợt, gồm cả các phiếu được tính sau khi công bố.", NULL);
	for (int i = 0; i < cJSON_GetArraySize(pub->questionnaires); i++)
		if (!doc_element(pub->questionnaires, "publication.amendment.questionnaires", i, &qn,
				 path, err) ||
		    !summary_questionnaire(s, qn, path, err))
			return false;
	return true;
}

static bool summary_sheet(Sheet *s, const cJSON *report, char **err)
{
	static const double widths[SUMMARY_COLS] = {46, 16, 14, 14, 12, 18, 14, 12, 12};
	char path[DOC_PATH_MAX];
	const cJSON *questionnaires, *qn;
	ReportPublication pub;

	set_widths(s, widths, SUMMARY_COLS);
	if (!summary_scope(s, report, err) ||
	    !doc_array(report, "", "questionnaires", false, &questionnaires, err) ||
	    !report_publication_read(report, &pub, err))
		return false;
	summary_publication(s, &pub);
	if (cJSON_GetArraySize(questionnaires) == 0) {
		s->row += 2;
		put_text(s, 0, "Chưa có phiếu khảo sát nào trong kỳ.", s->f->bold);
	}
	for (int i = 0; i < cJSON_GetArraySize(questionnaires); i++)
		if (!doc_element(questionnaires, "questionnaires", i, &qn, path, err) ||
		    !summary_questionnaire(s, qn, path, err))
			return false;
	return summary_amendment(s, &pub, err);
}

/* ---- "Trường": schools ---- */

/* The header of a criterion column: "c1: Phòng học (%)", from the item's
 * short text, else its text. */
static bool criterion_header(const cJSON *qn, const char *path, const char *id, Buf *out,
			     char **err)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(qn, "items"), *item;
	const char *short_text = NULL, *text = NULL;
	char ipath[DOC_PATH_MAX], sub[DOC_PATH_MAX];

	/* Not found (or items not an array: GetArraySize gives 0) is only a
	 * header without text; report_rows refuses such a document anyway. */
	doc_path(sub, path, "items", 0);
	for (int i = 0; i < cJSON_GetArraySize(items); i++) {
		const char *item_id;

		if (!doc_element(items, sub, i, &item, ipath, err) ||
		    !doc_string(item, ipath, "id", false, &item_id, err))
			return false;
		if (strcmp(item_id, id) != 0)
			continue;
		if (!doc_string(item, ipath, "short_text", true, &short_text, err) ||
		    !doc_string(item, ipath, "text", false, &text, err))
			return false;
		break;
	}
	out->len = 0;
	buf_puts(out, id);
	if (short_text || text) {
		buf_puts(out, ": ");
		buf_puts(out, short_text ? short_text : text);
	}
	buf_puts(out, " (%)");
	return true;
}

enum { SCHOOL_FIXED_COLS = 8 };

static bool school_rows(Sheet *s, const cJSON *items, const char *path, int ncriteria, char **err)
{
	char ipath[DOC_PATH_MAX], sub[DOC_PATH_MAX], msg[64];
	const cJSON *school, *headline, *criteria;
	const char *code, *name, *verdict, *word;
	long long responses;
	double percent, low, high, v;
	bool suppressed;

	for (int i = 0; i < cJSON_GetArraySize(items); i++) {
		if (!doc_element(items, path, i, &school, ipath, err) ||
		    !doc_string(school, ipath, "code", false, &code, err) ||
		    !doc_string(school, ipath, "name", false, &name, err) ||
		    !doc_count(school, ipath, "responses", false, &responses, err) ||
		    !doc_bool(school, ipath, "suppressed", &suppressed, err) ||
		    !doc_object(school, ipath, "headline", false, &headline, err) ||
		    !doc_array(school, ipath, "criteria", false, &criteria, err))
			return false;
		doc_path(sub, ipath, "headline", 0);
		if (!doc_number(headline, sub, "percent", true, &percent, err) ||
		    !doc_number(headline, sub, "low", true, &low, err) ||
		    !doc_number(headline, sub, "high", true, &high, err) ||
		    !doc_string(headline, sub, "verdict", false, &verdict, err))
			return false;
		if (!(word = report_verdict_label(verdict)))
			return doc_fail(err, sub, "verdict", "expected met, not_met, inconclusive, none or suppressed");
		if (cJSON_GetArraySize(criteria) != ncriteria) {
			snprintf(msg, sizeof msg, "expected %d values, one per schools.criteria", ncriteria);
			return doc_fail(err, ipath, "criteria", msg);
		}
		s->row++;
		put_text(s, 0, code, NULL);
		put_text(s, 1, name, NULL);
		put_count(s, 2, responses);
		put_text(s, 3, suppressed ? "Có" : "Không", NULL);
		put_percent(s, 4, percent);
		put_percent(s, 5, low);
		put_percent(s, 6, high);
		put_text(s, 7, word, NULL);
		doc_path(sub, ipath, "criteria", 0);
		for (int c = 0; c < ncriteria; c++) {
			const cJSON *value = cJSON_GetArrayItem(criteria, c);

			if (cJSON_IsNull(value))
				continue;
			if (!cJSON_IsNumber(value) || !isfinite(v = value->valuedouble)) {
				char cpath[DOC_PATH_MAX];

				doc_path(cpath, sub, NULL, c);
				return doc_fail(err, cpath, NULL, "expected a number or null");
			}
			put_percent(s, (lxw_col_t)(SCHOOL_FIXED_COLS + c), v);
		}
	}
	return true;
}

static bool schools_block(Sheet *s, const cJSON *qn, const char *path, bool first, char **err)
{
	static const char *const fixed[SCHOOL_FIXED_COLS] = {
		"Mã trường", "Tên trường", "Số phiếu", "Dưới ngưỡng bảo mật",
		"Tỷ lệ hài lòng chính (%)", "Cận dưới KTC 95% (%)", "Cận trên KTC 95% (%)", "Kết luận",
	};
	char sub[DOC_PATH_MAX], cpath[DOC_PATH_MAX], part[DOC_PATH_MAX];
	const cJSON *schools, *criteria, *items, *c, *form;
	const char *title, *id;
	long long count, with_data, suppressed, meeting, rated, met, not_met, inconclusive;
	lxw_row_t header_row;
	int ncriteria;
	Buf header;
	bool ok = false;

	if (!doc_object(qn, path, "schools", true, &schools, err))
		return false;
	if (!schools)
		return true;
	doc_path(sub, path, "form", 0);
	if (!doc_object(qn, path, "form", false, &form, err) ||
	    !doc_string(form, sub, "title", false, &title, err))
		return false;
	doc_path(sub, path, "schools", 0);
	if (!doc_count(schools, sub, "count", false, &count, err) ||
	    !doc_count(schools, sub, "with_data", false, &with_data, err) ||
	    !doc_count(schools, sub, "suppressed", false, &suppressed, err) ||
	    !doc_count(schools, sub, "meeting_headline", false, &meeting, err) ||
	    !doc_array(schools, sub, "criteria", false, &criteria, err) ||
	    !doc_array(schools, sub, "items", false, &items, err))
		return false;
	ncriteria = cJSON_GetArraySize(criteria);

	buf_init(&header, 64);
	if (!first)
		s->row += 2;
	put_text(s, 0, "Phiếu khảo sát", s->f->title);
	put_text(s, 1, title, s->f->title);
	label(s, "Số trường, có số liệu, dưới ngưỡng, đạt chỉ số chính");
	put_count(s, 1, count);
	put_count(s, 2, with_data);
	put_count(s, 3, suppressed);
	put_count(s, 4, meeting);
	s->row += 2;
	header_row = s->row;
	put_headers(s, fixed, SCHOOL_FIXED_COLS);
	doc_path(part, sub, "criteria", 0);
	for (int i = 0; i < ncriteria; i++) {
		if (!doc_element(criteria, part, i, &c, cpath, err) ||
		    !doc_string(c, cpath, "id", false, &id, err) ||
		    !criterion_header(qn, path, id, &header, err))
			goto cleanup;
		put_text(s, (lxw_col_t)(SCHOOL_FIXED_COLS + i), header.failed ? id : header.data,
			 s->f->header);
	}
	doc_path(part, sub, "items", 0);
	if (!school_rows(s, items, part, ncriteria, err))
		goto cleanup;
	/* One autofilter per sheet: the first questionnaire's table, which
	 * is the only one in the usual report. */
	if (first && s->ws) {
		worksheet_freeze_panes(s->ws, header_row + 1, 2);
		keep_error(s, worksheet_autofilter(s->ws, header_row, 0, s->row,
						   (lxw_col_t)(SCHOOL_FIXED_COLS + ncriteria - 1)));
	}

	s->row += 2;
	put_text(s, 0, "Phân bố theo tiêu chí", s->f->bold);
	s->row++;
	put_headers(s, (const char *const[]){"Mã tiêu chí", "Nội dung", "Số trường có tỷ lệ", "Đạt",
					     "Chưa đạt", "Chưa kết luận được"},
		    6);
	doc_path(part, sub, "criteria", 0);
	for (int i = 0; i < ncriteria; i++) {
		c = cJSON_GetArrayItem(criteria, i);
		doc_path(cpath, part, NULL, i);
		if (!doc_string(c, cpath, "id", false, &id, err) ||
		    !doc_count(c, cpath, "rated", false, &rated, err) ||
		    !doc_count(c, cpath, "met", false, &met, err) ||
		    !doc_count(c, cpath, "not_met", false, &not_met, err) ||
		    !doc_count(c, cpath, "inconclusive", false, &inconclusive, err) ||
		    !criterion_header(qn, path, id, &header, err))
			goto cleanup;
		s->row++;
		put_text(s, 0, id, NULL);
		put_text(s, 1, header.failed ? NULL : header.data, NULL);
		put_count(s, 2, rated);
		put_count(s, 3, met);
		put_count(s, 4, not_met);
		put_count(s, 5, inconclusive);
	}
	ok = true;
cleanup:
	buf_free(&header);
	return ok;
}

static bool schools_sheet(Sheet *s, const cJSON *report, char **err)
{
	static const double widths[] = {14, 34, 10, 10, 12, 12, 12, 18};
	char path[DOC_PATH_MAX];
	const cJSON *questionnaires, *qn, *schools;
	bool first = true;

	set_widths(s, widths, sizeof widths / sizeof widths[0]);
	if (s->ws)
		keep_error(s, worksheet_set_column(s->ws, SCHOOL_FIXED_COLS, SCHOOL_FIXED_COLS + 60, 14, NULL));
	if (!doc_array(report, "", "questionnaires", false, &questionnaires, err))
		return false;
	for (int i = 0; i < cJSON_GetArraySize(questionnaires); i++) {
		if (!doc_element(questionnaires, "questionnaires", i, &qn, path, err) ||
		    !doc_object(qn, path, "schools", true, &schools, err) ||
		    !schools_block(s, qn, path, first, err))
			return false;
		if (schools)
			first = false;
	}
	if (first)
		put_text(s, 0, "Báo cáo của một trường: không có bảng theo trường.", NULL);
	return true;
}

/* ---- "Góp ý": comments ---- */

static bool comments_sheet(Sheet *s, const cJSON *report, char **err)
{
	static const double widths[] = {12, 30, 14, 90};
	static const char *const headers[] = {"Ngày", "Đơn vị", "Câu hỏi", "Nội dung góp ý"};
	char path[DOC_PATH_MAX], note[160];
	const cJSON *comments, *items, *c;
	const char *date, *unit, *question, *text;
	long long total;
	bool shown;
	int n;

	if (!doc_object(report, "", "comments", false, &comments, err) ||
	    !doc_bool(comments, "comments", "shown", &shown, err) ||
	    !doc_count(comments, "comments", "total", false, &total, err) ||
	    !doc_array(comments, "comments", "items", false, &items, err))
		return false;
	set_widths(s, widths, 4);
	put_headers(s, headers, 4);
	if (!shown) {
		s->row++;
		put_text(s, 0, "Góp ý được ẩn vì số phiếu dưới ngưỡng bảo mật.", NULL);
		return true;
	}
	n = cJSON_GetArraySize(items);
	for (int i = 0; i < n; i++) {
		if (!doc_element(items, "comments.items", i, &c, path, err) ||
		    !doc_date(c, path, "date", false, &date, NULL, NULL, NULL, err) ||
		    !doc_string(c, path, "unit", true, &unit, err) ||
		    !doc_string(c, path, "question", true, &question, err) ||
		    !doc_string(c, path, "text", false, &text, err))
			return false;
		s->row++;
		put_date(s, 0, date);
		put_text(s, 1, unit, NULL);
		put_text(s, 2, question, NULL);
		put_text(s, 3, text, s->f->wrap);
	}
	if (s->ws) {
		worksheet_freeze_panes(s->ws, 1, 0);
		keep_error(s, worksheet_autofilter(s->ws, 0, 0, s->row, 3));
	}
	if (total > n) {
		s->row += 2;
		snprintf(note, sizeof note,
			 "Hiển thị %d góp ý mới nhất trên tổng số %lld; tải tệp CSV góp ý để có đủ.", n, total);
		put_text(s, 0, note, NULL);
	}
	return true;
}

/* ---- the workbook ---- */

typedef bool (*SheetWriter)(Sheet *s, const cJSON *report, char **err);

static const struct {
	const char *name;
	SheetWriter write;
} SHEETS[] = {
	{"Tổng hợp", summary_sheet},
	{"Tiêu chí", criteria_sheet},
	{"Trường", schools_sheet},
	{"Góp ý", comments_sheet},
};

enum { NSHEETS = sizeof SHEETS / sizeof SHEETS[0] };

static void make_formats(lxw_workbook *wb, Formats *f)
{
	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 13);
	f->header = workbook_add_format(wb);
	format_set_bold(f->header);
	format_set_text_wrap(f->header);
	format_set_align(f->header, LXW_ALIGN_VERTICAL_TOP);
	format_set_bg_color(f->header, 0xDDEBF7);
	format_set_border(f->header, LXW_BORDER_THIN);
	f->bold = workbook_add_format(wb);
	format_set_bold(f->bold);
	f->percent = workbook_add_format(wb);
	format_set_num_format(f->percent, "0.0%");
	/* Points carry their sign: a gap of -1.9 and a change of +3.5. */
	f->points = workbook_add_format(wb);
	format_set_num_format(f->points, "+0.0;-0.0;0.0");
	f->score = workbook_add_format(wb);
	format_set_num_format(f->score, "0.00");
	f->date = workbook_add_format(wb);
	format_set_num_format(f->date, "dd/mm/yyyy");
	f->wrap = workbook_add_format(wb);
	format_set_text_wrap(f->wrap);
	format_set_align(f->wrap, LXW_ALIGN_VERTICAL_TOP);
}

bool report_xlsx(const char *path, const cJSON *report, char **err)
{
	/* constant_memory: each row goes to a temporary file as soon as the
	 * next starts, so the workbook of a province costs a row, not a
	 * sheet, of memory.  The sheets write their rows in order. */
	lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = "/tmp"};
	lxw_workbook *wb = NULL;
	Formats formats = {0};
	Sheet sheets[NSHEETS];
	lxw_error error = LXW_NO_ERROR;
	bool ok = false;

	*err = NULL;
	/* The checking pass: nothing is written. */
	for (int i = 0; i < NSHEETS; i++) {
		sheets[i] = (Sheet){.f = &formats};
		if (!SHEETS[i].write(&sheets[i], report, err))
			return false;
	}

	if (!(wb = workbook_new_opt(path, &options))) {
		*err = str_printf("%s: cannot start the workbook", path);
		return false;
	}
	{
		/* The report's own time, not the file's: the same document
		 * gives the same workbook. */
		lxw_doc_properties properties = {.created = report_clock()};
		workbook_set_properties(wb, &properties);
	}
	make_formats(wb, &formats);
	for (int i = 0; i < NSHEETS; i++) {
		sheets[i] = (Sheet){.f = &formats};
		if (!(sheets[i].ws = workbook_add_worksheet(wb, SHEETS[i].name))) {
			*err = str_printf("%s: cannot add the sheet %s", path, SHEETS[i].name);
			goto cleanup;
		}
	}
	for (int i = 0; i < NSHEETS; i++) {
		if (!SHEETS[i].write(&sheets[i], report, err))
			goto cleanup;
		if (sheets[i].error != LXW_NO_ERROR) {
			*err = str_printf("%s, sheet %s: %s", path, SHEETS[i].name,
					  lxw_strerror(sheets[i].error));
			goto cleanup;
		}
	}
	ok = true;
cleanup:
	/* workbook_close also frees the workbook; it is the only way to. */
	error = workbook_close(wb);
	if (ok && error != LXW_NO_ERROR) {
		*err = str_printf("%s: %s", path, lxw_strerror(error));
		ok = false;
	}
	if (!ok)
		unlink(path);
	return ok;
}
