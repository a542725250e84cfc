#include "page_rounds.h"

#include <stdio.h>
#include <string.h>

#include "jsonpath.h"
#include "page_report.h"
#include "page_staff.h"

const char *const ROUND_FIELD_NAMES[RF_COUNT] = {
	"title",       "unit",	 "form",   "opens_date",   "opens_time", "closes_date",
	"closes_time", "target", "mode",   "double_entry", "kiosk",
};

static const char *const MODES[][2] = {
	{"shared", "Mã chung: một mã QR cho cả buổi họp"},
	{"slips", "Phiếu riêng: mỗi phụ huynh một mã, dùng một lần"},
	{"both", "Cả hai: mã chung và phiếu riêng"},
};

static void csrf_field(Buf *b, const char *csrf)
{
	buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(b, csrf ? csrf : "");
	buf_puts(b, "\">");
}

/* A count as pages show it ("1.234"). */
static void count(Buf *b, double v)
{
	cJSON n = {.type = cJSON_Number, .valuedouble = v, .valueint = (int)v};

	page_count(b, &n);
}

/* A percentage with one decimal and the decimal comma ("45,2 %"). */
static void percent(Buf *b, double v)
{
	page_decimal(b, v, 1);
	buf_puts(b, " %");
}

static const char *kind_name(const char *kind)
{
	if (strcmp(kind, "school") == 0)
		return "Trường";
	if (strcmp(kind, "grade") == 0)
		return "Khối";
	if (strcmp(kind, "class") == 0)
		return "Lớp";
	return "";
}

/* One round in a list: title (a link to its page), where, when, progress. */
static void round_item(Buf *b, const cJSON *round)
{
	const char *state = json_text(round, "state");

	buf_puts(b, "<li><a href=\"/staff/rounds/");
	buf_html(b, json_text(round, "code"));
	buf_puts(b, "\"><b>");
	buf_html(b, json_text(round, "title"));
	buf_puts(b, "</b></a><br><span class=\"s\">");
	buf_html(b, json_text(round, "unit.name"));
	buf_puts(b, " · mã ");
	buf_html(b, json_text(round, "code"));
	buf_puts(b, " · ");
	buf_puts(b, page_staff_state(state));
	if (strcmp(state, "upcoming") == 0) {
		buf_puts(b, " · mở lúc ");
		page_staff_time(b, json_text(round, "opens"));
	} else {
		buf_puts(b, strcmp(state, "open") == 0 ? " · đóng lúc " : " · đã đóng lúc ");
		page_staff_time(b, json_text(round, "closed_early")[0] ? json_text(round, "closed_early")
								       : json_text(round, "closes"));
	}
	buf_puts(b, "</span><br>");
	count(b, json_number(round, "responses.total"));
	buf_puts(b, " phiếu");
	if (json_has_number(round, "target")) {
		buf_puts(b, " / ");
		count(b, json_number(round, "target"));
		buf_puts(b, " phụ huynh (tỉ lệ phản hồi ");
		percent(b, json_number(round, "response_rate"));
		buf_puts(b, ")");
	}
	buf_puts(b, " · hôm nay ");
	count(b, json_number(round, "responses.today"));
	buf_puts(b, "</li>");
}

/* ---- the round form ------------------------------------------------------- */

static const char *value_of(const RoundFormPage *p, RoundField f)
{
	return p->values[f] ? p->values[f] : "";
}

/* The label, hint and error of a field, and the attributes tying them to
 * the control (the caller writes the control, then "aria" attributes via
 * this function's second half). */
static void field_label(Buf *b, const RoundFormPage *p, RoundField f, const char *label,
			const char *hint)
{
	const char *name = ROUND_FIELD_NAMES[f];

	buf_printf(b, "<label for=\"f-%s\">", name);
	buf_puts(b, label);
	buf_puts(b, "</label>");
	if (hint)
		buf_printf(b, "<p class=\"h\" id=\"h-%s\">%s</p>", name, hint);
	if (p->errors[f]) {
		buf_printf(b, "<p class=\"e\" id=\"e-%s\">", name);
		buf_html(b, p->errors[f]);
		buf_puts(b, "</p>");
	}
}

