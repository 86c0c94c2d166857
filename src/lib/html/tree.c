/*
 * tree.c - the tree builder's machinery: node records, the stack of open
 * elements, the list of active formatting elements, insertion at the
 * appropriate place, scopes, reconstruction and the adoption agency, and
 * the public entry points. The insertion modes are in tree_modes.c, the
 * rules for foreign content in tree_foreign.c.
 *
 * Every scan of the stack or of the formatting list is bounded by its cap
 * (limits.html_depth, limits.html_formatting), which is what keeps hostile
 * nesting linear; the common questions about the stack (scopes, end tags)
 * go through an index kept with it and cost O(1) (docs/HTML-TREE.md).
 */
#include "tree_int.h"

#include <assert.h>
#include <string.h>

#include "tokenizer.h"
#include "util/alloc.h"

#define T(x) [HTML_TAG_##x]

#define SCOPE_B (C_SCOPE | C_SPECIAL)
#define IMPL    (C_IMPLIED | C_IMPLIED_ALL)

static const uint32_t html_cat[HTML_TAG__COUNT] = {
    T(ADDRESS) = C_SPECIAL,
    T(APPLET) = SCOPE_B,
    T(AREA) = C_SPECIAL,
    T(ARTICLE) = C_SPECIAL,
    T(ASIDE) = C_SPECIAL,
    T(BASE) = C_SPECIAL,
    T(BASEFONT) = C_SPECIAL,
    T(BGSOUND) = C_SPECIAL,
    T(BLOCKQUOTE) = C_SPECIAL,
    T(BODY) = C_SPECIAL,
    T(BR) = C_SPECIAL,
    T(BUTTON) = C_SPECIAL | C_BUTTON,
    T(CAPTION) = SCOPE_B | C_IMPLIED_ALL,
    T(CENTER) = C_SPECIAL,
    T(COL) = C_SPECIAL,
    T(COLGROUP) = C_SPECIAL | C_IMPLIED_ALL,
    T(DD) = C_SPECIAL | IMPL,
    T(DETAILS) = C_SPECIAL,
    T(DIR) = C_SPECIAL,
    T(DIV) = C_SPECIAL,
    T(DL) = C_SPECIAL,
    T(DT) = C_SPECIAL | IMPL,
    T(EMBED) = C_SPECIAL,
    T(FIELDSET) = C_SPECIAL,
    T(FIGCAPTION) = C_SPECIAL,
    T(FIGURE) = C_SPECIAL,
    T(FOOTER) = C_SPECIAL,
    T(FORM) = C_SPECIAL,
    T(FRAME) = C_SPECIAL,
    T(FRAMESET) = C_SPECIAL,
    T(H1) = C_SPECIAL | C_HEADING,
    T(H2) = C_SPECIAL | C_HEADING,
    T(H3) = C_SPECIAL | C_HEADING,
    T(H4) = C_SPECIAL | C_HEADING,
    T(H5) = C_SPECIAL | C_HEADING,
    T(H6) = C_SPECIAL | C_HEADING,
    T(HEAD) = C_SPECIAL,
    T(HEADER) = C_SPECIAL,
    T(HGROUP) = C_SPECIAL,
    T(HR) = C_SPECIAL,
    T(HTML) = SCOPE_B | C_TABLE_SCOPE | C_TBODY_CTX | C_ROW_CTX,
    T(IFRAME) = C_SPECIAL,
    T(IMG) = C_SPECIAL,
    T(INPUT) = C_SPECIAL,
    T(KEYGEN) = C_SPECIAL,
    T(LI) = C_SPECIAL | IMPL,
    T(LINK) = C_SPECIAL,
    T(LISTING) = C_SPECIAL,
    T(MAIN) = C_SPECIAL,
    T(MARQUEE) = SCOPE_B,
    T(MENU) = C_SPECIAL,
    T(META) = C_SPECIAL,
    T(NAV) = C_SPECIAL,
    T(NOEMBED) = C_SPECIAL,
    T(NOFRAMES) = C_SPECIAL,
    T(NOSCRIPT) = C_SPECIAL,
    T(OBJECT) = SCOPE_B,
    T(OL) = C_SPECIAL | C_LIST,
    T(OPTGROUP) = IMPL,
    T(OPTION) = IMPL,
    T(P) = C_SPECIAL | IMPL,
    T(PARAM) = C_SPECIAL,
    T(PLAINTEXT) = C_SPECIAL,
    T(PRE) = C_SPECIAL,
    T(RB) = IMPL,
    T(RP) = IMPL,
    T(RT) = IMPL,
    T(RTC) = IMPL,
    T(SCRIPT) = C_SPECIAL,
    T(SEARCH) = C_SPECIAL,
    T(SECTION) = C_SPECIAL,
    T(SELECT) = SCOPE_B,
    T(SOURCE) = C_SPECIAL,
    T(STYLE) = C_SPECIAL,
    T(SUMMARY) = C_SPECIAL,
    T(TABLE) = SCOPE_B | C_TABLE_SCOPE | C_FOSTER,
    T(TBODY) = C_SPECIAL | C_IMPLIED_ALL | C_TBODY_CTX | C_FOSTER | C_TSECTION,
    T(TD) = SCOPE_B | C_IMPLIED_ALL | C_CELL,
    T(TEMPLATE) = SCOPE_B | C_TABLE_SCOPE | C_TBODY_CTX | C_ROW_CTX,
    T(TEXTAREA) = C_SPECIAL,
    T(TFOOT) = C_SPECIAL | C_IMPLIED_ALL | C_TBODY_CTX | C_FOSTER | C_TSECTION,
    T(TH) = SCOPE_B | C_IMPLIED_ALL | C_CELL,
    T(THEAD) = C_SPECIAL | C_IMPLIED_ALL | C_TBODY_CTX | C_FOSTER | C_TSECTION,
    T(TITLE) = C_SPECIAL,
    T(TR) = C_SPECIAL | C_IMPLIED_ALL | C_ROW_CTX | C_FOSTER,
    T(TRACK) = C_SPECIAL,
    T(UL) = C_SPECIAL | C_LIST,
    T(WBR) = C_SPECIAL,
    T(XMP) = C_SPECIAL,
    T(A) = C_FORMATTING,
    T(B) = C_FORMATTING,
    T(BIG) = C_FORMATTING,
    T(CODE) = C_FORMATTING,
    T(EM) = C_FORMATTING,
    T(FONT) = C_FORMATTING,
    T(I) = C_FORMATTING,
    T(NOBR) = C_FORMATTING,
    T(S) = C_FORMATTING,
    T(SMALL) = C_FORMATTING,
    T(STRIKE) = C_FORMATTING,
    T(STRONG) = C_FORMATTING,
    T(TT) = C_FORMATTING,
    T(U) = C_FORMATTING,
};

uint32_t tb_category(unsigned ns, enum html_tag tag)
{
	if ((unsigned)tag >= HTML_TAG__COUNT)
		return 0;
	if (ns == HTML_NS_HTML)
		return html_cat[tag];
	if (ns == HTML_NS_MATHML) {
		switch (tag) {
		case HTML_TAG_MI:
		case HTML_TAG_MO:
		case HTML_TAG_MN:
		case HTML_TAG_MS:
		case HTML_TAG_MTEXT:
			return SCOPE_B | C_TEXT_IP;
		case HTML_TAG_ANNOTATION_XML:
			return SCOPE_B;
		default:
			return 0;
		}
	}
	switch (tag) {
	case HTML_TAG_FOREIGNOBJECT:
	case HTML_TAG_DESC:
	case HTML_TAG_TITLE:
		return SCOPE_B | C_HTML_IP;
	default:
		return 0;
	}
}

void tb_fail(struct html_tree *tb, int err)
{
	if (tb->err == 0)
		tb->err = err;
}

void tb_problem(struct html_tree *tb, const char *what)
{
	bs_problems_add(tb->problems, "limit", what);
}

