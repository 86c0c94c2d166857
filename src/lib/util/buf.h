/*
 * buf.h - a growable byte buffer that carries its own cap.
 *
 * Every buffer is created with the most it may ever hold (curl's dynbuf,
 * SQLite's StrAccum). Appends past the cap or a failed allocation set a
 * sticky error and are dropped, so a builder can append freely and check
 * bs_buf_error() once at the end. The content is always NUL-terminated for
 * convenience, but may itself contain NUL bytes: use len.
 */
#ifndef BS_UTIL_BUF_H
#define BS_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "bugsweep/error.h"

struct bs_buf {
	char *data;
	size_t len;
	size_t alloc; /* bytes allocated, including room for the NUL */
	size_t max;   /* most bytes len may reach */
	int err; /* sticky: BS_ELIMIT or BS_ENOMEM once something was dropped */
};

void bs_buf_init(struct bs_buf *b, size_t max);
void bs_buf_release(struct bs_buf *b);
/* Empty the buffer and clear its error; keeps the allocation. */
void bs_buf_reset(struct bs_buf *b);

int bs_buf_append(struct bs_buf *b, const void *p, size_t n);
int bs_buf_putc(struct bs_buf *b, int c);
int bs_buf_puts(struct bs_buf *b, const char *s);
/* Append the UTF-8 encoding of code point cp (U+FFFD when invalid). */
int bs_buf_put_utf8(struct bs_buf *b, unsigned long cp);
int bs_buf_printf(struct bs_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int bs_buf_vprintf(struct bs_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static inline int bs_buf_error(const struct bs_buf *b)
{
	return b->err;
}

/*
 * Hand the content over to the caller (free with bs_free) and leave the
 * buffer empty. Returns NULL when the buffer is in error.
 */
char *bs_buf_detach(struct bs_buf *b, size_t *len);

#endif
