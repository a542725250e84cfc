/* The report page and the notice-board summary, rendered from the sample
 * document (tests/fixtures/report-sample.json, hostile strings included):
 * one style element that matches the CSP hash, no script, every string
 * escaped, one accessible SVG bar per rated criterion with its target line,
 * verdicts in words, "—" for hidden figures, percent-encoded drill-down
 * links, the period form, the decimal comma; the notice page's parts and
 * order; the empty report; a round's published result, with and without
 * an amendment, labelled on both pages; and no crash, whatever field is
 * missing or of the wrong type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report_fixture.h"

#include "page_checks.h"
#include <sodium.h>

#include "buf.h"
#include "page.h"
#include "page_report.h"
#include "util.h"

static const ReportPageLinks LINKS = {
	.csv = "/api/v1/reports/X-PHU-LOC.csv?from=2026-09-01&to=2027-08-31",
	.xlsx = "/api/v1/reports/X-PHU-LOC.xlsx",
	.json = "/api/v1/reports/X-PHU-LOC",
	.notice = "/staff/reports/X-PHU-LOC/notice",
	.methodology = "/docs/methodology",
	.period_action = "/staff/reports/X-PHU-LOC",
	.node_path = "/staff/reports/",
	.comments_query = NULL,
	.comments_all = "/api/v1/reports/X-PHU-LOC/comments?format=csv",
	.comments_more = "/staff/reports/X-PHU-LOC?from=2026-09-01&to=2027-08-31&",
};

/* What every page must be, whatever it shows: exactly one style element
 * holding REPORT_STYLE, no style attribute, no script, balanced. */
static void check_document(const Buf *b)
{
	check_page_shell(b, REPORT_STYLE);
	assert_int_equal(count(b->data, "<svg"), count(b->data, "</svg>"));
	assert_int_equal(count(b->data, "<table"), count(b->data, "</table>"));
}

static char *render(const cJSON *doc, const ReportPageLinks *links)
{
	Buf b;

	buf_init(&b, 1 << 15);
	page_report(&b, doc, links);
	check_document(&b);
	return b.data;
}

static char *render_notice(const cJSON *doc)
{
	Buf b;

	buf_init(&b, 1 << 13);
	page_report_notice(&b, doc);
	check_document(&b);
	return b.data;
}

/* The text of the row (<tr>…</tr>) holding needle, malloc'd. */
static char *row_of(const char *html, const char *needle)
{
	const char *at = strstr(html, needle), *start, *end;
	char *row;

	assert_non_null(at);
	for (start = at; start > html && strncmp(start, "<tr", 3) != 0; start--)
		;
	end = strstr(at, "</tr>");
	assert_non_null(end);
	row = strndup(start, (size_t)(end - start));
	assert_non_null(row);
	return row;
}