/* --- node records: a free-list pool, so no malloc per element --- */

#define NODE_BLOCK 64

struct node_block {
	struct node_block *next;
	struct node nodes[NODE_BLOCK];
};

static struct node *node_new(struct html_tree *tb)
{
	struct node *n = tb->free_nodes;

	if (n == NULL) {
		struct node_block *b = bs_malloc(sizeof(*b));
		unsigned i;

		if (b == NULL) {
			tb_fail(tb, BS_ENOMEM);
			return NULL;
		}
		b->next = tb->blocks;
		tb->blocks = b;
		for (i = 0; i < NODE_BLOCK; i++) {
			b->nodes[i].u.next_free = tb->free_nodes;
			tb->free_nodes = &b->nodes[i];
		}
		n = tb->free_nodes;
	}
	tb->free_nodes = n->u.next_free;
	memset(n, 0, sizeof(*n));
	return n;
}

/* Formatting copies come in three size classes with free lists; bigger
 * ones (long URLs in many attributes) are allocated exactly. */
static const size_t fmt_class_size[3] = {256, 1024, 4096};

static struct fmt_copy *fmt_alloc(struct html_tree *tb, size_t size)
{
	struct fmt_copy *f;
	unsigned c;

	for (c = 0; c < 3; c++)
		if (size <= fmt_class_size[c])
			break;
	if (c < 3 && tb->free_fmt[c]) {
		f = tb->free_fmt[c];
		tb->free_fmt[c] = f->next_free;
		f->cls = c;
		return f;
	}
	f = bs_malloc(c < 3 ? fmt_class_size[c] : size);
	if (f == NULL) {
		tb_fail(tb, BS_ENOMEM);
		return NULL;
	}
	f->cls = c;
	return f;
}

static void fmt_unref(struct html_tree *tb, struct fmt_copy *f)
{
	if (f == NULL || --f->refs > 0)
		return;
	if (f->cls < 3) {
		f->next_free = tb->free_fmt[f->cls];
		tb->free_fmt[f->cls] = f;
	} else {
		bs_free(f);
	}
}

static uint32_t hash_bytes(uint32_t x, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= (unsigned char)s[i];
		x *= 0x01000193u;
	}
	return x;
}

static int attr_cmp(const struct html_attr *a, const struct html_attr *b)
{
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c;

	if (a->ns != b->ns)
		return a->ns < b->ns ? -1 : 1;
	c = memcmp(a->name, b->name, n);
	if (c)
		return c;
	return a->name_len < b->name_len ? -1 : a->name_len > b->name_len;
}

/* Copy of a start tag's attributes in one block. */
static struct fmt_copy *fmt_copy_new(struct html_tree *tb,
                                     const struct html_attr *attrs, size_t n)
{
	struct fmt_copy *f;
	size_t size, i;
	int ovf = 0;
	char *p;

	size = sizeof(*f);
	size = bs_add(size, bs_mul(n, sizeof(struct html_attr), &ovf), &ovf);
	size = bs_add(size, bs_mul(n, sizeof(uint32_t), &ovf), &ovf);
	for (i = 0; i < n; i++) {
		size = bs_add(size, attrs[i].name_len, &ovf);
		size = bs_add(size, attrs[i].value_len, &ovf);
		size = bs_add(size, 2, &ovf);
	}
	size = bs_add(size, 8, &ovf);
	if (ovf || n > UINT32_MAX) {
		tb_fail(tb, BS_ENOMEM);
		return NULL;
	}
	f = fmt_alloc(tb, size);
	if (f == NULL)
		return NULL;
	f->refs = 1;
	f->nattrs = n;
	f->attrs = (struct html_attr *)(f + 1);
	f->sorted = (uint32_t *)(f->attrs + n);
	p = (char *)(f->sorted + n);
	f->prepared = false;
	for (i = 0; i < n; i++) {
		struct html_attr *a = &f->attrs[i];

		*a = attrs[i];
		memcpy(p, attrs[i].name, attrs[i].name_len);
		p[attrs[i].name_len] = '\0';
		a->name = p;
		p += attrs[i].name_len + 1;
		if (attrs[i].value_len)
			memcpy(p, attrs[i].value, attrs[i].value_len);
		p[attrs[i].value_len] = '\0';
		a->value = p;
		p += attrs[i].value_len + 1;
	}
	return f;
}

/* Hash and sorted order, computed the first time Noah's Ark compares
 * this copy (most formatting elements are never compared). */
static void fmt_prepare(struct fmt_copy *f)
{
	size_t i, j;

	if (f->prepared)
		return;
	f->prepared = true;
	f->hash = (uint32_t)f->nattrs;
	for (i = 0; i < f->nattrs; i++) {
		const struct html_attr *a = &f->attrs[i];
		uint32_t h;

		h = hash_bytes(0x811C9DC5u + a->ns, a->name, a->name_len);
		h = hash_bytes(h ^ 0xFF, a->value, a->value_len);
		f->hash += h * 0x9E3779B1u;
		/* insertion sort: n is bounded by limits.html_attrs, and
		 * formatting elements rarely carry more than a few */
		for (j = i;
		     j > 0 && attr_cmp(&f->attrs[f->sorted[j - 1]], a) > 0; j--)
			f->sorted[j] = f->sorted[j - 1];
		f->sorted[j] = (uint32_t)i;
	}
}

static bool fmt_equal(struct fmt_copy *a, struct fmt_copy *b)
{
	size_t i;

	if (a == b)
		return true;
	if (a->nattrs != b->nattrs)
		return false;
	fmt_prepare(a);
	fmt_prepare(b);
	if (a->hash != b->hash)
		return false;
	for (i = 0; i < a->nattrs; i++) {
		const struct html_attr *x = &a->attrs[a->sorted[i]];
		const struct html_attr *y = &b->attrs[b->sorted[i]];

		if (attr_cmp(x, y) != 0 || x->value_len != y->value_len ||
		    memcmp(x->value, y->value, x->value_len) != 0)
			return false;
	}
	return true;
}

void tb_ref(struct node *n)
{
	n->refs++;
}

void tb_unref(struct html_tree *tb, struct node *n)
{
	if (n == NULL || --n->refs > 0)
		return;
	if (n->h && tb->sink->release)
		tb->sink->release(tb->sctx, n->h);
	fmt_unref(tb, n->fmt);
	if (n->bits & N_NAME_HEAP)
		bs_free((void *)n->name);
	n->u.next_free = tb->free_nodes;
	tb->free_nodes = n;
}

void tb_set_ptr(struct html_tree *tb, struct node **slot, struct node *n)
{
	if (n)
		tb_ref(n);
	tb_unref(tb, *slot);
	*slot = n;
}

static bool node_set_name(struct html_tree *tb, struct node *n,
                          const char *name, size_t len)
{
	char *p;

	if (len > UINT32_MAX)
		len = UINT32_MAX;
	if (len < NODE_INLINE_NAME) {
		p = n->u.iname;
	} else {
		p = bs_malloc(len + 1);
		if (p == NULL) {
			tb_fail(tb, BS_ENOMEM);
			return false;
		}
		n->bits |= N_NAME_HEAP;
	}
	memcpy(p, name, len);
	p[len] = '\0';
	n->name = p;
	n->name_len = (uint32_t)len;
	return true;
}

/* --- the stack of open elements and its index --- */

uint32_t tb_name_hash(const struct html_tree *tb, const char *s, size_t n)
{
	/* seeded per tree, so that a document cannot aim its unknown tag
	 * names at one chain */
	uint32_t x = hash_bytes(tb->seed, s, n);

	return x ^ (x >> 15);
}

