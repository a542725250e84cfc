#include "sql_text.h"

const char SQL_HEALTH_SCHEMA_VERSION[] =
	"SELECT coalesce(max(version), 0) FROM " MIGRATIONS_TABLE;

/* One fixed key: "hailong" in ASCII, as a bigint.  Session-level, so two
 * `hailong migrate` runs queue up instead of applying a file twice. */
const char SQL_MIGRATE_LOCK[] = "SELECT pg_advisory_lock(104971108111110103)";
const char SQL_MIGRATE_UNLOCK[] = "SELECT pg_advisory_unlock(104971108111110103)";

const char SQL_MIGRATE_CREATE_TABLE[] =
	"CREATE TABLE IF NOT EXISTS " MIGRATIONS_TABLE " ("
	" version integer PRIMARY KEY,"
	" name text NOT NULL,"
	" checksum text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())";

const char SQL_MIGRATE_APPLIED[] =
	"SELECT version, name, checksum, to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS TZ') FROM "
	MIGRATIONS_TABLE " ORDER BY version";

const char SQL_MIGRATE_RECORD[] =
	"INSERT INTO " MIGRATIONS_TABLE " (version, name, checksum) VALUES ($1, $2, $3)";

/* $1 form id, $2 edition, $3 hash, $4 title, $5 audience, $6 family,
 * $7 index method, $8 target, $9 answer count, $10 definition, $11 file.
 * No row back when the same content is already stored. */
const char SQL_FORM_INSERT_VERSION[] =
	"INSERT INTO questionnaire_version (form_id, edition, content_hash, title, audience, family,"
	" index_method, target_percent, answer_count, definition, source_file)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11)"
	" ON CONFLICT (content_hash) DO NOTHING RETURNING id";

const char SQL_FORM_FIND_VERSION[] =
	"SELECT id FROM questionnaire_version WHERE content_hash = $1";

/* $1 version, $2 position, $3 item id, $4 kind, $5 parent id, $6 element id,
 * $7 text, $8 short text, $9 answer index, $10 scale name, $11 scale type,
 * $12 scale values, $13 satisfied, $14 role, $15 required, $16 no_opinion. */
const char SQL_FORM_INSERT_ITEM[] =
	"INSERT INTO questionnaire_item (version_id, position, item_id, kind, parent_item_id,"
	" element_item_id, text, short_text, answer_index, scale_name, scale_type, scale_values,"
	" satisfied, role, required, no_opinion)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::smallint[], $13::smallint[],"
	" $14, $15, $16)";

/* $1 form id, $2 edition, $3 version.  Returns whether it changed. */
const char SQL_FORM_SET_CURRENT[] =
	"INSERT INTO questionnaire_current AS c (form_id, edition, version_id) VALUES ($1, $2, $3)"
	" ON CONFLICT (form_id, edition) DO UPDATE SET version_id = EXCLUDED.version_id,"
	" updated_at = now() WHERE c.version_id <> EXCLUDED.version_id"
	" RETURNING version_id";

/* Binary result: the 32 raw bytes. */
const char SQL_SECRET[] = "SELECT secret FROM installation";

const char SQL_VERSION_DEFINITION[] =
	"SELECT definition::text FROM questionnaire_version WHERE id = $1";

/* What a parent's link needs, by code.  Columns: campaign id, title,
 * organisation name, version id, opens (epoch), closes (epoch, the earlier of
 * the planned and the early close), kiosk, mode, slip used (NULL for a
 * campaign code), now (epoch). */
#define SURVEY_COLUMNS \
	"SELECT c.id, c.title, o.name, c.version_id, floor(extract(epoch FROM c.opens_at))::bigint," \
	" ceil(extract(epoch FROM least(c.closes_at, coalesce(c.closed_early_at, c.closes_at))))::bigint," \
	" c.kiosk, c.mode, "

const char SQL_SURVEY_BY_CAMPAIGN_CODE[] =
	SURVEY_COLUMNS "NULL::boolean, floor(extract(epoch FROM now()))::bigint"
	" FROM campaign c JOIN org_unit o ON o.id = c.org_unit_id WHERE c.public_code = $1";

const char SQL_SURVEY_BY_SLIP_CODE[] =
	SURVEY_COLUMNS "s.used, floor(extract(epoch FROM now()))::bigint"
	" FROM slip s JOIN campaign c ON c.id = s.campaign_id JOIN org_unit o ON o.id = c.org_unit_id"
	" WHERE s.code = $1";

/* Group commit: many parents' responses in one statement, one transaction,
 * one fsync.  $1 is a JSON array of objects {s: submission id, c: campaign,
 * v: version, h: content hash (hex), a: answers, t: texts or null, src,
 * slip: code or null, rc: receipt}.  A slip is consumed in the same
 * transaction as its response.  Each input row comes back, in order, as
 * stored, replay (same id and content already stored), conflict (same id,
 * other content), or unresolved (not stored, nothing visible yet: a used
 * slip, or a concurrent insert of the same id; the caller looks again).
 * $2 is the milliseconds the caller still waits for the answer, as the pool
 * sends the statement (DbQuery.budget_param); NULL: no limit. */
