/*
 * fuzz_html.c - the HTML engine (tokenizer, tree builder, Outlook
 * conditional comments) fed in chunks, and the DOM built on it.
 *
 * Input: 12 header bytes, then the document.
 *   [0]     bit 0: small limits from bytes 1-7 (else the defaults);
 *           bits 1-2: html_cond_depth - 1; bit 4: small html_bytes
 *   [1]     html_depth        [2] html_attrs      [3] html_formatting
 *   [4]     html_token_bytes  [5] html_attr_bytes [6] html_elements
 *   [7]     html_bytes (with bit 4 of [0])
 *   [8-11]  chunk sizes, used in turn: 1 + b % 64, or the rest at >= 0xf0
 * The sink keeps nothing but the state of each handle, and aborts when the
 * tree builder breaks the protocol of tree.h: a handle used after its
 * release, released twice or never, an element not popped before its
 * release in a parse that reached its end.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "fuzz.h"
#include "html/dom.h"
#include "html/parser.h"

enum { K_DOC = 1, K_ELEM, K_COMMENT, K_CONTENTS };
enum { F_RELEASED = 1, F_POPPED = 2, F_PARENT = 4 };

struct node {
	uint8_t kind;
	uint8_t flags;
};

struct sink {
	struct node *n;
	size_t len, cap;
};

static html_handle add(struct sink *s, uint8_t kind)
{
	if (s->len == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct node *n = realloc(s->n, cap * sizeof(*n));

		if (n == NULL)
			return NULL;
		s->n = n;
		s->cap = cap;
	}
	s->n[s->len].kind = kind;
	s->n[s->len].flags = 0;
	return (html_handle)(uintptr_t)++s->len;
}

/* The node behind a handle the tree builder still holds. */
static struct node *live(struct sink *s, html_handle h)
{
	uintptr_t i = (uintptr_t)h;

	FUZZ_CHECK(i >= 1 && i <= s->len);
	FUZZ_CHECK(!(s->n[i - 1].flags & F_RELEASED));
	return &s->n[i - 1];
}

static html_handle s_document(void *ctx)
{
	return add(ctx, K_DOC);
}

static html_handle s_create_element(void *ctx, const struct html_element *el)
{
	size_t i;

	FUZZ_CHECK(el->name != NULL && el->name_len > 0);
	FUZZ_CHECK(el->span.start <= el->span.end);
	for (i = 0; i < el->nattrs; i++) {
		const struct html_attr *a = &el->attrs[i];

		FUZZ_CHECK(a->value != NULL && a->value[a->value_len] == '\0');
		FUZZ_CHECK(a->value_span.start <= a->value_span.end);
	}
	return add(ctx, K_ELEM);
}

static html_handle s_create_comment(void *ctx, const char *data, size_t len,
                                    struct html_span span)
{
	(void)data;
	(void)len;
	FUZZ_CHECK(span.start <= span.end);
	return add(ctx, K_COMMENT);
}

static void s_append_doctype(void *ctx, const struct html_token *doctype)
{
	(void)ctx;
	FUZZ_CHECK(doctype->type == HTML_TOKEN_DOCTYPE);
}

static void s_append(void *ctx, html_handle parent, html_handle child)
{
	struct node *p = live(ctx, parent);

	FUZZ_CHECK(p->kind != K_COMMENT);
	FUZZ_CHECK(parent != child);
	live(ctx, child)->flags |= F_PARENT;
}

static void s_insert_before(void *ctx, html_handle sibling, html_handle child)
{
	FUZZ_CHECK(sibling != child);
	live(ctx, sibling);
	live(ctx, child)->flags |= F_PARENT;
}

static void s_append_text(void *ctx, html_handle parent, const char *data,
                          size_t len, struct html_span span)
{
	FUZZ_CHECK(live(ctx, parent)->kind != K_COMMENT);
	FUZZ_CHECK(len > 0 && memchr(data, '\0', len) == NULL);
	FUZZ_CHECK(span.start <= span.end);
}

static void s_insert_text_before(void *ctx, html_handle sibling,
                                 const char *data, size_t len,
                                 struct html_span span)
{
	live(ctx, sibling);
	FUZZ_CHECK(len > 0 && memchr(data, '\0', len) == NULL);
	FUZZ_CHECK(span.start <= span.end);
}

static bool s_has_parent(void *ctx, html_handle node)
{
	return live(ctx, node)->flags & F_PARENT;
}

static void s_remove_from_parent(void *ctx, html_handle node)
{
	live(ctx, node)->flags &= (uint8_t)~F_PARENT;
}

