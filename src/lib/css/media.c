/*
 * media.c - media query lists (Media Queries 4) evaluated against a fixed
 * environment, for callers that want "what a desktop client shows"
 * rather than "every rule counts".
 *
 * Unknown media types and features, and anything malformed, make that
 * one query false (as browsers treat unknown syntax); the other queries
 * of the list still count.
 */
#include "internal.h"

#include <string.h>

#include "util/str.h"

#define MQ_MAX_TOKENS 256

struct mt {
	uint8_t type;
	char delim;
	double num;
	char s[32]; /* lower-cased ident / unit / function name */
	uint8_t slen;
};

struct mq {
	const struct mt *t;
	size_t n;
	const struct css_media_env *env;
	unsigned depth;
};

static bool is_kw(const struct mt *t, const char *s)
{
	size_t n = strlen(s);

	return t->type == CSS_TOK_IDENT && t->slen == n &&
	       memcmp(t->s, s, n) == 0;
}

static bool at_delim(const struct mq *q, size_t i, size_t end, char c)
{
	return i < end && q->t[i].type == CSS_TOK_DELIM && q->t[i].delim == c;
}

/* A length in px (em at 16px), a ratio, a resolution in dppx, or a bare
 * number; *kind tells which. */
enum vkind { V_NONE, V_LEN, V_NUM, V_RES, V_IDENT };

static size_t value(const struct mq *q, size_t i, size_t end, double *v,
                    enum vkind *kind)
{
	const struct mt *t;

	*kind = V_NONE;
	if (i >= end)
		return 0;
	t = &q->t[i];
	if (t->type == CSS_TOK_NUMBER) {
		*v = t->num;
		*kind = V_NUM;
		/* A ratio: number '/' number. */
		if (at_delim(q, i + 1, end, '/') && i + 2 < end &&
		    q->t[i + 2].type == CSS_TOK_NUMBER) {
			*v =
			    q->t[i + 2].num != 0 ? t->num / q->t[i + 2].num : 0;
			return 3;
		}
		return 1;
	}
	if (t->type == CSS_TOK_DIMENSION) {
		const char *u = t->s;

		if (strcmp(u, "px") == 0)
			*v = t->num;
		else if (strcmp(u, "em") == 0 || strcmp(u, "rem") == 0)
			*v = t->num * 16;
		else if (strcmp(u, "pt") == 0)
			*v = t->num * 96 / 72;
		else if (strcmp(u, "in") == 0)
			*v = t->num * 96;
		else if (strcmp(u, "cm") == 0)
			*v = t->num * 96 / 2.54;
		else if (strcmp(u, "mm") == 0)
			*v = t->num * 96 / 25.4;
		else if (strcmp(u, "dppx") == 0 || strcmp(u, "x") == 0) {
			*v = t->num;
			*kind = V_RES;
			return 1;
		} else if (strcmp(u, "dpi") == 0) {
			*v = t->num / 96;
			*kind = V_RES;
			return 1;
		} else if (strcmp(u, "dpcm") == 0) {
			*v = t->num * 2.54 / 96;
			*kind = V_RES;
			return 1;
		} else {
			return 0;
		}
		*kind = V_LEN;
		return 1;
	}
	if (t->type == CSS_TOK_IDENT) {
		*kind = V_IDENT;
		return 1;
	}
	return 0;
}

/* The environment's value of a range feature; false when unknown. */
static bool env_value(const struct mq *q, const char *f, double *v)
{
	double w = q->env->width, h = q->env->height;

	if (strcmp(f, "width") == 0 || strcmp(f, "device-width") == 0)
		*v = w;
	else if (strcmp(f, "height") == 0 || strcmp(f, "device-height") == 0)
		*v = h;
	else if (strcmp(f, "aspect-ratio") == 0 ||
	         strcmp(f, "device-aspect-ratio") == 0)
		*v = h ? w / h : 0;
	else if (strcmp(f, "resolution") == 0 ||
	         strcmp(f, "-webkit-device-pixel-ratio") == 0 ||
	         strcmp(f, "device-pixel-ratio") == 0 ||
	         strcmp(f, "-moz-device-pixel-ratio") == 0)
		*v = 1;
	else if (strcmp(f, "color") == 0)
		*v = 8;
	else if (strcmp(f, "monochrome") == 0 || strcmp(f, "grid") == 0)
		*v = 0;
	else
		return false;
	return true;
}

