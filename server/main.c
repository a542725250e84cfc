/*
 * hailong: the command line.  `hailong COMMAND [--option value …]`.
 * Exit status: 0 success, 1 failure at run time, 2 bad usage or setting.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "campaigns.h"
#include "codes.h"
#include "config.h"
#include "db_sync.h"
#include "demo.h"
#include "form.h"
#include "form_store.h"
#include "log.h"
#include "migrate.h"
#include "org_import.h"
#include "qr.h"
#include "report_build.h"
#include "report_comments.h"
#include "report_output.h"
#include "report_snapshot.h"
#include "server.h"
#include "sql_text.h"
#include "status_cmd.h"
#include "tally_job.h"
#include "token.h"
#include "util.h"
#include "workers.h"
#include "version.h"

typedef int (*CommandFn)(Config *config, int argc, char **argv);

static int cmd_serve(Config *config, int argc, char **argv);
static int cmd_migrate(Config *config, int argc, char **argv);
static int cmd_version(Config *config, int argc, char **argv);
static int cmd_config(Config *config, int argc, char **argv);
static int cmd_help(Config *config, int argc, char **argv);
static int cmd_forms(Config *config, int argc, char **argv);
static int cmd_demo(Config *config, int argc, char **argv);
static int cmd_bench_tokens(Config *config, int argc, char **argv);

static int cmd_org(Config *config, int argc, char **argv);
static int cmd_user(Config *config, int argc, char **argv);

static const char *const user_flags[] = {"org", "role", "login", NULL};
static const char *const token_flags[] = {"org", "role", "name", NULL};
static const char *const qr_flags[] = {"format", NULL};
static const char *const campaign_flags[] = {"org",	  "form",  "title", "opens",
					     "closes",	  "target", "mode",  "kiosk",
					     "double-entry", "count", "batch", NULL};
static int cmd_campaign(Config *config, int argc, char **argv);
static const char *const aggregate_flags[] = {"batch", "publish", NULL};
static int cmd_aggregate(Config *config, int argc, char **argv);
static int cmd_snapshot(Config *config, int argc, char **argv);
static int cmd_qr(Config *config, int argc, char **argv);
static const char *const report_flags[] = {"from", "to", "campaign", "compare-from", "compare-to",
					   "format", "q", NULL};
static int cmd_report(Config *config, int argc, char **argv);
static const char *const comments_flags[] = {"from", "to", "campaign", "q", "limit", "offset",
					     "format", NULL};
static int cmd_comments(Config *config, int argc, char **argv);
static int cmd_token(Config *config, int argc, char **argv);
static int cmd_status(Config *config, int argc, char **argv);
static const char *const status_flags[] = {"url", NULL};

static const struct {
	const char *name;
	CommandFn fn;
	int max_args; /* positional arguments after the command */
	const char *usage;
	const char *summary;
	const char *const *flags; /* the command's own flags, handed over as "--name=value" */
} commands[] = {
	{"serve", cmd_serve, 0, "serve", "run the HTTP server", NULL},
	{"migrate", cmd_migrate, 0, "migrate", "apply pending database migrations from the sql folder", NULL},
	{"forms", cmd_forms, 2, "forms check|load [PATH]",
	 "check questionnaire files, or store them as versions in the database", NULL},
	{"org", cmd_org, 2, "org import FILE.csv",
	 "check a list of units (province, commune, school …) and add it to the tree", NULL},
	{"user", cmd_user, 1, "user add|list",
	 "add an account (--org CODE --role admin|staff|viewer --login NAME, password on "
	 "standard input), or list them", user_flags},
	{"token", cmd_token, 2, "token create|list|revoke [ID]",
	 "API tokens: create (--org CODE --role ROLE --name TEXT; shown once), list, revoke ID",
	 token_flags},
	{"campaign", cmd_campaign, 2, "campaign create|edit|close|list|show|slips",
	 "survey rounds: create --org CODE --form ID[@EDITION] --title TEXT --opens "
	 "\"YYYY-MM-DD HH:MM\" --closes … [--target N --mode shared|slips|both --kiosk yes|no "
	 "--double-entry yes|no] (prints the form URL last); edit CODE [the same options]; close CODE; list [--org CODE]; "
	 "show CODE; slips CODE --count N [--batch B] (prints the slip URLs)",
	 campaign_flags},
	{"aggregate", cmd_aggregate, 0, "aggregate [--batch N] [--publish yes|no]",
	 "count the responses stored since the last run into the tallies that reports read, "
	 "then (unless --publish no) freeze the published results of rounds that have closed "
	 "(the server also does it every --aggregate-interval); N responses per transaction "
	 "(default 1000000)",
	 aggregate_flags},
	{"snapshot", cmd_snapshot, 0, "snapshot",
	 "freeze the published results of closed rounds whose responses are all counted "
	 "(aggregate does it too)",
	 NULL},
	{"report", cmd_report, 1, "report NODE",
	 "the satisfaction report of a unit and its subtree to standard output: [--from "
	 "YYYY-MM-DD --to YYYY-MM-DD] (default: this school year) [--campaign CODE] "
	 "[--compare-from … --compare-to …] [--q TEXT] --format json|csv|xlsx|html|notice",
	 report_flags},
	{"comments", cmd_comments, 1, "comments NODE",
	 "the parents' comments in that report's scope to standard output: --format csv (every "
	 "one; UTF-8 with BOM) or json (a page: [--limit N --offset N]) [--from … --to … "
	 "--campaign CODE --q TEXT]",
	 comments_flags},
	{"qr", cmd_qr, 1, "qr CODE --format png|svg",
	 "write the QR code of a round's or slip's form URL to standard output", qr_flags},
	{"demo", cmd_demo, 0, "demo",
	 "create a demo school with an open round on each questionnaire; print their URLs", NULL},
	{"bench-tokens", cmd_bench_tokens, 2, "bench-tokens CODE COUNT",
	 "print COUNT signed form tokens for a round (for load tests)", NULL},
	{"status", cmd_status, 0, "status [--url http://HOST:PORT]",
	 "a running server's state at a glance (from its /metrics and the database); exit 1 "
	 "when the server or the database cannot be reached",
	 status_flags},
	{"config", cmd_config, 0, "config", "print every setting with its current value and source", NULL},
	{"version", cmd_version, 0, "version", "print the version", NULL},
	{"help", cmd_help, 0, "help", "show this help", NULL},
};

