/*
 * token.c - URL pieces, their shapes, and lenient decoders.
 *
 * The heuristics are deliberately plain (docs/URL.md gives the numbers and
 * why): a reviewer must be able to tell from the shape alone why a piece
 * was called opaque.
 */
#include "token.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "url_int.h"
#include "util/alloc.h"
#include "util/str.h"

/* ---- decoders ---- */

int bs_decode_percent(struct bs_buf *out, const char *s, size_t n,
                      bool plus_space)
{
	size_t i, run;

	for (i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%' && n - i > 2 &&
		    bs_is_ascii_hex((unsigned char)s[i + 1]) &&
		    bs_is_ascii_hex((unsigned char)s[i + 2])) {
			bs_buf_putc(out, (int)((unsigned)bs_hexval(
			                           (unsigned char)s[i + 1]) *
			                           16 +
			                       (unsigned)bs_hexval(
			                           (unsigned char)s[i + 2])));
			i += 3;
		} else if (c == '+' && plus_space) {
			bs_buf_putc(out, ' ');
			i++;
		} else {
			/* Copy the run up to the next byte that needs care. */
			for (run = i + 1; run < n && s[run] != '%' &&
			                  !(plus_space && s[run] == '+');
			     run++)
				;
			bs_buf_append(out, s + i, run - i);
			i = run;
		}
	}
	return bs_buf_error(out);
}

/* Value of a base64 or base64url character, -1 for others. */
static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (bs_is_ascii_digit(c))
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static bool ascii_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/*
 * Decode base64 or base64url, handing each byte to sink. Stops early,
 * with 1, when sink asks to.
 */
static int b64_stream(const char *s, size_t n,
                      int (*sink)(void *ctx, unsigned char b), void *ctx)
{
	uint32_t acc = 0;
	unsigned bits = 0, chars = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c == '=')
			break;
		if (ascii_ws(c))
			continue;
		v = b64val(c);
		if (v < 0)
			return BS_EPARSE;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		chars++;
		if (bits >= 8) {
			bits -= 8;
			if (sink(ctx, (unsigned char)(acc >> bits)))
				return 1;
			acc &= (1u << bits) - 1;
		}
	}
	if (chars % 4 == 1)
		return BS_EPARSE;
	return 0;
}

static int sink_buf(void *ctx, unsigned char b)
{
	return bs_buf_putc(ctx, b) != 0;
}

int bs_decode_base64(struct bs_buf *out, const char *s, size_t n)
{
	int rc = b64_stream(s, n, sink_buf, out);

	return rc < 0 ? rc : bs_buf_error(out);
}

int bs_decode_hex(struct bs_buf *out, const char *s, size_t n)
{
	size_t i;

	if (n % 2)
		return BS_EPARSE;
	for (i = 0; i < n; i++)
		if (!bs_is_ascii_hex((unsigned char)s[i]))
			return BS_EPARSE;
	for (i = 0; i < n; i += 2)
		bs_buf_putc(
		    out, (int)((unsigned)bs_hexval((unsigned char)s[i]) * 16 +
		               (unsigned)bs_hexval((unsigned char)s[i + 1])));
	return bs_buf_error(out);
}

/* ---- shapes ---- */

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!bs_is_ascii_digit((unsigned char)s[i]))
			return false;
	return n > 0;
}

static unsigned num(const char *s, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	return v;
}

/* Y, M, D at s with separator sep ('\0': none) between them. */
static bool ymd(const char *s, size_t n, char sep)
{
	size_t w = sep ? 10 : 8, m = sep ? 5 : 4, d = sep ? 8 : 6;
	unsigned y, mo, da;

	if (n < w || !digits(s, 4) || !digits(s + m, 2) || !digits(s + d, 2))
		return false;
	if (sep && (s[4] != sep || s[7] != sep))
		return false;
	y = num(s, 4);
	mo = num(s + m, 2);
	da = num(s + d, 2);
	return y >= 1990 && y <= 2099 && mo >= 1 && mo <= 12 && da >= 1 &&
	       da <= 31;
}

