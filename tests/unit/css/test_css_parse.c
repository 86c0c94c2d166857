/* Unit tests of the CSS parser: URL references (contexts, decoding, exact
 * spans, flags), rules, conditions, declarations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "css_test.h"

#define BASE 500

/* "ctx=url {raw bytes of url_span} [raw bytes of whole_span]" ; ... */
static void dump_urls(struct bs_buf *out, const char *in,
                      const struct css_sheet *sh)
{
	const struct css_url *u;
	size_t n, i;

	bs_buf_reset(out);
	u = css_sheet_urls(sh, &n);
	for (i = 0; i < n; i++) {
		if (i)
			bs_buf_puts(out, " ; ");
		bs_buf_printf(out, "%s=%s {", u[i].context, u[i].url);
		bs_buf_append(
		    out, in + u[i].url_span.start - BASE,
		    (size_t)(u[i].url_span.end - u[i].url_span.start));
		bs_buf_puts(out, "} [");
		bs_buf_append(
		    out, in + u[i].whole_span.start - BASE,
		    (size_t)(u[i].whole_span.end - u[i].whole_span.start));
		bs_buf_puts(out, "]");
	}
	if (out->data == NULL)
		bs_buf_puts(out, "");
}

static const struct {
	int style; /* 1: a style attribute, 0: a sheet */
	const char *in;
	const char *want;
} url_cases[] = {
    /* real mail idioms */
    {1, "background:url(https://x/p.gif?u=1)",
     "background=https://x/p.gif?u=1 {https://x/p.gif?u=1} "
     "[url(https://x/p.gif?u=1)]"},
    {1, "background-image:url('//host/p')",
     "background-image=//host/p {//host/p} [url('//host/p')]"},
    {0, "@import url(https://t.example/c.css);",
     "@import=https://t.example/c.css {https://t.example/c.css} "
     "[url(https://t.example/c.css)]"},
    {0, "@import \"https://t.example/c.css\" screen;",
     "@import=https://t.example/c.css {https://t.example/c.css} "
     "[\"https://t.example/c.css\"]"},
    {0, "@IMPORT url( \"x.css\" ) screen and (max-width:600px);",
     "@import=x.css {x.css} [url( \"x.css\" )]"},
    {0, "@font-face{font-family:x;src:url(https://t/f.woff) format('woff')}",
     "@font-face src=https://t/f.woff {https://t/f.woff} "
     "[url(https://t/f.woff)]"},
    {0,
     "@font-face{src:local(x),url(f.woff2) format(\"woff2\"),"
     "url(\"f.woff\")}",
     "@font-face src=f.woff2 {f.woff2} [url(f.woff2)] ; "
     "@font-face src=f.woff {f.woff} [url(\"f.woff\")]"},
    {1, "background:-webkit-image-set(url(a) 1x, \"b\" 2x)",
     "background=a {a} [url(a)] ; background=b {b} [\"b\"]"},
    {1, "background-image:image-set(\"a.png\" type(\"image/png\") 1x)",
     "background-image=a.png {a.png} [\"a.png\"]"},
    {1, "background:image('x.png')", "background=x.png {x.png} ['x.png']"},
    {1, "background:src(\"s.png\")",
     "background=s.png {s.png} [src(\"s.png\")]"},
    /* escapes and whitespace */
    {1, "background:url(\\68 ttp://x/\\70 .gif)",
     "background=http://x/p.gif {\\68 ttp://x/\\70 .gif} "
     "[url(\\68 ttp://x/\\70 .gif)]"},
    {1, "background:u\\72l(x)", "background=x {x} [u\\72l(x)]"},
    {1, "b\\61 ckground:url(x)", "background=x {x} [url(x)]"},
    {1, "background:url(  spaced  )",
     "background=spaced {spaced} [url(  spaced  )]"},
    {1, "background:url(\" a \")", "background=a {a} [url(\" a \")]"},
    {1, "background:url(\"a\\\"b\")",
     "background=a\"b {a\\\"b} [url(\"a\\\"b\")]"},
    {1, "background:url('a\\\nb')", "background=ab {a\\\nb} [url('a\\\nb')]"},
    {1, "BACKGROUND:URL(X)", "background=X {X} [URL(X)]"},
    /* every property that fetches */
    {1,
     "list-style:url(l.png) disc;list-style-image:url(li.png);"
     "border-image:url(b.png) 30;content:url(c.png);"
     "cursor:url(c.cur),auto;mask:url(m.svg);filter:url(f.svg#x);"
     "behavior:url(b.htc)",
     "list-style=l.png {l.png} [url(l.png)] ; "
     "list-style-image=li.png {li.png} [url(li.png)] ; "
     "border-image=b.png {b.png} [url(b.png)] ; "
     "content=c.png {c.png} [url(c.png)] ; "
     "cursor=c.cur {c.cur} [url(c.cur)] ; mask=m.svg {m.svg} [url(m.svg)] ; "
     "filter=f.svg#x {f.svg#x} [url(f.svg#x)] ; "
     "behavior=b.htc {b.htc} [url(b.htc)]"},
    {1, "background:url(a),url(b) !important",
     "background=a {a} [url(a)] ; background=b {b} [url(b)]"},
    {1,
     "filter:progid:DXImageTransform.Microsoft.AlphaImageLoader("
     "src='x.png',sizingMethod='scale')",
     "filter=x.png {x.png} ['x.png']"},
    {1, "background:url(data:image/gif;base64,R0lGOD==)",
     "background=data:image/gif;base64,R0lGOD== "
     "{data:image/gif;base64,R0lGOD==} "
     "[url(data:image/gif;base64,R0lGOD==)]"},
    /* not fetched or not URLs */
    {1, "background:url(a b)", ""},
    {1, "background:url(a\"b)", ""},
    {1, "background:'x.png'", ""},
    {1, "font-family:\"url(x)\"", ""},
    {1, "background:urlx(a)", ""},
    {0, "@import url(a.css) supports(display:grid) layer(x);",
     "@import=a.css {a.css} [url(a.css)]"},
    /* structure */
    {0, "@media screen{.a{background:url(m.png)}}",
     "background=m.png {m.png} [url(m.png)]"},
    {0, "@keyframes k{from{background:url(k.png)}}",
     "background=k.png {k.png} [url(k.png)]"},
    {0, "a{color:red}b{background:url(b1)}c{x:y}",
     "background=b1 {b1} [url(b1)]"},
    {0, "a{b:url(x", "b=x {x} [url(x]"},
    {0, "a{b:url('x", "b=x {x} [url('x]"},
    {0, "a[x=url(y)]{}", "=y {y} [url(y)]"},
    {0, "a{*background:url(ie.png)}", "=ie.png {ie.png} [url(ie.png)]"},
    {0, "@namespace url(http://www.w3.org/1999/xhtml);",
     "@namespace=http://www.w3.org/1999/xhtml "
     "{http://www.w3.org/1999/xhtml} [url(http://www.w3.org/1999/xhtml)]"},
    {0, "<!--\na{background:url(x)}\n-->", "background=x {x} [url(x)]"},
};

