/*
 * values.c - from one declaration's value tokens to visual declarations.
 *
 * Only the properties listed in css/visual.h are read. A value we cannot
 * read as the property's grammar allows yields nothing, the way a browser
 * drops an invalid declaration, so that "display:none; display:nope"
 * stays hidden. Shorthands set each longhand we follow (overflow sets
 * overflow-x and -y; font sets font-size and line-height; margin, inset).
 */
#include "internal.h"

#include <string.h>

/* A keyword test on a value token. */
static bool kw(const struct css_vtok *v, const char *s)
{
	size_t n = strlen(s);

	return v->type == CSS_TOK_IDENT && v->slen == n &&
	       memcmp(v->s, s, n) == 0;
}

static bool fn(const struct css_vtok *v, const char *s)
{
	size_t n = strlen(s);

	return v->type == CSS_TOK_FUNCTION && v->slen == n &&
	       memcmp(v->s, s, n) == 0;
}

static bool kw_in(const struct css_vtok *v, const char *const *list)
{
	for (; *list; list++)
		if (kw(v, *list))
			return true;
	return false;
}

static bool wide_keyword(const struct css_vtok *v)
{
	static const char *const w[] = {"inherit", "initial",      "unset",
	                                "revert",  "revert-layer", NULL};
	return kw_in(v, w);
}

/* A unit of a dimension: its class and the factor to px when absolute. */
static bool unit_of(const struct css_vtok *v, uint8_t *unit, double *f)
{
	static const struct {
		const char *u;
		uint8_t unit;
		double f;
	} units[] = {
	    {"px", CSS_UNIT_PX, 1},         {"pt", CSS_UNIT_PX, 96.0 / 72},
	    {"pc", CSS_UNIT_PX, 16},        {"in", CSS_UNIT_PX, 96},
	    {"cm", CSS_UNIT_PX, 96 / 2.54}, {"mm", CSS_UNIT_PX, 96 / 25.4},
	    {"q", CSS_UNIT_PX, 96 / 101.6}, {"em", CSS_UNIT_EM, 1},
	    {"ex", CSS_UNIT_EM, 0.5},       {"ch", CSS_UNIT_EM, 0.5},
	    {"cap", CSS_UNIT_EM, 0.7},      {"ic", CSS_UNIT_EM, 1},
	    {"lh", CSS_UNIT_EM, 1.2},       {"rem", CSS_UNIT_REM, 1},
	    {"rex", CSS_UNIT_REM, 0.5},     {"rch", CSS_UNIT_REM, 0.5},
	    {"rlh", CSS_UNIT_REM, 1.2},     {"vw", CSS_UNIT_VW, 1},
	    {"vh", CSS_UNIT_VW, 1},         {"vmin", CSS_UNIT_VW, 1},
	    {"vmax", CSS_UNIT_VW, 1},       {"svw", CSS_UNIT_VW, 1},
	    {"svh", CSS_UNIT_VW, 1},        {"lvw", CSS_UNIT_VW, 1},
	    {"lvh", CSS_UNIT_VW, 1},        {"dvw", CSS_UNIT_VW, 1},
	    {"dvh", CSS_UNIT_VW, 1},        {"vi", CSS_UNIT_VW, 1},
	    {"vb", CSS_UNIT_VW, 1},
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].u);

		if (v->slen == n && memcmp(v->s, units[i].u, n) == 0) {
			*unit = units[i].unit;
			*f = units[i].f;
			return true;
		}
	}
	return false;
}

enum {
	LEN_NEG = 1u << 0,  /* negative values allowed */
	LEN_AUTO = 1u << 1, /* auto (and content keywords) allowed */
	LEN_NONE = 1u << 2, /* none allowed */
};

/*
 * Read one length-percentage (or a keyword the flags allow) from v[0].
 * Unitless numbers are px (quirks mode) and 0 is 0 whatever the mode.
 */
static bool length(const struct css_vtok *v, unsigned flags,
                   struct css_length *out)
{
	static const char *const sizing[] = {
	    "auto",           "min-content", "max-content",
	    "fit-content",    "stretch",     "-webkit-fill-available",
	    "-moz-available", NULL};
	uint8_t unit;
	double f;