static bool compare(double a, const char *op, double b)
{
	if (strcmp(op, "<") == 0)
		return a < b;
	if (strcmp(op, "<=") == 0)
		return a <= b;
	if (strcmp(op, ">") == 0)
		return a > b;
	if (strcmp(op, ">=") == 0)
		return a >= b;
	return a == b;
}

/* A comparison operator at i: its text and length in tokens. */
static size_t op_at(const struct mq *q, size_t i, size_t end, char op[3])
{
	if (!(at_delim(q, i, end, '<') || at_delim(q, i, end, '>') ||
	      at_delim(q, i, end, '=')))
		return 0;
	op[0] = q->t[i].delim;
	op[1] = op[2] = '\0';
	if (op[0] != '=' && at_delim(q, i + 1, end, '=')) {
		op[1] = '=';
		return 2;
	}
	return 1;
}

/* A discrete feature's value. -1: unknown feature. */
static int discrete(const struct mq *q, const char *f, const struct mt *v)
{
	if (strcmp(f, "orientation") == 0)
		return is_kw(v, q->env->height >= q->env->width ? "portrait"
		                                                : "landscape");
	if (strcmp(f, "prefers-color-scheme") == 0)
		return is_kw(v, q->env->dark ? "dark" : "light");
	if (strcmp(f, "hover") == 0 || strcmp(f, "any-hover") == 0)
		return is_kw(v, "hover");
	if (strcmp(f, "pointer") == 0 || strcmp(f, "any-pointer") == 0)
		return is_kw(v, "fine");
	if (strcmp(f, "prefers-reduced-motion") == 0 ||
	    strcmp(f, "prefers-contrast") == 0 ||
	    strcmp(f, "prefers-reduced-transparency") == 0)
		return is_kw(v, "no-preference");
	if (strcmp(f, "scripting") == 0)
		return is_kw(v, "none");
	if (strcmp(f, "display-mode") == 0)
		return is_kw(v, "browser");
	if (strcmp(f, "update") == 0)
		return is_kw(v, "fast");
	return -1;
}

/* A media feature inside parentheses [i, end). */
static bool feature(const struct mq *q, size_t i, size_t end)
{
	char op[3], op2[3];
	double a, b, e;
	enum vkind k;
	size_t n, m;

	if (i >= end)
		return false;
	if (q->t[i].type == CSS_TOK_IDENT && i + 1 == end) {
		/* Boolean context: true when the value is not 0/none. */
		const char *f = q->t[i].s;

		if (env_value(q, f, &e))
			return e != 0;
		return strcmp(f, "hover") == 0 || strcmp(f, "any-hover") == 0 ||
		       strcmp(f, "pointer") == 0 ||
		       strcmp(f, "any-pointer") == 0;
	}
	if (q->t[i].type == CSS_TOK_IDENT && i + 1 < end &&
	    q->t[i + 1].type == CSS_TOK_COLON) {
		const char *f = q->t[i].s;
		bool min = strncmp(f, "min-", 4) == 0;
		bool max = strncmp(f, "max-", 4) == 0;
		int d;

		if (q->t[i].slen >= sizeof(q->t[i].s) - 1)
			return false;
		/* -webkit-min-device-pixel-ratio, min--moz-device-... */
		if (strncmp(f, "-webkit-min-", 12) == 0 ||
		    strncmp(f, "-webkit-max-", 12) == 0) {
			min = f[9] == 'i';
			max = !min;
			f += 12;
		} else if (min || max) {
			f += 4; /* min--moz-device-pixel-ratio keeps "-moz-" */
		}
		n = value(q, i + 2, end, &b, &k);
		if (n == 0 || i + 2 + n != end)
			return false;
		if (k == V_IDENT) {
			d = discrete(q, f, &q->t[i + 2]);
			return d > 0;
		}
		if (!env_value(q, f, &e))
			return false;
		if (min)
			return e >= b;
		if (max)
			return e <= b;
		return e == b;
	}
	/* Range forms: name op value, value op name, value op name op
	 * value. */
	if (q->t[i].type == CSS_TOK_IDENT) {
		m = op_at(q, i + 1, end, op);
		if (m == 0 || !env_value(q, q->t[i].s, &e))
			return false;
		n = value(q, i + 1 + m, end, &b, &k);
		if (n == 0 || i + 1 + m + n != end || k == V_IDENT)
			return false;
		return compare(e, op, b);
	}
	n = value(q, i, end, &a, &k);
	if (n == 0 || k == V_IDENT)
		return false;
	m = op_at(q, i + n, end, op);
	if (m == 0 || i + n + m >= end ||
	    q->t[i + n + m].type != CSS_TOK_IDENT ||
	    !env_value(q, q->t[i + n + m].s, &e))
		return false;
	if (i + n + m + 1 == end)
		return compare(a, op, e);
	i += n + m + 1;
	m = op_at(q, i, end, op2);
	if (m == 0)
		return false;
	n = value(q, i + m, end, &b, &k);
	if (n == 0 || i + m + n != end || k == V_IDENT)
		return false;
	return compare(a, op, e) && compare(e, op2, b);
}

