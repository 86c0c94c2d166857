/*
 * tree.h - the WHATWG tree-construction stage (HTML Living Standard
 * 13.2.6), with scripting disabled, as a mail client runs it.
 *
 * The tree builder does not build a DOM. It keeps what the algorithm needs
 * (the stack of open elements, the list of active formatting elements,
 * the insertion modes) and tells a *sink* what to do with nodes, the way
 * html5ever's TreeSink does: a test sink materialises a DOM to check the
 * algorithm against html5lib-tests; the reference extractor keeps only
 * what it needs to judge each element (attributes, ancestors' hiding).
 *
 * Handles are the sink's. The tree builder holds a handle from the
 * create_* call that made it until it calls release() for it; the sink must
 * keep it valid until then (and may keep it longer). Release comes exactly
 * once per handle, and the handle is never used after it. Every element
 * gets pop() when it leaves the stack of open elements (void, self-closing
 * and depth-capped elements right after insertion; <head> may get it
 * twice), before its release() in a parse that reaches EOF. append() and
 * insert_before() also move nodes (adoption agency): detach first. Text
 * calls for one parent continue one text node. docs/HTML-TREE.md has the
 * full protocol.
 *
 * Bounds: the stack of open elements holds at most limits.html_depth
 * entries. Deeper elements are still created and reported, with
 * HTML_EL_DEPTH_CAPPED set, and inserted where they would go (the deepest
 * open element, or the foster parent) without being pushed, much as Blink
 * caps its DOM depth, so every scan of the stack costs at most html_depth
 * steps and the whole parse stays linear (a raw-text element may take one
 * slot more so that its text stays text). The list of active formatting
 * elements holds at most limits.html_formatting element entries (the
 * oldest are dropped). Past limits.html_elements, elements are no longer
 * created (text still is). Each hit is recorded as a problem
 * "limit:<name>".
 *
 * Won't: run scripts (scripting is off: <noscript> is markup), attach
 * declarative shadow roots (<template shadowrootmode> is a template), or
 * mirror <option> content into <selectedcontent> (DOM behaviour a sink can
 * do on pop()).
 */
#ifndef BS_HTML_TREE_H
#define BS_HTML_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bugsweep/error.h"
#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "token.h"

struct html_tokenizer;

enum html_ns {
	HTML_NS_HTML = 0,
	HTML_NS_SVG,
	HTML_NS_MATHML,
};

enum html_quirks {
	HTML_NO_QUIRKS = 0,
	HTML_QUIRKS,
	HTML_LIMITED_QUIRKS,
};

/* Element flags. */
enum {
	/* Inside <!--[if ...]> ... <![endif]-->: only Outlook renders it. */
	HTML_EL_OUTLOOK_ONLY = 1u << 0,
	/* Between downlevel-revealed <![if ...]> and <![endif]>, or
	 * <!--[if ...]><!--> and <!--<![endif]-->: every client renders it
	 * except where the condition excludes Outlook. */
	HTML_EL_CONDITIONAL = 1u << 1,
	/* Deeper than limits.html_depth: attached to the deepest open
	 * element and not pushed on the stack. */
	HTML_EL_DEPTH_CAPPED = 1u << 2,
	/* Created by the tree builder, not by a start tag in the input
	 * (implied html/head/body/tbody/tr..., or a formatting element
	 * re-created by "reconstruct the active formatting elements" or the
	 * adoption agency). Its attribute spans then point at the start tag
	 * it copies, or are empty. */
	HTML_EL_IMPLIED = 1u << 3,
	/* Inside <template> contents (inert: never rendered). */
	HTML_EL_IN_TEMPLATE = 1u << 4,
	/* The root of an Outlook conditional fragment (see parser.h). */
	HTML_EL_COND_ROOT = 1u << 5,
};

/* An element as it is created. Valid only during the create_element call:
 * copy what you keep. */
struct html_element {
	enum html_ns ns;
	enum html_tag tag; /* id of the lower-case name, any namespace */
	const char *name;  /* local name, case-adjusted for SVG */
	size_t name_len;
	const struct html_attr *attrs; /* adjusted for foreign content */
	size_t nattrs;
	struct html_span
	    span;       /* the start tag's raw bytes (empty if implied) */
	unsigned depth; /* 1 for <html>; counts capped levels too */
	unsigned flags; /* HTML_EL_* */
};

typedef void *html_handle;

/*
 * What the tree builder asks of its sink. Every callback may be NULL
 * except create_element. A sink reports failure (out of memory) by
 * returning NULL from a create_* call; the parse then stops with
 * BS_ENOMEM.
 */
