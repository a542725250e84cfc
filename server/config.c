#include "config.h"

#include "proxy.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef HAILONG_SQL_DIR_DEFAULT
#define HAILONG_SQL_DIR_DEFAULT "sql"
#endif
#ifndef HAILONG_FORMS_DIR_DEFAULT
#define HAILONG_FORMS_DIR_DEFAULT "forms"
#endif

#define KIB (1024LL)
#define MIB (1024LL * 1024LL)
#define SEC (1000LL)

#define OPT(name, env, type, field, def, min, max, help) \
	{name, env, type, offsetof(Config, field), def, min, max, help}

static const ConfigOption options[] = {
	OPT("database-url", "DATABASE_URL", CFG_CONNINFO, database_url, NULL, 0, 0,
	    "PostgreSQL connection string or URI"),
	OPT("replica-url", "HAILONG_REPLICA_URL", CFG_CONNINFO, replica_url, NULL, 0, 0,
	    "read-only PostgreSQL (a streaming replica) that reports are built from"),
	OPT("listen", "HAILONG_LISTEN", CFG_LISTEN, listen, "127.0.0.1:8080", 0, 0,
	    "address and port the HTTP server listens on"),
	OPT("base-url", "HAILONG_BASE_URL", CFG_URL, base_url, NULL, 0, 0,
	    "public base URL used in QR links (default: http://LISTEN)"),
	OPT("log-level", "HAILONG_LOG_LEVEL", CFG_LOG_LEVEL, log_level, "info", 0, 0,
	    "lowest level logged: debug, info, warn, error"),
	OPT("db-pool-size", "HAILONG_DB_POOL_SIZE", CFG_INT, db_pool_size, "8", 1, 200,
	    "database connections held by the server"),
	OPT("db-queue-max", "HAILONG_DB_QUEUE_MAX", CFG_INT, db_queue_max, "512", 0, 100000,
	    "queries that may wait for a connection before requests get 503"),
	OPT("db-timeout", "HAILONG_DB_TIMEOUT", CFG_DURATION, db_timeout_ms, "5s", 100,
	    10 * 60 * SEC, "deadline of one database query, waiting included"),
	OPT("db-connect-timeout", "HAILONG_DB_CONNECT_TIMEOUT", CFG_DURATION,
	    db_connect_timeout_ms, "5s", 100, 10 * 60 * SEC,
	    "deadline of one connection attempt"),
	OPT("http-max-body", "HAILONG_HTTP_MAX_BODY", CFG_SIZE, http_max_body, "64KiB", 1 * KIB,
	    64 * MIB, "largest request body accepted (larger gets 413)"),
	OPT("http-max-headers", "HAILONG_HTTP_MAX_HEADERS", CFG_SIZE, http_max_headers, "16KiB",
	    1 * KIB, 1 * MIB, "largest request line plus headers accepted"),
	OPT("http-timeout", "HAILONG_HTTP_TIMEOUT", CFG_DURATION, http_timeout_ms, "30s", 1 * SEC,
	    3600 * SEC, "idle, read and write timeout of a client connection"),
	OPT("workers", "HAILONG_WORKERS", CFG_INT, workers, "1", 0, 64,
	    "server processes sharing the port, each with its own event loop (0: one per core)"),
	OPT("max-inflight", "HAILONG_MAX_INFLIGHT", CFG_INT, max_inflight, "1024", 1, 1000000,
	    "requests handled at once before new ones get 503"),
	OPT("shutdown-grace", "HAILONG_SHUTDOWN_GRACE", CFG_DURATION, shutdown_grace_ms, "10s",
	    0, 10 * 60 * SEC, "time in-flight requests get to finish on SIGTERM"),
	OPT("commit-batch-max", "HAILONG_COMMIT_BATCH_MAX", CFG_INT, commit_batch_max, "64", 1,
	    1000, "responses written by one statement (group commit)"),
	OPT("commit-max-batches", "HAILONG_COMMIT_MAX_BATCHES", CFG_INT, commit_max_batches, "2",
	    1, 100, "group-commit statements in flight at once"),
	OPT("commit-wait", "HAILONG_COMMIT_WAIT", CFG_DURATION, commit_wait_ms, "0ms", 0, 1000,
	    "extra time a response waits to share a commit (0: none)"),
	OPT("aggregate-interval", "HAILONG_AGGREGATE_INTERVAL", CFG_DURATION, aggregate_interval_ms,
	    "5s", 0, 3600 * SEC, "how often responses are counted into the tallies (0: never)"),
	OPT("privacy-threshold", "HAILONG_PRIVACY_THRESHOLD", CFG_INT, privacy_threshold, "5", 2,
	    1000, "fewest responses a group needs before reports show its rates and comments"),
	OPT("report-workers", "HAILONG_REPORT_WORKERS", CFG_INT, report_workers, "2", 1, 16,
	    "threads (each with its own database connection) that build reports"),
	OPT("rate-limit", "HAILONG_RATE_LIMIT", CFG_INT, rate_per_minute, "600", 1, 1000000,
	    "survey requests per minute one client address may make"),
	OPT("rate-burst", "HAILONG_RATE_BURST", CFG_INT, rate_burst, "300", 1, 1000000,
	    "survey requests one client address may make at once"),
	OPT("metrics-token", "HAILONG_METRICS_TOKEN", CFG_STRING, metrics_token, NULL, 0, 0,
	    "bearer token that lets a non-loopback caller read /metrics (default: loopback only)"),
	OPT("sql-dir", "HAILONG_SQL_DIR", CFG_PATH, sql_dir, HAILONG_SQL_DIR_DEFAULT, 0, 0,
	    "folder of the numbered migration files"),
	OPT("forms-dir", "HAILONG_FORMS_DIR", CFG_PATH, forms_dir, HAILONG_FORMS_DIR_DEFAULT, 0, 0,
	    "folder of the questionnaire files"),
	OPT("trusted-proxies", "HAILONG_TRUSTED_PROXIES", CFG_PROXIES, trusted_proxies, NULL, 0, 0,
	    "proxies whose X-Forwarded-For is believed: addresses, CIDR networks"),
	OPT("config", "HAILONG_CONFIG", CFG_PATH, config_file, NULL, 0, 0,
	    "configuration file of key = value lines (flags and environment win)"),
};

