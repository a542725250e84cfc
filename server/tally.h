/*
 * tally: counts answers in memory, per round (campaign), questionnaire
 * version, answer index and value, the way a recount in SQL would
 * (sql/008 tally), for one batch of responses.  Pure: no database, no
 * globals; the aggregation job (tally_job.c) feeds it and writes it out.
 *
 * Responses arrive as the text form of smallint[] ("{5,4,-1,0}").  Values
 * from -1 to 15 (blank, "không ý kiến", every scale and single choice) are
 * counted in a dense array per round and version; anything else (multiple
 * choice bit sets up to 32767, option values up to 99) in an overflow hash.
 * Memory grows with the batch: the caller bounds the batch.
 *
 * Ownership: a Tally owns all its memory; tally_free releases it.
 */
#ifndef HAILONG_TALLY_H
#define HAILONG_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Tally Tally;

/* A round and version's share of the batch: responses and the newest one's
 * minute (seconds since the epoch). */
typedef struct TallyGroup {
	int64_t campaign_id, version_id;
	int64_t responses;
	int64_t last_minute;
} TallyGroup;

/* One counted (answer index, value) of a group. */
typedef struct TallyCount {
	int16_t answer_index, value;
	int64_t n;
} TallyCount;

/* NULL when memory runs out. */
Tally *tally_new(void);
void tally_free(Tally *tally); /* NULL-safe */

/* Parses the text form of a one-dimensional smallint[] with default bounds
 * ("{}", "{1,-2,3}").  Writes up to cap values to out and returns how many
 * the array holds (more than cap: only cap written), or -1 when the text is
 * not such an array (NULL elements, nesting, bounds, spaces, values beyond
 * smallint, anything after the closing brace). */
long tally_parse_answers(const char *text, size_t len, int16_t *out, size_t cap);

/* Parses the binary form of a one-dimensional int2[] without NULLs (as
 * libpq hands it over with binary results), like tally_parse_answers. */
long tally_parse_binary_answers(const char *data, size_t len, int16_t *out, size_t cap);

/* Counts one response of a round and version.  Returns false, counting
 * nothing, when answers is malformed (see tally_parse_answers) or longer
 * than 32767 values, or when memory runs out (*oom set then). */
bool tally_add(Tally *tally, int64_t campaign_id, int64_t version_id, const char *answers,
	       size_t len, int64_t minute, bool *oom) __attribute__((warn_unused_result));

/* tally_add for the binary form (tally_parse_binary_answers). */
bool tally_add_binary(Tally *tally, int64_t campaign_id, int64_t version_id, const char *answers,
		      size_t len, int64_t minute, bool *oom) __attribute__((warn_unused_result));

/* Adds counts made before (a stored tally row) to a group: its responses,
 * newest minute (seconds since the epoch) and n (index, value, count)
 * triples, in any order.  The group counts as touched even with no triples.
 * False, adding nothing for the offending triple, when a count would not
 * fit or an index is negative (*oom clear), or when memory runs out (*oom
 * set); the caller drops the tally then. */
bool tally_merge(Tally *tally, const TallyGroup *group, const TallyCount *counts, size_t n,
		 bool *oom) __attribute__((warn_unused_result));

/* Responses counted so far (merged counts excluded). */
int64_t tally_responses(const Tally *tally);

/* The groups, ordered by (campaign_id, version_id); valid until the next
 * tally_add or tally_free.  Sorting happens here (the table's key order
 * keeps index writes local); false when memory runs out. */
bool tally_groups(Tally *tally, const TallyGroup **out, size_t *count)
	__attribute__((warn_unused_result));

/* The nonzero counts of group number i (in tally_groups' order), ordered by
 * (answer_index, value), into *out (malloc'd, caller frees; NULL when there
 * are none).  False when memory runs out. */
bool tally_group_counts(Tally *tally, size_t i, TallyCount **out, size_t *count)
	__attribute__((warn_unused_result));

#endif
