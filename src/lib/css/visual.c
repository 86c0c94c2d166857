/*
 * visual.c - the cascade of visual declarations and what the result
 * hides.
 */
#include "internal.h"

#include <string.h>

void css_visual_reset(struct css_visual *v)
{
	memset(v, 0, sizeof(*v));
	v->opacity = 1;
	v->filter_opacity = 1;
}

void css_visual_set(struct css_visual *v, const struct css_vdecl *d)
{
	v->declared |= 1u << d->prop;
	switch (d->prop) {
	case CSS_PROP_DISPLAY:
		v->display = d->kw;
		break;
	case CSS_PROP_VISIBILITY:
		v->visibility = d->kw;
		break;
	case CSS_PROP_OPACITY:
		v->opacity = d->num;
		break;
	case CSS_PROP_FILTER:
		v->filter_opacity = d->num;
		break;
	case CSS_PROP_WIDTH:
		v->width = d->len;
		break;
	case CSS_PROP_HEIGHT:
		v->height = d->len;
		break;
	case CSS_PROP_MAX_WIDTH:
		v->max_width = d->len;
		break;
	case CSS_PROP_MAX_HEIGHT:
		v->max_height = d->len;
		break;
	case CSS_PROP_OVERFLOW_X:
		v->overflow_x = d->kw;
		break;
	case CSS_PROP_OVERFLOW_Y:
		v->overflow_y = d->kw;
		break;
	case CSS_PROP_FONT_SIZE:
		v->font_size = d->len;
		break;
	case CSS_PROP_LINE_HEIGHT:
		v->line_height = d->len;
		break;
	case CSS_PROP_POSITION:
		v->position = d->kw;
		break;
	case CSS_PROP_LEFT:
		v->left = d->len;
		break;
	case CSS_PROP_TOP:
		v->top = d->len;
		break;
	case CSS_PROP_RIGHT:
		v->right = d->len;
		break;
	case CSS_PROP_TEXT_INDENT:
		v->text_indent = d->len;
		break;
	case CSS_PROP_MARGIN_LEFT:
		v->margin_left = d->len;
		break;
	case CSS_PROP_MARGIN_TOP:
		v->margin_top = d->len;
		break;
	case CSS_PROP_CLIP:
		v->clip_zero = d->kw != 0;
		break;
	case CSS_PROP_CLIP_PATH:
		v->clip_path_hides = d->kw != 0;
		break;
	case CSS_PROP_TRANSFORM:
		v->transform_hides = d->kw != 0;
		break;
	case CSS_PROP_SCALE:
		v->scale_zero = d->kw != 0;
		break;
	case CSS_PROP_MSO_HIDE:
		v->mso_hide = d->kw != 0;
		break;
	case CSS_PROP_CONTENT_VISIBILITY:
		v->content_hidden = d->kw != 0;
		break;
	case CSS_PROP_BACKGROUND_IMAGE:
		v->background_image = d->kw != 0;
		break;
	default:
		break;
	}
}

/* --- cascade ------------------------------------------------------- */

void css_cascade_init(struct css_cascade *c)
{
	memset(c, 0, sizeof(*c));
	css_visual_reset(&c->v);
}

/* a beats or ties b: the later of equals wins, as source order says. */
static bool wins(const struct css_cascade_slot *a,
                 const struct css_cascade_slot *b)
{
	if (!b->set)
		return true;
	if (a->level != b->level)
		return a->level > b->level;
	if (a->specificity != b->specificity)
		return a->specificity > b->specificity;
	if (a->order != b->order)
		return a->order > b->order;
	return a->decl >= b->decl;
}

static void apply(struct css_cascade *c, const struct css_rule *r,
                  unsigned base, uint32_t spec, uint64_t order)
{
	size_t i;

	for (i = 0; i < r->nvdecls; i++) {
		const struct css_vdecl *d = &r->vdecls[i];
		struct css_cascade_slot s;

		if (d->prop >= CSS_PROP_COUNT)
			continue;
		s.level = (uint8_t)(base + (d->important ? 2 : 0));
		s.specificity = spec;
		s.order = order;
		s.decl = d->decl;
		s.set = true;
		if (!wins(&s, &c->slot[d->prop]))
			continue;
		c->slot[d->prop] = s;
		c->src[d->prop] = base ? NULL : r;
		css_visual_set(&c->v, d);
	}
}

