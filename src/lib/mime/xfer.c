/*
 * xfer.c - Content-Transfer-Encoding (RFC 2045): quoted-printable and
 * base64 decoding with a map from decoded offsets back to raw ones.
 *
 * Decoding is a sequence of tokens, each a run of raw bytes and the bytes
 * it decodes to. The decoder and the offset query share the token
 * functions, so a query re-walks tokens from a checkpoint and is exact by
 * construction. Checkpoints are placed every XFER_STRIDE raw bytes and
 * around any long token, so a query never walks more than about
 * XFER_STRIDE bytes plus the token that holds the answer.
 *
 * Leniency (what mail clients do, not what RFC 2045 demands):
 *   QP: "=" not followed by two hex digits or a line end is kept as a
 *       literal "="; lower-case hex is accepted; blanks before a line end
 *       are kept (RFC 2045 6.7 rule 3 says drop them; GMime and the HTML
 *       that follows do not care, and keeping them keeps the map 1:1).
 *   base64: characters outside the alphabet are skipped; "=" ends a group
 *       and decoding resumes after it (concatenated base64 blocks); a
 *       final group of 2 or 3 characters without padding still decodes.
 */
#include <string.h>

#include "mime/mime_int.h"
#include "util/alloc.h"
#include "util/str.h"

#define XFER_STRIDE 128

