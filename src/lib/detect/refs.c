#include "refs.h"

#include <string.h>

#include "css/css.h"
#include "url/srcset.h"
#include "util/alloc.h"
#include "util/str.h"

/* What each element passes down to its children. */
struct elinfo {
	struct css_element ce;
	unsigned hide_sub; /* CSS_HIDE_* bits that hide its descendants */
	unsigned hide;     /* ... that hide it (its own and its ancestors') */
	int width, height; /* CSS px, -1 unknown */
	uint8_t visibility;
	struct css_length font_size, line_height;
	bool is_element;
};

struct walk {
	const struct html_dom *dom;
	const char *doc;
	size_t doclen;
	const struct bs_limits *lim;
	struct bs_problems *pr;
	struct ref_list *out;
	struct elinfo *info;
	struct css_index *idx;
	struct css_budget budget;
	struct css_options copt;
	const struct refs_options *opt;
	struct css_sheet **sheets;
	size_t nsheets, capsheets;
	uint32_t order;
	bool full;
};

static bool is_html(const struct dom_node *n, enum html_tag t)
{
	return n->type == DOM_ELEMENT && n->ns == HTML_NS_HTML && n->tag == t;
}

/* Does the raw document hold exactly the decoded value at its span? Then
 * offsets inside the value are document offsets too. */
static bool value_exact(const struct walk *w, const struct html_attr *a)
{
	size_t n = (size_t)(a->value_span.end - a->value_span.start);

	return n == a->value_len && a->value_span.end <= w->doclen &&
	       memcmp(w->doc + a->value_span.start, a->value, n) == 0;
}

static int add_ref(struct walk *w, const char *vector, unsigned flags,
                   uint32_t node, uint32_t attr, const char *raw, size_t len,
                   struct html_span url_span, struct html_span whole)
{
	struct ref_list *l = w->out;
	struct bs_url *u = NULL;
	struct ref *r;
	int rc;

	if (w->full)
		return 0;
	rc = bs_url_resolve_mail(&u, raw, len, l->base, w->lim, w->pr);
	if (rc == BS_ENOMEM)
		return rc;
	if (rc || !bs_url_is_remote(u)) {
		bs_url_free(&u);
		return 0;
	}
	if (l->n >= w->lim->references) {
		bs_problems_add(w->pr, "limit", "references");
		w->full = true;
		bs_url_free(&u);
		return 0;
	}
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 32;
		struct ref *nv = bs_realloc(l->v, nc * sizeof(*nv));
		if (nv == NULL) {
			bs_url_free(&u);
			return BS_ENOMEM;
		}
		l->v = nv;
		l->cap = nc;
	}
	r = &l->v[l->n];
	memset(r, 0, sizeof(*r));
	r->raw = bs_strndup(raw, len);
	if (r->raw == NULL) {
		bs_url_free(&u);
		return BS_ENOMEM;
	}
	r->raw_len = len;
	r->url = u;
	r->vector = vector;
	r->flags = flags;
	r->node = node;
	r->attr = attr;
	r->order = w->order++;
	r->url_span = url_span;
	r->whole_span = whole;
	r->width = r->height = -1;
	l->n++;
	return 0;
}

static uint32_t attr_index(const struct dom_node *n, const char *name,
                           enum html_attr_ns ns)
{
	size_t l = strlen(name);
	uint32_t i;

	for (i = 0; i < n->nattrs; i++)
		if (n->attrs[i].ns == ns && n->attrs[i].name_len == l &&
		    memcmp(n->attrs[i].name, name, l) == 0)
			return i;
	return UINT32_MAX;
}

