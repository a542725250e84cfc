/*
 * page_staff: the staff pages of a round, in Vietnamese: its progress while
 * it is open (with slips and printing), and paper entry.  Same rules as the
 * parents' pages: one inline style sheet and one script, allowed by hash,
 * everything from the database escaped, usable at 360 px.
 */
#ifndef HAILONG_PAGE_STAFF_H
#define HAILONG_PAGE_STAFF_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "buf.h"
#include "form.h"
#include "submission.h"

/* The style sheet and script of the staff pages, for the CSP hashes. */
extern const char STAFF_STYLE[];
extern const char STAFF_SCRIPT[];

/* The school a round belongs to (its unit's name when it has none), from
 * the round's JSON. */
const char *round_place(const cJSON *round);

/* A round's page: settings, progress (refreshes itself every 30 s), slip
 * batches with their print links, and the forms that change it.  round is
 * the round's JSON (sql/007 hl_campaign_json); notice (plain text) is shown
 * on top when given; can_change shows the forms (staff and admins). */
void page_round(Buf *out, const cJSON *round, const char *base_url, const char *csrf,
		const char *notice, bool can_change);

typedef struct EntryPage {
	const cJSON *round;      /* the round's JSON */
	const Form *form;
	const char *csrf;
	const char *token;       /* the sheet's signed submission id */
	const char *slip;        /* the slip code typed, or NULL */
	const Submission *previous; /* answers to show again, with errors, or NULL */
	const char *error;       /* a problem with the sheet as a whole, or NULL */
	const char *saved;       /* the slip code of the sheet just saved, or NULL */
	bool saved_first;        /* double entry: saved was only the first keying */
	bool confirm;            /* double entry: the differences are shown; saving resolves them */
	const char *const *notes; /* per answer: a note under the question (the first keying's value), or NULL */
	long long entered;       /* paper sheets stored so far */
} EntryPage;

/* Paper entry: the slip code, then one short field per answer that moves
 * on by itself after a valid key. */
void page_entry(Buf *out, const EntryPage *page);

/* A staff page with a heading and a message (plain text), a link back to
 * the round of code when given, and always one to the staff start page. */
void page_staff_message(Buf *out, const char *heading, const char *message, const char *code);

/* The frame of every staff page: head with title (plain text) and the
 * style sheet, refreshing every `refresh` seconds when given, then <main>;
 * close ends it, with the staff script when script is true. */
void page_staff_open(Buf *out, const char *title, const char *refresh);
void page_staff_close(Buf *out, bool script);

/* "2026-11-25T07:30:00+07:00" → "07:30 ngày 25/11/2026"; "—" when absent. */
void page_staff_time(Buf *out, const char *iso);

/* A round's state ("open", "upcoming", "closed") in Vietnamese. */
const char *page_staff_state(const char *state);

#endif
