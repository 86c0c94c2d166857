/*
 * token.h - the shapes of the pieces of a URL, for spotting per-recipient
 * identifiers, and the decoders detection uses to look for an address.
 *
 * What it does: splits a parsed URL into host labels, path segments and
 * query keys and values (percent-decoded, with their spans in the href)
 * and classifies each piece: decimal, hex, UUID, base64/base64url, word,
 * date, email; Shannon entropy per character and an "opaque token" score
 * from length, entropy and character-class mix. docs/URL.md explains
 * every heuristic and threshold.
 *
 * What it won't do: decide that a piece is a tracking token. The shapes
 * are evidence; detection weighs them (and compares messages).
 *
 * Limits: at most limits.url_tokens pieces per URL ("limit:url-tokens").
 * Classification is linear in the piece.
 */
#ifndef BS_URL_TOKEN_H
#define BS_URL_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "bugsweep/error.h"
#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "url.h"
#include "util/buf.h"

/* Shape classes; a piece can have several ("20240501" is DECIMAL and
 * DATE, "deadbeef01" is HEX and BASE64...). */
enum bs_token_class {
	BS_TOKEN_DECIMAL = 1u << 0,   /* digits only */
	BS_TOKEN_HEX = 1u << 1,       /* >= 8 hex digits, one letter case */
	BS_TOKEN_UUID = 1u << 2,      /* 8-4-4-4-12 hex */
	BS_TOKEN_BASE64 = 1u << 3,    /* standard alphabet, decodes */
	BS_TOKEN_BASE64URL = 1u << 4, /* URL-safe alphabet, decodes */
	BS_TOKEN_B64_TEXT = 1u << 5,  /* base64(url) decoding to text */
	BS_TOKEN_WORD = 1u << 6,      /* letters, pronounceable, or words
	                               * joined by - _ . */
	BS_TOKEN_DATE = 1u << 7,      /* calendar date or Unix time */
	BS_TOKEN_EMAIL = 1u << 8,     /* local@domain.tld */
	BS_TOKEN_OPAQUE = 1u << 9,    /* opaque score >= BS_TOKEN_OPAQUE_MIN */
};

#define BS_TOKEN_OPAQUE_MIN 0.6

struct bs_token_shape {
	unsigned classes;                  /* enum bs_token_class bits */
	size_t len;                        /* bytes */
	size_t lower, upper, digit, other; /* ASCII classes; other counts
	                                    * punctuation and non-ASCII */
	double entropy;                    /* Shannon entropy, bits per byte */
	double opaque; /* 0..1, 0 for words, dates, emails, < 8 bytes */
};

/* Classify [s, s+n) (any bytes). */
void bs_token_classify(struct bs_token_shape *out, const char *s, size_t n);

enum bs_token_where {
	BS_TOKEN_HOST_LABEL,
	BS_TOKEN_PATH, /* one path segment (opaque paths: the whole) */
	BS_TOKEN_QUERY_KEY,
	BS_TOKEN_QUERY_VALUE,
};

struct bs_url_token {
	enum bs_token_where where;
	size_t raw_off; /* the piece as written: href[raw_off, +raw_len) */
	size_t raw_len;
	/* Percent-decoded ('+' is kept: see docs/URL.md), NUL-terminated. */
	const char *text;
	size_t text_len;
	size_t index; /* segment number, or query pair number */
	struct bs_token_shape shape;
};

struct bs_url_tokens;

/*
 * Split and classify u's host labels (domains only), path segments and
 * query pairs; empty pieces are skipped. One allocation holds it all.
 * BS_ENOMEM only; lim and pr may be NULL.
 */
int bs_url_tokens(struct bs_url_tokens **out, const struct bs_url *u,
                  const struct bs_limits *lim,
                  struct bs_problems *pr) BS_WARN_UNUSED;
size_t bs_url_tokens_count(const struct bs_url_tokens *t);
const struct bs_url_token *bs_url_tokens_get(const struct bs_url_tokens *t,
                                             size_t i);
/* Accepts NULL and clears the pointer. */
void bs_url_tokens_free(struct bs_url_tokens **t);

/*
 * Decoders, appending to out (its cap and sticky error apply; the return
 * value is the buffer's error, or BS_EPARSE as said).
 */
/* "%XX" to a byte; a '%' without two hex digits stays as it is. '+'
 * becomes ' ' when plus_space (form encoding). Never BS_EPARSE. */
int bs_decode_percent(struct bs_buf *out, const char *s, size_t n,
                      bool plus_space);
/* Base64 and base64url alike (the alphabets may even mix), padding
 * optional, ASCII whitespace skipped, stops at the first '='. Trailing
 * bits that do not make a byte are dropped. BS_EPARSE on other bytes or
 * a lone final character (which can hold no byte). */
int bs_decode_base64(struct bs_buf *out, const char *s, size_t n);
/* Pairs of hex digits, either case. BS_EPARSE on odd length or non-hex. */
int bs_decode_hex(struct bs_buf *out, const char *s, size_t n);

#endif
