/*
 * html5lib_tree - runs the html5lib tree-construction suite
 * (the .dat files of tree-construction, not scripted/) through html_parser with
 * the DOM test sink, scripting off: cases marked #script-on are skipped.
 *
 * Each case is parsed whole and compared with #document (the error count
 * is not compared), and again in 1-byte chunks and, for short inputs,
 * split in two at every position: those must give the same DOM as the
 * whole parse. Every run also checks the sink protocol.
 *
 * usage: html5lib_tree SHARED_DIR KNOWN_FAILURES [-v]
 * Exit status 1 when a case fails that KNOWN_FAILURES does not list.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bugsweep/limits.h"
#include "dom_sink.h"
#include "html/parser.h"
#include "testutil.h"

#define SHORT_INPUT 200

struct known {
	char **items;
	size_t n;
	bool *seen;
};

static bool verbose;

static void load_known(struct known *k, const char *path)
{
	size_t len;
	char *s = tu_read_file(path, &len), *line, *save = NULL;

	memset(k, 0, sizeof(*k));
	if (s == NULL)
		return;
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		sp = strchr(line, ' ');
		if (sp)
			*sp = '\0';
		k->items = realloc(k->items, (k->n + 1) * sizeof(char *));
		k->items[k->n++] = strdup(line);
	}
	k->seen = calloc(k->n + 1, sizeof(bool));
	free(s);
}

static bool is_known(struct known *k, const char *id)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->items[i], id) == 0) {
			k->seen[i] = true;
			return true;
		}
	return false;
}

struct tcase {
	char *data;
	size_t data_len;
	char *context; /* NULL for a document */
	char *expected;
	bool script_on;
	unsigned line;
};

/* Parse with the given chunking: split[] are the chunk end offsets. */
static char *run(const struct tcase *tc, const size_t *ends, size_t nends,
                 const char **protocol)
{
	static char proto_err[300];
	struct html_parser_options opt;
	struct bs_limits lim;
	struct html_parser *p;
	struct dom d;
	char *out;
	size_t i, at = 0;
	int r = 0;

	bs_limits_default(&lim);
	dom_init(&d);
	memset(&opt, 0, sizeof(opt));
	opt.limits = &lim;
	opt.sink = &dom_sink;
	opt.sink_ctx = &d;
	opt.conditional_comments = false;
	if (tc->context) {
		if (strncmp(tc->context, "svg ", 4) == 0) {
			opt.context_ns = HTML_NS_SVG;
			opt.context_name = tc->context + 4;
		} else if (strncmp(tc->context, "math ", 5) == 0) {
			opt.context_ns = HTML_NS_MATHML;
			opt.context_name = tc->context + 5;
		} else {
			opt.context_ns = HTML_NS_HTML;
			opt.context_name = tc->context;
		}
	}
	p = html_parser_new(&opt);
	if (p == NULL) {
		*protocol = "html_parser_new failed";
		dom_free(&d);
		return strdup("");
	}
	for (i = 0; i < nends && r == 0; i++) {
		r = html_parser_push(p, tc->data + at, ends[i] - at);
		at = ends[i];
	}
	if (r == 0)
		r = html_parser_finish(p);
	html_parser_free(&p);
	*protocol = dom_check(&d);
	if (*protocol) {
		snprintf(proto_err, sizeof(proto_err), "%s", *protocol);
		*protocol = proto_err;
	}
	if (r != 0 && *protocol == NULL)
		*protocol = "parser returned an error";
	out = dom_serialize(&d, tc->context != NULL);
	dom_free(&d);
	return out;
}

static char *run_whole(const struct tcase *tc, const char **protocol)
{
	size_t end = tc->data_len;

	return run(tc, &end, 1, protocol);
}

struct stats {
	unsigned passed, failed, unexpected, skipped;
	unsigned cpassed, cfailed;
};

static void check_chunked(const struct tcase *tc, const char *file,
                          const char *whole, struct stats *st)
{
	size_t *ends, i, n = tc->data_len;
	const char *proto;
	char *got;
	bool ok = true;

	ends = calloc(n + 1, sizeof(*ends));
	for (i = 0; i < n; i++)
		ends[i] = i + 1;
	got = run(tc, ends, n, &proto);
	if (proto || strcmp(got, whole) != 0) {
		ok = false;
		printf("CHUNKED FAIL %s:%u (1-byte chunks)%s%s\n", file,
		       tc->line, proto ? ": " : "", proto ? proto : "");
		if (verbose)
			printf("--- got\n%s--- whole\n%s", got, whole);
	}
	free(got);
	if (ok && n <= SHORT_INPUT) {
		for (i = 1; i < n && ok; i++) {
			size_t two[2] = {i, n};

			got = run(tc, two, 2, &proto);
			if (proto || strcmp(got, whole) != 0) {
				ok = false;
				printf(
				    "CHUNKED FAIL %s:%u (split at %zu)%s%s\n",
				    file, tc->line, i, proto ? ": " : "",
				    proto ? proto : "");
			}
			free(got);
		}
	}
	free(ends);
	if (ok)
		st->cpassed++;
	else
		st->cfailed++;
}

static void run_case(const struct tcase *tc, const char *file, struct known *k,
                     struct stats *st)
{
	const char *proto;
	char *got, id[300];

