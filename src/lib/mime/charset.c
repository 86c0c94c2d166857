/*
 * charset.c - a text part's bytes to UTF-8, as mail clients decode them.
 *
 * Choice of charset (docs/MIME.md has the reasons):
 *   1. a byte order mark wins (UTF-8, UTF-16LE/BE), as in browsers;
 *   2. the declared charset: UTF-8 labels decode as UTF-8 with U+FFFD for
 *      invalid sequences; the WHATWG labels of windows-1252 (us-ascii,
 *      iso-8859-1, latin1 ...) decode as windows-1252, except that us-ascii
 *      text that is valid UTF-8 is taken as UTF-8 (mislabelled mail is
 *      common, and 7-bit text is the same either way); anything else goes
 *      through iconv (GMime's charset aliases);
 *   3. none, or one iconv does not know ("mime:unknown-charset"): UTF-8 when
 *      the bytes are valid UTF-8, else for HTML the charset of a <meta> in
 *      the first 1024 bytes, else windows-1252.
 *
 * The map back to source bytes (struct cs_map) is exact for UTF-8 and
 * windows-1252 and for every single-byte iconv charset; for multi-byte
 * ones it keeps one checkpoint per line (or per 256 bytes).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gmime/gmime.h>

#include "mime/mime_int.h"
#include "util/alloc.h"
#include "util/str.h"

#define CS_CHUNK     256
#define CS_CHUNK_MIN 32
#define CS_META_SCAN 1024

static const unsigned short w1252_c1[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	o[0] = (char)(0xE0 | cp >> 12);
	o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

size_t cs_w1252_to_utf8(char *out, const char *s, size_t n)
{
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x80)
			out[o++] = (char)c;
		else if (c < 0xA0)
			o += put_utf8(out + o, w1252_c1[c - 0x80]);
		else
			o += put_utf8(out + o, c);
	}
	return o;
}

/*
 * Length of the UTF-8 sequence at s[i]: *ok when valid; otherwise the
 * length of its maximal invalid subpart (WHATWG: one U+FFFD each).
 */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t i, bool *ok)
{
	unsigned char c = s[i], lo = 0x80, hi = 0xBF;
	size_t need, k;

	*ok = true;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		*ok = false;
		return 1;
	}
	for (k = 1; k <= need; k++) {
		if (i + k >= n || s[i + k] < lo || s[i + k] > hi) {
			*ok = false;
			return k;
		}
		lo = 0x80;
		hi = 0xBF;
	}
	return need + 1;
}

bool cs_utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	bool ok;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		i += utf8_seq(u, n, i, &ok);
		if (!ok)
			return false;
	}
	return true;
}

static bool has_8bit(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

/* ---- output buffer with a cap that never splits a character ---- */

struct obuf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
	bool full; /* the cap was reached: stop */
	int err;
};

static bool ob_room(struct obuf *b, size_t n)
{
	size_t want;
	char *p;
	int ovf = 0;

	if (b->err || b->full)
		return false;
	if (n > b->max - b->len) {
		b->full = true;
		return false;
	}
	if (b->len + n <= b->cap)
		return true;
	want = b->cap ? b->cap : 256;
	while (want < b->len + n && !ovf)
		want = bs_mul(want, 2, &ovf);
	if (ovf || want > b->max + 1)
		want = b->max + 1;
	p = bs_realloc(b->p, want);
	if (p == NULL) {
		b->err = BS_ENOMEM;
		return false;
	}
	b->p = p;
	b->cap = want;
	return true;
}

static bool ob_put(struct obuf *b, const char *s, size_t n)
{
	if (!ob_room(b, n))
		return false;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return true;
}

/* ---- checkpoints ---- */

static int cs_add(struct cs_map *m, size_t u, size_t t, enum cs_mode mode)
{
	struct cs_cp *v, *last;
	size_t cap;
	int ovf = 0;

	if (m->full)
		return 0;
	if (m->n) {
		last = &m->cp[m->n - 1];
		if (last->u == u) { /* a later start wins */
			last->t = t;
			last->mode = (unsigned char)mode;
			return 0;
		}
		if (mode == CS_LINEAR && last->mode == CS_LINEAR &&
		    u - last->u == t - last->t)
			return 0;
	}
	if (m->n + 1 >= m->max) {
		/* Too many: everything from here maps to one point. */
		mode = CS_POINT;
		m->full = true;
	}
	if (m->n == m->cap) {
		cap = m->cap ? m->cap * 2 : 16;
		v = bs_realloc(m->cp, bs_mul(cap, sizeof(*v), &ovf));
		if (v == NULL || ovf)
			return BS_ENOMEM;
		m->cp = v;
		m->cap = cap;
	}
	m->cp[m->n].u = u;
	m->cp[m->n].t = t;
	m->cp[m->n].mode = (unsigned char)mode;
	m->n++;
	return 0;
}

