/*
 * campaigns: survey rounds (đợt khảo sát).  The rules live in SQL functions
 * (sql/007); this module checks what a person typed before it goes there,
 * for the HTTP API and the command line alike, and runs the command-line
 * side (`hailong campaign …`, blocking: command line only).
 */
#ifndef HAILONG_CAMPAIGNS_H
#define HAILONG_CAMPAIGNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

/* Fields as typed; NULL: not given (left unchanged by an edit). */
typedef struct CampaignSpec {
	const char *org;    /* unit code: a school, grade or class */
	const char *form;   /* questionnaire id, optionally "@edition" */
	const char *title;
	const char *opens;  /* "YYYY-MM-DD HH:MM", Việt Nam time */
	const char *closes;
	const char *target; /* parents targeted */
	const char *mode;   /* shared, slips or both */
	const char *kiosk;  /* yes or no (the API also takes true/false) */
	const char *double_entry; /* paper sheets keyed twice: yes or no (or true/false) */
} CampaignSpec;

/* The checked fields as SQL parameters; NULL where not given. */
typedef struct CampaignParams {
	const char *title, *opens, *closes, *target, *mode, *kiosk, *form, *double_entry;
	char opens_buf[20], closes_buf[20], target_buf[16];
} CampaignParams;

/* Checks "YYYY-MM-DD HH:MM" (also with a 'T', and optional ":SS"): a real
 * date and time.  Writes the canonical "YYYY-MM-DD HH:MM:SS" into out. */
bool campaign_parse_time(const char *text, char out[20]);

/* Checks the fields given in spec; messages name them with prefix ("--" on
 * the command line, "" in the API).  False with *err (malloc'd, one line).
 * out points into spec and into itself: keep both alive while using it. */
enum { CAMPAIGN_NUMBER_MAX = 24 };

/* The round fields of an API body (a JSON object) into spec: strings point
 * into body, the target into number.  False on a wrong type, an unknown
 * field or (creating) a missing one, with an English message in message
 * and the field at fault in *field_name (pointing into body or static). */
bool campaign_spec_from_json(const cJSON *body, bool creating, CampaignSpec *spec,
			     char number[CAMPAIGN_NUMBER_MAX], char *message, size_t cap,
			     const char **field_name);

bool campaign_check(const CampaignSpec *spec, const char *prefix, CampaignParams *out,
		    char **err) __attribute__((warn_unused_result));

/* The command line.  Each prints what it did to out; false with *err. */

/* Creates a round; prints its details and, last, its public URL. */
bool campaign_create(const char *conninfo, const char *base_url, const CampaignSpec *spec,
		     FILE *out, char **err) __attribute__((warn_unused_result));
/* Changes the fields given in spec (org cannot change). */
bool campaign_update(const char *conninfo, const char *base_url, const char *code,
		     const CampaignSpec *spec, FILE *out, char **err)
	__attribute__((warn_unused_result));
/* Closes the round now (no-op when already closed). */
bool campaign_close(const char *conninfo, const char *base_url, const char *code, FILE *out,
		    char **err) __attribute__((warn_unused_result));
/* The rounds of org's subtree (NULL: all), newest first, one per line. */
bool campaign_list(const char *conninfo, const char *org, FILE *out, char **err)
	__attribute__((warn_unused_result));
/* A round's settings and progress. */
bool campaign_show(const char *conninfo, const char *base_url, const char *code, FILE *out,
		   char **err) __attribute__((warn_unused_result));
/* Makes batch (NULL: the next) of count slips, or finds it again; prints
 * the slip URLs, one per line. */
bool campaign_slips(const char *conninfo, const char *base_url, const char *code,
		    const char *count, const char *batch, FILE *out, char **err)
	__attribute__((warn_unused_result));

#endif
