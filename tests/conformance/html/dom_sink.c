/* A DOM-building test sink; see dom_sink.h. */
#include "dom_sink.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void violation(struct dom *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void violation(struct dom *d, const char *fmt, ...)
{
	va_list ap;

	if (d->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
}

static void *xcalloc(size_t n, size_t s)
{
	void *p = calloc(n ? n : 1, s ? s : 1);

	if (p == NULL) {
		fputs("out of memory\n", stderr);
		exit(2);
	}
	return p;
}

static char *xdup(const char *s, size_t n)
{
	char *p = xcalloc(n + 1, 1);

	if (n)
		memcpy(p, s, n);
	return p;
}

static struct dom_node *node_new(struct dom *d, enum dom_type type)
{
	struct dom_node *n = xcalloc(1, sizeof(*n));

	n->type = type;
	/* creation order, for dom_find */
	if (d->tail)
		d->tail->all_next = n;
	else
		d->all = n;
	d->tail = n;
	return n;
}

static void use(struct dom *d, struct dom_node *n, const char *what)
{
	if (n == NULL) {
		violation(d, "%s: NULL handle", what);
		return;
	}
	if (n->handle && n->releases)
		violation(d, "%s: handle used after release", what);
}

static void detach(struct dom_node *c)
{
	struct dom_node *p = c->parent;

	if (p == NULL)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		p->first = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		p->last = c->prev;
	c->parent = c->prev = c->next = NULL;
}

static void append_child(struct dom_node *p, struct dom_node *c)
{
	detach(c);
	c->parent = p;
	c->prev = p->last;
	if (p->last)
		p->last->next = c;
	else
		p->first = c;
	p->last = c;
}

static void insert_before(struct dom_node *sib, struct dom_node *c)
{
	struct dom_node *p = sib->parent;

	detach(c);
	c->parent = p;
	c->next = sib;
	c->prev = sib->prev;
	if (sib->prev)
		sib->prev->next = c;
	else
		p->first = c;
	sib->prev = c;
}

static void text_add(struct dom_node *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 16;

		while (cap < t->len + n + 1)
			cap *= 2;
		t->data = realloc(t->data, cap);
		if (t->data == NULL) {
			fputs("out of memory\n", stderr);
			exit(2);
		}
		t->cap = cap;
	}
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
}

static html_handle s_document(void *ctx)
{
	struct dom *d = ctx;

	d->documents++;
	if (d->documents > 1)
		violation(d, "document() called twice");
	if (d->doc == NULL)
		d->doc = node_new(d, DN_DOCUMENT);
	return d->doc;
}

static bool fail_now(struct dom *d)
{
	return d->fail_at && d->creates + 1 >= d->fail_at;
}

static html_handle s_create_element(void *ctx, const struct html_element *el)
{
	struct dom *d = ctx;
	struct dom_node *n;
	size_t i;

	if (fail_now(d))
		return NULL;
	n = node_new(d, DN_ELEMENT);
	n->ns = el->ns;
	n->tag = el->tag;
	n->name = xdup(el->name, el->name_len);
	n->flags = el->flags;
	n->depth = el->depth;
	n->span = el->span;
	n->nattrs = el->nattrs;
	n->attrs = xcalloc(el->nattrs, sizeof(*n->attrs));
	for (i = 0; i < el->nattrs; i++) {
		const struct html_attr *a = &el->attrs[i];

		n->attrs[i].name = xdup(a->name, a->name_len);
		n->attrs[i].name_len = a->name_len;
		n->attrs[i].value = xdup(a->value, a->value_len);
		n->attrs[i].value_len = a->value_len;
		n->attrs[i].ns = a->ns;
		n->attrs[i].name_span = a->name_span;
		n->attrs[i].value_span = a->value_span;
	}
	n->handle = true;
	d->creates++;
	return n;
}

static html_handle s_create_comment(void *ctx, const char *data, size_t len,
                                    struct html_span span)
{
	struct dom *d = ctx;
	struct dom_node *n;

	if (fail_now(d))
		return NULL;
	n = node_new(d, DN_COMMENT);
	text_add(n, data, len);
	n->span = span;
	n->handle = true;
	d->creates++;
	return n;
}

static void s_append_doctype(void *ctx, const struct html_token *t)
{
	struct dom *d = ctx;
	struct dom_node *n = node_new(d, DN_DOCTYPE);

	text_add(n, t->name_missing ? "" : t->name,
	         t->name_missing ? 0 : t->name_len);
	n->pub = xdup(t->public_id_missing ? "" : t->public_id,
	              t->public_id_missing ? 0 : t->public_id_len);
	n->sys = xdup(t->system_id_missing ? "" : t->system_id,
	              t->system_id_missing ? 0 : t->system_id_len);
	if (d->doc == NULL)
		violation(d, "doctype before document()");
	else
		append_child(d->doc, n);
}