/* A reference held by a whole attribute value. */
static int attr_ref(struct walk *w, uint32_t e, uint32_t ai, const char *vector,
                    unsigned flags)
{
	const struct dom_node *n = html_dom_node(w->dom, e);
	const struct html_attr *a;
	struct html_span sp;
	const char *v;
	size_t len;

	if (ai == UINT32_MAX)
		return 0;
	a = &n->attrs[ai];
	v = a->value;
	len = a->value_len;
	/* Clients trim the value; so do spans, when they are exact. */
	sp = a->value_span;
	if (value_exact(w, a)) {
		flags |= REF_SPAN_EXACT;
		while (len && (*v == ' ' || *v == '\t' || *v == '\n' ||
		               *v == '\r' || *v == '\f')) {
			v++;
			len--;
			sp.start++;
		}
		while (len && (v[len - 1] == ' ' || v[len - 1] == '\t' ||
		               v[len - 1] == '\n' || v[len - 1] == '\r' ||
		               v[len - 1] == '\f')) {
			len--;
			sp.end--;
		}
	}
	if (len == 0)
		return 0;
	return add_ref(w, vector, flags, e, ai, v, len, sp, a->value_span);
}

static int srcset_refs(struct walk *w, uint32_t e, uint32_t ai,
                       const char *vector, unsigned flags)
{
	const struct dom_node *n = html_dom_node(w->dom, e);
	struct bs_srcset_candidate *c = NULL;
	const struct html_attr *a;
	size_t count = 0, i;
	bool exact;
	int rc;

	if (ai == UINT32_MAX)
		return 0;
	a = &n->attrs[ai];
	rc = bs_srcset_parse(&c, &count, a->value, a->value_len, w->lim, w->pr);
	if (rc)
		return rc;
	exact = value_exact(w, a);
	for (i = 0; i < count && rc == 0; i++) {
		struct html_span sp = a->value_span;
		if (exact) {
			sp.start = a->value_span.start + c[i].url_off;
			sp.end = sp.start + c[i].url_len;
		}
		rc = add_ref(w, vector,
		             flags | REF_SRCSET | (exact ? REF_SPAN_EXACT : 0),
		             e, ai, a->value + c[i].url_off, c[i].url_len, sp,
		             sp);
	}
	bs_srcset_free(&c);
	return rc;
}

/* The URLs of a parsed sheet (a style attribute or a <style> block). */
static int css_refs(struct walk *w, const struct css_sheet *s, uint32_t e,
                    uint32_t ai, unsigned flags, bool doc_offsets,
                    struct html_span value_span)
{
	const struct css_url *u;
	size_t n, i;
	int rc = 0;

	u = css_sheet_urls(s, &n);
	for (i = 0; i < n && rc == 0; i++) {
		struct html_span sp = value_span, whole = value_span;
		unsigned f = flags | REF_CSS;
		const char *vector = (flags & REF_STYLE_BLOCK)
		                         ? "css.style-block"
		                         : "css.style-attr";

		if (u[i].flags & (CSS_URL_NOFETCH | CSS_URL_STRAY))
			continue;
		if (u[i].flags & CSS_URL_IMPORT) {
			f |= REF_IMPORT;
			vector = "css.import";
		} else if (u[i].flags & CSS_URL_FONT_FACE) {
			f |= REF_FONT;
			vector = "css.font-face";
		}
		if (doc_offsets) {
			sp.start = u[i].url_span.start;
			sp.end = u[i].url_span.end;
			whole.start = u[i].whole_span.start;
			whole.end = u[i].whole_span.end;
			if (sp.end - sp.start == u[i].url_len &&
			    sp.end <= w->doclen &&
			    memcmp(w->doc + sp.start, u[i].url, u[i].url_len) ==
			        0)
				f |= REF_SPAN_EXACT;
		}
		rc = add_ref(w, vector, f, e, ai, u[i].url, u[i].url_len, sp,
		             whole);
	}
	return rc;
}

static bool attr_cb(const struct css_element *el, const char *name,
                    size_t name_len, const char **value, size_t *value_len)
{
	const struct dom_node *n = el->user;
	uint32_t i;

	for (i = 0; i < n->nattrs; i++)
		if (n->attrs[i].ns == HTML_ATTR_NS_NONE &&
		    n->attrs[i].name_len == name_len &&
		    bs_span_ieq(n->attrs[i].name, name_len, "") == false &&
		    memcmp(n->attrs[i].name, name, name_len) == 0) {
			*value = n->attrs[i].value;
			*value_len = n->attrs[i].value_len;
			return true;
		}
	return false;
}

