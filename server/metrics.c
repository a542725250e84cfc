#include "metrics.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

typedef _Atomic uint64_t Counter;
typedef _Atomic int64_t Gauge;

enum {
	NMETHODS = 7,   /* HttpMethod's bits, in order */
	MAX_BUCKETS = 16,
};

static const char *const method_names[NMETHODS] = {"GET",   "HEAD",  "POST",   "PUT",
						   "DELETE", "PATCH", "OPTIONS"};

/* The statuses the server sends; anything else is counted as "other" (the
 * last slot) so the label set stays fixed. */
static const int statuses[] = {200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405,
			       409, 410, 413, 415, 422, 429, 431, 499, 500, 502, 503, 504};
enum { NSTATUSES = sizeof statuses / sizeof statuses[0] + 1 };

static const char *const refusal_names[SUBMIT_REFUSALS] = {
	"rate_limited", "invalid", "duplicate", "closed", "not_found", "unavailable", "other",
};

/* Bucket upper bounds, in the unit the observations are counted in; the
 * +Inf bucket follows the last.  scale turns a bound or the sum into the
 * exposed unit (seconds for durations). */
typedef struct HistogramKind {
	const char *name, *help;
	double scale;
	int nbounds;
	uint64_t bounds[MAX_BUCKETS];
} HistogramKind;

/* Latency: 1 ms to 10 s, in microseconds.  A submission answers in a few
 * ms; a report export may take seconds. */
static const HistogramKind latency_kind = {
	"hailong_http_request_duration_seconds",
	"Time from a request's arrival to its answer being handed to the connection, by route.",
	1e-6, 13,
	{1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
	 10000000}};
static const HistogramKind batch_kind = {
	"hailong_commit_batch_size",
	"Responses written by one group-commit statement.",
	1, 10,
	{1, 2, 4, 8, 16, 32, 64, 128, 256, 1000}};
static const HistogramKind pool_wait_kind = {
	"hailong_db_pool_wait_seconds",
	"Time a database job waited for a free pooled connection.",
	1e-6, 11,
	{100, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 500000, 2000000}};

/* Bucket counts are not cumulative here (one increment per observation);
 * the renderer accumulates them. */
typedef struct Histogram {
	Counter buckets[MAX_BUCKETS + 1];
	Counter sum;
} Histogram;

struct MetricsShard {
	const Metrics *owner;    /* for the route -> label map, read-only */
	Counter *requests;       /* [label][method][status slot] */
	Histogram *latency;      /* [label] */
	Histogram batch, pool_wait;
	Counter commits;
	Counter accepted;
	Counter refused[SUBMIT_REFUSALS];
	Gauge inflight, pool_size, pool_connected, pool_busy, pool_idle, pool_queued;
	/* Keeps two workers' hot counters off one cache line. */
	char pad[64];
};

/* The aggregation job's figures, published by the worker that runs it so
 * that a scrape answered by another worker shows them too.  Doubles are
 * kept as their bits. */
typedef struct SharedAggregation {
	_Atomic uint64_t published, runs, failures, counted, last_run_bits, lag_seconds_bits;
	_Atomic int64_t lag_responses;
} SharedAggregation;

struct Metrics {
	int nshards;
	MetricsShard *shards;
	SharedAggregation *aggregation;
	void *map;             /* the shared region (metrics_new_shared), or NULL */
	size_t map_size;
	size_t nlabels;        /* label 0 is "(unmatched)" */
	char **labels;         /* owned */
	size_t nroutes;
	size_t *route_label;   /* route id - 1 -> label */
};

static size_t status_slot(int status)
{
	for (size_t i = 0; i < NSTATUSES - 1; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUSES - 1;
}

static int method_slot(unsigned method)
{
	for (int i = 0; i < NMETHODS; i++)
		if (method == 1u << i)
			return i;
	return -1;
}

static void observe(Histogram *h, const HistogramKind *k, uint64_t value)
{
	int i = 0;

	while (i < k->nbounds && value > k->bounds[i])
		i++;
	atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum, value, memory_order_relaxed);
}

