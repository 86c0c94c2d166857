/*
 * testutil.h - what the corpus tests, benches and conformance runners all
 * need from the file system: a whole file in memory, and the regular files
 * under a directory in a stable order.
 *
 * Test code only: it allocates with malloc (not the library's failure-
 * injecting wrapper) and a test that cannot read its input says so and
 * fails, so errors are returned, never hidden.
 */
#ifndef BS_TESTS_TESTUTIL_H
#define BS_TESTS_TESTUTIL_H

#include <stddef.h>

/* The file's bytes, NUL-terminated (the NUL is not counted in *len), in
 * memory from malloc; NULL with errno set when it cannot be read. Works on
 * pipes and special files too (no size taken from stat). */
char *tu_read_file(const char *path, size_t *len);

/* Every regular file below dir (recursively, links not followed) appended
 * to *files / *n, then the whole list sorted by path, so that runs and
 * their output are reproducible. Returns 0, or -1 with errno set. */
int tu_list_files(char ***files, size_t *n, const char *dir);

/* Free a list from tu_list_files and reset it to empty. */
void tu_free_files(char ***files, size_t *n);

/* A message in memory, as the benches hold a corpus. */
struct tu_msg {
	char *p;
	size_t n;
};

/* What the corpus benches share: their command line
 *   PROG SHARED_DIR [-r RUNS] [-t SECONDS] [EXAMPLES_DIR]
 * and every message of SHARED_DIR/corpus/raw and EXAMPLES_DIR in memory. */
struct tu_corpus {
	int runs;     /* -r: best of how many runs (default 3, at least 1) */
	double min_s; /* -t: the least seconds a run lasts (default 1) */
	struct tu_msg *msgs;
	size_t n, bytes;
};

/* Returns 0, or -1 after a line on stderr (usage, unreadable, no
 * message at all). */
int tu_corpus_load(struct tu_corpus *c, const char *prog, int argc,
                   char **argv);
void tu_corpus_free(struct tu_corpus *c);

#endif
