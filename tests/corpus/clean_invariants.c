/*
 * clean_invariants - bs_clean over every message of SHARED/corpus/raw and
 * of examples/Maildir, under each policy (usage: clean_invariants SHARED
 * EXAMPLES_DIR [FILE...]). For every message:
 *
 *   skipped   the output is the input with exactly one header line
 *             "X-Bugsweep: skipped; reason=..." where headers start;
 *   structure the output parses with the same documents (kind, index,
 *             path, content type) and the same top-level field count
 *             but for the X-Bugsweep header;
 *   bytes     undoing the named changes gives the input back byte for
 *             byte: remove the X-Bugsweep field, turn each
 *             X-Bugsweep-Removed-Receipt-Request field back into the
 *             field it keeps, put back the body (and the header, when
 *             only its Content-Transfer-Encoding changed) of every
 *             rewritten part. So every part not rewritten is
 *             byte-identical, and every other header is byte-identical
 *             and in order;
 *   idempotent cleaning the output again gives the output;
 *   no trackers scan of the output (policy trackers) reports no pixel and
 *             no tracked-content beacon;
 *   content   every beacon the scan of the input calls content is in the
 *             scan of the output, as often (policy trackers);
 *   text      the visible text (rw_visible_text) of every HTML document
 *             is unchanged.
 *
 * Prints FIGURE lines with the counts, and the first failures. Exit 1 when
 * any invariant fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bugsweep/bugsweep.h"
#include "detect/report.h"
#include "html/dom.h"
#include "mime/mime.h"
#include "rewrite/rewrite.h"
#include "util/buf.h"
#include "util/str.h"

#include "testutil.h"

enum {
	INV_STRUCT,
	INV_BYTES,
	INV_IDEM,
	INV_TRACKERS,
	INV_CONTENT,
	INV_TEXT,
	INV_SKIP,
	INV_N
};
static const char *const inv_name[INV_N] = {
    "structure",    "bytes",        "idempotent", "no-trackers",
    "content-kept", "visible-text", "skip-form"};

struct pol {
	const char *name;
	struct bs_clean_options o;
	size_t msgs, changed, unchanged, skipped, removed, fail[INV_N];
	size_t content_kept, content_total, bad_msgs;
	char reasons[1024];
};

static char **files;
static size_t nfiles;
static const struct bs_engine *engine;
static int shown;

static void list_or_exit(const char *root)
{
	if (tu_list_files(&files, &nfiles, root) != 0) {
		fprintf(stderr, "%s: %s\n", root, strerror(errno));
		exit(2);
	}
}

static int to_buf(void *ctx, const char *p, size_t n)
{
	return bs_buf_append(ctx, p, n);
}

static void fail(struct pol *p, int inv, const char *file, const char *what)
{
	p->fail[inv]++;
	if (shown++ < 40)
		printf("FAIL %s [%s] %s: %s\n", inv_name[inv], p->name, file,
		       what);
}

static void note_reason(struct pol *p, const char *r)
{
	char key[80];

	snprintf(key, sizeof(key), "%s ", r);
	if (!strstr(p->reasons, key) &&
	    strlen(p->reasons) + strlen(key) < sizeof(p->reasons))
		strcat(p->reasons, key); /* checksrc: allow (test) */
}

static bool visible_text(const char *t, size_t n, struct bs_buf *out)
{
	struct html_parser_options po;
	struct html_dom *dom = NULL;
	bool ok;

	memset(&po, 0, sizeof(po));
	po.limits = bs_engine_limits(engine);
	po.conditional_comments = true;
	if (html_dom_parse(&dom, &po, t, n))
		return false;
	ok = rw_visible_text(out, dom, 0) == 0;
	html_dom_free(&dom);
	return ok;
}

static bool field_is(const char *raw, const struct mime_header *h,
                     const char *name)
{
	return bs_span_ieq(raw + h->name.off, h->name.len, name);
}

