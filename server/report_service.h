/*
 * report_service: builds and renders reports on worker threads, each with
 * a database connection of its own, so a province report (100 ms of
 * queries and arithmetic) or a large export never holds up the event loop.
 *
 * The result is written to an unlinked temporary file — bounded memory
 * whatever the size — which the loop then sends with evbuffer_add_file.
 */
#ifndef HAILONG_REPORT_SERVICE_H
#define HAILONG_REPORT_SERVICE_H

#include <stdbool.h>
#include <sys/types.h>

#include "report_build.h"
#include "report_comments.h"
#include "report_output.h"

struct event_base;

typedef struct ReportService ReportService;
typedef struct ReportTask ReportTask;

/* Called on the loop thread when the task is done (or dropped at shutdown:
 * then ran is false).  The callback owns the task: report_task_free. */
typedef void (*ReportDone)(ReportTask *task);

struct ReportTask {
	/* in: set by the caller; strings are copied by report_task_new */
	ReportQuery query;
	ReportFormat format;
	bool comments;       /* the scope's comments (report_comments) instead of the report */
	CommentsFormat comments_format;
	ReportPageLinks links; /* for pages; strings copied by report_task_set_links */
	bool with_links;
	bool keep_document;  /* hand back the document itself (below), not a file: for
			      * pages that show a few of its figures (the staff start page) */
	ReportDone done;
	void *arg;           /* the caller's; it may clear it when it goes away */
	/* out */
	bool ran;
	ReportError error;   /* status 0 when a report was made */
	int fd;              /* the rendered report, at offset 0; -1 when none */
	off_t size;
	cJSON *document;     /* with keep_document: the report; freed with the task */
	/* private */
	ReportService *service;
	char *owned[18];
};

/* Starts nthreads workers.  conninfo and the connect timeout (ms) are copied.
 * NULL on failure. */
ReportService *report_service_new(struct event_base *base, const char *conninfo,
				  long long connect_timeout_ms, int nthreads);

/* Stops the workers (their current task finishes; waiting ones are dropped,
 * their callbacks still called) and closes the connections.  NULL-safe. */
void report_service_free(ReportService *service);

/* A task with copies of the query's strings; NULL when memory runs out. */
ReportTask *report_task_new(const ReportQuery *query, ReportFormat format, ReportDone done,
			    void *arg);

/* Gives pages their links (copied).  False when memory runs out. */
bool report_task_set_links(ReportTask *task, const ReportPageLinks *links);

void report_task_free(ReportTask *task);

/* Queues the task.  False when the queue is full (answer 503); the task
 * stays the caller's then. */
bool report_service_submit(ReportService *service, ReportTask *task)
	__attribute__((warn_unused_result));

#endif