	out->value = 0;
	out->unit = CSS_UNIT_NONE;
	switch (v->type) {
	case CSS_TOK_DIMENSION:
		if (!unit_of(v, &unit, &f))
			return false;
		out->value = v->num * f;
		out->unit = unit;
		break;
	case CSS_TOK_PERCENTAGE:
		out->value = v->num;
		out->unit = CSS_UNIT_PERCENT;
		break;
	case CSS_TOK_NUMBER:
		out->value = v->num;
		out->unit = v->num == 0 ? CSS_UNIT_PX : CSS_UNIT_NUMBER;
		break;
	case CSS_TOK_FUNCTION:
		/* calc(), min(), var(), env(): not evaluated. */
		out->unit = CSS_UNIT_OTHER;
		return true;
	case CSS_TOK_IDENT:
		if ((flags & LEN_AUTO) && kw_in(v, sizing))
			return true;
		if ((flags & LEN_NONE) && kw(v, "none"))
			return true;
		return false;
	default:
		return false;
	}
	if (out->value < 0 && !(flags & LEN_NEG))
		return false;
	return true;
}

/* Indexes of the tokens at depth 0 (a function counts as one, with its
 * arguments); returns how many there are, even past max. */
static size_t top_tokens(const struct css_vtok *v, size_t n, size_t *idx,
                         size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (v[i].depth != 0)
			continue;
		if (v[i].type == CSS_TOK_RPAREN)
			continue;
		if (k < max)
			idx[k] = i;
		k++;
	}
	return k;
}

/* Number or percentage as a fraction (opacity(50%) is 0.5). */
static bool fraction(const struct css_vtok *v, double *out)
{
	if (v->type == CSS_TOK_NUMBER)
		*out = v->num;
	else if (v->type == CSS_TOK_PERCENTAGE)
		*out = v->num / 100;
	else
		return false;
	if (*out < 0)
		*out = 0;
	if (*out > 1)
		*out = 1;
	return true;
}

/* The arguments of the function at v[f]: its depth-1 tokens, commas
 * dropped. */
static size_t fn_args(const struct css_vtok *v, size_t n, size_t f, size_t *idx,
                      size_t max)
{
	size_t i, k = 0;
	unsigned d = v[f].depth;

	for (i = f + 1; i < n; i++) {
		if (v[i].depth <= d)
			break;
		if (v[i].depth != d + 1 || v[i].type == CSS_TOK_COMMA ||
		    v[i].type == CSS_TOK_RPAREN)
			continue;
		if (k < max)
			idx[k] = i;
		k++;
	}
	return k;
}

static bool is_zero_num(const struct css_vtok *v)
{
	return (v->type == CSS_TOK_NUMBER || v->type == CSS_TOK_PERCENTAGE ||
	        v->type == CSS_TOK_DIMENSION) &&
	       v->num == 0;
}

/* transform: does some function of the list scale to nothing? */
static bool transform_hides(const struct css_vtok *v, size_t n)
{
	size_t i, a[16], k;

	for (i = 0; i < n; i++) {
		if (v[i].depth != 0 || v[i].type != CSS_TOK_FUNCTION)
			continue;
		k = fn_args(v, n, i, a, 16);
		if (k > 16)
			continue;
		if (fn(&v[i], "scale") || fn(&v[i], "scale3d")) {
			if ((k >= 1 && is_zero_num(&v[a[0]])) ||
			    (k >= 2 && is_zero_num(&v[a[1]])))
				return true;
		} else if (fn(&v[i], "scalex") || fn(&v[i], "scaley")) {
			if (k >= 1 && is_zero_num(&v[a[0]]))
				return true;
		} else if (fn(&v[i], "matrix") && k == 6) {
			double det = v[a[0]].num * v[a[3]].num -
			             v[a[1]].num * v[a[2]].num;

			if (det == 0)
				return true;
		}
	}
	return false;
}

