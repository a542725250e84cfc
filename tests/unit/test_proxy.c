/* proxy: trusted-proxy lists and the client address behind them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proxy.h"

static ProxyList *parse_ok(const char *text)
{
	ProxyList *list = NULL;
	char why[256];

	if (!proxy_list_parse(text, &list, why, sizeof why))
		fail_msg("\"%s\" refused: %s", text, why);
	return list;
}

static void assert_refused(const char *text, const char *expected)
{
	ProxyList *list = (ProxyList *)1;
	char why[256];

	assert_false(proxy_list_parse(text, &list, why, sizeof why));
	assert_null(list);
	assert_string_equal(why, expected);
}

static void test_parse(void **state)
{
	ProxyList *list;
	(void)state;

	list = parse_ok("");
	assert_int_equal(proxy_list_count(list), 0);
	assert_false(proxy_list_trusts(list, "127.0.0.1"));
	proxy_list_free(list);

	list = parse_ok(" 127.0.0.1, 10.0.0.0/8  ::1,fd00::/8\t192.168.1.0/24,");
	assert_int_equal(proxy_list_count(list), 5);
	assert_true(proxy_list_trusts(list, "127.0.0.1"));
	assert_false(proxy_list_trusts(list, "127.0.0.2"));
	assert_true(proxy_list_trusts(list, "10.255.1.2"));
	assert_false(proxy_list_trusts(list, "11.0.0.1"));
	assert_true(proxy_list_trusts(list, "::1"));
	assert_true(proxy_list_trusts(list, "fd12:3456::1"));
	assert_false(proxy_list_trusts(list, "fe80::1"));
	assert_true(proxy_list_trusts(list, "192.168.1.200"));
	assert_false(proxy_list_trusts(list, "192.168.2.1"));
	/* A server listening on [::] sees IPv4 peers as IPv4-mapped IPv6. */
	assert_true(proxy_list_trusts(list, "::ffff:10.1.2.3"));
	assert_false(proxy_list_trusts(list, "not an address"));
	assert_false(proxy_list_trusts(NULL, "127.0.0.1"));
	proxy_list_free(list);

	list = parse_ok("0.0.0.0/0 172.16.0.0/12");
	assert_true(proxy_list_trusts(list, "8.8.8.8"));
	assert_false(proxy_list_trusts(list, "2001:db8::1"));
	proxy_list_free(list);

	assert_refused("127.0.0.1, proxy.local", "\"proxy.local\" is not an IPv4 or IPv6 address or network");
	assert_refused("10.0.0.0/33", "\"10.0.0.0/33\": the prefix length must be at most 32");
	assert_refused("::/129", "\"::/129\": the prefix length must be at most 128");
	assert_refused("10.0.0.0/", "\"10.0.0.0/\": expected a prefix length after /");
	assert_refused("10.0.0.0/8x", "\"10.0.0.0/8x\": expected a prefix length after /");
	assert_refused("10.0.0.1/8", "\"10.0.0.1/8\" has bits set past its prefix length");
	assert_refused("1.2.3", "\"1.2.3\" is not an IPv4 or IPv6 address or network");
	proxy_list_free(NULL);
}

static void assert_client(const ProxyList *l, const char *peer, const char *xff,
			  const char *real_ip, const char *expected)
{
	char out[PROXY_ADDR_MAX];

	proxy_client_address(l, peer, xff, real_ip, out);
	if (strcmp(out, expected) != 0)
		fail_msg("peer %s, X-Forwarded-For \"%s\", X-Real-IP \"%s\": expected %s, got %s",
			 peer, xff ? xff : "(none)", real_ip ? real_ip : "(none)", expected, out);
}

static void test_client_address(void **state)
{
	ProxyList *none = parse_ok(""), *lo = parse_ok("127.0.0.1 ::1"),
		  *chain = parse_ok("127.0.0.1, 10.0.0.0/8");
	(void)state;

	/* Untrusted peers: the headers are ignored, whatever they say. */
	assert_client(none, "203.0.113.7", "198.51.100.1", "198.51.100.2", "203.0.113.7");
	assert_client(NULL, "127.0.0.1", "198.51.100.1", NULL, "127.0.0.1");
	assert_client(lo, "203.0.113.7", "198.51.100.1", NULL, "203.0.113.7");

	/* A trusted proxy: the entry it appended. */
	assert_client(lo, "127.0.0.1", "198.51.100.1", NULL, "198.51.100.1");
	assert_client(lo, "::1", " 2001:db8::5 ", NULL, "2001:db8::5");
	assert_client(lo, "::ffff:127.0.0.1", "198.51.100.1", NULL, "198.51.100.1");
	/* A client's forged entries are left of the real one and are not read. */
	assert_client(lo, "127.0.0.1", "1.1.1.1, 2.2.2.2, 198.51.100.1", NULL, "198.51.100.1");
	assert_client(lo, "127.0.0.1", "garbage, 198.51.100.1", NULL, "198.51.100.1");
	/* Through two trusted hops: skip them from the right. */
	assert_client(chain, "127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.1.1", NULL, "198.51.100.1");
	/* Every entry trusted: the left-most. */
	assert_client(chain, "127.0.0.1", "10.0.0.9, 10.1.1.1", NULL, "10.0.0.9");
	/* Not an address where the client should be: keep the peer. */
	assert_client(lo, "127.0.0.1", "198.51.100.1, unknown", NULL, "127.0.0.1");
	assert_client(lo, "127.0.0.1", "198.51.100.1,", NULL, "127.0.0.1");
	assert_client(lo, "127.0.0.1", "198.51.100.1:4711", NULL, "127.0.0.1");
	/* X-Real-IP only without X-Forwarded-For. */
	assert_client(lo, "127.0.0.1", NULL, "198.51.100.3", "198.51.100.3");
	assert_client(lo, "127.0.0.1", "198.51.100.1", "198.51.100.3", "198.51.100.1");
	assert_client(lo, "127.0.0.1", NULL, "bogus", "127.0.0.1");
	assert_client(lo, "127.0.0.1", NULL, NULL, "127.0.0.1");
	/* Addresses come out in one canonical form. */
	assert_client(lo, "127.0.0.1", "2001:DB8:0:0::5", NULL, "2001:db8::5");
	assert_client(none, "::ffff:203.0.113.7", NULL, NULL, "203.0.113.7");
	proxy_list_free(none);
	proxy_list_free(lo);
	proxy_list_free(chain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_client_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
