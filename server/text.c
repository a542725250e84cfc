#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

bool text_valid_utf8(const char *s, size_t len, size_t *bad_offset)
{
	const uint8_t *bad = u8_check((const uint8_t *)s, len);

	if (!bad)
		return true;
	if (bad_offset)
		*bad_offset = (size_t)(bad - (const uint8_t *)s);
	return false;
}

char *text_to_nfc(const char *s)
{
	size_t len = strlen(s), out_len = 0;
	uint8_t *out = u8_normalize(UNINORM_NFC, (const uint8_t *)s, len, NULL, &out_len);
	char *copy;

	if (!out)
		return NULL;
	copy = malloc(out_len + 1);
	if (copy) {
		memcpy(copy, out, out_len);
		copy[out_len] = '\0';
	}
	free(out);
	return copy;
}

bool text_is_nfc(const char *s)
{
	size_t len = strlen(s), out_len = 0;
	bool ascii = true;
	uint8_t *out;
	bool same;

	for (const unsigned char *p = (const unsigned char *)s; *p && ascii; p++)
		ascii = *p < 0x80;
	if (ascii)
		return true; /* the common case, and ASCII is always NFC */
	out = u8_normalize(UNINORM_NFC, (const uint8_t *)s, len, NULL, &out_len);
	if (!out)
		return false;
	same = out_len == len && memcmp(out, s, len) == 0;
	free(out);
	return same;
}

size_t text_char_count(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

bool text_has_content(const char *s)
{
	return text_has_content_n(s, strlen(s));
}

bool text_has_content_n(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t left = len;

	while (left > 0) {
		ucs4_t c;
		int n = u8_mbtouc(&c, p, left);
		if (n <= 0)
			return true;
		/* White space of any script, and the invisible characters that
		 * look like nothing: zero-width space, BOM, word joiner. */
		if (!uc_is_property_white_space(c) && c != 0x200B && c != 0xFEFF && c != 0x2060)
			return true;
		p += n;
		left -= (size_t)n;
	}
	return false;
}

void text_line_col(const char *text, size_t offset, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < offset && text[i]; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n') {
			(*line)++;
			*col = 1;
		} else if ((c & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}
