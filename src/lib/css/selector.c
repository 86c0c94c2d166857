/*
 * selector.c - selector lists: parsing from a prelude's tokens and
 * matching against an element given by struct css_element.
 *
 * Matching goes right to left with the failure kinds of the classic
 * WebKit/Servo matcher (not matched here, retry from the closest
 * descendant combinator, or give up on the selector), so that a chain of
 * descendant combinators costs depth times compounds rather than
 * exponential time; every compound tested is one step of the budget.
 */
#include "internal.h"

#include <string.h>

#include "util/alloc.h"
#include "util/str.h"

/* --- tokens of a prelude -------------------------------------------- */

struct stok {
	uint8_t type;
	char delim;
	bool hash_id;
	size_t voff, vlen; /* value in sp.vals */
	size_t start, end; /* raw bytes in the prelude */
};

struct sp {
	const char *data;
	struct stok *t;
	size_t n, a;
	struct bs_buf vals;
	struct bs_arena *arena;
	size_t *used, max_simple;
	unsigned max_depth;
	int err;
	const char *limit; /* the limit behind BS_ELIMIT */
};

static const char *val(const struct sp *p, const struct stok *t)
{
	return p->vals.data + t->voff;
}

static bool tokenize(struct sp *p, const char *data, size_t len)
{
	struct css_tokenizer tk;
	struct css_token tok;
	size_t maxn;
	int ovf = 0;
	bool ok = true;

	maxn = bs_add(bs_mul(p->max_simple, 4, &ovf), 64, &ovf);
	if (ovf)
		maxn = (size_t)-1;
	css_tok_init(&tk, data, len, 0);
	for (;;) {
		struct stok *s;

		if (css_tok_next(&tk, &tok)) {
			p->err = BS_ENOMEM;
			ok = false;
			break;
		}
		if (tok.type == CSS_TOK_EOF)
			break;
		if (p->n >= maxn) {
			p->err = BS_ELIMIT;
			/* More tokens than the selectors left could use. */
			p->limit = "css-selectors";
			ok = false;
			break;
		}
		if (p->n == p->a) {
			size_t na = p->a ? p->a * 2 : 32;
			size_t sz = bs_mul(na, sizeof(*s), &ovf);
			struct stok *nt = ovf ? NULL : bs_realloc(p->t, sz);

			if (nt == NULL) {
				p->err = BS_ENOMEM;
				ok = false;
				break;
			}
			p->t = nt;
			p->a = na;
		}
		s = &p->t[p->n++];
		s->type = (uint8_t)tok.type;
		s->delim = tok.delim;
		s->hash_id = tok.hash_id;
		s->voff = p->vals.len;
		s->vlen = tok.value_len;
		s->start = (size_t)tok.span.start;
		s->end = (size_t)tok.span.end;
		bs_buf_append(&p->vals, tok.value, tok.value_len);
		bs_buf_putc(&p->vals, 0);
		if (bs_buf_error(&p->vals)) {
			p->err = BS_ENOMEM;
			ok = false;
			break;
		}
	}
	css_tok_release(&tk);
	return ok;
}

/* --- parsing ---------------------------------------------------------- */

static bool is(const struct sp *p, size_t i, size_t end, uint8_t type)
{
	return i < end && p->t[i].type == type;
}

static bool is_delim(const struct sp *p, size_t i, size_t end, char c)
{
	return is(p, i, end, CSS_TOK_DELIM) && p->t[i].delim == c;
}

static bool skip_ws(const struct sp *p, size_t *i, size_t end)
{
	bool any = false;

	while (is(p, *i, end, CSS_TOK_WHITESPACE)) {
		(*i)++;
		any = true;
	}
	return any;
}

/* Index of the ')' closing the function or '(' at i, or end. */
static size_t close_paren(const struct sp *p, size_t i, size_t end)
{
	unsigned d = 0;

	for (; i < end; i++) {
		uint8_t ty = p->t[i].type;

		if (ty == CSS_TOK_FUNCTION || ty == CSS_TOK_LPAREN)
			d++;
		else if (ty == CSS_TOK_RPAREN && --d == 0)
			return i;
	}
	return end;
}

static char *lower_copy(struct sp *p, const char *s, size_t n)
{
	char *d = bs_arena_strndup(p->arena, s, n);
	size_t i;

	if (d == NULL) {
		p->err = BS_ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++)
		d[i] = bs_ascii_lower(d[i]);
	return d;
}

static char *plain_copy(struct sp *p, const char *s, size_t n)
{
	char *d = bs_arena_strndup(p->arena, s, n);

	if (d == NULL)
		p->err = BS_ENOMEM;
	return d;
}

/* A growable vector on the heap, copied to the arena when done. */
struct vec {
	void *v;
	size_t n, a, sz;
};

static void *vec_push(struct sp *p, struct vec *v)
{
	if (v->n == v->a) {
		size_t na = v->a ? v->a * 2 : 4;
		int ovf = 0;
		size_t bytes = bs_mul(na, v->sz, &ovf);
		void *nv = ovf ? NULL : bs_realloc(v->v, bytes);

		if (nv == NULL) {
			p->err = BS_ENOMEM;
			return NULL;
		}
		v->v = nv;
		v->a = na;
	}
	memset((char *)v->v + v->n * v->sz, 0, v->sz);
	return (char *)v->v + v->sz * v->n++;
}

