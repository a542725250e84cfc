/* The staff start page, the round list and the round form: one style sheet
 * (and, on the form, one script) matching the CSP hashes, everything from
 * the database or a person escaped, numbers with the Vietnamese decimal
 * comma and thousands dot, an error summary that links to each field in
 * error, paging links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "page_checks.h"

#include "buf.h"
#include "page_rounds.h"
#include "page_staff.h"

static const char HOSTILE[] = "<script>alert(1)</script>&\"'";

static cJSON *parse(const char *text)
{
	cJSON *doc = cJSON_Parse(text);

	assert_non_null(doc);
	return doc;
}

static const char ROUND[] =
	"{\"code\":\"ABC234\",\"title\":\"<b>Họp</b> & \\\"x\\\"\",\"state\":\"open\","
	"\"unit\":{\"code\":\"79-A-K6\",\"name\":\"Khối <i>6</i>\",\"kind\":\"grade\"},"
	"\"opens\":\"2026-11-20T07:00:00+07:00\",\"closes\":\"2026-12-05T17:00:00+07:00\","
	"\"closed_early\":null,\"mode\":\"both\",\"kiosk\":false,\"double_entry\":true,"
	"\"target\":8000,\"response_rate\":15.4,\"form_locked\":true,"
	"\"form\":{\"id\":\"f\",\"edition\":\"2026\",\"title\":\"Phiếu <u>A</u>\"},"
	"\"responses\":{\"total\":1234,\"today\":56}}";

static void test_dashboard(void **state)
{
	char rounds_text[2048];
	cJSON *rounds, *report;
	Buf b;
	(void)state;

	snprintf(rounds_text, sizeof rounds_text, "{\"open\":21,\"today\":56,\"answered\":1234,"
		 "\"targeted\":8000,\"items\":[%s]}", ROUND);
	rounds = parse(rounds_text);
	report = parse("{\"questionnaires\":[{\"form\":{\"title\":\"Phiếu <u>A</u>\"},"
		       "\"responses\":1234,\"suppressed\":false,\"below_target\":["
		       "{\"text\":\"Giáo viên <em>thân thiện</em>\",\"percent\":62.54,"
		       "\"gap_points\":-17.46}]}]}");
	buf_init(&b, 4096);
	page_dashboard(&b, &(DashboardPage){.login = HOSTILE, .role = "staff", .unit_name = HOSTILE,
					    .unit_code = "79-A", .csrf = "c0ffee",
					    .open_rounds = rounds, .report = report,
					    .can_create = true});
	check_page_shell(&b, STAFF_STYLE);
	assert_null(strstr(b.data, "<script>alert"));
	assert_null(strstr(b.data, "<b>Họp"));
	assert_null(strstr(b.data, "<em>"));
	assert_non_null(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;"));
	assert_non_null(strstr(b.data, "Vai trò: cán bộ"));
	/* 1234 of 8000 parents: 15,4 %; counts with the thousands dot. */
	assert_non_null(strstr(b.data, "15,4 %"));
	assert_non_null(strstr(b.data, "1.234"));
	assert_non_null(strstr(b.data, "8.000"));
	assert_non_null(strstr(b.data, "Phiếu hôm nay<b>56</b>"));
	assert_non_null(strstr(b.data, "Hài lòng 62,5 %, mục tiêu 80,0 %"));
	assert_non_null(strstr(b.data, "đóng lúc 17:00 ngày 05/12/2026"));
	assert_non_null(strstr(b.data, "href=\"/staff/rounds/new\""));
	assert_non_null(strstr(b.data, "name=\"csrf\" value=\"c0ffee\""));
	/* 21 open, one listed: a link to all of them. */
	assert_non_null(strstr(b.data, "Đợt đang mở<b>21</b>"));
	assert_non_null(strstr(b.data, "Xem cả 21 đợt đang mở"));
	buf_free(&b);

	/* No data: says so, shows "—" for the rate, never 0 %. */
	cJSON_Delete(rounds);
	rounds = parse("{\"open\":0,\"today\":0,\"answered\":0,\"targeted\":0,\"items\":[]}");
	buf_init(&b, 4096);
	page_dashboard(&b, &(DashboardPage){.login = "a", .role = "viewer", .unit_name = "u",
					    .unit_code = "79-A", .csrf = "c", .open_rounds = rounds,
					    .report = NULL, .report_missing = true});
	check_page_shell(&b, STAFF_STYLE);
	assert_non_null(strstr(b.data, "Không có đợt khảo sát nào đang mở."));
	assert_non_null(strstr(b.data, "Tỉ lệ phản hồi<b>—</b>"));
	assert_non_null(strstr(b.data, "Chưa lập được báo cáo lúc này"));
	assert_null(strstr(b.data, "/staff/rounds/new"));
	buf_free(&b);
	cJSON_Delete(rounds);
	cJSON_Delete(report);
}

static void test_list(void **state)
{
	char text[4096];
	cJSON *rounds;
	Buf b;
	(void)state;

	snprintf(text, sizeof text, "{\"total\":45,\"items\":[%s]}", ROUND);
	rounds = parse(text);
	buf_init(&b, 4096);
	page_round_list(&b, &(RoundListPage){.rounds = rounds, .state = "open", .page = 2,
					     .per_page = 20});
	check_page_shell(&b, STAFF_STYLE);
	assert_null(strstr(b.data, "<b>Họp"));
	assert_non_null(strstr(b.data, "href=\"/staff/rounds?state=open\" rel=\"prev\""));
	assert_non_null(strstr(b.data, "href=\"/staff/rounds?state=open&amp;page=3\" rel=\"next\""));
	assert_non_null(strstr(b.data, "Trang 2/3"));
	assert_non_null(strstr(b.data, "aria-current=\"page\">Đang mở"));
	assert_null(strstr(b.data, "/staff/rounds/new"));
	buf_free(&b);
	cJSON_Delete(rounds);
}