static void print_usage(FILE *out)
{
	size_t n;
	const ConfigOption *opts = config_options(&n);

	fprintf(out, "hailong %s: parent-satisfaction surveys for Vietnamese schools\n\n",
		HAILONG_VERSION);
	fprintf(out, "usage: hailong COMMAND [--option value …]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-25s %s\n", commands[i].usage, commands[i].summary);
	fprintf(out, "\noptions (each also read from its environment variable):\n");
	for (size_t i = 0; i < n; i++) {
		char flag[64];
		snprintf(flag, sizeof flag, "--%s", opts[i].name);
		fprintf(out, "  %-22s %-28s %s", flag, opts[i].env, opts[i].help);
		if (opts[i].default_value && opts[i].type != CFG_PATH)
			fprintf(out, " (default %s)", opts[i].default_value);
		fputc('\n', out);
	}
	fprintf(out, "\nSee docs/config.md for details.\n");
}

static bool need_database(const Config *config)
{
	if (config->database_url)
		return true;
	fprintf(stderr, "hailong: DATABASE_URL is not set: give a PostgreSQL connection string or "
			"URI with --database-url or the DATABASE_URL environment variable\n");
	return false;
}

/* Prints "hailong: WHAT: ERR" for a failed command, frees err, returns 1. */
static int command_failed(const char *what, char *err)
{
	fprintf(stderr, "hailong: %s: %s\n", what, err ? err : "out of memory");
	free(err);
	return 1;
}

static int cmd_help(Config *config, int argc, char **argv)
{
	(void)config;
	(void)argc;
	(void)argv;
	print_usage(stdout);
	return 0;
}

static int cmd_version(Config *config, int argc, char **argv)
{
	(void)config;
	(void)argc;
	(void)argv;
	printf("hailong %s\n", HAILONG_VERSION);
	return 0;
}

/* Prints a connection string with any password replaced. */
static void print_masked_conninfo(const char *conninfo)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &err), *o;
	bool first = true;

	if (!opts) {
		PQfreemem(err);
		printf("(invalid)");
		return;
	}
	for (o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		printf("%s%s=%s", first ? "" : " ", o->keyword,
		       strcmp(o->keyword, "password") == 0 ? "********" : o->val);
		first = false;
	}
	PQconninfoFree(opts);
}

