/* Print pages: one style element that matches the CSP hash, nothing inline
 * that the CSP would block, escaping, one QR per slip/questionnaire, the
 * no-opinion column only where the form allows it, and a text fallback when
 * the link is too long for a QR code. */
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
#include "codes.h"
#include "form.h"
#include "page_print.h"

static const PrintRound ROUND = {
	.school = "Trường Tiểu học Kim Đồng",
	.title = "Khảo sát sự hài lòng của cha mẹ học sinh năm học 2025–2026",
	.code = "ABC234",
	.base_url = "https://ks.example.vn",
	.closes = "17:00 ngày 05/12/2026",
};

static const char *const CODES[] = {
	"ABCDEFGHJKMNP", "BCDEFGHJKMNPQ", "CDEFGHJKMNPQR", "DEFGHJKMNPQRS", "EFGHJKMNPQRST",
	"FGHJKMNPQRSTU", "GHJKMNPQRSTUV", "HJKMNPQRSTUVW", "JKMNPQRSTUVWX", "KMNPQRSTUVWXY",
	"MNPQRSTUVWXYZ", "NPQRSTUVWXYZ2", "PQRSTUVWXYZ23", "QRSTUVWXYZ234", "RSTUVWXYZ2345",
	"STUVWXYZ23456", "TUVWXYZ234567", "UVWXYZ2345678", "VWXYZ23456789", "WXYZ23456789A",
};

/* What every print page must be, whatever it shows: exactly one style
 * element holding PRINT_STYLE, no style attribute, no script. */
static void check_document(const Buf *b)
{
	check_page_shell(b, PRINT_STYLE);
}

static Form *load_form(const char *name)
{
	char path[1024];
	const char *root = getenv("HAILONG_SOURCE_ROOT");
	FormErrors errors = {0};
	Form *form;

	snprintf(path, sizeof path, "%s/forms/%s", root ? root : ".", name);
	form = form_load_file(path, &errors);
	for (size_t i = 0; i < errors.count; i++)
		print_message("%s\n", errors.lines[i]);
	form_errors_free(&errors);
	assert_non_null(form);
	return form;
}

static void test_style_constant(void **state)
{
	(void)state;
	/* The CSP hash covers these bytes: nothing in them may end the element. */
	assert_null(strstr(PRINT_STYLE, "</"));
	assert_non_null(strstr(PRINT_STYLE, "@page{size:A4"));
	assert_non_null(strstr(PRINT_STYLE, "@media screen"));
	assert_non_null(strstr(PRINT_STYLE, "break-after:page"));
}

static void test_poster(void **state)
{
	Buf b;
	(void)state;

	buf_init(&b, 4096);
	print_poster(&b, &ROUND);
	check_document(&b);
	assert_int_equal(count(b.data, "<svg"), 1);
	assert_non_null(strstr(b.data, "ks.example.vn/s/ABC234"));
	assert_non_null(strstr(b.data, "Hạn trả lời: 17:00 ngày 05/12/2026"));
	assert_non_null(strstr(b.data, "ẩn danh"));
	assert_non_null(strstr(b.data, "Trường Tiểu học Kim Đồng"));
	buf_free(&b);
}

static void test_escaping(void **state)
{
	PrintRound round = ROUND;
	const char *codes[] = {"ABCDEFGHJKMNP"};
	Form *form = load_form("hop-phu-huynh-nhanh.json");
	Buf b;
	(void)state;

	round.school = "<script>alert(1)</script> & \"Hoa Sen\"";
	round.title = "Đợt 'một' <b>";
	round.closes = "<i>mai</i>";
	for (int kind = 0; kind < 3; kind++) {
		buf_init(&b, 4096);
		if (kind == 0)
			print_poster(&b, &round);
		else if (kind == 1)
			print_slips(&b, &round, codes, 1);
		else
			print_paper(&b, &round, form, codes, 1);
		check_document(&b);
		assert_non_null(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
						"&quot;Hoa Sen&quot;"));
		assert_non_null(strstr(b.data, "Đợt &#39;một&#39; &lt;b&gt;"));
		assert_null(strstr(b.data, "<i>mai"));
		buf_free(&b);
	}
	form_free(form);
}

static void test_slips(void **state)
{
	char pretty[32];
	Buf b;
	(void)state;

	buf_init(&b, 65536);
	print_slips(&b, &ROUND, CODES, 20);
	check_document(&b);
	assert_int_equal(count(b.data, "<svg"), 20);
	assert_int_equal(count(b.data, "class=\"sheet\""), 3);
	assert_int_equal(count(b.data, "class=\"slip\""), 20);
	assert_int_equal(count(b.data, "Mỗi phiếu chỉ dùng được một lần"), 20);
	for (int i = 0; i < 20; i++) {
		code_pretty(CODES[i], pretty, sizeof pretty);
		assert_non_null(strstr(b.data, pretty));
	}
	assert_non_null(strstr(b.data, "ks.example.vn/s/"));
	buf_free(&b);

	buf_init(&b, 4096);
	print_slips(&b, &ROUND, CODES, 8);
	check_document(&b);
	assert_int_equal(count(b.data, "class=\"sheet\""), 1);
	buf_free(&b);

	buf_init(&b, 4096);
	print_slips(&b, &ROUND, NULL, 0);
	check_document(&b);
	assert_null(strstr(b.data, "<svg"));
	assert_non_null(strstr(b.data, "không có phiếu"));
	buf_free(&b);
}

