/*
 * bench-html - throughput and hostile-input behaviour of our HTML engine,
 * against gumbo and libxml2's HTML parser, in one process.
 *
 * usage: bench-html SHARED_DIR [-r RUNS] [-t SECONDS] [-g SECONDS]
 *                   [--no-corpus] [--no-hostile] [--no-gumbo-hostile]
 *                   [--only ENGINE]
 *
 * Input sets: a generated newsletter (newsletter.c, ~60 KB) and every
 * text/html part of SHARED_DIR/corpus (decoded to UTF-8 by src/lib/mime).
 * Engines, each in a fresh forked child (same heap state for all), timed
 * for at least SECONDS (default 0.5) per run, best of RUNS (default 3):
 *   ours-count  html_parse() with a sink that only counts elements and
 *               attributes (Outlook conditional comments parsed, as for
 *               mail: their content is parsed a second time as fragments)
 *   ours-dom    html_dom_parse() reusing the tree: builds a tree, the
 *               fair comparison with gumbo (same conditional comments)
 *   ours-dom-plain  the same with conditional comments off, which is what
 *               gumbo and libxml2 do
 *   ...+mallopt the two above with glibc told to keep freed memory
 *               (M_TRIM_THRESHOLD 256 MB, M_MMAP_THRESHOLD 32 MB), as a
 *               long-running front end may: the difference is the cost of
 *               page faults on memory the DOM gets back from the kernel
 *               for every document
 *   gumbo       gumbo_parse_with_options(kGumboDefaultOptions) +
 *               gumbo_destroy_output()
 *   libxml2     htmlReadMemory(RECOVER|NOERROR|NOWARNING|NONET) +
 *               xmlFreeDoc()
 * Times are CPU time of the process (CLOCK_PROCESS_CPUTIME_ID), so that
 * other load on the machine counts less. MB are 10^6 bytes. The last line
 * is
 *   html_mb_per_s=X gumbo_mb_per_s=Y ratio_vs_gumbo=R
 * with X = ours-dom on the newsletter and Y = gumbo on it.
 *
 * Hostile inputs are generated in memory, each followed by
 * <img src="https://after.example/p.gif">, and each parsed in a forked
 * child so that the peak memory of one case does not hide another's:
 * ms per MB of input, peak RSS growth (getrusage ru_maxrss after the
 * parse minus before it) and whether the trailing img was reported. gumbo
 * runs there too, killed after -g SECONDS (default 10).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gumbo.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <malloc.h>

#include "../tests/corpus/corpus_docs.h"
#include "bugsweep/limits.h"
#include "html/dom.h"
#include "mime/mime.h"
#include "newsletter.h"

#define AFTER_URL "https://after.example/p.gif"
#define AFTER_IMG "<img src=\"" AFTER_URL "\">"

static struct bs_limits lim;
static double min_seconds = 0.5;
static int runs = 3;
static const char *only; /* time this engine only (for a profiler) */

/* CPU time of this process: the machine is shared, and time spent waiting
 * for a core is not the parser's. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the counting sink ---- */

struct counts {
	size_t elements, attrs;
	bool after_img; /* the trailing <img> of a hostile case */
};

static char handle_dummy;

static html_handle c_create_element(void *ctx, const struct html_element *el)
{
	struct counts *c = ctx;
	size_t i;

	c->elements++;
	c->attrs += el->nattrs;
	if (el->tag == HTML_TAG_IMG && el->ns == HTML_NS_HTML)
		for (i = 0; i < el->nattrs; i++)
			if (el->attrs[i].value_len == sizeof(AFTER_URL) - 1 &&
			    memcmp(el->attrs[i].value, AFTER_URL,
			           sizeof(AFTER_URL) - 1) == 0)
				c->after_img = true;
	return &handle_dummy;
}

static const struct html_sink count_sink = {
    .create_element = c_create_element,
};

/* ---- engines ---- */

