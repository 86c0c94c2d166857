/*
 * mime.h - one message: its raw bytes, its headers for the report, and the
 * text documents (every text/html part, and text/plain for completeness)
 * decoded to UTF-8 with a map back to the original bytes.
 *
 * What it does
 *   - Keeps a copy of the message bytes. Every span below is an offset into
 *     those bytes, so that the rewriter can splice a re-encoded part body or
 *     drop and add a header while every other byte stays as it was.
 *   - Walks the MIME structure itself (RFC 2045/2046 boundaries, header
 *     blocks, message/rfc822) in one bounded, linear pass; GMime 3 decodes
 *     field values (RFC 2047 words, RFC 2231 parameters, addresses, dates)
 *     and provides iconv for charsets. Why not GMime's own tree: see
 *     docs/MIME.md (it needs ~160 bytes of memory per byte of hostile input
 *     and cannot be bounded by our limits).
 *   - Finds documents at any depth: inline or attached, inside
 *     multipart/alternative, related, mixed, signed, and inside
 *     message/rfc822 (also base64- or QP-encoded ones).
 *
 * What it won't do
 *   - Re-serialise anything, verify signatures, decrypt, or decode
 *     non-text parts (images and other attachments are skipped).
 *   - uuencode, yEnc, TNEF (winmail.dat) or HTML hidden in application/ types.
 *
 * Limits (struct bs_limits): mime_depth (one counter for multipart and
 * message/rfc822 nesting), mime_parts (entities per message, then the walk
 * stops), headers (fields kept per header block), header_bytes (one
 * unfolded field), html_bytes (one decoded document, then it is cut).
 * message_bytes is the caller's (mailbox.h); the parser itself takes any
 * length it is given. Hitting a limit records "limit:<name>" and degrades
 * as docs/LIMITS.md says. Malformed MIME records "mime:<what>" problems
 * (listed in docs/MIME.md) and parsing goes on.
 *
 * Threads: call mime_global_init() once before starting threads. A parsed
 * message is owned by one thread at a time; different messages may be
 * parsed and used concurrently.
 */
#ifndef BS_MIME_MIME_H
#define BS_MIME_MIME_H

#include <stdbool.h>
#include <stddef.h>

#include "bugsweep/error.h"
#include "bugsweep/limits.h"
#include "bugsweep/problems.h"

/* Initialise GMime once per process (idempotent, thread-safe). */
BS_WARN_UNUSED int mime_global_init(void);
/* Release GMime's global state; only after all threads are done. */
void mime_global_shutdown(void);

/* [off, off+len) in the original message bytes. */
struct mime_span {
	size_t off;
	size_t len;
};

/*
 * One top-level header field. field runs from the first byte of the name
 * to the end of the line ending of its last (folded) line: removing exactly
 * field.len bytes at field.off removes the header and nothing else.
 * value is everything after the colon up to, not including, that final
 * line ending (folding and leading blanks kept, undecoded).
 */
struct mime_header {
	struct mime_span field;
	struct mime_span name;
	struct mime_span value;
};

/* An address as a mail client shows it; both strings are UTF-8, never
 * NULL, and may be empty (no display name, or an unparsable address). */
struct mime_address {
	const char *name;
	const char *addr;
};

/* Read-receipt request headers present on the message. */
enum mime_receipt {
	MIME_RECEIPT_DISPOSITION_NOTIFICATION_TO = 1u << 0,
	MIME_RECEIPT_RETURN_RECEIPT_TO = 1u << 1,
	MIME_RECEIPT_X_CONFIRM_READING_TO = 1u << 2,
	MIME_RECEIPT_READ_RECEIPT_TO = 1u << 3,
};
#define MIME_RECEIPT_COUNT 4
/* The header name of one MIME_RECEIPT_* bit ("Disposition-Notification-To"
 * ...), NULL for anything else. */
const char *mime_receipt_header_name(unsigned bit);

/*
 * The message's top-level headers, decoded as mail clients show them: RFC
 * 2047 words decoded, raw 8-bit text taken as UTF-8 when valid and as
 * windows-1252 otherwise, NUL bytes dropped. Strings are NULL when the
 * header is absent; the first occurrence counts.
 */
struct mime_info {
	const char *message_id; /* without the angle brackets */
	const char *date;       /* ISO 8601 with its UTC offset
	                           ("2024-05-01T10:00:00+02:00"); NULL when
	                           absent or unparsable */
	const char *date_raw;   /* the Date header as written, decoded */
	const char *subject;
	const struct mime_address *from; /* first mailbox of From, or NULL */
	const struct mime_address *to;   /* all mailboxes of all To fields */
	size_t n_to;
	const struct mime_address *cc;
	size_t n_cc;
	const char *delivered_to; /* first Delivered-To, address only */
	const char *x_original_to;
	unsigned receipt; /* MIME_RECEIPT_* bits */
};

enum mime_doc_kind {
	MIME_DOC_HTML,
	MIME_DOC_PLAIN,
};

