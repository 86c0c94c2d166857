/*
 * url.c - the basic URL parser of the URL Standard, state by state, and
 * the serialised URL record.
 *
 * While parsing, each component lives in its own capped buffer (the spec
 * mutates components out of order: a relative reference copies the base's
 * path, then pops segments off it). The path is kept serialised: each
 * segment is preceded by '/', so "shorten the path" cuts at the last '/'
 * and the current segment is the bytes after the last '/' opened. At the
 * end everything is serialised once into a single allocation that holds
 * the href and the offsets of the components.
 */
#include "url.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "url_int.h"
#include "util/alloc.h"
#include "util/str.h"

struct bs_url {
	size_t len;
	size_t scheme_end;
	size_t user[2], pass[2], host[2], port[2], path[2], query[2], frag[2];
	int portnum;
	unsigned quirks;
	unsigned char scheme;
	unsigned char htype;
	bool opaque_path;
	bool has_query;
	bool has_frag;
	char href[];
};

enum state {
	ST_SCHEME_START,
	ST_SCHEME,
	ST_NO_SCHEME,
	ST_SPECIAL_RELATIVE_OR_AUTHORITY,
	ST_PATH_OR_AUTHORITY,
	ST_RELATIVE,
	ST_RELATIVE_SLASH,
	ST_SPECIAL_AUTHORITY_SLASHES,
	ST_SPECIAL_AUTHORITY_IGNORE_SLASHES,
	ST_AUTHORITY,
	ST_HOST,
	ST_PORT,
	ST_FILE,
	ST_FILE_SLASH,
	ST_FILE_HOST,
	ST_PATH_START,
	ST_PATH,
	ST_OPAQUE_PATH,
	ST_QUERY,
	ST_FRAGMENT,
};

/* The URL record being built. */
struct rec {
	struct bs_buf scheme, user, pass, host, path, query, frag;
	int port; /* -1: null */
	enum bs_url_scheme stype;
	enum bs_url_host_type htype;
	bool opaque;
	bool has_query, has_frag;
	unsigned quirks;
};

static const struct {
	const char *name;
	int port;
} schemes[] = {
    [BS_URL_SCHEME_OTHER] = {"", -1},       [BS_URL_SCHEME_HTTP] = {"http", 80},
    [BS_URL_SCHEME_HTTPS] = {"https", 443}, [BS_URL_SCHEME_WS] = {"ws", 80},
    [BS_URL_SCHEME_WSS] = {"wss", 443},     [BS_URL_SCHEME_FTP] = {"ftp", 21},
    [BS_URL_SCHEME_FILE] = {"file", -1},
};

static enum bs_url_scheme scheme_type(const char *s, size_t n)
{
	for (size_t i = 1; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i].name) == n &&
		    memcmp(schemes[i].name, s, n) == 0)
			return (enum bs_url_scheme)i;
	return BS_URL_SCHEME_OTHER;
}

static bool is_drive(const char *s, size_t n)
{
	return n == 2 && bs_is_ascii_alpha((unsigned char)s[0]) &&
	       (s[1] == ':' || s[1] == '|');
}

static bool is_normalized_drive(const char *s, size_t n)
{
	return is_drive(s, n) && s[1] == ':';
}

/* "starts with a Windows drive letter" */
static bool starts_with_drive(const char *s, size_t n)
{
	return n >= 2 && is_drive(s, 2) &&
	       (n == 2 || s[2] == '/' || s[2] == '\\' || s[2] == '?' ||
	        s[2] == '#');
}

static bool is_single_dot(const char *s, size_t n)
{
	return (n == 1 && s[0] == '.') || bs_span_ieq(s, n, "%2e");
}

static bool is_double_dot(const char *s, size_t n)
{
	return bs_span_ieq(s, n, "..") || bs_span_ieq(s, n, ".%2e") ||
	       bs_span_ieq(s, n, "%2e.") || bs_span_ieq(s, n, "%2e%2e");
}

/* Span of a component of a parsed URL. */
static const char *part(const struct bs_url *u, const size_t r[2], size_t *n)
{
	*n = r[1] - r[0];
	return u->href + r[0];
}

