#include "dom.h"

#include <string.h>

#include "util/alloc.h"
#include "util/arena.h"

struct html_dom {
	struct dom_node *nodes;
	uint32_t n, cap, max;
	struct bs_arena *arena;
	enum html_quirks quirks;
	struct bs_problems *problems;
	bool full; /* a bound was hit; further creates fail */
	bool oom;  /* ... or the system is out of memory: the parse fails */
	size_t elements;
};

/* Handles are index + 1, so that no handle is NULL. */
static inline uint32_t idx(html_handle h)
{
	return (uint32_t)((uintptr_t)h - 1);
}

static inline html_handle handle(uint32_t i)
{
	return (html_handle)(uintptr_t)(i + 1);
}

static void hit_limit(struct html_dom *d)
{
	if (!d->full)
		bs_problems_add(d->problems, "limit", "html-dom");
	d->full = true;
}

/* An allocation failed: a bound keeps the tree built so far, the system
 * running out of memory fails the parse (it is not the message's doing). */
static void alloc_failed(struct html_dom *d, int why)
{
	if (why == BS_ENOMEM) {
		d->oom = true;
		d->full = true;
	} else {
		hit_limit(d);
	}
}

static uint32_t new_node(struct html_dom *d, enum dom_type t)
{
	struct dom_node *n;

	if (d->full)
		return DOM_NONE;
	if (d->n == d->max) {
		hit_limit(d);
		return DOM_NONE;
	}
	if (d->n == d->cap) {
		uint32_t nc = d->cap ? d->cap * 2 : 256;
		struct dom_node *nn;
		if (nc > d->max)
			nc = d->max;
		nn = bs_realloc(d->nodes, (size_t)nc * sizeof(*nn));
		if (nn == NULL) {
			alloc_failed(d, BS_ENOMEM);
			return DOM_NONE;
		}
		d->nodes = nn;
		d->cap = nc;
	}
	n = &d->nodes[d->n];
	memset(n, 0, sizeof(*n));
	n->parent = n->first_child = n->last_child = DOM_NONE;
	n->prev = n->next = n->contents = DOM_NONE;
	n->type = (uint8_t)t;
	return d->n++;
}

static void *arena_copy(struct html_dom *d, const void *p, size_t n)
{
	char *c = bs_arena_alloc(d->arena, n + 1);
	if (c == NULL) {
		alloc_failed(d, bs_arena_error(d->arena));
		return NULL;
	}
	if (n)
		memcpy(c, p, n);
	c[n] = '\0';
	return c;
}

static int copy_attrs(struct html_dom *d, struct html_attr **out,
                      const struct html_attr *a, size_t n)
{
	struct html_attr *c;
	size_t i;

	*out = NULL;
	if (n == 0)
		return 0;
	c = bs_arena_alloc(d->arena, n * sizeof(*c));
	if (c == NULL) {
		alloc_failed(d, bs_arena_error(d->arena));
		return -1;
	}
	for (i = 0; i < n; i++) {
		c[i] = a[i];
		c[i].name = arena_copy(d, a[i].name, a[i].name_len);
		c[i].value = arena_copy(d, a[i].value, a[i].value_len);
		if (c[i].name == NULL || c[i].value == NULL)
			return -1;
	}
	*out = c;
	return 0;
}

static html_handle s_document(void *ctx)
{
	(void)ctx;
	return handle(0);
}

static html_handle s_create_element(void *ctx, const struct html_element *el)
{
	struct html_dom *d = ctx;
	uint32_t i = new_node(d, DOM_ELEMENT);
	struct dom_node *n;
	struct html_attr *attrs;

	if (i == DOM_NONE)
		return NULL;
	d->elements++;
	if (copy_attrs(d, &attrs, el->attrs, el->nattrs))
		return NULL;
	n = &d->nodes[i];
	n->ns = (uint8_t)el->ns;
	n->tag = (uint16_t)el->tag;
	n->flags = el->flags;
	n->depth = el->depth;
	n->span = el->span;
	n->attrs = attrs;
	n->nattrs = (uint32_t)el->nattrs;
	n->name = arena_copy(d, el->name, el->name_len);
	n->name_len = el->name_len;
	return n->name ? handle(i) : NULL;
}

static html_handle s_create_comment(void *ctx, const char *data, size_t len,
                                    struct html_span span)
{
	struct html_dom *d = ctx;
	uint32_t i = new_node(d, DOM_COMMENT);

	(void)data;
	(void)len;
	if (i == DOM_NONE)
		return NULL;
	/* Comment text is not needed by any consumer; its span is. */
	d->nodes[i].span = span;
	d->nodes[i].name = "";
	return handle(i);
}

static void detach(struct html_dom *d, uint32_t c)
{
	struct dom_node *n = &d->nodes[c];

	if (n->parent == DOM_NONE)
		return;
	if (n->prev != DOM_NONE)
		d->nodes[n->prev].next = n->next;
	else
		d->nodes[n->parent].first_child = n->next;
	if (n->next != DOM_NONE)
		d->nodes[n->next].prev = n->prev;
	else
		d->nodes[n->parent].last_child = n->prev;
	n->parent = n->prev = n->next = DOM_NONE;
}

