/*
 * fuzz_mime.c - one message through the MIME walk and document
 * extraction, header access, the offset map of every document, and the
 * same bytes through the mbox splitter (a memfd read as a file).
 *
 * Input: the message (or mbox). A last byte NUL selects small limits
 * (depth, parts, headers, header and document bytes, message bytes), so
 * that the limit paths are explored too.
 *
 * Invariants: every span lies inside the message; the offset map of a
 * document is non-decreasing and, when the document is spliceable, stays
 * inside its body; the mbox splitter hands out no more bytes than it read.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "fuzz.h"
#include "mime/mailbox.h"
#include "mime/mime.h"

static bool in_msg(struct mime_span s, size_t len)
{
	return s.off <= len && s.len <= len - s.off;
}

static void check_doc(const struct mime_doc *d, size_t raw_len)
{
	const struct mime_doc_info *di = mime_doc_info(d);
	size_t step, off, prev = 0, r;

	FUZZ_CHECK(di != NULL && di->path != NULL && di->content_type);
	FUZZ_CHECK(di->text != NULL || di->text_len == 0);
	FUZZ_CHECK(in_msg(di->header, raw_len));
	FUZZ_CHECK(in_msg(di->body, raw_len));
	FUZZ_CHECK(in_msg(di->cte_field, raw_len));
	step = di->text_len / 256 + 1;
	for (off = 0; off <= di->text_len + step; off += step) {
		r = mime_doc_raw_offset(d, off);
		FUZZ_CHECK(r <= raw_len);
		FUZZ_CHECK(r >= prev);
		if (di->spliceable)
			FUZZ_CHECK(r >= di->body.off &&
			           r <= di->body.off + di->body.len);
		prev = r;
	}
}

static void check_message(const struct mime_message *cm, struct mime_message *m)
{
	const struct mime_info *info = mime_message_info(cm);
	struct mime_span block = mime_message_header_block(cm);
	size_t raw_len, i, n;

	(void)mime_message_raw(cm, &raw_len);
	FUZZ_CHECK(info != NULL);
	FUZZ_CHECK(in_msg(block, raw_len));
	FUZZ_CHECK(info->n_to == 0 || info->to != NULL);
	for (i = 0; i < info->n_to; i++)
		FUZZ_CHECK(info->to[i].name && info->to[i].addr);
	n = mime_message_header_count(cm);
	for (i = 0; i < n; i++) {
		const struct mime_header *h = mime_message_header_at(cm, i);

		FUZZ_CHECK(in_msg(h->field, raw_len));
		FUZZ_CHECK(h->name.off >= h->field.off);
		FUZZ_CHECK(h->name.off + h->name.len <=
		           h->field.off + h->field.len);
		FUZZ_CHECK(h->value.off + h->value.len <=
		           h->field.off + h->field.len);
	}
	(void)mime_message_header(m, "subject", 0);
	(void)mime_message_header(m, "To", 1);
	(void)mime_message_header(m, "content-type", 0);
	n = mime_message_doc_count(cm);
	for (i = 0; i < n; i++)
		check_doc(mime_message_doc(cm, i), raw_len);
}

static void mbox(const uint8_t *data, size_t size, const struct bs_limits *lim)
{
	static int fd = -1;
	char path[64];
	struct mime_reader *r = NULL;
	struct mime_input *in = NULL;
	size_t total = 0;

	if (fd < 0)
		fd = memfd_create("fuzz_mime", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) != 0 ||
	    (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (mime_reader_open(&r, path, lim) != 0)
		return;
	while (mime_reader_next(r, &in) == 0 && in != NULL) {
		FUZZ_CHECK(in->status != 0 || in->bytes != NULL ||
		           in->len == 0);
		if (in->status == 0) {
			total += in->len;
			FUZZ_CHECK(total <= size);
		}
		FUZZ_CHECK(in->offset <= size);
		mime_input_free(&in);
	}
	mime_input_free(&in);
	mime_reader_free(&r);
	FUZZ_CHECK(r == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bs_limits lim;
	struct bs_problems pr;
	struct mime_message *m = NULL;
	static bool init;

	if (!init) {
		FUZZ_CHECK(mime_global_init() == 0);
		init = true;
	}
	bs_limits_default(&lim);
	if (size > 0 && data[size - 1] == 0) {
		lim.mime_depth = 3;
		lim.mime_parts = 6;
		lim.headers = 5;
		lim.header_bytes = 40;
		lim.html_bytes = 64;
		lim.message_bytes = 256;
	}
	bs_problems_init(&pr);
	if (mime_message_parse(&m, (const char *)data, size, &lim, &pr) == 0)
		check_message(m, m);
	mime_message_free(&m);
	FUZZ_CHECK(m == NULL);
	mbox(data, size, &lim);
	return 0;
}