static void field_aria(Buf *b, const RoundFormPage *p, RoundField f, bool hint)
{
	const char *name = ROUND_FIELD_NAMES[f];

	if (hint || p->errors[f]) {
		buf_puts(b, " aria-describedby=\"");
		if (hint)
			buf_printf(b, "h-%s", name);
		if (p->errors[f])
			buf_printf(b, "%se-%s", hint ? " " : "", name);
		buf_puts(b, "\"");
	}
	if (p->errors[f])
		buf_puts(b, " aria-invalid=\"true\"");
}

static void text_input(Buf *b, const RoundFormPage *p, RoundField f, const char *label,
		       const char *hint, const char *cls, const char *extra)
{
	const char *name = ROUND_FIELD_NAMES[f];

	field_label(b, p, f, label, hint);
	buf_printf(b, "<input type=\"text\" id=\"f-%s\" name=\"%s\" class=\"%s\"%s", name, name,
		   cls, extra);
	field_aria(b, p, f, hint != NULL);
	buf_puts(b, " value=\"");
	buf_html(b, value_of(p, f));
	buf_puts(b, "\">");
}

static void date_time(Buf *b, const RoundFormPage *p, RoundField date, RoundField time,
		      const char *legend)
{
	buf_printf(b, "<fieldset><legend>%s</legend><div class=\"dt\"><div>", legend);
	text_input(b, p, date, "Ngày (ngày/tháng/năm)", NULL, "n",
		   " inputmode=\"numeric\" autocomplete=\"off\" placeholder=\"dd/mm/yyyy\" "
		   "maxlength=\"10\" required");
	buf_puts(b, "</div><div>");
	text_input(b, p, time, "Giờ (giờ:phút)", NULL, "n",
		   " inputmode=\"numeric\" autocomplete=\"off\" placeholder=\"07:30\" maxlength=\"5\" "
		   "required");
	buf_puts(b, "</div></div></fieldset>");
}

static void unit_field(Buf *b, const RoundFormPage *p)
{
	const cJSON *units = json_at(p->choices, "units"), *u;
	const char *chosen = value_of(p, RF_UNIT);

	if (p->round) {
		/* A round stays with its unit (sql/007): shown, not offered. */
		buf_puts(b, "<p><b>Đơn vị tổ chức:</b> ");
		buf_html(b, json_text(p->round, "unit.name"));
		buf_puts(b, " (");
		buf_html(b, json_text(p->round, "unit.code"));
		buf_puts(b, ")</p>");
		return;
	}
	/* More than 500 schools, grades and classes (a province): the code is
	 * typed instead of picked from a list nobody could scroll. */
	if (cJSON_GetArraySize(units) > 500) {
		text_input(b, p, RF_UNIT, "Mã trường, khối hoặc lớp tổ chức",
			   "Mã đơn vị như trong danh sách đơn vị của Sở.", "w",
			   " autocomplete=\"off\" maxlength=\"64\" required");
		return;
	}
	field_label(b, p, RF_UNIT, "Trường, khối hoặc lớp tổ chức",
		    "Đợt của một khối hoặc một lớp chỉ gồm phụ huynh khối, lớp đó.");
	buf_puts(b, "<select id=\"f-unit\" name=\"unit\" class=\"w\" required");
	field_aria(b, p, RF_UNIT, true);
	buf_puts(b, "><option value=\"\">— Chọn —</option>");
	cJSON_ArrayForEach(u, units)
	{
		const char *kind = json_text(u, "kind");
		buf_puts(b, "<option value=\"");
		buf_html(b, json_text(u, "code"));
		buf_puts(b, strcmp(json_text(u, "code"), chosen) == 0 ? "\" selected>" : "\">");
		/* Grades and classes indented under their school. */
		buf_puts(b, strcmp(kind, "school") == 0 ? "" : strcmp(kind, "grade") == 0 ? "— " : "—— ");
		buf_puts(b, kind_name(kind));
		buf_puts(b, ": ");
		buf_html(b, json_text(u, "name"));
		buf_puts(b, "</option>");
	}
	buf_puts(b, "</select>");
}

