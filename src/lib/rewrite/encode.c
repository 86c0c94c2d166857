/*
 * encode.c - putting a patched document back into its part: transfer
 * encodings, charsets, HTML escaping, URL encoding.
 *
 * The decoders mirror src/lib/mime/xfer.c's leniency on purpose: clean
 * patches the bytes the scan decoded, so both must read a body the same
 * way (clean checks the result by parsing its output again anyway).
 */
#include <errno.h>
#include <string.h>

#include <gmime/gmime.h>

#include "rewrite/rewrite.h"
#include "util/str.h"

#define QP_LINE 76

static const char hexd[] = "0123456789ABCDEF";

static bool is_eol(const char *s, size_t n, size_t i, size_t *len)
{
	if (s[i] == '\n') {
		*len = 1;
		return true;
	}
	if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
		*len = 2;
		return true;
	}
	return false;
}

/* A hard line break of the body: the part's own line ending only (a bare
 * CR or LF of another style is data, and is encoded). */
static size_t hard_eol(const char *s, size_t n, size_t i, bool crlf)
{
	if (crlf)
		return i + 1 < n && s[i] == '\r' && s[i + 1] == '\n' ? 2 : 0;
	return s[i] == '\n' ? 1 : 0;
}

int rw_qp_encode(struct bs_buf *out, const char *s, size_t n, const char *eol)
{
	bool crlf = strcmp(eol, "\r\n") == 0;
	size_t i = 0, col = 0, el, tl;
	char tok[3];

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		bool enc;

		if ((el = hard_eol(s, n, i, crlf)) != 0) {
			bs_buf_puts(out, eol);
			col = 0;
			i += el;
			continue;
		}
		if (col > 0 && col < QP_LINE - 1) {
			/* a run of characters written as they are, in one go */
			size_t j = i, room = QP_LINE - 1 - col;
			while (j < n && j - i < room) {
				unsigned char d = (unsigned char)s[j];
				if (!((d > 32 && d < 127 && d != '=') ||
				      d == ' ' || d == '\t'))
					break;
				if ((d == ' ' || d == '\t') &&
				    (j + 1 == n || hard_eol(s, n, j + 1, crlf)))
					break;
				j++;
			}
			if (j > i) {
				bs_buf_append(out, s + i, j - i);
				col += j - i;
				i = j;
				continue;
			}
		}
		enc = c == '=' || (c < 32 && c != '\t') || c >= 127;
		if ((c == ' ' || c == '\t') &&
		    (i + 1 == n || hard_eol(s, n, i + 1, crlf)))
			enc = true; /* trailing blanks would be dropped */
		tl = enc ? 3 : 1;
		if (col + tl > QP_LINE - 1) {
			bs_buf_putc(out, '=');
			bs_buf_puts(out, eol);
			col = 0;
		}
		/* A line must not read as a boundary ("--"), an SMTP end of
		 * data (".") or an mbox separator ("From "). */
		if (col == 0 && (c == '-' || c == '.' ||
		                 (c == 'F' && n - i >= 5 &&
		                  memcmp(s + i, "From ", 5) == 0)))
			enc = true;
		tl = enc ? 3 : 1;
		if (enc) {
			tok[0] = '=';
			tok[1] = hexd[c >> 4];
			tok[2] = hexd[c & 15];
		} else {
			tok[0] = (char)c;
		}
		bs_buf_append(out, tok, tl);
		col += tl;
		i++;
	}
	return bs_buf_error(out);
}

static const char b64a[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int rw_b64_encode(struct bs_buf *out, const char *s, size_t n, const char *eol)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, col = 0;
	char q[4];

	for (i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16;
		size_t k = n - i < 3 ? n - i : 3;
		if (k > 1)
			v |= (unsigned long)p[i + 1] << 8;
		if (k > 2)
			v |= p[i + 2];
		q[0] = b64a[(v >> 18) & 63];
		q[1] = b64a[(v >> 12) & 63];
		q[2] = k > 1 ? b64a[(v >> 6) & 63] : '=';
		q[3] = k > 2 ? b64a[v & 63] : '=';
		if (col == QP_LINE) {
			bs_buf_puts(out, eol);
			col = 0;
		}
		bs_buf_append(out, q, 4);
		col += 4;
	}
	return bs_buf_error(out);
}