/* ---- the decoders ---- */

static int dec_utf8(struct obuf *b, struct cs_map *m, const char *t,
                    size_t tlen, bool *bad)
{
	const unsigned char *s = (const unsigned char *)t;
	static const char fffd[] = "\xEF\xBF\xBD";
	size_t i = 0, k;
	bool ok, prev_ok = false;
	int err;

	while (i < tlen) {
		k = utf8_seq(s, tlen, i, &ok);
		if (ok != prev_ok || i == 0) {
			if ((err = cs_add(m, b->len, i,
			                  ok ? CS_LINEAR : CS_POINT)) != 0)
				return err;
			prev_ok = ok;
		}
		if (!ok)
			*bad = true;
		if (!(ok ? ob_put(b, t + i, k) : ob_put(b, fffd, 3)))
			break;
		i += k;
	}
	return b->err;
}

static int dec_w1252(struct obuf *b, struct cs_map *m, const char *t,
                     size_t tlen)
{
	size_t i, n;
	int err;

	for (i = 0; i < tlen; i += n) {
		n = tlen - i < CS_CHUNK ? tlen - i : CS_CHUNK;
		if ((err = cs_add(m, b->len, i, CS_SINGLE)) != 0)
			return err;
		if (!ob_room(b, 3 * n)) {
			/* Near the cap: one character at a time. */
			char tmp[3];
			size_t j, w;

			if (b->err)
				return b->err;
			b->full = false;
			for (j = 0; j < n; j++) {
				w = cs_w1252_to_utf8(tmp, t + i + j, 1);
				if (!ob_put(b, tmp, w))
					return b->err;
			}
			continue;
		}
		b->len += cs_w1252_to_utf8(b->p + b->len, t + i, n);
	}
	return 0;
}

static size_t count_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

static size_t chunk_end(const char *t, size_t tlen, size_t i)
{
	size_t e = i, lim = tlen - i > CS_CHUNK ? i + CS_CHUNK : tlen;
	const char *nl;

	if (lim - i > CS_CHUNK_MIN) {
		nl = memchr(t + i + CS_CHUNK_MIN, '\n', lim - i - CS_CHUNK_MIN);
		if (nl)
			return (size_t)(nl - t) + 1;
	}
	e = lim;
	return e;
}

static int dec_iconv(struct obuf *b, struct cs_map *m, iconv_t cd,
                     const char *t, size_t tlen, size_t start, bool *bad)
{
	static const char fffd[] = "\xEF\xBF\xBD";
	size_t i = start, e, u0, t0, inleft, outleft, r, consumed, avail, want;
	char *in, *outp;
	int err;

	while (i < tlen && !b->full) {
		e = chunk_end(t, tlen, i);
		u0 = b->len;
		t0 = i;
		in = (char *)(uintptr_t)(t + i);
		inleft = e - i;
		while (inleft > 0) {
			avail = b->max - b->len;
			want = inleft * 4 + 16;
			if (avail == 0) {
				b->full = true;
				break;
			}
			if (want > avail)
				want = avail;
			if (!ob_room(b, want))
				return b->err;
			outp = b->p + b->len;
			outleft = want;
			r = iconv(cd, &in, &inleft, &outp, &outleft);
			b->len = (size_t)(outp - b->p);
			if (r != (size_t)-1)
				continue;
			if (errno == E2BIG) {
				if (want == avail) {
					b->full = true;
					break;
				}
				continue;
			}
			if (errno == EINVAL && e < tlen) {
				/* Incomplete sequence at the chunk end. */
				if (inleft == e - t0) {
					e = tlen - e > 16 ? e + 16 : tlen;
					inleft = e - t0;
					continue;
				}
				break;
			}
			/* Invalid (or truncated at the very end): U+FFFD. */
			*bad = true;
			if (!ob_put(b, fffd, 3))
				break;
			in++;
			inleft--;
		}
		consumed = (size_t)(in - (t + t0));
		if (consumed == 0)
			break;
		if ((err =
		         cs_add(m, u0, t0,
		                count_chars(b->p + u0, b->len - u0) == consumed
		                    ? CS_SINGLE
		                    : CS_POINT)) != 0)
			return err;
		i = t0 + consumed;
	}
	/* Stateful charsets may owe a final shift sequence. */
	if (!b->full && b->max - b->len >= 16 && ob_room(b, 16)) {
		outp = b->p + b->len;
		outleft = 16;
		iconv(cd, NULL, NULL, &outp, &outleft);
		b->len = (size_t)(outp - b->p);
	}
	return b->err;
}

