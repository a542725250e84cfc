#include "committer.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "buf.h"
#include "log.h"
#include "metrics.h"
#include "sql_text.h"
#include "util.h"

enum {
	MAX_UNRESOLVED_RETRIES = 3,
	/* A row with less time left than this (or a quarter of the deadline)
	 * is refused rather than sent: a batch takes its earliest row's
	 * deadline, and one row about to expire would doom its neighbours. */
	MIN_SEND_MS = 250,
};

typedef struct Batch Batch;

struct CommitTicket {
	Committer *c;
	CommitItem *item;
	CommitCallback cb;
	void *arg;
	bool cancelled;
	bool solo;   /* after a failed batch: goes alone */
	int retries; /* unresolved → sent again */
	int64_t deadline_ms; /* monotonic; 0: none */
	DbJob *lookup;
	TAILQ_ENTRY(CommitTicket) link; /* in pending or lookups */
};

TAILQ_HEAD(TicketList, CommitTicket);

struct Batch {
	Committer *c;
	CommitTicket **tickets;
	int n;
	DbJob *job;
	LIST_ENTRY(Batch) link;
};

struct Committer {
	struct event_base *base;
	DbPool *pool;
	CommitterOptions opts;
	struct TicketList pending;
	struct TicketList lookups; /* tickets waiting for a second look */
	int npending;
	LIST_HEAD(, Batch) batches;
	int in_flight;
	struct event *flush_ev;    /* flushes at the next turn of the loop */
	struct event *flush_timer; /* wait_ms */
	struct event *expiry;      /* the earliest deadline among pending tickets */
	CommitterStats stats;
	MetricsShard *metrics; /* borrowed; NULL: none */
};

void commit_item_free(CommitItem *item)
{
	if (!item)
		return;
	free(item->answers_json);
	free(item->texts_json);
	free(item);
}

/* Time left before t's deadline, in ms (<= 0: passed); INT32_MAX when it has
 * none. */
static int64_t ticket_left(const CommitTicket *t, int64_t now)
{
	return t->deadline_ms ? t->deadline_ms - now : INT32_MAX;
}

static void ticket_deliver(CommitTicket *t, CommitOutcome outcome)
{
	Committer *c = t->c;

	switch (outcome) {
	case COMMIT_STORED:
		c->stats.stored++;
		break;
	case COMMIT_REPLAY:
		c->stats.replays++;
		break;
	case COMMIT_CONFLICT:
		c->stats.conflicts++;
		break;
	case COMMIT_SLIP_USED:
		c->stats.slip_used++;
		break;
	case COMMIT_UNAVAILABLE:
		c->stats.unavailable++;
		break;
	case COMMIT_ERROR:
		c->stats.errors++;
		break;
	}
	if (!t->cancelled && t->cb)
		t->cb(outcome, t->arg);
	commit_item_free(t->item);
	free(t);
}

static void arm_expiry(Committer *c);

static void schedule_flush(Committer *c)
{
	if (c->npending == 0)
		return;
	arm_expiry(c);
	if (c->opts.wait_ms > 0 && c->npending < c->opts.batch_max) {
		if (!evtimer_pending(c->flush_timer, NULL)) {
			struct timeval tv = {.tv_sec = c->opts.wait_ms / 1000,
					     .tv_usec = (c->opts.wait_ms % 1000) * 1000};
			evtimer_add(c->flush_timer, &tv);
		}
		return;
	}
	event_active(c->flush_ev, EV_TIMEOUT, 0);
}

static void batch_free(Batch *b)
{
	LIST_REMOVE(b, link);
	free(b->tickets);
	free(b);
}

static void lookup_done(const DbResult *result, void *arg);

/* Looks again, in a fresh snapshot, at a row the batch could not resolve. */
static void ticket_lookup(CommitTicket *t)
{
	Committer *c = t->c;
	char campaign[24];
	const char *params[3] = {t->item->submission_id, t->item->hash_hex, campaign};
	DbQuery q = {.sql = SQL_SUBMISSION_LOOKUP, .nparams = 3, .values = params};

	snprintf(campaign, sizeof campaign, "%lld", (long long)t->item->campaign_id);
	TAILQ_INSERT_TAIL(&c->lookups, t, link);
	t->lookup = db_submit(c->pool, &q, lookup_done, t, NULL);
	if (!t->lookup) {
		TAILQ_REMOVE(&c->lookups, t, link);
		ticket_deliver(t, COMMIT_UNAVAILABLE);
	}
}