int rw_qp_decode(struct bs_buf *out, const char *s, size_t n)
{
	size_t i = 0, j, el;
	int hi, lo;

	while (i < n) {
		if (s[i] != '=') {
			j = i;
			while (j < n && s[j] != '=')
				j++;
			bs_buf_append(out, s + i, j - i);
			i = j;
			continue;
		}
		if (i + 2 < n &&
		    (hi = bs_hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = bs_hexval((unsigned char)s[i + 2])) >= 0) {
			bs_buf_putc(out, hi << 4 | lo);
			i += 3;
			continue;
		}
		for (j = i + 1; j < n && (s[j] == ' ' || s[j] == '\t'); j++)
			;
		if (j == n) {
			i = n;
		} else if (is_eol(s, n, j, &el)) {
			i = j + el;
		} else {
			bs_buf_putc(out, '=');
			i++;
		}
	}
	return bs_buf_error(out);
}

static int b64v(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int rw_b64_decode(struct bs_buf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned long acc = 0;
		unsigned k = 0;
		int v;

		if (b64v((unsigned char)s[i]) < 0) {
			i++;
			continue;
		}
		while (i < n && k < 4) {
			v = b64v((unsigned char)s[i]);
			if (v >= 0) {
				acc = acc << 6 | (unsigned long)v;
				k++;
			} else if (s[i] == '=') {
				break;
			}
			i++;
		}
		if (k < 4 && i < n && s[i] == '=')
			while (i < n && s[i] == '=')
				i++;
		if (k == 4) {
			bs_buf_putc(out, (int)(acc >> 16 & 255));
			bs_buf_putc(out, (int)(acc >> 8 & 255));
			bs_buf_putc(out, (int)(acc & 255));
		} else if (k == 3) {
			acc <<= 6;
			bs_buf_putc(out, (int)(acc >> 16 & 255));
			bs_buf_putc(out, (int)(acc >> 8 & 255));
		} else if (k == 2) {
			acc <<= 12;
			bs_buf_putc(out, (int)(acc >> 16 & 255));
		}
	}
	return bs_buf_error(out);
}

int rw_html_escape(struct bs_buf *out, const char *s, size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < n; i++) {
		const char *r;
		switch (s[i]) {
		case '&':
			r = "&amp;";
			break;
		case '<':
			r = "&lt;";
			break;
		case '>':
			r = "&gt;";
			break;
		case '"':
			r = "&quot;";
			break;
		case '\'':
			r = "&#39;";
			break;
		default:
			continue;
		}
		bs_buf_append(out, s + j, i - j);
		bs_buf_puts(out, r);
		j = i + 1;
	}
	bs_buf_append(out, s + j, n - j);
	return bs_buf_error(out);
}

int rw_url_encode(struct bs_buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (bs_is_ascii_alpha(c) || bs_is_ascii_digit(c) || c == '-' ||
		    c == '.' || c == '_' || c == '~') {
			bs_buf_putc(out, c);
		} else {
			char e[3] = {'%', hexd[c >> 4], hexd[c & 15]};
			bs_buf_append(out, e, 3);
		}
	}
	return bs_buf_error(out);
}

/* One UTF-8 sequence at s[0..n): its length and code point; 0 when
 * invalid (overlong, surrogate, past U+10FFFF, cut). */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned long c;
	size_t len, k;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[k] & 0x3F);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	*cp = c;
	return len;
}

static void put_ncr(struct bs_buf *out, unsigned long cp)
{
	bs_buf_printf(out, "&#%lu;", cp);
}