const char SQL_COMMIT_BATCH[] =
	"WITH input AS ("
	" SELECT * FROM ROWS FROM (json_to_recordset($1::json)"
	" AS (s uuid, c bigint, v bigint, h text, a smallint[], t text[], src text, slip text,"
	" rc text)) WITH ORDINALITY AS i(s, c, v, h, a, t, src, slip, rc, ord)),"
	" used AS ("
	" UPDATE slip SET used = true FROM input i"
	" WHERE i.slip IS NOT NULL AND slip.code = i.slip AND slip.campaign_id = i.c AND NOT slip.used"
	" RETURNING slip.code),"
	" ins AS ("
	" INSERT INTO response (campaign_id, version_id, submission_id, content_hash, answers, texts,"
	" source, receipt, submitted_minute)"
	" SELECT i.c, i.v, i.s, decode(i.h, 'hex'), i.a, i.t, i.src, i.rc, date_trunc('minute', now())"
	" FROM input i WHERE i.slip IS NULL OR i.slip IN (SELECT code FROM used)"
	" ORDER BY i.ord"
	" ON CONFLICT (campaign_id, submission_id) DO NOTHING RETURNING submission_id),"
	/* After the insert (it reads ins), before the commit: a statement that
	 * ran past its budget fails rather than commit a row whose parent has
	 * been told 503 (sql/014).  The budget keeps a margin for the commit
	 * and the answer's way back to a busy event loop: half, at most 300 ms
	 * (the pool sends it with at least 100 ms left). */
	" guard AS (SELECT hl_commit_within($2::int - least($2::int / 2, 300), count(*)) FROM ins)"
	" SELECT i.ord, CASE"
	" WHEN ins.submission_id IS NOT NULL THEN 'stored'"
	" WHEN r.id IS NOT NULL AND r.content_hash = decode(i.h, 'hex') THEN 'replay'"
	" WHEN r.id IS NOT NULL THEN 'conflict'"
	" ELSE 'unresolved' END"
	" FROM input i CROSS JOIN guard LEFT JOIN ins ON ins.submission_id = i.s"
	" LEFT JOIN response r ON r.campaign_id = i.c AND r.submission_id = i.s"
	" ORDER BY i.ord";

/* A second look at an unresolved submission, in a fresh snapshot.
 * $1 submission id, $2 content hash (hex), $3 campaign. */
const char SQL_SUBMISSION_LOOKUP[] =
	"SELECT r.content_hash = decode($2, 'hex')"
	" FROM response r WHERE r.campaign_id = $3 AND r.submission_id = $1";

/* $1 code, $2 name, $3 kind, $4 school level, $5 parent code.  Returns the
 * node's id, made on first use. */
const char SQL_DEMO_ORG[] =
	"WITH made AS (INSERT INTO org_unit (code, name, kind, school_level, parent_id)"
	" SELECT $1, $2, $3, $4, (SELECT id FROM org_unit WHERE code = $5)"
	" ON CONFLICT (code) DO NOTHING RETURNING id)"
	" SELECT id FROM made UNION ALL SELECT id FROM org_unit WHERE code = $1";

const char SQL_DEMO_CURRENT_VERSIONS[] =
	"SELECT q.version_id, v.title FROM questionnaire_current q"
	" JOIN questionnaire_version v ON v.id = q.version_id ORDER BY q.form_id, q.edition";

/* $1 school, $2 version. */
const char SQL_DEMO_FIND_CAMPAIGN[] =
	"SELECT id, public_code FROM campaign WHERE org_unit_id = $1 AND version_id = $2"
	" ORDER BY id LIMIT 1";

/* A demo round stays open: $1 campaign. */
const char SQL_DEMO_REOPEN_CAMPAIGN[] =
	"UPDATE campaign SET closes_at = greatest(closes_at, now() + interval '1 year'),"
	" closed_early_at = NULL WHERE id = $1 AND (closes_at < now() + interval '30 days'"
	" OR closed_early_at IS NOT NULL)";

/* $1 code, $2 school, $3 version, $4 title. */
const char SQL_DEMO_CREATE_CAMPAIGN[] =
	"INSERT INTO campaign (public_code, org_unit_id, version_id, title, opens_at, closes_at,"
	" target_count, mode) VALUES ($1, $2, $3, $4, now() - interval '1 minute',"
	" now() + interval '1 year', 40, 'both') ON CONFLICT (public_code) DO NOTHING RETURNING id";

/* $1 name, $2 token hash, $3 unit code, $4 role, $5 actor (the audit log's
 * "who"), $6 scope: the creator's unit path, or NULL for the command line.
 * The audit entry is written by the same statement.  No row: no such unit in
 * the scope, or a token with this hash exists (the staff page derives the
 * secret from its form, so a second click of the same form lands here). */
const char SQL_TOKEN_CREATE[] =
	"WITH made AS (INSERT INTO api_token (name, token_hash, org_unit_id, role)"
	" SELECT $1, $2, id, $4 FROM org_unit WHERE code = $3"
	" AND ($6::ltree IS NULL OR path <@ $6::ltree)"
	" ON CONFLICT (token_hash) DO NOTHING RETURNING id, org_unit_id),"
	" logged AS (INSERT INTO audit_log (actor, org_unit_id, action, detail)"
	" SELECT $5, org_unit_id, 'token.create',"
	" jsonb_build_object('token_id', id, 'name', $1::text, 'role', $4::text) FROM made)"
	" SELECT id FROM made";

const char SQL_TOKEN_LIST[] =
	"SELECT t.id, t.name, t.role, o.code, to_char(t.created_at, 'YYYY-MM-DD'),"
	" coalesce(to_char(t.last_used_at, 'YYYY-MM-DD HH24:MI'), '-'),"
	" CASE WHEN t.revoked_at IS NULL THEN 'active' ELSE 'revoked' END"
	" FROM api_token t JOIN org_unit o ON o.id = t.org_unit_id ORDER BY t.id";

/* $1 token id, $2 actor, $3 scope (the revoker's unit path, or NULL for the
 * command line).  No row: no such active token in the scope. */
const char SQL_TOKEN_REVOKE[] =
	"WITH gone AS (UPDATE api_token t SET revoked_at = now() FROM org_unit o"
	" WHERE t.id = $1::bigint AND t.revoked_at IS NULL AND o.id = t.org_unit_id"
	" AND ($3::ltree IS NULL OR o.path <@ $3::ltree)"
	" RETURNING t.id, t.org_unit_id, t.name),"
	" logged AS (INSERT INTO audit_log (actor, org_unit_id, action, detail)"
	" SELECT $2, org_unit_id, 'token.revoke',"
	" jsonb_build_object('token_id', id, 'name', name) FROM gone)"
	" SELECT id FROM gone";

/* $1 token hash.  The caller behind a bearer token: token id, role, unit
 * code, unit name, unit path.  Marks it used, at most once a minute. */
