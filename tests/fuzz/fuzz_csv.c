/*
 * Fuzz target for the CSV importer: a Department's list of units as `hailong
 * org import` checks it before it connects (org_import_check_text: UTF-8,
 * the CSV reader, the header, every row's rules), and the bare CSV reader
 * over the same bytes.  Any bytes must give units or FILE:LINE errors;
 * never a crash, a leak or a hang.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "csv.h"
#include "org_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FormErrors errors = {0};
	CsvReader r;
	char **fields;
	int count, line, rows = 0;
	const char *why;

	if (org_import_check_text("fuzz.csv", (const char *)data, size, &errors) !=
	    (errors.count == 0))
		abort();
	form_errors_free(&errors);
	csv_init(&r, (const char *)data, size);
	while (csv_next(&r, &fields, &count, &line, &why) > 0) {
		csv_free_fields(fields, count);
		if (++rows > (int)size + 1)
			abort(); /* more rows than bytes: the reader is not moving */
	}
	return 0;
}
