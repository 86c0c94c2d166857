/*
 * srcset.c - HTML Standard 4.8.4.3.10 "parse a srcset attribute", one
 * pass over the value. Descriptors are contiguous runs of the value, so
 * they are judged as spans the moment they end, never copied.
 */
#include "srcset.h"

#include <stdint.h>
#include <string.h>

#include "util/alloc.h"
#include "util/str.h"

static bool ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* "valid non-negative integer": one or more ASCII digits. */
static bool parse_int(const char *s, size_t n, unsigned *v)
{
	uint64_t x;

	if (n == 0 || bs_parse_uint(s, n, UINT32_MAX, &x) != n)
		return false;
	*v = (unsigned)x;
	return true;
}

/* "valid floating-point number", parsed without the locale's help. */
static bool parse_float(const char *s, size_t n, double *v)
{
	size_t i = 0, digits = 0;
	double m = 0, scale = 1;
	bool neg = false;
	long e = 0;

	if (i < n && s[i] == '-') {
		neg = true;
		i++;
	}
	for (; i < n && bs_is_ascii_digit((unsigned char)s[i]); i++, digits++)
		m = m * 10 + (s[i] - '0');
	if (i < n && s[i] == '.') {
		size_t frac = 0;
		for (i++; i < n && bs_is_ascii_digit((unsigned char)s[i]);
		     i++, frac++) {
			scale /= 10;
			m += (s[i] - '0') * scale;
		}
		if (frac == 0)
			return false;
		digits += frac;
	}
	if (digits == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		bool eneg = false;
		size_t ed = 0;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		for (; i < n && bs_is_ascii_digit((unsigned char)s[i]);
		     i++, ed++)
			if (e < 1000)
				e = e * 10 + (s[i] - '0');
		if (ed == 0)
			return false;
		for (; e > 0 && m != 0; e--)
			m = eneg ? m / 10 : m * 10;
	}
	if (i != n)
		return false;
	*v = neg ? -m : m;
	return true;
}

struct desc_state {
	bool error, has_w, has_x, has_h;
	unsigned w, h;
	double x;
};

/* Step "for each descriptor in descriptors" on one descriptor. */
static void judge(struct desc_state *d, const char *s, size_t n)
{
	unsigned iv;
	double fv;
	char last = n ? s[n - 1] : '\0';

	if (last == 'w' && parse_int(s, n - 1, &iv)) {
		if (d->has_w || d->has_x || iv == 0)
			d->error = true;
		d->has_w = true;
		d->w = iv;
	} else if (last == 'x' && parse_float(s, n - 1, &fv)) {
		if (d->has_w || d->has_x || d->has_h || fv < 0)
			d->error = true;
		d->has_x = true;
		d->x = fv;
	} else if (last == 'h' && parse_int(s, n - 1, &iv)) {
		if (d->has_h || d->has_x || iv == 0)
			d->error = true;
		d->has_h = true;
		d->h = iv;
	} else {
		d->error = true;
	}
}

enum dstate { IN_DESC, IN_PARENS, AFTER_DESC };

int bs_srcset_parse(struct bs_srcset_candidate **out, size_t *count,
                    const char *s, size_t n, const struct bs_limits *lim,
                    struct bs_problems *pr)
{
	struct bs_srcset_candidate *arr = NULL, *c;
	size_t cap = 0, cnt = 0, pos = 0, max;
	struct bs_limits dl;

	*out = NULL;
	*count = 0;
	if (lim == NULL) {
		bs_limits_default(&dl);
		lim = &dl;
	}
	max = lim->srcset_candidates;
	for (;;) {
		struct desc_state d = {0};
		size_t ustart, uend, dstart, dend, cur = 0, curlen = 0;
		enum dstate st = IN_DESC;

		while (pos < n && (ws((unsigned char)s[pos]) || s[pos] == ','))
			pos++;
		if (pos >= n)
			break;
		ustart = pos;
		while (pos < n && !ws((unsigned char)s[pos]))
			pos++;
		uend = pos;
		dstart = dend = pos;
		if (s[uend - 1] == ',') {
			while (uend > ustart && s[uend - 1] == ',')
				uend--;
		} else {
			while (pos < n && ws((unsigned char)s[pos]))
				pos++;
			dstart = dend = pos;
			for (;; pos++) {
				int ch = pos < n ? (unsigned char)s[pos] : -1;

				if (st == IN_DESC) {
					if (ch != -1 && ws((unsigned char)ch)) {
						if (curlen)
							judge(&d, s + cur,
							      curlen);
						curlen = 0;
						st = AFTER_DESC;
					} else if (ch == ',' || ch == -1) {
						if (curlen) {
							judge(&d, s + cur,
							      curlen);
							dend = cur + curlen;
						}
						if (ch == ',')
							pos++;
						break;
					} else {
						if (curlen++ == 0)
							cur = pos;
						if (ch == '(')
							st = IN_PARENS;
					}
				} else if (st == IN_PARENS) {
					if (ch == -1) {
						judge(&d, s + cur, curlen);
						dend = cur + curlen;
						break;
					}
					curlen++;
					if (ch == ')')
						st = IN_DESC;
				} else if (ch == -1) {
					break;
				} else if (!ws((unsigned char)ch)) {
					st = IN_DESC;
					pos--;
				}
				if (curlen)
					dend = cur + curlen;
			}
		}
		if (d.has_h && !d.has_w)
			d.error = true;
		if (cnt == max) {
			bs_problems_add(pr, "limit", "srcset-candidates");
			break;
		}
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			int ovf = 0;
			size_t bytes;

			if (ncap > max)
				ncap = max;
			bytes = bs_mul(ncap, sizeof(*arr), &ovf);
			c = ovf ? NULL : bs_realloc(arr, bytes);
			if (c == NULL) {
				bs_free(arr);
				return BS_ENOMEM;
			}
			arr = c;
			cap = ncap;
		}
		c = &arr[cnt++];
		c->url_off = ustart;
		c->url_len = uend - ustart;
		c->desc_off = dstart;
		c->desc_len = dend > dstart ? dend - dstart : 0;
		c->width = d.has_w ? d.w : 0;
		c->height = d.has_h ? d.h : 0;
		c->density = d.has_x ? d.x : 0;
		c->dropped = d.error;
	}
	*out = arr;
	*count = cnt;
	return 0;
}

void bs_srcset_free(struct bs_srcset_candidate **c)
{
	if (c == NULL)
		return;
	bs_free(*c);
	*c = NULL;
}
