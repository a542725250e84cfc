/*
 * accounts: staff accounts from the command line (`hailong user add|list`).
 * Blocking: command line only.
 */
#ifndef HAILONG_ACCOUNTS_H
#define HAILONG_ACCOUNTS_H

#include <stdbool.h>
#include <stdio.h>

enum { PASSWORD_MIN_CHARS = 10, PASSWORD_MAX_BYTES = 1024 };

/* Checks a login name: 3-64 of a-z, 0-9, '.', '_', '-', starting with a
 * letter or digit.  False with *why (static English) otherwise. */
bool account_login_valid(const char *login, const char **why);

/* The password rule of every account, wherever it is set: valid UTF-8, at
 * least PASSWORD_MIN_CHARS characters, at most PASSWORD_MAX_BYTES bytes. */
bool account_password_valid(const char *password);

/* "admin", "staff" or "viewer". */
bool account_role_valid(const char *role);

/* A token name: 1 to 200 characters of text (valid UTF-8, not only blanks). */
bool api_token_name_valid(const char *name);

/* Hashes password with Argon2id into out (crypto_pwhash_STRBYTES).  False
 * when memory runs out. */
bool account_hash_password(const char *password, char *out)
	__attribute__((warn_unused_result));

/* Adds an account.  False with *err (malloc'd, one line): unknown unit,
 * login taken, bad role, weak password … */
bool account_add(const char *conninfo, const char *org_code, const char *role,
		 const char *login, const char *password, FILE *out, char **err)
	__attribute__((warn_unused_result));

/* API tokens: "hl_" and 43 base64url characters (256 random bits). */
#define API_TOKEN_PREFIX "hl_"
enum { API_TOKEN_TEXT_LEN = 3 + 43 };

/* Creates a token for a unit and role, prints it once to out (only its hash
 * is stored) and records the creation in the audit log. */
bool api_token_create(const char *conninfo, const char *org_code, const char *role,
		      const char *name, FILE *out, char **err) __attribute__((warn_unused_result));

bool api_token_list(const char *conninfo, FILE *out, char **err) __attribute__((warn_unused_result));

/* Revokes the active token with this id (decimal text); audited. */
bool api_token_revoke(const char *conninfo, const char *id, FILE *out, char **err)
	__attribute__((warn_unused_result));

/* The text form of a token from its 32 random bytes: API_TOKEN_PREFIX and
 * 43 base64url characters. */
void api_token_text(const unsigned char raw[32], char out[API_TOKEN_TEXT_LEN + 1]);

/* The stored form of a token: lower-case hex SHA-256. */
void api_token_hash(const char *token, char out[65]);

/* Prints every account (never a password hash). */
bool account_list(const char *conninfo, FILE *out, char **err) __attribute__((warn_unused_result));

#endif
