/*
 * The real-mail corpus through src/lib/mime (usage: test_mime_corpus
 * SHARED_DIR). For every message of corpus/labels/messages.tsv:
 *   - it parses (under ASan and UBSan in the test build);
 *   - we find at least as many HTML documents as the labels imply (the
 *     largest part_index of beacons.tsv, or 1 when has_html is y); any
 *     message with fewer is listed and fails the test;
 *   - GMime's own parser, as an oracle: each text/html part it finds must
 *     have the body span we report, byte for byte (bounds of its persistent
 *     substream), and GMime's transfer decoding of its part must equal ours
 *     of our span; disagreements are listed and counted;
 *   - mime_doc_raw_offset() at every "http" of every document points where
 *     its encoded form starts (identity and QP: the 'h' or its "=68";
 *     base64: a 4-character group that decodes to it), and is monotonic.
 * Prints FIGURE lines for tools/run-tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmime/gmime.h>

#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "mime/mime.h"
#include "mime/mime_int.h"
#include "util/alloc.h"
#include "testutil.h"

static const char *shared;

struct label {
	char *file;
	bool has_html;
	unsigned max_part;
};

static struct label *labels;
static size_t nlabels;

static struct label *label_of(const char *file)
{
	size_t i;

	for (i = 0; i < nlabels; i++)
		if (strcmp(labels[i].file, file) == 0)
			return &labels[i];
	return NULL;
}

static void load_labels(void)
{
	char path[4096], line[65536], *tab, *t2;
	FILE *f;
	struct label *l;
	unsigned long pi;

	snprintf(path, sizeof(path), "%s/corpus/labels/messages.tsv", shared);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "file\t", 5) == 0)
			continue;
		tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		t2 = strchr(tab + 1, '\t');
		assert_non_null(t2);
		labels = realloc(labels, (nlabels + 1) * sizeof(*labels));
		l = &labels[nlabels++];
		l->file = strdup(line);
		l->has_html = t2[1] == 'y';
		l->max_part = l->has_html ? 1 : 0;
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/corpus/labels/beacons.tsv", shared);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "file\t", 5) == 0)
			continue;
		tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		pi = strtoul(tab + 1, NULL, 10);
		l = label_of(line);
		assert_non_null(l);
		if (pi > l->max_part)
			l->max_part = (unsigned)pi;
	}
	fclose(f);
}

/* ---- the GMime oracle ---- */

static void gm_collect(GMimeObject *o, GPtrArray *out, int depth)
{
	GMimeContentType *ct;
	GMimeMessage *m;
	int i;

	if (o == NULL || depth > 64)
		return;
	if (GMIME_IS_MESSAGE_PART(o)) {
		m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		if (m)
			gm_collect(g_mime_message_get_mime_part(m), out,
			           depth + 1);
	} else if (GMIME_IS_MULTIPART(o)) {
		for (i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(o));
		     i++)
			gm_collect(
			    g_mime_multipart_get_part(GMIME_MULTIPART(o), i),
			    out, depth + 1);
	} else if (GMIME_IS_PART(o)) {
		ct = g_mime_object_get_content_type(o);
		if (ct && g_mime_content_type_is_type(ct, "text", "html"))
			g_ptr_array_add(out, o);
	}
}

struct counts {
	size_t messages, docs, problems, msgs_with_problems, fewer;
	size_t gm_parts, gm_compared, gm_span_ok, gm_decode_ok;
	size_t gm_structure_differs;
	size_t off_checks, off_ok;
};

static bool is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static int b64v(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : 0;
}

