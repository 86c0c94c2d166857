/*
 * css/visual.h - what declarations say about how visible a box is, and
 * the cascade that merges them.
 *
 * What it does: the parser (css.h) turns each declaration of the
 * properties below into a small visual declaration; a struct css_cascade
 * applies those of the rules that match an element and of its style
 * attribute in cascade order (importance, style attribute over rules,
 * specificity, source order) and leaves a struct css_visual: the values
 * that won. css_visual_hides_self()/_subtree() then name what hides the
 * element or its descendants.
 *
 * Properties honoured (everything else is ignored):
 *   display, visibility, opacity, filter (opacity()), width, height,
 *   inline-size, block-size, max-width, max-height, max-inline-size,
 *   max-block-size, overflow, overflow-x, overflow-y, font-size,
 *   line-height, font (its size and line-height), position, left, top,
 *   right, inset, text-indent, margin, margin-left, margin-top, clip,
 *   clip-path, transform, scale, mso-hide, content-visibility,
 *   background, background-image (whether an image URL is set).
 * An invalid value is dropped as a browser drops it (display:foo leaves an
 * earlier display:none in force). CSS-wide keywords (inherit, initial,
 * unset, revert) reset the property to its initial value. Unitless
 * non-zero lengths are taken as px, as quirks mode (most mail) does.
 *
 * What it won't do: no layout, no inheritance beyond
 * css_visual_inherit(), no calc() (kept as CSS_UNIT_OTHER), no
 * !important in keyframes, no cascade layers.
 */
#ifndef BS_CSS_VISUAL_H
#define BS_CSS_VISUAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct css_rule;
struct css_sheet;

enum css_prop {
	CSS_PROP_DISPLAY,
	CSS_PROP_VISIBILITY,
	CSS_PROP_OPACITY,
	CSS_PROP_FILTER,
	CSS_PROP_WIDTH,
	CSS_PROP_HEIGHT,
	CSS_PROP_MAX_WIDTH,
	CSS_PROP_MAX_HEIGHT,
	CSS_PROP_OVERFLOW_X,
	CSS_PROP_OVERFLOW_Y,
	CSS_PROP_FONT_SIZE,
	CSS_PROP_LINE_HEIGHT,
	CSS_PROP_POSITION,
	CSS_PROP_LEFT,
	CSS_PROP_TOP,
	CSS_PROP_RIGHT,
	CSS_PROP_TEXT_INDENT,
	CSS_PROP_MARGIN_LEFT,
	CSS_PROP_MARGIN_TOP,
	CSS_PROP_CLIP,
	CSS_PROP_CLIP_PATH,
	CSS_PROP_TRANSFORM,
	CSS_PROP_SCALE,
	CSS_PROP_MSO_HIDE,
	CSS_PROP_CONTENT_VISIBILITY,
	CSS_PROP_BACKGROUND_IMAGE,
	CSS_PROP_COUNT
};

enum css_unit {
	CSS_UNIT_NONE = 0, /* no length: not declared, auto, none, normal */
	CSS_UNIT_PX,       /* px, and absolute units converted (1pt = 4/3px) */
	CSS_UNIT_PERCENT,
	CSS_UNIT_EM,     /* em, ex, ch, cap, ic, lh: the element's font */
	CSS_UNIT_REM,    /* rem, rex, rch, rlh: the root's font */
	CSS_UNIT_VW,     /* vw, vh, vmin, vmax and their s/l/d variants */
	CSS_UNIT_NUMBER, /* unitless (line-height: 0, width: 1 in quirks) */
	CSS_UNIT_OTHER,  /* calc(), var(), an unknown unit */
};

struct css_length {
	double value;
	uint8_t unit; /* enum css_unit */
};

enum css_display {
	CSS_DISPLAY_INITIAL = 0, /* not declared, or reset */
	CSS_DISPLAY_NONE,
	CSS_DISPLAY_CONTENTS,
	CSS_DISPLAY_OTHER, /* block, inline, table-cell, ... */
};

enum css_visibility {
	CSS_VISIBILITY_VISIBLE = 0,
	CSS_VISIBILITY_HIDDEN,
	CSS_VISIBILITY_COLLAPSE,
};

enum css_overflow {
	CSS_OVERFLOW_VISIBLE = 0,
	CSS_OVERFLOW_HIDDEN, /* hidden or clip */
	CSS_OVERFLOW_SCROLL, /* scroll or auto */
};

enum css_position {
	CSS_POSITION_STATIC = 0,
	CSS_POSITION_RELATIVE,
	CSS_POSITION_ABSOLUTE,
	CSS_POSITION_FIXED,
	CSS_POSITION_STICKY,
};

/* The winning values for one element. Initial values when not declared
 * (opacity 1, lengths CSS_UNIT_NONE, every flag false). */
struct css_visual {
	uint32_t declared; /* 1u << CSS_PROP_* for each property set */
	uint8_t display;   /* enum css_display */
	uint8_t visibility;
	uint8_t overflow_x; /* enum css_overflow */
	uint8_t overflow_y;
	uint8_t position;
	bool mso_hide;         /* mso-hide: all */
	bool clip_zero;        /* clip: rect() with no area */
	bool clip_path_hides;  /* inset() >= 50%, circle(0), ellipse(0 ..) */
	bool transform_hides;  /* a scale of 0 in transform */
	bool scale_zero;       /* scale: 0 */
	bool content_hidden;   /* content-visibility: hidden */
	bool background_image; /* background(-image) names an image URL */
	double opacity;        /* [0, 1] */
	double filter_opacity; /* product of filter: opacity() terms */
	struct css_length width, height, max_width, max_height;
	struct css_length font_size, line_height;
	struct css_length left, top, right;
	struct css_length text_indent, margin_left, margin_top;
};

