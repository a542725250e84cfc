#include "workers.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

enum {
	READY_TIMEOUT_MS = 30000, /* a worker builds its server without the database */
	RESTARTS_MAX = 5,         /* per RESTART_WINDOW_MS: then something is wrong */
	RESTART_WINDOW_MS = 60000,
};

typedef struct Supervisor {
	Config *config;
	WorkerMain worker_main;
	void *arg;
	sigset_t old_mask;
	pid_t self;
	pid_t *pids; /* by worker index; 0 once reaped */
	long long restarts_at[RESTARTS_MAX];
	int nrestarts;
} Supervisor;

int workers_auto_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 1;
}

static void child(Supervisor *s, int index, int ready_fd)
{
	int rc;

	/* The supervisor may die without stopping us (kill -9): stop then. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != s->self)
		_exit(1);
	sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
	/* The user-space random generator (main.c) was copied with the
	 * process: reseed it, or two workers would hand out the same session
	 * tokens and form ids.  libsodium aborts on a fork it was not told of. */
	randombytes_stir();
	s->config->worker_index = index;
	/* One worker counts responses into tallies; the others would only
	 * wait for its advisory lock. */
	if (index > 0)
		s->config->aggregate_interval_ms = 0;
	rc = s->worker_main(s->config, ready_fd, s->arg);
	free(s->pids);
	exit(rc);
}

/* Forks worker `index` and waits until it listens.  Returns its pid, or -1
 * with *status set to the exit status it failed with. */
static pid_t start(Supervisor *s, int index, int *status)
{
	int fds[2], port = 0, wstatus = 0;
	struct pollfd p;
	pid_t pid;
	ssize_t n = -1;

	*status = 1;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		log_error("cannot start worker %d: %s", index, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		log_error("cannot start worker %d: %s", index, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child(s, index, fds[1]);
	}
	close(fds[1]);
	p = (struct pollfd){.fd = fds[0], .events = POLLIN};
	bool answered = poll(&p, 1, READY_TIMEOUT_MS) == 1;
	if (answered)
		n = read(fds[0], &port, sizeof port);
	close(fds[0]);
	if (n == (ssize_t)sizeof port && port > 0) {
		if (s->config->listen.port == 0) {
			/* Worker 0 asked for any port: the others take the same. */
			s->config->listen.port = port;
			if (s->config->base_url_derived) {
				bool ipv6 = strchr(s->config->listen.host, ':') != NULL;
				char *url = str_printf(ipv6 ? "http://[%s]:%d" : "http://%s:%d",
						       s->config->listen.host, port);
				if (url) {
					free(s->config->base_url);
					s->config->base_url = url;
				}
			}
		}
		return pid;
	}
	/* It died before listening (its pipe closed: wait for its status), or
	 * hangs; it has said why on stderr. */
	if (!answered)
		kill(pid, SIGKILL);
	if (waitpid(pid, &wstatus, 0) == pid)
		*status = exit_status(wstatus);
	if (*status == 0)
		*status = 1;
	return -1;
}

static void signal_all(Supervisor *s, int sig)
{
	for (int i = 0; i < s->config->worker_count; i++)
		if (s->pids[i] > 0)
			kill(s->pids[i], sig);
}

static bool any_alive(const Supervisor *s)
{
	for (int i = 0; i < s->config->worker_count; i++)
		if (s->pids[i] > 0)
			return true;
	return false;
}

/* Whether another restart fits the budget. */
static bool may_restart(Supervisor *s)
{
	long long now = monotonic_ms();
	int kept = 0;

	for (int i = 0; i < s->nrestarts; i++)
		if (now - s->restarts_at[i] < RESTART_WINDOW_MS)
			s->restarts_at[kept++] = s->restarts_at[i];
	s->nrestarts = kept;
	if (kept == RESTARTS_MAX)
		return false;
	s->restarts_at[s->nrestarts++] = now;
	return true;
}

/* Reaps every worker that has exited; restarts them unless stopping.
 * Returns false when a worker could not be restarted. */
static bool reap(Supervisor *s, bool stopping, int *worst)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int index = -1;
		char idx[16], code[16];

		for (int i = 0; i < s->config->worker_count; i++)
			if (s->pids[i] == pid)
				index = i;
		if (index < 0)
			continue;
		s->pids[index] = 0;
		if (stopping) {
			if (exit_status(status) > *worst)
				*worst = exit_status(status);
			continue;
		}
		snprintf(idx, sizeof idx, "%d", index);
		snprintf(code, sizeof code, "%d",
			 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		log_fields(LOG_WARN, NULL, "worker stopped; starting it again", "worker", idx,
			   WIFSIGNALED(status) ? "signal" : "status", code, NULL);
		if (!may_restart(s)) {
			log_error("worker %d stopped %d times within a minute: giving up", index,
				  RESTARTS_MAX);
			return false;
		}
		s->pids[index] = start(s, index, &status);
		if (s->pids[index] < 0) {
			s->pids[index] = 0;
			*worst = status;
			return false;
		}
	}
	return true;
}

int workers_run(Config *config, WorkerMain worker_main, void *arg)
{
	Supervisor s = {.config = config, .worker_main = worker_main, .arg = arg,
			.self = getpid()};
	sigset_t mask;
	bool stopping = false;
	int worst = 0, status = 1;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (!(s.pids = calloc((size_t)config->worker_count, sizeof *s.pids)))
		return 1;
	sigprocmask(SIG_BLOCK, &mask, &s.old_mask);
	for (int i = 0; i < config->worker_count; i++) {
		s.pids[i] = start(&s, i, &status);
		if (s.pids[i] < 0) {
			s.pids[i] = 0;
			worst = status;
			stopping = true;
			signal_all(&s, SIGTERM);
			break;
		}
	}
	if (!stopping) {
		char n[16];
		snprintf(n, sizeof n, "%d", config->worker_count);
		log_fields(LOG_INFO, NULL, "workers started", "workers", n, NULL);
	}
	while (any_alive(&s)) {
		siginfo_t info;
		int sig = sigwaitinfo(&mask, &info);

		if (sig == SIGTERM || sig == SIGINT) {
			/* The first signal stops gracefully; a second one, passed on,
			 * makes the workers stop at once. */
			stopping = true;
			signal_all(&s, sig);
		} else if (sig == SIGCHLD && !reap(&s, stopping, &worst)) {
			stopping = true;
			if (worst == 0)
				worst = 1;
			signal_all(&s, SIGTERM);
		}
	}
	sigprocmask(SIG_SETMASK, &s.old_mask, NULL);
	free(s.pids);
	return worst;
}
