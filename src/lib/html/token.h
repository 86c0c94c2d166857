/*
 * token.h - the tokens the HTML tokenizer hands to the tree builder.
 *
 * Offsets are absolute byte positions in the input stream (plus the base
 * offset the tokenizer was given), so that a rewrite can patch exactly the
 * bytes a token came from, whatever the chunking of the input.
 *
 * Everything a token points to is valid only during the callback that
 * receives it.
 */
#ifndef BS_HTML_TOKEN_H
#define BS_HTML_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tags.h"

/* [start, end) in bytes of the input stream. */
struct html_span {
	uint64_t start;
	uint64_t end;
};

/* Namespace of an attribute after the tree builder's foreign adjustments. */
enum html_attr_ns {
	HTML_ATTR_NS_NONE = 0,
	HTML_ATTR_NS_XLINK,
	HTML_ATTR_NS_XML,
	HTML_ATTR_NS_XMLNS,
};

struct html_attr {
	/* Local name: ASCII-lower-cased by the tokenizer; the tree builder
	 * adjusts case for SVG/MathML (viewBox) and splits xlink:href into
	 * ns XLINK + "href". */
	const char *name;
	size_t name_len;
	/* Decoded value (character references resolved, NUL as U+FFFD, CR LF
	 * as LF), NUL-terminated for convenience; "" when there is no value. */
	const char *value;
	size_t value_len;
	struct html_span name_span;
	/* The raw bytes of the value, without quotes. For an attribute with
	 * no value, an empty span just after the name. */
	struct html_span value_span;
	char quote;     /* '"', '\'', or 0 when unquoted or absent */
	uint8_t ns;     /* enum html_attr_ns */
	bool truncated; /* value cut at limits.html_attr_bytes */
};

enum html_token_type {
	HTML_TOKEN_DOCTYPE,
	HTML_TOKEN_START_TAG,
	HTML_TOKEN_END_TAG,
	HTML_TOKEN_COMMENT,
	HTML_TOKEN_CHARACTER,
	HTML_TOKEN_EOF,
};

struct html_token {
	enum html_token_type type;

	/* START_TAG, END_TAG: lower-cased name and its id; DOCTYPE: name. */
	const char *name;
	size_t name_len;
	enum html_tag tag;
	bool self_closing;
	/* START_TAG: attributes in source order, duplicates already dropped
	 * (the first wins, as the spec says). END_TAG attributes are
	 * dropped. The array is the tokenizer's: the tree builder may not
	 * keep pointers into it past the callback. */
	struct html_attr *attrs;
	size_t nattrs;

	/* CHARACTER: a run of characters (may contain NUL bytes, which the
	 * tree builder handles per insertion mode). COMMENT: the comment
	 * data. */
	const char *data;
	size_t data_len;

	/* DOCTYPE */
	bool name_missing;
	bool public_id_missing;
	bool system_id_missing;
	bool force_quirks;
	const char *public_id;
	size_t public_id_len;
	const char *system_id;
	size_t system_id_len;

	/* Raw input bytes of the whole token: from '<' to '>' for tags,
	 * comments and doctypes; the characters for a run of text. For a
	 * COMMENT, data_span is the raw bytes between the comment's opening
	 * and closing delimiters (so "<!--x-->" has data_span covering "x"). */
	struct html_span span;
	struct html_span data_span;

	/* Set when a limit cut something out of this token (attributes,
	 * a long name, comment or value). */
	bool truncated;
};

#endif