/* ---- choosing the charset ---- */

enum cs_kind {
	K_NONE,
	K_UTF8,
	K_W1252,
	K_ICONV,
};

static const char *const utf8_labels[] = {
    "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8", NULL,
};

static const char *const w1252_labels[] = {
    "ansi_x3.4-1968",
    "ascii",
    "cp1252",
    "cp819",
    "csisolatin1",
    "ibm819",
    "iso-8859-1",
    "iso-ir-100",
    "iso8859-1",
    "iso88591",
    "iso_8859-1",
    "iso_8859-1:1987",
    "l1",
    "latin1",
    "us-ascii",
    "windows-1252",
    "x-cp1252",
    "us",
    NULL,
};

static const char *const ascii_labels[] = {
    "us-ascii", "ascii", "ansi_x3.4-1968", "us", NULL,
};

/* Names that say "I don't know": no problem, just undeclared. */
static const char *const vague_labels[] = {
    "unknown-8bit", "x-unknown", "unknown", "default", "x-user-defined", NULL,
};

static bool in_list(const char *s, const char *const *l)
{
	for (; *l; l++)
		if (strcmp(s, *l) == 0)
			return true;
	return false;
}

/* Lower-cased, trimmed label into out; false when empty or too long. */
static bool norm_label(char *out, size_t outsz, const char *s, size_t n)
{
	size_t i = 0, j = 0, k;

	while (i < n &&
	       (s[i] == ' ' || s[i] == '\t' || s[i] == '"' || s[i] == '\''))
		i++;
	/* The first word: "utf-8 name=x" lost its ';' somewhere. */
	for (k = i; k < n; k++)
		if (s[k] == ' ' || s[k] == '\t' || s[k] == '"' ||
		    s[k] == '\'' || s[k] == ';' || s[k] == ',')
			break;
	n = k;
	if (n - i == 0 || n - i >= outsz)
		return false;
	for (; i < n; i++) {
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7F)
			return false;
		out[j++] = bs_ascii_lower(s[i]);
	}
	out[j] = '\0';
	return true;
}

/* The charset named by a <meta> in the first bytes of an HTML text. */
static bool meta_charset(const char *t, size_t n, char *out, size_t outsz)
{
	const char *p, *end, *tag_end, *c;
	size_t k;

	if (n > CS_META_SCAN)
		n = CS_META_SCAN;
	p = t;
	end = t + n;
	while ((p = bs_span_ifind(p, (size_t)(end - p), "<meta", 5)) != NULL) {
		tag_end = memchr(p, '>', (size_t)(end - p));
		if (tag_end == NULL)
			tag_end = end;
		c = bs_span_ifind(p, (size_t)(tag_end - p), "charset", 7);
		if (c) {
			c += 7;
			while (c < tag_end && (*c == ' ' || *c == '\t'))
				c++;
			if (c < tag_end && *c == '=') {
				c++;
				while (c < tag_end &&
				       (*c == ' ' || *c == '\t' || *c == '"' ||
				        *c == '\''))
					c++;
				for (k = 0; c + k < tag_end; k++)
					if (!(bs_is_ascii_alpha(
					          (unsigned char)c[k]) ||
					      bs_is_ascii_digit(
					          (unsigned char)c[k]) ||
					      c[k] == '-' || c[k] == '_' ||
					      c[k] == '.' || c[k] == ':'))
						break;
				if (norm_label(out, outsz, c, k))
					return true;
			}
		}
		p = tag_end;
	}
	return false;
}

/* Resolve a label; opens *cd for K_ICONV. */
static enum cs_kind resolve(const char *label, iconv_t *cd)
{
	if (in_list(label, utf8_labels))
		return K_UTF8;
	if (in_list(label, w1252_labels))
		return K_W1252;
	if (in_list(label, vague_labels))
		return K_NONE;
	*cd = g_mime_iconv_open("UTF-8", label);
	if (*cd != (iconv_t)-1)
		return K_ICONV;
	return K_NONE;
}

static void set_used(struct cs_result *res, const char *name)
{
	snprintf(res->used, sizeof(res->used), "%s", name);
}

int cs_decode(struct cs_result *res, struct cs_map *map, const char *t,
              size_t tlen, const char *declared, bool html, size_t max,
              struct bs_problems *pb)
{
	char label[40], meta[40];
	enum cs_kind kind = K_NONE;
	iconv_t cd = (iconv_t)-1;
	struct obuf b;
	size_t start = 0;
	bool bad = false, declared_ok = false;
	int err = 0;

