/*
 * bugsweep scan - find, judge and explain every beacon in mail.
 *
 * The main thread reads messages (mime_reader) and queues them; worker
 * threads scan and render; whoever finishes the oldest outstanding message
 * prints every finished one in input order, so output is stable whatever
 * the number of jobs. At most WINDOW messages are in flight, which bounds
 * memory on big mailboxes.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mime/mailbox.h"
#include "mime/mime.h"
#include "render.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/str.h"

#define OUT_MAX   (64u << 20)
#define MAX_TALLY 4096

struct job {
	struct mime_input *in;
	struct bs_report *rep;
	struct bs_buf text;
	const char *problem;
	char complaint[160]; /* the line for stderr, "" when none */
	bool done;
};

struct tally_entry {
	char *name;
	size_t messages;
};

struct tally {
	struct tally_entry e[MAX_TALLY];
	size_t n;
};

struct scan {
	const struct bs_engine *engine;
	struct bs_scan_options sopt;
	struct term term;
	bool json, verbose, quiet;

	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_space;
	struct job *ring;
	size_t window;
	size_t next_seq, next_take, next_print;
	bool reading_done;
	int out_error;

	/* summary, updated in print order */
	size_t messages, tracking, receipts, problems_n, troubles, partial;
	struct tally vendors, unknown;
	time_t last_progress;
};

static void tally_add(struct tally *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->e[i].name, name) == 0) {
			t->e[i].messages++;
			return;
		}
	if (t->n == MAX_TALLY)
		return;
	t->e[t->n].name = bs_strndup(name, strlen(name));
	if (t->e[t->n].name)
		t->e[t->n++].messages = 1;
}

