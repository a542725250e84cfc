/*
 * csv: RFC 4180 records, as Excel and LibreOffice save them: comma
 * separated, fields optionally in double quotes ("" for a quote inside),
 * CRLF or LF line ends, a UTF-8 byte-order mark skipped.  Quoted fields may
 * span lines; every record knows the line it started on.
 */
#ifndef HAILONG_CSV_H
#define HAILONG_CSV_H

#include <stddef.h>

enum {
	CSV_MAX_FIELDS = 64,
	CSV_MAX_FIELD = 4096, /* bytes; longer is an error, not a truncation */
};

typedef struct CsvReader {
	const char *data;
	size_t len;
	size_t pos;
	int line; /* of the next character */
} CsvReader;

/* Starts reading data[0..len) (not necessarily NUL-terminated). */
void csv_init(CsvReader *r, const char *data, size_t len);

/* Reads the next record: *fields gets a malloc'd array of *count malloc'd
 * strings (free with csv_free_fields), *line the record's first line.
 * Returns 1 for a record, 0 at the end, -1 for a malformed record (*why set
 * to a static English reason; reading may go on with the next line).
 * Blank lines are skipped. */
int csv_next(CsvReader *r, char ***fields, int *count, int *line, const char **why);

void csv_free_fields(char **fields, int count);

#endif
