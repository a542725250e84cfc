/*
 * buf: a growable byte buffer for building pages and bodies, with HTML
 * escaping.  Appends never fail loudly: on memory exhaustion the buffer is
 * marked failed and further appends do nothing; check buf.failed once at the
 * end.
 */
#ifndef HAILONG_BUF_H
#define HAILONG_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct Buf {
	char *data; /* NUL-terminated when not failed */
	size_t len;
	size_t cap;
	bool failed;
} Buf;

/* Starts empty, with room for hint bytes. */
void buf_init(Buf *b, size_t hint);
void buf_free(Buf *b);

void buf_add(Buf *b, const char *data, size_t len);
void buf_puts(Buf *b, const char *text);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends text with &, <, >, " and ' escaped: safe in element content and
 * in quoted attribute values.  NULL appends nothing. */
void buf_html(Buf *b, const char *text);

/* Appends text escaped for a JSON string body (without the quotes). */
void buf_json_string(Buf *b, const char *text);

#endif
