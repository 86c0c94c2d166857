/* Unit tests of visual facts: each hiding idiom, invalid values, the
 * cascade (importance, style attribute, specificity, order), inheritance,
 * lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "css_test.h"

#define D   CSS_HIDE_DISPLAY
#define VI  CSS_HIDE_VISIBILITY
#define OP  CSS_HIDE_OPACITY
#define W   CSS_HIDE_WIDTH
#define H   CSS_HIDE_HEIGHT
#define MW  CSS_HIDE_MAX_WIDTH
#define MH  CSS_HIDE_MAX_HEIGHT
#define OFF CSS_HIDE_OFFSCREEN
#define TI  CSS_HIDE_TEXT_INDENT
#define CL  CSS_HIDE_CLIP
#define CP  CSS_HIDE_CLIP_PATH
#define TR  CSS_HIDE_TRANSFORM
#define MSO CSS_HIDE_MSO
#define CV  CSS_HIDE_CONTENT
#define FS  CSS_HIDE_FONT_SIZE
#define LH  CSS_HIDE_LINE_HEIGHT

static void visual_of_style(struct css_visual *v, const char *style)
{
	struct css_sheet *sh = NULL;
	struct css_cascade c;

	assert_int_equal(css_style_parse(&sh, style, strlen(style), 0, NULL),
	                 0);
	css_cascade_init(&c);
	css_cascade_style(&c, sh);
	*v = c.v;
	css_sheet_free(&sh);
}

static const struct {
	const char *style;
	unsigned facts, self, subtree;
} idioms[] = {
    {"", 0, 0, 0},
    {"color:red", 0, 0, 0},
    {"display:none", D, D, D},
    {"DISPLAY : NONE", D, D, D},
    {"display:\\6e one", D, D, D},
    {"display:none!important", D, D, D},
    {"display:none;display:block", 0, 0, 0},
    {"display:none !important;display:block", D, D, D},
    {"display:none;display:blok", D, D, D},
    {"display:none;display:inline flow-root", 0, 0, 0},
    {"display:none;display:inherit", 0, 0, 0},
    {"display:contents", 0, 0, 0},
    {"visibility:hidden", VI, VI, 0},
    {"visibility:collapse", VI, VI, 0},
    {"visibility:hidden;visibility:visible", 0, 0, 0},
    {"opacity:0", OP, OP, OP},
    {"opacity:0.0", OP, OP, OP},
    {"opacity:.0", OP, OP, OP},
    {"opacity:0%", OP, OP, OP},
    {"opacity:-1", OP, OP, OP},
    {"opacity:0.5", 0, 0, 0},
    {"opacity:0px", 0, 0, 0},
    {"filter:opacity(0)", OP, OP, OP},
    {"filter:blur(2px) opacity(0%)", OP, OP, OP},
    {"filter:opacity(50%)", 0, 0, 0},
    {"filter:opacity(0);filter:none", 0, 0, 0},
    {"width:0", W, W, 0},
    {"width:0px", W, W, 0},
    {"width:0em", W, W, 0},
    {"width:0%", W, W, 0},
    {"width:0;overflow:hidden", W, W, W},
    {"height:0;overflow:hidden", H, H, H},
    {"height:0px;overflow-y:hidden", H, H, H},
    {"height:0;overflow-x:hidden", H, H, 0},
    {"height:0;overflow:visible hidden", H, H, H},
    {"width:1px;height:1px", 0, 0, 0},
    {"width:1", 0, 0, 0},
    {"width:-1px", 0, 0, 0},
    {"width:auto", 0, 0, 0},
    {"width:calc(0px)", 0, 0, 0},
    {"inline-size:0", W, W, 0},
    {"max-height:0;overflow:hidden", MH, MH, MH},
    {"max-height:0px;overflow:hidden;mso-hide:all", MH | MSO, MH | MSO,
     MH | MSO},
    {"max-width:0;max-height:0;overflow:hidden", MW | MH, MW | MH, MW | MH},
    {"max-height:none", 0, 0, 0},
    {"max-height:0;overflow:clip", MH, MH, MH},
    {"position:absolute;left:-9999px", OFF, OFF, OFF},
    {"position:absolute;top:-10000px", OFF, OFF, OFF},
    {"position:fixed;right:-5000px", OFF, OFF, OFF},
    {"position:absolute;left:-100%", OFF, OFF, OFF},
    {"position:absolute;inset:-2000px auto auto auto", OFF, OFF, OFF},
    {"position:absolute;left:-99px", 0, 0, 0},
    {"left:-9999px", 0, 0, 0},
    {"position:relative;left:-9999px", 0, 0, 0},
    {"margin-left:-9999px", OFF, OFF, OFF},
    {"margin:0 0 0 -2000px", OFF, OFF, OFF},
    {"margin:-5000px 0", OFF, OFF, OFF},
    {"text-indent:-9999px", TI, 0, TI},
    {"text-indent:-100em", TI, 0, TI},
    {"text-indent:-9999px hanging", TI, 0, TI},
    {"position:absolute;clip:rect(0 0 0 0)", CL, CL, CL},
    {"position:absolute;clip:rect(0,0,0,0)", CL, CL, CL},
    {"position:absolute;clip:rect(1px, 1px, 1px, 1px)", CL, CL, CL},
    {"clip:rect(0 0 0 0)", 0, 0, 0},
    {"position:absolute;clip:rect(auto auto auto auto)", 0, 0, 0},
    {"position:absolute;clip:rect(0 10px 10px 0)", 0, 0, 0},
    {"clip-path:inset(50%)", CP, CP, CP},
    {"clip-path:inset(100%)", CP, CP, CP},
    {"clip-path:inset(0 50%)", CP, CP, CP},
    {"-webkit-clip-path:circle(0)", CP, CP, CP},
    {"clip-path:inset(10%)", 0, 0, 0},
    {"transform:scale(0)", TR, TR, TR},
    {"transform:scale(0,0)", TR, TR, TR},
    {"transform:scale(1, 0)", TR, TR, TR},
    {"transform:scaleX(0)", TR, TR, TR},
    {"transform:translate(1px) scaleY(0)", TR, TR, TR},
    {"-webkit-transform:scale(0)", TR, TR, TR},
    {"transform:matrix(0,0,0,0,0,0)", TR, TR, TR},
    {"transform:scale(1)", 0, 0, 0},
    {"transform:scale(0);transform:none", 0, 0, 0},
    {"scale:0", TR, TR, TR},
    {"scale:1 0", TR, TR, TR},
    {"mso-hide:all", MSO, MSO, MSO},
    {"mso-hide:all;mso-hide:none", 0, 0, 0},
    {"font-size:0", FS, 0, 0},
    {"font-size:0px;line-height:0", FS | LH, 0, 0},
    {"font:0/0 a", FS | LH, 0, 0},
    {"font:bold 0/0 Arial,sans-serif", FS | LH, 0, 0},
    {"font:12px/0 a", LH, 0, 0},
    {"font:0 a", FS, 0, 0},
    {"font-size:0;font:12px a", 0, 0, 0},
    {"content-visibility:hidden", CV, 0, CV},
    {"display:none;visibility:hidden;opacity:0", D | VI | OP, D | VI | OP,
     D | OP},
};

static void hiding_idioms(void **state)
{
	size_t i, failed = 0;
	(void)state;

	for (i = 0; i < sizeof(idioms) / sizeof(idioms[0]); i++) {
		struct css_visual v;
		unsigned f, s, t;

		visual_of_style(&v, idioms[i].style);
		f = css_visual_facts(&v);
		s = css_visual_hides_self(&v);
		t = css_visual_hides_subtree(&v);
		if (f != idioms[i].facts || s != idioms[i].self ||
		    t != idioms[i].subtree) {
			print_error("case %zu \"%s\": facts %#x self %#x "
			            "subtree %#x, want %#x %#x %#x\n",
			            i, idioms[i].style, f, s, t,
			            idioms[i].facts, idioms[i].self,
			            idioms[i].subtree);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

static void lengths(void **state)
{
	struct css_visual v;
	double px;
	(void)state;

	visual_of_style(&v, "width:1px;height:2pt;max-width:1em;"
	                    "font-size:50%;line-height:1.5;left:2vw");
	assert_int_equal(v.width.unit, CSS_UNIT_PX);
	assert_true(v.width.value == 1);
	assert_true(css_length_px(&v.width, 16, &px) && px == 1);
	assert_int_equal(v.height.unit, CSS_UNIT_PX);
	assert_true(v.height.value > 2.66 && v.height.value < 2.67);
	assert_int_equal(v.max_width.unit, CSS_UNIT_EM);
	assert_true(css_length_px(&v.max_width, 16, &px) && px == 16);
	assert_int_equal(v.font_size.unit, CSS_UNIT_PERCENT);
	assert_false(css_length_px(&v.font_size, 16, &px));
	assert_int_equal(v.line_height.unit, CSS_UNIT_NUMBER);
	assert_int_equal(v.left.unit, CSS_UNIT_VW);
	assert_int_equal(
	    v.declared,
	    (1u << CSS_PROP_WIDTH) | (1u << CSS_PROP_HEIGHT) |
	        (1u << CSS_PROP_MAX_WIDTH) | (1u << CSS_PROP_FONT_SIZE) |
	        (1u << CSS_PROP_LINE_HEIGHT) | (1u << CSS_PROP_LEFT));
	visual_of_style(&v, "width:1;height:1 !important");
	assert_int_equal(v.width.unit, CSS_UNIT_NUMBER);
	assert_true(css_length_px(&v.height, 16, &px) && px == 1);
	visual_of_style(&v, "width:1px\\9");
	assert_int_equal(v.width.unit, CSS_UNIT_NONE);
	assert_int_equal(v.declared, 0);
	visual_of_style(&v, "opacity:0.25");
	assert_true(v.opacity == 0.25);
}

static void background_image(void **state)
{
	static const struct {
		const char *style;
		bool want;
	} cases[] = {
	    {"background:url(x)", true},
	    {"background:#fff url('x') no-repeat", true},
	    {"background-image:url(x)", true},
	    {"background-image:-webkit-image-set('x' 1x)", true},
	    {"background:url(x);background:red", false},
	    {"background:url(x);background-image:none", false},
	    {"background-image:url(x) !important;background:red", true},
	    {"background:linear-gradient(red,blue)", false},
	    {"background:red", false},
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct css_visual v;

		visual_of_style(&v, cases[i].style);
		if (v.background_image != cases[i].want)
			print_error("case %zu %s\n", i, cases[i].style);
		assert_int_equal(v.background_image, cases[i].want);
	}
}

/* Rules of a sheet, applied with chosen specificity and order. */
static void cascade(void **state)
{
	static const char sheet[] = ".a{display:none !important}"
	                            ".b{display:none}"
	                            "#c{display:block}"
	                            ".d{display:block;width:0}"
	                            ".e{display:none !important}";
	struct css_sheet *sh = NULL, *st = NULL;
	const struct css_rule *r;
	struct css_cascade c;
	size_t n;
	(void)state;

	assert_int_equal(css_sheet_parse(&sh, sheet, strlen(sheet), 0, NULL),
	                 0);
	r = css_sheet_rules(sh, &n);
	assert_int_equal(n, 5);

	/* A rule's !important beats the style attribute's normal. */
	assert_int_equal(css_style_parse(&st, "display:block", 13, 0, NULL), 0);
	css_cascade_init(&c);
	css_cascade_rule(&c, &r[0], CSS_SPECIFICITY(0, 1, 0), 0);
	css_cascade_style(&c, st);
	assert_int_equal(c.v.display, CSS_DISPLAY_NONE);
	assert_ptr_equal(c.src[CSS_PROP_DISPLAY], &r[0]);
	/* The style attribute beats a normal rule. */
	css_cascade_init(&c);
	css_cascade_style(&c, st);
	css_cascade_rule(&c, &r[1], CSS_SPECIFICITY(0, 1, 0), 1);
	assert_int_equal(c.v.display, CSS_DISPLAY_OTHER);
	assert_null(c.src[CSS_PROP_DISPLAY]);
	css_sheet_free(&st);

	/* An !important style attribute beats an !important rule. */
	assert_int_equal(
	    css_style_parse(&st, "display:block!important", 23, 0, NULL), 0);
	css_cascade_init(&c);
	css_cascade_style(&c, st);
	css_cascade_rule(&c, &r[0], CSS_SPECIFICITY(0, 1, 0), 0);
	assert_int_equal(c.v.display, CSS_DISPLAY_OTHER);
	css_sheet_free(&st);

	/* Specificity beats order, in either order of application. */
	css_cascade_init(&c);
	css_cascade_rule(&c, &r[2], CSS_SPECIFICITY(1, 0, 0), 2);
	css_cascade_rule(&c, &r[1], CSS_SPECIFICITY(0, 1, 0), 1);
	assert_int_equal(c.v.display, CSS_DISPLAY_OTHER);
	css_cascade_init(&c);
	css_cascade_rule(&c, &r[1], CSS_SPECIFICITY(0, 1, 0), 1);
	css_cascade_rule(&c, &r[2], CSS_SPECIFICITY(1, 0, 0), 2);
	assert_int_equal(c.v.display, CSS_DISPLAY_OTHER);

	/* Equal specificity: the later rule wins, whatever the call order. */
	css_cascade_init(&c);
	css_cascade_rule(&c, &r[3], CSS_SPECIFICITY(0, 1, 0), 3);
	css_cascade_rule(&c, &r[1], CSS_SPECIFICITY(0, 1, 0), 1);
	assert_int_equal(c.v.display, CSS_DISPLAY_OTHER);
	assert_true(css_visual_facts(&c.v) & CSS_HIDE_WIDTH);
	css_cascade_init(&c);
	css_cascade_rule(&c, &r[1], CSS_SPECIFICITY(0, 1, 0), 1);
	css_cascade_rule(&c, &r[3], CSS_SPECIFICITY(0, 1, 0), 3);
	assert_int_equal(c.v.display, CSS_DISPLAY_OTHER);

	/* Two !important rules: specificity again. */
	css_cascade_init(&c);
	css_cascade_rule(&c, &r[4], CSS_SPECIFICITY(0, 1, 0), 4);
	css_cascade_rule(&c, &r[0], CSS_SPECIFICITY(0, 2, 0), 0);
	assert_ptr_equal(c.src[CSS_PROP_DISPLAY], &r[0]);

	/* The facts of one rule alone. */
	{
		struct css_visual v;

		css_visual_of_rule(&v, &r[3]);
		assert_int_equal(css_visual_facts(&v), CSS_HIDE_WIDTH);
	}
	css_sheet_free(&sh);
}

