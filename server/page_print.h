/*
 * page_print: the A4 sheets a school prints for a round, as HTML with print
 * CSS (the browser's "Print" or "Save as PDF" makes the paper):
 *
 *   - the poster for a parent meeting: school, title, a large QR code, three
 *     short steps, and the short link to type;
 *   - a sheet of cut-out slips, 8 per A4 page, each with its own QR code and
 *     code, handed one per family;
 *   - the paper questionnaire, one per slip, with tick boxes and its slip
 *     code, for parents without a phone (1–2 A4 pages each).
 *
 * Self-contained: one inline style sheet (PRINT_STYLE, allowed by hash in
 * the server's Content-Security-Policy), QR codes as inline SVG, system
 * fonts, no script, no external request.  Every string from the database
 * goes through buf_html.
 */
#ifndef HAILONG_PAGE_PRINT_H
#define HAILONG_PAGE_PRINT_H

#include "buf.h"
#include "form.h"

/* The style sheet of every print page, for the CSP hash. */
extern const char PRINT_STYLE[];

typedef struct PrintRound {
	const char *school;   /* the organisation unit's name */
	const char *title;    /* the round's title */
	const char *code;     /* the round's public code (6 symbols) */
	const char *base_url; /* "https://ks.example.vn", no trailing slash */
	const char *closes;   /* closing time as people read it: "17:00 ngày 05/12/2026" */
} PrintRound;

/* The meeting poster (one A4 page) for the round's shared code. */
void print_poster(Buf *out, const PrintRound *round);

/* Slips for codes (13-symbol slip codes, as stored), 8 per A4 page; ncodes
 * may be 0 (a page that says so). */
void print_slips(Buf *out, const PrintRound *round, const char *const *codes, int ncodes);

/* One paper questionnaire of form per slip code, each starting on a new
 * page. */
void print_paper(Buf *out, const PrintRound *round, const Form *form, const char *const *codes,
		 int ncodes);

#endif
