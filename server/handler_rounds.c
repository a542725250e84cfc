/*
 * /staff/rounds/{code}: the staff pages of one round — its progress, the
 * print sheets (poster, slips, paper questionnaires), new slips, closing
 * early, and paper entry.  Every page is scoped to the caller's subtree
 * through one lookup (SQL_STAFF_ROUND); a round outside it is "not found".
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "codes.h"
#include "commit_item.h"
#include "formdata.h"
#include "handlers.h"
#include "jsonpath.h"
#include "log.h"
#include "page_print.h"
#include "page_staff.h"
#include "server.h"
#include "sql_text.h"
#include "submission.h"
#include "token.h"
#include "util.h"
#include "versions.h"

typedef enum RoundView {
	VIEW_ROUND,
	VIEW_POSTER,
	VIEW_SLIPS,
	VIEW_PAPER,
	VIEW_ENTRY,
	VIEW_ENTRY_POST,
} RoundView;

typedef struct RoundPage {
	RoundView view;
	char code[16];
	char batch[24]; /* "" for none */
	cJSON *round;
	cJSON *slips;   /* the batch asked for, or NULL */
	long long campaign_id, version_id, paper_count;
	/* Paper entry. */
	FormData data;
	Submission sub;
	bool have_sub;
	SubmissionToken token;
	char token_text[TOKEN_TEXT_LEN + 1];
	char slip[CODE_SLIP_LEN + 1];
	const char *error;
	CommitTicket *ticket;
	/* Double entry. */
	bool double_entry, saved_first, confirm;
	char hash_hex[65]; /* this keying's content hash */
	char **notes;      /* per answer, or NULL */
} RoundPage;

static void round_page_free(void *arg)
{
	RoundPage *p = arg;

	committer_cancel(p->ticket);
	cJSON_Delete(p->round);
	cJSON_Delete(p->slips);
	if (p->notes)
		for (int i = 0; i < p->sub.nanswers; i++)
			free(p->notes[i]);
	free(p->notes);
	formdata_free(&p->data);
	submission_free(&p->sub);
	free(p);
}

static void reply_page(HttpRequest *r, int status, const char *heading, const char *message)
{
	RoundPage *p = r->data;
	Buf out;

	buf_init(&out, 2048);
	page_staff_message(&out, heading, message, p && p->round ? p->code : NULL);
	http_reply_html(r, status, &out);
}

static void reply_busy(HttpRequest *r)
{
	reply_page(r, 503, "Hệ thống đang bận", "Hệ thống đang bận, vui lòng thử lại sau ít phút.");
}

static void reply_not_found(HttpRequest *r)
{
	reply_page(r, 404, "Không tìm thấy",
		   "Không có đợt khảo sát (hoặc đợt in phiếu) này trong phạm vi đơn vị của bạn.");
}

static void redirect(HttpRequest *r, const char *location)
{
	http_add_header(r, "Location", location);
	http_reply(r, 303, "text/plain; charset=utf-8", "", 0);
}

/* A database failure on a staff page: busy, or the reason our SQL gave. */
static void reply_db_failure(HttpRequest *r, const DbResult *result)
{
	const char *field = result->status == DB_ERR_QUERY && result->sqlstate &&
					    strncmp(result->sqlstate, "HL", 2) == 0
				    ? PQresultErrorField(result->res, PG_DIAG_MESSAGE_DETAIL)
				    : NULL;

	if (!field) {
		log_msg(LOG_WARN, r->id, "database %s: %s", db_status_name(result->status),
			result->message);
		reply_busy(r);
	} else if (strcmp(field, "mode") == 0) {
		reply_page(r, 409, "Đợt này dùng mã chung",
			   "Muốn in phiếu riêng, hãy đổi hình thức của đợt sang “phiếu riêng” hoặc "
			   "“cả hai”.");
	} else if (strcmp(field, "count") == 0 || strcmp(field, "batch") == 0) {
		reply_page(r, 422, "Số phiếu không hợp lệ",
			   "Mỗi lần tạo từ 1 đến 5000 phiếu; mỗi đợt khảo sát có tối đa 20000 phiếu.");
	} else if (strcmp(field, "code") == 0 && result->sqlstate[2] == '4') {
		reply_not_found(r);
	} else {
		reply_page(r, 409, "Đợt khảo sát đã kết thúc",
			   "Đợt khảo sát đã kết thúc nên không thay đổi được nữa.");
	}
}