static void *vec_to_arena(struct sp *p, struct vec *v)
{
	int ovf = 0;
	size_t bytes = bs_mul(v->n, v->sz, &ovf);
	void *d;

	if (v->n == 0)
		return NULL;
	d = ovf ? NULL : bs_arena_alloc(p->arena, bytes);
	if (d == NULL)
		p->err = BS_ENOMEM;
	else
		memcpy(d, v->v, bytes);
	return d;
}

static bool count_simple(struct sp *p)
{
	if (*p->used >= p->max_simple) {
		p->err = BS_ELIMIT;
		p->limit = "css-selectors";
		return false;
	}
	(*p->used)++;
	return true;
}

static uint32_t spec_add(uint32_t a, uint32_t b)
{
	uint32_t x = (a >> 20) + (b >> 20);
	uint32_t y = ((a >> 10) & 1023) + ((b >> 10) & 1023);
	uint32_t z = (a & 1023) + (b & 1023);

	if (x > 1023)
		x = 1023;
	if (y > 1023)
		y = 1023;
	if (z > 1023)
		z = 1023;
	return CSS_SPECIFICITY(x, y, z);
}

static const struct css_selectors *
parse_list(struct sp *p, size_t *i, size_t end, unsigned depth, bool forgiving);

/* Pseudo-classes written as identifiers. */
static const struct {
	const char *name;
	uint8_t pc;
} pseudo_idents[] = {
    {"root", CSS_PC_ROOT},
    {"scope", CSS_PC_ROOT},
    {"link", CSS_PC_LINK},
    {"any-link", CSS_PC_LINK},
    {"checked", CSS_PC_CHECKED},
    {"disabled", CSS_PC_DISABLED},
    {"enabled", CSS_PC_ENABLED},
    {"defined", CSS_PC_ALWAYS},
    {"hover", CSS_PC_NEVER},
    {"active", CSS_PC_NEVER},
    {"focus", CSS_PC_NEVER},
    {"focus-within", CSS_PC_NEVER},
    {"focus-visible", CSS_PC_NEVER},
    {"visited", CSS_PC_NEVER},
    {"target", CSS_PC_NEVER},
    {"target-within", CSS_PC_NEVER},
    {"local-link", CSS_PC_NEVER},
    {"current", CSS_PC_NEVER},
    {"past", CSS_PC_NEVER},
    {"future", CSS_PC_NEVER},
    {"playing", CSS_PC_NEVER},
    {"paused", CSS_PC_NEVER},
    {"seeking", CSS_PC_NEVER},
    {"buffering", CSS_PC_NEVER},
    {"stalled", CSS_PC_NEVER},
    {"muted", CSS_PC_NEVER},
    {"volume-locked", CSS_PC_NEVER},
    {"fullscreen", CSS_PC_NEVER},
    {"modal", CSS_PC_NEVER},
    {"picture-in-picture", CSS_PC_NEVER},
    {"popover-open", CSS_PC_NEVER},
    {"open", CSS_PC_NEVER},
    {"closed", CSS_PC_NEVER},
    {"autofill", CSS_PC_NEVER},
    {"placeholder-shown", CSS_PC_NEVER},
    {"indeterminate", CSS_PC_NEVER},
    {"default", CSS_PC_NEVER},
    {"valid", CSS_PC_NEVER},
    {"invalid", CSS_PC_NEVER},
    {"user-valid", CSS_PC_NEVER},
    {"user-invalid", CSS_PC_NEVER},
    {"in-range", CSS_PC_NEVER},
    {"out-of-range", CSS_PC_NEVER},
    {"required", CSS_PC_NEVER},
    {"optional", CSS_PC_NEVER},
    {"read-only", CSS_PC_NEVER},
    {"read-write", CSS_PC_NEVER},
    {"blank", CSS_PC_NEVER},
    {"empty", CSS_PC_NEVER},
    {"last-child", CSS_PC_NEVER},
    {"only-child", CSS_PC_NEVER},
    {"last-of-type", CSS_PC_NEVER},
    {"only-of-type", CSS_PC_NEVER},
    {"host", CSS_PC_NEVER},
};

/* Pseudo-elements (after "::", or the four legacy ones after ":"). */
static const char *const pseudo_elements[] = {"before",
                                              "after",
                                              "first-line",
                                              "first-letter",
                                              "selection",
                                              "placeholder",
                                              "marker",
                                              "backdrop",
                                              "file-selector-button",
                                              "cue",
                                              "cue-region",
                                              "grammar-error",
                                              "spelling-error",
                                              "target-text",
                                              "part",
                                              "slotted",
                                              "highlight",
                                              "view-transition",
                                              "details-content",
                                              NULL};

static bool in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (bs_span_ieq(s, n, *list))
			return true;
	return false;
}

static bool vendor(const char *s, size_t n)
{
	return bs_span_iprefix(s, n, "-webkit-") ||
	       bs_span_iprefix(s, n, "-moz-") ||
	       bs_span_iprefix(s, n, "-ms-") || bs_span_iprefix(s, n, "-o-");
}

