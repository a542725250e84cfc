/*
 * Fuzz target for the small parsers of a request's parts: the Cookie header
 * (auth_cookie_session), query strings (http_query_value, http_query_count),
 * a signed form token from a hidden field (token_decode), and the dates
 * people type (page dd/mm/yyyy, the API's YYYY-MM-DD HH:MM, a report's
 * period).  The input is split at its first NUL into the text and a name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "campaigns.h"
#include "http.h"
#include "page.h"
#include "report_build.h"
#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[TOKEN_KEY_BYTES] = {1, 2, 3};
	char *text = malloc(size + 1), out[512], date[20], day[11];
	const char *name;
	SubmissionToken t;
	long long number, when;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	name = text + strlen(text) + (strlen(text) < size); /* after the first NUL, or "" */

	if (auth_cookie_session(text, out, sizeof out) && strlen(out) != 43)
		abort();
	if (http_query_value(text, *name ? name : "from", out, sizeof out) &&
	    strlen(out) >= sizeof out)
		abort();
	number = http_query_count(text, *name ? name : "limit", 7);
	if (number < -1)
		abort();
	if (token_decode(key, text, &t)) {
		/* A token that decodes was signed with the key: fuzzing cannot
		 * forge one, so a decode is a finding. */
		abort();
	}
	if (campaign_parse_time(text, date) && strlen(date) != 19)
		abort();
	if (page_parse_date(text, day) && strlen(day) != 10)
		abort();
	(void)report_parse_date(text, &when);
	free(text);
	return 0;
}
