#include "commit_item.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"

/* The texts of the form's text questions, in order, as a JSON array; NULL
 * when the form has none (or memory ran out: *failed). */
static char *texts_json(const Form *form, const Submission *sub, bool *failed)
{
	Buf texts;
	bool any_text = false;

	buf_init(&texts, 64);
	buf_puts(&texts, "[");
	for (int k = 0; k < form->nitems; k++) {
		const FormItem *it = &form->items[k];
		const char *t;
		if (it->answer_index < 0 || form->scales[it->scale].type != SCALE_TEXT)
			continue;
		if (any_text)
			buf_puts(&texts, ",");
		any_text = true;
		t = sub->texts[it->answer_index];
		if (t && sub->answers[it->answer_index] == 1) {
			buf_puts(&texts, "\"");
			buf_json_string(&texts, t);
			buf_puts(&texts, "\"");
		} else {
			buf_puts(&texts, "null");
		}
	}
	buf_puts(&texts, "]");
	*failed = texts.failed;
	if (!any_text || texts.failed) {
		buf_free(&texts);
		return NULL;
	}
	return texts.data;
}

CommitItem *commit_item_build(const unsigned char key[TOKEN_KEY_BYTES],
			      const SubmissionToken *token, long long campaign_id,
			      long long version_id, const Form *form, const Submission *sub,
			      const char *source, const char *slip)
{
	CommitItem *item = calloc(1, sizeof *item);
	unsigned char hash[32];
	bool failed = false;
	Buf answers;

	if (!item)
		return NULL;
	token_uuid(token->id, item->submission_id);
	item->campaign_id = campaign_id;
	item->version_id = version_id;
	submission_hash(sub, campaign_id, hash);
	sodium_bin2hex(item->hash_hex, sizeof item->hash_hex, hash, sizeof hash);
	buf_init(&answers, (size_t)sub->nanswers * 3 + 4);
	buf_puts(&answers, "[");
	for (int i = 0; i < sub->nanswers; i++)
		buf_printf(&answers, i ? ",%d" : "%d", sub->answers[i]);
	buf_puts(&answers, "]");
	item->answers_json = answers.failed ? NULL : answers.data;
	if (!item->answers_json)
		buf_free(&answers);
	item->texts_json = texts_json(form, sub, &failed);
	if (!item->answers_json || failed) {
		commit_item_free(item);
		return NULL;
	}
	item->source = source;
	if (slip)
		snprintf(item->slip, sizeof item->slip, "%s", slip);
	token_receipt(key, token->id, item->receipt);
	return item;
}
