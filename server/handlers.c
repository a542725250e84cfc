#include "handlers.h"

bool handlers_register(Router *router)
{
	static const struct {
		unsigned methods;
		const char *pattern;
		HttpHandler handler;
	} routes[] = {
		{HTTP_GET, "/healthz", handle_healthz},
		{HTTP_GET, "/favicon.ico", handle_favicon},
		{HTTP_GET, "/robots.txt", handle_robots},
		{HTTP_GET, "/api/v1/me", handle_api_me},
		{HTTP_GET, "/api/v1/units/{code}", handle_api_unit},
		{HTTP_GET, "/api/v1/audit", handle_api_audit},
		{HTTP_GET, "/login", handle_login_get},
		{HTTP_POST, "/login", handle_login_post},
		{HTTP_POST, "/logout", handle_logout},
		{HTTP_GET, "/staff", handle_staff_home},
		{HTTP_GET, "/s/{code}", handle_survey_get},
		{HTTP_POST, "/s/{code}", handle_survey_post},
		{HTTP_GET, "/s/{code}/qr.svg", handle_qr_svg},
		{HTTP_GET, "/s/{code}/qr.png", handle_qr_png},
	};

	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (!router_add(router, routes[i].methods, routes[i].pattern,
				(void *)routes[i].handler))
			return false;
	return true;
}
