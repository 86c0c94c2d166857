/*
 * css/css.h - CSS for beacon detection: style sheets and style attributes
 * parsed into rules, declarations, the URLs a mail client would fetch, and
 * the facts that say how visible an element is.
 *
 * What it does:
 *  - css_sheet_parse() reads a <style> sheet (css-syntax-3 section 5):
 *    qualified rules with their selector list and declarations; @import
 *    (url or string, media list); @font-face and its src; the rules inside
 *    @media, @supports, @document/@-moz-document, @layer, @container,
 *    @scope and @starting-style are kept as applying, each pointing at the
 *    chain of conditions around it (struct css_cond); other at-rules
 *    (@page, @keyframes, unknown ones) are parsed for URLs only.
 *  - css_style_parse() reads a style attribute (a declaration list).
 *  - Both list every URL reference (struct css_url): url() anywhere,
 *    strings in image-set()/-webkit-image-set()/image(), src() with a
 *    string, @import "x", the src= of IE's AlphaImageLoader filter.
 *  - Declarations of the properties in css/visual.h are turned into
 *    visual facts; css/select.h matches selectors and indexes rules; a
 *    cascade (css/visual.h) merges matched rules and the style attribute.
 *
 * What it won't do: no fetching, no computed values beyond the facts of
 * css/visual.h, no layout. Nested style rules (CSS Nesting) and rules in
 * @keyframes/@page are kept for their URLs but never matched. Deliberate
 * leniencies are listed in docs/CSS.md.
 *
 * Offsets: every span is base + index into the bytes passed in (see
 * css/token.h). A sheet copies what it keeps: the input may be freed after
 * parsing.
 *
 * Limits (struct bs_limits, docs/LIMITS.md "CSS"): css_bytes (past it only
 * URLs are looked for), css_depth (nesting of blocks and functions, of
 * :not()/:is(), and compounds per selector; past it only URLs are looked
 * for), css_rules, css_declarations and css_selectors (kept per document,
 * counted in a struct css_budget shared by the document's sheets),
 * references (URLs kept per sheet), css_match_steps (css/select.h). Each
 * hit is recorded as a problem "limit:<name>" and the parse goes on,
 * degraded; the cost stays linear in the input.
 */
#ifndef BS_CSS_CSS_H
#define BS_CSS_CSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bugsweep/error.h"
#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "css/token.h"

/*
 * What one document has used so far of the per-document limits. Zero it
 * for each HTML document and pass the same one to every parse and to the
 * index of that document.
 */
struct css_budget {
	size_t rules;         /* rules kept (limits.css_rules) */
	size_t declarations;  /* declarations kept (limits.css_declarations) */
	size_t selectors;     /* simple selectors kept (limits.css_selectors) */
	uint64_t match_steps; /* matching work (limits.css_match_steps) */
};

struct css_options {
	const struct bs_limits *limits; /* NULL: the defaults */
	struct bs_problems *problems;   /* NULL: not recorded */
	struct css_budget *budget;      /* NULL: counted for this call alone */
	/* Only css_sheet_urls is wanted: rules keep no selectors and no
	 * declarations, so nothing can be matched or cascaded. The URL list
	 * is the same as without it. */
	bool urls_only;
};

/* --- URL references ---------------------------------------------- */

enum {
	/* @import: fetches a style sheet (context "@import"). */
	CSS_URL_IMPORT = 1u << 0,
	/* A src descriptor of @font-face (context "@font-face src"). */
	CSS_URL_FONT_FACE = 1u << 1,
	/* Written as a string: url("x"), image-set("x" 1x), @import "x". */
	CSS_URL_STRING = 1u << 2,
	/* Inside @media, @supports, ... (see struct css_rule.cond). */
	CSS_URL_CONDITIONAL = 1u << 3,
	/* Inside a nested style rule or a non-group at-rule (@keyframes,
	 * @page, unknown): fetched only when that applies. */
	CSS_URL_NESTED = 1u << 4,
	/* Not in a declaration value (in a selector or an at-rule prelude,
	 * or an IE hack such as *background:url(x)): a current browser
	 * would not fetch it. */
	CSS_URL_STRAY = 1u << 5,
	/* Names a URL that is never fetched: @namespace, @document. */
	CSS_URL_NOFETCH = 1u << 6,
	/* Cut by the end of the input (still fetched by browsers). */
	CSS_URL_UNTERMINATED = 1u << 7,
	/* Found after css_bytes or css_depth stopped the parse: context
	 * unknown. */
	CSS_URL_FLAT = 1u << 8,
};

#define CSS_NO_RULE UINT32_MAX

struct css_url {
	/* Escapes resolved, NUL read as U+FFFD, leading and trailing ASCII
	 * whitespace removed; NUL-terminated (may hold NUL from an escape
	 * only as U+FFFD, so strlen works). */
	const char *url;
	size_t url_len;
	/* Lower-cased property name ("background-image", "src"),
	 * "@import", "@font-face src", or "" (stray). */
	const char *context;
	/* The URL's own bytes: inside the quotes, or between the
	 * parentheses without surrounding whitespace. */
	struct css_span url_span;
	/* What a rewriter replaces: url(...) through ')', or the string
	 * token with its quotes (image-set("x"), @import "x"). */
	struct css_span whole_span;
	unsigned flags; /* CSS_URL_* */
	/* Index of the rule (css_sheet_rules) whose block or prelude holds
	 * it, or CSS_NO_RULE (an @media prelude, past a limit). */
	uint32_t rule;
};

/* --- rules and declarations ---------------------------------------- */

