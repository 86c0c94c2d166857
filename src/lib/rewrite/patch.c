/*
 * patch.c - a sorted, non-overlapping list of byte replacements.
 *
 * Replacement bytes live in one pool buffer (offsets, not pointers, since
 * the pool grows), so a list costs two allocations however many patches
 * it holds. Sorting is O(n log n); applying is one pass over the source.
 */
#include <stdlib.h>
#include <string.h>

#include "rewrite/rewrite.h"
#include "util/alloc.h"

void rw_patches_init(struct rw_patches *p, size_t max_patches, size_t max_bytes)
{
	memset(p, 0, sizeof(*p));
	p->max = max_patches;
	bs_buf_init(&p->pool, max_bytes);
}

void rw_patches_release(struct rw_patches *p)
{
	bs_free(p->v);
	bs_buf_release(&p->pool);
	memset(p, 0, sizeof(*p));
}

int rw_patches_add(struct rw_patches *p, size_t start, size_t end,
                   const char *text, size_t len, unsigned flags)
{
	struct rw_patch *r;
	size_t off = p->pool.len;
	int rc;

	if (end < start)
		return BS_EINVAL;
	if (p->n >= p->max)
		return BS_ELIMIT;
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 16;
		struct rw_patch *nv;
		if (nc > p->max)
			nc = p->max;
		nv = bs_realloc(p->v, nc * sizeof(*nv));
		if (nv == NULL)
			return BS_ENOMEM;
		p->v = nv;
		p->cap = nc;
	}
	if (len) {
		rc = bs_buf_append(&p->pool, text, len);
		if (rc)
			return rc;
	}
	r = &p->v[p->n];
	r->start = start;
	r->end = end;
	r->off = off;
	r->len = len;
	r->flags = flags;
	r->seq = p->n;
	p->n++;
	return 0;
}

static int cmp_patch(const void *a, const void *b)
{
	const struct rw_patch *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* At one offset: insertions first, then the longer range (a cover
	 * before what it holds), then the order of addition. */
	if (x->end != y->end)
		return x->end < y->end ? (x->end == x->start ? -1 : 1)
		                       : (y->end == y->start ? 1 : -1);
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int rw_patches_sort(struct rw_patches *p)
{
	size_t i, o = 0;
	size_t cover_end = 0;
	bool in_cover = false;
	const struct rw_patch *last = NULL;

	if (p->n > 1)
		qsort(p->v, p->n, sizeof(*p->v), cmp_patch);
	for (i = 0; i < p->n; i++) {
		struct rw_patch c = p->v[i];

		if (in_cover && c.start >= cover_end)
			in_cover = false;
		/* Inside a cover: an insertion at its very start goes before
		 * it and stays; everything else inside is dropped. */
		if (in_cover && c.end <= cover_end)
			continue;
		if (last && last->start == c.start && last->end == c.end &&
		    last->len == c.len &&
		    (c.len == 0 || memcmp(p->pool.data + last->off,
		                          p->pool.data + c.off, c.len) == 0))
			continue;
		if (last && c.start < last->end)
			return BS_EINVAL;
		p->v[o++] = c;
		last = &p->v[o - 1];
		if ((c.flags & RW_PATCH_COVER) && c.end > c.start) {
			in_cover = true;
			cover_end = c.end;
		}
	}
	p->n = o;
	return 0;
}

int rw_patches_apply(struct bs_buf *out, const char *src, size_t len,
                     const struct rw_patches *p)
{
	size_t i, pos = 0;

	for (i = 0; i < p->n; i++) {
		const struct rw_patch *c = &p->v[i];
		if (c->start < pos || c->end > len)
			return BS_EINVAL;
		bs_buf_append(out, src + pos, c->start - pos);
		if (c->len)
			bs_buf_append(out, p->pool.data + c->off, c->len);
		pos = c->end;
	}
	bs_buf_append(out, src + pos, len - pos);
	return bs_buf_error(out);
}
