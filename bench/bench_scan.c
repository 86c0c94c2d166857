/*
 * bench-scan - messages/s and MB/s of scan, single thread and with two
 * threads, next to a floor measured in the same run (usage: bench-scan
 * SHARED_DIR [-r RUNS] [-t SECONDS] [EXAMPLES_DIR]).
 *
 * Every message of SHARED_DIR/corpus/raw (and EXAMPLES_DIR when given) is
 * read into memory first. Then, per run, in turn:
 *   floor  GMime 3 parses each message and decodes every leaf part
 *          (message/rfc822 parts included) with its transfer encoding
 *          into a memory stream, text parts through a charset filter to
 *          UTF-8: what any client must do to show the message, nothing
 *          else. Single thread, CPU time.
 *   scan   bs_scan of each message with one engine, the report freed.
 *          Single thread, CPU and wall time of the same passes.
 *   scan2  the same messages shared by two threads that take the next
 *          index from an atomic counter; the engine is shared read-only,
 *          as the workers of src/cli/scan.c share it. Wall time: CPU time
 *          would count both threads and hide the speedup.
 * Each run lasts at least SECONDS (default 1) of its own clock, best of
 * RUNS (default 3); the runs of the modes alternate, so that a change in
 * the machine's load falls on all of them. The last line is
 *   scan_msgs_per_s=X floor_msgs_per_s=Y ratio=R jobs2_speedup=S
 * with X and Y in CPU time, R = X / Y, and S = scan2 / scan in wall time.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmime/gmime.h>

#include "bugsweep/bugsweep.h"
#include "mime/mime.h"

#include "testutil.h"

#define NTHREADS 2

/* the messages and the command line's -r and -t */
static struct tu_corpus corpus;

static double now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- floor: GMime parse and decode, nothing else ----------------- */

struct floor_sum {
	GByteArray *out; /* reused for every part: the floor is a floor */
	size_t bytes;    /* decoded bytes, printed, so no part is skipped */
	size_t parts;
	size_t unconverted; /* text parts in a charset iconv does not know */
};

static void decode_part(GMimePart *part, struct floor_sum *s)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeContentType *ct;
	GMimeStream *mem, *filtered = NULL;
	GMimeFilter *f;
	const char *cs;

	if (content == NULL)
		return;
	g_byte_array_set_size(s->out, 0);
	mem = g_mime_stream_mem_new_with_byte_array(s->out);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	if (ct && g_mime_content_type_is_type(ct, "text", "*")) {
		/* RFC 2045 5.2: no charset parameter means US-ASCII */
		cs = g_mime_content_type_get_parameter(ct, "charset");
		f = g_mime_filter_charset_new(cs ? cs : "us-ascii", "UTF-8");
		if (f) {
			filtered = g_mime_stream_filter_new(mem);
			g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered),
			                         f);
			g_object_unref(f);
		} else {
			s->unconverted++;
		}
	}
	g_mime_data_wrapper_write_to_stream(content, filtered ? filtered : mem);
	if (filtered) {
		g_mime_stream_flush(filtered);
		g_object_unref(filtered);
	}
	g_object_unref(mem);
	s->bytes += s->out->len;
	s->parts++;
}

/* g_mime_message_foreach does not go into message/rfc822 parts: a client
 * shows those too, so walk the tree here. */
static void walk(GMimeObject *o, struct floor_sum *s)
{
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		int i, n = g_mime_multipart_get_count(mp);
		for (i = 0; i < n; i++)
			walk(g_mime_multipart_get_part(mp, i), s);
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *m =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		GMimeObject *body = m ? g_mime_message_get_mime_part(m) : NULL;
		if (body)
			walk(body, s);
	} else if (GMIME_IS_PART(o)) {
		decode_part(GMIME_PART(o), s);
	}
}

static size_t floor_failed;

