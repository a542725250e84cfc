/* Router: literal and parameter segments, precedence, 404/405, decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "router.h"

static int h_health, h_code, h_help, h_qr, h_post;

static int setup(void **state)
{
	Router *r = router_new();
	assert_non_null(r);
	assert_true(router_add(r, HTTP_GET, "/healthz", &h_health));
	assert_true(router_add(r, HTTP_GET, "/s/{code}", &h_code));
	assert_true(router_add(r, HTTP_POST, "/s/{code}", &h_post));
	assert_true(router_add(r, HTTP_GET, "/s/help", &h_help));
	assert_true(router_add(r, HTTP_GET, "/api/v1/campaigns/{id}/qr.svg", &h_qr));
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	router_free(*state);
	return 0;
}

static void test_exact(void **state)
{
	RouteMatch m;
	assert_int_equal(router_match(*state, HTTP_GET, "/healthz", &m), ROUTE_FOUND);
	assert_ptr_equal(m.handler, &h_health);
	assert_string_equal(m.pattern, "/healthz");
	assert_int_equal(m.nparams, 0);
}

static void test_head_follows_get(void **state)
{
	RouteMatch m;
	assert_int_equal(router_match(*state, HTTP_HEAD, "/healthz", &m), ROUTE_FOUND);
	assert_ptr_equal(m.handler, &h_health);
}

static void test_param_and_method(void **state)
{
	RouteMatch m;
	assert_int_equal(router_match(*state, HTTP_GET, "/s/AB12CD", &m), ROUTE_FOUND);
	assert_ptr_equal(m.handler, &h_code);
	assert_string_equal(route_param(&m, "code"), "AB12CD");
	assert_null(route_param(&m, "other"));
	assert_int_equal(router_match(*state, HTTP_POST, "/s/AB12CD", &m), ROUTE_FOUND);
	assert_ptr_equal(m.handler, &h_post);
}

static void test_literal_beats_param(void **state)
{
	RouteMatch m;
	assert_int_equal(router_match(*state, HTTP_GET, "/s/help", &m), ROUTE_FOUND);
	assert_ptr_equal(m.handler, &h_help);
	/* POST has only the parameter route: it still matches. */
	assert_int_equal(router_match(*state, HTTP_POST, "/s/help", &m), ROUTE_FOUND);
	assert_ptr_equal(m.handler, &h_post);
}

static void test_nested_param(void **state)
{
	RouteMatch m;
	assert_int_equal(router_match(*state, HTTP_GET, "/api/v1/campaigns/42/qr.svg", &m),
			 ROUTE_FOUND);
	assert_ptr_equal(m.handler, &h_qr);
	assert_string_equal(route_param(&m, "id"), "42");
	assert_int_equal(router_match(*state, HTTP_GET, "/api/v1/campaigns/42/qr.png", &m),
			 ROUTE_NOT_FOUND);
}

static void test_not_found(void **state)
{
	RouteMatch m;
	const char *paths[] = {"/", "/nope", "/healthz/", "/healthz/x", "/s", "/s/", "/s//x",
			       "/HEALTHZ", "/a//b"};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		assert_int_equal(router_match(*state, HTTP_GET, paths[i], &m), ROUTE_NOT_FOUND);
}

static void test_method_not_allowed(void **state)
{
	RouteMatch m;
	char allow[64];
	assert_int_equal(router_match(*state, HTTP_DELETE, "/healthz", &m),
			 ROUTE_METHOD_NOT_ALLOWED);
	router_allow_header(m.allowed, allow, sizeof allow);
	assert_string_equal(allow, "GET, HEAD");
	assert_int_equal(router_match(*state, HTTP_PUT, "/s/X", &m), ROUTE_METHOD_NOT_ALLOWED);
	router_allow_header(m.allowed, allow, sizeof allow);
	assert_string_equal(allow, "GET, HEAD, POST");
}

static void test_decoding(void **state)
{
	RouteMatch m;
	assert_int_equal(router_match(*state, HTTP_GET, "/s/a%20b%C3%A0", &m), ROUTE_FOUND);
	assert_string_equal(route_param(&m, "code"), "a b\xC3\xA0");
	/* An encoded slash stays inside its segment. */
	assert_int_equal(router_match(*state, HTTP_GET, "/s/a%2Fb", &m), ROUTE_FOUND);
	assert_string_equal(route_param(&m, "code"), "a/b");
	assert_int_equal(router_match(*state, HTTP_GET, "/health%7A", &m), ROUTE_FOUND);
}

