/*
 * Fuzz target for the questionnaire loader (form_parse): any bytes must give
 * either a form or error lines, never a crash, a leak or a hang.
 *
 * Built with libFuzzer when meson's `fuzz` option is on (clang); otherwise
 * linked with fuzz_replay.c, which runs the seed corpus through it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FormErrors errors = {0};
	Form *form = form_parse("fuzz.json", (const char *)data, size, &errors);

	/* Exactly one of the two outcomes. */
	if ((form != NULL) == (errors.count > 0))
		abort();
	form_free(form);
	form_errors_free(&errors);
	return 0;
}
