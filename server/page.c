#include "page.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "codes.h"
#include "jsonpath.h"
#include "page_print.h"
#include "page_report.h"
#include "page_staff.h"

/* Mobile first: one column, labels as big tap targets (≥ 44 px), system
 * fonts only (no downloads), high contrast. */
static const char STYLE[] =
	"*{box-sizing:border-box}"
	"body{margin:0;font:17px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
	"color:#1a1a1a;background:#f4f6f8}"
	"main{max-width:40rem;margin:0 auto;padding:12px}"
	"header,.card{background:#fff;border-radius:10px;padding:14px;margin:0 0 12px;"
	"box-shadow:0 1px 2px rgba(0,0,0,.08)}"
	"h1{font-size:1.3rem;margin:.2rem 0}h2{font-size:1.1rem;margin:18px 4px 8px;color:#0b4f8a}"
	".s{margin:0;color:#555;font-size:.95rem}"
	"fieldset{border:0;background:#fff;border-radius:10px;margin:0 0 12px;padding:12px;"
	"box-shadow:0 1px 2px rgba(0,0,0,.08)}"
	"legend{float:left;width:100%;padding:0 0 8px;font-weight:600}"
	"legend+*{clear:both}"
	"label{display:flex;align-items:center;gap:10px;min-height:44px;padding:8px 10px;"
	"margin:4px 0;border:1px solid #cfd6dd;border-radius:8px;cursor:pointer}"
	"input[type=radio],input[type=checkbox]{width:22px;height:22px;flex:none;margin:0}"
	"label:has(input:checked){border-color:#0b63b6;background:#e8f1fb}"
	"textarea{width:100%;min-height:6rem;font:inherit;padding:8px;border:1px solid #cfd6dd;"
	"border-radius:8px}"
	".e{color:#b00020;font-weight:600;margin:0 0 6px}"
	".bad{outline:2px solid #b00020}"
	".r{color:#b00020}"
	".note,.h{color:#555;font-size:.9rem}"
	".banner{background:#fff4e5;border-left:4px solid #e69500;padding:12px;border-radius:8px;"
	"margin:0 0 12px}"
	".sum{background:#fdecee;border-left:4px solid #b00020;padding:12px;border-radius:8px;"
	"margin:0 0 12px}"
	"button{display:block;width:100%;min-height:52px;font:inherit;font-weight:700;color:#fff;"
	"background:#0b63b6;border:0;border-radius:10px;margin:16px 0}"
	".rc{font-size:1.6rem;font-weight:700;letter-spacing:.08em}"
	"a{color:#0b63b6}"
	".f label{display:block;border:0;padding:0;margin:10px 0 4px;min-height:0}"
	".f input{width:100%;min-height:44px;font:inherit;padding:8px;border:1px solid #cfd6dd;"
	"border-radius:8px}";

/* Progressive enhancement only: keeps a draft on the phone, sends with
 * fetch, and when the network is gone keeps the answers and resends when it
 * comes back.  The draft goes only when the server has answered (stored, or
 * known already). */
static const char SCRIPT[] =
	"(function(){"
	"var f=document.getElementById('f');if(!f||!window.fetch||!window.JSON)return;"
	"var k='hl:'+f.getAttribute('data-code'),kiosk=f.hasAttribute('data-kiosk'),"
	"m=document.getElementById('m'),busy=0,ls=null;"
	"try{ls=window.localStorage}catch(x){}"
	"function say(t){m.textContent=t;m.hidden=!t;if(t&&m.scrollIntoView)m.scrollIntoView({block:'nearest'})}"
	"function save(){if(kiosk||!ls)return;var d={};"
	"for(var i=0;i<f.elements.length;i++){var e=f.elements[i];if(!e.name)continue;"
	"if((e.type=='radio'||e.type=='checkbox')&&!e.checked)continue;"
	"(d[e.name]=d[e.name]||[]).push(e.value)}"
	"try{ls.setItem(k,JSON.stringify(d))}catch(x){}}"
	"function restore(){if(kiosk||!ls)return;var s=ls.getItem(k);if(!s)return;var d;"
	"try{d=JSON.parse(s)}catch(x){return}"
	"for(var i=0;i<f.elements.length;i++){var e=f.elements[i],v=d[e.name];if(!v)continue;"
	"if(e.type=='radio'||e.type=='checkbox')e.checked=v.indexOf(e.value)>=0;"
	"else e.value=v[0]}"
	"say('Đã điền lại các câu trả lời chưa gửi lần trước trên máy này.')}"
	"function done(r,t){if(ls&&(r.status==200||r.status==409))ls.removeItem(k);"
	"document.open();document.write(t);document.close()}"
	"function send(){if(busy)return;busy=1;say('Đang gửi…');"
	"fetch(f.action,{method:'POST',body:new URLSearchParams(new FormData(f)),"
	"headers:{'Content-Type':'application/x-www-form-urlencoded'}})"
	".then(function(r){return r.text().then(function(t){busy=0;done(r,t)})})"
	".catch(function(){busy=0;"
	"say('Mất kết nối mạng. Câu trả lời đã được giữ trên máy và sẽ tự gửi lại khi có mạng.');"
	"setTimeout(send,15000)})}"
	"restore();f.addEventListener('change',save);f.addEventListener('input',save);"
	"f.addEventListener('submit',function(ev){if(!f.checkValidity())return;save();"
	"ev.preventDefault();send()});"
	"window.addEventListener('online',function(){if(m.textContent.indexOf('Mất kết nối')==0)send()})"
	"})();";

