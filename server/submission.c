#include "submission.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"

static const char MSG_REQUIRED[] = "Vui lòng chọn một câu trả lời.";
static const char MSG_REQUIRED_TEXT[] = "Vui lòng nhập câu trả lời.";
static const char MSG_INVALID[] = "Câu trả lời không hợp lệ, vui lòng chọn lại.";
static const char MSG_ONE_ONLY[] = "Chỉ chọn một câu trả lời.";
static const char MSG_TOO_LONG[] = "Ý kiến dài quá mức cho phép, vui lòng rút gọn.";
static const char MSG_UNKNOWN_FIELD[] =
	"Phiếu gửi lên có nội dung không đúng mẫu. Vui lòng tải lại trang và trả lời lại.";

/* Parses "q<N>" into N; -1 when the name is not of that shape. */
static int question_index(const char *name)
{
	long n = 0;

	if (name[0] != 'q' || !isdigit((unsigned char)name[1]) || (name[1] == '0' && name[2]))
		return -1;
	for (const char *p = name + 1; *p; p++) {
		if (!isdigit((unsigned char)*p) || n > 100000)
			return -1;
		n = n * 10 + (*p - '0');
	}
	return (int)n;
}

/* Parses a whole decimal option value 1..99; 0 when not one. */
static int option_value(const char *v)
{
	int n = 0;

	if (!*v || strlen(v) > 2)
		return 0;
	for (const char *p = v; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return 0;
		n = n * 10 + (*p - '0');
	}
	return n;
}

static void set_error(Submission *s, int i, const char *message)
{
	if (!s->errors[i])
		s->nerrors++;
	s->errors[i] = message;
}

static int option_position(const FormScale *scale, int value)
{
	for (int i = 0; i < scale->noptions; i++)
		if (scale->options[i].value == value)
			return i;
	return -1;
}

/* Reads one choice answer value. */
static void read_choice(const FormItem *item, const FormScale *scale, const char *value,
			Submission *s, int i)
{
	int v;

	if (strcmp(value, "x") == 0 && item->no_opinion) {
		s->answers[i] = ANSWER_NO_OPINION;
		return;
	}
	v = option_value(value);
	if (v == 0 || option_position(scale, v) < 0) {
		set_error(s, i, MSG_INVALID);
		return;
	}
	if (scale->type == SCALE_MULTI) {
		s->answers[i] = (short)(s->answers[i] | (1 << option_position(scale, v)));
		return;
	}
	if (s->answers[i] != ANSWER_BLANK) {
		set_error(s, i, MSG_ONE_ONLY);
		return;
	}
	s->answers[i] = (short)v;
}

