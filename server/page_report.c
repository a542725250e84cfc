#include "page_report.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonpath.h"
#include "page.h"

/*
 * Screen and print in one sheet.  On screen: cards like the staff pages.
 * On paper (A4, mostly black and white): no navigation or forms, links as
 * plain text, a chart or table row never split across pages, colours kept
 * (verdicts are also written in words, so grey print loses nothing).
 * The notice-board summary (body.nb) is a fixed 272 mm column: the ruled
 * area takes what is left, and if the results ever need more than their
 * budget (NOTICE_ROWS) leaves, they are what gets cut, never the title,
 * the ruled area or the signature.  It can never spill onto a second page,
 * whatever the names.  Colours in the SVG charts are
 * presentation attributes, which the CSP does not govern.
 */
const char REPORT_STYLE[] =
	"@page{size:A4;margin:10mm 12mm}"
	"*{box-sizing:border-box}"
	"html{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,"
	"'Noto Sans',sans-serif;color:#1a1a1a;background:#f4f6f8}"
	"main{max-width:64rem;margin:0 auto;padding:12px}"
	".card{background:#fff;border-radius:10px;padding:14px;margin:0 0 12px;"
	"box-shadow:0 1px 2px rgba(0,0,0,.08)}"
	"h1{font-size:1.35rem;margin:.2rem 0}"
	"h2{font-size:1.15rem;margin:0 0 8px;color:#0b4f8a}"
	"h3{font-size:1rem;margin:14px 0 6px}"
	"p{margin:.3rem 0}"
	".s{color:#555}"
	".bc{font-size:.9rem;color:#555}"
	"a{color:#0b63b6}"
	".x a{margin-right:14px;white-space:nowrap}"
	"form{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end;margin:8px 0}"
	"label{display:flex;flex-direction:column;font-size:.9rem}"
	"input{font:inherit;padding:6px 8px;border:1px solid #aab4bf;border-radius:6px}"
	"button{font:inherit;font-weight:700;color:#fff;background:#0b63b6;border:0;"
	"border-radius:8px;padding:8px 16px;min-height:40px;cursor:pointer}"
	".kpi{display:flex;flex-wrap:wrap;gap:10px}"
	".kpi div{flex:1 1 9rem;background:#eef4fa;border-radius:8px;padding:8px 10px}"
	".kpi strong{display:block;font-size:1.35rem}"
	".hl{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}"
	".fig{flex:1 1 17rem;border:1px solid #cfd8e1;border-radius:8px;padding:10px;"
	"break-inside:avoid}"
	".fig.main{border:2px solid #0b4f8a}"
	".big{font-size:2.4rem;font-weight:700;line-height:1.1;margin:4px 0;white-space:nowrap}"
	".vw{font-weight:700}"
	".v-met{color:#1b5e20}.v-not_met{color:#b00020}.v-inc{color:#8a5200}"
	".v-none{color:#555}"
	".how{font-size:.85rem;color:#444}"
	".nw{white-space:nowrap}"
	".msg{font-size:1.1rem;font-weight:600}"
	"figure{margin:6px 0 14px;break-inside:avoid}"
	"figcaption{font-weight:600;margin:0 0 4px}"
	".br{display:grid;grid-template-columns:minmax(7rem,15rem) minmax(8rem,1fr) "
	"minmax(10rem,15rem);gap:2px 10px;align-items:center;break-inside:avoid;"
	"font-size:.9rem;margin:2px 0}"
	".br svg{display:block;width:100%;height:auto}"
	"@media screen and (max-width:40rem){.br{grid-template-columns:1fr auto;"
	"grid-template-areas:'l v' 'b b'}.br>span:first-child{grid-area:l}"
	".br>svg{grid-area:b}.br>span:last-child{grid-area:v;text-align:right}}"
	".ax{font-size:.75rem;color:#555}"
	".lg{font-size:.8rem;color:#444}"
	".tw{overflow-x:auto}"
	"table{border-collapse:collapse;width:100%;font-size:.85rem;margin:4px 0 10px}"
	"caption{text-align:left;font-size:.85rem;color:#444;padding:0 0 4px}"
	"th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e3e8ee;vertical-align:top}"
	"th{background:#f0f3f6}"
	"th small{display:block;font-weight:400}"
	".n{text-align:right;white-space:nowrap}"
	"th.n{white-space:normal}"
	"td.t{min-width:14rem}"
	"td[class^=v-]{min-width:6.5rem}"
	"th.sat{background:#dcefdf}"
	"tr.el td{background:#eef4fa;font-weight:600}"
	".cm{list-style:none;padding:0;margin:0}"
	".cm li{border-bottom:1px solid #e3e8ee;padding:4px 0;break-inside:avoid}"
	".cm p{margin:0}"
	".ct{white-space:pre-line;overflow-wrap:anywhere}"
	".scr{font-size:12pt;background:#fff4e5;border-left:4px solid #e69500;padding:8px 12px}"
	"@media print{"
	"body{background:#fff;font-size:9.5pt;color:#000}"
	"main{max-width:none;padding:0}"
	".card{box-shadow:none;border-radius:0;padding:0;margin:0 0 5mm}"
	"nav,form,.scr{display:none}"
	"a{color:inherit;text-decoration:none}"
	"table{font-size:8pt}"
	"tr,figure,.fig,.br{break-inside:avoid}"
	"h2,h3,figcaption,caption{break-after:avoid}"
	".tw{overflow:visible}"
	".big{font-size:22pt}}"
	/* the notice-board summary */
	".nb{background:#fff;color:#000;"
	"font:11pt/1.35 Arial,'Liberation Sans','Noto Sans','DejaVu Sans',sans-serif}"
	".sheet{display:flex;flex-direction:column;height:272mm;overflow:hidden}"
	".sheet>*{flex:none}"
	".sheet>.nbody{flex:0 1 auto;min-height:0;overflow:hidden}"
	".nb p{margin:0 0 1mm}"
	"@media screen{.nb{background:#e3e6ea;padding:12px}"
	".nb .scr{width:210mm;margin:0 auto 12px}"
	".nb .sheet{width:210mm;height:297mm;margin:0 auto;padding:10mm 12mm;background:#fff;"
	"box-shadow:0 1px 4px rgba(0,0,0,.3)}}"
	".nh{display:flex;justify-content:space-between;gap:8mm;text-align:center;font-size:10pt}"
	".nh div{flex:1;min-width:0}"
	".up{text-transform:uppercase}"
	".cl{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden;"
	"overflow-wrap:anywhere}"
	".nb .nt{text-align:center;font-size:14pt;font-weight:700;margin:4mm 0 1mm}"
	".nb .np{text-align:center;margin:0 0 3mm}"
	".nb h2{font-size:11.5pt;color:#000;margin:2.5mm 0 1mm}"
	".nb .big{font-size:20pt;margin:0}"
	".nq{display:flex;gap:6mm}"
	".nq div{flex:1 1 0;min-width:0}"
	".nq .s{font-size:9.5pt;margin:0}"
	".l1{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}"
	".bt{table-layout:fixed;font-size:10pt;margin:1mm 0}"
	".bt td,.bt th{border-bottom:.2mm solid #999;padding:.6mm 1mm;white-space:nowrap;"
	"background:none}"
	".bt .t{overflow:hidden;text-overflow:ellipsis}"
	".bt .c1{width:8mm}.bt .c3{width:20mm}.bt .c4{width:26mm}"
	".sheet>.ruled{flex:1 1 0;min-height:40mm;overflow:hidden}"
	".ruled div{height:8mm;border-bottom:.2mm dotted #333}"
	".sig{display:flex;justify-content:flex-end;text-align:center;margin-top:3mm}"
	".sig div{width:80mm;height:28mm}"
	/* a round's published result and what came after it; last, so print
	 * keeps the marks */
	".pub{background:#eef4fa;border-left:5px solid #0b4f8a;padding:6px 10px;margin:8px 0}"
	".sha{font-family:monospace;font-size:.8em;overflow-wrap:anywhere}"
	".amd{border-left:5px solid #8a5200;padding-left:12px}"
	".amd h2{color:#8a5200}";

enum {
	BAR_W = 400,          /* the bar's viewBox width: 4 units a percentage point */
	BAR_H = 22,
	LOWEST_SCHOOLS = 10,
	NOTICE_ROWS = 10,     /* below-target rows that fit the notice page with one questionnaire */
	NOTICE_ROWS_EACH = 3, /* … and each, with two */
	NOTICE_ROWS_MORE = 2, /* … and each, with more than two: a line says how many more */
	NOTICE_FORMS = 2,     /* questionnaires with their own block on the notice page */
	NOTICE_LINES = 24,    /* ruled lines offered; the page keeps what fits */
};

/* What every part of the report page needs: no globals, passed down. */
typedef struct Ctx {
	Buf *b;
	const cJSON *doc;
	const ReportPageLinks *links;
	int k; /* the privacy threshold, 0 when the document does not say */
	bool amendment; /* rendering the figures counted after publication */
} Ctx;

/* ---- reading the document ------------------------------------------------ */

static const cJSON *array_at(const cJSON *doc, const char *path)
{
	const cJSON *a = json_at(doc, path);

	return cJSON_IsArray(a) ? a : NULL;
}

static const cJSON *object_at(const cJSON *doc, const char *path)
{
	const cJSON *o = json_at(doc, path);

	return cJSON_IsObject(o) ? o : NULL;
}

static const cJSON *number_at(const cJSON *doc, const char *path)
{
	const cJSON *n = json_at(doc, path);

	return cJSON_IsNumber(n) && isfinite(n->valuedouble) ? n : NULL;
}

/* A small whole number (a threshold, a level value), or -1: a double out
 * of int's range must never reach a cast. */
static int small_int_at(const cJSON *doc, const char *path)
{
	const cJSON *n = number_at(doc, path);

	return n && n->valuedouble >= 0 && n->valuedouble <= 1e6 ? (int)n->valuedouble : -1;
}

static bool is_true(const cJSON *doc, const char *path)
{
	return cJSON_IsTrue(json_at(doc, path));
}

/* The short text of an item when it has one: bars and the notice page have
 * room for a few words only. */
static const char *item_label(const cJSON *item)
{
	const char *s = json_text(item, "short_text");

	return *s ? s : json_text(item, "text");
}