static void urls(void **state)
{
	struct bs_buf out;
	size_t i, failed = 0;
	(void)state;

	bs_buf_init(&out, 1 << 20);
	for (i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		struct css_sheet *sh = NULL;
		const char *in = url_cases[i].in;
		int rc = url_cases[i].style
		             ? css_style_parse(&sh, in, strlen(in), BASE, NULL)
		             : css_sheet_parse(&sh, in, strlen(in), BASE, NULL);

		assert_int_equal(rc, 0);
		dump_urls(&out, in, sh);
		if (strcmp(out.data, url_cases[i].want) != 0) {
			print_error("case %zu %s:\n  got  %s\n  want %s\n", i,
			            in, out.data, url_cases[i].want);
			failed++;
		}
		css_sheet_free(&sh);
		assert_null(sh);
	}
	bs_buf_release(&out);
	assert_int_equal(failed, 0);
}

static const struct css_url *only_url(const struct css_sheet *sh)
{
	size_t n;
	const struct css_url *u = css_sheet_urls(sh, &n);

	assert_int_equal(n, 1);
	return u;
}

static void url_flags(void **state)
{
	static const struct {
		int style;
		const char *in;
		unsigned want;
	} cases[] = {
	    {1, "background:url(x)", 0},
	    {1, "background:url('x')", CSS_URL_STRING},
	    {0, "@import url(x);", CSS_URL_IMPORT},
	    {0, "@import 'x';", CSS_URL_IMPORT | CSS_URL_STRING},
	    {0, "@font-face{src:url(x)}", CSS_URL_FONT_FACE},
	    {0, "@media print{a{b:url(x)}}", CSS_URL_CONDITIONAL},
	    {0, "@media print{@font-face{src:url(x)}}",
	     CSS_URL_CONDITIONAL | CSS_URL_FONT_FACE},
	    {0, "@keyframes k{0%{b:url(x)}}", CSS_URL_NESTED},
	    {0, "a{.b{c:url(x)}}", CSS_URL_NESTED},
	    {0, "@page{background:url(x)}", CSS_URL_NESTED},
	    {0, "a{*b:url(x)}", CSS_URL_STRAY | CSS_URL_NESTED},
	    {0, "url(x){}", CSS_URL_STRAY},
	    {0, "@namespace url(x);", CSS_URL_NOFETCH},
	    {0, "@-moz-document url(x){a{b:c}}", CSS_URL_NOFETCH},
	    {1, "b:url(x", CSS_URL_UNTERMINATED},
	    {1, "b:url('x'", CSS_URL_UNTERMINATED | CSS_URL_STRING},
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct css_sheet *sh = NULL;
		const char *in = cases[i].in;
		int rc = cases[i].style
		             ? css_style_parse(&sh, in, strlen(in), 0, NULL)
		             : css_sheet_parse(&sh, in, strlen(in), 0, NULL);
		const struct css_url *u;

		assert_int_equal(rc, 0);
		u = only_url(sh);
		if (u->flags != cases[i].want)
			print_error("case %zu %s: flags %#x want %#x\n", i, in,
			            u->flags, cases[i].want);
		assert_int_equal(u->flags, cases[i].want);
		css_sheet_free(&sh);
	}
}

