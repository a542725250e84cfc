#include "page_admin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "page_staff.h"


void admin_form_error(AdminForm *form, const char *field, const char *message)
{
	if (form->nerrors < ADMIN_MAX_ERRORS) {
		form->errors[form->nerrors].field = field;
		form->errors[form->nerrors].message = message;
		form->nerrors++;
	}
}

const char *admin_role_label(const char *role)
{
	if (strcmp(role, "admin") == 0)
		return "Quản trị";
	if (strcmp(role, "staff") == 0)
		return "Cán bộ";
	if (strcmp(role, "viewer") == 0)
		return "Chỉ xem";
	return role;
}

/* What an audit action means, for people; unknown actions show as stored. */
static const char *action_label(const char *action)
{
	static const struct {
		const char *action, *label;
	} labels[] = {
		{"account.create", "Tạo tài khoản"},
		{"account.disable", "Khóa tài khoản"},
		{"account.enable", "Mở khóa tài khoản"},
		{"account.password", "Đặt lại mật khẩu"},
		{"token.create", "Tạo khóa API"},
		{"token.revoke", "Thu hồi khóa API"},
		{"session.login", "Đăng nhập"},
		{"session.logout", "Đăng xuất"},
		{"campaign.create", "Tạo đợt khảo sát"},
		{"campaign.update", "Sửa đợt khảo sát"},
		{"campaign.close", "Kết thúc đợt khảo sát"},
		{"slips.create", "Tạo phiếu riêng"},
	};

	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i].action, action) == 0)
			return labels[i].label;
	return NULL;
}

static void head(Buf *b, const char *title)
{
	page_head_open(b, NULL);
	buf_puts(b, "<title>");
	buf_html(b, title);
	buf_puts(b, " — hailong</title><style>");
	buf_puts(b, STAFF_STYLE);
	buf_puts(b, "</style></head><body><main>");
}

static void foot(Buf *b)
{
	buf_puts(b, "</main><script>");
	buf_puts(b, STAFF_SCRIPT);
	buf_puts(b, "</script></body></html>");
}

/* The admins' navigation; the current page is marked for screen readers. */
static void nav(Buf *b, const char *login, const char *current)
{
	static const struct {
		const char *href, *label;
	} links[] = {
		{"/staff", "Trang cán bộ"},
		{"/staff/accounts", "Tài khoản"},
		{"/staff/tokens", "Khóa API"},
		{"/staff/audit", "Nhật ký thao tác"},
	};

	buf_puts(b, "<nav aria-label=\"Quản trị\" class=\"nav\">");
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		buf_printf(b, "<a href=\"%s\"%s>%s</a>", links[i].href,
			   strcmp(links[i].href, current) == 0 ? " aria-current=\"page\"" : "",
			   links[i].label);
	}
	if (login && *login) {
		buf_puts(b, "<span class=\"s\">");
		buf_html(b, login);
		buf_puts(b, "</span>");
	}
	buf_puts(b, "</nav>");
}

static void csrf_field(Buf *b, const char *csrf)
{
	buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(b, csrf ? csrf : "");
	buf_puts(b, "\">");
}

static void notice(Buf *b, const char *text)
{
	if (!text)
		return;
	buf_puts(b, "<p class=\"ok\" role=\"status\" data-draft-clear>");
	buf_html(b, text);
	buf_puts(b, "</p>");
}

/* The error summary: focusable, announced, each problem a link to its field. */
static void error_summary(Buf *b, const AdminForm *form)
{
	if (!form || form->nerrors == 0)
		return;
	buf_puts(b, "<div class=\"err\" role=\"alert\" tabindex=\"-1\" id=\"loi\"><p><b>Chưa lưu "
		    "được. Hãy sửa:</b></p><ul>");
	for (int i = 0; i < form->nerrors; i++) {
		buf_puts(b, "<li><a href=\"#");
		buf_html(b, form->errors[i].field);
		buf_puts(b, "\">");
		buf_html(b, form->errors[i].message);
		buf_puts(b, "</a></li>");
	}
	buf_puts(b, "</ul></div>");
}

/* The problem with one field, or NULL. */
static const char *field_error(const AdminForm *form, const char *field)
{
	for (int i = 0; form && i < form->nerrors; i++)
		if (strcmp(form->errors[i].field, field) == 0)
			return form->errors[i].message;
	return NULL;
}