enum css_rule_kind {
	CSS_RULE_STYLE,      /* selectors { declarations } */
	CSS_RULE_STYLE_ATTR, /* the declarations of a style attribute */
	CSS_RULE_IMPORT,     /* @import: prelude holds url and media */
	CSS_RULE_FONT_FACE,  /* @font-face { descriptors } */
	CSS_RULE_AT,         /* any other at-rule not a group (@page, ...) */
};

enum {
	/* A style rule inside another style rule (CSS Nesting), or inside
	 * a non-group at-rule such as @keyframes: never matched. */
	CSS_RULE_NESTED = 1u << 0,
	/* The prelude is not a selector list we accept: a browser drops
	 * the rule (its URLs are still reported). */
	CSS_RULE_BAD_SELECTOR = 1u << 1,
	/* Selectors or declarations were not kept because of a limit. */
	CSS_RULE_LIMITED = 1u << 2,
	/* Cut by the end of the input (no closing '}'). */
	CSS_RULE_UNTERMINATED = 1u << 3,
};

enum css_cond_kind {
	CSS_COND_MEDIA,
	CSS_COND_SUPPORTS,
	CSS_COND_DOCUMENT, /* @document, @-moz-document */
	CSS_COND_LAYER,
	CSS_COND_CONTAINER,
	CSS_COND_OTHER, /* @scope, @starting-style */
};

/* A group rule around a rule; taken as applying unless the index is given
 * a media environment (css/select.h). */
struct css_cond {
	enum css_cond_kind kind;
	const char *name; /* at-rule name, lower-cased: "media" */
	const char *text; /* prelude, trimmed, NUL-terminated */
	size_t text_len;
	const struct css_cond *parent; /* the enclosing one, or NULL */
};

struct css_decl {
	/* Lower-cased (ASCII), escapes resolved, NUL-terminated. */
	const char *name;
	size_t name_len;
	/* The value's raw bytes, without the surrounding whitespace and
	 * without !important; NUL-terminated copy. Tokenize it with
	 * base value_span.start to walk its tokens with exact spans. */
	const char *value;
	size_t value_len;
	struct css_span span;       /* name through value or !important */
	struct css_span value_span; /* of value */
	bool important;
};

struct css_selectors; /* a parsed selector list, css/select.h */
struct css_vdecl;     /* a visual declaration, private */

struct css_rule {
	enum css_rule_kind kind;
	unsigned flags; /* CSS_RULE_* */
	uint32_t index; /* position in css_sheet_rules(), in source order */
	/* At-rules: the name, lower-cased ("import", "font-face"); "" for
	 * style rules. */
	const char *at_name;
	/* Raw prelude, trimmed, NUL-terminated: the selector text of a
	 * style rule ("td.hd > img"), the "url(x) screen" of an @import. */
	const char *prelude;
	size_t prelude_len;
	struct css_span prelude_span;
	struct css_span span;        /* the whole rule */
	const struct css_cond *cond; /* innermost group rule, or NULL */
	const struct css_decl *decls;
	size_t ndecls;
	/* STYLE (not NESTED): the selectors, or NULL when BAD_SELECTOR or
	 * LIMITED. */
	const struct css_selectors *selectors;
	/* The declarations that carry visual facts (css/visual.h). */
	const struct css_vdecl *vdecls;
	size_t nvdecls;
	size_t nurls; /* URL references whose rule is this one */
};

struct css_sheet;

/*
 * Parse a style sheet. *out is set on success (free with
 * css_sheet_free). Errors: BS_ENOMEM, BS_EINVAL. Malformed CSS is never
 * an error.
 */
int css_sheet_parse(struct css_sheet **out, const char *data, size_t len,
                    uint64_t base,
                    const struct css_options *opt) BS_WARN_UNUSED;

/*
 * Parse a style attribute's value. The sheet holds one rule, of kind
 * CSS_RULE_STYLE_ATTR, even when it is empty.
 */
int css_style_parse(struct css_sheet **out, const char *data, size_t len,
                    uint64_t base,
                    const struct css_options *opt) BS_WARN_UNUSED;

/*
 * False only when [data, data+len) cannot hold a URL however it parses:
 * every URL comes from a url token or a function (a literal "(") or an
 * @import string (a literal "@"), and no escape makes either. A caller
 * that wants nothing but the URLs may then skip the parse.
 */
bool css_may_hold_url(const char *data, size_t len);

const struct css_rule *css_sheet_rules(const struct css_sheet *s, size_t *n);
const struct css_url *css_sheet_urls(const struct css_sheet *s, size_t *n);

void css_sheet_free(struct css_sheet **s);

/* --- media queries ------------------------------------------------- */

/* What a media query is evaluated against. */
struct css_media_env {
	const char *type; /* "screen" or "print"; NULL: "screen" */
	unsigned width;   /* viewport, px; 0: 800 */
	unsigned height;  /* viewport, px; 0: 600 */
	bool dark;        /* prefers-color-scheme: dark */
};

/*
 * Evaluate a media query list (the prelude of @media, Media Queries 4):
 * comma-separated queries of [not|only] type and (feature) terms joined by
 * and/or, with min-/max- and range forms of width, height, device-width,
 * device-height, aspect-ratio, orientation, resolution and
 * -webkit-device-pixel-ratio (taken as 1), prefers-color-scheme, hover,
 * pointer. Unknown features and malformed queries are false, as in
 * browsers. env NULL means the defaults.
 */
bool css_media_matches(const char *q, size_t len,
                       const struct css_media_env *env);

#include "css/select.h"
#include "css/visual.h"

#endif
