/*
 * index.c - rules bucketed by the key of each selector's rightmost
 * compound: its id, else a class, else its type, else "universal".
 *
 * The buckets are one array sorted by (bucket, key) and searched by
 * binary search, comparing ASCII case-insensitively so that quirks mode
 * can use the same index; the exact comparison happens in the matcher. A
 * sorted array has no worst case an attacker can pick, as hash collisions
 * would give. The array is sorted lazily on the first match after an add.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/str.h"

enum bucket {
	B_ID,
	B_CLASS,
	B_TAG,
};

struct ientry {
	const char *key; /* the selector's own name (any case) */
	size_t key_len;
	uint8_t bucket;
	const struct css_rule *rule;
	const struct css_complex *sel;
	uint64_t order;
};

struct hit {
	const struct css_rule *rule;
	uint32_t spec;
	uint64_t order;
};

struct css_index {
	const struct bs_limits *lim;
	struct bs_limits lim_store;
	struct bs_problems *problems;
	struct css_budget *budget;
	struct css_budget own;
	bool quirks;
	bool have_media;
	struct css_media_env media;
	struct ientry *e; /* keyed entries */
	size_t n, a;
	struct ientry *u; /* universal entries */
	size_t nu, au;
	bool sorted;
	uint32_t sheets;
	size_t nrules;
	struct hit *hits;
	size_t nhits, ahits;
};

static int grow(void **v, size_t *alloc, size_t n, size_t sz)
{
	size_t na, bytes;
	void *nv;
	int ovf = 0;

	if (n < *alloc)
		return 0;
	na = *alloc ? *alloc * 2 : 64;
	bytes = bs_mul(na, sz, &ovf);
	if (ovf)
		return BS_ENOMEM;
	nv = bs_realloc(*v, bytes);
	if (nv == NULL)
		return BS_ENOMEM;
	*v = nv;
	*alloc = na;
	return 0;
}

/* ASCII case-insensitive order of (bucket, key). */
static int keycmp(uint8_t ba, const char *a, size_t an, uint8_t bb,
                  const char *b, size_t bn)
{
	size_t i, n = an < bn ? an : bn;

	if (ba != bb)
		return ba < bb ? -1 : 1;
	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)bs_ascii_lower(a[i]);
		unsigned char y = (unsigned char)bs_ascii_lower(b[i]);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return an < bn ? -1 : an > bn ? 1 : 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct ientry *a = pa, *b = pb;
	int c = keycmp(a->bucket, a->key, a->key_len, b->bucket, b->key,
	               b->key_len);

	if (c)
		return c;
	/* Ties in source order, so that equal keys keep a stable order. */
	return a->order < b->order ? -1 : a->order > b->order;
}

int css_index_new(struct css_index **out, const struct css_index_options *o)
{
	struct css_index *idx;

	*out = NULL;
	idx = bs_calloc(1, sizeof(*idx));
	if (idx == NULL)
		return BS_ENOMEM;
	idx->lim = css_limits(o ? o->limits : NULL, &idx->lim_store);
	idx->problems = o ? o->problems : NULL;
	idx->budget = o && o->budget ? o->budget : &idx->own;
	idx->quirks = o ? o->quirks : false;
	if (o && o->media) {
		idx->have_media = true;
		idx->media = *o->media;
	}
	idx->sorted = true;
	*out = idx;
	return 0;
}

void css_index_free(struct css_index **ip)
{
	struct css_index *idx;

	if (ip == NULL || *ip == NULL)
		return;
	idx = *ip;
	bs_free(idx->e);
	bs_free(idx->u);
	bs_free(idx->hits);
	bs_free(idx);
	*ip = NULL;
}

size_t css_index_size(const struct css_index *idx)
{
	return idx ? idx->nrules : 0;
}

static bool media_holds(const struct css_index *idx, const struct css_cond *c)
{
	if (!idx->have_media)
		return true;
	for (; c; c = c->parent)
		if (c->kind == CSS_COND_MEDIA &&
		    !css_media_matches(c->text, c->text_len, &idx->media))
			return false;
	return true;
}

static int add_selector(struct css_index *idx, const struct css_rule *r,
                        const struct css_complex *sel, uint64_t order)
{
	const struct css_compound *c = &sel->c[sel->n - 1];
	const struct css_simple *key = NULL;
	struct ientry *e;
	size_t i;
	uint8_t bucket = B_TAG;

	for (i = 0; i < c->n && !key; i++)
		if (c->s[i].kind == CSS_SK_ID) {
			key = &c->s[i];
			bucket = B_ID;
		}
	for (i = 0; i < c->n && !key; i++)
		if (c->s[i].kind == CSS_SK_CLASS) {
			key = &c->s[i];
			bucket = B_CLASS;
		}
	for (i = 0; i < c->n && !key; i++)
		if (c->s[i].kind == CSS_SK_TYPE) {
			key = &c->s[i];
			bucket = B_TAG;
		}
	if (key == NULL) {
		if (grow((void **)&idx->u, &idx->au, idx->nu, sizeof(*e)))
			return BS_ENOMEM;
		e = &idx->u[idx->nu++];
		e->key = NULL;
		e->key_len = 0;
	} else {
		if (grow((void **)&idx->e, &idx->a, idx->n, sizeof(*e)))
			return BS_ENOMEM;
		e = &idx->e[idx->n++];
		e->key = key->name;
		e->key_len = key->name_len;
		idx->sorted = false;
	}
	e->bucket = bucket;
	e->rule = r;
	e->sel = sel;
	e->order = order;
	return 0;
}