static unsigned kbits_of(const struct node *n)
{
	unsigned k = 0, cat = n->cat;

	if (cat & C_SCOPE)
		k |= 1u << K_SCOPE | 1u << K_LIST | 1u << K_BUTTON;
	if (cat & C_LIST)
		k |= 1u << K_LIST;
	if (cat & C_BUTTON)
		k |= 1u << K_BUTTON;
	if (cat & C_TABLE_SCOPE)
		k |= 1u << K_TABLE;
	if (cat & C_SPECIAL) {
		k |= 1u << K_SPECIAL;
		if (!(is_html(n, HTML_TAG_ADDRESS) ||
		      is_html(n, HTML_TAG_DIV) || is_html(n, HTML_TAG_P)))
			k |= 1u << K_LISTOP;
	}
	if (n->ns == HTML_NS_HTML)
		k |= 1u << K_HTML;
	return k;
}

static int16_t *key_top(struct html_tree *tb, const struct node *n)
{
	int h = n->ns == HTML_NS_HTML;

	if (n->tag != HTML_TAG_UNKNOWN)
		return &tb->top_known[h][n->tag];
	return &tb->top_unknown[h][n->hash & (NBUCKET - 1)];
}

/* Index position i, the element there being the topmost of its key. */
static void index_link(struct html_tree *tb, unsigned i)
{
	struct node *n = tb->stack[i];
	int16_t *top = key_top(tb, n), *row = tb->near[i];
	unsigned k;

	tb->prev[i] = *top;
	*top = (int16_t)i;
	n->idx = (int16_t)i;
	if (i)
		memcpy(row, tb->near[i - 1], sizeof(tb->near[0]));
	else
		memset(row, 0xFF, sizeof(tb->near[0]));
	for (k = n->kbits; k; k &= k - 1)
		row[__builtin_ctz(k)] = (int16_t)i;
}

static void index_rebuild(struct html_tree *tb)
{
	unsigned i;

	memset(tb->top_known, 0xFF, sizeof(tb->top_known));
	memset(tb->top_unknown, 0xFF, sizeof(tb->top_unknown));
	for (i = 0; i < tb->nstack; i++)
		index_link(tb, i);
	tb->index_dirty = false;
}

#ifndef NDEBUG
/* The index must equal one built from scratch (checked in debug builds,
 * for small stacks, after every token). */
static void index_check(struct html_tree *tb)
{
	int16_t near[K__COUNT];
	unsigned i, k;

	if (tb->index_dirty || tb->nstack > 64)
		return;
	memset(near, 0xFF, sizeof(near));
	for (i = 0; i < tb->nstack; i++) {
		const struct node *n = tb->stack[i];
		int j;

		assert(n->idx == (int16_t)i);
		for (k = 0; k < K__COUNT; k++) {
			if (n->kbits & (1u << k))
				near[k] = (int16_t)i;
			assert(tb->near[i][k] == near[k]);
		}
		/* prev: the nearest position below with the same key */
		for (j = (int)i - 1; j >= 0; j--) {
			const struct node *o = tb->stack[j];

			if ((o->ns == HTML_NS_HTML) !=
			        (n->ns == HTML_NS_HTML) ||
			    o->tag != n->tag)
				continue;
			if (n->tag == HTML_TAG_UNKNOWN &&
			    (o->hash & (NBUCKET - 1)) !=
			        (n->hash & (NBUCKET - 1)))
				continue;
			break;
		}
		assert(tb->prev[i] == j);
	}
}
#else
static void index_check(struct html_tree *tb)
{
	(void)tb;
}
#endif

static inline void index_clean(struct html_tree *tb)
{
	if (tb->index_dirty)
		index_rebuild(tb);
}

static void on_stack(struct html_tree *tb, struct node *n)
{
	tb_ref(n);
	n->bits |= N_ON_STACK;
	if (is_html(n, HTML_TAG_TEMPLATE))
		tb->ntemplates++;
}

static void off_stack(struct html_tree *tb, struct node *n)
{
	n->bits &= (uint8_t)~N_ON_STACK;
	if (is_html(n, HTML_TAG_TEMPLATE) && tb->ntemplates)
		tb->ntemplates--;
}

void tb_push(struct html_tree *tb, struct node *n)
{
	on_stack(tb, n);
	tb->stack[tb->nstack++] = n;
	if (!tb->index_dirty)
		index_link(tb, tb->nstack - 1);
}

static void node_popped(struct html_tree *tb, struct node *n, uint64_t end)
{
	off_stack(tb, n);
	if (tb->sink->pop)
		tb->sink->pop(tb->sctx, n->h, end);
	tb_unref(tb, n);
}

/* Elements closed by their own end tag end after it; others end where
 * the token that closed them begins. */
static uint64_t pop_end_for(const struct html_tree *tb, const struct node *n)
{
	const struct html_token *t = tb->cur;

	if (t && t->type == HTML_TOKEN_END_TAG && tb_same_name(n, t))
		return tb->tok_end;
	return tb->tok_start;
}

void tb_pop_end(struct html_tree *tb, uint64_t end)
{
	struct node *n;

	if (tb->nstack == 0)
		return;
	n = tb->stack[--tb->nstack];
	if (!tb->index_dirty)
		*key_top(tb, n) = tb->prev[tb->nstack];
	node_popped(tb, n, end);
}

void tb_pop(struct html_tree *tb)
{
	if (tb->nstack == 0)
		return;
	tb_pop_end(tb, pop_end_for(tb, tb->stack[tb->nstack - 1]));
}

void tb_pop_until_tag(struct html_tree *tb, enum html_tag tag)
{
	while (tb->nstack) {
		struct node *n = cur_node(tb);
		bool stop = is_html(n, tag);

		tb_pop(tb);
		if (stop)
			break;
	}
}

void tb_pop_until_cat(struct html_tree *tb, uint32_t cat)
{
	while (tb->nstack) {
		struct node *n = cur_node(tb);
		bool stop = n->ns == HTML_NS_HTML && (n->cat & cat);

		tb_pop(tb);
		if (stop)
			break;
	}
}

void tb_pop_until_node(struct html_tree *tb, struct node *target)
{
	if (!(target->bits & N_ON_STACK))
		return;
	while (tb->nstack) {
		struct node *n = cur_node(tb);

		tb_pop(tb);
		if (n == target)
			break;
	}
}

int tb_stack_index(struct html_tree *tb, const struct node *n)
{
	if (!(n->bits & N_ON_STACK))
		return -1;
	index_clean(tb);
	return n->idx;
}

/* Remove the element at position i (not necessarily the top). */
static void stack_remove_at(struct html_tree *tb, unsigned i)
{
	struct node *n = tb->stack[i];

	if (i + 1 == tb->nstack) {
		tb_pop_end(tb, pop_end_for(tb, n));
		return;
	}
	memmove(&tb->stack[i], &tb->stack[i + 1],
	        (tb->nstack - i - 1) * sizeof(tb->stack[0]));
	tb->nstack--;
	tb->index_dirty = true;
	node_popped(tb, n, pop_end_for(tb, n));
}

void tb_stack_remove(struct html_tree *tb, struct node *n)
{
	int i = tb_stack_index(tb, n);

	if (i >= 0)
		stack_remove_at(tb, (unsigned)i);
}

bool tb_has_template(const struct html_tree *tb)
{
	return tb->ntemplates > 0;
}

bool tb_same_name(const struct node *n, const struct html_token *t)
{
	if (n->tag != t->tag)
		return false;
	if (n->tag != HTML_TAG_UNKNOWN)
		return true;
	return n->name && n->name_len == t->name_len &&
	       memcmp(n->name, t->name, t->name_len) == 0;
}

/* --- queries on the index --- */

/* Topmost position of an element with this known tag, or -1. */
int tb_topmost(struct html_tree *tb, bool html, enum html_tag tag)
{
	index_clean(tb);
	return tb->top_known[html][tag];
}

