/* Unit tests of src/lib/util: buffers with caps, arena, allocation failure
 * injection, problems list, bounded number parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/str.h"

static void buf_respects_cap(void **state)
{
	struct bs_buf b;
	(void)state;

	bs_buf_init(&b, 8);
	assert_int_equal(bs_buf_puts(&b, "abcd"), 0);
	assert_int_equal(bs_buf_puts(&b, "efgh"), 0);
	assert_int_equal(b.len, 8);
	assert_int_equal(bs_buf_putc(&b, 'x'), BS_ELIMIT);
	/* The error is sticky: a later, smaller append is refused too. */
	assert_int_equal(bs_buf_append(&b, "", 0), BS_ELIMIT);
	assert_string_equal(b.data, "abcdefgh");
	assert_null(bs_buf_detach(&b, NULL));
	bs_buf_release(&b);
}

static void buf_utf8_and_printf(void **state)
{
	struct bs_buf b;
	size_t n;
	char *s;
	(void)state;

	bs_buf_init(&b, 1024);
	bs_buf_put_utf8(&b, 0xE9);
	bs_buf_put_utf8(&b, 0x1F600);
	bs_buf_put_utf8(&b, 0xD800); /* surrogate: replaced */
	bs_buf_printf(&b, "%d-%s", 42, "x");
	s = bs_buf_detach(&b, &n);
	assert_non_null(s);
	assert_memory_equal(s,
	                    "\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBD"
	                    "42-x",
	                    n);
	bs_free(s);
}

static void arena_cap_and_alignment(void **state)
{
	struct bs_arena *a = bs_arena_new(10000);
	char *p, *q;
	size_t i;
	(void)state;

	assert_non_null(a);
	p = bs_arena_strndup(a, "hello", 5);
	assert_string_equal(p, "hello");
	q = bs_arena_alloc(a, 3);
	assert_int_equal((uintptr_t)q % sizeof(max_align_t) == 0 ||
	                     (uintptr_t)q % 16 == 0,
	                 1);
	assert_null(bs_arena_alloc(a, 20000));
	for (i = 0; i < 100; i++)
		if (bs_arena_alloc(a, 200) == NULL)
			break;
	assert_true(i < 100);
	assert_true(bs_arena_used(a) <= 10000);
	bs_arena_clear(a);
	assert_int_equal(bs_arena_used(a), 0);
	bs_arena_free(&a);
	assert_null(a);
	bs_arena_free(&a);
}

static void alloc_fail_nth(void **state)
{
	void *p1, *p2, *p3;
	(void)state;

	bs_alloc_fail_at(2, 0);
	p1 = bs_malloc(10);
	p2 = bs_malloc(10);
	p3 = bs_malloc(10);
	assert_non_null(p1);
	assert_null(p2);
	assert_non_null(p3);
	assert_true(bs_alloc_failed());
	bs_free(p1);
	bs_free(p3);

	bs_alloc_fail_at(1, 1);
	assert_null(bs_malloc(1));
	assert_null(bs_calloc(1, 1));
	bs_alloc_fail_at(0, 0);
	p1 = bs_malloc(1);
	assert_non_null(p1);
	bs_free(p1);
}

static void problems_dedup_and_bound(void **state)
{
	struct bs_problems p;
	char what[16];
	int i;
	(void)state;

	bs_problems_init(&p);
	bs_problems_add(&p, "limit", "html-depth");
	bs_problems_add(&p, "limit", "html-depth");
	assert_int_equal(p.count, 1);
	assert_true(bs_problems_has(&p, "limit", "html-depth"));
	assert_false(bs_problems_has(&p, "limit", "html-bytes"));
	for (i = 0; i < BS_PROBLEMS_MAX + 5; i++) {
		snprintf(what, sizeof(what), "x%d", i);
		bs_problems_add(&p, "t", what);
	}
	assert_int_equal(p.count, BS_PROBLEMS_MAX);
	assert_int_equal(p.dropped, 6);
}

static void parse_uint_saturates(void **state)
{
	static const struct {
		const char *in;
		uint64_t max, want;
		size_t digits;
	} cases[] = {
	    {"123abc", 1000, 123, 3},
	    {"", 10, 0, 0},
	    {"x1", 10, 0, 0},
	    {"99999999999999999999999", UINT64_MAX, UINT64_MAX, 23},
	    {"12", 5, 5, 2},
	    {"7", 5, 5, 1},
	};
	size_t i;
	uint64_t v;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t d = bs_parse_uint(cases[i].in, strlen(cases[i].in),
		                         cases[i].max, &v);
		assert_int_equal(d, cases[i].digits);
		assert_int_equal(v, cases[i].want);
	}
}

static void span_helpers(void **state)
{
	(void)state;
	assert_true(bs_span_ieq("DiV", 3, "div"));
	assert_false(bs_span_ieq("div", 3, "divs"));
	assert_false(bs_span_ieq("divs", 4, "div"));
	assert_true(bs_span_iprefix("HTTP://x", 8, "http:"));
	assert_non_null(bs_span_ifind("abcTRACKdef", 11, "track", 5));
	assert_null(bs_span_ifind("abc", 3, "abcd", 4));
}

static void limits_defaults_fill(void **state)
{
	struct bs_limits l;
	(void)state;

	memset(&l, 0, sizeof(l));
	l.html_depth = 7;
	bs_limits_normalise(&l);
	assert_int_equal(l.html_depth, 7);
	assert_true(l.html_attrs > 0);
	assert_true(l.css_rules > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(buf_respects_cap),
	    cmocka_unit_test(buf_utf8_and_printf),
	    cmocka_unit_test(arena_cap_and_alignment),
	    cmocka_unit_test(alloc_fail_nth),
	    cmocka_unit_test(problems_dedup_and_bound),
	    cmocka_unit_test(parse_uint_saturates),
	    cmocka_unit_test(span_helpers),
	    cmocka_unit_test(limits_defaults_fill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
