/*
 * page_rounds: the staff pages that list rounds and set them up, and the
 * staff start page (dashboard), in Vietnamese.  Same frame and rules as
 * page_staff: the one staff style sheet and script, allowed by hash;
 * everything from the database or the person typing escaped; usable at
 * 360 px.  Rendering only: the numbers come in the JSON given.
 */
#ifndef HAILONG_PAGE_ROUNDS_H
#define HAILONG_PAGE_ROUNDS_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "buf.h"

/* The fields of the round form, in the order the page shows them. */
typedef enum RoundField {
	RF_TITLE,
	RF_UNIT,
	RF_FORM,
	RF_OPENS_DATE,
	RF_OPENS_TIME,
	RF_CLOSES_DATE,
	RF_CLOSES_TIME,
	RF_TARGET,
	RF_MODE,
	RF_DOUBLE_ENTRY,
	RF_KIOSK,
	RF_COUNT
} RoundField;

/* The form field names ("title", "unit", …), indexed by RoundField. */
extern const char *const ROUND_FIELD_NAMES[RF_COUNT];

/* Every pointer in these page structs is borrowed for the call. */
typedef struct RoundFormPage {
	const cJSON *choices; /* SQL_STAFF_ROUND_FORM's document: "units", "forms" */
	const cJSON *round;   /* the round being edited (its JSON), NULL for a new one */
	const char *csrf;
	const char *form_key; /* a new round's once-only key (32 hex digits) */
	const char *values[RF_COUNT]; /* what each field shows; NULL as ""; checkboxes "1" when on */
	const char *errors[RF_COUNT]; /* a field's problem (plain text), or NULL */
	const char *error;    /* a problem of the whole form (plain text), or NULL */
	bool fresh;           /* not a form sent back: a draft kept in the browser may refill it */
} RoundFormPage;

/* The form that creates (round NULL) or edits a round, with an error summary
 * on top linking to each field in error. */
void page_round_form(Buf *out, const RoundFormPage *page);

typedef struct RoundListPage {
	const cJSON *rounds; /* {"total": N, "items": [round JSON …]} */
	const char *state;   /* "open", "upcoming", "closed", or NULL: all */
	long long page;      /* 1-based */
	long long per_page;
	bool can_create;     /* staff and admins: a link to the new-round form */
} RoundListPage;

/* The rounds of the caller's subtree, a page at a time, with the filter
 * links (all, open, upcoming, closed) and paging links. */
void page_round_list(Buf *out, const RoundListPage *page);

typedef struct DashboardPage {
	const char *login, *role, *unit_name, *unit_code, *csrf;
	const cJSON *open_rounds; /* SQL_STAFF_DASHBOARD's {"open", "today", "answered",
				   * "targeted", "items": [round JSON …]}, or NULL when it
				   * could not be read */
	const cJSON *report;      /* the caller's unit's report document, or NULL */
	bool report_missing;      /* true: the report could not be made (busy), not "no data" */
	bool can_create;
} DashboardPage;

/* The staff start page: open rounds with responses today and response
 * rates, the criteria below target of this school year's report, links to
 * the rounds, reports and sign-out. */
void page_dashboard(Buf *out, const DashboardPage *page);

#endif