static void copy_part(struct bs_buf *b, const struct bs_url *u,
                      const size_t r[2])
{
	size_t n;
	const char *s = part(u, r, &n);

	bs_buf_reset(b);
	bs_buf_append(b, s, n);
}

static void copy_authority(struct rec *r, const struct bs_url *base)
{
	copy_part(&r->user, base, base->user);
	copy_part(&r->pass, base, base->pass);
	copy_part(&r->host, base, base->host);
	r->htype = (enum bs_url_host_type)base->htype;
	r->port = base->portnum;
}

static void copy_path(struct rec *r, const struct bs_url *base)
{
	copy_part(&r->path, base, base->path);
	r->opaque = base->opaque_path;
}

static void copy_query(struct rec *r, const struct bs_url *base)
{
	copy_part(&r->query, base, base->query);
	r->has_query = base->has_query;
}

/* Number of path segments is 1 exactly. */
static bool path_single(const struct rec *r)
{
	return r->path.len > 0 &&
	       memchr(r->path.data + 1, '/', r->path.len - 1) == NULL;
}

/* URL Standard "shorten a URL's path". */
static void path_shorten(struct rec *r)
{
	size_t i;

	if (r->path.len == 0)
		return;
	if (r->stype == BS_URL_SCHEME_FILE && path_single(r) &&
	    is_normalized_drive(r->path.data + 1, r->path.len - 1))
		return;
	for (i = r->path.len; i > 0 && r->path.data[i - 1] != '/'; i--)
		;
	r->path.len = i - 1;
	r->path.data[r->path.len] = '\0';
}

static void path_truncate(struct rec *r, size_t n)
{
	r->path.len = n;
	if (r->path.data)
		r->path.data[n] = '\0';
}

static void rec_init(struct rec *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	bs_buf_init(&r->scheme, cap);
	bs_buf_init(&r->user, cap);
	bs_buf_init(&r->pass, cap);
	bs_buf_init(&r->host, cap);
	bs_buf_init(&r->path, cap);
	bs_buf_init(&r->query, cap);
	bs_buf_init(&r->frag, cap);
	r->port = -1;
}

static void rec_release(struct rec *r)
{
	bs_buf_release(&r->scheme);
	bs_buf_release(&r->user);
	bs_buf_release(&r->pass);
	bs_buf_release(&r->host);
	bs_buf_release(&r->path);
	bs_buf_release(&r->query);
	bs_buf_release(&r->frag);
}

static int rec_error(const struct rec *r)
{
	const struct bs_buf *b[] = {&r->scheme, &r->user,  &r->pass, &r->host,
	                            &r->path,   &r->query, &r->frag};

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		if (bs_buf_error(b[i]))
			return bs_buf_error(b[i]);
	return 0;
}

