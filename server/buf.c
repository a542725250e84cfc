#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(Buf *b, size_t hint)
{
	b->len = 0;
	b->failed = false;
	b->cap = hint < 64 ? 64 : hint;
	b->data = malloc(b->cap);
	if (!b->data) {
		b->failed = true;
		b->cap = 0;
		return;
	}
	b->data[0] = '\0';
}

void buf_free(Buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static bool reserve(Buf *b, size_t extra)
{
	size_t need, cap;
	char *grown;

	if (b->failed)
		return false;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	for (cap = b->cap ? b->cap : 64; cap < need; cap *= 2)
		;
	grown = realloc(b->data, cap);
	if (!grown) {
		b->failed = true;
		return false;
	}
	b->data = grown;
	b->cap = cap;
	return true;
}

void buf_add(Buf *b, const char *data, size_t len)
{
	if (!reserve(b, len))
		return;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void buf_puts(Buf *b, const char *text)
{
	if (text)
		buf_add(b, text, strlen(text));
}

void buf_printf(Buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (b->failed)
		return;
	/* Format once into the free space; only a miss formats twice. */
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		if (!reserve(b, (size_t)n))
			return;
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void buf_html(Buf *b, const char *text)
{
	const char *run;

	if (!text)
		return;
	run = text;
	for (const char *p = text;; p++) {
		const char *rep = NULL;
		switch (*p) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		case '\0':
			buf_add(b, run, (size_t)(p - run));
			return;
		default:
			continue;
		}
		buf_add(b, run, (size_t)(p - run));
		buf_puts(b, rep);
		run = p + 1;
	}
}

void buf_json_string(Buf *b, const char *text)
{
	static const char hex[] = "0123456789abcdef";

	if (!text)
		return;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		char esc[7];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			buf_add(b, esc, 2);
		} else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
			/* <, > and & escaped too: safe inside a <script> block. */
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			buf_add(b, esc, 6);
		} else {
			buf_add(b, (const char *)p, 1);
		}
	}
}
