#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"

#define CHUNK_MIN 4096

struct chunk {
	struct chunk *next;
	size_t size; /* usable bytes after the header */
	size_t used;
	alignas(max_align_t) unsigned char mem[];
};

struct bs_arena {
	struct chunk *head;
	size_t handed; /* total handed out, checked against max */
	size_t max;
	int err; /* why the last failed allocation failed */
};

struct bs_arena *bs_arena_new(size_t max)
{
	struct bs_arena *a = bs_calloc(1, sizeof(*a));
	if (a)
		a->max = max;
	return a;
}

void bs_arena_free(struct bs_arena **ap)
{
	struct bs_arena *a;
	struct chunk *c, *n;

	if (ap == NULL || *ap == NULL)
		return;
	a = *ap;
	for (c = a->head; c; c = n) {
		n = c->next;
		bs_free(c);
	}
	bs_free(a);
	*ap = NULL;
}

void bs_arena_clear(struct bs_arena *a)
{
	struct chunk *c, *n;

	if (a->head == NULL)
		return;
	/* Keep the newest chunk: chunks grow, so it is the largest, and a
	 * reused arena then serves the next message of the same size from
	 * memory that is already mapped. */
	c = a->head;
	for (n = c->next; n; n = c->next) {
		c->next = n->next;
		bs_free(n);
	}
	c->used = 0;
	a->handed = 0;
	a->err = 0;
}

void bs_arena_set_max(struct bs_arena *a, size_t max)
{
	a->max = max;
}

void *bs_arena_alloc(struct bs_arena *a, size_t n)
{
	const size_t al = alignof(max_align_t);
	struct chunk *c;
	size_t need, size;
	int ovf = 0;

	need = bs_add(n, al - 1, &ovf) & ~(al - 1);
	if (ovf || need > a->max || a->handed > a->max - need) {
		a->err = BS_ELIMIT;
		return NULL;
	}
	c = a->head;
	if (c == NULL || c->size - c->used < need) {
		size = need > CHUNK_MIN ? need : CHUNK_MIN;
		/* Grow chunk sizes geometrically so big messages need few
		 * chunks. */
		if (c && c->size * 2 > size && c->size < ((size_t)1 << 24))
			size = c->size * 2;
		c = bs_malloc(bs_add(sizeof(*c), size, &ovf));
		if (c == NULL || ovf) {
			bs_free(c);
			a->err = ovf ? BS_ELIMIT : BS_ENOMEM;
			return NULL;
		}
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	c->used += need;
	a->handed += need;
	return c->mem + c->used - need;
}

void *bs_arena_zalloc(struct bs_arena *a, size_t n)
{
	void *p = bs_arena_alloc(a, n);
	if (p)
		memset(p, 0, n);
	return p;
}

char *bs_arena_strndup(struct bs_arena *a, const char *s, size_t n)
{
	char *d;
	int ovf = 0;
	size_t sz = bs_add(n, 1, &ovf);

	if (ovf)
		return NULL;
	d = bs_arena_alloc(a, sz);
	if (d == NULL)
		return NULL;
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

int bs_arena_error(const struct bs_arena *a)
{
	return a->err;
}

size_t bs_arena_used(const struct bs_arena *a)
{
	return a->handed;
}