static void test_style_and_csp(void **state)
{
	char csp[1024], hash[64], want[80];
	unsigned char digest[crypto_hash_sha256_BYTES];
	(void)state;

	/* The CSP hash covers these bytes: nothing in them may end the element. */
	assert_null(strstr(REPORT_STYLE, "</"));
	assert_non_null(strstr(REPORT_STYLE, "@page{size:A4"));
	assert_non_null(strstr(REPORT_STYLE, "@media print"));
	assert_int_equal(sodium_init() >= 0, 1);
	crypto_hash_sha256(digest, (const unsigned char *)REPORT_STYLE, strlen(REPORT_STYLE));
	sodium_bin2base64(hash, sizeof hash, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
	snprintf(want, sizeof want, "'sha256-%s'", hash);
	page_csp(csp, sizeof csp);
	assert_non_null(strstr(csp, want));
	assert_null(strstr(csp, "unsafe-inline"));
}

static void test_escaping(void **state)
{
	cJSON *doc = report_sample();
	char *html = render(doc, &LINKS), *notice = render_notice(doc);
	(void)state;

	for (int page = 0; page < 2; page++) {
		const char *h = page ? notice : html;
		assert_null(strstr(h, "<script"));
		assert_null(strstr(h, "<b>"));
		assert_null(strstr(h, "<sạch>"));
		assert_null(strstr(h, "\"Số 2\""));
		assert_non_null(strstr(h, "Xã Phú Lộc &lt;b&gt;"));
	}
	assert_non_null(strstr(html, "Nhà vệ sinh cần sạch hơn &lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "Phòng học &lt;sạch&gt; &amp; thoáng mát"));
	assert_non_null(strstr(html, "Trường Tiểu học Phú Lộc &amp; &quot;Số 2&quot;"));
	/* A caller's URL is escaped too: its & becomes &amp; in the attribute. */
	assert_non_null(strstr(html, "X-PHU-LOC.csv?from=2026-09-01&amp;to=2027-08-31\""));
	free(html);
	free(notice);
	cJSON_Delete(doc);
}

static void test_charts(void **state)
{
	cJSON *doc = report_sample();
	char *html = render(doc, &LINKS);
	const char *bar;
	(void)state;

	/* One bar per rated criterion, each an image with its figures spoken. */
	bar = strstr(html, "<svg class=\"bar\" viewBox=\"0 0 400 22\" role=\"img\" aria-label=\"Phòng học: "
			   "90,0 % (khoảng tin cậy 95 %: 86,7–92,6 %), mục tiêu 90 %, Chưa kết luận "
			   "được, ▲ 3,5 điểm so với kỳ trước\">");
	assert_non_null(bar);
	assert_non_null(strstr(bar, "<title>Phòng học: 90,0 %"));
	assert_non_null(strstr(html, "role=\"img\" aria-label=\"Nhà vệ sinh sạch sẽ: 85,0 % "
				     "(khoảng tin cậy 95 %: 81,2–88,2 %), mục tiêu 90 %, Chưa đạt\""));
	/* 2 criteria, 1 element, 2 overall indices, the overall question. */
	assert_int_equal(count(html, "role=\"img\""), 6);
	/* Each bar has its target line (at 90 % of 400) and its interval. */
	assert_int_equal(count(html, "<path class=\"tg\" d=\"M360.0 0V22\""), 6);
	assert_int_equal(count(html, "<path class=\"ci\""), 6);
	/* The bar of c2 (85 %) is red, its width 85 % of the axis. */
	assert_non_null(strstr(html, "width=\"340.0\" height=\"12\" fill=\"#c62828\""));
	/* Trends. */
	assert_non_null(strstr(html, "▲ 3,5 điểm"));
	assert_non_null(strstr(html, "▲ 3,1 điểm"));
	free(html);
	cJSON_Delete(doc);
}

static void test_figures(void **state)
{
	cJSON *doc = report_sample();
	char *html = render(doc, &LINKS), *row;
	(void)state;

	/* Decimal comma, thousands dot, dd/mm/yyyy. */
	assert_non_null(strstr(html, "88,1 %"));
	assert_null(strstr(html, "88.1 %"));
	assert_null(strstr(html, "90.0 %"));
	assert_non_null(strstr(html, "8.210 ÷ 9.320"));
	assert_non_null(strstr(html, "từ 01/09/2026 đến 31/08/2027"));
	assert_non_null(strstr(html, "10:14 ngày 23/11/2026"));
	assert_non_null(strstr(html, "82,4 %"));
	/* Method in words, both overall indices labelled, the overall
	 * question apart. */
	assert_non_null(strstr(html, "Chỉ số tính theo trung bình các tiêu chí"));
	assert_non_null(strstr(html, "Trung bình các tiêu chí <strong>(chính)</strong>"));
	assert_non_null(strstr(html, "Gộp tất cả câu trả lời"));
	assert_non_null(strstr(html, "(câu hỏi riêng, không tính vào chỉ số)"));
	assert_non_null(strstr(html, "91,8 %"));
	/* Verdict words. */
	assert_non_null(strstr(html, ">Chưa đạt<"));
	assert_non_null(strstr(html, "Chưa kết luận được"));
	assert_non_null(strstr(html, "Ẩn do dưới ngưỡng 5 phản hồi"));
	/* The criterion table: counts, exclusions, numerator ÷ denominator. */
	row = row_of(html, "Phòng học &lt;sạch&gt;");
	assert_non_null(strstr(row, ">5<"));
	assert_non_null(strstr(row, ">160<"));
	assert_non_null(strstr(row, ">10<"));
	assert_non_null(strstr(row, "360 ÷ 400"));
	assert_non_null(strstr(row, "86,7–92,6 %"));
	assert_non_null(strstr(row, "4,23"));
	assert_non_null(strstr(row, "▲ 3,5 điểm"));
	free(row);
	/* Formula and methodology link. */
	assert_non_null(strstr(html, "(n4 + n5) ÷ (n1 + … + n5)"));
	assert_non_null(strstr(html, "href=\"/docs/methodology\""));
	/* The suppressed child: counts, "—", never 0. */
	row = row_of(html, "Trường Tiểu học Phú Lộc &amp;");
	assert_non_null(strstr(row, ">3<"));
	assert_non_null(strstr(row, ">—<"));
	assert_null(strstr(row, "0,0"));
	free(row);
	/* The below-target list in gap order, and the schools. */
	assert_true(strstr(html, "<td>Nhà vệ sinh sạch sẽ</td>") <
		    strstr(html, "<td>Phòng học &lt;sạch&gt; &amp; thoáng mát</td>"));
	assert_non_null(strstr(html, "-5,0 điểm"));
	assert_non_null(strstr(html, "Phân bố theo trường"));
	/* Comments, newest first. */
	assert_true(strstr(html, "cần sạch hơn") < strstr(html, "Thầy cô tận tâm"));
	assert_non_null(strstr(html, "20/11/2026"));
	assert_non_null(strstr(html, "name=\"q\""));
	free(html);
	cJSON_Delete(doc);
}

static void test_links_and_form(void **state)
{
	cJSON *doc = report_sample(), *child;
	char *html = render(doc, &LINKS);
	(void)state;

	assert_non_null(strstr(html, "<a href=\"/staff/reports/THCS-PL?from=2026-09-01&amp;"
				     "to=2027-08-31\">Trường THCS Phú Lộc</a>"));
	assert_non_null(strstr(html, "<a href=\"/staff/reports/T-HUE?from=2026-09-01&amp;"
				     "to=2027-08-31\">Thành phố Huế</a>"));
	/* The period form: GET, both dates with labels, the action given. */
	assert_non_null(strstr(html, "<form method=\"get\" action=\"/staff/reports/X-PHU-LOC\""));
	assert_non_null(strstr(html, "<label>Từ ngày <input type=\"text\" name=\"from\" "
				     "inputmode=\"numeric\" placeholder=\"dd/mm/yyyy\" size=\"10\" "
				     "maxlength=\"10\" value=\"01/09/2026\""));
	assert_non_null(strstr(html, "<label>Đến ngày <input type=\"text\" name=\"to\" "
				     "inputmode=\"numeric\" placeholder=\"dd/mm/yyyy\" size=\"10\" "
				     "maxlength=\"10\" value=\"31/08/2027\""));
	assert_non_null(strstr(html, "href=\"/staff/reports/X-PHU-LOC/notice\""));
	free(html);

	/* A code that is not URL-safe, and a round's code kept in the query. */
	child = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "children"), 0);
	cJSON_ReplaceItemInObject(child, "code", cJSON_CreateString("TH PL/1&ä?\"<x>"));
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(doc, "scope"), "campaign",
				  cJSON_Parse("{\"code\": \"AB&C 2\", \"title\": \"Đợt <1>\"}"));
	html = render(doc, &LINKS);
	assert_non_null(strstr(html, "<a href=\"/staff/reports/TH%20PL%2F1%26%C3%A4%3F%22%3Cx%3E"
				     "?from=2026-09-01&amp;to=2027-08-31&amp;campaign=AB%26C%202\">"));
	assert_non_null(strstr(html, "<input type=\"hidden\" name=\"campaign\" value=\"AB&amp;C 2\">"));
	assert_non_null(strstr(html, "Đợt &lt;1&gt;"));
	free(html);

	/* Without links: names only, the forms post to the page itself. */
	html = render(doc, NULL);
	assert_null(strstr(html, "<a "));
	assert_non_null(strstr(html, "<form method=\"get\" accept-charset=\"utf-8\">"));
	free(html);
	cJSON_Delete(doc);
}

