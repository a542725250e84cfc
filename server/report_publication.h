/*
 * report_publication: the "publication" member of a report document
 * (docs/reports.md, "Published results"), read with report_doc's checks,
 * for the exports.  A round's published result carries it as an object;
 * every other report as null (documents made before it existed: absent).
 * Nothing to free: the pointers are into the document.
 */
#ifndef HAILONG_REPORT_PUBLICATION_H
#define HAILONG_REPORT_PUBLICATION_H

#include <stdbool.h>

#include <cjson/cJSON.h>

typedef struct ReportPublication {
	bool published;       /* false: figures as they are now, nothing below is set */
	const char *taken_at; /* when the figures were frozen (ISO 8601) */
	const char *sha256;   /* of the published bytes */
	long long responses;  /* responses the published figures count */
	bool amended;         /* responses were counted after publication */
	long long late;       /* how many (amendment.late_responses) */
	long long now;        /* responses the round counts now */
	const char *generated_at;
	const char *data_as_of;      /* NULL when nothing is counted */
	const cJSON *questionnaires; /* the round's figures now */
} ReportPublication;

/* Reads report.publication into *out.  False with *err (malloc'd, naming
 * the field path, e.g. "publication.amendment.late_responses: expected a
 * whole number ≥ 0") when it is malformed. */
bool report_publication_read(const cJSON *report, ReportPublication *out, char **err);

#endif