static void lookup_done(const DbResult *result, void *arg)
{
	CommitTicket *t = arg;
	Committer *c = t->c;

	t->lookup = NULL;
	TAILQ_REMOVE(&c->lookups, t, link);
	if (result->status != DB_OK) {
		ticket_deliver(t, result->status == DB_ERR_QUERY ? COMMIT_ERROR : COMMIT_UNAVAILABLE);
		return;
	}
	if (PQntuples(result->res) == 1) {
		ticket_deliver(t, strcmp(PQgetvalue(result->res, 0, 0), "t") == 0 ? COMMIT_REPLAY
										    : COMMIT_CONFLICT);
		return;
	}
	if (t->item->slip[0]) {
		ticket_deliver(t, COMMIT_SLIP_USED);
		return;
	}
	/* Not stored and not visible: a concurrent insert that rolled back.
	 * Send it again. */
	if (++t->retries > MAX_UNRESOLVED_RETRIES) {
		log_warn("submission %s stayed unresolved after %d tries", t->item->submission_id,
			 MAX_UNRESOLVED_RETRIES);
		ticket_deliver(t, COMMIT_UNAVAILABLE);
		return;
	}
	TAILQ_INSERT_HEAD(&c->pending, t, link);
	c->npending++;
	schedule_flush(c);
}

static CommitOutcome outcome_of(const char *status)
{
	if (strcmp(status, "stored") == 0)
		return COMMIT_STORED;
	if (strcmp(status, "replay") == 0)
		return COMMIT_REPLAY;
	if (strcmp(status, "conflict") == 0)
		return COMMIT_CONFLICT;
	return (CommitOutcome)-1; /* unresolved */
}

static void batch_done(const DbResult *result, void *arg)
{
	Batch *b = arg;
	Committer *c = b->c;

	b->job = NULL;
	c->in_flight--;
	if (result->status == DB_OK && PQntuples(result->res) == b->n) {
		for (int i = 0; i < b->n; i++) {
			CommitTicket *t = b->tickets[i];
			CommitOutcome o = outcome_of(PQgetvalue(result->res, i, 1));
			if ((int)o < 0)
				ticket_lookup(t);
			else
				ticket_deliver(t, o);
		}
	} else if (result->status == DB_ERR_QUERY && result->sqlstate &&
		   strcmp(result->sqlstate, "57014") == 0) {
		/* Cancelled (statement_timeout, or past its budget: sql/014): the
		 * transaction rolled back, nothing of it is stored, and no row is
		 * to blame.  Each parent gets 503 and resends. */
		log_warn("commit batch of %d cancelled: %s", b->n, result->message);
		for (int i = 0; i < b->n; i++)
			ticket_deliver(b->tickets[i], COMMIT_UNAVAILABLE);
	} else if (result->status == DB_ERR_QUERY && b->n > 1) {
		/* One bad row fails the statement: send each row alone, in order. */
		log_warn("commit batch of %d failed (%s); retrying row by row", b->n,
			 result->message);
		c->stats.split_batches++;
		for (int i = b->n - 1; i >= 0; i--) {
			b->tickets[i]->solo = true;
			TAILQ_INSERT_HEAD(&c->pending, b->tickets[i], link);
			c->npending++;
		}
	} else {
		CommitOutcome o = result->status == DB_ERR_QUERY ? COMMIT_ERROR : COMMIT_UNAVAILABLE;
		if (result->status == DB_ERR_QUERY)
			log_warn("submission %s refused by the database: %s",
				 b->tickets[0]->item->submission_id, result->message);
		for (int i = 0; i < b->n; i++)
			ticket_deliver(b->tickets[i], o);
	}
	batch_free(b);
	schedule_flush(c);
}

/* Appends one item as a JSON object. */
static void item_json(Buf *out, const CommitItem *it)
{
	buf_printf(out, "{\"s\":\"%s\",\"c\":%lld,\"v\":%lld,\"h\":\"%s\",\"a\":%s,\"t\":%s,"
			"\"src\":\"%s\",\"slip\":",
		   it->submission_id, (long long)it->campaign_id, (long long)it->version_id,
		   it->hash_hex, it->answers_json, it->texts_json ? it->texts_json : "null",
		   it->source);
	if (it->slip[0])
		buf_printf(out, "\"%s\"", it->slip);
	else
		buf_puts(out, "null");
	buf_printf(out, ",\"rc\":\"%s\"}", it->receipt);
}

