#include "tally.h"

#include <stdlib.h>
#include <string.h>

/* Values counted densely: -1 ("không ý kiến"), 0 (blank) and 1..15 cover
 * every scale and single choice of the shipped questionnaires. */
enum { DENSE_MIN = -1, DENSE_MAX = 15, DENSE = DENSE_MAX - DENSE_MIN + 1 };

typedef struct Group {
	TallyGroup pub;
	uint32_t width;  /* answer indexes with room in dense */
	uint32_t *dense; /* width × DENSE counters, index-major */
	size_t ov_start, ov_count; /* its overflow entries once sorted */
} Group;

/* (group, answer index, value) packed so that sorting the keys sorts by
 * group, then index, then value. */
typedef struct Overflow {
	uint64_t key;
	uint64_t n; /* 0: empty slot */
} Overflow;

struct Tally {
	Group *groups;
	size_t ngroups, groups_cap;
	uint32_t *group_slots; /* open addressing: group number + 1, 0 empty */
	size_t slots_cap;      /* power of two */
	size_t last;           /* the group of the previous response: often the same */
	Overflow *ov;          /* open addressing */
	size_t ov_used, ov_cap;
	Overflow *ov_sorted; /* built by tally_groups */
	size_t *order;       /* group numbers by (campaign_id, version_id) */
	TallyGroup *sorted;  /* the groups in that order */
	int16_t *scratch;
	size_t scratch_cap;
	int64_t responses;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t group_hash(int64_t campaign_id, int64_t version_id)
{
	return mix((uint64_t)campaign_id * 0x9e3779b97f4a7c15ULL ^ (uint64_t)version_id);
}

Tally *tally_new(void)
{
	Tally *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->slots_cap = 1024;
	t->group_slots = calloc(t->slots_cap, sizeof *t->group_slots);
	t->ov_cap = 1024;
	t->ov = calloc(t->ov_cap, sizeof *t->ov);
	t->scratch_cap = 256;
	t->scratch = malloc(t->scratch_cap * sizeof *t->scratch);
	t->last = SIZE_MAX;
	if (!t->group_slots || !t->ov || !t->scratch) {
		tally_free(t);
		return NULL;
	}
	return t;
}

void tally_free(Tally *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ngroups; i++)
		free(t->groups[i].dense);
	free(t->groups);
	free(t->group_slots);
	free(t->ov);
	free(t->ov_sorted);
	free(t->order);
	free(t->sorted);
	free(t->scratch);
	free(t);
}

long tally_parse_answers(const char *s, size_t len, int16_t *out, size_t cap)
{
	const char *p = s, *last;
	long n = 0;

	if (len < 2 || s[0] != '{' || s[len - 1] != '}')
		return -1;
	last = s + len - 1; /* the closing brace */
	p++;
	if (p == last)
		return 0;
	for (;;) {
		int v = 0, digits = 0;
		bool neg = false;

		if (*p == '-') {
			neg = true;
			p++;
		}
		/* The closing brace stops the digits: no bound check needed. */
		while (*p >= '0' && *p <= '9') {
			if (++digits > 5)
				return -1;
			v = v * 10 + (*p - '0');
			p++;
		}
		if (digits == 0)
			return -1;
		if (neg)
			v = -v;
		if (v < INT16_MIN || v > INT16_MAX)
			return -1;
		if ((size_t)n < cap)
			out[n] = (int16_t)v;
		n++;
		if (*p == ',' && p < last) {
			p++;
			continue;
		}
		return p == last ? n : -1;
	}
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

long tally_parse_binary_answers(const char *data, size_t len, int16_t *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)data;
	uint32_t ndim, count;

	/* ndim, has-nulls flag, element type, then per dimension its length
	 * and lower bound; an empty array has no dimensions. */
	if (len < 12)
		return -1;
	ndim = get_u32(p);
	if (ndim == 0)
		return len == 12 ? 0 : -1;
	if (ndim != 1 || len < 20 || get_u32(p + 4) != 0 || get_u32(p + 8) != 21 /* int2 */ ||
	    get_u32(p + 16) != 1)
		return -1;
	count = get_u32(p + 12);
	if (count > INT16_MAX || len != 20 + (size_t)count * 6)
		return -1;
	p += 20;
	for (uint32_t i = 0; i < count; i++, p += 6) {
		if (get_u32(p) != 2)
			return -1;
		if (i < cap)
			out[i] = (int16_t)((uint16_t)(p[4] << 8 | p[5]));
	}
	return (long)count;
}