/* Topmost position of an element named like the tag token t, or -1. */
int tb_topmost_named(struct html_tree *tb, bool html,
                     const struct html_token *t)
{
	uint32_t h;
	int i;

	if (t->tag != HTML_TAG_UNKNOWN)
		return tb_topmost(tb, html, t->tag);
	index_clean(tb);
	h = tb_name_hash(tb, t->name, t->name_len);
	for (i = tb->top_unknown[html][h & (NBUCKET - 1)]; i >= 0;
	     i = tb->prev[i]) {
		const struct node *n = tb->stack[i];

		if (n->hash == h && tb_same_name(n, t))
			return i;
	}
	return -1;
}

/* Nearest position at or below `from` holding an element of class k. */
int tb_nearest(struct html_tree *tb, unsigned k, int from)
{
	index_clean(tb);
	if (from < 0 || from >= (int)tb->nstack)
		return -1;
	return tb->near[from][k];
}

/* "has an element in scope": the topmost such element lies at or above
 * the nearest boundary (a boundary can be the target itself). */
bool tb_in_scope(struct html_tree *tb, enum html_tag tag, enum scope sc)
{
	int t = tb_topmost(tb, true, tag);

	return t >= 0 && t >= tb_nearest(tb, sc, (int)tb->nstack - 1);
}

bool tb_in_scope_cat(struct html_tree *tb, uint32_t cat, enum scope sc)
{
	static const enum html_tag heading[] = {
	    HTML_TAG_H1, HTML_TAG_H2, HTML_TAG_H3,
	    HTML_TAG_H4, HTML_TAG_H5, HTML_TAG_H6,
	};
	static const enum html_tag cell[] = {HTML_TAG_TD, HTML_TAG_TH};
	static const enum html_tag section[] = {HTML_TAG_TBODY, HTML_TAG_TFOOT,
	                                        HTML_TAG_THEAD};
	const enum html_tag *tags;
	size_t n, i;
	int best = -1;

	if (cat == C_HEADING) {
		tags = heading;
		n = 6;
	} else if (cat == C_CELL) {
		tags = cell;
		n = 2;
	} else {
		tags = section;
		n = 3;
	}
	for (i = 0; i < n; i++) {
		int t = tb_topmost(tb, true, tags[i]);

		if (t > best)
			best = t;
	}
	return best >= 0 && best >= tb_nearest(tb, sc, (int)tb->nstack - 1);
}

bool tb_node_in_scope(struct html_tree *tb, const struct node *target)
{
	int i = tb_stack_index(tb, target);

	return i >= 0 && i >= tb_nearest(tb, K_SCOPE, (int)tb->nstack - 1);
}

void tb_implied_end(struct html_tree *tb, enum html_tag except)
{
	for (;;) {
		struct node *n = cur_node(tb);

		if (n == NULL || n->ns != HTML_NS_HTML ||
		    !(n->cat & C_IMPLIED) || n->tag == except)
			return;
		tb_pop(tb);
	}
}

void tb_implied_end_all(struct html_tree *tb)
{
	for (;;) {
		struct node *n = cur_node(tb);

		if (n == NULL || n->ns != HTML_NS_HTML ||
		    !(n->cat & C_IMPLIED_ALL))
			return;
		tb_pop(tb);
	}
}

void tb_clear_to(struct html_tree *tb, uint32_t ctx_cat)
{
	for (;;) {
		struct node *n = cur_node(tb);

		if (n == NULL || (n->ns == HTML_NS_HTML && (n->cat & ctx_cat)))
			return;
		tb_pop(tb);
	}
}

void tb_close_p(struct html_tree *tb)
{
	tb_implied_end(tb, HTML_TAG_P);
	tb_pop_until_tag(tb, HTML_TAG_P);
}

/* --- the stack of template insertion modes --- */

void tb_tmode_push(struct html_tree *tb, enum tree_mode m)
{
	/* one entry per template on the stack, which the depth cap bounds */
	if (tb->ntmodes < tb->tmodes_cap)
		tb->tmodes[tb->ntmodes++] = (uint8_t)m;
}

void tb_tmode_pop(struct html_tree *tb)
{
	if (tb->ntmodes)
		tb->ntmodes--;
}

/* 13.2.4.1 Resetting the insertion mode appropriately. */
void tb_reset_mode(struct html_tree *tb)
{
	unsigned i = tb->nstack;
	bool last = false;

	while (i-- > 0) {
		struct node *n = tb->stack[i];

		if (i == 0) {
			last = true;
			if (tb->ctx)
				n = tb->ctx;
		}
		if (n->ns != HTML_NS_HTML) {
			if (last)
				break;
			continue;
		}
		switch (n->tag) {
		case HTML_TAG_TD:
		case HTML_TAG_TH:
			if (!last) {
				tb->mode = M_IN_CELL;
				return;
			}
			break;
		case HTML_TAG_TR:
			tb->mode = M_IN_ROW;
			return;
		case HTML_TAG_TBODY:
		case HTML_TAG_THEAD:
		case HTML_TAG_TFOOT:
			tb->mode = M_IN_TABLE_BODY;
			return;
		case HTML_TAG_CAPTION:
			tb->mode = M_IN_CAPTION;
			return;
		case HTML_TAG_COLGROUP:
			tb->mode = M_IN_COLUMN_GROUP;
			return;
		case HTML_TAG_TABLE:
			tb->mode = M_IN_TABLE;
			return;
		case HTML_TAG_TEMPLATE:
			tb->mode =
			    tb->ntmodes
			        ? (enum tree_mode)tb->tmodes[tb->ntmodes - 1]
			        : M_IN_BODY;
			return;
		case HTML_TAG_HEAD:
			if (!last) {
				tb->mode = M_IN_HEAD;
				return;
			}
			break;
		case HTML_TAG_BODY:
			tb->mode = M_IN_BODY;
			return;
		case HTML_TAG_FRAMESET:
			tb->mode = M_IN_FRAMESET;
			return;
		case HTML_TAG_HTML:
			tb->mode = tb->head ? M_AFTER_HEAD : M_BEFORE_HEAD;
			return;
		default:
			break;
		}
		if (last)
			break;
	}
	tb->mode = M_IN_BODY;
}

/* --- insertion --- */

static struct place place_in(struct node *n)
{
	struct place p = {0};

	p.parent = n->contents ? n->contents : n->h;
	p.depth = n->depth;
	p.in_template = (n->bits & N_IN_TEMPLATE) || n->contents;
	return p;
}

static struct place place_into(struct html_tree *tb, struct node *n)
{
	if (is_html(n, HTML_TAG_TEMPLATE) && n->contents == NULL &&
	    tb->sink->template_contents) {
		n->contents = tb->sink->template_contents(tb->sctx, n->h);
		if (n->contents == NULL)
			tb_fail(tb, BS_ENOMEM);
	}
	return place_in(n);
}

/* 13.2.6.1 The appropriate place for inserting a node. */
struct place tb_place(struct html_tree *tb, struct node *target)
{
	struct place p;
	int last_table, last_template;

	if (target == NULL)
		target = cur_node(tb);
	if (target == NULL) {
		memset(&p, 0, sizeof(p));
		p.parent = tb->doc;
		p.depth = tb->base_depth;
		p.none = true;
		return p;
	}
	if (!tb->foster || target->ns != HTML_NS_HTML ||
	    !(target->cat & C_FOSTER))
		return place_into(tb, target);
	last_template = tb_topmost(tb, true, HTML_TAG_TEMPLATE);
	last_table = tb_topmost(tb, true, HTML_TAG_TABLE);
	if (last_template >= 0 &&
	    (last_table < 0 || last_template > last_table))
		return place_into(tb, tb->stack[last_template]);
	if (last_table < 0)
		return place_into(tb, tb->stack[0]);
	{
		struct node *table = tb->stack[last_table];

		if (last_table > 0 &&
		    (tb->sink->has_parent == NULL ||
		     tb->sink->has_parent(tb->sctx, table->h))) {
			memset(&p, 0, sizeof(p));
			p.parent = NULL;
			p.before = table->h;
			p.depth = table->depth ? table->depth - 1 : 0;
			p.in_template = (table->bits & N_IN_TEMPLATE) != 0;
			return p;
		}
		if (last_table == 0)
			return place_into(tb, table);
		return place_into(tb, tb->stack[last_table - 1]);
	}
}

