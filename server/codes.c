#include "codes.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

const char CODE_ALPHABET[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

static bool in_alphabet(char c)
{
	return c != '\0' && strchr(CODE_ALPHABET, c) != NULL;
}

size_t code_normalise(const char *input, char *out, size_t cap)
{
	size_t n = 0;

	if (cap < CODE_SLIP_LEN + 1 || strlen(input) > CODE_MAX_INPUT)
		return 0;
	for (const char *p = input; *p; p++) {
		char c = (char)toupper((unsigned char)*p);
		if (c == ' ' || c == '-' || c == '.' || c == '_')
			continue;
		if (!in_alphabet(c) || n == CODE_SLIP_LEN)
			return 0;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == CODE_CAMPAIGN_LEN || n == CODE_SLIP_LEN ? n : 0;
}

void code_random(char *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		out[i] = CODE_ALPHABET[randombytes_uniform(sizeof CODE_ALPHABET - 1)];
	out[len] = '\0';
}

void code_pretty(const char *code, char *out, size_t cap)
{
	size_t n = 0, len = strlen(code);

	if (cap == 0)
		return;
	for (size_t i = 0; i < len && n + 2 < cap; i++) {
		/* 4-4-5: short groups to read aloud, no lone last symbol. */
		if (len > CODE_CAMPAIGN_LEN && (i == 4 || i == 8))
			out[n++] = '-';
		out[n++] = code[i];
	}
	out[n] = '\0';
}