static int cmd_config(Config *config, int argc, char **argv)
{
	size_t n;
	const ConfigOption *opts = config_options(&n);

	(void)argc;
	(void)argv;
	for (size_t i = 0; i < n; i++) {
		const void *field = (const char *)config + opts[i].offset;
		static const char *const sources[] = {
			[CFG_SOURCE_DEFAULT] = "default", [CFG_SOURCE_FILE] = "file",
			[CFG_SOURCE_ENV] = "environment", [CFG_SOURCE_FLAG] = "flag"};
		const char *source = sources[config->source[i]];
		printf("%-20s ", opts[i].name);
		switch (opts[i].type) {
		case CFG_CONNINFO:
			if (*(char *const *)field)
				print_masked_conninfo(*(char *const *)field);
			else
				printf("(not set)");
			break;
		case CFG_STRING:
			if (*(char *const *)field && strstr(opts[i].name, "-token")) {
				printf("********"); /* a secret, like the password above */
				break;
			}
			/* fall through */
		case CFG_PATH:
		case CFG_URL:
		case CFG_PROXIES:
			printf("%s", *(char *const *)field ? *(char *const *)field : "(not set)");
			break;
		case CFG_LISTEN: {
			const ListenAddr *addr = field;
			printf(strchr(addr->host, ':') ? "[%s]:%d" : "%s:%d", addr->host, addr->port);
			break;
		}
		case CFG_INT:
		case CFG_SIZE:
		case CFG_DURATION:
			printf("%lld%s", *(const long long *)field,
			       opts[i].type == CFG_SIZE ? " bytes" : opts[i].type == CFG_DURATION ? " ms" : "");
			break;
		case CFG_LOG_LEVEL:
			printf("%s", log_level_name(*(const LogLevel *)field));
			break;
		}
		if (config->source[i] == CFG_SOURCE_FILE)
			printf("  (file %s:%d)\n", config->config_file, config->source_line[i]);
		else
			printf("  (%s)\n", opts[i].type == CFG_URL && config->base_url_derived ? "derived"
												 : source);
	}
	return 0;
}

static int cmd_migrate(Config *config, int argc, char **argv)
{
	char *err = NULL;

	(void)argc;
	(void)argv;
	if (!need_database(config))
		return 2;
	if (!migrate_run(config->database_url, config->sql_dir, stdout, &err))
		return command_failed("migrate", err);
	return 0;
}

/* Prints every collected problem to stderr. */
static void print_form_errors(const FormErrors *errors)
{
	for (size_t i = 0; i < errors->count && i < errors->cap; i++)
		fprintf(stderr, "%s\n", errors->lines[i]);
}

static int cmd_forms(Config *config, int argc, char **argv)
{
	const char *action = argc > 0 ? argv[0] : NULL;
	const char *path = argc > 1 ? argv[1] : config->forms_dir;
	FormErrors errors = {0};
	Form **forms = NULL;
	size_t count = 0;
	char *err = NULL;
	int rc = 1;

	if (!action || (strcmp(action, "check") != 0 && strcmp(action, "load") != 0)) {
		fprintf(stderr, "hailong: usage: hailong forms check|load [PATH]\n");
		return 2;
	}
	if (!form_load_path(path, &forms, &count, &errors)) {
		print_form_errors(&errors);
		fprintf(stderr, "hailong: %zu problem%s in %s\n", errors.count,
			errors.count == 1 ? "" : "s", path);
		goto done;
	}
	if (strcmp(action, "check") == 0) {
		for (size_t i = 0; i < count; i++)
			printf("%s: %s %s, %d questions, ok\n", forms[i]->source_name, forms[i]->id,
			       forms[i]->edition, forms[i]->nanswers);
		rc = 0;
		goto done;
	}
	if (!need_database(config)) {
		rc = 2;
		goto done;
	}
	if (!form_store_load(config->database_url, forms, count, stdout, &err)) {
		fprintf(stderr, "hailong: forms load: %s\n", err ? err : "out of memory");
		goto done;
	}
	rc = 0;
done:
	free(err);
	form_errors_free(&errors);
	form_list_free(forms, count);
	return rc;
}

static int cmd_org(Config *config, int argc, char **argv)
{
	FormErrors errors = {0};
	int rc = 1;

	if (argc != 2 || strcmp(argv[0], "import") != 0) {
		fprintf(stderr, "hailong: usage: hailong org import FILE.csv\n");
		return 2;
	}
	if (!need_database(config))
		return 2;
	if (org_import(config->database_url, argv[1], stdout, &errors)) {
		rc = 0;
	} else {
		print_form_errors(&errors);
		fprintf(stderr, "hailong: %s: nothing imported\n", argv[1]);
	}
	form_errors_free(&errors);
	return rc;
}

/* The value of "--name=value" among args, or NULL. */
static const char *flag_value(int argc, char **argv, const char *name)
{
	size_t len = strlen(name);

	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "--", 2) == 0 && strncmp(argv[i] + 2, name, len) == 0 &&
		    argv[i][2 + len] == '=')
			return argv[i] + 3 + len;
	return NULL;
}

/* Reads one line (the password) from standard input, without echo on a
 * terminal.  Returns a malloc'd string or NULL. */
