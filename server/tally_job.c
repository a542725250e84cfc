#include "tally_job.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db_sync.h"
#include "sql_text.h"
#include "tally.h"
#include "util.h"

/* The five columns of tally rows as text arrays, the form unnest() takes. */
typedef struct Columns {
	Buf campaign, version, index, value, n;
	size_t rows;
} Columns;

typedef enum { RUN_OK, RUN_FAILED, RUN_DUPLICATE } RunStatus;

static void columns_init(Columns *c, size_t hint)
{
	buf_init(&c->campaign, hint * 8);
	buf_init(&c->version, hint * 2);
	buf_init(&c->index, hint * 3);
	buf_init(&c->value, hint * 2);
	buf_init(&c->n, hint * 3);
	c->rows = 0;
}

static void columns_free(Columns *c)
{
	buf_free(&c->campaign);
	buf_free(&c->version);
	buf_free(&c->index);
	buf_free(&c->value);
	buf_free(&c->n);
}

/* Appends ",v" (or "{v" for the first element): printf is too slow for a
 * million numbers a second. */
static void add_number(Buf *b, long long v, bool first)
{
	char tmp[24], *p = tmp + sizeof tmp;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	*--p = first ? '{' : ',';
	buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

static void columns_add(Columns *c, const TallyGroup *g, const TallyCount *k)
{
	bool first = c->rows == 0;

	add_number(&c->campaign, g->campaign_id, first);
	add_number(&c->version, g->version_id, first);
	add_number(&c->index, k->answer_index, first);
	add_number(&c->value, k->value, first);
	add_number(&c->n, k->n, first);
	c->rows++;
}

static void close_array(Buf *b, bool empty)
{
	buf_puts(b, empty ? "{}" : "}");
}

static bool columns_close(Columns *c)
{
	close_array(&c->campaign, c->rows == 0);
	close_array(&c->version, c->rows == 0);
	close_array(&c->index, c->rows == 0);
	close_array(&c->value, c->rows == 0);
	close_array(&c->n, c->rows == 0);
	return !(c->campaign.failed || c->version.failed || c->index.failed || c->value.failed ||
		 c->n.failed);
}

/* PostgreSQL's epoch (2000-01-01) in Unix seconds: binary timestamps
 * count microseconds from it. */
#define PG_EPOCH_UNIX 946684800LL

static int64_t get_i64(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | u[i];
	return (int64_t)v;
}

static void put_be(Buf *b, uint64_t v, int bytes)
{
	unsigned char tmp[8];

	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		tmp[i] = (unsigned char)v;
	buf_add(b, (const char *)tmp, (size_t)bytes);
}

/* One row of binary COPY: field count, then each field's length and value. */
static void copy_row(Buf *b, const TallyGroup *g, const TallyCount *k)
{
	put_be(b, 5, 2);
	put_be(b, 8, 4);
	put_be(b, (uint64_t)g->campaign_id, 8);
	put_be(b, 8, 4);
	put_be(b, (uint64_t)g->version_id, 8);
	put_be(b, 2, 4);
	put_be(b, (uint16_t)k->answer_index, 2);
	put_be(b, 2, 4);
	put_be(b, (uint16_t)k->value, 2);
	put_be(b, 8, 4);
	put_be(b, (uint64_t)k->n, 8);
}

/* A signed decimal from our own query's text result: well-formed. */
static long long parse_ll(const char *s)
{
	bool neg = *s == '-';
	unsigned long long v = 0;

	s += neg;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned long long)(*s++ - '0');
	return neg ? -(long long)v : (long long)v;
}

static RunStatus copy_status(PGconn *conn, PGresult *res, char **err)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	*err = str_oneline("writing tallies: %s", PQerrorMessage(conn));
	return state && strcmp(state, "23505") == 0 ? RUN_DUPLICATE : RUN_FAILED;
}