/* An+B from the raw text of [i, end), whitespace dropped. */
static bool parse_anb(struct sp *p, size_t i, size_t end, int64_t *a,
                      int64_t *b)
{
	char buf[64];
	size_t n = 0, k = 0, j;
	int64_t sa = 1, sb = 1;
	uint64_t v;
	bool have_a = false;

	for (j = i; j < end; j++) {
		const struct stok *t = &p->t[j];
		size_t m;

		if (t->type == CSS_TOK_WHITESPACE)
			continue;
		for (m = t->start; m < t->end; m++) {
			if (n + 1 >= sizeof(buf))
				return false;
			buf[n++] = bs_ascii_lower(p->data[m]);
		}
	}
	buf[n] = '\0';
	if (strcmp(buf, "odd") == 0) {
		*a = 2;
		*b = 1;
		return true;
	}
	if (strcmp(buf, "even") == 0) {
		*a = 2;
		*b = 0;
		return true;
	}
	if (k < n && (buf[k] == '+' || buf[k] == '-')) {
		sa = buf[k] == '-' ? -1 : 1;
		k++;
	}
	j = bs_parse_uint(buf + k, n - k, 1000000, &v);
	k += j;
	if (k < n && buf[k] == 'n') {
		have_a = true;
		*a = sa * (j ? (int64_t)v : 1);
		k++;
		*b = 0;
		if (k == n)
			return true;
		if (buf[k] != '+' && buf[k] != '-')
			return false;
		sb = buf[k] == '-' ? -1 : 1;
		k++;
		j = bs_parse_uint(buf + k, n - k, 1000000, &v);
		if (j == 0 || k + j != n)
			return false;
		*b = sb * (int64_t)v;
		return true;
	}
	if (j == 0 || k != n || have_a)
		return false;
	*a = 0;
	*b = sa * (int64_t)v;
	return true;
}

/* A functional pseudo-class at i (a FUNCTION token). */
static bool pseudo_function(struct sp *p, size_t *i, size_t end, unsigned depth,
                            struct css_simple *s, uint32_t *spec)
{
	const struct stok *t = &p->t[*i];
	const char *name = val(p, t);
	size_t close = close_paren(p, *i, end), j = *i + 1;
	uint32_t best = 0;
	size_t k;

	if (close >= end)
		return false; /* unclosed */
	*i = close + 1;
	if (bs_span_ieq(name, t->vlen, "not") ||
	    bs_span_ieq(name, t->vlen, "is") ||
	    bs_span_ieq(name, t->vlen, "matches") ||
	    bs_span_ieq(name, t->vlen, "-webkit-any") ||
	    bs_span_ieq(name, t->vlen, "-moz-any") ||
	    bs_span_ieq(name, t->vlen, "where")) {
		bool not = bs_span_ieq(name, t->vlen, "not");

		if (depth + 1 > p->max_depth) {
			p->err = BS_ELIMIT;
			p->limit = "css-depth";
			return false;
		}
		s->kind = not ? CSS_SK_NOT : CSS_SK_IS;
		s->sub = parse_list(p, &j, close, depth + 1, !not );
		if (s->sub == NULL || j != close)
			return false;
		if (!bs_span_ieq(name, t->vlen, "where"))
			for (k = 0; k < s->sub->n; k++)
				if (s->sub->sel[k].spec > best)
					best = s->sub->sel[k].spec;
		*spec = best;
		return true;
	}
	if (bs_span_ieq(name, t->vlen, "nth-child") ||
	    bs_span_ieq(name, t->vlen, "nth-of-type")) {
		size_t of = close;

		s->kind = CSS_SK_NTH;
		if (bs_span_ieq(name, t->vlen, "nth-of-type"))
			s->flags |= CSS_SF_OF_TYPE;
		else
			for (k = j; k < close; k++)
				if (p->t[k].type == CSS_TOK_IDENT &&
				    bs_span_ieq(val(p, &p->t[k]), p->t[k].vlen,
				                "of")) {
					of = k;
					break;
				}
		if (!parse_anb(p, j, of, &s->a, &s->b))
			return false;
		*spec = CSS_SPECIFICITY(0, 1, 0);
		if (of < close) {
			if (depth + 1 > p->max_depth) {
				p->err = BS_ELIMIT;
				p->limit = "css-depth";
				return false;
			}
			k = of + 1;
			s->sub = parse_list(p, &k, close, depth + 1, false);
			if (s->sub == NULL || k != close)
				return false;
			for (k = 0; k < s->sub->n; k++)
				if (s->sub->sel[k].spec > best)
					best = s->sub->sel[k].spec;
			*spec = spec_add(*spec, best);
		}
		return true;
	}
	if (bs_span_ieq(name, t->vlen, "nth-last-child") ||
	    bs_span_ieq(name, t->vlen, "nth-last-of-type") ||
	    bs_span_ieq(name, t->vlen, "has") ||
	    bs_span_ieq(name, t->vlen, "lang") ||
	    bs_span_ieq(name, t->vlen, "dir") ||
	    bs_span_ieq(name, t->vlen, "host") ||
	    bs_span_ieq(name, t->vlen, "host-context") ||
	    bs_span_ieq(name, t->vlen, "state") || vendor(name, t->vlen)) {
		s->kind = CSS_SK_PSEUDO;
		s->op = CSS_PC_NEVER;
		*spec = CSS_SPECIFICITY(0, 1, 0);
		return true;
	}
	return false;
}