/* The document holds one page of comments: the page says which, links to
 * the newer and older ones and to the CSV of all of them. */
static void test_comment_pages(void **state)
{
	cJSON *doc = report_sample(), *com = cJSON_GetObjectItem(doc, "comments");
	char *html;
	(void)state;

	html = render(doc, &LINKS);
	assert_non_null(strstr(html, "<div class=\"card\" id=\"y-kien\">"));
	assert_non_null(strstr(html, "ý kiến thứ 1–2, mới nhất trước"));
	assert_non_null(strstr(html, "<a href=\"/api/v1/reports/X-PHU-LOC/comments?format=csv\">"
				     "Tải tất cả ý kiến (CSV)</a>"));
	assert_null(strstr(html, "comments_offset="));
	free(html);

	/* Page two of three. */
	cJSON_ReplaceItemInObject(com, "total", cJSON_CreateNumber(120));
	cJSON_ReplaceItemInObject(com, "offset", cJSON_CreateNumber(50));
	html = render(doc, &LINKS);
	assert_non_null(strstr(html, "120 ý kiến; đang xem ý kiến thứ 51–52"));
	assert_non_null(strstr(html, "<a href=\"/staff/reports/X-PHU-LOC?from=2026-09-01&amp;"
				     "to=2027-08-31&amp;comments_offset=0#y-kien\">← Ý kiến mới hơn</a>"));
	assert_non_null(strstr(html, "comments_offset=52#y-kien\">Xem thêm ý kiến →</a>"));
	free(html);

	/* Past the end: nothing listed, the way back offered. */
	cJSON_ReplaceItemInObject(com, "items", cJSON_CreateArray());
	cJSON_ReplaceItemInObject(com, "offset", cJSON_CreateNumber(200));
	html = render(doc, &LINKS);
	assert_non_null(strstr(html, "Không còn ý kiến nào sau đây."));
	assert_non_null(strstr(html, "comments_offset=150#y-kien\">← Ý kiến mới hơn</a>"));
	assert_null(strstr(html, "Xem thêm ý kiến"));
	free(html);

	/* Without the paging address: no paging links. */
	html = render(doc, NULL);
	assert_null(strstr(html, "comments_offset="));
	free(html);
	cJSON_Delete(doc);
}