/* The error under a field's label, and the attributes that tie it to the
 * input (call between the label and the input's closing "…>"). */
static void field_message(Buf *b, const AdminForm *form, const char *field)
{
	const char *message = field_error(form, field);

	if (!message)
		return;
	buf_puts(b, "<span class=\"e\" id=\"");
	buf_html(b, field);
	buf_puts(b, "-loi\">");
	buf_html(b, message);
	buf_puts(b, "</span>");
}

static void field_attrs(Buf *b, const AdminForm *form, const char *field)
{
	if (!field_error(form, field))
		return;
	buf_puts(b, " aria-invalid=\"true\" aria-describedby=\"");
	buf_html(b, field);
	buf_puts(b, "-loi\"");
}

static void role_select(Buf *b, const AdminForm *form, const char *id, const char *selected)
{
	static const char *const roles[] = {"viewer", "staff", "admin"};

	buf_printf(b, "<label for=\"%s\">Vai trò</label>", id);
	field_message(b, form, id);
	buf_printf(b, "<select id=\"%s\" name=\"role\"", id);
	field_attrs(b, form, id);
	buf_puts(b, ">");
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		buf_printf(b, "<option value=\"%s\"%s>%s</option>", roles[i],
			   selected && strcmp(selected, roles[i]) == 0 ? " selected" : "",
			   admin_role_label(roles[i]));
	buf_puts(b, "</select><span class=\"s\">Chỉ xem: xem báo cáo. Cán bộ: thêm quản lý đợt "
		    "khảo sát, in phiếu, nhập phiếu giấy. Quản trị: thêm tài khoản, khóa API, "
		    "nhật ký.</span>");
}

/* The unit field: a code typed or picked from the subtree's units. */
static void unit_field(Buf *b, const AdminForm *form, const char *id, const char *value,
		       const PGresult *units)
{
	buf_printf(b, "<label for=\"%s\">Mã đơn vị</label>", id);
	field_message(b, form, id);
	buf_printf(b, "<input id=\"%s\" name=\"unit\" required maxlength=\"64\" "
		      "autocomplete=\"off\" spellcheck=\"false\" list=\"%s-ds\" value=\"",
		   id, id);
	buf_html(b, value ? value : "");
	buf_puts(b, "\"");
	field_attrs(b, form, id);
	buf_printf(b, "><span class=\"s\">Đơn vị của bạn hoặc một đơn vị trực thuộc.</span>"
		      "<datalist id=\"%s-ds\">",
		   id);
	for (int i = 0; units && i < PQntuples(units); i++) {
		buf_puts(b, "<option value=\"");
		buf_html(b, PQgetvalue(units, i, 0));
		buf_puts(b, "\">");
		buf_html(b, PQgetvalue(units, i, 1));
		buf_puts(b, "</option>");
	}
	buf_puts(b, "</datalist>");
}

/* Numbers in pages use the Vietnamese thousands dot: 1.234. */
static void count(Buf *b, long long n)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%lld", n < 0 ? 0 : n);

	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf_puts(b, ".");
		buf_add(b, digits + i, 1);
	}
}

