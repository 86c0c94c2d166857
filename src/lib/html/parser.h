/*
 * parser.h - the HTML engine as consumers use it: tokenizer + tree builder
 * + Outlook conditional comments, fed in chunks.
 *
 * Outlook (Word's renderer) reads <!--[if mso]> ... <![endif]--> and
 * renders the content when the condition holds; browsers see a comment. The
 * parser hands such a comment to the tree builder as a comment (that is
 * what a browser-engine client sees) and then parses its content as a
 * fragment of its own (context <body>), with HTML_EL_OUTLOOK_ONLY set on
 * every element, through the same sink. The fragment's root (an <html>
 * element flagged HTML_EL_COND_ROOT|HTML_EL_IMPLIED) is appended to the
 * main tree's current node, so its elements inherit that position's
 * ancestors. Spans in the fragment are absolute offsets in the document.
 * Downlevel-revealed content (<![if !mso]> ... <![endif]>, and
 * <!--[if !mso]><!--> ... <!--<![endif]-->) is parsed normally, as every
 * browser does, with HTML_EL_CONDITIONAL set on its elements.
 *
 * Nesting of conditional fragments is bounded by limits.html_cond_depth,
 * the total input by limits.html_bytes (input past it is ignored and the
 * problem "limit:html-bytes" is recorded).
 */
#ifndef BS_HTML_PARSER_H
#define BS_HTML_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tree.h"

struct html_parser;

struct html_parser_options {
	const struct bs_limits *limits;
	const struct html_sink *sink;
	void *sink_ctx;
	struct bs_problems *problems; /* may be NULL */
	/* Parse Outlook conditional comments (default for mail). The
	 * html5lib conformance runner turns this off. */
	bool conditional_comments;
	/* Fragment parsing context, as in html_tree_options. */
	const char *context_name;
	enum html_ns context_ns;
};

struct html_parser *html_parser_new(const struct html_parser_options *opt);
void html_parser_free(struct html_parser **p);

BS_WARN_UNUSED int html_parser_push(struct html_parser *p, const char *data,
                                    size_t len);
BS_WARN_UNUSED int html_parser_finish(struct html_parser *p);

/* Convenience: parse a whole buffer. */
BS_WARN_UNUSED int html_parse(const struct html_parser_options *opt,
                              const char *data, size_t len);

#endif