/* clip: rect(top, right, bottom, left) with no area. */
static bool clip_zero(const struct css_vtok *v, size_t n, size_t f)
{
	struct css_length e[4];
	size_t a[4], k, i;

	k = fn_args(v, n, f, a, 4);
	if (k != 4)
		return false;
	for (i = 0; i < 4; i++)
		if (!length(&v[a[i]], LEN_NEG | LEN_AUTO, &e[i]))
			return false;
	/* auto is the box's own edge: no clipping on that side. */
	if (e[0].unit != CSS_UNIT_NONE && e[2].unit != CSS_UNIT_NONE &&
	    e[2].value <= e[0].value)
		return true;
	if (e[1].unit != CSS_UNIT_NONE && e[3].unit != CSS_UNIT_NONE &&
	    e[1].value <= e[3].value)
		return true;
	return false;
}

static bool clip_path_hides(const struct css_vtok *v, size_t n)
{
	size_t i, a[4], k;

	for (i = 0; i < n; i++) {
		if (v[i].depth != 0 || v[i].type != CSS_TOK_FUNCTION)
			continue;
		k = fn_args(v, n, i, a, 4);
		if (fn(&v[i], "inset") && k >= 1) {
			/* inset(t [r [b [l]]]): opposite sides meet. */
			double t = v[a[0]].num, r = k > 1 ? v[a[1]].num : t;
			double b = k > 2 ? v[a[2]].num : t;
			double l = k > 3 ? v[a[3]].num : r;
			bool pct = true;
			size_t j;

			for (j = 0; j < k && j < 4; j++)
				if (v[a[j]].type != CSS_TOK_PERCENTAGE &&
				    !(v[a[j]].type == CSS_TOK_NUMBER &&
				      v[a[j]].num == 0))
					pct = false;
			if (pct && (t + b >= 100 || r + l >= 100))
				return true;
		} else if ((fn(&v[i], "circle") || fn(&v[i], "ellipse")) &&
		           k >= 1 && is_zero_num(&v[a[0]])) {
			return true;
		}
	}
	return false;
}

/* filter: the product of its opacity() terms (opacity() alone is 1). */
static double filter_opacity(const struct css_vtok *v, size_t n)
{
	double o = 1, x;
	size_t i, a[2];

	for (i = 0; i < n; i++) {
		if (v[i].depth != 0 || v[i].type != CSS_TOK_FUNCTION ||
		    !fn(&v[i], "opacity"))
			continue;
		if (fn_args(v, n, i, a, 2) == 1 && fraction(&v[a[0]], &x))
			o *= x;
	}
	return o;
}

enum prop_id {
	P_NONE,
	P_DISPLAY,
	P_VISIBILITY,
	P_OPACITY,
	P_FILTER,
	P_WIDTH,
	P_HEIGHT,
	P_MAX_WIDTH,
	P_MAX_HEIGHT,
	P_OVERFLOW,
	P_OVERFLOW_X,
	P_OVERFLOW_Y,
	P_FONT_SIZE,
	P_LINE_HEIGHT,
	P_FONT,
	P_POSITION,
	P_LEFT,
	P_TOP,
	P_RIGHT,
	P_INSET,
	P_TEXT_INDENT,
	P_MARGIN,
	P_MARGIN_LEFT,
	P_MARGIN_TOP,
	P_CLIP,
	P_CLIP_PATH,
	P_TRANSFORM,
	P_SCALE,
	P_MSO_HIDE,
	P_CONTENT_VISIBILITY,
	P_BACKGROUND,
};

/* Lengths stored: prop_of() runs for every declaration of every sheet. */
#define PROP(s, id)                                                            \
	{                                                                      \
		s, sizeof(s) - 1, id                                           \
	}