static void account_item(Buf *b, const AccountsPage *page, int i)
{
	const PGresult *rows = page->accounts;
	const char *login = PQgetvalue(rows, i, 1);
	bool disabled = PQgetvalue(rows, i, 6)[0] == 't';
	bool self = page->login && strcmp(login, page->login) == 0;
	bool has_errors = page->form && page->form->account &&
			  strcmp(page->form->account, login) == 0;
	char id[80];

	buf_puts(b, "<li><p><b>");
	buf_html(b, login);
	buf_puts(b, "</b> <span class=\"tag\">");
	buf_puts(b, admin_role_label(PQgetvalue(rows, i, 2)));
	buf_puts(b, "</span>");
	if (disabled)
		buf_puts(b, " <span class=\"tag off\">Đã khóa</span>");
	buf_puts(b, "<br><span class=\"s\">");
	buf_html(b, PQgetvalue(rows, i, 4));
	buf_puts(b, " (");
	buf_html(b, PQgetvalue(rows, i, 3));
	buf_puts(b, ") · tạo ngày ");
	buf_html(b, PQgetvalue(rows, i, 5));
	buf_puts(b, "</span></p><div class=\"row\">");
	if (!self) {
		/* Logins are a-z, 0-9, '.', '_' and '-': a safe path segment. */
		buf_puts(b, "<form method=\"post\" action=\"/staff/accounts/");
		buf_html(b, login);
		buf_puts(b, disabled ? "/enable\">" : "/disable\">");
		csrf_field(b, page->csrf);
		buf_puts(b, disabled ? "<button type=\"submit\" class=\"sec\">Mở khóa <span "
				       "class=\"sr\">"
				     : "<button type=\"submit\" class=\"warn\">Khóa <span class=\"sr\">");
		buf_html(b, login);
		buf_puts(b, "</span></button></form>");
	}
	snprintf(id, sizeof id, "mk-%s", login);
	buf_printf(b, "<details%s><summary>Đặt lại mật khẩu</summary>", has_errors ? " open" : "");
	buf_puts(b, "<form method=\"post\" class=\"f\" action=\"/staff/accounts/");
	buf_html(b, login);
	buf_puts(b, "/password\">");
	csrf_field(b, page->csrf);
	buf_puts(b, "<label for=\"");
	buf_html(b, id);
	buf_puts(b, "\">Mật khẩu mới cho ");
	buf_html(b, login);
	buf_puts(b, "</label>");
	field_message(b, has_errors ? page->form : NULL, id);
	buf_puts(b, "<input type=\"password\" id=\"");
	buf_html(b, id);
	buf_puts(b, "\" name=\"password\" required minlength=\"10\" autocomplete=\"new-password\"");
	field_attrs(b, has_errors ? page->form : NULL, id);
	buf_puts(b, "><button type=\"submit\">Lưu mật khẩu mới</button>"
		    "<span class=\"s\">Ít nhất 10 ký tự. Các phiên đăng nhập của tài khoản này sẽ "
		    "kết thúc.</span></form></details></div></li>");
}

void page_accounts(Buf *b, const AccountsPage *page)
{
	const PGresult *rows = page->accounts;
	int n = rows ? PQntuples(rows) : 0;
	const AdminForm *form = page->form;
	bool new_errors = form && form->nerrors && !form->account;

	head(b, "Tài khoản");
	nav(b, page->login, "/staff/accounts");
	notice(b, page->notice);
	error_summary(b, form);
	buf_puts(b, "<div class=\"card\"><h1>Tài khoản</h1><p class=\"s\">Tài khoản của đơn vị "
		    "bạn và các đơn vị trực thuộc: ");
	count(b, n);
	buf_puts(b, " tài khoản.</p>");
	if (n >= 2000) /* SQL_ADMIN_ACCOUNTS stops there */
		buf_puts(b, "<p class=\"s\">Chỉ hiện 2.000 tài khoản đầu tiên (theo đơn vị).</p>");
	if (n == 0)
		buf_puts(b, "<p>Chưa có tài khoản nào.</p>");
	else
		buf_puts(b, "<ul class=\"list\">");
	for (int i = 0; i < n; i++)
		account_item(b, page, i);
	if (n > 0)
		buf_puts(b, "</ul>");
	buf_puts(b, "</div>");

	buf_puts(b, "<div class=\"card\"><h2 id=\"moi\">Tạo tài khoản</h2>"
		    "<form method=\"post\" action=\"/staff/accounts\" class=\"f\" "
		    "data-draft=\"account\"");
	if (!new_errors)
		buf_puts(b, " data-restore=\"1\"");
	buf_puts(b, "><p class=\"ok draft\" hidden>Đã điền lại nội dung bạn nhập lần trước (chưa "
		    "được lưu). Hãy nhập lại mật khẩu rồi bấm “Tạo tài khoản”.</p>");
	csrf_field(b, page->csrf);
	buf_puts(b, "<label for=\"tk-login\">Tên đăng nhập</label>");
	field_message(b, new_errors ? form : NULL, "tk-login");
	buf_puts(b, "<input id=\"tk-login\" name=\"login\" required maxlength=\"64\" "
		    "autocomplete=\"off\" autocapitalize=\"none\" spellcheck=\"false\" value=\"");
	buf_html(b, page->new_login ? page->new_login : "");
	buf_puts(b, "\"");
	field_attrs(b, new_errors ? form : NULL, "tk-login");
	buf_puts(b, "><span class=\"s\">3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch "
		    "dưới, gạch ngang.</span>");
	role_select(b, new_errors ? form : NULL, "tk-role", page->new_role ? page->new_role : "staff");
	unit_field(b, new_errors ? form : NULL, "tk-unit",
		   page->new_unit ? page->new_unit : page->unit_code, page->units);
	buf_puts(b, "<label for=\"tk-password\">Mật khẩu ban đầu</label>");
	field_message(b, new_errors ? form : NULL, "tk-password");
	buf_puts(b, "<input type=\"password\" id=\"tk-password\" name=\"password\" required "
		    "minlength=\"10\" autocomplete=\"new-password\"");
	field_attrs(b, new_errors ? form : NULL, "tk-password");
	buf_puts(b, "><span class=\"s\">Ít nhất 10 ký tự. Hãy trao mật khẩu trực tiếp cho người "
		    "dùng, không gửi qua nhóm chat.</span>"
		    "<p><button type=\"submit\">Tạo tài khoản</button></p></form></div>");
	foot(b);
}

