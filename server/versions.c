#include "versions.h"

#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "server.h"
#include "sql_text.h"

static const Form *cached(Server *server, long long id)
{
	for (size_t i = 0; i < server->nversions; i++)
		if (server->versions[i].id == id)
			return server->versions[i].form;
	return NULL;
}

static void loaded(HttpRequest *r, const DbResult *result)
{
	Server *server = r->server;
	FormErrors errors = {0};
	struct CachedVersion *grown;
	char label[64];
	Form *form;

	if (result->status != DB_OK || PQntuples(result->res) != 1) {
		log_msg(LOG_WARN, r->id, "questionnaire version %lld: %s", r->form_version,
			result->status != DB_OK ? result->message : "not stored");
		r->form_next(r);
		return;
	}
	/* Another request may have loaded it meanwhile. */
	if ((r->form = cached(server, r->form_version))) {
		r->form_next(r);
		return;
	}
	snprintf(label, sizeof label, "questionnaire version %lld", r->form_version);
	form = form_parse(label, PQgetvalue(result->res, 0, 0),
			  (size_t)PQgetlength(result->res, 0, 0), &errors);
	if (!form) {
		log_msg(LOG_ERROR, r->id, "stored %s does not load: %s", label,
			errors.count ? errors.lines[0] : "?");
		form_errors_free(&errors);
		r->form_next(r);
		return;
	}
	grown = realloc(server->versions, (server->nversions + 1) * sizeof *grown);
	if (!grown) {
		form_free(form);
		r->form_next(r);
		return;
	}
	server->versions = grown;
	server->versions[server->nversions].id = r->form_version;
	server->versions[server->nversions].form = form;
	server->nversions++;
	r->form = form;
	r->form_next(r);
}

void versions_with(HttpRequest *r, long long version_id, HttpHandler next)
{
	char id[24];
	const char *params[1] = {id};
	DbQuery q = {.sql = SQL_VERSION_DEFINITION, .nparams = 1, .values = params};

	r->form = cached(r->server, version_id);
	r->form_version = version_id;
	r->form_next = next;
	if (r->form) {
		next(r);
		return;
	}
	snprintf(id, sizeof id, "%lld", version_id);
	if (!http_db(r, &q, loaded))
		return;
}
