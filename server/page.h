/*
 * page: the HTML parents see, in Vietnamese: the survey form, the thank-you
 * page and the short message pages (not found, closed, busy …).
 *
 * Pages are small, server-rendered and self-contained: one inline style
 * sheet and one inline script, both allowed by hash in a strict
 * Content-Security-Policy, no external requests, and everything works with
 * JavaScript off.  Every user or database string goes through buf_html.
 */
#ifndef HAILONG_PAGE_H
#define HAILONG_PAGE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "form.h"
#include "submission.h"

typedef struct SurveyPage {
	const Form *form;
	const char *school;         /* the round's organisation name */
	const char *title;          /* the round's title */
	const char *code;           /* the code in the URL, as normalised */
	const char *token;          /* signed submission id */
	bool kiosk;
	const Submission *previous; /* answers to show again, with errors; NULL for a fresh form */
	const char *banner;         /* a message above the form (503), or NULL */
} SurveyPage;

/* Opens every page of the service the same way: doctype, lang="vi",
 * charset, viewport, no referrer, noindex, and a refresh every `refresh`
 * seconds when given.  The caller goes on with its title and style sheet
 * and closes the head. */
void page_head_open(Buf *out, const char *refresh);

/* The Content-Security-Policy value for every page (hashes of the inline
 * style and script).  Writes into out. */
void page_csp(char *out, size_t cap);

void page_survey(Buf *out, const SurveyPage *page);

/* A page with a heading and a paragraph (both plain text, escaped here),
 * and an optional link back to the form of code. */
void page_message(Buf *out, const char *heading, const char *message, const char *back_code);

/* The thank-you page.  In kiosk mode it returns to a fresh form by itself. */
void page_thanks(Buf *out, const char *receipt, const char *code, bool kiosk);

/* The staff sign-in page.  nonce is the signed form token; message (plain
 * text) is shown above the form, login_value refills the login field; next
 * (a checked local path, or "") is where signing in leads. */
void page_login(Buf *out, const char *nonce, const char *message, const char *login_value,
		const char *next);

/* A date as people type it, "dd/mm/yyyy" (or d/m/yyyy, or yyyy-mm-dd as a
 * link or a date picker sends it) → "yyyy-mm-dd" in out (11 bytes).  False
 * when text is not a real calendar date between the years 2000 and 2999. */
bool page_parse_date(const char *text, char out[11]);

/* Dates as parents read them: "07:30 ngày 23/11/2026" (Asia/Ho_Chi_Minh). */
void page_format_time(long long unix_seconds, char *out, size_t cap);

#endif
