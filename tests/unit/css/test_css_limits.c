/* Unit tests of the CSS limits (each degrades and records a problem) and
 * of linear time on hostile input: time(4n) against time(n). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "css_test.h"

/* Under valgrind (meson test --setup valgrind sets BUGSWEEP_VALGRIND)
 * hostile sizes shrink 20 times: memcheck is 20 to 50 times slower, and
 * finds the same bugs on smaller input. */
static size_t vg_scaled(size_t n)
{
	return getenv("BUGSWEEP_VALGRIND") ? n / 20 : n;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID,
	              &ts); /* CPU time: other processes do not count */
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Limits big enough that the linear-time inputs are parsed in full. */
static void big_limits(struct bs_limits *lim)
{
	bs_limits_default(lim);
	lim->css_bytes = 64u << 20;
	lim->css_rules = 10000000;
	lim->css_selectors = 10000000;
	lim->css_declarations = 10000000;
	lim->references = 10000000;
}

/* --- limits degrade and are reported --------------------------------- */

static void depth_limit(void **state)
{
	struct bs_limits lim;
	struct bs_problems pr;
	struct css_options o = {
	    .limits = &lim, .problems = &pr, .budget = NULL};
	struct css_sheet *sh = NULL;
	struct bs_buf in;
	const struct css_url *u;
	size_t n, i;
	(void)state;

	bs_limits_default(&lim);
	lim.css_depth = 16;
	bs_problems_init(&pr);
	bs_buf_init(&in, 1 << 20);
	bs_buf_puts(&in, "a{background:url(first)}x{");
	for (i = 0; i < 100; i++)
		bs_buf_puts(&in, "{[(");
	for (i = 0; i < 100; i++)
		bs_buf_puts(&in, ")]}");
	bs_buf_puts(&in, "}b{background:url(deep)}c{d:url('e')}");
	assert_int_equal(css_sheet_parse(&sh, in.data, in.len, 0, &o), 0);
	assert_true(bs_problems_has(&pr, "limit", "css-depth"));
	u = css_sheet_urls(sh, &n);
	assert_int_equal(n, 3);
	assert_string_equal(u[0].url, "first");
	assert_int_equal(u[0].flags, 0);
	assert_string_equal(u[1].url, "deep");
	assert_int_equal(u[1].flags, CSS_URL_FLAT);
	assert_string_equal(u[1].context, "");
	assert_string_equal(u[2].url, "e");
	assert_int_equal(u[2].flags, CSS_URL_FLAT | CSS_URL_STRING);
	assert_memory_equal(in.data + u[2].whole_span.start, "url('e')", 8);
	css_sheet_free(&sh);
	bs_buf_release(&in);
}

static void bytes_limit(void **state)
{
	static const char in[] = "a{display:none}"
	                         "b{background:url(one)}"
	                         "c{background:url(two)}";
	struct bs_limits lim;
	struct bs_problems pr;
	struct css_options o = {
	    .limits = &lim, .problems = &pr, .budget = NULL};
	struct css_sheet *sh = NULL;
	const struct css_url *u;
	size_t n;
	(void)state;

	bs_limits_default(&lim);
	lim.css_bytes = 40;
	bs_problems_init(&pr);
	assert_int_equal(css_sheet_parse(&sh, in, strlen(in), 0, &o), 0);
	assert_true(bs_problems_has(&pr, "limit", "css-bytes"));
	u = css_sheet_urls(sh, &n);
	assert_int_equal(n, 2);
	assert_int_equal(u[0].flags, 0);
	assert_string_equal(u[1].url, "two");
	assert_int_equal(u[1].flags, CSS_URL_FLAT);
	css_sheet_free(&sh);
}