/* Ways to be hidden, as reported by css_visual_facts() and friends. */
enum {
	CSS_HIDE_DISPLAY = 1u << 0,     /* display: none */
	CSS_HIDE_VISIBILITY = 1u << 1,  /* visibility: hidden|collapse */
	CSS_HIDE_OPACITY = 1u << 2,     /* opacity: 0, filter: opacity(0) */
	CSS_HIDE_WIDTH = 1u << 3,       /* width: 0 (any unit) */
	CSS_HIDE_HEIGHT = 1u << 4,      /* height: 0 */
	CSS_HIDE_MAX_WIDTH = 1u << 5,   /* max-width: 0 */
	CSS_HIDE_MAX_HEIGHT = 1u << 6,  /* max-height: 0 */
	CSS_HIDE_OFFSCREEN = 1u << 7,   /* absolute/fixed far off, or margin */
	CSS_HIDE_TEXT_INDENT = 1u << 8, /* text-indent far off */
	CSS_HIDE_CLIP = 1u << 9, /* clip: rect(0 0 0 0), absolute/fixed */
	CSS_HIDE_CLIP_PATH = 1u << 10,
	CSS_HIDE_TRANSFORM = 1u << 11,   /* scale(0) and kin, scale: 0 */
	CSS_HIDE_MSO = 1u << 12,         /* mso-hide: all (Outlook only) */
	CSS_HIDE_CONTENT = 1u << 13,     /* content-visibility: hidden */
	CSS_HIDE_FONT_SIZE = 1u << 14,   /* font-size: 0 (hides text) */
	CSS_HIDE_LINE_HEIGHT = 1u << 15, /* line-height: 0 (text) */
};

/* "Far off": at or beyond 1000px (or -100%, -100vw, -62.5em at 16px). */
#define CSS_OFFSCREEN_PX 1000.0

/* Every hiding fact in v (CSS_HIDE_*), before judging what it hides. */
unsigned css_visual_facts(const struct css_visual *v);
/*
 * The facts that make the element's own box invisible: display,
 * visibility, opacity, width, height, max-width, max-height, offscreen,
 * clip, clip-path, transform, mso.
 */
unsigned css_visual_hides_self(const struct css_visual *v);
/*
 * The facts that hide every descendant whatever it declares: display,
 * opacity, offscreen, text-indent, clip, clip-path, transform, mso,
 * content-visibility, and width/max-width (height/max-height) of 0 when
 * overflow-x (overflow-y) is hidden. visibility is not one of them (a
 * descendant may say visibility: visible): pass it down with
 * css_visual_inherit(). font-size and line-height hide text only and are
 * left to the caller (css_visual_facts()).
 */
unsigned css_visual_hides_subtree(const struct css_visual *v);
/* "display:none", "max-height:0", ... for one CSS_HIDE_* bit; "?" else. */
const char *css_hide_name(unsigned bit);

/* Zero in any unit (not NONE/OTHER). */
bool css_length_is_zero(const struct css_length *l);
/*
 * The length in px when it can be known: px and unitless as they are,
 * em and rem at em_px per em. false for %, viewport units, NONE, OTHER.
 */
bool css_length_px(const struct css_length *l, double em_px, double *px);

/*
 * Fill the inherited properties of child that it did not declare from its
 * parent's values: visibility, font-size (a relative font-size of a 0
 * parent stays 0), line-height. Call after the child's cascade.
 */
void css_visual_inherit(struct css_visual *child,
                        const struct css_visual *parent);

/* --- the cascade --------------------------------------------------- */

struct css_cascade_slot {
	uint64_t order;
	uint32_t specificity;
	uint32_t decl; /* declaration index in its block */
	uint8_t level; /* 0 rule, 1 style attr, 2 rule !important, 3 ... */
	bool set;
};

/*
 * One element's cascade. v holds the result at any time; the rest is the
 * bookkeeping of who won (src[p] is the rule that set property p, NULL
 * when it came from the style attribute or was never set).
 */
struct css_cascade {
	struct css_visual v;
	const struct css_rule *src[CSS_PROP_COUNT];
	struct css_cascade_slot slot[CSS_PROP_COUNT];
};

void css_cascade_init(struct css_cascade *c);
/*
 * Apply the visual declarations of a rule that matched with the given
 * specificity. order ranks rules of equal specificity: the later rule in
 * the document must have the larger order (css_index_match() passes
 * (sheet number << 32) | rule index). Calls may come in any order; the
 * result depends only on the set of (rule, specificity, order).
 */
void css_cascade_rule(struct css_cascade *c, const struct css_rule *r,
                      uint32_t specificity, uint64_t order);
/* Apply a style attribute (css_style_parse()); it beats every rule of the
 * same importance. */
void css_cascade_style(struct css_cascade *c, const struct css_sheet *style);

/* The facts of one declaration block alone (a rule or style attribute). */
void css_visual_of_rule(struct css_visual *out, const struct css_rule *r);

#endif