const char SQL_TOKEN_AUTH[] =
	"WITH t AS (SELECT t.id, t.role, o.code, o.name, o.path::text AS path"
	" FROM api_token t JOIN org_unit o ON o.id = t.org_unit_id"
	" WHERE t.token_hash = $1 AND t.revoked_at IS NULL),"
	" used AS (UPDATE api_token a SET last_used_at = now() FROM t WHERE a.id = t.id"
	" AND (a.last_used_at IS NULL OR a.last_used_at < now() - interval '1 minute'))"
	" SELECT id, role, code, name, path FROM t";

/* $1 login, $2 unit code, $3 role, $4 password hash, $5 actor, $6 scope
 * (the creator's unit path, or NULL for the command line); audited.  No
 * row: the unit is not in the scope, or the login is taken. */
const char SQL_ACCOUNT_ADD[] =
	"WITH made AS (INSERT INTO account (login, org_unit_id, role, password_hash)"
	" SELECT $1, id, $3, $4 FROM org_unit WHERE code = $2"
	" AND ($6::ltree IS NULL OR path <@ $6::ltree)"
	" ON CONFLICT (login) DO NOTHING RETURNING id, org_unit_id),"
	" logged AS (INSERT INTO audit_log (actor, org_unit_id, action, detail)"
	" SELECT $5, org_unit_id, 'account.create',"
	" jsonb_build_object('account_id', id, 'login', $1::text, 'role', $3::text) FROM made)"
	" SELECT id FROM made";

/* $1 login.  The account's id and password hash (disabled accounts: none). */
const char SQL_LOGIN_LOOKUP[] =
	"SELECT id, password_hash FROM account WHERE login = $1 AND disabled_at IS NULL";

/* $1 token hash, $2 account, $3 csrf token.  Audited. */
const char SQL_SESSION_CREATE[] =
	"WITH made AS (INSERT INTO staff_session (token_hash, account_id, csrf, expires_at)"
	" VALUES ($1, $2::bigint, $3, now() + interval '12 hours') RETURNING account_id),"
	" logged AS (INSERT INTO audit_log (actor, org_unit_id, action)"
	" SELECT a.login, a.org_unit_id, 'session.login' FROM account a JOIN made m"
	" ON m.account_id = a.id)"
	" SELECT account_id FROM made";

/* $1 token hash.  The caller behind a session cookie: account id, role, unit
 * code, unit name, unit path, login, csrf.  Marks it seen once a minute. */
const char SQL_SESSION_AUTH[] =
	"WITH s AS (SELECT s.token_hash, a.id, a.role, o.code, o.name, o.path::text AS path,"
	" a.login, s.csrf FROM staff_session s JOIN account a ON a.id = s.account_id"
	" JOIN org_unit o ON o.id = a.org_unit_id"
	" WHERE s.token_hash = $1 AND s.expires_at > now() AND a.disabled_at IS NULL),"
	" seen AS (UPDATE staff_session x SET last_seen_at = now() FROM s"
	" WHERE x.token_hash = s.token_hash AND x.last_seen_at < now() - interval '1 minute')"
	" SELECT id, role, code, name, path, login, csrf FROM s";

/* $1 token hash.  Audited (the account's login as actor). */
const char SQL_SESSION_DELETE[] =
	"WITH gone AS (DELETE FROM staff_session WHERE token_hash = $1 RETURNING account_id)"
	" INSERT INTO audit_log (actor, org_unit_id, action)"
	" SELECT a.login, a.org_unit_id, 'session.logout' FROM account a JOIN gone g"
	" ON g.account_id = a.id";

/* $1 unit code, $2 the caller's unit path: the unit if it lies in the
 * caller's subtree (else no row: 404, never 403, so codes outside it are not
 * even confirmed to exist). */
const char SQL_API_UNIT[] =
	"SELECT u.code, u.name, u.kind, u.school_level, p.code,"
	" (SELECT count(*) FROM org_unit c WHERE c.parent_id = u.id)"
	" FROM org_unit u LEFT JOIN org_unit p ON p.id = u.parent_id"
	" WHERE u.code = $1 AND u.path <@ $2::ltree";

/* $1 the caller's unit path, $2 entries before this id (0: newest), $3 limit;
 * filters, each NULL for none: $4 actor (exact), $5 action (a prefix:
 * "account" matches account.create …), $6 from and $7 to (dates, inclusive,
 * Việt Nam time).  The audit entries of the caller's subtree, newest first:
 * id, time (UTC, ISO), actor, unit code, action, detail, and the time as
 * the staff page shows it ("dd/mm/yyyy HH:MM", Việt Nam time). */
const char SQL_API_AUDIT[] =
	"SELECT l.id, to_char(l.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	" l.actor, o.code, l.action, l.detail::text,"
	" to_char(l.at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY HH24:MI')"
	" FROM audit_log l JOIN org_unit o ON o.id = l.org_unit_id"
	" WHERE o.path <@ $1::ltree AND ($2::bigint = 0 OR l.id < $2::bigint)"
	" AND ($4::text IS NULL OR l.actor = $4::text)"
	" AND ($5::text IS NULL OR left(l.action, length($5::text)) = $5::text)"
	" AND ($6::date IS NULL OR l.at >= $6::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')"
	" AND ($7::date IS NULL OR l.at < ($7::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')"
	" ORDER BY l.id DESC LIMIT $3::int";

const char SQL_UNIT_EXISTS[] = "SELECT 1 FROM org_unit WHERE code = $1";

const char SQL_ACCOUNT_LIST[] =
	"SELECT a.login, a.role, o.code, o.name, to_char(a.created_at, 'YYYY-MM-DD'),"
	" CASE WHEN a.disabled_at IS NULL THEN '' ELSE 'disabled' END"
	" FROM account a JOIN org_unit o ON o.id = a.org_unit_id ORDER BY a.login";

/* Every unit's code and its parent's code (NULL at the top). */
const char SQL_ORG_CODES[] =
	"SELECT u.code, p.code FROM org_unit u LEFT JOIN org_unit p ON p.id = u.parent_id";

/* $1 code, $2 name, $3 kind, $4 school level, $5 parent code, $6 old
 * province, $7 old district.  Returns whether the row is new. */
