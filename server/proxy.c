#include "proxy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

/* One network: an address in IPv6 form (IPv4 as ::ffff:a.b.c.d, so one
 * comparison serves both) and the number of leading bits that must match. */
typedef struct ProxyNet {
	unsigned char addr[16];
	int bits;
} ProxyNet;

struct ProxyList {
	size_t count;
	ProxyNet nets[];
};

/* Longest entry accepted: an IPv6 address with a /128. */
enum { ENTRY_MAX = 64 };

/* Parses numeric address text into IPv6 form; *v4 says whether it was IPv4
 * (dotted, or IPv4-mapped IPv6).  False when text is not an address. */
static bool parse_addr(const char *text, unsigned char out[16], bool *v4)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	struct in_addr a4;

	if (inet_pton(AF_INET, text, &a4) == 1) {
		memcpy(out, mapped, 12);
		memcpy(out + 12, &a4, 4);
		*v4 = true;
		return true;
	}
	if (inet_pton(AF_INET6, text, out) == 1) {
		*v4 = memcmp(out, mapped, 12) == 0;
		return true;
	}
	return false;
}

/* Writes the canonical text of an address in IPv6 form: dotted for IPv4. */
static void format_addr(const unsigned char addr[16], bool v4, char out[PROXY_ADDR_MAX])
{
	if (!inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? addr + 12 : addr, out, PROXY_ADDR_MAX))
		out[0] = '\0';
}