/* Serialise the record into one allocation (URL Standard 4.5). */
static int rec_finish(struct bs_url **out, const struct rec *r)
{
	struct bs_url *u;
	size_t n = 0, at = 0;
	char portbuf[8];
	size_t portlen = 0;
	bool cred = r->user.len > 0 || r->pass.len > 0;
	bool dotslash = false;
	int ovf = 0;

#define ADD(x) n = bs_add(n, (x), &ovf)
	ADD(r->scheme.len + 1);
	if (r->htype != BS_URL_HOST_NULL) {
		ADD(2);
		if (cred)
			ADD(r->user.len + 1);
		if (r->pass.len)
			ADD(r->pass.len + 1);
		ADD(r->host.len);
		if (r->port >= 0) {
			portlen = (size_t)snprintf(portbuf, sizeof(portbuf),
			                           "%d", r->port);
			ADD(portlen + 1);
		}
	} else if (!r->opaque && r->path.len > 1 && r->path.data[1] == '/') {
		/* "/." keeps a path that starts with an empty segment from
		 * reading as an authority. */
		dotslash = true;
		ADD(2);
	}
	ADD(r->path.len);
	if (r->has_query)
		ADD(r->query.len + 1);
	if (r->has_frag)
		ADD(r->frag.len + 1);
	ADD(sizeof(*u) + 1);
#undef ADD
	if (ovf)
		return BS_ELIMIT;
	u = bs_malloc(n);
	if (u == NULL)
		return BS_ENOMEM;
	memset(u, 0, sizeof(*u));

#define PUT(p, l)                                                              \
	do {                                                                   \
		if (l)                                                         \
			memcpy(u->href + at, (p), (l));                        \
		at += (l);                                                     \
	} while (0)
#define MARK(f, start)                                                         \
	do {                                                                   \
		(f)[0] = (start);                                              \
		(f)[1] = at;                                                   \
	} while (0)
	PUT(r->scheme.data, r->scheme.len);
	u->scheme_end = at;
	PUT(":", 1);
	{
		size_t s0 = at;
		MARK(u->user, s0);
		MARK(u->pass, s0);
		MARK(u->host, s0);
		MARK(u->port, s0);
	}
	if (r->htype != BS_URL_HOST_NULL) {
		size_t s;

		PUT("//", 2);
		s = at;
		PUT(r->user.data, r->user.len);
		MARK(u->user, s);
		MARK(u->pass, at);
		if (r->pass.len) {
			PUT(":", 1);
			s = at;
			PUT(r->pass.data, r->pass.len);
			MARK(u->pass, s);
		}
		if (cred)
			PUT("@", 1);
		s = at;
		PUT(r->host.data, r->host.len);
		MARK(u->host, s);
		MARK(u->port, at);
		if (r->port >= 0) {
			PUT(":", 1);
			s = at;
			PUT(portbuf, portlen);
			MARK(u->port, s);
		}
	}
	if (dotslash)
		PUT("/.", 2);
	{
		size_t s = at;
		PUT(r->path.data, r->path.len);
		MARK(u->path, s);
	}
	MARK(u->query, at);
	if (r->has_query) {
		size_t s;
		PUT("?", 1);
		s = at;
		PUT(r->query.data, r->query.len);
		MARK(u->query, s);
	}
	MARK(u->frag, at);
	if (r->has_frag) {
		size_t s;
		PUT("#", 1);
		s = at;
		PUT(r->frag.data, r->frag.len);
		MARK(u->frag, s);
	}
#undef PUT
#undef MARK
	u->href[at] = '\0';
	u->len = at;
	u->portnum = r->port;
	u->quirks = r->quirks;
	u->scheme = (unsigned char)r->stype;
	u->htype = (unsigned char)r->htype;
	u->opaque_path = r->opaque;
	u->has_query = r->has_query;
	u->has_frag = r->has_frag;
	*out = u;
	return 0;
}

static bool is_c0_or_space(unsigned char c)
{
	return c <= 0x20;
}

static bool is_tabnl(unsigned char c)
{
	return c == '\t' || c == '\n' || c == '\r';
}

/*
 * The state machine of the basic URL parser on clean input (trimmed, no
 * tab or newline). p is signed because the spec moves the pointer to -1
 * ("start over") and back past EOF ("decrease pointer by 1").
 */
