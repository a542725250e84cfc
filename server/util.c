#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

static char *vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static char *vformat(const char *fmt, va_list ap)
{
	va_list copy;
	char *out;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0 || !(out = malloc((size_t)n + 1)))
		return NULL;
	vsnprintf(out, (size_t)n + 1, fmt, ap);
	return out;
}

char *str_printf(const char *fmt, ...)
{
	va_list ap;
	char *out;

	va_start(ap, fmt);
	out = vformat(fmt, ap);
	va_end(ap);
	return out;
}

char *str_oneline(const char *fmt, ...)
{
	va_list ap;
	char *out;
	size_t len;

	va_start(ap, fmt);
	out = vformat(fmt, ap);
	va_end(ap);
	if (!out)
		return NULL;
	len = strlen(out);
	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
		out[--len] = '\0';
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return out;
}

int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *read_file_whole(const char *path, size_t max_bytes, const char *what, size_t *len,
		      char **err)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf = NULL;

	*err = NULL;
	if (!f) {
		*err = str_printf("%s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		*err = str_printf("%s: not a regular file", path);
	} else if ((unsigned long long)st.st_size > max_bytes) {
		*err = str_printf("%s: the file is %lld bytes; %s may be at most %zu bytes", path,
				  (long long)st.st_size, what, max_bytes);
	} else if (!(buf = malloc((size_t)st.st_size + 1))) {
		*err = str_printf("%s: out of memory", path);
	} else if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		*err = str_printf("%s: cannot read: %s", path, strerror(errno ? errno : EIO));
		free(buf);
		buf = NULL;
	} else {
		buf[st.st_size] = '\0';
		*len = (size_t)st.st_size;
	}
	fclose(f);
	return buf;
}

int64_t monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int64_t monotonic_us(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}
