/*
 * report_rows: the figures table of the exports — one row per figure of a
 * report document, the same table in the CSV and in the XLSX sheet
 * "Tiêu chí", so a Department can filter and pivot either.  Columns are
 * documented in docs/reports.md ("CSV").
 *
 * Per questionnaire: the headline; the overall index twice (method
 * "mean-of-criteria", then "pooled"); each element twice the same way;
 * each item (criteria and questions) in form order.  Both methods are rows,
 * not columns, so percent, interval and verdict stay one column each and a
 * filter on "method" picks one.
 *
 * A round's published result (report_snapshot.c) gives its published
 * figures with "publication" = "published", then, when responses were
 * counted after publication, the round's figures now, the same rows again
 * with "publication" = "amendment" and the late responses counted.
 */
#ifndef HAILONG_REPORT_ROWS_H
#define HAILONG_REPORT_ROWS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

typedef enum ReportCol {
	RC_NODE_CODE,
	RC_NODE_NAME,
	RC_FROM,
	RC_TO,
	RC_ROUND,
	RC_FORM,
	RC_EDITION,
	RC_VERSION,
	RC_KIND,
	RC_METHOD,
	RC_ROLE,
	RC_ELEMENT,
	RC_ITEM,
	RC_TEXT,
	RC_RESPONSES,
	RC_ANSWERED,
	RC_N1,
	RC_N2,
	RC_N3,
	RC_N4,
	RC_N5,
	RC_COUNTS,
	RC_NO_OPINION,
	RC_BLANK,
	RC_SATISFIED,
	RC_VALID,
	RC_PERCENT,
	RC_LOW,
	RC_HIGH,
	RC_TARGET,
	RC_VERDICT,
	RC_VERDICT_LABEL,
	RC_GAP,
	RC_SCORE,
	RC_CHANGE,
	RC_CRITERIA,
	RC_FORMULA,
	RC_PUBLICATION,
	RC_PUBLICATION_LABEL,
	RC_LATE,
	RC_COUNT
} ReportCol;

typedef enum CellType {
	CELL_EMPTY,   /* null, or not applicable to the row */
	CELL_TEXT,    /* a string of the document: user text */
	CELL_WORD,    /* hailong's own words and keys: never user text */
	CELL_DATE,    /* "YYYY-MM-DD", checked */
	CELL_INT,     /* a count */
	CELL_PERCENT, /* 0–100, unrounded */
	CELL_POINTS,  /* percentage points (gap, change) */
	CELL_SCORE,   /* a mean score on the option values */
} CellType;

typedef struct Cell {
	CellType type;
	const char *text; /* TEXT, WORD, DATE: into the document or static */
	double num;       /* PERCENT, POINTS, SCORE */
	long long n;      /* INT */
} Cell;

typedef struct ReportColumn {
	const char *key;    /* stable English name, as in docs/reports.md */
	const char *header; /* what school staff read */
	double width;       /* XLSX column width, in characters */
} ReportColumn;

extern const ReportColumn REPORT_COLUMNS[RC_COUNT];

/* Receives one row; the cells point into the document or into storage that
 * lives until the sink returns.  Returning false (with *err set) stops. */
typedef bool (*ReportRowSink)(void *ctx, const Cell row[RC_COUNT], char **err);

/* Walks the document and hands every figure row to sink (the header is the
 * caller's, from REPORT_COLUMNS).  A malformed document gives false and
 * *err (malloc'd, caller frees) naming the field path, possibly after some
 * rows were given: check with a sink that does nothing first when output
 * must be all or nothing. */
bool report_rows(const cJSON *report, ReportRowSink sink, void *ctx, char **err);

#endif