static void place_node(struct html_tree *tb, const struct place *p,
                       html_handle h)
{
	if (p->before) {
		if (tb->sink->insert_before)
			tb->sink->insert_before(tb->sctx, p->before, h);
	} else if (p->parent) {
		if (tb->sink->append)
			tb->sink->append(tb->sctx, p->parent, h);
	}
}

static bool element_budget(struct html_tree *tb, size_t need)
{
	if (*tb->elements + need <= tb->lim->html_elements)
		return true;
	if (!tb->hit_elements) {
		tb->hit_elements = true;
		tb_problem(tb, "html-elements");
	}
	return false;
}

/* Create an element for e, to be a child at p (not inserted yet). */
static struct node *make_element(struct html_tree *tb, const struct elinfo *e,
                                 const struct place *p, unsigned extra)
{
	struct html_element el;
	struct node *n;

	if (tb->err || (!e->force && !element_budget(tb, 1)))
		return NULL;
	n = node_new(tb);
	if (n == NULL)
		return NULL;
	n->ns = e->ns;
	n->tag = (uint16_t)e->tag;
	n->cat = tb_category(e->ns, e->tag);
	if (e->ns == HTML_NS_MATHML && e->tag == HTML_TAG_ANNOTATION_XML)
		n->cat |= tb_annotation_ip(e->attrs, e->nattrs);
	n->depth = p->depth + 1;
	n->refs = 1;
	if (p->in_template)
		n->bits |= N_IN_TEMPLATE;
	if (e->tag == HTML_TAG_UNKNOWN) {
		if (!node_set_name(tb, n, e->name, e->name_len)) {
			tb_unref(tb, n);
			return NULL;
		}
		n->hash = tb_name_hash(tb, n->name, n->name_len);
	}
	n->kbits = (uint8_t)kbits_of(n);
	if (e->fmt) {
		n->fmt = e->fmt;
		e->fmt->refs++;
	}
	memset(&el, 0, sizeof(el));
	el.ns = (enum html_ns)e->ns;
	el.tag = e->tag;
	el.name = e->name;
	el.name_len = e->name_len;
	el.attrs = e->attrs;
	el.nattrs = e->nattrs;
	el.span = e->span;
	el.depth = n->depth;
	el.flags = e->flags | tb->el_flags | extra |
	           (p->in_template ? HTML_EL_IN_TEMPLATE : 0);
	n->h = tb->sink->create_element(tb->sctx, &el);
	if (n->h == NULL) {
		tb_fail(tb, BS_ENOMEM);
		tb_unref(tb, n);
		return NULL;
	}
	(*tb->elements)++;
	if (n->depth > tb->max_depth)
		tb->max_depth = n->depth;
	return n;
}

static bool stack_room(struct html_tree *tb, bool textlike)
{
	if (tb->nstack < tb->depth_cap ||
	    (textlike && tb->nstack < tb->depth_cap + 1))
		return true;
	if (!tb->hit_depth) {
		tb->hit_depth = true;
		tb_problem(tb, "html-depth");
	}
	return false;
}

/*
 * Insert an element at the appropriate place and push it. Past the depth
 * cap the element is still created and inserted but not pushed, and NULL
 * is returned, as when it was not created at all: callers then skip what
 * would follow the push (mode switches, markers).
 */
struct node *tb_insert(struct html_tree *tb, const struct elinfo *e,
                       bool textlike)
{
	struct place p = tb_place(tb, NULL);
	bool room = stack_room(tb, textlike);
	struct node *n;

	n = make_element(tb, e, &p, room ? 0 : HTML_EL_DEPTH_CAPPED);
	if (n == NULL)
		return NULL;
	place_node(tb, &p, n->h);
	if (!room) {
		node_popped(tb, n, tb->tok_end);
		return NULL;
	}
	tb_push(tb, n);
	tb_unref(tb, n);
	return n;
}

/* Insert an element that is popped at once (void elements). */
void tb_insert_void(struct html_tree *tb, const struct elinfo *e)
{
	struct place p = tb_place(tb, NULL);
	bool room = tb->nstack < tb->depth_cap;
	struct node *n;

	if (!room && !tb->hit_depth) {
		tb->hit_depth = true;
		tb_problem(tb, "html-depth");
	}
	n = make_element(tb, e, &p, room ? 0 : HTML_EL_DEPTH_CAPPED);
	if (n == NULL)
		return;
	place_node(tb, &p, n->h);
	node_popped(tb, n, tb->tok_end);
}

void tb_elinfo_token(struct elinfo *e, const struct html_token *t)
{
	memset(e, 0, sizeof(*e));
	e->ns = HTML_NS_HTML;
	e->tag = t->tag;
	e->name = t->name;
	e->name_len = t->name_len;
	e->attrs = t->attrs;
	e->nattrs = t->nattrs;
	e->span = t->span;
}

struct node *tb_insert_token(struct html_tree *tb, const struct html_token *t)
{
	struct elinfo e;

	tb_elinfo_token(&e, t);
	return tb_insert(tb, &e, false);
}

/* An element the algorithm implies (tbody, tr, colgroup, p...); force
 * for the html/head/body skeleton, made even past html_elements. */
struct node *tb_insert_implied(struct html_tree *tb, enum html_tag tag,
                               bool force)
{
	struct elinfo e;
	const char *name = html_tag_name(tag);

	memset(&e, 0, sizeof(e));
	e.ns = HTML_NS_HTML;
	e.tag = tag;
	e.name = name;
	e.name_len = strlen(name);
	e.span.start = e.span.end = tb->tok_start;
	e.flags = HTML_EL_IMPLIED;
	e.force = force;
	return tb_insert(tb, &e, false);
}

void tb_insert_comment(struct html_tree *tb, const struct html_token *t,
                       html_handle parent)
{
	html_handle h;
	struct place p;

	if (tb->sink->create_comment == NULL)
		return;
	if (parent) {
		memset(&p, 0, sizeof(p));
		p.parent = parent;
	} else {
		p = tb_place(tb, NULL);
	}
	if (tb->err)
		return;
	h = tb->sink->create_comment(tb->sctx, t->data, t->data_len, t->span);
	if (h == NULL) {
		tb_fail(tb, BS_ENOMEM);
		return;
	}
	place_node(tb, &p, h);
	if (tb->sink->release)
		tb->sink->release(tb->sctx, h);
}

/* The raw span of s[0..n) when the run was not changed by the tokenizer
 * (the bytes map one to one), else the span of the whole run. */
static struct html_span sub_span(const struct html_tree *tb, const char *s,
                                 size_t n)
{
	const struct html_token *t = tb->cur;
	struct html_span sp = tb->alt_span;
	uintptr_t p = (uintptr_t)s, d;

	if (t == NULL || t->type != HTML_TOKEN_CHARACTER)
		return sp;
	d = (uintptr_t)t->data;
	if (p < d || p + n > d + t->data_len)
		return sp;
	sp = t->span;
	if (t->span.end - t->span.start == t->data_len) {
		sp.start = t->span.start + (uint64_t)(p - d);
		sp.end = sp.start + n;
	}
	return sp;
}

static void text_at(struct html_tree *tb, const struct place *p, const char *s,
                    size_t n, struct html_span sp)
{
	if (n == 0 || p->none)
		return;
	if (p->before) {
		if (tb->sink->insert_text_before)
			tb->sink->insert_text_before(tb->sctx, p->before, s, n,
			                             sp);
	} else if (tb->sink->append_text) {
		tb->sink->append_text(tb->sctx, p->parent, s, n, sp);
	}
}