/* An attribute selector; *i at '['. */
static bool attribute(struct sp *p, size_t *i, size_t end, struct css_simple *s)
{
	static const char *const legacy_ci[] = {"accept",    "accept-charset",
	                                        "align",     "alink",
	                                        "axis",      "bgcolor",
	                                        "charset",   "checked",
	                                        "clear",     "codetype",
	                                        "color",     "compact",
	                                        "declare",   "defer",
	                                        "dir",       "direction",
	                                        "disabled",  "enctype",
	                                        "face",      "frame",
	                                        "hreflang",  "http-equiv",
	                                        "lang",      "language",
	                                        "link",      "media",
	                                        "method",    "multiple",
	                                        "nohref",    "noresize",
	                                        "noshade",   "nowrap",
	                                        "readonly",  "rel",
	                                        "rev",       "rules",
	                                        "scope",     "scrolling",
	                                        "selected",  "shape",
	                                        "target",    "text",
	                                        "type",      "valign",
	                                        "valuetype", "vlink",
	                                        NULL};
	size_t j = *i + 1;
	const struct stok *n;

	s->kind = CSS_SK_ATTR;
	s->op = CSS_AO_EXISTS;
	skip_ws(p, &j, end);
	/* Namespace prefix: ns|a, *|a, |a (but not a|=v). */
	if ((is(p, j, end, CSS_TOK_IDENT) || is_delim(p, j, end, '*')) &&
	    is_delim(p, j + 1, end, '|') && is(p, j + 2, end, CSS_TOK_IDENT))
		j += 2;
	else if (is_delim(p, j, end, '|') && is(p, j + 1, end, CSS_TOK_IDENT))
		j += 1;
	if (!is(p, j, end, CSS_TOK_IDENT))
		return false;
	n = &p->t[j++];
	s->name = lower_copy(p, val(p, n), n->vlen);
	s->name_len = n->vlen;
	if (s->name == NULL)
		return false;
	if (in_list(s->name, s->name_len, legacy_ci))
		s->flags |= CSS_SF_LEGACY_CI;
	skip_ws(p, &j, end);
	if (is(p, j, end, CSS_TOK_RBRACKET)) {
		*i = j + 1;
		return true;
	}
	if (is_delim(p, j, end, '=')) {
		s->op = CSS_AO_EQ;
		j++;
	} else if (is(p, j, end, CSS_TOK_DELIM) &&
	           is_delim(p, j + 1, end, '=')) {
		switch (p->t[j].delim) {
		case '~':
			s->op = CSS_AO_INCLUDES;
			break;
		case '|':
			s->op = CSS_AO_DASH;
			break;
		case '^':
			s->op = CSS_AO_PREFIX;
			break;
		case '$':
			s->op = CSS_AO_SUFFIX;
			break;
		case '*':
			s->op = CSS_AO_SUBSTR;
			break;
		default:
			return false;
		}
		j += 2;
	} else {
		return false;
	}
	skip_ws(p, &j, end);
	if (!is(p, j, end, CSS_TOK_IDENT) && !is(p, j, end, CSS_TOK_STRING))
		return false;
	s->value = plain_copy(p, val(p, &p->t[j]), p->t[j].vlen);
	s->value_len = p->t[j].vlen;
	if (s->value == NULL)
		return false;
	j++;
	skip_ws(p, &j, end);
	if (is(p, j, end, CSS_TOK_IDENT)) {
		const char *f = val(p, &p->t[j]);

		if (bs_span_ieq(f, p->t[j].vlen, "i"))
			s->flags |= CSS_SF_ICASE;
		else if (bs_span_ieq(f, p->t[j].vlen, "s"))
			s->flags |= CSS_SF_CASE;
		else
			return false;
		j++;
		skip_ws(p, &j, end);
	}
	if (!is(p, j, end, CSS_TOK_RBRACKET))
		return false;
	*i = j + 1;
	return true;
}

/*
 * A compound selector at *i. *empty when it has nothing at all; *pe when
 * it ends with a pseudo-element.
 */
