/*
 * tokenizer.c - css-syntax-3 section 4, on bytes, with the preprocessing
 * of 3.3 folded into the scanning so that spans stay raw.
 *
 * Values are sliced from the input when they need no decoding, which is
 * nearly always; the first escape or NUL switches the value to the scratch
 * buffer, which then receives the rest of it.
 */
#include "internal.h"

#include <string.h>

#include "util/alloc.h"
#include "util/str.h"

#define EOF_C (-1)

static const char fffd[3] = {'\xEF', '\xBF', '\xBD'};

static int at(const struct css_tokenizer *t, size_t i)
{
	size_t p = t->pos + i;

	return p < t->len ? t->p[p] : EOF_C;
}

static bool is_newline(int c)
{
	return c == '\n' || c == '\r' || c == '\f';
}

static bool is_ws(int c)
{
	return c == ' ' || c == '\t' || is_newline(c);
}

/* NUL counts: it reads as U+FFFD, a non-ASCII code point. */
static bool is_name_start(int c)
{
	return c >= 0x80 || c == 0 || c == '_' ||
	       (c >= 0 && bs_is_ascii_alpha((unsigned char)c));
}

static bool is_name(int c)
{
	return is_name_start(c) || c == '-' ||
	       (c >= 0 && bs_is_ascii_digit((unsigned char)c));
}

static bool is_digit(int c)
{
	return c >= 0 && bs_is_ascii_digit((unsigned char)c);
}

static bool is_hex(int c)
{
	return c >= 0 && bs_is_ascii_hex((unsigned char)c);
}

/* NUL is not one: it reads as U+FFFD. */
static bool is_nonprintable(int c)
{
	return (c >= 1 && c <= 8) || c == 0x0B || (c >= 0x0E && c <= 0x1F) ||
	       c == 0x7F;
}

/* The byte at i is a newline: its length, CR LF counting as one. */
static size_t newline_len(const struct css_tokenizer *t, size_t i)
{
	return (at(t, i) == '\r' && at(t, i + 1) == '\n') ? 2 : 1;
}

static bool valid_escape(const struct css_tokenizer *t, size_t i)
{
	return at(t, i) == '\\' && !is_newline(at(t, i + 1));
}

static bool starts_ident(const struct css_tokenizer *t, size_t i)
{
	int c = at(t, i);

	if (c == '-')
		return is_name_start(at(t, i + 1)) || at(t, i + 1) == '-' ||
		       valid_escape(t, i + 1);
	if (c == '\\')
		return valid_escape(t, i);
	return c != EOF_C && is_name_start(c);
}

static bool starts_number(const struct css_tokenizer *t, size_t i)
{
	int c = at(t, i);

	if (c == '+' || c == '-') {
		c = at(t, i + 1);
		return is_digit(c) || (c == '.' && is_digit(at(t, i + 2)));
	}
	if (c == '.')
		return is_digit(at(t, i + 1));
	return is_digit(c);
}

/* --- value builder ------------------------------------------------ */

struct val {
	size_t start;   /* input index where the value begins */
	size_t flushed; /* input index copied to scratch so far */
	bool dec;       /* the value lives in scratch */
};

static void val_begin(struct css_tokenizer *t, struct val *v)
{
	v->start = v->flushed = t->pos;
	v->dec = false;
}

/* Copy the plain bytes before upto, switching to scratch if needed. */
static void val_flush(struct css_tokenizer *t, struct val *v, size_t upto)
{
	if (!v->dec) {
		v->dec = true;
		bs_buf_reset(&t->scratch);
	}
	if (upto > v->flushed)
		bs_buf_append(&t->scratch, t->p + v->flushed,
		              upto - v->flushed);
	v->flushed = upto;
}

static void val_end(struct css_tokenizer *t, struct val *v, size_t end,
                    struct css_token *tok)
{
	tok->value_span.start = t->base + v->start;
	tok->value_span.end = t->base + end;
	if (v->dec) {
		val_flush(t, v, end);
		if (bs_buf_error(&t->scratch)) {
			t->err = bs_buf_error(&t->scratch);
			tok->value = "";
			tok->value_len = 0;
			return;
		}
		tok->value = t->scratch.data;
		tok->value_len = t->scratch.len;
	} else {
		tok->value = (const char *)t->p + v->start;
		tok->value_len = end - v->start;
	}
}

