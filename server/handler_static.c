/* Small fixed answers browsers and crawlers ask for. */
#include "handlers.h"

void handle_favicon(HttpRequest *r)
{
	/* No icon: an empty answer that browsers cache, instead of a 404 per page. */
	http_add_header(r, "Cache-Control", "public, max-age=86400");
	http_reply(r, 204, "image/x-icon", "", 0);
}

void handle_robots(HttpRequest *r)
{
	static const char robots[] = "User-agent: *\nDisallow: /s/\n";

	http_add_header(r, "Cache-Control", "public, max-age=86400");
	http_reply(r, 200, "text/plain; charset=utf-8", robots, sizeof robots - 1);
}
