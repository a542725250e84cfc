#include "page_staff.h"

#include <stdio.h>
#include <string.h>

#include "codes.h"
#include "jsonpath.h"
#include "page.h"
#include "page_report.h"

/* Desktop first but usable at 360 px: staff use school laptops and their
 * phones.  System fonts only. */
const char STAFF_STYLE[] =
	"*{box-sizing:border-box}"
	"body{margin:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
	"color:#1a1a1a;background:#f4f6f8}"
	"main{max-width:60rem;margin:0 auto;padding:12px}"
	".card{background:#fff;border-radius:10px;padding:14px;margin:0 0 12px;"
	"box-shadow:0 1px 2px rgba(0,0,0,.08)}"
	"h1{font-size:1.3rem;margin:.2rem 0}h2{font-size:1.1rem;margin:0 0 8px;color:#0b4f8a}"
	".s{color:#555;margin:0}"
	".kpi{display:flex;flex-wrap:wrap;gap:10px}"
	".kpi div{flex:1 1 9rem;background:#eef4fa;border-radius:8px;padding:10px}"
	".kpi b{display:block;font-size:1.6rem}"
	"meter{width:100%;height:14px}"
	"table{border-collapse:collapse;width:100%}"
	"th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e8ee;vertical-align:top}"
	"a{color:#0b63b6}"
	"button{font:inherit;font-weight:700;color:#fff;background:#0b63b6;border:0;"
	"border-radius:8px;padding:10px 16px;min-height:44px;cursor:pointer}"
	"button.warn{background:#a33}"
	"input,textarea{font:inherit;padding:6px 8px;border:1px solid #aab4bf;border-radius:6px}"
	"textarea{width:100%;min-height:4rem}"
	".row{display:flex;flex-wrap:wrap;gap:8px;align-items:center}"
	".ok{background:#e7f6ea;border-left:4px solid #2e7d32;padding:10px;border-radius:8px;"
	"margin:0 0 12px}"
	".err{background:#fdecee;border-left:4px solid #b00020;padding:10px;border-radius:8px;"
	"margin:0 0 12px}"
	".e{color:#b00020;font-weight:600}"
	".q td:first-child{width:3rem;color:#555}"
	".q input{width:3.2rem;text-align:center;font-size:1.2rem;font-weight:700}"
	".q input.multi{width:6rem}"
	".q input.bad{outline:3px solid #b00020}"
	".k{color:#555;font-size:.85rem;white-space:nowrap}"
	".slip input{font-size:1.3rem;letter-spacing:.08em;width:14rem;text-transform:uppercase}"
	"tr.el td{background:#eef4fa;font-weight:600}"
	/* The admins' pages (page_admin.c): navigation, stacked forms, lists
	 * that wrap instead of scrolling sideways at 360 px. */
	".nav{display:flex;flex-wrap:wrap;gap:4px 16px;align-items:center;margin:0 0 12px}"
	".nav a{padding:8px 0}.nav [aria-current]{font-weight:700;color:#1a1a1a;text-decoration:none}"
	".f label{display:block;font-weight:600;margin:12px 0 4px}"
	".f input,.f select{display:block;width:100%;max-width:28rem;min-height:44px}"
	".f .s,.f .e{display:block;font-size:.9rem}"
	"select{font:inherit;padding:6px 8px;border:1px solid #aab4bf;border-radius:6px;"
	"background:#fff;color:inherit;max-width:100%}"
	".grid{display:flex;flex-wrap:wrap;gap:0 14px;align-items:flex-end}"
	".grid>div{flex:1 1 12rem}"
	".list,.rl{list-style:none;margin:0;padding:0}"
	".list li,.rl li{border-bottom:1px solid #e3e8ee;padding:10px 0;overflow-wrap:anywhere}"
	".list p{margin:0 0 6px}"
	".tag{display:inline-block;font-size:.85rem;padding:0 6px;border-radius:4px;"
	"background:#eef4fa}.tag.off{background:#fdecee;color:#8a0018}"
	"button.sec{background:#fff;color:#0b63b6;border:1px solid #0b63b6}"
	"summary{cursor:pointer;color:#0b63b6;padding:10px 0;min-height:44px}"
	".secret{font:1.05rem/1.5 ui-monospace,Consolas,monospace;overflow-wrap:anywhere;"
	"background:#fff8e1;border:1px dashed #e69500;padding:10px;border-radius:6px}"
	".d{font-size:.85rem;color:#555;overflow-wrap:anywhere}"
	".err ul{margin:4px 0 0;padding-left:1.2rem}"
	".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
	"white-space:nowrap}"
	":focus-visible{outline:3px solid #f0b400;outline-offset:2px}"
	/* The round form, the round list and the start page (lists and the
	 * navigation are shared with the admins' pages above). */
	".fm label,.fm legend{display:block;font-weight:600;margin:14px 0 4px;padding:0}"
	".fm fieldset{border:0;margin:0;padding:0;min-width:0}"
	".fm legend{color:#0b4f8a;margin-top:18px}"
	".fm .w{width:100%;max-width:32rem}"
	".fm .n{width:9rem}"
	".fm .h{color:#555;font-size:.9rem;margin:2px 0 0}"
	".fm .ch label{display:inline;font-weight:400;margin:0 0 0 6px}"
	".fm .ch{margin:8px 0}"
	".dt{display:flex;flex-wrap:wrap;gap:8px}"
	"[aria-invalid=true]{border:2px solid #b00020}"
	"a.btn{display:inline-block;font-weight:700;color:#fff;background:#0b63b6;"
	"border-radius:8px;padding:10px 16px;text-decoration:none}"
	"h1,h2,p{overflow-wrap:anywhere}";

