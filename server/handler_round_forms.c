/*
 * The staff pages that list and set up rounds: GET /staff/rounds (a page of
 * the caller's rounds, ?state=open|upcoming|closed&page=N), GET
 * /staff/rounds/new and POST /staff/rounds (a new round), GET and POST
 * /staff/rounds/{code}/edit (its settings).
 *
 * The rules are those of the API (campaign_check, then the SQL functions of
 * sql/007); this file only reads the form as a person fills it (dates as
 * dd/mm/yyyy) and says in Vietnamese what is wrong, next to the field.  A
 * saved form answers 303 to the round's page (post/redirect/get); a new
 * round's form carries a once-only key (sql/013), so a double click or a
 * resend after the back button makes one round.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "campaigns.h"
#include "codes.h"
#include "formdata.h"
#include "handlers.h"
#include "jsonpath.h"
#include "log.h"
#include "page_rounds.h"
#include "page_staff.h"
#include "server.h"
#include "sql_text.h"
#include "text.h"
#include "util.h"

enum { LIST_PER_PAGE = 20, LIST_PAGE_MAX = 10000 };

typedef struct RoundForm {
	bool editing;
	bool posted;
	char code[16];            /* the round being edited */
	FormData data;            /* what was sent */
	cJSON *choices;           /* SQL_STAFF_ROUND_FORM's document */
	cJSON *list;              /* the list page's document */
	char form_key[33];
	RoundFormPage page;       /* values point into data, defaults or the round */
	char defaults[RF_COUNT][112]; /* "form-id@edition" is the longest */
	char opens[20], closes[20]; /* "YYYY-MM-DD HH:MM", Việt Nam time */
	CampaignParams params;
	char actor[80];
	int status;               /* of the form page when it is shown again */
	char state[12];
	long long page_number;
} RoundForm;

static void round_form_free(void *arg)
{
	RoundForm *f = arg;

	formdata_free(&f->data);
	cJSON_Delete(f->choices);
	cJSON_Delete(f->list);
	free(f);
}

static void reply_message(HttpRequest *r, int status, const char *heading, const char *message)
{
	Buf out;

	buf_init(&out, 2048);
	page_staff_message(&out, heading, message, NULL);
	http_reply_html(r, status, &out);
}

static void reply_busy(HttpRequest *r)
{
	reply_message(r, 503, "Hệ thống đang bận", "Hệ thống đang bận, vui lòng thử lại sau ít phút.");
}

static void reply_not_found(HttpRequest *r)
{
	reply_message(r, 404, "Không tìm thấy",
		      "Không có đợt khảo sát này trong phạm vi đơn vị của bạn.");
}

static RoundForm *start(HttpRequest *r, bool editing)
{
	RoundForm *f = calloc(1, sizeof *f);

	if (!f) {
		reply_busy(r);
		return NULL;
	}
	r->data = f;
	r->data_free = round_form_free;
	f->editing = editing;
	f->status = 200;
	auth_actor(r, f->actor, sizeof f->actor);
	if (editing) {
		const char *code = route_param(&r->match, "code");
		if (!code || code_normalise(code, f->code, sizeof f->code) != CODE_CAMPAIGN_LEN) {
			reply_not_found(r);
			return NULL;
		}
	}
	return f;
}

/* ---- the form page -------------------------------------------------------- */

static void render_form(HttpRequest *r)
{
	RoundForm *f = r->data;
	Buf out;

	f->page.choices = f->choices;
	f->page.round = f->editing ? json_at(f->choices, "round") : NULL;
	f->page.csrf = r->caller.csrf;
	f->page.form_key = f->editing ? NULL : f->form_key;
	f->page.fresh = !f->posted;
	buf_init(&out, 24 * 1024);
	page_round_form(&out, &f->page);
	http_reply_html(r, f->status, &out);
}

