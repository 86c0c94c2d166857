#include "signature.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/str.h"

#define PATTERN_MAX 1024
#define VENDOR_MAX  128
/* Files are read whole; a signature list is far below this. */
#define FILE_MAX (64u << 20)

struct rule {
	enum sig_kind kind;
	unsigned vendor; /* index into vendors */
	char *text;      /* the pattern as written (for reports) */
	char *body;      /* glob body without anchors, lower-cased */
	size_t body_len;
	bool domain_anchor; /* "||" */
	bool start_anchor;  /* "|" at the start */
	bool end_anchor;    /* "|" at the end */
	bool is_regex;
	regex_t re;
};

struct sig_set {
	struct rule *rules;
	size_t n, cap;
	char **vendors;
	size_t nvendors, capvendors;
	bool any_regex;
};

int sig_set_new(struct sig_set **out)
{
	*out = bs_calloc(1, sizeof(**out));
	return *out ? 0 : BS_ENOMEM;
}

void sig_set_free(struct sig_set **sp)
{
	struct sig_set *s;
	size_t i;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	for (i = 0; i < s->n; i++) {
		bs_free(s->rules[i].text);
		bs_free(s->rules[i].body);
		if (s->rules[i].is_regex)
			regfree(&s->rules[i].re);
	}
	for (i = 0; i < s->nvendors; i++)
		bs_free(s->vendors[i]);
	bs_free(s->rules);
	bs_free(s->vendors);
	bs_free(s);
	*sp = NULL;
}

size_t sig_set_count(const struct sig_set *s)
{
	return s->n;
}

static int vendor_index(struct sig_set *s, const char *name, size_t len,
                        unsigned *out)
{
	size_t i;
	char **nv;

	for (i = 0; i < s->nvendors; i++)
		if (strlen(s->vendors[i]) == len &&
		    memcmp(s->vendors[i], name, len) == 0) {
			*out = (unsigned)i;
			return 0;
		}
	if (s->nvendors == s->capvendors) {
		size_t nc = s->capvendors ? s->capvendors * 2 : 16;
		nv = bs_realloc(s->vendors, nc * sizeof(*nv));
		if (nv == NULL)
			return BS_ENOMEM;
		s->vendors = nv;
		s->capvendors = nc;
	}
	s->vendors[s->nvendors] = bs_strndup(name, len);
	if (s->vendors[s->nvendors] == NULL)
		return BS_ENOMEM;
	*out = (unsigned)s->nvendors++;
	return 0;
}

/*
 * POSIX EREs lack the Perl classes that Adblock lists use; translate the
 * common ones so that such rules mean what their authors meant.
 */
static int translate_regex(struct bs_buf *out, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n) {
			char c = p[++i];
			switch (c) {
			case 'd':
				bs_buf_puts(out, "[0-9]");
				break;
			case 'w':
				bs_buf_puts(out, "[A-Za-z0-9_]");
				break;
			case 's':
				bs_buf_puts(out, "[[:space:]]");
				break;
			case '/':
				bs_buf_putc(out, '/');
				break;
			default:
				bs_buf_putc(out, '\\');
				bs_buf_putc(out, c);
			}
		} else {
			bs_buf_putc(out, p[i]);
		}
	}
	return bs_buf_error(out);
}

/* Adblock options that name request types mail clients never make. */
static bool options_exclude_mail(const char *o, size_t n)
{
	static const char *const useful[] = {
	    "image",       "stylesheet", "font", "media", "object",
	    "subdocument", "other",      "ping", NULL};
	static const char *const types[] = {
	    "script", "xmlhttprequest", "websocket",   "webrtc",
	    "popup",  "document",       "elemhide",    "generichide",
	    "csp",    "redirect",       "removeparam", NULL};
	bool has_type = false, has_useful = false;
	size_t i = 0, j, k;

	while (i < n) {
		bool neg;
		for (j = i; j < n && o[j] != ','; j++)
			;
		neg = o[i] == '~';
		if (neg)
			i++;
		if (bs_span_iprefix(o + i, j - i, "domain="))
			return true; /* site-specific: no meaning in mail */
		for (k = 0; useful[k]; k++)
			if (bs_span_ieq(o + i, j - i, useful[k])) {
				has_type = true;
				if (!neg)
					has_useful = true;
			}
		for (k = 0; types[k]; k++)
			if (bs_span_ieq(o + i, j - i, types[k]))
				has_type = true;
		i = j + 1;
	}
	return has_type && !has_useful;
}

