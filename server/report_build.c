#include "report_build.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "form.h"
#include "report.h"
#include "report_comments.h"
#include "sql_text.h"

/* ---- dates --------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), and back. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

bool report_parse_date(const char *text, long long *day)
{
	static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)text[i]))
			return false;
	y = atoi(text);
	m = atoi(text + 5);
	d = atoi(text + 8);
	if (y < 2000 || y > 2200 || m < 1 || m > 12 || d < 1 || d > month_days[m - 1])
		return false;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	*day = days_from_civil(y, (unsigned)m, (unsigned)d);
	return true;
}

static void format_day(long long day, char out[11])
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	/* Dates are checked to 2000-2200, so always ten characters. */
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 13u,
		 (unsigned)d % 32u);
}

/* ---- what was read ------------------------------------------------------- */

typedef struct Unit {
	long long id;
	char *code, *name, *kind;
	bool child;
} Unit;

typedef struct Round {
	long long id, version, target;
	long long responses;
	long long comments; /* answered free-text questions, from the tallies */
	int child, school;  /* indexes in units, or -1 */
} Round;

typedef struct Version {
	long long id;
	Form *form;
	char *form_id, *edition, *hash;
} Version;

/* Counts summed over some rounds of one questionnaire version. */
typedef struct Acc {
	ItemCounts *counts; /* form->nanswers; NULL until something is added */
	long long responses;
	int rounds;
} Acc;

typedef struct VersionData {
	const Version *version;
	Acc total;
	Acc *by_unit; /* per Unit */
	char last_minute[32];
} VersionData;

typedef struct Scope {
	Round *rounds;
	int nrounds;
	VersionData *data; /* per version seen in these rounds */
	int ndata;
	long long targeted;
	bool any_target;
	char last_minute[32];
} Scope;

typedef struct Build {
	PGconn *conn;
	const ReportQuery *q;
	ReportError *err;
	int k;
	long long node_id;
	char *node_path;
	int node_depth;
	Unit *units;
	int nunits;
	Version **versions; /* each on its own: VersionData points at them */
	int nversions;
} Build;

