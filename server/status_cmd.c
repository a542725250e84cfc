#include "status_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "sql_text.h"
#include "util.h"
#include "version.h"

enum {
	/* A healthy server answers /metrics in milliseconds; an operator
	 * waiting longer learns more from "unreachable". */
	STATUS_TIMEOUT_MS = 3000,
	STATUS_MAX_BODY = 8 * 1024 * 1024,
};

bool status_metric(const char *text, const char *name, const char *label, double *sum)
{
	size_t nlen = strlen(name);
	bool found = false;

	*sum = 0;
	for (const char *line = text, *end; *line; line = end ? end + 1 : line + strlen(line)) {
		const char *value;
		size_t len;
		char copy[1024];

		end = strchr(line, '\n');
		len = end ? (size_t)(end - line) : strlen(line);

		if (*line == '#' || len < nlen + 2 || len >= sizeof copy ||
		    strncmp(line, name, nlen) != 0 || (line[nlen] != ' ' && line[nlen] != '{'))
			continue;
		memcpy(copy, line, len);
		copy[len] = '\0';
		if (label && (line[nlen] != '{' || !strstr(copy, label)))
			continue;
		value = strrchr(copy, ' ');
		if (!value)
			continue;
		*sum += strtod(value + 1, NULL);
		found = true;
	}
	return found;
}

/* Splits "http://host[:port][/…]" (host may be [v6]).  False when not http. */
static bool split_url(const char *url, char *host, size_t hcap, char *port, size_t pcap)
{
	const char *p, *end;

	if (strncmp(url, "http://", 7) != 0)
		return false;
	p = url + 7;
	if (*p == '[') {
		end = strchr(p, ']');
		if (!end || (size_t)(end - p - 1) >= hcap)
			return false;
		snprintf(host, hcap, "%.*s", (int)(end - p - 1), p + 1);
		p = end + 1;
	} else {
		end = p + strcspn(p, ":/");
		if (end == p || (size_t)(end - p) >= hcap)
			return false;
		snprintf(host, hcap, "%.*s", (int)(end - p), p);
		p = end;
	}
	if (*p == ':') {
		size_t n = strcspn(p + 1, "/");
		if (n == 0 || n >= pcap)
			return false;
		snprintf(port, pcap, "%.*s", (int)n, p + 1);
	} else {
		snprintf(port, pcap, "80");
	}
	return true;
}

/* Connects to host:port within the timeout; -1 with *why set on failure. */
static int connect_to(const char *host, const char *port, const char **why)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *found = NULL;
	int fd = -1, rc = getaddrinfo(host, port, &hints, &found);

	if (rc != 0) {
		*why = gai_strerror(rc);
		return -1;
	}
	*why = "connection refused";
	for (struct addrinfo *a = found; a && fd < 0; a = a->ai_next) {
		struct pollfd pfd;
		int soerr = 0;
		socklen_t slen = sizeof soerr;
		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
			*why = strerror(errno);
			close(fd);
			fd = -1;
			continue;
		}
		pfd = (struct pollfd){.fd = fd, .events = POLLOUT};
		if (poll(&pfd, 1, STATUS_TIMEOUT_MS) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) != 0 || soerr != 0) {
			*why = soerr ? strerror(soerr) : "timed out";
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(found);
	return fd;
}

/* GET path from host:port; on a 200 returns the body (malloc'd, caller
 * frees), else NULL with *why (static text, or the status line in whybuf). */
