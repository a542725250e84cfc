#include "tally_job.h"

#include <pthread.h>
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

/* One tally_group row of binary COPY: field count, then each field's
 * length and value; the counts as sql/011 packs them. */
static void copy_row(Buf *b, const TallyGroup *g, const TallyCount *c, size_t n)
{
	put_be(b, 5, 2);
	put_be(b, 8, 4);
	put_be(b, (uint64_t)g->campaign_id, 8);
	put_be(b, 8, 4);
	put_be(b, (uint64_t)g->version_id, 8);
	put_be(b, 8, 4);
	put_be(b, (uint64_t)g->responses, 8);
	put_be(b, 8, 4);
	put_be(b, (uint64_t)((g->last_minute - PG_EPOCH_UNIX) * 1000000), 8);
	put_be(b, n * 8, 4);
	for (size_t i = 0; i < n; i++) {
		put_be(b, (uint16_t)c[i].answer_index, 2);
		put_be(b, (uint16_t)c[i].value, 2);
		put_be(b, (uint32_t)c[i].n, 4);
	}
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
		const char *packed = PQgetvalue(res, r, 4);
		size_t len = (size_t)PQgetlength(res, r, 4), n = len / 8;
		TallyGroup g = {.campaign_id = get_i64(PQgetvalue(res, r, 0)),
				.version_id = get_i64(PQgetvalue(res, r, 1)),
				.responses = get_i64(PQgetvalue(res, r, 2)),
				.last_minute = get_i64(PQgetvalue(res, r, 3)) / 1000000 +
					       PG_EPOCH_UNIX};
		bool oom;

		if (n > cap) {
			TallyCount *more = realloc(counts, n * sizeof *more);
			if (!more)
				goto cleanup;
			counts = more;
			cap = n;
		}
		for (size_t i = 0; i < n; i++)
			counts[i] = (TallyCount){get_i16(packed + i * 8), get_i16(packed + i * 8 + 2),
						 (int64_t)get_u32(packed + i * 8 + 4)};
		if (len % 8 || !tally_merge(tally, &g, counts, n, &oom)) {
			if (len % 8 || !oom)
				*err = str_oneline("the tally of round %lld cannot be added to",
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

/* Counts the rows in one message of SQL_TALLY_READ's binary COPY: the
 * stream's header (first message only), then whole rows, or the trailer.
 * Fields: bigint, bigint, smallint[], timestamptz (microseconds since
 * 2000-01-01), never NULL (the columns say so). */
static bool count_copy_message(const char *data, size_t len, bool *header_seen, Tally *tally,
			       char **err)
{
	const char *p = data, *end = data + len;

	if (!*header_seen) {
		if (len < 19 || memcmp(data, "PGCOPY\n\377\r\n\0", 11) != 0 ||
		    get_u32(data + 15) > len - 19)
			goto malformed;
		p += 19 + get_u32(data + 15); /* flags, then the header extension */
		*header_seen = true;
	}
	while (p < end) {
		int64_t ids[2], minute;
		const char *answers;
		uint32_t answers_len;
		bool oom;

		if (end - p < 2)
			goto malformed;
		if (get_i16(p) == -1)
			return true; /* the trailer */
		if (get_i16(p) != 4 || end - p < 2 + 12 + 12 + 4)
			goto malformed;
		if (get_u32(p + 2) != 8 || get_u32(p + 14) != 8)
			goto malformed;
		ids[0] = get_i64(p + 6);
		ids[1] = get_i64(p + 18);
		answers_len = get_u32(p + 26);
		answers = p + 30;
		if ((size_t)(end - answers) < (size_t)answers_len + 12 ||
		    get_u32(answers + answers_len) != 8)
			goto malformed;
		minute = get_i64(answers + answers_len + 4) / 1000000 + PG_EPOCH_UNIX;
		if (!tally_add_binary(tally, ids[0], ids[1], answers, answers_len, minute, &oom)) {
			*err = oom ? NULL
				   : str_oneline("a response of round %lld has answers that cannot be "
						 "counted",
						 (long long)ids[0]);
			return false;
		}
		p = answers + answers_len + 12;
	}
	return true;
malformed:
	*err = str_oneline("reading responses: unexpected data from the database");
	return false;
}

/* One reader's share of the taken queue rows, as the three arrays
 * SQL_TALLY_RANGES wants (text): the ranges' bounds, and single ids. */
typedef struct Part {
	Buf lo, hi, ids;
	size_t ranges, listed;
	long long rows;
} Part;

static void part_init(Part *part)
{
	buf_init(&part->lo, 256);
	buf_init(&part->hi, 256);
	buf_init(&part->ids, 64);
	part->ranges = part->listed = 0;
	part->rows = 0;
}

static void part_free(Part *part)
{
	buf_free(&part->lo);
	buf_free(&part->hi);
	buf_free(&part->ids);
}

static bool part_close(Part *part)
{
	close_array(&part->lo, part->ranges == 0);
	close_array(&part->hi, part->ranges == 0);
	close_array(&part->ids, part->listed == 0);
	return !(part->lo.failed || part->hi.failed || part->ids.failed);
}

/* Deals the taken queue rows (first_id, last_id, ids, rows) out to the
 * parts, each to the one with the fewest responses so far. */
static bool split_queue(PGresult *queue, Part *parts, int nparts)
{
	for (int r = 0; r < PQntuples(queue); r++) {
		Part *part = &parts[0];
		for (int k = 1; k < nparts; k++)
			if (parts[k].rows < part->rows)
				part = &parts[k];
		part->rows += atoll(PQgetvalue(queue, r, 3));
		if (PQgetisnull(queue, r, 2)) {
			buf_puts(&part->lo, part->ranges ? "," : "{");
			buf_puts(&part->lo, PQgetvalue(queue, r, 0));
			buf_puts(&part->hi, part->ranges++ ? "," : "{");
			buf_puts(&part->hi, PQgetvalue(queue, r, 1));
		} else {
			/* "{4,9,12}": the inside joins the others'. */
			const char *list = PQgetvalue(queue, r, 2);
			size_t len = strlen(list);
			if (len <= 2)
				continue;
			buf_puts(&part->ids, part->listed++ ? "," : "{");
			buf_add(&part->ids, list + 1, len - 2);
		}
	}
	for (int k = 0; k < nparts; k++)
		if (!part_close(&parts[k]))
			return false;
	return true;
}

/* Reads and counts one part's responses with a binary COPY, inside the
 * connection's open transaction. */
static bool read_part(PGconn *conn, const Part *part, Tally *tally, char **err)
{
	const char *values[3] = {part->lo.data, part->hi.data, part->ids.data};
	PGresult *res;
	char *row;
	int len;
	bool ok = true, header_seen = false;

	/* COPY takes no parameters: the ranges go in as transaction-local
	 * settings, which the COPY's query reads. */
	res = db_sync_query(conn, SQL_TALLY_RANGES, 3, values, "reading responses", err);
	if (!res)
		return false;
	PQclear(res);
	res = PQexec(conn, SQL_TALLY_READ);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		*err = str_oneline("reading responses: %s", PQerrorMessage(conn));
		PQclear(res);
		return false;
	}
	PQclear(res);
	/* One message per row; keep draining after a failure so the
	 * connection stays usable for the rollback. */
	while ((len = PQgetCopyData(conn, &row, 0)) > 0) {
		if (ok)
			ok = count_copy_message(row, (size_t)len, &header_seen, tally, err);
		PQfreemem(row);
	}
	while ((res = PQgetResult(conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && ok) {
			*err = str_oneline("reading responses: %s", PQerrorMessage(conn));
			ok = false;
		}
		PQclear(res);
	}
	if (len == -2 && ok) {
		*err = str_oneline("reading responses: %s", PQerrorMessage(conn));
		ok = false;
	}
	return ok;
}

/* The second reader, on its own thread and connection, in a read-only
 * transaction of its own: the responses it reads are committed (their
 * queue rows were), so any snapshot taken now sees them. */
typedef struct Helper {
	PGconn *conn;
	const Part *part;
	Tally *tally;
	char *err;
	bool ok;
} Helper;

static void *helper_run(void *arg)
{
	Helper *h = arg;

	h->ok = db_sync_exec(h->conn, "BEGIN READ ONLY", "reading responses", &h->err) &&
		read_part(h->conn, h->part, h->tally, &h->err);
	if (PQstatus(h->conn) == CONNECTION_OK &&
	    PQtransactionStatus(h->conn) != PQTRANS_IDLE)
		PQclear(PQexec(h->conn, "ROLLBACK")); /* it only read */
	return NULL;
}

/* Adds every group of `from` to `to`. */
static bool merge_tally(Tally *to, Tally *from, char **err)
{
	const TallyGroup *groups;
	size_t ngroups;

	if (!tally_groups(from, &groups, &ngroups))
		return false;
	for (size_t i = 0; i < ngroups; i++) {
		TallyCount *counts;
		size_t ncounts;
		bool ok, oom;
		if (!tally_group_counts(from, i, &counts, &ncounts))
			return false;
		ok = tally_merge(to, &groups[i], counts, ncounts, &oom);
		free(counts);
		if (!ok) {
			if (!oom)
				*err = str_oneline("round %lld: counts too big to add up",
						   (long long)groups[i].campaign_id);
			return false;
		}
	}
	return true;
}

/* Reads and counts the responses of the taken queue rows: on conn alone,
 * or half of them on reader at the same time (two backends convert rows
 * for sending, the server's biggest cost here).  *counted: responses
 * read. */
static bool read_responses(PGconn *conn, PGconn *reader, PGresult *queue, Tally *tally,
			   long long *counted, char **err)
{
	Part parts[2];
	int nparts = reader ? 2 : 1;
	Helper helper = {.conn = reader};
	pthread_t thread;
	bool started = false, ok = false;

	part_init(&parts[0]);
	part_init(&parts[1]);
	if (!split_queue(queue, parts, nparts))
		goto cleanup;
	if (reader) {
		helper.part = &parts[1];
		if (!(helper.tally = tally_new()))
			goto cleanup;
		started = pthread_create(&thread, NULL, helper_run, &helper) == 0;
		if (!started) {
			*err = str_oneline("reading responses: cannot start a thread");
			goto cleanup;
		}
	}
	ok = read_part(conn, &parts[0], tally, err);
	if (started) {
		pthread_join(thread, NULL);
		if (ok && !helper.ok) {
			ok = false;
			*err = helper.err;
			helper.err = NULL;
		}
		*counted = tally_responses(tally) + tally_responses(helper.tally);
		if (ok)
			ok = merge_tally(tally, helper.tally, err);
	} else {
		*counted = tally_responses(tally);
	}
cleanup:
	free(helper.err);
	tally_free(helper.tally);
	part_free(&parts[0]);
	part_free(&parts[1]);
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

bool tally_job_run(PGconn *conn, PGconn *reader, int batch, TallyRun *out, char **err)
{
	char batch_text[16];
	const char *take_params[2] = {batch_text, batch_text};
	PGresult *res = NULL;
	Tally *tally = NULL;
	bool ok = false;
	long long queued = 0, counted = 0;

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
	if (queued > 0 && (!read_responses(conn, reader, res, tally, &counted, err) ||
			   !write_groups(conn, tally, err)))
		goto cleanup;
	if (!db_sync_exec(conn, "COMMIT", "committing the run", err))
		goto cleanup;
	out->counted = counted;
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