static const cJSON *find_by_id(const cJSON *array, const char *id)
{
	const cJSON *el;

	cJSON_ArrayForEach(el, array)
	{
		if (strcmp(json_text(el, "id"), id) == 0)
			return el;
	}
	return NULL;
}

/* ---- formatting helpers (Vietnamese conventions) ---------------------------- */

/* v with `decimals` decimals and a decimal comma ("88,1"); "—" when v is
 * not a sensible number.  Rounding is printf's, as in the other outputs. */
void page_decimal(Buf *b, double v, int decimals)
{
	char tmp[48];
	bool zero = true;

	if (!isfinite(v) || fabs(v) >= 1e12) {
		buf_puts(b, "—");
		return;
	}
	snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
	for (char *p = tmp; *p; p++) {
		if (*p == '.')
			*p = ',';
		else if (*p >= '1' && *p <= '9')
			zero = false;
	}
	/* "-0,0" reads as a loss where there is none. */
	buf_puts(b, zero && tmp[0] == '-' ? tmp + 1 : tmp);
}

/* A count with the Vietnamese thousands dot ("9.320"), or "—". */
void page_count(Buf *b, const cJSON *n)
{
	char digits[32], out[48];
	long long v;
	size_t len, o = 0;

	if (!n || !cJSON_IsNumber(n) || !isfinite(n->valuedouble) ||
	    fabs(n->valuedouble) >= 1e15) {
		buf_puts(b, "—");
		return;
	}
	v = llround(n->valuedouble);
	snprintf(digits, sizeof digits, "%lld", v < 0 ? -v : v);
	len = strlen(digits);
	if (v < 0)
		out[o++] = '-';
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = '.';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	buf_puts(b, out);
}

static void fmt_count_at(Buf *b, const cJSON *doc, const char *path)
{
	page_count(b, number_at(doc, path));
}

/* "88,1 %" (one decimal, as pages show rates), or "—" for null. */
static void fmt_percent(Buf *b, const cJSON *n)
{
	if (!n || !cJSON_IsNumber(n) || !isfinite(n->valuedouble)) {
		buf_puts(b, "—");
		return;
	}
	page_decimal(b, n->valuedouble, 1);
	buf_puts(b, " %");
}

/* A target as written in the form: "90", or "87,5". */
static void fmt_target(Buf *b, double v)
{
	page_decimal(b, v, v == floor(v) ? 0 : 1);
}

/* "85,0–90,6 %", or "—" when either end is missing. */
static void fmt_interval(Buf *b, const cJSON *holder)
{
	const cJSON *lo = number_at(holder, "low"), *hi = number_at(holder, "high");

	if (!lo || !hi) {
		buf_puts(b, "—");
		return;
	}
	page_decimal(b, lo->valuedouble, 1);
	buf_puts(b, "–");
	page_decimal(b, hi->valuedouble, 1);
	buf_puts(b, " %");
}

/* A gap or a change in percentage points, signed: "-1,9 điểm". */
static void fmt_points(Buf *b, const cJSON *n)
{
	if (!n) {
		buf_puts(b, "—");
		return;
	}
	if (n->valuedouble > 0 && fabs(n->valuedouble) >= 0.05)
		buf_puts(b, "+");
	page_decimal(b, n->valuedouble, 1);
	buf_puts(b, " điểm");
}

/* The trend mark against the previous period: "▲ 3,5 điểm", "▼ 2,0 điểm",
 * "= 0,0 điểm".  Nothing when not comparable; returns whether it wrote. */
static bool fmt_change(Buf *b, const cJSON *n)
{
	double v;

	if (!n || !cJSON_IsNumber(n) || !isfinite(n->valuedouble))
		return false;
	v = n->valuedouble;
	buf_puts(b, fabs(v) < 0.05 ? "= " : v > 0 ? "▲ " : "▼ ");
	page_decimal(b, fabs(v), 1);
	buf_puts(b, " điểm");
	return true;
}

static bool is_ymd(const char *s)
{
	static const char shape[] = "dddd-dd-dd";

	for (int i = 0; i < 10; i++) {
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != '-')
			return false;
	}
	return true;
}

/* "2026-09-01" → "01/09/2026"; "—" for anything else. */
static void fmt_date(Buf *b, const char *ymd)
{
	if (!ymd || strlen(ymd) < 10 || !is_ymd(ymd) || (ymd[10] && ymd[10] != 'T')) {
		buf_puts(b, "—");
		return;
	}
	buf_printf(b, "%.2s/%.2s/%.4s", ymd + 8, ymd + 5, ymd);
}

/* "2026-11-23T10:14:00+07:00" → "10:14 ngày 23/11/2026" (times in the
 * document are Việt Nam time already). */
static void fmt_time(Buf *b, const char *iso)
{
	if (!iso || strlen(iso) < 16 || !is_ymd(iso) || iso[10] != 'T' || iso[13] != ':') {
		buf_puts(b, "—");
		return;
	}
	buf_printf(b, "%.2s:%.2s ngày %.2s/%.2s/%.4s", iso + 11, iso + 14, iso + 8, iso + 5, iso);
}

/* The verdict in words.  Suppressed names the threshold when known. */
static void fmt_verdict(Buf *b, const char *verdict, int k)
{
	if (!strcmp(verdict, "met"))
		buf_puts(b, "Đạt");
	else if (!strcmp(verdict, "not_met"))
		buf_puts(b, "Chưa đạt");
	else if (!strcmp(verdict, "inconclusive"))
		buf_puts(b, "Chưa kết luận được");
	else if (!strcmp(verdict, "suppressed") && k > 0)
		buf_printf(b, "Ẩn do dưới ngưỡng %d phản hồi", k);
	else if (!strcmp(verdict, "suppressed"))
		buf_puts(b, "Ẩn do dưới ngưỡng phản hồi");
	else
		buf_puts(b, "Không có dữ liệu");
}

/* The class of a verdict: only these constants ever reach the attribute. */
static const char *verdict_class(const char *verdict)
{
	if (!strcmp(verdict, "met"))
		return "v-met";
	if (!strcmp(verdict, "not_met"))
		return "v-not_met";
	if (!strcmp(verdict, "inconclusive"))
		return "v-inc";
	return "v-none";
}

/* Bar fills: green, red, amber; grey without a verdict. */
static const char *verdict_fill(const char *verdict)
{
	if (!strcmp(verdict, "met"))
		return "#2e7d32";
	if (!strcmp(verdict, "not_met"))
		return "#c62828";
	if (!strcmp(verdict, "inconclusive"))
		return "#e0a100";
	return "#9aa5b1";
}

static const char *kind_word(const char *kind)
{
	static const char *const words[][2] = {
		{"country", "Toàn quốc"}, {"province", "Tỉnh/thành phố"},
		{"district", "Quận/huyện"}, {"commune", "Xã/phường"},
		{"school", "Trường"},       {"grade", "Khối"},
		{"class", "Lớp"},
	};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (!strcmp(kind, words[i][0]))
			return words[i][1];
	}
	return "Đơn vị";
}

static const char *method_words(const char *index)
{
	if (!strcmp(index, "pooled"))
		return "Chỉ số tính theo cách gộp tất cả câu trả lời";
	if (!strcmp(index, "mean-of-criteria"))
		return "Chỉ số tính theo trung bình các tiêu chí";
	return "Cách tính chỉ số không được ghi rõ";
}

/* ---- URLs -------------------------------------------------------------------- */

/* RFC 3986: everything but the unreserved characters as %XX (UTF-8 bytes
 * one by one), so a code or date can be neither a path step nor a query
 * separator. */
static void pct_encode(Buf *b, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)text; p && *p; p++) {
		char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~')
			buf_add(b, (const char *)p, 1);
		else
			buf_add(b, esc, 3);
	}
}

/* The document's period as a query: what the period form sends. */
static void period_query(Buf *u, const cJSON *doc)
{
	const char *campaign = json_text(doc, "scope.campaign.code");

	buf_puts(u, "from=");
	pct_encode(u, json_text(doc, "scope.period.from"));
	buf_puts(u, "&to=");
	pct_encode(u, json_text(doc, "scope.period.to"));
	if (*campaign) {
		buf_puts(u, "&campaign=");
		pct_encode(u, campaign);
	}
}

/* Opens <a href="…"> to node code, or writes nothing and returns false when
 * there is no drill-down. */
static bool node_link_open(Ctx *c, const char *code)
{
	Buf u;

	if (!c->links || !c->links->node_path || !*code)
		return false;
	buf_init(&u, 128);
	buf_puts(&u, c->links->node_path);
	pct_encode(&u, code);
	buf_puts(&u, "?");
	period_query(&u, c->doc);
	if (u.failed)
		c->b->failed = true;
	buf_puts(c->b, "<a href=\"");
	buf_html(c->b, u.data);
	buf_puts(c->b, "\">");
	buf_free(&u);
	return true;
}

static void node_name(Ctx *c, const char *code, const char *name)
{
	bool linked = node_link_open(c, code);

	buf_html(c->b, *name ? name : code);
	if (linked)
		buf_puts(c->b, "</a>");
}

static void link(Buf *b, const char *url, const char *text)
{
	if (!url)
		return;
	buf_puts(b, "<a href=\"");
	buf_html(b, url);
	buf_puts(b, "\">");
	buf_puts(b, text);
	buf_puts(b, "</a>");
}

/* Where the formulas are explained: the caller's page, or the reference
 * the document names (a path in the sources) as text. */
static void methodology_ref(Ctx *c, const cJSON *q)
{
	const char *ref = json_text(q, "method.reference");

	if (c->links && c->links->methodology) {
		link(c->b, c->links->methodology, "Xem phương pháp tính");
		return;
	}
	buf_puts(c->b, "Phương pháp tính: ");
	buf_html(c->b, *ref ? ref : "docs/methodology.md");
}

/* ---- charts ------------------------------------------------------------------ */

/* Plain text that says what a bar shows, for aria-label and <title>:
 * "Phòng học: 90,0 % (khoảng tin cậy 95 %: 86,7–92,6 %), mục tiêu 90 %,
 * Chưa kết luận được, ▲ 3,5 điểm so với kỳ trước". */