static bool compound(struct sp *p, size_t *i, size_t end, unsigned depth,
                     struct css_compound *out, uint32_t *spec, bool *empty,
                     bool *pe)
{
	struct vec v = {NULL, 0, 0, sizeof(struct css_simple)};
	struct css_simple *s;
	size_t j = *i;
	bool ok = false, any = false;

	*spec = 0;
	*pe = false;
	/* Type or universal, with an optional namespace prefix. */
	if ((is(p, j, end, CSS_TOK_IDENT) || is_delim(p, j, end, '*') ||
	     is_delim(p, j, end, '|'))) {
		if (is_delim(p, j, end, '|')) {
			j++;
		} else if (is_delim(p, j + 1, end, '|') &&
		           (is(p, j + 2, end, CSS_TOK_IDENT) ||
		            is_delim(p, j + 2, end, '*'))) {
			j += 2;
		}
		if (is(p, j, end, CSS_TOK_IDENT)) {
			if (!count_simple(p) || (s = vec_push(p, &v)) == NULL)
				goto out;
			s->kind = CSS_SK_TYPE;
			s->name = lower_copy(p, val(p, &p->t[j]), p->t[j].vlen);
			s->name_len = p->t[j].vlen;
			if (s->name == NULL)
				goto out;
			*spec = spec_add(*spec, CSS_SPECIFICITY(0, 0, 1));
		} else if (!is_delim(p, j, end, '*')) {
			goto out;
		}
		j++;
		any = true;
	}
	for (;;) {
		const struct stok *t;
		uint32_t sub = 0;

		if (j >= end)
			break;
		t = &p->t[j];
		if (*pe && !(t->type == CSS_TOK_COLON &&
		             !is(p, j + 1, end, CSS_TOK_COLON)))
			break;
		if (t->type == CSS_TOK_HASH) {
			if (!t->hash_id)
				goto out;
			if (!count_simple(p) || (s = vec_push(p, &v)) == NULL)
				goto out;
			s->kind = CSS_SK_ID;
			s->name = plain_copy(p, val(p, t), t->vlen);
			s->name_len = t->vlen;
			if (s->name == NULL)
				goto out;
			sub = CSS_SPECIFICITY(1, 0, 0);
			j++;
		} else if (t->type == CSS_TOK_DELIM && t->delim == '.') {
			if (!is(p, j + 1, end, CSS_TOK_IDENT))
				goto out;
			if (!count_simple(p) || (s = vec_push(p, &v)) == NULL)
				goto out;
			s->kind = CSS_SK_CLASS;
			s->name = plain_copy(p, val(p, &p->t[j + 1]),
			                     p->t[j + 1].vlen);
			s->name_len = p->t[j + 1].vlen;
			if (s->name == NULL)
				goto out;
			sub = CSS_SPECIFICITY(0, 1, 0);
			j += 2;
		} else if (t->type == CSS_TOK_LBRACKET) {
			if (!count_simple(p) || (s = vec_push(p, &v)) == NULL)
				goto out;
			if (!attribute(p, &j, end, s))
				goto out;
			sub = CSS_SPECIFICITY(0, 1, 0);
		} else if (t->type == CSS_TOK_COLON &&
		           is(p, j + 1, end, CSS_TOK_COLON)) {
			const struct stok *n;

			j += 2;
			if (*pe || j >= end)
				goto out;
			n = &p->t[j];
			if (n->type == CSS_TOK_FUNCTION)
				j = close_paren(p, j, end) + 1;
			else if (n->type == CSS_TOK_IDENT)
				j++;
			else
				goto out;
			if (j > end)
				goto out;
			if (!in_list(val(p, n), n->vlen, pseudo_elements) &&
			    !vendor(val(p, n), n->vlen))
				goto out;
			*pe = true;
			sub = CSS_SPECIFICITY(0, 0, 1);
		} else if (t->type == CSS_TOK_COLON) {
			const struct stok *n;
			size_t k;

			j++;
			if (j >= end)
				goto out;
			n = &p->t[j];
			if (!count_simple(p) || (s = vec_push(p, &v)) == NULL)
				goto out;
			if (n->type == CSS_TOK_FUNCTION) {
				if (!pseudo_function(p, &j, end, depth, s,
				                     &sub))
					goto out;
			} else if (n->type == CSS_TOK_IDENT) {
				const char *nm = val(p, n);

				j++;
				sub = CSS_SPECIFICITY(0, 1, 0);
				s->kind = CSS_SK_PSEUDO;
				if (bs_span_ieq(nm, n->vlen, "before") ||
				    bs_span_ieq(nm, n->vlen, "after") ||
				    bs_span_ieq(nm, n->vlen, "first-line") ||
				    bs_span_ieq(nm, n->vlen, "first-letter")) {
					if (*pe)
						goto out;
					*pe = true;
					v.n--; /* not a simple selector */
					sub = CSS_SPECIFICITY(0, 0, 1);
				} else if (bs_span_ieq(nm, n->vlen,
				                       "first-child")) {
					s->kind = CSS_SK_NTH;
					s->a = 0;
					s->b = 1;
				} else if (bs_span_ieq(nm, n->vlen,
				                       "first-of-type")) {
					s->kind = CSS_SK_NTH;
					s->flags |= CSS_SF_OF_TYPE;
					s->a = 0;
					s->b = 1;
				} else {
					for (k = 0;
					     k < sizeof(pseudo_idents) /
					             sizeof(pseudo_idents[0]);
					     k++)
						if (bs_span_ieq(
						        nm, n->vlen,
						        pseudo_idents[k].name))
							break;
					if (k < sizeof(pseudo_idents) /
					            sizeof(pseudo_idents[0]))
						s->op = pseudo_idents[k].pc;
					else if (vendor(nm, n->vlen))
						s->op = CSS_PC_NEVER;
					else
						goto out;
				}
			} else {
				goto out;
			}
		} else {
			break;
		}
		*spec = spec_add(*spec, sub);
		any = true;
	}
	*empty = !any;
	out->n = v.n;
	out->s = vec_to_arena(p, &v);
	if (p->err)
		goto out;
	*i = j;
	ok = true;
out:
	bs_free(v.v);
	return ok;
}

/* A complex selector at *i, up to a comma or end. */
static bool complex_sel(struct sp *p, size_t *i, size_t end, unsigned depth,
                        struct css_complex *out)
{
	struct vec v = {NULL, 0, 0, sizeof(struct css_compound)};
	uint8_t comb = CSS_COMB_NONE;
	uint32_t spec = 0;
	bool ok = false, pe = false;