/* Pixels from an HTML length attribute ("1", "1px", " 0 "); -1 for
 * percentages and anything else. */
static int attr_px(const struct dom_node *n, const char *name)
{
	const struct html_attr *a = dom_attr(n, name);
	const char *s;
	size_t len, d;
	uint64_t v;

	if (a == NULL)
		return -1;
	s = a->value;
	len = a->value_len;
	while (len && (*s == ' ' || *s == '\t' || *s == '\n')) {
		s++;
		len--;
	}
	d = bs_parse_uint(s, len, 100000, &v);
	if (d == 0)
		return -1;
	s += d;
	len -= d;
	if (len && *s == '.') { /* "1.0" */
		s++;
		len--;
		while (len && bs_is_ascii_digit((unsigned char)*s)) {
			s++;
			len--;
		}
	}
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	if (len == 0 || bs_span_ieq(s, len, "px"))
		return (int)v;
	return -1;
}

static int css_px(const struct css_length *l)
{
	double px;

	if (!css_length_px(l, 16.0, &px) || px < 0)
		return -1;
	return px > 100000 ? 100000 : (int)(px + 0.5);
}

static int collect_sheet(struct walk *w, uint32_t e)
{
	const struct dom_node *n = html_dom_node(w->dom, e), *c;
	const struct html_attr *media;
	struct css_sheet *s = NULL;
	uint64_t start = 0, end = 0;
	uint32_t i;
	int rc;

	for (i = n->first_child; i != DOM_NONE; i = c->next) {
		c = html_dom_node(w->dom, i);
		if (c->type != DOM_TEXT)
			continue;
		if (end == 0)
			start = c->span.start;
		end = c->span.end;
	}
	if (end <= start || end > w->doclen)
		return 0;
	if (w->opt->urls_only &&
	    !css_may_hold_url(w->doc + start, (size_t)(end - start)))
		return 0; /* nothing to list, and no cascade is wanted */
	rc = css_sheet_parse(&s, w->doc + start, (size_t)(end - start), start,
	                     &w->copt);
	if (rc)
		return rc;
	if (w->nsheets == w->capsheets) {
		size_t nc = w->capsheets ? w->capsheets * 2 : 8;
		struct css_sheet **ns = bs_realloc(w->sheets, nc * sizeof(*ns));
		if (ns == NULL) {
			css_sheet_free(&s);
			return BS_ENOMEM;
		}
		w->sheets = ns;
		w->capsheets = nc;
	}
	w->sheets[w->nsheets++] = s;
	rc = css_refs(
	    w, s, e, UINT32_MAX,
	    REF_STYLE_BLOCK |
	        ((n->flags & HTML_EL_OUTLOOK_ONLY) ? REF_OUTLOOK_ONLY : 0),
	    true, n->span);
	if (rc)
		return rc;
	/* Only Outlook applies Outlook-only CSS, and a print style sheet
	 * does not change what is on screen. */
	media = dom_attr(n, "media");
	if (w->opt->urls_only || (n->flags & HTML_EL_OUTLOOK_ONLY) ||
	    (media && media->value_len &&
	     !css_media_matches(media->value, media->value_len, NULL)))
		return 0;
	return css_index_add(w->idx, s);
}

/* Pre-order successor of i, not descending into i when skip_children. */
static uint32_t next_node(const struct html_dom *d, uint32_t i,
                          bool skip_children)
{
	const struct dom_node *n = html_dom_node(d, i);

	if (!skip_children && n->first_child != DOM_NONE)
		return n->first_child;
	while (i != DOM_NONE) {
		n = html_dom_node(d, i);
		if (n->next != DOM_NONE)
			return n->next;
		i = n->parent;
	}
	return DOM_NONE;
}