static void describe_rate(Buf *d, const char *label, const cJSON *rate, const cJSON *change, int k)
{
	const cJSON *target = number_at(rate, "target_percent");

	buf_puts(d, label);
	buf_puts(d, ": ");
	fmt_percent(d, number_at(rate, "percent"));
	if (number_at(rate, "low") && number_at(rate, "high")) {
		buf_puts(d, " (khoảng tin cậy 95 %: ");
		fmt_interval(d, rate);
		buf_puts(d, ")");
	}
	if (target) {
		buf_puts(d, ", mục tiêu ");
		fmt_target(d, target->valuedouble);
		buf_puts(d, " %");
	}
	buf_puts(d, ", ");
	fmt_verdict(d, json_text(rate, "verdict"), k);
	if (change && cJSON_IsNumber(change)) {
		buf_puts(d, ", ");
		fmt_change(d, change);
		buf_puts(d, " so với kỳ trước");
	}
}

static double bar_x(double percent)
{
	double p = percent < 0 ? 0 : percent > 100 ? 100 : percent;

	return p * BAR_W / 100.0;
}

/* One horizontal bar on a 0–100 % axis (never truncated: a short axis
 * would make 88 % look like half of 95 %): the rate as the bar, the 95 %
 * interval as a whisker, the target as a dashed vertical line. */
static void bar_svg(Buf *b, const char *description, const cJSON *rate)
{
	const cJSON *p = number_at(rate, "percent"), *lo = number_at(rate, "low"),
		    *hi = number_at(rate, "high"), *t = number_at(rate, "target_percent");

	buf_printf(b, "<svg class=\"bar\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", BAR_W,
		   BAR_H);
	buf_html(b, description);
	buf_puts(b, "\"><title>");
	buf_html(b, description);
	buf_printf(b, "</title><rect x=\"0\" y=\"5\" width=\"%d\" height=\"12\" fill=\"#e8ecf0\"/>"
		      "<path d=\"M100 5v12M200 5v12M300 5v12\" stroke=\"#fff\" stroke-width=\"1\"/>",
		   BAR_W);
	if (p)
		buf_printf(b, "<rect x=\"0\" y=\"5\" width=\"%.1f\" height=\"12\" fill=\"%s\"/>",
			   bar_x(p->valuedouble), verdict_fill(json_text(rate, "verdict")));
	if (lo && hi)
		buf_printf(b, "<path class=\"ci\" d=\"M%.1f 11H%.1fM%.1f 7v8M%.1f 7v8\" "
			      "stroke=\"#111\" stroke-width=\"1.5\" fill=\"none\"/>",
			   bar_x(lo->valuedouble), bar_x(hi->valuedouble), bar_x(lo->valuedouble),
			   bar_x(hi->valuedouble));
	if (t)
		buf_printf(b, "<path class=\"tg\" d=\"M%.1f 0V%d\" stroke=\"#000\" stroke-width=\"2\" "
			      "stroke-dasharray=\"3 2\"/>",
			   bar_x(t->valuedouble), BAR_H);
	buf_puts(b, "</svg>");
}

/* A chart row: the label, the bar, and the figure with its verdict in
 * words (colour is never the only carrier). */
static void bar_row(Ctx *c, const char *label, const cJSON *rate, const cJSON *change)
{
	Buf d;
	const char *verdict = json_text(rate, "verdict");

	buf_init(&d, 256);
	describe_rate(&d, label, rate, change, c->k);
	if (d.failed)
		c->b->failed = true;
	buf_puts(c->b, "<div class=\"br\"><span>");
	buf_html(c->b, label);
	buf_puts(c->b, "</span>");
	bar_svg(c->b, d.failed ? "" : d.data, rate);
	buf_printf(c->b, "<span class=\"%s\"><strong class=\"nw\">", verdict_class(verdict));
	fmt_percent(c->b, number_at(rate, "percent"));
	buf_puts(c->b, "</strong> ");
	fmt_verdict(c->b, verdict, c->k);
	if (change && cJSON_IsNumber(change)) {
		buf_puts(c->b, " <span class=\"nw\">");
		fmt_change(c->b, change);
		buf_puts(c->b, "</span>");
	}
	buf_puts(c->b, "</span></div>");
	buf_free(&d);
}

static void chart_legend(Buf *b)
{
	buf_puts(b, "<p class=\"lg\">Thanh: tỉ lệ hài lòng trên thang 0–100 %; vạch ngang: khoảng tin "
		    "cậy 95 %; vạch đứt đứng: mục tiêu. Đạt: cả khoảng tin cậy không thấp hơn mục tiêu; "
		    "Chưa đạt: cả khoảng ở dưới; Chưa kết luận được: khoảng tin cậy cắt mục tiêu, cần "
		    "thêm phản hồi. ▲/▼: thay đổi so với kỳ trước (điểm phần trăm).</p>");
}

/* ---- the parts of the report page ---------------------------------------------- */

static void head(Buf *b, const char *title, const char *name)
{
	page_head_open(b, NULL);
	buf_puts(b, "<title>");
	buf_puts(b, title);
	buf_html(b, name);
	buf_puts(b, "</title><style>");
	buf_puts(b, REPORT_STYLE);
	buf_puts(b, "</style></head>");
}

static void hidden(Buf *b, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	buf_html(b, value);
	buf_puts(b, "\">");
}

static void form_open(Ctx *c)
{
	buf_puts(c->b, "<form method=\"get\"");
	if (c->links && c->links->period_action) {
		buf_puts(c->b, " action=\"");
		buf_html(c->b, c->links->period_action);
		buf_puts(c->b, "\"");
	}
	buf_puts(c->b, " accept-charset=\"utf-8\">");
}

/* Typed as dd/mm/yyyy, as every date on the staff pages, not a browser
 * date picker: one set to English shows 09/01/2026 for the first of
 * September.  The handler reads both forms (page_parse_date). */
static void date_input(Buf *b, const char *label, const char *name, const char *value)
{
	buf_printf(b,
		   "<label>%s <input type=\"text\" name=\"%s\" inputmode=\"numeric\" "
		   "placeholder=\"dd/mm/yyyy\" size=\"10\" maxlength=\"10\" value=\"",
		   label, name);
	if (strlen(value) == 10 && is_ymd(value))
		fmt_date(b, value);
	buf_puts(b, "\" required></label>");
}

static void period_form(Ctx *c)
{
	form_open(c);
	date_input(c->b, "Từ ngày", "from", json_text(c->doc, "scope.period.from"));
	date_input(c->b, "Đến ngày", "to", json_text(c->doc, "scope.period.to"));
	hidden(c->b, "campaign", json_text(c->doc, "scope.campaign.code"));
	buf_puts(c->b, "<button type=\"submit\">Xem kỳ này</button></form>");
}

/* A round's published result: what the figures are, and that later
 * responses are shown apart (docs/reports.md, "Published results"). */
static void publication_note(Ctx *c)
{
	const cJSON *pub = object_at(c->doc, "publication");
	const cJSON *amendment = object_at(pub, "amendment");

	if (!pub)
		return;
	buf_puts(c->b, "<div class=\"pub\"><p><strong>Kết quả đã công bố</strong> lúc ");
	fmt_time(c->b, json_text(pub, "taken_at"));
	buf_puts(c->b, ", khi đợt khảo sát đã kết thúc và mọi phiếu nhận trước đó đã được tính (");
	fmt_count_at(c->b, pub, "responses");
	buf_puts(c->b, " phiếu). Số liệu dưới đây là bản công bố: không thay đổi khi có phiếu "
		    "nhập sau hay khi đợt khảo sát được sửa.</p>");
	if (amendment) {
		buf_puts(c->b, "<p><strong>Có bổ sung sau khi công bố:</strong> ");
		fmt_count_at(c->b, amendment, "late_responses");
		buf_puts(c->b, " phiếu được tính sau khi công bố, xem mục “Bổ sung sau khi công bố” "
			    "ở cuối trang.</p>");
	}
	buf_puts(c->b, "<p class=\"s\">Mã kiểm tra SHA-256 của bản công bố: <span class=\"sha\">");
	buf_html(c->b, json_text(pub, "sha256"));
	buf_puts(c->b, "</span></p></div>");
}

static void heading(Ctx *c)
{
	const cJSON *anc, *campaign = object_at(c->doc, "scope.campaign");
	const char *name = json_text(c->doc, "scope.node.name");

	buf_puts(c->b, "<div class=\"card\"><p class=\"bc\">");
	cJSON_ArrayForEach(anc, array_at(c->doc, "scope.ancestors"))
	{
		node_name(c, json_text(anc, "code"), json_text(anc, "name"));
		buf_puts(c->b, " › ");
	}
	buf_puts(c->b, "<span aria-current=\"page\">");
	buf_html(c->b, *name ? name : json_text(c->doc, "scope.node.code"));
	buf_puts(c->b, "</span></p><h1>Kết quả khảo sát sự hài lòng của cha mẹ học sinh — ");
	buf_html(c->b, *name ? name : json_text(c->doc, "scope.node.code"));
	buf_puts(c->b, "</h1><p>Kỳ báo cáo: từ ");
	fmt_date(c->b, json_text(c->doc, "scope.period.from"));
	buf_puts(c->b, " đến ");
	fmt_date(c->b, json_text(c->doc, "scope.period.to"));
	buf_puts(c->b, " <span class=\"s\">(các đợt khảo sát mở trong khoảng này)</span></p>");
	if (campaign) {
		buf_puts(c->b, "<p>Đợt khảo sát: ");
		buf_html(c->b, json_text(campaign, "title"));
		buf_puts(c->b, " <span class=\"s\">(mã ");
		buf_html(c->b, json_text(campaign, "code"));
		buf_puts(c->b, ")</span></p>");
	}
	publication_note(c);
	period_form(c);
	buf_puts(c->b, "<p class=\"s\">");
	if (json_text(c->doc, "data_as_of")[0]) {
		buf_puts(c->b, "Số liệu tính đến ");
		fmt_time(c->b, json_text(c->doc, "data_as_of"));
		buf_puts(c->b, ".");
	} else {
		buf_puts(c->b, "Chưa có phiếu nào được tổng hợp.");
	}
	if (json_number(c->doc, "uncounted") >= 1) {
		buf_puts(c->b, " Còn ");
		fmt_count_at(c->b, c->doc, "uncounted");
		buf_puts(c->b, " phiếu đã nhận đang chờ tổng hợp, sẽ được tính trong ít phút.");
	}
	buf_puts(c->b, " Báo cáo lập lúc ");
	fmt_time(c->b, json_text(c->doc, "generated_at"));
	buf_puts(c->b, ".</p>");
	if (c->links && (c->links->csv || c->links->xlsx || c->links->json || c->links->notice)) {
		buf_puts(c->b, "<nav class=\"x\" aria-label=\"Tải về\">Tải về: ");
		/* Spaces between the links let the row wrap on a phone. */
		link(c->b, c->links->csv, "Bảng CSV");
		buf_puts(c->b, " ");
		link(c->b, c->links->xlsx, "Tệp Excel (XLSX)");
		buf_puts(c->b, " ");
		link(c->b, c->links->json, "Dữ liệu JSON");
		buf_puts(c->b, " ");
		link(c->b, c->links->notice, "Bản công khai A4 (bảng tin)");
		buf_puts(c->b, "</nav>");
	}
	buf_puts(c->b, "</div>");
}