static const struct {
	const char *name;
	uint8_t len;
	uint8_t id;
} props[] = {
    PROP("display", P_DISPLAY),
    PROP("visibility", P_VISIBILITY),
    PROP("opacity", P_OPACITY),
    PROP("filter", P_FILTER),
    PROP("-webkit-filter", P_FILTER),
    PROP("width", P_WIDTH),
    PROP("inline-size", P_WIDTH),
    PROP("height", P_HEIGHT),
    PROP("block-size", P_HEIGHT),
    PROP("max-width", P_MAX_WIDTH),
    PROP("max-inline-size", P_MAX_WIDTH),
    PROP("max-height", P_MAX_HEIGHT),
    PROP("max-block-size", P_MAX_HEIGHT),
    PROP("overflow", P_OVERFLOW),
    PROP("overflow-x", P_OVERFLOW_X),
    PROP("overflow-y", P_OVERFLOW_Y),
    PROP("font-size", P_FONT_SIZE),
    PROP("line-height", P_LINE_HEIGHT),
    PROP("font", P_FONT),
    PROP("position", P_POSITION),
    PROP("left", P_LEFT),
    PROP("top", P_TOP),
    PROP("right", P_RIGHT),
    PROP("inset", P_INSET),
    PROP("text-indent", P_TEXT_INDENT),
    PROP("margin", P_MARGIN),
    PROP("margin-left", P_MARGIN_LEFT),
    PROP("margin-top", P_MARGIN_TOP),
    PROP("clip", P_CLIP),
    PROP("clip-path", P_CLIP_PATH),
    PROP("-webkit-clip-path", P_CLIP_PATH),
    PROP("transform", P_TRANSFORM),
    PROP("-webkit-transform", P_TRANSFORM),
    PROP("-ms-transform", P_TRANSFORM),
    PROP("scale", P_SCALE),
    PROP("mso-hide", P_MSO_HIDE),
    PROP("content-visibility", P_CONTENT_VISIBILITY),
    PROP("background", P_BACKGROUND),
    PROP("background-image", P_BACKGROUND),
};
#undef PROP

static uint8_t prop_of(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		if (props[i].len == n && memcmp(props[i].name, name, n) == 0)
			return props[i].id;
	return P_NONE;
}

/* The longhands a property sets, for CSS-wide keywords. */
static size_t longhands(uint8_t id, uint8_t out[4])
{
	switch (id) {
	case P_OVERFLOW:
		out[0] = CSS_PROP_OVERFLOW_X;
		out[1] = CSS_PROP_OVERFLOW_Y;
		return 2;
	case P_FONT:
		out[0] = CSS_PROP_FONT_SIZE;
		out[1] = CSS_PROP_LINE_HEIGHT;
		return 2;
	case P_INSET:
		out[0] = CSS_PROP_TOP;
		out[1] = CSS_PROP_RIGHT;
		out[2] = CSS_PROP_LEFT;
		return 3;
	case P_MARGIN:
		out[0] = CSS_PROP_MARGIN_TOP;
		out[1] = CSS_PROP_MARGIN_LEFT;
		return 2;
	default:
		break;
	}
	{
		static const uint8_t map[] = {
		    [P_DISPLAY] = CSS_PROP_DISPLAY,
		    [P_VISIBILITY] = CSS_PROP_VISIBILITY,
		    [P_OPACITY] = CSS_PROP_OPACITY,
		    [P_FILTER] = CSS_PROP_FILTER,
		    [P_WIDTH] = CSS_PROP_WIDTH,
		    [P_HEIGHT] = CSS_PROP_HEIGHT,
		    [P_MAX_WIDTH] = CSS_PROP_MAX_WIDTH,
		    [P_MAX_HEIGHT] = CSS_PROP_MAX_HEIGHT,
		    [P_OVERFLOW_X] = CSS_PROP_OVERFLOW_X,
		    [P_OVERFLOW_Y] = CSS_PROP_OVERFLOW_Y,
		    [P_FONT_SIZE] = CSS_PROP_FONT_SIZE,
		    [P_LINE_HEIGHT] = CSS_PROP_LINE_HEIGHT,
		    [P_POSITION] = CSS_PROP_POSITION,
		    [P_LEFT] = CSS_PROP_LEFT,
		    [P_TOP] = CSS_PROP_TOP,
		    [P_RIGHT] = CSS_PROP_RIGHT,
		    [P_TEXT_INDENT] = CSS_PROP_TEXT_INDENT,
		    [P_MARGIN_LEFT] = CSS_PROP_MARGIN_LEFT,
		    [P_MARGIN_TOP] = CSS_PROP_MARGIN_TOP,
		    [P_CLIP] = CSS_PROP_CLIP,
		    [P_CLIP_PATH] = CSS_PROP_CLIP_PATH,
		    [P_TRANSFORM] = CSS_PROP_TRANSFORM,
		    [P_SCALE] = CSS_PROP_SCALE,
		    [P_MSO_HIDE] = CSS_PROP_MSO_HIDE,
		    [P_CONTENT_VISIBILITY] = CSS_PROP_CONTENT_VISIBILITY,
		    [P_BACKGROUND] = CSS_PROP_BACKGROUND_IMAGE,
		};

		out[0] = map[id];
		return 1;
	}
}