int css_index_add(struct css_index *idx, const struct css_sheet *sheet)
{
	uint32_t seq;
	size_t i, j;

	if (idx == NULL || sheet == NULL)
		return BS_EINVAL;
	seq = idx->sheets++;
	for (i = 0; i < sheet->nrules; i++) {
		const struct css_rule *r = &sheet->rules[i];
		const struct css_selectors *s = r->selectors;
		uint64_t order = ((uint64_t)seq << 32) | r->index;

		if (r->kind != CSS_RULE_STYLE || (r->flags & CSS_RULE_NESTED) ||
		    s == NULL || (r->nvdecls == 0 && r->nurls == 0) ||
		    !media_holds(idx, r->cond))
			continue;
		for (j = 0; j < s->n; j++) {
			if (s->sel[j].pseudo_element || s->sel[j].n == 0)
				continue;
			if (add_selector(idx, r, &s->sel[j], order))
				return BS_ENOMEM;
		}
		idx->nrules++;
	}
	return 0;
}

static int push_hit(struct css_index *idx, const struct ientry *e)
{
	struct hit *h;

	if (grow((void **)&idx->hits, &idx->ahits, idx->nhits, sizeof(*h)))
		return BS_ENOMEM;
	h = &idx->hits[idx->nhits++];
	h->rule = e->rule;
	h->spec = e->sel->spec;
	h->order = e->order;
	return 0;
}

/* Test every entry of (bucket, key). */
static int probe(struct css_index *idx, uint8_t bucket, const char *key,
                 size_t key_len, const struct css_element *el,
                 struct css_match *m)
{
	size_t lo = 0, hi = idx->n, i;

	if (m->limited || key_len == 0)
		return 0;
	m->steps++;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ientry *e = &idx->e[mid];

		if (keycmp(e->bucket, e->key, e->key_len, bucket, key,
		           key_len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < idx->n && !m->limited; i++) {
		const struct ientry *e = &idx->e[i];

		if (keycmp(e->bucket, e->key, e->key_len, bucket, key,
		           key_len) != 0)
			break;
		if (css_sel_match_complex(e->sel, el, m) && push_hit(idx, e))
			return BS_ENOMEM;
	}
	return 0;
}

static bool html_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int hit_by_rule(const void *pa, const void *pb)
{
	const struct hit *a = pa, *b = pb;

	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	/* The highest specificity first: it is the one kept. */
	return a->spec > b->spec ? -1 : a->spec < b->spec;
}

static int hit_by_cascade(const void *pa, const void *pb)
{
	const struct hit *a = pa, *b = pb;

	if (a->spec != b->spec)
		return a->spec < b->spec ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

int css_index_match(struct css_index *idx, const struct css_element *el,
                    struct css_cascade *c, css_match_fn fn, void *ctx)
{
	struct css_match m;
	size_t i, k;
	int rc = 0;

	if (idx == NULL || el == NULL)
		return BS_EINVAL;
	if (!idx->sorted) {
		if (idx->n > 1)
			qsort(idx->e, idx->n, sizeof(idx->e[0]), entry_cmp);
		idx->sorted = true;
	}
	memset(&m, 0, sizeof(m));
	m.quirks = idx->quirks;
	m.steps = idx->budget->match_steps;
	m.max_steps = idx->lim->css_match_steps;
	m.limited = m.max_steps && m.steps >= m.max_steps;
	idx->nhits = 0;
	if (el->id && (rc = probe(idx, B_ID, el->id, el->id_len, el, &m)))
		goto out;
	if (el->classes) {
		const char *s = el->classes;
		size_t n = el->classes_len;

		for (i = 0; i < n && !m.limited;) {
			while (i < n && html_ws(s[i]))
				i++;
			k = i;
			while (k < n && !html_ws(s[k]))
				k++;
			if (k > i &&
			    (rc = probe(idx, B_CLASS, s + i, k - i, el, &m)))
				goto out;
			i = k;
		}
	}
	if (el->name &&
	    (rc = probe(idx, B_TAG, el->name, el->name_len, el, &m)))
		goto out;
	for (i = 0; i < idx->nu && !m.limited; i++)
		if (css_sel_match_complex(idx->u[i].sel, el, &m) &&
		    (rc = push_hit(idx, &idx->u[i])))
			goto out;
	/* A rule reached through two keys (".a.b" on class="a b") or two
	 * of its selectors counts once, with its best specificity. */
	if (idx->nhits > 1)
		qsort(idx->hits, idx->nhits, sizeof(idx->hits[0]), hit_by_rule);
	for (i = 0, k = 0; i < idx->nhits; i++)
		if (k == 0 || idx->hits[k - 1].rule != idx->hits[i].rule)
			idx->hits[k++] = idx->hits[i];
	idx->nhits = k;
	if (idx->nhits > 1)
		qsort(idx->hits, idx->nhits, sizeof(idx->hits[0]),
		      hit_by_cascade);
	for (i = 0; i < idx->nhits; i++) {
		const struct hit *h = &idx->hits[i];

		if (c)
			css_cascade_rule(c, h->rule, h->spec, h->order);
		if (fn)
			fn(ctx, h->rule, h->spec);
	}
out:
	idx->budget->match_steps = m.steps;
	if (m.limited)
		bs_problems_add(idx->problems, "limit", "css-match-steps");
	return rc;
}
