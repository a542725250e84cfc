/* The admins' pages: the one style sheet and the one script the CSP allows
 * by hash and nothing else inline, everything from the database or the
 * request escaped, errors summarised on top and tied to their fields, and
 * the dd/mm/yyyy dates of the audit filter read strictly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "page_checks.h"

#include "buf.h"
#include "page.h"
#include "page_admin.h"
#include "page_staff.h"

/* A result of ncols text columns holding nrows rows of values (row major),
 * as the handler gets from libpq.  Caller frees with PQclear. */
static PGresult *rows(int ncols, int nrows, const char *const *values)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc attrs[16];
	char names[16][16];

	assert_non_null(res);
	assert_true(ncols <= 16);
	for (int c = 0; c < ncols; c++) {
		snprintf(names[c], sizeof names[c], "c%d", c);
		attrs[c] = (PGresAttDesc){.name = names[c], .typid = 25, .typlen = -1, .atttypmod = -1};
	}
	assert_true(PQsetResultAttrs(res, ncols, attrs));
	for (int r = 0; r < nrows; r++)
		for (int c = 0; c < ncols; c++)
			assert_true(PQsetvalue(res, r, c, (char *)values[r * ncols + c],
					       (int)strlen(values[r * ncols + c])));
	return res;
}

/* One style element holding STAFF_STYLE, one script holding STAFF_SCRIPT,
 * no inline style or event handler attribute. */
static void check_shell(const Buf *b)
{
	const char *open;

	assert_false(b->failed);
	assert_int_equal(count(b->data, "<style"), 1);
	assert_int_equal(count(b->data, "<script"), 1);
	open = strstr(b->data, "<style>");
	assert_non_null(open);
	assert_memory_equal(open + 7, STAFF_STYLE, strlen(STAFF_STYLE));
	assert_memory_equal(open + 7 + strlen(STAFF_STYLE), "</style>", 8);
	open = strstr(b->data, "<script>");
	assert_non_null(open);
	assert_memory_equal(open + 8, STAFF_SCRIPT, strlen(STAFF_SCRIPT));
	assert_memory_equal(open + 8 + strlen(STAFF_SCRIPT), "</script>", 9);
	assert_null(strstr(b->data, "style="));
	assert_null(strstr(b->data, " onclick"));
	assert_null(strstr(b->data, " onsubmit"));
	assert_non_null(strstr(b->data, "<html lang=\"vi\">"));
}

static const char *const ACCOUNTS[] = {
	"1", "a.admin", "admin", "79-A", "<b>Trường</b> A", "01/09/2026", "f",
	"2", "gv.khoa", "staff", "79-A", "<b>Trường</b> A", "02/09/2026", "t",
};
static const char *const UNITS[] = {"79-A", "<i>Trường A</i>", "79-A1", "Lớp 6A1"};

static void accounts_page(void **state)
{
	PGresult *accounts = rows(7, 2, ACCOUNTS), *units = rows(2, 2, UNITS);
	AdminForm form = {0};
	AccountsPage page = {.login = "a.admin", .unit_code = "79-A", .csrf = "c5rf",
			     .accounts = accounts, .units = units, .form = &form,
			     .new_login = "\"><script>x</script>", .new_role = "viewer",
			     .new_unit = "79-A"};
	Buf b;

	admin_form_error(&form, "tk-login", "Tên <đăng nhập> sai");
	buf_init(&b, 4096);
	page_accounts(&b, &page);
	check_shell(&b);
	assert_null(strstr(b.data, "<b>Trường"));
	assert_non_null(strstr(b.data, "&lt;b&gt;Trường&lt;/b&gt; A"));
	assert_null(strstr(b.data, "<i>Trường"));
	assert_null(strstr(b.data, "\"><script>x"));
	/* The summary links to the field, which points back at its message. */
	assert_non_null(strstr(b.data, "role=\"alert\""));
	assert_non_null(strstr(b.data, "<a href=\"#tk-login\">Tên &lt;đăng nhập&gt; sai</a>"));
	assert_non_null(strstr(b.data, "aria-describedby=\"tk-login-loi\""));
	/* A refused form is not refilled from the browser's draft. */
	assert_null(strstr(b.data, "data-draft=\"account\" data-restore=\"1\""));
	/* One's own account has no disable button; a disabled one an enable. */
	assert_null(strstr(b.data, "/staff/accounts/a.admin/disable"));
	assert_non_null(strstr(b.data, "/staff/accounts/gv.khoa/enable"));
	/* Two password forms, one enable form, the new-account form. */
	assert_int_equal(count(b.data, "name=\"csrf\" value=\"c5rf\""), 4);
	assert_non_null(strstr(b.data, "<option value=\"viewer\" selected>Chỉ xem</option>"));
	assert_non_null(strstr(b.data, "2 tài khoản"));
	buf_free(&b);
	PQclear(accounts);
	PQclear(units);
}

