/*
 * hailong: the command line.  `hailong COMMAND [--option value …]`.
 * Exit status: 0 success, 1 failure at run time, 2 bad usage or setting.
 */
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "migrate.h"
#include "server.h"
#include "version.h"

typedef int (*CommandFn)(Config *config, int argc, char **argv);

static int cmd_serve(Config *config, int argc, char **argv);
static int cmd_migrate(Config *config, int argc, char **argv);
static int cmd_version(Config *config, int argc, char **argv);
static int cmd_config(Config *config, int argc, char **argv);
static int cmd_help(Config *config, int argc, char **argv);

static const struct {
	const char *name;
	CommandFn fn;
	const char *summary;
} commands[] = {
	{"serve", cmd_serve, "run the HTTP server"},
	{"migrate", cmd_migrate, "apply pending database migrations from the sql folder"},
	{"config", cmd_config, "print every setting with its current value and source"},
	{"version", cmd_version, "print the version"},
	{"help", cmd_help, "show this help"},
};

static void print_usage(FILE *out)
{
	size_t n;
	const ConfigOption *opts = config_options(&n);

	fprintf(out, "hailong %s: parent-satisfaction surveys for Vietnamese schools\n\n",
		HAILONG_VERSION);
	fprintf(out, "usage: hailong COMMAND [--option value …]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
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
		const char *source = getenv(opts[i].env) && *getenv(opts[i].env) ? "environment"
											  : "default";
		printf("%-20s ", opts[i].name);
		switch (opts[i].type) {
		case CFG_CONNINFO:
			if (*(char *const *)field)
				print_masked_conninfo(*(char *const *)field);
			else
				printf("(not set)");
			break;
		case CFG_STRING:
		case CFG_PATH:
		case CFG_URL:
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
		printf("  (%s)\n", opts[i].type == CFG_URL && config->base_url_derived ? "derived" : source);
	}
	return 0;
}

static int cmd_migrate(Config *config, int argc, char **argv)
{
	char *err = NULL;

	(void)argc;
	(void)argv;
	if (!config->database_url) {
		fprintf(stderr, "hailong: DATABASE_URL is not set: give a PostgreSQL connection "
				"string or URI with --database-url or the DATABASE_URL environment "
				"variable\n");
		return 2;
	}
	if (!migrate_run(config->database_url, config->sql_dir, stdout, &err)) {
		fprintf(stderr, "hailong: migrate: %s\n", err ? err : "out of memory");
		free(err);
		return 1;
	}
	return 0;
}

static int cmd_serve(Config *config, int argc, char **argv)
{
	char *err = NULL;
	int exit_code = 1, rc;
	Server *server;

	(void)argc;
	(void)argv;
	log_set_level(config->log_level);
	log_route_libevent();
	server = server_new(config, &err, &exit_code);
	if (!server) {
		fprintf(stderr, "hailong: %s\n", err ? err : "cannot start");
		free(err);
		return exit_code;
	}
	rc = server_run(server);
	server_free(server);
	return rc;
}

int main(int argc, char **argv)
{
	Config config;
	const char *command;
	char *err = NULL;
	int consumed = 0, rc;
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
		if (strcmp(commands[i].name, command) == 0)
			fn = commands[i].fn;
	if (!fn) {
		fprintf(stderr, "hailong: unknown command \"%s\" (see hailong --help)\n", command);
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "hailong: cannot initialise libsodium\n");
		return 1;
	}
	if (!config_init(&config)) {
		fprintf(stderr, "hailong: out of memory\n");
		return 1;
	}
	if (!config_load_env(&config, &err) ||
	    !config_parse_args(&config, argc - 2, argv + 2, &consumed, &err)) {
		fprintf(stderr, "hailong: %s\n", err ? err : "out of memory");
		free(err);
		config_free(&config);
		return 2;
	}
	if (consumed < argc - 2) {
		fprintf(stderr, "hailong: %s: unexpected argument \"%s\"\n", command,
			argv[2 + consumed]);
		config_free(&config);
		return 2;
	}
	if (!config_finish(&config)) {
		fprintf(stderr, "hailong: out of memory\n");
		config_free(&config);
		return 1;
	}
	rc = fn(&config, argc - 2 - consumed, argv + 2 + consumed);
	config_free(&config);
	return rc;
}