static bool rel_has(const struct html_attr *rel, const char *word)
{
	const char *s = rel->value;
	size_t n = rel->value_len, i = 0, j;

	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
		                 s[i] == '\f' || s[i] == '\r'))
			i++;
		for (j = i;
		     j < n && !(s[j] == ' ' || s[j] == '\t' || s[j] == '\n' ||
		                s[j] == '\f' || s[j] == '\r');
		     j++)
			;
		if (j > i && bs_span_ieq(s + i, j - i, word))
			return true;
		i = j;
	}
	return false;
}

static int link_refs(struct walk *w, uint32_t e, unsigned flags)
{
	static const struct {
		const char *rel, *vector;
	} rels[] = {
	    {"stylesheet", "link.stylesheet"},
	    {"icon", "link.icon"},
	    {"apple-touch-icon", "link.icon"},
	    {"apple-touch-icon-precomposed", "link.icon"},
	    {"mask-icon", "link.icon"},
	    {"preload", "link.preload"},
	    {"modulepreload", "link.preload"},
	    {"prefetch", "link.prefetch"},
	    {"prerender", "link.prerender"},
	    {"preconnect", "link.preconnect"},
	    {"dns-prefetch", "link.dns-prefetch"},
	};
	const struct dom_node *n = html_dom_node(w->dom, e);
	const struct html_attr *rel = dom_attr(n, "rel");
	size_t i;

	if (rel == NULL)
		return 0;
	for (i = 0; i < sizeof(rels) / sizeof(rels[0]); i++)
		if (rel_has(rel, rels[i].rel))
			return attr_ref(w, e, attr_index(n, "href", 0),
			                rels[i].vector, flags);
	return 0;
}

static int meta_refresh(struct walk *w, uint32_t e, unsigned flags)
{
	const struct dom_node *n = html_dom_node(w->dom, e);
	const struct html_attr *he = dom_attr(n, "http-equiv");
	uint32_t ai = attr_index(n, "content", 0);
	const struct html_attr *c;
	const char *s, *u;
	size_t len;
	struct html_span sp;

	if (he == NULL || !bs_span_ieq(he->value, he->value_len, "refresh") ||
	    ai == UINT32_MAX)
		return 0;
	c = &n->attrs[ai];
	s = c->value;
	len = c->value_len;
	u = bs_span_ifind(s, len, "url", 3);
	if (u == NULL)
		return 0;
	u += 3;
	while (u < s + len && (*u == ' ' || *u == '='))
		u++;
	if (u < s + len && (*u == '\'' || *u == '"'))
		u++;
	len = (size_t)(s + len - u);
	while (len &&
	       (u[len - 1] == '\'' || u[len - 1] == '"' || u[len - 1] == ' '))
		len--;
	sp = c->value_span;
	return add_ref(w, "meta.refresh", flags, e, ai, u, len, sp, sp);
}