static int run(struct rec *r, const char *s, size_t n,
               const struct bs_url *base)
{
	enum state st = ST_SCHEME_START;
	ptrdiff_t p = 0, len = (ptrdiff_t)n;
	ptrdiff_t bstart = 0; /* start of the spec's "buffer" in s */
	bool at_seen = false, pass_seen = false, brackets = false;
	bool seg_open = false;
	size_t seg_start = 0;
	int rc;

#define EOF_     (-1)
#define REM(k)   (p + 1 + (k) < len ? (unsigned char)s[p + 1 + (k)] : EOF_)
#define SPECIAL  (r->stype != BS_URL_SCHEME_OTHER)
#define SLASH(x) ((x) == '/' || (SPECIAL && (x) == '\\'))
	for (;;) {
		int c = p < len ? (unsigned char)s[p] : EOF_;

		switch (st) {
		case ST_SCHEME_START:
			if (c != EOF_ && bs_is_ascii_alpha((unsigned char)c)) {
				bs_buf_putc(&r->scheme,
				            bs_ascii_lower((char)c));
				st = ST_SCHEME;
			} else {
				st = ST_NO_SCHEME;
				p--;
			}
			break;
		case ST_SCHEME:
			if (c != EOF_ && (bs_is_ascii_alpha((unsigned char)c) ||
			                  bs_is_ascii_digit((unsigned char)c) ||
			                  c == '+' || c == '-' || c == '.')) {
				bs_buf_putc(&r->scheme,
				            bs_ascii_lower((char)c));
			} else if (c == ':') {
				rc = bs_buf_error(&r->scheme);
				if (rc)
					return rc;
				r->stype =
				    scheme_type(r->scheme.data, r->scheme.len);
				if (r->stype == BS_URL_SCHEME_FILE) {
					st = ST_FILE;
				} else if (SPECIAL && base &&
				           base->scheme == r->stype) {
					st = ST_SPECIAL_RELATIVE_OR_AUTHORITY;
				} else if (SPECIAL) {
					st = ST_SPECIAL_AUTHORITY_SLASHES;
				} else if (REM(0) == '/') {
					st = ST_PATH_OR_AUTHORITY;
					p++;
				} else {
					r->opaque = true;
					st = ST_OPAQUE_PATH;
				}
			} else {
				bs_buf_reset(&r->scheme);
				r->stype = BS_URL_SCHEME_OTHER;
				st = ST_NO_SCHEME;
				p = -1;
			}
			break;
		case ST_NO_SCHEME:
			if (base == NULL || (base->opaque_path && c != '#'))
				return BS_EPARSE;
			if (base->opaque_path && c == '#') {
				copy_part(&r->scheme, base,
				          (size_t[2]){0, base->scheme_end});
				r->stype = (enum bs_url_scheme)base->scheme;
				copy_path(r, base);
				copy_query(r, base);
				r->has_frag = true;
				st = ST_FRAGMENT;
			} else {
				copy_part(&r->scheme, base,
				          (size_t[2]){0, base->scheme_end});
				r->stype = (enum bs_url_scheme)base->scheme;
				st = base->scheme != BS_URL_SCHEME_FILE
				         ? ST_RELATIVE
				         : ST_FILE;
				p--;
			}
			break;
		case ST_SPECIAL_RELATIVE_OR_AUTHORITY:
			if (c == '/' && REM(0) == '/') {
				st = ST_SPECIAL_AUTHORITY_IGNORE_SLASHES;
				p++;
			} else {
				r->quirks |= BS_URL_Q_SLASHES;
				st = ST_RELATIVE;
				p--;
			}
			break;
		case ST_PATH_OR_AUTHORITY:
			if (c == '/') {
				st = ST_AUTHORITY;
				bstart = p + 1;
			} else {
				st = ST_PATH;
				p--;
			}
			break;
		case ST_RELATIVE:
			/* The scheme was set from base in ST_NO_SCHEME or is
			 * the same special scheme. */
			if (c == '/') {
				st = ST_RELATIVE_SLASH;
			} else if (SPECIAL && c == '\\') {
				r->quirks |= BS_URL_Q_BACKSLASH;
				st = ST_RELATIVE_SLASH;
			} else {
				copy_authority(r, base);
				copy_path(r, base);
				copy_query(r, base);
				if (c == '?') {
					bs_buf_reset(&r->query);
					r->has_query = true;
					st = ST_QUERY;
				} else if (c == '#') {
					r->has_frag = true;
					st = ST_FRAGMENT;
				} else if (c != EOF_) {
					bs_buf_reset(&r->query);
					r->has_query = false;
					path_shorten(r);
					st = ST_PATH;
					p--;
				}
			}
			break;
		case ST_RELATIVE_SLASH:
			if (SPECIAL && (c == '/' || c == '\\')) {
				if (c == '\\')
					r->quirks |= BS_URL_Q_BACKSLASH;
				st = ST_SPECIAL_AUTHORITY_IGNORE_SLASHES;
			} else if (c == '/') {
				st = ST_AUTHORITY;
				bstart = p + 1;
			} else {
				copy_authority(r, base);
				st = ST_PATH;
				p--;
			}
			break;
		case ST_SPECIAL_AUTHORITY_SLASHES:
			if (c == '/' && REM(0) == '/') {
				p++;
			} else {
				r->quirks |= BS_URL_Q_SLASHES;
				p--;
			}
			st = ST_SPECIAL_AUTHORITY_IGNORE_SLASHES;
			break;
		case ST_SPECIAL_AUTHORITY_IGNORE_SLASHES:
			if (c != '/' && c != '\\') {
				st = ST_AUTHORITY;
				bstart = p;
				p--;
			} else {
				if (c == '\\')
					r->quirks |= BS_URL_Q_BACKSLASH;
				r->quirks |= BS_URL_Q_SLASHES;
			}
			break;
		case ST_AUTHORITY:
			if (c == '@') {
				r->quirks |= BS_URL_Q_CREDENTIALS;
				if (at_seen)
					bs_buf_puts(pass_seen ? &r->pass
					                      : &r->user,
					            "%40");
				at_seen = true;
				for (ptrdiff_t i = bstart; i < p; i++) {
					unsigned char ch = (unsigned char)s[i];
					if (ch == ':' && !pass_seen) {
						pass_seen = true;
						continue;
					}
					url_pe_append(pass_seen ? &r->pass
					                        : &r->user,
					              ch, PE_USERINFO);
				}
				bstart = p + 1;
			} else if (c == EOF_ || c == '?' || c == '#' ||
			           SLASH(c)) {
				if (at_seen && p == bstart)
					return BS_EPARSE;
				p = bstart - 1;
				st = ST_HOST;
				bstart = p + 1;
				brackets = false;
			}
			break;
		case ST_HOST:
			if (c == ':' && !brackets) {
				if (p == bstart)
					return BS_EPARSE;
				bs_buf_reset(&r->host);
				rc = url_host_parse(
				    &r->host, &r->htype, s + bstart,
				    (size_t)(p - bstart), SPECIAL, &r->quirks);
				if (rc)
					return rc;
				st = ST_PORT;
				bstart = p + 1;
			} else if (c == EOF_ || c == '?' || c == '#' ||
			           SLASH(c)) {
				if (c == '\\')
					r->quirks |= BS_URL_Q_BACKSLASH;
				if (SPECIAL && p == bstart)
					return BS_EPARSE;
				bs_buf_reset(&r->host);
				rc = url_host_parse(
				    &r->host, &r->htype, s + bstart,
				    (size_t)(p - bstart), SPECIAL, &r->quirks);
				if (rc)
					return rc;
				st = ST_PATH_START;
				p--;
			} else if (c == '[') {
				brackets = true;
			} else if (c == ']') {
				brackets = false;
			}
			break;
		case ST_PORT:
			if (c != EOF_ && bs_is_ascii_digit((unsigned char)c)) {
				/* buffer grows */
			} else if (c == EOF_ || c == '?' || c == '#' ||
			           SLASH(c)) {
				if (p > bstart) {
					uint64_t v;
					bs_parse_uint(s + bstart,
					              (size_t)(p - bstart),
					              100000, &v);
					if (v > 65535)
						return BS_EPARSE;
					if ((int)v == schemes[r->stype].port) {
						r->quirks |=
						    BS_URL_Q_DEFAULT_PORT;
						r->port = -1;
					} else {
						r->port = (int)v;
					}
				}
				st = ST_PATH_START;
				p--;
			} else {
				return BS_EPARSE;
			}
			break;
		case ST_FILE:
			bs_buf_reset(&r->scheme);
			bs_buf_puts(&r->scheme, "file");
			r->stype = BS_URL_SCHEME_FILE;
			bs_buf_reset(&r->host);
			r->htype = BS_URL_HOST_EMPTY;
			if (c == '/' || c == '\\') {
				if (c == '\\')
					r->quirks |= BS_URL_Q_BACKSLASH;
				st = ST_FILE_SLASH;
			} else if (base && base->scheme == BS_URL_SCHEME_FILE) {
				copy_part(&r->host, base, base->host);
				r->htype = (enum bs_url_host_type)base->htype;
				copy_path(r, base);
				copy_query(r, base);
				if (c == '?') {
					bs_buf_reset(&r->query);
					r->has_query = true;
					st = ST_QUERY;
				} else if (c == '#') {
					r->has_frag = true;
					st = ST_FRAGMENT;
				} else if (c != EOF_) {
					bs_buf_reset(&r->query);
					r->has_query = false;
					if (!starts_with_drive(
					        s + p, (size_t)(len - p)))
						path_shorten(r);
					else
						path_truncate(r, 0);
					st = ST_PATH;
					p--;
				}
			} else {
				st = ST_PATH;
				p--;
			}
			break;
		case ST_FILE_SLASH:
			if (c == '/' || c == '\\') {
				if (c == '\\')
					r->quirks |= BS_URL_Q_BACKSLASH;
				st = ST_FILE_HOST;
				bstart = p + 1;
			} else {
				if (base &&
				    base->scheme == BS_URL_SCHEME_FILE) {
					size_t bn;
					const char *bp;

					copy_part(&r->host, base, base->host);
					r->htype =
					    (enum bs_url_host_type)base->htype;
					bp = part(base, base->path, &bn);
					if (!starts_with_drive(
					        s + p, (size_t)(len - p)) &&
					    bn >= 3 &&
					    is_normalized_drive(bp + 1, 2) &&
					    (bn == 3 || bp[3] == '/'))
						bs_buf_append(&r->path, bp, 3);
				}
				st = ST_PATH;
				p--;
			}
			break;
		case ST_FILE_HOST:
			if (c == EOF_ || c == '/' || c == '\\' || c == '?' ||
			    c == '#') {
				size_t bl = (size_t)(p - bstart);

				p--;
				if (is_drive(s + bstart, bl)) {
					/* The buffer is not reset: it becomes
					 * the first path segment. */
					seg_start = r->path.len;
					bs_buf_putc(&r->path, '/');
					bs_buf_append(&r->path, s + bstart, bl);
					seg_open = true;
					st = ST_PATH;
				} else if (bl == 0) {
					bs_buf_reset(&r->host);
					r->htype = BS_URL_HOST_EMPTY;
					st = ST_PATH_START;
				} else {
					bs_buf_reset(&r->host);
					rc = url_host_parse(&r->host, &r->htype,
					                    s + bstart, bl,
					                    true, &r->quirks);
					if (rc)
						return rc;
					if (bs_span_ieq(r->host.data,
					                r->host.len,
					                "localhost")) {
						bs_buf_reset(&r->host);
						r->htype = BS_URL_HOST_EMPTY;
					}
					st = ST_PATH_START;
				}
			}
			break;
		case ST_PATH_START:
			if (SPECIAL) {
				if (c == '\\')
					r->quirks |= BS_URL_Q_BACKSLASH;
				st = ST_PATH;
				if (c != '/' && c != '\\')
					p--;
			} else if (c == '?') {
				r->has_query = true;
				st = ST_QUERY;
			} else if (c == '#') {
				r->has_frag = true;
				st = ST_FRAGMENT;
			} else if (c != EOF_) {
				st = ST_PATH;
				if (c != '/')
					p--;
			}
			break;
		case ST_PATH:
			if (c == EOF_ || SLASH(c) || c == '?' || c == '#') {
				const char *seg;
				size_t segl;
				bool slash = SLASH(c);

				if (c == '\\')
					r->quirks |= BS_URL_Q_BACKSLASH;
				if (!seg_open) {
					seg_start = r->path.len;
					bs_buf_putc(&r->path, '/');
				}
				seg_open = false;
				rc = bs_buf_error(&r->path);
				if (rc)
					return rc;
				seg = r->path.data + seg_start + 1;
				segl = r->path.len - seg_start - 1;
				if (is_double_dot(seg, segl)) {
					path_truncate(r, seg_start);
					path_shorten(r);
					if (!slash)
						bs_buf_putc(&r->path, '/');
				} else if (is_single_dot(seg, segl)) {
					path_truncate(r, seg_start);
					if (!slash)
						bs_buf_putc(&r->path, '/');
				} else if (r->stype == BS_URL_SCHEME_FILE &&
				           seg_start == 0 &&
				           is_drive(seg, segl)) {
					r->path.data[2] = ':';
				}
				if (c == '?') {
					r->has_query = true;
					st = ST_QUERY;
				} else if (c == '#') {
					r->has_frag = true;
					st = ST_FRAGMENT;
				}
			} else {
				if (!seg_open) {
					seg_start = r->path.len;
					bs_buf_putc(&r->path, '/');
					seg_open = true;
				}
				url_pe_append(&r->path, (unsigned char)c,
				              PE_PATH);
			}
			break;
		case ST_OPAQUE_PATH:
			if (c == '?') {
				r->has_query = true;
				st = ST_QUERY;
			} else if (c == '#') {
				r->has_frag = true;
				st = ST_FRAGMENT;
			} else if (c == ' ') {
				int nx = REM(0);
				if (nx == '?' || nx == '#')
					bs_buf_puts(&r->path, "%20");
				else
					bs_buf_putc(&r->path, ' ');
			} else if (c != EOF_) {
				url_pe_append(&r->path, (unsigned char)c,
				              PE_C0);
			}
			break;
		case ST_QUERY:
			if (c == '#') {
				r->has_frag = true;
				st = ST_FRAGMENT;
			} else if (c != EOF_) {
				url_pe_append(&r->query, (unsigned char)c,
				              SPECIAL ? PE_SPECIAL_QUERY
				                      : PE_QUERY);
			}
			break;
		case ST_FRAGMENT:
			if (c != EOF_)
				url_pe_append(&r->frag, (unsigned char)c,
				              PE_FRAGMENT);
			break;
		}
		if (p >= len)
			break;
		p++;
	}
#undef EOF_
#undef REM
#undef SPECIAL
#undef SLASH
	return rec_error(r);
}