	if (tc->script_on) {
		st->skipped++;
		return;
	}
	got = run_whole(tc, &proto);
	snprintf(id, sizeof(id), "%s:%u", file, tc->line);
	if (proto == NULL && strcmp(got, tc->expected) == 0) {
		st->passed++;
	} else {
		bool known = is_known(k, id);

		st->failed++;
		if (!known)
			st->unexpected++;
		printf("FAIL %s%s%s%s\n", id, known ? " (known)" : "",
		       proto ? ": " : "", proto ? proto : "");
		if (verbose || !known) {
			printf("--- input\n%.*s\n", (int)tc->data_len,
			       tc->data);
			if (tc->context)
				printf("--- context %s\n", tc->context);
			printf("--- got\n%s--- want\n%s", got, tc->expected);
		}
	}
	check_chunked(tc, file, got, st);
	free(got);
}

static bool line_is(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

static void run_file(const char *dir, const char *name, struct known *k,
                     struct stats *st)
{
	char path[8192];
	size_t len, pos = 0;
	unsigned lineno = 0;
	char *s;
	enum { NONE, DATA, ERRORS, FRAG, DOC } sec = NONE;
	struct tcase tc;
	size_t data_start = 0, doc_start = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	s = tu_read_file(path, &len);
	if (s == NULL) {
		printf("cannot read %s\n", path);
		st->failed++;
		st->unexpected++;
		return;
	}
	memset(&tc, 0, sizeof(tc));
	while (pos <= len) {
		const char *l = s + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - l) : len - pos;
		size_t next = pos + ll + 1;
		bool at_end = nl == NULL;

		lineno++;
		if (sec == DOC) {
			/* the document ends at a blank line before the next
			 * #data, or at the end of the file */
			bool end = at_end;

			if (!end && ll == 0) {
				const char *q = s + next;

				end = next >= len ||
				      (len - next >= 6 &&
				       memcmp(q, "#data\n", 6) == 0);
			}
			if (end) {
				size_t dl = pos - doc_start;

				if (at_end && ll)
					dl = len - doc_start;
				tc.expected = malloc(dl + 2);
				memcpy(tc.expected, s + doc_start, dl);
				tc.expected[dl] = '\0';
				/* one trailing newline, as dom_serialize */
				while (dl && tc.expected[dl - 1] == '\n')
					tc.expected[--dl] = '\0';
				if (dl) {
					tc.expected[dl++] = '\n';
					tc.expected[dl] = '\0';
				}
				run_case(&tc, name, k, st);
				free(tc.expected);
				free(tc.context);
				free(tc.data);
				memset(&tc, 0, sizeof(tc));
				sec = NONE;
			}
		} else if (line_is(l, ll, "#data")) {
			sec = DATA;
			tc.line = lineno;
			data_start = next;
		} else if (sec == DATA && line_is(l, ll, "#errors")) {
			size_t dl = pos > data_start ? pos - data_start - 1 : 0;

			tc.data = malloc(dl + 1);
			memcpy(tc.data, s + data_start, dl);
			tc.data[dl] = '\0';
			tc.data_len = dl;
			sec = ERRORS;
		} else if (sec == ERRORS || sec == FRAG) {
			if (line_is(l, ll, "#document-fragment")) {
				sec = FRAG;
			} else if (line_is(l, ll, "#script-on")) {
				tc.script_on = true;
			} else if (line_is(l, ll, "#script-off")) {
				tc.script_on = false;
			} else if (line_is(l, ll, "#document")) {
				sec = DOC;
				doc_start = next;
			} else if (sec == FRAG && tc.context == NULL) {
				tc.context = strndup(l, ll);
			}
		}
		if (at_end)
			break;
		pos = next;
	}
	if (sec == DOC) {
		printf("unterminated case in %s\n", name);
	}
	free(tc.data);
	free(tc.context);
	free(s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char dir[4096];
	struct known k;
	struct stats st = {0};
	DIR *dp;
	struct dirent *de;
	char **names = NULL;
	size_t nnames = 0, i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SHARED_DIR KNOWN_FAILURES [-v]\n",
		        argv[0]);
		return 2;
	}
	verbose = argc > 3 && strcmp(argv[3], "-v") == 0;
	snprintf(dir, sizeof(dir),
	         "%s/conformance/html5lib-tests/tree-construction", argv[1]);
	load_known(&k, argv[2]);
	dp = opendir(dir);
	if (dp == NULL) {
		fprintf(stderr, "cannot open %s\n", dir);
		return 2;
	}
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l > 4 && strcmp(de->d_name + l - 4, ".dat") == 0) {
			names = realloc(names, (nnames + 1) * sizeof(char *));
			names[nnames++] = strdup(de->d_name);
		}
	}
	closedir(dp);
	qsort(names, nnames, sizeof(char *), cmp_str);
	for (i = 0; i < nnames; i++) {
		run_file(dir, names[i], &k, &st);
		free(names[i]);
	}
	free(names);
	for (i = 0; i < k.n; i++) {
		if (!k.seen[i])
			printf("note: known failure %s now passes or is "
			       "gone\n",
			       k.items[i]);
		free(k.items[i]);
	}
	free(k.items);
	free(k.seen);
	printf("FIGURE html5lib-tree skipped (#script-on): %u\n", st.skipped);
	printf("html5lib-tree: %u passed, %u failed\n", st.passed, st.failed);
	printf("html5lib-tree-chunked: %u passed, %u failed\n", st.cpassed,
	       st.cfailed);
	return st.unexpected || st.cfailed ? 1 : 0;
}