static RoundPage *start(HttpRequest *r, RoundView view)
{
	RoundPage *p = calloc(1, sizeof *p);
	const char *code = route_param(&r->match, "code");
	long long batch = http_query_number(r, "batch", 0);

	if (!p) {
		reply_busy(r);
		return NULL;
	}
	r->data = p;
	r->data_free = round_page_free;
	p->view = view;
	if (!code || code_normalise(code, p->code, sizeof p->code) != CODE_CAMPAIGN_LEN) {
		reply_not_found(r);
		return NULL;
	}
	if ((view == VIEW_SLIPS || view == VIEW_PAPER) && (batch < 1 || batch > 1000)) {
		reply_page(r, 404, "Không tìm thấy", "Hãy chọn một đợt in phiếu (batch=1, 2 …).");
		return NULL;
	}
	if (batch > 0)
		snprintf(p->batch, sizeof p->batch, "%lld", batch);
	return p;
}

/* "2026-12-05T17:00:00+07:00" → "17:00 ngày 05/12/2026". */
static void closes_text(const cJSON *round, char *out, size_t cap)
{
	const char *iso = json_text(round, "closed_early")[0] ? json_text(round, "closed_early")
							       : json_text(round, "closes");

	if (strlen(iso) >= 16)
		snprintf(out, cap, "%.5s ngày %.2s/%.2s/%.4s", iso + 11, iso + 8, iso + 5, iso);
	else
		snprintf(out, cap, "—");
}

/* The batch's codes as an array of borrowed strings (caller frees the
 * array only); NULL with *n = 0 when there are none. */
static const char **batch_codes(const cJSON *slips, int *n)
{
	const cJSON *list = json_at(slips, "slips"), *code;
	const char **codes;
	int i = 0;

	*n = cJSON_GetArraySize(list);
	codes = *n ? calloc((size_t)*n, sizeof *codes) : NULL;
	if (!codes) {
		*n = 0;
		return NULL;
	}
	cJSON_ArrayForEach(code, list)
		codes[i++] = cJSON_IsString(code) ? code->valuestring : "";
	return codes;
}

static void render_print(HttpRequest *r)
{
	RoundPage *p = r->data;
	char closes[48], place[2048];
	PrintRound round = {.school = place,
			    .title = json_text(p->round, "title"),
			    .code = p->code,
			    .base_url = r->server->base_url,
			    .closes = closes};
	const char **codes = NULL;
	int n = 0;
	Buf out;

	closes_text(p->round, closes, sizeof closes);
	/* A grade's or a class's round says which, after the school's name. */
	if (strcmp(round_place(p->round), json_text(p->round, "unit.name")) != 0)
		snprintf(place, sizeof place, "%s — %s", round_place(p->round),
			 json_text(p->round, "unit.name"));
	else
		snprintf(place, sizeof place, "%s", round_place(p->round));
	if (p->view != VIEW_POSTER) {
		codes = batch_codes(p->slips, &n);
		if (!codes && json_number(p->slips, "count") > 0) {
			reply_busy(r);
			return;
		}
	}
	buf_init(&out, p->view == VIEW_POSTER ? 16 * 1024 : 64 * 1024);
	if (p->view == VIEW_POSTER)
		print_poster(&out, &round);
	else if (p->view == VIEW_SLIPS)
		print_slips(&out, &round, codes, n);
	else
		print_paper(&out, &round, r->form, codes, n);
	free(codes);
	http_reply_html(r, 200, &out);
}

static void paper_version_ready(HttpRequest *r)
{
	if (!r->form) {
		reply_busy(r);
		return;
	}
	render_print(r);
}

