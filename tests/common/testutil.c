/*
 * testutil.c - file helpers shared by the tests and benches (testutil.h).
 */
#define _XOPEN_SOURCE 700
#include "testutil.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t cap = 0, n = 0, r;
	int e;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 4096 + 1) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (nb == NULL)
				goto fail;
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		if (r == 0)
			break;
		n += r;
	}
	if (ferror(f)) {
		errno = EIO;
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	e = errno;
	free(buf);
	fclose(f);
	errno = e;
	return NULL;
}

/* nftw() has no user pointer: the list being filled is this file's one
 * piece of state, live only during tu_list_files. */
static char ***walk_files;
static size_t *walk_n, walk_cap;

static int walk_add(const char *p, const struct stat *st, int type,
                    struct FTW *ftw)
{
	char **v;

	(void)st;
	(void)ftw;
	if (type != FTW_F)
		return 0;
	if (*walk_n == walk_cap) {
		walk_cap = walk_cap ? walk_cap * 2 : 1024;
		v = realloc(*walk_files, walk_cap * sizeof(*v));
		if (v == NULL)
			return -1;
		*walk_files = v;
	}
	if (((*walk_files)[*walk_n] = strdup(p)) == NULL)
		return -1;
	(*walk_n)++;
	return 0;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tu_list_files(char ***files, size_t *n, const char *dir)
{
	int rc;

	walk_files = files;
	walk_n = n;
	walk_cap = *n; /* grown from exactly what is there */
	rc = nftw(dir, walk_add, 16, FTW_PHYS);
	walk_files = NULL;
	walk_n = NULL;
	if (rc != 0) {
		if (errno == 0)
			errno = ENOMEM;
		return -1;
	}
	if (*n > 1)
		qsort(*files, *n, sizeof(**files), cmp_path);
	return 0;
}

void tu_free_files(char ***files, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*files)[i]);
	free(*files);
	*files = NULL;
	*n = 0;
}

/* Every non-empty file below root read and appended to *msgs / *n, in
 * path order; *bytes grows by their sizes. 0, or -1 with a line on
 * stderr naming root. */
static int load_messages(struct tu_msg **msgs, size_t *n, size_t *bytes,
                         const char *root)
{
	char **files = NULL, *p;
	struct tu_msg *v;
	size_t nfiles = 0, i, len;
	int rc = -1;

	if (tu_list_files(&files, &nfiles, root) != 0)
		goto out;
	v = realloc(*msgs, (*n + nfiles + 1) * sizeof(**msgs));
	if (v == NULL)
		goto out;
	*msgs = v;
	for (i = 0; i < nfiles; i++) {
		if ((p = tu_read_file(files[i], &len)) == NULL)
			goto out;
		if (len == 0) {
			free(p);
			continue;
		}
		v[*n].p = p;
		v[(*n)++].n = len;
		*bytes += len;
	}
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", root, strerror(errno));
	tu_free_files(&files, &nfiles);
	return rc;
}

int tu_corpus_load(struct tu_corpus *c, const char *prog, int argc, char **argv)
{
	const char *examples = NULL;
	char path[4096];
	int i;

	memset(c, 0, sizeof(*c));
	c->runs = 3;
	c->min_s = 1.0;
	if (argc < 2) {
		fprintf(stderr,
		        "usage: %s SHARED_DIR [-r RUNS] [-t SECONDS] "
		        "[EXAMPLES_DIR]\n",
		        prog);
		return -1;
	}
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
			c->runs = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			c->min_s = strtod(argv[++i], NULL);
		else
			examples = argv[i];
	}
	if (c->runs < 1)
		c->runs = 1;
	snprintf(path, sizeof(path), "%s/corpus/raw", argv[1]);
	if (load_messages(&c->msgs, &c->n, &c->bytes, path) != 0 ||
	    (examples &&
	     load_messages(&c->msgs, &c->n, &c->bytes, examples) != 0))
		return -1;
	if (c->n == 0) {
		fprintf(stderr, "no messages under %s\n", path);
		return -1;
	}
	return 0;
}

void tu_corpus_free(struct tu_corpus *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->msgs[i].p);
	free(c->msgs);
	memset(c, 0, sizeof(*c));
}
