/*
 * bench-clean - messages per second of clean next to scan, on the same
 * messages in the same run (usage: bench-clean SHARED_DIR [-r RUNS]
 * [-t SECONDS] [EXAMPLES_DIR]).
 *
 * Every message of SHARED_DIR/corpus/raw (and EXAMPLES_DIR when given) is
 * read into memory first. Then, alternately, bs_scan and bs_clean (policy
 * trackers, output written to a reused buffer) go over all of them, each
 * for at least SECONDS (default 1) of CPU time per run, best of RUNS
 * (default 3). Times are CPU time of the process
 * (CLOCK_PROCESS_CPUTIME_ID), so other load on the machine counts less.
 * The last line is
 *   scan_msgs_per_s=X clean_msgs_per_s=Y clean_cost_vs_scan=R
 * with R = X / Y (how many times a scan a clean costs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bugsweep/bugsweep.h"
#include "mime/mime.h"
#include "util/buf.h"

#include "testutil.h"

/* the messages and the command line's -r and -t */
static struct tu_corpus corpus;

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int to_buf(void *ctx, const char *p, size_t n)
{
	return bs_buf_append(ctx, p, n);
}

static size_t changed, skipped;

/* One pass over every message; returns its CPU seconds. */
static double pass(const struct bs_engine *e, bool clean, struct bs_buf *out)
{
	struct bs_clean_options o;
	double t0 = cpu_now();
	size_t i;

	memset(&o, 0, sizeof(o));
	changed = skipped = 0;
	for (i = 0; i < corpus.n; i++) {
		if (clean) {
			struct bs_clean *c = NULL;
			if (bs_clean(&c, e, corpus.msgs[i].p, corpus.msgs[i].n,
			             &o) == 0) {
				bs_buf_reset(out);
				if (bs_clean_write(c, to_buf, out) == 0) {
					changed += bs_clean_changed(c);
					skipped += bs_clean_skipped(c) != NULL;
				}
			}
			bs_clean_free(&c);
		} else {
			struct bs_report *r = NULL;
			if (bs_scan(&r, e, corpus.msgs[i].p, corpus.msgs[i].n,
			            NULL) == 0)
				bs_report_free(&r);
		}
	}
	return cpu_now() - t0;
}

/* Messages per second: best of runs, each at least min_s long. */
static double rate(const struct bs_engine *e, bool clean, int runs,
                   double min_s, struct bs_buf *out)
{
	double best = 0;
	int r;

	for (r = 0; r < runs; r++) {
		double t = 0;
		size_t n = 0;
		do {
			t += pass(e, clean, out);
			n += corpus.n;
		} while (t < min_s);
		if (n / t > best)
			best = (double)n / t;
	}
	return best;
}

int main(int argc, char **argv)
{
	struct bs_engine_config cfg;
	struct bs_engine *e = NULL;
	struct bs_buf out;
	char err[BS_ERRMSG_LEN];
	double scan, clean;

	if (tu_corpus_load(&corpus, "bench-clean", argc, argv) != 0 ||
	    mime_global_init()) {
		tu_corpus_free(&corpus);
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	bs_limits_default(&cfg.limits);
	if (bs_engine_new(&e, &cfg, err)) {
		fprintf(stderr, "engine: %s\n", err);
		return 2;
	}
	bs_buf_init(&out, (size_t)1 << 30);
	/* warm up both, then measure them alternately */
	pass(e, false, &out);
	pass(e, true, &out);
	scan = rate(e, false, corpus.runs, corpus.min_s, &out);
	clean = rate(e, true, corpus.runs, corpus.min_s, &out);
	printf("corpus: %zu messages, %.1f MB; clean changed %zu, skipped "
	       "%zu\n",
	       corpus.n, (double)corpus.bytes / 1e6, changed, skipped);
	printf("scan:   %9.1f messages/s  %7.2f MB/s\n", scan,
	       scan * (double)corpus.bytes / (double)corpus.n / 1e6);
	printf("clean:  %9.1f messages/s  %7.2f MB/s\n", clean,
	       clean * (double)corpus.bytes / (double)corpus.n / 1e6);
	printf("scan_msgs_per_s=%.1f clean_msgs_per_s=%.1f "
	       "clean_cost_vs_scan=%.2f\n",
	       scan, clean, scan / clean);
	bs_buf_release(&out);
	tu_corpus_free(&corpus);
	bs_engine_free(&e);
	mime_global_shutdown();
	return 0;
}