	for (;;) {
		struct css_compound *c;
		uint32_t cs;
		bool empty, cpe, ws;

		if (pe)
			goto out; /* nothing may follow a pseudo-element */
		if ((c = vec_push(p, &v)) == NULL)
			goto out;
		if (v.n > p->max_depth) {
			p->err = BS_ELIMIT;
			p->limit = "css-depth";
			goto out;
		}
		if (!compound(p, i, end, depth, c, &cs, &empty, &cpe) || empty)
			goto out;
		c->comb = comb;
		spec = spec_add(spec, cs);
		pe = cpe;
		ws = skip_ws(p, i, end);
		if (*i >= end || is(p, *i, end, CSS_TOK_COMMA))
			break;
		if (is_delim(p, *i, end, '>'))
			comb = CSS_COMB_CHILD;
		else if (is_delim(p, *i, end, '+'))
			comb = CSS_COMB_NEXT;
		else if (is_delim(p, *i, end, '~'))
			comb = CSS_COMB_LATER;
		else if (ws)
			comb = CSS_COMB_DESCENDANT;
		else
			goto out;
		if (comb != CSS_COMB_DESCENDANT) {
			(*i)++;
			skip_ws(p, i, end);
		}
	}
	out->n = v.n;
	out->c = vec_to_arena(p, &v);
	out->spec = spec;
	out->pseudo_element = pe;
	ok = p->err == 0;
out:
	bs_free(v.v);
	return ok;
}

static const struct css_selectors *
parse_list(struct sp *p, size_t *i, size_t end, unsigned depth, bool forgiving)
{
	struct vec v = {NULL, 0, 0, sizeof(struct css_complex)};
	struct css_selectors *list = NULL;

	for (;;) {
		struct css_complex *c;

		skip_ws(p, i, end);
		if ((c = vec_push(p, &v)) == NULL)
			goto out;
		if (!complex_sel(p, i, end, depth, c)) {
			if (p->err || !forgiving)
				goto out;
			/* :is() forgives: drop this one, go to the next. */
			v.n--;
			while (*i < end && !is(p, *i, end, CSS_TOK_COMMA)) {
				if (p->t[*i].type == CSS_TOK_FUNCTION ||
				    p->t[*i].type == CSS_TOK_LPAREN)
					*i = close_paren(p, *i, end);
				if (*i < end)
					(*i)++;
			}
		}
		skip_ws(p, i, end);
		if (*i >= end)
			break;
		if (!is(p, *i, end, CSS_TOK_COMMA))
			goto out;
		(*i)++;
	}
	list = bs_arena_zalloc(p->arena, sizeof(*list));
	if (list == NULL) {
		p->err = BS_ENOMEM;
		goto out;
	}
	list->n = v.n;
	list->sel = vec_to_arena(p, &v);
	if (p->err)
		list = NULL;
out:
	bs_free(v.v);
	return list;
}

int css_sel_parse(const struct css_selectors **out, const char *data,
                  size_t len, struct bs_arena *arena, size_t *used,
                  size_t max_simple, unsigned max_depth, const char **limit)
{
	struct sp p;
	size_t i = 0;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.data = data;
	p.arena = arena;
	p.used = used;
	p.max_simple = max_simple;
	p.max_depth = max_depth ? max_depth : 1;
	bs_buf_init(&p.vals, (size_t)-1);
	if (tokenize(&p, data, len)) {
		const struct css_selectors *l =
		    parse_list(&p, &i, p.n, 0, false);

		/* An empty prelude is no selector list either. */
		if (l && l->n && p.err == 0)
			*out = l;
	}
	bs_free(p.t);
	bs_buf_release(&p.vals);
	*limit = p.limit ? p.limit : "css-selectors";
	return p.err;
}

/* --- matching ---------------------------------------------------------- */

static bool spend(struct css_match *m, uint64_t n)
{
	if (m->limited)
		return false;
	m->steps += n;
	if (m->max_steps && m->steps > m->max_steps) {
		m->limited = true;
		return false;
	}
	return true;
}

static bool get_attr(const struct css_element *el, const char *name, size_t n,
                     const char **v, size_t *vn)
{
	if (el->attr)
		return el->attr(el, name, n, v, vn);
	if (bs_span_ieq(name, n, "id") && el->id) {
		*v = el->id;
		*vn = el->id_len;
		return true;
	}
	if (bs_span_ieq(name, n, "class") && el->classes) {
		*v = el->classes;
		*vn = el->classes_len;
		return true;
	}
	return false;
}

static bool eq(const char *a, size_t an, const char *b, size_t bn, bool ic)
{
	size_t i;

	if (an != bn)
		return false;
	if (!ic)
		return memcmp(a, b, an) == 0;
	for (i = 0; i < an; i++)
		if (bs_ascii_lower(a[i]) != bs_ascii_lower(b[i]))
			return false;
	return true;
}

