/*
 * json_pos: where each value of a parsed cJSON tree stands in its source
 * text, so that errors can say "file:line:column".  cJSON keeps no
 * positions; this walks the (already valid) text and the tree in step.
 */
#ifndef HAILONG_JSON_POS_H
#define HAILONG_JSON_POS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct JsonPos JsonPos;

/* Maps every node of root (parsed from text[0..len)) to its offsets.
 * Returns NULL when memory runs out or the text does not match the tree.
 * Free with json_pos_free; text must outlive the map. */
JsonPos *json_pos_build(const char *text, size_t len, const cJSON *root);

void json_pos_free(JsonPos *pos);

/* Byte offset of node's value, and of its key when it is an object member
 * (SIZE_MAX otherwise).  False when node is unknown. */
bool json_pos_find(const JsonPos *pos, const cJSON *node, size_t *value_offset,
		   size_t *key_offset);

/* True when arrays and objects in text (strings skipped) nest deeper than
 * limit, without parsing; *offset is then the first bracket past the limit.
 * Lets a caller refuse absurd nesting before a recursive parser sees it. */
bool json_too_deep(const char *text, size_t len, int limit, size_t *offset);

/* True when a string in text holds the escape \u0000, which C strings
 * cannot carry; *offset is where it starts. */
bool json_has_nul_escape(const char *text, size_t len, size_t *offset);

/* True when text ends inside an object or an array (and not inside a
 * string): the document was cut short. */
bool json_ends_early(const char *text, size_t len);

#endif
