#include "report_comments.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "report_export.h"
#include "sql_text.h"

/* What a comments request covers, read in its snapshot. */
typedef struct CommentScope {
	PGresult *node;     /* SQL_REPORT_NODE's row: id, code, name, kind, path */
	PGresult *campaign; /* SQL_REPORT_CAMPAIGN's row, or NULL */
	char from[11], to[11];
	char *round_ids;    /* "{…}" of the rounds shown; NULL when none is */
	int withheld;       /* rounds with responses, all under k */
	bool shown;         /* the whole scope has k responses */
} CommentScope;

static bool fail(ReportError *err, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool fail(ReportError *err, int status, const char *field, const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	snprintf(err->field, sizeof err->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	for (char *p = err->message; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return false;
}

/* Runs a statement; NULL with *err (503) unless it gave status want. */
static PGresult *run(PGconn *conn, const char *sql, int n, const char *const *values,
		     ExecStatusType want, ReportError *err)
{
	PGresult *res = PQexecParams(conn, sql, n, NULL, values, NULL, NULL, 0);

	if (PQresultStatus(res) == want)
		return res;
	fail(err, 503, NULL, "database: %s", PQerrorMessage(conn));
	PQclear(res);
	return NULL;
}

static bool run_command(PGconn *conn, const char *sql, ReportError *err)
{
	PGresult *res = run(conn, sql, 0, NULL, PGRES_COMMAND_OK, err);

	PQclear(res);
	return res != NULL;
}

/* A whole number of at most nine digits within [min, max], or -1. */
static long parse_count(const char *text, long min, long max)
{
	size_t n = strlen(text);
	long value;

	if (n == 0 || n > 9)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)text[i]))
			return -1;
	value = atol(text);
	return value >= min && value <= max ? value : -1;
}

bool report_comments_paging(const char *limit, const char *offset, ReportQuery *q,
			    ReportError *err)
{
	long n;

	memset(err, 0, sizeof *err);
	q->comments_limit = REPORT_COMMENTS_SHOWN;
	q->comments_offset = 0;
	if (limit) {
		if ((n = parse_count(limit, 1, REPORT_COMMENTS_PAGE_MAX)) < 0)
			return fail(err, 422, "limit", "limit must be a whole number from 1 to %d",
				    REPORT_COMMENTS_PAGE_MAX);
		q->comments_limit = (int)n;
	}
	if (offset) {
		if ((n = parse_count(offset, 0, REPORT_COMMENTS_OFFSET_MAX)) < 0)
			return fail(err, 422, "offset", "offset must be a whole number from 0 to %d",
				    REPORT_COMMENTS_OFFSET_MAX);
		q->comments_offset = (int)n;
	}
	return true;
}

/* An ILIKE pattern matching text anywhere, with its wildcards escaped;
 * NULL for no search (or when memory runs out: *oom). */
static char *like_pattern(const char *text, bool *oom)
{
	Buf p;

	*oom = false;
	if (!text || !*text)
		return NULL;
	buf_init(&p, strlen(text) + 8);
	buf_puts(&p, "%");
	for (const char *c = text; *c; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			buf_add(&p, "\\", 1);
		buf_add(&p, c, 1);
	}
	buf_puts(&p, "%");
	if (p.failed) {
		buf_free(&p);
		*oom = true;
		return NULL;
	}
	return p.data;
}

