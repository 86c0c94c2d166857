/* Unit tests of selectors (parsing, specificity, matching), the rule
 * index and media queries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "css_test.h"

#define SP CSS_SPECIFICITY

static const struct {
	const char *sel;
	size_t n;       /* selectors in the list; 0: invalid */
	uint32_t spec0; /* specificity of the first */
} parse_cases[] = {
    {"*", 1, SP(0, 0, 0)},
    {"a", 1, SP(0, 0, 1)},
    {".a", 1, SP(0, 1, 0)},
    {"#a", 1, SP(1, 0, 0)},
    {"a.b#c[d]:hover", 1, SP(1, 3, 1)},
    {"ul li", 1, SP(0, 0, 2)},
    {"a::before", 1, SP(0, 0, 2)},
    {"a:before", 1, SP(0, 0, 2)},
    {":not(#a, .b)", 1, SP(1, 0, 0)},
    {":is(.a, #b) c", 1, SP(1, 0, 1)},
    {":where(#a) b", 1, SP(0, 0, 1)},
    {":nth-child(2n+1 of .x)", 1, SP(0, 2, 0)},
    {"td:first-child", 1, SP(0, 1, 1)},
    {"a, b , .c", 3, SP(0, 0, 1)},
    {"a > b + c ~ d e", 1, SP(0, 0, 5)},
    {"a>b", 1, SP(0, 0, 2)},
    {"A:HOVER", 1, SP(0, 1, 1)},
    {"td[class=\"x\" i]", 1, SP(0, 1, 1)},
    {"[x|=y]", 1, SP(0, 1, 0)},
    {"[ ns|x = 'y' s ]", 1, SP(0, 1, 0)},
    {"*|a", 1, SP(0, 0, 1)},
    {"|a", 1, SP(0, 0, 1)},
    {"ns|*", 1, SP(0, 0, 0)},
    {":root", 1, SP(0, 1, 0)},
    {"a:-webkit-any-link", 1, SP(0, 1, 1)},
    {"a::-webkit-scrollbar", 1, SP(0, 0, 2)},
    {"::selection", 1, SP(0, 0, 1)},
    {":is(a, :nosuch)", 1, SP(0, 0, 1)},
    {":nth-child( -n + 3 )", 1, SP(0, 1, 0)},
    {":nth-child(even)", 1, SP(0, 1, 0)},
    {":nth-last-child(2)", 1, SP(0, 1, 0)},
    {":has(> img)", 1, SP(0, 1, 0)},
    {"u + .body .gmail", 1, SP(0, 2, 1)},
    {"*[x-apple-data-detectors]", 1, SP(0, 1, 0)},
    {"  a  ", 1, SP(0, 0, 1)},
    /* invalid */
    {"", 0, 0},
    {"a,", 0, 0},
    {",a", 0, 0},
    {"a >", 0, 0},
    {"> a", 0, 0},
    {"a:nosuch", 0, 0},
    {"a::nosuch", 0, 0},
    {"#1a", 0, 0},
    {".1", 0, 0},
    {"a[", 0, 0},
    {"a[x=]", 0, 0},
    {"a[x=y z]", 0, 0},
    {"a:not()", 0, 0},
    {"a:not(", 0, 0},
    {"a::before b", 0, 0},
    {"a..b", 0, 0},
    {"[x~~=y]", 0, 0},
    {":nth-child(foo)", 0, 0},
    {"a b{", 0, 0},
    {"a/**/b", 0, 0},
    {"a::before::after", 0, 0},
    {"from", 1, SP(0, 0, 1)},
    {"50%", 0, 0},
};