static void s_append(void *ctx, html_handle parent, html_handle child)
{
	struct dom *d = ctx;

	use(d, parent, "append parent");
	use(d, child, "append child");
	if (parent && child)
		append_child(parent, child);
}

static void s_insert_before(void *ctx, html_handle sib, html_handle child)
{
	struct dom *d = ctx;
	struct dom_node *s = sib;

	use(d, sib, "insert_before sibling");
	use(d, child, "insert_before child");
	if (s && child) {
		if (s->parent == NULL)
			violation(d, "insert_before a parentless sibling");
		else
			insert_before(s, child);
	}
}

static void s_append_text(void *ctx, html_handle parent, const char *data,
                          size_t len, struct html_span span)
{
	struct dom *d = ctx;
	struct dom_node *p = parent, *t;

	(void)span;
	use(d, parent, "append_text");
	if (p == NULL)
		return;
	if (memchr(data, '\0', len))
		violation(d, "NUL in text");
	if (len == 0)
		violation(d, "empty text");
	t = p->last;
	if (t == NULL || t->type != DN_TEXT) {
		t = node_new(d, DN_TEXT);
		append_child(p, t);
	}
	text_add(t, data, len);
}

static void s_insert_text_before(void *ctx, html_handle sib, const char *data,
                                 size_t len, struct html_span span)
{
	struct dom *d = ctx;
	struct dom_node *s = sib, *t;

	(void)span;
	use(d, sib, "insert_text_before");
	if (s == NULL || s->parent == NULL) {
		violation(d, "insert_text_before a parentless sibling");
		return;
	}
	if (memchr(data, '\0', len))
		violation(d, "NUL in text");
	t = s->prev;
	if (t == NULL || t->type != DN_TEXT) {
		t = node_new(d, DN_TEXT);
		insert_before(s, t);
	}
	text_add(t, data, len);
}

static bool s_has_parent(void *ctx, html_handle node)
{
	struct dom_node *n = node;

	use(ctx, node, "has_parent");
	return n && n->parent != NULL;
}

static void s_remove_from_parent(void *ctx, html_handle node)
{
	use(ctx, node, "remove_from_parent");
	if (node)
		detach(node);
}

static void s_reparent_children(void *ctx, html_handle from, html_handle to)
{
	struct dom_node *f = from;

	use(ctx, from, "reparent from");
	use(ctx, to, "reparent to");
	while (f && f->first)
		append_child(to, f->first);
}

static void s_add_attrs_if_missing(void *ctx, html_handle node,
                                   const struct html_attr *attrs, size_t n)
{
	struct dom_node *e = node;
	size_t i, j;

	use(ctx, node, "add_attrs_if_missing");
	if (e == NULL)
		return;
	for (i = 0; i < n; i++) {
		bool have = false;

		for (j = 0; j < e->nattrs; j++)
			if (e->attrs[j].name_len == attrs[i].name_len &&
			    e->attrs[j].ns == attrs[i].ns &&
			    memcmp(e->attrs[j].name, attrs[i].name,
			           attrs[i].name_len) == 0)
				have = true;
		if (have)
			continue;
		e->attrs =
		    realloc(e->attrs, (e->nattrs + 1) * sizeof(*e->attrs));
		if (e->attrs == NULL)
			exit(2);
		memset(&e->attrs[e->nattrs], 0, sizeof(e->attrs[0]));
		e->attrs[e->nattrs].name =
		    xdup(attrs[i].name, attrs[i].name_len);
		e->attrs[e->nattrs].name_len = attrs[i].name_len;
		e->attrs[e->nattrs].value =
		    xdup(attrs[i].value, attrs[i].value_len);
		e->attrs[e->nattrs].value_len = attrs[i].value_len;
		e->attrs[e->nattrs].ns = attrs[i].ns;
		e->nattrs++;
	}
}

static html_handle s_template_contents(void *ctx, html_handle t)
{
	struct dom *d = ctx;
	struct dom_node *e = t;

	use(d, t, "template_contents");
	if (e == NULL)
		return NULL;
	if (e->contents == NULL)
		e->contents = node_new(d, DN_FRAGMENT);
	return e->contents;
}

static void s_set_quirks_mode(void *ctx, enum html_quirks mode)
{
	struct dom *d = ctx;

	d->quirks = mode;
}

static bool is_el(const struct dom_node *n, int ns, const char *name)
{
	return n && n->type == DN_ELEMENT && n->ns == ns &&
	       strcmp(n->name, name) == 0;
}

