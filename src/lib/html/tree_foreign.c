/*
 * tree_foreign.c - SVG and MathML in HTML (HTML Living Standard 13.2.6.5
 * and the adjustments of 13.2.6.3): the dispatcher's choice between HTML
 * rules and the rules for foreign content, tag-name and attribute
 * adjustments, integration points and breakout tags.
 */
#include "tree_int.h"

#include <string.h>

#include "util/alloc.h"
#include "util/str.h"

struct rename {
	const char *from; /* lower case, as the tokenizer emits it */
	const char *to;
};

/* Sorted by `from` for bsearch. */
static const struct rename svg_tags[] = {
    {"altglyph", "altGlyph"},
    {"altglyphdef", "altGlyphDef"},
    {"altglyphitem", "altGlyphItem"},
    {"animatecolor", "animateColor"},
    {"animatemotion", "animateMotion"},
    {"animatetransform", "animateTransform"},
    {"clippath", "clipPath"},
    {"feblend", "feBlend"},
    {"fecolormatrix", "feColorMatrix"},
    {"fecomponenttransfer", "feComponentTransfer"},
    {"fecomposite", "feComposite"},
    {"feconvolvematrix", "feConvolveMatrix"},
    {"fediffuselighting", "feDiffuseLighting"},
    {"fedisplacementmap", "feDisplacementMap"},
    {"fedistantlight", "feDistantLight"},
    {"fedropshadow", "feDropShadow"},
    {"feflood", "feFlood"},
    {"fefunca", "feFuncA"},
    {"fefuncb", "feFuncB"},
    {"fefuncg", "feFuncG"},
    {"fefuncr", "feFuncR"},
    {"fegaussianblur", "feGaussianBlur"},
    {"feimage", "feImage"},
    {"femerge", "feMerge"},
    {"femergenode", "feMergeNode"},
    {"femorphology", "feMorphology"},
    {"feoffset", "feOffset"},
    {"fepointlight", "fePointLight"},
    {"fespecularlighting", "feSpecularLighting"},
    {"fespotlight", "feSpotLight"},
    {"fetile", "feTile"},
    {"feturbulence", "feTurbulence"},
    {"foreignobject", "foreignObject"},
    {"glyphref", "glyphRef"},
    {"lineargradient", "linearGradient"},
    {"radialgradient", "radialGradient"},
    {"textpath", "textPath"},
};

static const struct rename svg_attrs[] = {
    {"attributename", "attributeName"},
    {"attributetype", "attributeType"},
    {"basefrequency", "baseFrequency"},
    {"baseprofile", "baseProfile"},
    {"calcmode", "calcMode"},
    {"clippathunits", "clipPathUnits"},
    {"diffuseconstant", "diffuseConstant"},
    {"edgemode", "edgeMode"},
    {"filterunits", "filterUnits"},
    {"glyphref", "glyphRef"},
    {"gradienttransform", "gradientTransform"},
    {"gradientunits", "gradientUnits"},
    {"kernelmatrix", "kernelMatrix"},
    {"kernelunitlength", "kernelUnitLength"},
    {"keypoints", "keyPoints"},
    {"keysplines", "keySplines"},
    {"keytimes", "keyTimes"},
    {"lengthadjust", "lengthAdjust"},
    {"limitingconeangle", "limitingConeAngle"},
    {"markerheight", "markerHeight"},
    {"markerunits", "markerUnits"},
    {"markerwidth", "markerWidth"},
    {"maskcontentunits", "maskContentUnits"},
    {"maskunits", "maskUnits"},
    {"numoctaves", "numOctaves"},
    {"pathlength", "pathLength"},
    {"patterncontentunits", "patternContentUnits"},
    {"patterntransform", "patternTransform"},
    {"patternunits", "patternUnits"},
    {"pointsatx", "pointsAtX"},
    {"pointsaty", "pointsAtY"},
    {"pointsatz", "pointsAtZ"},
    {"preservealpha", "preserveAlpha"},
    {"preserveaspectratio", "preserveAspectRatio"},
    {"primitiveunits", "primitiveUnits"},
    {"refx", "refX"},
    {"refy", "refY"},
    {"repeatcount", "repeatCount"},
    {"repeatdur", "repeatDur"},
    {"requiredextensions", "requiredExtensions"},
    {"requiredfeatures", "requiredFeatures"},
    {"specularconstant", "specularConstant"},
    {"specularexponent", "specularExponent"},
    {"spreadmethod", "spreadMethod"},
    {"startoffset", "startOffset"},
    {"stddeviation", "stdDeviation"},
    {"stitchtiles", "stitchTiles"},
    {"surfacescale", "surfaceScale"},
    {"systemlanguage", "systemLanguage"},
    {"tablevalues", "tableValues"},
    {"targetx", "targetX"},
    {"targety", "targetY"},
    {"textlength", "textLength"},
    {"viewbox", "viewBox"},
    {"viewtarget", "viewTarget"},
    {"xchannelselector", "xChannelSelector"},
    {"ychannelselector", "yChannelSelector"},
    {"zoomandpan", "zoomAndPan"},
};