/* Undo the named changes of out (see the file comment) into rec. */
static bool reconstruct(const struct mime_message *in,
                        const struct mime_message *out, struct bs_buf *rec,
                        size_t *rewritten)
{
	const char *ir, *orw;
	size_t il, ol, i;
	struct rw_patches p;
	bool ok;

	ir = mime_message_raw(in, &il);
	orw = mime_message_raw(out, &ol);
	rw_patches_init(&p, 100000, ol + il + 1024);
	for (i = 0; i < mime_message_header_count(out); i++) {
		const struct mime_header *h = mime_message_header_at(out, i);
		if (field_is(orw, h, "X-Bugsweep")) {
			if (rw_patches_add(&p, h->field.off,
			                   h->field.off + h->field.len, NULL, 0,
			                   0))
				return false;
		} else if (field_is(orw, h,
		                    "X-Bugsweep-Removed-Receipt-Request")) {
			/* "X-...: Name:value" back to "Name:value" */
			size_t v = h->value.off;
			while (v < ol && (orw[v] == ' ' || orw[v] == '\t'))
				v++;
			if (rw_patches_add(&p, h->field.off, v, NULL, 0, 0))
				return false;
		}
	}
	*rewritten = 0;
	for (i = 0; i < mime_message_doc_count(in); i++) {
		const struct mime_doc_info *a =
		    mime_doc_info(mime_message_doc(in, i));
		const struct mime_doc_info *b =
		    mime_doc_info(mime_message_doc(out, i));
		if (a->body.len == b->body.len &&
		    memcmp(ir + a->body.off, orw + b->body.off, a->body.len) ==
		        0)
			continue;
		(*rewritten)++;
		if (a->kind != MIME_DOC_HTML || !a->spliceable)
			return false; /* only HTML parts may be rewritten */
		/* only its Content-Transfer-Encoding may have changed */
		if (a->cte_field.len != b->cte_field.len ||
		    memcmp(ir + a->cte_field.off, orw + b->cte_field.off,
		           a->cte_field.len) != 0) {
			if (rw_patches_add(&p, b->cte_field.off,
			                   b->cte_field.off + b->cte_field.len,
			                   ir + a->cte_field.off,
			                   a->cte_field.len, 0))
				return false;
		}
		if (rw_patches_add(&p, b->body.off, b->body.off + b->body.len,
		                   ir + a->body.off, a->body.len, 0))
			return false;
	}
	ok = rw_patches_sort(&p) == 0 &&
	     rw_patches_apply(rec, orw, ol, &p) == 0 && rec->len == il &&
	     memcmp(rec->data, ir, il) == 0;
	rw_patches_release(&p);
	return ok;
}

static void check_skip(struct pol *p, const char *file, const char *msg,
                       size_t len, const struct bs_buf *o)
{
	size_t at = rw_header_insert_offset(msg, len);
	const char *hdr = "X-Bugsweep: skipped; reason=";
	const char *nl;

	if (o->len == len && memcmp(o->data, msg, len) == 0)
		return; /* said so before: as it was */
	if (o->len <= len || memcmp(o->data, msg, at) != 0 ||
	    strncmp(o->data + at, hdr, strlen(hdr)) != 0) {
		fail(p, INV_SKIP, file, "not the input with a skipped header");
		return;
	}
	nl = memchr(o->data + at, '\n', o->len - at);
	if (nl == NULL || memcmp(nl + 1, msg + at, len - at) != 0 ||
	    (size_t)(o->data + o->len - (nl + 1)) != len - at)
		fail(p, INV_SKIP, file, "skipped output differs from input");
}