static void token_item(Buf *b, const TokensPage *page, int i)
{
	const PGresult *rows = page->tokens;
	const char *id = PQgetvalue(rows, i, 0);
	const char *last = PQgetvalue(rows, i, 6), *revoked = PQgetvalue(rows, i, 7);

	buf_puts(b, "<li><p><b>");
	buf_html(b, PQgetvalue(rows, i, 1));
	buf_puts(b, "</b> <span class=\"tag\">");
	buf_puts(b, admin_role_label(PQgetvalue(rows, i, 2)));
	buf_puts(b, "</span>");
	if (*revoked) {
		buf_puts(b, " <span class=\"tag off\">Đã thu hồi ngày ");
		buf_html(b, revoked);
		buf_puts(b, "</span>");
	}
	buf_puts(b, "<br><span class=\"s\">Số ");
	buf_html(b, id);
	buf_puts(b, " · ");
	buf_html(b, PQgetvalue(rows, i, 4));
	buf_puts(b, " (");
	buf_html(b, PQgetvalue(rows, i, 3));
	buf_puts(b, ") · tạo ngày ");
	buf_html(b, PQgetvalue(rows, i, 5));
	buf_puts(b, " · ");
	if (*last) {
		buf_puts(b, "dùng lần cuối ");
		buf_html(b, last);
	} else {
		buf_puts(b, "chưa dùng lần nào");
	}
	buf_puts(b, "</span></p>");
	if (!*revoked) {
		buf_puts(b, "<form method=\"post\" action=\"/staff/tokens/");
		buf_html(b, id);
		buf_puts(b, "/revoke\">");
		csrf_field(b, page->csrf);
		buf_puts(b, "<button type=\"submit\" class=\"warn\">Thu hồi <span class=\"sr\">");
		buf_html(b, PQgetvalue(rows, i, 1));
		buf_puts(b, "</span></button></form>");
	}
	buf_puts(b, "</li>");
}

void page_tokens(Buf *b, const TokensPage *page)
{
	const PGresult *rows = page->tokens;
	int n = rows ? PQntuples(rows) : 0;
	const AdminForm *form = page->form;

	head(b, "Khóa API");
	nav(b, page->login, "/staff/tokens");
	notice(b, page->notice);
	error_summary(b, form);
	buf_puts(b, "<div class=\"card\"><h1>Khóa API</h1><p class=\"s\">Khóa cho các phần mềm "
		    "khác (cổng thông tin, phần mềm quản lý trường học) đọc dữ liệu của đơn vị "
		    "qua /api/v1/. Mỗi khóa có một vai trò trên một đơn vị, như một tài khoản. Mã "
		    "bí mật chỉ hiện một lần, khi tạo.</p>");
	if (n == 0)
		buf_puts(b, "<p>Chưa có khóa nào.</p>");
	else
		buf_puts(b, "<ul class=\"list\">");
	for (int i = 0; i < n; i++)
		token_item(b, page, i);
	if (n > 0)
		buf_puts(b, "</ul>");
	buf_puts(b, "</div>");

	buf_puts(b, "<div class=\"card\"><h2>Tạo khóa</h2><form method=\"post\" "
		    "action=\"/staff/tokens\" class=\"f\" data-draft=\"token\"");
	if (!form || form->nerrors == 0)
		buf_puts(b, " data-restore=\"1\"");
	buf_puts(b, "><p class=\"ok draft\" hidden>Đã điền lại nội dung bạn nhập lần trước (chưa "
		    "được lưu).</p>");
	csrf_field(b, page->csrf);
	buf_puts(b, "<input type=\"hidden\" name=\"nonce\" value=\"");
	buf_html(b, page->nonce);
	buf_puts(b, "\"><label for=\"kh-name\">Tên khóa (dùng cho việc gì)</label>");
	field_message(b, form, "kh-name");
	buf_puts(b, "<input id=\"kh-name\" name=\"name\" required maxlength=\"200\" value=\"");
	buf_html(b, page->new_name ? page->new_name : "");
	buf_puts(b, "\"");
	field_attrs(b, form, "kh-name");
	buf_puts(b, ">");
	role_select(b, form, "kh-role", page->new_role ? page->new_role : "viewer");
	unit_field(b, form, "kh-unit", page->new_unit ? page->new_unit : page->unit_code,
		   page->units);
	buf_puts(b, "<p><button type=\"submit\">Tạo khóa</button></p></form></div>");
	foot(b);
}

