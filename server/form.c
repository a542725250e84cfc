#include "form.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json_pos.h"
#include "text.h"
#include "util.h"

/* ---- errors ------------------------------------------------------------- */

void form_errors_add(FormErrors *errors, const char *fmt, ...)
{
	va_list ap;
	char *line = NULL;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (errors->count == errors->cap) {
		size_t cap = errors->cap ? errors->cap * 2 : 16;
		char **grown = realloc(errors->lines, cap * sizeof *grown);
		if (!grown) {
			errors->count++;
			return;
		}
		errors->lines = grown;
		errors->cap = cap;
	}
	if (n >= 0 && (line = malloc((size_t)n + 1))) {
		va_start(ap, fmt);
		vsnprintf(line, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	errors->lines[errors->count++] = line ? line : strdup("(out of memory)");
}

void form_errors_free(FormErrors *errors)
{
	if (!errors)
		return;
	for (size_t i = 0; i < errors->count && i < errors->cap; i++)
		free(errors->lines[i]);
	free(errors->lines);
	memset(errors, 0, sizeof *errors);
}

/* ---- names -------------------------------------------------------------- */

static const char *const scale_type_names[] = {"ordinal", "yes-no", "single", "multi", "text"};
static const char *const kind_names[] = {"group", "element", "criterion", "question"};
static const char *const role_names[] = {"none", "index", "overall", "info"};
static const char *const audiences[] = {"cmhs-mam-non",  "cmhs-tieu-hoc", "cmhs-thcs",
					"cmhs-thpt",     "cmhs-lien-cap", "nguoi-lam-thu-tuc",
					NULL};
static const char *const families[] = {"moet", "papi", "sipas", "school", NULL};

const char *form_scale_type_name(ScaleType type)
{
	return scale_type_names[type];
}

const char *form_item_kind_name(ItemKind kind)
{
	return kind_names[kind];
}

const char *form_role_name(ItemRole role)
{
	return role_names[role];
}

const char *form_index_method_name(IndexMethod method)
{
	return method == INDEX_POOLED ? "pooled" : "mean-of-criteria";
}

/* ---- validation context -------------------------------------------------- */

typedef struct Check {
	const char *label; /* file name for messages */
	const char *text;
	size_t base; /* offset of the JSON in text (after a byte-order mark) */
	JsonPos *pos;
	FormErrors *errors;
	size_t errors_before;
	Form *form;
	char path[512]; /* JSON path of the value being checked */
	size_t path_len;
} Check;

static size_t path_push(Check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends to the path; returns the old length for path_pop. */
static size_t path_push(Check *c, const char *fmt, ...)
{
	size_t old = c->path_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + c->path_len, sizeof c->path - c->path_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->path_len = c->path_len + (size_t)n < sizeof c->path ? c->path_len + (size_t)n
								       : sizeof c->path - 1;
	return old;
}

static void path_pop(Check *c, size_t old)
{
	c->path_len = old;
	c->path[old] = '\0';
}

static void fail_at(Check *c, const cJSON *node, bool at_key, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Reports a problem at node (its key when at_key), for the field named by
 * the current path plus field (NULL: the path itself). */
static void fail_at(Check *c, const cJSON *node, bool at_key, const char *field,
		    const char *fmt, ...)
{
	char message[512], where[600];
	size_t value_offset = 0, key_offset = SIZE_MAX;
	int line = 1, col = 1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	if (node && json_pos_find(c->pos, node, &value_offset, &key_offset))
		text_line_col(c->text,
			      c->base + (at_key && key_offset != SIZE_MAX ? key_offset : value_offset),
			      &line, &col);
	if (field && c->path_len)
		snprintf(where, sizeof where, "%s.%s", c->path, field);
	else if (field)
		snprintf(where, sizeof where, "%s", field);
	else
		snprintf(where, sizeof where, "%s", c->path_len ? c->path : "(top level)");
	form_errors_add(c->errors, "%s:%d:%d: %s: %s", c->label, line, col, where, message);
}

static bool had_errors(const Check *c)
{
	return c->errors->count > c->errors_before;
}

/* Reports members of obj not in allowed, and members given twice. */
static void check_keys(Check *c, const cJSON *obj, const char *const *allowed)
{
	for (const cJSON *m = obj->child; m; m = m->next) {
		bool known = false;
		for (const char *const *a = allowed; *a && !known; a++)
			known = strcmp(*a, m->string) == 0;
		if (!known) {
			fail_at(c, m, true, m->string, "unknown field");
			continue;
		}
		for (const cJSON *n = m->next; n; n = n->next)
			if (strcmp(n->string, m->string) == 0)
				fail_at(c, n, true, n->string, "field given twice");
	}
}

static const cJSON *member(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* Reads a text field: a string with content, in NFC, at most max_chars
 * code points.  Returns a malloc'd copy, or NULL (reported unless absent
 * and optional). */
static char *get_text(Check *c, const cJSON *obj, const char *key, bool required,
		      size_t max_chars)
{
	const cJSON *v = member(obj, key);
	size_t len;
	char *copy;

	if (!v) {
		if (required)
			fail_at(c, obj, false, key, "missing");
		return NULL;
	}
	if (!cJSON_IsString(v) || !v->valuestring) {
		fail_at(c, v, false, key, "must be a string");
		return NULL;
	}
	len = strlen(v->valuestring);
	if (!text_has_content(v->valuestring)) {
		fail_at(c, v, false, key, len ? "must not be only white space" : "must not be empty");
		return NULL;
	}
	if (!text_is_nfc(v->valuestring)) {
		fail_at(c, v, false, key,
			"text is not in Unicode NFC (composed) form: save the file with composed "
			"Vietnamese characters");
		return NULL;
	}
	if (text_char_count(v->valuestring, len) > max_chars) {
		fail_at(c, v, false, key, "longer than %zu characters", max_chars);
		return NULL;
	}
	if (!(copy = strdup(v->valuestring)))
		fail_at(c, v, false, key, "out of memory");
	return copy;
}

/* Reads an enum field; returns its index in names or -1 (reported unless
 * absent and optional). */
static int get_enum(Check *c, const cJSON *obj, const char *key, bool required,
		    const char *const *names)
{
	const cJSON *v = member(obj, key);
	char expected[256] = "";

	if (!v) {
		if (required)
			fail_at(c, obj, false, key, "missing");
		return -1;
	}
	if (cJSON_IsString(v))
		for (int i = 0; names[i]; i++)
			if (strcmp(names[i], v->valuestring) == 0)
				return i;
	for (int i = 0; names[i]; i++) {
		strncat(expected, i ? ", " : "", sizeof expected - strlen(expected) - 1);
		strncat(expected, names[i], sizeof expected - strlen(expected) - 1);
	}
	fail_at(c, v, false, key, "must be one of %s", expected);
	return -1;
}

/* Reads a boolean; def when absent; reported when not a boolean. */
static bool get_bool(Check *c, const cJSON *obj, const char *key, bool def)
{
	const cJSON *v = member(obj, key);

	if (!v)
		return def;
	if (!cJSON_IsBool(v)) {
		fail_at(c, v, false, key, "must be true or false");
		return def;
	}
	return cJSON_IsTrue(v);
}

/* Reads a whole number within [min, max]; def when absent. */
static int get_int(Check *c, const cJSON *obj, const char *key, bool required, int min, int max,
		   int def)
{
	const cJSON *v = member(obj, key);

	if (!v) {
		if (required)
			fail_at(c, obj, false, key, "missing");
		return def;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
	    v->valuedouble < min || v->valuedouble > max) {
		fail_at(c, v, false, key, "must be a whole number from %d to %d", min, max);
		return def;
	}
	return (int)v->valuedouble;
}

static bool matches_id(const char *s, size_t max_len, bool upper_and_dots)
{
	size_t len = strlen(s);

	if (len == 0 || len > max_len || !isalnum((unsigned char)s[0]))
		return false;
	if (!upper_and_dots && !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		bool ok = islower(ch) || isdigit(ch) || ch == '-' ||
			  (upper_and_dots && (isupper(ch) || ch == '.' || ch == '_'));
		if (!ok)
			return false;
	}
	return true;
}

static bool valid_date(const char *s)
{
	int y, m, d;
	char tail;
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	if (y < 1945 || y > 2100 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

/* ---- scales --------------------------------------------------------------- */

/* One built-in scale: options valued 1..n with these labels. */
static bool builtin_scale(FormScale *s, const char *name, ScaleType type,
			  const char *const *labels, int n, const int *satisfied, int nsatisfied)
{
	s->name = strdup(name);
	s->type = type;
	s->builtin = true;
	if (!s->name)
		return false;
	if (n > 0 && !(s->options = calloc((size_t)n, sizeof *s->options)))
		return false;
	for (int i = 0; i < n; i++) {
		s->options[i].value = i + 1;
		if (!(s->options[i].label = strdup(labels[i])))
			return false;
		s->noptions++;
	}
	for (int i = 0; i < nsatisfied; i++)
		s->satisfied[i] = satisfied[i];
	s->nsatisfied = nsatisfied;
	return true;
}

static bool add_builtin_scales(Form *f)
{
	static const char *const sat[] = {"Rất không hài lòng", "Không hài lòng", "Bình thường",
					  "Hài lòng", "Rất hài lòng"};
	static const char *const yn[] = {"Có", "Không"};
	static const int sat_ok[] = {4, 5}, yn_ok[] = {1};

	f->scales = calloc(3, sizeof *f->scales);
	if (!f->scales)
		return false;
	f->nscales = 3;
	return builtin_scale(&f->scales[0], "satisfaction-5", SCALE_ORDINAL, sat, 5, sat_ok, 2) &&
	       builtin_scale(&f->scales[1], "yes-no", SCALE_YES_NO, yn, 2, yn_ok, 1) &&
	       builtin_scale(&f->scales[2], "text", SCALE_TEXT, NULL, 0, NULL, 0);
}

static int find_scale(const Form *f, const char *name)
{
	for (int i = 0; i < f->nscales; i++)
		if (strcmp(f->scales[i].name, name) == 0)
			return i;
	return -1;
}

static bool scale_has_value(const FormScale *s, int value)
{
	for (int i = 0; i < s->noptions; i++)
		if (s->options[i].value == value)
			return true;
	return false;
}

/* Reads a "satisfied" array against scale s into out; returns the count, or
 * -1 when reported. */
static int read_satisfied(Check *c, const cJSON *v, const FormScale *s, int *out)
{
	int n = 0;

	if (!cJSON_IsArray(v)) {
		fail_at(c, v, false, "satisfied", "must be an array of option values");
		return -1;
	}
	if (!v->child) {
		fail_at(c, v, false, "satisfied",
			"must name at least one answer: with no satisfied answer no rate can be "
			"computed");
		return -1;
	}
	for (const cJSON *e = v->child; e; e = e->next) {
		int value;
		if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble)) {
			fail_at(c, e, false, "satisfied", "must hold whole numbers");
			return -1;
		}
		/* In range before the conversion: (int)1e20 is undefined. */
		value = fabs(e->valuedouble) <= FORM_MAX_OPTIONS ? (int)e->valuedouble : INT_MIN;
		if (value == INT_MIN || !scale_has_value(s, value)) {
			fail_at(c, e, false, "satisfied", "%g is not a value of scale \"%s\"",
				e->valuedouble, s->name);
			return -1;
		}
		for (int i = 0; i < n; i++)
			if (out[i] == value) {
				fail_at(c, e, false, "satisfied", "%d is listed twice", value);
				return -1;
			}
		if (n == FORM_MAX_OPTIONS)
			return -1;
		out[n++] = value;
	}
	if (n == s->noptions) {
		fail_at(c, v, false, "satisfied",
			"names every answer of scale \"%s\": a rate that is always 100%% measures "
			"nothing",
			s->name);
		return -1;
	}
	return n;
}

static void parse_scales(Check *c, const cJSON *scales)
{
	static const char *const keys[] = {"type", "options", "satisfied", NULL};
	static const char *const types[] = {"ordinal", "yes-no", "single", "multi", NULL};
	Form *f = c->form;
	int count = cJSON_GetArraySize(scales);
	FormScale *grown;
	size_t old;

	if (!cJSON_IsObject(scales)) {
		fail_at(c, scales, false, "scales", "must be an object of named scales");
		return;
	}
	grown = realloc(f->scales, (size_t)(f->nscales + count) * sizeof *grown);
	if (!grown)
		return;
	f->scales = grown;
	for (const cJSON *def = scales->child; def; def = def->next) {
		FormScale *s = &f->scales[f->nscales];
		int type;
		const cJSON *options, *satisfied;

		old = path_push(c, "scales.%s", def->string);
		memset(s, 0, sizeof *s);
		if (!matches_id(def->string, 32, false)) {
			fail_at(c, def, true, NULL,
				"a scale name is 1-32 lower-case letters, digits and '-', "
				"starting with a letter or digit");
			goto next;
		}
		if (find_scale(f, def->string) >= 0) {
			fail_at(c, def, true, NULL, "\"%s\" is %s", def->string,
				f->scales[find_scale(f, def->string)].builtin
					? "a built-in scale name"
					: "defined twice");
			goto next;
		}
		if (!cJSON_IsObject(def)) {
			fail_at(c, def, false, NULL, "must be an object");
			goto next;
		}
		check_keys(c, def, keys);
		type = get_enum(c, def, "type", true, types);
		options = member(def, "options");
		if (!options) {
			fail_at(c, def, false, "options", "missing");
			goto next;
		}
		if (!cJSON_IsArray(options) || cJSON_GetArraySize(options) < 2 ||
		    cJSON_GetArraySize(options) > FORM_MAX_OPTIONS) {
			fail_at(c, options, false, "options", "must be an array of 2 to %d options",
				FORM_MAX_OPTIONS);
			goto next;
		}
		if (type < 0)
			goto next;
		s->name = strdup(def->string);
		s->type = (ScaleType)type;
		s->options = calloc((size_t)cJSON_GetArraySize(options), sizeof *s->options);
		if (!s->name || !s->options)
			goto next;
		if (s->type == SCALE_YES_NO && cJSON_GetArraySize(options) != 2)
			fail_at(c, options, false, "options", "a yes-no scale has exactly 2 options");
		if (s->type == SCALE_MULTI && cJSON_GetArraySize(options) > FORM_MAX_MULTI_OPTIONS)
			fail_at(c, options, false, "options",
				"a multiple-choice scale has at most %d options",
				FORM_MAX_MULTI_OPTIONS);
		{
			int i = 0;
			for (const cJSON *o = options->child; o; o = o->next, i++) {
				static const char *const option_keys[] = {"value", "label", NULL};
				size_t at = path_push(c, ".options[%d]", i);
				if (!cJSON_IsObject(o)) {
					fail_at(c, o, false, NULL,
						"must be an object with value and label");
					path_pop(c, at);
					continue;
				}
				check_keys(c, o, option_keys);
				s->options[s->noptions].value =
					get_int(c, o, "value", true, 1, FORM_MAX_OPTIONS, 0);
				s->options[s->noptions].label = get_text(c, o, "label", true, 100);
				for (int j = 0; j < s->noptions; j++)
					if (s->options[j].value == s->options[s->noptions].value &&
					    s->options[j].value)
						fail_at(c, member(o, "value"), false, "value",
							"value %d is used twice in this scale",
							s->options[j].value);
				s->noptions++;
				path_pop(c, at);
			}
		}
		satisfied = member(def, "satisfied");
		if (satisfied) {
			if (s->type != SCALE_ORDINAL && s->type != SCALE_YES_NO)
				fail_at(c, satisfied, true, "satisfied",
					"only ordinal and yes-no scales have satisfied answers");
			else {
				int n = read_satisfied(c, satisfied, s, s->satisfied);
				s->nsatisfied = n > 0 ? n : 0;
				s->satisfied_invalid = n <= 0;
			}
		}
		f->nscales++;
	next:
		if (s != &f->scales[f->nscales]) {
			/* kept */
		} else {
			free(s->name);
			for (int i = 0; i < s->noptions; i++)
				free(s->options[i].label);
			free(s->options);
			memset(s, 0, sizeof *s);
		}
		path_pop(c, old);
	}
}

/* ---- items ---------------------------------------------------------------- */

static FormItem *new_item(Check *c)
{
	Form *f = c->form;
	FormItem *grown;

	if (f->nitems % 32 == 0) {
		grown = realloc(f->items, (size_t)(f->nitems + 32) * sizeof *grown);
		if (!grown)
			return NULL;
		f->items = grown;
	}
	memset(&f->items[f->nitems], 0, sizeof f->items[0]);
	f->items[f->nitems].parent = -1;
	f->items[f->nitems].element = -1;
	f->items[f->nitems].scale = -1;
	f->items[f->nitems].answer_index = -1;
	f->items[f->nitems].target_percent = NAN;
	return &f->items[f->nitems++];
}

static void parse_items(Check *c, const cJSON *items, int parent, ItemKind parent_kind);

/* Fills scale, required, no_opinion and satisfied of an answerable item. */
static void parse_answer_fields(Check *c, const cJSON *node, FormItem *item)
{
	Form *f = c->form;
	const cJSON *scale_node = member(node, "scale"), *satisfied = member(node, "satisfied");
	const FormScale *s;
	bool text_scale;

	if (!scale_node) {
		fail_at(c, node, false, "scale", "missing");
		return;
	}
	if (!cJSON_IsString(scale_node) || (item->scale = find_scale(f, scale_node->valuestring)) < 0) {
		fail_at(c, scale_node, false, "scale", "unknown scale \"%s\"",
			cJSON_IsString(scale_node) ? scale_node->valuestring : "?");
		return;
	}
	s = &f->scales[item->scale];
	text_scale = s->type == SCALE_TEXT;
	item->required = get_bool(c, node, "required", !text_scale);
	item->no_opinion = get_bool(c, node, "no_opinion", false);
	if (member(node, "no_opinion_label") && !item->no_opinion)
		fail_at(c, member(node, "no_opinion_label"), true, "no_opinion_label",
			"given without \"no_opinion\": true");
	if (item->no_opinion) {
		if (text_scale)
			fail_at(c, member(node, "no_opinion"), false, "no_opinion",
				"a free-text question cannot offer \"Không ý kiến\": leave it optional");
		item->no_opinion_label = member(node, "no_opinion_label")
						 ? get_text(c, node, "no_opinion_label", true, 60)
						 : strdup("Không ý kiến");
	}
	if (member(node, "max_length")) {
		if (!text_scale)
			fail_at(c, member(node, "max_length"), true, "max_length",
				"only free-text questions have a maximum length");
		item->max_length = get_int(c, node, "max_length", false, 1, FORM_TEXT_MAX_LENGTH,
					   FORM_TEXT_MAX_LENGTH);
	} else if (text_scale) {
		item->max_length = FORM_TEXT_MAX_LENGTH;
	}

	if (item->role == ROLE_INDEX || item->role == ROLE_OVERALL) {
		if (s->type != SCALE_ORDINAL && s->type != SCALE_YES_NO) {
			fail_at(c, scale_node, false, "scale",
				"%s needs an ordinal or yes-no scale, not \"%s\" (%s)",
				item->role == ROLE_INDEX ? "a criterion" : "the overall question", s->name,
				form_scale_type_name(s->type));
			return;
		}
		if (satisfied) {
			int n = read_satisfied(c, satisfied, s, item->satisfied);
			item->nsatisfied = n > 0 ? n : 0;
		} else if (s->nsatisfied > 0) {
			memcpy(item->satisfied, s->satisfied, sizeof item->satisfied);
			item->nsatisfied = s->nsatisfied;
		} else if (!s->satisfied_invalid) {
			/* (An invalid set on the scale was reported there already.) */
			fail_at(c, scale_node, false, "scale",
				"scale \"%s\" has no satisfied answers: give \"satisfied\" here or on "
				"the scale",
				s->name);
		}
	} else if (satisfied) {
		fail_at(c, satisfied, true, "satisfied",
			"only criteria and the overall question have satisfied answers");
	}
}

/* A target_percent member of node, or fallback when there is none. */
static double get_target(Check *c, const cJSON *node, double fallback)
{
	const cJSON *target = member(node, "target_percent");

	if (!target)
		return fallback;
	if (!cJSON_IsNumber(target) || target->valuedouble < 0 || target->valuedouble > 100) {
		fail_at(c, target, false, "target_percent", "must be a number from 0 to 100");
		return fallback;
	}
	return target->valuedouble;
}

static void parse_item(Check *c, const cJSON *node, int parent, ItemKind parent_kind)
{
	static const char *const kinds[] = {"group", "element", "criterion", "question", NULL};
	static const char *const group_keys[] = {"kind", "id", "title", "items", NULL};
	static const char *const element_keys[] = {"kind", "id", "title", "items", "target_percent",
						   NULL};
	static const char *const criterion_keys[] = {
		"kind", "id", "text", "short", "help", "scale", "required", "no_opinion",
		"no_opinion_label", "satisfied", "role", "target_percent", NULL};
	static const char *const question_keys[] = {
		"kind", "id", "text", "short", "help", "scale", "required", "no_opinion",
		"no_opinion_label", "satisfied", "role", "max_length", NULL};
	static const char *const criterion_roles[] = {"index", NULL};
	static const char *const question_roles[] = {"overall", "info", NULL};
	Form *f = c->form;
	FormItem *item;
	int kind, index;
	const cJSON *id_node;

	if (!cJSON_IsObject(node)) {
		fail_at(c, node, false, NULL, "an item must be an object");
		return;
	}
	kind = get_enum(c, node, "kind", true, kinds);
	if (kind < 0)
		return;
	/* Placement: groups at top level; elements at top level or in a group;
	 * criteria only in elements; questions anywhere but in elements. */
	if ((kind == ITEM_GROUP && parent >= 0) ||
	    (kind == ITEM_ELEMENT && parent >= 0 && parent_kind != ITEM_GROUP) ||
	    (kind == ITEM_CRITERION && (parent < 0 || parent_kind != ITEM_ELEMENT)) ||
	    (kind == ITEM_QUESTION && parent >= 0 && parent_kind == ITEM_ELEMENT)) {
		static const char *const where[] = {
			"a group may stand only at the top level",
			"an element may stand only at the top level or in a group",
			"a criterion may stand only inside an element",
			"a question may not stand inside an element (criteria do)",
		};
		fail_at(c, member(node, "kind"), false, "kind", "%s", where[kind]);
		return;
	}
	if (!(item = new_item(c)))
		return;
	index = f->nitems - 1;
	item->kind = (ItemKind)kind;
	item->parent = parent;
	check_keys(c, node, kind == ITEM_GROUP       ? group_keys
			    : kind == ITEM_ELEMENT   ? element_keys
			    : kind == ITEM_CRITERION ? criterion_keys
						     : question_keys);
	if (kind == ITEM_ELEMENT || kind == ITEM_CRITERION)
		item->target_percent = get_target(c, node, item->target_percent);
	id_node = member(node, "id");
	if (!id_node) {
		fail_at(c, node, false, "id", "missing");
	} else if (!cJSON_IsString(id_node) || !matches_id(id_node->valuestring, 32, true)) {
		fail_at(c, id_node, false, "id",
			"an id is 1-32 letters, digits, '.', '_' or '-', starting with a letter or "
			"digit");
	} else {
		const FormItem *same = form_find_item(f, id_node->valuestring);
		if (same)
			fail_at(c, id_node, false, "id",
				"id \"%s\" is already used by the %s \"%s\"", id_node->valuestring,
				form_item_kind_name(same->kind), same->text ? same->text : "");
		else
			item->id = strdup(id_node->valuestring);
	}
	if (kind == ITEM_GROUP || kind == ITEM_ELEMENT) {
		const cJSON *children = member(node, "items");
		item->text = get_text(c, node, "title", true, 200);
		item->role = ROLE_NONE;
		if (!children) {
			fail_at(c, node, false, "items", "missing");
		} else if (!cJSON_IsArray(children) || !children->child) {
			fail_at(c, children, false, "items", "must be a non-empty array");
		} else {
			size_t at = path_push(c, ".items");
			parse_items(c, children, index, (ItemKind)kind);
			path_pop(c, at);
		}
		return;
	}
	item->text = get_text(c, node, "text", true, 500);
	item->short_text = get_text(c, node, "short", false, 80);
	item->help = get_text(c, node, "help", false, 500);
	if (kind == ITEM_CRITERION) {
		(void)get_enum(c, node, "role", false, criterion_roles); /* checked only */
		item->role = ROLE_INDEX;
		for (int p = parent; p >= 0; p = f->items[p].parent)
			if (f->items[p].kind == ITEM_ELEMENT)
				item->element = p;
	} else {
		int role = get_enum(c, node, "role", false, question_roles);
		item->role = role == 0 ? ROLE_OVERALL : ROLE_INFO;
		if (item->role == ROLE_OVERALL)
			for (int i = 0; i < f->nitems - 1; i++)
				if (f->items[i].role == ROLE_OVERALL)
					fail_at(c, member(node, "role"), false, "role",
						"only one question may be the overall question; \"%s\" "
						"already is",
						f->items[i].id ? f->items[i].id : "?");
	}
	parse_answer_fields(c, node, &f->items[index]);
	if (f->nanswers == FORM_MAX_ANSWERS) {
		fail_at(c, node, false, NULL, "a questionnaire may hold at most %d questions",
			FORM_MAX_ANSWERS);
		return;
	}
	f->answer_item[f->nanswers] = index;
	f->items[index].answer_index = f->nanswers++;
}

static void parse_items(Check *c, const cJSON *items, int parent, ItemKind parent_kind)
{
	int i = 0;

	for (const cJSON *node = items->child; node; node = node->next, i++) {
		size_t at = path_push(c, "[%d]", i);
		parse_item(c, node, parent, parent_kind);
		path_pop(c, at);
	}
}

/* ---- the whole file ------------------------------------------------------ */

static void parse_top(Check *c, cJSON *root)
{
	static const char *const keys[] = {"$schema", "format", "id", "edition", "title",
					   "short_title", "language", "audience", "family",
					   "source", "method", "display_order", "intro", "scales",
					   "items", NULL};
	static const char *const source_keys[] = {"document", "date", "issuer", "note", NULL};
	static const char *const method_keys[] = {"index", "target_percent", "headline", NULL};
	static const char *const index_methods[] = {"mean-of-criteria", "pooled", NULL};
	static const char *const headlines[] = {"index", "overall-question", NULL};
	static const char *const orders[] = {"ascending", "descending", NULL};
	static const char *const languages[] = {"vi", NULL};
	Form *f = c->form;
	const cJSON *v, *items;
	int e;

	check_keys(c, root, keys);
	v = member(root, "format");
	if (!v)
		fail_at(c, root, false, "format", "missing");
	else if (!cJSON_IsNumber(v) || v->valuedouble != 1)
		fail_at(c, v, false, "format", "this hailong reads format 1 only");
	v = member(root, "id");
	if (!v)
		fail_at(c, root, false, "id", "missing");
	else if (!cJSON_IsString(v) || !matches_id(v->valuestring, 63, false) ||
		 strlen(v->valuestring) < 2)
		fail_at(c, v, false, "id",
			"a questionnaire id is 2-63 lower-case letters, digits and '-', starting "
			"with a letter or digit");
	else
		f->id = strdup(v->valuestring);
	f->edition = get_text(c, root, "edition", true, 32);
	f->title = get_text(c, root, "title", true, 200);
	f->short_title = get_text(c, root, "short_title", false, 60);
	f->language = get_enum(c, root, "language", true, languages) == 0 ? strdup("vi") : NULL;
	e = get_enum(c, root, "audience", true, audiences);
	f->audience = e >= 0 ? strdup(audiences[e]) : NULL;
	e = get_enum(c, root, "family", true, families);
	f->family = e >= 0 ? strdup(families[e]) : NULL;
	f->intro = get_text(c, root, "intro", false, 2000);
	f->display_descending = get_enum(c, root, "display_order", false, orders) == 1;

	v = member(root, "source");
	if (!v) {
		fail_at(c, root, false, "source", "missing");
	} else if (!cJSON_IsObject(v)) {
		fail_at(c, v, false, "source", "must be an object");
	} else {
		size_t at = path_push(c, "source");
		check_keys(c, v, source_keys);
		f->source_document = get_text(c, v, "document", true, 300);
		f->source_date = get_text(c, v, "date", true, 10);
		if (f->source_date && !valid_date(f->source_date))
			fail_at(c, member(v, "date"), false, "date",
				"must be a real date written YYYY-MM-DD");
		f->source_issuer = get_text(c, v, "issuer", true, 200);
		f->source_note = get_text(c, v, "note", false, 2000);
		path_pop(c, at);
	}

	f->index_method = INDEX_MEAN_OF_CRITERIA;
	f->target_percent = 90;
	v = member(root, "method");
	if (v && !cJSON_IsObject(v)) {
		fail_at(c, v, false, "method", "must be an object");
	} else if (v) {
		size_t at = path_push(c, "method");
		check_keys(c, v, method_keys);
		f->index_method = get_enum(c, v, "index", false, index_methods) == 1
					  ? INDEX_POOLED
					  : INDEX_MEAN_OF_CRITERIA;
		f->headline_overall = get_enum(c, v, "headline", false, headlines) == 1;
		f->target_percent = get_target(c, v, f->target_percent);
		path_pop(c, at);
	}

	v = member(root, "scales");
	if (v)
		parse_scales(c, v);

	items = member(root, "items");
	if (!items) {
		fail_at(c, root, false, "items", "missing");
	} else if (!cJSON_IsArray(items) || !items->child) {
		fail_at(c, items, false, "items", "must be a non-empty array");
	} else {
		size_t at = path_push(c, "items");
		parse_items(c, items, -1, ITEM_GROUP);
		path_pop(c, at);
	}

	if (!had_errors(c)) {
		bool has_overall = false, has_criterion = false;
		for (int i = 0; i < f->nitems; i++) {
			has_overall |= f->items[i].role == ROLE_OVERALL;
			has_criterion |= f->items[i].kind == ITEM_CRITERION;
		}
		if (f->headline_overall && !has_overall)
			fail_at(c, member(member(root, "method"), "headline"), false,
				"method.headline",
				"\"overall-question\" needs a question with \"role\": \"overall\"");
		if (!has_criterion)
			fail_at(c, items, false, "items",
				"the questionnaire has no criterion: nothing to measure");
	}
}

static void canonicalise(Form *f, cJSON *root)
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	/* The editor hint does not change what is asked: keep it out of the hash. */
	cJSON_DeleteItemFromObjectCaseSensitive(root, "$schema");
	f->canonical_json = cJSON_PrintUnformatted(root);
	if (!f->canonical_json)
		return;
	crypto_hash_sha256(digest, (const unsigned char *)f->canonical_json,
			   strlen(f->canonical_json));
	sodium_bin2hex(f->hash, sizeof f->hash, digest, sizeof digest);
}

Form *form_parse(const char *label, const char *text, size_t len, FormErrors *errors)
{
	Check c = {.label = label, .errors = errors, .errors_before = errors->count};
	size_t bad = 0, start = 0;
	const char *end = NULL;
	cJSON *root = NULL;
	Form *form = NULL;
	int line, col;

	if (len > FORM_MAX_BYTES) {
		form_errors_add(errors, "%s: the file is %zu bytes; a questionnaire may be at most %d "
					"bytes",
				label, len, FORM_MAX_BYTES);
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		text_line_col(text, (size_t)((const char *)memchr(text, '\0', len) - text), &line,
			      &col);
		form_errors_add(errors, "%s:%d:%d: the file contains a NUL byte: is it a text file?",
				label, line, col);
		return NULL;
	}
	if (!text_valid_utf8(text, len, &bad)) {
		text_line_col(text, bad, &line, &col);
		form_errors_add(errors, "%s:%d:%d: invalid UTF-8 (byte 0x%02x): save the file as "
					"UTF-8",
				label, line, col, (unsigned char)text[bad]);
		return NULL;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		start = 3; /* a byte-order mark some editors add */
	if (len == start || !text_has_content_n(text + start, len - start)) {
		form_errors_add(errors, "%s:1:1: the file is empty", label);
		return NULL;
	}
	if (json_too_deep(text + start, len - start, FORM_MAX_DEPTH, &bad)) {
		text_line_col(text, start + bad, &line, &col);
		form_errors_add(errors, "%s:%d:%d: nested deeper than %d levels", label, line, col,
				FORM_MAX_DEPTH);
		return NULL;
	}
	if (json_has_nul_escape(text + start, len - start, &bad)) {
		text_line_col(text, start + bad, &line, &col);
		form_errors_add(errors, "%s:%d:%d: a string holds the NUL character (\\u0000)", label,
				line, col);
		return NULL;
	}
	/* Not require_null_terminated: with a length cJSON wants the NUL inside it. */
	root = cJSON_ParseWithLengthOpts(text + start, len - start, &end, false);
	if (root && end) {
		const char *rest = end;
		while (rest < text + len && strchr(" \t\r\n", *rest))
			rest++;
		if (rest < text + len) {
			text_line_col(text, (size_t)(rest - text), &line, &col);
			form_errors_add(errors, "%s:%d:%d: text after the end of the JSON document",
					label, line, col);
			cJSON_Delete(root);
			return NULL;
		}
	}
	if (!root) {
		size_t at = end ? (size_t)(end - text) : len;
		bool early;
		if (at > len)
			at = len;
		early = json_ends_early(text + start, len - start);
		if (early)
			at = len;
		text_line_col(text, at, &line, &col);
		form_errors_add(errors, "%s:%d:%d: malformed JSON%s", label, line, col,
				early ? ": the file ends inside an object or array (a closing '}' "
					"or ']' is missing)"
				      : "");
		return NULL;
	}
	c.text = text;
	c.base = start;
	c.pos = json_pos_build(text + start, len - start, root);
	form = calloc(1, sizeof *form);
	if (!form || !add_builtin_scales(form)) {
		form_errors_add(errors, "%s: out of memory", label);
		goto fail;
	}
	c.form = form;
	if (!cJSON_IsObject(root)) {
		fail_at(&c, root, false, NULL, "a questionnaire must be a JSON object");
		goto fail;
	}
	parse_top(&c, root);
	if (had_errors(&c))
		goto fail;
	canonicalise(form, root);
	form->source_name = strdup(strrchr(label, '/') ? strrchr(label, '/') + 1 : label);
	if (!form->canonical_json || !form->source_name) {
		form_errors_add(errors, "%s: out of memory", label);
		goto fail;
	}
	json_pos_free(c.pos);
	cJSON_Delete(root);
	return form;
fail:
	json_pos_free(c.pos);
	cJSON_Delete(root);
	form_free(form);
	return NULL;
}

Form *form_load_file(const char *path, FormErrors *errors)
{
	size_t len = 0;
	char *err = NULL;
	char *text = read_file_whole(path, FORM_MAX_BYTES, "a questionnaire", &len, &err);
	Form *form;

	if (!text) {
		form_errors_add(errors, "%s", err ? err : "out of memory");
		free(err);
		return NULL;
	}
	form = form_parse(path, text, len, errors);
	free(text);
	return form;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool append_form(Form ***forms, size_t *count, Form *form)
{
	Form **grown = realloc(*forms, (*count + 1) * sizeof *grown);

	if (!grown)
		return false;
	grown[(*count)++] = form;
	*forms = grown;
	return true;
}

/* Two files may not claim the same id and edition. */
static void check_across(Form **forms, size_t count, char **paths, FormErrors *errors)
{
	for (size_t i = 0; i < count; i++)
		for (size_t j = i + 1; j < count; j++)
			if (strcmp(forms[i]->id, forms[j]->id) == 0 &&
			    strcmp(forms[i]->edition, forms[j]->edition) == 0)
				form_errors_add(errors,
						"%s: id \"%s\" edition \"%s\" is also defined in %s",
						paths[j], forms[j]->id, forms[j]->edition, paths[i]);
}

bool form_load_dir(const char *dir, Form ***forms_out, size_t *count_out, FormErrors *errors)
{
	size_t before = errors->count, nnames = 0, count = 0;
	char **names = NULL, **paths = NULL;
	Form **forms = NULL;
	struct dirent *entry;
	DIR *d = opendir(dir);

	*forms_out = NULL;
	*count_out = 0;
	if (!d) {
		form_errors_add(errors, "%s: cannot open the questionnaire folder: %s", dir,
				strerror(errno));
		return false;
	}
	while ((entry = readdir(d))) {
		size_t len = strlen(entry->d_name);
		char **grown;
		if (len < 6 || strcmp(entry->d_name + len - 5, ".json") != 0 ||
		    strcmp(entry->d_name, "schema.json") == 0 || entry->d_name[0] == '.')
			continue;
		grown = realloc(names, (nnames + 1) * sizeof *grown);
		if (!grown || !(grown[nnames] = strdup(entry->d_name))) {
			names = grown ? grown : names;
			form_errors_add(errors, "%s: out of memory", dir);
			break;
		}
		names = grown;
		nnames++;
	}
	closedir(d);
	if (nnames)
		qsort(names, nnames, sizeof *names, compare_names);
	paths = calloc(nnames + 1, sizeof *paths);
	for (size_t i = 0; paths && i < nnames; i++) {
		size_t len = strlen(dir) + strlen(names[i]) + 2;
		Form *form;
		char *path = malloc(len);
		if (!path)
			break;
		snprintf(path, len, "%s/%s", dir, names[i]);
		form = form_load_file(path, errors);
		if (form && append_form(&forms, &count, form))
			paths[count - 1] = path;
		else {
			form_free(form);
			free(path);
		}
	}
	if (paths)
		check_across(forms, count, paths, errors);
	if (nnames == 0)
		form_errors_add(errors, "%s: no questionnaire (*.json) in this folder", dir);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	for (size_t i = 0; paths && i < count; i++)
		free(paths[i]);
	free(paths);
	*forms_out = forms;
	*count_out = count;
	return errors->count == before;
}

bool form_load_path(const char *path, Form ***forms, size_t *count, FormErrors *errors)
{
	struct stat st;
	Form *form;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return form_load_dir(path, forms, count, errors);
	*forms = NULL;
	*count = 0;
	form = form_load_file(path, errors);
	if (!form)
		return false;
	if (!append_form(forms, count, form)) {
		form_free(form);
		form_errors_add(errors, "%s: out of memory", path);
		return false;
	}
	return true;
}

void form_free(Form *form)
{
	if (!form)
		return;
	free(form->id);
	free(form->edition);
	free(form->title);
	free(form->short_title);
	free(form->language);
	free(form->audience);
	free(form->family);
	free(form->source_document);
	free(form->source_date);
	free(form->source_issuer);
	free(form->source_note);
	free(form->intro);
	free(form->source_name);
	for (int i = 0; i < form->nscales; i++) {
		free(form->scales[i].name);
		for (int j = 0; j < form->scales[i].noptions; j++)
			free(form->scales[i].options[j].label);
		free(form->scales[i].options);
	}
	free(form->scales);
	for (int i = 0; i < form->nitems; i++) {
		free(form->items[i].id);
		free(form->items[i].text);
		free(form->items[i].short_text);
		free(form->items[i].help);
		free(form->items[i].no_opinion_label);
	}
	free(form->items);
	if (form->canonical_json)
		cJSON_free(form->canonical_json);
	free(form);
}

void form_list_free(Form **forms, size_t count)
{
	for (size_t i = 0; i < count; i++)
		form_free(forms[i]);
	free(forms);
}

const FormItem *form_find_item(const Form *form, const char *id)
{
	for (int i = 0; i < form->nitems; i++)
		if (form->items[i].id && strcmp(form->items[i].id, id) == 0)
			return &form->items[i];
	return NULL;
}
