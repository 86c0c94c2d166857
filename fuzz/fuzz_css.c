/*
 * fuzz_css.c - CSS: a style sheet and a style attribute parsed from the
 * same bytes, a rule index matched against a few fixed elements with the
 * cascade, selector lists and media queries on their own.
 *
 * Input: 1 header byte, then the CSS.
 *   bit 0: small limits (depth, rules, declarations, selectors, match
 *          steps); bit 1: quirks mode; bit 2: index with a media
 *          environment (print, dark, 320x480) instead of "every @media
 *          applies"; bit 3: one budget for the whole document.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "css/css.h"
#include "fuzz.h"

struct el {
	struct css_element el;
	const char *const *attrs; /* name, value, ..., NULL */
};

static bool el_attr(const struct css_element *e, const char *name,
                    size_t name_len, const char **value, size_t *value_len)
{
	const struct el *x = (const struct el *)e;
	const char *const *a;

	for (a = x->attrs; a && a[0]; a += 2)
		if (strlen(a[0]) == name_len &&
		    memcmp(a[0], name, name_len) == 0) {
			*value = a[1];
			*value_len = strlen(a[1]);
			return true;
		}
	return false;
}

static const char *const table_attrs[] = {"width",  "1",   "type", "Text",
                                          "data-x", "a-b", NULL};
static const char *const img_attrs[] = {
    "src", "https://t.example/o.gif", "alt", "", "width", "1", NULL};

/* html > body#b.body.Main > table.hd > tr > td#t.a.b > img, and a
 * div.gmail-fix after the table. */
static struct el els[7];

static void set(struct el *e, const char *name, const char *id, const char *cls,
                struct el *parent, struct el *prev, const char *const *attrs)
{
	memset(e, 0, sizeof(*e));
	e->el.name = name;
	e->el.name_len = strlen(name);
	e->el.id = id;
	e->el.id_len = id ? strlen(id) : 0;
	e->el.classes = cls;
	e->el.classes_len = cls ? strlen(cls) : 0;
	e->el.parent = parent ? &parent->el : NULL;
	e->el.prev = prev ? &prev->el : NULL;
	e->el.attr = el_attr;
	e->attrs = attrs;
}

static void build(void)
{
	set(&els[0], "html", NULL, NULL, NULL, NULL, NULL);
	set(&els[1], "body", "b", "body Main", &els[0], NULL, NULL);
	set(&els[2], "TABLE", NULL, "hd  desktop_hide", &els[1], NULL,
	    table_attrs);
	set(&els[3], "tr", NULL, NULL, &els[2], NULL, NULL);
	set(&els[4], "td", "t", "a b", &els[3], NULL, NULL);
	set(&els[5], "img", NULL, NULL, &els[4], NULL, img_attrs);
	set(&els[6], "div", NULL, "gmail-fix", &els[1], &els[2], NULL);
}

static void on_rule(void *ctx, const struct css_rule *r, uint32_t spec)
{
	(void)spec;
	(*(size_t *)ctx)++;
	FUZZ_CHECK(r->kind == CSS_RULE_STYLE);
}

static void check_sheet(const struct css_sheet *sh, size_t len)
{
	const struct css_rule *rules;
	const struct css_url *urls;
	size_t nr, nu, i;

	rules = css_sheet_rules(sh, &nr);
	urls = css_sheet_urls(sh, &nu);
	for (i = 0; i < nr; i++) {
		struct css_visual v;

		FUZZ_CHECK(rules[i].index == i);
		FUZZ_CHECK(rules[i].span.start <= rules[i].span.end);
		FUZZ_CHECK(rules[i].span.end <= len);
		css_visual_of_rule(&v, &rules[i]);
		(void)css_visual_hides_self(&v);
	}
	for (i = 0; i < nu; i++) {
		FUZZ_CHECK(urls[i].url != NULL);
		FUZZ_CHECK(strlen(urls[i].url) == urls[i].url_len);
		FUZZ_CHECK(urls[i].url_span.end <= len);
		FUZZ_CHECK(urls[i].whole_span.start <= urls[i].url_span.start);
		FUZZ_CHECK(urls[i].url_span.end <= urls[i].whole_span.end);
		FUZZ_CHECK(urls[i].whole_span.end <= len);
		FUZZ_CHECK(urls[i].rule == CSS_NO_RULE || urls[i].rule < nr);
	}
}

/*
 * clean checks its output with a URL-only parse (css_options.urls_only):
 * it must list exactly the URLs of the full parse, or a tracker could get
 * through the check. Compared under the default limits, which a few KB of
 * input cannot reach.
 */
