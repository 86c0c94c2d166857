/*
 * internal.h - what the files of src/lib/css share and nobody else sees.
 */
#ifndef BS_CSS_INTERNAL_H
#define BS_CSS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "css/css.h"
#include "util/arena.h"
#include "util/buf.h"

/* --- tokenizer ----------------------------------------------------- */

struct css_tokenizer {
	const unsigned char *p;
	size_t len;
	size_t pos;
	uint64_t base;
	struct bs_buf scratch; /* decoded values */
	int err;               /* sticky BS_ENOMEM */
};

/* Embedded use: no allocation until a value needs decoding. */
void css_tok_init(struct css_tokenizer *t, const char *data, size_t len,
                  uint64_t base);
/* Point an initialised tokenizer at new input, keeping its scratch. */
void css_tok_reset(struct css_tokenizer *t, const char *data, size_t len,
                   uint64_t base);
int css_tok_next(struct css_tokenizer *t, struct css_token *tok);
void css_tok_release(struct css_tokenizer *t);

/* --- limits -------------------------------------------------------- */

/* The limits of opt, or the defaults in *store. */
const struct bs_limits *css_limits(const struct bs_limits *given,
                                   struct bs_limits *store);

/* --- visual declarations ------------------------------------------ */

struct css_vdecl {
	uint8_t prop; /* enum css_prop */
	uint8_t kw;   /* keyword value, per property */
	bool important;
	uint32_t decl; /* index of its declaration in the block */
	struct css_length len;
	double num; /* opacity, filter opacity */
};

/* One significant token of a declaration value, as values.c reads it. */
struct css_vtok {
	uint8_t type;  /* enum css_token_type */
	uint8_t depth; /* 0 at the declaration's level */
	char delim;
	bool integer;
	double num;
	char s[24]; /* ident, function name or unit, lower-cased, cut */
	uint8_t slen;
};

#define CSS_VTOK_MAX 48

/*
 * Turn one declaration (lower-cased name) into visual declarations, at
 * most CSS_VDECL_MAX. n_urls is the number of image URLs the value holds.
 * overflow: the value had more than CSS_VTOK_MAX significant tokens.
 */
#define CSS_VDECL_MAX 4
size_t css_interpret(struct css_vdecl out[CSS_VDECL_MAX], const char *name,
                     size_t name_len, const struct css_vtok *v, size_t n,
                     bool overflow, size_t n_urls, bool important,
                     uint32_t decl);

/* Apply one visual declaration to a visual (the cascade's last step). */
void css_visual_set(struct css_visual *v, const struct css_vdecl *d);
void css_visual_reset(struct css_visual *v);

/* --- sheets -------------------------------------------------------- */

struct css_sheet {
	struct bs_arena *arena;
	struct css_rule *rules;
	size_t nrules, arules;
	struct css_url *urls;
	size_t nurls, aurls;
};

/* --- selectors ----------------------------------------------------- */

enum css_simple_kind {
	CSS_SK_TYPE,
	CSS_SK_ID,
	CSS_SK_CLASS,
	CSS_SK_ATTR,
	CSS_SK_PSEUDO, /* op: enum css_pseudo */
	CSS_SK_NOT,
	CSS_SK_IS, /* :is() :where() :matches() :-webkit-any() */
	CSS_SK_NTH,
};

enum css_pseudo {
	CSS_PC_NEVER,
	CSS_PC_ALWAYS,
	CSS_PC_ROOT,
	CSS_PC_LINK,
	CSS_PC_CHECKED,
	CSS_PC_DISABLED,
	CSS_PC_ENABLED,
};

enum css_attr_op {
	CSS_AO_EXISTS,
	CSS_AO_EQ,
	CSS_AO_INCLUDES, /* ~= */
	CSS_AO_DASH,     /* |= */
	CSS_AO_PREFIX,   /* ^= */
	CSS_AO_SUFFIX,   /* $= */
	CSS_AO_SUBSTR,   /* *= */
};

enum {
	CSS_SF_ICASE = 1u << 0,    /* [a=v i] */
	CSS_SF_CASE = 1u << 1,     /* [a=v s] */
	CSS_SF_OF_TYPE = 1u << 2,  /* CSS_SK_NTH: nth-of-type */
	CSS_SF_LEGACY_CI = 1u << 3 /* attribute HTML compares icase */
};

struct css_simple {
	uint8_t kind; /* enum css_simple_kind */
	uint8_t op;   /* enum css_attr_op or enum css_pseudo */
	uint8_t flags;
	const char *name; /* type and attribute names lower-cased */
	size_t name_len;
	const char *value;
	size_t value_len;
	int64_t a, b; /* An+B */
	const struct css_selectors *sub;
};

enum css_combinator {
	CSS_COMB_NONE,
	CSS_COMB_DESCENDANT,
	CSS_COMB_CHILD,
	CSS_COMB_NEXT,
	CSS_COMB_LATER,
};

struct css_compound {
	const struct css_simple *s;
	size_t n;
	uint8_t comb; /* how it relates to the compound on its left */
};

struct css_complex {
	const struct css_compound *c; /* left to right */
	size_t n;
	uint32_t spec;
	bool pseudo_element;
};

struct css_selectors {
	const struct css_complex *sel;
	size_t n;
	struct bs_arena *own; /* standalone lists own their arena */
};

/*
 * Parse [data, data+len) as a selector list into arena. *out NULL:
 * invalid. *used counts simple selectors against max_simple. Returns 0,
 * BS_ENOMEM, or BS_ELIMIT with *limit naming the limit hit
 * ("css-selectors" or "css-depth").
 */
int css_sel_parse(const struct css_selectors **out, const char *data,
                  size_t len, struct bs_arena *arena, size_t *used,
                  size_t max_simple, unsigned max_depth, const char **limit);

/* Matching with the budget of m; complex selector sel against el. */
bool css_sel_match_complex(const struct css_complex *sel,
                           const struct css_element *el, struct css_match *m);

/* The class attribute value holds class c. */
bool css_has_class(const char *classes, size_t classes_len, const char *c,
                   size_t clen, bool icase);

#endif
