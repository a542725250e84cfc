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

static void close_array(Buf *b, bool empty)
{
	buf_puts(b, empty ? "{}" : "}");
}

/* PostgreSQL's epoch (2000-01-01) in Unix seconds: binary timestamps
 * count microseconds from it. */
#define PG_EPOCH_UNIX 946684800LL

/* Rows per FETCH: bounds the memory of a run's reading whatever the batch. */
#define FETCH_ROWS "50000"

enum { OID_INT2 = 21, OID_INT8 = 20 };

static uint32_t get_u32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

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

/* The binary form of a one-dimensional array without NULLs of n elements
 * of type oid, each `size` bytes taken by get(i). */
static void put_array(Buf *b, uint32_t oid, int size, size_t n, const TallyCount *c,
		      uint64_t (*get)(const TallyCount *))
{
	put_be(b, n ? 20 + n * (4 + (size_t)size) : 12, 4);
	put_be(b, n ? 1 : 0, 4); /* dimensions */
	put_be(b, 0, 4);	 /* no NULLs */
	put_be(b, oid, 4);
	if (!n)
		return;
	put_be(b, n, 4);
	put_be(b, 1, 4); /* lower bound */
	for (size_t i = 0; i < n; i++) {
		put_be(b, (uint64_t)size, 4);
		put_be(b, get(&c[i]), size);
	}
}

static uint64_t count_index(const TallyCount *c)
{
	return (uint16_t)c->answer_index;
}

static uint64_t count_value(const TallyCount *c)
{
	return (uint16_t)c->value;
}

static uint64_t count_n(const TallyCount *c)
{
	return (uint64_t)c->n;
}

/* One tally_group row of binary COPY: field count, then each field's
 * length and value. */
static void copy_row(Buf *b, const TallyGroup *g, const TallyCount *c, size_t n)
{
	put_be(b, 7, 2);
	put_be(b, 8, 4);
	put_be(b, (uint64_t)g->campaign_id, 8);
	put_be(b, 8, 4);
	put_be(b, (uint64_t)g->version_id, 8);
	put_be(b, 8, 4);
	put_be(b, (uint64_t)g->responses, 8);
	put_be(b, 8, 4);
	put_be(b, (uint64_t)((g->last_minute - PG_EPOCH_UNIX) * 1000000), 8);
	put_array(b, OID_INT2, 2, n, c, count_index);
	put_array(b, OID_INT2, 2, n, c, count_value);
	put_array(b, OID_INT8, 8, n, c, count_n);
}

/* The elements of a binary one-dimensional array without NULLs of type
 * oid (elements of `size` bytes): their count, or -1 when it is not that.
 * *first points at the first element's length word; elements are
 * 4 + size bytes apart. */
static long array_elements(const char *data, size_t len, uint32_t oid, int size,
			   const char **first)
{
	uint32_t count;

	if (len < 12 || get_u32(data + 4) != 0 || get_u32(data + 8) != oid)
		return -1;
	if (get_u32(data) == 0)
		return len == 12 ? 0 : -1;
	if (get_u32(data) != 1 || len < 20)
		return -1;
	count = get_u32(data + 12);
	if (count > INT16_MAX * 64u || len != 20 + (size_t)count * (4 + (size_t)size))
		return -1;
	*first = data + 20;
	for (uint32_t i = 0; i < count; i++)
		if (get_u32(data + 20 + (size_t)i * (4 + (size_t)size)) != (uint32_t)size)
			return -1;
	return (long)count;
}

static int16_t get_i16(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (int16_t)(uint16_t)(u[0] << 8 | u[1]);
}

/* Adds the stored rows of a SQL_TALLY_REMOVE result (binary) to the
 * batch's counts. */