static const char *value_or_null(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

cJSON *report_comments_items(PGconn *conn, const char *round_ids, const char *search, int limit,
			     int offset, long long *total, ReportError *err)
{
	char limit_text[16], offset_text[16];
	const char *params[4];
	bool oom;
	char *pattern = like_pattern(search, &oom);
	PGresult *res = NULL;
	cJSON *items = NULL;

	if (total)
		*total = 0;
	if (oom) {
		fail(err, 503, NULL, "out of memory");
		return NULL;
	}
	snprintf(limit_text, sizeof limit_text, "%d", limit);
	snprintf(offset_text, sizeof offset_text, "%d", offset);
	params[0] = round_ids;
	params[1] = pattern;
	params[2] = limit_text;
	params[3] = offset_text;
	/* Counted on its own: a page past the end still knows the total. */
	if (total) {
		if (!(res = run(conn, SQL_COMMENTS_COUNT, 2, params, PGRES_TUPLES_OK, err)))
			goto done;
		*total = atoll(PQgetvalue(res, 0, 0));
		PQclear(res);
		res = NULL;
	}
	if (!(res = run(conn, SQL_COMMENTS_PAGE, 4, params, PGRES_TUPLES_OK, err)))
		goto done;
	if (!(items = cJSON_CreateArray()))
		goto oom;
	for (int i = 0; i < PQntuples(res); i++) {
		cJSON *c = cJSON_CreateObject();
		if (!c)
			goto oom;
		cJSON_AddItemToArray(items, c);
		cJSON_AddStringToObject(c, "date", PQgetvalue(res, i, 0));
		cJSON_AddStringToObject(c, "unit", PQgetvalue(res, i, 1));
		if (PQgetisnull(res, i, 2))
			cJSON_AddNullToObject(c, "question");
		else
			cJSON_AddStringToObject(c, "question", PQgetvalue(res, i, 2));
		cJSON_AddStringToObject(c, "text", PQgetvalue(res, i, 3));
	}
	goto done;
oom:
	fail(err, 503, NULL, "out of memory");
	cJSON_Delete(items);
	items = NULL;
done:
	PQclear(res);
	free(pattern);
	return items;
}

typedef struct RoundCount {
	long long id, responses;
} RoundCount;

static int compare_rounds(const void *a, const void *b)
{
	long long x = ((const RoundCount *)a)->id, y = ((const RoundCount *)b)->id;
	return (x > y) - (x < y);
}

/* "{1,2,3}" of the rounds with at least min responses. */
static void id_list(Buf *out, const RoundCount *rounds, int n, long long min)
{
	int listed = 0;

	buf_puts(out, "{");
	for (int i = 0; i < n; i++)
		if (rounds[i].responses >= min)
			buf_printf(out, "%s%lld", listed++ ? "," : "", rounds[i].id);
	buf_puts(out, "}");
}

/* The unit (in the caller's subtree), the round and the period, and which
 * rounds' comments may be shown: the report's rule on the report's rounds
 * (SQL_REPORT_NODE, SQL_REPORT_CAMPAIGN, SQL_REPORT_ROUNDS) and their
 * counted responses, so both show the same. */
static bool read_scope(PGconn *conn, const ReportQuery *q, int k, CommentScope *s,
		       ReportError *err)
{
	const char *params[4] = {q->node, q->scope_path};
	PGresult *res = NULL;
	RoundCount *rounds = NULL, key, *r;
	long long all = 0;
	Buf ids;
	bool ok = false;
	int n = 0;

	buf_init(&ids, 64);
	if (!(s->node = run(conn, SQL_REPORT_NODE, 2, params, PGRES_TUPLES_OK, err)))
		goto done;
	if (PQntuples(s->node) != 1) {
		fail(err, 404, "node", "no unit %s in your part of the tree", q->node);
		goto done;
	}
	if (q->campaign) {
		params[0] = q->campaign;
		params[1] = PQgetvalue(s->node, 0, 4);
		if (!(s->campaign = run(conn, SQL_REPORT_CAMPAIGN, 2, params, PGRES_TUPLES_OK, err)))
			goto done;
		if (PQntuples(s->campaign) != 1) {
			fail(err, 404, "campaign", "no round %s under %s", q->campaign, q->node);
			goto done;
		}
		/* A round is its own period. */
		snprintf(s->from, sizeof s->from, "%s", PQgetvalue(s->campaign, 0, 2));
		snprintf(s->to, sizeof s->to, "%s", PQgetvalue(s->campaign, 0, 3));
	}
	params[0] = PQgetvalue(s->node, 0, 4);
	params[1] = s->from;
	params[2] = s->to;
	params[3] = q->campaign;
	if (!(res = run(conn, SQL_REPORT_ROUNDS, 4, params, PGRES_TUPLES_OK, err)))
		goto done;
	n = PQntuples(res);
	if (!(rounds = calloc((size_t)n + 1, sizeof *rounds)))
		goto oom;
	for (int i = 0; i < n; i++)
		rounds[i].id = atoll(PQgetvalue(res, i, 0));
	PQclear(res);
	res = NULL;
	qsort(rounds, (size_t)n, sizeof *rounds, compare_rounds);
	id_list(&ids, rounds, n, 0);
	if (ids.failed)
		goto oom;
	params[0] = ids.data;
	if (!(res = run(conn, SQL_COMMENTS_ROUNDS, 1, params, PGRES_TUPLES_OK, err)))
		goto done;
	for (int i = 0; i < PQntuples(res); i++) {
		key.id = atoll(PQgetvalue(res, i, 0));
		if ((r = bsearch(&key, rounds, (size_t)n, sizeof *rounds, compare_rounds))) {
			r->responses = atoll(PQgetvalue(res, i, 1));
			all += r->responses;
		}
	}
	s->shown = all >= k;
	for (int i = 0; i < n; i++)
		s->withheld += rounds[i].responses > 0 && rounds[i].responses < k;
	/* A comment from a class of three would point at its author. */
	buf_free(&ids);
	buf_init(&ids, 64);
	id_list(&ids, rounds, n, k);
	if (ids.failed)
		goto oom;
	if (s->shown && strcmp(ids.data, "{}") != 0) {
		s->round_ids = ids.data;
		ids.data = NULL;
	}
	ok = true;
	goto done;
oom:
	fail(err, 503, NULL, "out of memory");
done:
	buf_free(&ids);
	free(rounds);
	PQclear(res);
	return ok;
}

static cJSON *unit_json(const PGresult *node)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "code", PQgetvalue(node, 0, 1));
	cJSON_AddStringToObject(o, "name", PQgetvalue(node, 0, 2));
	cJSON_AddStringToObject(o, "kind", PQgetvalue(node, 0, 3));
	return o;
}