/* "2026-11-25T07:30:00+07:00" → "25/11/2026" and "07:30". */
static void split_iso(const char *iso, char date[112], char time_of_day[112])
{
	if (strlen(iso) < 16) {
		date[0] = time_of_day[0] = '\0';
		return;
	}
	snprintf(date, 112, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
	snprintf(time_of_day, 112, "%.5s", iso + 11);
}

/* The values a fresh form shows: a new round opens today at 07:00 and
 * closes a week later at 17:00 (Việt Nam time), for the caller's own unit
 * when it can run rounds; an edited round shows what it holds. */
static void fill_defaults(HttpRequest *r)
{
	RoundForm *f = r->data;
	char (*d)[112] = f->defaults;
	const char **v = f->page.values;

	if (f->editing) {
		const cJSON *round = json_at(f->choices, "round");
		split_iso(json_text(round, "opens"), d[RF_OPENS_DATE], d[RF_OPENS_TIME]);
		split_iso(json_text(round, "closes"), d[RF_CLOSES_DATE], d[RF_CLOSES_TIME]);
		if (json_has_number(round, "target"))
			snprintf(d[RF_TARGET], sizeof d[RF_TARGET], "%.0f", json_number(round, "target"));
		v[RF_TITLE] = json_text(round, "title");
		v[RF_MODE] = json_text(round, "mode");
		v[RF_DOUBLE_ENTRY] = cJSON_IsTrue(json_at(round, "double_entry")) ? "1" : "";
		v[RF_KIOSK] = cJSON_IsTrue(json_at(round, "kiosk")) ? "1" : "";
		/* The current edition, as the form's choices name it (an id has at
		 * most 63 characters, an edition 32: sql/002). */
		snprintf(d[RF_FORM], sizeof d[RF_FORM], "%.63s@%.32s", json_text(round, "form.id"),
			 json_text(round, "form.edition"));
	} else {
		time_t now = time(NULL) + 7 * 3600, later = now + 7 * 86400;
		struct tm t;
		gmtime_r(&now, &t);
		strftime(d[RF_OPENS_DATE], sizeof d[RF_OPENS_DATE], "%d/%m/%Y", &t);
		gmtime_r(&later, &t);
		strftime(d[RF_CLOSES_DATE], sizeof d[RF_CLOSES_DATE], "%d/%m/%Y", &t);
		snprintf(d[RF_OPENS_TIME], sizeof d[RF_OPENS_TIME], "07:00");
		snprintf(d[RF_CLOSES_TIME], sizeof d[RF_CLOSES_TIME], "17:00");
		v[RF_MODE] = "shared";
		cJSON *u;
		cJSON_ArrayForEach(u, json_at(f->choices, "units"))
			if (strcmp(json_text(u, "code"), r->caller.unit_code) == 0)
				v[RF_UNIT] = r->caller.unit_code;
		{
			/* One questionnaire loaded: nothing to choose. */
			const cJSON *forms = json_at(f->choices, "forms");
			if (cJSON_GetArraySize(forms) == 1) {
				const cJSON *only = cJSON_GetArrayItem(forms, 0);
				snprintf(d[RF_FORM], sizeof d[RF_FORM], "%.63s@%.32s",
					 json_text(only, "id"), json_text(only, "edition"));
			}
		}
	}
	for (int i = 0; i < RF_COUNT; i++)
		if (!v[i] && d[i][0])
			v[i] = d[i];
}

static void choices_loaded(HttpRequest *r, const DbResult *result)
{
	RoundForm *f = r->data;

	if (result->status != DB_OK || PQntuples(result->res) != 1) {
		log_msg(LOG_WARN, r->id, "database %s: %s", db_status_name(result->status),
			result->message);
		reply_busy(r);
		return;
	}
	f->choices = cJSON_Parse(PQgetvalue(result->res, 0, 0));
	if (!f->choices) {
		reply_busy(r);
		return;
	}
	if (f->editing && !cJSON_IsObject(json_at(f->choices, "round"))) {
		reply_not_found(r);
		return;
	}
	if (!f->posted)
		fill_defaults(r);
	render_form(r);
}

/* Loads what the form offers, then shows it (again, when posted). */
static void load_choices(HttpRequest *r)
{
	RoundForm *f = r->data;
	const char *params[2] = {r->caller.unit_path, f->editing ? f->code : NULL};
	DbQuery q = {.sql = SQL_STAFF_ROUND_FORM, .nparams = 2, .values = params};

	if (!http_db(r, &q, choices_loaded))
		return;
}

static void new_form(HttpRequest *r)
{
	RoundForm *f = start(r, false);
	unsigned char raw[16];

	if (!f)
		return;
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(f->form_key, sizeof f->form_key, raw, sizeof raw);
	load_choices(r);
}

void handle_staff_round_new(HttpRequest *r)
{
	auth_require(r, AUTH_STAFF, new_form);
}

static void edit_form(HttpRequest *r)
{
	if (start(r, true))
		load_choices(r);
}

void handle_staff_round_edit(HttpRequest *r)
{
	auth_require(r, AUTH_STAFF, edit_form);
}

/* ---- reading what was sent ------------------------------------------------ */

/* "25/11/2026" (also d/m/yyyy) → "2026-11-25"; false when not of that
 * shape.  Whether the day exists is campaign_parse_time's check. */
static bool parse_date(const char *text, char out[11])
{
	int d, m, y, n = 0;

	if (!text || strlen(text) > 10 || !isdigit((unsigned char)text[0]))
		return false;
	if (sscanf(text, "%2d/%2d/%4d%n", &d, &m, &y, &n) != 3 || text[n] || y < 1000)
		return false;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000, (unsigned)m % 100, (unsigned)d % 100);
	return true;
}