static void hash_b64(const char *text, char *out, size_t cap)
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, (const unsigned char *)text, strlen(text));
	sodium_bin2base64(out, cap, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
}

void page_csp(char *out, size_t cap)
{
	char style[64], print_style[64], staff_style[64], report_style[64], script[64],
		staff_script[64];

	hash_b64(STYLE, style, sizeof style);
	hash_b64(PRINT_STYLE, print_style, sizeof print_style);
	hash_b64(STAFF_STYLE, staff_style, sizeof staff_style);
	hash_b64(REPORT_STYLE, report_style, sizeof report_style);
	hash_b64(SCRIPT, script, sizeof script);
	hash_b64(STAFF_SCRIPT, staff_script, sizeof staff_script);
	snprintf(out, cap,
		 "default-src 'none'; style-src 'sha256-%s' 'sha256-%s' 'sha256-%s' 'sha256-%s'; "
		 "script-src 'sha256-%s' 'sha256-%s'; connect-src 'self'; "
		 "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
		 style, print_style, staff_style, report_style, script, staff_script);
}

void page_head_open(Buf *b, const char *refresh)
{
	buf_puts(b, "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		    "<meta name=\"referrer\" content=\"no-referrer\">"
		    "<meta name=\"robots\" content=\"noindex\">");
	if (refresh)
		buf_printf(b, "<meta http-equiv=\"refresh\" content=\"%s\">", refresh);
}

static void head(Buf *b, const char *title, const char *description, const char *refresh)
{
	page_head_open(b, refresh);
	buf_puts(b, "<title>");
	buf_html(b, title);
	/* Zalo and Facebook show these when the link is shared in a group. */
	buf_puts(b, "</title><meta property=\"og:title\" content=\"");
	buf_html(b, title);
	buf_puts(b, "\"><meta property=\"og:description\" content=\"");
	buf_html(b, description);
	buf_puts(b, "\"><meta name=\"description\" content=\"");
	buf_html(b, description);
	buf_puts(b, "\"><style>");
	buf_puts(b, STYLE);
	buf_puts(b, "</style></head><body><main>");
}

static void foot(Buf *b, bool script)
{
	buf_puts(b, "</main>");
	if (script)
	{
		buf_puts(b, "<script>");
		buf_puts(b, SCRIPT);
		buf_puts(b, "</script>");
	}
	buf_puts(b, "</body></html>");
}

void page_format_time(long long unix_seconds, char *out, size_t cap)
{
	/* Việt Nam has one time zone, UTC+7, and no daylight saving. */
	time_t local = (time_t)(unix_seconds + 7 * 3600);
	struct tm tm;

	gmtime_r(&local, &tm);
	strftime(out, cap, "%H:%M ngày %d/%m/%Y", &tm);
}

/* The options of an item in display order: ordinal scales follow the form's
 * display_order, others their file order; "Không ý kiến" last. */