static void count_limits(void **state)
{
	struct bs_limits lim;
	struct bs_problems pr;
	struct css_budget budget = {0};
	struct css_options o = {
	    .limits = &lim, .problems = &pr, .budget = &budget};
	struct css_sheet *a = NULL, *b = NULL;
	const struct css_rule *r;
	struct bs_buf in;
	size_t n, i;
	(void)state;

	bs_limits_default(&lim);
	lim.css_rules = 15;
	lim.css_selectors = 12;
	lim.css_declarations = 14;
	lim.references = 3;
	bs_problems_init(&pr);
	bs_buf_init(&in, 1 << 20);
	for (i = 0; i < 10; i++)
		bs_buf_printf(&in, ".c%zu{background:url(u%zu)}", i, i);
	assert_int_equal(css_sheet_parse(&a, in.data, in.len, 0, &o), 0);
	r = css_sheet_rules(a, &n);
	assert_int_equal(n, 10);
	assert_non_null(r[9].selectors);
	css_sheet_urls(a, &n);
	assert_int_equal(n, 3);
	assert_true(bs_problems_has(&pr, "limit", "references"));
	/* The budget is per document: the second sheet gets what is left. */
	assert_int_equal(css_sheet_parse(&b, in.data, in.len, 0, &o), 0);
	r = css_sheet_rules(b, &n);
	assert_int_equal(n, 5);
	assert_true(bs_problems_has(&pr, "limit", "css-rules"));
	assert_non_null(r[1].selectors);
	assert_null(r[2].selectors);
	assert_int_equal(r[2].flags, CSS_RULE_LIMITED);
	assert_true(bs_problems_has(&pr, "limit", "css-selectors"));
	assert_int_equal(r[3].ndecls, 1);
	assert_int_equal(r[4].ndecls, 0);
	assert_true(r[4].flags & CSS_RULE_LIMITED);
	assert_true(bs_problems_has(&pr, "limit", "css-declarations"));
	assert_int_equal(budget.rules, 15);
	assert_int_equal(budget.selectors, 12);
	assert_int_equal(budget.declarations, 14);
	css_sheet_free(&a);
	css_sheet_free(&b);
	bs_buf_release(&in);
}

static void selector_depth_limit(void **state)
{
	struct bs_limits lim;
	struct bs_problems pr;
	struct css_options o = {
	    .limits = &lim, .problems = &pr, .budget = NULL};
	struct css_selectors *s = NULL;
	struct bs_buf in;
	size_t i;
	(void)state;

	bs_limits_default(&lim);
	lim.css_depth = 8;
	bs_problems_init(&pr);
	bs_buf_init(&in, 1 << 20);
	for (i = 0; i < 20; i++)
		bs_buf_puts(&in, "a ");
	assert_int_equal(css_selectors_parse(&s, in.data, in.len, &o),
	                 BS_ELIMIT);
	assert_null(s);
	assert_true(bs_problems_has(&pr, "limit", "css-depth"));
	bs_buf_reset(&in);
	for (i = 0; i < 20; i++)
		bs_buf_puts(&in, ":not(");
	bs_buf_puts(&in, "a");
	for (i = 0; i < 20; i++)
		bs_buf_puts(&in, ")");
	assert_int_equal(css_selectors_parse(&s, in.data, in.len, &o),
	                 BS_ELIMIT);
	bs_buf_reset(&in);
	for (i = 0; i < 3; i++)
		bs_buf_puts(&in, ":not(");
	bs_buf_puts(&in, "a");
	for (i = 0; i < 3; i++)
		bs_buf_puts(&in, ")");
	assert_int_equal(css_selectors_parse(&s, in.data, in.len, &o), 0);
	assert_non_null(s);
	css_selectors_free(&s);
	bs_buf_release(&in);
}

/* A prelude too long for the selectors left does not spend them. */
static void long_prelude(void **state)
{
	struct bs_limits lim;
	struct bs_problems pr;
	struct css_budget budget = {0};
	struct css_options o = {
	    .limits = &lim, .problems = &pr, .budget = &budget};
	struct css_sheet *sh = NULL;
	const struct css_rule *r;
	struct bs_buf in;
	size_t n, i;
	(void)state;

	bs_limits_default(&lim);
	lim.css_selectors = 10;
	bs_problems_init(&pr);
	bs_buf_init(&in, 1 << 20);
	for (i = 0; i < 200; i++)
		bs_buf_puts(&in, " ,");
	bs_buf_puts(&in, "{display:none}.a{display:none}");
	assert_int_equal(css_sheet_parse(&sh, in.data, in.len, 0, &o), 0);
	r = css_sheet_rules(sh, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].flags, CSS_RULE_LIMITED);
	assert_true(bs_problems_has(&pr, "limit", "css-selectors"));
	assert_non_null(r[1].selectors);
	assert_int_equal(budget.selectors, 1);
	css_sheet_free(&sh);
	bs_buf_release(&in);
}