static void link_last(struct html_dom *d, uint32_t p, uint32_t c)
{
	struct dom_node *pn = &d->nodes[p], *cn = &d->nodes[c];

	cn->parent = p;
	cn->prev = pn->last_child;
	cn->next = DOM_NONE;
	if (pn->last_child != DOM_NONE)
		d->nodes[pn->last_child].next = c;
	else
		pn->first_child = c;
	pn->last_child = c;
}

static void link_before(struct html_dom *d, uint32_t sib, uint32_t c)
{
	struct dom_node *sn = &d->nodes[sib], *cn = &d->nodes[c];

	cn->parent = sn->parent;
	cn->next = sib;
	cn->prev = sn->prev;
	if (sn->prev != DOM_NONE)
		d->nodes[sn->prev].next = c;
	else
		d->nodes[sn->parent].first_child = c;
	sn->prev = c;
}

static void s_append(void *ctx, html_handle parent, html_handle child)
{
	struct html_dom *d = ctx;

	detach(d, idx(child));
	link_last(d, idx(parent), idx(child));
}

static void s_insert_before(void *ctx, html_handle sibling, html_handle child)
{
	struct html_dom *d = ctx;

	if (d->nodes[idx(sibling)].parent == DOM_NONE)
		return;
	detach(d, idx(child));
	link_before(d, idx(sibling), idx(child));
}

/*
 * Append text to node t when its data is the last thing in the arena's
 * current chunk; otherwise the caller makes a new node.
 */
static bool merge_text(struct html_dom *d, uint32_t t, const char *data,
                       size_t len, struct html_span span)
{
	struct dom_node *n = &d->nodes[t];
	char *c;

	if (n->type != DOM_TEXT)
		return false;
	c = bs_arena_alloc(d->arena, n->name_len + len + 1);
	if (c == NULL) {
		alloc_failed(d, bs_arena_error(d->arena));
		return true; /* drop the text, keep going */
	}
	memcpy(c, n->name, n->name_len);
	memcpy(c + n->name_len, data, len);
	c[n->name_len + len] = '\0';
	n->name = c;
	n->name_len += len;
	if (span.end > n->span.end)
		n->span.end = span.end;
	return true;
}

static uint32_t text_node(struct html_dom *d, const char *data, size_t len,
                          struct html_span span)
{
	uint32_t i = new_node(d, DOM_TEXT);

	if (i == DOM_NONE)
		return DOM_NONE;
	d->nodes[i].name = arena_copy(d, data, len);
	if (d->nodes[i].name == NULL) {
		d->n--;
		return DOM_NONE;
	}
	d->nodes[i].name_len = len;
	d->nodes[i].span = span;
	return i;
}

/* Long texts merged piece by piece would copy quadratically: merge only
 * while the node is small, then start a new adjacent node. */
#define MERGE_MAX 4096

static void s_append_text(void *ctx, html_handle parent, const char *data,
                          size_t len, struct html_span span)
{
	struct html_dom *d = ctx;
	uint32_t p = idx(parent), last = d->nodes[p].last_child, t;

	if (last != DOM_NONE && d->nodes[last].type == DOM_TEXT &&
	    d->nodes[last].name_len < MERGE_MAX &&
	    merge_text(d, last, data, len, span))
		return;
	t = text_node(d, data, len, span);
	if (t != DOM_NONE)
		link_last(d, p, t);
}

static void s_insert_text_before(void *ctx, html_handle sibling,
                                 const char *data, size_t len,
                                 struct html_span span)
{
	struct html_dom *d = ctx;
	uint32_t s = idx(sibling), prev = d->nodes[s].prev, t;

	if (d->nodes[s].parent == DOM_NONE)
		return;
	if (prev != DOM_NONE && d->nodes[prev].type == DOM_TEXT &&
	    d->nodes[prev].name_len < MERGE_MAX &&
	    merge_text(d, prev, data, len, span))
		return;
	t = text_node(d, data, len, span);
	if (t != DOM_NONE)
		link_before(d, s, t);
}

static bool s_has_parent(void *ctx, html_handle node)
{
	struct html_dom *d = ctx;
	return d->nodes[idx(node)].parent != DOM_NONE;
}

static void s_remove_from_parent(void *ctx, html_handle node)
{
	detach(ctx, idx(node));
}

static void s_reparent_children(void *ctx, html_handle from, html_handle to)
{
	struct html_dom *d = ctx;
	uint32_t c;

	while ((c = d->nodes[idx(from)].first_child) != DOM_NONE) {
		detach(d, c);
		link_last(d, idx(to), c);
	}
}

