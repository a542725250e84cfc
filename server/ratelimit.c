#include "ratelimit.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum { PROBES = 8 };

typedef struct Slot {
	uint64_t key; /* 0: empty */
	double tokens;
	int64_t last_ms;
} Slot;

struct RateLimit {
	double per_ms;
	double burst;
	size_t nslots;
	Slot *slots;
	unsigned char hash_key[crypto_shorthash_KEYBYTES];
};

RateLimit *ratelimit_new(double per_minute, double burst, size_t slots)
{
	RateLimit *rl = calloc(1, sizeof *rl);

	if (!rl)
		return NULL;
	rl->per_ms = per_minute / 60000.0;
	rl->burst = burst < 1 ? 1 : burst;
	rl->nslots = slots < PROBES ? PROBES : slots;
	rl->slots = calloc(rl->nslots, sizeof *rl->slots);
	if (!rl->slots) {
		free(rl);
		return NULL;
	}
	randombytes_buf(rl->hash_key, sizeof rl->hash_key);
	return rl;
}

void ratelimit_free(RateLimit *rl)
{
	if (!rl)
		return;
	free(rl->slots);
	free(rl);
}

bool ratelimit_take(RateLimit *rl, const void *client, size_t len, int64_t now_ms,
		    int *retry_after_s)
{
	unsigned char digest[crypto_shorthash_BYTES];
	uint64_t key;
	Slot *slot = NULL, *oldest = NULL;
	size_t start;

	crypto_shorthash(digest, client, len, rl->hash_key);
	memcpy(&key, digest, sizeof key);
	if (key == 0)
		key = 1;
	start = (size_t)(key % rl->nslots);
	for (size_t i = 0; i < PROBES; i++) {
		Slot *s = &rl->slots[(start + i) % rl->nslots];
		if (s->key == key || s->key == 0) {
			slot = s;
			break;
		}
		if (!oldest || s->last_ms < oldest->last_ms)
			oldest = s;
	}
	if (!slot)
		slot = oldest;
	if (slot->key != key) {
		slot->key = key;
		slot->tokens = rl->burst;
		slot->last_ms = now_ms;
	}
	if (now_ms > slot->last_ms) {
		slot->tokens += (double)(now_ms - slot->last_ms) * rl->per_ms;
		if (slot->tokens > rl->burst)
			slot->tokens = rl->burst;
		slot->last_ms = now_ms;
	}
	if (slot->tokens >= 1.0) {
		slot->tokens -= 1.0;
		return true;
	}
	if (retry_after_s) {
		double wait_ms = rl->per_ms > 0 ? (1.0 - slot->tokens) / rl->per_ms : 60000.0;
		*retry_after_s = (int)ceil(wait_ms / 1000.0);
		if (*retry_after_s < 1)
			*retry_after_s = 1;
	}
	return false;
}
