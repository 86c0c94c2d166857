/*
 * mime_int.h - internals shared by the files of src/lib/mime.
 *
 * A document is decoded in two steps, each with its own offset map:
 *   raw body --(transfer decoding, xfer_*)--> bytes T --(charset, cs_*)--> U
 * U is the UTF-8 text handed out. Both maps keep sparse checkpoints and
 * answer a query by re-walking at most a few hundred bytes from the nearest
 * one, so they cost little memory and stay exact where the encoding allows.
 */
#ifndef BS_MIME_INT_H
#define BS_MIME_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "bugsweep/problems.h"
#include "mime/mime.h"

struct bs_arena;

/* ---- transfer decoding (xfer.c) ---- */

/* From checkpoint on, decoded offset t is at raw offset r; when exact is
 * non-zero the next exact decoded bytes map one to one. */
struct xfer_cp {
	size_t t;
	size_t r;
	size_t exact;
};

struct xfer_map {
	enum mime_cte cte;
	const char *raw; /* the encoded body (not owned) */
	size_t raw_len;
	struct xfer_cp *cp;
	size_t n;
	size_t cap;
};

#define XFER_BAD_BASE64       1u
#define XFER_BAD_QP           2u
#define XFER_TRUNCATED_BASE64 4u

/*
 * Undo the transfer encoding of [raw, raw+len). For the identity encodings
 * *out points into raw and *owned is NULL; otherwise *owned is a new buffer
 * (free with bs_free) and *out == *owned. *flags gets XFER_* bits.
 */
int xfer_decode(struct xfer_map *map, char **owned, const char **out,
                size_t *out_len, const char *raw, size_t len, enum mime_cte cte,
                unsigned *flags);
/* Raw offset (in the body) of the encoding of decoded offset t. */
size_t xfer_raw_offset(const struct xfer_map *map, size_t t);
void xfer_map_release(struct xfer_map *map);

/* ---- charsets (charset.c) ---- */

enum cs_mode {
	CS_LINEAR, /* byte for byte */
	CS_SINGLE, /* one source byte per UTF-8 character */
	CS_POINT,  /* anywhere in the run maps to its start */
};

struct cs_cp {
	size_t u;
	size_t t;
	unsigned char mode;
};

struct cs_map {
	bool identity;
	bool full; /* checkpoint cap reached: the last one is a POINT */
	const char *u;
	size_t ulen;
	struct cs_cp *cp;
	size_t n;
	size_t cap;
	size_t max;
};

struct cs_result {
	const char *text; /* == t (identity) or == owned */
	size_t len;
	char *owned;
	bool truncated;
	char used[48]; /* charset name decoded from, lower case */
};

/*
 * Decode t as declared (declared may be NULL) to UTF-8, at most max bytes.
 * Unknown or missing charsets: UTF-8 when valid, else a <meta> charset
 * when the part declares none, else windows-1252. Records mime:* problems.
 */
int cs_decode(struct cs_result *res, struct cs_map *map, const char *t,
              size_t tlen, const char *declared, bool html, size_t max,
              struct bs_problems *pb);
size_t cs_source_offset(const struct cs_map *map, size_t u);
void cs_map_release(struct cs_map *map);

/* Non-zero when [s, s+n) is valid UTF-8 (no surrogates, no overlongs). */
bool cs_utf8_valid(const char *s, size_t n);
/* Append the windows-1252 (WHATWG) decoding of [s, s+n) as UTF-8 to a
 * buffer of room >= 3n; returns bytes written. */
size_t cs_w1252_to_utf8(char *out, const char *s, size_t n);

/* ---- header values (header.c) ---- */

/* Unfold (drop CR and LF before blanks, other line breaks become spaces),
 * drop NUL bytes; at most max input bytes. Arena string, bytes kept. */
char *hdr_unfold(struct bs_arena *a, const char *s, size_t n, size_t max,
                 size_t *outlen, bool *had_8bit);
/* Unfold (drop CR and LF), drop NUL bytes, take raw 8-bit as UTF-8 when
 * valid else windows-1252; at most max input bytes. Arena string. */
char *hdr_text_utf8(struct bs_arena *a, const char *s, size_t n, size_t max,
                    bool *had_8bit);
/* RFC 2047-decoded unstructured text, trimmed. NULL on memory. */
char *hdr_decode_text(struct bs_arena *a, const char *s, size_t n, size_t max,
                      struct bs_problems *pb);
/* Addresses of an address-list field appended to *v (arena array). */
int hdr_decode_addresses(struct bs_arena *a, struct mime_address **v, size_t *n,
                         size_t *cap, const char *s, size_t len, size_t max,
                         struct bs_problems *pb);
/* ISO 8601 form of an RFC 5322 date, NULL when unparsable. */
char *hdr_decode_date(struct bs_arena *a, const char *s, size_t n, size_t max);
char *hdr_decode_msgid(struct bs_arena *a, const char *s, size_t n, size_t max);
/* The shared, read-only GMime parser options (mime_global_init). */
void *hdr_gmime_options(void);

#endif
