/*
 * campaign_cache: what GET/POST /s/{code} need to know about a round, kept
 * in memory for a short time.
 *
 * At a parent meeting hundreds of phones open the same round within seconds;
 * asking PostgreSQL each time would make the database, not the page, the
 * limit.  Entries live ttl_ms (a round closed early keeps showing its form
 * for at most that long; submissions are judged by their signed issue time
 * anyway).  Slip codes are not cached: whether a slip is used must be fresh.
 * Fixed size; a full table overwrites the oldest entry of a probe window.
 * An entry may also hold the round's rendered form page, so that showing the
 * form to the next parent is a copy plus a fresh token.
 */
#ifndef HAILONG_CAMPAIGN_CACHE_H
#define HAILONG_CAMPAIGN_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct CampaignInfo {
	long long campaign_id;
	long long version_id;
	char *title;  /* owned by the cache entry, or by the copy */
	char *school;
	long long opens_at, closes_at;   /* Unix seconds */
	long long clock_offset;          /* database clock minus ours, seconds */
	bool kiosk;
	char mode[8];
} CampaignInfo;

typedef struct CampaignCache CampaignCache;

CampaignCache *campaign_cache_new(size_t slots, int64_t ttl_ms);
void campaign_cache_free(CampaignCache *cache);

/* Copies the entry of code into out (strings malloc'd; free with
 * campaign_info_clear) when present and fresh at now_ms. */
bool campaign_cache_get(CampaignCache *cache, const char *code, int64_t now_ms,
			CampaignInfo *out);

/* The same, accepting an entry up to max_age_ms old: for when the database
 * cannot be asked (a parent can still open and fill the form, and the answers
 * wait on the page or the phone until it is back). */
bool campaign_cache_get_stale(CampaignCache *cache, const char *code, int64_t now_ms,
			      int64_t max_age_ms, CampaignInfo *out);

/* Stores a copy of info for code.  Silently does nothing when memory runs
 * out (the next request asks the database again). */
void campaign_cache_put(CampaignCache *cache, const char *code, const CampaignInfo *info,
			int64_t now_ms);

void campaign_info_clear(CampaignInfo *info);

/* The rendered form page of a fresh entry, with a placeholder where the
 * per-request token goes: *page (borrowed: valid until the cache is next
 * changed), its length, and the token's offset.  False when absent. */
bool campaign_cache_page(CampaignCache *cache, const char *code, int64_t now_ms,
			 const char **page, size_t *len, size_t *token_at);

/* Attaches a rendered page to code's entry (taken over: freed with the
 * entry; freed at once when there is no such entry). */
void campaign_cache_set_page(CampaignCache *cache, const char *code, char *page, size_t len,
			     size_t token_at);

#endif
