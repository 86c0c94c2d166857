/*
 * bugsweep/limits.h - every size, depth and count bugsweep enforces.
 *
 * Mail is written by attackers, so every parser is bounded. All bounds
 * live in this one struct; bs_limits_default() fills in the defaults that
 * docs/LIMITS.md explains. Hitting a limit never crashes or aborts the
 * message: the parser degrades as documented for that limit and records a
 * problem (bugsweep/problems.h) naming it.
 *
 * A value of 0 in any field means "use the default"; call
 * bs_limits_normalise() after changing fields by hand.
 */
#ifndef BUGSWEEP_LIMITS_H
#define BUGSWEEP_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct bs_limits {
	/* --- message and MIME (src/lib/mime) --- */
	size_t message_bytes;   /* whole message read from a file or stdin */
	unsigned mime_depth;    /* nesting of multipart and message/rfc822 */
	unsigned mime_parts;    /* parts per message */
	unsigned headers;       /* header fields per part */
	size_t header_bytes;    /* one header field, unfolded */
	unsigned mailbox_depth; /* directories nested under a scanned path */

	/* --- HTML engine (src/lib/html) --- */
	size_t html_bytes;        /* one HTML document, after decoding */
	unsigned html_depth;      /* stack of open elements */
	size_t html_elements;     /* elements per message, all documents */
	unsigned html_attrs;      /* attributes kept per element */
	size_t html_attr_bytes;   /* one attribute value, decoded */
	size_t html_token_bytes;  /* tag name, comment, doctype or text run */
	unsigned html_formatting; /* list of active formatting elements */
	unsigned html_cond_depth; /* nesting of Outlook conditional comments */

	/* --- CSS (src/lib/css) --- */
	size_t css_bytes;         /* one style sheet or style attribute */
	size_t css_rules;         /* rules per document */
	unsigned css_depth;       /* nesting of blocks and functions */
	size_t css_selectors;     /* simple selectors per document */
	size_t css_declarations;  /* declarations kept per document */
	uint64_t css_match_steps; /* selector matching work per document */

	/* --- URLs (src/lib/url) --- */
	size_t url_bytes;           /* one URL, before parsing */
	unsigned srcset_candidates; /* candidates per srcset */
	unsigned url_tokens;        /* pieces (labels, segments, query keys and
	                             * values) classified per URL */

	/* --- detection (src/lib/detect) --- */
	size_t references; /* references (beacons + links) per message */
};

void bs_limits_default(struct bs_limits *out);

/* Replace zero fields by their defaults. */
void bs_limits_normalise(struct bs_limits *lim);

#endif