/* Copies the new tallies in; RUN_DUPLICATE when one existed after all. */
static RunStatus copy_in(PGconn *conn, Buf *rows, size_t count, char **err)
{
	PGresult *res;
	RunStatus st = RUN_OK;

	if (count == 0)
		return RUN_OK;
	put_be(rows, 0xffff, 2); /* the trailer */
	if (rows->failed) {
		*err = NULL;
		return RUN_FAILED;
	}
	res = PQexec(conn, SQL_TALLY_COPY);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		st = copy_status(conn, res, err);
		PQclear(res);
		return st;
	}
	PQclear(res);
	/* libpq takes it in pieces; 1 MiB keeps its buffer small. */
	for (size_t off = 0; off < rows->len && st == RUN_OK; off += 1 << 20) {
		size_t n = rows->len - off < (1 << 20) ? rows->len - off : (1 << 20);
		if (PQputCopyData(conn, rows->data + off, (int)n) != 1)
			st = RUN_FAILED;
	}
	if (PQputCopyEnd(conn, st == RUN_OK ? NULL : "sending failed") != 1)
		st = RUN_FAILED;
	while ((res = PQgetResult(conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && st != RUN_DUPLICATE)
			st = copy_status(conn, res, err);
		PQclear(res);
	}
	if (st == RUN_FAILED && !*err)
		*err = str_oneline("writing tallies: %s", PQerrorMessage(conn));
	return st;
}

/* Writes one column set with sql. */
static RunStatus write_columns(PGconn *conn, const char *sql, Columns *c, char **err)
{
	const char *values[5] = {c->campaign.data, c->version.data, c->index.data, c->value.data,
				 c->n.data};
	PGresult *res;
	RunStatus st = RUN_OK;

	if (c->rows == 0)
		return RUN_OK;
	res = PQexecParams(conn, sql, 5, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		st = RUN_FAILED;
		*err = str_oneline("writing tallies: %s", PQerrorMessage(conn));
	}
	PQclear(res);
	return st;
}

/* Counts the rows of a SQL_TALLY_TAKE result. */
static bool count_rows(PGresult *res, Tally *tally, char **err)
{
	int rows = PQntuples(res);

	for (int i = 0; i < rows; i++) {
		bool oom;
		/* Binary: bigint, bigint, smallint[], timestamptz (microseconds
		 * since 2000-01-01), never NULL (the columns say so). */
		int64_t minute = get_i64(PQgetvalue(res, i, 3)) / 1000000 + PG_EPOCH_UNIX;
		if (!tally_add_binary(tally, get_i64(PQgetvalue(res, i, 0)),
				      get_i64(PQgetvalue(res, i, 1)), PQgetvalue(res, i, 2),
				      (size_t)PQgetlength(res, i, 2), minute, &oom)) {
			*err = oom ? NULL
				   : str_oneline("a response of round %lld has answers that cannot be "
						 "counted",
						 (long long)get_i64(PQgetvalue(res, i, 0)));
			return false;
		}
	}
	return true;
}

/* Adds the batch's totals; splits the tallies into those of pairs seen
 * before (old, added to) and new ones (fresh: binary COPY rows).  all_old: treat
 * every pair as seen before. */
static bool write_totals(PGconn *conn, Tally *tally, bool all_old, Buf *fresh, size_t *nfresh,
			 Columns *old, char **err)
{
	const TallyGroup *groups;
	size_t ngroups, seen_i = 0;
	Buf cid, vid, responses, minutes;
	PGresult *seen = NULL;
	bool ok = false;

	buf_init(&cid, 4096);
	buf_init(&vid, 4096);
	buf_init(&responses, 4096);
	buf_init(&minutes, 4096);
	if (!tally_groups(tally, &groups, &ngroups))
		goto cleanup;
	for (size_t i = 0; i < ngroups; i++) {
		add_number(&cid, groups[i].campaign_id, i == 0);
		add_number(&vid, groups[i].version_id, i == 0);
		add_number(&responses, groups[i].responses, i == 0);
		add_number(&minutes, groups[i].last_minute, i == 0);
	}
	close_array(&cid, ngroups == 0);
	close_array(&vid, ngroups == 0);
	close_array(&responses, ngroups == 0);
	close_array(&minutes, ngroups == 0);
	if (cid.failed || vid.failed || responses.failed || minutes.failed)
		goto cleanup;
	{
		const char *values[4] = {cid.data, vid.data, responses.data, minutes.data};
		seen = db_sync_query(conn, SQL_TALLY_TOTALS, 4, values, "writing totals", err);
		if (!seen)
			goto cleanup;
	}
	/* Both lists are in (campaign_id, version_id) order: one merge. */
	for (size_t i = 0; i < ngroups; i++) {
		TallyCount *counts;
		size_t ncounts;
		bool was_seen = all_old;
		while (seen_i < (size_t)PQntuples(seen)) {
			long long c = parse_ll(PQgetvalue(seen, (int)seen_i, 0));
			long long v = parse_ll(PQgetvalue(seen, (int)seen_i, 1));
			if (c > groups[i].campaign_id ||
			    (c == groups[i].campaign_id && v > groups[i].version_id))
				break;
			seen_i++;
			if (c == groups[i].campaign_id && v == groups[i].version_id) {
				was_seen = true;
				break;
			}
		}
		if (!tally_group_counts(tally, i, &counts, &ncounts))
			goto cleanup;
		for (size_t k = 0; k < ncounts; k++) {
			if (was_seen) {
				columns_add(old, &groups[i], &counts[k]);
			} else {
				copy_row(fresh, &groups[i], &counts[k]);
				++*nfresh;
			}
		}
		free(counts);
	}
	ok = columns_close(old) && !fresh->failed;
cleanup:
	PQclear(seen);
	buf_free(&cid);
	buf_free(&vid);
	buf_free(&responses);
	buf_free(&minutes);
	return ok;
}

