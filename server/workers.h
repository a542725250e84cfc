/*
 * workers: one server process per core.
 *
 * The supervisor forks `count` workers.  Each builds a whole server of its
 * own (event loop, database pool, group committer, listening socket on the
 * same port with SO_REUSEPORT, so that the kernel spreads new connections
 * over them).  Workers share no mutable memory, so a worker runs exactly
 * the code a single server runs; processes rather than threads were chosen
 * for that, and because a crash then takes down one worker, not the
 * service.
 *
 * The supervisor starts worker 0 first and learns the port from it (port 0
 * asks the kernel for one), then the others on that port.  It forwards
 * SIGTERM and SIGINT to every worker and exits when all have stopped;
 * a worker that dies otherwise is started again (at most RESTARTS_MAX
 * times a minute).  Workers get SIGTERM if the supervisor dies.
 */
#ifndef HAILONG_WORKERS_H
#define HAILONG_WORKERS_H

#include "config.h"

/* Runs one worker: builds and runs a server from config (worker_index and
 * worker_count set), writes the bound port (an int) to ready_fd once it
 * listens, and returns the process's exit status. */
typedef int (*WorkerMain)(Config *config, int ready_fd, void *arg);

/* The number of workers --workers 0 means: the processors online. */
int workers_auto_count(void);

/* Supervises config->worker_count workers until they have all stopped after
 * a stop signal.  Returns the exit status: 0 after a clean stop; when a
 * worker cannot start, the status it exited with (1 or 2). */
int workers_run(Config *config, WorkerMain worker_main, void *arg);

#endif