static void test_suppressed(void **state)
{
	cJSON *doc = cJSON_Parse(
		"{\"scope\": {\"node\": {\"code\": \"TH-PL\", \"name\": \"Trường nhỏ\", \"kind\": \"school\"},"
		" \"period\": {\"from\": \"2026-09-01\", \"to\": \"2027-08-31\"}, \"privacy_threshold\": 5},"
		" \"rounds\": {\"count\": 1, \"responses\": 3, \"targeted\": null, \"response_rate\": null},"
		" \"children\": [],"
		" \"questionnaires\": [{\"form\": {\"id\": \"f\", \"title\": \"Phiếu A\", \"version\": 1},"
		"   \"method\": {\"index\": \"pooled\", \"headline\": \"index\"}, \"rounds\": 1, \"responses\": 3,"
		"   \"suppressed\": true,"
		"   \"headline\": {\"label\": \"Chỉ số\", \"rate\": {\"satisfied\": 2, \"valid\": 3, \"percent\": null,"
		"      \"low\": null, \"high\": null, \"verdict\": \"suppressed\"}},"
		"   \"items\": [], \"below_target\": []}],"
		" \"comments\": {\"shown\": false, \"total\": 2, \"items\": []}}");
	char *html, *notice;
	(void)state;

	assert_non_null(doc);
	html = render(doc, &LINKS);
	notice = render_notice(doc);
	assert_non_null(strstr(html, "<p class=\"big v-none\">—</p>"));
	assert_non_null(strstr(html, "Ẩn do dưới ngưỡng 5 phản hồi"));
	assert_non_null(strstr(html, "ít hơn ngưỡng 5 phiếu"));
	assert_non_null(strstr(html, "chưa đặt số phụ huynh cần khảo sát"));
	assert_non_null(strstr(html, "Ý kiến ghi thêm không được hiển thị"));
	assert_null(strstr(html, "role=\"img\""));
	assert_null(strstr(html, "name=\"q\""));
	assert_null(strstr(strstr(html, "</style>"), "0,0"));
	assert_non_null(strstr(notice, "ít hơn ngưỡng 5 phiếu"));
	assert_null(strstr(notice, "%</span>"));
	free(html);
	free(notice);
	cJSON_Delete(doc);
}

