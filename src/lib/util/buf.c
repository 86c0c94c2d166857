#include "buf.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"

void bs_buf_init(struct bs_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
	b->err = 0;
}

void bs_buf_release(struct bs_buf *b)
{
	bs_free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->err = 0;
}

void bs_buf_reset(struct bs_buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Make room for n more bytes plus the NUL. */
static int grow(struct bs_buf *b, size_t n)
{
	size_t need, na;
	char *nd;

	if (b->err)
		return b->err;
	if (n > b->max || b->len > b->max - n) {
		b->err = BS_ELIMIT;
		return b->err;
	}
	need = b->len + n + 1;
	if (need <= b->alloc)
		return 0;
	na = b->alloc ? b->alloc : 64;
	while (na < need)
		na = na > ((size_t)-1) / 2 ? need : na * 2;
	nd = bs_realloc(b->data, na);
	if (nd == NULL) {
		b->err = BS_ENOMEM;
		return b->err;
	}
	b->data = nd;
	b->alloc = na;
	return 0;
}

int bs_buf_append(struct bs_buf *b, const void *p, size_t n)
{
	int rc = grow(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int bs_buf_putc(struct bs_buf *b, int c)
{
	char ch = (char)c;

	/* Decoders put a byte at a time: skip grow() while there is room
	 * (room for the byte and the NUL, and under the cap). */
	if (b->err == 0 && b->len + 2 <= b->alloc && b->len < b->max) {
		b->data[b->len++] = ch;
		b->data[b->len] = '\0';
		return 0;
	}
	return bs_buf_append(b, &ch, 1);
}

int bs_buf_puts(struct bs_buf *b, const char *s)
{
	return bs_buf_append(b, s, strlen(s));
}

int bs_buf_put_utf8(struct bs_buf *b, unsigned long cp)
{
	unsigned char u[4];
	size_t n;

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xC0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xE0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xF0 | (cp >> 18));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return bs_buf_append(b, u, n);
}

int bs_buf_vprintf(struct bs_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->err = BS_EINVAL;
		return b->err;
	}
	rc = grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int bs_buf_printf(struct bs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = bs_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *bs_buf_detach(struct bs_buf *b, size_t *len)
{
	char *d;

	if (b->err) {
		bs_buf_release(b);
		return NULL;
	}
	if (b->data == NULL && bs_buf_append(b, "", 0))
		return NULL;
	d = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	return d;
}