struct out {
	struct css_vdecl *d;
	size_t n;
	bool important;
	uint32_t decl;
};

static struct css_vdecl *emit(struct out *o, uint8_t prop)
{
	struct css_vdecl *d;

	if (o->n >= CSS_VDECL_MAX)
		return NULL;
	d = &o->d[o->n++];
	memset(d, 0, sizeof(*d));
	d->prop = prop;
	d->important = o->important;
	d->decl = o->decl;
	/* The initial value of opacity-like properties is 1. */
	d->num = 1;
	return d;
}

static void emit_len(struct out *o, uint8_t prop, const struct css_length *l)
{
	struct css_vdecl *d = emit(o, prop);

	if (d)
		d->len = *l;
}

static void emit_kw(struct out *o, uint8_t prop, uint8_t k)
{
	struct css_vdecl *d = emit(o, prop);

	if (d)
		d->kw = k;
}

static bool display_keyword(const struct css_vtok *v)
{
	static const char *const k[] = {"block",
	                                "inline",
	                                "inline-block",
	                                "flex",
	                                "inline-flex",
	                                "grid",
	                                "inline-grid",
	                                "table",
	                                "inline-table",
	                                "table-row",
	                                "table-cell",
	                                "table-column",
	                                "table-caption",
	                                "list-item",
	                                "flow",
	                                "flow-root",
	                                "run-in",
	                                "ruby",
	                                "ruby-base",
	                                "ruby-text",
	                                "table-row-group",
	                                "table-header-group",
	                                "table-footer-group",
	                                "table-column-group",
	                                "-webkit-box",
	                                "-webkit-inline-box",
	                                "-moz-box",
	                                "-moz-inline-box",
	                                "-ms-flexbox",
	                                "-ms-inline-flexbox",
	                                "-webkit-flex",
	                                "-webkit-inline-flex",
	                                "math",
	                                NULL};
	return kw_in(v, k);
}

static bool overflow_kw(const struct css_vtok *v, uint8_t *out)
{
	if (kw(v, "visible"))
		*out = CSS_OVERFLOW_VISIBLE;
	else if (kw(v, "hidden") || kw(v, "clip"))
		*out = CSS_OVERFLOW_HIDDEN;
	else if (kw(v, "scroll") || kw(v, "auto") || kw(v, "overlay") ||
	         kw(v, "-webkit-paged-x") || kw(v, "-webkit-paged-y"))
		*out = CSS_OVERFLOW_SCROLL;
	else
		return false;
	return true;
}

static bool font_size_kw(const struct css_vtok *v)
{
	static const char *const k[] = {
	    "xx-small",          "x-small",  "small",     "medium", "large",
	    "x-large",           "xx-large", "xxx-large", "larger", "smaller",
	    "-webkit-xxx-large", NULL};
	return kw_in(v, k);
}