static char *http_get(const char *host, const char *port, const char *path, const char *token,
		      const char **why, char *whybuf, size_t whycap)
{
	int fd = connect_to(host, port, why);
	Buf req, in;
	char chunk[16384], *body = NULL;
	const char *sep;
	size_t sent = 0;

	if (fd < 0)
		return NULL;
	buf_init(&req, 256);
	buf_printf(&req, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: hailong-status\r\n", path,
		   host);
	if (token)
		buf_printf(&req, "Authorization: Bearer %s\r\n", token);
	buf_puts(&req, "\r\n");
	buf_init(&in, 64 * 1024);
	*why = "timed out";
	while (!req.failed && sent < req.len) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		ssize_t n;
		if (poll(&pfd, 1, STATUS_TIMEOUT_MS) != 1)
			goto done;
		n = send(fd, req.data + sent, req.len - sent, MSG_NOSIGNAL);
		if (n <= 0)
			goto done;
		sent += (size_t)n;
	}
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;
		if (poll(&pfd, 1, STATUS_TIMEOUT_MS) != 1)
			goto done;
		n = recv(fd, chunk, sizeof chunk, 0);
		if (n < 0)
			goto done;
		if (n == 0)
			break;
		buf_add(&in, chunk, (size_t)n);
		if (in.failed || in.len > STATUS_MAX_BODY) {
			*why = "answer too large";
			goto done;
		}
	}
	buf_add(&in, "", 1); /* NUL-terminated */
	sep = in.failed ? NULL : strstr(in.data, "\r\n\r\n");
	if (!sep || strncmp(in.data, "HTTP/1.", 7) != 0 || strlen(in.data) < 12) {
		*why = "not an HTTP answer";
		goto done;
	}
	if (strncmp(in.data + 9, "200", 3) != 0) {
		snprintf(whybuf, whycap, "%s answered %.*s", path, (int)strcspn(in.data + 9, "\r\n"),
			 in.data + 9);
		*why = whybuf;
		goto done;
	}
	body = strdup(sep + 4);
done:
	close(fd);
	buf_free(&req);
	buf_free(&in);
	return body;
}

static void duration_text(double seconds, char *out, size_t cap)
{
	long long s = (long long)seconds;

	if (s >= 86400)
		snprintf(out, cap, "%lldd %02lldh %02lldm", s / 86400, s % 86400 / 3600, s % 3600 / 60);
	else if (s >= 3600)
		snprintf(out, cap, "%lldh %02lldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(out, cap, "%lldm %02llds", s / 60, s % 60);
	else
		snprintf(out, cap, "%llds", s);
}

static double wall_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* The lines that come from /metrics. */
static void print_server(FILE *out, const char *metrics)
{
	double start = 0, total = 0, s5xx = 0, s503 = 0, s4xx = 0, inflight = 0, conns = 0;
	double accepted = 0, refused = 0, size = 0, connected = 0, busy = 0, queued = 0;
	double lag_n = 0, lag_s = 0, last_run = 0, now = wall_now(), uptime;
	char up[32], ago[32], lag[32];
	const char *version_at = strstr(metrics, "hailong_build_info{version=\"");
	int vlen = version_at ? (int)strcspn(version_at + 28, "\"") : 1;

	status_metric(metrics, "hailong_process_start_time_seconds", NULL, &start);
	status_metric(metrics, "hailong_http_requests_total", NULL, &total);
	status_metric(metrics, "hailong_http_requests_total", "status=\"503\"", &s503);
	/* A label prefix: every status starting with 5, then with 4. */
	status_metric(metrics, "hailong_http_requests_total", "status=\"5", &s5xx);
	status_metric(metrics, "hailong_http_requests_total", "status=\"4", &s4xx);
	status_metric(metrics, "hailong_http_requests_in_flight", NULL, &inflight);
	status_metric(metrics, "hailong_http_open_connections", NULL, &conns);
	status_metric(metrics, "hailong_submissions_accepted_total", NULL, &accepted);
	status_metric(metrics, "hailong_submissions_refused_total", NULL, &refused);
	status_metric(metrics, "hailong_db_pool_size", NULL, &size);
	status_metric(metrics, "hailong_db_pool_connected", NULL, &connected);
	status_metric(metrics, "hailong_db_pool_busy", NULL, &busy);
	status_metric(metrics, "hailong_db_pool_wait_queue", NULL, &queued);
	uptime = start > 0 && now > start ? now - start : 0;
	duration_text(uptime, up, sizeof up);
	fprintf(out, "%-13s up %s, version %.*s\n", "server", up, vlen,
		version_at ? version_at + 28 : "?");
	fprintf(out, "%-13s %.0f since start, %.2f/s; %.0f 4xx, %.0f 5xx (%.0f of them 503)\n",
		"requests", total, uptime > 0 ? total / uptime : 0.0, s4xx, s5xx, s503);
	fprintf(out, "%-13s %.0f in flight, %.0f open connections\n", "http", inflight, conns);
	fprintf(out, "%-13s %.0f accepted, %.0f refused since start\n", "submissions", accepted,
		refused);
	fprintf(out, "%-13s %.0f of %.0f connected, %.0f busy, %.0f waiting\n", "db pool",
		connected, size, busy, queued);
	if (!status_metric(metrics, "hailong_aggregation_runs_total", NULL, &lag_n)) {
		fprintf(out, "%-13s not run by this server (--aggregate-interval 0)\n", "aggregation");
		return;
	}
	if (!status_metric(metrics, "hailong_aggregation_lag_responses", NULL, &lag_n)) {
		fprintf(out, "%-13s not measured yet\n", "aggregation");
		return;
	}
	status_metric(metrics, "hailong_aggregation_lag_seconds", NULL, &lag_s);
	status_metric(metrics, "hailong_aggregation_last_run_timestamp_seconds", NULL, &last_run);
	duration_text(lag_s, lag, sizeof lag);
	duration_text(last_run > 0 && now > last_run ? now - last_run : 0, ago, sizeof ago);
	fprintf(out, "%-13s lag %.0f responses (%s), last run %s ago\n", "aggregation", lag_n, lag,
		ago);
}

/* The lines that come from the database; false when it cannot be read. */
static bool print_database(FILE *out, FILE *err, const Config *config)
{
	const char *const keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *vals[] = {config->database_url, "3", "hailong-status", NULL};
	PGconn *conn;
	PGresult *res;
	bool ok = false;

	if (!config->database_url) {
		fprintf(out, "%-13s not checked (DATABASE_URL is not set)\n", "database");
		return true;
	}
	conn = PQconnectdbParams(keys, vals, 1);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		char *msg = str_oneline("%s", conn ? PQerrorMessage(conn) : "out of memory");
		fprintf(out, "%-13s DOWN\n", "database");
		fprintf(err, "hailong status: cannot connect to the database: %s\n",
			msg ? msg : "out of memory");
		free(msg);
		PQfinish(conn);
		return false;
	}
	res = PQexec(conn, SQL_STATUS_SUMMARY);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		fprintf(out, "%-13s %s stored today\n", "responses", PQgetvalue(res, 0, 0));
		fprintf(out, "%-13s %s open now\n", "rounds", PQgetvalue(res, 0, 1));
		fprintf(out, "%-13s level %s\n", "migrations", PQgetvalue(res, 0, 2));
		fprintf(out, "%-13s ok\n", "database");
		ok = true;
	} else {
		char *msg = str_oneline("%s", PQerrorMessage(conn));
		fprintf(out, "%-13s DOWN\n", "database");
		fprintf(err, "hailong status: the database did not answer: %s (not migrated?)\n",
			msg ? msg : "out of memory");
		free(msg);
	}
	PQclear(res);
	PQfinish(conn);
	return ok;
}

