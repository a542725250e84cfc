/*
 * proxy: which address a request comes from when hailong sits behind a
 * reverse proxy (nginx, a load balancer).
 *
 * Behind a proxy every TCP peer is the proxy itself, so a per-address rate
 * limit would put a whole province in one bucket.  The proxy says who its
 * client was in X-Forwarded-For (or X-Real-IP), but any client can send those
 * headers too; they are believed only when the TCP peer is in the
 * --trusted-proxies list, and then only from the right: each trusted hop
 * appends the address it saw, so the right-most entry that is not itself a
 * trusted proxy is the first one nobody trusted could have forged.
 *
 * The address found is used as a rate-limit key (hashed there) and is never
 * stored or logged.
 */
#ifndef HAILONG_PROXY_H
#define HAILONG_PROXY_H

#include <stdbool.h>
#include <stddef.h>

struct evhttp_request;
struct evhttp_connection;

typedef struct ProxyList ProxyList;

/* The longest address text written by proxy_client_address, NUL included
 * (INET6_ADDRSTRLEN). */
#define PROXY_ADDR_MAX 46

/* Parses a list of IPv4/IPv6 addresses and CIDR networks separated by commas
 * and/or spaces ("127.0.0.1, 10.0.0.0/8 ::1").  Empty text gives an empty
 * list (trust nobody).  On success *out is a new list (caller frees with
 * proxy_list_free) and true is returned; on bad input returns false, *out
 * is NULL and why holds a one-line reason naming the bad entry.  Also false
 * with "out of memory". */
bool proxy_list_parse(const char *text, ProxyList **out, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* Frees a list; NULL-safe. */
void proxy_list_free(ProxyList *list);

/* Number of entries of a list (0 for NULL). */
size_t proxy_list_count(const ProxyList *list);

/* True when addr (numeric text, IPv4, IPv6 or IPv4-mapped IPv6) lies in one
 * of the list's networks.  False for NULL lists and for text that is not an
 * address. */
bool proxy_list_trusts(const ProxyList *list, const char *addr);

/* Chooses the client address of a request from its TCP peer and its
 * X-Forwarded-For (all such headers joined with commas, may be NULL) and
 * X-Real-IP (may be NULL) values.  When the peer is not trusted the headers
 * are ignored and the peer is the client.  Otherwise the right-most
 * X-Forwarded-For entry that is not trusted is the client; if every entry is
 * trusted, the left-most; without X-Forwarded-For, X-Real-IP.  An entry that
 * is not an address stops the walk and the peer is used: no guessing.
 * Writes the address (normalised, at most PROXY_ADDR_MAX bytes) to out. */
void proxy_client_address(const ProxyList *trusted, const char *peer, const char *xff,
			  const char *real_ip, char out[PROXY_ADDR_MAX]);

/* proxy_client_address for an evhttp request on conn.  Returns false (out
 * empty) only when the peer address is unknown. */
bool proxy_request_client(const ProxyList *trusted, struct evhttp_request *req,
			  struct evhttp_connection *conn, char out[PROXY_ADDR_MAX]);

#endif
