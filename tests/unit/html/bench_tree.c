/*
 * bench_tree - throughput of the HTML engine (tokenizer + tree builder +
 * a sink that keeps nothing) against gumbo on the same documents.
 *
 * usage: bench_tree [-n ITER] [-x] FILE...   (-x: skip gumbo, for profiling)
 * Prints MB/s per file and over all files, for bugsweep and for gumbo.
 * Build with --buildtype=release to measure.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gumbo.h>

#include "bugsweep/limits.h"
#include "html/parser.h"

static int dummy;
static unsigned long elements;

static html_handle t_document(void *ctx)
{
	(void)ctx;
	return &dummy;
}

static html_handle t_create_element(void *ctx, const struct html_element *el)
{
	(void)ctx;
	(void)el;
	elements++;
	return &dummy;
}

static html_handle t_create_comment(void *ctx, const char *d, size_t n,
                                    struct html_span sp)
{
	(void)ctx;
	(void)d;
	(void)n;
	(void)sp;
	return &dummy;
}

static const struct html_sink trivial = {
    .document = t_document,
    .create_element = t_create_element,
    .create_comment = t_create_comment,
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (b == NULL || fread(b, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(b);
		return NULL;
	}
	fclose(f);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

int main(int argc, char **argv)
{
	struct html_parser_options o;
	struct bs_limits lim;
	double tb = 0, tg = 0, bytes = 0;
	int iter = 20, i = 1, k, files = 0;
	bool gumbo = true;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		iter = (int)strtol(argv[2], NULL, 10);
		i = 3;
	}
	if (i < argc && strcmp(argv[i], "-x") == 0) {
		gumbo = false;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [-n ITER] FILE...\n", argv[0]);
		return 2;
	}
	bs_limits_default(&lim);
	memset(&o, 0, sizeof(o));
	o.limits = &lim;
	o.sink = &trivial;
	o.conditional_comments = true;
	for (; i < argc; i++) {
		size_t len;
		char *s = slurp(argv[i], &len);
		double t0, b1, g1;

		if (s == NULL) {
			fprintf(stderr, "cannot read %s\n", argv[i]);
			return 2;
		}
		t0 = now();
		for (k = 0; k < iter; k++)
			if (html_parse(&o, s, len) != 0) {
				fprintf(stderr, "parse error: %s\n", argv[i]);
				return 1;
			}
		b1 = now() - t0;
		t0 = now();
		for (k = 0; gumbo && k < iter; k++) {
			GumboOutput *g = gumbo_parse_with_options(
			    &kGumboDefaultOptions, s, len);

			gumbo_destroy_output(&kGumboDefaultOptions, g);
		}
		g1 = now() - t0 + 1e-9;
		if (argc <= 12)
			printf("%-60.60s %8zu B  bugsweep %7.1f MB/s  gumbo "
			       "%6.1f MB/s\n",
			       argv[i], len, len * iter / b1 / 1e6,
			       len * iter / g1 / 1e6);
		files++;
		tb += b1;
		tg += g1;
		bytes += (double)len * iter;
		free(s);
	}
	printf("FIGURE html-engine: bugsweep %.1f MB/s, gumbo %.1f MB/s, "
	       "%.1fx (%d files, %.1f MB x %d)\n",
	       bytes / tb / 1e6, bytes / tg / 1e6, tg / tb, files,
	       bytes / iter / 1e6, iter);
	return 0;
}
