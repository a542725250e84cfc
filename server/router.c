#include "router.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { MAX_SEGMENTS = 32 };

typedef struct Segment {
	char *text;  /* literal text, or the parameter's name */
	bool is_param;
} Segment;

struct Route {
	unsigned methods;
	char *pattern;
	Segment segments[MAX_SEGMENTS];
	int nsegments;
	void *handler;
	int id;      /* 1-based, in the order of router_add */
	Route *next;
};

struct Router {
	Route *routes;
	int nroutes;
};

Router *router_new(void)
{
	return calloc(1, sizeof(Router));
}

static void route_free(Route *route)
{
	if (!route)
		return;
	for (int i = 0; i < route->nsegments; i++)
		free(route->segments[i].text);
	free(route->pattern);
	free(route);
}

void router_free(Router *router)
{
	if (!router)
		return;
	while (router->routes) {
		Route *next = router->routes->next;
		route_free(router->routes);
		router->routes = next;
	}
	free(router);
}

/* Splits pattern into route->segments.  Returns false when malformed. */
static bool parse_pattern(Route *route, const char *pattern)
{
	const char *p = pattern;
	int nparams = 0;

	if (*p != '/')
		return false;
	if (strcmp(pattern, "/") == 0)
		return true; /* the root has no segments */
	while (*p == '/') {
		const char *start = ++p;
		size_t len;
		Segment *seg;

		while (*p && *p != '/')
			p++;
		len = (size_t)(p - start);
		if (len == 0 || route->nsegments == MAX_SEGMENTS)
			return false;
		seg = &route->segments[route->nsegments];
		if (start[0] == '{') {
			if (len < 3 || start[len - 1] != '}' || ++nparams > ROUTE_MAX_PARAMS)
				return false;
			seg->is_param = true;
			seg->text = strndup(start + 1, len - 2);
			if (seg->text && (strchr(seg->text, '{') || strchr(seg->text, '}'))) {
				free(seg->text);
				seg->text = NULL;
				return false;
			}
		} else {
			if (memchr(start, '{', len) || memchr(start, '}', len))
				return false;
			seg->text = strndup(start, len);
		}
		if (!seg->text)
			return false;
		route->nsegments++;
	}
	return *p == '\0';
}

static unsigned effective_methods(unsigned methods)
{
	return (methods & HTTP_GET) ? (methods | HTTP_HEAD) : methods;
}

/* Two routes clash when every segment pair could match the same path the
 * same way: same literal, or both parameters. */
static bool same_shape(const Route *a, const Route *b)
{
	if (a->nsegments != b->nsegments)
		return false;
	for (int i = 0; i < a->nsegments; i++) {
		if (a->segments[i].is_param != b->segments[i].is_param)
			return false;
		if (!a->segments[i].is_param && strcmp(a->segments[i].text, b->segments[i].text))
			return false;
	}
	return true;
}

bool router_add(Router *router, unsigned methods, const char *pattern, void *handler)
{
	Route *route = calloc(1, sizeof *route), **tail;

	if (!route || methods == 0)
		goto fail;
	route->methods = effective_methods(methods);
	route->handler = handler;
	route->pattern = strdup(pattern);
	if (!route->pattern || !parse_pattern(route, pattern))
		goto fail;
	for (Route *r = router->routes; r; r = r->next)
		if (same_shape(r, route) && (r->methods & route->methods))
			goto fail;
	for (tail = &router->routes; *tail; tail = &(*tail)->next)
		;
	*tail = route;
	route->id = ++router->nroutes;
	return true;
fail:
	route_free(route);
	return false;
}

/* Decodes the raw path into NUL-separated segments in buf.  Returns the
 * number of segments, or -1 when the path is malformed or too long. */
static int split_decoded(const char *path, char *buf, size_t cap, const char **segs)
{
	size_t n = 0;
	int count = 0;
	const char *p = path;

	if (*p != '/' || strlen(path) > ROUTE_MAX_PATH)
		return -1;
	if (strcmp(path, "/") == 0)
		return 0;
	while (*p == '/') {
		p++;
		if (count == MAX_SEGMENTS)
			return -1;
		segs[count++] = buf + n;
		if (*p == '/' || *p == '\0')
			return -2; /* an empty segment matches no route */
		while (*p && *p != '/') {
			char c = *p++;
			if (c == '%') {
				int hi = hex_digit_value(p[0]), lo = hi < 0 ? -1 : hex_digit_value(p[1]);
				if (lo < 0)
					return -1;
				c = (char)(hi * 16 + lo);
				if (c == '\0')
					return -1;
				p += 2;
			}
			if (n + 1 >= cap)
				return -1;
			buf[n++] = c;
		}
		buf[n++] = '\0';
	}
	return *p == '\0' ? count : -1;
}

