/*
 * arena.h - per-message bump allocator.
 *
 * Short-lived objects of one message (references, findings, copied strings)
 * are allocated here and released all at once when the message is done, so
 * that no error path has to free piecemeal. An arena has a cap on the total
 * it may hand out; past it, allocations return NULL and the caller records
 * a limit problem.
 */
#ifndef BS_UTIL_ARENA_H
#define BS_UTIL_ARENA_H

#include <stddef.h>

#include "bugsweep/error.h"

struct bs_arena;

/* NULL when out of memory. max is the most bytes the arena may hand out. */
struct bs_arena *bs_arena_new(size_t max);
/* Free everything; accepts NULL and clears the pointer. */
void bs_arena_free(struct bs_arena **a);
/* Forget every allocation but keep the largest chunk for reuse. */
void bs_arena_clear(struct bs_arena *a);

/* Change the cap (for a reused arena); past allocations are not undone. */
void bs_arena_set_max(struct bs_arena *a, size_t max);
/* n bytes aligned for any type, or NULL (memory or cap). */
void *bs_arena_alloc(struct bs_arena *a, size_t n);
void *bs_arena_zalloc(struct bs_arena *a, size_t n);
/* NUL-terminated copy of [s, s+n). */
char *bs_arena_strndup(struct bs_arena *a, const char *s, size_t n);
/* Why the last allocation that failed did: BS_ELIMIT (the cap) or
 * BS_ENOMEM (the system); 0 when none has failed. */
int bs_arena_error(const struct bs_arena *a);
/* Bytes handed out so far. */
size_t bs_arena_used(const struct bs_arena *a);

#endif
