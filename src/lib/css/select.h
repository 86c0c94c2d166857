/*
 * css/select.h - selectors (Selectors Level 4, the static profile) and a
 * rule index to match many elements against many rules.
 *
 * What it does: parses selector lists: type and universal selectors (a
 * namespace prefix is accepted and ignored), #id, .class, attribute
 * selectors [a] [a=v] ~= |= ^= $= *= with the i and s flags, the
 * combinators descendant, '>', '+' and '~', pseudo-elements (the selector
 * then never matches an element), and these pseudo-classes:
 *   :root :scope :first-child :first-of-type :nth-child(An+B [of S])
 *   :nth-of-type(An+B) :not() :is() :matches() :-webkit-any() :-moz-any()
 *   :where() :link :any-link :checked :disabled :enabled :defined
 * User-action and state pseudo-classes (:hover :focus :active :visited
 * :target :focus-within ...), the ones that need following siblings or
 * children (:last-child :only-child :last-of-type :only-of-type
 * :nth-last-child :nth-last-of-type :empty), :has() :lang() :dir() and the
 * form-state ones (:valid :required :read-only ...) never match. An unknown
 * pseudo-class or pseudo-element makes the selector list invalid, as in
 * browsers, except vendor-prefixed ones (-webkit-, -moz-, -ms-, -o-),
 * which are accepted and never match.
 *
 * Matching follows HTML rules: type selectors and attribute names are
 * ASCII case-insensitive, attribute values are case-sensitive except for
 * the attributes HTML lists as case-insensitive (type, align, ...), ids
 * and classes are case-insensitive in quirks mode.
 *
 * Bounds: compounds per selector and nesting of :not()/:is() are capped by
 * limits.css_depth (a longer selector is invalid), simple selectors per
 * document by limits.css_selectors, and the work of matching by
 * limits.css_match_steps per document (struct css_budget.match_steps):
 * once spent, nothing matches any more and "limit:css-match-steps" is
 * recorded.
 */
#ifndef BS_CSS_SELECT_H
#define BS_CSS_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bugsweep/error.h"

struct css_options;
struct css_budget;
struct css_cascade;
struct css_media_env;
struct css_rule;
struct css_sheet;
struct bs_limits;
struct bs_problems;

/*
 * An element as the matcher sees it, filled by the caller. Strings are
 * spans (not NUL-terminated). parent and prev must describe the tree as
 * it is when the element is judged: prev is the previous element sibling
 * (NULL for the first child); a caller that cannot know it passes NULL
 * and accepts that '+', '~' and :nth-child() see a first child.
 */
struct css_element {
	const char *name; /* local name (any case) */
	size_t name_len;
	const char *id; /* value of id, NULL when absent */
	size_t id_len;
	const char *classes; /* value of class, NULL when absent */
	size_t classes_len;
	const struct css_element *parent; /* NULL for the root element */
	const struct css_element *prev;   /* previous element sibling */
	/*
	 * Look up an attribute by lower-case name; return true and set
	 * *value (span) when present. May be NULL: then only id and class
	 * are known as attributes.
	 */
	bool (*attr)(const struct css_element *el, const char *name,
	             size_t name_len, const char **value, size_t *value_len);
	void *user; /* the caller's */
};

/* State of one matching run: quirks mode and the step budget. */
struct css_match {
	bool quirks;        /* ids and classes compare case-insensitively */
	uint64_t steps;     /* spent so far */
	uint64_t max_steps; /* 0: no bound */
	bool limited;       /* max_steps was reached: later matches fail */
};

/* Specificity (a, b, c) packed as a << 20 | b << 10 | c, each part
 * saturating at 1023, so that packed values compare as the triples do. */
#define CSS_SPECIFICITY(a, b, c) (((a) << 20) | ((b) << 10) | (c))

struct css_selectors;

/*
 * Parse a selector list on its own (a sheet parses its rules' preludes
 * itself). *out is NULL when the text is not a valid selector list.
 * Returns 0, BS_ENOMEM, or BS_ELIMIT (css_selectors or css_depth; *out
 * NULL).
 */
int css_selectors_parse(struct css_selectors **out, const char *text,
                        size_t len,
                        const struct css_options *opt) BS_WARN_UNUSED;
/* Only for lists from css_selectors_parse(). */
void css_selectors_free(struct css_selectors **s);

size_t css_selectors_count(const struct css_selectors *s);
uint32_t css_selector_specificity(const struct css_selectors *s, size_t i);
/*
 * Does selector i of the list match el? (false once m->limited.)
 */
bool css_selector_matches(const struct css_selectors *s, size_t i,
                          const struct css_element *el, struct css_match *m);
/*
 * The highest specificity of the selectors of s that match el, or -1 when
 * none does.
 */
int64_t css_selectors_match(const struct css_selectors *s,
                            const struct css_element *el, struct css_match *m);

/* --- rule index ---------------------------------------------------- */

/*
 * Rules bucketed by the rightmost compound of each selector (its id, else
 * a class, else its type, else universal), as browsers do, so that an
 * element is only tested against rules that could match it. Only style
 * rules with visual declarations or URLs, valid selectors, not nested,
 * are indexed.
 */
struct css_index;

struct css_index_options {
	const struct bs_limits *limits; /* NULL: the defaults */
	struct bs_problems *problems;   /* may be NULL */
	struct css_budget *budget;      /* per document; NULL: per index */
	bool quirks;                    /* the document is in quirks mode */
	/*
	 * NULL: every rule in @media applies (what the brief of a scan
	 * wants: a rule that hides on some screen is evidence). Else only
	 * the rules whose @media conditions hold in this environment.
	 */
	const struct css_media_env *media;
};

int css_index_new(struct css_index **out,
                  const struct css_index_options *o) BS_WARN_UNUSED;
/* Add a sheet's rules. The sheet must outlive the index. Sheets added
 * later come later in the cascade. Returns 0 or BS_ENOMEM. */
int css_index_add(struct css_index *idx,
                  const struct css_sheet *sheet) BS_WARN_UNUSED;
/* Rules indexed so far. */
size_t css_index_size(const struct css_index *idx);

/* Called for each rule that matches, once, in cascade order. */
typedef void (*css_match_fn)(void *ctx, const struct css_rule *rule,
                             uint32_t specificity);

/*
 * Apply every indexed rule that matches el to c (when c is not NULL) and
 * report each to fn (when not NULL). Returns 0 or BS_ENOMEM.
 */
int css_index_match(struct css_index *idx, const struct css_element *el,
                    struct css_cascade *c, css_match_fn fn,
                    void *ctx) BS_WARN_UNUSED;

void css_index_free(struct css_index **idx);

#endif
