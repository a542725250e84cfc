/*
 * router: maps a method and a URL path to a handler.
 *
 * Patterns are literal segments and whole-segment parameters:
 * "/s/{code}", "/api/v1/campaigns/{id}/qr.svg".  A literal segment wins over
 * a parameter at the same place, so "/s/help" and "/s/{code}" can coexist.
 * Matching works on percent-decoded segments; a parameter's value is handed
 * out decoded.  The router knows nothing of libevent, so it is tested alone.
 */
#ifndef HAILONG_ROUTER_H
#define HAILONG_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

typedef enum HttpMethod {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_DELETE = 1 << 4,
	HTTP_PATCH = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
} HttpMethod;

typedef enum RouteResult {
	ROUTE_FOUND,
	ROUTE_NOT_FOUND,
	ROUTE_METHOD_NOT_ALLOWED, /* the path exists; RouteMatch.allowed says with which methods */
	ROUTE_BAD_PATH,           /* malformed percent-escape, NUL byte, or too long */
} RouteResult;

enum { ROUTE_MAX_PARAMS = 8, ROUTE_MAX_PATH = 2048 };

typedef struct Route Route;
typedef struct Router Router;

typedef struct RouteMatch {
	const Route *route;
	void *handler;       /* as given to router_add */
	const char *pattern; /* the route's pattern: a low-cardinality label for logs */
	int route_id;        /* 1-based id of the route (router_pattern); 0: none matched */
	unsigned allowed;    /* methods of every route on this path (HEAD with GET) */
	int nparams;
	const char *names[ROUTE_MAX_PARAMS];
	const char *values[ROUTE_MAX_PARAMS]; /* point into buf */
	char buf[ROUTE_MAX_PATH + 1];
} RouteMatch;

/* Returns an empty router, or NULL when memory runs out.  Free with router_free. */
Router *router_new(void);

/* Frees the router and its routes.  NULL-safe. */
void router_free(Router *router);

/* Adds a route for the methods in the mask.  GET routes also answer HEAD.
 * Fails (false) on a malformed pattern (not starting with '/', an empty
 * segment, an unclosed or empty "{}", more than ROUTE_MAX_PARAMS parameters),
 * on a route that would shadow an existing one for the same method, and when
 * memory runs out.  The pattern is copied; handler is stored as is. */
bool router_add(Router *router, unsigned methods, const char *pattern, void *handler)
	__attribute__((warn_unused_result));

/* Matches path (the raw path of the request URI, without query string)
 * for method.  On ROUTE_FOUND fills match->handler and the parameters; on
 * ROUTE_METHOD_NOT_ALLOWED fills match->allowed.  match is caller-owned and
 * holds the decoded parameter values. */
RouteResult router_match(const Router *router, HttpMethod method, const char *path,
			 RouteMatch *match);

/* How many routes were added; their ids are 1..router_count. */
size_t router_count(const Router *router);

/* The pattern of route id (owned by the router), or NULL when there is no
 * such route.  Walks the list: for start-up, not for requests. */
const char *router_pattern(const Router *router, int id);

/* True when some route's first segment is the literal segment[0..len)
 * (raw, not decoded): lets a log name "/staff/…" but never "/AB3C4D". */
bool router_first_segment_known(const Router *router, const char *segment, size_t len);

/* The decoded value of the named parameter, or NULL. */
const char *route_param(const RouteMatch *match, const char *name);

/* Writes the methods of mask as an Allow header value ("GET, HEAD, POST")
 * into buf (always NUL-terminated). */
void router_allow_header(unsigned mask, char *buf, size_t cap);

/* Parses a method token ("GET" …); 0 when unknown. */
HttpMethod router_method_parse(const char *token);

#endif