/* A NUL byte at pos: replace it by U+FFFD and step over it. */
static void val_nul(struct css_tokenizer *t, struct val *v)
{
	val_flush(t, v, t->pos);
	bs_buf_append(&t->scratch, fffd, sizeof(fffd));
	t->pos++;
	v->flushed = t->pos;
}

/* 4.3.7: pos is at the '\' of a valid escape. */
static void val_escape(struct css_tokenizer *t, struct val *v)
{
	unsigned long cp = 0;
	int c, n;

	val_flush(t, v, t->pos);
	t->pos++;
	c = at(t, 0);
	if (c == EOF_C) {
		bs_buf_append(&t->scratch, fffd, sizeof(fffd));
	} else if (is_hex(c)) {
		for (n = 0; n < 6 && is_hex(at(t, 0)); n++) {
			c = at(t, 0);
			cp = cp * 16 +
			     (unsigned long)bs_hexval((unsigned char)c);
			t->pos++;
		}
		if (is_ws(at(t, 0)))
			t->pos += is_newline(at(t, 0)) ? newline_len(t, 0) : 1;
		if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			cp = 0xFFFD;
		bs_buf_put_utf8(&t->scratch, cp);
	} else if (c == 0) {
		bs_buf_append(&t->scratch, fffd, sizeof(fffd));
		t->pos++;
	} else {
		/* A lead byte of UTF-8: its continuation bytes follow as plain
		 * bytes, which gives the same result as decoding it. */
		bs_buf_putc(&t->scratch, c);
		t->pos++;
	}
	v->flushed = t->pos;
}

/* 4.3.12: consume a name into the value. */
static void consume_name(struct css_tokenizer *t, struct val *v)
{
	for (;;) {
		int c = at(t, 0);

		if (c == 0)
			val_nul(t, v);
		else if (c != EOF_C && is_name(c))
			t->pos++;
		else if (valid_escape(t, 0))
			val_escape(t, v);
		else
			break;
	}
}

/* --- numbers ---------------------------------------------------- */

/* 4.3.13 and 4.3.14 without strtod, which follows the locale. */
static double consume_number(struct css_tokenizer *t, bool *integer)
{
	double mant = 0, frac = 0, fscale = 1;
	int sign = 1, esign = 1;
	long exp = 0;
	unsigned fdig = 0;
	int c = at(t, 0);

	*integer = true;
	if (c == '+' || c == '-') {
		sign = c == '-' ? -1 : 1;
		t->pos++;
	}
	while (is_digit(at(t, 0))) {
		mant = mant * 10 + (at(t, 0) - '0');
		t->pos++;
	}
	if (at(t, 0) == '.' && is_digit(at(t, 1))) {
		*integer = false;
		t->pos++;
		while (is_digit(at(t, 0))) {
			/* Digits past 17 cannot change a double. */
			if (fdig < 17) {
				frac = frac * 10 + (at(t, 0) - '0');
				fscale *= 10;
				fdig++;
			}
			t->pos++;
		}
	}
	c = at(t, 0);
	if ((c == 'e' || c == 'E') &&
	    (is_digit(at(t, 1)) ||
	     ((at(t, 1) == '+' || at(t, 1) == '-') && is_digit(at(t, 2))))) {
		*integer = false;
		t->pos++;
		if (at(t, 0) == '+' || at(t, 0) == '-') {
			esign = at(t, 0) == '-' ? -1 : 1;
			t->pos++;
		}
		while (is_digit(at(t, 0))) {
			if (exp < 100000)
				exp = exp * 10 + (at(t, 0) - '0');
			t->pos++;
		}
	}
	mant += frac / fscale;
	if (mant != 0) {
		long i;

		/* Stop as soon as the value saturates (inf) or vanishes. */
		for (i = 0; i < exp && mant != 0 && mant < 1e308; i++)
			mant = esign > 0 ? mant * 10 : mant / 10;
		if (esign > 0 && i < exp && mant >= 1e308)
			mant = mant * 10 * 10;
	}
	return sign * mant;
}

/* 4.3.3 */
static void consume_numeric(struct css_tokenizer *t, struct css_token *tok)
{
	tok->number = consume_number(t, &tok->integer);
	if (starts_ident(t, 0)) {
		struct val v;

		tok->type = CSS_TOK_DIMENSION;
		val_begin(t, &v);
		consume_name(t, &v);
		val_end(t, &v, t->pos, tok);
	} else if (at(t, 0) == '%') {
		tok->type = CSS_TOK_PERCENTAGE;
		t->pos++;
	} else {
		tok->type = CSS_TOK_NUMBER;
	}
}