static void test_bad_paths(void **state)
{
	RouteMatch m;
	char longpath[ROUTE_MAX_PATH + 10];
	const char *bad[] = {"/s/%", "/s/%4", "/s/%zz", "/s/a%00b", "relative", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(router_match(*state, HTTP_GET, bad[i], &m), ROUTE_BAD_PATH);
	longpath[0] = '/';
	memset(longpath + 1, 'a', sizeof longpath - 2);
	longpath[sizeof longpath - 1] = '\0';
	assert_int_equal(router_match(*state, HTTP_GET, longpath, &m), ROUTE_BAD_PATH);
}

static void test_bad_patterns(void **state)
{
	Router *r = router_new();
	(void)state;
	assert_false(router_add(r, HTTP_GET, "healthz", &h_health));
	assert_false(router_add(r, HTTP_GET, "/a//b", &h_health));
	assert_false(router_add(r, HTTP_GET, "/a/{}", &h_health));
	assert_false(router_add(r, HTTP_GET, "/a/{x", &h_health));
	assert_false(router_add(r, HTTP_GET, "/a/x}", &h_health));
	assert_false(router_add(r, HTTP_GET, "/a/", &h_health));
	assert_false(router_add(r, 0, "/a", &h_health));
	assert_false(router_add(r, HTTP_GET,
				"/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", &h_health));
	assert_true(router_add(r, HTTP_GET, "/a/{x}", &h_health));
	/* Same shape, same method: would shadow. */
	assert_false(router_add(r, HTTP_GET, "/a/{y}", &h_code));
	assert_true(router_add(r, HTTP_POST, "/a/{y}", &h_code));
	assert_true(router_add(r, HTTP_GET, "/", &h_help));
	{
		RouteMatch m;
		assert_int_equal(router_match(r, HTTP_GET, "/", &m), ROUTE_FOUND);
		assert_ptr_equal(m.handler, &h_help);
	}
	router_free(r);
	router_free(NULL);
}

static void test_method_parse(void **state)
{
	(void)state;
	assert_int_equal(router_method_parse("GET"), HTTP_GET);
	assert_int_equal(router_method_parse("OPTIONS"), HTTP_OPTIONS);
	assert_int_equal(router_method_parse("get"), 0);
	assert_int_equal(router_method_parse("BREW"), 0);
}

/* Route ids label the metrics: 1-based in order of adding, 0 when nothing
 * matched; the first-segment check lets the log name /s/… but not a code. */
static void test_route_ids(void **state)
{
	RouteMatch m;
	assert_int_equal(router_count(*state), 5);
	assert_string_equal(router_pattern(*state, 1), "/healthz");
	assert_string_equal(router_pattern(*state, 3), "/s/{code}");
	assert_null(router_pattern(*state, 0));
	assert_null(router_pattern(*state, 6));
	assert_int_equal(router_match(*state, HTTP_POST, "/s/AB12CD", &m), ROUTE_FOUND);
	assert_int_equal(m.route_id, 3);
	assert_int_equal(router_match(*state, HTTP_GET, "/s/help", &m), ROUTE_FOUND);
	assert_int_equal(m.route_id, 4);
	assert_int_equal(router_match(*state, HTTP_GET, "/nope", &m), ROUTE_NOT_FOUND);
	assert_int_equal(m.route_id, 0);
	assert_true(router_first_segment_known(*state, "s", 1));
	assert_true(router_first_segment_known(*state, "api/v1", 3));
	assert_false(router_first_segment_known(*state, "AB12CD", 6));
	assert_false(router_first_segment_known(*state, "healthzz", 8));
	assert_false(router_first_segment_known(*state, "", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_head_follows_get),
		cmocka_unit_test(test_param_and_method),
		cmocka_unit_test(test_literal_beats_param),
		cmocka_unit_test(test_nested_param),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_decoding),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test(test_method_parse),
		cmocka_unit_test(test_route_ids),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
