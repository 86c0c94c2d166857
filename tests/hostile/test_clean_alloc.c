/*
 * Allocation failure across a whole clean: make the Nth allocation fail,
 * for every N that cleaning (and writing out) a realistic message makes,
 * once and sticky. The mail must never be lost: what is written is either
 * exactly the cleaned message of a run without failures, or the input
 * unchanged but for an "X-Bugsweep: skipped" field (from bs_clean's
 * result, or from bs_clean_write_skipped() when bs_clean could not make
 * one). No crash, and no leak: LeakSanitizer checks at exit in the ASan
 * build.
 *
 * usage: test_clean_alloc MESSAGE...
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bugsweep/bugsweep.h"
#include "mime/mime.h"
#include "util/alloc.h"

static char **paths;
static bool verbose;
static int npaths;

/* Output collected in a fixed buffer: a sink that allocates would take
 * part in the walk. */
struct sink {
	char *p;
	size_t len, cap;
	bool overflow;
};

static int sink_write(void *ctx, const char *data, size_t len)
{
	struct sink *s = ctx;

	if (len > s->cap - s->len) {
		s->overflow = true;
		return -1;
	}
	memcpy(s->p + s->len, data, len);
	s->len += len;
	return 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		b = bs_malloc((size_t)n + 1);
		if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
			bs_free(b);
			b = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return b;
}

/*
 * Is out the message unchanged but for one "X-Bugsweep: skipped" field
 * (with its folded lines)? Its reason goes to reason[].
 */
static bool is_skipped(const char *out, size_t olen, const char *msg,
                       size_t len, char reason[64])
{
	static const char field[] = "X-Bugsweep: skipped; reason=";
	const char *f = NULL, *end, *r;
	size_t i, at, flen;

	for (i = 0; i + sizeof(field) - 1 <= olen && i < 4096; i++)
		if ((i == 0 || out[i - 1] == '\n') &&
		    memcmp(out + i, field, sizeof(field) - 1) == 0) {
			f = out + i;
			break;
		}
	if (f == NULL)
		return false;
	/* the field runs to the end of its last folded line */
	end = f;
	do {
		end = memchr(end, '\n', (size_t)(out + olen - end));
		if (end == NULL)
			return false;
		end++;
	} while (end < out + olen && (*end == ' ' || *end == '\t'));
	r = f + sizeof(field) - 1;
	for (i = 0; i < 63 && r + i < end && r[i] != ';' && r[i] != '\r' &&
	            r[i] != '\n';
	     i++)
		reason[i] = r[i];
	reason[i] = '\0';
	at = (size_t)(f - out);
	flen = (size_t)(end - f);
	return olen == len + flen && memcmp(out, msg, at) == 0 &&
	       memcmp(end, msg + at, len - at) == 0;
}

struct tally {
	size_t cleaned, skipped, skipped_oom, written_skipped;
};

/* One clean with the Nth allocation failing (n == 0: none); returns the
 * number of allocations it made. */
static unsigned long clean_once(const struct bs_engine *e, const char *msg,
                                size_t len, unsigned long n, int sticky,
                                struct sink *s, bool *changed)
{
	struct bs_clean_options opt;
	struct bs_clean *c = NULL;
	unsigned long count;
	int rc;

	memset(&opt, 0, sizeof(opt));
	s->len = 0;
	s->overflow = false;
	bs_alloc_fail_at(n, sticky);
	rc = bs_clean(&c, e, msg, len, &opt);
	if (rc == 0) {
		assert_non_null(c);
		*changed = bs_clean_changed(c);
		rc = bs_clean_write(c, sink_write, s);
		/* the sink never fails; a write error is the library's */
		assert_int_equal(rc, 0);
	} else {
		*changed = false;
		assert_int_equal(rc, BS_ENOMEM);
		assert_null(c);
		assert_int_equal(bs_clean_write_skipped(sink_write, s, msg, len,
		                                        "out-of-memory"),
		                 0);
	}
	count = bs_alloc_count();
	bs_alloc_fail_at(0, 0);
	bs_clean_free(&c);
	assert_false(s->overflow);
	return count;
}

static void walk_one(const char *path, int sticky)
{
	struct bs_engine_config cfg;
	struct bs_engine *e = NULL;
	struct sink want = {0}, got = {0};
	struct tally t = {0};
	unsigned long n, total;
	char *msg, reason[64];
	const char *base = strrchr(path, '/');
	size_t len = 0;
	bool changed;

	msg = read_file(path, &len);
	assert_non_null(msg);
	memset(&cfg, 0, sizeof(cfg));
	bs_limits_default(&cfg.limits);
	assert_int_equal(bs_engine_new(&e, &cfg, NULL), 0);

	want.cap = got.cap = 4 * len + 65536;
	want.p = bs_malloc(want.cap);
	got.p = bs_malloc(got.cap);
	assert_non_null(want.p);
	assert_non_null(got.p);

	/* The reference, and how many allocations one clean makes. */
	total = clean_once(e, msg, len, 0, 0, &want, &changed);
	assert_false(is_skipped(want.p, want.len, msg, len, reason));
	assert_true(changed); /* a message with something to remove */
	assert_true(total > 50);

	for (n = 1; n <= total + 1; n++) {
		clean_once(e, msg, len, n, sticky, &got, &changed);
		if (got.len == want.len &&
		    memcmp(got.p, want.p, want.len) == 0) {
			t.cleaned++;
			continue;
		}
		if (!is_skipped(got.p, got.len, msg, len, reason))
			fail_msg("%s: allocation %lu%s failing: the output is "
			         "neither the cleaned message nor the input "
			         "with a skip field (%zu bytes)",
			         path, n, sticky ? " and later" : "", got.len);
		t.skipped++;
		if (strcmp(reason, "out-of-memory") == 0)
			t.skipped_oom++;
		else if (verbose)
			print_message("%s: allocation %lu%s: skipped, %s\n",
			              path, n, sticky ? "+" : "", reason);
	}
	print_message("FIGURE clean-alloc-failure%s: %s: %lu allocations "
	              "walked, %zu cleaned, %zu skipped (%zu out-of-memory)\n",
	              sticky ? "-sticky" : "", base ? base + 1 : path, total,
	              t.cleaned, t.skipped, t.skipped_oom);
	bs_free(want.p);
	bs_free(got.p);
	bs_free(msg);
	bs_engine_free(&e);
}

static void fail_once(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < npaths; i++)
		walk_one(paths[i], 0);
}

static void fail_from_then_on(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < npaths; i++)
		walk_one(paths[i], 1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fail_once),
	    cmocka_unit_test(fail_from_then_on),
	};
	int rc;

	if (argc < 2)
		return 2;
	paths = argv + 1;
	npaths = argc - 1;
	verbose = getenv("BUGSWEEP_TEST_VERBOSE") != NULL;
	if (mime_global_init())
		return 2;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	mime_global_shutdown();
	return rc;
}