/* --- strings and urls ------------------------------------------- */

/* 4.3.5: pos is at the opening quote. */
static void consume_string(struct css_tokenizer *t, struct css_token *tok)
{
	int q = at(t, 0);
	struct val v;

	tok->type = CSS_TOK_STRING;
	t->pos++;
	val_begin(t, &v);
	for (;;) {
		int c = at(t, 0);

		if (c == EOF_C) {
			tok->unterminated = true;
			val_end(t, &v, t->pos, tok);
			return;
		}
		if (c == q) {
			val_end(t, &v, t->pos, tok);
			tok->value_span.end = t->base + t->pos;
			t->pos++;
			return;
		}
		if (is_newline(c)) {
			tok->type = CSS_TOK_BAD_STRING;
			val_end(t, &v, t->pos, tok);
			return;
		}
		if (c == 0) {
			val_nul(t, &v);
		} else if (c == '\\') {
			int n = at(t, 1);

			if (n == EOF_C) {
				val_flush(t, &v, t->pos);
				t->pos++;
				v.flushed = t->pos;
			} else if (is_newline(n)) {
				val_flush(t, &v, t->pos);
				t->pos += 1 + newline_len(t, 1);
				v.flushed = t->pos;
			} else {
				val_escape(t, &v);
			}
		} else {
			t->pos++;
		}
	}
}

static void skip_ws(struct css_tokenizer *t)
{
	while (is_ws(at(t, 0)))
		t->pos++;
}

/* 4.3.15: linear, an escape is skipped whole so "\)" does not end it. */
static void consume_bad_url_remnants(struct css_tokenizer *t)
{
	for (;;) {
		int c = at(t, 0);

		if (c == EOF_C)
			return;
		if (c == ')') {
			t->pos++;
			return;
		}
		if (valid_escape(t, 0)) {
			/* The escaped code point itself is of no use: skip the
			 * backslash and what follows it as one unit. */
			t->pos++;
			if (is_hex(at(t, 0))) {
				int n;

				for (n = 0; n < 6 && is_hex(at(t, 0)); n++)
					t->pos++;
				if (is_ws(at(t, 0)))
					t->pos += is_newline(at(t, 0))
					              ? newline_len(t, 0)
					              : 1;
			} else if (at(t, 0) != EOF_C) {
				t->pos++;
			}
		} else {
			t->pos++;
		}
	}
}

/* 4.3.6: pos is just after "url(". */
static void consume_url(struct css_tokenizer *t, struct css_token *tok)
{
	struct val v;

	tok->type = CSS_TOK_URL;
	skip_ws(t);
	val_begin(t, &v);
	for (;;) {
		int c = at(t, 0);

		if (c == ')') {
			val_end(t, &v, t->pos, tok);
			t->pos++;
			return;
		}
		if (c == EOF_C) {
			tok->unterminated = true;
			val_end(t, &v, t->pos, tok);
			return;
		}
		if (is_ws(c)) {
			size_t end = t->pos;

			skip_ws(t);
			c = at(t, 0);
			if (c == ')' || c == EOF_C) {
				val_end(t, &v, end, tok);
				tok->unterminated = c == EOF_C;
				if (c == ')')
					t->pos++;
				return;
			}
			goto bad;
		}
		if (c == '"' || c == '\'' || c == '(' || is_nonprintable(c))
			goto bad;
		if (c == '\\') {
			if (!valid_escape(t, 0))
				goto bad;
			val_escape(t, &v);
		} else if (c == 0) {
			val_nul(t, &v);
		} else {
			t->pos++;
		}
	}
bad:
	consume_bad_url_remnants(t);
	tok->type = CSS_TOK_BAD_URL;
	tok->value = "";
	tok->value_len = 0;
	tok->value_span.start = tok->value_span.end = t->base + t->pos;
}

/* 4.3.4 */
static void consume_ident_like(struct css_tokenizer *t, struct css_token *tok)
{
	struct val v;

	val_begin(t, &v);
	consume_name(t, &v);
	val_end(t, &v, t->pos, tok);
	if (at(t, 0) != '(') {
		tok->type = CSS_TOK_IDENT;
		return;
	}
	t->pos++;
	tok->type = CSS_TOK_FUNCTION;
	if (!bs_span_ieq(tok->value, tok->value_len, "url"))
		return;
	while (is_ws(at(t, 0)) && is_ws(at(t, 1)))
		t->pos++;
	if (at(t, 0) == '"' || at(t, 0) == '\'' ||
	    (is_ws(at(t, 0)) && (at(t, 1) == '"' || at(t, 1) == '\'')))
		return;
	/* The url's value replaces the name in the scratch buffer: the
	 * name is known to be "url" and is no longer needed. */
	consume_url(t, tok);
}

