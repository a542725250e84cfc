/*
 * token: signed submission ids and receipts.
 *
 * Every rendered form carries a token: a random 128-bit submission id, the
 * round it belongs to and when it was issued, authenticated with HMAC-SHA-256
 * under the installation's secret.  The server needs no state to check one,
 * and any instance on the same database can.  The receipt a parent sees is
 * derived from the submission id with the same key: replays get the same
 * receipt without a lookup.
 */
#ifndef HAILONG_TOKEN_H
#define HAILONG_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

enum {
	TOKEN_KEY_BYTES = 32,
	TOKEN_TEXT_LEN = 64,  /* base64url of 48 bytes */
	RECEIPT_TEXT_LEN = 9, /* "ABCD-EFGH" */
};

typedef struct SubmissionToken {
	unsigned char id[16];
	int64_t campaign_id;
	int64_t issued_at; /* Unix seconds */
} SubmissionToken;

/* Fills t with a fresh random id for campaign_id, issued now. */
void token_new(SubmissionToken *t, int64_t campaign_id, int64_t now);

/* Writes the token's text form (TOKEN_TEXT_LEN characters and a NUL). */
void token_encode(const unsigned char key[TOKEN_KEY_BYTES], const SubmissionToken *t,
		  char out[TOKEN_TEXT_LEN + 1]);

/* Checks and decodes text.  False when it is malformed or its signature does
 * not match (a forged or corrupted token). */
bool token_decode(const unsigned char key[TOKEN_KEY_BYTES], const char *text, SubmissionToken *t)
	__attribute__((warn_unused_result));

/* The receipt code of a submission id. */
void token_receipt(const unsigned char key[TOKEN_KEY_BYTES], const unsigned char id[16],
		   char out[RECEIPT_TEXT_LEN + 1]);

/* The id as a UUID string (36 characters and a NUL). */
void token_uuid(const unsigned char id[16], char out[37]);

#endif
