/*
 * alloc.h - the one allocation wrapper of the library.
 *
 * Every allocation in src/lib goes through these functions (raw malloc is
 * banned elsewhere, see tools/checksrc). That gives tests one place to count
 * allocations and to make the Nth one fail, as curl's torture tests do, so
 * that every error path can be walked under LeakSanitizer.
 *
 * The counters are thread-local: a failure injected in a test thread does
 * not leak into another thread's work.
 */
#ifndef BS_UTIL_ALLOC_H
#define BS_UTIL_ALLOC_H

#include <stddef.h>

void *bs_malloc(size_t n);
void *bs_calloc(size_t nmemb, size_t size);
void *bs_realloc(void *p, size_t n);
/* Copy of [s, s+n) with a NUL appended, or NULL. */
char *bs_strndup(const char *s, size_t n);
void bs_free(void *p);

/*
 * Make the nth allocation from now fail (1 = the next one), and every
 * allocation after it too when sticky is non-zero. n == 0 disarms.
 */
void bs_alloc_fail_at(unsigned long n, int sticky);
/* Allocations made by this thread since the last bs_alloc_fail_at(). */
unsigned long bs_alloc_count(void);
/* Non-zero once an injected failure has been triggered. */
int bs_alloc_failed(void);

/* a * b, or 0 with *overflow set when it does not fit in size_t. */
static inline size_t bs_mul(size_t a, size_t b, int *overflow)
{
	size_t r;
	if (__builtin_mul_overflow(a, b, &r)) {
		*overflow = 1;
		return 0;
	}
	return r;
}

static inline size_t bs_add(size_t a, size_t b, int *overflow)
{
	size_t r;
	if (__builtin_add_overflow(a, b, &r)) {
		*overflow = 1;
		return 0;
	}
	return r;
}

#endif