struct engine {
	const char *name;
	/* 0 on success; *after set when the trailing img was seen (only
	 * asked for by the hostile cases: check may be false). */
	int (*parse)(const char *s, size_t n, bool check, bool *after);
	/* Tell glibc to keep freed memory (no heap trimming, no mmap for
	 * blocks under 32 MB) before timing. */
	bool keep_memory;
};

static int e_count(const char *s, size_t n, bool check, bool *after)
{
	struct html_parser_options o = {0};
	struct counts c = {0};
	int rc;

	(void)check;
	o.limits = &lim;
	o.sink = &count_sink;
	o.sink_ctx = &c;
	o.conditional_comments = true;
	rc = html_parse(&o, s, n);
	*after = c.after_img;
	return rc;
}

static bool dom_has_after(const struct html_dom *dom)
{
	const struct dom_node *nd;
	const struct html_attr *a;
	size_t i;

	for (i = 0; i < html_dom_count(dom); i++) {
		nd = html_dom_node(dom, (uint32_t)i);
		if (nd->type != DOM_ELEMENT || nd->tag != HTML_TAG_IMG)
			continue;
		a = dom_attr(nd, "src");
		if (a && strcmp(a->value, AFTER_URL) == 0 &&
		    nd->parent != DOM_NONE)
			return true;
	}
	return false;
}

static int dom_parse(const char *s, size_t n, bool check, bool *after,
                     bool cond)
{
	/* A scanner parses one document after another; like the CLI, the
	 * bench reuses the tree's memory (html_dom_parse() with *out set).
	 * It is freed when the child process that runs an engine exits. */
	static struct html_dom *dom;
	struct html_parser_options o = {0};
	int rc;

	o.limits = &lim;
	o.conditional_comments = cond;
	rc = html_dom_parse(&dom, &o, s, n);
	if (rc == 0 && check)
		*after = dom_has_after(dom);
	return rc;
}

static int e_dom(const char *s, size_t n, bool check, bool *after)
{
	return dom_parse(s, n, check, after, true);
}

static int e_dom_plain(const char *s, size_t n, bool check, bool *after)
{
	return dom_parse(s, n, check, after, false);
}

/* Iterative: hostile trees are far too deep to recurse. */
static bool gumbo_has_after(const GumboNode *root)
{
	const GumboNode **st, *nd;
	const GumboVector *kids;
	const GumboAttribute *a;
	size_t sp = 0, cap = 1024, i;
	bool found = false;

	st = malloc(cap * sizeof(*st));
	if (st == NULL)
		return false;
	st[sp++] = root;
	while (sp > 0 && !found) {
		nd = st[--sp];
		if (nd->type == GUMBO_NODE_DOCUMENT) {
			kids = &nd->v.document.children;
		} else if (nd->type == GUMBO_NODE_ELEMENT ||
		           nd->type == GUMBO_NODE_TEMPLATE) {
			kids = &nd->v.element.children;
			a = gumbo_get_attribute(&nd->v.element.attributes,
			                        "src");
			if (nd->v.element.tag == GUMBO_TAG_IMG && a &&
			    strcmp(a->value, AFTER_URL) == 0)
				found = true;
		} else {
			continue;
		}
		for (i = 0; i < kids->length; i++) {
			if (sp == cap) {
				const GumboNode **ns =
				    realloc(st, 2 * cap * sizeof(*st));
				if (ns == NULL) {
					free(st);
					return false;
				}
				st = ns;
				cap *= 2;
			}
			st[sp++] = kids->data[i];
		}
	}
	free(st);
	return found;
}

static int e_gumbo(const char *s, size_t n, bool check, bool *after)
{
	GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, s, n);

	if (g == NULL)
		return -1;
	if (check) {
		/* A hostile case: the child exits right after, and gumbo
		 * frees its tree recursively (too deep for the stack). */
		*after = gumbo_has_after(g->document);
		return 0;
	}
	gumbo_destroy_output(&kGumboDefaultOptions, g);
	return 0;
}

