#include "corpus_docs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bugsweep/limits.h"
#include "mime/mime.h"
#include "testutil.h"

static int add_docs(struct corpus_docs *c, const char *file, const char *raw,
                    size_t rawlen, const struct bs_limits *lim, size_t *cap)
{
	struct mime_message *m = NULL;
	const struct mime_doc_info *in;
	struct corpus_doc *d;
	size_t i;
	int rc = -1;

	if (mime_message_parse(&m, raw, rawlen, lim, NULL) != 0) {
		fprintf(stderr, "%s: mime_message_parse failed\n", file);
		return -1;
	}
	for (i = 0; i < mime_message_doc_count(m); i++) {
		in = mime_doc_info(mime_message_doc(m, i));
		if (in->kind != MIME_DOC_HTML)
			continue;
		if (c->n == *cap) {
			*cap = *cap ? *cap * 2 : 1024;
			d = realloc(c->doc, *cap * sizeof(*d));
			if (d == NULL)
				goto out;
			c->doc = d;
		}
		d = &c->doc[c->n];
		d->file = file;
		d->part = in->index;
		d->len = in->text_len;
		d->text = malloc(in->text_len + 1);
		if (d->text == NULL)
			goto out;
		memcpy(d->text, in->text, in->text_len);
		d->text[in->text_len] = '\0';
		c->bytes += in->text_len;
		c->n++;
	}
	rc = 0;
out:
	mime_message_free(&m);
	return rc;
}

int corpus_docs_load(struct corpus_docs *out, const char *shared_dir)
{
	char path[8192], line[4096], *tab, *file, *raw;
	struct bs_limits lim;
	size_t cap = 0, rawlen;
	FILE *mf;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	bs_limits_default(&lim);
	if (mime_global_init() != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/corpus/manifest.tsv", shared_dir);
	mf = fopen(path, "r");
	if (mf == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), mf)) {
		if (strncmp(line, "file\t", 5) == 0)
			continue;
		tab = strchr(line, '\t');
		if (tab == NULL)
			continue;
		*tab = '\0';
		snprintf(path, sizeof(path), "%s/corpus/%s", shared_dir, line);
		raw = tu_read_file(path, &rawlen);
		if (raw == NULL) {
			fprintf(stderr, "cannot read %s\n", path);
			goto out;
		}
		file = strdup(line);
		if (file == NULL ||
		    add_docs(out, file, raw, rawlen, &lim, &cap) != 0) {
			free(raw);
			goto out;
		}
		/* A message without HTML keeps no reference to its name. */
		if (out->n == 0 || out->doc[out->n - 1].file != file)
			free(file);
		free(raw);
		out->messages++;
	}
	rc = 0;
out:
	fclose(mf);
	if (rc != 0)
		corpus_docs_free(out);
	return rc;
}

void corpus_docs_free(struct corpus_docs *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->doc[i].text);
		if (i + 1 == c->n || c->doc[i + 1].file != c->doc[i].file)
			free((char *)c->doc[i].file);
	}
	free(c->doc);
	memset(c, 0, sizeof(*c));
}