static void parsing(void **state)
{
	size_t i, failed = 0;
	(void)state;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		struct css_selectors *s = NULL;
		const char *t = parse_cases[i].sel;
		size_t n;
		uint32_t sp;

		assert_int_equal(css_selectors_parse(&s, t, strlen(t), NULL),
		                 0);
		n = css_selectors_count(s);
		sp = css_selector_specificity(s, 0);
		if (n != parse_cases[i].n || sp != parse_cases[i].spec0) {
			print_error("case %zu \"%s\": n %zu spec %#x, want %zu "
			            "%#x\n",
			            i, t, n, sp, parse_cases[i].n,
			            parse_cases[i].spec0);
			failed++;
		}
		css_selectors_free(&s);
		assert_null(s);
	}
	assert_int_equal(failed, 0);
}

/*
 * html
 *   body.body.Main
 *     div#wrap.outer
 *       table.hd.desktop_hide [data-x=a-b width=1 type=Text]
 *         td.a.b
 *         td#t2.c
 *           img [src=x]
 *       p.x
 *     u
 *     div.gmail-fix
 */
struct tree {
	struct tel html, body, wrap, table, td1, td2, img, p, u, gdiv;
};

static void build(struct tree *t)
{
	tel_init(&t->html, "html", NULL, NULL, NULL, NULL);
	tel_init(&t->body, "body", NULL, "body Main", &t->html, NULL);
	tel_init(&t->wrap, "div", "wrap", "outer", &t->body, NULL);
	tel_init(&t->table, "TABLE", NULL, "hd  desktop_hide", &t->wrap, NULL);
	tel_set(&t->table, "data-x", "a-b");
	tel_set(&t->table, "width", "1");
	tel_set(&t->table, "type", "Text");
	tel_init(&t->td1, "td", NULL, "a b", &t->table, NULL);
	tel_init(&t->td2, "td", "t2", "c", &t->table, &t->td1);
	tel_init(&t->img, "img", NULL, NULL, &t->td2, NULL);
	tel_set(&t->img, "src", "x");
	tel_init(&t->p, "p", NULL, "x", &t->wrap, &t->table);
	tel_init(&t->u, "u", NULL, NULL, &t->body, &t->wrap);
	tel_init(&t->gdiv, "div", NULL, "gmail-fix", &t->body, &t->u);
}

static const struct css_element *pick(const struct tree *t, const char *w)
{
	if (strcmp(w, "html") == 0)
		return &t->html.el;
	if (strcmp(w, "body") == 0)
		return &t->body.el;
	if (strcmp(w, "wrap") == 0)
		return &t->wrap.el;
	if (strcmp(w, "table") == 0)
		return &t->table.el;
	if (strcmp(w, "td1") == 0)
		return &t->td1.el;
	if (strcmp(w, "td2") == 0)
		return &t->td2.el;
	if (strcmp(w, "img") == 0)
		return &t->img.el;
	if (strcmp(w, "p") == 0)
		return &t->p.el;
	if (strcmp(w, "u") == 0)
		return &t->u.el;
	return &t->gdiv.el;
}