static uint64_t load(const Counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* Carves n bytes, 64-aligned, from the shared region. */
static void *carve(Metrics *m, size_t *used, size_t n)
{
	void *p = (char *)m->map + *used;

	*used += (n + 63) & ~(size_t)63;
	return p;
}

static Metrics *metrics_create(const char *const *routes, size_t nroutes, int nshards,
			       bool shared)
{
	Metrics *m = calloc(1, sizeof *m);
	size_t counters, used = 0;

	if (!m || nshards < 1)
		goto fail;
	m->nshards = nshards;
	m->nroutes = nroutes;
	m->labels = calloc(nroutes + 1, sizeof *m->labels);
	m->route_label = calloc(nroutes + 1, sizeof *m->route_label);
	if (!m->labels || !m->route_label)
		goto fail;
	m->labels[m->nlabels++] = strdup("(unmatched)");
	if (!m->labels[0])
		goto fail;
	for (size_t i = 0; i < nroutes; i++) {
		size_t l = 1;
		while (l < m->nlabels && strcmp(m->labels[l], routes[i]) != 0)
			l++;
		if (l == m->nlabels) {
			if (!(m->labels[l] = strdup(routes[i])))
				goto fail;
			m->nlabels++;
		}
		m->route_label[i] = l;
	}
	counters = m->nlabels * NMETHODS * NSTATUSES;
	if (shared) {
		/* One region for everything the workers write, mapped before
		 * they are forked: each writes its shard, any may sum them all.
		 * Its pointers are the same in every worker. */
		m->map_size = (sizeof(SharedAggregation) + 63) / 64 * 64 +
			      ((size_t)nshards * sizeof(MetricsShard) + 63) / 64 * 64 +
			      (size_t)nshards * (((counters * sizeof(Counter) + 63) / 64 * 64) +
						 ((m->nlabels * sizeof(Histogram) + 63) / 64 * 64));
		m->map = mmap(NULL, m->map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			      -1, 0);
		if (m->map == MAP_FAILED) {
			m->map = NULL;
			goto fail;
		}
		m->aggregation = carve(m, &used, sizeof *m->aggregation);
		m->shards = carve(m, &used, (size_t)nshards * sizeof *m->shards);
	} else {
		m->aggregation = calloc(1, sizeof *m->aggregation);
		m->shards = calloc((size_t)nshards, sizeof *m->shards);
		if (!m->aggregation || !m->shards)
			goto fail;
	}
	for (int i = 0; i < nshards; i++) {
		MetricsShard *s = &m->shards[i];
		s->owner = m;
		if (shared) {
			s->requests = carve(m, &used, counters * sizeof *s->requests);
			s->latency = carve(m, &used, m->nlabels * sizeof *s->latency);
		} else {
			s->requests = calloc(counters, sizeof *s->requests);
			s->latency = calloc(m->nlabels, sizeof *s->latency);
			if (!s->requests || !s->latency)
				goto fail;
		}
	}
	return m;
fail:
	metrics_free(m);
	return NULL;
}

Metrics *metrics_new(const char *const *routes, size_t nroutes, int nshards)
{
	return metrics_create(routes, nroutes, nshards, false);
}

Metrics *metrics_new_shared(const char *const *routes, size_t nroutes, int nshards)
{
	return metrics_create(routes, nroutes, nshards, true);
}

void metrics_free(Metrics *m)
{
	if (!m)
		return;
	if (m->map) {
		munmap(m->map, m->map_size);
	} else {
		for (int i = 0; m->shards && i < m->nshards; i++) {
			free(m->shards[i].requests);
			free(m->shards[i].latency);
		}
		free(m->shards);
		free(m->aggregation);
	}
	for (size_t i = 0; m->labels && i < m->nlabels; i++)
		free(m->labels[i]);
	free(m->labels);
	free(m->route_label);
	free(m);
}

static uint64_t double_bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof u);
	return u;
}

static double bits_double(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof d);
	return d;
}

