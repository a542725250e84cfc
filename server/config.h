/*
 * config: every setting of hailong in one typed table.
 *
 * Each option has a command-line flag (--name), an environment variable and
 * a key of the same name in the configuration file (--config FILE); flags
 * win over the environment, the environment over the file, the file over
 * the default.  Every value is checked when it is set, and a bad one yields
 * one line naming the option (and, from a file, the file and line) and the
 * value.  docs/config.md documents each row of
 * the table, and a unit test keeps the two in step.
 */
#ifndef HAILONG_CONFIG_H
#define HAILONG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "log.h"

typedef enum ConfigType {
	CFG_STRING,   /* any non-empty text */
	CFG_PATH,     /* a file-system path */
	CFG_CONNINFO, /* a libpq connection string or URI */
	CFG_LISTEN,   /* host:port, port 0 = any free port */
	CFG_URL,      /* http(s)://host[:port][/path], stored without a trailing slash */
	CFG_INT,      /* a whole number within [min, max] */
	CFG_SIZE,     /* bytes, with an optional k/KiB or m/MiB suffix */
	CFG_DURATION, /* milliseconds: "250ms", "5s", "2min", "1h"; a bare number is ms */
	CFG_LOG_LEVEL,
	CFG_PROXIES,  /* addresses and CIDR networks (proxy.h); empty: none */
} ConfigType;

/* Where an option's value came from, for `hailong config`. */
typedef enum ConfigSource {
	CFG_SOURCE_DEFAULT,
	CFG_SOURCE_FILE,
	CFG_SOURCE_ENV,
	CFG_SOURCE_FLAG,
} ConfigSource;

/* Room in Config for per-option bookkeeping; config.c checks the table fits. */
#define CONFIG_MAX_OPTIONS 48

typedef struct ListenAddr {
	char *host; /* owned; "127.0.0.1", "::1", "localhost" … */
	int port;   /* 0 asks the kernel for a free port */
} ListenAddr;

typedef struct Config {
	char *database_url; /* NULL when not given */
	char *replica_url;  /* reports read here when given; NULL: from database_url */
	ListenAddr listen;
	char *base_url; /* NULL until config_finish derives it from listen */
	bool base_url_derived; /* true when base_url came from listen, not from the user */
	LogLevel log_level;
	long long db_pool_size;
	long long db_queue_max;
	long long db_timeout_ms;
	long long db_connect_timeout_ms;
	long long http_max_body;
	long long http_max_headers;
	long long http_timeout_ms;
	long long max_inflight;
	long long shutdown_grace_ms;
	long long commit_batch_max;
	long long commit_max_batches;
	long long aggregate_interval_ms;
	long long privacy_threshold;
	long long report_workers;
	long long workers; /* the option: 0 means one per core */
	/* Set by the supervisor (workers.c) for each worker process; a single
	 * server has index 0 and count 1 (or 0 before it is set). */
	int worker_index;
	int worker_count;
	long long commit_wait_ms;
	long long rate_per_minute;
	long long rate_burst;
	char *sql_dir;
	char *forms_dir;
	char *trusted_proxies; /* NULL or "": trust no proxy */
	char *config_file;     /* the --config file read, or NULL */
	/* Indexed like config_options(): where each value came from, and for
	 * CFG_SOURCE_FILE the line of config_file. */
	ConfigSource source[CONFIG_MAX_OPTIONS];
	int source_line[CONFIG_MAX_OPTIONS];
	char *metrics_token; /* NULL: /metrics for loopback callers only */
} Config;

typedef struct ConfigOption {
	const char *name; /* flag name without the leading "--" */
	const char *env;  /* environment variable */
	ConfigType type;
	size_t offset; /* of the field in Config */
	const char *default_value; /* NULL: no default */
	long long min, max;        /* bounds for INT, SIZE and DURATION */
	const char *help;          /* one line for --help */
} ConfigOption;

/* The option table, *count set to its length.  Static storage. */
const ConfigOption *config_options(size_t *count);

/* Finds an option by flag name; NULL when there is none. */
const ConfigOption *config_find(const char *name);

/* Fills c with the defaults.  c must be zeroed or previously freed.
 * Returns false only when memory runs out. */
bool config_init(Config *c) __attribute__((warn_unused_result));

/* Sets one option from text.  On failure returns false, leaves the field as it
 * was, and sets *err to a malloc'd one-line message naming the option, its
 * environment variable and the value (caller frees).  Values of connection
 * strings are never repeated in messages: they may hold a password. */
bool config_set(Config *c, const ConfigOption *opt, const char *value, char **err)
	__attribute__((warn_unused_result));

/* Reads a configuration file of "key = value" lines and sets each option it
 * names, marking it CFG_SOURCE_FILE with its line.  Blank lines and lines
 * whose first non-blank character is '#' are skipped; a value may be quoted
 * with "…" or '…' (then it is taken verbatim, '#' included); in an unquoted
 * value, '#' after a blank starts a comment.  On failure returns false and
 * *err (caller frees) is one line "PATH:LINE: …" naming the key: unknown key
 * (with the nearest known one), bad value (config_set's reason), duplicate
 * key, missing '=', missing key, unterminated quote, text after a quoted
 * value, the key "config" itself; or "PATH: cannot read: REASON".  Values of
 * connection strings are never repeated.  Options set before the failing
 * line keep their new values: the caller is expected to stop. */
bool config_load_file(Config *c, const char *path, char **err) __attribute__((warn_unused_result));

/* config_load_file on an open stream (not closed here); path names it in
 * messages and in c->config_file. */
bool config_load_stream(Config *c, FILE *f, const char *path, char **err)
	__attribute__((warn_unused_result));

/* The configuration file asked for: the value of the last "--config FILE" or
 * "--config=FILE" among argv[0..argc-1], else $HAILONG_CONFIG when set and
 * non-empty, else NULL.  Points into argv or the environment. */
const char *config_file_wanted(int argc, char **argv);

/* Applies every option whose environment variable is set and non-empty.
 * Failure as config_set. */
bool config_load_env(Config *c, char **err) __attribute__((warn_unused_result));

/* Parses leading "--name=value" and "--name value" arguments of argv, stopping
 * at the first argument that is not a flag or after "--".  *consumed is the
 * number of arguments used.  An unknown flag or a missing value is an error
 * (message in *err, caller frees). */
bool config_parse_args(Config *c, int argc, char **argv, int *consumed, char **err)
	__attribute__((warn_unused_result));

/* Derives values that depend on others (base_url from listen).  Returns false
 * only when memory runs out. */
bool config_finish(Config *c) __attribute__((warn_unused_result));

/* Frees what c owns; c may then be reused with config_init.  NULL-safe. */
void config_free(Config *c);

/* Parsers shared with other modules; each returns false on bad input. */
bool config_parse_size(const char *text, long long *out) __attribute__((warn_unused_result));
bool config_parse_duration_ms(const char *text, long long *out) __attribute__((warn_unused_result));
bool config_parse_listen(const char *text, char **host, int *port) __attribute__((warn_unused_result));

#endif