	memset(res, 0, sizeof(*res));
	memset(map, 0, sizeof(*map));
	memset(&b, 0, sizeof(b));
	b.max = max;
	map->max = tlen / 8 + 64;

	if (tlen >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0) {
		kind = K_UTF8;
		set_used(res, "utf-8");
	} else if (tlen >= 2 && (memcmp(t, "\xFF\xFE", 2) == 0 ||
	                         memcmp(t, "\xFE\xFF", 2) == 0)) {
		set_used(res, t[0] == '\xFF' ? "utf-16le" : "utf-16be");
		cd = g_mime_iconv_open("UTF-8", res->used);
		if (cd != (iconv_t)-1) {
			kind = K_ICONV;
			start = 2;
		}
	}
	if (kind == K_NONE && declared &&
	    norm_label(label, sizeof(label), declared, strlen(declared))) {
		kind = resolve(label, &cd);
		declared_ok = kind != K_NONE || in_list(label, vague_labels);
		if (kind == K_W1252 && in_list(label, ascii_labels) &&
		    has_8bit(t, tlen) && cs_utf8_valid(t, tlen))
			kind = K_UTF8;
		set_used(res, kind == K_UTF8    ? "utf-8"
		              : kind == K_W1252 ? "windows-1252"
		                                : label);
	} else if (kind == K_NONE && declared && declared[0]) {
		declared_ok = false;
	} else if (kind == K_NONE) {
		declared_ok = true;
	}
	if (kind == K_NONE && !declared_ok)
		bs_problems_add(pb, "mime", "unknown-charset");
	if (kind == K_NONE) {
		if (cs_utf8_valid(t, tlen)) {
			kind = K_UTF8;
		} else if (html && meta_charset(t, tlen, meta, sizeof(meta))) {
			kind = strncmp(meta, "utf-16", 6) == 0
			           ? K_UTF8
			           : resolve(meta, &cd);
			if (kind == K_NONE)
				kind = K_W1252;
		} else {
			kind = K_W1252;
		}
		set_used(res, kind == K_UTF8    ? "utf-8"
		              : kind == K_W1252 ? "windows-1252"
		                                : meta);
	}

	if ((kind == K_UTF8 && cs_utf8_valid(t, tlen)) ||
	    (kind == K_W1252 && !has_8bit(t, tlen))) {
		/* The common case: no copy, identity map. */
		size_t n = tlen;

		map->identity = true;
		if (n > max) {
			n = max;
			while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
				n--;
			res->truncated = true;
		}
		res->text = t;
		res->len = n;
		map->u = t;
		map->ulen = n;
		goto out;
	}
	if (kind == K_UTF8)
		err = dec_utf8(&b, map, t, tlen, &bad);
	else if (kind == K_W1252)
		err = dec_w1252(&b, map, t, tlen);
	else
		err = dec_iconv(&b, map, cd, t, tlen, start, &bad);
	if (err)
		goto out;
	if (bad)
		bs_problems_add(pb, "mime", "bad-charset-data");
	if (b.err) {
		err = b.err;
		goto out;
	}
	res->truncated = b.full;
	if (b.p == NULL) {
		b.p = bs_malloc(1);
		if (b.p == NULL) {
			err = BS_ENOMEM;
			goto out;
		}
	}
	res->owned = b.p;
	res->text = b.p;
	res->len = b.len;
	map->u = b.p;
	map->ulen = b.len;
	b.p = NULL;
out:
	if (cd != (iconv_t)-1)
		g_mime_iconv_close(cd);
	bs_free(b.p);
	if (err) {
		cs_map_release(map);
		memset(res, 0, sizeof(*res));
	}
	return err;
}

size_t cs_source_offset(const struct cs_map *m, size_t u)
{
	const struct cs_cp *c;
	size_t lo, hi, mid, t;

	if (m->identity || m->n == 0)
		return u;
	if (u > m->ulen)
		u = m->ulen;
	lo = 0;
	hi = m->n;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (m->cp[mid].u <= u)
			lo = mid;
		else
			hi = mid;
	}
	c = &m->cp[lo];
	if (c->u > u)
		return 0;
	switch (c->mode) {
	case CS_LINEAR:
		t = c->t + (u - c->u);
		break;
	case CS_SINGLE:
		t = c->t + count_chars(m->u + c->u, u - c->u);
		break;
	default:
		t = c->t;
		break;
	}
	if (lo + 1 < m->n && t > m->cp[lo + 1].t)
		t = m->cp[lo + 1].t;
	return t;
}

void cs_map_release(struct cs_map *m)
{
	bs_free(m->cp);
	m->cp = NULL;
	m->n = m->cap = 0;
}