static int cmp_url(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void check_scan(struct pol *p, const char *file,
                       const struct bs_report *in, const char *out, size_t olen)
{
	struct bs_report *r = NULL;
	const char **want = NULL, **got = NULL;
	size_t i, nw = 0, ng = 0, k = 0;

	if (bs_scan(&r, engine, out, olen, NULL)) {
		fail(p, INV_TRACKERS, file, "scan of output failed");
		return;
	}
	for (i = 0; i < bs_report_beacon_count(r); i++) {
		const struct bs_beacon *b = bs_report_beacon(r, i);
		if (b->label != BS_LABEL_CONTENT) {
			char w[600];
			snprintf(w, sizeof(w), "%s left: %s",
			         bs_label_name(b->label), b->url);
			fail(p, INV_TRACKERS, file, w);
		}
	}
	want = calloc(bs_report_beacon_count(in) + 1, sizeof(*want));
	got = calloc(bs_report_beacon_count(r) + 1, sizeof(*got));
	for (i = 0; i < bs_report_beacon_count(in); i++)
		if (bs_report_beacon(in, i)->label == BS_LABEL_CONTENT)
			want[nw++] = bs_report_beacon(in, i)->request;
	for (i = 0; i < bs_report_beacon_count(r); i++)
		got[ng++] = bs_report_beacon(r, i)->request;
	qsort(want, nw, sizeof(*want), cmp_url);
	qsort(got, ng, sizeof(*got), cmp_url);
	p->content_total += nw;
	for (i = 0; i < nw; i++) {
		while (k < ng && strcmp(got[k], want[i]) < 0)
			k++;
		if (k < ng && strcmp(got[k], want[i]) == 0) {
			p->content_kept++;
			k++;
		} else {
			char w[600];
			snprintf(w, sizeof(w), "content gone: %s", want[i]);
			fail(p, INV_CONTENT, file, w);
		}
	}
	free(want);
	free(got);
	bs_report_free(&r);
}

static size_t fails(const struct pol *p)
{
	size_t i, n = 0;

	for (i = 0; i < INV_N; i++)
		n += p->fail[i];
	return n;
}

static void one(struct pol *p, const char *file)
{
	struct bs_clean *c = NULL, *c2 = NULL;
	struct bs_buf o, o2, rec, ta, tb;
	struct mime_message *mi = NULL, *mo = NULL;
	size_t len = 0, i, rewritten = 0, nfi = 0, nfo = 0;
	char *msg = tu_read_file(file, &len);
	size_t before = fails(p);

	if (msg == NULL)
		return;
	p->msgs++;
	bs_buf_init(&o, (size_t)1 << 30);
	bs_buf_init(&o2, (size_t)1 << 30);
	bs_buf_init(&rec, (size_t)1 << 30);
	bs_buf_init(&ta, (size_t)1 << 28);
	bs_buf_init(&tb, (size_t)1 << 28);
	if (bs_clean(&c, engine, msg, len, &p->o) ||
	    bs_clean_write(c, to_buf, &o)) {
		fail(p, INV_SKIP, file, "bs_clean failed");
		goto out;
	}
	if (bs_clean_skipped(c)) {
		p->skipped++;
		note_reason(p, bs_clean_skipped(c));
		check_skip(p, file, msg, len, &o);
		goto idem;
	}
	if (bs_clean_changed(c))
		p->changed++;
	else
		p->unchanged++;
	p->removed += bs_clean_removed(c);
	if (mime_message_parse(&mi, msg, len, bs_engine_limits(engine), NULL) ||
	    mime_message_parse(&mo, o.data, o.len, bs_engine_limits(engine),
	                       NULL)) {
		fail(p, INV_STRUCT, file, "parse");
		goto out;
	}
	for (i = 0; i < mime_message_header_count(mi); i++)
		nfi +=
		    !field_is(msg, mime_message_header_at(mi, i), "X-Bugsweep");
	for (i = 0; i < mime_message_header_count(mo); i++)
		nfo += !field_is(o.data, mime_message_header_at(mo, i),
		                 "X-Bugsweep");
	if (mime_message_doc_count(mi) != mime_message_doc_count(mo) ||
	    nfi != nfo) {
		fail(p, INV_STRUCT, file, "document or field count");
		goto out;
	}
	for (i = 0; i < mime_message_doc_count(mi); i++) {
		const struct mime_doc_info *a =
		    mime_doc_info(mime_message_doc(mi, i));
		const struct mime_doc_info *b =
		    mime_doc_info(mime_message_doc(mo, i));
		if (a->kind != b->kind || a->index != b->index ||
		    strcmp(a->path, b->path) ||
		    strcmp(a->content_type, b->content_type)) {
			fail(p, INV_STRUCT, file, "documents differ");
			goto out;
		}
		if (a->kind != MIME_DOC_HTML)
			continue;
		bs_buf_reset(&ta);
		bs_buf_reset(&tb);
		if (!visible_text(a->text, a->text_len, &ta) ||
		    !visible_text(b->text, b->text_len, &tb) ||
		    ta.len != tb.len ||
		    (ta.len && memcmp(ta.data, tb.data, ta.len) != 0)) {
			char w[200];
			size_t k = 0;
			while (k < ta.len && k < tb.len &&
			       ta.data[k] == tb.data[k])
				k++;
			snprintf(w, sizeof(w),
			         "doc %u at %zu: '%.40s' vs '%.40s'", a->index,
			         k, ta.data ? ta.data + k : "",
			         tb.data ? tb.data + k : "");
			fail(p, INV_TEXT, file, w);
		}
	}
	if (!reconstruct(mi, mo, &rec, &rewritten))
		fail(p, INV_BYTES, file, "undoing the named changes");
	if (p->o.policy == BS_POLICY_TRACKERS)
		check_scan(p, file, bs_clean_report(c), o.data, o.len);
idem:
	if (bs_clean(&c2, engine, o.data, o.len, &p->o) ||
	    bs_clean_write(c2, to_buf, &o2) || o2.len != o.len ||
	    memcmp(o.data, o2.data, o.len) != 0) {
		char w[200];
		snprintf(w, sizeof(w), "second pass changed it (%s)",
		         c2 && bs_clean_skipped(c2) ? bs_clean_skipped(c2)
		                                    : "cleaned");
		fail(p, INV_IDEM, file, w);
	}
out:
	if (fails(p) > before)
		p->bad_msgs++;
	mime_message_free(&mi);
	mime_message_free(&mo);
	bs_clean_free(&c);
	bs_clean_free(&c2);
	bs_buf_release(&o);
	bs_buf_release(&o2);
	bs_buf_release(&rec);
	bs_buf_release(&ta);
	bs_buf_release(&tb);
	free(msg);
}

int main(int argc, char **argv)
{
	struct bs_engine_config cfg;
	struct bs_engine *e = NULL;
	char path[4096], err[BS_ERRMSG_LEN];
	struct pol pols[3];
	size_t i, k, total_fail = 0, bad = 0, runs = 0;
	int j;

	if (argc < 3) {
		fprintf(stderr, "usage: clean_invariants SHARED EXAMPLES "
		                "[FILE...]\n");
		return 2;
	}
	if (mime_global_init())
		return 2;
	memset(&cfg, 0, sizeof(cfg));
	bs_limits_default(&cfg.limits);
	if (bs_engine_new(&e, &cfg, err)) {
		fprintf(stderr, "engine: %s\n", err);
		return 2;
	}
	engine = e;
	if (argc > 3) {
		for (j = 3; j < argc; j++)
			list_or_exit(argv[j]);
	} else {
		snprintf(path, sizeof(path), "%s/corpus/raw", argv[1]);
		list_or_exit(path);
		list_or_exit(argv[2]);
	}
	memset(pols, 0, sizeof(pols));
	pols[0].name = "trackers";
	pols[0].o.policy = BS_POLICY_TRACKERS;
	pols[1].name = "remote";
	pols[1].o.policy = BS_POLICY_REMOTE;
	pols[2].name = "proxy";
	pols[2].o.policy = BS_POLICY_PROXY;
	pols[2].o.proxy_template = "https://imgproxy.example/p?u={url}";
	for (k = 0; k < 3; k++)
		for (i = 0; i < nfiles; i++)
			one(&pols[k], files[i]);
	for (k = 0; k < 3; k++) {
		struct pol *p = &pols[k];
		size_t f = 0;
		for (j = 0; j < INV_N; j++)
			f += p->fail[j];
		total_fail += f;
		bad += p->bad_msgs;
		runs += p->msgs;
		printf("FIGURE clean %s: %zu messages, %zu cleaned, %zu "
		       "unchanged, %zu skipped (%s), %zu trackers removed; "
		       "failures: structure %zu, bytes %zu, idempotent %zu, "
		       "no-trackers %zu, content-kept %zu, visible-text %zu, "
		       "skip-form %zu\n",
		       p->name, p->msgs, p->changed, p->unchanged, p->skipped,
		       p->reasons[0] ? p->reasons : "-", p->removed,
		       p->fail[INV_STRUCT], p->fail[INV_BYTES],
		       p->fail[INV_IDEM], p->fail[INV_TRACKERS],
		       p->fail[INV_CONTENT], p->fail[INV_TEXT],
		       p->fail[INV_SKIP]);
		if (p->content_total)
			printf("FIGURE clean %s: content beacons kept %zu of "
			       "%zu\n",
			       p->name, p->content_kept, p->content_total);
	}
	/* one per message and policy */
	printf("clean-invariants: %zu passed, %zu failed\n", runs - bad, bad);
	tu_free_files(&files, &nfiles);
	bs_engine_free(&e);
	mime_global_shutdown();
	return total_fail ? 1 : 0;
}
