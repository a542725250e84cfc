/*
 * Fuzz target for the router with the server's real route table
 * (handlers_register): the first byte picks the method, the rest is the
 * path as a request line would carry it.  Any path must match a route, or
 * be refused (404, 405, too long), never crash; a match's parameters are
 * non-empty, and hold a slash only when the path carried an encoded one
 * (unit codes such as "TH PL/1" travel as %2F inside their segment).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handlers.h"
#include "router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Router *routes(void)
{
	static Router *router;

	if (!router && (!(router = router_new()) || !handlers_register(router)))
		abort();
	return router;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const HttpMethod methods[] = {HTTP_GET,    HTTP_HEAD,  HTTP_POST,   HTTP_PUT,
					     HTTP_DELETE, HTTP_PATCH, HTTP_OPTIONS};
	RouteMatch match;
	char *path;

	if (size == 0)
		return 0;
	if (!(path = malloc(size)))
		return 0;
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';
	if (router_match(routes(), methods[data[0] % 7], path, &match) == ROUTE_FOUND) {
		bool encoded_slash = false;

		for (const char *p = strchr(path, '%'); p && !encoded_slash; p = strchr(p + 1, '%'))
			encoded_slash = strncasecmp(p, "%2F", 3) == 0;
		for (int i = 0; i < match.nparams; i++)
			if (!match.values[i][0] || (strchr(match.values[i], '/') && !encoded_slash))
				abort();
	}
	free(path);
	return 0;
}