static char *read_password(void)
{
	char *line = malloc(PASSWORD_MAX_BYTES + 2);
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	size_t len;

	if (!line)
		return NULL;
	if (tty) {
		fprintf(stderr, "Password: ");
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (!fgets(line, PASSWORD_MAX_BYTES + 2, stdin))
		line[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	return line;
}

static int cmd_user(Config *config, int argc, char **argv)
{
	const char *action = NULL;
	char *err = NULL;
	int rc = 1;

	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "--", 2) != 0)
			action = argv[i];
	if (!action || (strcmp(action, "add") != 0 && strcmp(action, "list") != 0)) {
		fprintf(stderr, "hailong: usage: hailong user add --org CODE --role "
				"admin|staff|viewer --login NAME  (password on standard input)\n"
				"       hailong user list\n");
		return 2;
	}
	if (!need_database(config))
		return 2;
	if (strcmp(action, "list") == 0) {
		rc = account_list(config->database_url, stdout, &err) ? 0 : 1;
	} else {
		const char *org = flag_value(argc, argv, "org"), *role = flag_value(argc, argv, "role"),
			   *login = flag_value(argc, argv, "login");
		char *password;
		if (!org || !role || !login) {
			fprintf(stderr, "hailong: user add needs --org, --role and --login\n");
			return 2;
		}
		password = read_password();
		rc = password && account_add(config->database_url, org, role, login, password,
					     stdout, &err)
			     ? 0
			     : 1;
		if (password) {
			sodium_memzero(password, strlen(password));
			free(password);
		}
	}
	if (rc)
		fprintf(stderr, "hailong: user %s: %s\n", action, err ? err : "out of memory");
	free(err);
	return rc;
}

static int cmd_token(Config *config, int argc, char **argv)
{
	const char *action = NULL, *id = NULL;
	char *err = NULL;
	bool ok;

	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0)
			continue;
		if (!action)
			action = argv[i];
		else
			id = argv[i];
	}
	if (!action || (strcmp(action, "create") != 0 && strcmp(action, "list") != 0 &&
			strcmp(action, "revoke") != 0) ||
	    (strcmp(action, "revoke") == 0) != (id != NULL)) {
		fprintf(stderr, "hailong: usage: hailong token create --org CODE --role "
				"admin|staff|viewer --name TEXT\n"
				"       hailong token list\n       hailong token revoke ID\n");
		return 2;
	}
	if (!need_database(config))
		return 2;
	if (strcmp(action, "create") == 0) {
		const char *org = flag_value(argc, argv, "org"), *role = flag_value(argc, argv, "role"),
			   *name = flag_value(argc, argv, "name");
		if (!org || !role || !name) {
			fprintf(stderr, "hailong: token create needs --org, --role and --name\n");
			return 2;
		}
		ok = api_token_create(config->database_url, org, role, name, stdout, &err);
	} else if (strcmp(action, "list") == 0) {
		ok = api_token_list(config->database_url, stdout, &err);
	} else {
		ok = api_token_revoke(config->database_url, id, stdout, &err);
	}
	if (!ok)
		fprintf(stderr, "hailong: token %s: %s\n", action, err ? err : "out of memory");
	free(err);
	return ok ? 0 : 1;
}

static int campaign_usage(void)
{
	fprintf(stderr,
		"hailong: usage: hailong campaign create --org CODE --form ID[@EDITION] --title TEXT "
		"--opens \"YYYY-MM-DD HH:MM\" --closes \"YYYY-MM-DD HH:MM\" [--target N] "
		"[--mode shared|slips|both] [--kiosk yes|no] [--double-entry yes|no]\n"
		"       hailong campaign edit CODE [--title …] [--opens …] [--closes …] [--target N] "
		"[--mode …] [--kiosk …] [--form …]\n"
		"       hailong campaign close|show CODE\n"
		"       hailong campaign list [--org CODE]\n"
		"       hailong campaign slips CODE --count N [--batch B]\n");
	return 2;
}