void css_cascade_rule(struct css_cascade *c, const struct css_rule *r,
                      uint32_t specificity, uint64_t order)
{
	if (c && r)
		apply(c, r, 0, specificity, order);
}

void css_cascade_style(struct css_cascade *c, const struct css_sheet *style)
{
	size_t i;

	if (c == NULL || style == NULL)
		return;
	for (i = 0; i < style->nrules; i++)
		if (style->rules[i].kind == CSS_RULE_STYLE_ATTR)
			apply(c, &style->rules[i], 1, 0, i);
}

void css_visual_of_rule(struct css_visual *out, const struct css_rule *r)
{
	struct css_cascade c;

	css_cascade_init(&c);
	if (r)
		apply(&c, r, 0, 0, 0);
	*out = c.v;
}

/* --- lengths and facts ------------------------------------------ */

bool css_length_is_zero(const struct css_length *l)
{
	return l->unit != CSS_UNIT_NONE && l->unit != CSS_UNIT_OTHER &&
	       l->value == 0;
}

bool css_length_px(const struct css_length *l, double em_px, double *px)
{
	switch (l->unit) {
	case CSS_UNIT_PX:
	case CSS_UNIT_NUMBER:
		*px = l->value;
		return true;
	case CSS_UNIT_EM:
	case CSS_UNIT_REM:
		*px = l->value * em_px;
		return true;
	default:
		return false;
	}
}

/* Pushed out of view: far negative, in whatever unit. */
static bool far_off(const struct css_length *l)
{
	switch (l->unit) {
	case CSS_UNIT_PX:
	case CSS_UNIT_NUMBER:
		return l->value <= -CSS_OFFSCREEN_PX;
	case CSS_UNIT_EM:
	case CSS_UNIT_REM:
		return l->value * 16 <= -CSS_OFFSCREEN_PX;
	case CSS_UNIT_PERCENT:
	case CSS_UNIT_VW:
		return l->value <= -100;
	default:
		return false;
	}
}

unsigned css_visual_facts(const struct css_visual *v)
{
	bool abs = v->position == CSS_POSITION_ABSOLUTE ||
	           v->position == CSS_POSITION_FIXED;
	unsigned f = 0;

	if (v->display == CSS_DISPLAY_NONE)
		f |= CSS_HIDE_DISPLAY;
	if (v->visibility != CSS_VISIBILITY_VISIBLE)
		f |= CSS_HIDE_VISIBILITY;
	if (v->opacity <= 0 || v->filter_opacity <= 0)
		f |= CSS_HIDE_OPACITY;
	if (css_length_is_zero(&v->width))
		f |= CSS_HIDE_WIDTH;
	if (css_length_is_zero(&v->height))
		f |= CSS_HIDE_HEIGHT;
	if (css_length_is_zero(&v->max_width))
		f |= CSS_HIDE_MAX_WIDTH;
	if (css_length_is_zero(&v->max_height))
		f |= CSS_HIDE_MAX_HEIGHT;
	if ((abs &&
	     (far_off(&v->left) || far_off(&v->top) || far_off(&v->right))) ||
	    far_off(&v->margin_left) || far_off(&v->margin_top))
		f |= CSS_HIDE_OFFSCREEN;
	if (far_off(&v->text_indent))
		f |= CSS_HIDE_TEXT_INDENT;
	if (abs && v->clip_zero)
		f |= CSS_HIDE_CLIP;
	if (v->clip_path_hides)
		f |= CSS_HIDE_CLIP_PATH;
	if (v->transform_hides || v->scale_zero)
		f |= CSS_HIDE_TRANSFORM;
	if (v->mso_hide)
		f |= CSS_HIDE_MSO;
	if (v->content_hidden)
		f |= CSS_HIDE_CONTENT;
	if (css_length_is_zero(&v->font_size))
		f |= CSS_HIDE_FONT_SIZE;
	if (css_length_is_zero(&v->line_height))
		f |= CSS_HIDE_LINE_HEIGHT;
	return f;
}