/* The references an element carries itself (not its CSS). */
static int element_refs(struct walk *w, uint32_t e, unsigned flags)
{
	const struct dom_node *n = html_dom_node(w->dom, e);
	const struct html_attr *a;
	int rc = 0;

	if (n->ns == HTML_NS_SVG) {
		uint32_t ai = attr_index(n, "href", HTML_ATTR_NS_NONE);
		if (ai == UINT32_MAX)
			ai = attr_index(n, "href", HTML_ATTR_NS_XLINK);
		switch (n->tag) {
		case HTML_TAG_IMAGE:
			return attr_ref(w, e, ai, "svg.image",
			                flags | REF_IMAGE);
		case HTML_TAG_FEIMAGE:
			return attr_ref(w, e, ai, "svg.feimage", flags);
		case HTML_TAG_USE:
			return attr_ref(w, e, ai, "svg.use", flags);
		case HTML_TAG_A:
			return attr_ref(w, e, ai, "svg.a", flags | REF_LINK);
		default:
			return 0;
		}
	}
	if (n->ns != HTML_NS_HTML)
		return 0;
	switch (n->tag) {
	case HTML_TAG_IMG:
		a = dom_attr(n, "alt");
		rc = attr_ref(w, e, attr_index(n, "src", 0), "img.src",
		              flags | REF_IMAGE);
		if (rc == 0)
			rc = srcset_refs(w, e, attr_index(n, "srcset", 0),
			                 "img.srcset", flags | REF_IMAGE);
		(void)a;
		break;
	case HTML_TAG_SOURCE:
		rc = srcset_refs(w, e, attr_index(n, "srcset", 0),
		                 "source.srcset", flags | REF_IMAGE);
		if (rc == 0)
			rc = attr_ref(w, e, attr_index(n, "src", 0),
			              "source.src", flags);
		break;
	case HTML_TAG_INPUT:
		a = dom_attr(n, "type");
		if (a && bs_span_ieq(a->value, a->value_len, "image"))
			rc = attr_ref(w, e, attr_index(n, "src", 0),
			              "input.image", flags | REF_IMAGE);
		break;
	case HTML_TAG_VIDEO:
		rc = attr_ref(w, e, attr_index(n, "poster", 0), "video.poster",
		              flags | REF_IMAGE);
		if (rc == 0)
			rc = attr_ref(w, e, attr_index(n, "src", 0),
			              "video.src", flags);
		break;
	case HTML_TAG_AUDIO:
		rc =
		    attr_ref(w, e, attr_index(n, "src", 0), "audio.src", flags);
		break;
	case HTML_TAG_LINK:
		rc = link_refs(w, e, flags);
		break;
	case HTML_TAG_OBJECT:
		rc = attr_ref(w, e, attr_index(n, "data", 0), "object.data",
		              flags);
		break;
	case HTML_TAG_EMBED:
		rc =
		    attr_ref(w, e, attr_index(n, "src", 0), "embed.src", flags);
		break;
	case HTML_TAG_IFRAME:
		rc = attr_ref(w, e, attr_index(n, "src", 0), "iframe.src",
		              flags);
		break;
	case HTML_TAG_FRAME:
		rc =
		    attr_ref(w, e, attr_index(n, "src", 0), "frame.src", flags);
		break;
	case HTML_TAG_META:
		rc = meta_refresh(w, e, flags);
		break;
	case HTML_TAG_A:
		rc = attr_ref(w, e, attr_index(n, "href", 0), "a.href",
		              flags | REF_LINK);
		break;
	case HTML_TAG_AREA:
		rc = attr_ref(w, e, attr_index(n, "href", 0), "area.href",
		              flags | REF_LINK);
		break;
	default:
		break;
	}
	if (rc == 0 && dom_attr(n, "background"))
		rc = attr_ref(w, e, attr_index(n, "background", 0),
		              "attr.background", flags);
	return rc;
}

static int srcdoc_refs(struct walk *w, uint32_t e, unsigned hide,
                       unsigned flags);

