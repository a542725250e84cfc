/*
 * The parents' path: GET /s/{code} shows the round's questionnaire, POST
 * /s/{code} checks the answers and hands them to the group committer; the
 * thank-you page goes out only after the commit.
 *
 * A request walks through database steps, each a callback: load the signing
 * secret (once per process), look the code up, load the questionnaire
 * version (once per version), then render or commit.
 */
#include <sodium.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>

#include "codes.h"
#include "commit_item.h"
#include "formdata.h"
#include "handlers.h"
#include "log.h"
#include "page.h"
#include "proxy.h"
#include "server.h"
#include "sql_text.h"
#include "submission.h"
#include "text.h"
#include "token.h"
#include "util.h"
#include "versions.h"

enum {
	/* A form may be left open on a phone for a while, not for months. */
	TOKEN_MAX_AGE = 60 * 24 * 3600,
	TOKEN_MAX_SKEW = 300,
	STALE_ROUND_MS = 3600 * 1000,
};

typedef struct Survey {
	char code[CODE_SLIP_LEN + 1];
	bool is_slip;
	bool is_post;
	/* From the lookup (or the cache). */
	CampaignInfo info;
	long long now; /* the database's clock, seconds */
	bool slip_used;
	const Form *form; /* from the server's version cache */
	/* POST only. */
	FormData data;
	Submission sub;
	SubmissionToken token;
	char token_text[TOKEN_TEXT_LEN + 1];
	CommitTicket *ticket;
} Survey;

static void with_campaign(HttpRequest *r);

static void survey_free(void *arg)
{
	Survey *s = arg;

	committer_cancel(s->ticket);
	campaign_info_clear(&s->info);
	formdata_free(&s->data);
	submission_free(&s->sub);
	free(s);
}

static void reply_message(HttpRequest *r, int status, const char *heading, const char *message,
			  const char *back_code)
{
	Buf page;

	buf_init(&page, 4096);
	page_message(&page, heading, message, back_code);
	http_reply_html(r, status, &page);
}

static void reply_not_found(HttpRequest *r)
{
	reply_message(r, 404, "Không tìm thấy phiếu khảo sát",
		      "Mã trong đường dẫn không đúng hoặc đợt khảo sát không còn. Ông/Bà vui lòng "
		      "kiểm tra lại mã in trên giấy, hoặc hỏi nhà trường.",
		      NULL);
}

static void reply_busy(HttpRequest *r)
{
	reply_message(r, 503, "Hệ thống đang bận",
		      "Hệ thống đang bận, vui lòng thử lại sau ít phút.", NULL);
}

/* A database failure on the parents' path: logged, and a Vietnamese page. */
static void reply_db_failure(HttpRequest *r, const DbResult *result)
{
	log_msg(LOG_WARN, r->id, "database %s: %s", db_status_name(result->status),
		result->message);
	reply_busy(r);
}

/* A fresh form for a shared code: the round's page is rendered once (with a
 * placeholder token), kept with the round in the cache, and each parent gets
 * a copy with a token of their own. */
static void reply_fresh_form(HttpRequest *r, const SurveyPage *page, int status)
{
	Survey *s = r->data;
	CampaignCache *cache = r->server->campaigns;
	const int64_t now = monotonic_ms();
	const char *tpl;
	size_t len, at;
	Buf out;

	if (!campaign_cache_page(cache, s->code, now, &tpl, &len, &at)) {
		static const char placeholder[TOKEN_TEXT_LEN + 1] =
			"~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~";
		SurveyPage blank = *page;
		const char *mark;
		blank.token = placeholder;
		buf_init(&out, 32 * 1024);
		page_survey(&out, &blank);
		mark = out.failed ? NULL : memmem(out.data, out.len, placeholder, TOKEN_TEXT_LEN);
		if (!mark) {
			buf_free(&out);
			buf_init(&out, 32 * 1024);
			page_survey(&out, page);
			http_reply_html(r, status, &out);
			return;
		}
		campaign_cache_set_page(cache, s->code, out.data, out.len, (size_t)(mark - out.data));
		if (!campaign_cache_page(cache, s->code, now, &tpl, &len, &at)) {
			/* The entry was gone: render this one plainly. */
			buf_init(&out, 32 * 1024);
			page_survey(&out, page);
			http_reply_html(r, status, &out);
			return;
		}
	}
	{
		const char *parts[3] = {tpl, page->token, tpl + at + TOKEN_TEXT_LEN};
		size_t lens[3] = {at, TOKEN_TEXT_LEN, len - at - TOKEN_TEXT_LEN};
		http_reply_html_parts(r, status, parts, lens, 3);
	}
}

