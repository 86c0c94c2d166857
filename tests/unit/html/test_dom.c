/* The consumer tree (html/dom.h): spans, reuse, the BOM, text, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "html/dom.h"
#include "util/alloc.h"
#include "util/buf.h"

static struct bs_limits lim;

static struct html_dom *parse(struct html_dom *reuse, const char *s, size_t n,
                              struct bs_problems *pr)
{
	struct html_parser_options o;
	struct html_dom *d = reuse;

	memset(&o, 0, sizeof(o));
	o.limits = &lim;
	o.problems = pr;
	o.conditional_comments = true;
	assert_int_equal(html_dom_parse(&d, &o, s, n), 0);
	assert_non_null(d);
	return d;
}

static const struct dom_node *find(const struct html_dom *d, const char *name,
                                   unsigned nth)
{
	uint32_t i;

	for (i = 0; i < html_dom_count(d); i++) {
		const struct dom_node *n = html_dom_node(d, i);
		if (n->type == DOM_ELEMENT && strcmp(n->name, name) == 0 &&
		    nth-- == 0)
			return n;
	}
	return NULL;
}

static void value_is(const char *doc, const struct html_attr *a,
                     const char *want)
{
	size_t n = strlen(want);

	assert_non_null(a);
	assert_int_equal(a->value_span.end - a->value_span.start, n);
	assert_memory_equal(doc + a->value_span.start, want, n);
}

/* A leading byte order mark is dropped as the WHATWG decoder drops it
 * (no quirks mode), and spans still count it. */
static void bom_dropped_spans_kept(void **state)
{
	static const char s[] = "\xEF\xBB\xBF<!DOCTYPE html><p class=X>hi"
	                        "<img src=\"https://a.example/b\">";
	struct html_dom *d;
	(void)state;

	d = parse(NULL, s, sizeof(s) - 1, NULL);
	assert_int_equal(html_dom_quirks(d), HTML_NO_QUIRKS);
	value_is(s, dom_attr(find(d, "p", 0), "class"), "X");
	value_is(s, dom_attr(find(d, "img", 0), "src"), "https://a.example/b");
	html_dom_free(&d);
	assert_null(d);
}

/* A tree reused for another document gives what a fresh one gives. */
static void reuse_same_result(void **state)
{
	static const char a[] = "<table><tr><td background=x.png>1<td>2</table>"
	                        "<p style=\"color:red\">text</p>";
	static const char b[] =
	    "<!DOCTYPE html><div><img src=y.gif alt=z></div>";
	struct html_dom *d, *fresh;
	uint32_t i;
	(void)state;

	d = parse(NULL, a, sizeof(a) - 1, NULL);
	assert_non_null(find(d, "td", 1));
	d = parse(d, b, sizeof(b) - 1, NULL);
	fresh = parse(NULL, b, sizeof(b) - 1, NULL);
	assert_int_equal(html_dom_count(d), html_dom_count(fresh));
	for (i = 0; i < html_dom_count(d); i++) {
		const struct dom_node *x = html_dom_node(d, i),
		                      *y = html_dom_node(fresh, i);
		assert_int_equal(x->type, y->type);
		assert_int_equal(x->parent, y->parent);
		assert_int_equal(x->name_len, y->name_len);
		assert_memory_equal(x->name, y->name, x->name_len);
		assert_int_equal(x->nattrs, y->nattrs);
	}
	assert_null(find(d, "td", 0));
	assert_int_equal(html_dom_quirks(d), HTML_NO_QUIRKS);
	html_dom_free(&d);
	html_dom_free(&fresh);
}

/* Long text arrives in pieces; it must all be there, in order. */
static void long_text_kept(void **state)
{
	struct bs_buf b, got;
	struct html_dom *d;
	uint32_t i;
	size_t k;
	(void)state;

	bs_buf_init(&b, 1 << 20);
	bs_buf_init(&got, 1 << 20);
	bs_buf_puts(&b, "<p>");
	for (k = 0; k < 3000; k++)
		bs_buf_printf(&b, "w%zu &amp; ", k);
	bs_buf_puts(&b, "</p>");
	d = parse(NULL, b.data, b.len, NULL);
	for (i = 0; i < html_dom_count(d); i++) {
		const struct dom_node *n = html_dom_node(d, i);
		if (n->type == DOM_TEXT)
			bs_buf_append(&got, n->name, n->name_len);
	}
	assert_int_equal(got.len, b.len - 7 - 3000 * 4);
	assert_memory_equal(got.data, "w0 & w1 & ", 10);
	html_dom_free(&d);
	bs_buf_release(&b);
	bs_buf_release(&got);
}

/* A second <body> adds the attributes the first lacks. */
static void attributes_merged(void **state)
{
	static const char s[] = "<body class=a><p>x</p><body id=b class=c>";
	struct html_dom *d;
	const struct dom_node *body;
	(void)state;

	d = parse(NULL, s, sizeof(s) - 1, NULL);
	body = find(d, "body", 0);
	assert_non_null(body);
	assert_string_equal(dom_attr(body, "class")->value, "a");
	assert_string_equal(dom_attr(body, "id")->value, "b");
	assert_null(find(d, "body", 1));
	html_dom_free(&d);
}

/* Past the node bound the tree keeps what it built and says so. */
static void node_limit(void **state)
{
	struct bs_limits small = lim;
	struct html_parser_options o;
	struct bs_problems pr;
	struct html_dom *d = NULL;
	struct bs_buf b;
	size_t k;
	(void)state;

	small.html_elements = 50;
	bs_problems_init(&pr);
	bs_buf_init(&b, 1 << 20);
	for (k = 0; k < 1000; k++)
		bs_buf_puts(&b, "<span>x</span>");
	memset(&o, 0, sizeof(o));
	o.limits = &small;
	o.problems = &pr;
	assert_int_equal(html_dom_parse(&d, &o, b.data, b.len), 0);
	assert_non_null(d);
	assert_true(html_dom_count(d) <= 2 * 50 + 16);
	assert_true(bs_problems_has(&pr, "limit", "html-dom") ||
	            bs_problems_has(&pr, "limit", "html-elements"));
	html_dom_free(&d);
	bs_buf_release(&b);
}

/* Out of memory anywhere: an error or a tree, never a crash or a leak. */
static void allocation_failures(void **state)
{
	static const char s[] = "<html><head><style>p{color:red}</style></head>"
	                        "<body><p a=1 b=2>t<img src=i.png></p>"
	                        "<!--[if mso]><img src=o.gif><![endif]-->";
	struct html_parser_options o;
	unsigned long n;
	(void)state;

	memset(&o, 0, sizeof(o));
	o.limits = &lim;
	o.conditional_comments = true;
	for (n = 1; n < 200; n++) {
		struct html_dom *d = NULL;
		int rc;
		bs_alloc_fail_at(n, 0);
		rc = html_dom_parse(&d, &o, s, sizeof(s) - 1);
		bs_alloc_fail_at(0, 0);
		if (rc == 0)
			assert_non_null(d);
		else
			assert_null(d);
		html_dom_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bom_dropped_spans_kept),
	    cmocka_unit_test(reuse_same_result),
	    cmocka_unit_test(long_text_kept),
	    cmocka_unit_test(attributes_merged),
	    cmocka_unit_test(node_limit),
	    cmocka_unit_test(allocation_failures),
	};
	bs_limits_default(&lim);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