static bool merge_stored(PGresult *res, Tally *tally, char **err)
{
	TallyCount *counts = NULL;
	size_t cap = 0;
	bool ok = false;

	for (int r = 0; r < PQntuples(res); r++) {
		const char *idx, *val, *n;
		long ni = array_elements(PQgetvalue(res, r, 4), (size_t)PQgetlength(res, r, 4),
					 OID_INT2, 2, &idx);
		long nv = array_elements(PQgetvalue(res, r, 5), (size_t)PQgetlength(res, r, 5),
					 OID_INT2, 2, &val);
		long nn = array_elements(PQgetvalue(res, r, 6), (size_t)PQgetlength(res, r, 6),
					 OID_INT8, 8, &n);
		TallyGroup g = {.campaign_id = get_i64(PQgetvalue(res, r, 0)),
				.version_id = get_i64(PQgetvalue(res, r, 1)),
				.responses = get_i64(PQgetvalue(res, r, 2)),
				.last_minute = get_i64(PQgetvalue(res, r, 3)) / 1000000 +
					       PG_EPOCH_UNIX};
		bool oom;

		if (ni < 0 || ni != nv || nv != nn) {
			*err = str_oneline("the tally of round %lld cannot be read",
					   (long long)g.campaign_id);
			goto cleanup;
		}
		if ((size_t)ni > cap) {
			TallyCount *more = realloc(counts, (size_t)ni * sizeof *more);
			if (!more)
				goto cleanup;
			counts = more;
			cap = (size_t)ni;
		}
		for (long i = 0; i < ni; i++)
			counts[i] = (TallyCount){get_i16(idx + i * 6 + 4), get_i16(val + i * 6 + 4),
						 get_i64(n + i * 12 + 4)};
		if (!tally_merge(tally, &g, counts, (size_t)ni, &oom)) {
			if (!oom)
				*err = str_oneline("the tally of round %lld holds counts that "
						   "cannot be added to",
						   (long long)g.campaign_id);
			goto cleanup;
		}
	}
	ok = true;
cleanup:
	free(counts);
	return ok;
}

static bool copy_in(PGconn *conn, const Buf *rows, char **err)
{
	PGresult *res;
	bool ok = true;

	res = PQexec(conn, SQL_TALLY_COPY);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		PQclear(res);
		*err = str_oneline("writing tallies: %s", PQerrorMessage(conn));
		return false;
	}
	PQclear(res);
	/* libpq takes it in pieces; 1 MiB keeps its buffer small. */
	for (size_t off = 0; off < rows->len && ok; off += 1 << 20) {
		size_t n = rows->len - off < (1 << 20) ? rows->len - off : (1 << 20);
		ok = PQputCopyData(conn, rows->data + off, (int)n) == 1;
	}
	if (PQputCopyEnd(conn, ok ? NULL : "sending failed") != 1)
		ok = false;
	while ((res = PQgetResult(conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			ok = false;
		PQclear(res);
	}
	if (!ok)
		*err = str_oneline("writing tallies: %s", PQerrorMessage(conn));
	return ok;
}

/* Counts the rows of one FETCH from the cursor over SQL_TALLY_READ. */
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

/* The taken queue rows as the three arrays SQL_TALLY_READ wants: the
 * ranges' bounds, and the ids of the rows that list theirs. */
static bool ranges_params(PGresult *queue, Buf *lo, Buf *hi, Buf *ids)
{
	size_t ranges = 0, listed = 0;

	for (int r = 0; r < PQntuples(queue); r++) {
		if (PQgetisnull(queue, r, 2)) {
			buf_puts(lo, ranges ? "," : "{");
			buf_puts(lo, PQgetvalue(queue, r, 0));
			buf_puts(hi, ranges++ ? "," : "{");
			buf_puts(hi, PQgetvalue(queue, r, 1));
		} else {
			/* "{4,9,12}": the inside joins the others'. */
			const char *list = PQgetvalue(queue, r, 2);
			size_t len = strlen(list);
			if (len <= 2)
				continue;
			buf_puts(ids, listed++ ? "," : "{");
			buf_add(ids, list + 1, len - 2);
		}
	}
	close_array(lo, ranges == 0);
	close_array(hi, ranges == 0);
	close_array(ids, listed == 0);
	return !(lo->failed || hi->failed || ids->failed);
}

/* Reads and counts the responses of the taken queue rows through a cursor,
 * FETCH_ROWS at a time. */
static bool read_responses(PGconn *conn, PGresult *queue, Tally *tally, char **err)
{
	Buf lo, hi, ids;
	PGresult *res = NULL;
	bool ok = false;

	buf_init(&lo, 256);
	buf_init(&hi, 256);
	buf_init(&ids, 64);
	if (!ranges_params(queue, &lo, &hi, &ids))
		goto cleanup;
	{
		const char *values[3] = {lo.data, hi.data, ids.data};
		res = db_sync_query(conn, SQL_TALLY_READ, 3, values, "reading responses", err);
		if (!res)
			goto cleanup;
	}
	for (;;) {
		PQclear(res);
		/* Binary: the arrays and times cost the server half as much to
		 * send that way. */
		res = PQexecParams(conn, "FETCH FORWARD " FETCH_ROWS " FROM tally_take", 0, NULL, NULL,
				   NULL, NULL, 1);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			*err = str_oneline("reading responses: %s", PQerrorMessage(conn));
			goto cleanup;
		}
		if (PQntuples(res) == 0)
			break;
		if (!count_rows(res, tally, err))
			goto cleanup;
	}
	ok = db_sync_exec(conn, "CLOSE tally_take", "reading responses", err);
cleanup:
	PQclear(res);
	buf_free(&lo);
	buf_free(&hi);
	buf_free(&ids);
	return ok;
}

