/*
 * css/token.h - the CSS Syntax Level 3 tokenizer (css-syntax-3 section 4).
 *
 * What it does: splits a style sheet, a style attribute or any CSS text
 * into the tokens of section 4, on bytes. The input preprocessing of 3.3
 * is done in place rather than by copying: CR LF, CR and FF count as one
 * newline, and NUL reads as U+FFFD, so every token keeps the exact span of
 * the raw bytes it came from. UTF-8 passes through untouched (every byte
 * of 0x80 and above is a name code point, as the spec's non-ASCII rule
 * says); invalid UTF-8 is not repaired.
 *
 * Offsets: the tokenizer is given (data, len, base); a byte at index i of
 * data is reported at offset base + i. A caller that passes a slice of an
 * HTML document can so point straight back into the document. When the
 * text is not a raw slice (a style attribute after character references
 * were decoded), pass base 0 and map the indexes yourself.
 *
 * What it won't do: it does not parse (see css.h), does not validate
 * UTF-8, and does not keep comments (they are skipped, as the spec says).
 *
 * Limits and cost: one pass, linear in len whatever the input (an
 * unterminated url( full of '(' is consumed once, comments are found with
 * memchr). Decoded values need at most 3 bytes of scratch per input byte;
 * the scratch is one buffer reused from token to token.
 */
#ifndef BS_CSS_TOKEN_H
#define BS_CSS_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bugsweep/error.h"

/* [start, end) in bytes, base offset included. */
struct css_span {
	uint64_t start;
	uint64_t end;
};

enum css_token_type {
	CSS_TOK_EOF = 0,
	CSS_TOK_IDENT,
	CSS_TOK_FUNCTION,   /* name followed by '(' (the '(' is part of it) */
	CSS_TOK_AT_KEYWORD, /* '@' name */
	CSS_TOK_HASH,       /* '#' name */
	CSS_TOK_STRING,
	CSS_TOK_BAD_STRING, /* a string cut by a raw newline */
	CSS_TOK_URL,        /* unquoted url(...) */
	CSS_TOK_BAD_URL,    /* url( with a quote, '(' or control inside */
	CSS_TOK_DELIM,
	CSS_TOK_NUMBER,
	CSS_TOK_PERCENTAGE,
	CSS_TOK_DIMENSION,
	CSS_TOK_WHITESPACE,
	CSS_TOK_CDO, /* <!-- */
	CSS_TOK_CDC, /* --> */
	CSS_TOK_COLON,
	CSS_TOK_SEMICOLON,
	CSS_TOK_COMMA,
	CSS_TOK_LBRACKET,
	CSS_TOK_RBRACKET,
	CSS_TOK_LPAREN,
	CSS_TOK_RPAREN,
	CSS_TOK_LBRACE,
	CSS_TOK_RBRACE,
};

struct css_token {
	enum css_token_type type;
	/* Every byte of the token (a URL token from "url(" through ")"). */
	struct css_span span;
	/*
	 * The decoded value, escapes resolved (not NUL-terminated, may hold
	 * U+FFFD for NUL or bad escapes): the name of an IDENT, FUNCTION
	 * (without '('), AT_KEYWORD (without '@') or HASH (without '#');
	 * the contents of a STRING or BAD_STRING (without quotes, escaped
	 * newlines removed) or URL (leading and trailing whitespace
	 * removed); the unit of a DIMENSION; empty otherwise. Points into the
	 * input when nothing needed decoding, else into the tokenizer's
	 * scratch buffer: valid until the next call either way.
	 */
	const char *value;
	size_t value_len;
	/* The raw bytes value was decoded from (for a URL, the URL text
	 * without the surrounding whitespace; for a STRING, the bytes inside
	 * the quotes). */
	struct css_span value_span;
	/* NUMBER, PERCENTAGE (50% is 50), DIMENSION. Huge exponents give
	 * +-HUGE_VAL or 0, never a trap. */
	double number;
	bool integer; /* the number had no '.' and no exponent */
	bool hash_id; /* HASH: its name would be a valid identifier */
	/* The url( or string was cut by the end of the input (still a
	 * token, a parse error). */
	bool unterminated;
	char delim; /* DELIM: the character (always ASCII) */
};

struct css_tokenizer;

/*
 * A tokenizer over [data, data + len). data must stay valid and unchanged
 * while the tokenizer is used. Returns 0 or BS_ENOMEM.
 */
int css_tokenizer_new(struct css_tokenizer **out, const char *data, size_t len,
                      uint64_t base) BS_WARN_UNUSED;

/*
 * The next token; CSS_TOK_EOF at the end and after it. Returns 0, or
 * BS_ENOMEM when the scratch buffer could not grow (the token is then
 * EOF).
 */
int css_tokenizer_next(struct css_tokenizer *t,
                       struct css_token *tok) BS_WARN_UNUSED;

void css_tokenizer_free(struct css_tokenizer **t);

/* "ident", "function", ... for tests and diagnostics. */
const char *css_token_type_name(enum css_token_type type);

#endif