void metrics_publish_aggregation(Metrics *m, const MetricsProcess *p)
{
	SharedAggregation *a = m ? m->aggregation : NULL;

	if (!a || !p->aggregator)
		return;
	atomic_store_explicit(&a->runs, p->agg_runs, memory_order_relaxed);
	atomic_store_explicit(&a->failures, p->agg_failures, memory_order_relaxed);
	atomic_store_explicit(&a->counted, p->agg_counted, memory_order_relaxed);
	atomic_store_explicit(&a->last_run_bits, double_bits(p->agg_last_run), memory_order_relaxed);
	atomic_store_explicit(&a->lag_seconds_bits, double_bits(p->agg_lag_seconds),
			      memory_order_relaxed);
	atomic_store_explicit(&a->lag_responses, p->agg_lag_responses, memory_order_relaxed);
	atomic_store_explicit(&a->published, 1, memory_order_release);
}

void metrics_read_aggregation(const Metrics *m, MetricsProcess *p)
{
	SharedAggregation *a = m ? m->aggregation : NULL;

	if (!a || p->aggregator || !atomic_load_explicit(&a->published, memory_order_acquire))
		return;
	p->aggregator = true;
	p->agg_runs = atomic_load_explicit(&a->runs, memory_order_relaxed);
	p->agg_failures = atomic_load_explicit(&a->failures, memory_order_relaxed);
	p->agg_counted = atomic_load_explicit(&a->counted, memory_order_relaxed);
	p->agg_last_run = bits_double(atomic_load_explicit(&a->last_run_bits, memory_order_relaxed));
	p->agg_lag_seconds =
		bits_double(atomic_load_explicit(&a->lag_seconds_bits, memory_order_relaxed));
	p->agg_lag_responses = atomic_load_explicit(&a->lag_responses, memory_order_relaxed);
}

MetricsShard *metrics_shard(Metrics *m, int i)
{
	return m && i >= 0 && i < m->nshards ? &m->shards[i] : NULL;
}

void metrics_request(MetricsShard *s, int route_id, unsigned method, int status,
		     uint64_t duration_us)
{
	size_t label;
	int ms;

	if (!s)
		return;
	label = route_id > 0 && (size_t)route_id <= s->owner->nroutes
			? s->owner->route_label[route_id - 1]
			: 0;
	ms = method_slot(method);
	if (ms >= 0)
		atomic_fetch_add_explicit(
			&s->requests[(label * NMETHODS + (size_t)ms) * NSTATUSES + status_slot(status)],
			1, memory_order_relaxed);
	observe(&s->latency[label], &latency_kind, duration_us);
}

void metrics_submission(MetricsShard *s, int status)
{
	SubmitRefusal why;

	if (!s)
		return;
	switch (status) {
	case 200:
	case 303:
		atomic_fetch_add_explicit(&s->accepted, 1, memory_order_relaxed);
		return;
	case 429:
		why = SUBMIT_RATE_LIMITED;
		break;
	case 400:
	case 413:
	case 415:
	case 422:
		why = SUBMIT_INVALID;
		break;
	case 409:
		why = SUBMIT_DUPLICATE;
		break;
	case 403:
	case 410:
		why = SUBMIT_CLOSED;
		break;
	case 404:
		why = SUBMIT_NOT_FOUND;
		break;
	case 503:
		why = SUBMIT_UNAVAILABLE;
		break;
	default:
		why = SUBMIT_OTHER;
		break;
	}
	atomic_fetch_add_explicit(&s->refused[why], 1, memory_order_relaxed);
}

void metrics_commit_batch(MetricsShard *s, int rows)
{
	if (!s || rows < 0)
		return;
	atomic_fetch_add_explicit(&s->commits, 1, memory_order_relaxed);
	observe(&s->batch, &batch_kind, (uint64_t)rows);
}

void metrics_pool_wait(MetricsShard *s, uint64_t wait_us)
{
	if (s)
		observe(&s->pool_wait, &pool_wait_kind, wait_us);
}