static void form_field(Buf *b, const RoundFormPage *p)
{
	const cJSON *form;
	const char *chosen = value_of(p, RF_FORM);

	if (p->round && cJSON_IsTrue(json_at(p->round, "form_locked"))) {
		buf_puts(b, "<p><b>Bộ câu hỏi:</b> ");
		buf_html(b, json_text(p->round, "form.title"));
		buf_puts(b, "<br><span class=\"s\">Không đổi được vì đợt đã có phiếu trả lời.</span></p>");
		return;
	}
	field_label(b, p, RF_FORM, "Bộ câu hỏi", NULL);
	buf_puts(b, "<select id=\"f-form\" name=\"form\" class=\"w\" required");
	field_aria(b, p, RF_FORM, false);
	buf_puts(b, "><option value=\"\">— Chọn —</option>");
	cJSON_ArrayForEach(form, json_at(p->choices, "forms"))
	{
		char value[256];
		snprintf(value, sizeof value, "%s@%s", json_text(form, "id"),
			 json_text(form, "edition"));
		buf_puts(b, "<option value=\"");
		buf_html(b, value);
		buf_puts(b, strcmp(value, chosen) == 0 ? "\" selected>" : "\">");
		buf_html(b, json_text(form, "title"));
		buf_puts(b, " (");
		buf_html(b, json_text(form, "edition"));
		buf_puts(b, ")</option>");
	}
	buf_puts(b, "</select>");
}

static void mode_field(Buf *b, const RoundFormPage *p)
{
	const char *chosen = *value_of(p, RF_MODE) ? value_of(p, RF_MODE) : "shared";

	buf_puts(b, "<fieldset id=\"f-mode\"><legend>Cách phụ huynh nhận phiếu</legend>");
	if (p->errors[RF_MODE]) {
		buf_puts(b, "<p class=\"e\">");
		buf_html(b, p->errors[RF_MODE]);
		buf_puts(b, "</p>");
	}
	for (size_t i = 0; i < sizeof MODES / sizeof MODES[0]; i++)
		buf_printf(b, "<div class=\"ch\"><input type=\"radio\" id=\"f-mode-%s\" name=\"mode\" "
			      "value=\"%s\"%s><label for=\"f-mode-%s\">%s</label></div>",
			   MODES[i][0], MODES[i][0], strcmp(chosen, MODES[i][0]) == 0 ? " checked" : "",
			   MODES[i][0], MODES[i][1]);
	buf_puts(b, "</fieldset>");
}

static void checkbox(Buf *b, const RoundFormPage *p, RoundField f, const char *label)
{
	const char *name = ROUND_FIELD_NAMES[f];

	buf_printf(b, "<div class=\"ch\"><input type=\"checkbox\" id=\"f-%s\" name=\"%s\" "
		      "value=\"1\"%s><label for=\"f-%s\">%s</label></div>",
		   name, name, strcmp(value_of(p, f), "1") == 0 ? " checked" : "", name, label);
}

static void error_summary(Buf *b, const RoundFormPage *p)
{
	int n = 0;

	for (int f = 0; f < RF_COUNT; f++)
		n += p->errors[f] != NULL;
	if (!n && !p->error)
		return;
	buf_puts(b, "<div class=\"err\" role=\"alert\" id=\"loi\" tabindex=\"-1\"><h2>Chưa lưu "
		    "được");
	if (n)
		buf_printf(b, ": có %d chỗ cần sửa", n);
	buf_puts(b, "</h2>");
	if (p->error) {
		buf_puts(b, "<p>");
		buf_html(b, p->error);
		buf_puts(b, "</p>");
	}
	if (n) {
		buf_puts(b, "<ul>");
		for (int f = 0; f < RF_COUNT; f++) {
			if (!p->errors[f])
				continue;
			/* The mode's link goes to its first choice, a control that
			 * takes the focus. */
			buf_printf(b, "<li><a href=\"#f-%s%s\">", ROUND_FIELD_NAMES[f],
				   f == RF_MODE ? "-shared" : "");
			buf_html(b, p->errors[f]);
			buf_puts(b, "</a></li>");
		}
		buf_puts(b, "</ul>");
	}
	buf_puts(b, "</div>");
}