static void kpi_count(Buf *b, const char *label, const cJSON *n)
{
	buf_printf(b, "<div>%s<strong>", label);
	page_count(b, n);
	buf_puts(b, "</strong></div>");
}

static void rounds_summary(Ctx *c)
{
	const cJSON *rate = object_at(c->doc, "rounds.response_rate");

	buf_puts(c->b, "<div class=\"card\"><h2>Phạm vi</h2><div class=\"kpi\">");
	kpi_count(c->b, "Số đợt khảo sát", number_at(c->doc, "rounds.count"));
	kpi_count(c->b, "Số phiếu trả lời", number_at(c->doc, "rounds.responses"));
	buf_puts(c->b, "<div>Tỉ lệ phản hồi<strong>");
	fmt_percent(c->b, number_at(rate, "percent"));
	buf_puts(c->b, "</strong>");
	if (rate && number_at(rate, "denominator")) {
		buf_puts(c->b, "<span class=\"how\">");
		fmt_count_at(c->b, rate, "numerator");
		buf_puts(c->b, " ÷ ");
		fmt_count_at(c->b, rate, "denominator");
		buf_puts(c->b, " phụ huynh cần khảo sát</span>");
	} else {
		buf_puts(c->b, "<span class=\"how\">chưa đặt số phụ huynh cần khảo sát</span>");
	}
	buf_puts(c->b, "</div></div></div>");
}

/* How a rate was made: "360 ÷ 400 ý kiến hợp lệ; loại 10 không ý kiến, 2
 * bỏ trống; công thức: …". */
static void rate_how(Buf *b, const cJSON *rate, bool pooled_sums)
{
	const cJSON *criteria = number_at(rate, "criteria");

	if (!rate)
		return;
	if (number_at(rate, "valid")) {
		fmt_count_at(b, rate, "satisfied");
		buf_puts(b, " ý kiến hài lòng ÷ ");
		fmt_count_at(b, rate, "valid");
		buf_puts(b, " ý kiến hợp lệ");
		if (pooled_sums)
			buf_puts(b, " (tổng gộp, để đối chiếu)");
		buf_puts(b, "; ");
	}
	if (object_at(rate, "excluded")) {
		buf_puts(b, "không tính ");
		fmt_count_at(b, rate, "excluded.no_opinion");
		buf_puts(b, " “không ý kiến” và ");
		fmt_count_at(b, rate, "excluded.blank");
		buf_puts(b, " bỏ trống; ");
	}
	if (criteria) {
		page_count(b, criteria);
		buf_puts(b, " tiêu chí; ");
	}
	buf_puts(b, "công thức: ");
	buf_html(b, *json_text(rate, "formula") ? json_text(rate, "formula") : "—");
	buf_puts(b, ".");
}

/* A figure box: label, the big figure, its verdict, interval and target,
 * then how it was made. */
static void figure_box(Ctx *c, const char *cls, const char *label, const char *note,
		       const cJSON *rate, const cJSON *change, bool pooled_sums)
{
	const char *verdict = json_text(rate, "verdict");
	const cJSON *target = number_at(rate, "target_percent");

	buf_printf(c->b, "<div class=\"fig%s\"><p><strong>", cls);
	buf_html(c->b, label);
	buf_puts(c->b, "</strong>");
	if (note)
		buf_printf(c->b, " <span class=\"s\">%s</span>", note);
	buf_printf(c->b, "</p><p class=\"big %s\">", verdict_class(verdict));
	fmt_percent(c->b, number_at(rate, "percent"));
	buf_printf(c->b, "</p><p class=\"vw %s\">", verdict_class(verdict));
	fmt_verdict(c->b, verdict, c->k);
	buf_puts(c->b, "</p><p>Khoảng tin cậy 95 %: <span class=\"nw\">");
	fmt_interval(c->b, rate);
	buf_puts(c->b, "</span>");
	if (target) {
		buf_puts(c->b, " · mục tiêu ≥ ");
		fmt_target(c->b, target->valuedouble);
		buf_puts(c->b, " % · chênh lệch <span class=\"nw\">");
		fmt_points(c->b, number_at(rate, "gap_points"));
		buf_puts(c->b, "</span>");
	}
	buf_puts(c->b, "</p>");
	if (change && cJSON_IsNumber(change)) {
		buf_puts(c->b, "<p>So với kỳ trước: <strong class=\"nw\">");
		fmt_change(c->b, change);
		buf_puts(c->b, "</strong></p>");
	}
	buf_puts(c->b, "<p class=\"how\">Cách tính: ");
	rate_how(c->b, rate, pooled_sums);
	buf_puts(c->b, "</p></div>");
}

static void form_meta(Ctx *c, const cJSON *q)
{
	buf_puts(c->b, "<p class=\"s\">Mã phiếu ");
	buf_html(c->b, json_text(q, "form.id"));
	if (*json_text(q, "form.edition")) {
		buf_puts(c->b, ", ấn bản ");
		buf_html(c->b, json_text(q, "form.edition"));
	}
	buf_puts(c->b, ", phiên bản ");
	fmt_count_at(c->b, q, "form.version");
	if (*json_text(q, "form.source")) {
		buf_puts(c->b, " · theo ");
		buf_html(c->b, json_text(q, "form.source"));
	}
	buf_puts(c->b, " · Số đợt: ");
	fmt_count_at(c->b, q, "rounds");
	buf_puts(c->b, " · Số phiếu: ");
	fmt_count_at(c->b, q, "responses");
	buf_puts(c->b, "</p>");
}

static bool is_suppressed(const cJSON *q)
{
	return is_true(q, "suppressed");
}

static void suppressed_sentence(Ctx *c, const cJSON *responses)
{
	buf_puts(c->b, "<p class=\"msg\">Có ");
	page_count(c->b, responses);
	buf_puts(c->b, " phiếu trả lời, ít hơn ngưỡng ");
	if (c->k > 0)
		buf_printf(c->b, "%d", c->k);
	else
		buf_puts(c->b, "tối thiểu");
	buf_puts(c->b, " phiếu. Để không thể nhận ra ý kiến của từng phụ huynh, tỉ lệ, điểm và ý kiến "
		    "ghi thêm không được hiển thị; chỉ hiển thị số đợt và số phiếu.</p>");
}

static void headline_figures(Ctx *c, const cJSON *q)
{
	const cJSON *headline = object_at(q, "headline");
	const cJSON *oq = object_at(q, "overall_question");
	bool headline_is_question = !strcmp(json_text(q, "method.headline"), "overall-question");
	const char *index = json_text(q, "method.index");
	const cJSON *change = number_at(q, "previous.headline.change_points");

	buf_puts(c->b, "<div class=\"hl\">");
	figure_box(c, " main", *json_text(headline, "label") ? json_text(headline, "label") : "Kết quả chung",
		   "(số liệu chính)", object_at(headline, "rate"), change,
		   !headline_is_question && strcmp(index, "pooled") != 0);
	if (headline_is_question) {
		/* The index is still the index: shown beside, by the form's method. */
		const char *key = !strcmp(index, "pooled") ? "overall.pooled" : "overall.mean_of_criteria";
		figure_box(c, "", "Chỉ số hài lòng chung", "(theo các tiêu chí)", object_at(q, key),
			   NULL, strcmp(index, "pooled") != 0);
	} else if (oq) {
		Buf label;
		buf_init(&label, 128);
		buf_puts(&label, "Câu hỏi chung: ");
		buf_puts(&label, json_text(oq, "text"));
		figure_box(c, "", label.failed ? "" : label.data,
			   "(câu hỏi riêng, không tính vào chỉ số)", object_at(oq, "rate"),
			   number_at(q, "previous.overall_question.change_points"), false);
		if (label.failed)
			c->b->failed = true;
		buf_free(&label);
	}
	buf_puts(c->b, "</div>");
	if (object_at(q, "previous")) {
		buf_puts(c->b, "<p class=\"s\">Kỳ trước để so sánh: từ ");
		fmt_date(c->b, json_text(q, "previous.period.from"));
		buf_puts(c->b, " đến ");
		fmt_date(c->b, json_text(q, "previous.period.to"));
		buf_puts(c->b, ", ");
		fmt_count_at(c->b, q, "previous.responses");
		buf_puts(c->b, " phiếu, kết quả chung ");
		fmt_percent(c->b, number_at(q, "previous.headline.percent"));
		if (number_at(q, "previous.form.version") && number_at(q, "form.version") &&
		    number_at(q, "previous.form.version")->valuedouble !=
			    number_at(q, "form.version")->valuedouble) {
			buf_puts(c->b, " (phiên bản phiếu ");
			fmt_count_at(c->b, q, "previous.form.version");
			buf_puts(c->b, ", khác phiên bản hiện tại)");
		}
		buf_puts(c->b, ".</p>");
	}
}

static bool is_rated_criterion(const cJSON *item)
{
	return !strcmp(json_text(item, "kind"), "criterion") && !strcmp(json_text(item, "role"), "index");
}