/* "7:30" or "07:30" → "07:30". */
static bool parse_clock(const char *text, char out[6])
{
	int h, m, n = 0;

	if (!text || strlen(text) > 5 || !isdigit((unsigned char)text[0]))
		return false;
	if (sscanf(text, "%2d:%2d%n", &h, &m, &n) != 2 || text[n] || n < 4 || !isdigit((unsigned char)text[n - 2]))
		return false;
	if (h > 23 || m > 59)
		return false;
	snprintf(out, 6, "%02u:%02u", (unsigned)h % 100, (unsigned)m % 100);
	return true;
}

/* One of the two moments: date and time fields into "YYYY-MM-DD HH:MM",
 * with a Vietnamese message on the field at fault. */
static bool read_moment(RoundForm *f, RoundField date_field, RoundField time_field,
			const char *what, char out[20])
{
	const char **v = f->page.values;
	char date[11], clock[6], checked[20];

	if (!parse_date(v[date_field], date)) {
		f->page.errors[date_field] = !strcmp(what, "mở")
						     ? "Ngày mở nhận phiếu phải viết theo dạng "
						       "ngày/tháng/năm, ví dụ 25/11/2026."
						     : "Ngày đóng phải viết theo dạng ngày/tháng/năm, "
						       "ví dụ 05/12/2026.";
		return false;
	}
	if (!parse_clock(v[time_field], clock)) {
		f->page.errors[time_field] = !strcmp(what, "mở")
						     ? "Giờ mở nhận phiếu phải viết theo dạng "
						       "giờ:phút, ví dụ 07:30."
						     : "Giờ đóng phải viết theo dạng giờ:phút, ví dụ "
						       "17:00.";
		return false;
	}
	snprintf(out, 20, "%s %s", date, clock);
	if (!campaign_parse_time(out, checked)) {
		f->page.errors[date_field] = !strcmp(what, "mở")
						     ? "Ngày mở nhận phiếu không có trên lịch (hoặc "
						       "ngoài các năm 2000–2100)."
						     : "Ngày đóng không có trên lịch (hoặc ngoài các "
						       "năm 2000–2100).";
		return false;
	}
	return true;
}

/* Reads and checks the form into f->params; false when a field is wrong
 * (the messages are in f->page.errors). */