/* Unix time in seconds from 2000 to 2038 (January). */
static bool unix_time(const char *s, size_t n)
{
	unsigned long long v = 0;

	if ((n != 10 && n != 13) || !digits(s, n))
		return false;
	for (size_t i = 0; i < 10; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	return v >= 946684800ULL && v <= 2147483647ULL;
}

static bool is_date(const char *s, size_t n)
{
	static const char seps[] = "-_.";

	if (digits(s, n)) {
		return ((n == 8 || n == 12 || n == 14) && ymd(s, n, '\0')) ||
		       unix_time(s, n);
	}
	for (const char *p = seps; *p; p++) {
		/* 2024-05-01, 2024-05-01T10:00:00Z, 2024-05-01 10:00 */
		if (ymd(s, n, *p) &&
		    (n == 10 || s[10] == 'T' || s[10] == 't' || s[10] == ' '))
			return true;
		/* 01-05-2024, 01.05.2024 */
		if (n == 10 && s[2] == *p && s[5] == *p && digits(s, 2) &&
		    digits(s + 3, 2) && digits(s + 6, 4) &&
		    num(s + 6, 4) >= 1990 && num(s + 6, 4) <= 2099 &&
		    num(s + 3, 2) >= 1 && num(s + 3, 2) <= 12 &&
		    num(s, 2) >= 1 && num(s, 2) <= 31)
			return true;
	}
	return false;
}

static bool atext(unsigned char c)
{
	return bs_is_ascii_alpha(c) || bs_is_ascii_digit(c) ||
	       (c && strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL);
}

static bool is_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t l, i, label = 0, tld_alpha = 0, dots = 0;

	if (at == NULL || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
		return false;
	l = (size_t)(at - s);
	if (l == 0 || l > 64 || s[0] == '.' || s[l - 1] == '.')
		return false;
	for (i = 0; i < l; i++)
		if (!atext((unsigned char)s[i]))
			return false;
	for (i = l + 1; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			dots++;
			label = 0;
			tld_alpha = 0;
		} else if (bs_is_ascii_alpha(c) || bs_is_ascii_digit(c) ||
		           c == '-') {
			label++;
			tld_alpha += bs_is_ascii_alpha(c);
		} else {
			return false;
		}
	}
	return dots > 0 && label >= 2 && tld_alpha == label;
}

static bool vowel(unsigned char c)
{
	c = (unsigned char)bs_ascii_lower((char)c);
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' ||
	       c == 'y';
}

/* One part of a word-like piece: letters only, no rAnDoM case, and once
 * four letters or longer pronounceable: some vowels, not too many, no
 * long consonant runs, not longer than real words get. */
static bool word_part(const char *s, size_t n)
{
	size_t i, v = 0, up = 0, run = 0, maxrun = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!bs_is_ascii_alpha(c))
			return false;
		if (c <= 'Z') {
			/* camelCase is fine, rAnDoM case is not */
			if (up > 0 && i > 0 && s[i - 1] <= 'Z' && up != i)
				return false;
			up++;
		}
		if (vowel(c)) {
			v++;
			run = 0;
		} else if (++run > maxrun) {
			maxrun = run;
		}
	}
	if (up != n && up * 3 > n)
		return false;
	if (n < 4)
		return true;
	return n <= 24 && v * 9 >= n && v * 5 <= n * 4 && maxrun <= 5;
}

/* Words joined by - _ . or space; short numbers may sit between them
 * ("spring-sale-2024", "logo_2x.png" is not: "2x" is neither). */
static bool is_word(const char *s, size_t n)
{
	size_t i, start = 0, letters = 0;

	for (i = 0; i <= n; i++) {
		size_t pl = i - start;

		if (i < n && s[i] != '-' && s[i] != '_' && s[i] != '.' &&
		    s[i] != ' ')
			continue;
		if (pl > 0 && !(pl <= 4 && digits(s + start, pl))) {
			if (!word_part(s + start, pl))
				return false;
			letters += pl;
		}
		start = i + 1;
	}
	return letters >= 2;
}

static bool is_hex(const struct bs_token_shape *t, const char *s, size_t n)
{
	size_t lo = 0, up = 0;

	if (n < 8 || t->digit == n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!bs_is_ascii_hex(c))
			return false;
		lo += c >= 'a';
		up += c >= 'A' && c <= 'F';
	}
	return (lo == 0 || up == 0) && (t->digit > 0 || n >= 16);
}

static bool is_uuid(const char *s, size_t n)
{
	if (n != 36)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !bs_is_ascii_hex((unsigned char)s[i]))
			return false;
	}
	return true;
}

static int sink_text(void *ctx, unsigned char b)
{
	size_t *count = ctx;

	if (b < 0x20 || b > 0x7e) {
		*count = 0;
		return 1;
	}
	(*count)++;
	return 0;
}

/* BASE64 / BASE64URL / B64_TEXT bits for a piece that is neither hex nor
 * decimal. */