struct xtok {
	size_t rlen;
	size_t olen;
	bool exact; /* output is raw[r, r+olen) */
	unsigned char out[3];
	unsigned flags;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static size_t eol_at(const char *p, size_t len, size_t i)
{
	if (i < len && p[i] == '\n')
		return 1;
	if (i + 1 < len && p[i] == '\r' && p[i + 1] == '\n')
		return 2;
	return 0;
}

/* The bytes that end a quoted-printable literal run. */
static const bool qp_special[256] = {
    ['='] = true, ['\n'] = true, ['\r'] = true};

static void qp_token(const char *p, size_t len, size_t r, struct xtok *tk)
{
	size_t i = r, e;
	int hi, lo;

	tk->flags = 0;
	tk->exact = true;
	if (p[r] == '=') {
		if (r + 2 < len &&
		    (hi = bs_hexval((unsigned char)p[r + 1])) >= 0 &&
		    (lo = bs_hexval((unsigned char)p[r + 2])) >= 0) {
			tk->rlen = 3;
			tk->olen = 1;
			tk->exact = false;
			tk->out[0] = (unsigned char)(hi << 4 | lo);
			return;
		}
		for (i = r + 1; i < len && blank(p[i]); i++)
			;
		e = eol_at(p, len, i);
		if (e || i == len) { /* soft line break */
			tk->rlen = i + e - r;
			tk->olen = 0;
			return;
		}
		tk->rlen = tk->olen = 1;
		tk->flags = XFER_BAD_QP;
		return;
	}
	if ((e = eol_at(p, len, r))) {
		tk->rlen = tk->olen = e;
		return;
	}
	/* A run of literal bytes, up to the stride: one table lookup a byte. */
	e = len - r < XFER_STRIDE ? len : r + XFER_STRIDE;
	for (i = r + 1; i < e && !qp_special[(unsigned char)p[i]]; i++)
		;
	tk->rlen = tk->olen = i - r;
}

static const signed char b64val[256] = {
#define X -1
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  62, X,  X,  X,  63, 52, 53, 54, 55, 56, 57, 58, 59, 60,
    61, X,  X,  X,  X,  X,  X,  X,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
    11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X,  X,  X,  X,
    X,  X,  26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42,
    43, 44, 45, 46, 47, 48, 49, 50, 51, X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,
#undef X
};

static bool b64_skippable(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void b64_token(const char *p, size_t len, size_t r, struct xtok *tk)
{
	unsigned long acc = 0;
	size_t i = r;
	unsigned n = 0;
	int v;

	tk->flags = 0;
	tk->exact = false;
	if (b64val[(unsigned char)p[r]] < 0) {
		/* A run of non-alphabet bytes decodes to nothing. */
		while (i < len && b64val[(unsigned char)p[i]] < 0) {
			if (!b64_skippable(p[i]) && p[i] != '=')
				tk->flags |= XFER_BAD_BASE64;
			i++;
		}
		tk->rlen = i - r;
		tk->olen = 0;
		return;
	}
	while (i < len && n < 4) {
		v = b64val[(unsigned char)p[i]];
		if (v >= 0) {
			acc = acc << 6 | (unsigned long)v;
			n++;
		} else if (p[i] == '=') {
			break;
		} else if (!b64_skippable(p[i])) {
			tk->flags |= XFER_BAD_BASE64;
		}
		i++;
	}
	if (n < 4 && i < len && p[i] == '=') {
		/* Padding ends the group: take the "=" run with it. */
		while (i < len && p[i] == '=')
			i++;
	} else if (n < 4) {
		tk->flags |= (n == 1) ? XFER_BAD_BASE64 : XFER_TRUNCATED_BASE64;
	}
	tk->rlen = i - r;
	switch (n) {
	case 4:
		tk->out[0] = (unsigned char)(acc >> 16);
		tk->out[1] = (unsigned char)(acc >> 8);
		tk->out[2] = (unsigned char)acc;
		tk->olen = 3;
		break;
	case 3:
		acc <<= 6;
		tk->out[0] = (unsigned char)(acc >> 16);
		tk->out[1] = (unsigned char)(acc >> 8);
		tk->olen = 2;
		break;
	case 2:
		acc <<= 12;
		tk->out[0] = (unsigned char)(acc >> 16);
		tk->olen = 1;
		break;
	default:
		if (n == 1)
			tk->flags |= XFER_BAD_BASE64;
		tk->olen = 0;
		break;
	}
}

static void next_token(enum mime_cte cte, const char *p, size_t len, size_t r,
                       struct xtok *tk)
{
	if (cte == MIME_CTE_QP)
		qp_token(p, len, r, tk);
	else
		b64_token(p, len, r, tk);
}

static bool identity(enum mime_cte cte)
{
	return cte != MIME_CTE_QP && cte != MIME_CTE_BASE64;
}

static int add_cp(struct xfer_map *m, size_t t, size_t r, size_t exact)
{
	struct xfer_cp *v;
	size_t cap;
	int ovf = 0;

	if (m->n == m->cap) {
		cap = m->cap ? m->cap * 2 : 16;
		v = bs_realloc(m->cp, bs_mul(cap, sizeof(*v), &ovf));
		if (v == NULL || ovf)
			return BS_ENOMEM;
		m->cp = v;
		m->cap = cap;
	}
	m->cp[m->n].t = t;
	m->cp[m->n].r = r;
	m->cp[m->n].exact = exact;
	m->n++;
	return 0;
}

int xfer_decode(struct xfer_map *map, char **owned, const char **out,
                size_t *out_len, const char *raw, size_t len, enum mime_cte cte,
                unsigned *flags)
{
	struct xtok tk;
	char *buf = NULL;
	size_t r = 0, t = 0, last = 0, ex;
	int err = 0;

	memset(map, 0, sizeof(*map));
	map->cte = cte;
	map->raw = raw;
	map->raw_len = len;
	*owned = NULL;
	*flags = 0;
	if (identity(cte)) {
		*out = raw;
		*out_len = len;
		return 0;
	}
	/* Both encodings decode to at most as many bytes as they use. */
	buf = bs_malloc(len + 1);
	if (buf == NULL)
		return BS_ENOMEM;
	if ((err = add_cp(map, 0, 0, 0)) != 0)
		goto out;
	while (r < len) {
		next_token(cte, raw, len, r, &tk);
		if (tk.rlen > XFER_STRIDE || r - last >= XFER_STRIDE) {
			ex = (tk.exact && tk.rlen > XFER_STRIDE) ? tk.olen : 0;
			if (map->cp[map->n - 1].r == r)
				map->cp[map->n - 1].exact = ex;
			else if ((err = add_cp(map, t, r, ex)) != 0)
				goto out;
			last = r;
		}
		if (tk.exact)
			memcpy(buf + t, raw + r, tk.olen);
		else
			memcpy(buf + t, tk.out, tk.olen);
		*flags |= tk.flags;
		t += tk.olen;
		r += tk.rlen;
		if (tk.rlen > XFER_STRIDE) {
			/* Queries past a long token start after it. */
			if ((err = add_cp(map, t, r, 0)) != 0)
				goto out;
			last = r;
		}
	}
	buf[t] = '\0';
	*owned = buf;
	*out = buf;
	*out_len = t;
	buf = NULL;
out:
	bs_free(buf);
	if (err)
		xfer_map_release(map);
	return err;
}

size_t xfer_raw_offset(const struct xfer_map *map, size_t t)
{
	const struct xfer_cp *c;
	struct xtok tk;
	size_t lo, hi, mid, r, at;

	if (identity(map->cte) || map->n == 0)
		return t < map->raw_len ? t : map->raw_len;
	/* The last checkpoint with c->t <= t. */
	lo = 0;
	hi = map->n;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (map->cp[mid].t <= t)
			lo = mid;
		else
			hi = mid;
	}
	c = &map->cp[lo];
	if (t - c->t < c->exact)
		return c->r + (t - c->t);
	r = c->r;
	at = c->t;
	while (r < map->raw_len) {
		next_token(map->cte, map->raw, map->raw_len, r, &tk);
		if (t < at + tk.olen)
			return tk.exact ? r + (t - at) : r;
		at += tk.olen;
		r += tk.rlen;
	}
	return map->raw_len;
}

void xfer_map_release(struct xfer_map *map)
{
	bs_free(map->cp);
	map->cp = NULL;
	map->n = map->cap = 0;
}
