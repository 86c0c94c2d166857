#include "identity.h"

#include <glib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/str.h"
#include "url/token.h"

#define ADDR_MAX     320 /* RFC 5321 path limit, with room */
#define URL_WORK_MAX (64u << 10)

struct addr_forms {
	char *plain; /* as written */
	size_t len;
	char *lower; /* lower-cased */
	/* hex digests of both forms: md5, sha1, sha256 */
	char *digest[2][3];
	char *hexed; /* hex of the lower-cased address */
};

struct ident_set {
	struct addr_forms a[IDENT_MAX_ADDRS];
	size_t n;
};

static const char *const digest_names[3] = {"md5", "sha1", "sha256"};
static const GChecksumType digest_types[3] = {G_CHECKSUM_MD5, G_CHECKSUM_SHA1,
                                              G_CHECKSUM_SHA256};

int ident_set_new(struct ident_set **out)
{
	*out = bs_calloc(1, sizeof(**out));
	return *out ? 0 : BS_ENOMEM;
}

static void forms_release(struct addr_forms *f)
{
	size_t i, j;

	bs_free(f->plain);
	bs_free(f->lower);
	bs_free(f->hexed);
	for (i = 0; i < 2; i++)
		for (j = 0; j < 3; j++)
			bs_free(f->digest[i][j]);
	memset(f, 0, sizeof(*f));
}

void ident_set_free(struct ident_set **sp)
{
	size_t i;

	if (sp == NULL || *sp == NULL)
		return;
	for (i = 0; i < (*sp)->n; i++)
		forms_release(&(*sp)->a[i]);
	bs_free(*sp);
	*sp = NULL;
}

size_t ident_set_count(const struct ident_set *s)
{
	return s->n;
}

static char *hex_digest(GChecksumType t, const char *s, size_t n)
{
	/* GLib allocates with g_malloc; copy into our allocator's memory. */
	gchar *g = g_compute_checksum_for_data(t, (const guchar *)s, n);
	char *r = g ? bs_strndup(g, strlen(g)) : NULL;
	g_free(g);
	return r;
}

int ident_set_add(struct ident_set *s, const char *addr, size_t len)
{
	struct addr_forms f;
	const char *at;
	size_t i, j;

	while (len && (*addr == ' ' || *addr == '<')) {
		addr++;
		len--;
	}
	while (len && (addr[len - 1] == ' ' || addr[len - 1] == '>'))
		len--;
	at = len ? memchr(addr, '@', len) : NULL;
	if (len < 6 || len > ADDR_MAX || at == NULL || at == addr ||
	    at == addr + len - 1 || s->n == IDENT_MAX_ADDRS)
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->a[i].len == len && bs_span_ieq(addr, len, s->a[i].lower))
			return 0;
	memset(&f, 0, sizeof(f));
	f.len = len;
	f.plain = bs_strndup(addr, len);
	f.lower = bs_strndup(addr, len);
	f.hexed = bs_malloc(2 * len + 1);
	if (!f.plain || !f.lower || !f.hexed)
		goto nomem;
	for (i = 0; i < len; i++) {
		static const char hx[] = "0123456789abcdef";
		f.lower[i] = bs_ascii_lower(f.lower[i]);
		f.hexed[2 * i] = hx[(unsigned char)f.lower[i] >> 4];
		f.hexed[2 * i + 1] = hx[(unsigned char)f.lower[i] & 15];
	}
	f.hexed[2 * len] = '\0';
	for (i = 0; i < 2; i++)
		for (j = 0; j < 3; j++) {
			f.digest[i][j] = hex_digest(digest_types[j],
			                            i ? f.lower : f.plain, len);
			if (f.digest[i][j] == NULL)
				goto nomem;
		}
	s->a[s->n++] = f;
	return 0;
nomem:
	forms_release(&f);
	return BS_ENOMEM;
}

/* The alphabet of base64 and base64url together. */
static bool b64_char(unsigned char c)
{
	return bs_is_ascii_alpha(c) || bs_is_ascii_digit(c) || c == '+' ||
	       c == '-' || c == '/' || c == '_';
}

static bool alnum(char c)
{
	return bs_is_ascii_alpha((unsigned char)c) ||
	       bs_is_ascii_digit((unsigned char)c);
}