static bool html_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Is w one of the whitespace-separated words of s? */
static bool has_word(const char *s, size_t n, const char *w, size_t wn, bool ic)
{
	size_t i = 0;

	if (wn == 0)
		return false;
	while (i < n) {
		size_t j;

		while (i < n && html_ws(s[i]))
			i++;
		j = i;
		while (j < n && !html_ws(s[j]))
			j++;
		if (j > i && eq(s + i, j - i, w, wn, ic))
			return true;
		i = j;
	}
	return false;
}

bool css_has_class(const char *classes, size_t classes_len, const char *c,
                   size_t clen, bool icase)
{
	return classes && has_word(classes, classes_len, c, clen, icase);
}

static bool find(const char *h, size_t hn, const char *nd, size_t nn, bool ic)
{
	if (nn > hn)
		return false;
	if (!ic)
		return memmem(h, hn, nd, nn) != NULL;
	return bs_span_ifind(h, hn, nd, nn) != NULL;
}

static bool attr_match(const struct css_simple *s, const struct css_element *el,
                       struct css_match *m)
{
	const char *v = NULL;
	size_t vn = 0;
	bool ic;

	if (!get_attr(el, s->name, s->name_len, &v, &vn))
		return false;
	if (s->op == CSS_AO_EXISTS)
		return true;
	ic = (s->flags & CSS_SF_ICASE) ||
	     ((s->flags & CSS_SF_LEGACY_CI) && !(s->flags & CSS_SF_CASE));
	/* Charge what the comparison may cost: the naive case-insensitive
	 * search is n * m. */
	if (!spend(m, 1 + vn / 64 +
	                  (s->op == CSS_AO_SUBSTR && ic
	                       ? (uint64_t)vn * s->value_len / 64
	                       : 0)))
		return false;
	switch (s->op) {
	case CSS_AO_EQ:
		return eq(v, vn, s->value, s->value_len, ic);
	case CSS_AO_INCLUDES:
		for (size_t i = 0; i < s->value_len; i++)
			if (html_ws(s->value[i]))
				return false;
		return has_word(v, vn, s->value, s->value_len, ic);
	case CSS_AO_DASH:
		return eq(v, vn, s->value, s->value_len, ic) ||
		       (vn > s->value_len && v[s->value_len] == '-' &&
		        eq(v, s->value_len, s->value, s->value_len, ic));
	case CSS_AO_PREFIX:
		return s->value_len && vn >= s->value_len &&
		       eq(v, s->value_len, s->value, s->value_len, ic);
	case CSS_AO_SUFFIX:
		return s->value_len && vn >= s->value_len &&
		       eq(v + vn - s->value_len, s->value_len, s->value,
		          s->value_len, ic);
	case CSS_AO_SUBSTR:
		return s->value_len && find(v, vn, s->value, s->value_len, ic);
	default:
		return false;
	}
}

static bool is_tag(const struct css_element *el, const char *t)
{
	return bs_span_ieq(el->name, el->name_len, t);
}

static bool has_attr(const struct css_element *el, const char *name)
{
	const char *v;
	size_t n;

	return get_attr(el, name, strlen(name), &v, &n);
}

static bool form_control(const struct css_element *el)
{
	return is_tag(el, "input") || is_tag(el, "button") ||
	       is_tag(el, "select") || is_tag(el, "textarea") ||
	       is_tag(el, "option") || is_tag(el, "optgroup") ||
	       is_tag(el, "fieldset");
}

static bool pseudo_match(uint8_t pc, const struct css_element *el)
{
	switch (pc) {
	case CSS_PC_ALWAYS:
		return true;
	case CSS_PC_ROOT:
		return el->parent == NULL;
	case CSS_PC_LINK:
		return (is_tag(el, "a") || is_tag(el, "area")) &&
		       has_attr(el, "href");
	case CSS_PC_CHECKED:
		return (is_tag(el, "input") && has_attr(el, "checked")) ||
		       (is_tag(el, "option") && has_attr(el, "selected"));
	case CSS_PC_DISABLED:
		return form_control(el) && has_attr(el, "disabled");
	case CSS_PC_ENABLED:
		return form_control(el) && !has_attr(el, "disabled");
	default:
		return false;
	}
}

static bool list_matches(const struct css_selectors *l,
                         const struct css_element *el, struct css_match *m)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (css_sel_match_complex(&l->sel[i], el, m))
			return true;
	return false;
}

static bool nth_match(const struct css_simple *s, const struct css_element *el,
                      struct css_match *m)
{
	const struct css_element *e;
	int64_t pos = 1;

	for (e = el->prev; e; e = e->prev) {
		if (!spend(m, 1))
			return false;
		if (s->flags & CSS_SF_OF_TYPE) {
			if (!eq(e->name, e->name_len, el->name, el->name_len,
			        true))
				continue;
		} else if (s->sub && !list_matches(s->sub, e, m)) {
			continue;
		}
		pos++;
		/* Past b with a <= 0 nothing further can match. */
		if (s->a <= 0 && pos > s->b)
			return false;
	}
	if (s->sub && !list_matches(s->sub, el, m))
		return false;
	if (s->a == 0)
		return pos == s->b;
	return (pos - s->b) % s->a == 0 && (pos - s->b) / s->a >= 0;
}

