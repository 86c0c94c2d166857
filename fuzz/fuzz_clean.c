/*
 * fuzz_clean.c - a whole message through bs_clean, with the invariants of
 * issue 5: the output is never empty for a non-empty input, a skipped
 * message is the input behind one header, a cleaned one has the same MIME
 * shape (the same documents, kinds and paths), and cleaning the output
 * again changes nothing.
 *
 * Input: one option byte (policy, links mode, banner), then the message.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bugsweep/bugsweep.h"
#include "fuzz.h"
#include "mime/mime.h"
#include "rewrite/rewrite.h"
#include "util/buf.h"

static int to_buf(void *ctx, const char *data, size_t len)
{
	return bs_buf_append(ctx, data, len);
}

/* The MIME shape: each document's kind and path, in order. */
static void same_shape(const char *a, size_t an, const char *b, size_t bn)
{
	struct mime_message *ma = NULL, *mb = NULL;
	size_t i, n;

	FUZZ_CHECK(mime_message_parse(&ma, a, an, NULL, NULL) == 0);
	FUZZ_CHECK(mime_message_parse(&mb, b, bn, NULL, NULL) == 0);
	n = mime_message_doc_count(ma);
	FUZZ_CHECK(mime_message_doc_count(mb) == n);
	for (i = 0; i < n; i++) {
		const struct mime_doc_info *x =
		    mime_doc_info(mime_message_doc(ma, i));
		const struct mime_doc_info *y =
		    mime_doc_info(mime_message_doc(mb, i));
		FUZZ_CHECK(x->kind == y->kind);
		FUZZ_CHECK(strcmp(x->path, y->path) == 0);
	}
	mime_message_free(&ma);
	mime_message_free(&mb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bs_engine *engine;
	struct bs_clean_options opt;
	struct bs_clean *c = NULL, *c2 = NULL;
	struct bs_buf out, out2;
	const char *msg;
	uint8_t flags;
	int rc;

	if (engine == NULL) {
		struct bs_engine_config cfg;
		char err[BS_ERRMSG_LEN];

		memset(&cfg, 0, sizeof(cfg));
		if (bs_engine_new(&engine, &cfg, err) != 0 ||
		    mime_global_init() != 0) {
			fprintf(stderr, "engine: %s\n", err);
			abort();
		}
	}
	if (size < 1)
		return 0;
	flags = data[0];
	fuzz_take(&data, &size, 1);
	msg = (const char *)data;
	memset(&opt, 0, sizeof(opt));
	opt.policy = (enum bs_policy)(flags % 3);
	if (opt.policy == BS_POLICY_PROXY)
		opt.proxy_template = "https://proxy.example/p?u={url}";
	opt.links = (enum bs_links)((flags / 3) % 3);
	opt.banner = (flags & 0x80) != 0;

	bs_buf_init(&out, 8 * size + 65536);
	bs_buf_init(&out2, 8 * size + 65536);
	rc = bs_clean(&c, engine, msg, size, &opt);
	FUZZ_CHECK(rc == 0 || rc == BS_ENOMEM);
	if (rc)
		goto out;
	FUZZ_CHECK(bs_clean_write(c, to_buf, &out) == 0);
	FUZZ_CHECK(size == 0 || out.len > 0);
	FUZZ_CHECK(out.len == bs_clean_size(c));
	if (bs_clean_skipped(c)) {
		/* the input, whole, with one header field added where headers
		 * start (after an mbox "From " line, if any) */
		size_t k = rw_header_insert_offset(msg, size),
		       h = out.len - size;
		FUZZ_CHECK(out.len > size && k <= size);
		FUZZ_CHECK(memcmp(out.data, msg, k) == 0);
		FUZZ_CHECK(h >= 11 &&
		           memcmp(out.data + k, "X-Bugsweep:", 11) == 0);
		FUZZ_CHECK(memcmp(out.data + k + h, msg + k, size - k) == 0);
		goto out;
	}
	if (!bs_clean_changed(c))
		goto out;
	same_shape(msg, size, out.data, out.len);
	/* cleaning again is a no-op */
	rc = bs_clean(&c2, engine, out.data, out.len, &opt);
	FUZZ_CHECK(rc == 0 || rc == BS_ENOMEM);
	if (rc == 0) {
		FUZZ_CHECK(bs_clean_write(c2, to_buf, &out2) == 0);
		if (!bs_clean_skipped(c2)) {
			FUZZ_CHECK(!bs_clean_changed(c2));
			FUZZ_CHECK(out2.len == out.len &&
			           memcmp(out2.data, out.data, out.len) == 0);
		}
	}
out:
	bs_clean_free(&c);
	bs_clean_free(&c2);
	bs_buf_release(&out);
	bs_buf_release(&out2);
	return 0;
}