static void criteria_chart(Ctx *c, const cJSON *q)
{
	const cJSON *el, *item, *items = array_at(q, "items");
	bool others = false;

	buf_puts(c->b, "<h3>Tỉ lệ hài lòng theo tiêu chí</h3>");
	cJSON_ArrayForEach(el, array_at(q, "elements"))
	{
		const char *id = json_text(el, "id");
		buf_puts(c->b, "<figure><figcaption>");
		buf_html(c->b, json_text(el, "text"));
		buf_puts(c->b, " <span class=\"s\">— chỉ số yếu tố ");
		fmt_percent(c->b, number_at(el, "index.percent"));
		buf_puts(c->b, "</span></figcaption>");
		cJSON_ArrayForEach(item, items)
		{
			if (is_rated_criterion(item) && !strcmp(json_text(item, "element"), id))
				bar_row(c, item_label(item), object_at(item, "rate"),
					number_at(item, "change_points"));
		}
		buf_puts(c->b, "</figure>");
	}
	/* Criteria outside any listed element still count: never drop a bar. */
	cJSON_ArrayForEach(item, items)
	{
		if (!is_rated_criterion(item) ||
		    find_by_id(array_at(q, "elements"), json_text(item, "element")))
			continue;
		if (!others)
			buf_puts(c->b, "<figure><figcaption>Tiêu chí khác</figcaption>");
		others = true;
		bar_row(c, item_label(item), object_at(item, "rate"), number_at(item, "change_points"));
	}
	if (others)
		buf_puts(c->b, "</figure>");
}

static void indices_chart(Ctx *c, const cJSON *q)
{
	const cJSON *el, *oq = object_at(q, "overall_question");

	buf_puts(c->b, "<figure><figcaption>Chỉ số theo yếu tố và chỉ số chung</figcaption>");
	cJSON_ArrayForEach(el, array_at(q, "elements"))
	{
		bar_row(c, json_text(el, "text"), object_at(el, "index"), NULL);
	}
	bar_row(c, "Chỉ số chung — trung bình các tiêu chí", object_at(q, "overall.mean_of_criteria"),
		NULL);
	bar_row(c, "Chỉ số chung — gộp tất cả câu trả lời", object_at(q, "overall.pooled"), NULL);
	if (oq)
		bar_row(c, "Câu hỏi chung (không tính vào chỉ số)", object_at(oq, "rate"),
			number_at(q, "previous.overall_question.change_points"));
	buf_puts(c->b, "</figure>");
}

static void rate_cells(Ctx *c, const cJSON *rate)
{
	buf_puts(c->b, "<td class=\"n\">");
	if (number_at(rate, "valid")) {
		fmt_count_at(c->b, rate, "satisfied");
		buf_puts(c->b, " ÷ ");
		fmt_count_at(c->b, rate, "valid");
	} else {
		buf_puts(c->b, "—");
	}
	buf_puts(c->b, "</td><td class=\"n\"><strong>");
	fmt_percent(c->b, number_at(rate, "percent"));
	buf_puts(c->b, "</strong></td><td class=\"n\">");
	fmt_interval(c->b, rate);
	buf_printf(c->b, "</td><td class=\"%s\">", verdict_class(json_text(rate, "verdict")));
	fmt_verdict(c->b, json_text(rate, "verdict"), c->k);
	buf_puts(c->b, "</td>");
}

static void score_cell(Buf *b, const cJSON *n)
{
	buf_puts(b, "<td class=\"n\">");
	if (n)
		page_decimal(b, n->valuedouble, 2);
	else
		buf_puts(b, "—");
	buf_puts(b, "</td>");
}

/* Elements and the overall index both ways, labelled; the form's method is
 * marked as the one the headline uses. */
static void indices_table(Ctx *c, const cJSON *q)
{
	const cJSON *el;
	bool pooled = !strcmp(json_text(q, "method.index"), "pooled");

	buf_puts(c->b, "<div class=\"tw\"><table><caption>Chỉ số theo yếu tố và chỉ số chung, theo hai "
		    "cách tính. Trung bình các tiêu chí: mỗi tiêu chí (mỗi yếu tố) có trọng số như nhau; "
		    "gộp: tổng số ý kiến hài lòng ÷ tổng số ý kiến hợp lệ.</caption>"
		    "<tr><th>Yếu tố</th><th>Cách tính</th><th class=\"n\">Hài lòng ÷ hợp lệ</th>"
		    "<th class=\"n\">Tỉ lệ</th><th class=\"n\">Khoảng tin cậy 95 %</th>"
		    "<th>Kết luận</th><th class=\"n\">Điểm TB</th></tr>");
	cJSON_ArrayForEach(el, array_at(q, "elements"))
	{
		for (int way = 0; way < 2; way++) {
			bool is_pooled = way == 1;
			buf_puts(c->b, "<tr>");
			if (way == 0) {
				buf_puts(c->b, "<td rowspan=\"2\">");
				buf_html(c->b, json_text(el, "text"));
				buf_puts(c->b, " <span class=\"s\">(");
				fmt_count_at(c->b, el, "criteria");
				buf_puts(c->b, " tiêu chí)</span></td>");
			}
			buf_printf(c->b, "<td>%s%s</td>",
				   is_pooled ? "Gộp tất cả câu trả lời" : "Trung bình các tiêu chí",
				   is_pooled == pooled ? " <strong>(chính)</strong>" : "");
			rate_cells(c, object_at(el, is_pooled ? "pooled" : "mean_of_criteria"));
			score_cell(c->b, number_at(el, is_pooled ? "score.mean" : "score_mean_of_criteria"));
			buf_puts(c->b, "</tr>");
		}
	}
	for (int way = 0; way < 2; way++) {
		bool is_pooled = way == 1;
		buf_puts(c->b, "<tr class=\"el\">");
		if (way == 0) {
			buf_puts(c->b, "<td rowspan=\"2\">Chỉ số chung <span class=\"s\">(");
			fmt_count_at(c->b, q, "overall.criteria");
			buf_puts(c->b, " tiêu chí)</span></td>");
		}
		buf_printf(c->b, "<td>%s%s</td>",
			   is_pooled ? "Gộp tất cả câu trả lời" : "Trung bình các tiêu chí",
			   is_pooled == pooled ? " <strong>(chính)</strong>" : "");
		rate_cells(c, object_at(q, is_pooled ? "overall.pooled" : "overall.mean_of_criteria"));
		score_cell(c->b,
			   number_at(q, is_pooled ? "overall.score.mean" : "overall.score_mean_of_criteria"));
		buf_puts(c->b, "</tr>");
	}
	buf_puts(c->b, "</table></div>");
}

/* The widest level list among the rated items: the table's n columns. */
static const cJSON *widest_levels(const cJSON *items)
{
	const cJSON *item, *best = NULL;

	cJSON_ArrayForEach(item, items)
	{
		const cJSON *levels = array_at(item, "levels");
		if (!object_at(item, "rate") || !levels)
			continue;
		if (!best || cJSON_GetArraySize(levels) > cJSON_GetArraySize(best))
			best = levels;
	}
	return best;
}

static void criterion_row(Ctx *c, const cJSON *item, int number, int nlevels)
{
	const cJSON *rate = object_at(item, "rate"), *levels = array_at(item, "levels");
	int i = 0;

	buf_puts(c->b, "<tr><td class=\"n\">");
	if (number > 0)
		buf_printf(c->b, "%d", number);
	buf_puts(c->b, "</td><td class=\"t\">");
	buf_html(c->b, json_text(item, "text"));
	if (!strcmp(json_text(item, "role"), "overall"))
		buf_puts(c->b, " <span class=\"s\">(câu hỏi chung, không tính vào chỉ số)</span>");
	buf_puts(c->b, "</td>");
	for (const cJSON *lv = levels ? levels->child : NULL; lv && i < nlevels; lv = lv->next, i++) {
		buf_puts(c->b, "<td class=\"n\">");
		fmt_count_at(c->b, lv, "n");
		buf_puts(c->b, "</td>");
	}
	for (; i < nlevels; i++)
		buf_puts(c->b, "<td></td>");
	buf_puts(c->b, "<td class=\"n\">");
	fmt_count_at(c->b, item, "no_opinion");
	buf_puts(c->b, "</td><td class=\"n\">");
	fmt_count_at(c->b, item, "blank");
	buf_puts(c->b, "</td>");
	rate_cells(c, rate);
	score_cell(c->b, number_at(item, "score.mean"));
	buf_puts(c->b, "<td class=\"n\">");
	if (!fmt_change(c->b, number_at(item, "change_points")))
		buf_puts(c->b, "—");
	buf_puts(c->b, "</td></tr>");
}

/* Every rated item with its answer counts: anyone can redo the
 * arithmetic from this table. */
static void criteria_table(Ctx *c, const cJSON *q)
{
	const cJSON *items = array_at(q, "items"), *levels = widest_levels(items), *lv, *el, *item;
	const cJSON *first = NULL;
	int nlevels = levels ? cJSON_GetArraySize(levels) : 0, number = 0, position = 0;
	int cols = nlevels + 10;

	cJSON_ArrayForEach(item, items)
	{
		if (object_at(item, "rate")) {
			first = item;
			break;
		}
	}
	buf_puts(c->b, "<h3>Bảng số liệu theo tiêu chí</h3><div class=\"tw\"><table><caption>");
	buf_puts(c->b, "Tỉ lệ hài lòng = ");
	buf_html(c->b, *json_text(first, "rate.formula") ? json_text(first, "rate.formula") : "—");
	buf_puts(c->b, "; “không ý kiến” và phiếu bỏ trống không tính vào cả tử số và mẫu số. "
		    "Cột có dấu ✓: các mức được tính là hài lòng. Điểm TB: điểm trung bình trên thang "
		    "các mức. ");
	methodology_ref(c, q);
	buf_puts(c->b, ".</caption><tr><th class=\"n\">TT</th><th>Tiêu chí</th>");
	cJSON_ArrayForEach(lv, levels)
	{
		bool sat = is_true(lv, "satisfied");
		int value = small_int_at(lv, "value");
		position++;
		buf_printf(c->b, "<th class=\"n%s\">n%d%s<small>", sat ? " sat" : "",
			   value >= 0 ? value : position, sat ? " ✓" : "");
		buf_html(c->b, json_text(lv, "label"));
		buf_puts(c->b, "</small></th>");
	}
	buf_puts(c->b, "<th class=\"n\">Không ý kiến</th><th class=\"n\">Bỏ trống</th>"
		    "<th class=\"n\">Hài lòng ÷ hợp lệ</th><th class=\"n\">Tỉ lệ</th>"
		    "<th class=\"n\">Khoảng tin cậy 95 %</th><th>Kết luận</th><th class=\"n\">Điểm TB</th>"
		    "<th class=\"n\">Thay đổi</th></tr>");
	cJSON_ArrayForEach(el, array_at(q, "elements"))
	{
		buf_printf(c->b, "<tr class=\"el\"><td colspan=\"%d\">", cols);
		buf_html(c->b, json_text(el, "text"));
		buf_puts(c->b, "</td></tr>");
		cJSON_ArrayForEach(item, items)
		{
			if (is_rated_criterion(item) && !strcmp(json_text(item, "element"), json_text(el, "id")))
				criterion_row(c, item, ++number, nlevels);
		}
	}
	cJSON_ArrayForEach(item, items)
	{
		bool orphan = is_rated_criterion(item) &&
			      !find_by_id(array_at(q, "elements"), json_text(item, "element"));
		if (orphan)
			criterion_row(c, item, ++number, nlevels);
	}
	cJSON_ArrayForEach(item, items)
	{
		if (!is_rated_criterion(item) && object_at(item, "rate"))
			criterion_row(c, item, 0, nlevels);
	}
	buf_puts(c->b, "</table></div>");
}

