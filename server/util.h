/*
 * util: small string helpers shared by the modules.
 */
#ifndef HAILONG_UTIL_H
#define HAILONG_UTIL_H

/* printf into a fresh malloc'd string (caller frees); NULL when memory runs
 * out. */
char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like str_printf, and the result made one line: newlines become spaces and
 * trailing spaces and newlines go (libpq messages end in "\n" and may hold
 * several lines). */
char *str_oneline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#include <stddef.h>
#include <stdint.h>

/* Reads a regular file whole into a malloc'd, NUL-terminated buffer (caller
 * frees); *len is its size.  Files over max_bytes are refused.  On failure
 * returns NULL and sets *err (malloc'd) to "path: reason", naming what the
 * file should be ("a questionnaire") in the size message. */
char *read_file_whole(const char *path, size_t max_bytes, const char *what, size_t *len,
		      char **err);

/* The value of a hexadecimal digit, or -1. */
int hex_digit_value(char c);

/* Milliseconds of CLOCK_MONOTONIC: for deadlines, which must not move with
 * the wall clock. */
int64_t monotonic_ms(void);
/* The same in microseconds: for durations measured into metrics. */
int64_t monotonic_us(void);

#endif