static void s_reparent_children(void *ctx, html_handle from, html_handle to)
{
	live(ctx, from);
	live(ctx, to);
}

static void s_add_attrs_if_missing(void *ctx, html_handle node,
                                   const struct html_attr *attrs, size_t nattrs)
{
	FUZZ_CHECK(live(ctx, node)->kind == K_ELEM);
	FUZZ_CHECK(nattrs == 0 || attrs != NULL);
}

static html_handle s_template_contents(void *ctx, html_handle t)
{
	FUZZ_CHECK(live(ctx, t)->kind == K_ELEM);
	return add(ctx, K_CONTENTS);
}

static void s_set_quirks_mode(void *ctx, enum html_quirks mode)
{
	(void)ctx;
	FUZZ_CHECK(mode <= HTML_LIMITED_QUIRKS);
}

static void s_pop(void *ctx, html_handle node, uint64_t end)
{
	struct node *n = live(ctx, node);

	(void)end;
	FUZZ_CHECK(n->kind == K_ELEM);
	n->flags |= F_POPPED;
}

static void s_release(void *ctx, html_handle node)
{
	struct node *n = live(ctx, node);

	FUZZ_CHECK(n->kind == K_ELEM || n->kind == K_COMMENT);
	n->flags |= F_RELEASED;
}

static const struct html_sink sink = {
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

static void limits_from(struct bs_limits *lim, const uint8_t *h)
{
	bs_limits_default(lim);
	if (!(h[0] & 1))
		return;
	lim->html_cond_depth = 1u + ((h[0] >> 1) & 3u);
	lim->html_depth = 1u + h[1] % 32u;
	lim->html_attrs = 1u + h[2] % 8u;
	lim->html_formatting = 1u + h[3] % 8u;
	lim->html_token_bytes = 1u + h[4] * 4u;
	lim->html_attr_bytes = 1u + h[5] * 4u;
	lim->html_elements = 1u + h[6] * 8u;
	if (h[0] & 0x10)
		lim->html_bytes = 1u + h[7] * 16u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t h[12] = {0};
	struct bs_limits lim;
	struct bs_problems pr;
	struct html_parser_options o = {0};
	struct html_parser *p;
	struct html_dom *dom = NULL;
	struct sink s = {0};
	const char *doc;
	size_t i, len, off = 0, turn = 0;
	int rc = 0;

	memcpy(h, data, size < sizeof(h) ? size : sizeof(h));
	fuzz_take(&data, &size, sizeof(h));
	doc = (const char *)data;
	len = size;
	limits_from(&lim, h);
	bs_problems_init(&pr);

	o.limits = &lim;
	o.sink = &sink;
	o.sink_ctx = &s;
	o.problems = &pr;
	o.conditional_comments = true;
	p = html_parser_new(&o);
	if (p == NULL)
		return 0;
	while (off < len && rc == 0) {
		uint8_t b = h[8 + turn++ % 4];
		size_t n = b >= 0xf0 ? len - off : 1u + b % 64u;

		if (n > len - off)
			n = len - off;
		rc = html_parser_push(p, doc + off, n);
		off += n;
	}
	if (rc == 0)
		rc = html_parser_finish(p);
	html_parser_free(&p);
	FUZZ_CHECK(p == NULL);
	/* The sink fails no call, so nothing may fail but memory. */
	FUZZ_CHECK(rc == 0 || rc == BS_ENOMEM);
	for (i = 0; i < s.len; i++) {
		const struct node *n = &s.n[i];

		if (n->kind == K_ELEM || n->kind == K_COMMENT)
			FUZZ_CHECK(n->flags & F_RELEASED);
		if (n->kind == K_ELEM && rc == 0)
			FUZZ_CHECK(n->flags & F_POPPED);
	}
	free(s.n);

	bs_problems_init(&pr);
	o.sink = NULL;
	o.sink_ctx = NULL;
	if (html_dom_parse(&dom, &o, doc, len) == 0) {
		size_t count = html_dom_count(dom);

		for (i = 0; i < count; i++) {
			const struct dom_node *n =
			    html_dom_node(dom, (uint32_t)i);

			FUZZ_CHECK(n != NULL);
			FUZZ_CHECK(n->parent == DOM_NONE || n->parent < count);
			FUZZ_CHECK(n->next == DOM_NONE || n->next < count);
			if (n->type == DOM_ELEMENT)
				(void)dom_attr(n, "src");
		}
		(void)html_dom_quirks(dom);
	}
	html_dom_free(&dom);
	FUZZ_CHECK(dom == NULL);
	return 0;
}