/* Index of the ')' matching the '(' or function at i. */
static size_t close_at(const struct mq *q, size_t i, size_t end)
{
	unsigned d = 0;

	for (; i < end; i++) {
		if (q->t[i].type == CSS_TOK_LPAREN ||
		    q->t[i].type == CSS_TOK_FUNCTION)
			d++;
		else if (q->t[i].type == CSS_TOK_RPAREN && --d == 0)
			return i;
	}
	return end;
}

static bool condition(struct mq *q, size_t i, size_t end);

/* One "( ... )": a nested condition or a feature. *next is past it. */
static bool in_parens(struct mq *q, size_t i, size_t end, size_t *next,
                      bool *ok)
{
	size_t c;

	*ok = false;
	if (i >= end || q->t[i].type != CSS_TOK_LPAREN) {
		if (i < end && q->t[i].type == CSS_TOK_FUNCTION) {
			/* general-enclosed: valid syntax, false. */
			c = close_at(q, i, end);
			*next = c + 1;
			*ok = c < end;
		}
		return false;
	}
	c = close_at(q, i, end);
	if (c >= end)
		return false;
	*next = c + 1;
	*ok = true;
	if (c > i + 1 &&
	    (q->t[i + 1].type == CSS_TOK_LPAREN || is_kw(&q->t[i + 1], "not")))
		return condition(q, i + 1, c);
	return feature(q, i + 1, c);
}

static void skip(const struct mq *q, size_t *i, size_t end)
{
	while (*i < end && q->t[*i].type == CSS_TOK_WHITESPACE)
		(*i)++;
}

/* not X | X [and X]* | X [or X]* */
static bool condition(struct mq *q, size_t i, size_t end)
{
	bool r, v, ok, any_and = false, any_or = false;
	size_t next;

	if (++q->depth > 32)
		return false;
	skip(q, &i, end);
	if (i < end && is_kw(&q->t[i], "not")) {
		i++;
		skip(q, &i, end);
		v = in_parens(q, i, end, &next, &ok);
		i = next;
		skip(q, &i, end);
		q->depth--;
		return ok && i == end && !v;
	}
	r = in_parens(q, i, end, &next, &ok);
	if (!ok) {
		q->depth--;
		return false;
	}
	for (i = next;;) {
		skip(q, &i, end);
		if (i >= end)
			break;
		if (is_kw(&q->t[i], "and") && !any_or) {
			any_and = true;
		} else if (is_kw(&q->t[i], "or") && !any_and) {
			any_or = true;
		} else {
			q->depth--;
			return false;
		}
		i++;
		skip(q, &i, end);
		v = in_parens(q, i, end, &next, &ok);
		if (!ok) {
			q->depth--;
			return false;
		}
		r = any_and ? (r && v) : (r || v);
		i = next;
	}
	q->depth--;
	return r;
}

