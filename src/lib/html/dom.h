/*
 * dom.h - a compact document tree built from the tree builder's sink calls.
 *
 * The engine itself builds no DOM (tree.h); consumers that need one, such
 * as the reference extractor (ancestors' hiding, CSS selectors) and the
 * visible-text extraction, build this one. Nodes live in one array and are
 * addressed by index (0 is the Document); strings live in an arena freed
 * with the tree. Attribute spans and element spans are kept, so that a
 * rewrite can patch the input bytes a node came from.
 *
 * Text merges into the previous text sibling while that is shorter than
 * 4 KB; longer text goes on in a new adjacent text node (merging without
 * end would copy quadratically), which changes nothing for consumers.
 *
 * Bounds: nodes are limited to 2 * limits.html_elements + 16 (elements are
 * already capped by the tree builder; the rest are text and comments), and
 * the arena to 8 * limits.html_bytes + 1 MB. Past either, the parse stops
 * with the problem "limit:html-dom" and what was built so far is kept.
 */
#ifndef BS_HTML_DOM_H
#define BS_HTML_DOM_H

#include <stddef.h>
#include <stdint.h>

#include "parser.h"

enum dom_type {
	DOM_DOCUMENT,
	DOM_ELEMENT,
	DOM_TEXT,
	DOM_COMMENT,
	DOM_FRAGMENT, /* a <template>'s contents */
};

#define DOM_NONE 0xFFFFFFFFu

struct dom_node {
	uint32_t parent, first_child, last_child, prev, next; /* DOM_NONE */
	uint32_t contents; /* template contents fragment, or DOM_NONE */
	uint8_t type;      /* enum dom_type */
	uint8_t ns;        /* enum html_ns */
	uint16_t tag;      /* enum html_tag */
	uint32_t flags;    /* HTML_EL_* */
	uint32_t depth;
	const char *name; /* elements: local name; text/comment: data */
	size_t name_len;
	struct html_attr *attrs; /* arena copies; spans preserved */
	uint32_t nattrs;
	struct html_span span; /* start tag, text or comment bytes */
	uint64_t end;          /* end of the element (sink pop), or 0 */
};

struct html_dom;

/*
 * Parse a whole HTML document into a tree. opt->sink and sink_ctx are
 * ignored (the DOM is the sink). When *out is a tree from an earlier call,
 * it is emptied and reused: its node array and its largest string chunk are
 * kept, which spares the allocator and the kernel a round of page faults
 * per document. Returns 0 even when a limit stopped the parse (the problem
 * is recorded); BS_ENOMEM (and *out freed and NULL) when nothing usable
 * exists.
 */
BS_WARN_UNUSED int html_dom_parse(struct html_dom **out,
                                  const struct html_parser_options *opt,
                                  const char *html, size_t len);
void html_dom_free(struct html_dom **dom);

size_t html_dom_count(const struct html_dom *dom);
/* Elements among the nodes. */
size_t html_dom_elements(const struct html_dom *dom);
const struct dom_node *html_dom_node(const struct html_dom *dom, uint32_t i);
enum html_quirks html_dom_quirks(const struct html_dom *dom);

/* Value of attribute name (lower-case, no namespace) or NULL. */
const struct html_attr *dom_attr(const struct dom_node *n, const char *name);

#endif