_Static_assert(sizeof options / sizeof options[0] <= CONFIG_MAX_OPTIONS,
	       "raise CONFIG_MAX_OPTIONS in config.h");

const ConfigOption *config_options(size_t *count)
{
	*count = sizeof options / sizeof options[0];
	return options;
}

const ConfigOption *config_find(const char *name)
{
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
		if (strcmp(options[i].name, name) == 0)
			return &options[i];
	return NULL;
}

/* Parses a non-negative decimal number followed by a unit from units[]
 * (suffix, multiplier; "" allowed).  Overflow and unknown units fail. */
struct Unit {
	const char *suffix;
	long long factor;
};

static bool parse_with_units(const char *text, const struct Unit *units, size_t nunits,
			     long long *out)
{
	const char *p = text;
	long long value = 0;

	while (*p == ' ')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		if (value > (LLONG_MAX - 9) / 10)
			return false;
		value = value * 10 + (*p - '0');
	}
	while (*p == ' ')
		p++;
	for (size_t i = 0; i < nunits; i++) {
		if (strcmp(p, units[i].suffix) == 0) {
			if (units[i].factor && value > LLONG_MAX / units[i].factor)
				return false;
			*out = value * units[i].factor;
			return true;
		}
	}
	return false;
}

bool config_parse_size(const char *text, long long *out)
{
	static const struct Unit units[] = {
		{"", 1},     {"B", 1},       {"k", KIB},   {"K", KIB},   {"KB", KIB},
		{"KiB", KIB}, {"m", MIB},    {"M", MIB},   {"MB", MIB},  {"MiB", MIB},
	};
	return parse_with_units(text, units, sizeof units / sizeof units[0], out);
}

bool config_parse_duration_ms(const char *text, long long *out)
{
	static const struct Unit units[] = {
		{"", 1},	{"ms", 1},	   {"s", SEC},	       {"sec", SEC},
		{"min", 60 * SEC}, {"m", 60 * SEC}, {"h", 3600 * SEC},
	};
	return parse_with_units(text, units, sizeof units / sizeof units[0], out);
}

static bool parse_port(const char *text, int *port)
{
	long value = 0;

	if (!*text || strlen(text) > 5)
		return false;
	for (const char *p = text; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		value = value * 10 + (*p - '0');
	}
	if (value > 65535)
		return false;
	*port = (int)value;
	return true;
}

