/*
 * server: the server context, the one piece of mutable state the process
 * has.  It owns the event loop, the HTTP listener, the database pool and the
 * router, and runs the life cycle: bind, serve, and on SIGTERM/SIGINT stop
 * accepting, let in-flight requests finish (bounded by shutdown-grace), then
 * close the pool and the connections.
 */
#ifndef HAILONG_SERVER_H
#define HAILONG_SERVER_H

#include <stdbool.h>

#include "config.h"
#include "campaign_cache.h"
#include "aggregator.h"
#include "committer.h"
#include "db_pool.h"
#include "form.h"
#include "metrics.h"
#include "ratelimit.h"
#include "token.h"
#include "workq.h"
#include "router.h"

struct event_base;
struct evhttp;
struct evhttp_bound_socket;
struct event;

typedef struct Server {
	const Config *config;        /* borrowed; outlives the server */
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	int listen_fd;
	int port;                    /* the bound port (useful with port 0) */
	char *base_url;              /* owned: config's, or derived from the bound port */
	DbPool *pool;
	Router *router;
	Form **forms;                /* owned: the questionnaires of forms-dir */
	size_t nforms;
	long inflight;               /* requests accepted and not yet answered */
	bool stopping, lingered;
	struct event *sig_int, *sig_term, *grace_timer, *linger_timer, *accept_resume;
	char csp[1024];              /* Content-Security-Policy of every page */
	Committer *committer;        /* group commit of responses */
	Aggregator *aggregator;      /* counts responses into tallies; NULL when off */
	RateLimit *survey_limit;     /* per client address, on /s/… */
	struct ProxyList *trusted_proxies; /* whose X-Forwarded-For counts; never NULL */
	CampaignCache *campaigns;    /* rounds by shared code, for a few seconds */
	struct WorkQueue *workers;   /* password checks off the loop */
	struct ReportService *reports; /* reports and exports off the loop */
	RateLimit *login_limit_client, *login_limit_name; /* sign-in attempts */
	unsigned char secret[TOKEN_KEY_BYTES]; /* signs submission ids; from the database */
	bool have_secret;
	struct CachedVersion {
		long long id;
		Form *form;
	} *versions;                 /* questionnaire versions by id: immutable, so cached */
	size_t nversions;
	unsigned long long requests_total;
	unsigned long long rejected_busy;
	/* The registry /metrics reads.  Owned here while the process has one
	 * server; with one server per worker thread it becomes the process's,
	 * and each server gets its own shard. */
	Metrics *metrics;            /* owned unless borrowed from the supervisor */
	bool owns_metrics;
	MetricsShard *shard;         /* this server's part of metrics */
	double start_time;           /* Unix seconds, for uptime */
	struct event *metrics_timer; /* publishes this server's gauges each second */
} Server;

/* Publishes this server's gauges (pool, in-flight) into its metrics shard;
 * run each second and before a scrape. */
void server_publish_metrics(Server *server);

/* Fills p's aggregation figures from this server's aggregation job; false
 * when it runs none (handler_metrics.c). */
bool server_aggregation_figures(const Server *server, MetricsProcess *p);

/* Creates the server: event loop, routes, database pool (connecting in the
 * background) and the listening socket.  Takes ownership of forms (also on
 * failure).  On failure returns NULL and sets
 * *err to a one-line malloc'd message (caller frees); *exit_code says which
 * status the process should exit with (1 for runtime trouble such as a port
 * in use, 2 for a bad setting). */
Server *server_new(const Config *config, Form **forms, size_t nforms, Metrics *shared_metrics,
		   char **err, int *exit_code)
	__attribute__((warn_unused_result));

/* A metrics registry for the server's routes with nshards worker shards,
 * in memory shared with forked workers (metrics_new_shared).  The supervisor
 * makes it before forking and hands it to server_new as shared_metrics, where
 * worker i writes shard config->worker_index.  NULL when out of memory. */
Metrics *server_shared_metrics(int nshards) __attribute__((warn_unused_result));

/* Runs the loop until a stop signal has been handled.  Returns 0 after a
 * clean stop. */
int server_run(Server *server);

/* Frees everything the server owns.  NULL-safe. */
void server_free(Server *server);

/* Called by the HTTP layer when a request is done (answered or abandoned). */
void server_request_done(Server *server);

#endif
