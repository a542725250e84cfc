/* Renders a report document file the way the exports will: for
 * check_xlsx.py, which inspects the results with Python's own zip, XML and
 * CSV readers rather than with the code that wrote them.
 *
 *   report_export_tool csv|comments|xlsx REPORT.json OUT
 *
 * Exit 0 when written, 1 with the error on stderr otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_export.h"
#include "util.h"

int main(int argc, char **argv)
{
	char *text = NULL, *err = NULL;
	cJSON *doc = NULL;
	FILE *out = NULL;
	size_t len;
	bool ok = false;

	if (argc != 4) {
		fprintf(stderr, "usage: %s csv|comments|xlsx REPORT.json OUT\n", argv[0]);
		return 2;
	}
	if (!(text = read_file_whole(argv[2], 16 << 20, "a report document", &len, &err)))
		goto cleanup;
	if (!(doc = cJSON_Parse(text))) {
		err = str_printf("%s: not JSON", argv[2]);
		goto cleanup;
	}
	if (strcmp(argv[1], "xlsx") == 0) {
		ok = report_xlsx(argv[3], doc, &err);
		goto cleanup;
	}
	if (!(out = fopen(argv[3], "wb"))) {
		err = str_printf("%s: cannot write", argv[3]);
		goto cleanup;
	}
	ok = strcmp(argv[1], "csv") == 0 ? report_csv(out, doc, &err) : report_comments_csv(out, doc, &err);
cleanup:
	if (out && fclose(out) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "%s\n", err ? err : "failed");
	free(err);
	cJSON_Delete(doc);
	free(text);
	return ok ? 0 : 1;
}
