/*
 * campaigns: survey rounds (đợt khảo sát) from the command line
 * (`hailong campaign create`).  Blocking: command line only.
 */
#ifndef HAILONG_CAMPAIGNS_H
#define HAILONG_CAMPAIGNS_H

#include <stdbool.h>
#include <stdio.h>

typedef struct CampaignSpec {
	const char *org;    /* unit code: a school, grade or class */
	const char *form;   /* questionnaire id, optionally "@edition" */
	const char *title;
	const char *opens;  /* "YYYY-MM-DD HH:MM", Việt Nam time */
	const char *closes;
	const char *target; /* parents targeted, or NULL */
	const char *mode;   /* shared, slips or both; NULL: shared */
	const char *kiosk;  /* yes or no; NULL: no */
} CampaignSpec;

/* Checks "YYYY-MM-DD HH:MM" (also with a 'T', and optional ":SS"): a real
 * date and time.  Writes the canonical "YYYY-MM-DD HH:MM:SS" into out. */
bool campaign_parse_time(const char *text, char out[20]);

/* Creates the round; prints its details and, as the last line, its public
 * URL (base_url/s/CODE).  False with *err (malloc'd, one line). */
bool campaign_create(const char *conninfo, const char *base_url, const CampaignSpec *spec,
		     FILE *out, char **err) __attribute__((warn_unused_result));

#endif
