/*
 * GET /metrics: the counters of server/metrics.c plus what only the process
 * knows (start time, open connections, the aggregation job), for
 * Prometheus.  The exposition describes the service's load and health, not
 * its data; still, it is operational detail, so it is served only to a
 * caller on loopback that did not come through a proxy, or to one that
 * presents the --metrics-token bearer.
 */
#include <event2/http.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "version.h"

/* A peer address on the loopback network: 127.0.0.0/8, ::1, or 127.x
 * mapped into IPv6. */
static bool loopback_host(const char *host)
{
	if (!host)
		return false;
	if (strncmp(host, "::ffff:", 7) == 0)
		host += 7;
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0;
}

/* True when a proxy forwarded the request: a reverse proxy on the same
 * machine connects from loopback, but its callers are not local. */
static bool proxied(HttpRequest *r)
{
	return http_request_header(r, "X-Forwarded-For") || http_request_header(r, "X-Real-IP") ||
	       http_request_header(r, "Forwarded");
}

/* 1: the bearer matches the configured token; 0: no bearer given;
 * -1: a bearer that does not match (or no token is configured). */
static int bearer_check(HttpRequest *r)
{
	const char *auth = http_request_header(r, "Authorization");
	const char *want = r->server->config->metrics_token;
	size_t len;

	if (!auth)
		return 0;
	if (strncmp(auth, "Bearer ", 7) != 0 || !want)
		return -1;
	auth += 7;
	len = strlen(auth);
	/* Constant time over the token's bytes: no timing oracle. */
	return len == strlen(want) && sodium_memcmp(auth, want, len) == 0 ? 1 : -1;
}

static double wall_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

bool server_aggregation_figures(const Server *server, MetricsProcess *p)
{
	AggregatorStats st;

	if (!server->aggregator)
		return false;
	aggregator_stats(server->aggregator, &st);
	p->aggregator = true;
	p->agg_runs = st.runs;
	p->agg_failures = st.failures;
	p->agg_counted = st.counted;
	p->agg_last_run = st.last_run;
	p->agg_lag_responses = st.lag_responses;
	p->agg_lag_seconds = aggregator_lag_seconds(&st, wall_now());
	return true;
}

void handle_metrics(HttpRequest *r)
{
	Server *server = r->server;
	MetricsProcess p = {.version = HAILONG_VERSION, .start_time = server->start_time};
	const char *host = NULL;
	ev_uint16_t port = 0;
	int bearer = bearer_check(r);
	Buf out;

	evhttp_connection_get_peer(r->conn, (char **)&host, &port);
	if (bearer < 0) {
		log_msg(LOG_WARN, r->id, "metrics refused: wrong bearer token");
		http_reply_error(r, 403, "forbidden", "wrong metrics token");
		return;
	}
	if (bearer == 0 && (!loopback_host(host) || proxied(r))) {
		/* Invisible from outside, like any path that does not exist. */
		http_reply_error(r, 404, "not_found", "no such page");
		return;
	}
	server_publish_metrics(server);
	p.open_connections = metrics_open_connections(server->port);
	if (!server_aggregation_figures(server, &p))
		/* Another worker runs the job: the figures it published. */
		metrics_read_aggregation(server->metrics, &p);
	buf_init(&out, 32 * 1024);
	metrics_render(server->metrics, &p, &out);
	if (out.failed) {
		buf_free(&out);
		http_reply_error(r, 500, "internal", "out of memory");
		return;
	}
	http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", out.data, out.len);
	buf_free(&out);
}