static bool grow_slots(Tally *t)
{
	size_t cap = t->slots_cap * 2;
	uint32_t *slots = calloc(cap, sizeof *slots);

	if (!slots)
		return false;
	for (size_t i = 0; i < t->ngroups; i++) {
		size_t h = group_hash(t->groups[i].pub.campaign_id, t->groups[i].pub.version_id) &
			   (cap - 1);
		while (slots[h])
			h = (h + 1) & (cap - 1);
		slots[h] = (uint32_t)i + 1;
	}
	free(t->group_slots);
	t->group_slots = slots;
	t->slots_cap = cap;
	return true;
}

/* The group's number, created when new; SIZE_MAX when memory runs out. */
static size_t find_group(Tally *t, int64_t campaign_id, int64_t version_id)
{
	size_t h;
	Group *g;

	if (t->last != SIZE_MAX && t->groups[t->last].pub.campaign_id == campaign_id &&
	    t->groups[t->last].pub.version_id == version_id)
		return t->last;
	h = group_hash(campaign_id, version_id) & (t->slots_cap - 1);
	while (t->group_slots[h]) {
		g = &t->groups[t->group_slots[h] - 1];
		if (g->pub.campaign_id == campaign_id && g->pub.version_id == version_id)
			return t->last = t->group_slots[h] - 1;
		h = (h + 1) & (t->slots_cap - 1);
	}
	if (t->ngroups == t->groups_cap) {
		size_t cap = t->groups_cap ? t->groups_cap * 2 : 64;
		Group *more = realloc(t->groups, cap * sizeof *more);
		if (!more)
			return SIZE_MAX;
		t->groups = more;
		t->groups_cap = cap;
	}
	g = &t->groups[t->ngroups];
	memset(g, 0, sizeof *g);
	g->pub.campaign_id = campaign_id;
	g->pub.version_id = version_id;
	g->pub.last_minute = INT64_MIN;
	t->group_slots[h] = (uint32_t)t->ngroups + 1;
	t->last = t->ngroups++;
	/* Keep the table at most half full. */
	if (t->ngroups * 2 > t->slots_cap && !grow_slots(t))
		return SIZE_MAX;
	return t->last;
}

static bool grow_overflow(Tally *t)
{
	size_t cap = t->ov_cap * 2;
	Overflow *ov = calloc(cap, sizeof *ov);

	if (!ov)
		return false;
	for (size_t i = 0; i < t->ov_cap; i++) {
		size_t h;
		if (!t->ov[i].n)
			continue;
		h = mix(t->ov[i].key) & (cap - 1);
		while (ov[h].n)
			h = (h + 1) & (cap - 1);
		ov[h] = t->ov[i];
	}
	free(t->ov);
	t->ov = ov;
	t->ov_cap = cap;
	return true;
}

static uint64_t overflow_key(size_t group, uint32_t index, int16_t value)
{
	return (uint64_t)group << 32 | (uint64_t)index << 16 | (uint16_t)(value + 32768);
}

static bool count_overflow(Tally *t, size_t group, uint32_t index, int16_t value, uint64_t n)
{
	uint64_t key = overflow_key(group, index, value);
	size_t h = mix(key) & (t->ov_cap - 1);

	while (t->ov[h].n) {
		if (t->ov[h].key == key) {
			t->ov[h].n += n;
			return true;
		}
		h = (h + 1) & (t->ov_cap - 1);
	}
	t->ov[h].key = key;
	t->ov[h].n = n;
	t->ov_used++;
	return t->ov_used * 2 <= t->ov_cap || grow_overflow(t);
}