void metrics_publish_worker(MetricsShard *s, const MetricsWorkerGauges *g)
{
	if (!s)
		return;
	atomic_store_explicit(&s->inflight, g->inflight, memory_order_relaxed);
	atomic_store_explicit(&s->pool_size, g->pool_size, memory_order_relaxed);
	atomic_store_explicit(&s->pool_connected, g->pool_connected, memory_order_relaxed);
	atomic_store_explicit(&s->pool_busy, g->pool_busy, memory_order_relaxed);
	atomic_store_explicit(&s->pool_idle, g->pool_idle, memory_order_relaxed);
	atomic_store_explicit(&s->pool_queued, g->pool_queued, memory_order_relaxed);
}

/* ---- rendering ---- */

void metrics_label_escape(Buf *out, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (*p == '\\')
			buf_puts(out, "\\\\");
		else if (*p == '"')
			buf_puts(out, "\\\"");
		else if (*p == '\n')
			buf_puts(out, "\\n");
		else
			buf_add(out, p, 1);
	}
}

static void family(Buf *out, const char *name, const char *type, const char *help)
{
	/* HELP text escapes backslash and newline; ours has neither. */
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A number as the format wants it: integers exactly, others with enough
 * digits to round-trip. */
static void value(Buf *out, double v)
{
	if (v == (double)(long long)v && v < 9e15 && v > -9e15)
		buf_printf(out, "%lld\n", (long long)v);
	else
		buf_printf(out, "%.15g\n", v);
}

static void gauge(Buf *out, const char *name, const char *help, double v)
{
	family(out, name, "gauge", help);
	buf_printf(out, "%s ", name);
	value(out, v);
}

static void counter(Buf *out, const char *name, const char *help, double v)
{
	family(out, name, "counter", help);
	buf_printf(out, "%s ", name);
	value(out, v);
}

/* One histogram series.  labels is "" or `key="value"` (already escaped),
 * joined before le. */
static void histogram_series(Buf *out, const HistogramKind *k, const char *labels,
			     const uint64_t *buckets, uint64_t sum)
{
	uint64_t cumulative = 0;
	const char *sep = *labels ? "," : "";

	for (int i = 0; i <= k->nbounds; i++) {
		cumulative += buckets[i];
		if (i < k->nbounds)
			buf_printf(out, "%s_bucket{%s%sle=\"%.6g\"} %llu\n", k->name, labels, sep,
				   (double)k->bounds[i] * k->scale, (unsigned long long)cumulative);
		else
			buf_printf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", k->name, labels, sep,
				   (unsigned long long)cumulative);
	}
	if (*labels)
		buf_printf(out, "%s_sum{%s} ", k->name, labels);
	else
		buf_printf(out, "%s_sum ", k->name);
	value(out, (double)sum * k->scale);
	if (*labels)
		buf_printf(out, "%s_count{%s} %llu\n", k->name, labels,
			   (unsigned long long)cumulative);
	else
		buf_printf(out, "%s_count %llu\n", k->name, (unsigned long long)cumulative);
}

/* Sums one histogram over every shard; pick selects it in a shard. */
static uint64_t sum_histogram(const Metrics *m, const Histogram *(*pick)(const MetricsShard *, size_t),
			      size_t arg, uint64_t *buckets)
{
	uint64_t sum = 0;

	memset(buckets, 0, (MAX_BUCKETS + 1) * sizeof *buckets);
	for (int s = 0; s < m->nshards; s++) {
		const Histogram *h = pick(&m->shards[s], arg);
		for (int i = 0; i <= MAX_BUCKETS; i++)
			buckets[i] += load(&h->buckets[i]);
		sum += load(&h->sum);
	}
	return sum;
}

static const Histogram *pick_latency(const MetricsShard *s, size_t label)
{
	return &s->latency[label];
}

static const Histogram *pick_batch(const MetricsShard *s, size_t unused)
{
	(void)unused;
	return &s->batch;
}

static const Histogram *pick_pool_wait(const MetricsShard *s, size_t unused)
{
	(void)unused;
	return &s->pool_wait;
}

