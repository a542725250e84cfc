/*
 * metrics: the counters, gauges and histograms behind GET /metrics, and
 * their rendering in the Prometheus text exposition format 0.0.4.
 *
 * Threads.  The registry (Metrics) is made once per process and handed to
 * every server (worker) that serves from it; it holds one shard per worker.
 * A worker writes only its own shard, with relaxed C11 atomics: no lock, no
 * cache line shared with another worker on the request path.  A scrape sums
 * every shard with relaxed loads: a sum may mix values a few nanoseconds
 * apart, which a monitoring system cannot tell from scrape jitter.
 * Histogram counts are derived from their buckets, so a histogram's +Inf
 * bucket always equals its _count, even mid-update.
 *
 * Labels have bounded cardinality by construction: a request is counted
 * under its route *pattern* ("/s/{code}", never the path with its code),
 * one of seven methods and one of a fixed list of statuses (others fold
 * into "other").  Nothing a client sends becomes a label value.
 *
 * Gauges that describe a worker's own objects (its database pool, its
 * in-flight requests) are published into its shard by that worker
 * (metrics_publish_worker), from its own loop: a scrape served by one
 * worker never reads another worker's pool.
 */
#ifndef HAILONG_METRICS_H
#define HAILONG_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct Metrics Metrics;
typedef struct MetricsShard MetricsShard;

/* Why a parent's submission (POST /s/{code}) did not lead to a stored
 * response.  The names are the `reason` label values. */
typedef enum SubmitRefusal {
	SUBMIT_RATE_LIMITED, /* 429: too many requests from one address */
	SUBMIT_INVALID,      /* 400, 413, 415, 422: a form that cannot be stored */
	SUBMIT_DUPLICATE,    /* 409: this submission id was used with other answers */
	SUBMIT_CLOSED,       /* 403, 410: round not open, over, or slip used */
	SUBMIT_NOT_FOUND,    /* 404: no such round */
	SUBMIT_UNAVAILABLE,  /* 503: the database could not take it in time */
	SUBMIT_OTHER,        /* anything else that is not a 200 */
	SUBMIT_REFUSALS
} SubmitRefusal;

/* What a worker publishes about its own objects. */
typedef struct MetricsWorkerGauges {
	long inflight;             /* requests accepted and not yet answered */
	int pool_size, pool_connected, pool_busy, pool_idle, pool_queued;
} MetricsWorkerGauges;

/* What only the process knows, gathered at scrape time by the caller. */
typedef struct MetricsProcess {
	const char *version;            /* build info label */
	double start_time;              /* Unix seconds */
	long long open_connections;     /* client connections now; < 0: unknown */
	bool aggregator;                /* false: the job does not run here */
	unsigned long long agg_runs, agg_failures, agg_counted;
	double agg_last_run;            /* Unix seconds of the last finished run; 0: none */
	long long agg_lag_responses;    /* stored but not yet counted; < 0: not measured yet */
	double agg_lag_seconds;         /* age of the oldest of them, 0 when none */
} MetricsProcess;

/* Creates the registry with nshards (>= 1) worker shards.  routes lists the
 * router's patterns in route order (route ids 1..nroutes); equal patterns
 * (GET and POST of one path) share one label.  The patterns are copied.
 * NULL when memory runs out.  Free with metrics_free. */
Metrics *metrics_new(const char *const *routes, size_t nroutes, int nshards)
	__attribute__((warn_unused_result));

/* The same, with every shard (and the aggregation figures) in one
 * MAP_SHARED region: made before worker processes are forked, it is the
 * same registry in all of them, so a scrape answered by any worker sums
 * every worker's shard.  The labels are read-only after creation. */
Metrics *metrics_new_shared(const char *const *routes, size_t nroutes, int nshards)
	__attribute__((warn_unused_result));

/* The worker that runs the aggregation job publishes its figures (p with
 * p->aggregator true) for the others; a worker without the job reads them
 * into its own p before rendering (nothing when none was published yet).
 * NULL-safe. */
void metrics_publish_aggregation(Metrics *m, const MetricsProcess *p);
void metrics_read_aggregation(const Metrics *m, MetricsProcess *p);

/* Frees the registry and its shards (unmaps a shared one).  NULL-safe.  No
 * worker may still use a shard. */
void metrics_free(Metrics *m);

/* Worker i's shard (0 <= i < nshards), owned by the registry; NULL when out
 * of range. */
MetricsShard *metrics_shard(Metrics *m, int i);

/* Counts one finished request: route_id as RouteMatch.route_id (0: no
 * route matched), method an HttpMethod bit, status the HTTP status sent (499
 * when the client left first), duration in microseconds.  NULL-safe. */
void metrics_request(MetricsShard *s, int route_id, unsigned method, int status,
		     uint64_t duration_us);

/* Counts the outcome of one parent's submission from its HTTP status: 200
 * and 303 are accepted, everything else a refusal by reason.  NULL-safe. */
void metrics_submission(MetricsShard *s, int status);

/* One group-commit statement of rows responses was sent.  NULL-safe. */
void metrics_commit_batch(MetricsShard *s, int rows);

/* A database job waited wait_us for a connection.  NULL-safe. */
void metrics_pool_wait(MetricsShard *s, uint64_t wait_us);

/* Replaces the worker's published gauges.  NULL-safe. */
void metrics_publish_worker(MetricsShard *s, const MetricsWorkerGauges *g);

/* Appends the whole exposition (text format 0.0.4) to out: every shard
 * summed, then the process's own families from p.  Request series (by
 * route, method, status) are written once touched; every other series is
 * always written, so an alert on it has data from the first scrape.  The
 * aggregation families appear only when p->aggregator, the lag ones once
 * measured.  Memory failure shows in out->failed. */
void metrics_render(const Metrics *m, const MetricsProcess *p, Buf *out);

/* Appends value to out escaped as a label value of the text format
 * (backslash, double quote and newline escaped).  Exposed for tests. */
void metrics_label_escape(Buf *out, const char *value);

/* Client connections to local TCP port `port` in the process's network
 * namespace (ESTABLISHED or CLOSE_WAIT, IPv4 and IPv6), asked of the kernel
 * by a sock_diag netlink dump; -1 when the kernel refuses.  Never blocks on
 * I/O; costs about a microsecond per open TCP connection of the host. */
long long metrics_open_connections(int port);

#endif