/* Size, visibility and references of one element. */
static int visit(struct walk *w, uint32_t e)
{
	const struct dom_node *n = html_dom_node(w->dom, e);
	struct elinfo *info = &w->info[e], *pinfo = NULL;
	struct css_cascade casc;
	struct css_visual pv;
	struct css_sheet *style = NULL;
	const struct html_attr *sa, *alt;
	unsigned flags = 0, self, hide;
	uint32_t p, first = (uint32_t)w->out->n, i, ai;
	int rc, width, height;

	info->is_element = true;
	info->ce.name = n->name;
	info->ce.name_len = n->name_len;
	info->ce.user = (void *)n;
	info->ce.attr = attr_cb;
	if ((sa = dom_attr(n, "id"))) {
		info->ce.id = sa->value;
		info->ce.id_len = sa->value_len;
	}
	if ((sa = dom_attr(n, "class"))) {
		info->ce.classes = sa->value;
		info->ce.classes_len = sa->value_len;
	}
	p = n->parent;
	if (p != DOM_NONE && w->info[p].is_element) {
		pinfo = &w->info[p];
		info->ce.parent = &pinfo->ce;
	}
	for (i = n->prev; i != DOM_NONE; i = html_dom_node(w->dom, i)->prev)
		if (w->info[i].is_element) {
			info->ce.prev = &w->info[i].ce;
			break;
		}

	css_cascade_init(&casc);
	rc = w->opt->urls_only
	         ? 0
	         : css_index_match(w->idx, &info->ce, &casc, NULL, NULL);
	if (rc)
		return rc;
	ai = attr_index(n, "style", 0);
	if (ai != UINT32_MAX &&
	    (!w->opt->urls_only ||
	     css_may_hold_url(n->attrs[ai].value, n->attrs[ai].value_len))) {
		const struct html_attr *st = &n->attrs[ai];
		bool exact = value_exact(w, st);
		rc =
		    css_style_parse(&style, st->value, st->value_len,
		                    exact ? st->value_span.start : 0, &w->copt);
		if (rc)
			return rc;
		css_cascade_style(&casc, style);
	}
	if (pinfo) {
		memset(&pv, 0, sizeof(pv));
		pv.opacity = pv.filter_opacity = 1.0;
		pv.visibility = pinfo->visibility;
		pv.font_size = pinfo->font_size;
		pv.line_height = pinfo->line_height;
		css_visual_inherit(&casc.v, &pv);
	}
	info->visibility = casc.v.visibility;
	info->font_size = casc.v.font_size;
	info->line_height = casc.v.line_height;
	self = css_visual_hides_self(&casc.v);
	if (dom_attr(n, "hidden"))
		self |= CSS_HIDE_DISPLAY;
	info->hide_sub =
	    css_visual_hides_subtree(&casc.v) | (pinfo ? pinfo->hide_sub : 0);
	if (dom_attr(n, "hidden"))
		info->hide_sub |= CSS_HIDE_DISPLAY;

	width = css_px(&casc.v.width);
	height = css_px(&casc.v.height);
	if (width < 0)
		width = attr_px(n, "width");
	if (height < 0)
		height = attr_px(n, "height");
	if (width == 0 || height == 0)
		self |= width == 0 ? CSS_HIDE_WIDTH : CSS_HIDE_HEIGHT;
	/* What a <source> or an SVG resource fetches is shown by another
	 * element: a video or audio parent, the nearest <svg>. */
	if (width < 0 && height < 0 && pinfo &&
	    (is_html(n, HTML_TAG_SOURCE) || n->ns == HTML_NS_SVG)) {
		const struct elinfo *up = pinfo;
		const struct dom_node *un = html_dom_node(w->dom, p);
		while (n->ns == HTML_NS_SVG && up && up->width < 0 &&
		       up->height < 0 && un->parent != DOM_NONE &&
		       w->info[un->parent].is_element) {
			up = &w->info[un->parent];
			un = html_dom_node(w->dom, un->parent);
		}
		if (!is_html(un, HTML_TAG_PICTURE)) {
			width = up->width;
			height = up->height;
		}
	}
	info->width = width;
	info->height = height;

	if (n->flags & HTML_EL_OUTLOOK_ONLY)
		flags |= REF_OUTLOOK_ONLY;
	if (n->flags & HTML_EL_CONDITIONAL)
		flags |= REF_CONDITIONAL;
	if (is_html(n, HTML_TAG_STYLE) ||
	    (n->ns == HTML_NS_SVG &&
	     bs_span_ieq(n->name, n->name_len, "style")))
		goto out; /* its sheet was read before the walk */
	rc = element_refs(w, e, flags);
	if (rc == 0 && style)
		rc = css_refs(w, style, e, ai, flags,
		              value_exact(w, &n->attrs[ai]),
		              n->attrs[ai].value_span);
	if (rc)
		goto out;

	hide = self | (pinfo ? pinfo->hide_sub : 0);
	info->hide = hide;
	alt = dom_attr(n, "alt");
	for (i = first; i < w->out->n; i++) {
		struct ref *r = &w->out->v[i];
		r->hide = hide;
		r->width = width;
		r->height = height;
		if (self &
		    ~(unsigned)(CSS_HIDE_FONT_SIZE | CSS_HIDE_LINE_HEIGHT))
			r->flags |= REF_HIDDEN;
		if (pinfo && pinfo->hide_sub)
			r->flags |= REF_HIDDEN_ANCESTOR;
		if (hide & (CSS_HIDE_OFFSCREEN | CSS_HIDE_TEXT_INDENT))
			r->flags |= REF_OFFSCREEN;
		if (alt && alt->value_len) {
			r->alt = alt->value;
			r->flags |= REF_HAS_ALT;
		}
		if ((r->flags & REF_IMAGE) &&
		    !(r->flags & (REF_HIDDEN | REF_HIDDEN_ANCESTOR)))
			w->out->images++;
	}
	if (is_html(n, HTML_TAG_IFRAME))
		rc = srcdoc_refs(w, e, hide, flags);
out:
	css_sheet_free(&style);
	return rc;
}

