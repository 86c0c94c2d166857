/* Unit tests of src/lib/url/srcset.c: candidates, descriptors, offsets,
 * the spec's dropped candidates, the candidate limit and linearity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "url/srcset.h"
#include "util/alloc.h"
#include "util/buf.h"

struct want {
	const char *url, *desc;
	unsigned w, h;
	double x;
	bool dropped;
};

static const struct {
	const char *value;
	size_t n;
	struct want c[3];
} cases[] = {
    {"a.png", 1, {{"a.png", "", 0, 0, 0, false}}},
    {"a.png 1x, b.png 2x",
     2,
     {{"a.png", "1x", 0, 0, 1, false}, {"b.png", "2x", 0, 0, 2, false}}},
    {"a.png 100w,b.png 200w",
     2,
     {{"a.png", "100w", 100, 0, 0, false},
      {"b.png", "200w", 200, 0, 0, false}}},
    /* only whitespace ends a URL: trailing commas are cut, commas
     * inside are part of it */
    {"a.png,b.png,,", 1, {{"a.png,b.png", "", 0, 0, 0, false}}},
    {"a.png, b.png",
     2,
     {{"a.png", "", 0, 0, 0, false}, {"b.png", "", 0, 0, 0, false}}},
    {"data:image/png;base64,AA== 1x, b.png 2x",
     2,
     {{"data:image/png;base64,AA==", "1x", 0, 0, 1, false},
      {"b.png", "2x", 0, 0, 2, false}}},
    {"  ,\t, a.png \n ", 1, {{"a.png", "", 0, 0, 0, false}}},
    {"a.png 100w 50h", 1, {{"a.png", "100w 50h", 100, 50, 0, false}}},
    {"a.png 1.5x", 1, {{"a.png", "1.5x", 0, 0, 1.5, false}}},
    {"a.png 1e1x", 1, {{"a.png", "1e1x", 0, 0, 10, false}}},
    {"a.png .5x", 1, {{"a.png", ".5x", 0, 0, 0.5, false}}},
    /* the spec drops these: a conforming client fetches nothing */
    {"a.png 2x 100w", 1, {{"a.png", "2x 100w", 0, 0, 2, true}}},
    {"a.png 50h", 1, {{"a.png", "50h", 0, 50, 0, true}}},
    {"a.png -1x", 1, {{"a.png", "-1x", 0, 0, -1, true}}},
    {"a.png 0w", 1, {{"a.png", "0w", 0, 0, 0, true}}},
    {"a.png 1.x", 1, {{"a.png", "1.x", 0, 0, 0, true}}},
    {"a.png 2X", 1, {{"a.png", "2X", 0, 0, 0, true}}},
    {"a.png (foo, bar) 1x", 1, {{"a.png", "(foo, bar) 1x", 0, 0, 1, true}}},
    {"a.png 1x (x", 1, {{"a.png", "1x (x", 0, 0, 1, true}}},
    {"a.png 1x, , b.png",
     2,
     {{"a.png", "1x", 0, 0, 1, false}, {"b.png", "", 0, 0, 0, false}}},
    {"", 0, {{NULL, NULL, 0, 0, 0, false}}},
    {" , ,", 0, {{NULL, NULL, 0, 0, 0, false}}},
};

static void candidates(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *v = cases[i].value;
		struct bs_srcset_candidate *c = NULL;
		size_t n;

		assert_int_equal(
		    bs_srcset_parse(&c, &n, v, strlen(v), NULL, NULL), 0);
		if (n != cases[i].n)
			fail_msg("\"%s\": %zu candidates, want %zu", v, n,
			         cases[i].n);
		for (size_t k = 0; k < n; k++) {
			const struct want *w = &cases[i].c[k];

			if (c[k].url_len != strlen(w->url) ||
			    memcmp(v + c[k].url_off, w->url, c[k].url_len))
				fail_msg(
				    "\"%s\" #%zu: url \"%.*s\", want \"%s\"", v,
				    k, (int)c[k].url_len, v + c[k].url_off,
				    w->url);
			if (c[k].desc_len != strlen(w->desc) ||
			    memcmp(v + c[k].desc_off, w->desc, c[k].desc_len))
				fail_msg("\"%s\" #%zu: desc \"%.*s\", want "
				         "\"%s\"",
				         v, k, (int)c[k].desc_len,
				         v + c[k].desc_off, w->desc);
			if (c[k].dropped != w->dropped)
				fail_msg("\"%s\" #%zu: dropped %d", v, k,
				         c[k].dropped);
			if (!w->dropped &&
			    (c[k].width != w->w || c[k].height != w->h ||
			     c[k].density != w->x))
				fail_msg("\"%s\" #%zu: %uw %uh %gx", v, k,
				         c[k].width, c[k].height, c[k].density);
		}
		bs_srcset_free(&c);
		assert_null(c);
	}
	bs_srcset_free(NULL);
}