/*
 * The address as a token of its own: "x7f0reader@example.org_a" is part
 * of some other name (an asset called after a string that happens to
 * contain an address), not the address handed to a tracker.
 */
static bool contains_addr(const struct ident_set *s, const char *h, size_t n,
                          size_t *which)
{
	const char *p, *end = h + n;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const char *from = h;
		size_t l = s->a[i].len;
		while (from < end &&
		       (p = bs_span_ifind(from, (size_t)(end - from),
		                          s->a[i].lower, l)) != NULL) {
			if ((p == h || !alnum(p[-1])) &&
			    (p + l == end || !alnum(p[l]))) {
				*which = i;
				return true;
			}
			from = p + 1;
		}
	}
	return false;
}

/*
 * Decode every base64-looking run of data at the four alignments and look
 * for an address; once more inside what was decoded (a JWT's payload, a
 * token inside a token). The decoders are url/token.h's; out is reused.
 */
static const char *find_in_base64(const struct ident_set *s, const char *d,
                                  size_t n, int depth, size_t *which)
{
	struct bs_buf out;
	const char *found = NULL;
	size_t i = 0, j, off, m;

	bs_buf_init(&out, n);
	while (i < n && found == NULL) {
		bool url_alpha = false;
		for (j = i; j < n && b64_char((unsigned char)d[j]); j++)
			if (d[j] == '-' || d[j] == '_')
				url_alpha = true;
		for (off = 0; off < 4 && j - i >= off + 8 && found == NULL;
		     off++) {
			m = j - i - off;
			if (m % 4 == 1)
				m--; /* a lone last character holds no byte */
			bs_buf_reset(&out);
			if (bs_decode_base64(&out, d + i + off, m))
				continue;
			if (contains_addr(s, out.data, out.len, which))
				found = url_alpha ? "base64url" : "base64";
			else if (depth == 0 && out.len >= 8)
				found = find_in_base64(s, out.data, out.len, 1,
				                       which);
		}
		i = j + 1;
	}
	bs_buf_release(&out);
	return found;
}

static const char *find_in_hex(const struct ident_set *s, const char *d,
                               size_t n, size_t *which)
{
	struct bs_buf out;
	const char *found = NULL;
	size_t i = 0, j;

	bs_buf_init(&out, n / 2 + 1);
	while (i < n && found == NULL) {
		for (j = i; j < n && bs_is_ascii_hex((unsigned char)d[j]); j++)
			;
		if (j - i >= 12) {
			bs_buf_reset(&out);
			if (bs_decode_hex(&out, d + i, (j - i) & ~(size_t)1) ==
			        0 &&
			    contains_addr(s, out.data, out.len, which))
				found = "hex";
		}
		i = j + 1;
	}
	bs_buf_release(&out);
	return found;
}

const char *ident_find(const struct ident_set *s, const char *url, size_t len,
                       size_t *addr)
{
	const char *enc = NULL;
	size_t which = 0, i, j, k;
	struct bs_buf dec;

	if (s->n == 0 || len == 0)
		return NULL;
	if (len > URL_WORK_MAX)
		len = URL_WORK_MAX;
	bs_buf_init(&dec, len);
	if (contains_addr(s, url, len, &which)) {
		enc = "plain";
		goto out;
	}
	for (i = 0; i < s->n; i++) {
		if (bs_span_ifind(url, len, s->a[i].hexed, 2 * s->a[i].len)) {
			which = i;
			enc = "hex";
			goto out;
		}
		for (j = 0; j < 2; j++)
			for (k = 0; k < 3; k++)
				if (bs_span_ifind(
				        url, len, s->a[i].digest[j][k],
				        strlen(s->a[i].digest[j][k]))) {
					which = i;
					enc = digest_names[k];
					goto out;
				}
	}
	if (bs_decode_percent(&dec, url, len, false))
		goto out; /* degrade: the cheap checks above were done */
	if (dec.len != len && contains_addr(s, dec.data, dec.len, &which)) {
		enc = "urlenc";
		goto out;
	}
	enc = find_in_base64(s, dec.data, dec.len, 0, &which);
	if (enc == NULL)
		enc = find_in_hex(s, dec.data, dec.len, &which);
out:
	bs_buf_release(&dec);
	if (enc && addr)
		*addr = which;
	return enc;
}
