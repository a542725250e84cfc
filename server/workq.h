/*
 * workq: a few worker threads for CPU-heavy work that must not stall the
 * event loop (Argon2id password checks take ~0.1 s and 64 MiB each).
 *
 * work(arg) runs on a worker thread and must touch nothing of the loop's;
 * done(arg) then runs on the loop thread.  Results travel back through a
 * pipe the loop watches, so libevent needs no thread support.  The queue is
 * bounded: a full queue refuses (the caller answers 503).
 */
#ifndef HAILONG_WORKQ_H
#define HAILONG_WORKQ_H

#include <stdbool.h>

struct event_base;

typedef struct WorkQueue WorkQueue;
typedef void (*WorkFn)(void *arg);

/* Starts nthreads workers; at most max_pending jobs wait.  NULL on failure. */
WorkQueue *workq_new(struct event_base *base, int nthreads, int max_pending);

/* Stops the workers after their current job; pending jobs are dropped with
 * done() still called on the loop thread (arg must cope: the work did not
 * run).  NULL-safe. */
void workq_free(WorkQueue *wq);

/* Queues work(arg) then done(arg).  False when the queue is full. */
bool workq_submit(WorkQueue *wq, WorkFn work, WorkFn done, void *arg)
	__attribute__((warn_unused_result));

#endif