/* Two rows of one batch must not share a slip or a submission id: the
 * statement could not tell them apart.  Such a row waits for the next batch. */
static bool clashes(CommitTicket **taken, int n, const CommitTicket *t)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(taken[i]->item->submission_id, t->item->submission_id) == 0)
			return true;
		if (t->item->slip[0] && strcmp(taken[i]->item->slip, t->item->slip) == 0)
			return true;
	}
	return false;
}

static int64_t min_send_ms(const Committer *c)
{
	return c->opts.timeout_ms / 4 < MIN_SEND_MS ? c->opts.timeout_ms / 4 : MIN_SEND_MS;
}

/* Answers every pending ticket whose deadline has passed or is too close to
 * send it: it was never sent (or its earlier attempt surely stored nothing),
 * so COMMIT_UNAVAILABLE is the truth, and a parent waiting behind batches
 * stuck on a slow database gets 503 at the deadline instead of a wait of
 * several deadlines. */
static void expire_pending(Committer *c, int64_t now)
{
	CommitTicket *t, *next;

	for (t = TAILQ_FIRST(&c->pending); t; t = next) {
		next = TAILQ_NEXT(t, link);
		if (ticket_left(t, now) > min_send_ms(c))
			continue;
		TAILQ_REMOVE(&c->pending, t, link);
		c->npending--;
		c->stats.expired++;
		ticket_deliver(t, COMMIT_UNAVAILABLE);
	}
}

/* Sets the expiry timer to the earliest deadline of a pending ticket.  The
 * list is scanned only when the timer is not already set (it then fires at
 * most a little late for tickets queued at the head since, which are older
 * and so have the earlier deadlines anyway). */
static void arm_expiry(Committer *c)
{
	CommitTicket *t;
	int64_t now, first = INT32_MAX;
	struct timeval tv;

	if (c->opts.timeout_ms <= 0 || c->npending == 0 || evtimer_pending(c->expiry, NULL))
		return;
	now = monotonic_ms();
	TAILQ_FOREACH(t, &c->pending, link)
	{
		int64_t left = ticket_left(t, now) - min_send_ms(c);
		if (left < first)
			first = left;
	}
	if (first < 0)
		first = 0;
	tv.tv_sec = (long)(first / 1000);
	tv.tv_usec = (long)(first % 1000) * 1000;
	evtimer_add(c->expiry, &tv);
}

static void expiry_cb(evutil_socket_t fd, short what, void *arg)
{
	Committer *c = arg;

	(void)fd;
	(void)what;
	expire_pending(c, monotonic_ms());
	arm_expiry(c);
}

static void flush(Committer *c)
{
	while (c->npending > 0 && c->in_flight < c->opts.max_batches) {
		Batch *b = calloc(1, sizeof *b);
		CommitTicket *t, *next;
		/* $2, the budget, is filled in by the pool as it sends. */
		DbQuery q = {.sql = SQL_COMMIT_BATCH, .nparams = 2, .budget_param = 2};
		const char *params[2] = {NULL, NULL};
		int64_t now = monotonic_ms(), left = INT32_MAX;
		Buf json;

		if (!b || !(b->tickets = calloc((size_t)c->opts.batch_max, sizeof *b->tickets))) {
			free(b);
			log_error("out of memory building a commit batch");
			return;
		}
		b->c = c;
		LIST_INSERT_HEAD(&c->batches, b, link);
		for (t = TAILQ_FIRST(&c->pending); t && b->n < c->opts.batch_max; t = next) {
			next = TAILQ_NEXT(t, link);
			if (t->solo && b->n > 0)
				break;
			if (clashes(b->tickets, b->n, t))
				continue;
			TAILQ_REMOVE(&c->pending, t, link);
			c->npending--;
			if (ticket_left(t, now) <= min_send_ms(c)) {
				c->stats.expired++;
				ticket_deliver(t, COMMIT_UNAVAILABLE);
				continue;
			}
			if (ticket_left(t, now) < left)
				left = ticket_left(t, now);
			b->tickets[b->n++] = t;
			if (t->solo)
				break;
		}
		if (b->n == 0) {
			batch_free(b);
			continue;
		}
		/* The batch may not outlive its earliest row's deadline. */
		if (left < INT32_MAX)
			q.timeout_ms = left < 1 ? 1 : (int)left;
		buf_init(&json, (size_t)b->n * 160);
		buf_puts(&json, "[");
		for (int i = 0; i < b->n; i++) {
			if (i)
				buf_puts(&json, ",");
			item_json(&json, b->tickets[i]->item);
		}
		buf_puts(&json, "]");
		params[0] = json.data;
		q.values = params;
		b->job = json.failed ? NULL : db_submit(c->pool, &q, batch_done, b, NULL);
		buf_free(&json);
		if (!b->job) {
			for (int i = 0; i < b->n; i++)
				ticket_deliver(b->tickets[i], COMMIT_UNAVAILABLE);
			batch_free(b);
			continue;
		}
		c->in_flight++;
		c->stats.batches++;
		c->stats.rows += (unsigned long long)b->n;
		metrics_commit_batch(c->metrics, b->n);
	}
}

