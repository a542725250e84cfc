#include "campaign_cache.h"

#include <stdlib.h>
#include <string.h>

#include "codes.h"

enum { PROBES = 8 };

typedef struct Entry {
	char code[CODE_SLIP_LEN + 1]; /* "" when empty */
	int64_t stored_ms;
	CampaignInfo info;
	char *page; /* rendered form with a token placeholder, or NULL */
	size_t page_len, token_at;
} Entry;

struct CampaignCache {
	Entry *entries;
	size_t slots;
	int64_t ttl_ms;
};

static size_t hash_code(const char *code)
{
	size_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)code; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

CampaignCache *campaign_cache_new(size_t slots, int64_t ttl_ms)
{
	CampaignCache *cache = calloc(1, sizeof *cache);

	if (!cache)
		return NULL;
	cache->slots = slots < PROBES ? PROBES : slots;
	cache->ttl_ms = ttl_ms;
	cache->entries = calloc(cache->slots, sizeof *cache->entries);
	if (!cache->entries) {
		free(cache);
		return NULL;
	}
	return cache;
}

void campaign_info_clear(CampaignInfo *info)
{
	free(info->title);
	free(info->school);
	info->title = info->school = NULL;
}

void campaign_cache_free(CampaignCache *cache)
{
	if (!cache)
		return;
	for (size_t i = 0; i < cache->slots; i++) {
		campaign_info_clear(&cache->entries[i].info);
		free(cache->entries[i].page);
	}
	free(cache->entries);
	free(cache);
}

static bool copy_info(CampaignInfo *dst, const CampaignInfo *src)
{
	*dst = *src;
	dst->title = strdup(src->title);
	dst->school = strdup(src->school);
	if (!dst->title || !dst->school) {
		campaign_info_clear(dst);
		return false;
	}
	return true;
}

/* The entry of code no older than max_age_ms, or NULL. */
static Entry *find_within(CampaignCache *cache, const char *code, int64_t now_ms,
			  int64_t max_age_ms)
{
	size_t start = hash_code(code) % cache->slots;

	for (size_t i = 0; i < PROBES; i++) {
		Entry *e = &cache->entries[(start + i) % cache->slots];
		if (strcmp(e->code, code) != 0)
			continue;
		if (now_ms - e->stored_ms > max_age_ms || now_ms < e->stored_ms)
			return NULL;
		return e;
	}
	return NULL;
}

static Entry *find(CampaignCache *cache, const char *code, int64_t now_ms)
{
	return find_within(cache, code, now_ms, cache->ttl_ms);
}

bool campaign_cache_get_stale(CampaignCache *cache, const char *code, int64_t now_ms,
			      int64_t max_age_ms, CampaignInfo *out)
{
	Entry *e = find_within(cache, code, now_ms, max_age_ms);

	return e && copy_info(out, &e->info);
}

bool campaign_cache_get(CampaignCache *cache, const char *code, int64_t now_ms,
			CampaignInfo *out)
{
	Entry *e = find(cache, code, now_ms);

	return e && copy_info(out, &e->info);
}

bool campaign_cache_page(CampaignCache *cache, const char *code, int64_t now_ms,
			 const char **page, size_t *len, size_t *token_at)
{
	Entry *e = find(cache, code, now_ms);

	if (!e || !e->page)
		return false;
	*page = e->page;
	*len = e->page_len;
	*token_at = e->token_at;
	return true;
}

void campaign_cache_set_page(CampaignCache *cache, const char *code, char *page, size_t len,
			     size_t token_at)
{
	size_t start = hash_code(code) % cache->slots;

	for (size_t i = 0; i < PROBES; i++) {
		Entry *e = &cache->entries[(start + i) % cache->slots];
		if (strcmp(e->code, code) == 0) {
			free(e->page);
			e->page = page;
			e->page_len = len;
			e->token_at = token_at;
			return;
		}
	}
	free(page);
}

void campaign_cache_put(CampaignCache *cache, const char *code, const CampaignInfo *info,
			int64_t now_ms)
{
	size_t start = hash_code(code) % cache->slots;
	Entry *slot = NULL;

	if (strlen(code) >= sizeof slot->code)
		return;
	for (size_t i = 0; i < PROBES; i++) {
		Entry *e = &cache->entries[(start + i) % cache->slots];
		if (strcmp(e->code, code) == 0 || e->code[0] == '\0') {
			slot = e;
			break;
		}
		if (!slot || e->stored_ms < slot->stored_ms)
			slot = e;
	}
	campaign_info_clear(&slot->info);
	free(slot->page);
	slot->page = NULL;
	slot->code[0] = '\0';
	if (!copy_info(&slot->info, info))
		return;
	strcpy(slot->code, code);
	slot->stored_ms = now_ms;
}
