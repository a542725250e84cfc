/*
 * Fuzz target for proxy.c: the input, cut at its first NUL, is tried as a
 * --trusted-proxies list and as an X-Forwarded-For value.  A list is
 * accepted or refused with a reason; the client address chosen behind a
 * trusted proxy is always a numeric address that inet_pton reads back.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool numeric(const char *text)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, text, buf) == 1 || inet_pton(AF_INET6, text, buf) == 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ProxyList *list = NULL, *fixed = NULL;
	char *text, why[256], out[PROXY_ADDR_MAX];

	if (!(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	why[0] = '\0';
	if (proxy_list_parse(text, &list, why, sizeof why)) {
		if (!list)
			abort();
		proxy_client_address(list, "127.0.0.1", "198.51.100.7", NULL, out);
		if (!numeric(out))
			abort();
	} else if (list || !why[0]) {
		abort();
	}
	if (!proxy_list_parse("127.0.0.1 10.0.0.0/8 ::1", &fixed, why, sizeof why))
		abort();
	proxy_client_address(fixed, "127.0.0.1", text, text, out);
	if (!numeric(out))
		abort();
	proxy_client_address(fixed, "203.0.113.1", text, NULL, out);
	if (strcmp(out, "203.0.113.1") != 0)
		abort();
	proxy_list_free(list);
	proxy_list_free(fixed);
	free(text);
	return 0;
}