static void render_entry(HttpRequest *r, int status, const char *saved)
{
	RoundPage *p = r->data;
	EntryPage page = {.round = p->round,
			  .form = r->form,
			  .csrf = r->caller.csrf,
			  .token = p->token_text,
			  .slip = saved ? NULL : formdata_get(&p->data, "slip"),
			  .previous = saved || !p->have_sub ? NULL : &p->sub,
			  .error = saved ? NULL : p->error,
			  .saved = saved,
			  .saved_first = p->saved_first,
			  .confirm = p->confirm && !saved,
			  .notes = saved ? NULL : (const char *const *)p->notes,
			  .entered = p->paper_count};
	Buf out;

	if (saved || p->view == VIEW_ENTRY) {
		/* A fresh sheet gets a fresh submission id. */
		SubmissionToken t;
		token_new(&t, p->campaign_id, (long long)time(NULL));
		token_encode(r->server->secret, &t, p->token_text);
	}
	buf_init(&out, 32 * 1024);
	page_entry(&out, &page);
	http_reply_html(r, status, &out);
}

static void entry_refused(HttpRequest *r, int status, const char *error)
{
	RoundPage *p = r->data;

	p->error = error;
	render_entry(r, status, NULL);
}

static void drafts_cleared(HttpRequest *r, const DbResult *result)
{
	RoundPage *p = r->data;

	/* A first keying left behind is dropped with the next stored sheet. */
	if (result->status != DB_OK)
		log_msg(LOG_WARN, r->id, "database %s: %s", db_status_name(result->status),
			result->message);
	render_entry(r, 200, p->slip);
}

static void on_committed(CommitOutcome outcome, void *arg)
{
	HttpRequest *r = arg;
	RoundPage *p = r->data;

	p->ticket = NULL;
	switch (outcome) {
	case COMMIT_STORED:
		p->paper_count++;
		/* fall through */
	case COMMIT_REPLAY:
		log_msg(LOG_INFO, r->id, "paper sheet stored for round %s", p->code);
		if (p->double_entry) {
			DbQuery q = {.sql = SQL_PAPER_DRAFT_DONE};
			if (!http_db(r, &q, drafts_cleared))
				return;
			return;
		}
		render_entry(r, 200, p->slip);
		return;
	case COMMIT_SLIP_USED:
		entry_refused(r, 409, "Mã phiếu này đã được dùng: phụ huynh đã trả lời trực tuyến, "
				      "hoặc phiếu giấy này đã được nhập. Phiếu không được tính lần "
				      "nữa.");
		return;
	case COMMIT_CONFLICT:
		entry_refused(r, 409, "Phiếu này đã được lưu trước đó với câu trả lời khác. Hãy "
				      "tải lại trang để nhập phiếu mới.");
		return;
	case COMMIT_UNAVAILABLE:
	case COMMIT_ERROR:
		entry_refused(r, 503, "Hệ thống đang bận, chưa lưu được. Bấm “Lưu phiếu” lần nữa: "
				      "phiếu sẽ chỉ được tính một lần.");
		return;
	}
}

static void commit_sheet(HttpRequest *r)
{
	RoundPage *p = r->data;
	CommitItem *item = commit_item_build(r->server->secret, &p->token, p->campaign_id,
					     p->version_id, r->form, &p->sub, "paper", p->slip);

	if (!item) {
		reply_busy(r);
		return;
	}
	p->ticket = committer_submit(r->server->committer, item, on_committed, r);
	if (!p->ticket)
		reply_busy(r);
}

/* The first keying's value of answer i, as the key that gives it. */
static void first_value(const FormScale *scale, int value, char *out, size_t cap)
{
	size_t n = 0;

	if (value == ANSWER_NO_OPINION)
		snprintf(out, cap, "0 (không ý kiến)");
	else if (value == ANSWER_BLANK)
		snprintf(out, cap, "để trống");
	else if (scale->type != SCALE_MULTI)
		snprintf(out, cap, "%d", value);
	else
		for (int o = 0; o < scale->noptions && n + 4 < cap; o++)
			if (value & (1 << o))
				n += (size_t)snprintf(out + n, cap - n, n ? " %d" : "%d",
						      scale->options[o].value);
}