void page_round_form(Buf *b, const RoundFormPage *p)
{
	const char *code = p->round ? json_text(p->round, "code") : NULL;

	page_staff_open(b, p->round ? "Sửa đợt khảo sát" : "Tạo đợt khảo sát", NULL);
	error_summary(b, p);
	buf_puts(b, "<div class=\"card\">");
	if (p->round) {
		buf_puts(b, "<p class=\"s\">Mã đợt ");
		buf_html(b, code);
		buf_puts(b, " · ");
		buf_puts(b, page_staff_state(json_text(p->round, "state")));
		buf_puts(b, "</p><h1>Sửa đợt khảo sát</h1>");
	} else {
		buf_puts(b, "<h1>Tạo đợt khảo sát</h1>");
	}
	buf_puts(b, "<p class=\"ok\" id=\"draft-note\" role=\"status\" hidden>Đã điền lại nội dung "
		    "bạn nhập dở lần trước trên máy này. Hãy kiểm tra trước khi lưu.</p>");
	buf_puts(b, "<form class=\"fm\" method=\"post\" action=\"/staff/rounds");
	if (code) {
		buf_puts(b, "/");
		buf_html(b, code);
		buf_puts(b, "/edit");
	}
	buf_puts(b, "\" data-draft=\"");
	if (code)
		buf_html(b, code);
	else
		buf_puts(b, "new");
	buf_printf(b, "\" data-restore=\"%s\" novalidate>", p->fresh ? "1" : "0");
	csrf_field(b, p->csrf);
	if (p->form_key) {
		buf_puts(b, "<input type=\"hidden\" name=\"form_key\" value=\"");
		buf_html(b, p->form_key);
		buf_puts(b, "\">");
	}
	text_input(b, p, RF_TITLE, "Tên đợt khảo sát",
		   "Ví dụ: Họp phụ huynh cuối học kỳ I, khối 6.", "w",
		   " maxlength=\"300\" required");
	unit_field(b, p);
	form_field(b, p);
	date_time(b, p, RF_OPENS_DATE, RF_OPENS_TIME, "Mở nhận phiếu từ");
	date_time(b, p, RF_CLOSES_DATE, RF_CLOSES_TIME, "Đóng lúc");
	text_input(b, p, RF_TARGET, "Số phụ huynh được khảo sát",
		   "Để tính tỉ lệ phản hồi. Có thể bỏ trống.", "n",
		   " inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"7\"");
	mode_field(b, p);
	buf_puts(b, "<fieldset><legend>Tuỳ chọn</legend>");
	checkbox(b, p, RF_DOUBLE_ENTRY,
		 "Phiếu giấy được hai người nhập để đối chiếu (nhập kép)");
	checkbox(b, p, RF_KIOSK, "Chế độ máy đặt tại chỗ: sau mỗi phiếu tự mở phiếu mới");
	buf_puts(b, "</fieldset><p class=\"row\"><button type=\"submit\">");
	buf_puts(b, p->round ? "Lưu thay đổi" : "Tạo đợt khảo sát");
	buf_puts(b, "</button><a href=\"");
	if (code) {
		buf_puts(b, "/staff/rounds/");
		buf_html(b, code);
	} else {
		buf_puts(b, "/staff/rounds");
	}
	buf_puts(b, "\">Huỷ</a></p></form></div>");
	page_staff_close(b, true);
}

/* ---- the list ------------------------------------------------------------- */

static void list_link(Buf *b, const char *state, long long page)
{
	buf_puts(b, "/staff/rounds");
	if (state && page > 1)
		buf_printf(b, "?state=%s&amp;page=%lld", state, page);
	else if (state)
		buf_printf(b, "?state=%s", state);
	else if (page > 1)
		buf_printf(b, "?page=%lld", page);
}