static bool valid_host(const char *host, size_t len, bool bracketed)
{
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)host[i];
		if (bracketed ? !(isxdigit(c) || c == ':' || c == '.')
			      : !(isalnum(c) || c == '.' || c == '-'))
			return false;
	}
	return true;
}

bool config_parse_listen(const char *text, char **host, int *port)
{
	const char *host_start = text, *host_end, *colon;
	bool bracketed = false;
	char *copy;

	if (text[0] == '[') {
		host_start = text + 1;
		host_end = strchr(host_start, ']');
		if (!host_end || host_end[1] != ':')
			return false;
		colon = host_end + 1;
		bracketed = true;
	} else {
		colon = strrchr(text, ':');
		if (!colon)
			return false;
		host_end = colon;
	}
	if (!valid_host(host_start, (size_t)(host_end - host_start), bracketed))
		return false;
	if (!parse_port(colon + 1, port))
		return false;
	copy = strndup(host_start, (size_t)(host_end - host_start));
	if (!copy)
		return false;
	*host = copy;
	return true;
}

/* Accepts http(s)://host[:port][/path] and returns a copy without the
 * trailing slash, or NULL (with *why set) when the text is not such a URL. */
static char *normalise_base_url(const char *text, const char **why)
{
	const char *rest, *p;
	size_t len;
	char *out;

	if (strncmp(text, "http://", 7) == 0)
		rest = text + 7;
	else if (strncmp(text, "https://", 8) == 0)
		rest = text + 8;
	else {
		*why = "expected a URL starting with http:// or https://";
		return NULL;
	}
	if (*rest == '\0' || *rest == '/' || *rest == ':') {
		*why = "the URL has no host";
		return NULL;
	}
	for (p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '"' || c == '<' ||
		    c == '>' || c == '\\') {
			*why = "the URL may contain no spaces, query, fragment or non-ASCII characters";
			return NULL;
		}
	}
	len = strlen(text);
	if (len > 200) {
		*why = "the URL is longer than 200 characters (QR codes would be too dense)";
		return NULL;
	}
	while (len > 0 && text[len - 1] == '/')
		len--;
	out = strndup(text, len);
	if (!out)
		*why = "out of memory";
	return out;
}

/* libpq's parse errors quote pieces of a key/value string ('missing "="
 * after "cret"' for "password=se cret"): a piece of a password, and the
 * piece may itself hold quotes.  Replaces, in place, every run of four or
 * more characters of why that also occurs in value with "…" (shorter runs
 * would eat libpq's own words: "res" of "address" is in "postgresql").  why holds at
 * least 512 bytes; a message that would not fit is cut. */
