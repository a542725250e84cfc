/*
 * Fuzz target for what a parent's phone (or a keyer's browser) posts: the
 * form-post decoder (formdata_parse), then the answers read against a real
 * questionnaire, as the survey page and paper entry read them
 * (submission_read, submission_read_paper).  Any bytes must give a decoded
 * body or a refusal, answers or per-question errors; never a crash, a leak
 * or an answer outside the questionnaire's scales.
 *
 * The questionnaire is forms/papi-truong-tieu-hoc.json (yes/no criteria, an
 * ordinal scale, a single choice, free text), found through FUZZ_FORM (set
 * by meson).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "form.h"
#include "formdata.h"
#include "submission.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Form *questionnaire(void)
{
	static Form *form;
	FormErrors errors = {0};

	if (!form) {
		form = form_load_file(FUZZ_FORM, &errors);
		form_errors_free(&errors);
		if (!form)
			abort(); /* the fixture itself is broken: not a finding */
	}
	return form;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Form *form = questionnaire();
	FormData body = {0};
	Submission sub = {0};
	const char *why = NULL;

	if (!formdata_parse((const char *)data, size, &body, &why)) {
		if (!why)
			abort(); /* a refusal always says why */
		return 0;
	}
	for (int paper = 0; paper < 2; paper++) {
		bool ok = paper ? submission_read_paper(form, &body, &sub)
				: submission_read(form, &body, &sub);
		if (ok && sub.nanswers != form->nanswers)
			abort();
		submission_free(&sub);
	}
	formdata_free(&body);
	return 0;
}