static const unsigned short w1252_c1[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static int w1252_byte(unsigned long cp)
{
	int i;

	if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
		return (int)cp;
	for (i = 0; i < 32; i++)
		if (w1252_c1[i] == cp)
			return 0x80 + i;
	return -1;
}

enum rw_charset rw_charset_kind(const char *name)
{
	if (name == NULL || bs_span_ieq(name, strlen(name), "utf-8") ||
	    bs_span_ieq(name, strlen(name), "utf8"))
		return RW_CS_UTF8;
	if (bs_span_ieq(name, strlen(name), "windows-1252"))
		return RW_CS_W1252;
	if (bs_span_ieq(name, strlen(name), "us-ascii"))
		return RW_CS_ASCII;
	return RW_CS_ICONV;
}

static int encode_iconv(struct bs_buf *out, const char *name, const char *u,
                        size_t n, bool ncr)
{
	iconv_t cd = g_mime_iconv_open(name, "UTF-8");
	char tmp[4096];
	size_t i = 0;
	int rc = 0;

	if (cd == (iconv_t)-1)
		return BS_EINVAL;
	while (i < n && rc == 0) {
		char *in = (char *)(u + i), *o = tmp;
		size_t inleft = n - i, oleft = sizeof(tmp), r;

		r = iconv(cd, &in, &inleft, &o, &oleft);
		bs_buf_append(out, tmp, sizeof(tmp) - oleft);
		i = (size_t)(in - u);
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		if (errno == EILSEQ && ncr) {
			unsigned long cp;
			size_t l =
			    utf8_next((const unsigned char *)u + i, n - i, &cp);
			if (l == 0) {
				rc = BS_EPARSE;
				break;
			}
			put_ncr(out, cp);
			i += l;
			continue;
		}
		rc = BS_EPARSE;
	}
	if (rc == 0) {
		/* Back to the initial shift state (ISO-2022-JP ends in
		 * ASCII). */
		char *o = tmp;
		size_t oleft = sizeof(tmp);
		if (iconv(cd, NULL, NULL, &o, &oleft) != (size_t)-1)
			bs_buf_append(out, tmp, sizeof(tmp) - oleft);
		else
			rc = BS_EPARSE;
	}
	g_mime_iconv_close(cd);
	return rc ? rc : bs_buf_error(out);
}

int rw_charset_encode(struct bs_buf *out, enum rw_charset cs, const char *name,
                      const char *u, size_t n, bool ncr)
{
	const unsigned char *s = (const unsigned char *)u;
	size_t i = 0, j, l;
	unsigned long cp;
	int b;

	if (cs == RW_CS_ICONV)
		return encode_iconv(out, name, u, n, ncr);
	while (i < n) {
		for (j = i; j < n && s[j] < 0x80; j++)
			;
		bs_buf_append(out, u + i, j - i);
		i = j;
		if (i == n)
			break;
		l = utf8_next(s + i, n - i, &cp);
		if (l == 0)
			return BS_EPARSE;
		if (cs == RW_CS_UTF8) {
			bs_buf_append(out, u + i, l);
		} else if (cs == RW_CS_W1252 && (b = w1252_byte(cp)) >= 0) {
			bs_buf_putc(out, b);
		} else if (ncr) {
			put_ncr(out, cp);
		} else {
			return BS_EPARSE;
		}
		i += l;
	}
	return bs_buf_error(out);
}

int rw_charset_safe(struct bs_buf *out, enum rw_charset cs, const char *name,
                    const char *u, size_t n)
{
	const unsigned char *s = (const unsigned char *)u;
	iconv_t cd = (iconv_t)-1;
	size_t i = 0, j, l;
	unsigned long cp;
	int rc = 0;

	if (cs == RW_CS_ICONV) {
		cd = g_mime_iconv_open(name, "UTF-8");
		if (cd == (iconv_t)-1)
			return BS_EINVAL;
	}
	while (i < n && rc == 0) {
		bool ok;
		for (j = i; j < n && s[j] < 0x80; j++)
			;
		bs_buf_append(out, u + i, j - i);
		i = j;
		if (i == n)
			break;
		l = utf8_next(s + i, n - i, &cp);
		if (l == 0) {
			rc = BS_EPARSE;
			break;
		}
		switch (cs) {
		case RW_CS_UTF8:
			ok = true;
			break;
		case RW_CS_W1252:
			ok = w1252_byte(cp) >= 0;
			break;
		case RW_CS_ICONV: {
			char tmp[32], *in = (char *)(u + i), *o = tmp;
			size_t il = l, ol = sizeof(tmp);
			ok = iconv(cd, &in, &il, &o, &ol) != (size_t)-1;
			o = tmp;
			ol = sizeof(tmp);
			(void)iconv(cd, NULL, NULL, &o, &ol);
			break;
		}
		default:
			ok = false;
			break;
		}
		if (ok)
			bs_buf_append(out, u + i, l);
		else
			put_ncr(out, cp);
		i += l;
	}
	if (cd != (iconv_t)-1)
		g_mime_iconv_close(cd);
	return rc ? rc : bs_buf_error(out);
}