static void roll_back(PGconn *conn)
{
	PGresult *res;

	if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) == PQTRANS_IDLE)
		return;
	res = PQexec(conn, "ROLLBACK");
	PQclear(res);
}

static RunStatus run(PGconn *conn, int batch, bool all_old, TallyRun *out, char **err)
{
	char batch_text[16];
	const char *take_params[2] = {batch_text, batch_text};
	PGresult *res = NULL;
	Tally *tally = NULL;
	Columns old;
	Buf fresh;
	size_t nfresh = 0;
	RunStatus st = RUN_FAILED;
	int taken;
	/* The binary COPY header: signature, flags, header extension. */
	static const char copy_header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0";

	*err = NULL;
	memset(out, 0, sizeof *out);
	snprintf(batch_text, sizeof batch_text, "%d", batch);
	buf_init(&fresh, 0);
	columns_init(&old, 0);
	if (!db_sync_exec(conn, "BEGIN", "starting the run", err))
		goto cleanup;
	res = db_sync_query(conn, SQL_TALLY_LOCK, 0, NULL, "taking the lock", err);
	if (!res)
		goto cleanup;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		/* Another instance is counting: it will catch up for everyone. */
		out->busy = true;
		roll_back(conn);
		st = RUN_OK;
		goto cleanup;
	}
	PQclear(res);
	res = PQexecParams(conn, SQL_TALLY_TAKE, 2, NULL, take_params, NULL, NULL, 1);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		*err = str_oneline("taking responses: %s", PQerrorMessage(conn));
		goto cleanup;
	}
	taken = PQntuples(res);
	tally = tally_new();
	if (!tally || !count_rows(res, tally, err))
		goto cleanup;
	/* The responses' text is the run's biggest allocation: go before
	 * the counts are written out. */
	PQclear(res);
	res = NULL;
	if (taken > 0) {
		buf_free(&fresh);
		columns_free(&old);
		buf_init(&fresh, (size_t)taken * 40);
		columns_init(&old, (size_t)taken / 4);
		buf_add(&fresh, copy_header, sizeof copy_header);
		if (!write_totals(conn, tally, all_old, &fresh, &nfresh, &old, err))
			goto cleanup;
		st = copy_in(conn, &fresh, nfresh, err);
		if (st == RUN_OK)
			st = write_columns(conn, SQL_TALLY_UPSERT, &old, err);
		if (st != RUN_OK)
			goto cleanup;
		st = RUN_FAILED;
	}
	if (!db_sync_exec(conn, "COMMIT", "committing the run", err))
		goto cleanup;
	out->counted = tally_responses(tally);
	out->full = taken >= batch;
	st = RUN_OK;
cleanup:
	if (st != RUN_OK) {
		if (!*err)
			*err = str_printf("out of memory");
		roll_back(conn);
	}
	PQclear(res);
	tally_free(tally);
	buf_free(&fresh);
	columns_free(&old);
	return st;
}

bool tally_job_run(PGconn *conn, int batch, TallyRun *out, char **err)
{
	RunStatus st = run(conn, batch, false, out, err);

	if (st == RUN_DUPLICATE) {
		/* Tallies without a total: written by hand, or by something
		 * older than sql/009.  Add to every row this time instead. */
		free(*err);
		st = run(conn, batch, true, out, err);
	}
	return st == RUN_OK;
}