int bs_url_parse(struct bs_url **out, const char *in, size_t len,
                 const struct bs_url *base, const struct bs_limits *lim,
                 struct bs_problems *pr)
{
	struct bs_limits dl;
	struct rec r;
	char *clean = NULL;
	const char *s = in;
	size_t n = len, cap, i, k;
	unsigned quirks = 0;
	int rc, ovf = 0;

	*out = NULL;
	if (in == NULL && len > 0)
		return BS_EINVAL;
	if (lim == NULL) {
		bs_limits_default(&dl);
		lim = &dl;
	}
	if (n > lim->url_bytes) {
		n = lim->url_bytes;
		/* Cut on a character boundary. */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		quirks |= BS_URL_Q_TRUNCATED;
		bs_problems_add(pr, "limit", "url-bytes");
	}
	while (n > 0 && is_c0_or_space((unsigned char)s[0])) {
		s++;
		n--;
		quirks |= BS_URL_Q_TRIMMED;
	}
	while (n > 0 && is_c0_or_space((unsigned char)s[n - 1])) {
		n--;
		quirks |= BS_URL_Q_TRIMMED;
	}
	for (i = 0; i < n && !is_tabnl((unsigned char)s[i]); i++)
		;
	if (i < n) {
		clean = bs_malloc(n);
		if (clean == NULL)
			return BS_ENOMEM;
		for (i = 0, k = 0; i < n; i++)
			if (!is_tabnl((unsigned char)s[i]))
				clean[k++] = s[i];
		s = clean;
		n = k;
		quirks |= BS_URL_Q_TABNL;
	}