/*
 * A <picture> shows its <source> candidates through its <img>, which comes
 * after them: once the walk is done, give each source's references the
 * img's size and visibility.
 */
static void picture_sources(struct walk *w, size_t first)
{
	size_t i;

	for (i = first; i < w->out->n; i++) {
		struct ref *r = &w->out->v[i];
		const struct dom_node *n, *pic, *c;
		uint32_t k;

		if (r->node == DOM_NONE || (r->flags & REF_NESTED))
			continue;
		n = html_dom_node(w->dom, r->node);
		if (!is_html(n, HTML_TAG_SOURCE) || n->parent == DOM_NONE)
			continue;
		pic = html_dom_node(w->dom, n->parent);
		if (!is_html(pic, HTML_TAG_PICTURE))
			continue;
		for (k = pic->first_child; k != DOM_NONE; k = c->next) {
			c = html_dom_node(w->dom, k);
			if (!is_html(c, HTML_TAG_IMG) || !w->info[k].is_element)
				continue;
			if (r->width < 0 && r->height < 0) {
				r->width = w->info[k].width;
				r->height = w->info[k].height;
			}
			r->hide |= w->info[k].hide;
			if (w->info[k].hide & ~(unsigned)(CSS_HIDE_FONT_SIZE |
			                                  CSS_HIDE_LINE_HEIGHT))
				r->flags |= REF_HIDDEN;
			break;
		}
	}
}

/*
 * An iframe's srcdoc is a whole document that a client fetches the
 * resources of. Its references are listed with the iframe's srcdoc as
 * their attribute (a rewrite can only drop that attribute as a whole) and
 * the iframe's hiding added. Nesting is bounded by html_cond_depth.
 */
static int srcdoc_refs(struct walk *w, uint32_t e, unsigned hide,
                       unsigned flags)
{
	const struct dom_node *n = html_dom_node(w->dom, e);
	uint32_t ai = attr_index(n, "srcdoc", 0);
	const struct html_attr *a;
	struct html_parser_options po;
	struct refs_options ro;
	struct html_dom *dom = NULL;
	struct bs_url *outer_base;
	size_t first, i;
	int rc;

	if (ai == UINT32_MAX)
		return 0;
	a = &n->attrs[ai];
	if (w->opt->depth + 1 >= w->lim->html_cond_depth) {
		bs_problems_add(w->pr, "limit", "html-cond-depth");
		return 0;
	}
	memset(&po, 0, sizeof(po));
	po.limits = w->lim;
	po.problems = w->pr;
	po.conditional_comments = true;
	rc = html_dom_parse(&dom, &po, a->value, a->value_len);
	if (rc)
		return rc;
	ro = *w->opt;
	ro.depth = w->opt->depth + 1;
	outer_base = w->out->base;
	ro.parent_base = outer_base;
	w->out->base = NULL;
	first = w->out->n;
	rc = refs_extract(w->out, dom, a->value, a->value_len, &ro);
	bs_url_free(&w->out->base);
	w->out->base = outer_base;
	for (i = first; i < w->out->n; i++) {
		struct ref *r = &w->out->v[i];
		r->node = e;
		r->attr = ai;
		r->url_span = r->whole_span = a->value_span;
		r->flags = (r->flags & ~(unsigned)REF_SPAN_EXACT) | REF_NESTED |
		           (flags & (REF_OUTLOOK_ONLY | REF_CONDITIONAL));
		r->alt = NULL; /* it pointed into the srcdoc's tree */
		r->hide |= hide;
		if (hide)
			r->flags |= REF_HIDDEN_ANCESTOR;
	}
	html_dom_free(&dom);
	return rc;
}

