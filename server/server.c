#include "server.h"

#include "report_service.h"

#include <errno.h>
#include <math.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "handlers.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "proxy.h"
#include "tally_job.h"
#include "util.h"

enum {
	LISTEN_BACKLOG = 1024,
	/* How long a round's details are reused without asking the database. */
	CAMPAIGN_CACHE_TTL_MS = 2000,
	/* A statement of the aggregation job takes about a second; the
	 * database stops one that runs away. */
	AGGREGATE_STATEMENT_TIMEOUT_MS = 60000,
};

/* evconnlistener hands its error callback evhttp's pointer, not ours, so the
 * callback finds the server here.  Part of the server context: set by
 * server_new, cleared by server_free. */
static Server *listener_owner;

/* Opens the listening socket ourselves (rather than evhttp_bind_socket) to
 * get errno for a clear message and the bound port when port 0 was asked. */
static int open_listener(const ListenAddr *addr, int *bound_port, char **err)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *found = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	char port[8];
	int fd = -1, one = 1, rc;

	snprintf(port, sizeof port, "%d", addr->port);
	rc = getaddrinfo(addr->host, port, &hints, &found);
	if (rc != 0) {
		*err = str_printf("cannot listen on %s:%d: %s", addr->host, addr->port, gai_strerror(rc));
		return -1;
	}
	fd = socket(found->ai_family, found->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* SO_REUSEPORT lets a new server bind the port while the old one still
	 * runs, so a restart refuses no connection (docs/deploy.md): the old
	 * one closes its socket on SIGTERM and the kernel sends every new
	 * connection to the new one.  Workers (workers.c) share the port the
	 * same way, the kernel spreading new connections over their sockets.
	 * Only processes of the same user may share the port, and only if both
	 * set it.
	 * TCP_NODELAY, which accepted sockets inherit on Linux: an answer goes
	 * out as headers, then a body (or a file by sendfile); with Nagle the
	 * body's last segment waited for the client's delayed ACK, 40 ms on
	 * every report download (bench/report). */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
	    bind(fd, found->ai_addr, found->ai_addrlen) != 0 || listen(fd, LISTEN_BACKLOG) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0) {
		*err = str_printf("cannot listen on %s:%d: %s", addr->host, addr->port, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(found);
		return -1;
	}
	freeaddrinfo(found);
	*bound_port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
					       : ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static void accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	Server *server = arg;

	(void)fd;
	(void)what;
	if (server->bound && !server->stopping)
		evconnlistener_enable(evhttp_bound_socket_get_listener(server->bound));
}

/* accept() failed, typically EMFILE: pause accepting for a moment rather
 * than spin on a listener that stays readable (libevent issues #71, #363). */
static void accept_error_cb(struct evconnlistener *listener, void *arg)
{
	Server *server = listener_owner;
	struct timeval pause = {.tv_sec = 0, .tv_usec = 200 * 1000};
	int error = EVUTIL_SOCKET_ERROR();

	(void)arg;
	if (!server)
		return;
	log_warn("accept failed: %s; pausing new connections for 200 ms",
		 evutil_socket_error_to_string(error));
	evconnlistener_disable(listener);
	evtimer_add(server->accept_resume, &pause);
}

static void stop_now(Server *server)
{
	event_base_loopexit(server->base, NULL);
}

static void grace_expired_cb(evutil_socket_t fd, short what, void *arg)
{
	Server *server = arg;

	(void)fd;
	(void)what;
	log_warn("shutdown grace period over with %ld requests still running", server->inflight);
	stop_now(server);
}

/* A connection accepted just before the signal may not have sent (or we may
 * not yet have read) its request; stopping the moment nothing is in flight
 * would close it unanswered, which a client sees as a dropped connection
 * across a restart.  So the server keeps serving for this long after the
 * signal, then stops as soon as nothing is in flight. */
enum { STOP_LINGER_MS = 300 };