/* Insert characters that hold no NUL. */
void tb_insert_text(struct html_tree *tb, const char *s, size_t n)
{
	struct place p;

	if (n == 0)
		return;
	p = tb_place(tb, NULL);
	if (tb->err)
		return;
	text_at(tb, &p, s, n, sub_span(tb, s, n));
}

/* Insert characters, dropping NULs or replacing them with U+FFFD. */
void tb_insert_text_nul(struct html_tree *tb, const char *s, size_t n,
                        bool replace)
{
	static const char fffd[] = "\xEF\xBF\xBD";
	struct place p;

	if (n == 0)
		return;
	p = tb_place(tb, NULL);
	if (tb->err)
		return;
	while (n) {
		const char *z = memchr(s, '\0', n);
		size_t k = z ? (size_t)(z - s) : n;

		text_at(tb, &p, s, k, sub_span(tb, s, k));
		if (z == NULL)
			break;
		if (replace)
			text_at(tb, &p, fffd, 3, sub_span(tb, z, 1));
		s = z + 1;
		n -= k + 1;
	}
}

/* --- the list of active formatting elements --- */

static void afe_remove_raw(struct html_tree *tb, unsigned i)
{
	struct node *n = tb->afe[i];

	memmove(&tb->afe[i], &tb->afe[i + 1],
	        (tb->nafe - i - 1) * sizeof(tb->afe[0]));
	tb->nafe--;
	if (n) {
		tb->nafe_el--;
		n->bits &= (uint8_t)~N_IN_AFE;
		tb_unref(tb, n);
	}
}

void tb_afe_remove_at(struct html_tree *tb, unsigned i)
{
	if (i < tb->nafe)
		afe_remove_raw(tb, i);
}

static void afe_hit(struct html_tree *tb)
{
	if (!tb->hit_fmt) {
		tb->hit_fmt = true;
		tb_problem(tb, "html-formatting");
	}
}

/* Make room for one entry: past the caps the oldest entries go (those
 * after the last marker first), which only loses the re-creation of
 * formatting that old. */
static void afe_make_room(struct html_tree *tb, bool element)
{
	if (element && tb->nafe_el >= tb->fmt_cap) {
		unsigned i, last_marker = 0;
		bool have_marker = false;

		for (i = tb->nafe; i-- > 0;)
			if (tb->afe[i] == NULL) {
				last_marker = i;
				have_marker = true;
				break;
			}
		i = have_marker ? last_marker + 1 : 0;
		for (; i < tb->nafe && tb->afe[i] == NULL; i++)
			;
		if (i >= tb->nafe)
			for (i = 0; i < tb->nafe && tb->afe[i] == NULL; i++)
				;
		if (i < tb->nafe)
			afe_remove_raw(tb, i);
		afe_hit(tb);
	}
	if (tb->nafe >= tb->afe_cap) {
		afe_remove_raw(tb, 0);
		afe_hit(tb);
	}
}

void tb_afe_marker(struct html_tree *tb)
{
	afe_make_room(tb, false);
	tb->afe[tb->nafe++] = NULL;
}

void tb_afe_push(struct html_tree *tb, struct node *n,
                 const struct html_token *t)
{
	unsigned i, same = 0, earliest = 0;

	if (n == NULL)
		return;
	if (n->fmt == NULL) {
		n->fmt = fmt_copy_new(tb, t->attrs, t->nattrs);
		if (n->fmt == NULL)
			return;
	}
	/* Noah's Ark: at most three identical entries after the last
	 * marker. */
	for (i = tb->nafe; i-- > 0;) {
		struct node *o = tb->afe[i];

		if (o == NULL)
			break;
		if (o->tag == n->tag && o->ns == n->ns &&
		    fmt_equal(o->fmt, n->fmt)) {
			same++;
			earliest = i;
		}
	}
	if (same >= 3)
		afe_remove_raw(tb, earliest);
	afe_make_room(tb, true);
	tb_ref(n);
	n->bits |= N_IN_AFE;
	tb->afe[tb->nafe++] = n;
	tb->nafe_el++;
}

void tb_afe_clear_to_marker(struct html_tree *tb)
{
	while (tb->nafe) {
		bool marker = tb->afe[tb->nafe - 1] == NULL;

		afe_remove_raw(tb, tb->nafe - 1);
		if (marker)
			break;
	}
}

/* Index of the last element with this tag after the last marker. */
int tb_afe_find_tag(const struct html_tree *tb, enum html_tag tag)
{
	unsigned i;

	for (i = tb->nafe; i-- > 0;) {
		if (tb->afe[i] == NULL)
			return -1;
		if (tb->afe[i]->tag == tag)
			return (int)i;
	}
	return -1;
}

int tb_afe_index(const struct html_tree *tb, const struct node *n)
{
	unsigned i;

	if (!(n->bits & N_IN_AFE))
		return -1;
	for (i = tb->nafe; i-- > 0;)
		if (tb->afe[i] == n)
			return (int)i;
	return -1;
}

static void afe_replace(struct html_tree *tb, unsigned i, struct node *n)
{
	struct node *old = tb->afe[i];

	tb_ref(n);
	n->bits |= N_IN_AFE;
	tb->afe[i] = n;
	if (old) {
		old->bits &= (uint8_t)~N_IN_AFE;
		tb_unref(tb, old);
	}
}

static void elinfo_clone(struct elinfo *e, const struct node *n, uint64_t at)
{
	const char *name = html_tag_name((enum html_tag)n->tag);

	memset(e, 0, sizeof(*e));
	e->ns = n->ns;
	e->tag = (enum html_tag)n->tag;
	e->name = n->name ? n->name : name;
	e->name_len = n->name ? n->name_len : strlen(name);
	e->attrs = n->fmt ? n->fmt->attrs : NULL;
	e->nattrs = n->fmt ? n->fmt->nattrs : 0;
	e->span.start = e->span.end = at;
	e->flags = HTML_EL_IMPLIED;
	e->fmt = n->fmt;
}

/* 13.2.4.3 Reconstruct the active formatting elements. */
void tb_reconstruct(struct html_tree *tb)
{
	unsigned i;

	if (tb->nafe == 0)
		return;
	i = tb->nafe - 1;
	if (tb->afe[i] == NULL || (tb->afe[i]->bits & N_ON_STACK))
		return;
	while (i > 0) {
		struct node *o = tb->afe[i - 1];

		if (o == NULL || (o->bits & N_ON_STACK))
			break;
		i--;
	}
	for (; i < tb->nafe; i++) {
		struct elinfo e;
		struct node *n;

		/* with the stack full, a re-created element could not hold
		 * anything: stop rather than create empty copies */
		if (tb->nstack >= tb->depth_cap) {
			stack_room(tb, false);
			return;
		}
		elinfo_clone(&e, tb->afe[i], tb->tok_start);
		n = tb_insert(tb, &e, false);
		if (n == NULL)
			return;
		afe_replace(tb, i, n);
	}
}

static void stack_replace(struct html_tree *tb, unsigned i, struct node *n)
{
	struct node *old = tb->stack[i];

	on_stack(tb, n);
	tb->stack[i] = n;
	tb->index_dirty = true;
	node_popped(tb, old, tb->tok_start);
}

static void stack_insert_at(struct html_tree *tb, unsigned i, struct node *n)
{
	memmove(&tb->stack[i + 1], &tb->stack[i],
	        (tb->nstack - i) * sizeof(tb->stack[0]));
	tb->nstack++;
	on_stack(tb, n);
	tb->stack[i] = n;
	tb->index_dirty = true;
}

static void append_node(struct html_tree *tb, struct node *parent,
                        struct node *child)
{
	struct place p = place_into(tb, parent);

	place_node(tb, &p, child->h);
}

/*
 * 13.2.6.4.7 The adoption agency algorithm. Returns false when the caller
 * must act as for "any other end tag".
 */
