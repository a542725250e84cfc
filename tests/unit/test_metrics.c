/* The metrics registry: label sets, counting, histogram rendering, escaping,
 * and exact totals when several threads count at once while another
 * renders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include <cmocka.h>

#include "aggregator.h"
#include "http.h"
#include "metrics.h"
#include "router.h"

static const char *const routes[] = {"/healthz", "/s/{code}", "/s/{code}", "/weird\"\\\nroute"};
enum { NROUTES = sizeof routes / sizeof routes[0] };

static const MetricsProcess process = {.version = "1.2.3", .start_time = 1700000000.5,
				       .open_connections = -1};

/* Renders m into a malloc'd string (caller frees). */
static char *render(const Metrics *m, const MetricsProcess *p)
{
	Buf out;
	char *text;

	buf_init(&out, 4096);
	metrics_render(m, p ? p : &process, &out);
	assert_false(out.failed);
	text = strndup(out.data, out.len);
	buf_free(&out);
	return text;
}

static void assert_has(const char *text, const char *line)
{
	if (!strstr(text, line))
		fail_msg("missing: %s\nin:\n%s", line, text);
}

static void test_requests_by_route(void **state)
{
	Metrics *m = metrics_new(routes, NROUTES, 1);
	MetricsShard *s = metrics_shard(m, 0);
	char *text;

	(void)state;
	assert_non_null(s);
	assert_null(metrics_shard(m, 1));
	metrics_request(s, 2, HTTP_GET, 200, 3000);
	metrics_request(s, 3, HTTP_POST, 200, 1500);  /* the same pattern, another route id */
	metrics_request(s, 3, HTTP_POST, 200, 20000);
	metrics_request(s, 0, HTTP_GET, 404, 10);
	metrics_request(s, 1, HTTP_GET, 218, 10);     /* a status off the list */
	metrics_request(s, 99, HTTP_GET, 200, 10);    /* an id the registry does not know */
	text = render(m, NULL);
	assert_has(text, "hailong_http_requests_total{route=\"/s/{code}\",method=\"GET\",status=\"200\"} 1\n");
	assert_has(text, "hailong_http_requests_total{route=\"/s/{code}\",method=\"POST\",status=\"200\"} 2\n");
	assert_has(text, "hailong_http_requests_total{route=\"(unmatched)\",method=\"GET\",status=\"404\"} 1\n");
	assert_has(text, "hailong_http_requests_total{route=\"(unmatched)\",method=\"GET\",status=\"200\"} 1\n");
	assert_has(text, "hailong_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"other\"} 1\n");
	/* One latency series per pattern: GET and POST of /s/{code} together,
	 * cumulative buckets, +Inf equal to _count, sum in seconds. */
	assert_has(text, "hailong_http_request_duration_seconds_bucket{route=\"/s/{code}\",le=\"0.001\"} 0\n");
	assert_has(text, "hailong_http_request_duration_seconds_bucket{route=\"/s/{code}\",le=\"0.0025\"} 1\n");
	assert_has(text, "hailong_http_request_duration_seconds_bucket{route=\"/s/{code}\",le=\"0.005\"} 2\n");
	assert_has(text, "hailong_http_request_duration_seconds_bucket{route=\"/s/{code}\",le=\"0.025\"} 3\n");
	assert_has(text, "hailong_http_request_duration_seconds_bucket{route=\"/s/{code}\",le=\"+Inf\"} 3\n");
	assert_has(text, "hailong_http_request_duration_seconds_sum{route=\"/s/{code}\"} 0.0245\n");
	assert_has(text, "hailong_http_request_duration_seconds_count{route=\"/s/{code}\"} 3\n");
	/* Untouched routes write no series. */
	assert_null(strstr(text, "weird"));
	assert_has(text, "# TYPE hailong_http_requests_total counter\n");
	assert_has(text, "# TYPE hailong_http_request_duration_seconds histogram\n");
	assert_has(text, "hailong_build_info{version=\"1.2.3\"} 1\n");
	assert_has(text, "hailong_process_start_time_seconds 1700000000.5\n");
	assert_null(strstr(text, "open_connections")); /* unknown: not written */
	free(text);
	metrics_free(m);
}

static void test_label_escaping(void **state)
{
	Metrics *m = metrics_new(routes, NROUTES, 1);
	Buf b;
	char *text;

	(void)state;
	metrics_request(metrics_shard(m, 0), 4, HTTP_GET, 200, 1);
	text = render(m, NULL);
	assert_has(text, "route=\"/weird\\\"\\\\\\nroute\",method=\"GET\"");
	free(text);
	buf_init(&b, 64);
	metrics_label_escape(&b, "a\"b\\c\nd é");
	assert_int_equal(b.len, strlen("a\\\"b\\\\c\\nd é"));
	assert_memory_equal(b.data, "a\\\"b\\\\c\\nd é", b.len);
	buf_free(&b);
	metrics_free(m);
}

