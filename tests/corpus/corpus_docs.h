/*
 * corpus_docs.h - every text/html part of the real-mail corpus, decoded to
 * UTF-8 by src/lib/mime, in memory (shared by tests/corpus and bench/).
 *
 * The messages are those of SHARED/corpus/manifest.tsv, in its order, read
 * from SHARED/corpus/raw (read-only; nothing is copied). Each document
 * keeps the manifest's file name ("raw/<owner>__<repo>/<name>") and its
 * 1-based index among the message's HTML parts (the labels' part_index).
 */
#ifndef BS_TESTS_CORPUS_DOCS_H
#define BS_TESTS_CORPUS_DOCS_H

#include <stddef.h>

struct corpus_doc {
	const char *file; /* as in manifest.tsv; shared by a message's docs */
	unsigned part;    /* 1-based among the message's HTML documents */
	char *text;       /* UTF-8, NUL-terminated, may contain NUL bytes */
	size_t len;
};

struct corpus_docs {
	struct corpus_doc *doc;
	size_t n;
	size_t messages; /* messages read */
	size_t bytes;    /* sum of len */
};

/* Load every HTML document. Returns 0, or -1 with a message on stderr
 * (manifest or a message unreadable, out of memory). */
int corpus_docs_load(struct corpus_docs *out, const char *shared_dir);
void corpus_docs_free(struct corpus_docs *c);

#endif