/* Descriptive questions (channels, multiple choice): counts per option. */
static void info_questions(Ctx *c, const cJSON *q)
{
	const cJSON *item, *lv;
	bool any = false;

	cJSON_ArrayForEach(item, array_at(q, "items"))
	{
		if (object_at(item, "rate") || !cJSON_GetArraySize(array_at(item, "levels")))
			continue;
		if (!any)
			buf_puts(c->b, "<h3>Câu hỏi thông tin (không tính vào chỉ số)</h3>");
		any = true;
		buf_puts(c->b, "<p><strong>");
		buf_html(c->b, json_text(item, "text"));
		buf_puts(c->b, "</strong><br>");
		cJSON_ArrayForEach(lv, array_at(item, "levels"))
		{
			buf_html(c->b, json_text(lv, "label"));
			buf_puts(c->b, ": ");
			fmt_count_at(c->b, lv, "n");
			buf_puts(c->b, " · ");
		}
		buf_puts(c->b, "bỏ trống: ");
		fmt_count_at(c->b, item, "blank");
		buf_puts(c->b, "</p>");
	}
}

typedef struct Ranked {
	const cJSON *entry;
	double key;
	int order;
} Ranked;

static int ranked_cmp(const void *a, const void *b)
{
	const Ranked *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->order - y->order;
}

/* below_target by gap, lowest first (the document already is; sorting again
 * costs nothing and keeps the page right if it is not).  Caller frees;
 * NULL with *n = 0 when empty or out of memory. */
static Ranked *below_sorted(const cJSON *q, int *n)
{
	const cJSON *list = array_at(q, "below_target"), *e;
	int size = cJSON_GetArraySize(list), i = 0;
	Ranked *r;

	*n = 0;
	if (size <= 0)
		return NULL;
	r = calloc((size_t)size, sizeof *r);
	if (!r)
		return NULL;
	cJSON_ArrayForEach(e, list)
	{
		const cJSON *gap = number_at(e, "gap_points");
		if (i >= size)
			break;
		r[i].entry = e;
		r[i].key = gap ? gap->valuedouble : HUGE_VAL;
		r[i].order = i;
		i++;
	}
	qsort(r, (size_t)i, sizeof *r, ranked_cmp);
	*n = i;
	return r;
}

static void below_target(Ctx *c, const cJSON *q)
{
	int n;
	Ranked *r = below_sorted(q, &n);

	buf_puts(c->b, "<h3>Tồn tại, hạn chế: các tiêu chí dưới mục tiêu</h3>");
	if (!n) {
		buf_puts(c->b, cJSON_GetArraySize(array_at(q, "below_target")) > 0
				       ? "<p>Không đọc được danh sách.</p>"
				       : "<p>Không có tiêu chí nào dưới mục tiêu.</p>");
		free(r);
		return;
	}
	buf_puts(c->b, "<div class=\"tw\"><table><tr><th class=\"n\">TT</th><th>Tiêu chí</th>"
		    "<th class=\"n\">Tỉ lệ</th><th class=\"n\">Khoảng tin cậy 95 %</th>"
		    "<th class=\"n\">Cách mục tiêu</th><th>Kết luận</th></tr>");
	for (int i = 0; i < n; i++) {
		const cJSON *e = r[i].entry;
		buf_printf(c->b, "<tr><td class=\"n\">%d</td><td>", i + 1);
		buf_html(c->b, json_text(e, "text"));
		buf_puts(c->b, "</td><td class=\"n\">");
		fmt_percent(c->b, number_at(e, "percent"));
		buf_puts(c->b, "</td><td class=\"n\">");
		fmt_interval(c->b, e);
		buf_puts(c->b, "</td><td class=\"n\">");
		fmt_points(c->b, number_at(e, "gap_points"));
		buf_printf(c->b, "</td><td class=\"%s\">", verdict_class(json_text(e, "verdict")));
		fmt_verdict(c->b, json_text(e, "verdict"), c->k);
		buf_puts(c->b, "</td></tr>");
	}
	buf_puts(c->b, "</table></div>");
	free(r);
}

static void school_row(Ctx *c, const cJSON *s)
{
	buf_puts(c->b, "<tr><td>");
	node_name(c, json_text(s, "code"), json_text(s, "name"));
	buf_puts(c->b, "</td><td class=\"n\">");
	fmt_count_at(c->b, s, "responses");
	buf_puts(c->b, "</td><td class=\"n\">");
	fmt_percent(c->b, number_at(s, "headline.percent"));
	buf_puts(c->b, "</td><td class=\"n\">");
	fmt_interval(c->b, object_at(s, "headline"));
	buf_printf(c->b, "</td><td class=\"%s\">", verdict_class(json_text(s, "headline.verdict")));
	fmt_verdict(c->b, json_text(s, "headline.verdict"), c->k);
	buf_puts(c->b, "</td></tr>");
}

static void schools(Ctx *c, const cJSON *q)
{
	const cJSON *s = object_at(q, "schools"), *cr, *items = array_at(s, "items");
	const cJSON *lowest = array_at(s, "lowest"), *code;
	int shown = 0;

	if (!s)
		return;
	buf_puts(c->b, "<h3>Phân bố theo trường</h3><p>");
	fmt_count_at(c->b, s, "count");
	buf_puts(c->b, " trường có đợt khảo sát trong kỳ, ");
	fmt_count_at(c->b, s, "with_data");
	buf_puts(c->b, " trường có số liệu; ");
	fmt_count_at(c->b, s, "meeting_headline");
	buf_puts(c->b, " trường đạt mục tiêu chung; ");
	fmt_count_at(c->b, s, "suppressed");
	buf_puts(c->b, " trường dưới ngưỡng ");
	if (c->k > 0)
		buf_printf(c->b, "%d ", c->k);
	buf_puts(c->b, "phiếu (không xếp hạng, không hiển thị tỉ lệ).</p>");
	if (cJSON_GetArraySize(array_at(s, "criteria")) > 0) {
		buf_puts(c->b, "<div class=\"tw\"><table><caption>Số trường theo kết luận của từng tiêu "
			    "chí</caption><tr><th>Tiêu chí</th><th class=\"n\">Số trường có số liệu</th>"
			    "<th class=\"n\">Đạt</th><th class=\"n\">Chưa đạt</th>"
			    "<th class=\"n\">Chưa kết luận được</th></tr>");
		cJSON_ArrayForEach(cr, array_at(s, "criteria"))
		{
			const cJSON *item = find_by_id(array_at(q, "items"), json_text(cr, "id"));
			buf_puts(c->b, "<tr><td>");
			buf_html(c->b, item ? item_label(item) : json_text(cr, "id"));
			buf_puts(c->b, "</td><td class=\"n\">");
			fmt_count_at(c->b, cr, "rated");
			buf_puts(c->b, "</td><td class=\"n\">");
			fmt_count_at(c->b, cr, "met");
			buf_puts(c->b, "</td><td class=\"n\">");
			fmt_count_at(c->b, cr, "not_met");
			buf_puts(c->b, "</td><td class=\"n\">");
			fmt_count_at(c->b, cr, "inconclusive");
			buf_puts(c->b, "</td></tr>");
		}
		buf_puts(c->b, "</table></div>");
	}
	buf_puts(c->b, "<div class=\"tw\"><table><caption>Các trường có kết quả chung thấp nhất (tối đa "
		    "10 trường)</caption><tr><th>Trường</th><th class=\"n\">Số phiếu</th>"
		    "<th class=\"n\">Kết quả chung</th><th class=\"n\">Khoảng tin cậy 95 %</th>"
		    "<th>Kết luận</th></tr>");
	if (lowest) {
		cJSON_ArrayForEach(code, lowest)
		{
			const cJSON *it;
			if (shown >= LOWEST_SCHOOLS || !cJSON_IsString(code))
				continue;
			cJSON_ArrayForEach(it, items)
			{
				if (!strcmp(json_text(it, "code"), code->valuestring)) {
					school_row(c, it);
					shown++;
					break;
				}
			}
		}
	} else {
		const cJSON *it;
		cJSON_ArrayForEach(it, items)
		{
			if (shown < LOWEST_SCHOOLS && !is_true(it, "suppressed")) {
				school_row(c, it);
				shown++;
			}
		}
	}
	if (!shown)
		buf_puts(c->b, "<tr><td colspan=\"5\">Chưa có trường nào đủ số phiếu để xếp hạng.</td></tr>");
	buf_puts(c->b, "</table></div>");
}

