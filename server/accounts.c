#include "accounts.h"

#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "db_sync.h"
#include "sql_text.h"
#include "text.h"
#include "util.h"

bool account_login_valid(const char *login, const char **why)
{
	size_t len = strlen(login);

	if (len < 3 || len > 64) {
		*why = "a login has 3 to 64 characters";
		return false;
	}
	if (!islower((unsigned char)login[0]) && !isdigit((unsigned char)login[0])) {
		*why = "a login starts with a lower-case letter or a digit";
		return false;
	}
	for (const char *p = login; *p; p++) {
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && !strchr("._-", *p)) {
			*why = "a login uses only a-z, 0-9, '.', '_' and '-'";
			return false;
		}
	}
	return true;
}

bool account_password_valid(const char *password)
{
	size_t len = strlen(password);

	return len <= PASSWORD_MAX_BYTES && text_valid_utf8(password, len, NULL) &&
	       text_char_count(password, len) >= PASSWORD_MIN_CHARS;
}

bool account_role_valid(const char *role)
{
	return strcmp(role, "admin") == 0 || strcmp(role, "staff") == 0 ||
	       strcmp(role, "viewer") == 0;
}

bool api_token_name_valid(const char *name)
{
	return text_valid_utf8(name, strlen(name), NULL) && text_has_content(name) &&
	       text_char_count(name, strlen(name)) <= 200;
}

