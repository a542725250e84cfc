/*
 * log: one line per event on standard error, in logfmt
 * (`ts=… level=… msg="…" key=value …`), so that both people and log
 * shippers can read it.
 *
 * The logger's level is the one piece of process-wide state outside the
 * server context: it is set once at start-up (log_set_level) before any other
 * thread or event exists, and only read afterwards.  libevent's own warnings
 * are routed here by log_route_libevent().
 */
#ifndef HAILONG_LOG_H
#define HAILONG_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum LogLevel {
	LOG_DEBUG = 0,
	LOG_INFO = 1,
	LOG_WARN = 2,
	LOG_ERROR = 3,
} LogLevel;

/* Sets the lowest level that is written.  Call before serving. */
void log_set_level(LogLevel level);

/* Parses "debug", "info", "warn" or "error".  Returns false on anything else
 * and leaves *out untouched. */
bool log_level_parse(const char *text, LogLevel *out) __attribute__((warn_unused_result));

/* The name of a level, as log_level_parse accepts it. */
const char *log_level_name(LogLevel level);

/* Writes one record: msg is formatted with printf rules and then quoted, so
 * any byte a client sent (paths, headers) can never start a new log line.
 * req_id may be NULL.  Never fails: a short write is dropped. */
void log_msg(LogLevel level, const char *req_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like log_msg, and then key=value fields appended: fields is a
 * NULL-terminated list of alternating key and value strings; values are
 * quoted when they need it. */
void log_fields(LogLevel level, const char *req_id, const char *msg, ...)
	__attribute__((sentinel));

/* Appends `value` to dst (capacity cap, always NUL-terminated) as a logfmt
 * value: bare when it is made only of safe characters, otherwise in double
 * quotes with \" \\ \n \t and \xNN escapes.  Returns the number of bytes
 * written (excluding the NUL).  Exposed for tests. */
size_t log_quote(char *dst, size_t cap, const char *value);

/* Sends libevent's internal warnings and errors to this logger. */
void log_route_libevent(void);

#define log_debug(...) log_msg(LOG_DEBUG, NULL, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, NULL, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, NULL, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, NULL, __VA_ARGS__)

#endif