static int find_base(struct walk *w)
{
	uint32_t i;

	for (i = html_dom_node(w->dom, 0)->first_child; i != DOM_NONE;
	     i = next_node(w->dom, i, false)) {
		const struct dom_node *n = html_dom_node(w->dom, i);
		const struct html_attr *h;
		int rc;

		if (!is_html(n, HTML_TAG_BASE) || !(h = dom_attr(n, "href")))
			continue;
		rc = bs_url_resolve_mail(&w->out->base, h->value, h->value_len,
		                         w->opt->parent_base, w->lim, w->pr);
		return rc == BS_ENOMEM ? rc : 0;
	}
	if (w->opt->parent_base) {
		w->out->base = bs_url_dup(w->opt->parent_base);
		return w->out->base ? 0 : BS_ENOMEM;
	}
	return 0;
}

int refs_extract(struct ref_list *out, const struct html_dom *dom,
                 const char *doc, size_t doclen, const struct refs_options *o)
{
	struct walk w;
	struct css_index_options io;
	uint32_t i;
	size_t k, first;
	int rc;

	memset(&w, 0, sizeof(w));
	w.dom = dom;
	w.doc = doc;
	w.doclen = doclen;
	w.lim = o->limits;
	w.pr = o->problems;
	w.opt = o;
	w.out = out;
	w.order = (uint32_t)out->n;
	w.copt.limits = o->limits;
	w.copt.problems = o->problems;
	w.copt.budget = &w.budget;
	w.copt.urls_only = o->urls_only;
	memset(&io, 0, sizeof(io));
	io.limits = o->limits;
	io.problems = o->problems;
	io.budget = &w.budget;
	io.quirks = html_dom_quirks(dom) == HTML_QUIRKS;

	bs_url_free(&out->base);
	w.info = bs_calloc(html_dom_count(dom), sizeof(*w.info));
	rc = w.info ? css_index_new(&w.idx, &io) : BS_ENOMEM;
	if (rc == 0)
		rc = find_base(&w);
	/* Every sheet first: a <style> in the body applies to what precedes
	 * it too. */
	for (i = html_dom_node(dom, 0)->first_child; rc == 0 && i != DOM_NONE;
	     i = next_node(dom, i, false)) {
		const struct dom_node *n = html_dom_node(dom, i);
		if (n->type == DOM_ELEMENT &&
		    (is_html(n, HTML_TAG_STYLE) ||
		     (n->ns == HTML_NS_SVG &&
		      bs_span_ieq(n->name, n->name_len, "style"))))
			rc = collect_sheet(&w, i);
	}
	first = out->n;
	for (i = html_dom_node(dom, 0)->first_child; rc == 0 && i != DOM_NONE;
	     i = next_node(dom, i, false))
		if (html_dom_node(dom, i)->type == DOM_ELEMENT)
			rc = visit(&w, i);
	if (rc == 0)
		picture_sources(&w, first);
	css_index_free(&w.idx);
	for (k = 0; k < w.nsheets; k++)
		css_sheet_free(&w.sheets[k]);
	bs_free(w.sheets);
	bs_free(w.info);
	return rc;
}

void refs_release(struct ref_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		bs_free(l->v[i].raw);
		bs_url_free(&l->v[i].url);
	}
	bs_free(l->v);
	bs_url_free(&l->base);
	memset(l, 0, sizeof(*l));
}