static void test_notice(void **state)
{
	cJSON *doc = report_sample(), *below, *q;
	char *html = render_notice(doc), *c2, *c1;
	(void)state;

	assert_non_null(strstr(html, "Biện pháp cải tiến của nhà trường"));
	assert_non_null(strstr(html, "Hiệu trưởng"));
	assert_non_null(strstr(html, "ngày …… tháng …… năm"));
	assert_non_null(strstr(html, "@page{size:A4"));
	assert_non_null(strstr(html, "Từ ngày 01/09/2026 đến ngày 31/08/2027"));
	assert_non_null(strstr(html, "82,4 %"));
	assert_non_null(strstr(html, "88,1 %"));
	assert_non_null(strstr(html, "91,8 %"));
	assert_non_null(strstr(html, "Chưa kết luận được"));
	/* Gap order: c2 (−5) before c1 (0), by their short texts. */
	c2 = strstr(html, ">Nhà vệ sinh sạch sẽ<");
	c1 = strstr(html, ">Phòng học<");
	assert_non_null(c2);
	assert_non_null(c1);
	assert_true(c2 < c1);
	assert_non_null(strstr(html, "-5,0 điểm"));
	/* No comments, no links, no forms. */
	assert_null(strstr(html, "Thầy cô tận tâm"));
	assert_null(strstr(html, "cần sạch hơn"));
	assert_null(strstr(html, "<a "));
	assert_null(strstr(html, "<form"));
	free(html);

	/* Many criteria below target: the worst ten, then how many more,
	 * sorted by gap even when the document is not. */
	q = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "questionnaires"), 0);
	below = cJSON_CreateArray();
	for (int i = 0; i < 15; i++) {
		char text[64];
		cJSON *e = cJSON_CreateObject();
		snprintf(text, sizeof text, "Tiêu chí số %02d", i);
		cJSON_AddStringToObject(e, "id", text);
		cJSON_AddStringToObject(e, "text", text);
		cJSON_AddNumberToObject(e, "percent", 80 + i * 0.5);
		cJSON_AddNumberToObject(e, "gap_points", -10 + i * 0.5 - (i == 14 ? 20 : 0));
		cJSON_AddStringToObject(e, "verdict", "not_met");
		cJSON_AddItemToArray(below, e);
	}
	cJSON_ReplaceItemInObject(q, "below_target", below);
	html = render_notice(doc);
	assert_int_equal(count(html, ">Tiêu chí số "), 10);
	assert_non_null(strstr(html, "và 5 tiêu chí khác"));
	assert_true(strstr(html, ">Tiêu chí số 14<") < strstr(html, ">Tiêu chí số 00<"));
	assert_null(strstr(html, ">Tiêu chí số 10<"));
	free(html);
	cJSON_Delete(doc);
}