void page_round_list(Buf *b, const RoundListPage *p)
{
	static const char *const filters[][2] = {
		{NULL, "Tất cả"}, {"open", "Đang mở"}, {"upcoming", "Chưa mở"}, {"closed", "Đã đóng"}};
	const cJSON *items = json_at(p->rounds, "items"), *round;
	double total = json_number(p->rounds, "total");
	long long pages = (long long)((total + (double)p->per_page - 1) / (double)p->per_page);

	page_staff_open(b, "Các đợt khảo sát", NULL);
	buf_puts(b, "<div class=\"card\"><h1>Các đợt khảo sát</h1><nav class=\"nav\" "
		    "aria-label=\"Lọc theo trạng thái\">");
	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		const char *s = filters[i][0];
		bool current = (!s && !p->state) || (s && p->state && strcmp(s, p->state) == 0);
		buf_puts(b, "<a href=\"");
		list_link(b, s, 1);
		buf_printf(b, "\"%s>%s</a>", current ? " aria-current=\"page\"" : "", filters[i][1]);
	}
	buf_puts(b, "</nav>");
	if (p->can_create)
		buf_puts(b, "<p><a class=\"btn\" href=\"/staff/rounds/new\">Tạo đợt khảo sát mới</a></p>");
	if (cJSON_GetArraySize(items) == 0) {
		buf_puts(b, p->page > 1 ? "<p>Không còn đợt khảo sát nào ở trang này.</p>"
					: "<p>Chưa có đợt khảo sát nào ở đây.</p>");
	} else {
		buf_puts(b, "<p class=\"s\">");
		count(b, total);
		buf_puts(b, " đợt khảo sát</p><ul class=\"rl\">");
		cJSON_ArrayForEach(round, items)
			round_item(b, round);
		buf_puts(b, "</ul>");
	}
	if (pages > 1 || p->page > 1) {
		buf_puts(b, "<nav class=\"nav\" aria-label=\"Trang\">");
		if (p->page > 1) {
			buf_puts(b, "<a href=\"");
			list_link(b, p->state, p->page - 1);
			buf_puts(b, "\" rel=\"prev\">← Trang trước</a>");
		}
		buf_printf(b, "<span>Trang %lld/%lld</span>", p->page, pages > p->page ? pages : p->page);
		if (p->page < pages) {
			buf_puts(b, "<a href=\"");
			list_link(b, p->state, p->page + 1);
			buf_puts(b, "\" rel=\"next\">Trang sau →</a>");
		}
		buf_puts(b, "</nav>");
	}
	buf_puts(b, "</div><p><a href=\"/staff\">← Trang cán bộ</a></p>");
	page_staff_close(b, false);
}

/* ---- the start page ------------------------------------------------------- */

static void kpi(Buf *b, const char *label)
{
	buf_printf(b, "<div>%s<b>", label);
}

static void below_target(Buf *b, const DashboardPage *p)
{
	const cJSON *forms = json_at(p->report, "questionnaires"), *form, *item;
	bool any_data = false;

	buf_puts(b, "<div class=\"card\"><h2>Tiêu chí dưới mục tiêu (năm học này)</h2>");
	if (!p->report) {
		buf_puts(b, p->report_missing ? "<p>Chưa lập được báo cáo lúc này, vui lòng tải lại trang "
						"sau ít phút.</p>"
					      : "<p>Chưa có dữ liệu.</p>");
		buf_puts(b, "</div>");
		return;
	}
	cJSON_ArrayForEach(form, forms)
	{
		const cJSON *list = json_at(form, "below_target");
		int shown = 0;
		any_data = true;
		buf_puts(b, "<p><b>");
		buf_html(b, json_text(form, "form.title"));
		buf_puts(b, "</b> — ");
		count(b, json_number(form, "responses"));
		buf_puts(b, " phiếu</p>");
		if (cJSON_IsTrue(json_at(form, "suppressed"))) {
			buf_puts(b, "<p class=\"s\">Chưa đủ số phiếu tối thiểu để hiển thị tỉ lệ (bảo vệ "
				    "danh tính phụ huynh).</p>");
			continue;
		}
		if (cJSON_GetArraySize(list) == 0) {
			buf_puts(b, "<p class=\"s\">Không có tiêu chí nào dưới mục tiêu.</p>");
			continue;
		}
		buf_puts(b, "<ul class=\"rl\">");
		cJSON_ArrayForEach(item, list)
		{
			/* The worst ten; the report page has them all. */
			if (++shown > 10)
				break;
			buf_puts(b, "<li>");
			buf_html(b, json_text(item, "text"));
			buf_puts(b, "<br><span class=\"s\">Hài lòng ");
			percent(b, json_number(item, "percent"));
			buf_puts(b, ", mục tiêu ");
			percent(b, json_number(item, "percent") - json_number(item, "gap_points"));
			buf_puts(b, "</span></li>");
		}
		buf_puts(b, "</ul>");
		if (cJSON_GetArraySize(list) > 10)
			buf_printf(b, "<p class=\"s\">và %d tiêu chí khác.</p>",
				   cJSON_GetArraySize(list) - 10);
	}
	if (!any_data)
		buf_puts(b, "<p>Chưa có phiếu trả lời nào trong năm học này.</p>");
	buf_puts(b, "<p><a href=\"/staff/reports/");
	buf_html(b, p->unit_code);
	buf_puts(b, "\">Xem báo cáo đầy đủ</a></p></div>");
}