	cap = bs_add(bs_mul(n, 4, &ovf), base ? base->len : 0, &ovf);
	cap = bs_add(cap, 64, &ovf);
	if (ovf) {
		bs_free(clean);
		return BS_ELIMIT;
	}
	rec_init(&r, cap);
	r.quirks = quirks;
	rc = run(&r, s, n, base);
	if (rc == 0)
		rc = rec_finish(out, &r);
	rec_release(&r);
	bs_free(clean);
	return rc;
}

void bs_url_free(struct bs_url **u)
{
	if (u == NULL)
		return;
	bs_free(*u);
	*u = NULL;
}

struct bs_url *bs_url_dup(const struct bs_url *u)
{
	struct bs_url *d;
	size_t n = sizeof(*u) + u->len + 1;

	d = bs_malloc(n);
	if (d)
		memcpy(d, u, n);
	return d;
}

const char *bs_url_get(const struct bs_url *u, enum bs_url_part p, size_t *len)
{
	switch (p) {
	case BS_URL_HREF:
		*len = u->len;
		return u->href;
	case BS_URL_SCHEME:
		*len = u->scheme_end;
		return u->href;
	case BS_URL_USERNAME:
		return part(u, u->user, len);
	case BS_URL_PASSWORD:
		return part(u, u->pass, len);
	case BS_URL_HOST:
		return part(u, u->host, len);
	case BS_URL_PORT:
		return part(u, u->port, len);
	case BS_URL_PATH:
		return part(u, u->path, len);
	case BS_URL_QUERY:
		return part(u, u->query, len);
	case BS_URL_FRAGMENT:
		return part(u, u->frag, len);
	case BS_URL_AUTHORITY:
		*len = u->port[1] - u->user[0];
		return u->href + u->user[0];
	}
	*len = 0;
	return u->href + u->len;
}