/* URLs say which rule they belong to, and rules count them. */
static void url_rules(void **state)
{
	static const char in[] = "a{color:red}@media x{.b{background:url(b)}}"
	                         "@import url(i);@font-face{src:url(f)}";
	struct css_sheet *sh = NULL;
	const struct css_rule *r;
	const struct css_url *u;
	size_t n, nu;
	(void)state;

	assert_int_equal(css_sheet_parse(&sh, in, strlen(in), 0, NULL), 0);
	r = css_sheet_rules(sh, &n);
	u = css_sheet_urls(sh, &nu);
	assert_int_equal(n, 4);
	assert_int_equal(nu, 3);
	assert_int_equal(u[0].rule, 1);
	assert_int_equal(u[1].rule, 2);
	assert_int_equal(u[2].rule, 3);
	assert_int_equal(r[0].nurls, 0);
	assert_int_equal(r[1].nurls, 1);
	assert_int_equal(r[2].kind, CSS_RULE_IMPORT);
	assert_string_equal(r[2].at_name, "import");
	assert_string_equal(r[2].prelude, "url(i)");
	assert_int_equal(r[3].kind, CSS_RULE_FONT_FACE);
	css_sheet_free(&sh);
}

static void rules_and_decls(void **state)
{
	static const char in[] = "a{color:red} .b , c > d{ display : none "
	                         "!important ; WIDTH:1PX;--x:{a};"
	                         "b\\61 ckground:url(x) }";
	struct css_sheet *sh = NULL;
	const struct css_rule *r;
	const struct css_decl *d;
	size_t n;
	(void)state;

	assert_int_equal(css_sheet_parse(&sh, in, strlen(in), BASE, NULL), 0);
	r = css_sheet_rules(sh, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].kind, CSS_RULE_STYLE);
	assert_string_equal(r[0].prelude, "a");
	assert_int_equal(r[0].ndecls, 1);
	assert_string_equal(r[0].decls[0].name, "color");
	assert_string_equal(r[0].decls[0].value, "red");
	assert_int_equal(r[0].span.start, BASE);
	assert_int_equal(r[0].span.end, BASE + 12);
	assert_non_null(r[0].selectors);
	assert_string_equal(r[1].prelude, ".b , c > d");
	assert_int_equal(r[1].prelude_span.start, BASE + 13);
	assert_int_equal(r[1].prelude_span.end, BASE + 23);
	assert_int_equal(r[1].span.end, BASE + strlen(in));
	assert_int_equal(css_selectors_count(r[1].selectors), 2);
	assert_int_equal(r[1].ndecls, 4);
	d = r[1].decls;
	assert_string_equal(d[0].name, "display");
	assert_string_equal(d[0].value, "none");
	assert_true(d[0].important);
	assert_memory_equal(in + d[0].span.start - BASE,
	                    "display : none !important", 25);
	assert_int_equal(d[0].span.end - d[0].span.start, 25);
	assert_int_equal(d[0].value_span.start - BASE, strstr(in, "none") - in);
	assert_string_equal(d[1].name, "width");
	assert_string_equal(d[1].value, "1PX");
	assert_false(d[1].important);
	assert_string_equal(d[2].name, "--x");
	assert_string_equal(d[2].value, "{a}");
	assert_string_equal(d[3].name, "background");
	assert_string_equal(d[3].value, "url(x)");
	assert_int_equal(r[1].nvdecls, 3);
	css_sheet_free(&sh);
}

