#include "workq.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

typedef struct Job {
	WorkFn work, done;
	void *arg;
	struct Job *next;
} Job;

struct WorkQueue {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	Job *head, *tail;
	int pending, max_pending;
	bool stopping;
	pthread_t *threads;
	int nthreads;
	int pipe_fd[2];       /* workers write finished Job pointers, the loop reads */
	struct event *readable;
};

static void *worker(void *arg)
{
	WorkQueue *wq = arg;

	for (;;) {
		Job *job;
		ssize_t w;
		pthread_mutex_lock(&wq->lock);
		while (!wq->head && !wq->stopping)
			pthread_cond_wait(&wq->wake, &wq->lock);
		if (wq->stopping) {
			pthread_mutex_unlock(&wq->lock);
			return NULL;
		}
		job = wq->head;
		wq->head = job->next;
		if (!wq->head)
			wq->tail = NULL;
		wq->pending--;
		pthread_mutex_unlock(&wq->lock);
		job->work(job->arg);
		/* A pointer is smaller than PIPE_BUF: the write is atomic. */
		do
			w = write(wq->pipe_fd[1], &job, sizeof job);
		while (w < 0 && errno == EINTR);
	}
}

static void finished_cb(evutil_socket_t fd, short what, void *arg)
{
	Job *jobs[64];
	ssize_t n;

	(void)what;
	(void)arg;
	while ((n = read(fd, jobs, sizeof jobs)) > 0) {
		for (size_t i = 0; i < (size_t)n / sizeof jobs[0]; i++) {
			jobs[i]->done(jobs[i]->arg);
			free(jobs[i]);
		}
	}
}

WorkQueue *workq_new(struct event_base *base, int nthreads, int max_pending)
{
	WorkQueue *wq = calloc(1, sizeof *wq);

	if (!wq)
		return NULL;
	wq->max_pending = max_pending;
	wq->pipe_fd[0] = wq->pipe_fd[1] = -1;
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->wake, NULL);
	if (pipe2(wq->pipe_fd, O_CLOEXEC) != 0 ||
	    fcntl(wq->pipe_fd[0], F_SETFL, O_NONBLOCK) != 0)
		goto fail;
	wq->readable = event_new(base, wq->pipe_fd[0], EV_READ | EV_PERSIST, finished_cb, wq);
	wq->threads = calloc((size_t)nthreads, sizeof *wq->threads);
	if (!wq->readable || !wq->threads || event_add(wq->readable, NULL) != 0)
		goto fail;
	for (int i = 0; i < nthreads; i++) {
		if (pthread_create(&wq->threads[i], NULL, worker, wq) != 0)
			goto fail;
		wq->nthreads++;
	}
	return wq;
fail:
	log_error("cannot start the worker threads: %s", strerror(errno));
	workq_free(wq);
	return NULL;
}

void workq_free(WorkQueue *wq)
{
	Job *job;

	if (!wq)
		return;
	pthread_mutex_lock(&wq->lock);
	wq->stopping = true;
	pthread_cond_broadcast(&wq->wake);
	pthread_mutex_unlock(&wq->lock);
	for (int i = 0; i < wq->nthreads; i++)
		pthread_join(wq->threads[i], NULL);
	/* Finished jobs still in the pipe, then the ones never started. */
	if (wq->pipe_fd[0] >= 0)
		finished_cb(wq->pipe_fd[0], EV_READ, wq);
	while ((job = wq->head)) {
		wq->head = job->next;
		job->done(job->arg);
		free(job);
	}
	if (wq->readable)
		event_free(wq->readable);
	if (wq->pipe_fd[0] >= 0)
		close(wq->pipe_fd[0]);
	if (wq->pipe_fd[1] >= 0)
		close(wq->pipe_fd[1]);
	free(wq->threads);
	pthread_cond_destroy(&wq->wake);
	pthread_mutex_destroy(&wq->lock);
	free(wq);
}

bool workq_submit(WorkQueue *wq, WorkFn work, WorkFn done, void *arg)
{
	Job *job;

	pthread_mutex_lock(&wq->lock);
	if (wq->pending >= wq->max_pending || wq->stopping) {
		pthread_mutex_unlock(&wq->lock);
		return false;
	}
	job = calloc(1, sizeof *job);
	if (!job) {
		pthread_mutex_unlock(&wq->lock);
		return false;
	}
	job->work = work;
	job->done = done;
	job->arg = arg;
	if (wq->tail)
		wq->tail->next = job;
	else
		wq->head = job;
	wq->tail = job;
	wq->pending++;
	pthread_cond_signal(&wq->wake);
	pthread_mutex_unlock(&wq->lock);
	return true;
}