struct html_sink {
	/* The Document node, parent of <html>, top-level comments and the
	 * doctype. Called once, before anything else. */
	html_handle (*document)(void *ctx);
	html_handle (*create_element)(void *ctx, const struct html_element *el);
	html_handle (*create_comment)(void *ctx, const char *data, size_t len,
	                              struct html_span span);
	void (*append_doctype)(void *ctx, const struct html_token *doctype);
	/* Append child as the last child of parent, detaching it from any
	 * previous parent first. */
	void (*append)(void *ctx, html_handle parent, html_handle child);
	/* Insert child just before sibling, under sibling's parent (foster
	 * parenting). */
	void (*insert_before)(void *ctx, html_handle sibling,
	                      html_handle child);
	/* Text: appended to parent's last child when that is text. NUL bytes
	 * may not appear (the tree builder has already dropped or replaced
	 * them as the insertion mode says). */
	void (*append_text)(void *ctx, html_handle parent, const char *data,
	                    size_t len, struct html_span span);
	void (*insert_text_before)(void *ctx, html_handle sibling,
	                           const char *data, size_t len,
	                           struct html_span span);
	bool (*has_parent)(void *ctx, html_handle node);
	void (*remove_from_parent)(void *ctx, html_handle node);
	/* Move every child of from to the end of to (adoption agency). */
	void (*reparent_children)(void *ctx, html_handle from, html_handle to);
	/* A second <html> or <body> start tag: add the attributes node does
	 * not have yet. */
	void (*add_attrs_if_missing)(void *ctx, html_handle node,
	                             const struct html_attr *attrs,
	                             size_t nattrs);
	/* The DocumentFragment holding a <template>'s contents. */
	html_handle (*template_contents)(void *ctx, html_handle template_el);
	void (*set_quirks_mode)(void *ctx, enum html_quirks mode);
	/* node was popped off the stack of open elements: its start and end
	 * are now known (end = offset just past its end tag, or where it was
	 * implicitly closed). */
	void (*pop)(void *ctx, html_handle node, uint64_t end);
	/* The tree builder holds node no more. */
	void (*release)(void *ctx, html_handle node);
};

struct html_tree;

struct html_tree_options {
	const struct bs_limits *limits;
	const struct html_sink *sink;
	void *sink_ctx;
	struct bs_problems *problems; /* may be NULL */
	/* The tokenizer feeding this tree builder, which it switches into
	 * RCDATA/RAWTEXT/... and tells about foreign content. May be NULL in
	 * tests that feed tokens by hand. */
	struct html_tokenizer *tokenizer;
	/* Fragment parsing (13.4): the context element, or name == NULL for
	 * a whole document. */
	const char *context_name;
	enum html_ns context_ns;
	/* HTML_EL_* flags OR-ed into every element created (e.g.
	 * HTML_EL_OUTLOOK_ONLY for conditional fragments). */
	unsigned element_flags;
	bool scripting; /* false for mail (noscript content is markup) */
	bool iframe_srcdoc;
	/* Fragment parsing only: the node the fragment's root <html> is
	 * appended to, instead of a Document (then document() is not
	 * called and Document-level comments go to the root), and its
	 * depth, so that depths stay those of the whole DOM. */
	html_handle fragment_parent;
	unsigned base_depth;
	/* HTML_EL_* flags OR-ed into the fragment's root <html> only. */
	unsigned root_flags;
	/* Counter of created elements checked against
	 * limits.html_elements, shared by nested parses of one document;
	 * NULL: the tree builder's own. */
	size_t *element_count;
};

/* NULL when out of memory. */
struct html_tree *html_tree_new(const struct html_tree_options *opt);
void html_tree_free(struct html_tree **tb);

/* Process one token (an html_token_fn: pass tb as ctx). Returns 0, or
 * BS_ENOMEM when the sink or an allocation failed. */
int html_tree_token(void *tb, struct html_token *tok);

/* The current node's handle (NULL before <html> exists), for callers that
 * attach content next to where the parser is, such as Outlook conditional
 * fragments. */
html_handle html_tree_current_node(const struct html_tree *tb);
/* Depth of the current node (0 before <html> exists). */
unsigned html_tree_current_depth(const struct html_tree *tb);
/* The Document handle (NULL for a fragment attached to a parent). */
html_handle html_tree_document(const struct html_tree *tb);
/* Deepest stack position reached, capped levels included. */
unsigned html_tree_max_depth(const struct html_tree *tb);
/* Change the flags OR-ed into elements created from now on (the parser
 * sets HTML_EL_CONDITIONAL between downlevel-revealed markers). */
void html_tree_set_element_flags(struct html_tree *tb, unsigned flags);
unsigned html_tree_element_flags(const struct html_tree *tb);

#endif