bool account_hash_password(const char *password, char *out)
{
	/* The interactive limits: about a tenth of a second and 64 MiB per login
	 * on this class of machine, which a guessing attacker pays too. */
	return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

bool account_add(const char *conninfo, const char *org_code, const char *role,
		 const char *login, const char *password, FILE *out, char **err)
{
	char hash[crypto_pwhash_STRBYTES];
	const char *why = NULL;
	PGconn *conn = NULL;
	PGresult *res = NULL;
	bool ok = false;

	*err = NULL;
	if (!account_login_valid(login, &why)) {
		*err = str_printf("invalid login \"%s\": %s", login, why);
		return false;
	}
	if (!account_role_valid(role)) {
		*err = str_printf("invalid role \"%s\": use admin, staff or viewer", role);
		return false;
	}
	if (!account_password_valid(password)) {
		*err = str_printf("the password must be valid UTF-8 of at least %d characters",
				  PASSWORD_MIN_CHARS);
		return false;
	}
	if (!account_hash_password(password, hash)) {
		*err = str_printf("out of memory while hashing the password");
		return false;
	}
	conn = db_sync_connect(conninfo, "hailong-user", err);
	if (!conn)
		goto done;
	{
		const char *params[6] = {login, org_code, role, hash, "cli", NULL};
		res = db_sync_query(conn, SQL_ACCOUNT_ADD, 6, params, "cannot add the account", err);
	}
	if (!res)
		goto done;
	if (PQntuples(res) == 0) {
		const char *params[1] = {org_code};
		PGresult *unit = db_sync_query(conn, SQL_UNIT_EXISTS, 1,
					       params, "cannot look up the unit", err);
		if (unit && PQntuples(unit) == 0)
			*err = str_printf("no organisation unit has the code \"%s\"", org_code);
		else if (unit)
			*err = str_printf("the login \"%s\" is taken", login);
		PQclear(unit);
		goto done;
	}
	fprintf(out, "added %s (%s of %s)\n", login, role, org_code);
	ok = true;
done:
	sodium_memzero(hash, sizeof hash);
	PQclear(res);
	PQfinish(conn);
	return ok;
}

/* Runs a listing query and prints it as a tab-separated table under header. */
static bool print_listing(const char *conninfo, const char *app, const char *sql,
			  const char *header, const char *what, FILE *out, char **err)
{
	PGconn *conn = db_sync_connect(conninfo, app, err);
	PGresult *res;

	if (!conn)
		return false;
	res = db_sync_query(conn, sql, 0, NULL, what, err);
	if (res) {
		fprintf(out, "%s\n", header);
		for (int i = 0; i < PQntuples(res); i++)
			for (int c = 0; c < PQnfields(res); c++)
				fprintf(out, "%s%c", PQgetvalue(res, i, c),
					c + 1 < PQnfields(res) ? '\t' : '\n');
	}
	PQclear(res);
	PQfinish(conn);
	return res != NULL;
}

bool account_list(const char *conninfo, FILE *out, char **err)
{
	return print_listing(conninfo, "hailong-user", SQL_ACCOUNT_LIST,
			     "login\trole\tunit\tunit name\tcreated\tstate",
			     "cannot list the accounts", out, err);
}

bool api_token_create(const char *conninfo, const char *org_code, const char *role,
		      const char *name, FILE *out, char **err)
{
	unsigned char raw[32];
	char token[API_TOKEN_TEXT_LEN + 1], hash[65];
	PGconn *conn;
	PGresult *res;
	bool ok = false;

	*err = NULL;
	if (!account_role_valid(role)) {
		*err = str_printf("invalid role \"%s\": use admin, staff or viewer", role);
		return false;
	}
	if (!api_token_name_valid(name)) {
		*err = str_printf("a token name is 1 to 200 characters of text");
		return false;
	}
	randombytes_buf(raw, sizeof raw);
	api_token_text(raw, token);
	api_token_hash(token, hash);
	conn = db_sync_connect(conninfo, "hailong-token", err);
	if (!conn)
		goto done;
	{
		const char *params[6] = {name, hash, org_code, role, "cli", NULL};
		res = db_sync_query(conn, SQL_TOKEN_CREATE, 6, params, "cannot create the token", err);
	}
	if (res && PQntuples(res) == 1) {
		fprintf(out, "token %s for %s (%s of %s); it is shown only now:\n%s\n",
			PQgetvalue(res, 0, 0), name, role, org_code, token);
		ok = true;
	} else if (res) {
		*err = str_printf("no organisation unit has the code \"%s\"", org_code);
	}
	PQclear(res);
done:
	PQfinish(conn);
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(token, sizeof token);
	return ok;
}

bool api_token_list(const char *conninfo, FILE *out, char **err)
{
	return print_listing(conninfo, "hailong-token", SQL_TOKEN_LIST,
			     "id\tname\trole\tunit\tcreated\tlast used\tstate",
			     "cannot list the tokens", out, err);
}

bool api_token_revoke(const char *conninfo, const char *id, FILE *out, char **err)
{
	PGconn *conn;
	PGresult *res;
	bool ok = false;

	*err = NULL;
	for (const char *p = id; *p; p++)
		if (!isdigit((unsigned char)*p) || p - id > 18) {
			*err = str_printf("\"%s\" is not a token id (see hailong token list)", id);
			return false;
		}
	if (!*id) {
		*err = str_printf("give the id of the token to revoke");
		return false;
	}
	conn = db_sync_connect(conninfo, "hailong-token", err);
	if (!conn)
		return false;
	{
		const char *params[3] = {id, "cli", NULL};
		res = db_sync_query(conn, SQL_TOKEN_REVOKE, 3, params, "cannot revoke the token", err);
	}
	if (res && PQntuples(res) == 1) {
		fprintf(out, "token %s revoked\n", id);
		ok = true;
	} else if (res) {
		*err = str_printf("no active token has the id %s", id);
	}
	PQclear(res);
	PQfinish(conn);
	return ok;
}

void api_token_text(const unsigned char raw[32], char out[API_TOKEN_TEXT_LEN + 1])
{
	memcpy(out, API_TOKEN_PREFIX, sizeof API_TOKEN_PREFIX - 1);
	sodium_bin2base64(out + sizeof API_TOKEN_PREFIX - 1,
			  API_TOKEN_TEXT_LEN + 1 - (sizeof API_TOKEN_PREFIX - 1), raw, 32,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void api_token_hash(const char *token, char out[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 65, digest, sizeof digest);
}
