/* The CSV exports (report_xlsx is in report_xlsx.c). */
#include "report_export.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_doc.h"
#include "report_rows.h"
#include "util.h"

/* Excel reads a UTF-8 CSV as UTF-8 only with the byte-order mark; without
 * it Vietnamese letters come out in the ANSI code page. */
static const char BOM[] = "\xEF\xBB\xBF";

/* Excel and LibreOffice evaluate a cell that starts with =, +, - or @ as a
 * formula even inside quotes, and some versions skip a leading tab or CR
 * first: a parent typing "=HYPERLINK(…)" or "=cmd|' /C calc'!A0" in a
 * comment would otherwise run it on the Department's computer (CSV
 * injection, OWASP).  A leading apostrophe makes the cell plain text; it
 * shows in the cell, and the exact text is in the JSON. */
static bool needs_apostrophe(const char *s)
{
	return *s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r';
}

/* One field, RFC 4180: in double quotes, with quotes doubled. */
static void put_quoted(FILE *out, const char *s, bool user_text)
{
	putc('"', out);
	if (user_text && needs_apostrophe(s))
		putc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', out);
		putc(*s, out);
	}
	putc('"', out);
}

/* Numbers in machine format whatever the locale: a dot decimal, one
 * decimal for percentages and points (as docs/reports.md says renderers
 * round), two for mean scores, and never "-0.0".  The document's 91.85 is
 * 91.8499… in binary and printf would give 91.8; the nudge, far below any
 * figure's precision, rounds such halves away from zero as people do by
 * hand (and as Excel displays them). */
static void put_decimal(FILE *out, double v, int decimals)
{
	char text[64];

	snprintf(text, sizeof text, "%.*f", decimals, v + copysign(1e-9, v));
	for (char *p = text; *p; p++)
		if (*p == ',')
			*p = '.';
	if (text[0] == '-' && strspn(text + 1, "0.") == strlen(text + 1))
		memmove(text, text + 1, strlen(text));
	fputs(text, out);
}

static void put_cell(FILE *out, const Cell *c)
{
	switch (c->type) {
	case CELL_EMPTY:
		break;
	case CELL_TEXT:
		put_quoted(out, c->text, true);
		break;
	case CELL_WORD:
		put_quoted(out, c->text, false);
		break;
	case CELL_DATE:
		fputs(c->text, out);
		break;
	case CELL_INT:
		fprintf(out, "%lld", c->n);
		break;
	case CELL_PERCENT:
	case CELL_POINTS:
		put_decimal(out, c->num, 1);
		break;
	case CELL_SCORE:
		put_decimal(out, c->num, 2);
		break;
	}
}

static bool ignore_row(void *ctx, const Cell row[RC_COUNT], char **err)
{
	return true;
}

static bool csv_row(void *ctx, const Cell row[RC_COUNT], char **err)
{
	FILE *out = ctx;

	for (int i = 0; i < RC_COUNT; i++) {
		if (i)
			putc(',', out);
		put_cell(out, &row[i]);
	}
	fputs("\r\n", out);
	if (ferror(out))
		return !(*err = str_printf("writing the CSV: %s", strerror(errno)));
	return true;
}

bool report_csv(FILE *out, const cJSON *report, char **err)
{
	/* Checked whole first, so a malformed document writes nothing. */
	if (!report_rows(report, ignore_row, NULL, err))
		return false;
	fputs(BOM, out);
	for (int i = 0; i < RC_COUNT; i++) {
		if (i)
			putc(',', out);
		put_quoted(out, REPORT_COLUMNS[i].header, false);
	}
	fputs("\r\n", out);
	if (!report_rows(report, csv_row, out, err))
		return false;
	if (fflush(out) != 0 || ferror(out))
		return !(*err = str_printf("writing the CSV: %s", strerror(errno)));
	return true;
}

bool report_comments_csv_header(FILE *out)
{
	fputs(BOM, out);
	fputs("\"Ngày\",\"Đơn vị\",\"Câu hỏi\",\"Nội dung góp ý\"\r\n", out);
	return !ferror(out);
}

bool report_comments_csv_row(FILE *out, const char *date, const char *unit, const char *question,
			     const char *text)
{
	const char *fields[] = {date, unit, question, text};

	for (int i = 0; i < 4; i++) {
		if (i)
			putc(',', out);
		if (fields[i])
			put_quoted(out, fields[i], true);
	}
	fputs("\r\n", out);
	return !ferror(out);
}

/* Reads comment i; every field is checked before anything is written. */
static bool read_comment(const cJSON *items, int i, const char *fields[4], char **err)
{
	char path[DOC_PATH_MAX];
	const cJSON *c;

	return doc_element(items, "comments.items", i, &c, path, err) &&
	       doc_date(c, path, "date", false, &fields[0], NULL, NULL, NULL, err) &&
	       doc_string(c, path, "unit", true, &fields[1], err) &&
	       doc_string(c, path, "question", true, &fields[2], err) &&
	       doc_string(c, path, "text", false, &fields[3], err);
}

bool report_comments_csv(FILE *out, const cJSON *report, char **err)
{
	const cJSON *comments, *items;
	const char *fields[4];
	bool shown;
	int n;

	*err = NULL;
	if (!doc_object(report, "", "comments", false, &comments, err) ||
	    !doc_bool(comments, "comments", "shown", &shown, err) ||
	    !doc_array(comments, "comments", "items", false, &items, err))
		return false;
	/* Hidden below the privacy threshold: not even the ones the builder
	 * might have left in. */
	n = shown ? cJSON_GetArraySize(items) : 0;
	for (int i = 0; i < n; i++)
		if (!read_comment(items, i, fields, err))
			return false;
	if (!report_comments_csv_header(out))
		goto write_failed;
	for (int i = 0; i < n; i++) {
		read_comment(items, i, fields, err);
		if (!report_comments_csv_row(out, fields[0], fields[1], fields[2], fields[3]))
			goto write_failed;
	}
	if (fflush(out) == 0 && !ferror(out))
		return true;
write_failed:
	*err = str_printf("writing the comments CSV: %s", strerror(errno));
	return false;
}