static void inherit(void **state)
{
	struct css_visual parent, child;
	(void)state;

	visual_of_style(&parent, "visibility:hidden;font-size:0;"
	                         "line-height:0");
	visual_of_style(&child, "");
	css_visual_inherit(&child, &parent);
	assert_int_equal(css_visual_hides_self(&child), CSS_HIDE_VISIBILITY);
	assert_int_equal(css_visual_facts(&child), CSS_HIDE_VISIBILITY |
	                                               CSS_HIDE_FONT_SIZE |
	                                               CSS_HIDE_LINE_HEIGHT);
	visual_of_style(&child, "visibility:visible;font-size:1.5em");
	css_visual_inherit(&child, &parent);
	assert_int_equal(css_visual_hides_self(&child), 0);
	assert_true(css_visual_facts(&child) & CSS_HIDE_FONT_SIZE);
	visual_of_style(&child, "font-size:12px;line-height:1");
	css_visual_inherit(&child, &parent);
	assert_int_equal(css_visual_facts(&child), CSS_HIDE_VISIBILITY);
}

static void names(void **state)
{
	unsigned b;
	(void)state;

	assert_string_equal(css_hide_name(CSS_HIDE_DISPLAY), "display:none");
	assert_string_equal(css_hide_name(CSS_HIDE_MAX_HEIGHT), "max-height:0");
	for (b = 1; b <= CSS_HIDE_LINE_HEIGHT; b <<= 1)
		assert_string_not_equal(css_hide_name(b), "?");
	assert_string_equal(css_hide_name(0), "?");
	assert_string_equal(css_hide_name(3), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hiding_idioms),    cmocka_unit_test(lengths),
	    cmocka_unit_test(background_image), cmocka_unit_test(cascade),
	    cmocka_unit_test(inherit),          cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
