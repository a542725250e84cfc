/*
 * report_export: the report document (docs/reports.md) as files a
 * Department opens in Excel — a CSV of every figure, a CSV of comments that
 * can be streamed, and an XLSX workbook.  Renderers only: nothing here
 * computes a figure or queries the database.  Column and sheet layouts are
 * documented in docs/reports.md ("CSV", "XLSX").
 *
 * Every string of the document is user text (schools and parents type it):
 * in CSV it is quoted and, when Excel would read it as a formula, prefixed
 * with an apostrophe; in XLSX it is written as a string cell, never as a
 * formula or link.
 *
 * A malformed document (missing field, wrong type, unknown verdict) makes
 * the functions return false with *err set to a malloc'd message naming the
 * field path (caller frees), before anything is written.
 */
#ifndef HAILONG_REPORT_EXPORT_H
#define HAILONG_REPORT_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

/* Writes the figures table: UTF-8 with a byte-order mark, CRLF line ends,
 * RFC 4180 quoting; a header row, then per questionnaire the headline, the
 * overall index (one row per method), each element (one row per method),
 * each item.  On a write error returns false with *err set (the output may
 * then hold part of the table). */
bool report_csv(FILE *out, const cJSON *report, char **err);

/* A comments CSV, streamed: the header (with the byte-order mark) once,
 * then one row per comment; memory stays bounded whatever the number of
 * rows.  Any argument may be NULL (an empty cell).  Return false on a write
 * error (errno set). */
bool report_comments_csv_header(FILE *out);
bool report_comments_csv_row(FILE *out, const char *date, const char *unit, const char *question,
			     const char *text);

/* The comments the document holds (comments.items; nothing but the header
 * when comments.shown is false), with the functions above. */
bool report_comments_csv(FILE *out, const cJSON *report, char **err);

/* Writes the workbook to path (replacing it): sheets "Tổng hợp",
 * "Tiêu chí", "Trường", "Góp ý".  Temporary files go to /tmp; memory stays
 * bounded by one row per sheet (libxlsxwriter's constant-memory mode).  A
 * malformed document leaves path untouched; on a write failure the partial
 * file is removed. */
bool report_xlsx(const char *path, const cJSON *report, char **err);

#endif