/* Does the encoded form of text[off] start at raw[r]? */
static bool offset_ok(const char *raw, size_t rlen,
                      const struct mime_doc_info *in, bool cs_identity,
                      size_t off, size_t r)
{
	unsigned long v = 0;
	unsigned char g[3];
	size_t k;

	if (r < in->body.off || r >= in->body.off + in->body.len)
		return false;
	if (!cs_identity)
		return true; /* line granularity: inside the body is all */
	switch (in->cte) {
	case MIME_CTE_QP:
		if (raw[r] == '=' && r + 2 < rlen)
			return g_ascii_xdigit_value(raw[r + 1]) * 16 +
			           g_ascii_xdigit_value(raw[r + 2]) ==
			       (unsigned char)in->text[off];
		return raw[r] == in->text[off];
	case MIME_CTE_BASE64:
		for (k = 0; k < 4; k++) {
			if (r + k >= rlen ||
			    !(is_b64(raw[r + k]) || raw[r + k] == '='))
				return false;
			v = v << 6 | (unsigned)b64v(raw[r + k]);
		}
		g[0] = (unsigned char)(v >> 16);
		g[1] = (unsigned char)(v >> 8);
		g[2] = (unsigned char)v;
		for (k = 0; k < 3 && k <= off; k++)
			if (g[k] == (unsigned char)in->text[off] &&
			    (k == 0 ||
			     g[0] == (unsigned char)in->text[off - k]))
				return true;
		return false;
	default:
		return raw[r] == in->text[off];
	}
}

static void check_offsets(struct counts *c, const struct mime_message *m,
                          const struct mime_doc *d, const char *file)
{
	const struct mime_doc_info *in = mime_doc_info(d);
	const char *raw, *p, *end;
	size_t rlen, off, r, last = 0, n = 0;
	bool ident;

	if (!in->spliceable)
		return;
	raw = mime_message_raw(m, &rlen);
	/* Identity charset: the text is the transfer-decoded body. */
	ident = strcmp(in->charset_used, "utf-8") == 0 &&
	        cs_utf8_valid(in->text, in->text_len) && !in->truncated;
	if (ident && in->cte != MIME_CTE_QP && in->cte != MIME_CTE_BASE64)
		ident = in->text == raw + in->body.off;
	p = in->text;
	end = in->text + in->text_len;
	while (n < 200 && (p = g_strstr_len(p, end - p, "http")) != NULL) {
		off = (size_t)(p - in->text);
		r = mime_doc_raw_offset(d, off);
		c->off_checks++;
		if (offset_ok(raw, rlen, in, ident, off, r) && r >= last)
			c->off_ok++;
		else if (c->off_checks - c->off_ok <= 20)
			print_message("offset: %s html %u at %zu -> %zu\n",
			              file, in->index, off, r);
		last = r;
		p += 4;
		n++;
	}
}

static void oracle(struct counts *c, const struct mime_message *m,
                   const char *raw, size_t len, const char *file)
{
	GMimeStream *st;
	GMimeParser *ps;
	GMimeMessage *gm;
	GPtrArray *parts;
	size_t i, k, nsplice = 0;
	const struct mime_doc **ours;

	st = g_mime_stream_mem_new_with_buffer(raw, len);
	ps = g_mime_parser_new_with_stream(st);
	g_mime_parser_set_persist_stream(ps, TRUE);
	gm = g_mime_parser_construct_message(ps, NULL);
	parts = g_ptr_array_new();
	if (gm)
		gm_collect(g_mime_message_get_mime_part(gm), parts, 0);
	ours = calloc(mime_message_doc_count(m) + 1, sizeof(*ours));
	for (i = 0; i < mime_message_doc_count(m); i++) {
		const struct mime_doc *d = mime_message_doc(m, i);

		if (mime_doc_info(d)->kind == MIME_DOC_HTML &&
		    mime_doc_info(d)->spliceable)
			ours[nsplice++] = d;
	}
	c->gm_parts += parts->len;
	if (parts->len != nsplice) {
		c->gm_structure_differs++;
		print_message("structure: %s: GMime %u html parts, ours %zu\n",
		              file, parts->len, nsplice);
		goto out;
	}
	c->gm_compared += parts->len;
	for (k = 0; k < parts->len; k++) {
		GMimePart *gp = parts->pdata[k];
		GMimeDataWrapper *w = g_mime_part_get_content(gp);
		GMimeStream *s = w ? g_mime_data_wrapper_get_stream(w) : NULL;
		const struct mime_doc_info *in = mime_doc_info(ours[k]);
		GMimeStream *mem;
		GByteArray *ba;
		struct xfer_map map;
		const char *dec;
		char *owned;
		size_t dlen;
		unsigned flags;

		if (s && s->bound_start == (gint64)in->body.off &&
		    s->bound_end == (gint64)(in->body.off + in->body.len))
			c->gm_span_ok++;
		else
			print_message(
			    "span: %s html %u: GMime [%ld,%ld) ours "
			    "[%zu,%zu)\n",
			    file, in->index, s ? (long)s->bound_start : -1L,
			    s ? (long)s->bound_end : -1L, in->body.off,
			    in->body.off + in->body.len);
		if (w == NULL)
			continue;
		mem = g_mime_stream_mem_new();
		g_mime_data_wrapper_write_to_stream(w, mem);
		ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		assert_int_equal(xfer_decode(&map, &owned, &dec, &dlen,
		                             raw + in->body.off, in->body.len,
		                             in->cte, &flags),
		                 0);
		if (ba->len == dlen &&
		    (dlen == 0 || memcmp(ba->data, dec, dlen) == 0))
			c->gm_decode_ok++;
		else
			print_message("decode: %s html %u: GMime %u bytes, "
			              "ours %zu\n",
			              file, in->index, ba->len, dlen);
		xfer_map_release(&map);
		bs_free(owned);
		g_object_unref(mem);
	}
out:
	free(ours);
	g_ptr_array_free(parts, TRUE);
	if (gm)
		g_object_unref(gm);
	g_object_unref(ps);
	g_object_unref(st);
}