static void linger_over_cb(evutil_socket_t fd, short what, void *arg)
{
	Server *server = arg;

	(void)fd;
	(void)what;
	server->lingered = true;
	if (server->inflight == 0)
		stop_now(server);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
	Server *server = arg;
	struct timeval grace, linger;
	int linger_ms;

	(void)what;
	if (server->stopping) {
		log_warn("second signal: stopping at once");
		stop_now(server);
		return;
	}
	server->stopping = true;
	if (server->bound) {
		/* With net.ipv4.tcp_migrate_req=1 the kernel hands connections
		 * still waiting in this socket's queue to another process
		 * listening on the port; without it they are reset
		 * (docs/deploy.md). */
		evhttp_del_accept_socket(server->http, server->bound);
		server->bound = NULL;
		close(server->listen_fd); /* evhttp's listener does not own it */
		server->listen_fd = -1;
	}
	log_info("%s received: no new connections, finishing %ld requests",
		 sig == SIGTERM ? "SIGTERM" : "SIGINT", server->inflight);
	linger_ms = STOP_LINGER_MS < server->config->shutdown_grace_ms ? STOP_LINGER_MS
								       : server->config->shutdown_grace_ms;
	linger.tv_sec = linger_ms / 1000;
	linger.tv_usec = (linger_ms % 1000) * 1000;
	evtimer_add(server->linger_timer, &linger);
	grace.tv_sec = server->config->shutdown_grace_ms / 1000;
	grace.tv_usec = (server->config->shutdown_grace_ms % 1000) * 1000;
	evtimer_add(server->grace_timer, &grace);
}

void server_publish_metrics(Server *server)
{
	DbPoolStats pool;
	MetricsWorkerGauges g = {.inflight = server->inflight};
	MetricsProcess p = {0};

	if (server->pool) {
		db_pool_stats(server->pool, &pool);
		g.pool_size = pool.size;
		g.pool_connected = pool.connected;
		g.pool_busy = pool.busy;
		g.pool_idle = pool.idle;
		g.pool_queued = pool.queued;
	}
	metrics_publish_worker(server->shard, &g);
	/* The worker that counts tells the others (workers.c). */
	if (server_aggregation_figures(server, &p))
		metrics_publish_aggregation(server->metrics, &p);
}

static void metrics_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	server_publish_metrics(arg);
}

/* The registry, with one label per route pattern the router knows. */
static Metrics *make_metrics(const Router *router, int nshards, bool shared)
{
	size_t n = router_count(router);
	const char **patterns = calloc(n ? n : 1, sizeof *patterns);
	Metrics *m;

	if (!patterns)
		return NULL;
	for (size_t i = 0; i < n; i++)
		patterns[i] = router_pattern(router, (int)i + 1);
	m = shared ? metrics_new_shared(patterns, n, nshards) : metrics_new(patterns, n, nshards);
	free(patterns);
	return m;
}

Metrics *server_shared_metrics(int nshards)
{
	Router *router = router_new();
	Metrics *m = NULL;

	if (router && handlers_register(router))
		m = make_metrics(router, nshards, true);
	router_free(router);
	return m;
}

void server_request_done(Server *server)
{
	server->inflight--;
	if (server->stopping && server->lingered && server->inflight == 0)
		stop_now(server);
}