static void questionnaire(Ctx *c, const cJSON *q)
{
	buf_puts(c->b, c->amendment ? "<section class=\"card amd\"><h2>Bổ sung sau khi công bố — "
				    : "<section class=\"card\"><h2>");
	buf_html(c->b, *json_text(q, "form.title") ? json_text(q, "form.title") : json_text(q, "form.id"));
	buf_puts(c->b, "</h2>");
	form_meta(c, q);
	if (is_suppressed(q)) {
		buf_puts(c->b, "<div class=\"hl\"><div class=\"fig main\"><p><strong>Kết quả chung</strong></p>"
			    "<p class=\"big v-none\">—</p><p class=\"vw v-none\">");
		fmt_verdict(c->b, "suppressed", c->k);
		buf_puts(c->b, "</p></div></div>");
		suppressed_sentence(c, number_at(q, "responses"));
		buf_puts(c->b, "</section>");
		return;
	}
	buf_puts(c->b, "<p>");
	buf_puts(c->b, method_words(json_text(q, "method.index")));
	if (!strcmp(json_text(q, "method.headline"), "overall-question"))
		buf_puts(c->b, "; số liệu chính là câu hỏi hài lòng chung");
	if (!strcmp(json_text(q, "method.interval"), "wilson-95"))
		buf_puts(c->b, "; khoảng tin cậy 95 % theo Wilson");
	buf_puts(c->b, ". ");
	methodology_ref(c, q);
	buf_puts(c->b, ".</p>");
	headline_figures(c, q);
	indices_chart(c, q);
	criteria_chart(c, q);
	chart_legend(c->b);
	indices_table(c, q);
	criteria_table(c, q);
	below_target(c, q);
	schools(c, q);
	info_questions(c, q);
	buf_puts(c->b, "</section>");
}

static void children(Ctx *c)
{
	const cJSON *ch, *list = array_at(c->doc, "children");

	if (cJSON_GetArraySize(list) <= 0)
		return;
	buf_puts(c->b, "<div class=\"card\"><h2>Đơn vị trực thuộc</h2><div class=\"tw\"><table>"
		    "<tr><th>Đơn vị</th><th>Loại</th><th class=\"n\">Số phiếu</th>"
		    "<th class=\"n\">Kết quả chung</th><th class=\"n\">Khoảng tin cậy 95 %</th>"
		    "<th>Kết luận</th></tr>");
	cJSON_ArrayForEach(ch, list)
	{
		buf_puts(c->b, "<tr><td>");
		node_name(c, json_text(ch, "code"), json_text(ch, "name"));
		buf_puts(c->b, "</td><td>");
		buf_puts(c->b, kind_word(json_text(ch, "kind")));
		buf_puts(c->b, "</td><td class=\"n\">");
		fmt_count_at(c->b, ch, "responses");
		buf_puts(c->b, "</td><td class=\"n\">");
		fmt_percent(c->b, number_at(ch, "headline.percent"));
		buf_puts(c->b, "</td><td class=\"n\">");
		fmt_interval(c->b, object_at(ch, "headline"));
		buf_printf(c->b, "</td><td class=\"%s\">", verdict_class(json_text(ch, "headline.verdict")));
		fmt_verdict(c->b, json_text(ch, "headline.verdict"), c->k);
		buf_puts(c->b, "</td></tr>");
	}
	buf_puts(c->b, "</table></div></div>");
}

/* The text of the question a comment answers, from any questionnaire. */
static const char *question_text(const cJSON *doc, const char *id)
{
	const cJSON *q;

	cJSON_ArrayForEach(q, array_at(doc, "questionnaires"))
	{
		const cJSON *item = find_by_id(array_at(q, "items"), id);
		if (item)
			return json_text(item, "text");
	}
	return id;
}

static int comment_cmp(const void *a, const void *b)
{
	const Ranked *x = a, *y = b;
	int d = strcmp(json_text(y->entry, "date"), json_text(x->entry, "date"));

	return d ? d : x->order - y->order;
}

/* Links to the newer and the older comments: the document holds one page
 * of them, from comments.offset. */
static void comment_pages(Ctx *c, const cJSON *com, int offset, int shown)
{
	const char *more = c->links ? c->links->comments_more : NULL;
	int limit = small_int_at(com, "limit");
	bool newer = offset > 0, older = (double)offset + shown < json_number(com, "total");

	if (!more || (!newer && !older))
		return;
	if (limit <= 0)
		limit = shown > 0 ? shown : 50;
	buf_puts(c->b, "<nav class=\"x\">");
	if (newer) {
		buf_puts(c->b, "<a href=\"");
		buf_html(c->b, more);
		buf_printf(c->b, "comments_offset=%d#y-kien\">← Ý kiến mới hơn</a>",
			   offset > limit ? offset - limit : 0);
	}
	if (older) {
		buf_puts(c->b, "<a href=\"");
		buf_html(c->b, more);
		buf_printf(c->b, "comments_offset=%d#y-kien\">Xem thêm ý kiến →</a>", offset + shown);
	}
	buf_puts(c->b, "</nav>");
}

static void comments(Ctx *c)
{
	const cJSON *com = object_at(c->doc, "comments"), *list = array_at(com, "items"), *e;
	const char *query = c->links ? c->links->comments_query : NULL;
	int size = cJSON_GetArraySize(list), n = 0, offset = small_int_at(com, "offset");
	Ranked *r;

	if (!com)
		return;
	if (offset < 0)
		offset = 0;
	buf_puts(c->b, "<div class=\"card\" id=\"y-kien\"><h2>Ý kiến ghi thêm của phụ huynh</h2>");
	if (!is_true(com, "shown")) {
		buf_puts(c->b, "<p>Ý kiến ghi thêm không được hiển thị vì số phiếu ít hơn ngưỡng ");
		if (c->k > 0)
			buf_printf(c->b, "%d ", c->k);
		buf_puts(c->b, "phiếu: để không thể nhận ra người viết.</p></div>");
		return;
	}
	form_open(c);
	hidden(c->b, "from", json_text(c->doc, "scope.period.from"));
	hidden(c->b, "to", json_text(c->doc, "scope.period.to"));
	hidden(c->b, "campaign", json_text(c->doc, "scope.campaign.code"));
	buf_puts(c->b, "<label>Tìm trong ý kiến<input type=\"search\" name=\"q\" maxlength=\"200\" value=\"");
	buf_html(c->b, query);
	buf_puts(c->b, "\"></label><button type=\"submit\">Tìm</button></form>");
	if (query && *query) {
		buf_puts(c->b, "<p>Các ý kiến có “");
		buf_html(c->b, query);
		buf_puts(c->b, "”:</p>");
	}
	buf_puts(c->b, "<p class=\"s\">");
	fmt_count_at(c->b, com, "total");
	buf_puts(c->b, " ý kiến");
	if (size > 0)
		buf_printf(c->b, "; đang xem ý kiến thứ %d–%d, mới nhất trước", offset + 1,
			   offset + size);
	buf_puts(c->b, ".");
	if (c->links && c->links->comments_all && json_number(com, "total") > 0) {
		buf_puts(c->b, " ");
		link(c->b, c->links->comments_all, "Tải tất cả ý kiến (CSV)");
	}
	buf_puts(c->b, "</p>");
	if (size <= 0) {
		buf_puts(c->b, offset > 0 ? "<p>Không còn ý kiến nào sau đây.</p>"
					  : "<p>Không có ý kiến nào.</p>");
		comment_pages(c, com, offset, 0);
		buf_puts(c->b, "</div>");
		return;
	}
	r = calloc((size_t)size, sizeof *r);
	if (!r) {
		c->b->failed = true;
		buf_puts(c->b, "</div>");
		return;
	}
	cJSON_ArrayForEach(e, list)
	{
		if (n < size) {
			r[n].entry = e;
			r[n].order = n;
			n++;
		}
	}
	/* Newest first, whatever order the document came in. */
	qsort(r, (size_t)n, sizeof *r, comment_cmp);
	buf_puts(c->b, "<ul class=\"cm\">");
	for (int i = 0; i < n; i++) {
		e = r[i].entry;
		buf_puts(c->b, "<li><p class=\"ct\">");
		buf_html(c->b, json_text(e, "text"));
		buf_puts(c->b, "</p><p class=\"s\">");
		fmt_date(c->b, json_text(e, "date"));
		buf_puts(c->b, " · ");
		buf_html(c->b, json_text(e, "unit"));
		buf_puts(c->b, " · ");
		buf_html(c->b, question_text(c->doc, json_text(e, "question")));
		buf_puts(c->b, "</p></li>");
	}
	buf_puts(c->b, "</ul>");
	comment_pages(c, com, offset, n);
	buf_puts(c->b, "</div>");
	free(r);
}

/* Responses counted after a round's result was published: their number,
 * then the round's figures now, each section labelled.  The published
 * figures above stay as they were. */
static void amendment(Ctx *c)
{
	const cJSON *a = object_at(c->doc, "publication.amendment"), *q;

	if (!a)
		return;
	buf_puts(c->b, "<section class=\"card amd\"><h2>Bổ sung sau khi công bố</h2><p><strong>");
	fmt_count_at(c->b, a, "late_responses");
	buf_puts(c->b, " phiếu</strong> được tính sau khi kết quả được công bố lúc ");
	fmt_time(c->b, json_text(c->doc, "publication.taken_at"));
	buf_puts(c->b, " (phiếu giấy nhập sau khi đợt khảo sát kết thúc, hoặc phiếu gửi muộn); nay "
		    "đợt khảo sát có ");
	fmt_count_at(c->b, a, "responses");
	buf_puts(c->b, " phiếu.</p><p>Số liệu đã công bố ở trên giữ nguyên. Số liệu dưới đây là số "
		    "liệu hiện tại của đợt, gồm cả các phiếu này.</p><p class=\"s\">");
	if (json_text(a, "data_as_of")[0]) {
		buf_puts(c->b, "Số liệu tính đến ");
		fmt_time(c->b, json_text(a, "data_as_of"));
		buf_puts(c->b, ". ");
	}
	buf_puts(c->b, "Lập lúc ");
	fmt_time(c->b, json_text(a, "generated_at"));
	buf_puts(c->b, ".</p></section>");
	c->amendment = true;
	cJSON_ArrayForEach(q, array_at(a, "questionnaires"))
	{
		questionnaire(c, q);
	}
	c->amendment = false;
}

void page_report(Buf *b, const cJSON *report, const ReportPageLinks *links)
{
	Ctx c = {.b = b, .doc = report, .links = links,
		 .k = small_int_at(report, "scope.privacy_threshold")};
	const cJSON *q, *list = array_at(report, "questionnaires");

	if (c.k < 0)
		c.k = 0;
	head(b, "Báo cáo sự hài lòng — ", json_text(report, "scope.node.name"));
	buf_puts(b, "<body><main>");
	heading(&c);
	if (cJSON_GetArraySize(list) <= 0) {
		buf_puts(b, "<div class=\"card\"><p class=\"msg\">Chưa có phản hồi nào trong phạm vi và "
			    "khoảng thời gian này.</p><p class=\"s\">Hãy chọn khoảng thời gian khác ở trên, "
			    "hoặc kiểm tra các đợt khảo sát của đơn vị.</p></div>");
		amendment(&c);
		children(&c);
		buf_puts(b, "</main></body></html>");
		return;
	}
	rounds_summary(&c);
	cJSON_ArrayForEach(q, list)
	{
		questionnaire(&c, q);
	}
	amendment(&c);
	children(&c);
	comments(&c);
	buf_puts(b, "</main></body></html>");
}