static const struct dom_node *next_in_tree(const struct dom_node *n,
                                           const struct dom_node *root)
{
	if (n->first)
		return n->first;
	while (n && n != root) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

static struct dom_node *clone_node(struct dom *d, const struct dom_node *n)
{
	struct dom_node *c = node_new(d, n->type), *k;
	size_t i;

	c->ns = n->ns;
	c->tag = n->tag;
	if (n->name)
		c->name = xdup(n->name, strlen(n->name));
	if (n->len)
		text_add(c, n->data, n->len);
	c->nattrs = n->nattrs;
	c->attrs = xcalloc(n->nattrs, sizeof(*c->attrs));
	for (i = 0; i < n->nattrs; i++) {
		c->attrs[i] = n->attrs[i];
		c->attrs[i].name = xdup(n->attrs[i].name, n->attrs[i].name_len);
		c->attrs[i].value =
		    xdup(n->attrs[i].value, n->attrs[i].value_len);
	}
	for (k = n->first; k; k = k->next)
		append_child(c, clone_node(d, k));
	return c;
}

/*
 * The DOM's "maybe clone an option into selectedcontent", which the HTML
 * standard runs when the parser pops an option: the selected option's
 * children are copied into the select's first <selectedcontent>. It is
 * DOM behaviour, so it lives here, in the sink, on pop().
 */
static void option_popped(struct dom *d, struct dom_node *opt)
{
	struct dom_node *select = opt->parent, *sc = NULL, *sel = NULL;
	const struct dom_node *n;

	while (select && !is_el(select, HTML_NS_HTML, "select"))
		select = select->parent;
	if (select == NULL)
		return;
	for (n = select->first; n; n = next_in_tree(n, select)) {
		if (sc == NULL && is_el(n, HTML_NS_HTML, "selectedcontent"))
			sc = (struct dom_node *)n;
		if (is_el(n, HTML_NS_HTML, "option")) {
			if (sel == NULL || dom_attr(n, "selected"))
				sel = (struct dom_node *)n;
		}
	}
	if (sc == NULL || sel != opt)
		return;
	while (sc->first)
		detach(sc->first);
	for (n = opt->first; n; n = n->next)
		append_child(sc, clone_node(d, n));
}

static void s_pop(void *ctx, html_handle node, uint64_t end)
{
	struct dom *d = ctx;
	struct dom_node *n = node;

	use(d, node, "pop");
	if (n == NULL)
		return;
	if (n->type != DN_ELEMENT)
		violation(d, "pop of a non-element");
	n->pops++;
	n->end = end;
	if (is_el(n, HTML_NS_HTML, "option"))
		option_popped(d, n);
	if (end < n->span.start)
		violation(d, "element %s ends (%llu) before it starts (%llu)",
		          n->name, (unsigned long long)end,
		          (unsigned long long)n->span.start);
}

static void s_release(void *ctx, html_handle node)
{
	struct dom *d = ctx;
	struct dom_node *n = node;

	d->releases++;
	if (n == NULL) {
		violation(d, "release(NULL)");
		return;
	}
	if (!n->handle)
		violation(d, "release of a handle never created");
	if (n->releases)
		violation(d, "double release");
	if (n->type == DN_ELEMENT && n->pops == 0)
		violation(d, "element <%s> released without pop", n->name);
	n->releases++;
}

const struct html_sink dom_sink = {
    .document = s_document,
    .create_element = s_create_element,
    .create_comment = s_create_comment,
    .append_doctype = s_append_doctype,
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
    .release = s_release,
};

void dom_init(struct dom *d)
{
	memset(d, 0, sizeof(*d));
}

void dom_free(struct dom *d)
{
	struct dom_node *n = d->all;

	while (n) {
		struct dom_node *next = n->all_next;
		size_t i;

		for (i = 0; i < n->nattrs; i++) {
			free(n->attrs[i].name);
			free(n->attrs[i].value);
		}
		free(n->attrs);
		free(n->name);
		free(n->data);
		free(n->pub);
		free(n->sys);
		free(n);
		n = next;
	}
	d->all = NULL;
	d->tail = NULL;
	d->doc = NULL;
}

const char *dom_check(struct dom *d)
{
	struct dom_node *n;

	if (d->err[0])
		return d->err;
	for (n = d->all; n; n = n->all_next)
		if (n->handle && n->releases != 1) {
			violation(d, "%s <%s> released %u times",
			          n->type == DN_ELEMENT ? "element" : "comment",
			          n->name ? n->name : "", n->releases);
			return d->err;
		}
	return NULL;
}

/* --- serialisation --- */

struct out {
	char *s;
	size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;

		while (cap < o->len + n + 1)
			cap *= 2;
		o->s = realloc(o->s, cap);
		if (o->s == NULL)
			exit(2);
		o->cap = cap;
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void indent(struct out *o, unsigned level)
{
	unsigned i;

	puts_(o, "| ");
	for (i = 0; i < level; i++)
		puts_(o, "  ");
}

static const char *attr_prefix(int ns)
{
	switch (ns) {
	case HTML_ATTR_NS_XLINK:
		return "xlink ";
	case HTML_ATTR_NS_XML:
		return "xml ";
	case HTML_ATTR_NS_XMLNS:
		return "xmlns ";
	default:
		return "";
	}
}

static int cmp_attr(const void *a, const void *b)
{
	const struct dom_attr *x = *(const struct dom_attr *const *)a;
	const struct dom_attr *y = *(const struct dom_attr *const *)b;
	char bx[512], by[512];

	snprintf(bx, sizeof(bx), "%s%s", attr_prefix(x->ns), x->name);
	snprintf(by, sizeof(by), "%s%s", attr_prefix(y->ns), y->name);
	return strcmp(bx, by);
}

static void ser(struct out *o, const struct dom_node *n, unsigned level);

static void ser_children(struct out *o, const struct dom_node *p,
                         unsigned level)
{
	const struct dom_node *c;

	for (c = p->first; c; c = c->next)
		ser(o, c, level);
}

static void ser(struct out *o, const struct dom_node *n, unsigned level)
{
	size_t i;

	switch (n->type) {
	case DN_DOCTYPE:
		indent(o, level);
		puts_(o, "<!DOCTYPE ");
		puts_(o, n->data ? n->data : "");
		if ((n->pub && n->pub[0]) || (n->sys && n->sys[0])) {
			puts_(o, " \"");
			puts_(o, n->pub);
			puts_(o, "\" \"");
			puts_(o, n->sys);
			puts_(o, "\"");
		}
		puts_(o, ">\n");
		break;
	case DN_TEXT:
		indent(o, level);
		puts_(o, "\"");
		put(o, n->data, n->len);
		puts_(o, "\"\n");
		break;
	case DN_COMMENT:
		indent(o, level);
		puts_(o, "<!-- ");
		put(o, n->data ? n->data : "", n->len);
		puts_(o, " -->\n");
		break;
	case DN_ELEMENT: {
		const struct dom_attr **sorted;

		indent(o, level);
		puts_(o, "<");
		if (n->ns == HTML_NS_SVG)
			puts_(o, "svg ");
		else if (n->ns == HTML_NS_MATHML)
			puts_(o, "math ");
		puts_(o, n->name);
		puts_(o, ">\n");
		sorted = xcalloc(n->nattrs, sizeof(*sorted));
		for (i = 0; i < n->nattrs; i++)
			sorted[i] = &n->attrs[i];
		qsort(sorted, n->nattrs, sizeof(*sorted), cmp_attr);
		for (i = 0; i < n->nattrs; i++) {
			indent(o, level + 1);
			puts_(o, attr_prefix(sorted[i]->ns));
			puts_(o, sorted[i]->name);
			puts_(o, "=\"");
			put(o, sorted[i]->value, sorted[i]->value_len);
			puts_(o, "\"\n");
		}
		free(sorted);
		if (n->ns == HTML_NS_HTML && strcmp(n->name, "template") == 0) {
			indent(o, level + 1);
			puts_(o, "content\n");
			if (n->contents)
				ser_children(o, n->contents, level + 2);
		}
		ser_children(o, n, level + 1);
		break;
	}
	default:
		ser_children(o, n, level);
		break;
	}
}

char *dom_serialize(const struct dom *d, bool fragment)
{
	struct out o = {0};
	const struct dom_node *root = d->doc;

	puts_(&o, "");
	if (root && fragment) {
		const struct dom_node *c;

		for (c = root->first; c; c = c->next)
			if (c->type == DN_ELEMENT)
				break;
		if (c)
			ser_children(&o, c, 0);
	} else if (root) {
		ser_children(&o, root, 0);
	}
	return o.s;
}

struct dom_node *dom_find(const struct dom *d, const char *name, unsigned nth)
{
	struct dom_node *n;

	for (n = d->all; n; n = n->all_next)
		if (n->type == DN_ELEMENT && strcmp(n->name, name) == 0 &&
		    nth-- == 0)
			return n;
	return NULL;
}

size_t dom_count(const struct dom *d, const char *name)
{
	struct dom_node *n;
	size_t c = 0;

	for (n = d->all; n; n = n->all_next)
		if (n->type == DN_ELEMENT && strcmp(n->name, name) == 0)
			c++;
	return c;
}

const char *dom_attr(const struct dom_node *n, const char *name)
{
	size_t i;

	for (i = 0; i < n->nattrs; i++)
		if (strcmp(n->attrs[i].name, name) == 0)
			return n->attrs[i].value;
	return NULL;
}