static void style_attr(void **state)
{
	static const char in[] = " display:none;; ;width:1px!important;"
	                         "color:red !IMPORTANT x; bad; :x; 3:4;h:";
	struct css_sheet *sh = NULL;
	const struct css_rule *r;
	size_t n;
	(void)state;

	assert_int_equal(css_style_parse(&sh, in, strlen(in), 0, NULL), 0);
	r = css_sheet_rules(sh, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].kind, CSS_RULE_STYLE_ATTR);
	assert_null(r[0].selectors);
	assert_int_equal(r[0].ndecls, 4);
	assert_string_equal(r[0].decls[0].name, "display");
	assert_string_equal(r[0].decls[1].name, "width");
	assert_string_equal(r[0].decls[1].value, "1px");
	assert_true(r[0].decls[1].important);
	/* "!IMPORTANT x" is not a priority: it stays in the value. */
	assert_string_equal(r[0].decls[2].value, "red !IMPORTANT x");
	assert_false(r[0].decls[2].important);
	assert_string_equal(r[0].decls[3].name, "h");
	assert_string_equal(r[0].decls[3].value, "");
	css_sheet_free(&sh);

	/* An empty attribute still has its rule. */
	assert_int_equal(css_style_parse(&sh, "", 0, 0, NULL), 0);
	r = css_sheet_rules(sh, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].ndecls, 0);
	css_sheet_free(&sh);
	assert_int_equal(css_style_parse(&sh, NULL, 0, 0, NULL), 0);
	css_sheet_free(&sh);
}

static void conditions(void **state)
{
	static const char in[] =
	    "@supports (display:grid){@media screen and (max-width:600px)"
	    "{.x{display:none}}.y{color:red}}@layer base{.z{a:b}}"
	    "@layer a, b;@page :first{margin:0}"
	    "@media print{@font-face{src:url(f)}}";
	struct css_sheet *sh = NULL;
	const struct css_rule *r;
	size_t n;
	(void)state;

	assert_int_equal(css_sheet_parse(&sh, in, strlen(in), 0, NULL), 0);
	r = css_sheet_rules(sh, &n);
	assert_int_equal(n, 6);
	assert_string_equal(r[0].prelude, ".x");
	assert_non_null(r[0].cond);
	assert_int_equal(r[0].cond->kind, CSS_COND_MEDIA);
	assert_string_equal(r[0].cond->text, "screen and (max-width:600px)");
	assert_non_null(r[0].cond->parent);
	assert_int_equal(r[0].cond->parent->kind, CSS_COND_SUPPORTS);
	assert_string_equal(r[0].cond->parent->text, "(display:grid)");
	assert_null(r[0].cond->parent->parent);
	assert_string_equal(r[1].prelude, ".y");
	assert_int_equal(r[1].cond->kind, CSS_COND_SUPPORTS);
	assert_string_equal(r[2].prelude, ".z");
	assert_int_equal(r[2].cond->kind, CSS_COND_LAYER);
	assert_int_equal(r[3].kind, CSS_RULE_AT);
	assert_string_equal(r[3].at_name, "layer");
	assert_int_equal(r[4].kind, CSS_RULE_AT);
	assert_string_equal(r[4].at_name, "page");
	assert_string_equal(r[4].prelude, ":first");
	assert_int_equal(r[4].ndecls, 1);
	assert_int_equal(r[5].kind, CSS_RULE_FONT_FACE);
	assert_int_equal(r[5].cond->kind, CSS_COND_MEDIA);
	css_sheet_free(&sh);
}