/* Paper entry at typing speed: a valid key in an answer field moves to the
 * next field; Enter moves on instead of sending; a second click on Save
 * does nothing while the first is on its way. */
const char STAFF_SCRIPT[] =
	"(function(){var f=document.getElementById('pe');if(!f)return;"
	"var els=[].slice.call(f.querySelectorAll('input[name],textarea,button'))"
	".filter(function(e){return e.type!='hidden'});"
	"function next(e){var i=els.indexOf(e);if(i>=0&&i+1<els.length){els[i+1].focus();"
	"if(els[i+1].select)els[i+1].select()}}"
	"f.addEventListener('input',function(ev){var e=ev.target,k=e.getAttribute('data-k');"
	"if(!k)return;var v=e.value.trim();if(v===''){e.classList.remove('bad');return}"
	"if(e.classList.contains('multi')){e.classList.remove('bad');return}"
	"if(k.split(' ').indexOf(v)>=0){e.classList.remove('bad');next(e)}else e.classList.add('bad')});"
	"f.addEventListener('keydown',function(ev){var t=ev.target.tagName;"
	"if(ev.key=='Enter'&&t!='TEXTAREA'&&t!='BUTTON'){ev.preventDefault();next(ev.target)}});"
	"var sent=0;f.addEventListener('submit',function(ev){if(sent)ev.preventDefault();sent=1})"
	"})();"
	/* Staff forms (rounds, accounts, tokens: form[data-draft]) keep what is
	 * typed in the tab's sessionStorage, passwords never: when the session
	 * ran out while typing, the sign-in comes between, and the form opened
	 * again (data-restore="1") is filled as it was.  A page saying a change
	 * was saved (data-draft-clear) clears every draft.  A form sent back
	 * with errors puts the focus on its error summary, read out first.  One
	 * click sends a form once; the back button brings it back usable. */
	"(function(){var s;try{s=window.sessionStorage;s.length}catch(e){s=null}"
	"if(s&&document.querySelector('[data-draft-clear]'))"
	"for(var i=s.length-1;i>=0;i--){var k=s.key(i);if(k&&k.indexOf('hl-draft:')==0)s.removeItem(k)}"
	"var l=document.getElementById('loi');if(l)l.focus();"
	"[].forEach.call(document.querySelectorAll('form[data-draft]'),function(f){"
	"var key='hl-draft:'+f.getAttribute('data-draft'),sent=0;"
	"function els(){return[].slice.call(f.elements).filter(function(e){"
	"return e.name&&e.type!='hidden'&&e.type!='submit'&&e.type!='password'})}"
	"function save(){if(!s)return;var d={};els().forEach(function(e){"
	"if(e.type=='radio'){if(e.checked)d[e.name]=e.value}"
	"else if(e.type=='checkbox')d[e.name]=e.checked?'1':'';else d[e.name]=e.value});"
	"try{s.setItem(key,JSON.stringify(d))}catch(e){}}"
	"var d=null;try{d=s&&f.getAttribute('data-restore')=='1'?JSON.parse(s.getItem(key)):null}"
	"catch(e){}"
	"if(d){els().forEach(function(e){if(!(e.name in d))return;"
	"if(e.type=='radio')e.checked=d[e.name]==e.value;"
	"else if(e.type=='checkbox')e.checked=d[e.name]=='1';else e.value=d[e.name]});"
	"var n=f.querySelector('.draft')||document.getElementById('draft-note');if(n)n.hidden=false}"
	"f.addEventListener('input',save);f.addEventListener('change',save);"
	"f.addEventListener('submit',function(ev){if(sent){ev.preventDefault();return}sent=1;save()});"
	"window.addEventListener('pageshow',function(){sent=0})})"
	"})();";