static unsigned base64_classes(const struct bs_token_shape *t, const char *s,
                               size_t n)
{
	size_t m = n, i, textlen = 0;
	bool std = true, url = true;
	unsigned cls = 0;

	while (m > 0 && n - m < 2 && s[m - 1] == '=')
		m--;
	if ((m < n && n % 4 != 0) || m < 8 || m % 4 == 1)
		return 0;
	for (i = 0; i < m; i++) {
		unsigned char c = (unsigned char)s[i];

		if (bs_is_ascii_alpha(c) || bs_is_ascii_digit(c))
			continue;
		std &= c == '+' || c == '/';
		url &= c == '-' || c == '_';
	}
	if (!std && !url)
		return 0;
	/* Random base64 of 8 or more characters lacks a letter case with a
	 * chance under 2%; lower case and digits alone are words and ids. */
	if (t->lower == 0 || t->upper == 0)
		return 0;
	cls = (std ? BS_TOKEN_BASE64 : 0) | (url ? BS_TOKEN_BASE64URL : 0);
	if (b64_stream(s, m, sink_text, &textlen) == 0 && textlen >= 4)
		cls |= BS_TOKEN_B64_TEXT;
	return cls;
}

static double entropy(const char *s, size_t n)
{
	size_t count[256] = {0};
	double h = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		count[(unsigned char)s[i]]++;
	for (size_t i = 0; i < 256; i++) {
		if (count[i]) {
			double p = (double)count[i] / (double)n;
			h -= p * log2(p);
		}
	}
	return h;
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/*
 * Opaque-token score (docs/URL.md): length from 6 to 24 bytes, entropy
 * against the most its alphabet and length allow, and how many of
 * lower/upper/digit it mixes.
 */
static double opaque_score(const struct bs_token_shape *t)
{
	double alpha = 0, hmax, len_f, ent_f, mix_f;
	unsigned kinds;

	if (t->len < 8 ||
	    (t->classes & (BS_TOKEN_WORD | BS_TOKEN_DATE | BS_TOKEN_EMAIL)))
		return 0;
	if (t->classes & (BS_TOKEN_HEX | BS_TOKEN_UUID)) {
		alpha = 16;
	} else {
		alpha += t->digit ? 10 : 0;
		alpha += t->lower ? 26 : 0;
		alpha += t->upper ? 26 : 0;
		alpha += t->other ? 4 : 0;
	}
	hmax = log2(alpha < (double)t->len ? alpha : (double)t->len);
	len_f = clamp01(((double)t->len - 6) / 18);
	ent_f = hmax > 0 ? clamp01(t->entropy / hmax) : 0;
	kinds = (t->lower > 0) + (t->upper > 0) + (t->digit > 0);
	mix_f = kinds ? (double)(kinds - 1) / 2 : 0;
	if ((t->classes & (BS_TOKEN_HEX | BS_TOKEN_UUID)) && mix_f < 0.5)
		mix_f = 0.5;
	return 0.4 * len_f + 0.35 * ent_f + 0.25 * mix_f;
}

void bs_token_classify(struct bs_token_shape *t, const char *s, size_t n)
{
	unsigned b64 = 0;

	memset(t, 0, sizeof(*t));
	t->len = n;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'a' && c <= 'z')
			t->lower++;
		else if (c >= 'A' && c <= 'Z')
			t->upper++;
		else if (bs_is_ascii_digit(c))
			t->digit++;
		else
			t->other++;
	}
	if (n > 0 && t->digit == n)
		t->classes |= BS_TOKEN_DECIMAL;
	if (is_hex(t, s, n))
		t->classes |= BS_TOKEN_HEX;
	if (is_uuid(s, n))
		t->classes |= BS_TOKEN_UUID;
	if (!(t->classes & (BS_TOKEN_HEX | BS_TOKEN_DECIMAL | BS_TOKEN_UUID)))
		b64 = base64_classes(t, s, n);
	if (is_word(s, n)) {
		t->classes |= BS_TOKEN_WORD;
		/* "Spring_Sale" is a word, unless it decodes to text */
		if (!(b64 & BS_TOKEN_B64_TEXT))
			b64 = 0;
	}
	t->classes |= b64;
	if (is_date(s, n))
		t->classes |= BS_TOKEN_DATE;
	if (is_email(s, n))
		t->classes |= BS_TOKEN_EMAIL;
	t->entropy = entropy(s, n);
	t->opaque = opaque_score(t);
	if (t->opaque >= BS_TOKEN_OPAQUE_MIN)
		t->classes |= BS_TOKEN_OPAQUE;
}

/* ---- splitting a URL ---- */

struct bs_url_tokens {
	size_t count;
	struct bs_url_token *tok;
	char *text;
	size_t text_used, text_cap;
};

/* A walk over the pieces of u. With t NULL it only counts them and the
 * bytes their decoded text may need; otherwise it fills t. */
struct walk {
	const struct bs_url *u;
	struct bs_url_tokens *t;
	size_t max, count, bytes;
	bool hit;
};