static void s_add_attrs_if_missing(void *ctx, html_handle node,
                                   const struct html_attr *attrs, size_t nattrs)
{
	struct html_dom *d = ctx;
	struct dom_node *n = &d->nodes[idx(node)];
	struct html_attr *na, *add;
	size_t i, j, k = 0;

	if (nattrs == 0)
		return;
	na = bs_arena_alloc(d->arena, (n->nattrs + nattrs) * sizeof(*na));
	if (na == NULL || copy_attrs(d, &add, attrs, nattrs)) {
		alloc_failed(d, bs_arena_error(d->arena));
		return;
	}
	if (n->nattrs)
		memcpy(na, n->attrs, n->nattrs * sizeof(*na));
	for (i = 0; i < nattrs; i++) {
		for (j = 0; j < n->nattrs; j++)
			if (na[j].name_len == add[i].name_len &&
			    memcmp(na[j].name, add[i].name, add[i].name_len) ==
			        0)
				break;
		if (j == n->nattrs)
			na[n->nattrs + k++] = add[i];
	}
	n->attrs = na;
	n->nattrs += (uint32_t)k;
}

static html_handle s_template_contents(void *ctx, html_handle t)
{
	struct html_dom *d = ctx;
	uint32_t f;

	if (d->nodes[idx(t)].contents != DOM_NONE)
		return handle(d->nodes[idx(t)].contents);
	f = new_node(d, DOM_FRAGMENT);
	if (f == DOM_NONE)
		return NULL;
	d->nodes[idx(t)].contents = f;
	d->nodes[f].name = "";
	return handle(f);
}

static void s_set_quirks_mode(void *ctx, enum html_quirks mode)
{
	((struct html_dom *)ctx)->quirks = mode;
}

static void s_pop(void *ctx, html_handle node, uint64_t end)
{
	struct html_dom *d = ctx;
	d->nodes[idx(node)].end = end;
}

static const struct html_sink dom_sink = {
    .document = s_document,
    .create_element = s_create_element,
    .create_comment = s_create_comment,
    .append = s_append,
    .insert_before = s_insert_before,
    .append_text = s_append_text,
    .insert_text_before = s_insert_text_before,
    .has_parent = s_has_parent,
    .remove_from_parent = s_remove_from_parent,
    .reparent_children = s_reparent_children,
    .add_attrs_if_missing = s_add_attrs_if_missing,
    .template_contents = s_template_contents,
    .set_quirks_mode = s_set_quirks_mode,
    .pop = s_pop,
};

int html_dom_parse(struct html_dom **out, const struct html_parser_options *o,
                   const char *html, size_t len)
{
	struct html_parser_options opt = *o;
	struct html_dom *d;
	size_t max_nodes, arena_max;
	int rc, ovf = 0;

	d = *out;
	*out = NULL;
	if (d) {
		/* Reuse: keep the node array and the arena's chunk. */
		d->n = 0;
		d->full = false;
		d->oom = false;
		d->elements = 0;
		d->quirks = HTML_NO_QUIRKS;
		bs_arena_clear(d->arena);
	} else {
		d = bs_calloc(1, sizeof(*d));
		if (d == NULL)
			return BS_ENOMEM;
	}
	max_nodes = bs_add(bs_mul(o->limits->html_elements, 2, &ovf), 16, &ovf);
	d->max =
	    ovf || max_nodes > 0x7FFFFFFF ? 0x7FFFFFFF : (uint32_t)max_nodes;
	ovf = 0;
	arena_max =
	    bs_add(bs_mul(o->limits->html_bytes, 8, &ovf), 1u << 20, &ovf);
	if (d->arena == NULL)
		d->arena = bs_arena_new(ovf ? (size_t)-1 : arena_max);
	else
		bs_arena_set_max(d->arena, ovf ? (size_t)-1 : arena_max);
	d->problems = o->problems;
	if (d->arena == NULL || new_node(d, DOM_DOCUMENT) != 0) {
		html_dom_free(&d);
		return BS_ENOMEM;
	}
	d->nodes[0].name = "";
	opt.sink = &dom_sink;
	opt.sink_ctx = d;
	rc = html_parse(&opt, html, len);
	if (d->oom)
		rc = BS_ENOMEM;
	else if (rc == BS_ENOMEM && d->full)
		rc = 0; /* a bound, already reported: keep the partial tree */
	if (rc) {
		html_dom_free(&d);
		return rc;
	}
	*out = d;
	return 0;
}

void html_dom_free(struct html_dom **dp)
{
	if (dp == NULL || *dp == NULL)
		return;
	bs_free((*dp)->nodes);
	bs_arena_free(&(*dp)->arena);
	bs_free(*dp);
	*dp = NULL;
}

size_t html_dom_count(const struct html_dom *d)
{
	return d->n;
}

const struct dom_node *html_dom_node(const struct html_dom *d, uint32_t i)
{
	return i < d->n ? &d->nodes[i] : NULL;
}

size_t html_dom_elements(const struct html_dom *d)
{
	return d->elements;
}

enum html_quirks html_dom_quirks(const struct html_dom *d)
{
	return d->quirks;
}

const struct html_attr *dom_attr(const struct dom_node *n, const char *name)
{
	size_t i, l = strlen(name);

	for (i = 0; i < n->nattrs; i++)
		if (n->attrs[i].ns == HTML_ATTR_NS_NONE &&
		    n->attrs[i].name_len == l &&
		    memcmp(n->attrs[i].name, name, l) == 0)
			return &n->attrs[i];
	return NULL;
}