static void head(Buf *b, const char *title, const char *refresh)
{
	page_head_open(b, refresh);
	buf_puts(b, "<title>");
	buf_html(b, title);
	buf_puts(b, "</title><style>");
	buf_puts(b, STAFF_STYLE);
	buf_puts(b, "</style></head><body><main>");
}

static void foot(Buf *b, bool script)
{
	buf_puts(b, "</main>");
	if (script) {
		buf_puts(b, "<script>");
		buf_puts(b, STAFF_SCRIPT);
		buf_puts(b, "</script>");
	}
	buf_puts(b, "</body></html>");
}

/* "2026-11-25T07:30:00+07:00" → "07:30 ngày 25/11/2026" (times are stored
 * and shown in Việt Nam time). */
static void local_time(Buf *b, const char *iso)
{
	if (strlen(iso) < 16) {
		buf_puts(b, "—");
		return;
	}
	buf_printf(b, "%.5s ngày %.2s/%.2s/%.4s", iso + 11, iso + 8, iso + 5, iso);
}

static const char *state_name(const char *state)
{
	if (strcmp(state, "open") == 0)
		return "Đang mở";
	if (strcmp(state, "upcoming") == 0)
		return "Chưa mở";
	return "Đã đóng";
}

static const char *mode_name(const char *mode)
{
	if (strcmp(mode, "slips") == 0)
		return "phiếu riêng (mỗi phụ huynh một mã)";
	if (strcmp(mode, "both") == 0)
		return "mã chung và phiếu riêng";
	return "mã chung (một mã QR cho cả buổi họp)";
}

void page_staff_open(Buf *b, const char *title, const char *refresh)
{
	head(b, title, refresh);
}

void page_staff_close(Buf *b, bool script)
{
	foot(b, script);
}

void page_staff_time(Buf *b, const char *iso)
{
	local_time(b, iso);
}

const char *page_staff_state(const char *state)
{
	return state_name(state);
}

static void csrf_field(Buf *b, const char *csrf)
{
	buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(b, csrf);
	buf_puts(b, "\">");
}

const char *round_place(const cJSON *round)
{
	const char *school = json_text(round, "school");

	return *school ? school : json_text(round, "unit.name");
}

static void round_heading(Buf *b, const cJSON *round)
{
	buf_puts(b, "<div class=\"card\"><p class=\"s\">");
	buf_html(b, round_place(round));
	if (strcmp(round_place(round), json_text(round, "unit.name")) != 0) {
		buf_puts(b, " · ");
		buf_html(b, json_text(round, "unit.name"));
	}
	buf_puts(b, "</p><h1>");
	buf_html(b, json_text(round, "title"));
	buf_puts(b, "</h1><p class=\"s\">Mã đợt ");
	buf_html(b, json_text(round, "code"));
	buf_puts(b, " · ");
	buf_puts(b, state_name(json_text(round, "state")));
	buf_puts(b, " · từ ");
	local_time(b, json_text(round, "opens"));
	buf_puts(b, " đến ");
	local_time(b, json_text(round, "closed_early")[0] ? json_text(round, "closed_early")
							   : json_text(round, "closes"));
	buf_puts(b, "</p></div>");
}

static void kpi(Buf *b, const char *label, double value)
{
	cJSON n = {.type = cJSON_Number, .valuedouble = value};

	buf_printf(b, "<div>%s<b>", label);
	page_count(b, &n); /* "1.234": the thousands dot */
	buf_puts(b, "</b></div>");
}

