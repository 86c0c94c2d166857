/*
 * tokenizer.h - the WHATWG HTML tokenizer (HTML Living Standard, 13.2.5),
 * streaming and bounded.
 *
 * Input is UTF-8 bytes, pushed in chunks of any size; the token stream is
 * the same whatever the chunking, except that a run of text may arrive as
 * several CHARACTER tokens. The tokenizer works on bytes: only ASCII is
 * syntax, other bytes pass through unchanged (so invalid UTF-8 is not
 * repaired). The input stream preprocessing (CR and CR LF become LF) is
 * applied; spans always refer to the raw bytes.
 *
 * Limits (struct bs_limits): html_token_bytes for names, comments, doctype
 * identifiers and text buffers; html_attrs for attributes per tag (past it,
 * attributes are dropped except those that can carry a URL or a style,
 * which are always kept); html_attr_bytes per attribute value (the value is
 * truncated, its span stays exact). Each hit is recorded in the problems
 * list as "limit:<name>" and tokenizing goes on.
 */
#ifndef BS_HTML_TOKENIZER_H
#define BS_HTML_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bugsweep/error.h"
#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "token.h"

/* The states a tree builder (or a test) may switch the tokenizer to. */
enum html_tokenizer_state {
	HTML_STATE_DATA,
	HTML_STATE_RCDATA,
	HTML_STATE_RAWTEXT,
	HTML_STATE_SCRIPT_DATA,
	HTML_STATE_PLAINTEXT,
	HTML_STATE_CDATA_SECTION,
};

/* Parse error codes: the names the spec (and html5lib-tests) use. */
enum html_parse_error {
#define HTML_PARSE_ERROR(id, name) HTML_ERR_##id,
#include "parse_errors.def"
#undef HTML_PARSE_ERROR
	HTML_ERR__COUNT
};

/* Spec name of an error code, e.g. "eof-in-tag". */
const char *html_parse_error_name(enum html_parse_error e);

/* Receives each token. A non-zero return stops the tokenizer, and
 * html_tokenizer_feed()/finish() return BS_EABORT. */
typedef int (*html_token_fn)(void *ctx, struct html_token *tok);
/* Receives each parse error with the offset where it was detected. */
typedef void (*html_error_fn)(void *ctx, enum html_parse_error err,
                              uint64_t offset);

struct html_tokenizer;

/* NULL when out of memory. lim and problems must outlive the tokenizer;
 * problems may be NULL. */
struct html_tokenizer *html_tokenizer_new(const struct bs_limits *lim,
                                          html_token_fn on_token, void *ctx,
                                          struct bs_problems *problems);
void html_tokenizer_free(struct html_tokenizer **t);

void html_tokenizer_set_error_fn(struct html_tokenizer *t, html_error_fn fn);
/* Offset of the first byte that will be fed; default 0. */
void html_tokenizer_set_base_offset(struct html_tokenizer *t, uint64_t off);

/* Switch state; takes effect at the next input character, also when
 * called from inside the token callback. */
void html_tokenizer_set_state(struct html_tokenizer *t,
                              enum html_tokenizer_state s);
/* The "last start tag name" used for appropriate end tags (tests and
 * fragment parsing; otherwise the tokenizer tracks it itself). */
void html_tokenizer_set_last_start_tag(struct html_tokenizer *t,
                                       const char *name, size_t len);
/* Whether the adjusted current node is in a foreign namespace: then
 * "<![CDATA[" starts a CDATA section instead of a bogus comment. The tree
 * builder keeps this up to date. */
void html_tokenizer_set_foreign(struct html_tokenizer *t, bool foreign);

BS_WARN_UNUSED int html_tokenizer_feed(struct html_tokenizer *t,
                                       const char *data, size_t len);
/* Signal end of input: flushes pending tokens and emits EOF. */
BS_WARN_UNUSED int html_tokenizer_finish(struct html_tokenizer *t);

#endif