static void test_submissions_and_commits(void **state)
{
	Metrics *m = metrics_new(routes, NROUTES, 1);
	MetricsShard *s = metrics_shard(m, 0);
	static const int statuses[] = {200, 200, 303, 429, 422, 400, 409, 410, 403, 404, 503, 500};
	MetricsWorkerGauges g = {.inflight = 3, .pool_size = 8, .pool_connected = 7, .pool_busy = 2,
				 .pool_idle = 5, .pool_queued = 4};
	char *text;

	(void)state;
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		metrics_submission(s, statuses[i]);
	metrics_commit_batch(s, 1);
	metrics_commit_batch(s, 5);
	metrics_commit_batch(s, 64);
	metrics_pool_wait(s, 50);
	metrics_publish_worker(s, &g);
	text = render(m, NULL);
	assert_has(text, "hailong_submissions_accepted_total 3\n");
	assert_has(text, "hailong_submissions_refused_total{reason=\"rate_limited\"} 1\n");
	assert_has(text, "hailong_submissions_refused_total{reason=\"invalid\"} 2\n");
	assert_has(text, "hailong_submissions_refused_total{reason=\"duplicate\"} 1\n");
	assert_has(text, "hailong_submissions_refused_total{reason=\"closed\"} 2\n");
	assert_has(text, "hailong_submissions_refused_total{reason=\"not_found\"} 1\n");
	assert_has(text, "hailong_submissions_refused_total{reason=\"unavailable\"} 1\n");
	assert_has(text, "hailong_submissions_refused_total{reason=\"other\"} 1\n");
	assert_has(text, "hailong_commits_total 3\n");
	assert_has(text, "hailong_commit_batch_size_bucket{le=\"1\"} 1\n");
	assert_has(text, "hailong_commit_batch_size_bucket{le=\"4\"} 1\n");
	assert_has(text, "hailong_commit_batch_size_bucket{le=\"8\"} 2\n");
	assert_has(text, "hailong_commit_batch_size_bucket{le=\"64\"} 3\n");
	assert_has(text, "hailong_commit_batch_size_sum 70\n");
	assert_has(text, "hailong_commit_batch_size_count 3\n");
	assert_has(text, "hailong_db_pool_wait_seconds_bucket{le=\"0.0001\"} 1\n");
	assert_has(text, "hailong_http_requests_in_flight 3\n");
	assert_has(text, "hailong_db_pool_size 8\n");
	assert_has(text, "hailong_db_pool_busy 2\n");
	assert_has(text, "hailong_db_pool_wait_queue 4\n");
	/* No aggregator in this process: none of its families. */
	assert_null(strstr(text, "aggregation"));
	free(text);
	metrics_free(m);
}

static void test_aggregation_families(void **state)
{
	Metrics *m = metrics_new(routes, NROUTES, 1);
	MetricsProcess p = process;
	char *text;

	(void)state;
	p.aggregator = true;
	p.agg_runs = 7;
	p.agg_lag_responses = -1; /* not measured yet: no lag families */
	text = render(m, &p);
	assert_has(text, "hailong_aggregation_runs_total 7\n");
	assert_null(strstr(text, "lag"));
	assert_null(strstr(text, "last_run"));
	free(text);
	p.agg_lag_responses = 12;
	p.agg_lag_seconds = 4.25;
	p.agg_last_run = 1700000100;
	text = render(m, &p);
	assert_has(text, "hailong_aggregation_lag_responses 12\n");
	assert_has(text, "hailong_aggregation_lag_seconds 4.25\n");
	assert_has(text, "hailong_aggregation_last_run_timestamp_seconds 1700000100\n");
	free(text);
	metrics_free(m);
}

static void test_lag_seconds(void **state)
{
	AggregatorStats st = {.lag_responses = -1};

	(void)state;
	assert_true(aggregator_lag_seconds(&st, 1000) < 0);
	st.lag_responses = 0;
	st.caught_up_at = 10;
	assert_true(aggregator_lag_seconds(&st, 1000) == 0);
	/* Waiting responses: time since the job last took the whole queue ... */
	st.lag_responses = 5;
	st.lag_oldest_age = -1;
	assert_true(aggregator_lag_seconds(&st, 1000) == 990);
	/* ... or the oldest one's minute, whichever bound is tighter. */
	st.lag_oldest_age = 30;
	st.lag_measured_at = 995;
	assert_true(aggregator_lag_seconds(&st, 1000) == 35);
	st.caught_up_at = 0;
	assert_true(aggregator_lag_seconds(&st, 1000) == 35);
}