void page_round(Buf *b, const cJSON *round, const char *base_url, const char *csrf,
		const char *notice, bool can_change)
{
	const char *code = json_text(round, "code");
	bool open = strcmp(json_text(round, "state"), "closed") != 0;
	const cJSON *batch;

	head(b, json_text(round, "title"), "30");
	if (notice) {
		/* A notice follows a saved form: its draft in the browser can go. */
		buf_puts(b, "<p class=\"ok\" role=\"status\" data-draft-clear>");
		buf_html(b, notice);
		buf_puts(b, "</p>");
	}
	round_heading(b, round);
	if (can_change) {
		buf_puts(b, "<p><a href=\"/staff/rounds/");
		buf_html(b, code);
		buf_puts(b, "/edit\">Sửa thông tin đợt khảo sát</a></p>");
	}
	buf_puts(b, "<div class=\"card\"><h2>Tiến độ</h2><div class=\"kpi\">");
	kpi(b, "Phiếu đã nhận", json_number(round, "responses.total"));
	kpi(b, "Quét mã chung", json_number(round, "responses.qr"));
	kpi(b, "Phiếu riêng (trực tuyến)", json_number(round, "responses.slip"));
	kpi(b, "Phiếu giấy đã nhập", json_number(round, "responses.paper"));
	kpi(b, "Hôm nay", json_number(round, "responses.today"));
	buf_puts(b, "</div>");
	if (json_has_number(round, "target")) {
		double rate = json_number(round, "response_rate");
		/* Pages write numbers the Vietnamese way ("40,0 %"); the meter's
		 * value below is an attribute, in machine format. */
		buf_puts(b, "<p>Tỉ lệ phản hồi: <b>");
		page_decimal(b, rate, 1);
		buf_puts(b, " %</b> (");
		page_count(b, json_at(round, "responses.total"));
		buf_puts(b, "/");
		page_count(b, json_at(round, "target"));
		buf_puts(b, " phụ huynh)</p>");
		/* A width in a class would need 101 rules: a meter is built for this. */
		buf_printf(b, "<meter min=\"0\" max=\"100\" value=\"%.1f\">%.1f%%</meter>",
			   rate > 100 ? 100 : rate, rate);
	}
	buf_puts(b, "<p>Phiếu riêng đã in: <b>");
	page_count(b, json_at(round, "slips.printed"));
	buf_puts(b, "</b>, đã dùng: <b>");
	page_count(b, json_at(round, "slips.redeemed"));
	buf_puts(b, "</b></p>");
	buf_puts(b, "<p class=\"s\">Trang tự cập nhật mỗi 30 giây.</p></div>");

	buf_puts(b, "<div class=\"card\"><h2>In ấn</h2><p>Đường dẫn cho phụ huynh: <b>");
	buf_html(b, base_url);
	buf_puts(b, "/s/");
	buf_html(b, code);
	buf_puts(b, "</b></p><p>Hình thức: ");
	buf_puts(b, mode_name(json_text(round, "mode")));
	buf_puts(b, "</p><p><a href=\"/staff/rounds/");
	buf_html(b, code);
	buf_puts(b, "/poster\">In áp phích mã QR (A4)</a></p>");
	if (cJSON_GetArraySize(json_at(round, "slips.batches")) > 0) {
		buf_puts(b, "<table><tr><th>Đợt in</th><th>Số phiếu</th><th>Đã dùng</th>"
			    "<th>In</th></tr>");
		cJSON_ArrayForEach(batch, json_at(round, "slips.batches"))
		{
			int n = (int)json_number(batch, "batch");
			buf_printf(b, "<tr><td>%d</td><td>%.0f</td><td>%.0f</td><td>", n,
				   json_number(batch, "count"), json_number(batch, "redeemed"));
			buf_puts(b, "<a href=\"/staff/rounds/");
			buf_html(b, code);
			buf_printf(b, "/slips?batch=%d\">Phiếu cắt (8/trang)</a> · ", n);
			buf_puts(b, "<a href=\"/staff/rounds/");
			buf_html(b, code);
			buf_printf(b, "/paper?batch=%d\">Phiếu giấy</a></td></tr>", n);
		}
		buf_puts(b, "</table>");
	}
	if (can_change && open && strcmp(json_text(round, "mode"), "shared") != 0) {
		buf_puts(b, "<form method=\"post\" action=\"/staff/rounds/");
		buf_html(b, code);
		buf_puts(b, "/slips\" class=\"row\">");
		csrf_field(b, csrf);
		buf_puts(b, "<label for=\"count\">Tạo thêm phiếu riêng:</label>"
			    "<input id=\"count\" name=\"count\" type=\"number\" min=\"1\" max=\"5000\" "
			    "value=\"40\" required><button type=\"submit\">Tạo phiếu</button></form>"
			    "<p class=\"s\">Tối đa 5000 phiếu mỗi lần.</p>");
	}
	buf_puts(b, "</div>");

	if (can_change) {
		buf_puts(b, "<div class=\"card\"><h2>Nhập phiếu giấy</h2><p><a href=\"/staff/rounds/");
		buf_html(b, code);
		buf_puts(b, "/entry\">Mở trang nhập phiếu giấy</a></p>");
		if (cJSON_IsTrue(json_at(round, "double_entry")))
			buf_printf(b, "<p>Mỗi phiếu giấy được hai người nhập để đối chiếu: "
				      "<b>%.0f</b> phiếu đang chờ người thứ hai nhập lại.</p>",
				   json_number(round, "paper_awaiting_second_entry"));
		buf_puts(b, "</div>");
	}
	if (can_change && open) {
		buf_puts(b, "<div class=\"card\"><h2>Kết thúc sớm</h2><form method=\"post\" "
			    "action=\"/staff/rounds/");
		buf_html(b, code);
		buf_puts(b, "/close\">");
		csrf_field(b, csrf);
		buf_puts(b, "<p>Sau khi kết thúc, phụ huynh không gửi được phiếu nữa.</p>"
			    "<button type=\"submit\" class=\"warn\">Kết thúc đợt khảo sát ngay"
			    "</button></form></div>");
	}
	buf_puts(b, "<p><a href=\"/staff\">← Trang cán bộ</a></p>");
	foot(b, notice != NULL);
}