const char SQL_ORG_UPSERT[] =
	"INSERT INTO org_unit (code, name, kind, school_level, parent_id,"
	" old_province_code, old_district_code)"
	" VALUES ($1, $2, $3, $4, (SELECT id FROM org_unit WHERE code = $5), $6, $7)"
	" ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,"
	" school_level = EXCLUDED.school_level,"
	" old_province_code = EXCLUDED.old_province_code,"
	" old_district_code = EXCLUDED.old_district_code"
	" RETURNING (xmax = 0)";

/* $1 round code: its id and the installation secret (bench-tokens). */
const char SQL_BENCH_ROUND_SECRET[] =
	"SELECT c.id, i.secret FROM campaign c, installation i WHERE c.public_code = $1";

/* Rounds (sql/007 holds the rules).  Every statement answers with the
 * round's JSON (hl_campaign_json) as text.  $1 actor, $2 scope (the caller's
 * unit path; NULL for the command line). */

/* $3 unit code, $4 form, $5 title, $6 opens, $7 closes (Việt Nam time),
 * $8 target, $9 mode, $10 kiosk, $11 double entry of paper sheets. */
const char SQL_CAMPAIGN_CREATE[] =
	"SELECT hl_campaign_view(hl_campaign_create($1, $2::ltree, $3, $4, $5, $6::timestamp,"
	" $7::timestamp, $8::integer, $9, $10::boolean, $11::boolean))::text";

/* $3 round code, then as create (NULL: unchanged): $4 title, $5 opens,
 * $6 closes, $7 target, $8 mode, $9 kiosk, $10 form, $11 double entry. */
const char SQL_CAMPAIGN_UPDATE[] =
	"SELECT hl_campaign_view(hl_campaign_update($1, $2::ltree, $3, $4, $5::timestamp,"
	" $6::timestamp, $7::integer, $8, $9::boolean, $10, $11::boolean))::text";

/* $3 round code. */
const char SQL_CAMPAIGN_CLOSE[] =
	"SELECT hl_campaign_view(hl_campaign_close($1, $2::ltree, $3))::text";

/* $3 round code, $4 batch (NULL: the next), $5 how many.  The batch with its
 * codes. */
const char SQL_SLIPS_CREATE[] =
	"SELECT hl_slips_view($3, hl_slips_create($1, $2::ltree, $3, $4::integer, $5::integer))::text";

/* $1 round code, $2 scope, $3 batch: the batch with its codes (no row: no
 * such round or batch). */
const char SQL_SLIPS_GET[] =
	"SELECT hl_slips_view(c.public_code, $3::integer)::text FROM campaign c"
	" JOIN org_unit o ON o.id = c.org_unit_id"
	" WHERE c.public_code = upper($1) AND ($2::ltree IS NULL OR o.path <@ $2::ltree)";

/* $1 round code, $2 scope. */
const char SQL_CAMPAIGN_GET[] =
	"SELECT hl_campaign_json(c)::text FROM campaign c JOIN org_unit o ON o.id = c.org_unit_id"
	" WHERE c.public_code = upper($1) AND ($2::ltree IS NULL OR o.path <@ $2::ltree)";

/* $1 scope, $2 unit code (NULL: the whole scope), $3 state (NULL: any),
 * $4 limit.  {"items": [...]}, newest opening first. */
const char SQL_CAMPAIGN_LIST[] =
	"SELECT jsonb_build_object('items', coalesce(jsonb_agg(j ORDER BY opens DESC, code), '[]'))::text"
	" FROM (SELECT hl_campaign_json(c) AS j, c.opens_at AS opens, c.public_code AS code"
	" FROM campaign c JOIN org_unit o ON o.id = c.org_unit_id"
	" WHERE ($1::ltree IS NULL OR o.path <@ $1::ltree)"
	" AND ($2::text IS NULL OR o.path <@ (SELECT path FROM org_unit WHERE code = $2))"
	" AND ($3::text IS NULL OR hl_campaign_state(c) = $3)"
	" ORDER BY c.opens_at DESC, c.public_code LIMIT $4::integer) l";

/* $1 round code, $2 the caller's unit path, $3 batch or NULL.  A staff page's
 * round: its JSON, the batch's JSON (or NULL), id, version, paper sheets
 * entered. */
const char SQL_STAFF_ROUND[] =
	"SELECT hl_campaign_json(c)::text, hl_slips_view(c.public_code, $3::integer)::text, c.id,"
	" c.version_id, (SELECT count(*) FROM response r WHERE r.campaign_id = c.id"
	" AND r.source = 'paper')"
	" FROM campaign c JOIN org_unit o ON o.id = c.org_unit_id"
	" WHERE c.public_code = $1 AND o.path <@ $2::ltree";

/* The staff pages of rounds.  $1 form key (32 hex digits, one per page
 * shown), then as SQL_CAMPAIGN_CREATE shifted by one: $2 actor, $3 scope,
 * $4 unit code, $5 form, $6 title, $7 opens, $8 closes, $9 target, $10 mode,
 * $11 kiosk, $12 double entry.  The round's code; the same key again
 * answers the same code without making another round. */
const char SQL_STAFF_ROUND_CREATE[] =
	"SELECT hl_campaign_create_once($1, $2, $3::ltree, $4, $5, $6, $7::timestamp,"
	" $8::timestamp, $9::integer, $10, $11::boolean, $12::boolean)";

/* $1 scope, $2 state (NULL: any), $3 page size, $4 rounds skipped.
 * {"total": N, "items": [round JSON …]}, newest opening first. */
const char SQL_STAFF_ROUND_PAGE[] =
	"SELECT jsonb_build_object("
	"'total', (SELECT count(*) FROM campaign c JOIN org_unit o ON o.id = c.org_unit_id"
	" WHERE o.path <@ $1::ltree AND ($2::text IS NULL OR hl_campaign_state(c) = $2::text)),"
	" 'items', (SELECT coalesce(jsonb_agg(j ORDER BY opens DESC, code), '[]')"
	" FROM (SELECT hl_campaign_json(c) AS j, c.opens_at AS opens, c.public_code AS code"
	" FROM campaign c JOIN org_unit o ON o.id = c.org_unit_id"
	" WHERE o.path <@ $1::ltree AND ($2::text IS NULL OR hl_campaign_state(c) = $2::text)"
	" ORDER BY c.opens_at DESC, c.public_code LIMIT $3::integer OFFSET $4::integer) l))::text";