/* One page as JSON, the scope first so a page stands alone. */
static bool write_page(PGconn *conn, const ReportQuery *q, int k, const CommentScope *s,
		       FILE *out, ReportError *err)
{
	cJSON *page = cJSON_CreateObject(), *scope, *o, *items = NULL;
	int limit = q->comments_limit > 0 ? q->comments_limit : REPORT_COMMENTS_SHOWN;
	long long total = 0;
	char *text = NULL;
	bool ok = false;

	if (!page)
		return fail(err, 503, NULL, "out of memory");
	cJSON_AddStringToObject(page, "format", "hailong-comments/1");
	scope = cJSON_AddObjectToObject(page, "scope");
	cJSON_AddItemToObject(scope, "node", unit_json(s->node));
	o = cJSON_AddObjectToObject(scope, "period");
	cJSON_AddStringToObject(o, "from", s->from);
	cJSON_AddStringToObject(o, "to", s->to);
	cJSON_AddStringToObject(o, "basis", "opens_at");
	if (s->campaign) {
		o = cJSON_AddObjectToObject(scope, "campaign");
		cJSON_AddStringToObject(o, "code", PQgetvalue(s->campaign, 0, 0));
		cJSON_AddStringToObject(o, "title", PQgetvalue(s->campaign, 0, 1));
	} else {
		cJSON_AddNullToObject(scope, "campaign");
	}
	cJSON_AddNumberToObject(scope, "privacy_threshold", k);
	if (q->search && *q->search)
		cJSON_AddStringToObject(page, "q", q->search);
	else
		cJSON_AddNullToObject(page, "q");
	cJSON_AddBoolToObject(page, "shown", s->shown);
	cJSON_AddNumberToObject(page, "withheld_rounds", s->withheld);
	if (s->round_ids) {
		items = report_comments_items(conn, s->round_ids, q->search, limit,
					      q->comments_offset, &total, err);
		if (!items)
			goto done;
	} else if (!(items = cJSON_CreateArray())) {
		fail(err, 503, NULL, "out of memory");
		goto done;
	}
	cJSON_AddNumberToObject(page, "total", (double)total);
	cJSON_AddNumberToObject(page, "limit", limit);
	cJSON_AddNumberToObject(page, "offset", q->comments_offset);
	if ((long long)q->comments_offset + limit < total)
		cJSON_AddNumberToObject(page, "next_offset", q->comments_offset + limit);
	else
		cJSON_AddNullToObject(page, "next_offset");
	cJSON_AddItemToObject(page, "items", items);
	if (!(text = cJSON_PrintUnformatted(page))) {
		fail(err, 503, NULL, "out of memory");
		goto done;
	}
	ok = fputs(text, out) >= 0 && fputc('\n', out) != EOF;
	if (!ok)
		fail(err, 503, NULL, "cannot write the comments: %s", strerror(errno));
done:
	free(text);
	cJSON_Delete(page);
	return ok;
}