/* Room in the group's dense counters for answer indexes below width. */
static bool widen(Group *g, uint32_t width)
{
	uint32_t *dense;

	if (width <= g->width)
		return true;
	dense = realloc(g->dense, (size_t)width * DENSE * sizeof *dense);
	if (!dense)
		return false;
	memset(dense + (size_t)g->width * DENSE, 0, ((size_t)width - g->width) * DENSE * sizeof *dense);
	g->dense = dense;
	g->width = width;
	return true;
}

/* Counts the n values in t->scratch. */
static bool count_values(Tally *t, int64_t campaign_id, int64_t version_id, long n, int64_t minute,
			 bool *oom)
{
	size_t gi = find_group(t, campaign_id, version_id);
	Group *g;

	if (gi == SIZE_MAX)
		goto oom;
	g = &t->groups[gi];
	if (!widen(g, (uint32_t)n))
		goto oom;
	for (long i = 0; i < n; i++) {
		int16_t v = t->scratch[i];
		if (v >= DENSE_MIN && v <= DENSE_MAX)
			g->dense[(size_t)i * DENSE + (size_t)(v - DENSE_MIN)]++;
		else if (!count_overflow(t, gi, (uint32_t)i, v, 1))
			/* The value was counted before the table failed to
			 * grow; the caller drops the whole tally anyway. */
			goto oom;
	}
	g->pub.responses++;
	if (minute > g->pub.last_minute)
		g->pub.last_minute = minute;
	t->responses++;
	return true;
oom:
	*oom = true;
	return false;
}

typedef long (*ParseFn)(const char *data, size_t len, int16_t *out, size_t cap);

static bool add_with(Tally *t, ParseFn parse, int64_t campaign_id, int64_t version_id,
		     const char *answers, size_t len, int64_t minute, bool *oom)
{
	long n = parse(answers, len, t->scratch, t->scratch_cap);

	*oom = false;
	if (n < 0 || n > INT16_MAX)
		return false;
	if ((size_t)n > t->scratch_cap) {
		int16_t *bigger = realloc(t->scratch, (size_t)n * sizeof *bigger);
		if (!bigger) {
			*oom = true;
			return false;
		}
		t->scratch = bigger;
		t->scratch_cap = (size_t)n;
		n = parse(answers, len, t->scratch, t->scratch_cap);
	}
	return count_values(t, campaign_id, version_id, n, minute, oom);
}

bool tally_add(Tally *t, int64_t campaign_id, int64_t version_id, const char *answers, size_t len,
	       int64_t minute, bool *oom)
{
	return add_with(t, tally_parse_answers, campaign_id, version_id, answers, len, minute, oom);
}

bool tally_add_binary(Tally *t, int64_t campaign_id, int64_t version_id, const char *answers,
		      size_t len, int64_t minute, bool *oom)
{
	return add_with(t, tally_parse_binary_answers, campaign_id, version_id, answers, len,
			minute, oom);
}

bool tally_merge(Tally *t, const TallyGroup *group, const TallyCount *counts, size_t n, bool *oom)
{
	size_t gi = find_group(t, group->campaign_id, group->version_id);
	Group *g;

	*oom = false;
	if (gi == SIZE_MAX)
		goto oom;
	g = &t->groups[gi];
	for (size_t k = 0; k < n; k++) {
		const TallyCount *c = &counts[k];
		if (c->answer_index < 0 || c->n < 0)
			return false;
		if (c->value >= DENSE_MIN && c->value <= DENSE_MAX) {
			uint32_t *d;
			if (!widen(g, (uint32_t)c->answer_index + 1))
				goto oom;
			d = &g->dense[(size_t)c->answer_index * DENSE + (size_t)(c->value - DENSE_MIN)];
			if ((uint64_t)c->n > UINT32_MAX - *d)
				return false;
			*d += (uint32_t)c->n;
		} else if (c->n > 0 &&
			   !count_overflow(t, gi, (uint32_t)c->answer_index, c->value, (uint64_t)c->n)) {
			goto oom;
		}
	}
	g->pub.responses += group->responses;
	if (group->last_minute > g->pub.last_minute)
		g->pub.last_minute = group->last_minute;
	return true;
oom:
	*oom = true;
	return false;
}

