/*
 * submission: a parent's posted answers, read against the exact
 * questionnaire version of the round.
 *
 * Answers become one small integer per answerable item (see sql/003: 0
 * blank, -1 "không ý kiến", the option value, a bit set for multiple choice,
 * 1 for a text answer), free texts are normalised to NFC.  Every problem is
 * kept per question, in Vietnamese, so the form can be shown again with the
 * answers kept and each problem next to its question.
 */
#ifndef HAILONG_SUBMISSION_H
#define HAILONG_SUBMISSION_H

#include <stdbool.h>
#include <stdint.h>

#include "form.h"
#include "formdata.h"

enum {
	ANSWER_BLANK = 0,
	ANSWER_NO_OPINION = -1,
};

typedef struct Submission {
	int nanswers;
	short *answers;      /* nanswers entries */
	char **texts;        /* nanswers entries: NFC text of text questions, else NULL */
	const char **errors; /* nanswers entries: Vietnamese message or NULL */
	int nerrors;
	const char *form_error; /* a problem with the post as a whole, or NULL */
} Submission;

/* Reads data against form into out (caller frees with submission_free,
 * also on failure).  Returns true when the answers are complete and valid.
 * Values that could be read are kept even when others are wrong. */
bool submission_read(const Form *form, const FormData *data, Submission *out);

/* SHA-256 over the campaign and the answers: tells a replay (same content)
 * from a reused submission id with other answers. */
/* The same for a paper sheet typed in by staff: empty fields and required
 * questions left blank are blanks, "0" is "không ý kiến", a multiple choice
 * may come as "1 3"; the fields csrf, slip and confirm are the entry
 * page's own. */
bool submission_read_paper(const Form *form, const FormData *data, Submission *out);

void submission_hash(const Submission *s, int64_t campaign_id, unsigned char out[32]);

/* The answers as a PostgreSQL array literal ("{5,4,-1,0}"), malloc'd. */
char *submission_answers_literal(const Submission *s);

/* The texts of the text questions, in answer order, as a PostgreSQL text[]
 * literal ("{"…",NULL}"), malloc'd; NULL when the form has no text question. */
char *submission_texts_literal(const Form *form, const Submission *s);

void submission_free(Submission *s);

#endif
