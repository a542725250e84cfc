/*
 * Fuzz target for the configuration-file parser (config_load_stream): any
 * bytes are either accepted or refused with one line that starts with the
 * file's name and a line number (or "cannot read"), and a refused file
 * never leaves a message without a name.  A database URL's password
 * ("fuzzpw" in the seeds) is never echoed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Config c;
	char *err = NULL;
	FILE *f;
	bool ok;

	if (size == 0 || !config_init(&c))
		return 0;
	/* fmemopen wants a non-NULL buffer it may read up to size. */
	if (!(f = fmemopen((void *)data, size, "r"))) {
		config_free(&c);
		return 0;
	}
	ok = config_load_stream(&c, f, "fuzz.conf", &err);
	fclose(f);
	if (ok != (err == NULL))
		abort();
	if (!ok) {
		if (strncmp(err, "fuzz.conf:", 10) != 0 || strchr(err, '\n'))
			abort();
		if (strstr(err, "key \"database-url\"") && strstr(err, "fuzzpw"))
			abort();
	} else if (!c.config_file || strcmp(c.config_file, "fuzz.conf") != 0) {
		abort();
	}
	free(err);
	config_free(&c);
	return 0;
}
