#include "page_print.h"

#include <string.h>

#include "codes.h"
#include "page.h"
#include "qr.h"

/*
 * Print first, screen second.  Sizes are in mm/pt so that what leaves the
 * printer at 100 % scale matches what was measured: the poster QR is 13 cm
 * (readable from a few metres at a meeting), slip QRs 3.3 cm and the paper
 * questionnaire's 2.6 cm (still about 0.7 mm a module for a 37-module code,
 * which phones and zbarimg at 300 dpi read).  Fonts are the ones every
 * school PC and Linux desktop has with Vietnamese glyphs.  Colours are kept
 * to black and light grey: most schools print in black and white.
 */
const char PRINT_STYLE[] =
	"@page{size:A4;margin:10mm}"
	"*{box-sizing:border-box}"
	"html{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"body{margin:0;color:#000;background:#fff;"
	"font:10pt/1.3 Arial,'Liberation Sans','Noto Sans','DejaVu Sans',sans-serif}"
	"h1,h2,p,ol,ul{margin:0}"
	".scr{font-size:12pt;background:#fff4e5;border-left:4px solid #e69500;padding:8px 12px}"
	"@media print{.scr{display:none}}"
	"@media screen{body{background:#e3e6ea;padding:12px}"
	".scr,.poster,.sheet,.paper,.page{width:210mm;margin:0 auto 12px}"
	".poster,.sheet,.paper,.page{padding:10mm;background:#fff;"
	"box-shadow:0 1px 4px rgba(0,0,0,.3)}}"
	".poster,.sheet,.paper,.page{break-after:page}"
	".poster:last-child,.sheet:last-child,.paper:last-child,.page:last-child{break-after:auto}"
	".code{font:700 13pt/1.2 'DejaVu Sans Mono','Liberation Mono','Noto Sans Mono',"
	"'Courier New',monospace;white-space:nowrap}"
	".lb{font-size:8pt}"
	".qx{font-size:8pt;overflow-wrap:anywhere;border:.3mm solid #000;padding:1mm}"
	/* poster */
	".poster{text-align:center}"
	".poster .sc{font-size:17pt;font-weight:700}"
	".poster h1{font-size:24pt;line-height:1.2;margin:2mm 0 5mm}"
	".qp svg{display:block;width:130mm;height:130mm;margin:0 auto}"
	".steps{text-align:left;font-size:16pt;line-height:1.35;margin:5mm auto 4mm;"
	"padding-left:10mm;max-width:175mm}"
	".steps li{margin:0 0 2mm}"
	".type{font-size:13pt}"
	".url{font-size:26pt;font-weight:700;overflow-wrap:anywhere;margin:0 0 4mm}"
	".due{font-size:16pt;font-weight:700}"
	".anon{font-size:13pt;margin-top:2mm}"
	/* slips: 2 x 4 cells of 95 x 69 mm, cut along the dashed lines */
	".grid{display:grid;grid-template-columns:1fr 1fr;grid-template-rows:repeat(4,1fr);"
	"height:276mm;border-top:.3mm dashed #666;border-left:.3mm dashed #666}"
	".slip{border-right:.3mm dashed #666;border-bottom:.3mm dashed #666;padding:4mm 5mm;"
	"overflow:hidden;display:flex;flex-direction:column;font-size:9pt}"
	".slip .sc{font-weight:700;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}"
	".slip .st{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;"
	"overflow:hidden}"
	".sb{display:flex;gap:4mm;align-items:center;flex:1;min-height:0}"
	".qs{flex:none}"
	".qs svg{display:block;width:33mm;height:33mm}"
	".si{min-width:0}"
	".sl{overflow-wrap:anywhere;margin-top:1.5mm}"
	".once{font-weight:700;margin-top:1mm}"
	/* paper questionnaire */
	".paper{font-size:9.5pt}"
	".pw{width:100%;border-collapse:collapse}"
	".pw>thead>tr>td,.pw>tbody>tr>td{padding:0}"
	".run{font-size:7.5pt;text-align:right;padding-bottom:1mm}"
	".ph{display:flex;gap:4mm;align-items:center;border-bottom:.4mm solid #000;"
	"padding-bottom:2mm;margin-bottom:2mm}"
	".pt{flex:1}"
	".pt .sc{font-weight:700}"
	".pt h1{font-size:13pt;line-height:1.2}"
	".pc{border:.5mm solid #000;padding:1.5mm 3mm;text-align:center}"
	".pc .code{font-size:14pt}"
	".pq svg{display:block;width:26mm;height:26mm}"
	".ins{font-size:8.5pt;margin:0 0 2mm;padding-left:5mm}"
	".paper h2{font-size:11pt;margin:3mm 0 1mm}"
	".g{width:100%;border-collapse:collapse;table-layout:fixed;margin:0 0 2mm}"
	".g th,.g td{border:.2mm solid #555;padding:.5mm 1mm;vertical-align:middle}"
	".g tr{break-inside:avoid}"
	".g .el{text-align:left;background:#e4e4e4;font-size:10pt}"
	".hd th{font-weight:400;font-size:7pt;line-height:1.1;text-align:center}"
	".hd b{display:block;font-size:10pt}"
	".hd .t{text-align:left}"
	".cn{width:8mm}.co{width:14mm}.k .co{width:10mm}.cz{width:11mm}"
	".g td.n{text-align:center;font-weight:700}"
	".g td.c{text-align:center}"
	".g td.x{background:#d4d4d4}"
	".bx{display:inline-block;width:4mm;height:4mm;border:.3mm solid #000;background:#fff;"
	"vertical-align:middle}"
	".h{display:block;font-size:8pt;font-style:italic}"
	".q{break-inside:avoid;margin:2mm 0}"
	".ch{list-style:none;padding:0;margin:1mm 0 0 8mm}"
	".ch li{display:inline-block;margin:0 6mm 1mm 0}"
	".ch .bx{margin-right:1mm}"
	".ln{border-bottom:.2mm solid #666;height:7mm}"
	".end{margin-top:3mm;font-style:italic}";

/* What parents type: the scheme is noise on paper and browsers add it. */
static const char *typed_base(const char *base_url)
{
	if (!strncmp(base_url, "https://", 8))
		return base_url + 8;
	if (!strncmp(base_url, "http://", 7))
		return base_url + 7;
	return base_url;
}

static const char *text_or_empty(const char *text)
{
	return text ? text : "";
}

static void head(Buf *b, const char *kind, const PrintRound *round)
{
	page_head_open(b, NULL);
	buf_puts(b, "<title>");
	buf_puts(b, kind);
	buf_puts(b, " — ");
	buf_html(b, round->title);
	buf_puts(b, "</title><style>");
	buf_puts(b, PRINT_STYLE);
	buf_puts(b, "</style></head><body><p class=\"scr\">Bấm Ctrl+P (hoặc In) để in trên giấy A4, "
		    "tỉ lệ 100%, không in đầu trang và chân trang.</p>");
}

static void foot(Buf *b)
{
	buf_puts(b, "</body></html>");
}

/* Appends the QR code of base_url/s/code inside <div class="cls">, or, when
 * the link does not fit in a QR code (an absurd base_url), the link as text
 * so the sheet is still usable. */
static void link_qr(Buf *b, const PrintRound *round, const char *code, const char *cls)
{
	Buf url;

	buf_init(&url, 128);
	buf_printf(&url, "%s/s/%s", text_or_empty(round->base_url), text_or_empty(code));
	buf_printf(b, "<div class=\"%s\">", cls);
	if (url.failed) {
		b->failed = true;
	} else if (qr_svg(url.data, 0, b) != QR_OK) {
		buf_puts(b, "<p class=\"qx\">");
		buf_html(b, url.data);
		buf_puts(b, "</p>");
	}
	buf_puts(b, "</div>");
	buf_free(&url);
}

static void closes_line(Buf *b, const char *cls, const PrintRound *round)
{
	if (!round->closes)
		return;
	buf_printf(b, "<p class=\"%s\">Hạn trả lời: ", cls);
	buf_html(b, round->closes);
	buf_puts(b, "</p>");
}

/* ---- poster --------------------------------------------------------------- */

void print_poster(Buf *b, const PrintRound *round)
{
	head(b, "Áp phích", round);
	buf_puts(b, "<div class=\"poster\"><p class=\"sc\">");
	buf_html(b, round->school);
	buf_puts(b, "</p><h1>");
	buf_html(b, round->title);
	buf_puts(b, "</h1>");
	link_qr(b, round, round->code, "qp");
	buf_puts(b, "<ol class=\"steps\">"
		    "<li>Mở camera điện thoại hoặc Zalo, quét mã QR.</li>"
		    "<li>Trả lời các câu hỏi (khoảng 5 phút), không cần ghi tên.</li>"
		    "<li>Bấm “Gửi ý kiến” và chờ chữ “Cảm ơn”.</li></ol>"
		    "<p class=\"type\">Không quét được mã? Mở trình duyệt và gõ địa chỉ:</p>"
		    "<p class=\"url\">");
	buf_html(b, typed_base(text_or_empty(round->base_url)));
	buf_puts(b, "/s/");
	buf_html(b, round->code);
	buf_puts(b, "</p>");
	closes_line(b, "due", round);
	buf_puts(b, "<p class=\"anon\">Ý kiến được gửi ẩn danh: không ghi tên, không gắn với số "
		    "điện thoại hay thiết bị của Ông/Bà.</p></div>");
	foot(b);
}

/* ---- slips ---------------------------------------------------------------- */

enum { SLIPS_PER_PAGE = 8 };

static void slip(Buf *b, const PrintRound *round, const char *code)
{
	char pretty[2 * CODE_MAX_INPUT];

	code_pretty(text_or_empty(code), pretty, sizeof pretty);
	buf_puts(b, "<div class=\"slip\"><p class=\"sc\">");
	buf_html(b, round->school);
	buf_puts(b, "</p><p class=\"st\">");
	buf_html(b, round->title);
	buf_puts(b, "</p><div class=\"sb\">");
	link_qr(b, round, code, "qs");
	buf_puts(b, "<div class=\"si\"><p class=\"lb\">Mã phiếu</p><p class=\"code\">");
	buf_html(b, pretty);
	buf_puts(b, "</p><p class=\"sl\">Không quét được mã? Gõ địa chỉ <b>");
	buf_html(b, typed_base(text_or_empty(round->base_url)));
	buf_puts(b, "/s/</b> rồi mã phiếu.</p></div></div>"
		    "<p class=\"once\">Mỗi phiếu chỉ dùng được một lần.</p>");
	closes_line(b, "sd", round);
	buf_puts(b, "</div>");
}

void print_slips(Buf *b, const PrintRound *round, const char *const *codes, int ncodes)
{
	head(b, "Phiếu mã QR", round);
	if (ncodes <= 0) {
		buf_puts(b, "<div class=\"page\"><h1>");
		buf_html(b, round->title);
		buf_puts(b, "</h1><p>Lô này không có phiếu nào để in.</p></div>");
		foot(b);
		return;
	}
	for (int i = 0; i < ncodes; i++) {
		if (i % SLIPS_PER_PAGE == 0)
			buf_puts(b, "<div class=\"sheet\"><div class=\"grid\">");
		slip(b, round, codes[i]);
		if (i % SLIPS_PER_PAGE == SLIPS_PER_PAGE - 1 || i == ncodes - 1)
			buf_puts(b, "</div></div>");
	}
	foot(b);
}

/* ---- paper questionnaire -------------------------------------------------- */

/* Items answered by ticking one box in a row of a table. */
static bool is_rating(const Form *form, const FormItem *item)
{
	ScaleType type;

	if (item->answer_index < 0)
		return false;
	type = form->scales[item->scale].type;
	return type == SCALE_ORDINAL || type == SCALE_YES_NO;
}

/* Items from start on that share one table: rating items in a row with the
 * same scale and parent, and one label for their no-opinion column.  Returns
 * the index after the last; *no_label is that label, or NULL when no item
 * of the run offers no-opinion. */
static int run_end(const Form *form, int start, const char **no_label)
{
	const FormItem *first = &form->items[start];
	int k;

	*no_label = NULL;
	for (k = start; k < form->nitems; k++) {
		const FormItem *item = &form->items[k];
		if (!is_rating(form, item) || item->scale != first->scale ||
		    item->parent != first->parent)
			break;
		if (item->no_opinion && *no_label && strcmp(*no_label, item->no_opinion_label))
			break;
		if (item->no_opinion)
			*no_label = item->no_opinion_label;
	}
	return k;
}

/* Option k of the scale in printed order (page.c's order: ordinal scales
 * follow the form's display_order, others their file order). */
static const FormOption *option_at(const Form *form, const FormScale *scale, int k)
{
	bool reverse = scale->type == SCALE_ORDINAL && form->display_descending;

	return &scale->options[reverse ? scale->noptions - 1 - k : k];
}

static bool is_default_no_label(const char *label)
{
	return !strcmp(label, "Không ý kiến");
}

/* The column headings: each option's value (what staff key in) over its
 * label; 0 for no-opinion, the key the entry page takes for it. */
static void table_head(Buf *b, const Form *form, const FormScale *scale, const char *title,
		       const char *no_label)
{
	int ncols = 2 + scale->noptions + (no_label != NULL);

	buf_puts(b, "<colgroup><col class=\"cn\"><col>");
	for (int k = 0; k < scale->noptions; k++)
		buf_puts(b, "<col class=\"co\">");
	if (no_label)
		buf_puts(b, "<col class=\"cz\">");
	buf_puts(b, "</colgroup><thead>");
	if (title) {
		buf_printf(b, "<tr><th class=\"el\" colspan=\"%d\">", ncols);
		buf_html(b, title);
		buf_puts(b, "</th></tr>");
	}
	buf_puts(b, "<tr class=\"hd\"><th>Câu</th><th class=\"t\">Nội dung</th>");
	for (int k = 0; k < scale->noptions; k++) {
		const FormOption *o = option_at(form, scale, k);
		buf_printf(b, "<th><b>%d</b>", o->value);
		buf_html(b, o->label);
		buf_puts(b, "</th>");
	}
	if (no_label) {
		buf_puts(b, "<th class=\"z\"><b>0</b>");
		buf_html(b, is_default_no_label(no_label) ? "KYK" : no_label);
		buf_puts(b, "</th>");
	}
	buf_puts(b, "</tr></thead>");
}

static void rating_row(Buf *b, const FormItem *item, const FormScale *scale, bool no_column)
{
	buf_printf(b, "<tr><td class=\"n\">%d</td><td>", item->answer_index + 1);
	buf_html(b, item->text);
	if (item->help) {
		buf_puts(b, "<span class=\"h\">");
		buf_html(b, item->help);
		buf_puts(b, "</span>");
	}
	buf_puts(b, "</td>");
	for (int k = 0; k < scale->noptions; k++)
		buf_puts(b, "<td class=\"c\"><span class=\"bx\"></span></td>");
	/* A shaded cell where the column exists but this item does not allow
	 * it, so nobody ticks an answer that cannot be keyed. */
	if (no_column && item->no_opinion)
		buf_puts(b, "<td class=\"c\"><span class=\"bx z\"></span></td>");
	else if (no_column)
		buf_puts(b, "<td class=\"x\"></td>");
	buf_puts(b, "</tr>");
}

static void rating_table(Buf *b, const Form *form, int start, int end, const char *title,
			 const char *no_label)
{
	const FormScale *scale = &form->scales[form->items[start].scale];

	/* Long scales (a 10-point rating) get narrower columns. */
	buf_printf(b, "<table class=\"g%s\">", scale->noptions > 6 ? " k" : "");
	table_head(b, form, scale, title, no_label);
	buf_puts(b, "<tbody>");
	for (int k = start; k < end; k++)
		rating_row(b, &form->items[k], scale, no_label != NULL);
	buf_puts(b, "</tbody></table>");
}

static void question_text(Buf *b, const FormItem *item, const char *hint)
{
	buf_printf(b, "<p><b>%d.</b> ", item->answer_index + 1);
	buf_html(b, item->text);
	if (hint)
		buf_printf(b, " <i>(%s)</i>", hint);
	if (item->help) {
		buf_puts(b, "<span class=\"h\">");
		buf_html(b, item->help);
		buf_puts(b, "</span>");
	}
	buf_puts(b, "</p>");
}

/* Single and multiple choice: a box and the value to key per option. */
static void choice_question(Buf *b, const Form *form, const FormItem *item)
{
	const FormScale *scale = &form->scales[item->scale];
	bool multi = scale->type == SCALE_MULTI;

	buf_puts(b, "<div class=\"q\">");
	question_text(b, item, multi ? "có thể chọn nhiều ô" : "chọn một ô");
	buf_puts(b, "<ul class=\"ch\">");
	for (int k = 0; k < scale->noptions; k++) {
		const FormOption *o = option_at(form, scale, k);
		buf_printf(b, "<li><span class=\"bx\"></span><b>%d</b> ", o->value);
		buf_html(b, o->label);
		buf_puts(b, "</li>");
	}
	if (item->no_opinion) {
		buf_puts(b, "<li><span class=\"bx z\"></span><b>0</b> ");
		buf_html(b, item->no_opinion_label);
		buf_puts(b, "</li>");
	}
	buf_puts(b, "</ul></div>");
}

static void text_question(Buf *b, const FormItem *item)
{
	buf_puts(b, "<div class=\"q\">");
	question_text(b, item, NULL);
	buf_puts(b, "<div class=\"ln\"></div><div class=\"ln\"></div><div class=\"ln\"></div></div>");
}

/* The items in document order: groups as headings, each element's title on
 * top of its first table, rating items in tables, other questions as lists
 * or ruled lines. */
static void paper_items(Buf *b, const Form *form)
{
	const char *title = NULL;

	for (int k = 0; k < form->nitems;) {
		const FormItem *item = &form->items[k];
		const char *no_label;
		int end;

		if (item->kind == ITEM_GROUP) {
			buf_puts(b, "<h2>");
			buf_html(b, item->text);
			buf_puts(b, "</h2>");
			k++;
		} else if (item->kind == ITEM_ELEMENT) {
			title = item->text;
			k++;
		} else if (is_rating(form, item)) {
			end = run_end(form, k, &no_label);
			rating_table(b, form, k, end, title, no_label);
			title = NULL;
			k = end;
		} else if (form->scales[item->scale].type == SCALE_TEXT) {
			text_question(b, item);
			k++;
		} else {
			choice_question(b, form, item);
			k++;
		}
	}
}

/* Explains the 0 column, for forms that have one: "KYK" when every item
 * uses the default label, else the column heads say what 0 means. */
static void no_opinion_hint(Buf *b, const Form *form)
{
	bool any = false, custom = false;

	for (int k = 0; k < form->nitems; k++) {
		const FormItem *item = &form->items[k];
		if (!item->no_opinion)
			continue;
		any = true;
		custom |= !is_default_no_label(item->no_opinion_label);
	}
	if (custom)
		buf_puts(b, "<li>Cột <b>0</b> (KYK = không ý kiến, hoặc như ghi ở đầu cột) chỉ có ở "
			    "những câu cho phép.</li>");
	else if (any)
		buf_puts(b, "<li>Cột <b>0 (KYK)</b> = không ý kiến, chỉ có ở những câu cho phép.</li>");
}

static void paper_header(Buf *b, const PrintRound *round, const Form *form, const char *code,
			 const char *pretty)
{
	buf_puts(b, "<header class=\"ph\"><div class=\"pt\"><p class=\"sc\">");
	buf_html(b, round->school);
	buf_puts(b, "</p><h1>");
	buf_html(b, round->title);
	buf_puts(b, "</h1><p>");
	buf_html(b, form->title);
	buf_puts(b, "</p></div><div class=\"pc\"><p class=\"lb\">Mã phiếu</p><p class=\"code\">");
	buf_html(b, pretty);
	buf_puts(b, "</p></div>");
	link_qr(b, round, code, "pq");
	buf_puts(b, "</header>");
	if (form->intro) {
		buf_puts(b, "<p class=\"ins\">");
		buf_html(b, form->intro);
		buf_puts(b, "</p>");
	}
	buf_puts(b, "<ul class=\"ins\">"
		    "<li>Mỗi dòng, đánh dấu ✗ vào <b>một</b> ô. Muốn sửa: tô kín ô đã đánh dấu "
		    "rồi đánh dấu ô khác.</li>");
	no_opinion_hint(b, form);
	buf_puts(b, "<li>Có điện thoại? Quét mã QR ở trên để trả lời trực tuyến thay cho phiếu này. "
		    "Phiếu đã trả lời trực tuyến thì bản giấy không được tính nữa.</li></ul>");
}

/* One questionnaire.  It sits in a one-cell table whose head the browser
 * repeats on every printed page, so a loose second sheet still carries the
 * code that staff key in with its answers. */
static void paper(Buf *b, const PrintRound *round, const Form *form, const char *code)
{
	char pretty[2 * CODE_MAX_INPUT];

	code_pretty(text_or_empty(code), pretty, sizeof pretty);
	buf_puts(b, "<div class=\"paper\"><table class=\"pw\"><thead><tr><td><p class=\"run\">"
		    "Mã phiếu <b>");
	buf_html(b, pretty);
	buf_puts(b, "</b> · ");
	buf_html(b, round->school);
	buf_puts(b, "</p></td></tr></thead><tbody><tr><td>");
	paper_header(b, round, form, code, pretty);
	paper_items(b, form);
	buf_puts(b, "<p class=\"end\">Xin cảm ơn Ông/Bà! Phiếu không ghi tên; xin gửi lại phiếu "
		    "cho nhà trường");
	if (round->closes) {
		buf_puts(b, " trước ");
		buf_html(b, round->closes);
	}
	buf_puts(b, ".</p></td></tr></tbody></table></div>");
}

void print_paper(Buf *b, const PrintRound *round, const Form *form, const char *const *codes,
		 int ncodes)
{
	head(b, "Phiếu giấy", round);
	if (ncodes <= 0) {
		buf_puts(b, "<div class=\"page\"><h1>");
		buf_html(b, round->title);
		buf_puts(b, "</h1><p>Lô này không có phiếu nào để in.</p></div>");
	}
	for (int i = 0; i < ncodes; i++)
		paper(b, round, form, codes[i]);
	foot(b);
}
