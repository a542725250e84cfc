#include "report_output.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct {
	const char *name, *mime;
} formats[] = {
	[REPORT_FORMAT_JSON] = {"json", "application/json"},
};

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

bool report_write(FILE *out, const cJSON *doc, ReportFormat format, const void *links, char **err)
{
	char *text;
	bool ok;

	(void)links;
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
	}
	*err = str_printf("unknown format");
	return false;
}