/* $1 scope, $2 round code (NULL: a new round).  What the round form offers:
 * {"round": round JSON or null when not in scope, "units": the first 501
 * schools, grades and classes of the scope in tree order ({code, name,
 * kind}), "forms": the loaded questionnaires ({id, edition, title})}. */
const char SQL_STAFF_ROUND_FORM[] =
	"SELECT jsonb_build_object("
	"'round', (SELECT hl_campaign_json(c) FROM campaign c JOIN org_unit o ON o.id = c.org_unit_id"
	" WHERE $2::text IS NOT NULL AND c.public_code = upper($2::text) AND o.path <@ $1::ltree),"
	" 'units', (SELECT coalesce(jsonb_agg(jsonb_build_object('code', u.code, 'name', u.name,"
	" 'kind', u.kind) ORDER BY u.path), '[]') FROM (SELECT code, name, kind, path FROM org_unit"
	" WHERE path <@ $1::ltree AND kind IN ('school', 'grade', 'class') ORDER BY path LIMIT 501) u),"
	" 'forms', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', q.form_id, 'edition', q.edition,"
	" 'title', v.title) ORDER BY q.form_id, q.edition), '[]') FROM questionnaire_current q"
	" JOIN questionnaire_version v ON v.id = q.version_id))::text";

/* $1 scope, $2 rounds listed.  The staff start page: over every open round
 * of the scope, how many there are, responses today (Việt Nam day), and
 * responses and parents targeted of the rounds that give a target; then the
 * first $2 of them, closing soonest first, as round JSON.
 * {"open", "today", "answered", "targeted", "items"}. */
const char SQL_STAFF_DASHBOARD[] =
	"WITH open AS (SELECT c.id, c.target_count, c.closes_at, c.public_code"
	" FROM campaign c JOIN org_unit o ON o.id = c.org_unit_id"
	" WHERE o.path <@ $1::ltree AND hl_campaign_state(c) = 'open'),"
	" counted AS (SELECT open.id, open.target_count,"
	" (SELECT count(*) FROM response r WHERE r.campaign_id = open.id) AS total,"
	" (SELECT count(*) FROM response r WHERE r.campaign_id = open.id AND r.submitted_minute >="
	" date_trunc('day', now() AT TIME ZONE 'Asia/Ho_Chi_Minh') AT TIME ZONE 'Asia/Ho_Chi_Minh')"
	" AS today FROM open)"
	" SELECT jsonb_build_object('open', (SELECT count(*) FROM open),"
	" 'today', (SELECT coalesce(sum(today), 0) FROM counted),"
	" 'answered', (SELECT coalesce(sum(total), 0) FROM counted WHERE target_count IS NOT NULL),"
	" 'targeted', (SELECT coalesce(sum(target_count), 0) FROM counted),"
	" 'items', (SELECT coalesce(jsonb_agg(hl_campaign_json(c) ORDER BY c.closes_at, c.public_code),"
	" '[]') FROM campaign c WHERE c.id IN (SELECT id FROM open ORDER BY closes_at, public_code"
	" LIMIT $2::integer)))::text";

/* $1 slip code, $2 round, $3 submission id: whether the slip is used, and
 * whether this very submission is stored (a resent sheet). */
const char SQL_PAPER_SLIP[] =
	"SELECT s.used, EXISTS (SELECT 1 FROM response r"
	" WHERE r.campaign_id = $2::bigint AND r.submission_id = $3::uuid)"
	" FROM slip s WHERE s.code = $1 AND s.campaign_id = $2::bigint";

/* Double entry.  $1 round, $2 slip, $3 answers literal, $4 texts literal,
 * $5 content hash (hex), $6 who keys it.  Stores the first keying; for a
 * later one returns the first: whether this call stored it, then the first
 * keying's answers (JSON), texts (JSON), hash (hex) and keyer. */
const char SQL_PAPER_DRAFT[] =
	"WITH existing AS (SELECT answers, texts, content_hash, entered_by FROM paper_draft"
	" WHERE campaign_id = $1::bigint AND slip = $2),"
	" made AS (INSERT INTO paper_draft (campaign_id, slip, answers, texts, content_hash, entered_by)"
	" SELECT $1::bigint, $2, $3::smallint[], $4::text[], decode($5, 'hex'), $6"
	" WHERE NOT EXISTS (SELECT 1 FROM existing) ON CONFLICT DO NOTHING RETURNING 1)"
	" SELECT EXISTS (SELECT 1 FROM made), to_json(e.answers)::text, to_json(e.texts)::text,"
	" encode(e.content_hash, 'hex'), e.entered_by FROM (SELECT 1) one LEFT JOIN existing e ON true";

/* Drops the first keyings of slips whose response is stored. */
const char SQL_PAPER_DRAFT_DONE[] =
	"DELETE FROM paper_draft d USING slip s WHERE d.slip = s.code AND s.used";

/* aggregation (server/tally_job.c, sql/009) */

/* One job at a time across instances; the others skip this turn.
 * 104971108111110104: "hailong" + 1, next to the migration lock. */
const char SQL_TALLY_LOCK[] = "SELECT pg_try_advisory_xact_lock(104971108111110104)";

/* Takes queue rows in order until about $1 responses ($2 queue rows at
 * most), skipping rows another transaction holds: their ranges or id lists
 * and sizes.  Deleted now, committed with the counts (sql/009). */
const char SQL_TALLY_TAKE[] =
	"WITH picked AS ("
	" SELECT seq, rows FROM response_batch_queue ORDER BY seq LIMIT $2::integer"
	" FOR UPDATE SKIP LOCKED),"
	" upto AS (SELECT seq, sum(rows) OVER (ORDER BY seq) - rows AS before FROM picked)"
	" DELETE FROM response_batch_queue q USING upto u"
	" WHERE q.seq = u.seq AND u.before < $1::integer"
	" RETURNING q.first_id, q.last_id, q.ids, q.rows";