static void match_steps_limit(void **state)
{
	struct bs_limits lim;
	struct bs_problems pr;
	struct css_budget budget = {0};
	struct css_options o = {
	    .limits = &lim, .problems = &pr, .budget = &budget};
	struct css_index_options io = {&lim, &pr, &budget, false, NULL};
	struct css_sheet *sh = NULL;
	struct css_index *idx = NULL;
	struct css_cascade c;
	struct tel el;
	struct bs_buf in;
	size_t i;
	(void)state;

	bs_limits_default(&lim);
	lim.css_match_steps = 1000;
	bs_problems_init(&pr);
	bs_buf_init(&in, 1 << 20);
	for (i = 0; i < 2000; i++)
		bs_buf_printf(&in, "div td.x%zu, td{width:0}", i);
	bs_buf_puts(&in, "td{display:none}");
	assert_int_equal(css_sheet_parse(&sh, in.data, in.len, 0, &o), 0);
	assert_int_equal(css_index_new(&idx, &io), 0);
	assert_int_equal(css_index_add(idx, sh), 0);
	tel_init(&el, "td", NULL, NULL, NULL, NULL);
	css_cascade_init(&c);
	assert_int_equal(css_index_match(idx, &el.el, &c, NULL, NULL), 0);
	assert_true(bs_problems_has(&pr, "limit", "css-match-steps"));
	assert_true(budget.match_steps <= 1000 + 64);
	/* Spent: later elements match nothing. */
	css_cascade_init(&c);
	assert_int_equal(css_index_match(idx, &el.el, &c, NULL, NULL), 0);
	assert_int_equal(c.v.declared, 0);
	css_index_free(&idx);
	css_sheet_free(&sh);
	bs_buf_release(&in);
}

/* Descendant chains that fail cost depth x compounds, not exponential. */
static void descendant_backtracking(void **state)
{
	enum { DEPTH = 200 };
	static struct tel chain[DEPTH];
	struct css_selectors *s = NULL;
	struct css_match m = {0};
	struct bs_buf in;
	size_t i;
	(void)state;

	for (i = 0; i < DEPTH; i++)
		tel_init(&chain[i], "a", NULL, NULL, i ? &chain[i - 1] : NULL,
		         NULL);
	bs_buf_init(&in, 1 << 20);
	bs_buf_puts(&in, "b ");
	for (i = 0; i < 30; i++)
		bs_buf_puts(&in, "a ");
	bs_buf_puts(&in, "a");
	assert_int_equal(css_selectors_parse(&s, in.data, in.len, NULL), 0);
	assert_false(css_selector_matches(s, 0, &chain[DEPTH - 1].el, &m));
	assert_false(m.limited);
	print_message("FIGURE css-descendant-backtracking: %llu steps for "
	              "depth %d, 32 compounds\n",
	              (unsigned long long)m.steps, DEPTH);
	assert_true(m.steps < (uint64_t)DEPTH * 32 * 4);
	css_selectors_free(&s);
	bs_buf_release(&in);
}

/* --- linear time ------------------------------------------------------- */

typedef void (*gen_fn)(struct bs_buf *b, size_t n);

static void gen_rules(struct bs_buf *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		bs_buf_printf(b, ".c%zu td{display:none;background:url(u%zu)}",
		              i, i);
}

static void gen_bad_url(struct bs_buf *b, size_t n)
{
	size_t i;

	bs_buf_puts(b, "a{b:url(");
	for (i = 0; i < n; i++)
		bs_buf_putc(b, '(');
}

static void gen_nesting(struct bs_buf *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		bs_buf_puts(b, "{[(");
}

static void gen_comment(struct bs_buf *b, size_t n)
{
	size_t i;

	bs_buf_puts(b, "/*");
	for (i = 0; i < n; i++)
		bs_buf_putc(b, i % 2 ? '*' : 'x');
}

static void gen_unclosed_strings(struct bs_buf *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		bs_buf_puts(b, "a{b:'\n");
}

static void gen_decls(struct bs_buf *b, size_t n)
{
	size_t i;

	bs_buf_puts(b, "a{");
	for (i = 0; i < n; i++)
		bs_buf_puts(b, "width:0;");
	bs_buf_puts(b, "}");
}

static void gen_long_selector(struct bs_buf *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		bs_buf_puts(b, ".a, ");
	bs_buf_puts(b, ".a{display:none}");
}

