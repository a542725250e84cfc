/*
 * text: UTF-8 checks and Unicode normalisation (libunistring).
 *
 * All user-facing text in hailong is UTF-8 in NFC: Vietnamese letters such as
 * "ệ" can be one code point or three, and two spellings of one word must
 * compare, hash and count the same.
 */
#ifndef HAILONG_TEXT_H
#define HAILONG_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is valid UTF-8 (no overlongs, surrogates or code
 * points above U+10FFFF).  On false, *bad_offset (if given) is the offset of
 * the first invalid byte. */
bool text_valid_utf8(const char *s, size_t len, size_t *bad_offset);

/* True when the NUL-terminated UTF-8 string s is in NFC.  s must be valid
 * UTF-8. */
bool text_is_nfc(const char *s);

/* Returns a malloc'd NFC copy of valid UTF-8 s (caller frees), or NULL when
 * memory runs out. */
char *text_to_nfc(const char *s);

/* Number of code points in valid UTF-8 s[0..len). */
size_t text_char_count(const char *s, size_t len);

/* True when s holds something besides white space (of any script) and
 * invisible spacing characters. */
bool text_has_content(const char *s);

/* The same for s[0..len), valid UTF-8, not necessarily NUL-terminated. */
bool text_has_content_n(const char *s, size_t len);

/* Converts a byte offset in text to a 1-based line and a 1-based column
 * counted in code points (what editors show). */
void text_line_col(const char *text, size_t offset, int *line, int *col);

#endif