/* $1 ranges' first ids, $2 their last ids, $3 single ids (bigint[] text):
 * handed to SQL_TALLY_READ as settings of the transaction, since COPY
 * takes no parameters. */
const char SQL_TALLY_RANGES[] =
	"SELECT set_config('hailong.tally_lo', $1, true), set_config('hailong.tally_hi', $2, true),"
	" set_config('hailong.tally_ids', $3, true)";

/* Those responses in binary, streamed: the server converts each row once
 * and libpq hands it over without building a result.  Ranges go by index
 * range scan. */
const char SQL_TALLY_READ[] =
	"COPY (SELECT r.campaign_id, r.version_id, r.answers, r.submitted_minute"
	" FROM unnest(current_setting('hailong.tally_lo')::bigint[],"
	" current_setting('hailong.tally_hi')::bigint[]) g(lo, hi)"
	" JOIN response r ON r.id BETWEEN g.lo AND g.hi"
	" UNION ALL"
	" SELECT r.campaign_id, r.version_id, r.answers, r.submitted_minute"
	" FROM unnest(current_setting('hailong.tally_ids')::bigint[]) i JOIN response r ON r.id = i)"
	" TO STDOUT (FORMAT binary)";

/* $1 round ids, $2 version ids (pairs): their tally rows, deleted and
 * returned (binary) to be added to and copied back in. */
const char SQL_TALLY_REMOVE[] =
	"DELETE FROM tally_group t USING unnest($1::bigint[], $2::bigint[]) k(c, v)"
	" WHERE t.campaign_id = k.c AND t.version_id = k.v"
	" RETURNING t.campaign_id, t.version_id, t.responses, t.last_minute, t.counts";

/* The batch's groups with their new sums (binary COPY: several times
 * cheaper per row than INSERT; no SQL is built, the rows are data). */
const char SQL_TALLY_COPY[] =
	"COPY tally_group (campaign_id, version_id, responses, last_minute, counts)"
	" FROM STDIN (FORMAT binary)";

/* ---- reports (server/report_build.c) ------------------------------------ */

/* $1 unit code, $2 the caller's subtree (ltree text, NULL: everything): the
 * unit and its ancestors within that subtree, root first. */
const char SQL_REPORT_NODE[] =
	"SELECT n.id, n.code, n.name, n.kind, n.path::text,"
	" (SELECT coalesce(json_agg(json_build_object('code', a.code, 'name', a.name,"
	"  'kind', a.kind) ORDER BY nlevel(a.path)), '[]')"
	"  FROM org_unit a WHERE a.path @> n.path AND a.id <> n.id"
	"  AND ($2::ltree IS NULL OR a.path <@ $2::ltree))::text"
	" FROM org_unit n WHERE n.code = $1 AND ($2::ltree IS NULL OR n.path <@ $2::ltree)";

/* $1 round code, $2 the node's path: the round, when it is in the subtree. */
const char SQL_REPORT_CAMPAIGN[] =
	"SELECT c.public_code, c.title,"
	" to_char(c.opens_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD'),"
	" to_char(least(c.closes_at, coalesce(c.closed_early_at, c.closes_at))"
	"  AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')"
	" FROM campaign c JOIN org_unit u ON u.id = c.org_unit_id"
	" WHERE c.public_code = $1 AND u.path <@ $2::ltree";

/* $1 node path, $2 first day, $3 last day (Vietnamese dates, inclusive),
 * $4 one round's code or NULL: the rounds in scope, with their unit's path
 * for the roll-ups. */
const char SQL_REPORT_ROUNDS[] =
	"SELECT c.id, c.version_id, c.target_count, u.path::text"
	" FROM campaign c JOIN org_unit u ON u.id = c.org_unit_id"
	" WHERE u.path <@ $1::ltree"
	" AND ($4::text IS NOT NULL OR (c.opens_at >= $2::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'"
	"  AND c.opens_at < ($3::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))"
	" AND ($4::text IS NULL OR c.public_code = $4)";

/* $1 round ids (bigint[] text): their tally rows (sql/011), the counts
 * in bytea's hex text (cheap to make, cheap to read). */
const char SQL_REPORT_TALLIES[] =
	"SELECT campaign_id, version_id, responses,"
	" to_char(last_minute AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD\"T\"HH24:MI:00+07:00'),"
	" counts"
	" FROM tally_group WHERE campaign_id = ANY($1::bigint[])";

/* $1 version ids. */
const char SQL_REPORT_VERSIONS[] =
	"SELECT id, form_id, edition, content_hash, definition::text"
	" FROM questionnaire_version WHERE id = ANY($1::bigint[])";

/* $1 node id, $2 node path: its children, and the schools below it. */
const char SQL_REPORT_UNITS[] =
	"SELECT id, code, name, kind, parent_id = $1::bigint FROM org_unit"
	" WHERE parent_id = $1::bigint OR (kind = 'school' AND path <@ $2::ltree AND id <> $1::bigint)";

/* Responses stored and not yet counted. */
const char SQL_REPORT_UNCOUNTED[] =
	"SELECT coalesce(sum(rows), 0) FROM response_batch_queue";

/* ---- comments (server/report_comments.c) -------------------------------- */

/* $1 round ids (bigint[] text): the responses counted in each (the
 * report's figure, which the privacy threshold applies to). */
const char SQL_COMMENTS_ROUNDS[] =
	"SELECT campaign_id, sum(responses) FROM tally_total"
	" WHERE campaign_id = ANY($1::bigint[]) GROUP BY campaign_id";

/* $1 round ids (bigint[] text), $2 ILIKE pattern or NULL: how many
 * free-text answers match. */
const char SQL_COMMENTS_COUNT[] =
	"SELECT count(*) FROM response r, unnest(r.texts) AS t(text)"
	" WHERE r.campaign_id = ANY($1::bigint[]) AND r.texts IS NOT NULL"
	" AND t.text <> '' AND ($2::text IS NULL OR t.text ILIKE $2 ESCAPE '\\')";