/* Renders the form: fresh (GET) or again with the answers (422, 503). */
static void reply_form(HttpRequest *r, int status, const char *banner)
{
	Survey *s = r->data;
	SurveyPage page = {.form = s->form, .school = s->info.school, .title = s->info.title,
			   .code = s->code, .kiosk = s->info.kiosk, .banner = banner};
	Buf out;

	if (s->is_post) {
		page.token = s->token_text;
		page.previous = &s->sub;
	} else {
		SubmissionToken t;
		token_new(&t, s->info.campaign_id, (long long)time(NULL));
		token_encode(r->server->secret, &t, s->token_text);
		page.token = s->token_text;
		if (!s->is_slip && !banner) {
			reply_fresh_form(r, &page, status);
			return;
		}
	}
	buf_init(&out, 32 * 1024);
	page_survey(&out, &page);
	http_reply_html(r, status, &out);
}

static void reply_thanks(HttpRequest *r)
{
	Survey *s = r->data;
	char receipt[RECEIPT_TEXT_LEN + 1];
	Buf out;

	token_receipt(r->server->secret, s->token.id, receipt);
	buf_init(&out, 4096);
	page_thanks(&out, receipt, s->code, s->info.kiosk);
	http_reply_html(r, 200, &out);
}

static void on_committed(CommitOutcome outcome, void *arg)
{
	HttpRequest *r = arg;
	Survey *s = r->data;

	s->ticket = NULL;
	switch (outcome) {
	case COMMIT_STORED:
	case COMMIT_REPLAY:
		reply_thanks(r);
		return;
	case COMMIT_CONFLICT:
		reply_message(r, 409, "Phiếu này đã được gửi",
			      "Phiếu này đã được gửi trước đó với câu trả lời khác, nên lần gửi này "
			      "không được ghi nhận. Mỗi phiếu chỉ được tính một lần.",
			      NULL);
		return;
	case COMMIT_SLIP_USED:
		reply_message(r, 410, "Phiếu này đã được sử dụng",
			      "Mã phiếu này đã được dùng để trả lời. Mỗi phiếu chỉ dùng được một lần.",
			      NULL);
		return;
	case COMMIT_UNAVAILABLE:
	case COMMIT_ERROR:
		reply_form(r, 503, "Hệ thống đang bận, vui lòng gửi lại. Câu trả lời của Ông/Bà vẫn "
				   "còn trên trang này: chỉ cần bấm “Gửi ý kiến” lần nữa.");
		return;
	}
}

/* Builds the row for the committer from a valid submission. */
static CommitItem *commit_item(HttpRequest *r)
{
	Survey *s = r->data;

	return commit_item_build(r->server->secret, &s->token, s->info.campaign_id,
				 s->info.version_id, s->form, &s->sub, s->is_slip ? "slip" : "qr",
				 s->is_slip ? s->code : NULL);
}

static void handle_post_ready(HttpRequest *r)
{
	Survey *s = r->data;
	CommitItem *item;

	if (!submission_read(s->form, &s->data, &s->sub)) {
		reply_form(r, 422, NULL);
		return;
	}
	item = commit_item(r);
	if (!item) {
		reply_busy(r);
		return;
	}
	s->ticket = committer_submit(r->server->committer, item, on_committed, r);
	if (!s->ticket)
		reply_busy(r);
}

