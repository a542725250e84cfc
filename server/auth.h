/*
 * auth: the one place that decides who may call what.
 *
 * Every staff page and every /api/v1/ endpoint goes through auth_require:
 * it identifies the caller (today an API token, "Authorization: Bearer
 * hl_…"; browser sessions join here next), checks the role, and hands the
 * handler a caller whose unit path scopes every query to that unit's
 * subtree.  Nothing else checks permissions.
 */
#ifndef HAILONG_AUTH_H
#define HAILONG_AUTH_H

#include "http.h"

typedef enum AuthRole {
	AUTH_VIEWER = 1, /* reports only */
	AUTH_STAFF = 2,  /* rounds, printing, paper entry */
	AUTH_ADMIN = 3,  /* accounts and rounds below the unit */
} AuthRole;

/* Continues with next(r) once the caller is known and has at least min_role;
 * otherwise answers 401 (no or bad credentials, with WWW-Authenticate), 403
 * (role too low) or 503 (database away) itself. */
void auth_require(HttpRequest *r, AuthRole min_role, HttpHandler next);

/* Runs next(r) once the server holds its signing secret (loaded from the
 * database on first use); 503 when the database cannot be asked. */
void auth_with_secret(HttpRequest *r, HttpHandler next);

/* True when submitted matches the caller's session CSRF token (constant
 * time), or the caller used an API token (no cookies, no cross-site risk). */
bool auth_csrf_ok(const HttpRequest *r, const char *submitted);

/* The value of the session cookie, copied into out; false when absent or
 * malformed. */
bool auth_session_cookie(HttpRequest *r, char *out, size_t cap);

#define SESSION_COOKIE "hl_session"

/* True when next is a page of ours to return to after signing in: a path
 * under /staff, of URL-safe characters only, shorter than 256 bytes (so
 * never another site, "//host" or a header split). */
bool auth_safe_next(const char *next);

/* Who to name in the audit log: the login, or "token:ID". */
void auth_actor(const HttpRequest *r, char *out, size_t cap);

/* "admin", "staff", "viewer" → role; 0 when unknown. */
AuthRole auth_role_parse(const char *name);
const char *auth_role_name(AuthRole role);

#endif
