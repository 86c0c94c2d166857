#include "alloc.h"

#include <stdlib.h>
#include <string.h>

static _Thread_local unsigned long alloc_count;
static _Thread_local unsigned long fail_at;
static _Thread_local int fail_sticky;
static _Thread_local int fail_triggered;

void bs_alloc_fail_at(unsigned long n, int sticky)
{
	alloc_count = 0;
	fail_at = n;
	fail_sticky = sticky;
	fail_triggered = 0;
}

unsigned long bs_alloc_count(void)
{
	return alloc_count;
}

int bs_alloc_failed(void)
{
	return fail_triggered;
}

/* One choke point decides whether this allocation is to fail. */
static int should_fail(void)
{
	alloc_count++;
	if (fail_at == 0)
		return 0;
	if (alloc_count == fail_at || (fail_sticky && alloc_count > fail_at)) {
		fail_triggered = 1;
		return 1;
	}
	return 0;
}

void *bs_malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *bs_calloc(size_t nmemb, size_t size)
{
	if (should_fail())
		return NULL;
	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	return calloc(nmemb, size);
}

void *bs_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

char *bs_strndup(const char *s, size_t n)
{
	char *d;
	if (n == (size_t)-1)
		return NULL;
	d = bs_malloc(n + 1);
	if (d == NULL)
		return NULL;
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void bs_free(void *p)
{
	free(p);
}