struct foreign_attr {
	const char *from;
	uint8_t ns;
	const char *local;
};

static const struct foreign_attr foreign_attrs[] = {
    {"xlink:actuate", HTML_ATTR_NS_XLINK, "actuate"},
    {"xlink:arcrole", HTML_ATTR_NS_XLINK, "arcrole"},
    {"xlink:href", HTML_ATTR_NS_XLINK, "href"},
    {"xlink:role", HTML_ATTR_NS_XLINK, "role"},
    {"xlink:show", HTML_ATTR_NS_XLINK, "show"},
    {"xlink:title", HTML_ATTR_NS_XLINK, "title"},
    {"xlink:type", HTML_ATTR_NS_XLINK, "type"},
    {"xml:lang", HTML_ATTR_NS_XML, "lang"},
    {"xml:space", HTML_ATTR_NS_XML, "space"},
    {"xmlns", HTML_ATTR_NS_XMLNS, "xmlns"},
    {"xmlns:xlink", HTML_ATTR_NS_XMLNS, "xlink"},
};

static int span_cmp(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	int c = memcmp(s, lit, n < l ? n : l);

	if (c)
		return c;
	return n < l ? -1 : n > l;
}

static const char *rename_lookup(const struct rename *tab, size_t count,
                                 const char *s, size_t n)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = span_cmp(s, n, tab[mid].from);

		if (c == 0)
			return tab[mid].to;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

uint32_t tb_annotation_ip(const struct html_attr *attrs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct html_attr *a = &attrs[i];

		if (a->ns == HTML_ATTR_NS_NONE && a->name_len == 8 &&
		    memcmp(a->name, "encoding", 8) == 0)
			return (bs_span_ieq(a->value, a->value_len,
			                    "text/html") ||
			        bs_span_ieq(a->value, a->value_len,
			                    "application/xhtml+xml"))
			           ? C_HTML_IP
			           : 0;
	}
	return 0;
}

/* Adjusted copy of the attributes in the tree builder's scratch array. */
static const struct html_attr *adjust_attrs(struct html_tree *tb,
                                            const struct html_attr *attrs,
                                            size_t n, unsigned ns)
{
	size_t i, j;

	if (n == 0)
		return attrs;
	if (n > tb->scratch_len) {
		int ovf = 0;
		size_t bytes = bs_mul(n, sizeof(*attrs), &ovf);
		struct html_attr *p;

		if (ovf) {
			tb_fail(tb, BS_ENOMEM);
			return attrs;
		}
		p = bs_realloc(tb->scratch, bytes);
		if (p == NULL) {
			tb_fail(tb, BS_ENOMEM);
			return attrs;
		}
		tb->scratch = p;
		tb->scratch_len = n;
	}
	for (i = 0; i < n; i++) {
		struct html_attr *a = &tb->scratch[i];
		const char *to = NULL;

		*a = attrs[i];
		if (ns == HTML_NS_SVG)
			to = rename_lookup(svg_attrs, COUNT(svg_attrs), a->name,
			                   a->name_len);
		else if (ns == HTML_NS_MATHML &&
		         span_cmp(a->name, a->name_len, "definitionurl") == 0)
			to = "definitionURL";
		if (to) {
			a->name = to;
			a->name_len = strlen(to);
			continue;
		}
		if (a->name_len < 5 || (a->name[0] != 'x'))
			continue;
		for (j = 0; j < COUNT(foreign_attrs); j++)
			if (span_cmp(a->name, a->name_len,
			             foreign_attrs[j].from) == 0) {
				a->ns = foreign_attrs[j].ns;
				a->name = foreign_attrs[j].local;
				a->name_len = strlen(a->name);
				break;
			}
	}
	return tb->scratch;
}

/* Insert a foreign element for the token (13.2.6.1), with the
 * adjustments of its namespace; a self-closing one is popped at once. */
struct node *tb_insert_foreign(struct html_tree *tb, const struct html_token *t,
                               unsigned ns)
{
	struct elinfo e;

	tb_elinfo_token(&e, t);
	e.ns = (uint8_t)ns;
	if (ns == HTML_NS_SVG) {
		const char *to = rename_lookup(svg_tags, COUNT(svg_tags),
		                               t->name, t->name_len);

		if (to) {
			e.name = to;
			e.name_len = strlen(to);
		}
	}
	e.attrs = adjust_attrs(tb, t->attrs, t->nattrs, ns);
	if (t->self_closing) {
		tb_insert_void(tb, &e);
		return NULL;
	}
	return tb_insert(tb, &e, false);
}

/* The tree construction dispatcher (13.2.6): true when the token goes to
 * the current insertion mode rather than the rules for foreign content. */