static void test_empty(void **state)
{
	cJSON *doc = report_sample();
	char *html, *notice;
	(void)state;

	cJSON_ReplaceItemInObject(doc, "questionnaires", cJSON_CreateArray());
	cJSON_ReplaceItemInObject(doc, "children", cJSON_CreateArray());
	cJSON_ReplaceItemInObject(doc, "data_as_of", cJSON_CreateNull());
	html = render(doc, &LINKS);
	notice = render_notice(doc);
	assert_non_null(strstr(html, "Chưa có phản hồi nào trong phạm vi và khoảng thời gian này."));
	assert_non_null(strstr(html, "name=\"from\""));
	assert_non_null(strstr(html, "Chưa có phiếu nào được tổng hợp."));
	assert_null(strstr(html, "<svg"));
	assert_non_null(strstr(notice, "Chưa có phản hồi nào trong phạm vi và khoảng thời gian này."));
	assert_non_null(strstr(notice, "Biện pháp cải tiến của nhà trường"));
	free(html);
	free(notice);
	cJSON_Delete(doc);
}

/* The shared published sample, with a hash and (amended) a title made
 * hostile, and the headline now at 77.7 %, so the page shows what it
 * escapes and which figures are the ones now. */
static cJSON *published_sample(bool amended)
{
	cJSON *doc = report_sample_published(amended), *pub = cJSON_GetObjectItem(doc, "publication");
	cJSON *q = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(pub, "amendment"), "questionnaires"), 0);

	cJSON_ReplaceItemInObject(pub, "sha256", cJSON_CreateString("<b>ecf9e98ec0641e23</b>"));
	if (q) {
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(q, "form"), "title",
					  cJSON_CreateString("Phiếu <i>hiện tại</i>"));
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cJSON_GetObjectItem(q, "headline"), "rate"),
					  "percent", cJSON_CreateNumber(77.7));
	}
	return doc;
}