/* Workers count into their own shards while a scraper renders: every
 * rendered histogram is consistent and the final totals are exact. */
enum { THREADS = 4, PER_THREAD = 200000 };

typedef struct Worker {
	MetricsShard *shard;
	int index;
} Worker;

static void *count_cb(void *arg)
{
	Worker *w = arg;

	for (int i = 0; i < PER_THREAD; i++) {
		metrics_request(w->shard, 1 + (i & 1), HTTP_GET, 200, (uint64_t)(i % 5000));
		metrics_commit_batch(w->shard, 1 + i % 3);
	}
	return NULL;
}

/* +Inf bucket of the /healthz series in text, and its _count. */
static void healthz_counts(const char *text, long long *inf, long long *count)
{
	const char *p = strstr(text, "duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} ");
	const char *c = strstr(text, "duration_seconds_count{route=\"/healthz\"} ");

	*inf = p ? atoll(strchr(p, '}') + 2) : 0;
	*count = c ? atoll(strchr(c, '}') + 2) : 0;
}

static void test_threads(void **state)
{
	Metrics *m = metrics_new(routes, NROUTES, THREADS);
	pthread_t threads[THREADS];
	Worker workers[THREADS];
	char *text, want[160];
	long long inf, count;
	int renders = 0;

	(void)state;
	for (int i = 0; i < THREADS; i++) {
		workers[i] = (Worker){metrics_shard(m, i), i};
		assert_int_equal(pthread_create(&threads[i], NULL, count_cb, &workers[i]), 0);
	}
	for (; renders < 20; renders++) {
		text = render(m, NULL);
		healthz_counts(text, &inf, &count);
		assert_int_equal(inf, count);
		free(text);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	text = render(m, NULL);
	snprintf(want, sizeof want,
		 "hailong_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} %d\n",
		 THREADS * PER_THREAD / 2);
	assert_has(text, want);
	snprintf(want, sizeof want, "hailong_commits_total %d\n", THREADS * PER_THREAD);
	assert_has(text, want);
	snprintf(want, sizeof want, "hailong_commit_batch_size_count %d\n", THREADS * PER_THREAD);
	assert_has(text, want);
	free(text);
	metrics_free(m);
}

/* Not a pass/fail timing: the cost of counting one request, printed so a
 * change that makes it visible is noticed. */
static void test_cost(void **state)
{
	Metrics *m = metrics_new(routes, NROUTES, 1);
	MetricsShard *s = metrics_shard(m, 0);
	struct timespec a, b;
	enum { N = 1000000 };

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < N; i++)
		metrics_request(s, 2, HTTP_POST, 200, (uint64_t)i % 100000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("# metrics_request: %.1f ns per request\n",
	       ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / N);
	metrics_free(m);
}

static void test_request_ids(void **state)
{
	char longest[HTTP_REQUEST_ID_SIZE];

	(void)state;
	memset(longest, 'a', sizeof longest - 1);
	longest[sizeof longest - 1] = '\0';
	assert_true(http_request_id_acceptable("edge-7f3A_9.z"));
	assert_true(http_request_id_acceptable(longest));
	longest[sizeof longest - 2] = ' ';
	assert_false(http_request_id_acceptable(longest));
	assert_false(http_request_id_acceptable(NULL));
	assert_false(http_request_id_acceptable(""));
	assert_false(http_request_id_acceptable("a b"));
	assert_false(http_request_id_acceptable("a=b"));
	assert_false(http_request_id_acceptable("a\"b"));
	assert_false(http_request_id_acceptable("a\nb"));
	assert_false(http_request_id_acceptable("é"));
	{
		char too_long[HTTP_REQUEST_ID_SIZE + 1];
		memset(too_long, 'a', sizeof too_long - 1);
		too_long[sizeof too_long - 1] = '\0';
		assert_false(http_request_id_acceptable(too_long));
	}
}

static void test_open_connections(void **state)
{
	(void)state;
	/* Port 1 has no listener here; the count works (>= 0) or the kernel
	 * refuses sock_diag (-1): either way no crash and no garbage. */
	assert_true(metrics_open_connections(1) >= -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests_by_route),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_submissions_and_commits),
		cmocka_unit_test(test_aggregation_families),
		cmocka_unit_test(test_lag_seconds),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_cost),
		cmocka_unit_test(test_request_ids),
		cmocka_unit_test(test_open_connections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