bool tb_adoption(struct html_tree *tb, const struct html_token *t)
{
	enum html_tag subject = t->tag;
	struct node *cur = cur_node(tb);
	unsigned outer;

	if (cur && is_html(cur, subject) && !(cur->bits & N_IN_AFE)) {
		tb_pop(tb);
		return true;
	}
	for (outer = 0; outer < 8; outer++) {
		struct node *fe, *fb = NULL, *ca, *node, *last;
		int fe_afe, fe_st, fb_st = -1, i, node_idx;
		unsigned bookmark, inner;

		if (tb->err)
			return true;
		fe_afe = tb_afe_find_tag(tb, subject);
		if (fe_afe < 0)
			return false;
		fe = tb->afe[fe_afe];
		fe_st = tb_stack_index(tb, fe);
		if (fe_st < 0) {
			afe_remove_raw(tb, (unsigned)fe_afe);
			return true;
		}
		if (!tb_node_in_scope(tb, fe))
			return true;
		for (i = fe_st + 1; i < (int)tb->nstack; i++)
			if (tb->stack[i]->cat & C_SPECIAL) {
				fb = tb->stack[i];
				fb_st = i;
				break;
			}
		/* Without a furthest block, or without room for the four
		 * elements an iteration may create (limits.html_elements),
		 * just close the formatting element. */
		if (fb == NULL || !element_budget(tb, 4)) {
			tb_pop_until_node(tb, fe);
			i = tb_afe_index(tb, fe);
			if (i >= 0)
				afe_remove_raw(tb, (unsigned)i);
			return true;
		}
		ca = tb->stack[fe_st - 1 >= 0 ? fe_st - 1 : 0];
		bookmark = (unsigned)fe_afe;
		node = last = fb;
		/* positions are tracked here: the index is not consulted
		 * while the stack changes in the middle */
		node_idx = fb_st;
		for (inner = 1;; inner++) {
			struct elinfo e;
			struct node *nn;
			struct place p;
			int ai;

			node_idx--;
			node = tb->stack[node_idx];
			if (node_idx == fe_st)
				break;
			ai = tb_afe_index(tb, node);
			if (inner > 3 && ai >= 0) {
				afe_remove_raw(tb, (unsigned)ai);
				if ((unsigned)ai < bookmark)
					bookmark--;
				ai = -1;
			}
			if (ai < 0) {
				stack_remove_at(tb, (unsigned)node_idx);
				fb_st--;
				continue;
			}
			elinfo_clone(&e, node, tb->tok_start);
			p = place_in(ca);
			nn = make_element(tb, &e, &p, 0);
			if (nn == NULL)
				return true;
			afe_replace(tb, (unsigned)ai, nn);
			stack_replace(tb, (unsigned)node_idx, nn);
			node = nn;
			if (last == fb)
				bookmark = (unsigned)ai + 1;
			/* append detaches last from its old parent */
			append_node(tb, node, last);
			last = node;
			tb_unref(tb, nn);
		}
		{
			struct place p;
			struct elinfo e;
			struct node *nn;
			int fi;

			p = tb_place(tb, ca);
			place_node(tb, &p, last->h);

			elinfo_clone(&e, fe, tb->tok_start);
			p = place_in(fb);
			nn = make_element(tb, &e, &p, 0);
			if (nn == NULL)
				return true;
			if (tb->sink->reparent_children)
				tb->sink->reparent_children(tb->sctx, fb->h,
				                            nn->h);
			append_node(tb, fb, nn);
			/* replace fe in the list by nn, at the bookmark */
			fi = tb_afe_index(tb, fe);
			if (fi >= 0) {
				afe_remove_raw(tb, (unsigned)fi);
				if ((unsigned)fi < bookmark)
					bookmark--;
			}
			if (bookmark > tb->nafe)
				bookmark = tb->nafe;
			memmove(&tb->afe[bookmark + 1], &tb->afe[bookmark],
			        (tb->nafe - bookmark) * sizeof(tb->afe[0]));
			tb->nafe++;
			tb->nafe_el++;
			tb_ref(nn);
			nn->bits |= N_IN_AFE;
			tb->afe[bookmark] = nn;
			/* and in the stack: fe out, nn just below fb */
			stack_remove_at(tb, (unsigned)fe_st);
			fb_st--;
			stack_insert_at(tb, (unsigned)fb_st + 1, nn);
			tb_unref(tb, nn);
		}
	}
	return true;
}

/* --- tokenizer feedback --- */

void tb_tokenizer_state(struct html_tree *tb, int state)
{
	if (tb->tokz)
		html_tokenizer_set_state(tb->tokz,
		                         (enum html_tokenizer_state)state);
}

static void update_foreign(struct html_tree *tb)
{
	struct node *acn = adjusted_cur(tb);
	bool f = acn && acn->ns != HTML_NS_HTML;

	if (f != tb->tok_foreign) {
		tb->tok_foreign = f;
		if (tb->tokz)
			html_tokenizer_set_foreign(tb->tokz, f);
	}
}

/* --- public API --- */

static void release_all(struct html_tree *tb)
{
	while (tb->nafe)
		afe_remove_raw(tb, tb->nafe - 1);
	while (tb->nstack) {
		struct node *n = tb->stack[--tb->nstack];

		off_stack(tb, n);
		tb_unref(tb, n);
	}
	tb->index_dirty = true;
	tb_set_ptr(tb, &tb->head, NULL);
	tb_set_ptr(tb, &tb->form, NULL);
	tb_set_ptr(tb, &tb->ctx, NULL);
}

static bool setup_context(struct html_tree *tb,
                          const struct html_tree_options *opt)
{
	char lower[32];
	const char *name = opt->context_name;
	size_t len = strlen(name), i;
	struct elinfo e;
	struct node *root, *ctx;
	struct place p;
	enum html_tag tag;

	tb->fragment = true;
	for (i = 0; i < len && i < sizeof(lower); i++)
		lower[i] = (name[i] >= 'A' && name[i] <= 'Z')
		               ? (char)(name[i] + 32)
		               : name[i];
	tag = len < sizeof(lower) ? html_tag_lookup(lower, len)
	                          : HTML_TAG_UNKNOWN;
	ctx = node_new(tb);
	if (ctx == NULL)
		return false;
	ctx->refs = 1;
	ctx->ns = (uint8_t)opt->context_ns;
	ctx->tag = (uint16_t)tag;
	ctx->cat = tb_category(ctx->ns, tag);
	ctx->bits = N_CONTEXT;
	ctx->depth = opt->base_depth;
	if (tag == HTML_TAG_UNKNOWN &&
	    !node_set_name(tb, ctx, lower,
	                   len < sizeof(lower) ? len : sizeof(lower)))
		return false;
	tb->ctx = ctx;

	memset(&e, 0, sizeof(e));
	e.ns = HTML_NS_HTML;
	e.tag = HTML_TAG_HTML;
	e.name = "html";
	e.name_len = 4;
	e.flags = HTML_EL_IMPLIED | opt->root_flags;
	e.force = true;
	memset(&p, 0, sizeof(p));
	p.parent = tb->frag_parent ? tb->frag_parent : tb->doc;
	p.depth = opt->base_depth;
	root = make_element(tb, &e, &p, 0);
	if (root == NULL)
		return false;
	place_node(tb, &p, root->h);
	tb_push(tb, root);
	tb_unref(tb, root);

	if (ctx->ns == HTML_NS_HTML && tag == HTML_TAG_TEMPLATE)
		tb_tmode_push(tb, M_IN_TEMPLATE);
	tb_reset_mode(tb);
	if (ctx->ns == HTML_NS_HTML && tag == HTML_TAG_FORM)
		tb_set_ptr(tb, &tb->form, ctx);

	if (tb->tokz && ctx->ns == HTML_NS_HTML) {
		int st = -1;

		switch (tag) {
		case HTML_TAG_TITLE:
		case HTML_TAG_TEXTAREA:
			st = HTML_STATE_RCDATA;
			break;
		case HTML_TAG_STYLE:
		case HTML_TAG_XMP:
		case HTML_TAG_IFRAME:
		case HTML_TAG_NOEMBED:
		case HTML_TAG_NOFRAMES:
			st = HTML_STATE_RAWTEXT;
			break;
		case HTML_TAG_SCRIPT:
			st = HTML_STATE_SCRIPT_DATA;
			break;
		case HTML_TAG_NOSCRIPT:
			if (tb->scripting)
				st = HTML_STATE_RAWTEXT;
			break;
		case HTML_TAG_PLAINTEXT:
			st = HTML_STATE_PLAINTEXT;
			break;
		default:
			break;
		}
		if (st >= 0)
			html_tokenizer_set_state(tb->tokz,
			                         (enum html_tokenizer_state)st);
	}
	update_foreign(tb);
	return true;
}