static bool net_contains(const ProxyNet *net, const unsigned char addr[16])
{
	int full = net->bits / 8, rest = net->bits % 8;

	if (memcmp(net->addr, addr, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((net->addr[full] ^ addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* Parses "addr" or "addr/bits" into net; false with why on bad input. */
static bool parse_net(const char *entry, ProxyNet *net, char *why, size_t whylen)
{
	char text[ENTRY_MAX + 1];
	char *slash;
	bool v4 = false;
	int max, bits;

	if (strlen(entry) > ENTRY_MAX) {
		snprintf(why, whylen, "\"%.20s…\" is too long for an address", entry);
		return false;
	}
	snprintf(text, sizeof text, "%s", entry);
	slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	if (!parse_addr(text, net->addr, &v4)) {
		snprintf(why, whylen, "\"%s\" is not an IPv4 or IPv6 address or network", entry);
		return false;
	}
	max = v4 ? 32 : 128;
	bits = max;
	if (slash) {
		const char *p = slash + 1;
		if (!*p || strlen(p) > 3) {
			snprintf(why, whylen, "\"%s\": expected a prefix length after /", entry);
			return false;
		}
		bits = 0;
		for (; *p; p++) {
			if (!isdigit((unsigned char)*p)) {
				snprintf(why, whylen, "\"%s\": expected a prefix length after /",
					 entry);
				return false;
			}
			bits = bits * 10 + (*p - '0');
		}
		if (bits > max) {
			snprintf(why, whylen, "\"%s\": the prefix length must be at most %d", entry,
				 max);
			return false;
		}
	}
	/* Stored over 128 bits: an IPv4 prefix counts the 96 bits of ::ffff:. */
	net->bits = v4 ? bits + 96 : bits;
	/* Host bits set in a network ("10.0.0.1/8") are a likely typo. */
	for (int i = net->bits; i < 128; i++)
		if (net->addr[i / 8] & (0x80 >> (i % 8))) {
			snprintf(why, whylen, "\"%s\" has bits set past its prefix length", entry);
			return false;
		}
	return true;
}

bool proxy_list_parse(const char *text, ProxyList **out, char *why, size_t whylen)
{
	size_t capacity = 1, n = 0;
	ProxyList *list;
	const char *p;

	*out = NULL;
	/* Entries are separated by the same characters the loop below skips. */
	for (p = text; *p; p++)
		if (*p == ',' || isspace((unsigned char)*p))
			capacity++;
	list = calloc(1, sizeof *list + capacity * sizeof list->nets[0]);
	if (!list) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	p = text;
	while (*p) {
		char entry[ENTRY_MAX + 2];
		size_t len;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		len = strcspn(p, ", \t\n\v\f\r");
		snprintf(entry, sizeof entry, "%.*s", (int)(len > ENTRY_MAX + 1 ? ENTRY_MAX + 1 : len),
			 p);
		if (!parse_net(entry, &list->nets[n], why, whylen)) {
			free(list);
			return false;
		}
		n++;
		p += len;
	}
	list->count = n;
	*out = list;
	return true;
}

void proxy_list_free(ProxyList *list)
{
	free(list);
}

size_t proxy_list_count(const ProxyList *list)
{
	return list ? list->count : 0;
}

static bool trusts_addr(const ProxyList *list, const unsigned char addr[16])
{
	for (size_t i = 0; list && i < list->count; i++)
		if (net_contains(&list->nets[i], addr))
			return true;
	return false;
}

bool proxy_list_trusts(const ProxyList *list, const char *addr)
{
	unsigned char a[16];
	bool v4;

	return list && parse_addr(addr, a, &v4) && trusts_addr(list, a);
}

/* Copies the trimmed entry of xff ending just before end into text; false
 * when it is empty or too long to be an address. */
static bool entry_before(const char *xff, const char *end, const char **start, char *text,
			 size_t textlen)
{
	const char *s = end, *e = end;

	while (s > xff && s[-1] != ',')
		s--;
	*start = s;
	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (e == s || (size_t)(e - s) >= textlen)
		return false;
	memcpy(text, s, (size_t)(e - s));
	text[e - s] = '\0';
	return true;
}

void proxy_client_address(const ProxyList *trusted, const char *peer, const char *xff,
			  const char *real_ip, char out[PROXY_ADDR_MAX])
{
	unsigned char addr[16], peer_addr[16];
	bool v4 = false, peer_v4 = false;

	if (!parse_addr(peer, peer_addr, &peer_v4)) {
		/* Not numeric (a unix socket path?): key on the text as it is. */
		snprintf(out, PROXY_ADDR_MAX, "%s", peer);
		return;
	}
	format_addr(peer_addr, peer_v4, out);
	if (!trusts_addr(trusted, peer_addr))
		return;
	if (xff && *xff) {
		const char *end = xff + strlen(xff), *start;
		char text[PROXY_ADDR_MAX];
		bool found = false;

		while (end >= xff) {
			if (!entry_before(xff, end, &start, text, sizeof text) ||
			    !parse_addr(text, addr, &v4))
				return; /* garbage where an address should be: keep the peer */
			found = true;
			if (!trusts_addr(trusted, addr))
				break;
			if (start == xff)
				break; /* all trusted: the left-most is the best we know */
			end = start - 1;
		}
		if (found)
			format_addr(addr, v4, out);
		return;
	}
	if (real_ip && parse_addr(real_ip, addr, &v4))
		format_addr(addr, v4, out);
}

bool proxy_request_client(const ProxyList *trusted, struct evhttp_request *req,
			  struct evhttp_connection *conn, char out[PROXY_ADDR_MAX])
{
	struct evkeyvalq *headers = evhttp_request_get_input_headers(req);
	struct evkeyval *h;
	char *peer = NULL, *xff = NULL;
	size_t total = 0, used = 0;
	ev_uint16_t port = 0;

	out[0] = '\0';
	evhttp_connection_get_peer(conn, &peer, &port);
	if (!peer)
		return false;
	if (!proxy_list_trusts(trusted, peer)) {
		proxy_client_address(NULL, peer, NULL, NULL, out);
		return true;
	}
	/* Several X-Forwarded-For headers make one list, in order (RFC 9110
	 * 5.3).  Their size is bounded by --http-max-headers. */
	TAILQ_FOREACH (h, headers, next)
		if (strcasecmp(h->key, "X-Forwarded-For") == 0)
			total += strlen(h->value) + 1;
	if (total > 0 && !(xff = malloc(total))) {
		/* Out of memory: the proxy's own address is a safe, stricter key. */
		proxy_client_address(NULL, peer, NULL, NULL, out);
		return true;
	}
	TAILQ_FOREACH (h, headers, next) {
		size_t len;
		if (strcasecmp(h->key, "X-Forwarded-For") != 0)
			continue;
		if (used > 0)
			xff[used++] = ',';
		len = strlen(h->value);
		memcpy(xff + used, h->value, len);
		used += len;
	}
	if (xff)
		xff[used] = '\0';
	proxy_client_address(trusted, peer, xff, evhttp_find_header(headers, "X-Real-IP"), out);
	free(xff);
	return true;
}