/* The row of the item numbered number: from its number cell to </tr>. */
static char *row_of(const char *html, int number)
{
	char needle[64];
	const char *start, *end;

	snprintf(needle, sizeof needle, "<td class=\"n\">%d</td>", number);
	start = strstr(html, needle);
	assert_non_null(start);
	end = strstr(start, "</tr>");
	assert_non_null(end);
	return strndup(start, (size_t)(end - start));
}

static void test_paper_moet(void **state)
{
	Form *form = load_form("moet-cmhs-tieu-hoc.json");
	const char *codes[] = {"ABCDEFGHJKMNP", "ZYXWVUTSRQPNM"};
	int no_opinion = 0, ratings = 0;
	char pretty[32];
	Buf b, escaped;
	(void)state;

	buf_init(&b, 65536);
	print_paper(&b, &ROUND, form, codes, 2);
	check_document(&b);
	assert_int_equal(count(b.data, "class=\"paper\""), 2);
	assert_int_equal(count(b.data, "<svg"), 2);
	for (int i = 0; i < 2; i++) {
		code_pretty(codes[i], pretty, sizeof pretty);
		assert_non_null(strstr(b.data, pretty));
	}
	for (int k = 0; k < form->nitems; k++) {
		const FormItem *item = &form->items[k];
		buf_init(&escaped, 256);
		buf_html(&escaped, item->text);
		assert_int_equal(count(b.data, escaped.data), 2);
		buf_free(&escaped);
		if (item->answer_index < 0 || form->scales[item->scale].type == SCALE_TEXT)
			continue;
		ratings++;
		no_opinion += item->no_opinion;
		/* The numbers staff key during entry: answer_index + 1. */
		{
			char *row = row_of(b.data, item->answer_index + 1);
			assert_int_equal(count(row, "class=\"bx z\""), item->no_opinion ? 1 : 0);
			assert_int_equal(count(row, "class=\"bx\""), 5);
			free(row);
		}
	}
	assert_int_equal(ratings, 29);
	assert_int_equal(no_opinion, 28);
	/* No-opinion boxes and "0" headings only for the criteria, not for the
	 * overall question (its table has no 0 column). */
	assert_int_equal(count(b.data, "class=\"bx z\""), 2 * no_opinion);
	assert_int_equal(count(b.data, "<th class=\"z\"><b>0</b>KYK</th>"), 2 * 5);
	assert_int_equal(count(b.data, "<table class=\"g\">"), 2 * 6);
	assert_int_equal(count(b.data, "<div class=\"ln\">"), 2 * 3);
	form_free(form);
	buf_free(&b);
}

/* A form with single-choice questions, custom labels for no-opinion and a
 * descending display order. */
static void test_paper_other_forms(void **state)
{
	static const char *const names[] = {"papi-truong-tieu-hoc.json", "sipas-truong-2023.json",
					    "sipas-truong-2017.json", "moet-cmhs-mam-non.json"};
	const char *codes[] = {"ABCDEFGHJKMNP"};
	Buf b;
	(void)state;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		Form *form = load_form(names[i]);
		int boxes = 0;
		buf_init(&b, 65536);
		print_paper(&b, &ROUND, form, codes, 1);
		check_document(&b);
		for (int k = 0; k < form->nitems; k++) {
			const FormItem *item = &form->items[k];
			if (item->answer_index < 0)
				continue;
			boxes += form->scales[item->scale].noptions + item->no_opinion;
		}
		assert_int_equal(count(b.data, "class=\"bx"), boxes);
		if (!strcmp(names[i], "papi-truong-tieu-hoc.json"))
			assert_non_null(strstr(b.data, "<b>0</b>Không biết"));
		if (!strcmp(names[i], "sipas-truong-2017.json")) {
			const char *five = strstr(b.data, "<b>5</b>Rất hài lòng");
			const char *one = strstr(b.data, "<b>1</b>Rất không hài lòng");
			assert_non_null(five);
			assert_non_null(one);
			assert_true(five < one);
			assert_null(strstr(b.data, "<b>0</b>"));
			assert_null(strstr(b.data, "KYK"));
		}
		buf_free(&b);
		form_free(form);
	}
}

static void test_too_long_url(void **state)
{
	PrintRound round = ROUND;
	const char *codes[] = {"ABCDEFGHJKMNP", "BCDEFGHJKMNPQ"};
	Form *form = load_form("moet-cmhs-tieu-hoc.json");
	char *url = malloc(3001);
	Buf b;
	(void)state;

	assert_non_null(url);
	memcpy(url, "https://", 8);
	memset(url + 8, 'x', 2992);
	url[3000] = '\0';
	round.base_url = url;
	for (int kind = 0; kind < 3; kind++) {
		buf_init(&b, 4096);
		if (kind == 0)
			print_poster(&b, &round);
		else if (kind == 1)
			print_slips(&b, &round, codes, 2);
		else
			print_paper(&b, &round, form, codes, 2);
		check_document(&b);
		assert_null(strstr(b.data, "<svg"));
		assert_int_equal(count(b.data, "<p class=\"qx\">"), kind == 0 ? 1 : 2);
		assert_non_null(strstr(b.data, kind == 0 ? "xxxx/s/ABC234</p>"
							 : "xxxx/s/ABCDEFGHJKMNP</p>"));
		buf_free(&b);
	}
	form_free(form);
	free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_style_constant),
		cmocka_unit_test(test_poster),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_slips),
		cmocka_unit_test(test_paper_moet),
		cmocka_unit_test(test_paper_other_forms),
		cmocka_unit_test(test_too_long_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