static uint64_t sum_counter(const Metrics *m, size_t offset)
{
	uint64_t total = 0;

	for (int s = 0; s < m->nshards; s++)
		total += load((const Counter *)((const char *)&m->shards[s] + offset));
	return total;
}

static int64_t sum_gauge(const Metrics *m, size_t offset)
{
	int64_t total = 0;

	for (int s = 0; s < m->nshards; s++)
		total += atomic_load_explicit((const Gauge *)((const char *)&m->shards[s] + offset),
					      memory_order_relaxed);
	return total;
}

static void render_requests(const Metrics *m, Buf *out)
{
	uint64_t buckets[MAX_BUCKETS + 1];
	Buf labels;

	family(out, "hailong_http_requests_total", "counter",
	       "Requests answered, by route pattern, method and status (499: the client left "
	       "first).");
	for (size_t l = 0; l < m->nlabels; l++)
		for (int me = 0; me < NMETHODS; me++)
			for (size_t st = 0; st < NSTATUSES; st++) {
				uint64_t n = 0;
				size_t at = (l * NMETHODS + (size_t)me) * NSTATUSES + st;
				for (int s = 0; s < m->nshards; s++)
					n += load(&m->shards[s].requests[at]);
				if (n == 0)
					continue;
				buf_puts(out, "hailong_http_requests_total{route=\"");
				metrics_label_escape(out, m->labels[l]);
				if (st < NSTATUSES - 1)
					buf_printf(out, "\",method=\"%s\",status=\"%d\"} %llu\n",
						   method_names[me], statuses[st], (unsigned long long)n);
				else
					buf_printf(out, "\",method=\"%s\",status=\"other\"} %llu\n",
						   method_names[me], (unsigned long long)n);
			}
	family(out, latency_kind.name, "histogram", latency_kind.help);
	for (size_t l = 0; l < m->nlabels; l++) {
		uint64_t sum = sum_histogram(m, pick_latency, l, buckets), count = 0;
		for (int i = 0; i <= MAX_BUCKETS; i++)
			count += buckets[i];
		if (count == 0)
			continue;
		buf_init(&labels, 128);
		buf_puts(&labels, "route=\"");
		metrics_label_escape(&labels, m->labels[l]);
		buf_puts(&labels, "\"");
		if (labels.failed)
			out->failed = true;
		else
			histogram_series(out, &latency_kind, labels.data, buckets, sum);
		buf_free(&labels);
	}
}