/* Replaces the tally rows of every group the batch touched by their sums
 * with what was stored: delete (reading the old counts), add, copy in. */
static bool write_groups(PGconn *conn, Tally *tally, char **err)
{
	const TallyGroup *groups;
	size_t ngroups;
	Buf cid, vid, rows;
	PGresult *stored = NULL;
	bool ok = false;
	/* The binary COPY header: signature, flags, header extension. */
	static const char copy_header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0";

	buf_init(&cid, 4096);
	buf_init(&vid, 4096);
	buf_init(&rows, 0);
	if (!tally_groups(tally, &groups, &ngroups))
		goto cleanup;
	for (size_t i = 0; i < ngroups; i++) {
		add_number(&cid, groups[i].campaign_id, i == 0);
		add_number(&vid, groups[i].version_id, i == 0);
	}
	close_array(&cid, ngroups == 0);
	close_array(&vid, ngroups == 0);
	if (cid.failed || vid.failed)
		goto cleanup;
	{
		const char *values[2] = {cid.data, vid.data};
		stored = PQexecParams(conn, SQL_TALLY_REMOVE, 2, NULL, values, NULL, NULL, 1);
		if (PQresultStatus(stored) != PGRES_TUPLES_OK) {
			*err = str_oneline("reading tallies: %s", PQerrorMessage(conn));
			goto cleanup;
		}
	}
	if (!merge_stored(stored, tally, err) || !tally_groups(tally, &groups, &ngroups))
		goto cleanup;
	PQclear(stored);
	stored = NULL;
	buf_add(&rows, copy_header, sizeof copy_header);
	for (size_t i = 0; i < ngroups; i++) {
		TallyCount *counts;
		size_t ncounts;
		if (!tally_group_counts(tally, i, &counts, &ncounts))
			goto cleanup;
		copy_row(&rows, &groups[i], counts, ncounts);
		free(counts);
	}
	put_be(&rows, 0xffff, 2); /* the trailer */
	if (rows.failed)
		goto cleanup;
	ok = copy_in(conn, &rows, err);
cleanup:
	PQclear(stored);
	buf_free(&cid);
	buf_free(&vid);
	buf_free(&rows);
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

bool tally_job_run(PGconn *conn, int batch, TallyRun *out, char **err)
{
	char batch_text[16];
	const char *take_params[2] = {batch_text, batch_text};
	PGresult *res = NULL;
	Tally *tally = NULL;
	bool ok = false;
	long long queued = 0;

	*err = NULL;
	memset(out, 0, sizeof *out);
	snprintf(batch_text, sizeof batch_text, "%d", batch);
	if (!db_sync_exec(conn, "BEGIN", "starting the run", err))
		goto cleanup;
	res = db_sync_query(conn, SQL_TALLY_LOCK, 0, NULL, "taking the lock", err);
	if (!res)
		goto cleanup;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		/* Another instance is counting: it will catch up for everyone. */
		out->busy = true;
		roll_back(conn);
		ok = true;
		goto cleanup;
	}
	PQclear(res);
	res = db_sync_query(conn, SQL_TALLY_TAKE, 2, take_params, "taking the queue", err);
	if (!res)
		goto cleanup;
	for (int r = 0; r < PQntuples(res); r++)
		queued += atoll(PQgetvalue(res, r, 3));
	tally = tally_new();
	if (!tally)
		goto cleanup;
	if (queued > 0 && (!read_responses(conn, res, tally, err) || !write_groups(conn, tally, err)))
		goto cleanup;
	if (!db_sync_exec(conn, "COMMIT", "committing the run", err))
		goto cleanup;
	out->counted = tally_responses(tally);
	out->full = queued >= batch;
	ok = true;
cleanup:
	if (!ok) {
		if (!*err)
			*err = str_printf("out of memory");
		roll_back(conn);
	}
	PQclear(res);
	tally_free(tally);
	return ok;
}