/* The round, its state and the questionnaire are known: answer. */
static void survey_ready(HttpRequest *r)
{
	Survey *s = r->data;
	char when[64];
	char message[512];

	if (!s->is_slip && strcmp(s->info.mode, "slips") == 0) {
		reply_message(r, 404, "Đợt khảo sát dùng phiếu riêng",
			      "Đợt khảo sát này dùng mã riêng in trên phiếu phát cho từng phụ huynh. "
			      "Ông/Bà vui lòng quét mã QR trên phiếu của mình.",
			      NULL);
		return;
	}
	if (s->is_post) {
		/* The signed id decides, not the clock at arrival: a form filled
		 * while the round was open may arrive after it closed. */
		if (s->token.campaign_id != s->info.campaign_id) {
			reply_message(r, 400, "Phiếu không hợp lệ",
				      "Phiếu này thuộc đợt khảo sát khác. Ông/Bà vui lòng mở lại "
				      "đường dẫn và trả lời lại.",
				      s->code);
			return;
		}
		if (s->token.issued_at < s->info.opens_at || s->token.issued_at > s->info.closes_at) {
			page_format_time(s->info.closes_at, when, sizeof when);
			snprintf(message, sizeof message,
				 "Đợt khảo sát đã kết thúc lúc %s. Cảm ơn Ông/Bà đã quan tâm.", when);
			reply_message(r, 410, "Đợt khảo sát đã kết thúc", message, NULL);
			return;
		}
		handle_post_ready(r);
		return;
	}
	if (s->now < s->info.opens_at) {
		page_format_time(s->info.opens_at, when, sizeof when);
		snprintf(message, sizeof message,
			 "Đợt khảo sát bắt đầu lúc %s. Ông/Bà vui lòng quay lại sau.", when);
		reply_message(r, 403, "Đợt khảo sát chưa bắt đầu", message, NULL);
		return;
	}
	if (s->now >= s->info.closes_at) {
		page_format_time(s->info.closes_at, when, sizeof when);
		snprintf(message, sizeof message,
			 "Đợt khảo sát đã kết thúc lúc %s. Cảm ơn Ông/Bà đã quan tâm.", when);
		reply_message(r, 410, "Đợt khảo sát đã kết thúc", message, NULL);
		return;
	}
	if (s->slip_used) {
		reply_message(r, 410, "Phiếu này đã được sử dụng",
			      "Mã phiếu này đã được dùng để trả lời. Mỗi phiếu chỉ dùng được một lần.",
			      NULL);
		return;
	}
	reply_form(r, 200, NULL);
}

static void version_ready(HttpRequest *r)
{
	Survey *s = r->data;

	s->form = r->form;
	if (!s->form) {
		reply_busy(r);
		return;
	}
	survey_ready(r);
}

static void looked_up(HttpRequest *r, const DbResult *result)
{
	Survey *s = r->data;
	const PGresult *res = result->res;

	if (result->status != DB_OK) {
		/* The database is away: a round seen in the last hour can still be
		 * shown, and a post still be checked and answered with its answers
		 * kept (the commit then says 503). */
		if (result->status != DB_ERR_QUERY && !s->is_slip &&
		    campaign_cache_get_stale(r->server->campaigns, s->code, monotonic_ms(),
					     STALE_ROUND_MS, &s->info)) {
			log_msg(LOG_INFO, r->id, "database %s: using the round as last seen",
				db_status_name(result->status));
			s->now = (long long)time(NULL) + s->info.clock_offset;
			with_campaign(r);
			return;
		}
		if (s->is_post)
			reply_message(r, 503, "Hệ thống đang bận",
				      "Hệ thống đang bận, vui lòng bấm quay lại và gửi lại. Câu trả "
				      "lời vẫn còn trên trang trước.",
				      NULL);
		else
			reply_db_failure(r, result);
		return;
	}
	if (PQntuples(res) != 1) {
		reply_not_found(r);
		return;
	}
	s->info.campaign_id = atoll(PQgetvalue(res, 0, 0));
	s->info.title = strdup(PQgetvalue(res, 0, 1));
	s->info.school = strdup(PQgetvalue(res, 0, 2));
	s->info.version_id = atoll(PQgetvalue(res, 0, 3));
	s->info.opens_at = atoll(PQgetvalue(res, 0, 4));
	s->info.closes_at = atoll(PQgetvalue(res, 0, 5));
	s->info.kiosk = PQgetvalue(res, 0, 6)[0] == 't';
	snprintf(s->info.mode, sizeof s->info.mode, "%s", PQgetvalue(res, 0, 7));
	s->slip_used = !PQgetisnull(res, 0, 8) && PQgetvalue(res, 0, 8)[0] == 't';
	s->now = atoll(PQgetvalue(res, 0, 9));
	s->info.clock_offset = s->now - (long long)time(NULL);
	if (!s->info.title || !s->info.school) {
		reply_busy(r);
		return;
	}
	if (!s->is_slip)
		campaign_cache_put(r->server->campaigns, s->code, &s->info, monotonic_ms());
	with_campaign(r);
}

/* The round is known: get its questionnaire version, then answer. */
static void with_campaign(HttpRequest *r)
{
	Survey *s = r->data;

	versions_with(r, s->info.version_id, version_ready);
}

static void start_lookup(HttpRequest *r)
{
	Survey *s = r->data;
	const char *params[1] = {s->code};

	if (!s->is_slip && campaign_cache_get(r->server->campaigns, s->code, monotonic_ms(),
					      &s->info)) {
		s->now = (long long)time(NULL) + s->info.clock_offset;
		with_campaign(r);
		return;
	}
	{
		DbQuery q = {.sql = s->is_slip ? SQL_SURVEY_BY_SLIP_CODE
					       : SQL_SURVEY_BY_CAMPAIGN_CODE,
			     .nparams = 1,
			     .values = params};
		if (!http_db(r, &q, looked_up))
			return;
	}
}