static int cmd_campaign(Config *config, int argc, char **argv)
{
	CampaignSpec spec = {
		.org = flag_value(argc, argv, "org"),
		.form = flag_value(argc, argv, "form"),
		.title = flag_value(argc, argv, "title"),
		.opens = flag_value(argc, argv, "opens"),
		.closes = flag_value(argc, argv, "closes"),
		.target = flag_value(argc, argv, "target"),
		.mode = flag_value(argc, argv, "mode"),
		.kiosk = flag_value(argc, argv, "kiosk"),
		.double_entry = flag_value(argc, argv, "double-entry"),
	};
	const char *count = flag_value(argc, argv, "count"), *batch = flag_value(argc, argv, "batch");
	const char *words[2] = {NULL, NULL}, *action, *code;
	int nwords = 0;
	char *err = NULL;
	bool ok;

	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "--", 2) != 0 && nwords < 2)
			words[nwords++] = argv[i];
	action = words[0] ? words[0] : "";
	code = words[1];
	if (strcmp(action, "create") == 0) {
		if (code || !spec.org || !spec.form || !spec.title || !spec.opens || !spec.closes)
			return campaign_usage();
	} else if (strcmp(action, "list") == 0) {
		if (code)
			return campaign_usage();
	} else if (strcmp(action, "slips") == 0) {
		if (!code || !count)
			return campaign_usage();
	} else if (strcmp(action, "edit") == 0) {
		if (!code || spec.org)
			return campaign_usage();
	} else if (strcmp(action, "close") != 0 && strcmp(action, "show") != 0) {
		return campaign_usage();
	} else if (!code) {
		return campaign_usage();
	}
	if (!need_database(config))
		return 2;
	if (strcmp(action, "create") == 0)
		ok = campaign_create(config->database_url, config->base_url, &spec, stdout, &err);
	else if (strcmp(action, "edit") == 0)
		ok = campaign_update(config->database_url, config->base_url, code, &spec, stdout, &err);
	else if (strcmp(action, "close") == 0)
		ok = campaign_close(config->database_url, config->base_url, code, stdout, &err);
	else if (strcmp(action, "show") == 0)
		ok = campaign_show(config->database_url, config->base_url, code, stdout, &err);
	else if (strcmp(action, "list") == 0)
		ok = campaign_list(config->database_url, spec.org, stdout, &err);
	else
		ok = campaign_slips(config->database_url, config->base_url, code, count, batch,
				    stdout, &err);
	if (!ok) {
		char what[32];
		snprintf(what, sizeof what, "campaign %s", action);
		return command_failed(what, err);
	}
	return 0;
}

/* Takes every snapshot that is due (report_snapshot.c), a batch at a
 * time; *published counts them.  False with *err set. */
static bool publish_closed(PGconn *conn, const Config *config, long long *published, char **err)
{
	int taken;

	do {
		if (!report_snapshot_take(conn, (int)config->privacy_threshold,
					  REPORT_SNAPSHOT_BATCH, &taken, err))
			return false;
		*published += taken;
	} while (taken >= REPORT_SNAPSHOT_BATCH);
	return true;
}

/* hailong aggregate (count, then publish) and hailong snapshot (publish
 * only): one connection, the same steps. */
static int count_and_publish(Config *config, const char *command, bool count, bool publish,
			     int batch)
{
	long long total = 0, published = 0;
	int waits = 0;
	char *err = NULL;
	PGconn *conn, *reader = NULL;

	if (!need_database(config))
		return 2;
	conn = db_sync_connect(config->database_url, count ? "hailong-aggregate" : "hailong-snapshot",
			       &err);
	if (!conn)
		return command_failed(command, err);
	/* A catch-up over many responses reads on two connections at once. */
	if (count && !(reader = db_sync_connect(config->database_url, "hailong-aggregate", &err))) {
		PQfinish(conn);
		return command_failed(command, err);
	}
	while (count) {
		TallyRun run;
		if (!tally_job_run(conn, reader, batch, &run, &err)) {
			PQfinish(conn);
			PQfinish(reader);
			return command_failed(command, err);
		}
		if (run.busy) {
			/* A server is counting right now: wait for it (at most 30 s). */
			if (++waits > 150) {
				PQfinish(conn);
				PQfinish(reader);
				return command_failed(command,
						      str_printf("another instance kept counting for 30 s"));
			}
			usleep(200 * 1000);
			continue;
		}
		total += run.counted;
		if (!run.full)
			break;
	}
	/* Every response stored so far is counted: closed rounds can be
	 * published (a server counting meanwhile does it instead). */
	PQfinish(reader);
	if (publish && !publish_closed(conn, config, &published, &err)) {
		PQfinish(conn);
		return command_failed(command, err);
	}
	PQfinish(conn);
	if (count)
		printf("%lld responses counted\n", total);
	if (published > 0 || !count)
		printf("%lld closed rounds published\n", published);
	return 0;
}

static int cmd_aggregate(Config *config, int argc, char **argv)
{
	long batch = TALLY_BATCH;
	const char *batch_text = flag_value(argc, argv, "batch");
	const char *publish = flag_value(argc, argv, "publish");
	char *end;

	if (batch_text && ((batch = strtol(batch_text, &end, 10)) < 1 || *end || batch > 10000000)) {
		fprintf(stderr, "hailong aggregate: --batch: a whole number from 1 to 10000000, "
				"not \"%s\"\n",
			batch_text);
		return 2;
	}
	if (publish && strcmp(publish, "yes") != 0 && strcmp(publish, "no") != 0) {
		fprintf(stderr, "hailong aggregate: --publish: yes or no, not \"%s\"\n", publish);
		return 2;
	}
	return count_and_publish(config, "aggregate", true, !publish || strcmp(publish, "yes") == 0,
				 (int)batch);
}

