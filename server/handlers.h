/*
 * handlers: the HTTP endpoints, and the one table that maps routes to them.
 */
#ifndef HAILONG_HANDLERS_H
#define HAILONG_HANDLERS_H

#include <stdbool.h>

#include "http.h"
#include "router.h"

/* Registers every endpoint on router.  Returns false when a pattern is bad
 * or memory runs out (a programming error: the server does not start). */
bool handlers_register(Router *router) __attribute__((warn_unused_result));

/* GET /healthz: 200 with {"status":"ok",…} when the database answers and
 * is migrated, 503 otherwise. */
void handle_healthz(HttpRequest *r);

/* GET /metrics: the Prometheus exposition (docs/operations.md), for direct
 * loopback callers or a caller with the --metrics-token bearer; 403 for a
 * wrong token, 404 for anyone else. */
void handle_metrics(HttpRequest *r);

/* GET /favicon.ico: 204, cached (pages have no icon, and no 404 per page). */
void handle_favicon(HttpRequest *r);

/* GET /s/{code}/qr.svg and /qr.png: the QR code of the form link. */
void handle_qr_svg(HttpRequest *r);
void handle_qr_png(HttpRequest *r);

/* GET /robots.txt: keeps crawlers out of survey links. */
void handle_robots(HttpRequest *r);

/* GET /login: the staff sign-in page.  POST /login: checks the password
 * (on a worker thread) and starts a session.  POST /logout ends it (CSRF
 * checked). */
void handle_login_get(HttpRequest *r);
void handle_login_post(HttpRequest *r);
void handle_logout(HttpRequest *r);

/* GET /staff (handler_dashboard.c): the start page — open rounds, responses
 * today, response rates, criteria below target (viewers). */
void handle_staff_home(HttpRequest *r);

/* GET /staff/rounds?state=&page=: the rounds of the caller's subtree
 * (viewers).  GET /staff/rounds/new and POST /staff/rounds: a new round,
 * once per form shown (staff, CSRF).  GET/POST /staff/rounds/{code}/edit:
 * its settings (staff, CSRF).  handler_round_forms.c. */
void handle_staff_rounds(HttpRequest *r);
void handle_staff_round_new(HttpRequest *r);
void handle_staff_round_create(HttpRequest *r);
void handle_staff_round_edit(HttpRequest *r);
void handle_staff_round_update(HttpRequest *r);

/* /staff/rounds/{code}: a round's progress page (viewers); …/poster the
 * meeting poster (viewers); …/slips?batch=N and …/paper?batch=N the slip
 * sheet and the paper questionnaires of a batch (staff); POST …/slips makes
 * a batch, POST …/close closes the round (staff, CSRF); GET/POST …/entry is
 * paper entry (staff, CSRF). */
void handle_staff_round(HttpRequest *r);
void handle_staff_poster(HttpRequest *r);
void handle_staff_slips(HttpRequest *r);
void handle_staff_slips_post(HttpRequest *r);
void handle_staff_paper(HttpRequest *r);
void handle_staff_entry(HttpRequest *r);
void handle_staff_entry_post(HttpRequest *r);
void handle_staff_close_post(HttpRequest *r);

/* The admins' pages (handler_admin.c); others get a 403 page.
 * GET /staff/accounts lists the accounts of the caller's subtree; POST
 * creates one; POST …/{login}/disable, …/enable and …/password change one.
 * GET /staff/tokens lists the API tokens; POST creates one (its secret is
 * shown in the answer, once); POST …/{id}/revoke revokes one.  GET
 * /staff/audit: the audit log, ?actor=&action=&from=&to= (dd/mm/yyyy)
 * &before=ID.  Every POST needs the session's CSRF token. */
void handle_staff_accounts(HttpRequest *r);
void handle_staff_account_create(HttpRequest *r);
void handle_staff_account_disable(HttpRequest *r);
void handle_staff_account_enable(HttpRequest *r);
void handle_staff_account_password(HttpRequest *r);
void handle_staff_tokens(HttpRequest *r);
void handle_staff_token_create(HttpRequest *r);
void handle_staff_token_revoke(HttpRequest *r);
void handle_staff_audit(HttpRequest *r);

/* GET /api/v1/me: who the caller is (any role). */
void handle_api_me(HttpRequest *r);

/* GET /api/v1/units/{code}: a unit in the caller's subtree (any role);
 * 404 for one outside it. */
void handle_api_unit(HttpRequest *r);

/* GET /api/v1/audit?before=ID&limit=N: the audit log of the caller's
 * subtree, newest first (admins). */
void handle_api_audit(HttpRequest *r);

/* /api/v1/campaigns: GET lists the rounds of the caller's subtree
 * (?unit=CODE&state=open|upcoming|closed&limit=N, viewers), POST creates one
 * (staff).  /api/v1/campaigns/{code}: GET (viewers), PATCH edits (staff);
 * POST …/close closes it early (staff).  …/slips: POST makes a batch
 * ({"count": N, "batch": B}; the same batch again returns it), GET ?batch=B
 * lists its codes (staff). */
void handle_api_campaign_list(HttpRequest *r);
void handle_api_campaign_create(HttpRequest *r);
void handle_api_campaign_get(HttpRequest *r);
void handle_api_campaign_update(HttpRequest *r);
void handle_api_campaign_close(HttpRequest *r);
void handle_api_slips_get(HttpRequest *r);
void handle_api_slips_create(HttpRequest *r);

/* GET /api/v1/reports/{code}: the report document (docs/reports.md) of a
 * unit of the caller's subtree; ?from=&to=&campaign=&compare_from=
 * &compare_to=&q=&format=json. */
void handle_api_report(HttpRequest *r);

/* GET /api/v1/campaigns/{code}/snapshot: a round's published result
 * (report_snapshot.c), the stored bytes exactly, with their SHA-256 in
 * X-Content-SHA256 (any role, rounds of the caller's subtree; 409 while the
 * round is not published yet). */
void handle_api_snapshot(HttpRequest *r);

/* GET /api/v1/reports/{code}/comments: the comments of that report's scope
 * (same parameters but the comparison), a page as JSON (?limit=&offset=)
 * or every one as CSV (?format=csv). */
void handle_api_report_comments(HttpRequest *r);

/* GET /staff/reports/{code}: the report page (?format=html, the default;
 * ?comments_offset=N for later comments), the notice-board sheet (notice)
 * or a download (csv, xlsx, json). */
void handle_staff_report(HttpRequest *r);

/* GET /s/{code}: the round's questionnaire for a parent (code: the round's
 * shared code or a single-use slip code). */
void handle_survey_get(HttpRequest *r);

/* POST /s/{code}: a parent's answers; thank-you page after the commit. */
void handle_survey_post(HttpRequest *r);

#endif