/* Checks the posted token now that the secret is known. */
static void after_secret(HttpRequest *r)
{
	Survey *s = r->data;
	const char *token;
	long long now = (long long)time(NULL);

	if (!s->is_post) {
		start_lookup(r);
		return;
	}
	token = formdata_get(&s->data, "t");
	if (!token || !token_decode(r->server->secret, token, &s->token) ||
	    s->token.issued_at > now + TOKEN_MAX_SKEW) {
		log_msg(LOG_INFO, r->id, "refused a post with a missing or forged token");
		reply_message(r, 400, "Phiếu không hợp lệ",
			      "Không đọc được phiếu gửi lên. Ông/Bà vui lòng mở lại đường dẫn và trả "
			      "lời lại.",
			      s->code);
		return;
	}
	if (s->token.issued_at < now - TOKEN_MAX_AGE) {
		reply_message(r, 410, "Phiếu đã quá hạn",
			      "Trang phiếu này đã mở quá lâu. Ông/Bà vui lòng mở lại đường dẫn và "
			      "trả lời lại.",
			      s->code);
		return;
	}
	snprintf(s->token_text, sizeof s->token_text, "%s", token);
	start_lookup(r);
}

static void secret_loaded(HttpRequest *r, const DbResult *result)
{
	Server *server = r->server;

	if (result->status != DB_OK) {
		reply_db_failure(r, result);
		return;
	}
	if (PQntuples(result->res) != 1 || PQgetlength(result->res, 0, 0) != TOKEN_KEY_BYTES) {
		log_msg(LOG_ERROR, r->id, "the installation secret is missing: run hailong migrate");
		reply_busy(r);
		return;
	}
	memcpy(server->secret, PQgetvalue(result->res, 0, 0), TOKEN_KEY_BYTES);
	server->have_secret = true;
	after_secret(r);
}

/* Per client address; true when the request may go on (else answered). */
static bool within_rate(HttpRequest *r)
{
	char client[PROXY_ADDR_MAX];
	int retry_after = 1;
	char value[16];

	if (!r->req)
		return false;
	if (!proxy_request_client(r->server->trusted_proxies, r->req, r->conn, client) ||
	    ratelimit_take(r->server->survey_limit, client, strlen(client), monotonic_ms(),
			   &retry_after))
		return true;
	snprintf(value, sizeof value, "%d", retry_after);
	http_add_header(r, "Retry-After", value);
	reply_message(r, 429, "Quá nhiều yêu cầu",
		      "Có quá nhiều yêu cầu từ cùng một mạng trong thời gian ngắn. Ông/Bà vui "
		      "lòng chờ một lát rồi thử lại; câu trả lời trên trang trước vẫn còn.",
		      NULL);
	return false;
}

static void survey_start(HttpRequest *r, bool is_post)
{
	const char *raw = route_param(&r->match, "code");
	Survey *s;
	size_t len;

	if (!within_rate(r))
		return;
	s = calloc(1, sizeof *s);
	if (!s) {
		reply_busy(r);
		return;
	}
	r->data = s;
	r->data_free = survey_free;
	s->is_post = is_post;
	len = raw ? code_normalise(raw, s->code, sizeof s->code) : 0;
	if (len == 0) {
		reply_not_found(r);
		return;
	}
	s->is_slip = len == CODE_SLIP_LEN;
	if (is_post) {
		const char *type = http_request_header(r, "Content-Type");
		const char *why = NULL;
		size_t body_len;
		const char *body;
		if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0) {
			reply_message(r, 415, "Phiếu không hợp lệ",
				      "Phiếu phải được gửi từ trang khảo sát.", s->code);
			return;
		}
		body = http_request_body(r, &body_len);
		if (!formdata_parse(body, body_len, &s->data, &why)) {
			log_msg(LOG_INFO, r->id, "refused a post: %s", why);
			reply_message(r, 400, "Phiếu không hợp lệ",
				      "Không đọc được phiếu gửi lên. Ông/Bà vui lòng mở lại đường dẫn "
				      "và trả lời lại.",
				      s->code);
			return;
		}
	}
	if (!r->server->have_secret) {
		DbQuery q = {.sql = SQL_SECRET, .result_format = 1};
		if (!http_db(r, &q, secret_loaded))
			return;
		return;
	}
	after_secret(r);
}

void handle_survey_get(HttpRequest *r)
{
	survey_start(r, false);
}

void handle_survey_post(HttpRequest *r)
{
	survey_start(r, true);
}