/* font: [style variant weight stretch]* size [/ line-height] family */
static void font_shorthand(struct out *o, const struct css_vtok *v, size_t n)
{
	static const char *const system[] = {
	    "caption",       "icon",       "menu", "message-box",
	    "small-caption", "status-bar", NULL};
	struct css_length size, lh = {0, CSS_UNIT_NONE};
	size_t i;

	if (n >= 1 && kw_in(&v[0], system)) {
		emit_len(o, CSS_PROP_FONT_SIZE, &lh);
		emit_len(o, CSS_PROP_LINE_HEIGHT, &lh);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct css_vtok *t = &v[i];

		if (t->depth != 0)
			continue;
		if (t->type == CSS_TOK_NUMBER && t->num != 0)
			continue; /* a weight */
		if (t->type == CSS_TOK_IDENT && !font_size_kw(t))
			continue; /* style, variant, weight, stretch */
		if (t->type == CSS_TOK_IDENT) {
			size.value = 0;
			size.unit = CSS_UNIT_NONE;
		} else if (!length(t, 0, &size)) {
			return;
		}
		if (i + 2 < n && v[i + 1].type == CSS_TOK_DELIM &&
		    v[i + 1].delim == '/') {
			if (kw(&v[i + 2], "normal")) {
				lh.unit = CSS_UNIT_NONE;
			} else if (v[i + 2].type == CSS_TOK_NUMBER) {
				lh.value = v[i + 2].num;
				lh.unit = CSS_UNIT_NUMBER;
			} else if (!length(&v[i + 2], 0, &lh)) {
				return;
			}
		}
		emit_len(o, CSS_PROP_FONT_SIZE, &size);
		emit_len(o, CSS_PROP_LINE_HEIGHT, &lh);
		return;
	}
}

/* 1 to 4 lengths, top right bottom left; out: top, right, left. */
static bool box_sides(const struct css_vtok *v, size_t n, unsigned flags,
                      struct css_length *top, struct css_length *right,
                      struct css_length *left)
{
	struct css_length s[4];
	size_t idx[4], k, i;

	k = top_tokens(v, n, idx, 4);
	if (k < 1 || k > 4)
		return false;
	for (i = 0; i < k; i++)
		if (!length(&v[idx[i]], flags, &s[i]))
			return false;
	*top = s[0];
	*right = k > 1 ? s[1] : s[0];
	*left = k > 3 ? s[3] : *right;
	return true;
}