const char *bs_url_href(const struct bs_url *u, size_t *len)
{
	if (len)
		*len = u->len;
	return u->href;
}

enum bs_url_scheme bs_url_scheme(const struct bs_url *u)
{
	return (enum bs_url_scheme)u->scheme;
}

bool bs_url_is_special(const struct bs_url *u)
{
	return u->scheme != BS_URL_SCHEME_OTHER;
}

enum bs_url_host_type bs_url_host_type(const struct bs_url *u)
{
	return (enum bs_url_host_type)u->htype;
}

int bs_url_port(const struct bs_url *u)
{
	return u->portnum;
}

int bs_url_effective_port(const struct bs_url *u)
{
	return u->portnum >= 0 ? u->portnum : schemes[u->scheme].port;
}

bool bs_url_has_opaque_path(const struct bs_url *u)
{
	return u->opaque_path;
}

bool bs_url_has_query(const struct bs_url *u)
{
	return u->has_query;
}

bool bs_url_has_fragment(const struct bs_url *u)
{
	return u->has_frag;
}

unsigned bs_url_quirks(const struct bs_url *u)
{
	return u->quirks;
}

bool bs_url_scheme_is(const struct bs_url *u, const char *scheme)
{
	return bs_span_ieq(u->href, u->scheme_end, scheme);
}

