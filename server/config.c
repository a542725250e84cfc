#include "config.h"

#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};

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

static char *option_error(const ConfigOption *opt, const char *value, const char *why)
{
	if (opt->type == CFG_CONNINFO)
		return str_printf("invalid value for %s (--%s): %s", opt->env, opt->name, why);
	return str_printf("invalid value for %s (--%s): \"%s\": %s", opt->env, opt->name, value,
			    why);
}

bool config_set(Config *c, const ConfigOption *opt, const char *value, char **err)
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
			*err = option_error(opt, value, "must not be empty");
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
			*err = option_error(opt, value, "must not be empty");
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
			*err = option_error(opt, value, why);
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
			*err = option_error(opt, value,
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
			*err = option_error(opt, value, reason);
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
			*err = option_error(opt, value, why);
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
			*err = option_error(opt, value, why);
			return false;
		}
		*(long long *)field = number;
		return true;
	}
	case CFG_LOG_LEVEL:
		if (!log_level_parse(value, (LogLevel *)field)) {
			*err = option_error(opt, value, "expected debug, info, warn or error");
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
		if (value && *value && !config_set(c, &options[i], value, err))
			return false;
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
	free(c->listen.host);
	free(c->base_url);
	free(c->sql_dir);
	free(c->forms_dir);
	free(c->metrics_token);
	memset(c, 0, sizeof *c);
}