size_t css_interpret(struct css_vdecl out[CSS_VDECL_MAX], const char *name,
                     size_t name_len, const struct css_vtok *v, size_t n,
                     bool overflow, size_t n_urls, bool important,
                     uint32_t decl)
{
	struct out o = {out, 0, important, decl};
	uint8_t id = prop_of(name, name_len), lh[4], k;
	struct css_length l, a, b, c;
	size_t idx[2], i, nlh;
	struct css_vdecl *d;

	if (id == P_NONE)
		return 0;
	if (id == P_BACKGROUND) {
		/* Any image URL counts, however long the value. */
		emit_kw(&o, CSS_PROP_BACKGROUND_IMAGE, n_urls > 0);
		return o.n;
	}
	if (overflow || n == 0)
		return 0;
	if (n == 1 && wide_keyword(&v[0])) {
		nlh = longhands(id, lh);
		for (i = 0; i < nlh; i++)
			emit(&o, lh[i]);
		return o.n;
	}
	switch (id) {
	case P_DISPLAY:
		if (n == 1 && kw(&v[0], "none")) {
			emit_kw(&o, CSS_PROP_DISPLAY, CSS_DISPLAY_NONE);
		} else if (n == 1 && kw(&v[0], "contents")) {
			emit_kw(&o, CSS_PROP_DISPLAY, CSS_DISPLAY_CONTENTS);
		} else if (n <= 3) {
			for (i = 0; i < n; i++)
				if (!display_keyword(&v[i]))
					return 0;
			emit_kw(&o, CSS_PROP_DISPLAY, CSS_DISPLAY_OTHER);
		}
		break;
	case P_VISIBILITY:
		if (n != 1)
			break;
		if (kw(&v[0], "visible"))
			emit_kw(&o, CSS_PROP_VISIBILITY,
			        CSS_VISIBILITY_VISIBLE);
		else if (kw(&v[0], "hidden"))
			emit_kw(&o, CSS_PROP_VISIBILITY, CSS_VISIBILITY_HIDDEN);
		else if (kw(&v[0], "collapse"))
			emit_kw(&o, CSS_PROP_VISIBILITY,
			        CSS_VISIBILITY_COLLAPSE);
		break;
	case P_OPACITY:
		if (n == 1 && fraction(&v[0], &a.value)) {
			d = emit(&o, CSS_PROP_OPACITY);
			if (d)
				d->num = a.value;
		}
		break;
	case P_FILTER:
		a.value = filter_opacity(v, n);
		d = emit(&o, CSS_PROP_FILTER);
		if (d)
			d->num = a.value;
		break;
	case P_WIDTH:
	case P_HEIGHT:
		if (top_tokens(v, n, idx, 2) == 1 &&
		    length(&v[idx[0]], LEN_AUTO, &l))
			emit_len(&o,
			         id == P_WIDTH ? CSS_PROP_WIDTH
			                       : CSS_PROP_HEIGHT,
			         &l);
		break;
	case P_MAX_WIDTH:
	case P_MAX_HEIGHT:
		if (top_tokens(v, n, idx, 2) == 1 &&
		    length(&v[idx[0]], LEN_AUTO | LEN_NONE, &l))
			emit_len(&o,
			         id == P_MAX_WIDTH ? CSS_PROP_MAX_WIDTH
			                           : CSS_PROP_MAX_HEIGHT,
			         &l);
		break;
	case P_OVERFLOW:
		if (n == 1 && overflow_kw(&v[0], &k)) {
			emit_kw(&o, CSS_PROP_OVERFLOW_X, k);
			emit_kw(&o, CSS_PROP_OVERFLOW_Y, k);
		} else if (n == 2 && overflow_kw(&v[0], &k)) {
			uint8_t k2;

			if (!overflow_kw(&v[1], &k2))
				break;
			emit_kw(&o, CSS_PROP_OVERFLOW_X, k);
			emit_kw(&o, CSS_PROP_OVERFLOW_Y, k2);
		}
		break;
	case P_OVERFLOW_X:
	case P_OVERFLOW_Y:
		if (n == 1 && overflow_kw(&v[0], &k))
			emit_kw(&o,
			        id == P_OVERFLOW_X ? CSS_PROP_OVERFLOW_X
			                           : CSS_PROP_OVERFLOW_Y,
			        k);
		break;
	case P_FONT_SIZE:
		if (n != 1)
			break;
		if (font_size_kw(&v[0])) {
			l.value = 0;
			l.unit = CSS_UNIT_NONE;
			emit_len(&o, CSS_PROP_FONT_SIZE, &l);
		} else if (length(&v[0], 0, &l)) {
			emit_len(&o, CSS_PROP_FONT_SIZE, &l);
		}
		break;
	case P_LINE_HEIGHT:
		if (n != 1)
			break;
		if (kw(&v[0], "normal")) {
			l.value = 0;
			l.unit = CSS_UNIT_NONE;
			emit_len(&o, CSS_PROP_LINE_HEIGHT, &l);
		} else if (v[0].type == CSS_TOK_NUMBER && v[0].num >= 0) {
			l.value = v[0].num;
			l.unit = CSS_UNIT_NUMBER;
			emit_len(&o, CSS_PROP_LINE_HEIGHT, &l);
		} else if (length(&v[0], 0, &l)) {
			emit_len(&o, CSS_PROP_LINE_HEIGHT, &l);
		}
		break;
	case P_FONT:
		font_shorthand(&o, v, n);
		break;
	case P_POSITION:
		if (n != 1)
			break;
		if (kw(&v[0], "static"))
			emit_kw(&o, CSS_PROP_POSITION, CSS_POSITION_STATIC);
		else if (kw(&v[0], "relative"))
			emit_kw(&o, CSS_PROP_POSITION, CSS_POSITION_RELATIVE);
		else if (kw(&v[0], "absolute"))
			emit_kw(&o, CSS_PROP_POSITION, CSS_POSITION_ABSOLUTE);
		else if (kw(&v[0], "fixed"))
			emit_kw(&o, CSS_PROP_POSITION, CSS_POSITION_FIXED);
		else if (kw(&v[0], "sticky") || kw(&v[0], "-webkit-sticky"))
			emit_kw(&o, CSS_PROP_POSITION, CSS_POSITION_STICKY);
		break;
	case P_LEFT:
	case P_TOP:
	case P_RIGHT:
	case P_TEXT_INDENT:
	case P_MARGIN_LEFT:
	case P_MARGIN_TOP: {
		static const uint8_t map[] = {
		    [P_LEFT] = CSS_PROP_LEFT,
		    [P_TOP] = CSS_PROP_TOP,
		    [P_RIGHT] = CSS_PROP_RIGHT,
		    [P_TEXT_INDENT] = CSS_PROP_TEXT_INDENT,
		    [P_MARGIN_LEFT] = CSS_PROP_MARGIN_LEFT,
		    [P_MARGIN_TOP] = CSS_PROP_MARGIN_TOP,
		};
		size_t m = top_tokens(v, n, idx, 2);

		/* text-indent may add hanging/each-line after the length. */
		if ((m == 1 || (id == P_TEXT_INDENT && m >= 1)) &&
		    length(&v[idx[0]], LEN_NEG | LEN_AUTO, &l))
			emit_len(&o, map[id], &l);
		break;
	}
	case P_INSET:
		if (box_sides(v, n, LEN_NEG | LEN_AUTO, &a, &b, &c)) {
			emit_len(&o, CSS_PROP_TOP, &a);
			emit_len(&o, CSS_PROP_RIGHT, &b);
			emit_len(&o, CSS_PROP_LEFT, &c);
		}
		break;
	case P_MARGIN:
		if (box_sides(v, n, LEN_NEG | LEN_AUTO, &a, &b, &c)) {
			emit_len(&o, CSS_PROP_MARGIN_TOP, &a);
			emit_len(&o, CSS_PROP_MARGIN_LEFT, &c);
		}
		break;
	case P_CLIP:
		if (n == 1 && kw(&v[0], "auto"))
			emit_kw(&o, CSS_PROP_CLIP, 0);
		else if (fn(&v[0], "rect"))
			emit_kw(&o, CSS_PROP_CLIP, clip_zero(v, n, 0));
		break;
	case P_CLIP_PATH:
		emit_kw(&o, CSS_PROP_CLIP_PATH, clip_path_hides(v, n));
		break;
	case P_TRANSFORM:
		emit_kw(&o, CSS_PROP_TRANSFORM, transform_hides(v, n));
		break;
	case P_SCALE:
		if (n == 1 && kw(&v[0], "none"))
			emit_kw(&o, CSS_PROP_SCALE, 0);
		else if (n <= 3 &&
		         (is_zero_num(&v[0]) || (n >= 2 && is_zero_num(&v[1]))))
			emit_kw(&o, CSS_PROP_SCALE, 1);
		else if (n <= 3 && (v[0].type == CSS_TOK_NUMBER ||
		                    v[0].type == CSS_TOK_PERCENTAGE))
			emit_kw(&o, CSS_PROP_SCALE, 0);
		break;
	case P_MSO_HIDE:
		if (n == 1 && kw(&v[0], "all"))
			emit_kw(&o, CSS_PROP_MSO_HIDE, 1);
		else if (n == 1 && kw(&v[0], "none"))
			emit_kw(&o, CSS_PROP_MSO_HIDE, 0);
		break;
	case P_CONTENT_VISIBILITY:
		if (n == 1 && kw(&v[0], "hidden"))
			emit_kw(&o, CSS_PROP_CONTENT_VISIBILITY, 1);
		else if (n == 1 && (kw(&v[0], "visible") || kw(&v[0], "auto")))
			emit_kw(&o, CSS_PROP_CONTENT_VISIBILITY, 0);
		break;
	default:
		break;
	}
	return o.n;
}