static int e_libxml2(const char *s, size_t n, bool check, bool *after)
{
	htmlDocPtr doc;

	(void)check;
	(void)after;
	if (n > INT32_MAX)
		return -1;
	doc = htmlReadMemory(s, (int)n, NULL, "UTF-8",
	                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
	                         HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	/* NULL for an empty document or one without any markup: nothing
	 * to free, and not a failure of the benchmark. */
	if (doc != NULL)
		xmlFreeDoc(doc);
	return 0;
}

enum {
	E_COUNT,
	E_DOM,
	E_DOM_PLAIN,
	E_DOM_KEEP,
	E_DOM_PLAIN_KEEP,
	E_GUMBO,
	E_LIBXML2,
	E_N
};

static const struct engine engines[E_N] = {
    [E_COUNT] = {"ours-count", e_count, false},
    [E_DOM] = {"ours-dom", e_dom, false},
    [E_DOM_PLAIN] = {"ours-dom-plain", e_dom_plain, false},
    [E_DOM_KEEP] = {"ours-dom+mallopt", e_dom, true},
    [E_DOM_PLAIN_KEEP] = {"ours-dom-plain+mallopt", e_dom_plain, true},
    [E_GUMBO] = {"gumbo", e_gumbo, false},
    [E_LIBXML2] = {"libxml2", e_libxml2, false},
};

/* ---- throughput ---- */

struct input {
	const char *name;
	const char *const *doc;
	const size_t *len;
	size_t n;
	double bytes;
};

static double run(const struct engine *e, const struct input *in,
                  unsigned iters)
{
	double t0 = now();
	unsigned k;
	size_t i;
	bool after;

	for (k = 0; k < iters; k++)
		for (i = 0; i < in->n; i++)
			if (e->parse(in->doc[i], in->len[i], false, &after) !=
			    0) {
				fprintf(stderr, "%s: parse failed on %s #%zu\n",
				        e->name, in->name, i);
				exit(1);
			}
	return now() - t0;
}

/* MB/s, best of `runs` runs of at least min_seconds each. */
static double measure(const struct engine *e, const struct input *in)
{
	unsigned iters = 1;
	double t = run(e, in, 1), best = INFINITY;
	int r;

	while (t < min_seconds / 8) {
		iters *= 2;
		t = run(e, in, iters);
	}
	if (t < min_seconds)
		iters = (unsigned)ceil(iters * min_seconds * 1.05 / t);
	for (r = 0; r < runs; r++) {
		t = run(e, in, iters);
		if (t < best)
			best = t;
	}
	return in->bytes * iters / best / 1e6;
}

/*
 * measure() in a forked child, so that every engine starts from the same
 * fresh heap: what one engine leaves in malloc's free lists (or gave back
 * to the kernel) changes the next one's page faults by up to 1.6x.
 */
static double measure_isolated(const struct engine *e, const struct input *in)
{
	double v = NAN;
	int fds[2], st;
	pid_t pid;
	ssize_t w;

	fflush(stdout);
	if (pipe(fds) != 0 || (pid = fork()) < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		close(fds[0]);
		if (e->keep_memory) {
			mallopt(M_TRIM_THRESHOLD, 256 << 20);
			mallopt(M_MMAP_THRESHOLD, 32 << 20);
		}
		v = measure(e, in);
		w = write(fds[1], &v, sizeof(v));
		_exit(w == (ssize_t)sizeof(v) ? 0 : 1);
	}
	close(fds[1]);
	if (read(fds[0], &v, sizeof(v)) != (ssize_t)sizeof(v))
		v = NAN;
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return v;
}

static void bench_set(const struct input *in, double mbs[E_N])
{
	int e;

	printf("\n%s: %zu document%s, %.2f MB\n", in->name, in->n,
	       in->n == 1 ? "" : "s", in->bytes / 1e6);
	for (e = 0; e < E_N; e++) {
		if (only && strcmp(only, engines[e].name) != 0) {
			mbs[e] = NAN;
			continue;
		}
		mbs[e] = measure_isolated(&engines[e], in);
		printf("  %-22s %9.1f MB/s\n", engines[e].name, mbs[e]);
		fflush(stdout);
	}
	if (only == NULL)
		printf(
		    "  ours-dom / gumbo %.1fx, ours-dom-plain / gumbo %.1fx, "
		    "ours-count / gumbo %.1fx, ours-dom / libxml2 %.1fx\n",
		    mbs[E_DOM] / mbs[E_GUMBO], mbs[E_DOM_PLAIN] / mbs[E_GUMBO],
		    mbs[E_COUNT] / mbs[E_GUMBO], mbs[E_DOM] / mbs[E_LIBXML2]);
}

/* ---- hostile inputs ---- */

struct text {
	char *p;
	size_t n, cap;
};

static void t_init(struct text *t, size_t cap)
{
	t->p = malloc(cap + 1);
	t->n = 0;
	t->cap = cap;
	if (t->p == NULL) {
		fprintf(stderr, "out of memory\n");
		_exit(3);
	}
}

/* Sizes are computed up front so that building the input never
 * reallocates: a realloc peak would hide the parser's own. */
static void t_add(struct text *t, const char *s, size_t n)
{
	if (t->n + n > t->cap) {
		fprintf(stderr, "hostile input larger than computed\n");
		_exit(3);
	}
	memcpy(t->p + t->n, s, n);
	t->n += n;
	t->p[t->n] = '\0';
}

static void t_repeat(struct text *t, const char *s, size_t times)
{
	size_t n = strlen(s), i;

	for (i = 0; i < times; i++)
		t_add(t, s, n);
}

static void t_close(struct text *t)
{
	t_add(t, AFTER_IMG, sizeof(AFTER_IMG) - 1);
}

#define STRLEN(s) (sizeof(s) - 1)
#define TAIL      STRLEN(AFTER_IMG)

static void h_divs(struct text *t)
{
	t_init(t, 100000 * STRLEN("<div>") + TAIL);
	t_repeat(t, "<div>", 100000);
	t_close(t);
}

static void h_tables(struct text *t)
{
	t_init(t, 100000 * STRLEN("<table><tr><td>") + TAIL);
	t_repeat(t, "<table><tr><td>", 100000);
	t_close(t);
}

static void h_formatting(struct text *t)
{
	t_init(t, 50000 * STRLEN("<b><i><font>") + TAIL);
	t_repeat(t, "<b><i><font>", 50000);
	t_close(t);
}

static void h_formatting_wrong(struct text *t)
{
	t_init(t, 50000 * STRLEN("<b><i><font></b></i></font>") + TAIL);
	t_repeat(t, "<b><i><font>", 50000);
	t_repeat(t, "</b></i></font>", 50000);
	t_close(t);
}

static void h_attrs(struct text *t)
{
	char a[32];
	size_t i;
	int k;

	t_init(t, 3 + 60000 * STRLEN(" a99999=\"x\"") + 1 + TAIL);
	t_add(t, "<p", 2);
	for (i = 0; i < 60000; i++) {
		k = snprintf(a, sizeof(a), " a%zu=\"x\"", i);
		t_add(t, a, (size_t)k);
	}
	t_add(t, ">", 1);
	t_close(t);
}

static void h_attr_value(struct text *t)
{
	size_t n = 20u << 20;

	t_init(t, STRLEN("<p title=\"") + n + STRLEN("\">") + TAIL);
	t_add(t, "<p title=\"", STRLEN("<p title=\""));
	memset(t->p + t->n, 'a', n);
	t->n += n;
	t_add(t, "\">", 2);
	t_close(t);
}

static void h_lt(struct text *t)
{
	size_t n = 1u << 20;

	t_init(t, n + TAIL);
	memset(t->p, '<', n);
	t->n = n;
	t_close(t);
}

static void h_comments(struct text *t)
{
	t_init(t, 50000 * STRLEN("<!--") + TAIL);
	t_repeat(t, "<!--", 50000);
	t_close(t);
}

static void h_comments_closed(struct text *t)
{
	t_init(t, 50000 * STRLEN("<!--") + STRLEN("-->") + TAIL);
	t_repeat(t, "<!--", 50000);
	t_add(t, "-->", 3);
	t_close(t);
}

static void h_cond(struct text *t)
{
	t_init(t, 50000 * STRLEN("<!--[if mso]>") + TAIL);
	t_repeat(t, "<!--[if mso]>", 50000);
	t_close(t);
}

static void h_cond_closed(struct text *t)
{
	t_init(t, 50000 * STRLEN("<!--[if mso]><div><![endif]-->") + TAIL);
	t_repeat(t, "<!--[if mso]><div>", 50000);
	t_repeat(t, "<![endif]-->", 50000);
	t_close(t);
}

struct hcase {
	const char *name;
	void (*make)(struct text *t);
	const char *note; /* set when the img is rightly not an element */
};

static const struct hcase hcases[] = {
    {"100000 nested <div>", h_divs, NULL},
    {"100000 nested <table><tr><td>", h_tables, NULL},
    {"50000 nested <b><i><font>", h_formatting, NULL},
    {"  ... closed </b></i></font>", h_formatting_wrong, NULL},
    {"60000 attributes on one tag", h_attrs, NULL},
    {"20 MB attribute value", h_attr_value, NULL},
    {"1 MB of '<'", h_lt, NULL},
    {"50000 unclosed '<!--'", h_comments,
     "the img is inside the unclosed comment: not an element"},
    {"  ... then one '-->'", h_comments_closed, NULL},
    {"50000 unclosed '<!--[if mso]>'", h_cond,
     "inside the unclosed comment: not an element"},
    {"50000 '<!--[if mso]><div>' + '<![endif]-->'", h_cond_closed, NULL},
};

struct hresult {
	int status; /* 0 ok, 1 parse error, 2 timeout, 3 crashed */
	double seconds;
	double peak_mb;
	size_t input;
	bool after;
};

static void child(const struct hcase *hc, const struct engine *e,
                  unsigned timeout, int fd)
{
	struct hresult r = {0};
	struct rusage ru0, ru1;
	struct text t;
	double t0;
	ssize_t w;

	alarm(timeout);
	hc->make(&t);
	r.input = t.n;
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now();
	r.status = e->parse(t.p, t.n, true, &r.after) == 0 ? 0 : 1;
	r.seconds = now() - t0;
	getrusage(RUSAGE_SELF, &ru1);
	r.peak_mb = (double)(ru1.ru_maxrss - ru0.ru_maxrss) / 1024.0;
	w = write(fd, &r, sizeof(r));
	_exit(w == (ssize_t)sizeof(r) ? 0 : 3);
}

static void hostile_one(const struct hcase *hc, const struct engine *e,
                        unsigned timeout)
{
	struct hresult r = {0};
	int fds[2], st = 0;
	pid_t pid;
	ssize_t got = 0;

	fflush(stdout);
	if (pipe(fds) != 0) {
		perror("pipe");
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		close(fds[0]);
		child(hc, e, timeout, fds[1]);
	}
	close(fds[1]);
	while (got < (ssize_t)sizeof(r)) {
		ssize_t k = read(fds[0], (char *)&r + got, sizeof(r) - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += k;
	}
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	printf("  %-44s %-14s ", hc->name, e->name);
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		printf("timeout after %u s\n", timeout);
	else if (got != (ssize_t)sizeof(r) || !WIFEXITED(st))
		printf("crashed (%s)\n",
		       WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "no result");
	else
		printf("%9.1f %9.1f %9.1f  %s%s%s\n",
		       r.seconds * 1e3 / (r.input / 1e6), r.seconds * 1e3,
		       r.peak_mb, r.after ? "yes" : "no",
		       r.status ? "  (parse error)" : "",
		       !r.after && hc->note ? "  (right: in the comment)" : "");
}

static void hostile(bool with_gumbo, unsigned gumbo_timeout)
{
	size_t i;

	printf("\nhostile inputs (each in a forked child; MB = 10^6 bytes of "
	       "input; peak = RSS growth)\n");
	printf("  %-44s %-14s %9s %9s %9s  %s\n", "case", "engine", "ms/MB",
	       "ms", "peak MB", "img");
	for (i = 0; i < sizeof(hcases) / sizeof(hcases[0]); i++) {
		hostile_one(&hcases[i], &engines[E_COUNT], 300);
		hostile_one(&hcases[i], &engines[E_DOM], 300);
		if (with_gumbo)
			hostile_one(&hcases[i], &engines[E_GUMBO],
			            gumbo_timeout);
	}
	printf("  (ms is CPU time of the parse; img: was the trailing <img> "
	       "reported as an element)\n");
}

int main(int argc, char **argv)
{
	struct corpus_docs docs = {0};
	struct input news, corp;
	const char **cdoc;
	size_t nlen, *clen, i;
	double mn[E_N], mc[E_N];
	unsigned images, gumbo_timeout = 10;
	bool do_corpus = true, do_hostile = true, gumbo_hostile = true;
	const char *nl;
	int a;

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr,
		        "usage: %s SHARED_DIR [-r RUNS] [-t SECONDS] "
		        "[-g SECONDS] [--no-corpus] [--no-hostile] "
		        "[--no-gumbo-hostile] [--only ENGINE]\n",
		        argv[0]);
		return 2;
	}
	for (a = 2; a < argc; a++) {
		if (strcmp(argv[a], "-r") == 0 && a + 1 < argc)
			runs = (int)strtol(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "-t") == 0 && a + 1 < argc)
			min_seconds = strtod(argv[++a], NULL);
		else if (strcmp(argv[a], "-g") == 0 && a + 1 < argc)
			gumbo_timeout = (unsigned)strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--only") == 0 && a + 1 < argc)
			only = argv[++a];
		else if (strcmp(argv[a], "--no-corpus") == 0)
			do_corpus = false;
		else if (strcmp(argv[a], "--no-hostile") == 0)
			do_hostile = false;
		else if (strcmp(argv[a], "--no-gumbo-hostile") == 0)
			gumbo_hostile = false;
		else {
			fprintf(stderr, "unknown argument %s\n", argv[a]);
			return 2;
		}
	}
	if (runs < 1)
		runs = 1;
	bs_limits_default(&lim);
	xmlInitParser();

	nl = newsletter_make(60000, &nlen, &images);
	if (nl == NULL)
		return 1;
	news = (struct input){"newsletter (generated)", &nl, &nlen, 1,
	                      (double)nlen};
	printf("bench-html: best of %d runs of >= %.2f s each\n", runs,
	       min_seconds);
	printf("newsletter: %zu bytes, %u <img>\n", nlen, images);
	bench_set(&news, mn);

	if (do_corpus) {
		if (corpus_docs_load(&docs, argv[1]) != 0)
			return 1;
		cdoc = malloc(docs.n * sizeof(*cdoc));
		clen = malloc(docs.n * sizeof(*clen));
		if (cdoc == NULL || clen == NULL)
			return 1;
		for (i = 0; i < docs.n; i++) {
			cdoc[i] = docs.doc[i].text;
			clen[i] = docs.doc[i].len;
		}
		corp = (struct input){"corpus text/html parts", cdoc, clen,
		                      docs.n, (double)docs.bytes};
		printf("\ncorpus: %zu messages", docs.messages);
		bench_set(&corp, mc);
		free(cdoc);
		free(clen);
		corpus_docs_free(&docs);
	}

	if (do_hostile)
		hostile(gumbo_hostile, gumbo_timeout);

	printf("\nhtml_count_mb_per_s=%.1f (counting sink, newsletter)\n",
	       mn[E_COUNT]);
	printf("html_mb_per_s=%.1f gumbo_mb_per_s=%.1f ratio_vs_gumbo=%.1f\n",
	       mn[E_DOM], mn[E_GUMBO], mn[E_DOM] / mn[E_GUMBO]);
	free((char *)nl);
	mime_global_shutdown();
	xmlCleanupParser();
	return 0;
}