static int cmd_snapshot(Config *config, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return count_and_publish(config, "snapshot", false, true, 0);
}

/* What `report` and `comments` share: the unit (the one positional
 * argument), the period or round and the search.  The strings are argv's. */
static ReportQuery report_query_of(const Config *config, int argc, char **argv)
{
	ReportQuery q = {
		.from = flag_value(argc, argv, "from"),
		.to = flag_value(argc, argv, "to"),
		.campaign = flag_value(argc, argv, "campaign"),
		.search = flag_value(argc, argv, "q"),
		.privacy_threshold = (int)config->privacy_threshold,
	};

	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "--", 2) != 0)
			q.node = argv[i];
	return q;
}

static int cmd_report(Config *config, int argc, char **argv)
{
	ReportQuery q = report_query_of(config, argc, argv);
	const char *format = flag_value(argc, argv, "format");
	ReportFormat how;
	ReportError rerr;
	char *err = NULL;
	PGconn *conn;
	cJSON *doc;
	bool ok;

	q.compare_from = flag_value(argc, argv, "compare-from");
	q.compare_to = flag_value(argc, argv, "compare-to");
	if (!q.node || !format) {
		fprintf(stderr, "usage: hailong report NODE --format json|csv|xlsx|html|notice "
				"[--from YYYY-MM-DD --to YYYY-MM-DD] [--campaign CODE]\n");
		return 2;
	}
	if (!report_format_parse(format, &how)) {
		fprintf(stderr, "hailong: report: --format \"%s\": one of json, csv, xlsx, html, "
				"notice\n", format);
		return 2;
	}
	if (!need_database(config))
		return 2;
	if (!(conn = db_sync_connect(config->database_url, "hailong-report", &err)))
		return command_failed("report", err);
	doc = report_published(conn, &q, &rerr);
	PQfinish(conn);
	if (!doc) {
		fprintf(stderr, "hailong: report: %s\n", rerr.message);
		return rerr.status == 503 ? 1 : 2;
	}
	ok = report_write(stdout, doc, how, NULL, &err);
	cJSON_Delete(doc);
	if (!ok)
		return command_failed("report", err);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int cmd_comments(Config *config, int argc, char **argv)
{
	ReportQuery q = report_query_of(config, argc, argv);
	const char *format = flag_value(argc, argv, "format");
	ReportError rerr;
	char *err = NULL;
	PGconn *conn;
	bool ok;

	if (!q.node || !format || (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)) {
		fprintf(stderr, "usage: hailong comments NODE --format csv|json [--from YYYY-MM-DD "
				"--to YYYY-MM-DD] [--campaign CODE] [--q TEXT] [--limit N --offset N]\n");
		return 2;
	}
	if (!report_comments_paging(flag_value(argc, argv, "limit"),
				    flag_value(argc, argv, "offset"), &q, &rerr)) {
		fprintf(stderr, "hailong: comments: --%s\n", rerr.message);
		return 2;
	}
	if (!need_database(config))
		return 2;
	if (!(conn = db_sync_connect(config->database_url, "hailong-comments", &err)))
		return command_failed("comments", err);
	ok = report_comments_write(conn, &q, strcmp(format, "csv") == 0 ? COMMENTS_CSV : COMMENTS_JSON,
				   stdout, &rerr);
	PQfinish(conn);
	if (!ok) {
		fprintf(stderr, "hailong: comments: %s\n", rerr.message);
		return rerr.status == 503 ? 1 : 2;
	}
	return 0;
}

static int cmd_qr(Config *config, int argc, char **argv)
{
	const char *raw = NULL, *format = flag_value(argc, argv, "format");
	char code[CODE_SLIP_LEN + 1];
	char *url;
	Buf out;
	QrStatus st;

	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "--", 2) != 0)
			raw = argv[i];
	if (!format)
		format = "png";
	if (!raw || (strcmp(format, "png") != 0 && strcmp(format, "svg") != 0)) {
		fprintf(stderr, "hailong: usage: hailong qr CODE --format png|svg\n");
		return 2;
	}
	if (!code_normalise(raw, code, sizeof code)) {
		fprintf(stderr, "hailong: qr: \"%s\" is not a round or slip code (6 or 13 of "
				"2-9, A-Z without I, L, O)\n",
			raw);
		return 2;
	}
	url = str_printf("%s/s/%s", config->base_url, code);
	if (!url)
		return 1;
	buf_init(&out, 16 * 1024);
	st = strcmp(format, "svg") == 0 ? qr_svg(url, 1.0, &out) : qr_png(url, 10, &out);
	free(url);
	if (st != QR_OK) {
		fprintf(stderr, "hailong: qr: %s\n",
			st == QR_TOO_LONG ? "the URL is too long for a QR code: shorten --base-url"
					  : "cannot make the QR code");
		buf_free(&out);
		return 1;
	}
	if (fwrite(out.data, 1, out.len, stdout) != out.len) {
		buf_free(&out);
		return 1;
	}
	buf_free(&out);
	return 0;
}