static void redact_value(char *why, const char *value)
{
	char out[512];
	size_t n = 0, vlen = strlen(value);
	const char *p = why;

	while (*p && n + 4 < sizeof out) {
		size_t best = 0;
		/* A prefix not in value has no longer prefix in value. */
		for (size_t len = 4; len <= strlen(p) && memmem(value, vlen, p, len); len++)
			best = len;
		if (best) {
			memcpy(out + n, "\xe2\x80\xa6", 3); /* … */
			n += 3;
			p += best;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	memcpy(why, out, n + 1);
}

/* label names the option as the user gave it: "HAILONG_X (--x)" or
 * "key \"x\"" for a file. */
static char *option_error(const ConfigOption *opt, const char *label, const char *value,
			  const char *why)
{
	if (opt->type == CFG_CONNINFO)
		return str_printf("invalid value for %s: %s", label, why);
	return str_printf("invalid value for %s: \"%s\": %s", label, value, why);
}

static bool set_value(Config *c, const ConfigOption *opt, const char *value, const char *label,
		      char **err);

bool config_set(Config *c, const ConfigOption *opt, const char *value, char **err)
{
	char label[128];

	snprintf(label, sizeof label, "%s (--%s)", opt->env, opt->name);
	return set_value(c, opt, value, label, err);
}

static bool set_value(Config *c, const ConfigOption *opt, const char *value, const char *label,
		      char **err)
{
	void *field = (char *)c + opt->offset;
	char why[512];
	long long number;

	*err = NULL;
	switch (opt->type) {
	case CFG_STRING:
	case CFG_PATH: {
		char *copy;
		if (!*value) {
			*err = option_error(opt, label, value, "must not be empty");
			return false;
		}
		if (!(copy = strdup(value)))
			goto oom;
		free(*(char **)field);
		*(char **)field = copy;
		return true;
	}
	case CFG_CONNINFO: {
		char *parse_err = NULL, *copy;
		PQconninfoOption *parsed;
		if (!*value) {
			*err = option_error(opt, label, value, "must not be empty");
			return false;
		}
		parsed = PQconninfoParse(value, &parse_err);
		if (!parsed) {
			size_t len;
			snprintf(why, sizeof why, "%s",
				 parse_err ? parse_err : "not a connection string or URI");
			len = strlen(why);
			while (len > 0 && (why[len - 1] == '\n' || why[len - 1] == '.'))
				why[--len] = '\0';
			PQfreemem(parse_err);
			/* libpq quotes the whole URI, password and all: cut that part. */
			{
				char *echo = strstr(why, value);
				if (echo) {
					while (echo > why && (echo[-1] == '"' || echo[-1] == ' ' ||
							      echo[-1] == ':'))
						echo--;
					*echo = '\0';
				}
			}
			redact_value(why, value);
			*err = option_error(opt, label, value, why);
			return false;
		}
		PQconninfoFree(parsed);
		if (!(copy = strdup(value)))
			goto oom;
		free(*(char **)field);
		*(char **)field = copy;
		return true;
	}
	case CFG_LISTEN: {
		ListenAddr *addr = field;
		char *host = NULL;
		int port = 0;
		if (!config_parse_listen(value, &host, &port)) {
			*err = option_error(opt, label, value,
					    "expected host:port, e.g. 127.0.0.1:8080 or [::1]:8080, "
					    "with a port from 0 to 65535");
			return false;
		}
		free(addr->host);
		addr->host = host;
		addr->port = port;
		return true;
	}
	case CFG_URL: {
		const char *reason = NULL;
		char *url = normalise_base_url(value, &reason);
		if (!url) {
			*err = option_error(opt, label, value, reason);
			return false;
		}
		free(*(char **)field);
		*(char **)field = url;
		return true;
	}
	case CFG_INT:
	case CFG_SIZE:
	case CFG_DURATION: {
		bool ok;
		const char *expect = opt->type == CFG_INT	  ? "a whole number"
				     : opt->type == CFG_SIZE ? "a size such as 65536, 64KiB or 1MiB"
							      : "a duration such as 500ms, 5s or 2min";
		if (opt->type == CFG_INT) {
			char *end;
			errno = 0;
			number = strtoll(value, &end, 10);
			ok = *value && !*end && errno == 0 && !isspace((unsigned char)*value);
		} else if (opt->type == CFG_SIZE) {
			ok = config_parse_size(value, &number);
		} else {
			ok = config_parse_duration_ms(value, &number);
		}
		if (!ok) {
			snprintf(why, sizeof why, "expected %s", expect);
			*err = option_error(opt, label, value, why);
			return false;
		}
		if (number < opt->min || number > opt->max) {
			if (opt->type == CFG_INT)
				snprintf(why, sizeof why, "must be between %lld and %lld", opt->min,
					 opt->max);
			else if (opt->type == CFG_SIZE)
				snprintf(why, sizeof why, "must be between %lld and %lld bytes",
					 opt->min, opt->max);
			else
				snprintf(why, sizeof why, "must be between %lld ms and %lld ms",
					 opt->min, opt->max);
			*err = option_error(opt, label, value, why);
			return false;
		}
		*(long long *)field = number;
		return true;
	}
	case CFG_PROXIES: {
		ProxyList *list = NULL;
		char *copy;
		/* Parsed here only to check it; the server parses it again into
		 * the form it matches against. */
		if (!proxy_list_parse(value, &list, why, sizeof why)) {
			*err = option_error(opt, label, value, why);
			return false;
		}
		proxy_list_free(list);
		if (!(copy = strdup(value)))
			goto oom;
		free(*(char **)field);
		*(char **)field = copy;
		return true;
	}
	case CFG_LOG_LEVEL:
		if (!log_level_parse(value, (LogLevel *)field)) {
			*err = option_error(opt, label, value, "expected debug, info, warn or error");
			return false;
		}
		return true;
	}
	*err = str_printf("option --%s has an unknown type", opt->name);
	return false;
oom:
	*err = str_printf("out of memory while setting --%s", opt->name);
	return false;
}

bool config_init(Config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		char *err = NULL;
		if (!options[i].default_value)
			continue;
		if (!config_set(c, &options[i], options[i].default_value, &err)) {
			/* A default that fails its own check is a programming error. */
			log_error("bad built-in default: %s", err ? err : "out of memory");
			free(err);
			config_free(c);
			return false;
		}
	}
	return true;
}

bool config_load_env(Config *c, char **err)
{
	*err = NULL;
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		const char *value = getenv(options[i].env);
		if (!value || !*value)
			continue;
		if (!config_set(c, &options[i], value, err))
			return false;
		c->source[i] = CFG_SOURCE_ENV;
	}
	return true;
}