/* Marks every answer where this keying differs from the first; returns how
 * many differ (-1 when memory runs out). */
static int mark_differences(HttpRequest *r, const cJSON *answers, const cJSON *texts)
{
	RoundPage *p = r->data;
	const Form *form = r->form;
	int differ = 0, text_no = 0;

	p->notes = calloc((size_t)p->sub.nanswers, sizeof *p->notes);
	if (!p->notes)
		return -1;
	for (int k = 0; k < form->nitems; k++) {
		const FormItem *item = &form->items[k];
		const FormScale *scale;
		int i = item->answer_index;
		char value[64];
		if (i < 0)
			continue;
		scale = &form->scales[item->scale];
		if (scale->type == SCALE_TEXT) {
			const cJSON *t = cJSON_GetArrayItem(texts, text_no++);
			const char *first = cJSON_IsString(t) ? t->valuestring : "";
			const char *now = p->sub.texts[i] ? p->sub.texts[i] : "";
			if (strcmp(first, now) != 0) {
				p->notes[i] = str_oneline("Lần nhập thứ nhất: “%.200s”",
							  *first ? first : "để trống");
				differ++;
			}
			continue;
		}
		{
			const cJSON *a = cJSON_GetArrayItem(answers, i);
			int first = cJSON_IsNumber(a) ? a->valueint : 0;
			if (first == p->sub.answers[i])
				continue;
			first_value(scale, first, value, sizeof value);
			p->notes[i] = str_oneline("Lần nhập thứ nhất: %s", value);
			differ++;
		}
	}
	return differ;
}

static void draft_checked(HttpRequest *r, const DbResult *result)
{
	RoundPage *p = r->data;
	const PGresult *res = result->res;
	char actor[80];
	cJSON *answers, *texts;
	int differ;

	if (result->status != DB_OK || PQntuples(res) != 1) {
		log_msg(LOG_WARN, r->id, "database %s: %s", db_status_name(result->status),
			result->message);
		entry_refused(r, 503, "Hệ thống đang bận, chưa lưu được. Bấm “Lưu phiếu” lần nữa.");
		return;
	}
	if (PQgetvalue(res, 0, 0)[0] == 't') {
		p->saved_first = true;
		render_entry(r, 200, p->slip);
		return;
	}
	auth_actor(r, actor, sizeof actor);
	if (strcmp(PQgetvalue(res, 0, 4), actor) == 0) {
		/* The same keying sent twice (a double click) is the same first keying. */
		if (strcmp(PQgetvalue(res, 0, 3), p->hash_hex) == 0) {
			p->saved_first = true;
			render_entry(r, 200, p->slip);
			return;
		}
		entry_refused(r, 409, "Bạn đã nhập phiếu này lần thứ nhất. Lần nhập thứ hai phải do "
				      "một người khác thực hiện.");
		return;
	}
	if (strcmp(PQgetvalue(res, 0, 3), p->hash_hex) == 0 || p->confirm) {
		commit_sheet(r);
		return;
	}
	answers = cJSON_Parse(PQgetvalue(res, 0, 1));
	texts = cJSON_Parse(PQgetvalue(res, 0, 2));
	differ = mark_differences(r, answers, texts);
	cJSON_Delete(answers);
	cJSON_Delete(texts);
	if (differ < 0) {
		reply_busy(r);
		return;
	}
	p->confirm = true;
	{
		char message[400];
		snprintf(message, sizeof message,
			 "Lần nhập này khác lần nhập thứ nhất ở %d câu (ghi chú dưới câu hỏi). Xem lại "
			 "phiếu giấy, sửa nếu cần, rồi bấm “Lưu phiếu” để xác nhận: phiếu được tính "
			 "theo lần lưu này.",
			 differ > 0 ? differ : 1);
		/* The message lives in the page until it is rendered now. */
		p->error = message;
		render_entry(r, 409, NULL);
	}
}