static void test_published(void **state)
{
	cJSON *doc = published_sample(true);
	char *html = render(doc, &LINKS), *notice = render_notice(doc);
	const char *section, *children;
	(void)state;

	/* Said at the top, with the time, the count and the hash, escaped. */
	assert_non_null(strstr(html, "<strong>Kết quả đã công bố</strong> lúc 21:14 ngày 23/11/2026"));
	assert_non_null(strstr(html, "mọi phiếu nhận trước đó đã được tính (412 phiếu)"));
	assert_non_null(strstr(html, "<strong>Có bổ sung sau khi công bố:</strong> 2 phiếu"));
	assert_non_null(strstr(html, "&lt;b&gt;ecf9e98ec0641e23&lt;/b&gt;"));
	/* The amendment: after every published figure, before the children. */
	section = strstr(html, "<section class=\"card amd\"><h2>Bổ sung sau khi công bố</h2>");
	children = strstr(html, "Đơn vị trực thuộc");
	assert_non_null(section);
	assert_int_equal(count(html, "<h2>Bổ sung sau khi công bố</h2>"), 1);
	assert_true(strstr(html, "88,1 %") < section);
	assert_true(!children || section < children);
	assert_non_null(strstr(section, "<strong>2 phiếu</strong> được tính sau khi kết quả được công "
					"bố lúc 21:14 ngày 23/11/2026"));
	assert_non_null(strstr(section, "nay đợt khảo sát có 414 phiếu"));
	assert_non_null(strstr(section, "Số liệu tính đến 08:01 ngày 24/11/2026"));
	/* The round now: its own labelled section, the new figure only there. */
	assert_non_null(strstr(section, "<section class=\"card amd\"><h2>Bổ sung sau khi công bố — "
					"Phiếu &lt;i&gt;hiện tại&lt;/i&gt;</h2>"));
	assert_non_null(strstr(section, "77,7 %"));
	assert_true(strstr(html, "77,7 %") > section);
	/* The notice sheet: when it was published, then the amendment, never
	 * in the part that may be cut. */
	assert_non_null(strstr(notice, "Kết quả công bố lúc 21:14 ngày 23/11/2026."));
	assert_non_null(strstr(notice, "<div class=\"amd\"><p><strong>Bổ sung sau khi công bố:</strong> "
				       "2 phiếu được tính sau khi công bố (nay có 414 phiếu)."));
	assert_non_null(strstr(notice, "Hiện nay — Chỉ số hài lòng chung: <strong>77,7 %</strong>"));
	assert_true(strstr(notice, "class=\"amd\"") > strstr(notice, "<div class=\"nbody\">"));
	assert_true(strstr(notice, "class=\"amd\"") < strstr(notice, "Biện pháp cải tiến"));
	assert_null(strstr(notice, "<i>"));
	free(html);
	free(notice);
	cJSON_Delete(doc);

	/* Published, nothing after: the note without an amendment. */
	doc = published_sample(false);
	html = render(doc, &LINKS);
	notice = render_notice(doc);
	assert_non_null(strstr(html, "Kết quả đã công bố"));
	assert_null(strstr(html, "Bổ sung sau khi công bố"));
	assert_null(strstr(notice, "Bổ sung sau khi công bố"));
	free(html);
	free(notice);
	cJSON_Delete(doc);

	/* Not published: neither. */
	doc = report_sample();
	cJSON_AddNullToObject(doc, "publication");
	html = render(doc, &LINKS);
	notice = render_notice(doc);
	assert_null(strstr(html, "công bố"));
	assert_null(strstr(notice, "công bố lúc"));
	free(html);
	free(notice);
	cJSON_Delete(doc);

	/* Nothing published (a round closed without responses), then some: the
	 * amendment still shows. */
	doc = published_sample(true);
	cJSON_ReplaceItemInObject(doc, "questionnaires", cJSON_CreateArray());
	html = render(doc, &LINKS);
	assert_non_null(strstr(html, "Chưa có phản hồi nào"));
	assert_non_null(strstr(html, "Bổ sung sau khi công bố — Phiếu &lt;i&gt;hiện tại"));
	free(html);
	cJSON_Delete(doc);
}

static void test_malformed(void **state)
{
	static const char *const docs[] = {
		"null",
		"[]",
		"\"x\"",
		"{}",
		"{\"questionnaires\": {\"a\": 1}}",
		"{\"questionnaires\": \"many\", \"children\": 3, \"comments\": []}",
		"{\"questionnaires\": [null, 1, \"q\", [], {}]}",
		"{\"questionnaires\": [{\"headline\": {\"rate\": null}, \"overall\": null,"
		" \"elements\": [{}], \"items\": [{\"kind\": \"criterion\", \"role\": \"index\","
		" \"rate\": {\"percent\": 150, \"low\": -20, \"high\": 1e300, \"target_percent\": \"90\"}}],"
		" \"below_target\": [{\"gap_points\": null}, {}, 4]}],"
		" \"rounds\": {\"response_rate\": null}, \"scope\": {\"period\": {\"from\": \"2026-9-1\","
		" \"to\": \"\\\"><x>\"}, \"privacy_threshold\": -4, \"ancestors\": [1, {\"code\": 2}]},"
		" \"comments\": {\"shown\": true, \"total\": 99, \"items\": [1, {\"date\": 5}, {}]}}",
		"{\"questionnaires\": [{\"suppressed\": \"yes\", \"items\": [{\"kind\": \"criterion\","
		" \"role\": \"index\", \"element\": null, \"levels\": \"n\", \"rate\": {\"percent\": 50}}],"
		" \"schools\": {\"items\": [{}, 3], \"lowest\": [1, \"nope\"], \"criteria\": {}}}]}",
	};
	(void)state;

	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		cJSON *doc = cJSON_Parse(docs[i]);
		char *html, *notice;
		assert_non_null(doc);
		html = render(doc, &LINKS);
		notice = render_notice(doc);
		/* Whatever it was, a bad date never reaches the form raw. */
		assert_null(strstr(html, "\"><x>"));
		free(html);
		free(notice);
		cJSON_Delete(doc);
	}
	/* No document at all. */
	free(render(NULL, NULL));
	free(render_notice(NULL));
}