/* $1 round ids, $2 ILIKE pattern or NULL, $3 limit (NULL: all), $4 offset:
 * the free-text answers, newest first, as date, unit name, question id and
 * text.  texts[i] answers the i-th free-text question of the version in
 * form order (server/commit_item.c), which questionnaire_item numbers by
 * position.  Each round gives only its newest offset + limit, read in
 * order from response_comments_newest (sql/012): a province's first page
 * reads some thousands of rows, not its hundreds of thousands of
 * comments. */
#define COMMENTS_SELECT \
	"SELECT to_char(x.minute AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')," \
	" u.name, q.item_id, x.text" \
	" FROM (SELECT k.id AS campaign_id, y.* FROM unnest($1::bigint[]) AS k(id)" \
	"  CROSS JOIN LATERAL (SELECT r.submitted_minute AS minute, r.id, r.version_id, t.text, t.i" \
	"   FROM response r CROSS JOIN LATERAL unnest(r.texts) WITH ORDINALITY AS t(text, i)" \
	"   WHERE r.campaign_id = k.id AND r.texts IS NOT NULL" \
	"   AND t.text <> '' AND ($2::text IS NULL OR t.text ILIKE $2 ESCAPE '\\')" \
	"   ORDER BY r.submitted_minute DESC, r.id DESC, t.i" \
	"   LIMIT $3::integer + $4::integer) y" \
	"  ORDER BY y.minute DESC, y.id DESC, y.i LIMIT $3::integer OFFSET $4::integer) x" \
	" JOIN campaign c ON c.id = x.campaign_id JOIN org_unit u ON u.id = c.org_unit_id" \
	" LEFT JOIN (SELECT version_id, item_id," \
	"  row_number() OVER (PARTITION BY version_id ORDER BY position) AS i" \
	"  FROM questionnaire_item WHERE scale_type = 'text' AND answer_index IS NOT NULL) q" \
	" ON q.version_id = x.version_id AND q.i = x.i" \
	" ORDER BY x.minute DESC, x.id DESC, x.i"

const char SQL_COMMENTS_PAGE[] = COMMENTS_SELECT;

/* The export: one snapshot for the scope and every row, read through a
 * cursor a batch at a time so neither side holds the whole result. */
