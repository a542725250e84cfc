/*
 * codes: the short codes people type from paper, and the random ids behind
 * them.
 *
 * Alphabet: 2-9 and A-Z without I, L and O (31 symbols): no 0/O or 1/I/L
 * to confuse.  Campaign codes have 6 symbols (printed on posters, not secret);
 * slip codes 13 (64 bits, unguessable).  Input is forgiving: lower case,
 * spaces, hyphens and dots are accepted.
 */
#ifndef HAILONG_CODES_H
#define HAILONG_CODES_H

#include <stdbool.h>
#include <stddef.h>

enum {
	CODE_CAMPAIGN_LEN = 6,
	CODE_SLIP_LEN = 13,
	CODE_MAX_INPUT = 64, /* longer input is not a code */
};

extern const char CODE_ALPHABET[]; /* 31 symbols */

/* Normalises typed input into out (cap >= CODE_SLIP_LEN + 1): upper-case,
 * separators dropped.  Returns the code's length (6 or 13), or 0 when the
 * input is not a well-formed code. */
size_t code_normalise(const char *input, char *out, size_t cap);

/* Writes len random symbols and a NUL into out. */
void code_random(char *out, size_t len);

/* Writes code with hyphens for printing: slips as "ABCD-EFGH-JKMNP" (4-4-5);
 * campaign codes are printed as they are. */
void code_pretty(const char *code, char *out, size_t cap);

#endif