/* Double entry: store the first keying, or compare with it. */
static void keep_first_keying(HttpRequest *r)
{
	RoundPage *p = r->data;
	char campaign[24], actor[80];
	unsigned char raw[32];
	char *answers = submission_answers_literal(&p->sub);
	char *texts = submission_texts_literal(r->form, &p->sub);
	bool has_text = false;

	for (int k = 0; k < r->form->nitems && !has_text; k++)
		has_text = r->form->items[k].answer_index >= 0 &&
			   r->form->scales[r->form->items[k].scale].type == SCALE_TEXT;
	if (!answers || (has_text && !texts)) {
		free(answers);
		free(texts);
		reply_busy(r);
		return;
	}
	submission_hash(&p->sub, p->campaign_id, raw);
	sodium_bin2hex(p->hash_hex, sizeof p->hash_hex, raw, sizeof raw);
	auth_actor(r, actor, sizeof actor);
	snprintf(campaign, sizeof campaign, "%lld", p->campaign_id);
	{
		const char *params[6] = {campaign, p->slip, answers, texts, p->hash_hex, actor};
		DbQuery q = {.sql = SQL_PAPER_DRAFT, .nparams = 6, .values = params};
		bool sent = http_db(r, &q, draft_checked);
		free(answers);
		free(texts);
		if (!sent)
			return;
	}
}

static void slip_checked(HttpRequest *r, const DbResult *result)
{
	RoundPage *p = r->data;

	if (result->status != DB_OK) {
		log_msg(LOG_WARN, r->id, "database %s: %s", db_status_name(result->status),
			result->message);
		entry_refused(r, 503, "Hệ thống đang bận, chưa lưu được. Bấm “Lưu phiếu” lần nữa.");
		return;
	}
	if (PQntuples(result->res) != 1) {
		entry_refused(r, 422, "Không có phiếu nào mang mã này trong đợt khảo sát này. Hãy "
				      "kiểm tra lại mã in ở đầu phiếu giấy.");
		return;
	}
	if (PQgetvalue(result->res, 0, 0)[0] == 't') {
		/* The same sheet saved a moment ago (a double click, or a resend
		 * after a lost answer) is a replay, not a refusal. */
		if (PQgetvalue(result->res, 0, 1)[0] != 't') {
			on_committed(COMMIT_SLIP_USED, r);
			return;
		}
	}
	if (p->double_entry && !(PQgetvalue(result->res, 0, 0)[0] == 't'))
		keep_first_keying(r);
	else
		commit_sheet(r);
}

static void entry_post_ready(HttpRequest *r)
{
	RoundPage *p = r->data;
	const char *token = formdata_get(&p->data, "t");
	const char *typed = formdata_get(&p->data, "slip");
	char uuid[37];

	if (!r->form) {
		reply_busy(r);
		return;
	}
	if (!token || !token_decode(r->server->secret, token, &p->token) ||
	    p->token.campaign_id != p->campaign_id) {
		p->view = VIEW_ENTRY; /* start over with a fresh sheet */
		entry_refused(r, 400, "Trang nhập phiếu đã cũ hoặc không hợp lệ: hãy nhập lại phiếu "
				      "này.");
		return;
	}
	snprintf(p->token_text, sizeof p->token_text, "%s", token);
	p->have_sub = true;
	if (!submission_read_paper(r->form, &p->data, &p->sub)) {
		entry_refused(r, 422, p->sub.form_error);
		return;
	}
	if (!typed || code_normalise(typed, p->slip, sizeof p->slip) != CODE_SLIP_LEN) {
		entry_refused(r, 422, "Mã phiếu phải gồm 13 ký tự (chữ và số) như in ở đầu phiếu giấy.");
		return;
	}
	token_uuid(p->token.id, uuid);
	{
		char campaign[24];
		const char *params[3] = {p->slip, campaign, uuid};
		DbQuery q = {.sql = SQL_PAPER_SLIP, .nparams = 3, .values = params};
		snprintf(campaign, sizeof campaign, "%lld", p->campaign_id);
		if (!http_db(r, &q, slip_checked))
			return;
	}
}

