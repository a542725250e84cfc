#include "report_output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "report_export.h"
#include "util.h"

static const struct {
	const char *name, *mime;
} formats[] = {
	[REPORT_FORMAT_JSON] = {"json", "application/json"},
	[REPORT_FORMAT_CSV] = {"csv", "text/csv; charset=utf-8"},
	[REPORT_FORMAT_XLSX] = {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	[REPORT_FORMAT_HTML] = {"html", "text/html; charset=utf-8"},
	[REPORT_FORMAT_NOTICE] = {"notice", "text/html; charset=utf-8"},
};

static bool write_page(FILE *out, const cJSON *doc, bool notice, const ReportPageLinks *links,
		       char **err)
{
	Buf page;
	bool ok;

	buf_init(&page, 64 * 1024);
	if (notice)
		page_report_notice(&page, doc);
	else
		page_report(&page, doc, links);
	ok = !page.failed && fwrite(page.data, 1, page.len, out) == page.len;
	if (!ok)
		*err = str_printf(page.failed ? "out of memory" : "cannot write the report");
	buf_free(&page);
	return ok;
}

/* libxlsxwriter writes to a named file: a private temporary one, copied to
 * out and removed. */
static bool write_xlsx(FILE *out, const cJSON *doc, char **err)
{
	const char *dir = getenv("TMPDIR");
	char path[4096], chunk[65536];
	FILE *in = NULL;
	size_t n;
	bool ok = false;
	int fd;

	snprintf(path, sizeof path, "%s/hailong-report-XXXXXX", dir && *dir ? dir : "/tmp");
	if ((fd = mkstemp(path)) < 0) {
		*err = str_printf("cannot make a temporary file in %s", dir && *dir ? dir : "/tmp");
		return false;
	}
	close(fd);
	if (!report_xlsx(path, doc, err))
		goto done;
	if (!(in = fopen(path, "rb"))) {
		*err = str_printf("cannot read the workbook back");
		goto done;
	}
	while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
		if (fwrite(chunk, 1, n, out) != n) {
			*err = str_printf("cannot write the report");
			goto done;
		}
	ok = !ferror(in);
	if (!ok)
		*err = str_printf("cannot read the workbook back");
done:
	if (in)
		fclose(in);
	unlink(path);
	return ok;
}

bool report_format_parse(const char *name, ReportFormat *out)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (name && strcmp(name, formats[i].name) == 0) {
			*out = (ReportFormat)i;
			return true;
		}
	return false;
}

const char *report_format_mime(ReportFormat format)
{
	return formats[format].mime;
}

const char *report_format_extension(ReportFormat format)
{
	return formats[format].name;
}

bool report_write(FILE *out, const cJSON *doc, ReportFormat format, const ReportPageLinks *links,
		  char **err)
{
	char *text;
	bool ok;

	switch (format) {
	case REPORT_FORMAT_JSON:
		/* Compact, and the same bytes from the API, the command line and a
		 * published snapshot. */
		if (!(text = cJSON_PrintUnformatted(doc))) {
			*err = str_printf("out of memory");
			return false;
		}
		ok = fputs(text, out) >= 0 && fputc('\n', out) != EOF;
		free(text);
		if (!ok)
			*err = str_printf("cannot write the report");
		return ok;
	case REPORT_FORMAT_CSV:
		return report_csv(out, doc, err);
	case REPORT_FORMAT_XLSX:
		return write_xlsx(out, doc, err);
	case REPORT_FORMAT_HTML:
	case REPORT_FORMAT_NOTICE:
		return write_page(out, doc, format == REPORT_FORMAT_NOTICE, links, err);
	}
	*err = str_printf("unknown format");
	return false;
}
