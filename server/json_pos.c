#include "json_pos.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct Entry {
	const cJSON *node;
	size_t value_offset;
	size_t key_offset;
} Entry;

struct JsonPos {
	Entry *entries;
	size_t count, cap;
};

typedef struct Walker {
	const char *text;
	size_t len;
	size_t at;
	JsonPos *pos;
} Walker;

static void skip_ws(Walker *w)
{
	while (w->at < w->len && (w->text[w->at] == ' ' || w->text[w->at] == '\t' ||
				  w->text[w->at] == '\n' || w->text[w->at] == '\r'))
		w->at++;
}

static bool skip_string(Walker *w)
{
	if (w->at >= w->len || w->text[w->at] != '"')
		return false;
	for (w->at++; w->at < w->len; w->at++) {
		if (w->text[w->at] == '\\')
			w->at++;
		else if (w->text[w->at] == '"') {
			w->at++;
			return true;
		}
	}
	return false;
}

static bool record(Walker *w, const cJSON *node, size_t value_offset, size_t key_offset)
{
	JsonPos *p = w->pos;

	if (p->count == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		Entry *grown = realloc(p->entries, cap * sizeof *grown);
		if (!grown)
			return false;
		p->entries = grown;
		p->cap = cap;
	}
	p->entries[p->count++] = (Entry){node, value_offset, key_offset};
	return true;
}

static bool walk(Walker *w, const cJSON *node, size_t key_offset)
{
	char open;

	skip_ws(w);
	if (w->at >= w->len || !record(w, node, w->at, key_offset))
		return false;
	open = w->text[w->at];
	if (open == '{' || open == '[') {
		char close = open == '{' ? '}' : ']';
		const cJSON *child = node->child;
		w->at++;
		skip_ws(w);
		if (w->at < w->len && w->text[w->at] == close) {
			w->at++;
			return child == NULL;
		}
		for (;;) {
			size_t member_key = SIZE_MAX;
			if (!child)
				return false;
			if (open == '{') {
				skip_ws(w);
				member_key = w->at;
				if (!skip_string(w))
					return false;
				skip_ws(w);
				if (w->at >= w->len || w->text[w->at] != ':')
					return false;
				w->at++;
			}
			if (!walk(w, child, member_key))
				return false;
			child = child->next;
			skip_ws(w);
			if (w->at >= w->len)
				return false;
			if (w->text[w->at] == ',') {
				w->at++;
				continue;
			}
			if (w->text[w->at] == close) {
				w->at++;
				return child == NULL;
			}
			return false;
		}
	}
	if (open == '"')
		return skip_string(w);
	while (w->at < w->len && !strchr(",]} \t\r\n", w->text[w->at]))
		w->at++;
	return true;
}

static int by_node(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const Entry *)a)->node, y = (uintptr_t)((const Entry *)b)->node;
	return (x > y) - (x < y);
}

JsonPos *json_pos_build(const char *text, size_t len, const cJSON *root)
{
	JsonPos *pos = calloc(1, sizeof *pos);
	Walker w = {.text = text, .len = len, .pos = pos};

	if (!pos)
		return NULL;
	if (!walk(&w, root, SIZE_MAX)) {
		json_pos_free(pos);
		return NULL;
	}
	qsort(pos->entries, pos->count, sizeof *pos->entries, by_node);
	return pos;
}

void json_pos_free(JsonPos *pos)
{
	if (!pos)
		return;
	free(pos->entries);
	free(pos);
}

bool json_pos_find(const JsonPos *pos, const cJSON *node, size_t *value_offset,
		   size_t *key_offset)
{
	Entry key = {.node = node};
	const Entry *found;

	if (!pos)
		return false;
	found = bsearch(&key, pos->entries, pos->count, sizeof *pos->entries, by_node);
	if (!found)
		return false;
	if (value_offset)
		*value_offset = found->value_offset;
	if (key_offset)
		*key_offset = found->key_offset;
	return true;
}

/* Scans text outside strings: the depth at the end, whether it ends inside
 * a string, and where the depth first passes limit (SIZE_MAX if never). */
static int scan_depth(const char *text, size_t len, int limit, bool *in_string_at_end,
		      size_t *past_limit)
{
	int depth = 0;
	bool in_string = false;

	*past_limit = SIZE_MAX;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > limit && *past_limit == SIZE_MAX)
				*past_limit = i;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	*in_string_at_end = in_string;
	return depth;
}

bool json_ends_early(const char *text, size_t len)
{
	bool in_string;
	size_t past;

	/* Ending inside a string usually means a quote is missing somewhere
	 * else (the quotes then pair up wrongly), not that the file was cut. */
	return scan_depth(text, len, 1 << 30, &in_string, &past) > 0 && !in_string;
}

bool json_too_deep(const char *text, size_t len, int limit, size_t *offset)
{
	bool in_string;

	scan_depth(text, len, limit, &in_string, offset);
	return *offset != SIZE_MAX;
}

bool json_has_nul_escape(const char *text, size_t len, size_t *offset)
{
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		if (!in_string) {
			in_string = text[i] == '"';
			continue;
		}
		if (text[i] == '"') {
			in_string = false;
		} else if (text[i] == '\\' && i + 1 < len) {
			if (text[i + 1] == 'u' && i + 5 < len && memcmp(text + i + 2, "0000", 4) == 0) {
				*offset = i;
				return true;
			}
			i++;
		}
	}
	return false;
}