/* More descriptors means more clients before EMFILE; the hard limit is the
 * most we may take without privileges. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warn("cannot raise the open-file limit: %s", strerror(errno));
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		log_debug("open-file limit %llu", (unsigned long long)rl.rlim_cur);
}

Server *server_new(const Config *config, Form **forms, size_t nforms, Metrics *shared_metrics,
		   char **err, int *exit_code)
{
	Server *server = calloc(1, sizeof *server);
	DbPoolOptions pool_opts;
	char *pool_err = NULL;
	double share;

	*err = NULL;
	*exit_code = 1;
	if (!server) {
		form_list_free(forms, nforms);
		goto oom;
	}
	server->config = config;
	server->forms = forms;
	server->nforms = nforms;
	server->listen_fd = -1;
	if (!config->database_url) {
		*err = str_printf("DATABASE_URL is not set: give a PostgreSQL connection string or URI "
			      "with --database-url or the DATABASE_URL environment variable");
		*exit_code = 2;
		goto fail;
	}
	raise_fd_limit();
	/* Writes to closed sockets must fail with EPIPE, not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	server->base = event_base_new();
	server->router = router_new();
	if (!server->base || !server->router)
		goto oom;
	if (!handlers_register(server->router)) {
		*err = str_printf("internal error: a route could not be registered");
		goto fail;
	}
	{
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		server->start_time = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
	}
	if (shared_metrics) {
		server->metrics = shared_metrics;
		server->shard = metrics_shard(server->metrics, config->worker_index);
	} else {
		server->metrics = make_metrics(server->router, 1, false);
		server->owns_metrics = true;
		server->shard = metrics_shard(server->metrics, 0);
	}
	if (!server->shard)
		goto oom;
	server->listen_fd = open_listener(&config->listen, &server->port, err);
	if (server->listen_fd < 0)
		goto fail;
	if (config->base_url_derived && config->listen.port == 0) {
		/* The derived base URL named port 0: use the port we got. */
		bool ipv6 = strchr(config->listen.host, ':') != NULL;
		server->base_url = str_printf(ipv6 ? "http://[%s]:%d" : "http://%s:%d",
					  config->listen.host, server->port);
	} else {
		server->base_url = strdup(config->base_url);
	}
	if (!server->base_url)
		goto oom;
	server->http = evhttp_new(server->base);
	if (!server->http)
		goto oom;
	http_setup(server, server->http);
	server->bound = evhttp_accept_socket_with_handle(server->http, server->listen_fd);
	if (!server->bound) {
		*err = str_printf("cannot accept connections on %s:%d", config->listen.host,
			      server->port);
		goto fail;
	}
	server->accept_resume = evtimer_new(server->base, accept_resume_cb, server);
	server->grace_timer = evtimer_new(server->base, grace_expired_cb, server);
	server->linger_timer = evtimer_new(server->base, linger_over_cb, server);
	server->sig_int = evsignal_new(server->base, SIGINT, signal_cb, server);
	server->sig_term = evsignal_new(server->base, SIGTERM, signal_cb, server);
	server->metrics_timer = event_new(server->base, -1, EV_PERSIST, metrics_timer_cb, server);
	if (!server->accept_resume || !server->grace_timer || !server->linger_timer || !server->sig_int ||
	    !server->sig_term || !server->metrics_timer)
		goto oom;
	listener_owner = server;
	evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(server->bound),
				    accept_error_cb);
	evsignal_add(server->sig_int, NULL);
	evsignal_add(server->sig_term, NULL);

	pool_opts.size = (int)config->db_pool_size;
	pool_opts.queue_max = (int)config->db_queue_max;
	pool_opts.query_timeout_ms = (int)config->db_timeout_ms;
	pool_opts.connect_timeout_ms = (int)config->db_connect_timeout_ms;
	server->pool = db_pool_new(server->base, config->database_url, &pool_opts, &pool_err);
	if (!server->pool) {
		*err = str_printf("invalid value for DATABASE_URL (--database-url): %s",
			      pool_err ? pool_err : "out of memory");
		free(pool_err);
		*exit_code = 2;
		goto fail;
	}
	{
		CommitterOptions copts = {.batch_max = (int)config->commit_batch_max,
					  .max_batches = (int)config->commit_max_batches,
					  .wait_ms = (int)config->commit_wait_ms,
					  .timeout_ms = (int)config->db_timeout_ms};
		server->committer = committer_new(server->base, server->pool, &copts);
		if (!server->committer)
			goto oom;
	}
	db_pool_set_metrics(server->pool, server->shard);
	committer_set_metrics(server->committer, server->shard);
	{
		struct timeval second = {.tv_sec = 1, .tv_usec = 0};
		evtimer_add(server->metrics_timer, &second);
	}
	if (config->aggregate_interval_ms > 0) {
		server->aggregator = aggregator_new(
			config->database_url, (int)config->aggregate_interval_ms, TALLY_BATCH,
			(int)config->db_connect_timeout_ms, AGGREGATE_STATEMENT_TIMEOUT_MS,
			(int)config->privacy_threshold);
		if (!server->aggregator)
			goto oom;
	}
	{
		char why[256];
		if (!proxy_list_parse(config->trusted_proxies ? config->trusted_proxies : "",
				      &server->trusted_proxies, why, sizeof why))
			goto oom; /* config_set checked the text: only memory can fail */
	}
	/* Each worker counts on its own: a client's connections are spread
	 * over the workers by the kernel's hash of their addresses and ports,
	 * so each worker allows its share of the limits. */
	share = config->worker_count > 1 ? (double)config->worker_count : 1.0;
	server->survey_limit = ratelimit_new(fmax(1.0, (double)config->rate_per_minute / share),
					     fmax(1.0, (double)config->rate_burst / share), 65536);
	server->campaigns = campaign_cache_new(4096, CAMPAIGN_CACHE_TTL_MS);
	/* Sign-in attempts: 10 a minute per address and per login name. */
	server->login_limit_client = ratelimit_new(fmax(1.0, 10 / share), fmax(1.0, 10 / share),
						   16384);
	server->login_limit_name = ratelimit_new(fmax(1.0, 10 / share), fmax(1.0, 10 / share),
						 16384);
	server->workers = workq_new(server->base, 2, 64);
	/* Reports only read: a streaming replica can carry them. */
	server->reports = report_service_new(server->base,
					     config->replica_url ? config->replica_url
								 : config->database_url,
					     config->db_connect_timeout_ms, (int)config->report_workers);
	if (!server->survey_limit || !server->campaigns || !server->login_limit_client ||
	    !server->login_limit_name || !server->workers || !server->reports)
		goto oom;
	page_csp(server->csp, sizeof server->csp);
	return server;