static void test_form(void **state)
{
	cJSON *choices = parse("{\"units\":[{\"code\":\"79-A\",\"name\":\"Trường <A>\","
			       "\"kind\":\"school\"},{\"code\":\"79-A-K6\",\"name\":\"Khối 6\","
			       "\"kind\":\"grade\"}],\"forms\":[{\"id\":\"f\",\"edition\":\"2026\","
			       "\"title\":\"Phiếu\"}]}");
	cJSON *round = parse(ROUND);
	RoundFormPage page = {.choices = choices, .csrf = "c0ffee",
			      .form_key = "0123456789abcdef0123456789abcdef"};
	const char *script;
	Buf b;
	(void)state;

	page.values[RF_TITLE] = HOSTILE;
	page.values[RF_UNIT] = "79-A-K6";
	page.values[RF_FORM] = "f@2026";
	page.values[RF_OPENS_DATE] = "31/02/2026";
	page.values[RF_MODE] = "slips";
	page.errors[RF_OPENS_DATE] = "Ngày <mở> không có trên lịch.";
	page.errors[RF_TARGET] = "Số phụ huynh";
	buf_init(&b, 8192);
	page_round_form(&b, &page);
	assert_false(b.failed);
	/* One style, one script, both the hashed ones. */
	assert_int_equal(count(b.data, "<style>"), 1);
	assert_int_equal(count(b.data, "<script>"), 1);
	script = strstr(b.data, "<script>") + strlen("<script>");
	assert_memory_equal(script, STAFF_SCRIPT, strlen(STAFF_SCRIPT));
	assert_null(strstr(b.data, "style="));
	assert_null(strstr(b.data, "<script>alert"));
	assert_non_null(strstr(b.data, "value=\"&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;\""));
	/* The summary: two problems, linked in the fields' order, each field
	 * marked and described. */
	assert_non_null(strstr(b.data, "có 2 chỗ cần sửa"));
	assert_true(strstr(b.data, "href=\"#f-opens_date\"") < strstr(b.data, "href=\"#f-target\""));
	assert_non_null(strstr(b.data, "Ngày &lt;mở&gt; không có trên lịch."));
	assert_int_equal(count(b.data, "aria-invalid=\"true\""), 2);
	assert_non_null(strstr(b.data, "aria-describedby=\"e-opens_date\""));
	assert_non_null(strstr(b.data, "aria-describedby=\"h-target e-target\""));
	assert_non_null(strstr(b.data, "<option value=\"79-A-K6\" selected>"));
	assert_non_null(strstr(b.data, "Trường &lt;A&gt;"));
	assert_non_null(strstr(b.data, "<option value=\"f@2026\" selected>"));
	assert_non_null(strstr(b.data, "value=\"slips\" checked"));
	assert_non_null(strstr(b.data, "name=\"form_key\" value=\"0123456789abcdef0123456789abcdef\""));
	assert_non_null(strstr(b.data, "data-restore=\"0\""));
	assert_non_null(strstr(b.data, "action=\"/staff/rounds\""));
	buf_free(&b);

	/* Editing: no key, the unit shown, the locked questionnaire not offered. */
	memset(page.errors, 0, sizeof page.errors);
	page.round = round;
	page.form_key = NULL;
	page.fresh = true;
	buf_init(&b, 8192);
	page_round_form(&b, &page);
	assert_false(b.failed);
	assert_null(strstr(b.data, "form_key"));
	assert_null(strstr(b.data, "name=\"unit\""));
	assert_null(strstr(b.data, "name=\"form\""));
	assert_null(strstr(b.data, "id=\"loi\""));
	assert_non_null(strstr(b.data, "Khối &lt;i&gt;6&lt;/i&gt; (79-A-K6)"));
	assert_non_null(strstr(b.data, "action=\"/staff/rounds/ABC234/edit\""));
	assert_non_null(strstr(b.data, "data-restore=\"1\""));
	buf_free(&b);
	cJSON_Delete(round);
	cJSON_Delete(choices);
}

/* A message page (not found, no permission, busy) is never a dead end: it
 * links to the start page, and to the round when there is one. */
static void test_message(void **state)
{
	Buf b;
	(void)state;

	buf_init(&b, 2048);
	page_staff_message(&b, "Không tìm thấy", HOSTILE, NULL);
	check_page_shell(&b, STAFF_STYLE);
	assert_null(strstr(b.data, "<script>alert"));
	assert_non_null(strstr(b.data, "<h1>Không tìm thấy</h1>"));
	assert_non_null(strstr(b.data, "<a href=\"/staff\">← Trang cán bộ</a>"));
	assert_null(strstr(b.data, "/staff/rounds/"));
	buf_free(&b);

	buf_init(&b, 2048);
	page_staff_message(&b, "Hệ thống đang bận", "Thử lại sau.", "ABC234");
	assert_non_null(strstr(b.data, "<a href=\"/staff/rounds/ABC234\">← Về trang đợt khảo sát</a>"));
	assert_non_null(strstr(b.data, "<a href=\"/staff\">← Trang cán bộ</a>"));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dashboard),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