static int add_rule(struct sig_set *s, enum sig_kind kind, unsigned vendor,
                    const char *p, size_t n, struct bs_buf *err,
                    const char *name, unsigned lineno)
{
	struct rule r;
	const char *opt = NULL;
	size_t optlen = 0, i;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.vendor = vendor;
	if (n == 0 || n > PATTERN_MAX) {
		if (err)
			bs_buf_printf(err, "%s:%u: pattern empty or too long\n",
			              name, lineno);
		return 0;
	}
	r.text = bs_strndup(p, n);
	if (r.text == NULL)
		return BS_ENOMEM;

	if (n > 2 && p[0] == '/') {
		/* "/re/" or "/re/$opts": a regular expression. */
		size_t end = n - 1;
		while (end > 0 && p[end] != '/')
			end--;
		if (end > 0 && (end == n - 1 || p[end + 1] == '$')) {
			struct bs_buf b;
			if (end + 1 < n) {
				opt = p + end + 2;
				optlen = n - end - 2;
			}
			if (opt && options_exclude_mail(opt, optlen))
				goto skip;
			bs_buf_init(&b, 4 * PATTERN_MAX);
			translate_regex(&b, p + 1, end - 1);
			if (bs_buf_error(&b) ||
			    regcomp(&r.re, b.data ? b.data : "",
			            REG_EXTENDED | REG_ICASE | REG_NOSUB)) {
				bs_buf_release(&b);
				if (err)
					bs_buf_printf(
					    err,
					    "%s:%u: bad regular expression\n",
					    name, lineno);
				goto skip;
			}
			bs_buf_release(&b);
			r.is_regex = true;
			s->any_regex = true;
			goto store;
		}
	}

	/* Options: after the last '$'. */
	for (i = n; i > 0; i--)
		if (p[i - 1] == '$') {
			opt = p + i;
			optlen = n - i;
			n = i - 1;
			break;
		}
	if (opt && options_exclude_mail(opt, optlen))
		goto skip;
	if (n >= 2 && p[0] == '|' && p[1] == '|') {
		r.domain_anchor = true;
		p += 2;
		n -= 2;
	} else if (n >= 1 && p[0] == '|') {
		r.start_anchor = true;
		p++;
		n--;
	}
	if (n >= 1 && p[n - 1] == '|') {
		r.end_anchor = true;
		n--;
	}
	if (n == 0)
		goto skip;
	r.body = bs_malloc(n + 1);
	if (r.body == NULL) {
		rc = BS_ENOMEM;
		goto skip;
	}
	for (i = 0; i < n; i++)
		r.body[i] = bs_ascii_lower(p[i]);
	r.body[n] = '\0';
	r.body_len = n;

store:
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		struct rule *nr = bs_realloc(s->rules, nc * sizeof(*nr));
		if (nr == NULL) {
			rc = BS_ENOMEM;
			goto skip;
		}
		s->rules = nr;
		s->cap = nc;
	}
	s->rules[s->n++] = r;
	return 0;
