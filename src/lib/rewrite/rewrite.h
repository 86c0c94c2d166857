/*
 * rewrite.h - the pieces of `clean` (bs_clean in bugsweep.h): a patch list
 * over bytes, the transfer and charset encoders that put a patched
 * document back into its part, the visible text of a document, and the
 * link rewrites. Internal to the library; the unit tests use it directly.
 *
 * What it does
 *   - A patch list: replacements of [start, end) byte ranges by new bytes,
 *     sorted and checked for overlap, applied in one pass. The same list
 *     type edits a decoded HTML document and the raw message.
 *   - Quoted-printable (soft breaks at 76) and base64 (lines of 76)
 *     encoders, and decoders with the leniency of src/lib/mime/xfer.c.
 *   - Charset encoding of UTF-8 text into a part's charset; characters the
 *     charset cannot hold become numeric character references.
 *   - HTML escaping of what is written into attribute values and text.
 *   - The visible text of an HTML document (rw_visible_text).
 *   - Links: tracking parameters, redirectors, one-click action links.
 *
 * What it won't do: re-serialise MIME or HTML. Everything works on spans
 * of the original bytes and leaves the rest as it is.
 *
 * Limits: a patch list holds at most the count and bytes given at init
 * (clean sizes them from limits.references and the document size); every
 * output buffer has a cap (bs_buf). Past a cap the sticky buffer error is
 * returned and clean skips the message.
 */
#ifndef BS_REWRITE_REWRITE_H
#define BS_REWRITE_REWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "bugsweep/error.h"
#include "html/dom.h"
#include "util/buf.h"

/* ---- patch list (patch.c) ---- */

enum {
	/* The patch replaces a whole element: patches inside it are
	 * dropped when the list is sorted instead of being overlaps. */
	RW_PATCH_COVER = 1u << 0,
};

struct rw_patch {
	size_t start, end; /* the bytes replaced; start == end inserts */
	size_t off, len;   /* the new bytes, in the list's pool */
	unsigned flags;    /* RW_PATCH_* */
	size_t seq;        /* order of addition: ties keep it */
};

struct rw_patches {
	struct rw_patch *v;
	size_t n, cap, max;
	struct bs_buf pool;
};

void rw_patches_init(struct rw_patches *p, size_t max_patches,
                     size_t max_bytes);
void rw_patches_release(struct rw_patches *p);
/* Add a patch; BS_EINVAL when end < start, BS_ELIMIT past the cap. */
BS_WARN_UNUSED int rw_patches_add(struct rw_patches *p, size_t start,
                                  size_t end, const char *text, size_t len,
                                  unsigned flags);
/*
 * Sort by position (insertions before a replacement at the same offset,
 * ties in order of addition), drop patches that lie inside a
 * RW_PATCH_COVER patch and exact duplicates (same range, same bytes).
 * BS_EINVAL when two patches still overlap.
 */
BS_WARN_UNUSED int rw_patches_sort(struct rw_patches *p);
/* Append src with the (sorted) patches applied to out. BS_EINVAL when a
 * patch lies past len. */
BS_WARN_UNUSED int rw_patches_apply(struct bs_buf *out, const char *src,
                                    size_t len, const struct rw_patches *p);

/* ---- encoders (encode.c) ---- */

/* Quoted-printable of [s, s+n): the line endings of s written as eol
 * ("\r\n" or "\n", the part's own) stay hard line breaks, any other CR
 * or LF is encoded; lines are at most 76 characters with soft breaks;
 * '-' and '.' starting a line and "From " are encoded so that no line can
 * be taken for a boundary or an mbox separator. */
BS_WARN_UNUSED int rw_qp_encode(struct bs_buf *out, const char *s, size_t n,
                                const char *eol);
/* Base64 in lines of 76 characters joined by eol, no final eol. */
BS_WARN_UNUSED int rw_b64_encode(struct bs_buf *out, const char *s, size_t n,
                                 const char *eol);