/* One pass over every message; returns its CPU seconds. */
static double floor_pass(struct floor_sum *s)
{
	double t0 = now(CLOCK_PROCESS_CPUTIME_ID);
	size_t i;

	s->bytes = s->parts = s->unconverted = 0;
	floor_failed = 0;
	for (i = 0; i < corpus.n; i++) {
		GMimeStream *st = g_mime_stream_mem_new_with_buffer(
		    corpus.msgs[i].p, corpus.msgs[i].n);
		GMimeParser *ps = g_mime_parser_new_with_stream(st);
		GMimeMessage *m = g_mime_parser_construct_message(ps, NULL);
		GMimeObject *body = m ? g_mime_message_get_mime_part(m) : NULL;

		if (body)
			walk(body, s);
		else
			floor_failed++;
		if (m)
			g_object_unref(m);
		g_object_unref(ps);
		g_object_unref(st);
	}
	return now(CLOCK_PROCESS_CPUTIME_ID) - t0;
}

/* ---- scan: one thread, then two sharing the list ----------------- */

struct worker {
	const struct bs_engine *e;
	atomic_size_t *next;
	size_t beacons, failed; /* compared across modes: the same work */
};

static void scan_one(struct worker *w, size_t i)
{
	struct bs_report *r = NULL;

	if (bs_scan(&r, w->e, corpus.msgs[i].p, corpus.msgs[i].n, NULL) != 0) {
		w->failed++;
		return;
	}
	w->beacons += bs_report_beacon_count(r);
	bs_report_free(&r);
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	size_t i;

	while ((i = atomic_fetch_add(w->next, 1)) < corpus.n)
		scan_one(w, i);
	return NULL;
}

static size_t scan_beacons[NTHREADS + 1], scan_failed[NTHREADS + 1];

/* One single-thread pass; its CPU and wall seconds into cpu / wall. */
static void scan_pass(const struct bs_engine *e, double *cpu, double *wall)
{
	struct worker w = {.e = e};
	double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
	size_t i;

	for (i = 0; i < corpus.n; i++)
		scan_one(&w, i);
	*cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	*wall = now(CLOCK_MONOTONIC) - w0;
	scan_beacons[1] = w.beacons;
	scan_failed[1] = w.failed;
}

/* One pass by NTHREADS threads; returns its wall seconds, or -1, and its
 * CPU seconds (all threads) into cpu. The threads are started inside the
 * timed span, as a front end must. */
static double scan2_pass(const struct bs_engine *e, double *cpu)
{
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	atomic_size_t next;
	double c0 = now(CLOCK_PROCESS_CPUTIME_ID), t0 = now(CLOCK_MONOTONIC);
	int i;

	atomic_init(&next, 0);
	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){.e = e, .next = &next};
		if (pthread_create(&th[i], NULL, worker_run, &w[i]) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			while (i-- > 0)
				pthread_join(th[i], NULL);
			return -1;
		}
	}
	scan_beacons[NTHREADS] = scan_failed[NTHREADS] = 0;
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		scan_beacons[NTHREADS] += w[i].beacons;
		scan_failed[NTHREADS] += w[i].failed;
	}
	*cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	return now(CLOCK_MONOTONIC) - t0;
}

/* ---- runs --------------------------------------------------------- */

/* SCAN2_CPU: messages per CPU second of both threads, the same as
 * SCAN_CPU when the threads do not get in each other's way (locks,
 * allocator, shared cache lines), whatever the load on the machine. */
enum mode { FLOOR, SCAN_CPU, SCAN_WALL, SCAN2, SCAN2_CPU, NMODES };

/* CPU seconds / wall seconds of the best SCAN2 run: how many cores the
 * two threads had; below 2, other processes took the rest. */
static double scan2_cores;

/* One run of every mode, each at least min_s of its clock; the best
 * messages/s so far into best[]. Returns -1 when threads fail. */
