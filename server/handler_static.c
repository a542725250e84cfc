/* Small fixed answers browsers and crawlers ask for. */
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "handlers.h"
#include "qr.h"
#include "server.h"
#include "util.h"

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

/* The QR code of a round's or slip's form link, for posters and slips.
 * Needs no database: a code that does not exist makes a code that leads to
 * the "not found" page. */
static void qr_image(HttpRequest *r, bool svg)
{
	char code[CODE_SLIP_LEN + 1];
	const char *raw = route_param(&r->match, "code");
	char *url;
	Buf out;
	QrStatus st;

	if (!raw || !code_normalise(raw, code, sizeof code)) {
		http_reply_error(r, 404, "not_found", "no such code");
		return;
	}
	url = str_printf("%s/s/%s", r->server->base_url, code);
	buf_init(&out, 16 * 1024);
	st = url ? (svg ? qr_svg(url, 0, &out) : qr_png(url, 10, &out)) : QR_FAILED;
	free(url);
	if (st != QR_OK) {
		buf_free(&out);
		http_reply_error(r, st == QR_TOO_LONG ? 422 : 500,
				 st == QR_TOO_LONG ? "too_long" : "internal",
				 st == QR_TOO_LONG ? "the link is too long for a QR code"
						   : "cannot make the QR code");
		return;
	}
	http_add_header(r, "Cache-Control", "public, max-age=86400");
	http_reply(r, 200, svg ? "image/svg+xml" : "image/png", out.data, out.len);
	buf_free(&out);
}

void handle_qr_svg(HttpRequest *r)
{
	qr_image(r, true);
}

void handle_qr_png(HttpRequest *r)
{
	qr_image(r, false);
}