static void entry_version_ready(HttpRequest *r)
{
	RoundPage *p = r->data;

	if (!r->form) {
		reply_busy(r);
		return;
	}
	if (p->view == VIEW_ENTRY_POST) {
		entry_post_ready(r);
		return;
	}
	render_entry(r, 200, NULL);
}

static void entry_with_secret(HttpRequest *r)
{
	RoundPage *p = r->data;

	versions_with(r, p->version_id, entry_version_ready);
}

static void loaded(HttpRequest *r, const DbResult *result)
{
	RoundPage *p = r->data;
	const PGresult *res = result->res;
	Buf out;

	if (result->status != DB_OK) {
		reply_db_failure(r, result);
		return;
	}
	if (PQntuples(res) != 1) {
		reply_not_found(r);
		return;
	}
	p->round = cJSON_Parse(PQgetvalue(res, 0, 0));
	p->slips = PQgetisnull(res, 0, 1) ? NULL : cJSON_Parse(PQgetvalue(res, 0, 1));
	p->campaign_id = atoll(PQgetvalue(res, 0, 2));
	p->version_id = atoll(PQgetvalue(res, 0, 3));
	p->paper_count = atoll(PQgetvalue(res, 0, 4));
	p->double_entry = cJSON_IsTrue(json_at(p->round, "double_entry"));
	p->confirm = p->view == VIEW_ENTRY_POST && formdata_get(&p->data, "confirm") &&
		     strcmp(formdata_get(&p->data, "confirm"), "1") == 0;
	if (!p->round) {
		reply_busy(r);
		return;
	}
	switch (p->view) {
	case VIEW_ROUND: {
		/* Where the round form sends people after saving (post/redirect/get):
		 * the page says so, and only says so. */
		char saved[8] = "";
		const char *notice = NULL;
		if (http_query_param(r, "saved", saved, sizeof saved))
			notice = strcmp(saved, "new") == 0
					 ? "Đã tạo đợt khảo sát. In áp phích mã QR hoặc tạo phiếu "
					   "riêng bên dưới."
					 : "Đã lưu các thay đổi của đợt khảo sát.";
		buf_init(&out, 16 * 1024);
		page_round(&out, p->round, r->server->base_url, r->caller.csrf, notice,
			   r->caller.role >= AUTH_STAFF);
		http_reply_html(r, 200, &out);
		return;
	}
	case VIEW_POSTER:
		render_print(r);
		return;
	case VIEW_SLIPS:
	case VIEW_PAPER:
		if (!p->slips) {
			reply_page(r, 404, "Không tìm thấy", "Đợt khảo sát này không có đợt in phiếu đó.");
			return;
		}
		if (p->view == VIEW_SLIPS)
			render_print(r);
		else
			versions_with(r, p->version_id, paper_version_ready);
		return;
	case VIEW_ENTRY:
	case VIEW_ENTRY_POST:
		auth_with_secret(r, entry_with_secret);
		return;
	}
}

static void load(HttpRequest *r)
{
	RoundPage *p = r->data;
	const char *params[3] = {p->code, r->caller.unit_path, p->batch[0] ? p->batch : NULL};
	DbQuery q = {.sql = SQL_STAFF_ROUND, .nparams = 3, .values = params};

	if (!http_db(r, &q, loaded))
		return;
}

/* A posted staff form: parsed, CSRF checked.  False when answered. */
static bool posted_form(HttpRequest *r, FormData *data)
{
	const char *type = http_request_header(r, "Content-Type");
	const char *body, *why = NULL;
	size_t len;

	if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0) {
		reply_page(r, 415, "Yêu cầu không hợp lệ", "Hãy gửi từ trang của hailong.");
		return false;
	}
	body = http_request_body(r, &len);
	if (!formdata_parse(body, len, data, &why)) {
		log_msg(LOG_INFO, r->id, "refused a staff form: %s", why);
		reply_page(r, 400, "Yêu cầu không hợp lệ", "Không đọc được nội dung gửi lên.");
		return false;
	}
	if (!auth_csrf_ok(r, formdata_get(data, "csrf"))) {
		reply_page(r, 403, "Phiên làm việc đã thay đổi",
			   "Trang này đã cũ (phiên đăng nhập đã thay đổi). Hãy mở lại trang và làm "
			   "lại.");
		return false;
	}
	return true;
}

