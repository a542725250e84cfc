#include "csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void csv_init(CsvReader *r, const char *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->pos = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	r->line = 1;
}

void csv_free_fields(char **fields, int count)
{
	if (!fields)
		return;
	for (int i = 0; i < count; i++)
		free(fields[i]);
	free(fields);
}

/* Skips to the start of the next line (after a malformed record). */
static void skip_line(CsvReader *r)
{
	while (r->pos < r->len && r->data[r->pos] != '\n')
		r->pos++;
	if (r->pos < r->len) {
		r->pos++;
		r->line++;
	}
}

int csv_next(CsvReader *r, char ***out, int *count, int *line, const char **why)
{
	char **fields = NULL;
	char field[CSV_MAX_FIELD + 1];
	int n = 0;
	size_t flen = 0;
	bool quoted = false, was_quoted = false, at_field_start = true;

	*out = NULL;
	*count = 0;
	/* Blank lines between records are nothing. */
	while (r->pos < r->len && (r->data[r->pos] == '\n' || r->data[r->pos] == '\r')) {
		if (r->data[r->pos] == '\n')
			r->line++;
		r->pos++;
	}
	if (r->pos >= r->len)
		return 0;
	*line = r->line;
	fields = calloc(CSV_MAX_FIELDS, sizeof *fields);
	if (!fields) {
		*why = "out of memory";
		return -1;
	}
	for (;;) {
		bool end_of_input = r->pos >= r->len;
		char c = end_of_input ? '\n' : r->data[r->pos];

		if (quoted) {
			if (end_of_input) {
				*why = "a quoted field is not closed";
				goto fail;
			}
			r->pos++;
			if (c == '"') {
				if (r->pos < r->len && r->data[r->pos] == '"') {
					r->pos++;
				} else {
					quoted = false;
					continue;
				}
			} else if (c == '\n') {
				r->line++;
			}
		} else if (c == '"' && at_field_start) {
			quoted = was_quoted = true;
			at_field_start = false;
			r->pos++;
			continue;
		} else if (c == ',' || c == '\n' || (c == '\r' && (r->pos + 1 >= r->len ||
								  r->data[r->pos + 1] == '\n'))) {
			if (n == CSV_MAX_FIELDS) {
				*why = "too many fields";
				goto fail;
			}
			field[flen] = '\0';
			if (!(fields[n] = strdup(field))) {
				*why = "out of memory";
				goto fail;
			}
			n++;
			flen = 0;
			at_field_start = true;
			was_quoted = false;
			if (!end_of_input)
				r->pos++;
			if (c == ',')
				continue;
			if (c == '\r' && r->pos < r->len)
				r->pos++; /* the \n of \r\n */
			r->line++;
			*out = fields;
			*count = n;
			return 1;
		} else {
			if (was_quoted) {
				*why = "text after a closing quote";
				goto fail;
			}
			r->pos++;
		}
		if (flen == CSV_MAX_FIELD) {
			*why = "a field is longer than 4096 bytes";
			goto fail;
		}
		at_field_start = false;
		field[flen++] = c;
	}
fail:
	csv_free_fields(fields, n);
	skip_line(r);
	return -1;
}
