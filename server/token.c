#include "token.h"

#include <sodium.h>
#include <string.h>

#include "codes.h"

enum { RAW_BYTES = 16 + 8 + 8, TAG_BYTES = 16 };

static void put64(unsigned char *p, int64_t v)
{
	uint64_t u = (uint64_t)v;
	for (int i = 7; i >= 0; i--, u >>= 8)
		p[i] = (unsigned char)(u & 0xff);
}

static int64_t get64(const unsigned char *p)
{
	uint64_t u = 0;
	for (int i = 0; i < 8; i++)
		u = (u << 8) | p[i];
	return (int64_t)u;
}

void token_new(SubmissionToken *t, int64_t campaign_id, int64_t now)
{
	uint32_t minute = (uint32_t)(now / 60);

	randombytes_buf(t->id, sizeof t->id);
	/* The first 32 bits count minutes: ids issued together sort together,
	 * so the response index grows at its end instead of touching random
	 * pages (fewer splits, less WAL).  Minutes only: an id says no more
	 * about when a parent opened the form than the stored response time
	 * does.  The remaining 90 random bits keep ids unguessable. */
	t->id[0] = (unsigned char)(minute >> 24);
	t->id[1] = (unsigned char)(minute >> 16);
	t->id[2] = (unsigned char)(minute >> 8);
	t->id[3] = (unsigned char)minute;
	/* RFC 9562 version 8 (custom layout) and variant bits: a well-formed UUID. */
	t->id[6] = (unsigned char)((t->id[6] & 0x0f) | 0x80);
	t->id[8] = (unsigned char)((t->id[8] & 0x3f) | 0x80);
	t->campaign_id = campaign_id;
	t->issued_at = now;
}

static void sign(const unsigned char key[TOKEN_KEY_BYTES], const unsigned char *raw,
		 unsigned char tag[TAG_BYTES])
{
	unsigned char full[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256(full, raw, RAW_BYTES, key);
	memcpy(tag, full, TAG_BYTES);
}

void token_encode(const unsigned char key[TOKEN_KEY_BYTES], const SubmissionToken *t,
		  char out[TOKEN_TEXT_LEN + 1])
{
	unsigned char bytes[RAW_BYTES + TAG_BYTES];

	memcpy(bytes, t->id, 16);
	put64(bytes + 16, t->campaign_id);
	put64(bytes + 24, t->issued_at);
	sign(key, bytes, bytes + RAW_BYTES);
	sodium_bin2base64(out, TOKEN_TEXT_LEN + 1, bytes, sizeof bytes,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool token_decode(const unsigned char key[TOKEN_KEY_BYTES], const char *text, SubmissionToken *t)
{
	unsigned char bytes[RAW_BYTES + TAG_BYTES], tag[TAG_BYTES];
	size_t len = 0;
	const char *end = NULL;

	if (strlen(text) != TOKEN_TEXT_LEN)
		return false;
	if (sodium_base642bin(bytes, sizeof bytes, text, TOKEN_TEXT_LEN, NULL, &len, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof bytes || *end != '\0')
		return false;
	sign(key, bytes, tag);
	if (sodium_memcmp(tag, bytes + RAW_BYTES, TAG_BYTES) != 0)
		return false;
	memcpy(t->id, bytes, 16);
	t->campaign_id = get64(bytes + 16);
	t->issued_at = get64(bytes + 24);
	return true;
}

void token_receipt(const unsigned char key[TOKEN_KEY_BYTES], const unsigned char id[16],
		   char out[RECEIPT_TEXT_LEN + 1])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	uint64_t bits = 0;

	crypto_auth_hmacsha256_init(&st, key, TOKEN_KEY_BYTES);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"receipt", 7);
	crypto_auth_hmacsha256_update(&st, id, 16);
	crypto_auth_hmacsha256_final(&st, mac);
	for (int i = 0; i < 8; i++)
		bits = (bits << 8) | mac[i];
	for (int i = 0; i < RECEIPT_TEXT_LEN; i++) {
		if (i == 4) {
			out[i] = '-';
			continue;
		}
		out[i] = CODE_ALPHABET[bits % 31];
		bits /= 31;
	}
	out[RECEIPT_TEXT_LEN] = '\0';
}

void token_uuid(const unsigned char id[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[n++] = '-';
		out[n++] = hex[id[i] >> 4];
		out[n++] = hex[id[i] & 15];
	}
	out[n] = '\0';
}