unsigned css_visual_hides_self(const struct css_visual *v)
{
	return css_visual_facts(v) &
	       (CSS_HIDE_DISPLAY | CSS_HIDE_VISIBILITY | CSS_HIDE_OPACITY |
	        CSS_HIDE_WIDTH | CSS_HIDE_HEIGHT | CSS_HIDE_MAX_WIDTH |
	        CSS_HIDE_MAX_HEIGHT | CSS_HIDE_OFFSCREEN | CSS_HIDE_CLIP |
	        CSS_HIDE_CLIP_PATH | CSS_HIDE_TRANSFORM | CSS_HIDE_MSO);
}

unsigned css_visual_hides_subtree(const struct css_visual *v)
{
	unsigned f = css_visual_facts(v);
	unsigned out =
	    f & (CSS_HIDE_DISPLAY | CSS_HIDE_OPACITY | CSS_HIDE_OFFSCREEN |
	         CSS_HIDE_TEXT_INDENT | CSS_HIDE_CLIP | CSS_HIDE_CLIP_PATH |
	         CSS_HIDE_TRANSFORM | CSS_HIDE_MSO | CSS_HIDE_CONTENT);

	if (v->overflow_x == CSS_OVERFLOW_HIDDEN)
		out |= f & (CSS_HIDE_WIDTH | CSS_HIDE_MAX_WIDTH);
	if (v->overflow_y == CSS_OVERFLOW_HIDDEN)
		out |= f & (CSS_HIDE_HEIGHT | CSS_HIDE_MAX_HEIGHT);
	return out;
}

const char *css_hide_name(unsigned bit)
{
	switch (bit) {
	case CSS_HIDE_DISPLAY:
		return "display:none";
	case CSS_HIDE_VISIBILITY:
		return "visibility:hidden";
	case CSS_HIDE_OPACITY:
		return "opacity:0";
	case CSS_HIDE_WIDTH:
		return "width:0";
	case CSS_HIDE_HEIGHT:
		return "height:0";
	case CSS_HIDE_MAX_WIDTH:
		return "max-width:0";
	case CSS_HIDE_MAX_HEIGHT:
		return "max-height:0";
	case CSS_HIDE_OFFSCREEN:
		return "offscreen";
	case CSS_HIDE_TEXT_INDENT:
		return "text-indent";
	case CSS_HIDE_CLIP:
		return "clip";
	case CSS_HIDE_CLIP_PATH:
		return "clip-path";
	case CSS_HIDE_TRANSFORM:
		return "transform:scale(0)";
	case CSS_HIDE_MSO:
		return "mso-hide:all";
	case CSS_HIDE_CONTENT:
		return "content-visibility:hidden";
	case CSS_HIDE_FONT_SIZE:
		return "font-size:0";
	case CSS_HIDE_LINE_HEIGHT:
		return "line-height:0";
	default:
		return "?";
	}
}

void css_visual_inherit(struct css_visual *child,
                        const struct css_visual *parent)
{
	if (!(child->declared & (1u << CSS_PROP_VISIBILITY)))
		child->visibility = parent->visibility;
	if (!(child->declared & (1u << CSS_PROP_FONT_SIZE))) {
		child->font_size = parent->font_size;
	} else if ((child->font_size.unit == CSS_UNIT_EM ||
	            child->font_size.unit == CSS_UNIT_PERCENT) &&
	           css_length_is_zero(&parent->font_size)) {
		child->font_size.value = 0;
		child->font_size.unit = CSS_UNIT_PX;
	}
	if (!(child->declared & (1u << CSS_PROP_LINE_HEIGHT)))
		child->line_height = parent->line_height;
}