bool bs_url_raw_scheme_is(const char *in, size_t len, const char *scheme)
{
	size_t i = 0, k = 0;

	while (i < len && is_c0_or_space((unsigned char)in[i]))
		i++;
	for (; i < len; i++) {
		if (is_tabnl((unsigned char)in[i]))
			continue;
		if (scheme[k] == '\0')
			return in[i] == ':';
		if (bs_ascii_lower(in[i]) != bs_ascii_lower(scheme[k]))
			return false;
		k++;
	}
	return false;
}

bool bs_url_is_remote(const struct bs_url *u)
{
	return u->scheme == BS_URL_SCHEME_HTTP ||
	       u->scheme == BS_URL_SCHEME_HTTPS;
}

/* Does the value start with two slashes (either kind), as the parser sees
 * it? */
static bool scheme_relative(const char *in, size_t len)
{
	size_t i = 0;
	int seen = 0;

	while (i < len && is_c0_or_space((unsigned char)in[i]))
		i++;
	for (; i < len && seen < 2; i++) {
		if (is_tabnl((unsigned char)in[i]))
			continue;
		if (in[i] != '/' && in[i] != '\\')
			return false;
		seen++;
	}
	return seen == 2;
}

int bs_url_resolve_mail(struct bs_url **out, const char *in, size_t len,
                        const struct bs_url *base, const struct bs_limits *lim,
                        struct bs_problems *pr)
{
	struct bs_url *https = NULL;
	int rc;

	*out = NULL;
	if (base != NULL || !scheme_relative(in, len))
		return bs_url_parse(out, in, len, base, lim, pr);
	rc = bs_url_parse(&https, "https://invalid/", 16, NULL, NULL, NULL);
	if (rc)
		return rc;
	rc = bs_url_parse(out, in, len, https, lim, pr);
	if (rc == 0)
		(*out)->quirks |= BS_URL_Q_ASSUMED_HTTPS;
	bs_url_free(&https);
	return rc;
}