void page_token_created(Buf *b, const char *login, const char *name, const char *role,
			const char *unit, const char *secret)
{
	head(b, "Khóa API mới");
	nav(b, login, "");
	buf_puts(b, "<div class=\"ok\" role=\"status\" data-draft-clear><p>Đã tạo khóa “");
	buf_html(b, name);
	buf_puts(b, "” (");
	buf_puts(b, admin_role_label(role));
	buf_puts(b, ", đơn vị ");
	buf_html(b, unit);
	buf_puts(b, ").</p></div><div class=\"card\"><h1>Mã bí mật của khóa</h1>"
		    "<p><b>Hãy sao chép ngay.</b> Mã này chỉ hiện một lần, trên trang này; hailong "
		    "chỉ lưu dấu vân tay của mã nên không thể hiện lại. Nếu làm mất, hãy thu hồi "
		    "khóa và tạo khóa mới.</p><p><label for=\"secret\">Mã bí mật</label></p>"
		    "<p class=\"secret\" id=\"secret\">");
	buf_html(b, secret);
	buf_puts(b, "</p><p class=\"s\">Phần mềm gửi mã trong tiêu đề "
		    "<code>Authorization: Bearer …</code>.</p>"
		    "<p><a href=\"/staff/tokens\">← Về danh sách khóa API</a></p></div>");
	foot(b);
}

/* The query string of the current filters (escaped for an attribute). */
static void filter_query(Buf *b, const AuditPage *page)
{
	const char *names[4] = {"actor", "action", "from", "to"};
	const char *values[4] = {page->actor, page->action, page->from, page->to};

	for (int i = 0; i < 4; i++) {
		if (!values[i] || !*values[i])
			continue;
		buf_printf(b, "&amp;%s=", names[i]);
		for (const unsigned char *p = (const unsigned char *)values[i]; *p; p++) {
			if (isalnum(*p) || strchr("-._~", *p))
				buf_add(b, (const char *)p, 1);
			else
				buf_printf(b, "%%%02X", *p);
		}
	}
}

static void text_input(Buf *b, const AdminForm *form, const char *id, const char *name,
		       const char *label, const char *value, const char *extra)
{
	buf_printf(b, "<div><label for=\"%s\">%s</label>", id, label);
	field_message(b, form, id);
	buf_printf(b, "<input id=\"%s\" name=\"%s\" %s value=\"", id, name, extra);
	buf_html(b, value ? value : "");
	buf_puts(b, "\"");
	field_attrs(b, form, id);
	buf_puts(b, "></div>");
}