const char SQL_COMMENTS_BEGIN[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
const char SQL_COMMENTS_DECLARE[] = "DECLARE hl_comments NO SCROLL CURSOR FOR " COMMENTS_SELECT;
const char SQL_COMMENTS_FETCH[] = "FETCH 5000 FROM hl_comments";
const char SQL_COMMENTS_COMMIT[] = "COMMIT";
const char SQL_COMMENTS_ROLLBACK[] = "ROLLBACK";

/* ---- published results (server/report_snapshot.c) ----------------------- */

/* $1 at most this many: the closed rounds without a snapshot none of whose
 * responses is still queued for counting (sql/009), with their unit.  Run in
 * the snapshot's REPEATABLE READ transaction, so "nothing queued" and the
 * tallies the report then reads are one view of the database: every
 * response of the round committed by then is in those tallies. */
const char SQL_SNAPSHOT_DUE[] =
	"SELECT c.id, c.public_code, u.code, u.path::text"
	" FROM campaign c JOIN org_unit u ON u.id = c.org_unit_id"
	" WHERE least(c.closes_at, coalesce(c.closed_early_at, c.closes_at)) <= now()"
	" AND NOT EXISTS (SELECT 1 FROM report_snapshot s WHERE s.campaign_id = c.id)"
	" AND c.id NOT IN (SELECT r.campaign_id FROM response_batch_queue q,"
	"  hl_batch_responses(q.first_id, q.last_id, q.ids) r)"
	" ORDER BY c.id LIMIT $1::integer";

/* $1 round id, $2 responses, $3 the document's bytes, $4 their SHA-256
 * (hex).  The first snapshot stands: another instance's is never replaced. */
const char SQL_SNAPSHOT_INSERT[] =
	"INSERT INTO report_snapshot (campaign_id, responses, document, sha256)"
	" VALUES ($1::bigint, $2::bigint, $3, $4) ON CONFLICT (campaign_id) DO NOTHING";

/* $1 node code, $2 the caller's subtree (NULL: everything), $3 round code:
 * the round's snapshot when the node is in the subtree and the round under
 * the node; with the round's unit (code, path), which the snapshot was
 * taken from. */
const char SQL_SNAPSHOT_FOR_REPORT[] =
	"SELECT s.document, s.sha256, s.responses,"
	" to_char(s.taken_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+07:00\"'),"
	" u.code, u.path::text"
	" FROM org_unit n JOIN campaign c ON c.public_code = $3"
	" JOIN org_unit u ON u.id = c.org_unit_id AND u.path <@ n.path"
	" JOIN report_snapshot s ON s.campaign_id = c.id"
	" WHERE n.code = $1 AND ($2::ltree IS NULL OR n.path <@ $2::ltree)";

/* $1 round code (any case), $2 the caller's subtree: the stored bytes, their
 * SHA-256 and when they were taken; whether the round exists there at all
 * (a round without a snapshot: snapshot columns NULL). */
const char SQL_SNAPSHOT_GET[] =
	"SELECT s.document, s.sha256,"
	" to_char(s.taken_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+07:00\"')"
	" FROM campaign c JOIN org_unit u ON u.id = c.org_unit_id"
	" LEFT JOIN report_snapshot s ON s.campaign_id = c.id"
	" WHERE c.public_code = upper($1) AND ($2::ltree IS NULL OR u.path <@ $2::ltree)";

/* Staff pages for admins (handler_admin.c).  $1 is always the caller's unit
 * path: nothing outside that subtree is read or changed.  Dates come out as
 * the pages show them, in Việt Nam time. */

/* $1 scope.  id, login, role, unit code, unit name, created (dd/mm/yyyy),
 * disabled (t/f). */
const char SQL_ADMIN_ACCOUNTS[] =
	"SELECT a.id, a.login, a.role, o.code, o.name,"
	" to_char(a.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY'),"
	" a.disabled_at IS NOT NULL"
	" FROM account a JOIN org_unit o ON o.id = a.org_unit_id"
	" WHERE o.path <@ $1::ltree ORDER BY o.path, a.login LIMIT 2000";

/* $1 scope.  The units an admin may put accounts and tokens on: code, name. */
const char SQL_ADMIN_UNITS[] =
	"SELECT code, name FROM org_unit WHERE path <@ $1::ltree ORDER BY path LIMIT 2000";

/* $1 login, $2 unit code, $3 scope, $4 actor, $5 role: why SQL_ACCOUNT_ADD
 * added nothing — the login is taken (t/f), the unit lies in the scope
 * (t/f), and whether this very account (same login, unit and role) was made
 * by this actor in the last two minutes (t/f): the same form sent twice. */
const char SQL_ADMIN_ACCOUNT_WHY[] =
	"SELECT EXISTS (SELECT 1 FROM account WHERE login = $1),"
	" EXISTS (SELECT 1 FROM org_unit WHERE code = $2 AND path <@ $3::ltree),"
	" EXISTS (SELECT 1 FROM account a JOIN org_unit o ON o.id = a.org_unit_id"
	" JOIN audit_log l ON l.org_unit_id = a.org_unit_id AND l.action = 'account.create'"
	" AND l.detail->>'login' = a.login"
	" WHERE a.login = $1 AND o.code = $2 AND a.role = $5 AND l.actor = $4"
	" AND l.at > now() - interval '2 minutes')";

/* $1 login, $2 scope, $3 actor, $4 disable (t) or enable (f).  Idempotent:
 * an account already in that state is left alone and nothing is logged.  A
 * disabled account's sessions end with it.  One row (the login, and t/f
 * whether it changed) when the account is in the scope; none otherwise. */
const char SQL_ADMIN_ACCOUNT_STATE[] =
	"WITH target AS (SELECT a.id, a.login, a.org_unit_id FROM account a"
	" JOIN org_unit o ON o.id = a.org_unit_id WHERE a.login = $1 AND o.path <@ $2::ltree),"
	" changed AS (UPDATE account a SET disabled_at = CASE WHEN $4::bool THEN now() END"
	" FROM target t WHERE a.id = t.id AND (a.disabled_at IS NULL) = $4::bool"
	" RETURNING a.id),"
	" ended AS (DELETE FROM staff_session WHERE $4::bool"
	" AND account_id IN (SELECT id FROM changed)),"
	" logged AS (INSERT INTO audit_log (actor, org_unit_id, action, detail)"
	" SELECT $3, t.org_unit_id,"
	" CASE WHEN $4::bool THEN 'account.disable' ELSE 'account.enable' END,"
	" jsonb_build_object('account_id', t.id, 'login', t.login)"
	" FROM target t JOIN changed c ON c.id = t.id)"
	" SELECT login, EXISTS (SELECT 1 FROM changed) FROM target";

/* $1 login, $2 scope, $3 actor, $4 password hash, $5 the caller's account
 * id.  Sets the password and ends the account's sessions (but the caller's
 * own when they reset their own password); audited.  One row (the login)
 * when the account is in the scope. */
const char SQL_ADMIN_ACCOUNT_PASSWORD[] =
	"WITH target AS (SELECT a.id, a.login, a.org_unit_id FROM account a"
	" JOIN org_unit o ON o.id = a.org_unit_id WHERE a.login = $1 AND o.path <@ $2::ltree),"
	" changed AS (UPDATE account a SET password_hash = $4 FROM target t WHERE a.id = t.id"
	" RETURNING a.id),"
	" ended AS (DELETE FROM staff_session WHERE account_id IN (SELECT id FROM changed)"
	" AND account_id <> $5::bigint),"
	" logged AS (INSERT INTO audit_log (actor, org_unit_id, action, detail)"
	" SELECT $3, org_unit_id, 'account.password', jsonb_build_object('account_id', id,"
	" 'login', login) FROM target)"
	" SELECT login FROM target";

/* $1 scope.  id, name, role, unit code, unit name, created (dd/mm/yyyy),
 * last used ("dd/mm/yyyy HH:MM" or ""), revoked ("dd/mm/yyyy" or ""). */
const char SQL_ADMIN_TOKENS[] =
	"SELECT t.id, t.name, t.role, o.code, o.name,"
	" to_char(t.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY'),"
	" coalesce(to_char(t.last_used_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY HH24:MI'), ''),"
	" coalesce(to_char(t.revoked_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY'), '')"
	" FROM api_token t JOIN org_unit o ON o.id = t.org_unit_id"
	" WHERE o.path <@ $1::ltree ORDER BY t.revoked_at IS NOT NULL, t.id DESC LIMIT 2000";

/* $1 token hash, $2 scope: the token a form already created (a second
 * click): id, and whether it may be shown again (t/f: still active and made
 * in the last two minutes). */
const char SQL_ADMIN_TOKEN_AGAIN[] =
	"SELECT t.id, t.revoked_at IS NULL AND t.created_at > now() - interval '2 minutes'"
	" FROM api_token t JOIN org_unit o ON o.id = t.org_unit_id"
	" WHERE t.token_hash = $1 AND o.path <@ $2::ltree";

/* $1 token id, $2 scope: one row when such a token lies in the scope. */
const char SQL_ADMIN_TOKEN_IN_SCOPE[] =
	"SELECT t.id FROM api_token t JOIN org_unit o ON o.id = t.org_unit_id"
	" WHERE t.id = $1::bigint AND o.path <@ $2::ltree";

const char SQL_AGGREGATION_LAG[] =
	"SELECT coalesce(sum(rows), 0)::bigint, "
	"extract(epoch FROM now() - (SELECT submitted_minute FROM response "
	"WHERE id = (SELECT min(first_id) FROM response_batch_queue)))::float8 "
	"FROM response_batch_queue";

const char SQL_STATUS_SUMMARY[] =
	"SELECT (SELECT count(*) FROM response WHERE submitted_minute >= date_trunc('day', now())), "
	"(SELECT count(*) FROM campaign WHERE opens_at <= now() AND closes_at > now() "
	"AND closed_early_at IS NULL), "
	"(SELECT coalesce(max(version), 0) FROM " MIGRATIONS_TABLE ")";