static void options(Buf *b, const Form *form, const FormItem *item, const Submission *prev)
{
	const FormScale *scale = &form->scales[item->scale];
	int i = item->answer_index;
	short chosen = prev ? prev->answers[i] : ANSWER_BLANK;
	bool reverse = scale->type == SCALE_ORDINAL && form->display_descending;
	const char *type = scale->type == SCALE_MULTI ? "checkbox" : "radio";

	for (int k = 0; k < scale->noptions; k++) {
		int pos = reverse ? scale->noptions - 1 - k : k;
		const FormOption *o = &scale->options[pos];
		bool checked = scale->type == SCALE_MULTI ? (chosen > 0 && (chosen >> pos) & 1)
							  : chosen == o->value;
		buf_printf(b, "<label><input type=\"%s\" name=\"q%d\" value=\"%d\"%s%s>", type, i,
			   o->value, checked ? " checked" : "",
			   item->required && k == 0 && scale->type != SCALE_MULTI ? " required" : "");
		buf_html(b, o->label);
		buf_puts(b, "</label>");
	}
	if (item->no_opinion) {
		buf_printf(b, "<label><input type=\"radio\" name=\"q%d\" value=\"x\"%s>", i,
			   chosen == ANSWER_NO_OPINION ? " checked" : "");
		buf_html(b, item->no_opinion_label);
		buf_puts(b, "</label>");
	}
}

static void question(Buf *b, const Form *form, const FormItem *item, int number,
		     const Submission *prev)
{
	int i = item->answer_index;
	const char *error = prev ? prev->errors[i] : NULL;
	const FormScale *scale = &form->scales[item->scale];

	buf_printf(b, "<fieldset id=\"q%d\"%s><legend>%d. ", i, error ? " class=\"bad\"" : "",
		   number);
	buf_html(b, item->text);
	if (item->required)
		buf_puts(b, " <span class=\"r\" aria-hidden=\"true\">*</span>");
	buf_puts(b, "</legend>");
	if (item->help) {
		buf_puts(b, "<p class=\"h\">");
		buf_html(b, item->help);
		buf_puts(b, "</p>");
	}
	if (error) {
		buf_puts(b, "<p class=\"e\" role=\"alert\">");
		buf_html(b, error);
		buf_puts(b, "</p>");
	}
	if (scale->type == SCALE_TEXT) {
		buf_printf(b, "<textarea name=\"q%d\" maxlength=\"%d\" rows=\"4\" aria-label=\"", i,
			   item->max_length);
		buf_html(b, item->text);
		buf_printf(b, "\"%s>", item->required ? " required" : "");
		buf_html(b, prev ? prev->texts[i] : NULL);
		buf_puts(b, "</textarea>");
	} else {
		options(b, form, item, prev);
	}
	buf_puts(b, "</fieldset>");
}

void page_survey(Buf *b, const SurveyPage *p)
{
	const Form *form = p->form;
	int number = 0;

	head(b, p->title, form->title, NULL);
	buf_puts(b, "<header><p class=\"s\">");
	buf_html(b, p->school);
	buf_puts(b, "</p><h1>");
	buf_html(b, p->title);
	buf_puts(b, "</h1><p class=\"s\">");
	buf_html(b, form->title);
	buf_puts(b, "</p>");
	if (form->intro) {
		buf_puts(b, "<p>");
		buf_html(b, form->intro);
		buf_puts(b, "</p>");
	}
	buf_puts(b, "<p class=\"note\">Phiếu không ghi tên. Câu có dấu <span class=\"r\">*</span> "
		    "là bắt buộc.</p></header>");
	if (p->banner) {
		buf_puts(b, "<div class=\"banner\" role=\"alert\">");
		buf_html(b, p->banner);
		buf_puts(b, "</div>");
	}
	if (p->previous && (p->previous->nerrors || p->previous->form_error)) {
		buf_puts(b, "<div class=\"sum\" role=\"alert\">");
		if (p->previous->form_error)
			buf_html(b, p->previous->form_error);
		else
			buf_printf(b, "Còn %d câu cần xem lại, được đánh dấu bên dưới.",
				   p->previous->nerrors);
		buf_puts(b, "</div>");
	}
	buf_printf(b, "<form id=\"f\" method=\"post\" action=\"/s/%s\" accept-charset=\"utf-8\" "
		      "data-code=\"%s\"%s><input type=\"hidden\" name=\"t\" value=\"",
		   p->code, p->code, p->kiosk ? " data-kiosk" : "");
	buf_html(b, p->token);
	buf_puts(b, "\">");
	for (int k = 0; k < form->nitems; k++) {
		const FormItem *item = &form->items[k];
		if (item->kind == ITEM_GROUP || item->kind == ITEM_ELEMENT) {
			buf_puts(b, item->kind == ITEM_GROUP ? "<h2>" : "<h2>");
			buf_html(b, item->text);
			buf_puts(b, "</h2>");
			continue;
		}
		question(b, form, item, ++number, p->previous);
	}
	/* Status messages of the script, next to the button the parent just tapped. */
	buf_puts(b, "<p id=\"m\" class=\"banner\" role=\"status\" hidden></p>"
		    "<button type=\"submit\">Gửi ý kiến</button></form>"
		    "<p class=\"note\">Câu trả lời chỉ dùng để tổng hợp ý kiến, không gắn với tên, "
		    "số điện thoại hay thiết bị của Ông/Bà.</p>");
	foot(b, true);
}