bool config_parse_args(Config *c, int argc, char **argv, int *consumed, char **err)
{
	int i = 0;

	*err = NULL;
	while (i < argc) {
		const char *arg = argv[i];
		const char *eq, *value;
		char name[64];
		size_t name_len;
		const ConfigOption *opt;

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
			break;
		eq = strchr(arg + 2, '=');
		name_len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		if (name_len >= sizeof name) {
			*err = str_printf("unknown option \"%.64s…\"", arg);
			return false;
		}
		memcpy(name, arg + 2, name_len);
		name[name_len] = '\0';
		opt = config_find(name);
		if (!opt) {
			*err = str_printf("unknown option \"--%s\" (see hailong --help)", name);
			return false;
		}
		if (eq) {
			value = eq + 1;
			i++;
		} else {
			if (i + 1 >= argc) {
				*err = str_printf("option --%s needs a value", name);
				return false;
			}
			value = argv[i + 1];
			i += 2;
		}
		if (!config_set(c, opt, value, err))
			return false;
		c->source[opt - options] = CFG_SOURCE_FLAG;
	}
	*consumed = i;
	return true;
}

bool config_finish(Config *c)
{
	if (!c->base_url) {
		bool ipv6 = strchr(c->listen.host, ':') != NULL;
		c->base_url = str_printf(ipv6 ? "http://[%s]:%d" : "http://%s:%d", c->listen.host,
					   c->listen.port);
		if (!c->base_url)
			return false;
		c->base_url_derived = true;
	}
	return true;
}

void config_free(Config *c)
{
	if (!c)
		return;
	free(c->database_url);
	free(c->replica_url);
	free(c->listen.host);
	free(c->base_url);
	free(c->sql_dir);
	free(c->forms_dir);
	free(c->trusted_proxies);
	free(c->config_file);
	free(c->metrics_token);
	memset(c, 0, sizeof *c);
}

/* Edit distance between two short names (Levenshtein), capped at 99. */
static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[64];

	if (la >= 64 || lb >= 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int best = diag + (tolower((unsigned char)a[i - 1]) !=
					   tolower((unsigned char)b[j - 1]));
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The option a mistyped key most likely meant, or NULL: the same name
 * written as its environment variable or flag, else the nearest name within
 * a few edits. */
static const ConfigOption *nearest_option(const char *key)
{
	const ConfigOption *best = NULL;
	int best_distance = 4; /* at most three edits away */

	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		int d;
		if (strcasecmp(key, options[i].env) == 0 ||
		    (strncmp(key, "--", 2) == 0 && strcmp(key + 2, options[i].name) == 0))
			return &options[i];
		d = edit_distance(key, options[i].name);
		if (d < best_distance) {
			best = &options[i];
			best_distance = d;
		}
	}
	return best;
}

/* Splits one line of a configuration file.  Sets *key and *value to
 * NUL-terminated parts of line (modified in place), or both to NULL for a
 * blank or comment line.  On a syntax error returns false with *why set. */
