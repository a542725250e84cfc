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

/* The same from a Cookie header's text (NULL: none). */
bool auth_cookie_session(const char *cookie, char *out, size_t cap);

#define SESSION_COOKIE "hl_session"

enum { AUTH_NEXT_MAX = 512 };

/* True when next is a staff page to return to after signing in: a path
 * under /staff, with an optional query, of plain URL characters only (so
 * never another site: no "//", no backslash, no scheme). */
bool auth_next_valid(const char *next);

/* Who to name in the audit log: the login, or "token:ID". */
void auth_actor(const HttpRequest *r, char *out, size_t cap);

/* "admin", "staff", "viewer" → role; 0 when unknown. */
AuthRole auth_role_parse(const char *name);
const char *auth_role_name(AuthRole role);

#endif