static void corpus(void **state)
{
	struct counts c = {0};
	char path[8192];
	size_t i, j, len = 0, nh;
	/* Under valgrind (meson test --setup valgrind sets
	 * BUGSWEEP_VALGRIND) every 20th message: memcheck is 20 to 50 times
	 * slower. */
	size_t step = getenv("BUGSWEEP_VALGRIND") ? 20 : 1;
	(void)state;

	load_labels();
	assert_true(nlabels > 1000);
	for (i = 0; i < nlabels; i += step) {
		struct mime_message *m;
		struct bs_problems pb;
		char *raw;

		snprintf(path, sizeof(path), "%s/corpus/%s", shared,
		         labels[i].file);
		raw = tu_read_file(path, &len);
		assert_non_null(raw);
		bs_problems_init(&pb);
		assert_int_equal(mime_message_parse(&m, raw, len, NULL, &pb),
		                 0);
		c.messages++;
		c.problems += pb.count + pb.dropped;
		if (pb.count)
			c.msgs_with_problems++;
		for (j = 0, nh = 0; j < mime_message_doc_count(m); j++) {
			const struct mime_doc *d = mime_message_doc(m, j);

			if (mime_doc_info(d)->kind != MIME_DOC_HTML)
				continue;
			nh++;
			check_offsets(&c, m, d, labels[i].file);
		}
		c.docs += nh;
		if (nh < labels[i].max_part) {
			c.fewer++;
			print_message("FEWER: %s: %zu html documents, labels "
			              "imply %u\n",
			              labels[i].file, nh, labels[i].max_part);
		}
		oracle(&c, m, raw, len, labels[i].file);
		mime_message_free(&m);
		free(raw);
	}
	print_message("FIGURE mime-corpus: %zu messages, %zu html documents, "
	              "%zu problems (%zu messages with any), %zu with fewer "
	              "html documents than the labels\n",
	              c.messages, c.docs, c.problems, c.msgs_with_problems,
	              c.fewer);
	print_message("FIGURE mime-spans: GMime finds %zu html parts; in the "
	              "%zu messages where it finds the same html parts as we "
	              "do, %zu of %zu are at our exact body span and %zu "
	              "transfer-decode identically\n",
	              c.gm_parts, c.messages - c.gm_structure_differs,
	              c.gm_span_ok, c.gm_compared, c.gm_decode_ok);
	print_message("FIGURE mime-offsets: %zu of %zu raw offsets exact\n",
	              c.off_ok, c.off_checks);
	assert_int_equal(c.fewer, 0);
	assert_int_equal(c.off_ok, c.off_checks);
	for (i = 0; i < nlabels; i++)
		free(labels[i].file);
	free(labels);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(corpus),
	};
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s SHARED_DIR\n", argv[0]);
		return 2;
	}
	shared = argv[1];
	assert_int_equal(mime_global_init(), 0);
	rc = cmocka_run_group_tests_name("mime-corpus", tests, NULL, NULL);
	mime_global_shutdown();
	return rc;
}