/* --- the token loop ---------------------------------------------- */

static void skip_comments(struct css_tokenizer *t)
{
	while (at(t, 0) == '/' && at(t, 1) == '*') {
		size_t i = t->pos + 2;

		for (;;) {
			const unsigned char *s =
			    i < t->len ? memchr(t->p + i, '*', t->len - i)
			               : NULL;

			if (s == NULL) {
				t->pos = t->len;
				return;
			}
			i = (size_t)(s - t->p) + 1;
			if (i < t->len && t->p[i] == '/') {
				t->pos = i + 1;
				break;
			}
		}
	}
}

static void simple(struct css_tokenizer *t, struct css_token *tok,
                   enum css_token_type type, size_t n)
{
	tok->type = type;
	t->pos += n;
}

void css_tok_init(struct css_tokenizer *t, const char *data, size_t len,
                  uint64_t base)
{
	size_t cap;
	int ovf = 0;

	memset(t, 0, sizeof(*t));
	t->p = (const unsigned char *)data;
	t->len = data ? len : 0;
	t->base = base;
	/* Every input byte decodes to at most 3 bytes (NUL to U+FFFD). */
	cap = bs_add(bs_mul(t->len, 3, &ovf), 16, &ovf);
	bs_buf_init(&t->scratch, ovf ? (size_t)-1 : cap);
}

void css_tok_release(struct css_tokenizer *t)
{
	bs_buf_release(&t->scratch);
}

void css_tok_reset(struct css_tokenizer *t, const char *data, size_t len,
                   uint64_t base)
{
	struct bs_buf keep = t->scratch;
	size_t cap;
	int ovf = 0;

	t->p = (const unsigned char *)data;
	t->len = data ? len : 0;
	t->pos = 0;
	t->base = base;
	t->err = 0;
	t->scratch = keep;
	cap = bs_add(bs_mul(t->len, 3, &ovf), 16, &ovf);
	t->scratch.max = ovf ? (size_t)-1 : cap;
	bs_buf_reset(&t->scratch);
}

int css_tok_next(struct css_tokenizer *t, struct css_token *tok)
{
	size_t start;
	int c;

	memset(tok, 0, sizeof(*tok));
	tok->value = "";
	if (t->err) {
		tok->type = CSS_TOK_EOF;
		tok->span.start = tok->span.end = t->base + t->len;
		return t->err;
	}
	skip_comments(t);
	start = t->pos;
	tok->span.start = t->base + start;
	c = at(t, 0);
	switch (c) {
	case EOF_C:
		tok->type = CSS_TOK_EOF;
		break;
	case ' ':
	case '\t':
	case '\n':
	case '\r':
	case '\f':
		tok->type = CSS_TOK_WHITESPACE;
		skip_ws(t);
		break;
	case '"':
	case '\'':
		consume_string(t, tok);
		break;
	case '#':
		if (is_name(at(t, 1)) || valid_escape(t, 1)) {
			struct val v;

			tok->type = CSS_TOK_HASH;
			tok->hash_id = starts_ident(t, 1);
			t->pos++;
			val_begin(t, &v);
			consume_name(t, &v);
			val_end(t, &v, t->pos, tok);
		} else {
			tok->type = CSS_TOK_DELIM;
			tok->delim = '#';
			t->pos++;
		}
		break;
	case '(':
		simple(t, tok, CSS_TOK_LPAREN, 1);
		break;
	case ')':
		simple(t, tok, CSS_TOK_RPAREN, 1);
		break;
	case '[':
		simple(t, tok, CSS_TOK_LBRACKET, 1);
		break;
	case ']':
		simple(t, tok, CSS_TOK_RBRACKET, 1);
		break;
	case '{':
		simple(t, tok, CSS_TOK_LBRACE, 1);
		break;
	case '}':
		simple(t, tok, CSS_TOK_RBRACE, 1);
		break;
	case ',':
		simple(t, tok, CSS_TOK_COMMA, 1);
		break;
	case ':':
		simple(t, tok, CSS_TOK_COLON, 1);
		break;
	case ';':
		simple(t, tok, CSS_TOK_SEMICOLON, 1);
		break;
	case '+':
	case '.':
		if (starts_number(t, 0)) {
			consume_numeric(t, tok);
		} else {
			tok->type = CSS_TOK_DELIM;
			tok->delim = (char)c;
			t->pos++;
		}
		break;
	case '-':
		if (starts_number(t, 0)) {
			consume_numeric(t, tok);
		} else if (at(t, 1) == '-' && at(t, 2) == '>') {
			simple(t, tok, CSS_TOK_CDC, 3);
		} else if (starts_ident(t, 0)) {
			consume_ident_like(t, tok);
		} else {
			tok->type = CSS_TOK_DELIM;
			tok->delim = '-';
			t->pos++;
		}
		break;
	case '<':
		if (at(t, 1) == '!' && at(t, 2) == '-' && at(t, 3) == '-') {
			simple(t, tok, CSS_TOK_CDO, 4);
		} else {
			tok->type = CSS_TOK_DELIM;
			tok->delim = '<';
			t->pos++;
		}
		break;
	case '@':
		if (starts_ident(t, 1)) {
			struct val v;

			tok->type = CSS_TOK_AT_KEYWORD;
			t->pos++;
			val_begin(t, &v);
			consume_name(t, &v);
			val_end(t, &v, t->pos, tok);
		} else {
			tok->type = CSS_TOK_DELIM;
			tok->delim = '@';
			t->pos++;
		}
		break;
	case '\\':
		if (valid_escape(t, 0)) {
			consume_ident_like(t, tok);
		} else {
			tok->type = CSS_TOK_DELIM;
			tok->delim = '\\';
			t->pos++;
		}
		break;
	default:
		if (is_digit(c)) {
			consume_numeric(t, tok);
		} else if (is_name_start(c)) {
			consume_ident_like(t, tok);
		} else {
			tok->type = CSS_TOK_DELIM;
			tok->delim = (char)c;
			t->pos++;
		}
		break;
	}
	tok->span.end = t->base + t->pos;
	if (tok->value_span.start == 0 && tok->value_span.end == 0)
		tok->value_span.start = tok->value_span.end = tok->span.end;
	if (t->err) {
		tok->type = CSS_TOK_EOF;
		return t->err;
	}
	return 0;
}