static void piece(struct walk *w, enum bs_token_where where, const char *href,
                  size_t off, size_t len, size_t index)
{
	struct bs_url_token *k;
	struct bs_buf b;

	if (len == 0)
		return;
	if (w->count == w->max) {
		w->hit = true;
		return;
	}
	w->count++;
	w->bytes += len + 1;
	if (w->t == NULL)
		return;
	k = &w->t->tok[w->count - 1];
	k->where = where;
	k->raw_off = off;
	k->raw_len = len;
	k->index = index;
	/* Decoding never grows a piece, so the slice reserved is enough. */
	b.data = w->t->text + w->t->text_used;
	b.len = 0;
	b.alloc = len + 1;
	b.max = len;
	b.err = 0;
	if (where == BS_TOKEN_HOST_LABEL)
		bs_buf_append(&b, href + off, len);
	else
		bs_decode_percent(&b, href + off, len, false);
	b.data[b.len] = '\0';
	k->text = b.data;
	k->text_len = b.len;
	w->t->text_used += b.len + 1;
	bs_token_classify(&k->shape, k->text, k->text_len);
}

/* Pieces of [s, s+n) split at sep, offsets relative to href. */
static void split(struct walk *w, enum bs_token_where where, const char *href,
                  size_t off, size_t n, char sep)
{
	size_t i, start = off, index = 0;

	for (i = off; i <= off + n; i++) {
		if (i < off + n && href[i] != sep)
			continue;
		if (i > start)
			piece(w, where, href, start, i - start, index);
		index++;
		start = i + 1;
	}
}

static void walk(struct walk *w)
{
	const char *href, *s;
	size_t n, i, start, pair = 0;

	href = bs_url_href(w->u, NULL);
	s = bs_url_get(w->u, BS_URL_HOST, &n);
	if (bs_url_host_type(w->u) == BS_URL_HOST_DOMAIN)
		split(w, BS_TOKEN_HOST_LABEL, href, (size_t)(s - href), n, '.');
	s = bs_url_get(w->u, BS_URL_PATH, &n);
	if (bs_url_has_opaque_path(w->u))
		piece(w, BS_TOKEN_PATH, href, (size_t)(s - href), n, 0);
	else if (n > 0) /* segments follow the leading '/' */
		split(w, BS_TOKEN_PATH, href, (size_t)(s - href) + 1, n - 1,
		      '/');
	s = bs_url_get(w->u, BS_URL_QUERY, &n);
	for (start = 0, i = 0; i <= n; i++) {
		const char *eq;
		size_t off = (size_t)(s - href) + start, plen = i - start;

		if (i < n && s[i] != '&')
			continue;
		eq = memchr(s + start, '=', plen);
		if (eq == NULL) {
			piece(w, BS_TOKEN_QUERY_KEY, href, off, plen, pair);
		} else {
			size_t kl = (size_t)(eq - (s + start));
			piece(w, BS_TOKEN_QUERY_KEY, href, off, kl, pair);
			piece(w, BS_TOKEN_QUERY_VALUE, href, off + kl + 1,
			      plen - kl - 1, pair);
		}
		if (plen)
			pair++;
		start = i + 1;
	}
}

int bs_url_tokens(struct bs_url_tokens **out, const struct bs_url *u,
                  const struct bs_limits *lim, struct bs_problems *pr)
{
	struct walk w = {u, NULL, 0, 0, 0, false};
	struct bs_url_tokens *t;
	struct bs_limits dl;
	size_t arr, total;
	int ovf = 0;

	*out = NULL;
	if (lim == NULL) {
		bs_limits_default(&dl);
		lim = &dl;
	}
	w.max = lim->url_tokens;
	walk(&w);
	arr = bs_mul(w.count, sizeof(struct bs_url_token), &ovf);
	total = bs_add(bs_add(sizeof(*t), arr, &ovf), w.bytes, &ovf);
	if (ovf)
		return BS_ENOMEM;
	t = bs_malloc(total);
	if (t == NULL)
		return BS_ENOMEM;
	memset(t, 0, sizeof(*t));
	t->tok = (struct bs_url_token *)(t + 1);
	t->text = (char *)(t->tok + w.count);
	t->text_cap = w.bytes;
	if (w.hit)
		bs_problems_add(pr, "limit", "url-tokens");
	w.t = t;
	w.count = 0;
	w.bytes = 0;
	walk(&w);
	t->count = w.count;
	*out = t;
	return 0;
}

size_t bs_url_tokens_count(const struct bs_url_tokens *t)
{
	return t->count;
}

const struct bs_url_token *bs_url_tokens_get(const struct bs_url_tokens *t,
                                             size_t i)
{
	return i < t->count ? &t->tok[i] : NULL;
}

void bs_url_tokens_free(struct bs_url_tokens **t)
{
	if (t == NULL)
		return;
	bs_free(*t);
	*t = NULL;
}