static int cmd_demo(Config *config, int argc, char **argv)
{
	char *err = NULL;

	(void)argc;
	(void)argv;
	if (!need_database(config))
		return 2;
	if (!demo_run(config->database_url, config->base_url, stdout, &err))
		return command_failed("demo", err);
	return 0;
}

/* Mints tokens as the server would when showing a form, so that a load
 * test can post fresh submissions without fetching each form first. */
static int cmd_bench_tokens(Config *config, int argc, char **argv)
{
	char *err = NULL;
	long count;
	char *end;
	PGconn *conn;
	PGresult *res = NULL;
	const char *params[1];
	unsigned char secret[TOKEN_KEY_BYTES];
	long long campaign;
	int rc = 1;

	if (argc != 2 || (count = strtol(argv[1], &end, 10)) < 1 || *end || count > 10000000) {
		fprintf(stderr, "hailong: usage: hailong bench-tokens CODE COUNT (1-10000000)\n");
		return 2;
	}
	if (!need_database(config))
		return 2;
	conn = db_sync_connect(config->database_url, "hailong-bench", &err);
	if (!conn)
		goto done;
	params[0] = argv[0];
	res = db_sync_query(conn, SQL_BENCH_ROUND_SECRET, 1, params, "cannot find the round", &err);
	if (!res)
		goto done;
	if (PQntuples(res) != 1) {
		err = str_printf("no round with code %s", argv[0]);
		goto done;
	}
	campaign = atoll(PQgetvalue(res, 0, 0));
	{
		size_t len = 0;
		unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 1), &len);
		if (!raw || len != TOKEN_KEY_BYTES) {
			PQfreemem(raw);
			err = str_printf("the installation secret is missing: run hailong migrate");
			goto done;
		}
		memcpy(secret, raw, TOKEN_KEY_BYTES);
		PQfreemem(raw);
	}
	for (long i = 0; i < count; i++) {
		SubmissionToken t;
		char text[TOKEN_TEXT_LEN + 1];
		token_new(&t, campaign, (long long)time(NULL));
		token_encode(secret, &t, text);
		puts(text);
	}
	rc = 0;
done:
	if (err)
		fprintf(stderr, "hailong: bench-tokens: %s\n", err);
	free(err);
	PQclear(res);
	PQfinish(conn);
	sodium_memzero(secret, sizeof secret);
	return rc;
}

static int cmd_status(Config *config, int argc, char **argv)
{
	return status_run(config, flag_value(argc, argv, "url"), stdout, stderr);
}

typedef struct LoadedForms {
	Form **forms;
	size_t nforms;
	Metrics *metrics; /* shared by the workers; NULL for a single server */
} LoadedForms;

/* Builds and runs one server.  ready_fd (or -1) is told the bound port
 * once it listens: the supervisor of several workers waits for that. */
static int serve_one(Config *config, int ready_fd, void *arg)
{
	LoadedForms *loaded = arg;
	char *err = NULL;
	int exit_code = 1, rc;
	Server *server = server_new(config, loaded->forms, loaded->nforms, loaded->metrics, &err,
				    &exit_code);

	/* server_new owns the questionnaires now, even on failure. */
	loaded->forms = NULL;
	loaded->nforms = 0;
	if (!server) {
		fprintf(stderr, "hailong: %s\n", err ? err : "cannot start");
		free(err);
		if (ready_fd >= 0)
			close(ready_fd);
		return exit_code;
	}
	if (ready_fd >= 0) {
		if (write(ready_fd, &server->port, sizeof server->port) != sizeof server->port)
			log_warn("could not tell the supervisor the port: %s", strerror(errno));
		close(ready_fd);
	}
	rc = server_run(server);
	server_free(server);
	return rc;
}

