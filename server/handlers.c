#include "handlers.h"

bool handlers_register(Router *router)
{
	static const struct {
		unsigned methods;
		const char *pattern;
		HttpHandler handler;
	} routes[] = {
		{HTTP_GET, "/healthz", handle_healthz},
		{HTTP_GET, "/metrics", handle_metrics},
		{HTTP_GET, "/favicon.ico", handle_favicon},
		{HTTP_GET, "/robots.txt", handle_robots},
		{HTTP_GET, "/api/v1/me", handle_api_me},
		{HTTP_GET, "/api/v1/units/{code}", handle_api_unit},
		{HTTP_GET, "/api/v1/audit", handle_api_audit},
		{HTTP_GET, "/api/v1/campaigns", handle_api_campaign_list},
		{HTTP_POST, "/api/v1/campaigns", handle_api_campaign_create},
		{HTTP_GET, "/api/v1/campaigns/{code}", handle_api_campaign_get},
		{HTTP_PATCH, "/api/v1/campaigns/{code}", handle_api_campaign_update},
		{HTTP_POST, "/api/v1/campaigns/{code}/close", handle_api_campaign_close},
		{HTTP_GET, "/api/v1/campaigns/{code}/slips", handle_api_slips_get},
		{HTTP_POST, "/api/v1/campaigns/{code}/slips", handle_api_slips_create},
		{HTTP_GET, "/api/v1/campaigns/{code}/snapshot", handle_api_snapshot},
		{HTTP_GET, "/api/v1/reports/{code}", handle_api_report},
		{HTTP_GET, "/api/v1/reports/{code}/comments", handle_api_report_comments},
		{HTTP_GET, "/login", handle_login_get},
		{HTTP_POST, "/login", handle_login_post},
		{HTTP_POST, "/logout", handle_logout},
		{HTTP_GET, "/staff", handle_staff_home},
		{HTTP_GET, "/staff/reports/{code}", handle_staff_report},
		/* The rounds' own pages (handler_round_forms.c). */
		{HTTP_GET, "/staff/rounds", handle_staff_rounds},
		{HTTP_POST, "/staff/rounds", handle_staff_round_create},
		{HTTP_GET, "/staff/rounds/new", handle_staff_round_new},
		{HTTP_GET, "/staff/rounds/{code}/edit", handle_staff_round_edit},
		{HTTP_POST, "/staff/rounds/{code}/edit", handle_staff_round_update},
		{HTTP_GET, "/staff/rounds/{code}", handle_staff_round},
		{HTTP_GET, "/staff/rounds/{code}/poster", handle_staff_poster},
		{HTTP_GET, "/staff/rounds/{code}/slips", handle_staff_slips},
		{HTTP_POST, "/staff/rounds/{code}/slips", handle_staff_slips_post},
		{HTTP_GET, "/staff/rounds/{code}/paper", handle_staff_paper},
		{HTTP_GET, "/staff/rounds/{code}/entry", handle_staff_entry},
		{HTTP_POST, "/staff/rounds/{code}/entry", handle_staff_entry_post},
		{HTTP_POST, "/staff/rounds/{code}/close", handle_staff_close_post},
		/* Admin pages (handler_admin.c). */
		{HTTP_GET, "/staff/accounts", handle_staff_accounts},
		{HTTP_POST, "/staff/accounts", handle_staff_account_create},
		{HTTP_POST, "/staff/accounts/{login}/disable", handle_staff_account_disable},
		{HTTP_POST, "/staff/accounts/{login}/enable", handle_staff_account_enable},
		{HTTP_POST, "/staff/accounts/{login}/password", handle_staff_account_password},
		{HTTP_GET, "/staff/tokens", handle_staff_tokens},
		{HTTP_POST, "/staff/tokens", handle_staff_token_create},
		{HTTP_POST, "/staff/tokens/{id}/revoke", handle_staff_token_revoke},
		{HTTP_GET, "/staff/audit", handle_staff_audit},
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