int64_t tally_responses(const Tally *t)
{
	return t->responses;
}

static int compare_keys(const void *a, const void *b)
{
	uint64_t x = ((const Overflow *)a)->key, y = ((const Overflow *)b)->key;

	return x < y ? -1 : x > y;
}

static int compare_groups(const void *a, const void *b)
{
	const TallyGroup *x = a, *y = b;

	if (x->campaign_id != y->campaign_id)
		return x->campaign_id < y->campaign_id ? -1 : 1;
	return x->version_id < y->version_id ? -1 : x->version_id > y->version_id;
}

bool tally_groups(Tally *t, const TallyGroup **out, size_t *count)
{
	size_t k = 0;

	free(t->ov_sorted);
	free(t->order);
	free(t->sorted);
	t->ov_sorted = malloc((t->ov_used ? t->ov_used : 1) * sizeof *t->ov_sorted);
	t->order = malloc((t->ngroups ? t->ngroups : 1) * sizeof *t->order);
	t->sorted = malloc((t->ngroups ? t->ngroups : 1) * sizeof *t->sorted);
	if (!t->ov_sorted || !t->order || !t->sorted)
		return false;
	for (size_t i = 0; i < t->ov_cap; i++)
		if (t->ov[i].n)
			t->ov_sorted[k++] = t->ov[i];
	qsort(t->ov_sorted, k, sizeof *t->ov_sorted, compare_keys);
	for (size_t i = 0; i < t->ngroups; i++)
		t->groups[i].ov_count = 0;
	for (size_t i = k; i-- > 0;) {
		Group *g = &t->groups[t->ov_sorted[i].key >> 32];
		g->ov_start = i;
		g->ov_count++;
	}
	/* Sort the public copies, and find each one's group again through the
	 * hash: the copies carry no group number. */
	for (size_t i = 0; i < t->ngroups; i++)
		t->sorted[i] = t->groups[i].pub;
	qsort(t->sorted, t->ngroups, sizeof *t->sorted, compare_groups);
	for (size_t i = 0; i < t->ngroups; i++)
		t->order[i] = find_group(t, t->sorted[i].campaign_id, t->sorted[i].version_id);
	*out = t->sorted;
	*count = t->ngroups;
	return true;
}

static uint32_t key_index(uint64_t key)
{
	return (uint32_t)(key >> 16 & 0xffff);
}

static int16_t key_value(uint64_t key)
{
	return (int16_t)((int)(key & 0xffff) - 32768);
}

bool tally_group_counts(Tally *t, size_t i, TallyCount **out, size_t *count)
{
	const Group *g = &t->groups[t->order[i]];
	const Overflow *ov = t->ov_sorted + g->ov_start, *ov_end = ov + g->ov_count;
	size_t cap = g->ov_count, n = 0;
	TallyCount *c;

	for (size_t k = 0; k < (size_t)g->width * DENSE; k++)
		cap += g->dense[k] != 0;
	*out = NULL;
	*count = 0;
	if (cap == 0)
		return true;
	c = malloc(cap * sizeof *c);
	if (!c)
		return false;
	for (uint32_t index = 0; index < g->width; index++) {
		const uint32_t *d = g->dense + (size_t)index * DENSE;
		/* Overflow values below the dense range, the dense range,
		 * then overflow values above it: (index, value) order. */
		for (; ov < ov_end && key_index(ov->key) == index && key_value(ov->key) < DENSE_MIN;
		     ov++)
			c[n++] = (TallyCount){(int16_t)index, key_value(ov->key), (int64_t)ov->n};
		for (int k = 0; k < DENSE; k++)
			if (d[k])
				c[n++] = (TallyCount){(int16_t)index, (int16_t)(k + DENSE_MIN), d[k]};
		for (; ov < ov_end && key_index(ov->key) == index; ov++)
			c[n++] = (TallyCount){(int16_t)index, key_value(ov->key), (int64_t)ov->n};
	}
	*out = c;
	*count = n;
	return true;
}
