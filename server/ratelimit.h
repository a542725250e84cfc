/*
 * ratelimit: a token bucket per client, in memory only.
 *
 * Clients are told apart by a keyed 64-bit hash of their address (SipHash
 * with a key drawn at start): the address itself is never kept, and the hash
 * means nothing after a restart.  The table has a fixed size; when it is full
 * the least recently seen client is forgotten, so memory stays bounded
 * whatever the traffic.
 */
#ifndef HAILONG_RATELIMIT_H
#define HAILONG_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct RateLimit RateLimit;

/* per_minute tokens refill each minute, at most burst are held.  slots
 * bounds the clients remembered.  NULL when memory runs out. */
RateLimit *ratelimit_new(double per_minute, double burst, size_t slots);
void ratelimit_free(RateLimit *rl);

/* Takes one token for client (any bytes identifying it) at now_ms.  Returns
 * true when allowed; on false *retry_after_s says when one token is back. */
bool ratelimit_take(RateLimit *rl, const void *client, size_t len, int64_t now_ms,
		    int *retry_after_s);

#endif