static int tally_cmp(const void *a, const void *b)
{
	const struct tally_entry *x = a, *y = b;
	if (x->messages != y->messages)
		return x->messages < y->messages ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void tally_free(struct tally *t)
{
	size_t i;
	for (i = 0; i < t->n; i++)
		bs_free(t->e[i].name);
	t->n = 0;
}

/* Count each vendor (or unknown tracker site) once per message. */
static void summarise(struct scan *s, const struct bs_report *r)
{
	const char *seen[64];
	size_t nseen = 0, i, k;

	s->messages++;
	if (r == NULL) {
		s->troubles++;
		return;
	}
	if (bs_report_tracks_open(r))
		s->tracking++;
	if (bs_report_receipt_count(r))
		s->receipts++;
	if (bs_report_problems(r)->count)
		s->problems_n++;
	for (i = 0; i < bs_report_beacon_count(r); i++) {
		const struct bs_beacon *b = bs_report_beacon(r, i);
		const char *name;
		if (b->label == BS_LABEL_CONTENT)
			continue;
		name = b->vendor ? b->vendor : (b->site ? b->site : "?");
		for (k = 0; k < nseen; k++)
			if (strcmp(seen[k], name) == 0)
				break;
		if (k < nseen || nseen == 64)
			continue;
		seen[nseen++] = name;
		tally_add(b->vendor ? &s->vendors : &s->unknown, name);
	}
}

static void progress(struct scan *s, bool final)
{
	time_t now;

	if (!s->term.progress)
		return;
	now = time(NULL);
	if (!final && now == s->last_progress)
		return;
	s->last_progress = now;
	fprintf(stderr, "\r\033[Kscanned %zu message%s, %zu tracking%s",
	        s->messages, s->messages == 1 ? "" : "s", s->tracking,
	        final ? "\r\033[K" : "");
	fflush(stderr);
}

/* Called with the lock held: print every finished job at the front. */
static void flush_ready(struct scan *s)
{
	while (s->next_print < s->next_take) {
		struct job *j = &s->ring[s->next_print % s->window];
		if (!j->done)
			break;
		summarise(s, j->rep);
		if (j->complaint[0]) {
			/* scanned, but not a whole message: said once, on
			 * stderr, in input order; the exit status says 2 */
			if (j->rep)
				s->partial++;
			if (s->term.progress)
				fputs("\r\033[K", stderr);
			fprintf(stderr, "bugsweep scan: %s: %s\n",
			        j->in->source, j->complaint);
		}
		if (!s->quiet || s->json) {
			if (s->term.progress)
				fputs("\r\033[K", stderr);
			if (j->text.len && fwrite(j->text.data, 1, j->text.len,
			                          stdout) != j->text.len)
				s->out_error = errno ? errno : EIO;
			if (s->json)
				fflush(stdout);
		}
		progress(s, false);
		bs_report_free(&j->rep);
		mime_input_free(&j->in);
		bs_buf_release(&j->text);
		j->done = false;
		s->next_print++;
	}
	pthread_cond_broadcast(&s->cv_space);
}

/*
 * The stderr line for input that is no whole message: unreadable, past
 * the message limit, not scanned, or scanned but empty, not mail, or cut
 * short (the MIME layer's problems say which).
 */
static void complain(struct job *j)
{
	const struct bs_problems *p;
	const char *why = NULL;

	j->complaint[0] = '\0';
	if (j->in->status == BS_EIO) {
		snprintf(j->complaint, sizeof(j->complaint), "cannot read: %s",
		         strerror(j->in->sys_errno));
		return;
	}
	if (j->rep == NULL) {
		snprintf(j->complaint, sizeof(j->complaint), "not scanned: %s",
		         j->problem ? j->problem : "error");
		return;
	}
	p = bs_report_problems(j->rep);
	if (bs_problems_has(p, "mime", "empty"))
		why = "empty: no message in it";
	else if (bs_problems_has(p, "mime", "no-header"))
		why = "not a mail message: no header field at its start";
	else if (bs_problems_has(p, "mime", "truncated"))
		why = bs_problems_has(p, "mime", "no-body-separator")
		          ? "truncated: it ends inside a header (what is "
		            "there was scanned)"
		          : "truncated: it ends before a multipart's closing "
		            "boundary (what is there was scanned)";
	if (why)
		snprintf(j->complaint, sizeof(j->complaint), "%s", why);
}

static void run_job(struct scan *s, struct job *j)
{
	int rc;

	bs_buf_init(&j->text, OUT_MAX);
	j->problem = NULL;
	if (j->in->status) {
		j->problem = j->in->problem            ? j->in->problem
		             : j->in->status == BS_EIO ? "io:cannot read"
		                                       : "error";
	} else {
		rc = bs_scan(&j->rep, s->engine, j->in->bytes, j->in->len,
		             &s->sopt);
		if (rc)
			j->problem = rc == BS_ENOMEM ? "error:out of memory"
			                             : "error:scan failed";
	}
	complain(j);
	if (s->json)
		render_json(&j->text, j->in->source, j->rep, j->problem);
	else if (!s->quiet && (j->rep == NULL || s->verbose ||
	                       bs_report_tracks_open(j->rep) ||
	                       bs_report_receipt_count(j->rep)))
		render_text(&j->text, &s->term, j->in->source, j->rep,
		            j->problem, s->verbose);
	else if (!s->quiet)
		render_text(&j->text, &s->term, j->in->source, j->rep,
		            j->problem, false);
}

static void *worker(void *arg)
{
	struct scan *s = arg;
	struct job *j;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->next_take == s->next_seq && !s->reading_done)
			pthread_cond_wait(&s->cv_work, &s->mu);
		if (s->next_take == s->next_seq && s->reading_done)
			break;
		j = &s->ring[s->next_take++ % s->window];
		pthread_mutex_unlock(&s->mu);
		run_job(s, j);
		pthread_mutex_lock(&s->mu);
		j->done = true;
		flush_ready(s);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void print_summary(struct scan *s)
{
	FILE *f = stdout;
	size_t i;

	qsort(s->vendors.e, s->vendors.n, sizeof(s->vendors.e[0]), tally_cmp);
	qsort(s->unknown.e, s->unknown.n, sizeof(s->unknown.e[0]), tally_cmp);
	fprintf(f, "\n%s%zu message%s scanned: %zu track%s the opening%s",
	        term_sgr(&s->term, "\033[1m"), s->messages,
	        s->messages == 1 ? "" : "s", s->tracking,
	        s->tracking == 1 ? "s" : "", term_sgr(&s->term, "\033[0m"));
	if (s->receipts)
		fprintf(f, ", %zu ask%s for a read receipt", s->receipts,
		        s->receipts == 1 ? "s" : "");
	if (s->troubles)
		fprintf(f, ", %zu could not be scanned", s->troubles);
	if (s->partial)
		fprintf(f, ", %zu %s empty, not mail or cut short", s->partial,
		        s->partial == 1 ? "was" : "were");
	fputs(".\n", f);
	if (s->vendors.n) {
		fputs("known vendors: ", f);
		for (i = 0; i < s->vendors.n; i++)
			fprintf(f, "%s%s (%zu)", i ? ", " : "",
			        s->vendors.e[i].name, s->vendors.e[i].messages);
		fputs("\n", f);
	}
	if (s->unknown.n) {
		fputs("trackers no list knows: ", f);
		for (i = 0; i < s->unknown.n; i++)
			fprintf(f, "%s%s (%zu)", i ? ", " : "",
			        s->unknown.e[i].name, s->unknown.e[i].messages);
		fputs("\n", f);
	}
	if (s->problems_n)
		fprintf(f, "%zu message%s had problems (see each message).\n",
		        s->problems_n, s->problems_n == 1 ? "" : "s");
}

static void usage(FILE *f)
{
	fputs(
	    "usage: bugsweep scan [OPTION]... PATH...\n"
	    "Find the beacons in mail that report its opening, and say who\n"
	    "gets to know what. PATH is a message file, a directory (walked\n"
	    "recursively, Maildir-aware), an mbox file, or - for stdin.\n"
	    "\n"
	    "  --json                 JSON Lines on stdout, one object per "
	    "message\n"
	    "  -j, --jobs N           scan N messages at a time (default: "
	    "cores)\n"
	    "  --recipient ADDR       the reader's address (default: from "
	    "headers)\n"
	    "  -v, --verbose          also list content and every message\n"
	    "  -q, --quiet            only the summary (no effect with "
	    "--json)\n"
	    "  --signatures FILE      add a signature list (bugsweep or "
	    "Adblock syntax)\n"
	    "  --no-builtin-signatures  use only the lists given\n"
	    "  --psl FILE             use this Public Suffix List\n"
	    "  --color, --no-color    force colour on or off (default: on a "
	    "TTY)\n"
	    "  --progress, --no-progress  progress on stderr (default: on a "
	    "TTY)\n"
	    "  -h, --help             this help\n"
	    "\n"
	    "Exit status: 0 nothing tracks, 1 at least one message tracks its\n"
	    "opening, 2 an error (an input could not be read or scanned, or "
	    "was\n"
	    "empty, not mail or cut short: one line each on stderr).\n",
	    f);
}

int cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'J'},
	    {"jobs", required_argument, NULL, 'j'},
	    {"recipient", required_argument, NULL, 'r'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"db", required_argument, NULL, 'D'},
	    {"signatures", required_argument, NULL, OPT_SIGNATURES},
	    {"no-builtin-signatures", no_argument, NULL, OPT_NO_BUILTIN},
	    {"psl", required_argument, NULL, OPT_PSL},
	    {"color", no_argument, NULL, OPT_COLOR},
	    {"no-color", no_argument, NULL, OPT_NO_COLOR},
	    {"progress", no_argument, NULL, OPT_PROGRESS},
	    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct engine_opts eo;
	struct scan s;
	struct bs_engine *engine = NULL;
	pthread_t *threads = NULL;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	int color = -1, prog = -1, c, status = EXIT_TROUBLE, i;
	size_t nthreads = 0, t;
	uint64_t v;

	memset(&eo, 0, sizeof(eo));
	memset(&s, 0, sizeof(s));
	optind = 1;
	while ((c = getopt_long(argc, argv, "j:vqh", longopts, NULL)) != -1) {
		if (engine_opt(&eo, c, optarg) == 0)
			continue;
		switch (c) {
		case 'J':
			s.json = true;
			break;
		case 'j':
			if (bs_parse_uint(optarg, strlen(optarg), 1024, &v) !=
			        strlen(optarg) ||
			    v == 0)
				die_usage(
				    "bugsweep scan",
				    "--jobs wants a number from 1 to 1024");
			jobs = (long)v;
			break;
		case 'r':
			s.sopt.recipient = optarg;
			break;
		case 'v':
			s.verbose = true;
			break;
		case 'q':
			s.quiet = true;
			break;
		case 'D':
			fprintf(stderr,
			        "bugsweep scan: --db: the findings store "
			        "is not part of this build yet\n");
			return EXIT_TROUBLE;
		case OPT_COLOR:
			color = 1;
			break;
		case OPT_NO_COLOR:
			color = 0;
			break;
		case OPT_PROGRESS:
			prog = 1;
			break;
		case OPT_NO_PROGRESS:
			prog = 0;
			break;
		case 'h':
			usage(stdout);
			return EXIT_NOTHING;
		default:
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	if (optind >= argc)
		die_usage("bugsweep scan", "no PATH given (use - for stdin)");
	if (jobs < 1)
		jobs = 1;
	term_init(&s.term, s.json ? 0 : color, prog);
	if (mime_global_init()) {
		fprintf(stderr, "bugsweep scan: cannot initialise GMime\n");
		return EXIT_TROUBLE;
	}
	engine = engine_open(&eo, "bugsweep scan");
	if (engine == NULL)
		goto out;
	s.engine = engine;
	s.window = (size_t)jobs * 4;
	s.ring = bs_calloc(s.window, sizeof(*s.ring));
	threads = bs_calloc((size_t)jobs, sizeof(*threads));
	if (!s.ring || !threads)
		goto nomem;
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv_work, NULL);
	pthread_cond_init(&s.cv_space, NULL);
	for (t = 0; t < (size_t)jobs; t++) {
		if (pthread_create(&threads[t], NULL, worker, &s))
			break;
		nthreads++;
	}
	if (nthreads == 0)
		goto nomem;

	for (i = optind; i < argc; i++) {
		struct mime_reader *rd = NULL;
		struct mime_input *in;
		int rc =
		    mime_reader_open(&rd, argv[i], bs_engine_limits(engine));

		if (rc) {
			fprintf(stderr, "bugsweep scan: %s: %s\n", argv[i],
			        rc == BS_EIO ? strerror(errno)
			                     : bs_strerror(rc));
			s.troubles++;
			continue;
		}
		while ((rc = mime_reader_next(rd, &in)) == 0 && in) {
			pthread_mutex_lock(&s.mu);
			while (s.next_seq - s.next_print >= s.window)
				pthread_cond_wait(&s.cv_space, &s.mu);
			memset(&s.ring[s.next_seq % s.window], 0,
			       sizeof(struct job));
			s.ring[s.next_seq % s.window].in = in;
			s.next_seq++;
			pthread_cond_signal(&s.cv_work);
			pthread_mutex_unlock(&s.mu);
		}
		if (rc) {
			fprintf(stderr, "bugsweep scan: %s: %s\n", argv[i],
			        bs_strerror(rc));
			s.troubles++;
		}
		mime_reader_free(&rd);
	}
	pthread_mutex_lock(&s.mu);
	s.reading_done = true;
	pthread_cond_broadcast(&s.cv_work);
	pthread_mutex_unlock(&s.mu);
	for (t = 0; t < nthreads; t++)
		pthread_join(threads[t], NULL);
	progress(&s, true);

	if (!s.json)
		print_summary(&s);
	if (fflush(stdout) || s.out_error) {
		fprintf(stderr, "bugsweep scan: writing output: %s\n",
		        strerror(s.out_error ? s.out_error : errno));
		goto out;
	}
	status = s.troubles || s.partial ? EXIT_TROUBLE
	         : s.tracking            ? EXIT_FOUND
	                                 : EXIT_NOTHING;
	goto out;
nomem:
	fprintf(stderr, "bugsweep scan: out of memory\n");
out:
	tally_free(&s.vendors);
	tally_free(&s.unknown);
	bs_free(s.ring);
	bs_free(threads);
	bs_engine_free(&engine);
	return status;
}
