#include "log.h"

#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Set once at start-up, read-only afterwards (see log.h). */
static LogLevel min_level = LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(LogLevel level)
{
	min_level = level;
}

bool log_level_parse(const char *text, LogLevel *out)
{
	for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
		if (strcmp(text, level_names[i]) == 0) {
			*out = (LogLevel)i;
			return true;
		}
	}
	return false;
}

const char *log_level_name(LogLevel level)
{
	if (level < LOG_DEBUG || level > LOG_ERROR)
		return "?";
	return level_names[level];
}

static bool is_bare_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-._/:@+,%*", c) != NULL;
}

size_t log_quote(char *dst, size_t cap, const char *value)
{
	size_t n = 0;
	bool bare = value[0] != '\0';

	if (cap == 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)value; *p && bare; p++)
		bare = is_bare_char(*p);
	if (bare) {
		size_t len = strlen(value);
		if (len >= cap)
			len = cap - 1;
		memcpy(dst, value, len);
		dst[len] = '\0';
		return len;
	}

#define PUT(c)                          \
	do {                            \
		if (n + 1 >= cap)       \
			goto full;      \
		dst[n++] = (char)(c);   \
	} while (0)

	PUT('"');
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			PUT('\\');
			PUT(c);
		} else if (c == '\n') {
			PUT('\\');
			PUT('n');
		} else if (c == '\t') {
			PUT('\\');
			PUT('t');
		} else if (c < 0x20 || c == 0x7f) {
			static const char hex[] = "0123456789abcdef";
			PUT('\\');
			PUT('x');
			PUT(hex[c >> 4]);
			PUT(hex[c & 15]);
		} else {
			PUT(c); /* UTF-8 bytes pass through: logs stay readable */
		}
	}
	PUT('"');
#undef PUT
full:
	dst[n] = '\0';
	return n;
}

/* Formats the common prefix "ts=… level=… [req=…] msg=…" into line. */
static size_t format_prefix(char *line, size_t cap, LogLevel level, const char *req_id,
			    const char *msg)
{
	struct timespec now;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = strftime(line, cap, "ts=%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(line + n, cap - n, ".%03ldZ level=%s", now.tv_nsec / 1000000L,
			      log_level_name(level));
	if (req_id && n + 6 < cap) {
		memcpy(line + n, " req=", 5);
		n += 5;
		n += log_quote(line + n, cap - n, req_id);
	}
	if (n + 6 < cap) {
		memcpy(line + n, " msg=", 5);
		n += 5;
		n += log_quote(line + n, cap - n, msg);
	}
	return n;
}

static void emit(char *line, size_t n, size_t cap)
{
	ssize_t ignored;

	if (n >= cap - 1)
		n = cap - 2;
	line[n++] = '\n';
	/* One write per record keeps lines whole when several processes share stderr. */
	ignored = write(STDERR_FILENO, line, n);
	(void)ignored;
}

void log_msg(LogLevel level, const char *req_id, const char *fmt, ...)
{
	char msg[2048];
	char line[4096];
	va_list ap;

	if (level < min_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	emit(line, format_prefix(line, sizeof line, level, req_id, msg), sizeof line);
}

void log_fields(LogLevel level, const char *req_id, const char *msg, ...)
{
	char line[4096];
	size_t n;
	va_list ap;

	if (level < min_level)
		return;
	n = format_prefix(line, sizeof line, level, req_id, msg);
	va_start(ap, msg);
	for (;;) {
		const char *key = va_arg(ap, const char *);
		const char *value;
		if (!key)
			break;
		value = va_arg(ap, const char *);
		if (n + strlen(key) + 4 >= sizeof line)
			break;
		n += (size_t)snprintf(line + n, sizeof line - n, " %s=", key);
		n += log_quote(line + n, sizeof line - n, value ? value : "");
	}
	va_end(ap);
	emit(line, n, sizeof line);
}

static void libevent_log(int severity, const char *msg)
{
	LogLevel level = LOG_ERROR;

	if (severity == EVENT_LOG_DEBUG)
		level = LOG_DEBUG;
	else if (severity == EVENT_LOG_MSG)
		level = LOG_INFO;
	else if (severity == EVENT_LOG_WARN)
		level = LOG_WARN;
	log_msg(level, NULL, "libevent: %s", msg);
}

void log_route_libevent(void)
{
	event_set_log_callback(libevent_log);
}