void page_audit(Buf *b, const AuditPage *page)
{
	const PGresult *rows = page->rows;
	int n = rows ? PQntuples(rows) : 0;

	head(b, "Nhật ký thao tác");
	nav(b, page->login, "/staff/audit");
	error_summary(b, page->form);
	buf_puts(b, "<div class=\"card\"><h1>Nhật ký thao tác</h1><p class=\"s\">Mọi thay đổi "
		    "của đơn vị bạn và các đơn vị trực thuộc, mới nhất trước. Nhật ký không sửa "
		    "hay xóa được.</p><form method=\"get\" action=\"/staff/audit\" class=\"f grid\">");
	text_input(b, page->form, "nk-actor", "actor", "Người thực hiện (tên đăng nhập)",
		   page->actor, "maxlength=\"80\" autocapitalize=\"none\" spellcheck=\"false\"");
	buf_puts(b, "<div><label for=\"nk-action\">Thao tác</label><select id=\"nk-action\" "
		    "name=\"action\"><option value=\"\">Tất cả</option>");
	{
		static const char *const prefixes[][2] = {
			{"account", "Tài khoản"},  {"token", "Khóa API"},
			{"session", "Đăng nhập, đăng xuất"}, {"campaign", "Đợt khảo sát"},
			{"slips", "Phiếu riêng"},
		};
		bool known = !page->action || !*page->action;
		for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
			bool on = page->action && strcmp(page->action, prefixes[i][0]) == 0;
			known = known || on;
			buf_printf(b, "<option value=\"%s\"%s>%s</option>", prefixes[i][0],
				   on ? " selected" : "", prefixes[i][1]);
		}
		if (!known) {
			/* A filter from a link (account.create …) stays selectable. */
			buf_puts(b, "<option selected value=\"");
			buf_html(b, page->action);
			buf_puts(b, "\">");
			buf_html(b, action_label(page->action) ? action_label(page->action)
							       : page->action);
			buf_puts(b, "</option>");
		}
	}
	buf_puts(b, "</select></div>");
	text_input(b, page->form, "nk-from", "from", "Từ ngày (dd/mm/yyyy)", page->from,
		   "maxlength=\"10\" inputmode=\"numeric\" placeholder=\"dd/mm/yyyy\"");
	text_input(b, page->form, "nk-to", "to", "Đến ngày (dd/mm/yyyy)", page->to,
		   "maxlength=\"10\" inputmode=\"numeric\" placeholder=\"dd/mm/yyyy\"");
	buf_puts(b, "<div><button type=\"submit\">Lọc</button> <a href=\"/staff/audit\">Bỏ lọc</a>"
		    "</div></form></div><div class=\"card\">");
	if (n == 0)
		buf_puts(b, "<p>Không có mục nào.</p>");
	else
		buf_puts(b, "<ul class=\"list\">");
	for (int i = 0; i < n; i++) {
		const char *action = PQgetvalue(rows, i, 4);
		const char *label = action_label(action);
		buf_puts(b, "<li><p><b>");
		buf_html(b, label ? label : action);
		buf_puts(b, "</b> <span class=\"k\">");
		buf_html(b, action);
		buf_puts(b, "</span><br><span class=\"s\">");
		buf_html(b, PQgetvalue(rows, i, 6));
		buf_puts(b, " · ");
		buf_html(b, PQgetvalue(rows, i, 2));
		buf_puts(b, " · đơn vị ");
		buf_html(b, PQgetvalue(rows, i, 3));
		buf_puts(b, "</span></p>");
		if (strcmp(PQgetvalue(rows, i, 5), "{}") != 0) {
			buf_puts(b, "<p class=\"d\">");
			buf_html(b, PQgetvalue(rows, i, 5));
			buf_puts(b, "</p>");
		}
		buf_puts(b, "</li>");
	}
	if (n > 0)
		buf_puts(b, "</ul>");
	if (n >= page->limit && n > 0) {
		buf_puts(b, "<p><a href=\"/staff/audit?before=");
		buf_html(b, PQgetvalue(rows, n - 1, 0));
		filter_query(b, page);
		buf_puts(b, "\">Trang sau (cũ hơn) →</a></p>");
	}
	buf_puts(b, "</div>");
	foot(b);
}

void page_admin_message(Buf *b, const char *heading, const char *message, const char *href,
			const char *back)
{
	head(b, heading);
	buf_puts(b, "<div class=\"card\"><h1>");
	buf_html(b, heading);
	buf_puts(b, "</h1><p>");
	buf_html(b, message);
	buf_puts(b, "</p>");
	if (href) {
		buf_puts(b, "<p><a href=\"");
		buf_html(b, href);
		buf_puts(b, "\">← ");
		buf_html(b, back);
		buf_puts(b, "</a></p>");
	}
	buf_puts(b, "</div>");
	foot(b);
}