static void fail(Build *b, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(Build *b, int status, const char *field, const char *fmt, ...)
{
	va_list ap;

	b->err->status = status;
	snprintf(b->err->field, sizeof b->err->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(b->err->message, sizeof b->err->message, fmt, ap);
	va_end(ap);
}

static PGresult *query(Build *b, const char *sql, int n, const char *const *values)
{
	PGresult *res = PQexecParams(b->conn, sql, n, NULL, values, NULL, NULL, 0);

	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	fail(b, 503, NULL, "database: %s", PQerrorMessage(b->conn));
	for (char *p = b->err->message; *p; p++)
		if (*p == '\n')
			*p = ' ';
	PQclear(res);
	return NULL;
}

static char *dup_value(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : strdup(PQgetvalue(res, row, col));
}

/* The number written in the `digits` hex digits at p (PostgreSQL's
 * lowercase hex output). */
static uint32_t hex_number(const char *p, int digits)
{
	uint32_t v = 0;

	for (int i = 0; i < digits; i++)
		v = v << 4 | (uint32_t)(p[i] <= '9' ? p[i] - '0' : p[i] - 'a' + 10);
	return v;
}

/* "{1,2,3}" for ids. */
static char *id_array(const long long *ids, int n, size_t stride)
{
	Buf out;

	buf_init(&out, 16 + (size_t)n * 8);
	buf_puts(&out, "{");
	for (int i = 0; i < n; i++)
		buf_printf(&out, "%s%lld", i ? "," : "",
			   *(const long long *)((const char *)ids + (size_t)i * stride));
	buf_puts(&out, "}");
	if (out.failed) {
		buf_free(&out);
		return NULL;
	}
	return out.data;
}

static int unit_index(const Build *b, long long id)
{
	int lo = 0, hi = b->nunits - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (b->units[mid].id == id)
			return mid;
		if (b->units[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int compare_units(const void *a, const void *b)
{
	long long x = ((const Unit *)a)->id, y = ((const Unit *)b)->id;
	return (x > y) - (x < y);
}

static int compare_rounds(const void *a, const void *b)
{
	long long x = ((const Round *)a)->id, y = ((const Round *)b)->id;
	return (x > y) - (x < y);
}

static Round *find_round(const Scope *s, long long id)
{
	int lo = 0, hi = s->nrounds - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (s->rounds[mid].id == id)
			return &s->rounds[mid];
		if (s->rounds[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static const Version *find_version(const Build *b, long long id)
{
	for (int i = 0; i < b->nversions; i++)
		if (b->versions[i]->id == id)
			return b->versions[i];
	return NULL;
}

/* The node's children and the schools below it, sorted by id. */
static bool load_units(Build *b)
{
	char id[24];
	const char *params[2] = {id, b->node_path};
	PGresult *res;

	snprintf(id, sizeof id, "%lld", b->node_id);
	if (!(res = query(b, SQL_REPORT_UNITS, 2, params)))
		return false;
	b->nunits = PQntuples(res);
	b->units = calloc((size_t)b->nunits + 1, sizeof *b->units);
	if (!b->units) {
		PQclear(res);
		fail(b, 503, NULL, "out of memory");
		return false;
	}
	for (int i = 0; i < b->nunits; i++) {
		Unit *u = &b->units[i];
		u->id = atoll(PQgetvalue(res, i, 0));
		u->code = dup_value(res, i, 1);
		u->name = dup_value(res, i, 2);
		u->kind = dup_value(res, i, 3);
		u->child = PQgetvalue(res, i, 4)[0] == 't';
	}
	PQclear(res);
	qsort(b->units, (size_t)b->nunits, sizeof *b->units, compare_units);
	return true;
}

/* Where a round's unit sits under the node: which child, which school. */
static void place_round(const Build *b, Round *r, const char *path)
{
	int depth = 0;

	r->child = r->school = -1;
	for (const char *p = path; *p;) {
		long long id = atoll(p);
		if (depth >= b->node_depth) {
			int u = unit_index(b, id);
			if (u >= 0 && depth == b->node_depth && b->units[u].child)
				r->child = u;
			if (u >= 0 && strcmp(b->units[u].kind, "school") == 0)
				r->school = u;
		}
		depth++;
		p = strchr(p, '.');
		if (!p)
			break;
		p++;
	}
}

static bool load_version(Build *b, long long id)
{
	char idtext[24];
	const char *params[1] = {idtext};
	FormErrors errors = {0};
	Version **grown, *v;
	PGresult *res;
	char label[64];

	if (find_version(b, id))
		return true;
	snprintf(idtext, sizeof idtext, "{%lld}", id);
	if (!(res = query(b, SQL_REPORT_VERSIONS, 1, params)))
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		fail(b, 503, NULL, "questionnaire version %lld is not stored", id);
		return false;
	}
	grown = realloc(b->versions, (size_t)(b->nversions + 1) * sizeof *grown);
	v = calloc(1, sizeof *v);
	if (grown)
		b->versions = grown;
	if (!grown || !v) {
		free(v);
		PQclear(res);
		fail(b, 503, NULL, "out of memory");
		return false;
	}
	b->versions[b->nversions] = v;
	snprintf(label, sizeof label, "questionnaire version %lld", id);
	v->id = id;
	v->form = form_parse(label, PQgetvalue(res, 0, 4), (size_t)PQgetlength(res, 0, 4), &errors);
	v->form_id = dup_value(res, 0, 1);
	v->edition = dup_value(res, 0, 2);
	v->hash = dup_value(res, 0, 3);
	PQclear(res);
	b->nversions++;
	if (!v->form) {
		fail(b, 503, NULL, "stored %s does not load: %s", label,
		     errors.count ? errors.lines[0] : "?");
		form_errors_free(&errors);
		return false;
	}
	return true;
}

static bool acc_ready(Acc *acc, const Form *form)
{
	if (!acc->counts)
		acc->counts = calloc((size_t)form->nanswers + 1, sizeof *acc->counts);
	return acc->counts != NULL;
}

static VersionData *version_data(Build *b, Scope *s, long long version)
{
	VersionData *grown;

	for (int i = 0; i < s->ndata; i++)
		if (s->data[i].version->id == version)
			return &s->data[i];
	if (!load_version(b, version))
		return NULL;
	grown = realloc(s->data, (size_t)(s->ndata + 1) * sizeof *grown);
	if (!grown)
		goto oom;
	s->data = grown;
	memset(&s->data[s->ndata], 0, sizeof *s->data);
	s->data[s->ndata].version = find_version(b, version);
	s->data[s->ndata].by_unit = calloc((size_t)b->nunits + 1, sizeof(Acc));
	if (!s->data[s->ndata].by_unit ||
	    !acc_ready(&s->data[s->ndata].total, s->data[s->ndata].version->form)) {
		free(s->data[s->ndata].by_unit);
		goto oom;
	}
	return &s->data[s->ndata++];
oom:
	fail(b, 503, NULL, "out of memory");
	return NULL;
}

/* The accumulators one round's figures go to: the total, its child and its
 * school (once when they are the same unit). */
static int targets_of(VersionData *d, const Round *r, Acc *out[3])
{
	int n = 0;

	out[n++] = &d->total;
	if (r->child >= 0)
		out[n++] = &d->by_unit[r->child];
	if (r->school >= 0 && r->school != r->child)
		out[n++] = &d->by_unit[r->school];
	return n;
}

/* Reads the rounds of a period (or the one round) and their tallies. */
static bool load_scope(Build *b, Scope *s, const char *from, const char *to, const char *campaign,
		       bool place)
{
	const char *params[4] = {b->node_path, from, to, campaign};
	const char *ids_param[1];
	char *ids = NULL;
	PGresult *res = NULL;
	bool ok = false;

	if (!(res = query(b, SQL_REPORT_ROUNDS, 4, params)))
		return false;
	s->nrounds = PQntuples(res);
	s->rounds = calloc((size_t)s->nrounds + 1, sizeof *s->rounds);
	if (!s->rounds)
		goto oom;
	for (int i = 0; i < s->nrounds; i++) {
		Round *r = &s->rounds[i];
		r->id = atoll(PQgetvalue(res, i, 0));
		r->version = atoll(PQgetvalue(res, i, 1));
		r->target = PQgetisnull(res, i, 2) ? 0 : atoll(PQgetvalue(res, i, 2));
		if (!PQgetisnull(res, i, 2)) {
			s->targeted += r->target;
			s->any_target = true;
		}
		r->child = r->school = -1;
		if (place)
			place_round(b, r, PQgetvalue(res, i, 3));
	}
	PQclear(res);
	res = NULL;
	qsort(s->rounds, (size_t)s->nrounds, sizeof *s->rounds, compare_rounds);
	if (s->nrounds == 0)
		return true;
	if (!(ids = id_array(&s->rounds[0].id, s->nrounds, sizeof *s->rounds)))
		goto oom;
	ids_param[0] = ids;

	if (!(res = query(b, SQL_REPORT_TALLIES, 1, ids_param)))
		goto done;
	for (int i = 0; i < PQntuples(res); i++) {
		Round *r = find_round(s, atoll(PQgetvalue(res, i, 0)));
		VersionData *d;
		Acc *accs[3];
		int naccs;
		const char *minute = PQgetvalue(res, i, 3);
		const char *hex = PQgetvalue(res, i, 4);
		size_t hex_len = (size_t)PQgetlength(res, i, 4);
		long long n = atoll(PQgetvalue(res, i, 2));
		if (!r)
			continue;
		r->responses += n;
		if (!(d = version_data(b, s, atoll(PQgetvalue(res, i, 1)))))
			goto done;
		/* Every group with a round gets its counts, zero until tallies
		 * come: the computations need never ask. */
		naccs = targets_of(d, r, accs);
		for (int a = 0; a < naccs; a++) {
			if (!acc_ready(accs[a], d->version->form))
				goto oom;
			accs[a]->responses += n;
			accs[a]->rounds++;
		}
		if (strcmp(minute, d->last_minute) > 0)
			snprintf(d->last_minute, sizeof d->last_minute, "%s", minute);
		if (strcmp(minute, s->last_minute) > 0)
			snprintf(s->last_minute, sizeof s->last_minute, "%s", minute);
		/* "\\x" and 16 hex digits per entry: answer index, value (both
		 * 16-bit signed), n (32-bit), as sql/011 packs them. */
		if (hex_len < 2 || (hex_len - 2) % 16 || strncmp(hex, "\\x", 2)) {
			fail(b, 503, NULL, "the tally of a round cannot be read");
			goto done;
		}
		for (const char *e = hex + 2; *e; e += 16) {
			const Form *form = d->version->form;
			int index = (int16_t)hex_number(e, 4), v = (int16_t)hex_number(e + 4, 4);
			long long k = (long long)hex_number(e + 8, 8);
			const FormItem *item = form_answer_item(form, index);
			if (!item)
				continue;
			/* A text question counts 1 exactly when its text is
			 * kept (server/submission.c): the comments. */
			if (v == 1 && form->scales[item->scale].type == SCALE_TEXT)
				r->comments += k;
			for (int a = 0; a < naccs; a++)
				report_count(d->version->form, accs[a]->counts, index, v, k);
		}
	}
	ok = true;
	goto done;
oom:
	fail(b, 503, NULL, "out of memory");
done:
	PQclear(res);
	free(ids);
	return ok;
}

static void scope_free(Scope *s, int nunits)
{
	for (int i = 0; i < s->ndata; i++) {
		free(s->data[i].total.counts);
		for (int u = 0; u < nunits; u++)
			free(s->data[i].by_unit[u].counts);
		free(s->data[i].by_unit);
	}
	free(s->data);
	free(s->rounds);
}

/* ---- the document -------------------------------------------------------- */

static void add_number(cJSON *o, const char *key, double v)
{
	if (isnan(v) || isinf(v))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, v);
}

static void add_string(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static const char *verdict_of(const Rate *rate, bool suppressed)
{
	return suppressed ? "suppressed" : verdict_name(rate->verdict);
}

static cJSON *rate_json(const Rate *rate, bool suppressed, const char *formula, int criteria,
			long long no_opinion, long long blank)
{
	cJSON *o = cJSON_CreateObject(), *ex;

	cJSON_AddNumberToObject(o, "satisfied", (double)rate->satisfied);
	cJSON_AddNumberToObject(o, "valid", (double)rate->valid);
	add_number(o, "percent", rate->percent);
	add_number(o, "low", rate->low);
	add_number(o, "high", rate->high);
	add_number(o, "target_percent", rate->target);
	cJSON_AddStringToObject(o, "verdict", verdict_of(rate, suppressed));
	add_number(o, "gap_points", rate->gap);
	cJSON_AddStringToObject(o, "formula", formula);
	if (criteria >= 0)
		cJSON_AddNumberToObject(o, "criteria", criteria);
	ex = cJSON_AddObjectToObject(o, "excluded");
	cJSON_AddNumberToObject(ex, "no_opinion", (double)no_opinion);
	cJSON_AddNumberToObject(ex, "blank", (double)blank);
	return o;
}

static cJSON *score_json(const Score *score)
{
	cJSON *o = cJSON_CreateObject();

	add_number(o, "mean", score->mean);
	cJSON_AddNumberToObject(o, "sum", (double)score->sum);
	cJSON_AddNumberToObject(o, "n", (double)score->n);
	return o;
}

/* "(n4 + n5) ÷ (n1 + n2 + n3 + n4 + n5)" for one criterion. */
static void item_formula(const Form *form, const FormItem *item, char *out, size_t cap)
{
	const FormScale *scale = &form->scales[item->scale];
	Buf f;

	buf_init(&f, 96);
	buf_puts(&f, "(");
	for (int s = 0; s < item->nsatisfied; s++)
		buf_printf(&f, "%sn%d", s ? " + " : "", item->satisfied[s]);
	buf_puts(&f, ") ÷ (");
	for (int o = 0; o < scale->noptions; o++)
		buf_printf(&f, "%sn%d", o ? " + " : "", scale->options[o].value);
	buf_puts(&f, ")");
	snprintf(out, cap, "%s", f.failed ? "" : f.data);
	buf_free(&f);
}

/* Exclusions summed over the criteria of an index. */
static void index_exclusions(const Report *rep, int element, long long *no_opinion,
			     long long *blank)
{
	*no_opinion = *blank = 0;
	for (int i = 0; i < rep->form->nanswers; i++) {
		const FormItem *item = &rep->form->items[rep->items[i].item];
		if (item->kind != ITEM_CRITERION || item->role != ROLE_INDEX)
			continue;
		if (element >= 0 && item->element != element)
			continue;
		*no_opinion += rep->items[i].counts.no_opinion;
		*blank += rep->items[i].counts.blank;
	}
}

static const Rate *index_rate(const Form *form, const IndexResult *index)
{
	return form->index_method == INDEX_POOLED ? &index->pooled : &index->mean_of_criteria;
}

static cJSON *index_json(const Report *rep, const IndexResult *index, bool overall)
{
	cJSON *o = cJSON_CreateObject();
	long long no_opinion, blank;
	const char *mean = overall && rep->nelements > 0 ? "trung bình chỉ số các yếu tố"
							 : "trung bình tỷ lệ các tiêu chí";

	index_exclusions(rep, overall ? -1 : index->item, &no_opinion, &blank);
	cJSON_AddNumberToObject(o, "criteria", index->criteria);
	cJSON_AddItemToObject(o, "index",
			      rate_json(index_rate(rep->form, index), rep->suppressed,
					rep->form->index_method == INDEX_POOLED
						? "Σ hài lòng ÷ Σ hợp lệ (gộp)"
						: mean,
					index->criteria, no_opinion, blank));
	cJSON_AddItemToObject(o, "mean_of_criteria",
			      rate_json(&index->mean_of_criteria, rep->suppressed, mean,
					index->criteria, no_opinion, blank));
	cJSON_AddItemToObject(o, "pooled",
			      rate_json(&index->pooled, rep->suppressed,
					"Σ hài lòng ÷ Σ hợp lệ (gộp)", index->criteria,
					no_opinion, blank));
	cJSON_AddItemToObject(o, "score", score_json(&index->score));
	add_number(o, "score_mean_of_criteria", index->score_mean_of_criteria);
	return o;
}

static cJSON *item_json(const Report *rep, const ItemResult *r)
{
	const Form *form = rep->form;
	const FormItem *item = &form->items[r->item];
	const FormScale *scale = &form->scales[item->scale];
	cJSON *o = cJSON_CreateObject(), *levels;
	char formula[160];

	cJSON_AddStringToObject(o, "id", item->id);
	cJSON_AddStringToObject(o, "kind", form_item_kind_name(item->kind));
	cJSON_AddStringToObject(o, "role", form_role_name(item->role));
	add_string(o, "element", item->element >= 0 ? form->items[item->element].id : NULL);
	add_string(o, "text", item->text);
	add_string(o, "short_text", item->short_text);
	cJSON_AddStringToObject(o, "scale", form_scale_type_name(scale->type));
	levels = cJSON_AddArrayToObject(o, "levels");
	if (scale->type != SCALE_TEXT)
		for (int i = 0; i < scale->noptions; i++) {
			cJSON *l = cJSON_CreateObject();
			bool satisfied = false;
			int v = scale->options[i].value;
			for (int s = 0; s < item->nsatisfied; s++)
				satisfied |= item->satisfied[s] == v;
			cJSON_AddNumberToObject(l, "value", v);
			add_string(l, "label", scale->options[i].label);
			cJSON_AddNumberToObject(l, "n", (double)r->counts.by_value[v]);
			cJSON_AddBoolToObject(l, "satisfied", satisfied);
			cJSON_AddItemToArray(levels, l);
		}
	cJSON_AddNumberToObject(o, "no_opinion", (double)r->counts.no_opinion);
	cJSON_AddNumberToObject(o, "blank", (double)r->counts.blank);
	cJSON_AddNumberToObject(o, "answered", (double)r->counts.answered);
	if (item->nsatisfied > 0 && scale->type != SCALE_MULTI && scale->type != SCALE_TEXT) {
		item_formula(form, item, formula, sizeof formula);
		cJSON_AddItemToObject(o, "rate",
				      rate_json(&r->rate, rep->suppressed, formula, -1,
						r->counts.no_opinion, r->counts.blank));
	} else {
		cJSON_AddNullToObject(o, "rate");
	}
	if (scale->type == SCALE_ORDINAL && item->nsatisfied > 0)
		cJSON_AddItemToObject(o, "score", score_json(&r->score));
	else
		cJSON_AddNullToObject(o, "score");
	cJSON_AddNullToObject(o, "change_points");
	return o;
}

/* The figure a questionnaire leads with: its index by its method, or the
 * overall question when the form says so. */
static const Rate *headline_rate(const Report *rep)
{
	if (rep->form->headline_overall && rep->overall_question >= 0)
		return &rep->items[rep->overall_question].rate;
	return index_rate(rep->form, &rep->overall);
}

static const char *headline_label(const Report *rep)
{
	if (rep->form->headline_overall && rep->overall_question >= 0)
		return "Mức độ hài lòng chung (câu hỏi chung)";
	return "Chỉ số hài lòng chung";
}

static cJSON *short_rate(const Rate *rate, bool suppressed)
{
	cJSON *o = cJSON_CreateObject();

	add_number(o, "percent", rate->percent);
	add_number(o, "low", rate->low);
	add_number(o, "high", rate->high);
	cJSON_AddStringToObject(o, "verdict", verdict_of(rate, suppressed));
	return o;
}

static int compare_gap(const void *a, const void *b)
{
	double x = cJSON_GetObjectItem(*(cJSON *const *)a, "gap_points")->valuedouble;
	double y = cJSON_GetObjectItem(*(cJSON *const *)b, "gap_points")->valuedouble;
	return (x > y) - (x < y);
}

static cJSON *below_target(const Report *rep)
{
	cJSON *list = cJSON_CreateArray();
	cJSON **rows = calloc((size_t)rep->form->nanswers + 1, sizeof *rows);
	int n = 0;

	if (!rows)
		return list;
	for (int i = 0; i < rep->form->nanswers && !rep->suppressed; i++) {
		const ItemResult *r = &rep->items[i];
		const FormItem *item = &rep->form->items[r->item];
		cJSON *o;
		if (item->kind != ITEM_CRITERION || isnan(r->rate.percent) || !(r->rate.gap < 0))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", item->id);
		add_string(o, "text", item->short_text ? item->short_text : item->text);
		add_number(o, "percent", r->rate.percent);
		add_number(o, "low", r->rate.low);
		add_number(o, "high", r->rate.high);
		add_number(o, "target_percent", r->rate.target);
		add_number(o, "gap_points", r->rate.gap);
		cJSON_AddStringToObject(o, "verdict", verdict_name(r->rate.verdict));
		rows[n++] = o;
	}
	qsort(rows, (size_t)n, sizeof *rows, compare_gap);
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(list, rows[i]);
	free(rows);
	return list;
}

/* ---- schools, children, previous period ---------------------------------- */

typedef struct Ranked {
	int unit;
	double percent;
	bool suppressed;
	cJSON *row;
} Ranked;

static int compare_ranked(const void *a, const void *b)
{
	const Ranked *x = a, *y = b;
	if (x->suppressed != y->suppressed)
		return x->suppressed - y->suppressed;
	if (isnan(x->percent) != isnan(y->percent))
		return isnan(x->percent) - isnan(y->percent);
	if (x->percent != y->percent)
		return (x->percent > y->percent) - (x->percent < y->percent);
	return strcmp(x->row ? cJSON_GetObjectItem(x->row, "code")->valuestring : "",
		      y->row ? cJSON_GetObjectItem(y->row, "code")->valuestring : "");
}

static cJSON *schools_json(Build *b, const VersionData *d)
{
	const Form *form = d->version->form;
	cJSON *o, *crit, *items, *lowest;
	Ranked *ranked = calloc((size_t)b->nunits + 1, sizeof *ranked);
	int nranked = 0, *met, *not_met, *inconclusive, *rated, with_data = 0, suppressed = 0,
	    meeting = 0, ncrit = 0;

	if (!ranked)
		return cJSON_CreateNull();
	for (int k = 0; k < form->nitems; k++)
		ncrit += form->items[k].kind == ITEM_CRITERION && form->items[k].role == ROLE_INDEX;
	met = calloc((size_t)ncrit + 1, sizeof *met);
	not_met = calloc((size_t)ncrit + 1, sizeof *not_met);
	inconclusive = calloc((size_t)ncrit + 1, sizeof *inconclusive);
	rated = calloc((size_t)ncrit + 1, sizeof *rated);
	o = cJSON_CreateObject();
	if (!met || !not_met || !inconclusive || !rated)
		goto done;
	for (int u = 0; u < b->nunits; u++) {
		const Acc *acc = &d->by_unit[u];
		Report rep;
		cJSON *row, *percents;
		int c = 0;
		if (strcmp(b->units[u].kind, "school") != 0 || acc->rounds == 0)
			continue;
		with_data++;
		if (!report_compute(&rep, form, acc->counts, acc->responses, form->target_percent,
				    b->k))
			continue;
		row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "code", b->units[u].code);
		add_string(row, "name", b->units[u].name);
		cJSON_AddNumberToObject(row, "responses", (double)acc->responses);
		cJSON_AddBoolToObject(row, "suppressed", rep.suppressed);
		cJSON_AddItemToObject(row, "headline", short_rate(headline_rate(&rep), rep.suppressed));
		percents = cJSON_AddArrayToObject(row, "criteria");
		for (int i = 0; i < form->nanswers; i++) {
			const ItemResult *r = &rep.items[i];
			const FormItem *item = &form->items[r->item];
			if (item->kind != ITEM_CRITERION || item->role != ROLE_INDEX)
				continue;
			cJSON_AddItemToArray(percents, isnan(r->rate.percent)
							       ? cJSON_CreateNull()
							       : cJSON_CreateNumber(r->rate.percent));
			if (!rep.suppressed && !isnan(r->rate.percent)) {
				rated[c]++;
				met[c] += r->rate.verdict == VERDICT_MET;
				not_met[c] += r->rate.verdict == VERDICT_NOT_MET;
				inconclusive[c] += r->rate.verdict == VERDICT_INCONCLUSIVE;
			}
			c++;
		}
		suppressed += rep.suppressed;
		meeting += !rep.suppressed && headline_rate(&rep)->verdict == VERDICT_MET;
		ranked[nranked].unit = u;
		ranked[nranked].percent = headline_rate(&rep)->percent;
		ranked[nranked].suppressed = rep.suppressed;
		ranked[nranked].row = row;
		nranked++;
		report_free(&rep);
	}
	qsort(ranked, (size_t)nranked, sizeof *ranked, compare_ranked);
	cJSON_AddNumberToObject(o, "count", with_data);
	cJSON_AddNumberToObject(o, "with_data", with_data);
	cJSON_AddNumberToObject(o, "suppressed", suppressed);
	cJSON_AddNumberToObject(o, "meeting_headline", meeting);
	crit = cJSON_AddArrayToObject(o, "criteria");
	for (int k = 0, c = 0; k < form->nitems; k++) {
		cJSON *row;
		if (form->items[k].kind != ITEM_CRITERION || form->items[k].role != ROLE_INDEX)
			continue;
		row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "id", form->items[k].id);
		cJSON_AddNumberToObject(row, "rated", rated[c]);
		cJSON_AddNumberToObject(row, "met", met[c]);
		cJSON_AddNumberToObject(row, "not_met", not_met[c]);
		cJSON_AddNumberToObject(row, "inconclusive", inconclusive[c]);
		cJSON_AddItemToArray(crit, row);
		c++;
	}
	items = cJSON_AddArrayToObject(o, "items");
	lowest = cJSON_AddArrayToObject(o, "lowest");
	for (int i = 0; i < nranked; i++) {
		if (i < 10 && !ranked[i].suppressed && !isnan(ranked[i].percent))
			cJSON_AddItemToArray(lowest,
					     cJSON_CreateString(b->units[ranked[i].unit].code));
		cJSON_AddItemToArray(items, ranked[i].row);
	}
done:
	free(met);
	free(not_met);
	free(inconclusive);
	free(rated);
	free(ranked);
	return o;
}

/* The node's children with rounds in scope, each with its headline for the
 * version it has most responses of. */
static cJSON *children_json(Build *b, const Scope *s)
{
	cJSON *list = cJSON_CreateArray();

	for (int u = 0; u < b->nunits; u++) {
		const VersionData *best = NULL;
		long long responses = 0;
		cJSON *row;
		Report rep;
		if (!b->units[u].child)
			continue;
		for (int i = 0; i < s->ndata; i++) {
			const Acc *acc = &s->data[i].by_unit[u];
			responses += acc->responses;
			if (acc->rounds && (!best || acc->responses > best->by_unit[u].responses))
				best = &s->data[i];
		}
		if (!best)
			continue;
		row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "code", b->units[u].code);
		add_string(row, "name", b->units[u].name);
		add_string(row, "kind", b->units[u].kind);
		cJSON_AddNumberToObject(row, "responses", (double)responses);
		if (!report_compute(&rep, best->version->form, best->by_unit[u].counts,
				    best->by_unit[u].responses, best->version->form->target_percent,
				    b->k)) {
			cJSON_Delete(row);
			continue;
		}
		cJSON_AddItemToObject(row, "headline", short_rate(headline_rate(&rep), rep.suppressed));
		report_free(&rep);
		cJSON_AddItemToArray(list, row);
	}
	return list;
}

/* The previous period's figures of the same questionnaire (same form id;
 * the version with most responses when several): headline and overall
 * question, and the change of every criterion matched by id. */
static void compare(Build *b, cJSON *q, const Report *now, const Scope *prev, const char *from,
		    const char *to)
{
	const VersionData *best = NULL;
	const char *form_id = cJSON_GetObjectItem(cJSON_GetObjectItem(q, "form"), "id")->valuestring;
	cJSON *o, *f, *items;
	Report then;

	for (int i = 0; i < prev->ndata; i++)
		if (strcmp(prev->data[i].version->form_id, form_id) == 0 && prev->data[i].total.counts &&
		    (!best || prev->data[i].total.responses > best->total.responses))
			best = &prev->data[i];
	if (!best || !report_compute(&then, best->version->form, best->total.counts,
				     best->total.responses, best->version->form->target_percent,
				     b->k)) {
		cJSON_AddNullToObject(q, "previous");
		return;
	}
	o = cJSON_AddObjectToObject(q, "previous");
	f = cJSON_AddObjectToObject(o, "period");
	cJSON_AddStringToObject(f, "from", from);
	cJSON_AddStringToObject(f, "to", to);
	f = cJSON_AddObjectToObject(o, "form");
	cJSON_AddStringToObject(f, "id", best->version->form_id);
	add_string(f, "edition", best->version->edition);
	cJSON_AddNumberToObject(f, "version", (double)best->version->id);
	cJSON_AddNumberToObject(o, "responses", (double)best->total.responses);
	f = cJSON_AddObjectToObject(o, "headline");
	add_number(f, "percent", headline_rate(&then)->percent);
	add_number(f, "change_points", headline_rate(now)->percent - headline_rate(&then)->percent);
	if (now->overall_question >= 0 && then.overall_question >= 0) {
		f = cJSON_AddObjectToObject(o, "overall_question");
		add_number(f, "percent", then.items[then.overall_question].rate.percent);
		add_number(f, "change_points", now->items[now->overall_question].rate.percent -
						       then.items[then.overall_question].rate.percent);
	} else {
		cJSON_AddNullToObject(o, "overall_question");
	}
	items = cJSON_GetObjectItem(q, "items");
	for (cJSON *it = items ? items->child : NULL; it; it = it->next) {
		const char *id = cJSON_GetObjectItem(it, "id")->valuestring;
		const FormItem *mine = form_find_item(now->form, id);
		const FormItem *theirs = form_find_item(then.form, id);
		double change;
		if (!mine || !theirs || mine->answer_index < 0 || theirs->answer_index < 0)
			continue;
		change = now->items[mine->answer_index].rate.percent -
			 then.items[theirs->answer_index].rate.percent;
		if (!isnan(change))
			cJSON_ReplaceItemInObject(it, "change_points", cJSON_CreateNumber(change));
	}
	report_free(&then);
}

static cJSON *questionnaire_json(Build *b, const VersionData *d, const Scope *prev,
				 const char *prev_from, const char *prev_to, bool with_schools)
{
	const Version *v = d->version;
	const Form *form = v->form;
	cJSON *q = cJSON_CreateObject(), *f, *elements, *items, *overall;
	Report rep;
	int e = 0;

	if (!report_compute(&rep, form, d->total.counts,
			    d->total.responses, form->target_percent, b->k))
		goto oom;
	f = cJSON_AddObjectToObject(q, "form");
	cJSON_AddStringToObject(f, "id", v->form_id);
	add_string(f, "edition", v->edition);
	add_string(f, "title", form->title);
	cJSON_AddNumberToObject(f, "version", (double)v->id);
	add_string(f, "hash", v->hash);
	add_string(f, "source", form->source_document);
	f = cJSON_AddObjectToObject(q, "method");
	cJSON_AddStringToObject(f, "index", form_index_method_name(form->index_method));
	cJSON_AddStringToObject(f, "headline", form->headline_overall ? "overall-question" : "index");
	cJSON_AddStringToObject(f, "interval", "wilson-95");
	cJSON_AddStringToObject(f, "reference", "docs/methodology.md");
	cJSON_AddNumberToObject(q, "rounds", d->total.rounds);
	cJSON_AddNumberToObject(q, "responses", (double)d->total.responses);
	cJSON_AddBoolToObject(q, "suppressed", rep.suppressed);

	items = cJSON_CreateArray();
	for (int i = 0; i < form->nanswers; i++)
		cJSON_AddItemToArray(items, item_json(&rep, &rep.items[i]));

	overall = index_json(&rep, &rep.overall, true);
	f = cJSON_AddObjectToObject(q, "headline");
	cJSON_AddStringToObject(f, "label", headline_label(&rep));
	cJSON_AddItemToObject(
		f, "rate",
		cJSON_Duplicate(rep.form->headline_overall && rep.overall_question >= 0
					? cJSON_GetObjectItem(cJSON_GetArrayItem(items, rep.overall_question),
							      "rate")
					: cJSON_GetObjectItem(overall, "index"),
				true));
	cJSON_AddItemToObject(q, "overall", overall);
	if (rep.overall_question >= 0) {
		const FormItem *oq = &form->items[rep.items[rep.overall_question].item];
		f = cJSON_AddObjectToObject(q, "overall_question");
		cJSON_AddStringToObject(f, "id", oq->id);
		add_string(f, "text", oq->text);
		cJSON_AddItemToObject(
			f, "rate",
			cJSON_Duplicate(cJSON_GetObjectItem(cJSON_GetArrayItem(items, rep.overall_question),
							    "rate"),
					true));
	} else {
		cJSON_AddNullToObject(q, "overall_question");
	}
	elements = cJSON_AddArrayToObject(q, "elements");
	for (int k = 0; k < form->nitems; k++) {
		cJSON *el;
		if (form->items[k].kind != ITEM_ELEMENT)
			continue;
		el = index_json(&rep, &rep.elements[e++], false);
		cJSON_AddItemToObject(el, "id", cJSON_CreateString(form->items[k].id));
		cJSON_AddItemToObject(el, "text", form->items[k].text ? cJSON_CreateString(form->items[k].text)
								      : cJSON_CreateNull());
		add_number(el, "target_percent", isnan(form->items[k].target_percent)
							 ? form->target_percent
							 : form->items[k].target_percent);
		cJSON_AddItemToArray(elements, el);
	}
	cJSON_AddItemToObject(q, "items", items);
	cJSON_AddItemToObject(q, "below_target", below_target(&rep));
	cJSON_AddItemToObject(q, "schools", with_schools ? schools_json(b, d) : cJSON_CreateNull());
	if (prev)
		compare(b, q, &rep, prev, prev_from, prev_to);
	else
		cJSON_AddNullToObject(q, "previous");
	report_free(&rep);
	return q;
oom:
	cJSON_Delete(q);
	return NULL;
}

/* ---- comments ------------------------------------------------------------ */

static cJSON *comments_json(Build *b, const Scope *s, long long responses)
{
	cJSON *o = cJSON_CreateObject(), *items;
	long long *ids = calloc((size_t)s->nrounds + 1, sizeof *ids), total = 0;
	char *idtext = NULL;
	int nids = 0, withheld = 0;
	long long counted = 0;

	if (!ids)
		goto oom;
	/* Comments only from rounds with at least k responses: a comment from a
	 * class of three would point at its author. */
	for (int i = 0; i < s->nrounds; i++) {
		if (s->rounds[i].responses >= b->k) {
			ids[nids++] = s->rounds[i].id;
			counted += s->rounds[i].comments;
		} else
			withheld += s->rounds[i].responses > 0;
	}
	cJSON_AddBoolToObject(o, "shown", responses >= b->k);
	if (responses >= b->k && nids > 0) {
		if (!(idtext = id_array(ids, nids, sizeof *ids)))
			goto oom;
		items = report_comments_items(b->conn, idtext, b->q->search,
					      b->q->comments_limit > 0 ? b->q->comments_limit
								       : REPORT_COMMENTS_SHOWN,
					      b->q->comments_offset,
					      b->q->search && *b->q->search ? &total : NULL,
					      b->err);
		if (!items)
			goto failed;
		/* Without a search, the total is the tallies' count, like
		 * every other figure of the report (and needs no second
		 * pass over the province's comments). */
		if (!(b->q->search && *b->q->search))
			total = counted;
	} else {
		items = cJSON_CreateArray();
	}
	cJSON_AddNumberToObject(o, "total", (double)total);
	cJSON_AddNumberToObject(o, "withheld_rounds", withheld);
	cJSON_AddNumberToObject(o, "offset", b->q->comments_offset);
	cJSON_AddNumberToObject(o, "limit", b->q->comments_limit > 0 ? b->q->comments_limit
								     : REPORT_COMMENTS_SHOWN);
	cJSON_AddItemToObject(o, "items", items);
	free(idtext);
	free(ids);
	return o;
oom:
	fail(b, 503, NULL, "out of memory");
failed:
	free(idtext);
	free(ids);
	cJSON_Delete(o);
	return NULL;
}

/* ---- the whole report ---------------------------------------------------- */

static bool valid_code(const char *code, size_t max)
{
	size_t n = code ? strlen(code) : 0;

	if (n == 0 || n > max || !isalnum((unsigned char)code[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)code[i]) && !strchr("._-", code[i]))
			return false;
	return true;
}

static long long today_in_vietnam(void)
{
	return ((long long)time(NULL) + 7 * 3600) / 86400;
}

/* The period asked for, or the school year (1 September – 31 August) that
 * holds today; and the period to compare with: as asked, or the one of the
 * same length just before. */
static bool periods(Build *b, char from[11], char to[11], char prev_from[11], char prev_to[11])
{
	const ReportQuery *q = b->q;
	long long f, t, pf, pt, today = q->today ? q->today : today_in_vietnam();

	if (q->from && !report_parse_date(q->from, &f)) {
		fail(b, 422, "from", "from must be a date as YYYY-MM-DD, e.g. 2026-09-01");
		return false;
	}
	if (q->to && !report_parse_date(q->to, &t)) {
		fail(b, 422, "to", "to must be a date as YYYY-MM-DD, e.g. 2027-05-31");
		return false;
	}
	if (!q->from || !q->to) {
		int y, m, d;
		civil_from_days(today, &y, &m, &d);
		if (m < 9)
			y--;
		if (!q->from)
			f = days_from_civil(y, 9, 1);
		if (!q->to)
			t = q->from ? f + 365 : days_from_civil(y + 1, 8, 31);
	}
	if (t < f) {
		fail(b, 422, "to", "the period ends before it starts");
		return false;
	}
	if (t - f > 3660) {
		fail(b, 422, "to", "a period may last at most ten years");
		return false;
	}
	pt = f - 1;
	pf = f - (t - f + 1);
	if (q->compare_from && !report_parse_date(q->compare_from, &pf)) {
		fail(b, 422, "compare_from", "compare_from must be a date as YYYY-MM-DD");
		return false;
	}
	if (q->compare_to && !report_parse_date(q->compare_to, &pt)) {
		fail(b, 422, "compare_to", "compare_to must be a date as YYYY-MM-DD");
		return false;
	}
	if (pt < pf) {
		fail(b, 422, "compare_to", "the period to compare with ends before it starts");
		return false;
	}
	format_day(f, from);
	format_day(t, to);
	format_day(pf, prev_from);
	format_day(pt, prev_to);
	return true;
}

static cJSON *unit_json(const char *code, const char *name, const char *kind)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "code", code);
	add_string(o, "name", name);
	add_string(o, "kind", kind);
	return o;
}

time_t report_clock(void)
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long t;

	if (epoch && *epoch) {
		errno = 0;
		t = strtoll(epoch, &end, 10);
		if (!*end && errno == 0 && t >= 0 && t < 253402300800LL) /* before year 10000 */
			return (time_t)t;
	}
	return time(NULL);
}

static void now_iso(char out[32])
{
	time_t t = report_clock() + 7 * 3600;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+07:00", &tm);
}

bool report_query_check(const ReportQuery *q, char from[11], char to[11], char prev_from[11],
			char prev_to[11], ReportError *err)
{
	Build b = {.q = q, .err = err};

	memset(err, 0, sizeof *err);
	if (!valid_code(q->node, 64)) {
		fail(&b, 404, "node", "no such unit");
		return false;
	}
	if (q->campaign && !valid_code(q->campaign, 16)) {
		fail(&b, 404, "campaign", "no such round in this part of the tree");
		return false;
	}
	if (q->search && strlen(q->search) > REPORT_SEARCH_MAX) {
		fail(&b, 422, "q", "a search may be at most %d bytes", REPORT_SEARCH_MAX);
		return false;
	}
	return periods(&b, from, to, prev_from, prev_to);
}

cJSON *report_build(PGconn *conn, const ReportQuery *q, ReportError *err)
{
	Build b = {.conn = conn, .q = q, .err = err, .k = q->privacy_threshold > 0 ? q->privacy_threshold : 5};
	Scope now = {0}, prev = {0};
	char from[11], to[11], prev_from[11], prev_to[11], stamp[32];
	const char *params[2];
	cJSON *doc = NULL, *o, *scope = NULL, *list;
	PGresult *res = NULL;
	long long responses = 0;
	bool with_schools;

	if (!report_query_check(q, from, to, prev_from, prev_to, err))
		return NULL;

	params[0] = q->node;
	params[1] = q->scope_path;
	if (!(res = query(&b, SQL_REPORT_NODE, 2, params)))
		goto done;
	if (PQntuples(res) != 1) {
		fail(&b, 404, "node", "no unit %s in your part of the tree", q->node);
		goto done;
	}
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "format", "hailong-report/1");
	now_iso(stamp);
	cJSON_AddStringToObject(doc, "generated_at", stamp);
	b.node_id = atoll(PQgetvalue(res, 0, 0));
	b.node_path = strdup(PQgetvalue(res, 0, 4));
	b.node_depth = 1;
	for (const char *p = PQgetvalue(res, 0, 4); *p; p++)
		b.node_depth += *p == '.';
	scope = cJSON_CreateObject();
	cJSON_AddItemToObject(scope, "node", unit_json(PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
						       PQgetvalue(res, 0, 3)));
	cJSON_AddItemToObject(scope, "ancestors", cJSON_Parse(PQgetvalue(res, 0, 5)));
	with_schools = strcmp(PQgetvalue(res, 0, 3), "school") != 0 &&
		       strcmp(PQgetvalue(res, 0, 3), "grade") != 0 &&
		       strcmp(PQgetvalue(res, 0, 3), "class") != 0;
	PQclear(res);
	res = NULL;
	if (!b.node_path)
		goto oom;

	if (q->campaign) {
		params[0] = q->campaign;
		params[1] = b.node_path;
		if (!(res = query(&b, SQL_REPORT_CAMPAIGN, 2, params)))
			goto failed;
		if (PQntuples(res) != 1) {
			fail(&b, 404, "campaign", "no round %s under %s", q->campaign, q->node);
			goto failed;
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "code", PQgetvalue(res, 0, 0));
		cJSON_AddStringToObject(o, "title", PQgetvalue(res, 0, 1));
		/* A round is its own period. */
		snprintf(from, sizeof from, "%s", PQgetvalue(res, 0, 2));
		snprintf(to, sizeof to, "%s", PQgetvalue(res, 0, 3));
		PQclear(res);
		res = NULL;
	} else {
		o = cJSON_CreateNull();
	}
	list = cJSON_AddObjectToObject(scope, "period");
	cJSON_AddStringToObject(list, "from", from);
	cJSON_AddStringToObject(list, "to", to);
	cJSON_AddStringToObject(list, "basis", "opens_at");
	cJSON_AddItemToObject(scope, "campaign", o);
	cJSON_AddNumberToObject(scope, "privacy_threshold", b.k);

	if (!load_units(&b) || !load_scope(&b, &now, from, to, q->campaign, true))
		goto failed;
	if (!q->campaign && !load_scope(&b, &prev, prev_from, prev_to, NULL, false))
		goto failed;
	if (!(res = query(&b, SQL_REPORT_UNCOUNTED, 0, NULL)))
		goto failed;
	if (now.last_minute[0])
		cJSON_AddStringToObject(doc, "data_as_of", now.last_minute);
	else
		cJSON_AddNullToObject(doc, "data_as_of");
	cJSON_AddNumberToObject(doc, "uncounted", atof(PQgetvalue(res, 0, 0)));
	PQclear(res);
	res = NULL;
	cJSON_AddItemToObject(doc, "scope", scope);
	scope = NULL;

	for (int i = 0; i < now.ndata; i++)
		responses += now.data[i].total.responses;
	o = cJSON_AddObjectToObject(doc, "rounds");
	cJSON_AddNumberToObject(o, "count", now.nrounds);
	cJSON_AddNumberToObject(o, "responses", (double)responses);
	if (now.any_target) {
		cJSON *rate;
		cJSON_AddNumberToObject(o, "targeted", (double)now.targeted);
		rate = cJSON_AddObjectToObject(o, "response_rate");
		cJSON_AddNumberToObject(rate, "numerator", (double)responses);
		cJSON_AddNumberToObject(rate, "denominator", (double)now.targeted);
		cJSON_AddNumberToObject(rate, "percent", 100.0 * (double)responses / (double)now.targeted);
	} else {
		cJSON_AddNullToObject(o, "targeted");
		cJSON_AddNullToObject(o, "response_rate");
	}
	cJSON_AddItemToObject(doc, "children", children_json(&b, &now));
	list = cJSON_AddArrayToObject(doc, "questionnaires");
	for (int i = 0; i < now.ndata; i++) {
		cJSON *one = questionnaire_json(&b, &now.data[i], q->campaign ? NULL : &prev, prev_from,
						prev_to, with_schools);
		if (!one)
			goto oom;
		cJSON_AddItemToArray(list, one);
	}
	if (!(o = comments_json(&b, &now, responses)))
		goto failed;
	cJSON_AddItemToObject(doc, "comments", o);
	goto done;
oom:
	fail(&b, 503, NULL, "out of memory");
failed:
	cJSON_Delete(scope);
	cJSON_Delete(doc);
	doc = NULL;
done:
	PQclear(res);
	scope_free(&now, b.nunits);
	scope_free(&prev, b.nunits);
	for (int i = 0; i < b.nunits; i++) {
		free(b.units[i].code);
		free(b.units[i].name);
		free(b.units[i].kind);
	}
	free(b.units);
	for (int i = 0; i < b.nversions; i++) {
		form_free(b.versions[i]->form);
		free(b.versions[i]->form_id);
		free(b.versions[i]->edition);
		free(b.versions[i]->hash);
		free(b.versions[i]);
	}
	free(b.versions);
	free(b.node_path);
	return doc;
}