static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush(arg);
}

Committer *committer_new(struct event_base *base, DbPool *pool, const CommitterOptions *opts)
{
	Committer *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->base = base;
	c->pool = pool;
	c->opts = *opts;
	if (c->opts.batch_max < 1)
		c->opts.batch_max = 1;
	if (c->opts.max_batches < 1)
		c->opts.max_batches = 1;
	TAILQ_INIT(&c->pending);
	TAILQ_INIT(&c->lookups);
	LIST_INIT(&c->batches);
	c->flush_ev = event_new(base, -1, 0, flush_cb, c);
	c->flush_timer = evtimer_new(base, flush_cb, c);
	c->expiry = evtimer_new(base, expiry_cb, c);
	if (!c->flush_ev || !c->flush_timer || !c->expiry) {
		committer_free(c);
		return NULL;
	}
	return c;
}

void committer_free(Committer *c)
{
	if (!c)
		return;
	while (!TAILQ_EMPTY(&c->pending)) {
		CommitTicket *t = TAILQ_FIRST(&c->pending);
		TAILQ_REMOVE(&c->pending, t, link);
		c->npending--;
		ticket_deliver(t, COMMIT_UNAVAILABLE);
	}
	while (!TAILQ_EMPTY(&c->lookups)) {
		CommitTicket *t = TAILQ_FIRST(&c->lookups);
		TAILQ_REMOVE(&c->lookups, t, link);
		db_job_cancel(t->lookup);
		ticket_deliver(t, COMMIT_UNAVAILABLE);
	}
	while (!LIST_EMPTY(&c->batches)) {
		Batch *b = LIST_FIRST(&c->batches);
		db_job_cancel(b->job);
		for (int i = 0; i < b->n; i++)
			ticket_deliver(b->tickets[i], COMMIT_UNAVAILABLE);
		batch_free(b);
	}
	if (c->flush_ev)
		event_free(c->flush_ev);
	if (c->flush_timer)
		event_free(c->flush_timer);
	if (c->expiry)
		event_free(c->expiry);
	free(c);
}

CommitTicket *committer_submit(Committer *c, CommitItem *item, CommitCallback cb, void *arg)
{
	CommitTicket *t = calloc(1, sizeof *t);

	if (!t) {
		commit_item_free(item);
		return NULL;
	}
	t->c = c;
	t->item = item;
	t->cb = cb;
	t->arg = arg;
	if (c->opts.timeout_ms > 0)
		t->deadline_ms = monotonic_ms() + c->opts.timeout_ms;
	TAILQ_INSERT_TAIL(&c->pending, t, link);
	c->npending++;
	schedule_flush(c);
	return t;
}

void committer_cancel(CommitTicket *ticket)
{
	if (ticket)
		ticket->cancelled = true;
}

void committer_set_metrics(Committer *c, MetricsShard *shard)
{
	c->metrics = shard;
}

void committer_stats(const Committer *c, CommitterStats *out)
{
	*out = c->stats;
	out->pending = c->npending;
	out->in_flight = c->in_flight;
}