static double time_parse(gen_fn gen, size_t n, size_t *len)
{
	struct bs_limits lim;
	struct css_options o = {
	    .limits = &lim, .problems = NULL, .budget = NULL};
	struct css_sheet *sh = NULL;
	struct css_index *idx = NULL;
	struct css_index_options io = {&lim, NULL, NULL, false, NULL};
	struct bs_buf in;
	double t0, best = 1e18;
	int k;

	big_limits(&lim);
	bs_buf_init(&in, (size_t)1 << 30);
	gen(&in, n);
	assert_int_equal(bs_buf_error(&in), 0);
	*len = in.len;
	/* Best of two: the machine is shared. */
	for (k = 0; k < 2; k++) {
		struct tel el;
		struct css_cascade c;

		t0 = now_ms();
		assert_int_equal(css_sheet_parse(&sh, in.data, in.len, 0, &o),
		                 0);
		assert_int_equal(css_index_new(&idx, &io), 0);
		assert_int_equal(css_index_add(idx, sh), 0);
		tel_init(&el, "td", NULL, "c1 a", NULL, NULL);
		css_cascade_init(&c);
		assert_int_equal(css_index_match(idx, &el.el, &c, NULL, NULL),
		                 0);
		t0 = now_ms() - t0;
		if (t0 < best)
			best = t0;
		css_index_free(&idx);
		css_sheet_free(&sh);
	}
	bs_buf_release(&in);
	return best;
}

static void linear(void **state)
{
	static const struct {
		const char *name;
		gen_fn gen;
		size_t n;
	} cases[] = {
	    {"rules", gen_rules, 50000},
	    {"bad-url-parens", gen_bad_url, 250000},
	    {"nesting", gen_nesting, 250000},
	    {"comment", gen_comment, 2500000},
	    {"unclosed-strings", gen_unclosed_strings, 50000},
	    {"declarations", gen_decls, 50000},
	    {"selector-list", gen_long_selector, 50000},
	};
	size_t i, failed = 0;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t l1, l4, n = vg_scaled(cases[i].n);
		double t1 = time_parse(cases[i].gen, n, &l1);
		double t4 = time_parse(cases[i].gen, n * 4, &l4);
		double ratio = t4 / (t1 > 0.5 ? t1 : 0.5);

		print_message(
		    "FIGURE css-linear %s: n=%zu (%zu bytes) %.1f ms, "
		    "4n %.1f ms, ratio %.2f\n",
		    cases[i].name, n, l1, t1, t4, ratio);
		/* Linear is 4; quadratic would be 16. Noise is generous. */
		if (ratio > 9 && t4 > 50) {
			print_error("%s is not linear\n", cases[i].name);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* Matching many elements against many rules goes through the index. */
static void index_scales(void **state)
{
	struct bs_limits lim;
	struct css_options o = {
	    .limits = &lim, .problems = NULL, .budget = NULL};
	struct css_index_options io = {&lim, NULL, NULL, false, NULL};
	double t[2];
	size_t elements = vg_scaled(20000);
	int k;
	(void)state;

	big_limits(&lim);
	for (k = 0; k < 2; k++) {
		size_t rules = vg_scaled(k ? 80000 : 20000), i;
		struct css_sheet *sh = NULL;
		struct css_index *idx = NULL;
		struct bs_buf in;
		char cls[32];
		double t0;

		bs_buf_init(&in, (size_t)1 << 30);
		for (i = 0; i < rules; i++)
			bs_buf_printf(&in, ".c%zu{display:none}#i%zu{width:0}",
			              i, i);
		assert_int_equal(css_sheet_parse(&sh, in.data, in.len, 0, &o),
		                 0);
		assert_int_equal(css_index_new(&idx, &io), 0);
		assert_int_equal(css_index_add(idx, sh), 0);
		t0 = now_ms();
		for (i = 0; i < elements; i++) {
			struct tel el;
			struct css_cascade c;

			snprintf(cls, sizeof(cls), "c%zu x", i * 3 % rules);
			tel_init(&el, "td", NULL, cls, NULL, NULL);
			css_cascade_init(&c);
			assert_int_equal(
			    css_index_match(idx, &el.el, &c, NULL, NULL), 0);
			assert_int_equal(c.v.display, CSS_DISPLAY_NONE);
		}
		t[k] = now_ms() - t0;
		css_index_free(&idx);
		css_sheet_free(&sh);
		bs_buf_release(&in);
	}
	print_message("FIGURE css-index: %zu elements x %zu rules %.1f ms, "
	              "x %zu rules %.1f ms\n",
	              elements, vg_scaled(20000) * 2, t[0],
	              vg_scaled(80000) * 2, t[1]);
	/* N x R would be 4 times slower; the index is logarithmic in R. */
	assert_true(t[1] < 3 * t[0] + 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(depth_limit),
	    cmocka_unit_test(bytes_limit),
	    cmocka_unit_test(count_limits),
	    cmocka_unit_test(selector_depth_limit),
	    cmocka_unit_test(long_prelude),
	    cmocka_unit_test(match_steps_limit),
	    cmocka_unit_test(descendant_backtracking),
	    cmocka_unit_test(linear),
	    cmocka_unit_test(index_scales),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