/* Decoders with src/lib/mime/xfer.c's leniency. */
BS_WARN_UNUSED int rw_qp_decode(struct bs_buf *out, const char *s, size_t n);
BS_WARN_UNUSED int rw_b64_decode(struct bs_buf *out, const char *s, size_t n);

/* & < > " ' as character references: safe in text and in any attribute
 * value. Both return the buffer's sticky error, which a builder may
 * check once at the end instead. */
int rw_html_escape(struct bs_buf *out, const char *s, size_t n);
/* Percent-encoding of everything but A-Z a-z 0-9 - . _ ~ (a URL as the
 * value of a query parameter). */
int rw_url_encode(struct bs_buf *out, const char *s, size_t n);

enum rw_charset {
	RW_CS_UTF8,
	RW_CS_W1252, /* windows-1252 as WHATWG decodes it (iso-8859-1 ...) */
	RW_CS_ASCII, /* a 7bit part: everything past ASCII as a reference */
	RW_CS_ICONV, /* any other charset, through iconv */
};

/*
 * Encode UTF-8 [u, u+n) into a charset (name used only for RW_CS_ICONV).
 * A character the charset cannot hold becomes "&#N;" when ncr is set (the
 * text is HTML text or an attribute value), else the call fails with
 * BS_EPARSE. Invalid UTF-8 fails with BS_EPARSE. BS_EINVAL when iconv does
 * not know the charset.
 */
BS_WARN_UNUSED int rw_charset_encode(struct bs_buf *out, enum rw_charset cs,
                                     const char *name, const char *u, size_t n,
                                     bool ncr);
/* UTF-8 [u, u+n) with every character the charset cannot hold written as
 * "&#N;": what the text reads as once encoded and decoded again. */
BS_WARN_UNUSED int rw_charset_safe(struct bs_buf *out, enum rw_charset cs,
                                   const char *name, const char *u, size_t n);
/* The kind of a charset_used name of src/lib/mime. */
enum rw_charset rw_charset_kind(const char *name);

/* ---- visible text (text.c) ---- */

enum {
	/* Also the content of Outlook conditional comments. */
	RW_TEXT_OUTLOOK = 1u << 0,
};

/*
 * The text a reader sees, for comparing a document before and after a
 * rewrite: the data of text nodes that are not inside head, script,
 * style, template, title or an Outlook-only fragment (unless
 * RW_TEXT_OUTLOOK), plus the alt text of img elements and of input
 * type=image where the element stands (inline, as text), with every run of
 * ASCII whitespace (and U+00A0) collapsed into one space, and the result
 * trimmed. Markup, attributes other than alt, and comments are not text.
 */
BS_WARN_UNUSED int rw_visible_text(struct bs_buf *out,
                                   const struct html_dom *dom, unsigned flags);

/* ---- links (links.c) ---- */

/*
 * Is this link a one-click action (unsubscribe, confirm, verify, reset,
 * login, ...)? Looks at the URL and at the link's text. Such links carry
 * a single-use token and are never rewritten.
 */
bool rw_link_one_click(const char *url, size_t n, const char *text, size_t tn);
/*
 * The URL without its known tracking parameters (utm_*, mc_eid, _hsenc,
 * fbclid, ...): every other byte kept. *changed tells whether any went.
 */
BS_WARN_UNUSED int rw_link_strip_params(struct bs_buf *out, const char *url,
                                        size_t n, bool *changed);
/*
 * The target of a redirector URL: the first query value (or a path
 * segment) that percent-decodes to an absolute http(s) URL. *found is
 * false when there is none.
 */
BS_WARN_UNUSED int rw_link_target(struct bs_buf *out, const char *url, size_t n,
                                  bool *found);
/* Does a URL go through a well-known general-purpose redirector (Google,
 * Facebook, Outlook safe links, ...)? */
bool rw_link_known_redirector(const char *url, size_t n);

/* ---- message level (clean.c) ---- */

/* Where a header is inserted: after an mbox "From " line, else 0. */
size_t rw_header_insert_offset(const char *msg, size_t len);
/* The line ending of the message's header: "\r\n" or "\n". */
const char *rw_message_eol(const char *msg, size_t len);

#endif
