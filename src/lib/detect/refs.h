/*
 * refs.h - every URL an HTML document makes a mail client fetch.
 *
 * Walks the document tree (html/dom.h) in document order and lists each
 * reference with what judging it needs: its vector, the URL as written and
 * as a client would request it, where its bytes are (so a rewrite can patch
 * them), the size the element would have, and whether it is visible.
 *
 * Beacons (fetched on open): img src/srcset, picture/video/audio source
 * src/srcset, video poster and src, audio src, input type=image, the
 * background attribute, CSS url() in style attributes and <style> (also
 * @import and @font-face), link rel=stylesheet/icon/preload/prefetch/
 * preconnect/dns-prefetch/prerender, svg image/feImage/use, object data,
 * embed src, iframe and frame src, meta refresh. Links (fetched on click):
 * a and area href, and svg a. Template contents are inert and skipped.
 * Only references that resolve to http(s) URLs are listed (data:, cid: and
 * relative URLs without a <base> are never fetched from the network).
 *
 * Visibility: the cascade of the document's <style> rules (all @media
 * taken as applying, which is what a scan wants: a rule that hides on some
 * screen is evidence) and the style attribute, the hidden attribute, the
 * width/height attributes, and the hiding of ancestors (css/visual.h).
 *
 * Bounds: limits.references per document ("limit:references"); the CSS
 * limits apply per document through one css_budget.
 */
#ifndef BS_DETECT_REFS_H
#define BS_DETECT_REFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bugsweep/error.h"
#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "html/dom.h"
#include "url/url.h"

enum {
	REF_LINK = 1u << 0,            /* fetched on click, not on open */
	REF_HIDDEN = 1u << 1,          /* its own box is invisible */
	REF_HIDDEN_ANCESTOR = 1u << 2, /* an ancestor hides it */
	REF_OFFSCREEN = 1u << 3,       /* positioned far off-screen */
	REF_OUTLOOK_ONLY = 1u << 4,    /* inside <!--[if mso]> */
	REF_CONDITIONAL = 1u << 5,     /* downlevel-revealed content */
	REF_CSS = 1u << 6,             /* from CSS (style attribute or sheet) */
	REF_SPAN_EXACT = 1u << 7,      /* url_span holds exactly the URL */
	REF_HAS_ALT = 1u << 8,         /* a non-empty alt attribute */
	REF_FONT = 1u << 9,            /* @font-face src */
	REF_IMPORT = 1u << 10,         /* @import */
	REF_STYLE_BLOCK = 1u << 11,    /* from a <style> element */
	REF_SRCSET = 1u << 12,         /* one candidate of a srcset */
	REF_IMAGE = 1u << 13,          /* an image a reader would see */
	REF_NESTED = 1u << 14,         /* inside an iframe's srcdoc document:
	                                * node/attr are the iframe's srcdoc,
	                                * the spans its whole value */
};

struct ref {
	const char *vector; /* "img.src", "css.style-block", ... */
	unsigned flags;     /* REF_* */
	unsigned hide;      /* CSS_HIDE_* bits of it and its ancestors */
	uint32_t node;      /* element in the DOM, or DOM_NONE */
	uint32_t attr;      /* attribute index on node, or UINT32_MAX */
	uint32_t order;     /* document order among all references */
	char *raw;          /* the URL as written (markup decoded) */
	size_t raw_len;
	struct bs_url *url; /* as a client would request it */
	/* Document offsets: the URL's own bytes, and what a rewrite would
	 * replace to drop it (the attribute value, url(...), a candidate). */
	struct html_span url_span;
	struct html_span whole_span;
	int width, height; /* CSS px, -1 when unknown */
	const char *alt;   /* alt text (lives as long as the DOM), or NULL */
	unsigned part;     /* 1-based HTML document index, set by the caller */
};

struct ref_list {
	struct ref *v;
	size_t n, cap;
	struct bs_url *base; /* the document's <base href>, or NULL */
	size_t images;       /* remote images a reader would see */
};

struct refs_options {
	const struct bs_limits *limits;
	struct bs_problems *problems;
	/* For a srcdoc document: its parent's base URL (a srcdoc document
	 * resolves against it) and how deep it is nested; 0/NULL otherwise. */
	const struct bs_url *parent_base;
	unsigned depth;
	/* Only the URLs: no cascade, so sizes and visibility stay unknown
	 * (clean's check of its own output needs no more). */
	bool urls_only;
};

/*
 * Append the references of one document to out (which may hold those of
 * earlier documents). doc is the decoded HTML the DOM was parsed from.
 */
BS_WARN_UNUSED int refs_extract(struct ref_list *out,
                                const struct html_dom *dom, const char *doc,
                                size_t doclen, const struct refs_options *opt);
void refs_release(struct ref_list *l);

#endif