static bool simple_match(const struct css_simple *s,
                         const struct css_element *el, struct css_match *m)
{
	switch (s->kind) {
	case CSS_SK_TYPE:
		return eq(el->name, el->name_len, s->name, s->name_len, true);
	case CSS_SK_ID:
		return el->id &&
		       eq(el->id, el->id_len, s->name, s->name_len, m->quirks);
	case CSS_SK_CLASS:
		if (!spend(m, el->classes_len / 64))
			return false;
		return css_has_class(el->classes, el->classes_len, s->name,
		                     s->name_len, m->quirks);
	case CSS_SK_ATTR:
		return attr_match(s, el, m);
	case CSS_SK_PSEUDO:
		return pseudo_match(s->op, el);
	case CSS_SK_NOT:
		return !list_matches(s->sub, el, m) && !m->limited;
	case CSS_SK_IS:
		return list_matches(s->sub, el, m);
	case CSS_SK_NTH:
		return nth_match(s, el, m);
	default:
		return false;
	}
}

static bool compound_match(const struct css_compound *c,
                           const struct css_element *el, struct css_match *m)
{
	size_t i;

	if (!spend(m, 1 + c->n))
		return false;
	for (i = 0; i < c->n; i++)
		if (!simple_match(&c->s[i], el, m))
			return false;
	return true;
}

enum mres {
	M_MATCHED,
	M_NOT_LATER_SIBLING, /* retry from the closest later sibling */
	M_NOT_DESCENDANT,    /* retry from the closest descendant */
	M_NOT_GLOBALLY,      /* no element can make it match */
};

static enum mres match_from(const struct css_complex *sel, size_t ci,
                            const struct css_element *el, struct css_match *m)
{
	const struct css_element *next;
	uint8_t comb;
	enum mres notfound;

	if (!compound_match(&sel->c[ci], el, m))
		return m->limited ? M_NOT_GLOBALLY : M_NOT_LATER_SIBLING;
	if (ci == 0)
		return M_MATCHED;
	comb = sel->c[ci].comb;
	notfound = (comb == CSS_COMB_NEXT || comb == CSS_COMB_LATER)
	               ? M_NOT_DESCENDANT
	               : M_NOT_GLOBALLY;
	next = (comb == CSS_COMB_CHILD || comb == CSS_COMB_DESCENDANT)
	           ? el->parent
	           : el->prev;
	for (;;) {
		enum mres r;

		if (next == NULL)
			return notfound;
		r = match_from(sel, ci - 1, next, m);
		if (r == M_MATCHED || r == M_NOT_GLOBALLY ||
		    comb == CSS_COMB_NEXT)
			return r;
		if (comb == CSS_COMB_CHILD)
			return M_NOT_DESCENDANT;
		if (r == M_NOT_DESCENDANT && comb == CSS_COMB_LATER)
			return r;
		next = comb == CSS_COMB_DESCENDANT ? next->parent : next->prev;
	}
}

bool css_sel_match_complex(const struct css_complex *sel,
                           const struct css_element *el, struct css_match *m)
{
	if (sel->pseudo_element || sel->n == 0 || m->limited)
		return false;
	return match_from(sel, sel->n - 1, el, m) == M_MATCHED;
}

/* --- public ------------------------------------------------------------ */

int css_selectors_parse(struct css_selectors **out, const char *text,
                        size_t len, const struct css_options *opt)
{
	struct bs_limits store;
	const struct bs_limits *lim =
	    css_limits(opt ? opt->limits : NULL, &store);
	struct css_budget own = {0},
	                  *b = opt && opt->budget ? opt->budget : &own;
	const struct css_selectors *l = NULL;
	const char *why = NULL;
	struct bs_arena *a;
	size_t used = 0, left = 0;
	int rc;

	*out = NULL;
	a = bs_arena_new((size_t)-1);
	if (a == NULL)
		return BS_ENOMEM;
	if (b->selectors < lim->css_selectors)
		left = lim->css_selectors - b->selectors;
	rc = css_sel_parse(&l, text, len, a, &used, left, lim->css_depth, &why);
	b->selectors += used;
	if (rc == BS_ELIMIT && opt)
		bs_problems_add(opt->problems, "limit", why);
	if (rc || l == NULL) {
		bs_arena_free(&a);
		return rc;
	}
	/* The list lives in its own arena: const only towards callers. */
	*out = (struct css_selectors *)l;
	(*out)->own = a;
	return 0;
}

void css_selectors_free(struct css_selectors **s)
{
	struct bs_arena *a;

	if (s == NULL || *s == NULL)
		return;
	a = (*s)->own;
	*s = NULL;
	bs_arena_free(&a);
}

size_t css_selectors_count(const struct css_selectors *s)
{
	return s ? s->n : 0;
}

uint32_t css_selector_specificity(const struct css_selectors *s, size_t i)
{
	return s && i < s->n ? s->sel[i].spec : 0;
}

bool css_selector_matches(const struct css_selectors *s, size_t i,
                          const struct css_element *el, struct css_match *m)
{
	if (s == NULL || i >= s->n)
		return false;
	return css_sel_match_complex(&s->sel[i], el, m);
}

int64_t css_selectors_match(const struct css_selectors *s,
                            const struct css_element *el, struct css_match *m)
{
	int64_t best = -1;
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < s->n; i++)
		if (css_sel_match_complex(&s->sel[i], el, m) &&
		    (int64_t)s->sel[i].spec > best)
			best = s->sel[i].spec;
	return best;
}