/* The keys an answer field takes, for the script and the hint. */
static void entry_keys(Buf *b, const FormItem *item, const FormScale *scale)
{
	for (int o = 0; o < scale->noptions; o++)
		buf_printf(b, o ? " %d" : "%d", scale->options[o].value);
	if (item->no_opinion)
		buf_puts(b, " 0");
}

static void entry_item(Buf *b, const Form *form, const FormItem *item, const Submission *prev,
		       const char *const *notes)
{
	const FormScale *scale = &form->scales[item->scale];
	int i = item->answer_index;
	const char *error = notes && notes[i] ? notes[i] : prev ? prev->errors[i] : NULL;

	buf_printf(b, "<tr><td>%d</td><td><label for=\"q%d\">", i + 1, i);
	buf_html(b, item->short_text ? item->short_text : item->text);
	buf_puts(b, "</label>");
	if (error) {
		buf_puts(b, "<div class=\"e\">");
		buf_html(b, error);
		buf_puts(b, "</div>");
	}
	buf_puts(b, "</td><td>");
	if (scale->type == SCALE_TEXT) {
		buf_printf(b, "<textarea id=\"q%d\" name=\"q%d\" maxlength=\"%d\">", i, i,
			   item->max_length);
		if (prev && prev->texts[i])
			buf_html(b, prev->texts[i]);
		buf_puts(b, "</textarea></td><td></td></tr>");
		return;
	}
	buf_printf(b, "<input id=\"q%d\" name=\"q%d\" inputmode=\"numeric\" autocomplete=\"off\" "
		      "data-k=\"",
		   i, i);
	entry_keys(b, item, scale);
	buf_printf(b, "\"%s maxlength=\"%d\" value=\"", scale->type == SCALE_MULTI ? " class=\"multi\"" : "",
		   scale->type == SCALE_MULTI ? 40 : 2);
	if (prev && prev->answers[i] == ANSWER_NO_OPINION) {
		buf_puts(b, "0");
	} else if (prev && prev->answers[i] > 0 && scale->type != SCALE_MULTI) {
		buf_printf(b, "%d", prev->answers[i]);
	} else if (prev && prev->answers[i] > 0) {
		bool first = true;
		for (int o = 0; o < scale->noptions; o++)
			if (prev->answers[i] & (1 << o)) {
				buf_printf(b, first ? "%d" : " %d", scale->options[o].value);
				first = false;
			}
	}
	buf_puts(b, "\"></td><td class=\"k\">");
	entry_keys(b, item, scale);
	if (scale->type == SCALE_MULTI)
		buf_puts(b, " (nhiều)");
	buf_puts(b, "</td></tr>");
}

