/*
 * report_comments: the parents' free-text answers in a report's scope — a
 * page of them (the report document's "comments", the comments endpoint
 * GET /api/v1/reports/{code}/comments, `hailong comments --format json`)
 * and every one of them as a CSV (`format=csv`), read through a
 * server-side cursor a batch at a time: an export of half a million
 * comments needs the memory of one batch, not of the result.
 *
 * Privacy: the same rule and the same rounds as the report (report_build):
 * nothing when the scope has fewer than k counted responses, and only the
 * rounds with at least k; rounds withheld are counted.  Scope: the unit
 * must be in the caller's subtree (404 otherwise, as for the report).
 *
 * Blocking, like report_build: the command line, or a report thread with
 * a connection of its own.  No state is kept between calls.
 */
#ifndef HAILONG_REPORT_COMMENTS_H
#define HAILONG_REPORT_COMMENTS_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

#include "report_build.h"

enum { REPORT_COMMENTS_OFFSET_MAX = 100000000 };

typedef enum CommentsFormat {
	COMMENTS_JSON, /* one page: limit and offset of the query */
	COMMENTS_CSV,  /* every matching comment, UTF-8 with BOM, streamed */
} CommentsFormat;

/* Reads a page's "limit" (1..REPORT_COMMENTS_PAGE_MAX, default
 * REPORT_COMMENTS_SHOWN) and "offset" (0..REPORT_COMMENTS_OFFSET_MAX,
 * default 0) as typed (NULL: the default) into query.  False with *err
 * (422, field "limit" or "offset") when one is not such a whole number. */
bool report_comments_paging(const char *limit, const char *offset, ReportQuery *query,
			    ReportError *err) __attribute__((warn_unused_result));

/* The comments of the rounds round_ids (a bigint[] literal, "{1,2}") that
 * contain search (NULL: all; case-insensitive, % and _ literal), newest
 * first: the ones at [offset, offset + limit) as a JSON array of {date,
 * unit, question, text} (caller frees with cJSON_Delete), and how many
 * match in all in *total (not counted when total is NULL: a report knows
 * it from the tallies).  Applies no privacy rule: the caller chose the
 * rounds.  NULL with *err (503) when the database fails. */
cJSON *report_comments_items(PGconn *conn, const char *round_ids, const char *search, int limit,
			     int offset, long long *total, ReportError *err);

/* The comments of query's scope (unit, period or round, search) written
 * to out: COMMENTS_JSON one page (query->comments_limit, 0: the default;
 * query->comments_offset) as {"format": "hailong-comments/1", scope, q,
 * shown, withheld_rounds, total, limit, offset, next_offset, items};
 * COMMENTS_CSV the header and every comment (report_comments_csv_row).
 * One read-only snapshot; the connection is idle again on return (or
 * broken).  False with *err filled: 404 unknown unit or round (or outside
 * query->scope_path), 422 bad input, 503 database or write failure (out
 * may then hold part of the output). */
bool report_comments_write(PGconn *conn, const ReportQuery *query, CommentsFormat format,
			   FILE *out, ReportError *err) __attribute__((warn_unused_result));

#endif