void page_dashboard(Buf *b, const DashboardPage *p)
{
	const cJSON *items = json_at(p->open_rounds, "items"), *round;
	double open = json_number(p->open_rounds, "open");
	double today = json_number(p->open_rounds, "today");
	/* The rate counts only the rounds that say whom they target. */
	double answered = json_number(p->open_rounds, "answered");
	double targeted = json_number(p->open_rounds, "targeted");
	page_staff_open(b, "hailong — cán bộ", NULL);
	buf_puts(b, "<div class=\"card\"><h1>Xin chào, ");
	buf_html(b, p->login);
	buf_puts(b, "</h1><p class=\"s\">Vai trò: ");
	buf_puts(b, !strcmp(p->role, "admin")   ? "quản trị"
		    : !strcmp(p->role, "staff") ? "cán bộ"
						: "xem báo cáo");
	buf_puts(b, " — đơn vị: ");
	buf_html(b, p->unit_name);
	buf_puts(b, " (");
	buf_html(b, p->unit_code);
	buf_puts(b, ")</p><nav class=\"nav\" aria-label=\"Trang cán bộ\">"
		    "<a href=\"/staff/rounds\">Các đợt khảo sát</a>");
	if (p->can_create)
		buf_puts(b, "<a href=\"/staff/rounds/new\">Tạo đợt khảo sát mới</a>");
	/* Unit codes are letters, digits, '.', '_' and '-': a safe path segment. */
	buf_puts(b, "<a href=\"/staff/reports/");
	buf_html(b, p->unit_code);
	buf_puts(b, "\">Báo cáo mức độ hài lòng</a>");
	if (!strcmp(p->role, "admin"))
		buf_puts(b, "<a href=\"/staff/accounts\">Tài khoản</a>"
			    "<a href=\"/staff/tokens\">Khóa API</a>"
			    "<a href=\"/staff/audit\">Nhật ký thao tác</a>");
	buf_puts(b, "</nav></div>");

	buf_puts(b, "<div class=\"card\"><h2>Đang diễn ra</h2>");
	if (!p->open_rounds) {
		buf_puts(b, "<p>Chưa tải được danh sách, vui lòng tải lại trang.</p></div>");
	} else {
		buf_puts(b, "<div class=\"kpi\">");
		kpi(b, "Đợt đang mở");
		count(b, open);
		buf_puts(b, "</b></div>");
		kpi(b, "Phiếu hôm nay");
		count(b, today);
		buf_puts(b, "</b></div>");
		kpi(b, "Tỉ lệ phản hồi");
		if (targeted > 0)
			percent(b, answered * 100.0 / targeted);
		else
			buf_puts(b, "—");
		buf_puts(b, "</b></div></div>");
		if (targeted > 0) {
			buf_puts(b, "<p class=\"s\">");
			count(b, answered);
			buf_puts(b, " phiếu / ");
			count(b, targeted);
			buf_puts(b, " phụ huynh được khảo sát, ở các đợt đang mở có ghi số phụ huynh.</p>");
		}
		if (open == 0) {
			buf_puts(b, "<p>Không có đợt khảo sát nào đang mở.");
			if (p->can_create)
				buf_puts(b, " <a href=\"/staff/rounds/new\">Tạo đợt khảo sát mới</a>");
			buf_puts(b, "</p>");
		} else {
			buf_puts(b, "<ul class=\"rl\">");
			cJSON_ArrayForEach(round, items)
				round_item(b, round);
			buf_puts(b, "</ul>");
			if (open > cJSON_GetArraySize(items)) {
				buf_puts(b, "<p><a href=\"/staff/rounds?state=open\">Xem cả ");
				count(b, open);
				buf_puts(b, " đợt đang mở</a></p>");
			}
		}
		buf_puts(b, "</div>");
	}
	below_target(b, p);
	buf_puts(b, "<div class=\"card\"><form method=\"post\" action=\"/logout\">");
	csrf_field(b, p->csrf);
	buf_puts(b, "<button type=\"submit\">Đăng xuất</button></form></div>");
	page_staff_close(b, false);
}