static const struct {
	const char *sel;
	const char *el;
	bool quirks;
	bool want;
} match_cases[] = {
    {"td", "td1", 0, 1},
    {"TD", "td1", 0, 1},
    {"table", "table", 0, 1},
    {"table td", "td1", 0, 1},
    {"body > td", "td1", 0, 0},
    {"table > td", "td1", 0, 1},
    {"div td", "td1", 0, 1},
    {"#wrap td.a", "td1", 0, 1},
    {"#wrap td.a", "td2", 0, 0},
    {"#WRAP td", "td1", 0, 0},
    {"#WRAP td", "td1", 1, 1},
    {".A", "td1", 0, 0},
    {".A", "td1", 1, 1},
    {".main", "body", 0, 0},
    {".a.b", "td1", 0, 1},
    {".a.c", "td1", 0, 0},
    {".desktop_hide", "table", 0, 1},
    {"td + td", "td2", 0, 1},
    {"td + td", "td1", 0, 0},
    {"td ~ td", "td2", 0, 1},
    {"table + p", "p", 0, 1},
    {"table ~ p", "p", 0, 1},
    {"td + p", "p", 0, 0},
    {"div ~ div", "gdiv", 0, 1},
    {"u + .gmail-fix", "gdiv", 0, 1},
    {"div + .gmail-fix", "gdiv", 0, 0},
    {"body > div ~ div", "gdiv", 0, 1},
    {"#wrap ~ u + div", "gdiv", 0, 1},
    {"[data-x]", "table", 0, 1},
    {"[data-x=a-b]", "table", 0, 1},
    {"[data-x|=a]", "table", 0, 1},
    {"[data-x^=a]", "table", 0, 1},
    {"[data-x$=b]", "table", 0, 1},
    {"[data-x*='-']", "table", 0, 1},
    {"[data-x~=a]", "table", 0, 0},
    {"[data-x=A-B]", "table", 0, 0},
    {"[data-x=A-B i]", "table", 0, 1},
    {"[DATA-X]", "table", 0, 1},
    {"[class~=desktop_hide]", "table", 0, 1},
    {"[class~='']", "table", 0, 0},
    {"[type=text]", "table", 0, 1},
    {"[type=text s]", "table", 0, 0},
    {"[data-x^='']", "table", 0, 0},
    {"table[width=\"1\"]", "table", 0, 1},
    {"[id=t2]", "td2", 0, 1},
    {"td:first-child", "td1", 0, 1},
    {"td:first-child", "td2", 0, 0},
    {"td:nth-child(2)", "td2", 0, 1},
    {":nth-child(odd)", "td1", 0, 1},
    {":nth-child(2n)", "td2", 0, 1},
    {":nth-child(-n+1)", "td1", 0, 1},
    {":nth-child(-n+1)", "td2", 0, 0},
    {":nth-child(1 of .c)", "td2", 0, 1},
    {":nth-child(2 of .c)", "td2", 0, 0},
    {"td:first-of-type", "td1", 0, 1},
    {"p:first-of-type", "p", 0, 1},
    {"p:nth-of-type(1)", "p", 0, 1},
    {"div:nth-of-type(2)", "gdiv", 0, 1},
    {":root", "html", 0, 1},
    {":root", "body", 0, 0},
    {"html:root body", "body", 0, 1},
    {"td:hover", "td1", 0, 0},
    {"td:last-child", "td2", 0, 0},
    {"td:not(.c)", "td1", 0, 1},
    {"td:not(.c)", "td2", 0, 0},
    {"td:not(:hover)", "td1", 0, 1},
    {":not(table) > td", "td1", 0, 0},
    {":is(.a, #t2)", "td1", 0, 1},
    {":is(.a, #t2)", "td2", 0, 1},
    {":matches(.c)", "td2", 0, 1},
    {":where(td)", "td1", 0, 1},
    {":is(div, p) td", "td1", 0, 1},
    {"td::before", "td1", 0, 0},
    {"*", "td1", 0, 1},
    {"* td", "td1", 0, 1},
    {"body *", "td1", 0, 1},
    {"html body div table td img", "img", 0, 1},
    {"body div div img", "img", 0, 0},
    {"div > table > td > img", "img", 0, 1},
    {"div > td", "td1", 0, 0},
    {".outer td img", "img", 0, 1},
    {"body > .outer > table td + td > img", "img", 0, 1},
    {"a", "td1", 0, 0},
    {"a:link", "td1", 0, 0},
    {":disabled", "td1", 0, 0},
    {":enabled", "td1", 0, 0},
};

