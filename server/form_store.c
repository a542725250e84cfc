#include "form_store.h"

#include <stdlib.h>
#include <string.h>

#include "db_sync.h"
#include "sql_text.h"
#include "util.h"

void form_store_int_array(const int *values, int count, char *buf, size_t cap)
{
	size_t n = 0;

	if (cap < 3) {
		if (cap)
			buf[0] = '\0';
		return;
	}
	buf[n++] = '{';
	for (int i = 0; i < count && n + 12 < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, i ? ",%d" : "%d", values[i]);
	buf[n++] = '}';
	buf[n] = '\0';
}

static bool store_items(PGconn *conn, const Form *form, const char *version_id, char **err)
{
	for (int i = 0; i < form->nitems; i++) {
		const FormItem *item = &form->items[i];
		const FormScale *scale = item->scale >= 0 ? &form->scales[item->scale] : NULL;
		char position[16], answer[16], values[FORM_MAX_OPTIONS * 4 + 4],
			satisfied[FORM_MAX_OPTIONS * 4 + 4];
		int scale_values[FORM_MAX_OPTIONS];
		const char *params[16];
		PGresult *res;

		snprintf(position, sizeof position, "%d", i);
		snprintf(answer, sizeof answer, "%d", item->answer_index);
		if (scale) {
			for (int j = 0; j < scale->noptions; j++)
				scale_values[j] = scale->options[j].value;
			form_store_int_array(scale_values, scale->noptions, values, sizeof values);
		}
		form_store_int_array(item->satisfied, item->nsatisfied, satisfied, sizeof satisfied);
		params[0] = version_id;
		params[1] = position;
		params[2] = item->id;
		params[3] = form_item_kind_name(item->kind);
		params[4] = item->parent >= 0 ? form->items[item->parent].id : NULL;
		params[5] = item->element >= 0 ? form->items[item->element].id : NULL;
		params[6] = item->text;
		params[7] = item->short_text;
		params[8] = item->answer_index >= 0 ? answer : NULL;
		params[9] = scale ? scale->name : NULL;
		params[10] = scale ? form_scale_type_name(scale->type) : NULL;
		params[11] = scale && scale->noptions ? values : NULL;
		params[12] = item->nsatisfied ? satisfied : NULL;
		params[13] = form_role_name(item->role);
		params[14] = item->required ? "true" : "false";
		params[15] = item->no_opinion ? "true" : "false";
		res = db_sync_query(conn, SQL_FORM_INSERT_ITEM, 16, params, "cannot store an item",
				    err);
		if (!res)
			return false;
		PQclear(res);
	}
	return true;
}

/* Stores one form in its own transaction. */
static bool store_one(PGconn *conn, const Form *form, FILE *out, char **err)
{
	char target[32], answers[16], version_id[32];
	const char *params[11];
	const char *state = "unchanged";
	PGresult *res = NULL;

	snprintf(target, sizeof target, "%.2f", form->target_percent);
	snprintf(answers, sizeof answers, "%d", form->nanswers);
	params[0] = form->id;
	params[1] = form->edition;
	params[2] = form->hash;
	params[3] = form->title;
	params[4] = form->audience;
	params[5] = form->family;
	params[6] = form_index_method_name(form->index_method);
	params[7] = target;
	params[8] = answers;
	params[9] = form->canonical_json;
	params[10] = form->source_name;

	if (!db_sync_exec(conn, "BEGIN", "cannot start a transaction", err))
		return false;
	res = db_sync_query(conn, SQL_FORM_INSERT_VERSION, 11, params, "cannot store the version",
			    err);
	if (!res)
		goto rollback;
	if (PQntuples(res) == 1) {
		snprintf(version_id, sizeof version_id, "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		res = NULL;
		if (!store_items(conn, form, version_id, err))
			goto rollback;
		state = "new";
	} else {
		PQclear(res);
		res = db_sync_query(conn, SQL_FORM_FIND_VERSION, 1, &params[2],
				    "cannot find the version", err);
		if (!res || PQntuples(res) != 1) {
			if (res && !*err)
				*err = str_printf("version %s vanished while loading", form->hash);
			goto rollback;
		}
		snprintf(version_id, sizeof version_id, "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		res = NULL;
	}
	{
		const char *current[] = {form->id, form->edition, version_id};
		res = db_sync_query(conn, SQL_FORM_SET_CURRENT, 3, current,
				    "cannot mark the current version", err);
		if (!res)
			goto rollback;
		if (PQntuples(res) == 1 && strcmp(state, "unchanged") == 0)
			state = "current again";
		PQclear(res);
		res = NULL;
	}
	if (!db_sync_exec(conn, "COMMIT", "cannot commit", err))
		return false;
	if (out)
		fprintf(out, "%s %s: version %s (%s)\n", form->id, form->edition, version_id, state);
	return true;
rollback:
	PQclear(res);
	res = PQexec(conn, "ROLLBACK");
	PQclear(res);
	if (*err) {
		char *named = str_printf("%s: %s", form->source_name, *err);
		if (named) {
			free(*err);
			*err = named;
		}
	}
	return false;
}

bool form_store_load(const char *conninfo, Form *const *forms, size_t count, FILE *out,
		     char **err)
{
	PGconn *conn;
	bool ok = true;

	*err = NULL;
	conn = db_sync_connect(conninfo, "hailong-forms", err);
	if (!conn)
		return false;
	for (size_t i = 0; i < count && ok; i++)
		ok = store_one(conn, forms[i], out, err);
	PQfinish(conn);
	return ok;
}