void metrics_render(const Metrics *m, const MetricsProcess *p, Buf *out)
{
	uint64_t buckets[MAX_BUCKETS + 1], sum;

	family(out, "hailong_build_info", "gauge", "Always 1; the version of the running binary.");
	buf_puts(out, "hailong_build_info{version=\"");
	metrics_label_escape(out, p->version);
	buf_puts(out, "\"} 1\n");
	gauge(out, "hailong_process_start_time_seconds",
	      "When the server process started, in Unix seconds.", p->start_time);

	render_requests(m, out);
	gauge(out, "hailong_http_requests_in_flight", "Requests accepted and not yet answered.",
	      (double)sum_gauge(m, offsetof(MetricsShard, inflight)));
	if (p->open_connections >= 0)
		gauge(out, "hailong_http_open_connections",
		      "Client TCP connections open to the listening port.",
		      (double)p->open_connections);

	counter(out, "hailong_submissions_accepted_total",
		"Parents' submissions answered with a receipt (stored now or before).",
		(double)sum_counter(m, offsetof(MetricsShard, accepted)));
	family(out, "hailong_submissions_refused_total", "counter",
	       "Parents' submissions refused, by reason.");
	for (int r = 0; r < SUBMIT_REFUSALS; r++) {
		uint64_t n = 0;
		for (int s = 0; s < m->nshards; s++)
			n += load(&m->shards[s].refused[r]);
		buf_printf(out, "hailong_submissions_refused_total{reason=\"%s\"} %llu\n",
			   refusal_names[r], (unsigned long long)n);
	}

	counter(out, "hailong_commits_total", "Group-commit statements sent to the database.",
		(double)sum_counter(m, offsetof(MetricsShard, commits)));
	family(out, batch_kind.name, "histogram", batch_kind.help);
	sum = sum_histogram(m, pick_batch, 0, buckets);
	histogram_series(out, &batch_kind, "", buckets, sum);

	gauge(out, "hailong_db_pool_size", "Connections the database pools may open.",
	      (double)sum_gauge(m, offsetof(MetricsShard, pool_size)));
	gauge(out, "hailong_db_pool_connected", "Pooled connections open now.",
	      (double)sum_gauge(m, offsetof(MetricsShard, pool_connected)));
	gauge(out, "hailong_db_pool_busy", "Pooled connections running a query.",
	      (double)sum_gauge(m, offsetof(MetricsShard, pool_busy)));
	gauge(out, "hailong_db_pool_idle", "Pooled connections connected and free.",
	      (double)sum_gauge(m, offsetof(MetricsShard, pool_idle)));
	gauge(out, "hailong_db_pool_wait_queue", "Database jobs waiting for a connection.",
	      (double)sum_gauge(m, offsetof(MetricsShard, pool_queued)));
	family(out, pool_wait_kind.name, "histogram", pool_wait_kind.help);
	sum = sum_histogram(m, pick_pool_wait, 0, buckets);
	histogram_series(out, &pool_wait_kind, "", buckets, sum);

	if (p->aggregator) {
		counter(out, "hailong_aggregation_runs_total", "Runs of the aggregation job.",
			(double)p->agg_runs);
		counter(out, "hailong_aggregation_failures_total",
			"Runs of the aggregation job that failed.", (double)p->agg_failures);
		counter(out, "hailong_aggregation_counted_total",
			"Responses counted into the tallies by this process.",
			(double)p->agg_counted);
		if (p->agg_last_run > 0)
			gauge(out, "hailong_aggregation_last_run_timestamp_seconds",
			      "When the last run of the aggregation job finished, in Unix seconds.",
			      p->agg_last_run);
		if (p->agg_lag_responses >= 0) {
			gauge(out, "hailong_aggregation_lag_responses",
			      "Responses stored but not yet counted into the tallies (measured "
			      "after each run).",
			      (double)p->agg_lag_responses);
			gauge(out, "hailong_aggregation_lag_seconds",
			      "Age of the oldest response not yet counted into the tallies; 0 when "
			      "none.",
			      p->agg_lag_seconds);
		}
	}
}

/* Counts the sockets of one address family in ESTABLISHED or CLOSE_WAIT
 * whose local port is port, by a sock_diag dump: the kernel filters the
 * states, so the thousands of TIME_WAIT sockets a busy host has cost
 * nothing (reading /proc/net/tcp measured 10-40 ms with 5000 of them).
 * -1 on failure. */
static long long count_family(int family, int port)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl nladdr = {.nl_family = AF_NETLINK};
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	long long n = 0;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (fd < 0)
		return -1;
	memset(&msg, 0, sizeof msg);
	msg.nlh.nlmsg_len = sizeof msg;
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.req.sdiag_family = (unsigned char)family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = (1u << TCP_ESTABLISHED) | (1u << TCP_CLOSE_WAIT);
	if (sendto(fd, &msg, sizeof msg, 0, (struct sockaddr *)&nladdr, sizeof nladdr) < 0)
		goto fail;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof buf, 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		if (len <= 0)
			goto fail;
		for (; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			const struct inet_diag_msg *d;
			if (h->nlmsg_type == NLMSG_DONE) {
				close(fd);
				return n;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				goto fail;
			d = NLMSG_DATA(h);
			if (ntohs(d->id.idiag_sport) == port)
				n++;
		}
	}
fail:
	close(fd);
	return -1;
}

long long metrics_open_connections(int port)
{
	long long v4 = count_family(AF_INET, port);
	long long v6 = count_family(AF_INET6, port);

	if (v4 < 0 && v6 < 0)
		return -1;
	return (v4 > 0 ? v4 : 0) + (v6 > 0 ? v6 : 0);
}