static void read_text(const FormItem *item, const char *value, Submission *s, int i)
{
	const char *start = value, *end;
	char *trimmed, *nfc;

	if (s->texts[i]) {
		set_error(s, i, MSG_INVALID);
		return;
	}
	while (*start && isspace((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	if (end == start)
		return;
	trimmed = strndup(start, (size_t)(end - start));
	nfc = trimmed ? text_to_nfc(trimmed) : NULL;
	free(trimmed);
	if (!nfc) {
		set_error(s, i, MSG_INVALID);
		return;
	}
	s->texts[i] = nfc; /* kept even when too long: the parent shortens it */
	if (text_char_count(nfc, strlen(nfc)) > (size_t)item->max_length) {
		set_error(s, i, MSG_TOO_LONG);
		return;
	}
	s->answers[i] = 1;
}

/* Paper sheets as typed by staff: "0" is "không ý kiến", several choices
 * of a multiple-choice question come as "1 3" or "13" (when every value is
 * one digit). */
static void read_paper_choice(const FormItem *item, const FormScale *scale, const char *value,
			      Submission *s, int i)
{
	char one[3];
	bool digits_only = strspn(value, "0123456789") == strlen(value);
	bool single_digits = scale->noptions > 0 && scale->options[scale->noptions - 1].value < 10;

	if (strcmp(value, "0") == 0) {
		read_choice(item, scale, item->no_opinion ? "x" : "0", s, i);
		return;
	}
	if (scale->type != SCALE_MULTI) {
		read_choice(item, scale, value, s, i);
		return;
	}
	for (const char *p = value; *p;) {
		size_t len = digits_only && single_digits ? 1 : strspn(p, "0123456789");
		if (len == 0 || len > 2) {
			if (len > 2 || !strchr(" ,;", *p)) {
				set_error(s, i, MSG_INVALID);
				return;
			}
			p++;
			continue;
		}
		memcpy(one, p, len);
		one[len] = '\0';
		read_choice(item, scale, one, s, i);
		p += len;
	}
}

static bool read_answers(const Form *form, const FormData *data, bool paper, Submission *s)
{
	const FormItem **by_answer;

	memset(s, 0, sizeof *s);
	s->nanswers = form->nanswers;
	s->answers = calloc((size_t)form->nanswers, sizeof *s->answers);
	s->texts = calloc((size_t)form->nanswers, sizeof *s->texts);
	s->errors = calloc((size_t)form->nanswers, sizeof *s->errors);
	by_answer = calloc((size_t)form->nanswers, sizeof *by_answer);
	if (!s->answers || !s->texts || !s->errors || !by_answer) {
		free(by_answer);
		s->form_error = "Hệ thống đang bận, vui lòng gửi lại.";
		return false;
	}
	for (int i = 0; i < form->nitems; i++)
		if (form->items[i].answer_index >= 0)
			by_answer[form->items[i].answer_index] = &form->items[i];

	for (size_t f = 0; f < data->count; f++) {
		const char *name = data->fields[f].name;
		int i;
		const FormItem *item;
		const FormScale *scale;

		if (strcmp(name, "t") == 0)
			continue; /* the token, checked by the caller */
		if (paper && (strcmp(name, "csrf") == 0 || strcmp(name, "slip") == 0 ||
			      strcmp(name, "confirm") == 0))
			continue;
		i = question_index(name);
		if (i < 0 || i >= form->nanswers) {
			s->form_error = MSG_UNKNOWN_FIELD;
			continue;
		}
		item = by_answer[i];
		scale = &form->scales[item->scale];
		if (scale->type == SCALE_TEXT)
			read_text(item, data->fields[f].value, s, i);
		else if (paper && !*data->fields[f].value)
			continue; /* left blank on the sheet */
		else if (paper)
			read_paper_choice(item, scale, data->fields[f].value, s, i);
		else
			read_choice(item, scale, data->fields[f].value, s, i);
	}
	/* A sheet is typed in as the parent filled it: blanks stay blank. */
	for (int i = 0; i < form->nanswers && !paper; i++) {
		const FormItem *item = by_answer[i];
		if (item->required && s->answers[i] == ANSWER_BLANK && !s->errors[i])
			set_error(s, i,
				  form->scales[item->scale].type == SCALE_TEXT ? MSG_REQUIRED_TEXT
									       : MSG_REQUIRED);
	}
	free(by_answer);
	return s->nerrors == 0 && !s->form_error;
}

bool submission_read(const Form *form, const FormData *data, Submission *s)
{
	return read_answers(form, data, false, s);
}

bool submission_read_paper(const Form *form, const FormData *data, Submission *s)
{
	return read_answers(form, data, true, s);
}

void submission_hash(const Submission *s, int64_t campaign_id, unsigned char out[32])
{
	crypto_hash_sha256_state st;
	unsigned char word[8];

	crypto_hash_sha256_init(&st);
	for (int i = 0; i < 8; i++)
		word[i] = (unsigned char)((uint64_t)campaign_id >> (56 - 8 * i));
	crypto_hash_sha256_update(&st, word, 8);
	for (int i = 0; i < s->nanswers; i++) {
		word[0] = (unsigned char)((unsigned short)s->answers[i] >> 8);
		word[1] = (unsigned char)((unsigned short)s->answers[i] & 0xff);
		crypto_hash_sha256_update(&st, word, 2);
	}
	for (int i = 0; i < s->nanswers; i++) {
		size_t len = s->texts[i] ? strlen(s->texts[i]) : 0;
		for (int k = 0; k < 4; k++)
			word[k] = (unsigned char)(len >> (24 - 8 * k));
		word[4] = s->texts[i] ? 1 : 0;
		crypto_hash_sha256_update(&st, word, 5);
		if (len)
			crypto_hash_sha256_update(&st, (const unsigned char *)s->texts[i], len);
	}
	crypto_hash_sha256_final(&st, out);
}

char *submission_answers_literal(const Submission *s)
{
	Buf b;

	buf_init(&b, (size_t)s->nanswers * 3 + 4);
	buf_puts(&b, "{");
	for (int i = 0; i < s->nanswers; i++)
		buf_printf(&b, i ? ",%d" : "%d", s->answers[i]);
	buf_puts(&b, "}");
	if (b.failed) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

char *submission_texts_literal(const Form *form, const Submission *s)
{
	Buf b;
	bool any = false;

	buf_init(&b, 64);
	buf_puts(&b, "{");
	for (int i = 0; i < form->nitems; i++) {
		const FormItem *item = &form->items[i];
		const char *t;
		if (item->answer_index < 0 || form->scales[item->scale].type != SCALE_TEXT)
			continue;
		if (any)
			buf_puts(&b, ",");
		any = true;
		t = s->texts[item->answer_index];
		if (!t) {
			buf_puts(&b, "NULL");
			continue;
		}
		/* Array element quoting: backslash before " and \. */
		buf_puts(&b, "\"");
		for (const char *p = t; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_add(&b, "\\", 1);
			buf_add(&b, p, 1);
		}
		buf_puts(&b, "\"");
	}
	buf_puts(&b, "}");
	if (!any || b.failed) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

void submission_free(Submission *s)
{
	if (s->texts)
		for (int i = 0; i < s->nanswers; i++)
			free(s->texts[i]);
	free(s->texts);
	free(s->answers);
	free(s->errors);
	memset(s, 0, sizeof *s);
}