static void odd_structure(void **state)
{
	static const struct {
		const char *in;
		size_t nrules;
		const char *prelude0;
		unsigned flags0;
	} cases[] = {
	    {"a{b:c}}d{e:f}", 2, "a", 0},
	    {"a{b:c", 1, "a", CSS_RULE_UNTERMINATED},
	    {"a{", 1, "a", CSS_RULE_UNTERMINATED},
	    {"{a:b}", 1, "", CSS_RULE_BAD_SELECTOR},
	    {"a b c", 0, NULL, 0},
	    {"a;b{c:d}", 1, "a;b", CSS_RULE_BAD_SELECTOR},
	    {"a{.b{display:none}}", 2, "a", 0},
	    {"@media{a{b:c}", 1, "a", 0},
	    {"@foo bar;a{b:c}", 2, "bar", 0},
	    {"@foo{a{b:c}}x{y:z}", 3, "", 0},
	    {"a:hover{b:c}", 1, "a:hover", 0},
	    {"a:nosuch{b:c}", 1, "a:nosuch", CSS_RULE_BAD_SELECTOR},
	    {"a{b:c;@media x{d:e}}", 1, "a", 0},
	    {"a{(b:c;d:e)}f{}", 2, "a", 0},
	    {"a{[}]}b{}", 2, "a", 0},
	    {"a{b:[}c}d{}", 1, "a", CSS_RULE_UNTERMINATED},
	};
	size_t i, n;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct css_sheet *sh = NULL;
		const struct css_rule *r;

		assert_int_equal(css_sheet_parse(&sh, cases[i].in,
		                                 strlen(cases[i].in), 0, NULL),
		                 0);
		r = css_sheet_rules(sh, &n);
		if (n != cases[i].nrules)
			print_error("case %zu %s: %zu rules\n", i, cases[i].in,
			            n);
		assert_int_equal(n, cases[i].nrules);
		if (n) {
			if (r[0].flags != cases[i].flags0)
				print_error("case %zu %s: flags %#x\n", i,
				            cases[i].in, r[0].flags);
			assert_string_equal(r[0].prelude, cases[i].prelude0);
			assert_int_equal(r[0].flags, cases[i].flags0);
		}
		css_sheet_free(&sh);
	}
}

/* The nested rule of "a{.b{...}}" is kept, flagged, never matched. */
static void nesting(void **state)
{
	static const char in[] = "a{color:red;.b{display:none}width:0}";
	struct css_sheet *sh = NULL;
	const struct css_rule *r;
	size_t n;
	(void)state;

	assert_int_equal(css_sheet_parse(&sh, in, strlen(in), 0, NULL), 0);
	r = css_sheet_rules(sh, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].ndecls, 2);
	assert_string_equal(r[0].decls[1].name, "width");
	assert_int_equal(r[1].flags, CSS_RULE_NESTED);
	assert_null(r[1].selectors);
	assert_string_equal(r[1].prelude, ".b");
	assert_int_equal(r[1].ndecls, 1);
	css_sheet_free(&sh);
}

/* A declaration's value can be tokenized again with exact spans. */
static void decl_value_tokens(void **state)
{
	static const char in[] = "a{background : url( x.png ) red}";
	struct css_sheet *sh = NULL;
	struct css_tokenizer *t = NULL;
	struct css_token tok;
	const struct css_rule *r;
	const struct css_decl *d;
	size_t n;
	(void)state;

	assert_int_equal(css_sheet_parse(&sh, in, strlen(in), 100, NULL), 0);
	r = css_sheet_rules(sh, &n);
	d = &r[0].decls[0];
	assert_int_equal(
	    css_tokenizer_new(&t, d->value, d->value_len, d->value_span.start),
	    0);
	assert_int_equal(css_tokenizer_next(t, &tok), 0);
	assert_int_equal(tok.type, CSS_TOK_URL);
	assert_int_equal(tok.span.start, 100 + strlen("a{background : "));
	assert_memory_equal(in + tok.value_span.start - 100, "x.png", 5);
	css_tokenizer_free(&t);
	css_sheet_free(&sh);
}

static void alloc_failures(void **state)
{
	static const char in[] =
	    "@import 'a';@media x{.a,.b>c{background:url(x);display:none}}"
	    "@font-face{src:url(f)}d{e:f;.g{h:url(i)}}";
	unsigned long i;
	int ok = 0;
	(void)state;

	for (i = 1; i < 400; i++) {
		struct css_sheet *sh = NULL;
		int rc;

		bs_alloc_fail_at(i, 0);
		rc = css_sheet_parse(&sh, in, strlen(in), 0, NULL);
		bs_alloc_fail_at(0, 0);
		assert_true(rc == 0 || rc == BS_ENOMEM);
		if (rc == 0) {
			assert_non_null(sh);
			ok++;
		} else {
			assert_null(sh);
		}
		css_sheet_free(&sh);
	}
	assert_true(ok > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(urls),
	    cmocka_unit_test(url_flags),
	    cmocka_unit_test(url_rules),
	    cmocka_unit_test(rules_and_decls),
	    cmocka_unit_test(style_attr),
	    cmocka_unit_test(conditions),
	    cmocka_unit_test(odd_structure),
	    cmocka_unit_test(nesting),
	    cmocka_unit_test(decl_value_tokens),
	    cmocka_unit_test(alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
