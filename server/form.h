/*
 * form: questionnaires (phiếu khảo sát) — the format of forms/NAME.json, its
 * strict validator, and the in-memory model the server renders and scores.
 *
 * A questionnaire is a tree: optional groups (nội dung) → elements (yếu tố)
 * → criteria (tiêu chí), plus stand-alone questions.  docs/forms.md is the
 * reference; forms/schema.json says the same for editors.  Every problem in a
 * file is reported, each as one line "file:line:column: field: message".
 */
#ifndef HAILONG_FORM_H
#define HAILONG_FORM_H

#include <stdbool.h>
#include <stddef.h>

enum {
	FORM_MAX_BYTES = 1024 * 1024, /* a real questionnaire is 10-40 KiB */
	FORM_MAX_DEPTH = 16,          /* the format needs 9 */
	FORM_MAX_ANSWERS = 400,       /* criteria + questions in one form */
	FORM_MAX_OPTIONS = 99,        /* option values run 1..99 */
	FORM_MAX_MULTI_OPTIONS = 15,  /* a response stores multiple choices as bits of a smallint */
	FORM_TEXT_MAX_LENGTH = 2000,  /* longest free-text answer a question may allow */
};

typedef enum ScaleType {
	SCALE_ORDINAL,
	SCALE_YES_NO,
	SCALE_SINGLE,
	SCALE_MULTI,
	SCALE_TEXT,
} ScaleType;

typedef enum ItemKind {
	ITEM_GROUP,
	ITEM_ELEMENT,
	ITEM_CRITERION,
	ITEM_QUESTION,
} ItemKind;

typedef enum ItemRole {
	ROLE_NONE,    /* groups and elements */
	ROLE_INDEX,   /* criteria: counted in element and overall indices */
	ROLE_OVERALL, /* the separate overall-satisfaction question */
	ROLE_INFO,    /* descriptive questions, in no index */
} ItemRole;

typedef enum IndexMethod {
	INDEX_MEAN_OF_CRITERIA,
	INDEX_POOLED,
} IndexMethod;

typedef struct FormOption {
	int value; /* 1..99 */
	char *label;
} FormOption;

typedef struct FormScale {
	char *name;
	ScaleType type;
	FormOption *options; /* in file order */
	int noptions;
	int satisfied[FORM_MAX_OPTIONS]; /* the scale's default satisfied values */
	int nsatisfied;
	bool builtin;
	bool satisfied_invalid; /* its satisfied set was wrong (already reported) */
} FormScale;

typedef struct FormItem {
	ItemKind kind;
	char *id;
	char *text;       /* criterion/question text, or group/element title */
	char *short_text; /* NULL when not given */
	char *help;       /* NULL when not given */
	int parent;       /* index in Form.items, -1 at top level */
	int element;      /* criteria: index of their element, else -1 */
	int scale;        /* index in Form.scales, -1 for groups and elements */
	ItemRole role;
	bool required;
	bool no_opinion;
	char *no_opinion_label; /* NULL unless no_opinion */
	int satisfied[FORM_MAX_OPTIONS]; /* effective satisfied values */
	int nsatisfied;
	int max_length;   /* text questions */
	double target_percent; /* elements and criteria: their own target, NAN when not set */
	int answer_index; /* position among answerable items, -1 for groups/elements */
} FormItem;

typedef struct Form {
	char *id;
	char *edition;
	char *title;
	char *short_title; /* NULL when not given */
	char *language;
	char *audience;
	char *family;
	char *source_document;
	char *source_date;
	char *source_issuer;
	char *source_note; /* NULL when not given */
	IndexMethod index_method;
	double target_percent;
	bool headline_overall; /* method.headline == "overall-question" */
	bool display_descending;
	char *intro; /* NULL when not given */
	FormScale *scales;
	int nscales;
	FormItem *items; /* document order: a parent before its children */
	int nitems;
	int nanswers; /* criteria and questions */
	/* The item of each answer index (an index in items): reports count
	 * tally entries by answer index, tens of thousands per report. */
	int answer_item[FORM_MAX_ANSWERS];
	char *source_name;    /* the file's name without its folder, for records */
	char *canonical_json; /* the definition without "$schema", compact */
	char hash[65];        /* SHA-256 of canonical_json, lower-case hex */
} Form;

typedef struct FormErrors {
	char **lines;
	size_t count, cap;
} FormErrors;

/* Appends one message (printf rules).  Never fails: on memory exhaustion
 * the message is dropped but the count still grows. */
void form_errors_add(FormErrors *errors, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void form_errors_free(FormErrors *errors);

/* Parses and checks one questionnaire.  label names the file in messages.
 * Returns the form, or NULL when there was any problem (all of them added to
 * errors, each "label:line:column: field: message").  Caller frees the form
 * with form_free. */
Form *form_parse(const char *label, const char *text, size_t len, FormErrors *errors);

/* Reads and parses one file (size limit FORM_MAX_BYTES).  As form_parse. */
Form *form_load_file(const char *path, FormErrors *errors);

/* Loads every *.json file of dir except schema.json, sorted by name, and
 * checks them against each other (one file per id and edition).  Returns
 * false when any file has a problem (all reported); *forms then holds the
 * good ones anyway.  Caller frees with form_list_free. */
bool form_load_dir(const char *dir, Form ***forms, size_t *count, FormErrors *errors);

/* Loads path, a file or a folder. */
bool form_load_path(const char *path, Form ***forms, size_t *count, FormErrors *errors);

void form_free(Form *form);
void form_list_free(Form **forms, size_t count);

/* Names as written in files. */
const char *form_scale_type_name(ScaleType type);
const char *form_item_kind_name(ItemKind kind);
const char *form_role_name(ItemRole role);
const char *form_index_method_name(IndexMethod method);

/* The item with this id, or NULL. */
const FormItem *form_find_item(const Form *form, const char *id);

/* The item answered at answer_index, or NULL when there is none. */
static inline const FormItem *form_answer_item(const Form *form, int answer_index)
{
	return answer_index >= 0 && answer_index < form->nanswers
		       ? &form->items[form->answer_item[answer_index]]
		       : NULL;
}

#endif