static void matching(void **state)
{
	struct tree t;
	size_t i, failed = 0;
	(void)state;

	build(&t);
	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		struct css_selectors *s = NULL;
		struct css_match m = {0};
		const char *sel = match_cases[i].sel;
		bool got;

		assert_int_equal(
		    css_selectors_parse(&s, sel, strlen(sel), NULL), 0);
		if (s == NULL) {
			print_error("case %zu: %s does not parse\n", i, sel);
			failed++;
			continue;
		}
		m.quirks = match_cases[i].quirks;
		got = css_selectors_match(s, pick(&t, match_cases[i].el), &m) >=
		      0;
		if (got != match_cases[i].want) {
			print_error("case %zu: %s on %s: got %d\n", i, sel,
			            match_cases[i].el, got);
			failed++;
		}
		css_selectors_free(&s);
	}
	assert_int_equal(failed, 0);
}

/* :link and :checked need attributes. */
static void attribute_pseudos(void **state)
{
	struct tel a, in, opt;
	struct css_selectors *s = NULL;
	struct css_match m = {0};
	(void)state;

	tel_init(&a, "a", NULL, NULL, NULL, NULL);
	tel_set(&a, "href", "x");
	tel_init(&in, "input", NULL, NULL, NULL, NULL);
	tel_set(&in, "checked", "");
	tel_set(&in, "disabled", "");
	tel_init(&opt, "option", NULL, NULL, NULL, NULL);
	assert_int_equal(css_selectors_parse(&s, "a:link", 6, NULL), 0);
	assert_true(css_selector_matches(s, 0, &a.el, &m));
	css_selectors_free(&s);
	assert_int_equal(css_selectors_parse(&s, ":checked", 8, NULL), 0);
	assert_true(css_selector_matches(s, 0, &in.el, &m));
	assert_false(css_selector_matches(s, 0, &opt.el, &m));
	css_selectors_free(&s);
	assert_int_equal(css_selectors_parse(&s, ":disabled", 9, NULL), 0);
	assert_true(css_selector_matches(s, 0, &in.el, &m));
	css_selectors_free(&s);
	assert_int_equal(css_selectors_parse(&s, ":enabled", 8, NULL), 0);
	assert_false(css_selector_matches(s, 0, &in.el, &m));
	assert_true(css_selector_matches(s, 0, &opt.el, &m));
	css_selectors_free(&s);
}

/* An element with no attr callback still answers [id] and [class]. */
static void no_attr_callback(void **state)
{
	struct css_element el = {0};
	struct css_selectors *s = NULL;
	struct css_match m = {0};
	(void)state;

	el.name = "td";
	el.name_len = 2;
	el.id = "x";
	el.id_len = 1;
	el.classes = "a b";
	el.classes_len = 3;
	assert_int_equal(
	    css_selectors_parse(&s, "[id=x][class~=b]:not([src])", 27, NULL),
	    0);
	assert_true(css_selector_matches(s, 0, &el, &m));
	css_selectors_free(&s);
}

struct seen {
	uint32_t idx[32];
	uint32_t spec[32];
	size_t n;
};

static void on_rule(void *ctx, const struct css_rule *r, uint32_t spec)
{
	struct seen *s = ctx;

	if (s->n < 32) {
		s->idx[s->n] = r->index;
		s->spec[s->n++] = spec;
	}
}

static const char index_sheet[] =
    "td{display:none}"             /* 0 */
    ".a{width:0}"                  /* 1 */
    "#t2{opacity:0}"               /* 2 */
    "*{color:red}"                 /* 3: not visual, not indexed */
    ".x:hover{display:none}"       /* 4 */
    "div .b{max-height:0}"         /* 5 */
    "[data-x]{mso-hide:all}"       /* 6: universal bucket */
    ".a,.b{height:0}"              /* 7: reached twice on td1 */
    "p{}"                          /* 8: empty */
    "u + .gmail-fix{display:none}" /* 9 */
    "@media (max-width:600px){.a{display:block !important}}" /* 10 */
    "td::before{display:none}"  /* 11: pseudo-element */
    ".c{background:url(b.png)}" /* 12: URL only */
    "#T2{opacity:1}";           /* 13: quirks only */

