/*
 * report_build: the report document (docs/reports.md) for one unit of the
 * tree, one period and optionally one round, read from the tallies.
 *
 * Blocking: it runs several queries on the connection it is given, so the
 * command line calls it directly and the server only on a worker thread
 * with a connection of its own (report_service), never on the event loop.
 * Everything it needs (questionnaire definitions included) it reads itself,
 * so it shares no state with the caller and is safe on any thread.
 */
#ifndef HAILONG_REPORT_BUILD_H
#define HAILONG_REPORT_BUILD_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <time.h>

enum {
	REPORT_COMMENTS_SHOWN = 50,     /* comments inside the document */
	REPORT_COMMENTS_PAGE_MAX = 500, /* one page of the comments listing */
	REPORT_SEARCH_MAX = 200,        /* bytes of a comment search */
};

typedef struct ReportQuery {
	const char *node;         /* unit code */
	const char *scope_path;   /* the caller's subtree (ltree text); NULL: all (command line) */
	const char *from, *to;    /* YYYY-MM-DD, inclusive; NULL: the current school year */
	const char *campaign;     /* one round's public code, or NULL */
	const char *compare_from; /* the period to compare with; NULL: the one before */
	const char *compare_to;
	const char *search;       /* comments containing this text, or NULL */
	int comments_limit;       /* comments in the document or page (0: REPORT_COMMENTS_SHOWN) */
	int comments_offset;      /* comments skipped, newest first */
	int privacy_threshold;    /* k: groups with fewer responses show counts only */
	long long today;          /* days since 1970-01-01 in Viet Nam (tests pin it); 0: now */
} ReportQuery;

typedef struct ReportError {
	int status;        /* 404 unknown or outside the caller's subtree, 422 bad input, 503 database */
	char field[32];    /* the parameter at fault ("" when none) */
	char message[300]; /* one line, English, for the API and the command line */
} ReportError;

/* Builds the document.  Returns it (caller frees with cJSON_Delete) or NULL
 * with *err filled. */
cJSON *report_build(PGconn *conn, const ReportQuery *query, ReportError *err);

/* The checks every report query passes before any database work: the
 * unit and round codes (404 when they cannot exist), the search's length,
 * the dates; fills the period asked for (or the school year holding today)
 * and the one to compare with, as YYYY-MM-DD.  False with *err filled. */
bool report_query_check(const ReportQuery *query, char from[11], char to[11],
			char prev_from[11], char prev_to[11], ReportError *err)
	__attribute__((warn_unused_result));

/* The time reports are stamped with (generated_at, a workbook's creation
 * date): SOURCE_DATE_EPOCH when it is set, as reproducible builds use it,
 * so that the same data gives the same bytes (a restored backup is checked
 * that way); else now. */
time_t report_clock(void);

/* Checks a YYYY-MM-DD date and returns its day number (days since
 * 1970-01-01); false when malformed or not a calendar date. */
bool report_parse_date(const char *text, long long *day);

#endif