static void offsets(void **state)
{
	static const char v[] = "  a.png 2x,\tb.png";
	struct bs_srcset_candidate *c = NULL;
	size_t n;
	(void)state;

	assert_int_equal(bs_srcset_parse(&c, &n, v, strlen(v), NULL, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].url_off, 2);
	assert_int_equal(c[0].url_len, 5);
	assert_int_equal(c[0].desc_off, 8);
	assert_int_equal(c[0].desc_len, 2);
	assert_int_equal(c[1].url_off, 12);
	assert_int_equal(c[1].url_len, 5);
	bs_srcset_free(&c);
}

/* "u.png 1x, " repeated k times. */
static void build(struct bs_buf *b, size_t k)
{
	bs_buf_init(b, 64u << 20);
	for (size_t i = 0; i < k; i++)
		bs_buf_printf(b, "u%zu.png %zux, ", i, i % 3 + 1);
}

static void limit(void **state)
{
	struct bs_srcset_candidate *c = NULL;
	struct bs_problems pr;
	struct bs_buf b;
	size_t n;
	(void)state;

	bs_problems_init(&pr);
	build(&b, 300);
	assert_int_equal(bs_srcset_parse(&c, &n, b.data, b.len, NULL, &pr), 0);
	assert_int_equal(n, 256);
	assert_true(bs_problems_has(&pr, "limit", "srcset-candidates"));
	assert_memory_equal(b.data + c[255].url_off, "u255.png", 8);
	bs_srcset_free(&c);
	bs_buf_release(&b);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID,
	              &ts); /* CPU time: other processes do not count */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double time_parse(size_t k)
{
	struct bs_srcset_candidate *c = NULL;
	struct bs_limits lim;
	struct bs_buf b;
	double t0, t;
	size_t n;

	bs_limits_default(&lim);
	lim.srcset_candidates = 1000000;
	build(&b, k);
	t0 = seconds();
	assert_int_equal(bs_srcset_parse(&c, &n, b.data, b.len, &lim, NULL), 0);
	t = seconds() - t0;
	assert_int_equal(n, k);
	bs_srcset_free(&c);
	bs_buf_release(&b);
	return t;
}

static void linear(void **state)
{
	double small, big;
	(void)state;

	small = time_parse(12500);
	big = time_parse(100000);
	/* 8 x the candidates; quadratic would be 64 x the time */
	if (big > 0.05 && big > 20 * small)
		fail_msg("%.3fs for 12,500, %.3fs for 100,000", small, big);
}

static void alloc_failures(void **state)
{
	static const char v[] = "a 1x, b 2x, c 3x, d 4x, e 5x, f 6x";
	(void)state;

	for (unsigned long i = 1; i < 100; i++) {
		struct bs_srcset_candidate *c = NULL;
		size_t n;
		int rc;

		bs_alloc_fail_at(i, 0);
		rc = bs_srcset_parse(&c, &n, v, strlen(v), NULL, NULL);
		bs_alloc_fail_at(0, 0);
		if (rc == 0) {
			assert_int_equal(n, 6);
			bs_srcset_free(&c);
			if (!bs_alloc_failed())
				break;
			continue;
		}
		assert_int_equal(rc, BS_ENOMEM);
		assert_null(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(candidates),     cmocka_unit_test(offsets),
	    cmocka_unit_test(limit),          cmocka_unit_test(linear),
	    cmocka_unit_test(alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