static int run(const struct bs_engine *e, struct floor_sum *fs, double min_s,
               double best[NMODES])
{
	double t[NMODES] = {0}, c, w;
	size_t n[NMODES] = {0};
	int m;

	do {
		t[FLOOR] += floor_pass(fs);
		n[FLOOR] += corpus.n;
	} while (t[FLOOR] < min_s);
	do {
		scan_pass(e, &c, &w);
		t[SCAN_CPU] += c;
		t[SCAN_WALL] += w;
		n[SCAN_CPU] += corpus.n;
		n[SCAN_WALL] += corpus.n;
	} while (t[SCAN_CPU] < min_s || t[SCAN_WALL] < min_s);
	do {
		if ((w = scan2_pass(e, &c)) < 0)
			return -1;
		t[SCAN2] += w;
		t[SCAN2_CPU] += c;
		n[SCAN2] += corpus.n;
		n[SCAN2_CPU] += corpus.n;
	} while (t[SCAN2] < min_s);
	if ((double)n[SCAN2] / t[SCAN2] > best[SCAN2])
		scan2_cores = t[SCAN2_CPU] / t[SCAN2];
	for (m = 0; m < NMODES; m++)
		if ((double)n[m] / t[m] > best[m])
			best[m] = (double)n[m] / t[m];
	return 0;
}

static void row(const char *name, double rate)
{
	printf("%-22s %9.1f messages/s  %7.2f MB/s\n", name, rate,
	       rate * (double)corpus.bytes / (double)corpus.n / 1e6);
}

int main(int argc, char **argv)
{
	struct bs_engine_config cfg;
	struct bs_engine *e = NULL;
	struct floor_sum fs;
	char err[BS_ERRMSG_LEN];
	double best[NMODES] = {0}, c, w;
	int i, rc = 2;

	/* mime_global_init: also g_mime_init(), which the floor needs */
	if (tu_corpus_load(&corpus, "bench-scan", argc, argv) != 0 ||
	    mime_global_init()) {
		tu_corpus_free(&corpus);
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	bs_limits_default(&cfg.limits);
	if (bs_engine_new(&e, &cfg, err)) {
		fprintf(stderr, "engine: %s\n", err);
		goto out;
	}
	fs.out = g_byte_array_new();
	/* warm up every mode: caches, iconv descriptors, thread arenas */
	floor_pass(&fs);
	scan_pass(e, &c, &w);
	if (scan2_pass(e, &c) < 0)
		goto out_fs;
	for (i = 0; i < corpus.runs; i++)
		if (run(e, &fs, corpus.min_s, best) != 0)
			goto out_fs;
	printf("corpus: %zu messages, %.1f MB; floor: %zu parts, %.1f MB "
	       "decoded, %zu unparsed, %zu text parts not converted\n",
	       corpus.n, (double)corpus.bytes / 1e6, fs.parts,
	       (double)fs.bytes / 1e6, floor_failed, fs.unconverted);
	printf("scan: %zu beacons, %zu failed (%d threads: %zu, %zu)\n",
	       scan_beacons[1], scan_failed[1], NTHREADS,
	       scan_beacons[NTHREADS], scan_failed[NTHREADS]);
	row("floor (CPU)", best[FLOOR]);
	row("scan 1 thread (CPU)", best[SCAN_CPU]);
	row("scan 1 thread (wall)", best[SCAN_WALL]);
	row("scan 2 threads (wall)", best[SCAN2]);
	row("scan 2 threads (CPU)", best[SCAN2_CPU]);
	printf("2 threads had %.2f cores (CPU / wall time)\n", scan2_cores);
	printf("scan_msgs_per_s=%.1f floor_msgs_per_s=%.1f ratio=%.2f "
	       "jobs2_speedup=%.2f\n",
	       best[SCAN_CPU], best[FLOOR], best[SCAN_CPU] / best[FLOOR],
	       best[SCAN2] / best[SCAN_WALL]);
	rc = 0;
out_fs:
	g_byte_array_unref(fs.out);
out:
	tu_corpus_free(&corpus);
	bs_engine_free(&e);
	mime_global_shutdown();
	return rc;
}