static bool split_line(char *line, char **key, char **value, const char **why)
{
	char *p = line, *eq, *end;

	*key = *value = NULL;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#')
		return true;
	eq = strchr(p, '=');
	if (!eq) {
		*why = "expected key = value";
		return false;
	}
	end = eq;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (end == p) {
		*why = "missing key before \"=\"";
		return false;
	}
	*end = '\0';
	*key = p;
	p = eq + 1;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '"' || *p == '\'') {
		char quote = *p++;
		char *close = strchr(p, quote), *after;
		if (!close) {
			*why = "unterminated quoted value";
			return false;
		}
		*close = '\0';
		after = close + 1;
		while (isspace((unsigned char)*after))
			after++;
		if (*after != '\0' && *after != '#') {
			*why = "unexpected text after the quoted value";
			return false;
		}
		*value = p;
		return true;
	}
	/* Unquoted: a '#' after a blank starts a comment; trailing blanks go. */
	for (end = p; *end; end++)
		if (*end == '#' && end > p && isspace((unsigned char)end[-1]))
			break;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	*value = p;
	return true;
}

/* The key as it may be shown: printable ASCII only, at most 64 bytes, so a
 * binary file does not spill into the terminal. */
static void printable_key(const char *key, char *out, size_t outlen)
{
	size_t n = 0;

	for (const char *p = key; *p && n + 4 < outlen; p++)
		out[n++] = (*p >= ' ' && *p < 0x7f && *p != '"') ? *p : '?';
	if (*key && n + 4 >= outlen && strlen(key) > n) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

bool config_load_stream(Config *c, FILE *f, const char *path, char **err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0;
	bool seen[CONFIG_MAX_OPTIONS] = {false};
	int seen_line[CONFIG_MAX_OPTIONS] = {0};
	char *copy = NULL;

	*err = NULL;
	if (!(copy = strdup(path)))
		goto oom;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *key, *value, shown[72], label[96];
		const char *why = NULL;
		const ConfigOption *opt;
		char *set_err = NULL;
		size_t index;

		lineno++;
		if (memchr(line, '\0', (size_t)len)) {
			*err = str_printf("%s:%d: the line holds a NUL byte (not a text file?)", path,
					  lineno);
			goto fail;
		}
		if (!split_line(line, &key, &value, &why)) {
			*err = str_printf("%s:%d: %s", path, lineno, why);
			goto fail;
		}
		if (!key)
			continue;
		printable_key(key, shown, sizeof shown);
		opt = config_find(key);
		if (!opt) {
			const ConfigOption *near = nearest_option(key);
			if (near)
				*err = str_printf("%s:%d: unknown key \"%s\" (did you mean \"%s\"?)",
						  path, lineno, shown, near->name);
			else
				*err = str_printf("%s:%d: unknown key \"%s\" (see docs/config.md)", path,
						  lineno, shown);
			goto fail;
		}
		index = (size_t)(opt - options);
		if (strcmp(opt->name, "config") == 0) {
			*err = str_printf("%s:%d: key \"config\" cannot be set in a configuration file",
					  path, lineno);
			goto fail;
		}
		if (seen[index]) {
			*err = str_printf("%s:%d: duplicate key \"%s\" (first set on line %d)", path,
					  lineno, opt->name, seen_line[index]);
			goto fail;
		}
		snprintf(label, sizeof label, "key \"%s\"", opt->name);
		if (!set_value(c, opt, value, label, &set_err)) {
			*err = str_printf("%s:%d: %s", path, lineno,
					  set_err ? set_err : "out of memory");
			free(set_err);
			goto fail;
		}
		seen[index] = true;
		seen_line[index] = lineno;
		c->source[index] = CFG_SOURCE_FILE;
		c->source_line[index] = lineno;
	}
	if (ferror(f)) {
		*err = str_printf("%s: cannot read: %s", path, strerror(errno));
		goto fail;
	}
	free(c->config_file);
	c->config_file = copy;
	free(line);
	return true;
oom:
	*err = str_printf("%s: out of memory", path);
fail:
	free(copy);
	free(line);
	return false;
}

bool config_load_file(Config *c, const char *path, char **err)
{
	FILE *f = fopen(path, "r");
	bool ok;

	*err = NULL;
	if (!f) {
		*err = str_printf("%s: cannot read: %s", path, strerror(errno));
		return false;
	}
	ok = config_load_stream(c, f, path, err);
	fclose(f);
	return ok;
}


const char *config_file_wanted(int argc, char **argv)
{
	const char *found = NULL, *env;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			found = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			found = argv[i] + 9;
	}
	if (found)
		return found;
	env = getenv("HAILONG_CONFIG");
	return env && *env ? env : NULL;
}
