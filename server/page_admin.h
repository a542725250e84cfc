/*
 * page_admin: the admins' staff pages, in Vietnamese — accounts, API tokens
 * and the audit log of the caller's part of the organisation tree.
 *
 * Rendering only: the handler (handler_admin.c) reads the database and hands
 * the rows over as libpq results whose columns are those of the SQL_ADMIN_*
 * and SQL_API_AUDIT statements (sql_text.c).  Same rules as the other staff
 * pages: the one style sheet STAFF_STYLE and the one script STAFF_SCRIPT
 * (which keeps typed drafts and sends a form once), every string from the database or the request escaped,
 * usable at 360 px, forms with labels and an error summary on top.
 */
#ifndef HAILONG_PAGE_ADMIN_H
#define HAILONG_PAGE_ADMIN_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "buf.h"

enum { ADMIN_MAX_ERRORS = 6 };

/* One problem with a form, shown in the summary on top (linking to the
 * field) and next to the field. */
typedef struct AdminFieldError {
	const char *field;   /* the input's id */
	const char *message; /* plain text */
} AdminFieldError;

typedef struct AdminForm {
	AdminFieldError errors[ADMIN_MAX_ERRORS];
	int nerrors;
	const char *account; /* the account whose password form had the errors, or NULL */
} AdminForm;

/* Adds a problem (field and message are borrowed: static text or strings
 * that outlive the page).  Extra problems beyond ADMIN_MAX_ERRORS are
 * dropped. */
void admin_form_error(AdminForm *form, const char *field, const char *message);

typedef struct AccountsPage {
	const char *login;      /* the caller's, for the header */
	const char *unit_code;  /* the caller's unit, the default for new accounts */
	const char *csrf;
	const PGresult *accounts; /* SQL_ADMIN_ACCOUNTS rows */
	const PGresult *units;    /* SQL_ADMIN_UNITS rows (for the unit field's suggestions) */
	const char *notice;     /* plain text shown on top after a change, or NULL */
	const AdminForm *form;  /* problems with the last submission, or NULL */
	/* What was typed in the new-account form, refilled after a problem. */
	const char *new_login, *new_role, *new_unit;
} AccountsPage;

/* GET /staff/accounts: the accounts of the subtree, each with its enable or
 * disable button and a password reset form, and the form for a new one. */
void page_accounts(Buf *out, const AccountsPage *page);

typedef struct TokensPage {
	const char *login;
	const char *unit_code;
	const char *csrf;
	const char *nonce;      /* the create form's one-time value (32 hex) */
	const PGresult *tokens; /* SQL_ADMIN_TOKENS rows */
	const PGresult *units;  /* SQL_ADMIN_UNITS rows */
	const char *notice;
	const AdminForm *form;
	const char *new_name, *new_role, *new_unit;
} TokensPage;

/* GET /staff/tokens: the tokens of the subtree (never their secrets) with
 * revoke buttons, and the form for a new one. */
void page_tokens(Buf *out, const TokensPage *page);

/* The answer to creating a token: its secret, the only time it is shown
 * (the same form sent again within a moment, a double click, gets this page
 * once more: the browser shows only the last answer). */
void page_token_created(Buf *out, const char *login, const char *name, const char *role,
			const char *unit, const char *secret);

typedef struct AuditPage {
	const char *login;
	const PGresult *rows; /* SQL_API_AUDIT rows */
	int limit;            /* the page size asked for: a full page has a next one */
	/* The filters as typed (for the form and the next-page link); "" none. */
	const char *actor, *action, *from, *to;
	const AdminForm *form;
} AuditPage;

/* GET /staff/audit: the filter form and one page of entries, newest first,
 * with a link to the next (older) page. */
void page_audit(Buf *out, const AuditPage *page);

/* A short page (403, 404, 409 …) with a heading, a message (plain text) and
 * a link back to href, labelled back. */
void page_admin_message(Buf *out, const char *heading, const char *message, const char *href,
			const char *back);


/* The Vietnamese name of a role ("admin" → "Quản trị"). */
const char *admin_role_label(const char *role);

#endif