static bool read_round(HttpRequest *r, CampaignSpec *spec)
{
	RoundForm *f = r->data;
	const char **v = f->page.values;
	bool ok = true, have_opens, have_closes;
	char *err = NULL;

	for (int i = 0; i < RF_COUNT; i++)
		v[i] = formdata_get(&f->data, ROUND_FIELD_NAMES[i]);
	*spec = (CampaignSpec){0};
	if (!v[RF_TITLE] || !text_has_content(v[RF_TITLE])) {
		f->page.errors[RF_TITLE] = "Hãy nhập tên đợt khảo sát.";
		ok = false;
	}
	if (!f->editing && (!v[RF_UNIT] || !*v[RF_UNIT])) {
		f->page.errors[RF_UNIT] = "Hãy chọn trường, khối hoặc lớp tổ chức đợt khảo sát.";
		ok = false;
	}
	/* An edit without the field: the questionnaire is locked, left as it is. */
	if ((!f->editing || v[RF_FORM]) && (!v[RF_FORM] || !*v[RF_FORM])) {
		f->page.errors[RF_FORM] = "Hãy chọn bộ câu hỏi.";
		ok = false;
	}
	have_opens = read_moment(f, RF_OPENS_DATE, RF_OPENS_TIME, "mở", f->opens);
	have_closes = read_moment(f, RF_CLOSES_DATE, RF_CLOSES_TIME, "đóng", f->closes);
	if (have_opens && have_closes && strcmp(f->closes, f->opens) <= 0) {
		f->page.errors[RF_CLOSES_DATE] = "Thời điểm đóng phải sau thời điểm mở nhận phiếu.";
		have_closes = false;
	}
	ok = ok && have_opens && have_closes;
	if (v[RF_TARGET] && *v[RF_TARGET]) {
		const char *t = v[RF_TARGET];
		bool digits = strlen(t) <= 7;
		for (const char *c = t; *c && digits; c++)
			digits = isdigit((unsigned char)*c);
		if (!digits || atol(t) < 1 || atol(t) > 1000000) {
			f->page.errors[RF_TARGET] = "Số phụ huynh được khảo sát phải là số nguyên từ 1 "
						    "đến 1.000.000 (hoặc để trống).";
			ok = false;
		}
	}
	if (!v[RF_MODE] || (strcmp(v[RF_MODE], "shared") && strcmp(v[RF_MODE], "slips") &&
			    strcmp(v[RF_MODE], "both"))) {
		f->page.errors[RF_MODE] = "Hãy chọn cách phụ huynh nhận phiếu.";
		ok = false;
	}
	if (!ok)
		return false;
	spec->org = f->editing ? NULL : v[RF_UNIT];
	spec->form = v[RF_FORM];
	spec->title = v[RF_TITLE];
	spec->opens = f->opens;
	spec->closes = f->closes;
	spec->target = v[RF_TARGET] && *v[RF_TARGET] ? v[RF_TARGET] : NULL;
	spec->mode = v[RF_MODE];
	spec->kiosk = v[RF_KIOSK] && !strcmp(v[RF_KIOSK], "1") ? "yes" : "no";
	spec->double_entry = v[RF_DOUBLE_ENTRY] && !strcmp(v[RF_DOUBLE_ENTRY], "1") ? "yes" : "no";
	/* The API's checks, so that a page can never let through what the API
	 * refuses (only the title's length is left to them here). */
	if (campaign_check(spec, "", &f->params, &err))
		return true;
	if (err && !strncmp(err, "title", 5))
		f->page.errors[RF_TITLE] = "Tên đợt khảo sát dài từ 1 đến 300 ký tự, có chữ.";
	else if (err && !strncmp(err, "form", 4))
		f->page.errors[RF_FORM] = "Hãy chọn bộ câu hỏi trong danh sách.";
	else
		f->page.error = "Có thông tin không hợp lệ, vui lòng kiểm tra lại.";
	if (err)
		log_msg(LOG_INFO, r->id, "round form refused: %s", err);
	free(err);
	return false;
}

/* The form again with its messages, the typed values kept. */
static void send_back(HttpRequest *r, int status)
{
	RoundForm *f = r->data;

	f->status = status;
	load_choices(r);
}

/* A refusal of our SQL functions (SQLSTATE HL…, DETAIL naming the field)
 * next to its field; false when it is none of those. */