/* Every comment as CSV rows, a cursor batch at a time: memory is one
 * batch whatever the total. */
static bool write_csv(PGconn *conn, const ReportQuery *q, const CommentScope *s, FILE *out,
		      ReportError *err)
{
	const char *params[4];
	bool oom, ok = false;
	char *pattern = like_pattern(q->search, &oom);
	PGresult *res = NULL;

	if (oom)
		return fail(err, 503, NULL, "out of memory");
	if (!report_comments_csv_header(out))
		goto write_failed;
	if (!s->round_ids) {
		ok = true;
		goto done;
	}
	params[0] = s->round_ids;
	params[1] = pattern;
	params[2] = NULL; /* LIMIT NULL: every row */
	params[3] = "0";
	if (!(res = run(conn, SQL_COMMENTS_DECLARE, 4, params, PGRES_COMMAND_OK, err)))
		goto done;
	for (;;) {
		PQclear(res);
		if (!(res = run(conn, SQL_COMMENTS_FETCH, 0, NULL, PGRES_TUPLES_OK, err)))
			goto done;
		if (PQntuples(res) == 0)
			break;
		for (int i = 0; i < PQntuples(res); i++)
			if (!report_comments_csv_row(out, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
						     value_or_null(res, i, 2), PQgetvalue(res, i, 3)))
				goto write_failed;
	}
	ok = true;
	goto done;
write_failed:
	fail(err, 503, NULL, "cannot write the comments: %s", strerror(errno));
done:
	PQclear(res);
	free(pattern);
	return ok;
}

bool report_comments_write(PGconn *conn, const ReportQuery *q, CommentsFormat format, FILE *out,
			   ReportError *err)
{
	CommentScope s = {0};
	char prev_from[11], prev_to[11];
	int k = q->privacy_threshold > 0 ? q->privacy_threshold : 5;
	bool ok = false;

	if (!report_query_check(q, s.from, s.to, prev_from, prev_to, err))
		return false;
	if (!run_command(conn, SQL_COMMENTS_BEGIN, err))
		return false;
	if (read_scope(conn, q, k, &s, err) &&
	    (format == COMMENTS_CSV ? write_csv(conn, q, &s, out, err)
				    : write_page(conn, q, k, &s, out, err)))
		ok = run_command(conn, SQL_COMMENTS_COMMIT, err);
	if (!ok && PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, SQL_COMMENTS_ROLLBACK));
	if (ok && (fflush(out) != 0 || ferror(out)))
		ok = fail(err, 503, NULL, "cannot write the comments: %s", strerror(errno));
	PQclear(s.node);
	PQclear(s.campaign);
	free(s.round_ids);
	return ok;
}
