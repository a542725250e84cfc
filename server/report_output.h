/*
 * report_output: one report document (docs/reports.md) written in the
 * format asked for — JSON, CSV, XLSX, the HTML report page or the notice
 * board sheet — for the command line and the server alike.
 */
#ifndef HAILONG_REPORT_OUTPUT_H
#define HAILONG_REPORT_OUTPUT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

#include "page_report.h"

typedef enum ReportFormat {
	REPORT_FORMAT_JSON,
	REPORT_FORMAT_CSV,
	REPORT_FORMAT_XLSX,
	REPORT_FORMAT_HTML,   /* the report page */
	REPORT_FORMAT_NOTICE, /* the one-page notice-board sheet */
} ReportFormat;

/* "json" … ; false for anything else. */
bool report_format_parse(const char *name, ReportFormat *out);

/* The Content-Type of a format. */
const char *report_format_mime(ReportFormat format);

/* The file name extension, without the dot. */
const char *report_format_extension(ReportFormat format);

/* Writes doc to out.  links: the URLs pages link to (NULL on the command
 * line: pages then carry no navigation).  False with *err set (caller
 * frees) when writing fails. */
bool report_write(FILE *out, const cJSON *doc, ReportFormat format, const ReportPageLinks *links,
		  char **err);

#endif