skip:
	if (r.is_regex)
		regfree(&r.re);
	bs_free(r.text);
	bs_free(r.body);
	return rc;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool kind_word(const char *p, size_t n, enum sig_kind *k)
{
	static const struct {
		const char *w;
		enum sig_kind k;
	} words[] = {
	    {"open", SIG_OPEN},   {"image", SIG_IMAGE}, {"click", SIG_CLICK},
	    {"proxy", SIG_PROXY}, {"allow", SIG_ALLOW},
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (bs_span_ieq(p, n, words[i].w)) {
			*k = words[i].k;
			return true;
		}
	return false;
}

int sig_set_load_buffer(struct sig_set *s, const char *name, const char *data,
                        size_t len, struct bs_buf *err)
{
	size_t pos = 0, before = s->n;
	unsigned lineno = 0, vendor;
	bool any_line = false;
	int rc;

	rc = vendor_index(s, name, strlen(name), &vendor);
	if (rc)
		return rc;
	while (pos < len) {
		const char *line = data + pos, *nl;
		size_t n, w;
		enum sig_kind kind;

		nl = memchr(line, '\n', len - pos);
		n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + (nl ? 1 : 0);
		lineno++;
		while (n && is_space(line[n - 1]))
			n--;
		while (n && is_space(*line)) {
			line++;
			n--;
		}
		if (n == 0 || line[0] == '#' || line[0] == '!')
			continue;
		if (line[0] == '[') {
			if (line[n - 1] != ']' || n < 3) {
				if (err)
					bs_buf_printf(err,
					              "%s:%u: bad section\n",
					              name, lineno);
				continue;
			}
			if (bs_span_iprefix(line + 1, n - 2, "adblock"))
				continue;
			if (n - 2 > VENDOR_MAX)
				n = VENDOR_MAX + 2;
			rc = vendor_index(s, line + 1, n - 2, &vendor);
			if (rc)
				return rc;
			continue;
		}
		/* Cosmetic filters hide page elements; nothing to do in mail.
		 */
		if (bs_span_ifind(line, n, "##", 2) ||
		    bs_span_ifind(line, n, "#@#", 3) ||
		    bs_span_ifind(line, n, "#?#", 3) ||
		    bs_span_ifind(line, n, "#$#", 3))
			continue;
		any_line = true;
		for (w = 0; w < n && !is_space(line[w]); w++)
			;
		if (w < n && kind_word(line, w, &kind)) {
			while (w < n && is_space(line[w]))
				w++;
			rc = add_rule(s, kind, vendor, line + w, n - w, err,
			              name, lineno);
		} else if (n > 2 && line[0] == '@' && line[1] == '@') {
			rc = add_rule(s, SIG_ALLOW, vendor, line + 2, n - 2,
			              err, name, lineno);
		} else {
			rc = add_rule(s, SIG_OPEN, vendor, line, n, err, name,
			              lineno);
		}
		if (rc)
			return rc;
	}
	if (any_line && s->n == before)
		return BS_EPARSE;
	return 0;
}

int sig_set_load_file(struct sig_set *s, const char *path, struct bs_buf *err)
{
	struct bs_buf b;
	char chunk[65536];
	const char *base;
	FILE *f;
	size_t n;
	int rc;

	f = fopen(path, "rb");
	if (f == NULL)
		return BS_EIO;
	bs_buf_init(&b, FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (bs_buf_append(&b, chunk, n))
			break;
	rc = ferror(f) ? BS_EIO : bs_buf_error(&b);
	fclose(f);
	if (rc == 0) {
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		rc = sig_set_load_buffer(s, base, b.data ? b.data : "", b.len,
		                         err);
	}
	bs_buf_release(&b);
	return rc;
}

/* Adblock's separator class: anything but a letter, digit, _ - . % */
static bool is_separator(char c)
{
	unsigned char u = (unsigned char)c;
	return !(bs_is_ascii_alpha(u) || bs_is_ascii_digit(u) || c == '_' ||
	         c == '-' || c == '.' || c == '%');
}

/*
 * Wildcard match of the pattern against s[si..sn). When the pattern
 * is used up the match succeeds (or, end-anchored, only at the end).
 * Backtracking only to the most recent '*' keeps this O(n * m).
 */
static bool glob_match(const char *p, size_t pn, const char *s, size_t sn,
                       size_t si, bool end_anchor)
{
	size_t pi = 0, star_pi = (size_t)-1, star_si = 0;

	for (;;) {
		if (pi == pn) {
			if (!end_anchor || si == sn)
				return true;
		} else if (p[pi] == '*') {
			star_pi = pi++;
			star_si = si;
			continue;
		} else if (si < sn &&
		           (p[pi] == '^' ? is_separator(s[si])
		                         : p[pi] == bs_ascii_lower(s[si]))) {
			pi++;
			si++;
			continue;
		} else if (si == sn && p[pi] == '^') {
			pi++; /* '^' also matches the end of the URL */
			continue;
		}
		if (star_pi == (size_t)-1 || star_si >= sn)
			return false;
		si = ++star_si;
		pi = star_pi + 1;
	}
}

/* [*hs, *he): the host part of url, after "scheme://" or "//". */
static bool find_host(const char *u, size_t n, size_t *hs, size_t *he)
{
	const char *ss = bs_span_ifind(u, n < 64 ? n : 64, "//", 2);
	size_t i, at;

	if (ss == NULL)
		return false;
	i = (size_t)(ss - u) + 2;
	*hs = i;
	at = i;
	for (;
	     i < n && u[i] != '/' && u[i] != '?' && u[i] != '#' && u[i] != '\\';
	     i++)
		if (u[i] == '@')
			at = i + 1;
	*hs = at;
	*he = i;
	return true;
}

/* The URL as the rules see it; the host is found once per URL, not once
 * per domain-anchored rule. */
struct subject {
	const char *u;
	size_t n;
	const char *z; /* NUL-terminated copy for regexec, or NULL */
	bool has_host;
	size_t hs, he;
};

static bool rule_matches(const struct rule *r, const struct subject *t)
{
	const char *u = t->u;
	size_t n = t->n, i;
	char c = r->body_len ? r->body[0] : '*';

	if (r->is_regex)
		return t->z && regexec(&r->re, t->z, 0, NULL, 0) == 0;
	if (r->domain_anchor) {
		if (!t->has_host)
			return false;
		for (i = t->hs; i < t->he; i++)
			if ((i == t->hs || u[i - 1] == '.') &&
			    (c == '*' || c == '^' ||
			     bs_ascii_lower(u[i]) == c) &&
			    glob_match(r->body, r->body_len, u, n, i,
			               r->end_anchor))
				return true;
		return false;
	}
	if (r->start_anchor)
		return glob_match(r->body, r->body_len, u, n, 0, r->end_anchor);
	/* Unanchored: find the first literal byte quickly, then match. Most
	 * patterns start with a byte that has no case ("/wf/open?"), which
	 * memchr finds. */
	if (c != '*' && c != '^' && !bs_is_ascii_alpha((unsigned char)c)) {
		const char *q = u, *e = u + n;
		while ((q = memchr(q, c, (size_t)(e - q))) != NULL) {
			if (glob_match(r->body, r->body_len, u, n,
			               (size_t)(q - u), r->end_anchor))
				return true;
			q++;
		}
		return false;
	}
	for (i = 0; i < n; i++) {
		if (c != '*' && c != '^' && bs_ascii_lower(u[i]) != c)
			continue;
		if (glob_match(r->body, r->body_len, u, n, i, r->end_anchor))
			return true;
		if (c == '*')
			return false; /* a leading star already tried all */
	}
	return false;
}

bool sig_set_match(const struct sig_set *s, const char *url, size_t len,
                   unsigned kinds, struct sig_match *m)
{
	/* Allow rules first, then the kinds in this order; within a kind,
	 * the first rule in list order. One pass: a rule is tried only if
	 * it is an allow rule or would beat the best match so far. */
	static const enum sig_kind order[] = {SIG_OPEN, SIG_IMAGE, SIG_PROXY,
	                                      SIG_CLICK};
	const size_t none = sizeof(order) / sizeof(order[0]);
	const struct rule *best = NULL;
	struct subject t;
	char *z = NULL;
	size_t i, k, best_rank = none;
	bool found = false;

	if (s->any_regex)
		z = bs_strndup(url, len); /* regexec wants a C string */
	t.u = url;
	t.n = len;
	t.z = z;
	t.has_host = find_host(url, len, &t.hs, &t.he);
	for (i = 0; i < s->n; i++) {
		const struct rule *r = &s->rules[i];

		if (r->kind == SIG_ALLOW) {
			if (rule_matches(r, &t)) {
				best = r;
				found = false;
				goto out;
			}
			continue;
		}
		for (k = 0; k < best_rank && order[k] != r->kind; k++)
			;
		if (k == best_rank || !(kinds & (1u << r->kind)) ||
		    !rule_matches(r, &t))
			continue;
		best = r;
		best_rank = k;
		found = true;
	}
out:
	bs_free(z);
	if (best && m) {
		m->kind = best->kind;
		m->vendor = s->vendors[best->vendor];
		m->pattern = best->text;
	}
	return found;
}