struct html_tree *html_tree_new(const struct html_tree_options *opt)
{
	struct html_tree *tb;
	const struct bs_limits *lim = opt->limits;
	unsigned depth;
	int ovf = 0;

	if (lim == NULL || opt->sink == NULL ||
	    opt->sink->create_element == NULL)
		return NULL;
	tb = bs_calloc(1, sizeof(*tb));
	if (tb == NULL)
		return NULL;
	tb->sink = opt->sink;
	tb->sctx = opt->sink_ctx;
	tb->lim = lim;
	tb->problems = opt->problems;
	tb->tokz = opt->tokenizer;
	tb->scripting = opt->scripting;
	tb->srcdoc = opt->iframe_srcdoc;
	tb->frameset_ok = true;
	tb->mode = M_INITIAL;
	tb->el_flags = opt->element_flags;
	tb->frag_parent = opt->fragment_parent;
	tb->base_depth = opt->base_depth;
	tb->root_flags = opt->root_flags;
	tb->elements =
	    opt->element_count ? opt->element_count : &tb->own_elements;
	/* a handful of levels are needed for html, head, body, table... */
	depth = lim->html_depth < 8 ? 8 : lim->html_depth;
	/* stack positions are int16_t in the index */
	if (depth > 32000)
		depth = 32000;
	tb->depth_cap = depth;
	tb->fmt_cap = lim->html_formatting < 4 ? 4 : lim->html_formatting;
	tb->afe_cap = tb->fmt_cap + depth + 1;
	tb->tmodes_cap = depth + 1;
	tb->stack = bs_malloc(bs_mul(depth + 2, sizeof(*tb->stack), &ovf));
	tb->afe = bs_malloc(bs_mul(tb->afe_cap + 1, sizeof(*tb->afe), &ovf));
	tb->tmodes = bs_malloc(tb->tmodes_cap);
	tb->prev = bs_malloc(bs_mul(depth + 2, sizeof(*tb->prev), &ovf));
	tb->near = bs_malloc(bs_mul(depth + 2, sizeof(*tb->near), &ovf));
	tb->seed = 0x811C9DC5u ^ (uint32_t)((uintptr_t)tb >> 4) * 0x9E3779B1u;
	memset(tb->top_known, 0xFF, sizeof(tb->top_known));
	memset(tb->top_unknown, 0xFF, sizeof(tb->top_unknown));
	bs_buf_init(&tb->pend, lim->html_token_bytes);
	if (ovf || !tb->stack || !tb->afe || !tb->tmodes || !tb->prev ||
	    !tb->near)
		goto fail;
	if (opt->fragment_parent == NULL && tb->sink->document) {
		tb->doc = tb->sink->document(tb->sctx);
		if (tb->doc == NULL)
			goto fail;
	}
	if (opt->context_name) {
		if (!setup_context(tb, opt) || tb->err)
			goto fail;
	}
	return tb;
fail:
	html_tree_free(&tb);
	return NULL;
}

void html_tree_free(struct html_tree **ptb)
{
	struct html_tree *tb = ptb ? *ptb : NULL;
	unsigned c;

	if (tb == NULL)
		return;
	if (tb->stack && tb->afe)
		release_all(tb);
	while (tb->blocks) {
		struct node_block *b = tb->blocks;

		tb->blocks = b->next;
		bs_free(b);
	}
	for (c = 0; c < 3; c++)
		while (tb->free_fmt[c]) {
			struct fmt_copy *f = tb->free_fmt[c];

			tb->free_fmt[c] = f->next_free;
			bs_free(f);
		}
	bs_buf_release(&tb->pend);
	bs_free(tb->scratch);
	bs_free(tb->stack);
	bs_free(tb->afe);
	bs_free(tb->tmodes);
	bs_free(tb->prev);
	bs_free(tb->near);
	bs_free(tb);
	*ptb = NULL;
}

/* The tree construction dispatcher, for one run of characters: each
 * piece goes to the rules that apply to it, which may change as the run
 * is consumed (an implied <body>, a popped <colgroup>...). */
static void process_chars(struct html_tree *tb, const char *s, size_t n)
{
	unsigned guard = 0;

	while (n && !tb->err && !tb->done) {
		struct node *acn = adjusted_cur(tb);
		size_t used;

		if (acn == NULL || acn->ns == HTML_NS_HTML ||
		    (acn->cat & (C_TEXT_IP | C_HTML_IP))) {
			used = tb_mode_chars(tb, s, n);
		} else {
			tb_foreign_chars(tb, s, n);
			used = n;
		}
		if (used > n)
			used = n;
		s += used;
		n -= used;
		/* a piece not consumed means a mode change; a bug that
		 * changed nothing must not spin */
		guard = used ? 0 : guard + 1;
		if (guard > 16)
			break;
	}
}

static void stop_parsing(struct html_tree *tb)
{
	tb->done = true;
	while (tb->nstack)
		tb_pop_end(tb, tb->tok_start);
	release_all(tb);
}

int html_tree_token(void *ctx, struct html_token *t)
{
	struct html_tree *tb = ctx;
	bool skip_lf;

	if (tb->err)
		return tb->err;
	if (tb->done)
		return 0;
	if (t->type == HTML_TOKEN_CHARACTER && t->data_len == 0)
		return 0;
	tb->cur = t;
	tb->tok_start = t->span.start;
	tb->tok_end = t->span.end;
	tb->alt_span = t->span;
	skip_lf = tb->skip_lf;
	tb->skip_lf = false;
	if (t->type == HTML_TOKEN_CHARACTER) {
		const char *s = t->data;
		size_t n = t->data_len;

		if (skip_lf && s[0] == '\n') {
			s++;
			n--;
		}
		process_chars(tb, s, n);
	} else {
		struct node *acn = adjusted_cur(tb);

		if (tb_use_html_rules(acn, t))
			tb_run(tb, t);
		else
			tb_foreign(tb, t);
		if (t->type == HTML_TOKEN_EOF && !tb->done && !tb->err)
			stop_parsing(tb);
	}
	if (!tb->done) {
		update_foreign(tb);
		index_check(tb);
	}
	tb->cur = NULL;
	return tb->err;
}

html_handle html_tree_current_node(const struct html_tree *tb)
{
	struct node *n = cur_node(tb);

	return n ? n->h : NULL;
}

unsigned html_tree_current_depth(const struct html_tree *tb)
{
	struct node *n = cur_node(tb);

	return n ? n->depth : tb->base_depth;
}

html_handle html_tree_document(const struct html_tree *tb)
{
	return tb->doc;
}

unsigned html_tree_max_depth(const struct html_tree *tb)
{
	return tb->max_depth;
}

void html_tree_set_element_flags(struct html_tree *tb, unsigned flags)
{
	tb->el_flags = flags;
}

unsigned html_tree_element_flags(const struct html_tree *tb)
{
	return tb->el_flags;
}