static void same_urls_only(const struct css_sheet *full, const char *css,
                           size_t len)
{
	struct css_options o = {.urls_only = true};
	struct css_sheet *s = NULL;
	const struct css_url *a, *b;
	size_t na, nb, i;

	if (css_sheet_parse(&s, css, len, 0, &o) != 0)
		return; /* out of memory */
	a = css_sheet_urls(full, &na);
	b = css_sheet_urls(s, &nb);
	FUZZ_CHECK(na == nb);
	/* and when it says there can be none, there is none */
	FUZZ_CHECK(na == 0 || css_may_hold_url(css, len));
	for (i = 0; i < na; i++) {
		FUZZ_CHECK(a[i].url_len == b[i].url_len &&
		           memcmp(a[i].url, b[i].url, a[i].url_len) == 0);
		FUZZ_CHECK(a[i].flags == b[i].flags);
		FUZZ_CHECK(a[i].url_span.start == b[i].url_span.start &&
		           a[i].whole_span.end == b[i].whole_span.end);
		FUZZ_CHECK(strcmp(a[i].context, b[i].context) == 0);
	}
	css_sheet_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t flags = fuzz_byte(&data, &size);
	const char *css = (const char *)data;
	struct bs_limits lim;
	struct bs_problems pr;
	struct css_budget budget = {0};
	struct css_options o = {0};
	struct css_index_options io = {0};
	struct css_media_env env = {"print", 320, 480, true};
	struct css_sheet *sheet = NULL, *style = NULL;
	struct css_selectors *sel = NULL;
	struct css_index *idx = NULL;
	struct css_visual parent_v = {0};
	size_t i;

	if (els[0].el.name == NULL)
		build();
	bs_limits_default(&lim);
	if (flags & 1) {
		lim.css_depth = 4;
		lim.css_rules = 8;
		lim.css_declarations = 16;
		lim.css_selectors = 16;
		lim.css_match_steps = 64;
		lim.references = 4;
	}
	bs_problems_init(&pr);
	o.limits = &lim;
	o.problems = &pr;
	o.budget = (flags & 8) ? &budget : NULL;

	if (css_sheet_parse(&sheet, css, size, 0, &o) == 0) {
		check_sheet(sheet, size);
		if (!(flags & 1))
			same_urls_only(sheet, css, size);
	}
	if (css_style_parse(&style, css, size, 0, &o) == 0) {
		const struct css_rule *rules;
		size_t n;

		/* Its first rule is the attribute's own; at-rules written
		 * inside it follow (kept for their URLs). */
		check_sheet(style, size);
		rules = css_sheet_rules(style, &n);
		FUZZ_CHECK(n >= 1 && rules[0].kind == CSS_RULE_STYLE_ATTR);
	}
	if (css_selectors_parse(&sel, css, size, &o) == 0 && sel != NULL) {
		struct css_match m = {0};

		m.quirks = flags & 2;
		m.max_steps = lim.css_match_steps;
		for (i = 0; i < sizeof(els) / sizeof(els[0]); i++)
			(void)css_selectors_match(sel, &els[i].el, &m);
		for (i = 0; i < css_selectors_count(sel); i++)
			(void)css_selector_specificity(sel, i);
	}
	css_selectors_free(&sel);
	(void)css_media_matches(css, size, NULL);
	(void)css_media_matches(css, size, &env);

	io.limits = &lim;
	io.problems = &pr;
	io.budget = o.budget;
	io.quirks = flags & 2;
	io.media = (flags & 4) ? &env : NULL;
	if (sheet != NULL && css_index_new(&idx, &io) == 0) {
		if (css_index_add(idx, sheet) == 0) {
			for (i = 0; i < sizeof(els) / sizeof(els[0]); i++) {
				struct css_cascade c;
				size_t matched = 0;

				css_cascade_init(&c);
				if (css_index_match(idx, &els[i].el, &c,
				                    on_rule, &matched) != 0)
					break;
				if (style != NULL && i == 5)
					css_cascade_style(&c, style);
				css_visual_inherit(&c.v, &parent_v);
				(void)css_visual_hides_self(&c.v);
				(void)css_visual_hides_subtree(&c.v);
				(void)css_visual_facts(&c.v);
				parent_v = c.v;
			}
		}
		(void)css_index_size(idx);
	}
	css_index_free(&idx);
	css_sheet_free(&style);
	css_sheet_free(&sheet);
	FUZZ_CHECK(idx == NULL && style == NULL && sheet == NULL);
	return 0;
}
