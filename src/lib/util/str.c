#include "str.h"

#include <string.h>

bool bs_span_ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lit[i] == '\0' ||
		    bs_ascii_lower(s[i]) != bs_ascii_lower(lit[i]))
			return false;
	return lit[n] == '\0';
}

bool bs_span_iprefix(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; lit[i]; i++)
		if (i >= n || bs_ascii_lower(s[i]) != bs_ascii_lower(lit[i]))
			return false;
	return true;
}

const char *bs_span_ifind(const char *h, size_t hn, const char *needle,
                          size_t nn)
{
	size_t i, j;

	if (nn == 0)
		return h;
	if (nn > hn)
		return NULL;
	for (i = 0; i + nn <= hn; i++) {
		for (j = 0; j < nn; j++)
			if (bs_ascii_lower(h[i + j]) !=
			    bs_ascii_lower(needle[j]))
				break;
		if (j == nn)
			return h + i;
	}
	return NULL;
}

size_t bs_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && bs_is_ascii_digit((unsigned char)s[i]); i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (d > max || v > (max - d) / 10)
			v = max;
		else
			v = v * 10 + d;
	}
	*out = v;
	return i;
}