static int cmd_serve(Config *config, int argc, char **argv)
{
	int rc;
	FormErrors errors = {0};
	LoadedForms loaded = {0};

	(void)argc;
	(void)argv;
	/* Before any worker starts, so that the message is said once. */
	if (!need_database(config))
		return 2;
	log_set_level(config->log_level);
	log_route_libevent();
	/* Pages are built in 10-30 KB buffers, one per request: keep freed
	 * memory in the heap rather than trim and grow it with brk each time. */
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
	mallopt(M_TOP_PAD, 16 * 1024 * 1024);
	/* A broken questionnaire is found now, not by a parent at a meeting. */
	if (!form_load_dir(config->forms_dir, &loaded.forms, &loaded.nforms, &errors)) {
		print_form_errors(&errors);
		fprintf(stderr, "hailong: not starting: %zu problem%s in the questionnaires of %s\n",
			errors.count, errors.count == 1 ? "" : "s", config->forms_dir);
		form_errors_free(&errors);
		form_list_free(loaded.forms, loaded.nforms);
		return 1;
	}
	config->worker_count = config->workers == 0 ? workers_auto_count() : (int)config->workers;
	if (config->worker_count == 1)
		return serve_one(config, -1, &loaded);
	/* Each worker builds its server from its own copy of the questionnaires
	 * (the fork's); the supervisor's copy is only for restarts.  The
	 * metrics registry is one for all, in shared memory. */
	if (!(loaded.metrics = server_shared_metrics(config->worker_count))) {
		fprintf(stderr, "hailong: out of memory\n");
		form_list_free(loaded.forms, loaded.nforms);
		return 1;
	}
	rc = workers_run(config, serve_one, &loaded);
	form_list_free(loaded.forms, loaded.nforms);
	metrics_free(loaded.metrics);
	return rc;
}

int main(int argc, char **argv)
{
	Config config;
	const char *command;
	char *err = NULL;
	int consumed = 0, rc, max_args = 0, npositional = 0, nowned = 0;
	char *positional[16], *owned[16];
	const char *const *own_flags = NULL;
	CommandFn fn = NULL;

	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	command = argv[1];
	if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0)
		command = "help";
	else if (strcmp(command, "--version") == 0)
		command = "version";
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, command) == 0) {
			fn = commands[i].fn;
			max_args = commands[i].max_args;
			own_flags = commands[i].flags;
		}
	if (!fn) {
		fprintf(stderr, "hailong: unknown command \"%s\" (see hailong --help)\n", command);
		return 2;
	}
	/* A user-space ChaCha20 generator seeded from the kernel: the default
	 * implementation makes one getrandom() system call per token. */
	randombytes_set_implementation(&randombytes_internal_implementation);
	if (sodium_init() < 0) {
		fprintf(stderr, "hailong: cannot initialise libsodium\n");
		return 1;
	}
	if (!config_init(&config)) {
		fprintf(stderr, "hailong: out of memory\n");
		return 1;
	}
	/* The file first: the environment and flags then override it. */
	if (config_file_wanted(argc - 2, argv + 2) &&
	    !config_load_file(&config, config_file_wanted(argc - 2, argv + 2), &err)) {
		fprintf(stderr, "hailong: %s\n", err ? err : "out of memory");
		free(err);
		config_free(&config);
		return 2;
	}
	if (!config_load_env(&config, &err)) {
		fprintf(stderr, "hailong: %s\n", err ? err : "out of memory");
		free(err);
		config_free(&config);
		return 2;
	}
	/* Flags may come before, between or after the positional arguments. */
	rc = 2;
	for (int i = 2; i < argc;) {
		if (own_flags && strncmp(argv[i], "--", 2) == 0) {
			const char *name = argv[i] + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			bool mine = false;
			for (const char *const *f = own_flags; *f && !mine; f++)
				mine = strlen(*f) == len && strncmp(*f, name, len) == 0;
			if (mine) {
				const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
				if (!value || npositional == (int)(sizeof positional / sizeof positional[0])) {
					fprintf(stderr, "hailong: option --%.*s needs a value\n", (int)len,
						name);
					goto out;
				}
				positional[npositional++] = owned[nowned++] =
					str_printf("--%.*s=%s", (int)len, name, value);
				i += eq ? 1 : 2;
				continue;
			}
		}
		if (strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0') {
			/* One flag at a time: the next may be the command's own. */
			int span = strchr(argv[i], '=') || i + 1 >= argc ? 1 : 2;
			if (!config_parse_args(&config, span, argv + i, &consumed, &err)) {
				fprintf(stderr, "hailong: %s\n", err ? err : "out of memory");
				free(err);
				goto out;
			}
			i += consumed > 0 ? consumed : 1;
			continue;
		}
		if (npositional - nowned == max_args) {
			fprintf(stderr, "hailong: %s: unexpected argument \"%s\"\n", command, argv[i]);
			goto out;
		}
		positional[npositional++] = argv[i++];
	}
	if (!config_finish(&config)) {
		fprintf(stderr, "hailong: out of memory\n");
		rc = 1;
		goto out;
	}
	rc = fn(&config, npositional, positional);
out:
	config_free(&config);
	for (int i = 0; i < nowned; i++)
		free(owned[i]);
	return rc;
}