static bool refusal_to_field(HttpRequest *r, const DbResult *result)
{
	RoundForm *f = r->data;
	const char *field;
	bool conflict;

	if (result->status != DB_ERR_QUERY || !result->sqlstate ||
	    strncmp(result->sqlstate, "HL", 2) != 0)
		return false;
	field = PQresultErrorField(result->res, PG_DIAG_MESSAGE_DETAIL);
	conflict = strcmp(result->sqlstate, "HL409") == 0;
	log_msg(LOG_INFO, r->id, "round form refused: %s", result->message);
	if (!field)
		field = "";
	if (!strcmp(field, "code")) {
		reply_not_found(r);
		return true;
	}
	if (!strcmp(field, "unit"))
		f->page.errors[RF_UNIT] = "Đơn vị này không thuộc phạm vi của bạn, hoặc không tổ chức "
					  "được đợt khảo sát (chỉ trường, khối hoặc lớp).";
	else if (!strcmp(field, "form"))
		f->page.errors[RF_FORM] = conflict ? "Đợt đã có phiếu trả lời nên không đổi được bộ "
						     "câu hỏi."
						   : "Bộ câu hỏi này chưa có trong hệ thống.";
	else if (!strcmp(field, "title"))
		f->page.errors[RF_TITLE] = "Tên đợt khảo sát dài từ 1 đến 300 ký tự, có chữ.";
	else if (!strcmp(field, "closes"))
		f->page.errors[RF_CLOSES_DATE] = "Thời điểm đóng phải sau thời điểm mở nhận phiếu.";
	else if (!strcmp(field, "target"))
		f->page.errors[RF_TARGET] = "Số phụ huynh được khảo sát phải là số nguyên từ 1 đến "
					    "1.000.000.";
	else if (!strcmp(field, "mode"))
		f->page.errors[RF_MODE] = "Hãy chọn cách phụ huynh nhận phiếu.";
	else
		f->page.error = "Biểu mẫu này đã được gửi. Hãy mở danh sách đợt khảo sát để xem.";
	f->posted = true;
	send_back(r, conflict ? 409 : 422);
	return true;
}

static void saved(HttpRequest *r, const DbResult *result)
{
	RoundForm *f = r->data;
	char location[96];
	const char *code = f->code;
	cJSON *round = NULL;

	if (result->status != DB_OK || PQntuples(result->res) != 1) {
		if (refusal_to_field(r, result))
			return;
		log_msg(LOG_WARN, r->id, "database %s: %s", db_status_name(result->status),
			result->message);
		f->page.error = "Hệ thống đang bận, chưa lưu được. Bấm lưu lần nữa sau ít phút: đợt "
				"khảo sát chỉ được tạo một lần.";
		send_back(r, 503);
		return;
	}
	if (!f->editing)
		code = PQgetvalue(result->res, 0, 0);
	else if ((round = cJSON_Parse(PQgetvalue(result->res, 0, 0))))
		code = json_text(round, "code");
	log_msg(LOG_INFO, r->id, "round %s %s from the staff pages", code,
		f->editing ? "changed" : "created");
	snprintf(location, sizeof location, "/staff/rounds/%.16s?saved=%s", code,
		 f->editing ? "edit" : "new");
	cJSON_Delete(round);
	http_add_header(r, "Location", location);
	http_reply(r, 303, "text/plain; charset=utf-8", "", 0);
}

/* A posted staff form: parsed, CSRF checked.  False when answered. */
static bool posted_form(HttpRequest *r, RoundForm *f)
{
	const char *type = http_request_header(r, "Content-Type");
	const char *body, *why = NULL;
	size_t len;

	if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0) {
		reply_message(r, 415, "Yêu cầu không hợp lệ", "Hãy gửi từ trang của hailong.");
		return false;
	}
	body = http_request_body(r, &len);
	if (!formdata_parse(body, len, &f->data, &why)) {
		log_msg(LOG_INFO, r->id, "refused a round form: %s", why);
		reply_message(r, 400, "Yêu cầu không hợp lệ", "Không đọc được nội dung gửi lên.");
		return false;
	}
	if (!auth_csrf_ok(r, formdata_get(&f->data, "csrf"))) {
		reply_message(r, 403, "Phiên làm việc đã thay đổi",
			      "Trang này đã cũ (phiên đăng nhập đã thay đổi). Hãy mở lại trang: nội "
			      "dung bạn đã nhập vẫn được giữ trên máy này.");
		return false;
	}
	f->posted = true;
	return true;
}

static bool key_ok(const char *key)
{
	if (!key || strlen(key) != 32)
		return false;
	for (const char *c = key; *c; c++)
		if (!isdigit((unsigned char)*c) && !(*c >= 'a' && *c <= 'f'))
			return false;
	return true;
}