/* One query of the list: [not|only] type [and condition] | condition. */
static bool query(struct mq *q, size_t i, size_t end)
{
	bool neg = false, r;
	const char *type = q->env->type ? q->env->type : "screen";

	skip(q, &i, end);
	if (i >= end)
		return false;
	if (q->t[i].type != CSS_TOK_IDENT || is_kw(&q->t[i], "not")) {
		/* "not (" is a condition; "not screen" a negated type. */
		size_t j = i + 1;

		skip(q, &j, end);
		if (!(is_kw(&q->t[i], "not") && j < end &&
		      q->t[j].type == CSS_TOK_IDENT))
			return condition(q, i, end);
	}
	if (is_kw(&q->t[i], "not") || is_kw(&q->t[i], "only")) {
		neg = is_kw(&q->t[i], "not");
		i++;
		skip(q, &i, end);
		if (i >= end || q->t[i].type != CSS_TOK_IDENT)
			return false;
	}
	r = is_kw(&q->t[i], "all") || is_kw(&q->t[i], type);
	if (!r && !is_kw(&q->t[i], "screen") && !is_kw(&q->t[i], "print") &&
	    !is_kw(&q->t[i], "tv") && !is_kw(&q->t[i], "handheld") &&
	    !is_kw(&q->t[i], "projection") && !is_kw(&q->t[i], "speech") &&
	    !is_kw(&q->t[i], "aural") && !is_kw(&q->t[i], "braille") &&
	    !is_kw(&q->t[i], "embossed") && !is_kw(&q->t[i], "tty"))
		return false; /* unknown type: the query is not valid */
	i++;
	skip(q, &i, end);
	if (i < end) {
		if (!is_kw(&q->t[i], "and"))
			return false;
		i++;
		/* Only "and" may chain after a media type. */
		{
			size_t j;

			for (j = i; j < end; j++)
				if (is_kw(&q->t[j], "or"))
					return false;
		}
		r = r && condition(q, i, end);
	}
	return neg ? !r : r;
}

bool css_media_matches(const char *text, size_t len,
                       const struct css_media_env *env)
{
	static const struct css_media_env def = {"screen", 800, 600, false};
	struct css_media_env e = env ? *env : def;
	struct css_tokenizer tk;
	struct css_token tok;
	struct mt t[MQ_MAX_TOKENS];
	struct mq q;
	size_t n = 0, i, start;
	bool any = false, r = false;

	if (e.width == 0)
		e.width = 800;
	if (e.height == 0)
		e.height = 600;
	css_tok_init(&tk, text, len, 0);
	for (;;) {
		if (css_tok_next(&tk, &tok) || tok.type == CSS_TOK_EOF)
			break;
		/* Whitespace only separates words, which are tokens anyway
		 * ("and(" is a function, as the grammar wants). */
		if (tok.type == CSS_TOK_WHITESPACE)
			continue;
		if (n == MQ_MAX_TOKENS) {
			/* Too long to be a real query: read it as false. */
			css_tok_release(&tk);
			return false;
		}
		memset(&t[n], 0, sizeof(t[n]));
		t[n].type = (uint8_t)tok.type;
		t[n].delim = tok.delim;
		t[n].num = tok.number;
		if (tok.value_len < sizeof(t[n].s)) {
			for (i = 0; i < tok.value_len; i++)
				t[n].s[i] = bs_ascii_lower(tok.value[i]);
			t[n].slen = (uint8_t)tok.value_len;
		} else {
			t[n].slen = sizeof(t[n].s);
		}
		n++;
	}
	css_tok_release(&tk);
	q.t = t;
	q.n = n;
	q.env = &e;
	q.depth = 0;
	/* An empty list matches everything. */
	for (i = 0; i < n && t[i].type == CSS_TOK_WHITESPACE; i++)
		;
	if (i == n)
		return true;
	for (start = 0, i = 0; i <= n; i++) {
		if (i < n && (t[i].type == CSS_TOK_LPAREN ||
		              t[i].type == CSS_TOK_FUNCTION)) {
			i = close_at(&q, i, n);
			if (i >= n)
				i = n - 1;
			continue;
		}
		if (i == n || t[i].type == CSS_TOK_COMMA) {
			any = true;
			if (query(&q, start, i))
				r = true;
			start = i + 1;
		}
	}
	return any && r;
}
