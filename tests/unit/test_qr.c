/* QR encoding: PNG structure, SVG quiet zone, and the too-long error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qr.h"

static void test_png(void **state)
{
	Buf out;
	(void)state;
	buf_init(&out, 1024);
	assert_int_equal(qr_png("http://127.0.0.1:8080/s/ABCDEF", 4, &out), QR_OK);
	assert_true(out.len > 8 + 25 + 12);
	assert_memory_equal(out.data, "\x89PNG\r\n\x1a\n", 8);
	assert_memory_equal(out.data + 12, "IHDR", 4);
	assert_memory_equal(out.data + out.len - 8, "IEND", 4);
	buf_free(&out);
	buf_init(&out, 16);
	assert_int_equal(qr_png("x", 0, &out), QR_FAILED);
	buf_free(&out);
}

static void test_svg(void **state)
{
	Buf out;
	(void)state;
	buf_init(&out, 1024);
	assert_int_equal(qr_svg("HELLO", 0, &out), QR_OK);
	/* Version 1 is 21 modules; with 4 on each side 29. */
	assert_non_null(strstr(out.data, "viewBox=\"0 0 29 29\""));
	assert_null(strstr(out.data, "mm\""));
	assert_non_null(strstr(out.data, "M4 4h7v1h-7z")); /* the top-left finder's first row */
	buf_free(&out);
}

static void test_too_long(void **state)
{
	char text[4000];
	Buf out;
	(void)state;
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	buf_init(&out, 16);
	assert_int_equal(qr_png(text, 4, &out), QR_TOO_LONG);
	assert_int_equal(qr_svg(text, 1.0, &out), QR_TOO_LONG);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