static void save_round(HttpRequest *r, bool editing)
{
	RoundForm *f = start(r, editing);
	CampaignSpec spec;
	CampaignParams *p;

	if (!f || !posted_form(r, f))
		return;
	if (!editing) {
		const char *key = formdata_get(&f->data, "form_key");
		if (!key_ok(key)) {
			reply_message(r, 400, "Yêu cầu không hợp lệ",
				      "Hãy mở lại trang tạo đợt khảo sát và gửi từ đó.");
			return;
		}
		snprintf(f->form_key, sizeof f->form_key, "%s", key);
	}
	if (!read_round(r, &spec)) {
		send_back(r, 422);
		return;
	}
	p = &f->params;
	if (!editing) {
		const char *values[12] = {f->form_key, f->actor,   r->caller.unit_path, spec.org,
					  p->form,     p->title,   p->opens,	    p->closes,
					  p->target,   p->mode,	   p->kiosk,	    p->double_entry};
		DbQuery q = {.sql = SQL_STAFF_ROUND_CREATE, .nparams = 12, .values = values};
		if (!http_db(r, &q, saved))
			return;
	} else {
		const char *values[11] = {f->actor, r->caller.unit_path, f->code,  p->title,
					  p->opens, p->closes,		 p->target, p->mode,
					  p->kiosk, p->form,		 p->double_entry};
		DbQuery q = {.sql = SQL_CAMPAIGN_UPDATE, .nparams = 11, .values = values};
		if (!http_db(r, &q, saved))
			return;
	}
}

static void create(HttpRequest *r)
{
	save_round(r, false);
}

void handle_staff_round_create(HttpRequest *r)
{
	auth_require(r, AUTH_STAFF, create);
}

static void update(HttpRequest *r)
{
	save_round(r, true);
}

void handle_staff_round_update(HttpRequest *r)
{
	auth_require(r, AUTH_STAFF, update);
}

/* ---- the list ------------------------------------------------------------- */

static void listed(HttpRequest *r, const DbResult *result)
{
	RoundForm *f = r->data;
	RoundListPage page = {.state = f->state[0] ? f->state : NULL,
			      .page = f->page_number,
			      .per_page = LIST_PER_PAGE,
			      .can_create = r->caller.role >= AUTH_STAFF};
	Buf out;

	if (result->status != DB_OK || PQntuples(result->res) != 1 ||
	    !(f->list = cJSON_Parse(PQgetvalue(result->res, 0, 0)))) {
		log_msg(LOG_WARN, r->id, "database %s: %s", db_status_name(result->status),
			result->message);
		reply_busy(r);
		return;
	}
	page.rounds = f->list;
	buf_init(&out, 16 * 1024);
	page_round_list(&out, &page);
	http_reply_html(r, 200, &out);
}

static void list(HttpRequest *r)
{
	RoundForm *f = start(r, false);
	char limit[16], offset[24];
	bool has_state;

	if (!f)
		return;
	has_state = http_query_param(r, "state", f->state, sizeof f->state) && f->state[0];
	f->page_number = http_query_number(r, "page", 1);
	if (has_state && strcmp(f->state, "open") && strcmp(f->state, "upcoming") &&
	    strcmp(f->state, "closed")) {
		reply_message(r, 404, "Không tìm thấy", "Không có bộ lọc này.");
		return;
	}
	if (!has_state)
		f->state[0] = '\0';
	if (f->page_number < 1 || f->page_number > LIST_PAGE_MAX) {
		reply_message(r, 404, "Không tìm thấy", "Không có trang này.");
		return;
	}
	snprintf(limit, sizeof limit, "%d", LIST_PER_PAGE);
	snprintf(offset, sizeof offset, "%lld", (f->page_number - 1) * LIST_PER_PAGE);
	{
		const char *params[4] = {r->caller.unit_path, has_state ? f->state : NULL, limit, offset};
		DbQuery q = {.sql = SQL_STAFF_ROUND_PAGE, .nparams = 4, .values = params};
		if (!http_db(r, &q, listed))
			return;
	}
}

void handle_staff_rounds(HttpRequest *r)
{
	auth_require(r, AUTH_VIEWER, list);
}