#define ROUTE(name, role, view)                 \
	static void name##_authorised(HttpRequest *r) \
	{                                         \
		if (start(r, view))               \
			load(r);                  \
	}                                         \
	void handle_staff_##name(HttpRequest *r)  \
	{                                         \
		auth_require(r, role, name##_authorised); \
	}

ROUTE(round, AUTH_VIEWER, VIEW_ROUND)
ROUTE(poster, AUTH_VIEWER, VIEW_POSTER)
ROUTE(slips, AUTH_STAFF, VIEW_SLIPS)
ROUTE(paper, AUTH_STAFF, VIEW_PAPER)
ROUTE(entry, AUTH_STAFF, VIEW_ENTRY)

static void entry_post_authorised(HttpRequest *r)
{
	RoundPage *p = start(r, VIEW_ENTRY_POST);

	if (p && posted_form(r, &p->data))
		load(r);
}

void handle_staff_entry_post(HttpRequest *r)
{
	auth_require(r, AUTH_STAFF, entry_post_authorised);
}

static void slips_made(HttpRequest *r, const DbResult *result)
{
	RoundPage *p = r->data;
	cJSON *batch;
	char location[96];

	if (result->status != DB_OK) {
		reply_db_failure(r, result);
		return;
	}
	batch = PQntuples(result->res) == 1 ? cJSON_Parse(PQgetvalue(result->res, 0, 0)) : NULL;
	snprintf(location, sizeof location, "/staff/rounds/%s/slips?batch=%.0f", p->code,
		 json_number(batch, "batch"));
	cJSON_Delete(batch);
	redirect(r, location);
}

static void make_slips(HttpRequest *r)
{
	RoundPage *p = start(r, VIEW_ROUND);
	FormData data = {0};
	char actor[80];
	const char *count;
	char *end;
	long n;

	if (!p || !posted_form(r, &data))
		goto done;
	count = formdata_get(&data, "count");
	n = count ? strtol(count, &end, 10) : 0;
	if (!count || !*count || *end || n < 1 || n > 5000) {
		reply_page(r, 422, "Số phiếu không hợp lệ", "Mỗi lần tạo từ 1 đến 5000 phiếu.");
		goto done;
	}
	auth_actor(r, actor, sizeof actor);
	{
		char text[16];
		const char *params[5] = {actor, r->caller.unit_path, p->code, NULL, text};
		DbQuery q = {.sql = SQL_SLIPS_CREATE, .nparams = 5, .values = params};
		snprintf(text, sizeof text, "%ld", n);
		if (!http_db(r, &q, slips_made))
			goto done;
	}
done:
	formdata_free(&data);
}

void handle_staff_slips_post(HttpRequest *r)
{
	auth_require(r, AUTH_STAFF, make_slips);
}

static void closed(HttpRequest *r, const DbResult *result)
{
	RoundPage *p = r->data;
	char location[64];

	if (result->status != DB_OK) {
		reply_db_failure(r, result);
		return;
	}
	snprintf(location, sizeof location, "/staff/rounds/%s", p->code);
	redirect(r, location);
}

static void close_round(HttpRequest *r)
{
	RoundPage *p = start(r, VIEW_ROUND);
	FormData data = {0};
	char actor[80];

	if (!p || !posted_form(r, &data))
		goto done;
	auth_actor(r, actor, sizeof actor);
	{
		const char *params[3] = {actor, r->caller.unit_path, p->code};
		DbQuery q = {.sql = SQL_CAMPAIGN_CLOSE, .nparams = 3, .values = params};
		if (!http_db(r, &q, closed))
			goto done;
	}
done:
	formdata_free(&data);
}

void handle_staff_close_post(HttpRequest *r)
{
	auth_require(r, AUTH_STAFF, close_round);
}
