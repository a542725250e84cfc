#include "formdata.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#include "text.h"

/* Decodes s[0..len) into a fresh string; NULL with *why on bad input. */
static char *decode(const char *s, size_t len, const char **why)
{
	char *out = malloc(len + 1);
	size_t n = 0;

	if (!out) {
		*why = "out of memory";
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi = i + 2 < len ? hex_digit_value(s[i + 1]) : -1;
			int lo = hi >= 0 ? hex_digit_value(s[i + 2]) : -1;
			if (lo < 0) {
				*why = "malformed percent-escape";
				free(out);
				return NULL;
			}
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0') {
			*why = "NUL byte in a field";
			free(out);
			return NULL;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (!text_valid_utf8(out, n, NULL)) {
		*why = "invalid UTF-8 in a field";
		free(out);
		return NULL;
	}
	return out;
}

bool formdata_parse(const char *body, size_t len, FormData *out, const char **why)
{
	size_t start = 0;

	out->fields = NULL;
	out->count = 0;
	*why = NULL;
	while (start < len) {
		size_t end = start, eq;
		FormField *grown;
		while (end < len && body[end] != '&')
			end++;
		if (end == start) {
			start = end + 1; /* "a=1&&b=2": an empty pair is skipped */
			continue;
		}
		if (out->count == FORMDATA_MAX_FIELDS) {
			*why = "too many fields";
			goto fail;
		}
		for (eq = start; eq < end && body[eq] != '='; eq++)
			;
		if (eq - start > FORMDATA_MAX_NAME * 3 || eq == start) {
			*why = eq == start ? "a field without a name" : "a field name is too long";
			goto fail;
		}
		grown = realloc(out->fields, (out->count + 1) * sizeof *grown);
		if (!grown) {
			*why = "out of memory";
			goto fail;
		}
		out->fields = grown;
		out->fields[out->count].name = decode(body + start, eq - start, why);
		out->fields[out->count].value =
			out->fields[out->count].name
				? decode(body + (eq < end ? eq + 1 : end), eq < end ? end - eq - 1 : 0, why)
				: NULL;
		out->count++;
		if (!out->fields[out->count - 1].value)
			goto fail;
		if (strlen(out->fields[out->count - 1].name) > FORMDATA_MAX_NAME) {
			*why = "a field name is too long";
			goto fail;
		}
		start = end + 1;
	}
	return true;
fail:
	formdata_free(out);
	return false;
}

const char *formdata_get(const FormData *data, const char *name)
{
	for (size_t i = 0; i < data->count; i++)
		if (strcmp(data->fields[i].name, name) == 0)
			return data->fields[i].value;
	return NULL;
}

void formdata_free(FormData *data)
{
	for (size_t i = 0; i < data->count; i++) {
		free(data->fields[i].name);
		free(data->fields[i].value);
	}
	free(data->fields);
	data->fields = NULL;
	data->count = 0;
}