static void token_secret_page(void **state)
{
	Buf b;

	buf_init(&b, 4096);
	page_token_created(&b, "a.admin", "<script>alert(1)</script>", "viewer", "79-A",
			   "hl_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ");
	check_shell(&b);
	assert_int_equal(count(b.data, "hl_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"), 1);
	assert_non_null(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(b.data, "data-draft-clear"));
	buf_free(&b);
}

static void audit_page(void **state)
{
	static const char *const ENTRIES[] = {
		"9", "2026-09-05T01:00:00Z", "<u>x</u>", "79-A", "account.create",
		"{\"login\": \"<s>\"}", "05/09/2026 08:00",
	};
	PGresult *res = rows(7, 1, ENTRIES);
	AuditPage page = {.login = "a.admin", .rows = res, .limit = 1, .actor = "a b&c",
			  .action = "account", .from = "01/09/2026", .to = ""};
	Buf b;

	buf_init(&b, 4096);
	page_audit(&b, &page);
	check_shell(&b);
	assert_non_null(strstr(b.data, "Tạo tài khoản"));
	assert_non_null(strstr(b.data, "05/09/2026 08:00"));
	assert_null(strstr(b.data, "<u>x"));
	assert_null(strstr(b.data, "<s>"));
	/* A full page links to the next, keeping the filters. */
	assert_non_null(strstr(b.data, "/staff/audit?before=9&amp;actor=a%20b%26c&amp;action="
				       "account&amp;from=01%2F09%2F2026\""));
	assert_non_null(strstr(b.data, "<option value=\"account\" selected>"));
	buf_free(&b);
	PQclear(res);
}

static void message_page(void **state)
{
	Buf b;

	buf_init(&b, 1024);
	page_admin_message(&b, "Không có quyền", "<b>no</b>", "/staff", "Trang cán bộ");
	check_shell(&b);
	assert_non_null(strstr(b.data, "&lt;b&gt;no&lt;/b&gt;"));
	assert_non_null(strstr(b.data, "<a href=\"/staff\">← Trang cán bộ</a>"));
	buf_free(&b);
}

static void dates(void **state)
{
	char out[11];

	assert_true(page_parse_date("05/09/2026", out));
	assert_string_equal(out, "2026-09-05");
	assert_true(page_parse_date("5/9/2026", out));
	assert_string_equal(out, "2026-09-05");
	assert_true(page_parse_date("2026-09-05", out));
	assert_string_equal(out, "2026-09-05");
	assert_true(page_parse_date("29/02/2028", out));
	assert_false(page_parse_date("29/02/2026", out));
	assert_false(page_parse_date("31/04/2026", out));
	assert_false(page_parse_date("00/01/2026", out));
	assert_false(page_parse_date("01/13/2026", out));
	assert_false(page_parse_date("01/01/1999", out));
	assert_false(page_parse_date("01/01/26", out));
	assert_false(page_parse_date("01/01/2026x", out));
	assert_false(page_parse_date(" 1/01/2026", out));
	assert_false(page_parse_date("+1/01/2026", out));
	assert_false(page_parse_date("", out));
	assert_false(page_parse_date("2026-9-5", out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accounts_page), cmocka_unit_test(token_secret_page),
		cmocka_unit_test(audit_page),    cmocka_unit_test(message_page),
		cmocka_unit_test(dates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