/* ---- the notice-board summary ------------------------------------------------------ */

static void notice_figure(Buf *b, const char *label, const cJSON *rate, int k)
{
	const cJSON *target = number_at(rate, "target_percent");
	const char *verdict = json_text(rate, "verdict");

	buf_puts(b, "<div><p class=\"l1\">");
	buf_html(b, label);
	buf_puts(b, "</p><p><span class=\"big\">");
	fmt_percent(b, number_at(rate, "percent"));
	buf_printf(b, "</span> <strong class=\"%s\">", verdict_class(verdict));
	fmt_verdict(b, verdict, k);
	buf_puts(b, "</strong></p><p class=\"s\">Khoảng tin cậy 95 %: ");
	fmt_interval(b, rate);
	buf_puts(b, "</p>");
	if (target) {
		buf_puts(b, "<p class=\"s\">Mục tiêu: ≥ ");
		fmt_target(b, target->valuedouble);
		buf_puts(b, " %</p>");
	}
	buf_puts(b, "</div>");
}

/* The worst `rows` below-target criteria of q; returns how many were
 * left out. */
static int notice_below(Buf *b, const cJSON *q, int rows)
{
	int n, shown;
	Ranked *r = below_sorted(q, &n);

	if (!n) {
		buf_puts(b, "<p>Không có tiêu chí nào dưới mục tiêu.</p>");
		free(r);
		return 0;
	}
	shown = n < rows ? n : rows;
	buf_puts(b, "<table class=\"bt\"><tr><th class=\"c1\">TT</th><th>Tiêu chí dưới mục tiêu</th>"
		    "<th class=\"c3 n\">Tỉ lệ</th><th class=\"c4 n\">Chênh lệch</th></tr>");
	for (int i = 0; i < shown; i++) {
		const cJSON *e = r[i].entry;
		const cJSON *item = find_by_id(array_at(q, "items"), json_text(e, "id"));
		buf_printf(b, "<tr><td>%d</td><td class=\"t\">", i + 1);
		buf_html(b, item ? item_label(item) : json_text(e, "text"));
		buf_puts(b, "</td><td class=\"n\">");
		fmt_percent(b, number_at(e, "percent"));
		buf_puts(b, "</td><td class=\"n\">");
		fmt_points(b, number_at(e, "gap_points"));
		buf_puts(b, "</td></tr>");
	}
	buf_puts(b, "</table>");
	if (n > shown)
		buf_printf(b, "<p>và %d tiêu chí khác.</p>", n - shown);
	free(r);
	return n - shown;
}

/* On the notice sheet, under the published figures: how many responses
 * came after publication and each questionnaire's headline now. */
static void notice_amendment(Buf *b, const cJSON *report, int k)
{
	const cJSON *a = object_at(report, "publication.amendment"), *q;
	int index = 0;

	if (!a)
		return;
	buf_puts(b, "<div class=\"amd\"><p><strong>Bổ sung sau khi công bố:</strong> ");
	fmt_count_at(b, a, "late_responses");
	buf_puts(b, " phiếu được tính sau khi công bố (nay có ");
	fmt_count_at(b, a, "responses");
	buf_puts(b, " phiếu). Kết quả trên giữ nguyên như đã công bố.</p>");
	cJSON_ArrayForEach(q, array_at(a, "questionnaires"))
	{
		const cJSON *rate = object_at(q, "headline.rate");
		if (index++ >= NOTICE_FORMS)
			break;
		buf_puts(b, "<p class=\"l1\">Hiện nay — ");
		buf_html(b, *json_text(q, "headline.label") ? json_text(q, "headline.label")
							     : "Kết quả chung");
		buf_puts(b, ": <strong>");
		fmt_percent(b, number_at(rate, "percent"));
		buf_printf(b, "</strong> <span class=\"%s\">", verdict_class(json_text(rate, "verdict")));
		fmt_verdict(b, json_text(rate, "verdict"), k);
		buf_puts(b, "</span></p>");
	}
	buf_puts(b, "</div>");
}

void page_report_notice(Buf *b, const cJSON *report)
{
	const cJSON *list = array_at(report, "questionnaires"), *q, *anc, *parent = NULL;
	const char *name = json_text(report, "scope.node.name");
	int k = small_int_at(report, "scope.privacy_threshold"), nforms, index = 0, rows;

	if (k < 0)
		k = 0;
	nforms = cJSON_GetArraySize(list);
	cJSON_ArrayForEach(anc, array_at(report, "scope.ancestors"))
	{
		parent = anc;
	}
	head(b, "Công khai kết quả khảo sát — ", name);
	buf_puts(b, "<body class=\"nb\"><p class=\"scr\">Bấm Ctrl+P (hoặc In) để in trên một tờ giấy "
		    "A4, tỉ lệ 100%, không in đầu trang và chân trang.</p><div class=\"sheet\">"
		    "<div class=\"nh\"><div><p class=\"up cl\">");
	buf_html(b, json_text(parent, "name"));
	buf_puts(b, "</p><p class=\"up cl\"><strong>");
	buf_html(b, *name ? name : json_text(report, "scope.node.code"));
	buf_puts(b, "</strong></p></div><div><p class=\"up\"><strong>Cộng hòa xã hội chủ nghĩa Việt Nam</strong></p>"
		    "<p><strong>Độc lập – Tự do – Hạnh phúc</strong></p></div></div>"
		    "<p class=\"nt\">CÔNG KHAI KẾT QUẢ KHẢO SÁT SỰ HÀI LÒNG CỦA CHA MẸ HỌC SINH</p>"
		    "<p class=\"np cl\">Từ ngày ");
	fmt_date(b, json_text(report, "scope.period.from"));
	buf_puts(b, " đến ngày ");
	fmt_date(b, json_text(report, "scope.period.to"));
	if (*json_text(report, "scope.campaign.title")) {
		buf_puts(b, " — ");
		buf_html(b, json_text(report, "scope.campaign.title"));
	}
	buf_puts(b, "</p><p>Số phiếu trả lời: <strong>");
	fmt_count_at(b, report, "rounds.responses");
	buf_puts(b, "</strong>");
	if (number_at(report, "rounds.response_rate.denominator")) {
		buf_puts(b, " trên ");
		fmt_count_at(b, report, "rounds.response_rate.denominator");
		buf_puts(b, " phụ huynh được mời (tỉ lệ phản hồi <strong>");
		fmt_percent(b, number_at(report, "rounds.response_rate.percent"));
		buf_puts(b, "</strong>)");
	}
	buf_puts(b, "; số đợt khảo sát: ");
	fmt_count_at(b, report, "rounds.count");
	buf_puts(b, ".</p>");
	if (object_at(report, "publication")) {
		buf_puts(b, "<p>Kết quả công bố lúc ");
		fmt_time(b, json_text(report, "publication.taken_at"));
		buf_puts(b, ".</p>");
	}
	if (nforms <= 0)
		buf_puts(b, "<p class=\"msg\">Chưa có phản hồi nào trong phạm vi và khoảng thời gian "
			    "này.</p>");
	/* One page: the rows are shared among the questionnaires shown, and
	 * the line naming the ones left out takes a row's place.  The budget
	 * is for the worst case, checked on paper by tests/integration/
	 * test_report_print.py (300-character names, every criterion below
	 * target, and DejaVu Sans, the widest font of the list, as on a
	 * machine without Arial or Liberation Sans). */
	rows = nforms > NOTICE_FORMS ? NOTICE_ROWS_MORE : nforms > 1 ? NOTICE_ROWS_EACH : NOTICE_ROWS;
	buf_puts(b, "<div class=\"nbody\">");
	cJSON_ArrayForEach(q, list)
	{
		const cJSON *oq = object_at(q, "overall_question");
		if (index++ >= NOTICE_FORMS)
			break;
		buf_puts(b, "<h2 class=\"l1\">");
		buf_html(b, *json_text(q, "form.title") ? json_text(q, "form.title") : json_text(q, "form.id"));
		buf_puts(b, " <span class=\"s\">(");
		fmt_count_at(b, q, "responses");
		buf_puts(b, " phiếu)</span></h2>");
		if (is_suppressed(q)) {
			buf_puts(b, "<p>Có ");
			fmt_count_at(b, q, "responses");
			buf_puts(b, " phiếu trả lời, ít hơn ngưỡng ");
			if (k > 0)
				buf_printf(b, "%d ", k);
			buf_puts(b, "phiếu: để không thể nhận ra ý kiến của từng phụ huynh, kết quả không "
				    "được công bố.</p>");
			continue;
		}
		buf_puts(b, "<div class=\"nq\">");
		notice_figure(b, *json_text(q, "headline.label") ? json_text(q, "headline.label")
								  : "Kết quả chung",
			      object_at(q, "headline.rate"), k);
		if (oq && strcmp(json_text(q, "method.headline"), "overall-question") != 0)
			notice_figure(b, "Câu hỏi hài lòng chung", object_at(oq, "rate"), k);
		buf_puts(b, "</div>");
		notice_below(b, q, rows);
	}
	if (nforms > NOTICE_FORMS)
		buf_printf(b, "<p>và %d phiếu khảo sát khác (xem báo cáo đầy đủ).</p>",
			   nforms - NOTICE_FORMS);
	buf_puts(b, "</div>");
	/* Outside the part that may be cut: an amendment is never hidden. */
	notice_amendment(b, report, k);
	buf_puts(b, "<h2>Biện pháp cải tiến của nhà trường</h2><div class=\"ruled\">");
	for (int i = 0; i < NOTICE_LINES; i++)
		buf_puts(b, "<div></div>");
	buf_puts(b, "</div><div class=\"sig\"><div><p><em>…………, ngày …… tháng …… năm ……</em></p>"
		    "<p><strong>Hiệu trưởng</strong></p><p class=\"s\"><em>(Ký, ghi rõ họ tên, đóng dấu)</em></p>"
		    "</div></div></div></body></html>");
}