void page_message(Buf *b, const char *heading, const char *message, const char *back_code)
{
	head(b, heading, message, NULL);
	buf_puts(b, "<div class=\"card\"><h1>");
	buf_html(b, heading);
	buf_puts(b, "</h1><p>");
	buf_html(b, message);
	buf_puts(b, "</p>");
	if (back_code) {
		buf_puts(b, "<p><a href=\"/s/");
		buf_html(b, back_code);
		buf_puts(b, "\">Mở lại phiếu khảo sát</a></p>");
	}
	buf_puts(b, "</div>");
	foot(b, false);
}

void page_thanks(Buf *b, const char *receipt, const char *code, bool kiosk)
{
	char refresh[64];

	snprintf(refresh, sizeof refresh, "6;url=/s/%s", code);
	head(b, "Cảm ơn Ông/Bà", "Ý kiến đã được ghi nhận.", kiosk ? refresh : NULL);
	buf_puts(b, "<div class=\"card\"><h1>Cảm ơn Ông/Bà!</h1>"
		    "<p>Ý kiến của Ông/Bà đã được ghi nhận.</p><p>Mã xác nhận:</p><p class=\"rc\">");
	buf_html(b, receipt);
	buf_puts(b, "</p><p class=\"note\">Ông/Bà có thể dùng mã này khi cần hỏi nhà trường "
		    "phiếu đã được nhận hay chưa. Mã không cho biết Ông/Bà đã trả lời gì.</p>");
	if (kiosk)
		buf_puts(b, "<p class=\"note\">Trang sẽ tự trở về phiếu trống cho người tiếp theo.</p>");
	buf_puts(b, "</div>");
	foot(b, false);
}

void page_login(Buf *b, const char *nonce, const char *message, const char *login_value,
		const char *next)
{
	head(b, "Đăng nhập — hailong", "Đăng nhập dành cho cán bộ nhà trường và cơ quan quản lý.",
	     NULL);
	buf_puts(b, "<div class=\"card\"><h1>Đăng nhập</h1>"
		    "<p class=\"s\">Dành cho cán bộ nhà trường, xã/phường và Sở GD&amp;ĐT.</p>");
	if (message) {
		buf_puts(b, "<p class=\"e\" role=\"alert\">");
		buf_html(b, message);
		buf_puts(b, "</p>");
	}
	buf_puts(b, "<form class=\"f\" method=\"post\" action=\"/login\" accept-charset=\"utf-8\">"
		    "<input type=\"hidden\" name=\"f\" value=\"");
	buf_html(b, nonce);
	if (next && *next) {
		buf_puts(b, "\"><input type=\"hidden\" name=\"next\" value=\"");
		buf_html(b, next);
	}
	buf_puts(b, "\"><p><label for=\"login\">Tên đăng nhập</label>"
		    "<input id=\"login\" name=\"login\" autocomplete=\"username\" required "
		    "autocapitalize=\"none\" value=\"");
	buf_html(b, login_value);
	buf_puts(b, "\"></p><p><label for=\"password\">Mật khẩu</label>"
		    "<input id=\"password\" name=\"password\" type=\"password\" "
		    "autocomplete=\"current-password\" required></p>"
		    "<button type=\"submit\">Đăng nhập</button></form></div>");
	foot(b, false);
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool page_parse_date(const char *text, char out[11])
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int d = 0, m = 0, y = 0, used = 0;

	if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && text[used] == '\0' &&
	    used == 10) {
		/* yyyy-mm-dd (what a date picker sends) */
	} else if (sscanf(text, "%2d/%2d/%4d%n", &d, &m, &y, &used) != 3 || text[used] != '\0' ||
		   !isdigit((unsigned char)text[0]) || strlen(text) < 8) {
		return false;
	}
	for (const char *p = text; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '/' && *p != '-')
			return false;
	if (y < 2000 || y > 2999 || m < 1 || m > 12 || d < 1 ||
	    d > days[m - 1] + (m == 2 && leap(y)))
		return false;
	{
		/* The ranges are checked; the compiler cannot see it. */
		char iso[32];
		snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
		memcpy(out, iso, 11);
	}
	return true;
}
