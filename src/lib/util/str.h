/*
 * str.h - small helpers for (pointer, length) strings.
 *
 * Message data may contain NUL bytes, so the library passes spans rather
 * than C strings. These helpers are ASCII-only by design: HTML, CSS and URL
 * syntax is defined on ASCII case folding.
 */
#ifndef BS_UTIL_STR_H
#define BS_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline char bs_ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static inline bool bs_is_ascii_alpha(unsigned char c)
{
	return (unsigned char)((c | 0x20) - 'a') < 26;
}

static inline bool bs_is_ascii_digit(unsigned char c)
{
	return (unsigned char)(c - '0') < 10;
}

static inline bool bs_is_ascii_hex(unsigned char c)
{
	return bs_is_ascii_digit(c) || (unsigned char)((c | 0x20) - 'a') < 6;
}

/* Value of hex digit c, or -1 when c is not one. */
static inline int bs_hexval(unsigned char c)
{
	if (bs_is_ascii_digit(c))
		return c - '0';
	if ((unsigned char)((c | 0x20) - 'a') < 6)
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* ASCII case-insensitive equality of a span and a NUL-terminated literal. */
bool bs_span_ieq(const char *s, size_t n, const char *lit);
/* Same, for a prefix. */
bool bs_span_iprefix(const char *s, size_t n, const char *lit);
/* Find needle in haystack, ASCII case-insensitively; NULL when absent. */
const char *bs_span_ifind(const char *h, size_t hn, const char *needle,
                          size_t nn);

/*
 * Parse a non-negative decimal integer from [s, s+n) into *out, stopping at
 * the first non-digit; saturates at max. Returns the number of digits read
 * (0 when s does not start with a digit). The bounded replacement for atoi.
 */
size_t bs_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out);

#endif