oom:
	if (!*err)
		*err = str_printf("out of memory while starting");
fail:
	server_free(server);
	return NULL;
}

int server_run(Server *server)
{
	char port[8], worker[16];

	snprintf(port, sizeof port, "%d", server->port);
	snprintf(worker, sizeof worker, "%d", server->config->worker_index);
	log_fields(LOG_INFO, NULL, "listening", "address", server->config->listen.host, "port",
		   port, "base_url", server->base_url, "worker", worker, NULL);
	if (event_base_dispatch(server->base) < 0) {
		log_error("the event loop failed");
		return 1;
	}
	log_info("stopped");
	return 0;
}

void server_free(Server *server)
{
	if (!server)
		return;
	if (listener_owner == server)
		listener_owner = NULL;
	/* Pending database work first: its callbacks may still answer clients,
	 * which needs the HTTP side alive.  The committer before the pool it
	 * writes through. */
	committer_free(server->committer);
	server->committer = NULL;
	aggregator_free(server->aggregator);
	server->aggregator = NULL;
	workq_free(server->workers); /* before the requests its callbacks answer */
	server->workers = NULL;
	report_service_free(server->reports);
	server->reports = NULL;
	db_pool_free(server->pool);
	server->pool = NULL;
	if (server->http)
		evhttp_free(server->http);
	if (server->listen_fd >= 0)
		close(server->listen_fd); /* evhttp's listener does not own it */
	if (server->sig_int)
		event_free(server->sig_int);
	if (server->sig_term)
		event_free(server->sig_term);
	if (server->grace_timer)
		event_free(server->grace_timer);
	if (server->linger_timer)
		event_free(server->linger_timer);
	if (server->accept_resume)
		event_free(server->accept_resume);
	if (server->metrics_timer)
		event_free(server->metrics_timer);
	router_free(server->router);
	ratelimit_free(server->survey_limit);
	proxy_list_free(server->trusted_proxies);
	campaign_cache_free(server->campaigns);
	ratelimit_free(server->login_limit_client);
	ratelimit_free(server->login_limit_name);
	form_list_free(server->forms, server->nforms);
	for (size_t i = 0; i < server->nversions; i++)
		form_free(server->versions[i].form);
	free(server->versions);
	if (server->base)
		event_base_free(server->base);
	free(server->base_url);
	if (server->owns_metrics)
		metrics_free(server->metrics);
	free(server);
}