static void index_match(void **state)
{
	struct css_sheet *sh = NULL;
	struct css_index *idx = NULL;
	struct css_index_options o = {0};
	struct css_cascade c;
	struct seen seen = {{0}, {0}, 0};
	struct tree t;
	(void)state;

	build(&t);
	assert_int_equal(
	    css_sheet_parse(&sh, index_sheet, strlen(index_sheet), 0, NULL), 0);
	assert_int_equal(css_index_new(&idx, &o), 0);
	assert_int_equal(css_index_add(idx, sh), 0);
	assert_int_equal(css_index_size(idx), 12);

	/* td1: td, .a, .a/.b once, div .b, the @media override. */
	css_cascade_init(&c);
	assert_int_equal(css_index_match(idx, &t.td1.el, &c, on_rule, &seen),
	                 0);
	assert_int_equal(seen.n, 5);
	assert_int_equal(seen.idx[0], 0);
	assert_int_equal(seen.idx[1], 1);
	assert_int_equal(seen.idx[2], 7);
	assert_int_equal(seen.idx[3], 10);
	assert_int_equal(seen.idx[4], 5);
	assert_int_equal(seen.spec[4], SP(0, 1, 1));
	assert_int_equal(c.v.display, CSS_DISPLAY_OTHER);
	assert_int_equal(css_visual_facts(&c.v), CSS_HIDE_WIDTH |
	                                             CSS_HIDE_HEIGHT |
	                                             CSS_HIDE_MAX_HEIGHT);

	/* td2: td, #t2, .c (URL only), nothing else. */
	seen.n = 0;
	css_cascade_init(&c);
	assert_int_equal(css_index_match(idx, &t.td2.el, &c, on_rule, &seen),
	                 0);
	assert_int_equal(seen.n, 3);
	assert_int_equal(c.v.display, CSS_DISPLAY_NONE);
	assert_true(c.v.opacity == 0);
	assert_true(c.v.background_image);
	assert_int_equal(c.src[CSS_PROP_OPACITY]->index, 2);

	seen.n = 0;
	assert_int_equal(
	    css_index_match(idx, &t.table.el, NULL, on_rule, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.idx[0], 6);
	seen.n = 0;
	assert_int_equal(css_index_match(idx, &t.gdiv.el, NULL, on_rule, &seen),
	                 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.idx[0], 9);
	seen.n = 0;
	assert_int_equal(css_index_match(idx, &t.p.el, NULL, on_rule, &seen),
	                 0);
	assert_int_equal(seen.n, 0);
	css_index_free(&idx);
	assert_null(idx);
	css_index_free(&idx);

	/* Quirks mode: #T2 matches id t2, and comes later. */
	o.quirks = true;
	assert_int_equal(css_index_new(&idx, &o), 0);
	assert_int_equal(css_index_add(idx, sh), 0);
	css_cascade_init(&c);
	assert_int_equal(css_index_match(idx, &t.td2.el, &c, NULL, NULL), 0);
	assert_true(c.v.opacity == 1);
	css_index_free(&idx);

	/* A desktop environment drops the @media (max-width:600px) rule. */
	{
		struct css_media_env env = {"screen", 800, 600, false};

		o.quirks = false;
		o.media = &env;
		assert_int_equal(css_index_new(&idx, &o), 0);
		assert_int_equal(css_index_add(idx, sh), 0);
		assert_int_equal(css_index_size(idx), 11);
		css_cascade_init(&c);
		assert_int_equal(
		    css_index_match(idx, &t.td1.el, &c, NULL, NULL), 0);
		assert_int_equal(c.v.display, CSS_DISPLAY_NONE);
		css_index_free(&idx);
	}
	css_sheet_free(&sh);
}

/* Sheets added later win at equal specificity. */
static void index_sheet_order(void **state)
{
	static const char s1[] = ".a{display:none}";
	static const char s2[] = ".a{display:block}";
	struct css_sheet *a = NULL, *b = NULL;
	struct css_index *idx = NULL;
	struct css_cascade c;
	struct tree t;
	(void)state;

	build(&t);
	assert_int_equal(css_sheet_parse(&a, s1, strlen(s1), 0, NULL), 0);
	assert_int_equal(css_sheet_parse(&b, s2, strlen(s2), 100, NULL), 0);
	assert_int_equal(css_index_new(&idx, NULL), 0);
	assert_int_equal(css_index_add(idx, b), 0);
	assert_int_equal(css_index_add(idx, a), 0);
	css_cascade_init(&c);
	assert_int_equal(css_index_match(idx, &t.td1.el, &c, NULL, NULL), 0);
	assert_int_equal(c.v.display, CSS_DISPLAY_NONE);
	css_index_free(&idx);
	css_sheet_free(&a);
	css_sheet_free(&b);
}

static const struct {
	const char *q;
	bool want;
} media_cases[] = {
    {"", 1},
    {"all", 1},
    {"screen", 1},
    {"SCREEN", 1},
    {"print", 0},
    {"only screen", 1},
    {"not print", 1},
    {"not screen", 0},
    {"screen, print", 1},
    {"print, screen", 1},
    {"(max-width:600px)", 0},
    {"(min-width:600px)", 1},
    {"screen and (max-width:600px)", 0},
    {"only screen and (max-device-width:480px)", 0},
    {"screen and (min-width: 481px)", 1},
    {"screen and (min-width:481px) and (max-width:1024px)", 1},
    {"(width <= 600px)", 0},
    {"(width >= 600px)", 1},
    {"(400px < width < 1000px)", 1},
    {"(600px >= width)", 0},
    {"(max-width: 37.5em)", 0},
    {"(max-width: 50em)", 1},
    {"(-webkit-min-device-pixel-ratio: 2)", 0},
    {"(-webkit-min-device-pixel-ratio:0)", 1},
    {"(min-resolution: 2dppx)", 0},
    {"(min-resolution: 96dpi)", 1},
    {"(min--moz-device-pixel-ratio:0)", 1},
    {"(prefers-color-scheme: dark)", 0},
    {"(prefers-color-scheme: light)", 1},
    {"(orientation: landscape)", 1},
    {"(max-width:600px), (min-width:700px)", 1},
    {"not all and (monochrome)", 1},
    {"(monochrome)", 0},
    {"(color)", 1},
    {"screen and (foo:1)", 0},
    {"foo", 0},
    {"screen and", 0},
    {"(hover:hover)", 1},
    {"(pointer:coarse)", 0},
    {"((min-width:100px) and (max-width:2000px))", 1},
    {"not (max-width:600px)", 1},
    {"(max-width:600px) or (min-width:700px)", 1},
    {"screen and (max-width:600px) or (min-width:1px)", 0},
    {"(min-aspect-ratio: 16/9)", 0},
    {"(min-aspect-ratio: 1/1)", 1},
    {"bogus(), screen", 1},
    {"screen and (max-width:600px", 0},
    {"screen and (max-width:600px)), print", 0},
};

static void media(void **state)
{
	struct css_media_env dark = {NULL, 0, 0, true};
	size_t i, failed = 0;
	(void)state;

	for (i = 0; i < sizeof(media_cases) / sizeof(media_cases[0]); i++) {
		const char *q = media_cases[i].q;
		bool got = css_media_matches(q, strlen(q), NULL);

		if (got != media_cases[i].want) {
			print_error("case %zu \"%s\": got %d\n", i, q, got);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
	assert_true(
	    css_media_matches("(prefers-color-scheme:dark)", 27, &dark));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parsing),
	    cmocka_unit_test(matching),
	    cmocka_unit_test(attribute_pseudos),
	    cmocka_unit_test(no_attr_callback),
	    cmocka_unit_test(index_match),
	    cmocka_unit_test(index_sheet_order),
	    cmocka_unit_test(media),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