bool tb_use_html_rules(const struct node *acn, const struct html_token *t)
{
	bool start = t->type == HTML_TOKEN_START_TAG;

	if (acn == NULL || acn->ns == HTML_NS_HTML || t->type == HTML_TOKEN_EOF)
		return true;
	if ((acn->cat & C_TEXT_IP) && start && t->tag != HTML_TAG_MGLYPH &&
	    t->tag != HTML_TAG_MALIGNMARK)
		return true;
	if (acn->ns == HTML_NS_MATHML && acn->tag == HTML_TAG_ANNOTATION_XML &&
	    start && t->tag == HTML_TAG_SVG)
		return true;
	if ((acn->cat & C_HTML_IP) && start)
		return true;
	return false;
}

void tb_foreign_chars(struct html_tree *tb, const char *s, size_t n)
{
	size_t i;

	tb_insert_text_nul(tb, s, n, true);
	if (tb->frameset_ok)
		for (i = 0; i < n; i++)
			if (s[i] != '\0' && !is_ws((unsigned char)s[i])) {
				tb->frameset_ok = false;
				break;
			}
}

static bool is_breakout(const struct html_token *t)
{
	size_t i;

	switch (t->tag) {
	case HTML_TAG_B:
	case HTML_TAG_BIG:
	case HTML_TAG_BLOCKQUOTE:
	case HTML_TAG_BODY:
	case HTML_TAG_BR:
	case HTML_TAG_CENTER:
	case HTML_TAG_CODE:
	case HTML_TAG_DD:
	case HTML_TAG_DIV:
	case HTML_TAG_DL:
	case HTML_TAG_DT:
	case HTML_TAG_EM:
	case HTML_TAG_EMBED:
	case HTML_TAG_H1:
	case HTML_TAG_H2:
	case HTML_TAG_H3:
	case HTML_TAG_H4:
	case HTML_TAG_H5:
	case HTML_TAG_H6:
	case HTML_TAG_HEAD:
	case HTML_TAG_HR:
	case HTML_TAG_I:
	case HTML_TAG_IMG:
	case HTML_TAG_LI:
	case HTML_TAG_LISTING:
	case HTML_TAG_MENU:
	case HTML_TAG_META:
	case HTML_TAG_NOBR:
	case HTML_TAG_OL:
	case HTML_TAG_P:
	case HTML_TAG_PRE:
	case HTML_TAG_RUBY:
	case HTML_TAG_S:
	case HTML_TAG_SMALL:
	case HTML_TAG_SPAN:
	case HTML_TAG_STRONG:
	case HTML_TAG_STRIKE:
	case HTML_TAG_SUB:
	case HTML_TAG_SUP:
	case HTML_TAG_TABLE:
	case HTML_TAG_TT:
	case HTML_TAG_U:
	case HTML_TAG_UL:
	case HTML_TAG_VAR:
		return true;
	case HTML_TAG_FONT:
		for (i = 0; i < t->nattrs; i++) {
			const struct html_attr *a = &t->attrs[i];

			if (span_cmp(a->name, a->name_len, "color") == 0 ||
			    span_cmp(a->name, a->name_len, "face") == 0 ||
			    span_cmp(a->name, a->name_len, "size") == 0)
				return true;
		}
		return false;
	default:
		return false;
	}
}

static int breakout(struct html_tree *tb, struct html_token *t)
{
	for (;;) {
		struct node *c = cur_node(tb);

		if (c == NULL || c->ns == HTML_NS_HTML ||
		    (c->cat & (C_TEXT_IP | C_HTML_IP)))
			break;
		tb_pop(tb);
	}
	return tb_run(tb, t);
}

/* 13.2.6.5 The rules for parsing tokens in foreign content. */
int tb_foreign(struct html_tree *tb, struct html_token *t)
{
	int top, m;

	switch (t->type) {
	case HTML_TOKEN_COMMENT:
		tb_insert_comment(tb, t, NULL);
		return R_DONE;
	case HTML_TOKEN_DOCTYPE:
		return R_DONE;
	case HTML_TOKEN_START_TAG: {
		struct node *acn = adjusted_cur(tb);

		if (is_breakout(t))
			return breakout(tb, t);
		tb_insert_foreign(tb, t, acn ? acn->ns : HTML_NS_SVG);
		return R_DONE;
	}
	case HTML_TOKEN_END_TAG:
		if (t->tag == HTML_TAG_BR || t->tag == HTML_TAG_P)
			return breakout(tb, t);
		/* the walk checks the current node, then goes down through
		 * foreign elements only: the first HTML element hands the
		 * token to the insertion mode */
		top = (int)tb->nstack - 1;
		if (top <= 0)
			return R_DONE;
		if (tb_same_name(tb->stack[top], t)) {
			tb_pop_until_node(tb, tb->stack[top]);
			return R_DONE;
		}
		m = tb_topmost_named(tb, false, t);
		if (m >= 0 && m > tb_nearest(tb, K_HTML, top - 1)) {
			tb_pop_until_node(tb, tb->stack[m]);
			return R_DONE;
		}
		return tb_run(tb, t);
	default:
		return R_DONE;
	}
}