/* Higher is more specific: literals earlier in the path count more. */
static unsigned long specificity(const Route *route)
{
	unsigned long score = 0;

	for (int i = 0; i < route->nsegments && i < 63; i++)
		if (!route->segments[i].is_param)
			score |= 1UL << (62 - i);
	return score;
}

static bool route_matches(const Route *route, const char **segs, int nsegs)
{
	if (route->nsegments != nsegs)
		return false;
	for (int i = 0; i < nsegs; i++)
		if (!route->segments[i].is_param && strcmp(route->segments[i].text, segs[i]) != 0)
			return false;
	return true;
}

RouteResult router_match(const Router *router, HttpMethod method, const char *path,
			 RouteMatch *match)
{
	const char *segs[MAX_SEGMENTS];
	const Route *best = NULL;
	unsigned long best_score = 0;
	int nsegs;

	memset(match, 0, sizeof *match);
	nsegs = split_decoded(path, match->buf, sizeof match->buf, segs);
	if (nsegs == -2)
		return ROUTE_NOT_FOUND;
	if (nsegs < 0)
		return ROUTE_BAD_PATH;
	for (const Route *r = router->routes; r; r = r->next) {
		if (!route_matches(r, segs, nsegs))
			continue;
		match->allowed |= r->methods;
		if ((r->methods & method) && (!best || specificity(r) > best_score)) {
			best = r;
			best_score = specificity(r);
		}
	}
	if (!best)
		return match->allowed ? ROUTE_METHOD_NOT_ALLOWED : ROUTE_NOT_FOUND;
	match->route = best;
	match->handler = best->handler;
	match->pattern = best->pattern;
	match->route_id = best->id;
	for (int i = 0; i < nsegs; i++) {
		if (!best->segments[i].is_param)
			continue;
		match->names[match->nparams] = best->segments[i].text;
		match->values[match->nparams] = segs[i];
		match->nparams++;
	}
	return ROUTE_FOUND;
}

size_t router_count(const Router *router)
{
	return (size_t)router->nroutes;
}

bool router_first_segment_known(const Router *router, const char *segment, size_t len)
{
	for (const Route *r = router->routes; r; r = r->next)
		if (r->nsegments > 0 && !r->segments[0].is_param &&
		    strlen(r->segments[0].text) == len && memcmp(r->segments[0].text, segment, len) == 0)
			return true;
	return false;
}

const char *router_pattern(const Router *router, int id)
{
	for (const Route *r = router->routes; r; r = r->next)
		if (r->id == id)
			return r->pattern;
	return NULL;
}

const char *route_param(const RouteMatch *match, const char *name)
{
	for (int i = 0; i < match->nparams; i++)
		if (strcmp(match->names[i], name) == 0)
			return match->values[i];
	return NULL;
}

static const struct {
	HttpMethod method;
	const char *name;
} method_names[] = {
	{HTTP_GET, "GET"},	 {HTTP_HEAD, "HEAD"},	{HTTP_POST, "POST"},	   {HTTP_PUT, "PUT"},
	{HTTP_DELETE, "DELETE"}, {HTTP_PATCH, "PATCH"}, {HTTP_OPTIONS, "OPTIONS"},
};

void router_allow_header(unsigned mask, char *buf, size_t cap)
{
	size_t n = 0;

	if (cap == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++) {
		size_t len = strlen(method_names[i].name);
		if (!(mask & method_names[i].method))
			continue;
		if (n + len + 3 > cap)
			break;
		if (n) {
			memcpy(buf + n, ", ", 2);
			n += 2;
		}
		memcpy(buf + n, method_names[i].name, len);
		n += len;
		buf[n] = '\0';
	}
}

HttpMethod router_method_parse(const char *token)
{
	for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
		if (strcmp(token, method_names[i].name) == 0)
			return method_names[i].method;
	return 0;
}