/* Every node of the sample, in turn, made null, a string, a negative and a
 * huge number, an empty array and an empty object: both pages still
 * render, whole (and UBSan sees no out-of-range conversion). */
static int nth_node(cJSON *node, int *left, cJSON **found, cJSON **parent)
{
	cJSON *child;

	cJSON_ArrayForEach(child, node)
	{
		if ((*left)-- == 0) {
			*found = child;
			*parent = node;
			return 1;
		}
		if (nth_node(child, left, found, parent))
			return 1;
	}
	return 0;
}

static void test_every_field_mistyped(void **state)
{
	cJSON *sample = report_sample();
	int renders = 0;
	(void)state;

	for (int i = 0;; i++) {
		bool more = false;
		for (int variant = 0; variant < 6; variant++) {
			cJSON *doc = cJSON_Duplicate(sample, true), *node = NULL, *parent = NULL, *with;
			int left = i;
			char *html, *notice;
			if (!nth_node(doc, &left, &node, &parent)) {
				cJSON_Delete(doc);
				break;
			}
			more = true;
			with = variant == 0   ? cJSON_CreateNull()
			       : variant == 1 ? cJSON_CreateString("<i>\"x\"</i>")
			       : variant == 2 ? cJSON_CreateNumber(-1)
			       : variant == 3 ? cJSON_CreateNumber(1e300)
			       : variant == 4 ? cJSON_CreateArray()
					      : cJSON_CreateObject();
			assert_true(cJSON_ReplaceItemViaPointer(parent, node, with));
			html = render(doc, &LINKS);
			notice = render_notice(doc);
			assert_null(strstr(html, "<i>"));
			assert_null(strstr(notice, "<i>"));
			free(html);
			free(notice);
			cJSON_Delete(doc);
			renders++;
		}
		if (!more)
			break;
	}
	assert_true(renders > 1000);
	cJSON_Delete(sample);
}

/* The same for every node of a published result's publication member. */
static void test_publication_mistyped(void **state)
{
	cJSON *sample = published_sample(true);
	int renders = 0;
	(void)state;

	for (int i = 0;; i++) {
		cJSON *doc = cJSON_Duplicate(sample, true), *node = NULL, *parent = NULL;
		int left = i;
		if (!nth_node(cJSON_GetObjectItem(doc, "publication"), &left, &node, &parent)) {
			cJSON_Delete(doc);
			break;
		}
		for (int variant = 0; variant < 3; variant++) {
			cJSON *copy = cJSON_Duplicate(doc, true), *n2 = NULL, *p2 = NULL;
			char *html, *notice;
			left = i;
			assert_true(nth_node(cJSON_GetObjectItem(copy, "publication"), &left, &n2, &p2));
			assert_true(cJSON_ReplaceItemViaPointer(
				p2, n2, variant == 0   ? cJSON_CreateNull()
					: variant == 1 ? cJSON_CreateString("<i>\"x\"</i>")
						       : cJSON_CreateNumber(1e300)));
			html = render(copy, &LINKS);
			notice = render_notice(copy);
			assert_null(strstr(html, "<i>"));
			assert_null(strstr(notice, "<i>"));
			free(html);
			free(notice);
			cJSON_Delete(copy);
			renders++;
		}
		cJSON_Delete(doc);
	}
	assert_true(renders > 300);
	cJSON_Delete(sample);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_style_and_csp),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_charts),
		cmocka_unit_test(test_figures),
		cmocka_unit_test(test_links_and_form),
		cmocka_unit_test(test_comment_pages),
		cmocka_unit_test(test_suppressed),
		cmocka_unit_test(test_notice),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_published),
		cmocka_unit_test(test_publication_mistyped),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_every_field_mistyped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