int status_run(const Config *config, const char *url, FILE *out, FILE *err)
{
	char host[256], port[16], whybuf[160], *derived = NULL, *metrics;
	const char *why = NULL;
	bool db_ok;

	if (!url) {
		/* The listen address; a wildcard is reached on loopback. */
		const char *h = config->listen.host;
		bool v6 = strchr(h, ':') != NULL;
		if (strcmp(h, "0.0.0.0") == 0)
			h = "127.0.0.1";
		else if (strcmp(h, "::") == 0)
			h = "::1";
		derived = str_printf(v6 ? "http://[%s]:%d" : "http://%s:%d", h, config->listen.port);
		url = derived;
	}
	if (!url || !split_url(url, host, sizeof host, port, sizeof port)) {
		fprintf(err, "hailong status: --url must be http://HOST[:PORT], not \"%s\"\n",
			url ? url : "");
		free(derived);
		return 2;
	}
	fprintf(out, "%-13s %s\n", "url", url);
	metrics = http_get(host, port, "/metrics", config->metrics_token, &why, whybuf,
			   sizeof whybuf);
	if (metrics)
		print_server(out, metrics);
	else
		fprintf(out, "%-13s UNREACHABLE\n", "server");
	db_ok = print_database(out, err, config);
	if (!metrics)
		fprintf(err, "hailong status: cannot read %s/metrics: %s\n", url, why);
	fprintf(out, "%-13s %s\n", "status", metrics && db_ok ? "ok" : "FAILING");
	free(metrics);
	free(derived);
	return metrics && db_ok ? 0 : 1;
}