enum mime_cte {
	MIME_CTE_7BIT,
	MIME_CTE_8BIT,
	MIME_CTE_BINARY,
	MIME_CTE_QP,
	MIME_CTE_BASE64,
	MIME_CTE_UNKNOWN, /* named but not known: taken as 8bit */
};

struct mime_message;
struct mime_doc;

/*
 * What a document is and where it lives. index is 1-based among the
 * documents of the same kind, in the depth-first order of the walk (so
 * the first text/html part is HTML document 1 wherever it sits: this is
 * the corpus labels' part_index). path is the IMAP part specifier
 * ("1", "1.2", "3.1.2"); a message that is not multipart has its body at
 * "1", and inside a message/rfc822 part "N" the inner body is "N.1" (or
 * "N.1", "N.2" ... when multipart).
 *
 * header and body are spans in the original message bytes, valid for
 * splicing only when spliceable is true: a document inside a message/rfc822
 * part that is itself base64- or QP-encoded lives in decoded bytes, so its
 * spans are those of the outermost encoded part instead (replacing that
 * part means re-encoding the whole embedded message).
 *
 * body runs from the first byte after the blank line that ends the part's
 * header block to the last byte before the line ending that precedes the
 * next boundary line (RFC 2046: that line ending belongs to the boundary),
 * or to the end of the message. header runs from the first header byte to
 * just before that blank line (len 0 when the part has no header block);
 * cte_field is the whole Content-Transfer-Encoding field when present
 * (len 0 and off = header.off otherwise).
 */
struct mime_doc_info {
	enum mime_doc_kind kind;
	unsigned index;
	const char *path;
	const char *content_type;     /* lower case, "text/html" */
	const char *disposition;      /* lower case, NULL when absent */
	const char *filename;         /* decoded, NULL when absent */
	const char *charset_declared; /* as written, NULL when absent */
	const char *charset_used;     /* what the text was decoded from */
	enum mime_cte cte;
	const char *cte_name;  /* as written, lower case; NULL when absent */
	unsigned depth;        /* nesting: root entity 0 */
	unsigned rfc822_depth; /* message/rfc822 parts around it */
	bool spliceable;
	bool truncated; /* text cut at limits.html_bytes */
	/* text is the transfer-decoded body byte for byte: the charset
	 * needed no conversion and nothing was cut (a rewriter can patch it
	 * without decoding the body again). */
	bool text_is_body;
	struct mime_span header;
	struct mime_span body;
	struct mime_span cte_field;
	/* The decoded text, UTF-8 (invalid input replaced by U+FFFD).
	 * Not NUL-terminated; may contain NUL bytes. */
	const char *text;
	size_t text_len;
};

/*
 * Parse len bytes of one message (copied: the caller keeps its buffer).
 * lim may be NULL for the defaults. Problems go to problems (may be NULL).
 * Returns 0, or BS_ENOMEM / BS_EINVAL; malformed mail is never an error.
 */
BS_WARN_UNUSED int mime_message_parse(struct mime_message **out,
                                      const char *bytes, size_t len,
                                      const struct bs_limits *lim,
                                      struct bs_problems *problems);
void mime_message_free(struct mime_message **m);

/* The message bytes as parsed (the copy); all spans refer to these. */
const char *mime_message_raw(const struct mime_message *m, size_t *len);

const struct mime_info *mime_message_info(const struct mime_message *m);

/*
 * Top-level header fields in order (an mbox "From " line at the very start
 * is not a field). block is the whole header block, from its first byte up
 * to and including the blank line (or to the end when there is none);
 * the body starts at block.off + block.len.
 */
size_t mime_message_header_count(const struct mime_message *m);
const struct mime_header *mime_message_header_at(const struct mime_message *m,
                                                 size_t i);
struct mime_span mime_message_header_block(const struct mime_message *m);

/*
 * The nth (0-based) top-level field called name (ASCII case-insensitive),
 * decoded as in struct mime_info; NULL when absent or out of memory. The
 * string lives as long as the message.
 */
const char *mime_message_header(struct mime_message *m, const char *name,
                                size_t nth);

/* Documents in walk order (HTML and plain mixed; see info->kind). */
size_t mime_message_doc_count(const struct mime_message *m);
const struct mime_doc *mime_message_doc(const struct mime_message *m, size_t i);
const struct mime_doc_info *mime_doc_info(const struct mime_doc *d);

/*
 * Offset in the original message bytes of the encoded form of decoded text
 * offset off (off == text_len gives the end of the body):
 *   7bit/8bit/binary and UTF-8: exact;
 *   quoted-printable: exact (an escape maps to its '=');
 *   base64: the first character of the 4-character group holding the byte;
 *   charset conversion: exact for single-byte charsets and for UTF-8 with
 *   invalid sequences, else the start of the line (at most ~256 bytes) that
 *   holds it.
 * Offsets past the end are clamped. Costs a binary search and a walk of at
 * most a few hundred bytes.
 */
size_t mime_doc_raw_offset(const struct mime_doc *d, size_t off);

#endif