/* --- public wrappers --------------------------------------------- */

int css_tokenizer_new(struct css_tokenizer **out, const char *data, size_t len,
                      uint64_t base)
{
	struct css_tokenizer *t;

	*out = NULL;
	t = bs_malloc(sizeof(*t));
	if (t == NULL)
		return BS_ENOMEM;
	css_tok_init(t, data, len, base);
	*out = t;
	return 0;
}

int css_tokenizer_next(struct css_tokenizer *t, struct css_token *tok)
{
	return css_tok_next(t, tok);
}

void css_tokenizer_free(struct css_tokenizer **t)
{
	if (t == NULL || *t == NULL)
		return;
	css_tok_release(*t);
	bs_free(*t);
	*t = NULL;
}

const char *css_token_type_name(enum css_token_type type)
{
	static const char *const names[] = {
	    [CSS_TOK_EOF] = "eof",
	    [CSS_TOK_IDENT] = "ident",
	    [CSS_TOK_FUNCTION] = "function",
	    [CSS_TOK_AT_KEYWORD] = "at-keyword",
	    [CSS_TOK_HASH] = "hash",
	    [CSS_TOK_STRING] = "string",
	    [CSS_TOK_BAD_STRING] = "bad-string",
	    [CSS_TOK_URL] = "url",
	    [CSS_TOK_BAD_URL] = "bad-url",
	    [CSS_TOK_DELIM] = "delim",
	    [CSS_TOK_NUMBER] = "number",
	    [CSS_TOK_PERCENTAGE] = "percentage",
	    [CSS_TOK_DIMENSION] = "dimension",
	    [CSS_TOK_WHITESPACE] = "whitespace",
	    [CSS_TOK_CDO] = "cdo",
	    [CSS_TOK_CDC] = "cdc",
	    [CSS_TOK_COLON] = "colon",
	    [CSS_TOK_SEMICOLON] = "semicolon",
	    [CSS_TOK_COMMA] = "comma",
	    [CSS_TOK_LBRACKET] = "[",
	    [CSS_TOK_RBRACKET] = "]",
	    [CSS_TOK_LPAREN] = "(",
	    [CSS_TOK_RPAREN] = ")",
	    [CSS_TOK_LBRACE] = "{",
	    [CSS_TOK_RBRACE] = "}",
	};

	if ((unsigned)type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "?";
}
