/*
 * page_report: the report document (docs/reports.md) as HTML, in
 * Vietnamese:
 *
 *   - the report page staff read on screen and print on A4: scope and
 *     period, freshness, per questionnaire the headline figure with its
 *     verdict and interval, both overall indices, the overall question,
 *     elements and criteria as inline SVG bar charts and as tables that show
 *     how each figure was made, the "tồn tại, hạn chế" list, the
 *     distribution across schools, drill-down to the children, comments;
 *   - the one-page A4 summary a school pins on its notice board (công khai
 *     kết quả), with a ruled area for the school's improvement actions.
 *
 * The renderers compute no figure: they lay out what the document says,
 * round for display (decimal comma, dd/mm/yyyy) and show "—" for a null
 * figure.  They never crash on a malformed document: what is missing or
 * mistyped is left out or shown as "—".  Every string from the document and
 * every URL goes through buf_html; codes put into URLs are percent-encoded
 * first.  Self-contained: one inline style sheet (REPORT_STYLE, allowed by
 * hash in page_csp), charts as inline SVG, no script, no external request.
 *
 * Nothing here owns memory beyond the call: the document and the links are
 * borrowed, the output is appended to the caller's Buf.
 */
#ifndef HAILONG_PAGE_REPORT_H
#define HAILONG_PAGE_REPORT_H

#include <cjson/cJSON.h>

#include "buf.h"

/* The style sheet of the report page and of the notice-board summary, for
 * the CSP hash. */
extern const char REPORT_STYLE[];

/* Addresses the caller knows; any may be NULL (that link or form is left
 * out, or as said below).  They are written HTML-escaped; the caller makes
 * them valid URLs (its own query values percent-encoded). */
typedef struct ReportPageLinks {
	const char *csv;            /* exports of this report (with its period) */
	const char *xlsx;
	const char *json;
	const char *notice;         /* the notice-board summary of this report */
	const char *methodology;    /* how figures are computed; NULL: the document's
				     * method.reference is shown as text */
	const char *period_action;  /* action of the GET forms (period, comment search);
				     * NULL: the page's own address */
	/* Drill-down to another node (breadcrumbs, children, schools): the
	 * link is node_path, the node's code percent-encoded, then the period
	 * of the document as a query ("?from=…&to=…", "&campaign=…" when the
	 * report is of one round) — the same fields the period form sends.
	 * NULL: names are shown without links. */
	const char *node_path;      /* e.g. "/staff/reports/" */
	const char *comments_query; /* the search text the comments were filtered by, or NULL */
	const char *comments_all;   /* every comment as a CSV download (the comments endpoint), or NULL */
	const char *comments_more;  /* this page's address with its query, ending in "?" or "&":
				     * + "comments_offset=N" shows other comments; NULL: no paging */
} ReportPageLinks;

/* The report page.  links may be NULL (no links, forms post to the page's
 * own address). */
void page_report(Buf *out, const cJSON *report, const ReportPageLinks *links);

/* The one-page A4 notice-board summary: unit, period, responses and rate,
 * the headline and overall question of each questionnaire, the criteria
 * below target (the worst that fit, then "và K tiêu chí khác"), a ruled
 * area "Biện pháp cải tiến của nhà trường", date and signature.  No
 * comments, no links. */
void page_report_notice(Buf *out, const cJSON *report);

/* Numbers as Vietnamese pages show them, shared by the staff pages: v with
 * `decimals` decimals and a decimal comma ("88,1"), "—" when not finite; a
 * count with the thousands dot ("9.320"), "—" when n is not a number. */
void page_decimal(Buf *out, double v, int decimals);
void page_count(Buf *out, const cJSON *n);

#endif
