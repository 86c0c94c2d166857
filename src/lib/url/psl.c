/*
 * psl.c - a thin, bounded wrapper over libpsl: hosts come as spans and
 * leave as offsets, IP literals and odd hosts never reach libpsl.
 */
#include "psl.h"

#include <errno.h>
#include <libpsl.h>
#include <stdbool.h>
#include <string.h>

#include "util/alloc.h"
#include "util/str.h"

struct bs_psl {
	const psl_ctx_t *ctx;
	psl_ctx_t *owned; /* NULL when ctx is libpsl's built-in list */
};

int bs_psl_load(struct bs_psl **out, const char *path)
{
	struct bs_psl *p;

	*out = NULL;
	p = bs_calloc(1, sizeof(*p));
	if (p == NULL)
		return BS_ENOMEM;
	if (path != NULL) {
		p->owned = psl_load_file(path);
		if (p->owned == NULL || psl_suffix_count(p->owned) <= 0) {
			psl_free(p->owned);
			bs_free(p);
			if (errno == 0)
				errno = EINVAL;
			return BS_EIO;
		}
		p->ctx = p->owned;
	} else {
		/* The distribution's list when it is newer than the one
		 * compiled into libpsl. */
		p->owned = psl_latest(NULL);
		p->ctx = p->owned ? p->owned : psl_builtin();
		if (p->ctx == NULL) {
			bs_free(p);
			return BS_EIO;
		}
	}
	*out = p;
	return 0;
}

void bs_psl_free(struct bs_psl **psl)
{
	if (psl == NULL || *psl == NULL)
		return;
	psl_free((*psl)->owned);
	bs_free(*psl);
	*psl = NULL;
}

int bs_psl_rules(const struct bs_psl *psl)
{
	/* libpsl counts only lists it parsed from text; -1 otherwise. */
	return psl_suffix_count(psl->ctx);
}

/* An IPv6 literal, or an IPv4 address in any form the URL parser reads:
 * no public suffix ends in a number. */
static bool is_ip(const char *h, size_t n)
{
	size_t i = n;

	if (n > 0 && h[0] == '[')
		return true;
	while (i > 0 && h[i - 1] != '.')
		i--;
	if (i == n)
		return false;
	if (n - i >= 2 && h[i] == '0' && (h[i + 1] == 'x' || h[i + 1] == 'X'))
		return true;
	for (; i < n; i++)
		if (!bs_is_ascii_digit((unsigned char)h[i]))
			return false;
	return true;
}

int bs_psl_split(const struct bs_psl *psl, const char *host, size_t len,
                 struct bs_psl_split *out)
{
	char stack[256], *z = stack;
	const char *r;
	size_t i, n = len;

	out->kind = BS_PSL_INVALID;
	if (n > 0 && host[n - 1] == '.')
		n--;
	out->end = n;
	out->suffix = n;
	out->registrable = n;
	if (n == 0 || host[0] == '.' || host[n - 1] == '.' ||
	    memchr(host, '\0', n) != NULL)
		return 0;
	for (i = 0; i + 1 < n; i++)
		if (host[i] == '.' && host[i + 1] == '.')
			return 0;
	if (is_ip(host, n)) {
		out->kind = BS_PSL_IP;
		out->suffix = 0;
		return 0;
	}
	if (memchr(host, '.', n) == NULL) {
		out->kind = BS_PSL_SINGLE_LABEL;
		out->suffix = 0;
		return 0;
	}
	if (n >= sizeof(stack)) {
		z = bs_malloc(n + 1);
		if (z == NULL)
			return BS_ENOMEM;
	}
	for (i = 0; i < n; i++)
		z[i] = bs_ascii_lower(host[i]);
	z[n] = '\0';
	r = psl_unregistrable_domain(psl->ctx, z);
	out->suffix = r ? (size_t)(r - z) : 0;
	r = psl_registrable_domain(psl->ctx, z);
	if (r != NULL) {
		out->kind = BS_PSL_DOMAIN;
		out->registrable = (size_t)(r - z);
	} else {
		out->kind = BS_PSL_PUBLIC_SUFFIX;
	}
	if (z != stack)
		bs_free(z);
	return 0;
}

const char *bs_psl_owner(const struct bs_psl *psl, const char *host, size_t len,
                         size_t *olen)
{
	struct bs_psl_split s;

	if (bs_psl_split(psl, host, len, &s) != 0 || s.kind != BS_PSL_DOMAIN) {
		*olen = len > 0 && host[len - 1] == '.' ? len - 1 : len;
		return host;
	}
	*olen = s.end - s.registrable;
	return host + s.registrable;
}