void page_entry(Buf *b, const EntryPage *page)
{
	const Form *form = page->form;
	const char *code = json_text(page->round, "code");

	head(b, "Nhập phiếu giấy", NULL);
	if (page->saved) {
		char pretty[32];
		code_pretty(page->saved, pretty, sizeof pretty);
		buf_puts(b, page->saved_first ? "<p class=\"ok\" role=\"status\">Đã lưu lần nhập thứ "
						"nhất của phiếu "
					      : "<p class=\"ok\" role=\"status\">Đã lưu phiếu ");
		buf_html(b, pretty);
		buf_puts(b, page->saved_first ? ". Phiếu được tính khi một người khác nhập lại giống "
						"hệt. Nhập phiếu tiếp theo.</p>"
					      : ". Nhập phiếu tiếp theo.</p>");
	}
	if (page->error || (page->previous && page->previous->nerrors)) {
		buf_puts(b, "<div class=\"err\" role=\"alert\">");
		buf_html(b, page->error ? page->error
					: "Có câu trả lời không hợp lệ: xem các ô được đánh dấu.");
		buf_puts(b, "</div>");
	}
	round_heading(b, page->round);
	buf_printf(b, "<div class=\"card\"><h2>Nhập phiếu giấy</h2><p class=\"s\">Đã nhập %lld "
		      "phiếu giấy. Gõ mã phiếu, rồi mỗi câu một phím: số của mức trả lời, 0 = "
		      "không ý kiến, để trống nếu phụ huynh bỏ trống. Con trỏ tự sang câu sau.</p>",
		   page->entered);
	buf_puts(b, "<form id=\"pe\" method=\"post\" action=\"/staff/rounds/");
	buf_html(b, code);
	buf_puts(b, "/entry\" autocomplete=\"off\">");
	csrf_field(b, page->csrf);
	buf_puts(b, "<input type=\"hidden\" name=\"t\" value=\"");
	buf_html(b, page->token);
	if (page->confirm)
		buf_puts(b, "\"><input type=\"hidden\" name=\"confirm\" value=\"1");
	buf_puts(b, "\"><p class=\"slip\"><label for=\"slip\">Mã phiếu (in ở đầu phiếu giấy)</label>"
		    "<br><input id=\"slip\" name=\"slip\" required autofocus maxlength=\"40\" "
		    "autocapitalize=\"characters\" spellcheck=\"false\" value=\"");
	if (page->slip)
		buf_html(b, page->slip);
	buf_puts(b, "\"></p><table class=\"q\">");
	for (int k = 0; k < form->nitems; k++) {
		const FormItem *item = &form->items[k];
		if (item->kind == ITEM_ELEMENT || item->kind == ITEM_GROUP) {
			buf_puts(b, "<tr class=\"el\"><td></td><td colspan=\"3\">");
			buf_html(b, item->text);
			buf_puts(b, "</td></tr>");
		} else if (item->answer_index >= 0) {
			entry_item(b, form, item, page->previous, page->notes);
		}
	}
	buf_puts(b, "</table><button type=\"submit\">Lưu phiếu</button></form></div>"
		    "<p><a href=\"/staff/rounds/");
	buf_html(b, code);
	buf_puts(b, "\">← Về trang đợt khảo sát</a></p>");
	foot(b, true);
}

void page_staff_message(Buf *b, const char *heading, const char *message, const char *code)
{
	head(b, heading, NULL);
	buf_puts(b, "<div class=\"card\"><h1>");
	buf_html(b, heading);
	buf_puts(b, "</h1><p>");
	buf_html(b, message);
	buf_puts(b, "</p>");
	if (code) {
		buf_puts(b, "<p><a href=\"/staff/rounds/");
		buf_html(b, code);
		buf_puts(b, "\">← Về trang đợt khảo sát</a></p>");
	}
	/* Never a dead end: a refused or mistyped link (another school's
	 * round, a stale bookmark) must still lead back to the start page. */
	buf_puts(b, "<p><a href=\"/staff\">← Trang cán bộ</a></p></div>");
	foot(b, false);
}
