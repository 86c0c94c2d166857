/*
 * tokenizer.c - the WHATWG HTML tokenizer over UTF-8 bytes, streaming.
 *
 * Design (docs/HTML-TOKENIZER.md has the long version):
 *
 * - Bytes, not code points: every character the state machine tests for
 *   is ASCII, and every non-ASCII byte behaves as "anything else", so the
 *   machine runs on bytes and passes UTF-8 through. Decoding is needed
 *   only to report the input-stream errors (controls, noncharacters,
 *   surrogates); check_input() does it in a separate pass, and only when
 *   an error callback is set.
 *
 * - Each state may stop at any byte and resume with the next chunk: what a
 *   token needs is kept in the tokenizer (names, values, comment data in
 *   growable buffers; char reference lookahead in a fixed buffer). States
 *   that need lookahead (markup declaration open, PUBLIC/SYSTEM, named
 *   references) match incrementally instead of peeking.
 *
 * - A CR needs one byte of lookahead (CR LF is one newline). A CR that is
 *   the last byte of a chunk is not consumed; feed() replays it, with the
 *   next chunk's first byte if that is its LF, from a two-byte buffer, so
 *   every state sees exactly what it would see in one piece and spans
 *   come out the same.
 *
 * - Text is zero-copy while it can be: a run of characters whose bytes are
 *   the raw input is a (pointer, length) into the caller's chunk; when a
 *   decoded character differs from its raw bytes (CR, a reference, NUL as
 *   U+FFFD, or text held over from an earlier chunk) the run is copied to
 *   a buffer and goes on there. A run is flushed before any other token,
 *   at the end of each chunk, when its raw bytes stop being contiguous,
 *   and when the buffer reaches limits.html_token_bytes.
 *
 * - Hot states skip to the few bytes that matter to them (16 at a time
 *   with SSE2 where at most four do, a 256-entry class table otherwise)
 *   and append whole runs. No allocation per token: buffers are reused.
 */
#include "tokenizer.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "entities.h"
#include "util/alloc.h"
#include "util/str.h"

/* Internal states: every state of 13.2.5, plus two that match keywords
 * incrementally (markup declaration open, PUBLIC/SYSTEM after a DOCTYPE
 * name). The RCDATA, RAWTEXT, script data and script data escaped
 * "less-than sign", "end tag open" and "end tag name" states share code;
 * text_state says which text state they return to. */
enum st {
	S_DATA,
	S_RCDATA,
	S_RAWTEXT,
	S_SCRIPT,
	S_PLAINTEXT,
	S_CDATA,
	S_TAG_OPEN,
	S_END_TAG_OPEN,
	S_TAG_NAME,
	S_TEXT_LT,
	S_TEXT_END_OPEN,
	S_TEXT_END_NAME,
	S_SCRIPT_LT,
	S_SCRIPT_ESC_START,
	S_SCRIPT_ESC_START_DASH,
	S_SCRIPT_ESC,
	S_SCRIPT_ESC_DASH,
	S_SCRIPT_ESC_DASH_DASH,
	S_SCRIPT_ESC_LT,
	S_SCRIPT_DESC_START,
	S_SCRIPT_DESC,
	S_SCRIPT_DESC_DASH,
	S_SCRIPT_DESC_DASH_DASH,
	S_SCRIPT_DESC_LT,
	S_SCRIPT_DESC_END,
	S_BEFORE_ATTR_NAME,
	S_ATTR_NAME,
	S_AFTER_ATTR_NAME,
	S_BEFORE_ATTR_VALUE,
	S_ATTR_VALUE_DQ,
	S_ATTR_VALUE_SQ,
	S_ATTR_VALUE_UNQ,
	S_AFTER_ATTR_VALUE_Q,
	S_SELF_CLOSING,
	S_BOGUS_COMMENT,
	S_MARKUP_DECL,
	S_COMMENT_START,
	S_COMMENT_START_DASH,
	S_COMMENT,
	S_COMMENT_LT,
	S_COMMENT_LT_BANG,
	S_COMMENT_LT_BANG_DASH,
	S_COMMENT_LT_BANG_DASH_DASH,
	S_COMMENT_END_DASH,
	S_COMMENT_END,
	S_COMMENT_END_BANG,
	S_DOCTYPE,
	S_BEFORE_DOCTYPE_NAME,
	S_DOCTYPE_NAME,
	S_AFTER_DOCTYPE_NAME,
	S_DOCTYPE_KEYWORD,
	S_AFTER_DOCTYPE_PUBLIC_KW,
	S_BEFORE_DOCTYPE_PUBLIC_ID,
	S_DOCTYPE_PUBLIC_ID_DQ,
	S_DOCTYPE_PUBLIC_ID_SQ,
	S_AFTER_DOCTYPE_PUBLIC_ID,
	S_BETWEEN_DOCTYPE_IDS,
	S_AFTER_DOCTYPE_SYSTEM_KW,
	S_BEFORE_DOCTYPE_SYSTEM_ID,
	S_DOCTYPE_SYSTEM_ID_DQ,
	S_DOCTYPE_SYSTEM_ID_SQ,
	S_AFTER_DOCTYPE_SYSTEM_ID,
	S_BOGUS_DOCTYPE,
	S_CDATA_BRACKET,
	S_CDATA_END,
	S_CHARREF,
	S_NAMED_CHARREF,
	S_AMBIGUOUS_AMP,
	S_NUMERIC_CHARREF,
	S_HEX_CHARREF_START,
	S_DEC_CHARREF_START,
	S_HEX_CHARREF,
	S_DEC_CHARREF,
};

/* Byte classes: for each scanning state, the bytes that end a run. */
enum {
	C_DATA = 1u << 0,     /* < & CR NUL (data, RCDATA) */
	C_RAW = 1u << 1,      /* < CR NUL (RAWTEXT, script data) */
	C_PLAIN = 1u << 2,    /* CR NUL */
	C_SESC = 1u << 3,     /* - < CR NUL (script data (double) escaped) */
	C_CDATA = 1u << 4,    /* ] CR */
	C_DQ = 1u << 5,       /* " & CR NUL */
	C_SQ = 1u << 6,       /* ' & CR NUL */
	C_UNQ = 1u << 7,      /* whitespace & > NUL " ' < = ` CR */
	C_TAGNAME = 1u << 8,  /* whitespace / > NUL CR */
	C_ATTRNAME = 1u << 9, /* whitespace / > = NUL " ' < CR */
	C_COMMENT = 1u << 10, /* < - NUL CR */
	C_BOGUS = 1u << 11,   /* > NUL CR */
	C_CHECK = 1u << 12,   /* may start an input-stream error */
	C_ALPHA = 1u << 13,
	C_ALNUM = 1u << 14,
	C_UPPER = 1u << 15,
};

#define IS_WS(c)  ((c) == '\t' || (c) == '\n' || (c) == '\f' || (c) == ' ')
#define IS_UP(c)  ((c) >= 'A' && (c) <= 'Z')
#define IS_LO(c)  ((c) >= 'a' && (c) <= 'z')
#define IS_DIG(c) ((c) >= '0' && (c) <= '9')
#define IS_HEX(c) (IS_DIG(c) || (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'f'))

#define CLS(c)                                                                 \
	(uint16_t)(                                                            \
	    (((c) == '<' || (c) == '&' || (c) == '\r' || (c) == 0) ? C_DATA    \
	                                                           : 0) |      \
	    (((c) == '<' || (c) == '\r' || (c) == 0) ? C_RAW : 0) |            \
	    (((c) == '\r' || (c) == 0) ? C_PLAIN : 0) |                        \
	    (((c) == '-' || (c) == '<' || (c) == '\r' || (c) == 0) ? C_SESC    \
	                                                           : 0) |      \
	    (((c) == ']' || (c) == '\r') ? C_CDATA : 0) |                      \
	    (((c) == '"' || (c) == '&' || (c) == '\r' || (c) == 0) ? C_DQ      \
	                                                           : 0) |      \
	    (((c) == '\'' || (c) == '&' || (c) == '\r' || (c) == 0) ? C_SQ     \
	                                                            : 0) |     \
	    ((IS_WS(c) || (c) == '&' || (c) == '>' || (c) == 0 ||              \
	      (c) == '"' || (c) == '\'' || (c) == '<' || (c) == '=' ||         \
	      (c) == '`' || (c) == '\r')                                       \
	         ? C_UNQ                                                       \
	         : 0) |                                                        \
	    ((IS_WS(c) || (c) == '/' || (c) == '>' || (c) == 0 || (c) == '\r') \
	         ? C_TAGNAME                                                   \
	         : 0) |                                                        \
	    ((IS_WS(c) || (c) == '/' || (c) == '>' || (c) == '=' ||            \
	      (c) == 0 || (c) == '"' || (c) == '\'' || (c) == '<' ||           \
	      (c) == '\r')                                                     \
	         ? C_ATTRNAME                                                  \
	         : 0) |                                                        \
	    (((c) == '<' || (c) == '-' || (c) == 0 || (c) == '\r') ? C_COMMENT \
	                                                           : 0) |      \
	    (((c) == '>' || (c) == 0 || (c) == '\r') ? C_BOGUS : 0) |          \
	    ((((c) >= 1 && (c) <= 8) || (c) == 0x0B ||                         \
	      ((c) >= 0x0E && (c) <= 0x1F) || (c) == 0x7F || (c) == 0xC2 ||    \
	      (c) == 0xED || (c) == 0xEF || ((c) >= 0xF0 && (c) <= 0xF4))      \
	         ? C_CHECK                                                     \
	         : 0) |                                                        \
	    ((IS_UP(c) || IS_LO(c)) ? C_ALPHA : 0) |                           \
	    ((IS_UP(c) || IS_LO(c) || IS_DIG(c)) ? C_ALNUM : 0) |              \
	    (IS_UP(c) ? C_UPPER : 0))

#define CLS4(c)  CLS(c), CLS((c) + 1), CLS((c) + 2), CLS((c) + 3)
#define CLS16(c) CLS4(c), CLS4((c) + 4), CLS4((c) + 8), CLS4((c) + 12)
#define CLS64(c) CLS16(c), CLS16((c) + 16), CLS16((c) + 32), CLS16((c) + 48)

static const uint16_t cls[256] = {CLS64(0), CLS64(64), CLS64(128), CLS64(192)};

static const char FFFD[] = "\xEF\xBF\xBD";

/* A growable byte buffer; "full" is set once a limit cut an append. */
struct tbuf {
	char *d;
	size_t len;
	size_t cap;
	bool full;
};

struct attr_off {
	size_t name_off;
	size_t value_off; /* SIZE_MAX: no value */
};

struct hslot {
	uint32_t gen;
	uint32_t idx;
};

enum { TM_NONE, TM_ZC, TM_BUF };

enum { MDO_NONE, MDO_COMMENT, MDO_DOCTYPE, MDO_CDATA };

struct html_tokenizer {
	html_token_fn on_token;
	void *ctx;
	html_error_fn on_error;
	struct bs_problems *problems;
	size_t max_token;
	size_t max_value;
	size_t max_attrs;

	int err;
	bool finished;
	bool foreign;
	enum st state;
	enum st text_state; /* where the shared end tag states return */
	enum st ret_state;  /* return state of character references */

	uint64_t off; /* offset of the next chunk's first byte */
	const unsigned char *chunk;
	uint64_t chunk_off;
	bool carry_cr;
	uint64_t cr_off;
	unsigned char mini[2];

	/* Pending text: zero-copy [tzc, tzc+tlen) or in text. */
	int tmode;
	const unsigned char *tzc;
	size_t tlen;
	uint64_t tstart, tend;
	struct tbuf text;

	struct html_token tok;
	uint64_t lt_off; /* the '<' that started the current token */
	bool truncated;

	/* tag */
	bool is_end;
	bool self_closing;
	struct tbuf name;
	struct html_attr *attrs;
	struct attr_off *aoff;
	size_t nattrs;      /* attributes kept and closed */
	size_t attrs_cap;   /* room in attrs and aoff */
	size_t nattrs_seen; /* attributes in the source */
	struct tbuf abuf;   /* names and values, NUL-separated */
	bool acur;          /* attrs[nattrs] is open and kept */
	bool aval;          /* ... and has a value */
	struct hslot *htab;
	size_t hsize;
	uint32_t hgen;
	bool hon;

	/* "</" + raw name for the end tag states; last start tag name */
	struct tbuf tmp;
	struct tbuf last;
	unsigned char esc[8];
	size_t esc_len;

	/* comment */
	struct tbuf cmt;
	uint64_t cmt_start;
	uint64_t dash_off;
	unsigned char mdo[8];
	size_t mdo_len;
	int mdo_kind;

	/* doctype */
	struct tbuf dt_name, dt_pub, dt_sys;
	bool dt_name_missing, dt_pub_missing, dt_sys_missing, dt_fq;
	const char *kw;
	size_t kw_len;

	/* character references */
	uint64_t amp_off;
	struct html_entity_walk walk;
	char ref[HTML_ENTITY_MAX_NAME + 4];
	size_t ref_len;
	uint32_t num;

	/* input-stream check */
	unsigned char u8[4];
	unsigned u8_have, u8_need;
	uint64_t u8_off;
};

static const char *const error_names[] = {
#define HTML_PARSE_ERROR(id, name) name,
#include "parse_errors.def"
#undef HTML_PARSE_ERROR
};

const char *html_parse_error_name(enum html_parse_error e)
{
	if ((unsigned)e >= HTML_ERR__COUNT)
		return "unknown";
	return error_names[e];
}

/* ---- small helpers ---- */

static void perr(struct html_tokenizer *t, enum html_parse_error e,
                 uint64_t off)
{
	if (t->on_error && !t->err)
		t->on_error(t->ctx, e, off);
}

static void limit_hit(struct html_tokenizer *t, const char *what)
{
	t->truncated = true;
	if (t->problems)
		bs_problems_add(t->problems, "limit", what);
}

static bool tb_reserve(struct html_tokenizer *t, struct tbuf *b, size_t n)
{
	size_t need, nc;
	char *nd;

	if (b->cap - b->len > n)
		return true;
	if (n > SIZE_MAX / 2 - b->len - 1) {
		t->err = BS_ENOMEM;
		return false;
	}
	need = b->len + n + 1;
	nc = b->cap ? b->cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	nd = bs_realloc(b->d, nc);
	if (nd == NULL) {
		t->err = BS_ENOMEM;
		return false;
	}
	b->d = nd;
	b->cap = nc;
	return true;
}

static inline void tb_add(struct html_tokenizer *t, struct tbuf *b,
                          const void *s, size_t n)
{
	if (b->cap - b->len <= n && !tb_reserve(t, b, n))
		return;
	memcpy(b->d + b->len, s, n);
	b->len += n;
}

static inline void tb_putc(struct html_tokenizer *t, struct tbuf *b, char c)
{
	if (b->cap - b->len <= 1 && !tb_reserve(t, b, 1))
		return;
	b->d[b->len++] = c;
}

/* NUL-terminated content ("" when never allocated). */
static const char *tb_str(struct tbuf *b)
{
	if (b->d == NULL)
		return "";
	b->d[b->len] = '\0';
	return b->d;
}

static void tb_reset(struct tbuf *b)
{
	b->len = 0;
	b->full = false;
}

static void tb_free(struct tbuf *b)
{
	bs_free(b->d);
	b->d = NULL;
	b->len = b->cap = 0;
}

/* How many of n bytes fit under max after used bytes. */
static size_t fit(size_t n, size_t used, size_t max)
{
	if (used >= max)
		return 0;
	return n <= max - used ? n : max - used;
}

/* After a cut at the byte limit, drop an incomplete UTF-8 sequence at the
 * end of b (not before floor, where the cut string starts). Looking at the
 * buffer rather than at the last piece appended makes the cut the same
 * whatever the chunking. */
static void trim_utf8(struct tbuf *b, size_t floor)
{
	size_t i = b->len, need;
	unsigned char lead;

	while (i > floor && b->len - i < 3 &&
	       ((unsigned char)b->d[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == floor)
		return;
	lead = (unsigned char)b->d[i - 1];
	if (lead < 0xC2 || lead > 0xF4)
		return; /* not UTF-8: nothing to keep whole */
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	/* Never cut a name to nothing (absurdly small limits). */
	if (b->len - (i - 1) < need && i - 1 > floor)
		b->len = i - 1;
}

/* Append under a limit; on the first cut, record the problem. */
static void tb_add_capped(struct html_tokenizer *t, struct tbuf *b,
                          const void *s, size_t n, size_t used, size_t max,
                          const char *what)
{
	size_t k;

	if (b->full)
		return;
	k = fit(n, used, max);
	if (k)
		tb_add(t, b, s, k);
	if (k < n) {
		b->full = true;
		limit_hit(t, what);
		if (!t->err)
			trim_utf8(b, b->len - used - k);
	}
}

/* Append lower-cased, the buffer's current token having used bytes of
 * max. */
static void tb_add_lower(struct html_tokenizer *t, struct tbuf *b,
                         const unsigned char *s, size_t n, size_t used,
                         size_t max)
{
	size_t i, k;
	char *d;

	if (b->full)
		return;
	k = fit(n, used, max);
	if (k && tb_reserve(t, b, k)) {
		d = b->d + b->len;
		for (i = 0; i < k; i++)
			d[i] =
			    (char)(s[i] | ((cls[s[i]] & C_UPPER) ? 0x20 : 0));
		b->len += k;
	}
	if (k < n) {
		b->full = true;
		limit_hit(t, "html-token-bytes");
		if (!t->err)
			trim_utf8(b, b->len - used - k);
	}
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

#define OFF(x) (t->chunk_off + (uint64_t)((x)-t->chunk))

/* ---- emitting ---- */

static void emit(struct html_tokenizer *t)
{
	if (t->err)
		return;
	if (t->on_token(t->ctx, &t->tok) != 0)
		t->err = BS_EABORT;
}

/* Every field, one by one: zeroing the whole token with memset (or a
 * compound literal) compiles to "rep stos", which cost ~10% of the run.
 * The size check makes a field added to token.h fail the build here. */
#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
_Static_assert(sizeof(struct html_token) == 144,
               "struct html_token changed: update tok_reset()");
#endif

static void tok_reset(struct html_tokenizer *t, enum html_token_type type)
{
	struct html_token *k = &t->tok;

	k->type = type;
	k->name = "";
	k->name_len = 0;
	k->tag = HTML_TAG_UNKNOWN;
	k->self_closing = false;
	k->attrs = NULL;
	k->nattrs = 0;
	k->data = "";
	k->data_len = 0;
	k->name_missing = false;
	k->public_id_missing = false;
	k->system_id_missing = false;
	k->force_quirks = false;
	k->public_id = "";
	k->public_id_len = 0;
	k->system_id = "";
	k->system_id_len = 0;
	k->span.start = k->span.end = 0;
	k->data_span.start = k->data_span.end = 0;
	k->truncated = false;
}

static void flush_text(struct html_tokenizer *t)
{
	if (t->tmode == TM_NONE)
		return;
	if (t->err) {
		t->tmode = TM_NONE;
		return;
	}
	tok_reset(t, HTML_TOKEN_CHARACTER);
	if (t->tmode == TM_ZC) {
		t->tok.data = (const char *)t->tzc;
		t->tok.data_len = t->tlen;
	} else {
		t->tok.data = tb_str(&t->text);
		t->tok.data_len = t->text.len;
	}
	t->tok.span.start = t->tstart;
	t->tok.span.end = t->tend;
	t->tok.data_span = t->tok.span;
	t->tmode = TM_NONE;
	t->text.len = 0;
	if (t->tok.data_len)
		emit(t);
}

/* Text whose characters are exactly the raw bytes [p, p+n) of the current
 * chunk. */
static void text_raw(struct html_tokenizer *t, const unsigned char *p, size_t n)
{
	uint64_t off = OFF(p);

	if (t->tmode != TM_NONE && off != t->tend)
		flush_text(t);
	if (t->tmode == TM_NONE) {
		t->tmode = TM_ZC;
		t->tzc = p;
		t->tlen = n;
		t->tstart = off;
		t->tend = off + n;
		return;
	}
	if (t->tmode == TM_ZC) {
		/* Contiguous offsets in one chunk: contiguous bytes. */
		t->tlen += n;
		t->tend += n;
		return;
	}
	if (t->text.len + n > t->max_token) {
		flush_text(t);
		text_raw(t, p, n);
		return;
	}
	tb_add(t, &t->text, p, n);
	t->tend += n;
}

/* Text s (n bytes) decoded from the raw bytes [start, end). */
static void text_put(struct html_tokenizer *t, const char *s, size_t n,
                     uint64_t start, uint64_t end)
{
	if (t->tmode != TM_NONE && start != t->tend)
		flush_text(t);
	if (t->tmode == TM_BUF && t->text.len + n > t->max_token)
		flush_text(t);
	if (t->tmode == TM_NONE) {
		t->tmode = TM_BUF;
		t->text.len = 0;
		t->tstart = start;
	} else if (t->tmode == TM_ZC) {
		if (t->tlen + n > t->max_token) {
			flush_text(t);
			text_put(t, s, n, start, end);
			return;
		}
		t->tmode = TM_BUF;
		t->text.len = 0;
		tb_add(t, &t->text, t->tzc, t->tlen);
	}
	tb_add(t, &t->text, s, n);
	t->tend = end;
}

/* Literal text equal to the raw bytes from off up to the current position;
 * s is a copy of them, for when they lie in an earlier chunk. */
static void text_lit(struct html_tokenizer *t, uint64_t off, const char *s,
                     size_t n)
{
	if (off >= t->chunk_off)
		text_raw(t, t->chunk + (off - t->chunk_off), n);
	else
		text_put(t, s, n, off, off + n);
}

static void text_nl(struct html_tokenizer *t, const unsigned char *p, size_t n)
{
	text_put(t, "\n", 1, OFF(p), OFF(p) + n);
}

/* The current character (c, n raw bytes at p) as text. */
static void text_char(struct html_tokenizer *t, const unsigned char *p,
                      size_t n)
{
	if (*p == '\r')
		text_nl(t, p, n);
	else
		text_raw(t, p, n);
}

static void text_fffd(struct html_tokenizer *t, const unsigned char *p)
{
	text_put(t, FFFD, 3, OFF(p), OFF(p) + 1);
}

static void emit_eof(struct html_tokenizer *t)
{
	flush_text(t);
	tok_reset(t, HTML_TOKEN_EOF);
	t->tok.span.start = t->tok.span.end = t->off;
	t->tok.data_span = t->tok.span;
	emit(t);
}

/* ---- tags and attributes ---- */

static void tag_begin(struct html_tokenizer *t, bool is_end)
{
	t->is_end = is_end;
	t->self_closing = false;
	t->truncated = false;
	tb_reset(&t->name);
	tb_reset(&t->abuf);
	t->nattrs = 0;
	t->nattrs_seen = 0;
	t->acur = false;
	t->aval = false;
	t->hon = false;
}

/*
 * Attributes kept past limits.html_attrs: those that carry a URL or a
 * style, and those that decide how a fetch is judged (its size, whether
 * it is hidden, what CSS applies, whether a link or input fetches at
 * all). Dropping `width=1 height=1` behind 300 junk attributes would
 * otherwise turn a pixel into content. Duplicates are still dropped, so
 * an element holds at most html_attrs plus this list.
 */
static bool keep_past_limit(const char *n, size_t len)
{
	static const char *const names[] = {
	    "src",        "srcset", "href",     "background", "poster",
	    "data",       "style",  "lowsrc",   "dynsrc",     "action",
	    "formaction", "cite",   "longdesc", "content",    "xlink:href",
	    "width",      "height", "hidden",   "class",      "id",
	    "alt",        "type",   "rel",      "media",      "sizes",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && memcmp(names[i], n, len) == 0)
			return true;
	return false;
}

static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 0x811C9DC5u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x01000193u;
	}
	return h;
}

static const char *attr_name(struct html_tokenizer *t, size_t i)
{
	return t->abuf.d + t->aoff[i].name_off;
}

static void hash_insert(struct html_tokenizer *t, size_t i)
{
	size_t mask = t->hsize - 1;
	size_t k = name_hash(attr_name(t, i), t->attrs[i].name_len) & mask;

	while (t->htab[k].gen == t->hgen)
		k = (k + 1) & mask;
	t->htab[k].gen = t->hgen;
	t->htab[k].idx = (uint32_t)i;
}

/* (Re)build the hash of the attribute names kept so far, with room for
 * at least twice as many. */
static bool hash_build(struct html_tokenizer *t)
{
	size_t i, want = 32;

	while (want < 2 * (t->nattrs + 1))
		want *= 2;
	if (want > t->hsize) {
		struct hslot *h = bs_calloc(want, sizeof(*h));
		if (h == NULL) {
			t->err = BS_ENOMEM;
			return false;
		}
		bs_free(t->htab);
		t->htab = h;
		t->hsize = want;
		t->hgen = 0;
	}
	if (++t->hgen == 0) {
		memset(t->htab, 0, t->hsize * sizeof(*t->htab));
		t->hgen = 1;
	}
	for (i = 0; i < t->nattrs; i++)
		hash_insert(t, i);
	t->hon = true;
	return true;
}

/* Whether the name of the open attribute (n bytes at s) is already kept.
 * A linear scan for the usual few attributes, a hash past that, so that
 * a tag with many attributes stays linear. */
static bool attr_is_dup(struct html_tokenizer *t, const char *s, size_t n)
{
	size_t i, k, mask;

	if (t->nattrs < 8) {
		for (i = 0; i < t->nattrs; i++)
			if (t->attrs[i].name_len == n &&
			    memcmp(attr_name(t, i), s, n) == 0)
				return true;
		return false;
	}
	if (!t->hon && !hash_build(t))
		return false;
	mask = t->hsize - 1;
	k = name_hash(s, n) & mask;
	while (t->htab[k].gen == t->hgen) {
		i = t->htab[k].idx;
		if (t->attrs[i].name_len == n &&
		    memcmp(attr_name(t, i), s, n) == 0)
			return true;
		k = (k + 1) & mask;
	}
	return false;
}

static void attr_close(struct html_tokenizer *t)
{
	struct html_attr *a;

	if (!t->acur)
		return;
	a = &t->attrs[t->nattrs];
	if (t->aval) {
		a->value_len = t->abuf.len - t->aoff[t->nattrs].value_off;
		tb_putc(t, &t->abuf, '\0');
	} else {
		t->aoff[t->nattrs].value_off = SIZE_MAX;
		a->value_len = 0;
	}
	t->nattrs++;
	t->acur = false;
	t->aval = false;
}

static bool attrs_reserve(struct html_tokenizer *t)
{
	size_t nc;
	void *a, *o;

	if (t->nattrs < t->attrs_cap)
		return true;
	nc = t->attrs_cap ? t->attrs_cap * 2 : 16;
	a = bs_realloc(t->attrs, nc * sizeof(*t->attrs));
	if (a == NULL) {
		t->err = BS_ENOMEM;
		return false;
	}
	t->attrs = a;
	o = bs_realloc(t->aoff, nc * sizeof(*t->aoff));
	if (o == NULL) {
		t->err = BS_ENOMEM;
		return false;
	}
	t->aoff = o;
	t->attrs_cap = nc;
	return true;
}

/* A new attribute whose name starts at p. Its name goes to abuf at once;
 * whether it is kept is decided when the name is complete. */
static void attr_start(struct html_tokenizer *t, uint64_t at)
{
	struct html_attr *a;

	attr_close(t);
	t->nattrs_seen++;
	if (!attrs_reserve(t))
		return;
	a = &t->attrs[t->nattrs];
	memset(a, 0, sizeof(*a));
	a->name_span.start = at;
	t->aoff[t->nattrs].name_off = t->abuf.len;
	t->abuf.full = false;
	t->acur = true; /* provisionally, for the name */
	t->aval = false;
}

static void attr_name_add(struct html_tokenizer *t, const unsigned char *s,
                          size_t n)
{
	size_t used;

	if (!t->acur || t->abuf.full)
		return;
	used = t->abuf.len - t->aoff[t->nattrs].name_off;
	tb_add_lower(t, &t->abuf, s, n, used, t->max_token);
}

/* Leaving the attribute name state: drop a duplicate, or one past the
 * limit unless keep_past_limit() says it matters. */
static void attr_name_done(struct html_tokenizer *t, uint64_t at)
{
	struct html_attr *a;
	size_t off, len;
	const char *nm;

	if (!t->acur)
		return;
	a = &t->attrs[t->nattrs];
	off = t->aoff[t->nattrs].name_off;
	len = t->abuf.len - off;
	a->name_span.end = at;
	a->value_span.start = a->value_span.end = at;
	a->name_len = len;
	nm = t->abuf.d ? t->abuf.d + off : "";
	if (attr_is_dup(t, nm, len)) {
		perr(t, HTML_ERR_DUPLICATE_ATTRIBUTE, at);
		goto drop;
	}
	if (t->nattrs >= t->max_attrs && !keep_past_limit(nm, len)) {
		if (!t->is_end)
			limit_hit(t, "html-attrs");
		goto drop;
	}
	tb_putc(t, &t->abuf, '\0');
	t->abuf.full = false;
	if (t->err)
		return;
	if (t->hon) {
		/* attrs[nattrs] is closed later; index it now. */
		if (2 * (t->nattrs + 1) > t->hsize && !hash_build(t))
			return;
		hash_insert(t, t->nattrs);
	}
	return;
drop:
	t->abuf.len = off;
	t->acur = false;
}

static void attr_value_begin(struct html_tokenizer *t, uint64_t at, char quote)
{
	struct html_attr *a;

	if (!t->acur)
		return;
	a = &t->attrs[t->nattrs];
	t->aoff[t->nattrs].value_off = t->abuf.len;
	a->value_span.start = a->value_span.end = at;
	a->quote = quote;
	t->aval = true;
	t->abuf.full = false;
}

static void attr_value_add(struct html_tokenizer *t, const void *s, size_t n)
{
	size_t used, k;
	struct html_attr *a;

	if (!t->acur || t->abuf.full)
		return;
	used = t->abuf.len - t->aoff[t->nattrs].value_off;
	k = fit(n, used, t->max_value);
	if (k)
		tb_add(t, &t->abuf, s, k);
	if (k < n) {
		a = &t->attrs[t->nattrs];
		a->truncated = true;
		t->abuf.full = true;
		limit_hit(t, "html-attr-bytes");
		if (!t->err)
			trim_utf8(&t->abuf, t->aoff[t->nattrs].value_off);
	}
}

static void attr_value_end(struct html_tokenizer *t, uint64_t at)
{
	if (t->acur)
		t->attrs[t->nattrs].value_span.end = at;
}

/* Emit the current tag; p is at its '>'. */
static void emit_tag(struct html_tokenizer *t, const unsigned char *p)
{
	size_t i;

	attr_close(t);
	flush_text(t);
	if (t->err)
		return;
	tok_reset(t, t->is_end ? HTML_TOKEN_END_TAG : HTML_TOKEN_START_TAG);
	t->tok.name = tb_str(&t->name);
	t->tok.name_len = t->name.len;
	t->tok.tag = html_tag_lookup(t->tok.name, t->tok.name_len);
	t->tok.self_closing = t->self_closing;
	t->tok.span.start = t->lt_off;
	t->tok.span.end = OFF(p) + 1;
	t->tok.data_span.start = t->tok.data_span.end = t->tok.span.end;
	if (t->is_end) {
		if (t->nattrs_seen)
			perr(t, HTML_ERR_END_TAG_WITH_ATTRIBUTES, OFF(p));
		if (t->self_closing)
			perr(t, HTML_ERR_END_TAG_WITH_TRAILING_SOLIDUS, OFF(p));
	} else {
		for (i = 0; i < t->nattrs; i++) {
			struct html_attr *a = &t->attrs[i];
			a->name = t->abuf.d + t->aoff[i].name_off;
			a->value = t->aoff[i].value_off == SIZE_MAX
			               ? ""
			               : t->abuf.d + t->aoff[i].value_off;
		}
		t->tok.attrs = t->nattrs ? t->attrs : NULL;
		t->tok.nattrs = t->nattrs;
		tb_reset(&t->last);
		tb_add(t, &t->last, t->name.d, t->name.len);
	}
	t->tok.truncated = t->truncated;
	t->state = S_DATA;
	emit(t);
}

/* An appropriate end tag: its name is the last start tag's. */
static bool appropriate(struct html_tokenizer *t)
{
	return t->last.len && t->name.len == t->last.len &&
	       memcmp(t->name.d, t->last.d, t->last.len) == 0;
}

/* ---- comments and doctypes ---- */

static void comment_begin(struct html_tokenizer *t, uint64_t data_start)
{
	tb_reset(&t->cmt);
	t->truncated = false;
	t->cmt_start = data_start;
}

static void cmt_add(struct html_tokenizer *t, const void *s, size_t n)
{
	tb_add_capped(t, &t->cmt, s, n, t->cmt.len, t->max_token,
	              "html-token-bytes");
}

static void emit_comment(struct html_tokenizer *t, uint64_t data_end,
                         uint64_t end)
{
	flush_text(t);
	if (t->err)
		return;
	tok_reset(t, HTML_TOKEN_COMMENT);
	t->tok.data = tb_str(&t->cmt);
	t->tok.data_len = t->cmt.len;
	t->tok.span.start = t->lt_off;
	t->tok.span.end = end;
	t->tok.data_span.start = t->cmt_start;
	t->tok.data_span.end =
	    data_end < t->cmt_start ? t->cmt_start : data_end;
	t->tok.truncated = t->truncated;
	t->state = S_DATA;
	emit(t);
}

static void doctype_begin(struct html_tokenizer *t)
{
	tb_reset(&t->dt_name);
	tb_reset(&t->dt_pub);
	tb_reset(&t->dt_sys);
	t->dt_name_missing = t->dt_pub_missing = t->dt_sys_missing = true;
	t->dt_fq = false;
	t->truncated = false;
}

static void dt_add(struct html_tokenizer *t, struct tbuf *b, const void *s,
                   size_t n)
{
	tb_add_capped(t, b, s, n, b->len, t->max_token, "html-token-bytes");
}

static void emit_doctype(struct html_tokenizer *t, uint64_t end)
{
	flush_text(t);
	if (t->err)
		return;
	tok_reset(t, HTML_TOKEN_DOCTYPE);
	t->tok.name = tb_str(&t->dt_name);
	t->tok.name_len = t->dt_name.len;
	t->tok.name_missing = t->dt_name_missing;
	t->tok.public_id = tb_str(&t->dt_pub);
	t->tok.public_id_len = t->dt_pub.len;
	t->tok.public_id_missing = t->dt_pub_missing;
	t->tok.system_id = tb_str(&t->dt_sys);
	t->tok.system_id_len = t->dt_sys.len;
	t->tok.system_id_missing = t->dt_sys_missing;
	t->tok.force_quirks = t->dt_fq;
	t->tok.span.start = t->lt_off;
	t->tok.span.end = end;
	t->tok.data_span.start = t->tok.data_span.end = end;
	t->tok.truncated = t->truncated;
	t->state = S_DATA;
	emit(t);
}

/* ---- character references ---- */

static bool in_attr(const struct html_tokenizer *t)
{
	return t->ret_state == S_ATTR_VALUE_DQ ||
	       t->ret_state == S_ATTR_VALUE_SQ ||
	       t->ret_state == S_ATTR_VALUE_UNQ;
}

/* "Flush code points consumed as a character reference": literal bytes
 * s (n) equal to the raw input at off. */
static void ref_flush_lit(struct html_tokenizer *t, uint64_t off, const char *s,
                          size_t n)
{
	if (in_attr(t))
		attr_value_add(t, s, n);
	else
		text_lit(t, off, s, n);
}

/* Decoded characters of a reference spanning raw [start, end). */
static void ref_flush_dec(struct html_tokenizer *t, const char *s, size_t n,
                          uint64_t start, uint64_t end)
{
	if (in_attr(t))
		attr_value_add(t, s, n);
	else
		text_put(t, s, n, start, end);
}

/* The named reference walk stopped: next is the next input character (-1
 * at EOF). Leaves the state to the return state or the ambiguous
 * ampersand state, with next to be reconsumed. */
static void named_resolve(struct html_tokenizer *t, int next, uint64_t at)
{
	struct html_entity_walk *w = &t->walk;
	size_t mlen = w->match_len, depth = w->depth;
	const char *v;
	size_t vlen;
	int nc;

	if (w->match == 0) {
		ref_flush_lit(t, t->amp_off, t->ref, 1 + depth);
		t->state = S_AMBIGUOUS_AMP;
		return;
	}
	nc = mlen < depth ? (unsigned char)t->ref[1 + mlen] : next;
	if (in_attr(t) && t->ref[mlen] != ';' &&
	    (nc == '=' || (nc >= 0 && (cls[nc] & C_ALNUM)))) {
		ref_flush_lit(t, t->amp_off, t->ref, 1 + depth);
		t->state = t->ret_state;
		return;
	}
	if (t->ref[mlen] != ';')
		perr(t, HTML_ERR_MISSING_SEMICOLON_AFTER_CHARACTER_REFERENCE,
		     at);
	v = html_entity_value(w->match - 1u, &vlen);
	ref_flush_dec(t, v, vlen, t->amp_off, t->amp_off + 1 + mlen);
	if (mlen < depth)
		ref_flush_lit(t, t->amp_off + 1 + mlen, t->ref + 1 + mlen,
		              depth - mlen);
	t->state = t->ret_state;
}

static uint32_t c1_replacement(uint32_t cp)
{
	static const uint16_t tbl[32] = {
	    0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,   0x017D, 0x8F,
	    0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178,
	};
	return tbl[cp - 0x80];
}

/* The numeric character reference end state; end is the raw offset just
 * after the reference. */
static void numeric_end(struct html_tokenizer *t, uint64_t end)
{
	uint32_t cp = t->num;
	char u[4];
	size_t n;

	if (cp == 0) {
		perr(t, HTML_ERR_NULL_CHARACTER_REFERENCE, end);
		cp = 0xFFFD;
	} else if (cp > 0x10FFFF) {
		perr(t, HTML_ERR_CHARACTER_REFERENCE_OUTSIDE_UNICODE_RANGE,
		     end);
		cp = 0xFFFD;
	} else if (cp >= 0xD800 && cp <= 0xDFFF) {
		perr(t, HTML_ERR_SURROGATE_CHARACTER_REFERENCE, end);
		cp = 0xFFFD;
	} else if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
		perr(t, HTML_ERR_NONCHARACTER_CHARACTER_REFERENCE, end);
	} else if (cp == 0x0D ||
	           ((cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) && !IS_WS(cp))) {
		perr(t, HTML_ERR_CONTROL_CHARACTER_REFERENCE, end);
		if (cp >= 0x80 && cp <= 0x9F)
			cp = c1_replacement(cp);
	}
	n = put_utf8(u, cp);
	ref_flush_dec(t, u, n, t->amp_off, end);
	t->state = t->ret_state;
}

/* ---- the state machine ---- */

/* First byte at or after p in [p, end) whose class has a bit of mask. */
static inline const unsigned char *scan(const unsigned char *p,
                                        const unsigned char *end, unsigned mask)
{
	while (end - p >= 4) {
		if (cls[p[0]] & mask)
			return p;
		if (cls[p[1]] & mask)
			return p + 1;
		if (cls[p[2]] & mask)
			return p + 2;
		if (cls[p[3]] & mask)
			return p + 3;
		p += 4;
	}
	while (p < end && !(cls[*p] & mask))
		p++;
	return p;
}

#if defined(__SSE2__)
/* The same for a stop set of at most four bytes (repeat one to pad), 16
 * bytes at a time: most runs (text, quoted values, comments) are long
 * enough for this to beat the table. mask covers the tail. */
static inline const unsigned char *scan4(const unsigned char *p,
                                         const unsigned char *end,
                                         unsigned mask, char a, char b, char c,
                                         char d)
{
	const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
	const __m128i vc = _mm_set1_epi8(c), vd = _mm_set1_epi8(d);

	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i m = _mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
		    _mm_or_si128(_mm_cmpeq_epi8(x, vc), _mm_cmpeq_epi8(x, vd)));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);
		if (bits)
			return p + __builtin_ctz(bits);
		p += 16;
	}
	return scan(p, end, mask);
}
#define SCAN4(p, end, mask, a, b, c, d) scan4(p, end, mask, a, b, c, d)
#else
#define SCAN4(p, end, mask, a, b, c, d) scan(p, end, mask)
#endif

/* Read the current character into c (n raw bytes): CR and CR LF read as
 * LF. A CR at the end of the chunk is carried to the next one. */
#define NEXT()                                                                 \
	do {                                                                   \
		if (p == end)                                                  \
			goto suspend;                                          \
		c = *p;                                                        \
		n = 1;                                                         \
		if (c == '\r') {                                               \
			if (p + 1 == end)                                      \
				goto carry;                                    \
			c = '\n';                                              \
			if (p[1] == '\n')                                      \
				n = 2;                                         \
		}                                                              \
	} while (0)

#define ERR(code) perr(t, HTML_ERR_##code, OFF(p))

static void run(struct html_tokenizer *t, const unsigned char *p,
                const unsigned char *end)
{
	const unsigned char *s;
	unsigned c, mask, q;
	size_t n;

	for (;;) {
		if (t->err)
			return;
		switch (t->state) {
		case S_DATA:
			s = SCAN4(p, end, C_DATA, '<', '&', '\r', 0);
			if (s != p) {
				text_raw(t, p, (size_t)(s - p));
				p = s;
			}
			if (p == end)
				goto suspend;
			switch (*p) {
			case '<':
				t->lt_off = OFF(p);
				p++;
				t->state = S_TAG_OPEN;
				break;
			case '&':
				t->amp_off = OFF(p);
				p++;
				t->ret_state = S_DATA;
				t->state = S_CHARREF;
				break;
			case '\0':
				ERR(UNEXPECTED_NULL_CHARACTER);
				text_raw(t, p, 1);
				p++;
				break;
			default: /* CR */
				if (p + 1 == end)
					goto carry;
				n = p[1] == '\n' ? 2 : 1;
				text_nl(t, p, n);
				p += n;
				break;
			}
			break;

		case S_RCDATA:
			mask = C_DATA;
			q = '&';
			goto text;
		case S_RAWTEXT:
		case S_SCRIPT:
			mask = C_RAW;
			q = '<';
			goto text;
		case S_PLAINTEXT:
			mask = C_PLAIN;
			q = 0;
		text:
			/* RCDATA stops at < & CR NUL, RAWTEXT and script data
			 * at < CR NUL, PLAINTEXT at CR NUL. */
			s = SCAN4(p, end, mask, (char)(q ? '<' : 0), (char)q,
			          '\r', 0);
			if (s != p) {
				text_raw(t, p, (size_t)(s - p));
				p = s;
			}
			if (p == end)
				goto suspend;
			switch (*p) {
			case '<':
				t->lt_off = OFF(p);
				p++;
				t->text_state = t->state;
				t->state = t->state == S_SCRIPT ? S_SCRIPT_LT
				                                : S_TEXT_LT;
				break;
			case '&':
				t->amp_off = OFF(p);
				p++;
				t->ret_state = S_RCDATA;
				t->state = S_CHARREF;
				break;
			case '\0':
				ERR(UNEXPECTED_NULL_CHARACTER);
				text_fffd(t, p);
				p++;
				break;
			default:
				if (p + 1 == end)
					goto carry;
				n = p[1] == '\n' ? 2 : 1;
				text_nl(t, p, n);
				p += n;
				break;
			}
			break;

		case S_TAG_OPEN:
			NEXT();
			if (c == '!') {
				p++;
				t->mdo_len = 0;
				t->mdo_kind = MDO_NONE;
				t->state = S_MARKUP_DECL;
			} else if (c == '/') {
				p++;
				t->state = S_END_TAG_OPEN;
			} else if (cls[c] & C_ALPHA) {
				tag_begin(t, false);
				t->state = S_TAG_NAME;
			} else if (c == '?') {
				ERR(UNEXPECTED_QUESTION_MARK_INSTEAD_OF_TAG_NAME);
				comment_begin(t, OFF(p));
				t->state = S_BOGUS_COMMENT;
			} else {
				ERR(INVALID_FIRST_CHARACTER_OF_TAG_NAME);
				text_lit(t, t->lt_off, "<", 1);
				t->state = S_DATA;
			}
			break;

		case S_END_TAG_OPEN:
			NEXT();
			if (cls[c] & C_ALPHA) {
				tag_begin(t, true);
				t->state = S_TAG_NAME;
			} else if (c == '>') {
				ERR(MISSING_END_TAG_NAME);
				p++;
				t->state = S_DATA;
			} else {
				ERR(INVALID_FIRST_CHARACTER_OF_TAG_NAME);
				comment_begin(t, OFF(p));
				t->state = S_BOGUS_COMMENT;
			}
			break;

		case S_TAG_NAME:
			s = scan(p, end, C_TAGNAME);
			if (s != p) {
				tb_add_lower(t, &t->name, p, (size_t)(s - p),
				             t->name.len, t->max_token);
				p = s;
			}
			NEXT();
			switch (c) {
			case '\t':
			case '\n':
			case '\f':
			case ' ':
				p += n;
				t->state = S_BEFORE_ATTR_NAME;
				break;
			case '/':
				p++;
				t->state = S_SELF_CLOSING;
				break;
			case '>':
				emit_tag(t, p);
				p++;
				break;
			default: /* NUL */
				ERR(UNEXPECTED_NULL_CHARACTER);
				tb_add_capped(t, &t->name, FFFD, 3, t->name.len,
				              t->max_token, "html-token-bytes");
				p++;
				break;
			}
			break;

		case S_TEXT_LT:
			NEXT();
			if (c == '/') {
				p++;
				tb_reset(&t->tmp);
				tb_add(t, &t->tmp, "</", 2);
				t->state = S_TEXT_END_OPEN;
			} else {
				text_lit(t, t->lt_off, "<", 1);
				t->state = t->text_state;
			}
			break;

		case S_TEXT_END_OPEN:
			NEXT();
			if (cls[c] & C_ALPHA) {
				tag_begin(t, true);
				t->state = S_TEXT_END_NAME;
			} else {
				text_lit(t, t->lt_off, "</", 2);
				t->state = t->text_state;
			}
			break;

		case S_TEXT_END_NAME:
			NEXT();
			if (cls[c] & C_ALPHA) {
				tb_putc(t, &t->name, (char)(c | 0x20));
				tb_putc(t, &t->tmp, (char)c);
				p++;
				/* Longer than the last start tag: it cannot
				 * be appropriate, and the letters that follow
				 * are text either way. */
				if (t->name.len > t->last.len) {
					text_lit(t, t->lt_off, t->tmp.d,
					         t->tmp.len);
					t->state = t->text_state;
				}
				break;
			}
			if ((IS_WS(c) || c == '/' || c == '>') &&
			    appropriate(t)) {
				if (c == '>') {
					emit_tag(t, p);
					p++;
				} else if (c == '/') {
					p++;
					t->state = S_SELF_CLOSING;
				} else {
					p += n;
					t->state = S_BEFORE_ATTR_NAME;
				}
				break;
			}
			text_lit(t, t->lt_off, t->tmp.d, t->tmp.len);
			t->state = t->text_state;
			break;

		case S_SCRIPT_LT:
			NEXT();
			if (c == '/') {
				p++;
				tb_reset(&t->tmp);
				tb_add(t, &t->tmp, "</", 2);
				t->text_state = S_SCRIPT;
				t->state = S_TEXT_END_OPEN;
			} else if (c == '!') {
				p++;
				text_lit(t, t->lt_off, "<!", 2);
				t->state = S_SCRIPT_ESC_START;
			} else {
				text_lit(t, t->lt_off, "<", 1);
				t->state = S_SCRIPT;
			}
			break;

		case S_SCRIPT_ESC_START:
			NEXT();
			if (c == '-') {
				text_raw(t, p, 1);
				p++;
				t->state = S_SCRIPT_ESC_START_DASH;
			} else {
				t->state = S_SCRIPT;
			}
			break;

		case S_SCRIPT_ESC_START_DASH:
			NEXT();
			if (c == '-') {
				text_raw(t, p, 1);
				p++;
				t->state = S_SCRIPT_ESC_DASH_DASH;
			} else {
				t->state = S_SCRIPT;
			}
			break;

		case S_SCRIPT_ESC:
		case S_SCRIPT_DESC:
			s = SCAN4(p, end, C_SESC, '-', '<', '\r', 0);
			if (s != p) {
				text_raw(t, p, (size_t)(s - p));
				p = s;
			}
			if (p == end)
				goto suspend;
			switch (*p) {
			case '-':
				text_raw(t, p, 1);
				p++;
				t->state = t->state == S_SCRIPT_ESC
				               ? S_SCRIPT_ESC_DASH
				               : S_SCRIPT_DESC_DASH;
				break;
			case '<':
				if (t->state == S_SCRIPT_ESC) {
					t->lt_off = OFF(p);
					t->state = S_SCRIPT_ESC_LT;
				} else {
					text_raw(t, p, 1);
					t->state = S_SCRIPT_DESC_LT;
				}
				p++;
				break;
			case '\0':
				ERR(UNEXPECTED_NULL_CHARACTER);
				text_fffd(t, p);
				p++;
				break;
			default:
				if (p + 1 == end)
					goto carry;
				n = p[1] == '\n' ? 2 : 1;
				text_nl(t, p, n);
				p += n;
				break;
			}
			break;

		case S_SCRIPT_ESC_DASH:
		case S_SCRIPT_ESC_DASH_DASH:
			NEXT();
			if (c == '-') {
				text_raw(t, p, 1);
				p++;
				t->state = S_SCRIPT_ESC_DASH_DASH;
			} else if (c == '<') {
				t->lt_off = OFF(p);
				p++;
				t->state = S_SCRIPT_ESC_LT;
			} else if (c == '>' &&
			           t->state == S_SCRIPT_ESC_DASH_DASH) {
				text_raw(t, p, 1);
				p++;
				t->state = S_SCRIPT;
			} else if (c == 0) {
				ERR(UNEXPECTED_NULL_CHARACTER);
				text_fffd(t, p);
				p++;
				t->state = S_SCRIPT_ESC;
			} else {
				text_char(t, p, n);
				p += n;
				t->state = S_SCRIPT_ESC;
			}
			break;

		case S_SCRIPT_ESC_LT:
			NEXT();
			if (c == '/') {
				p++;
				tb_reset(&t->tmp);
				tb_add(t, &t->tmp, "</", 2);
				t->text_state = S_SCRIPT_ESC;
				t->state = S_TEXT_END_OPEN;
			} else if (cls[c] & C_ALPHA) {
				t->esc_len = 0;
				text_lit(t, t->lt_off, "<", 1);
				t->state = S_SCRIPT_DESC_START;
			} else {
				text_lit(t, t->lt_off, "<", 1);
				t->state = S_SCRIPT_ESC;
			}
			break;

		case S_SCRIPT_DESC_START:
		case S_SCRIPT_DESC_END:
			NEXT();
			if (IS_WS(c) || c == '/' || c == '>') {
				bool is_script =
				    t->esc_len == 6 &&
				    memcmp(t->esc, "script", 6) == 0;
				text_char(t, p, n);
				p += n;
				if (t->state == S_SCRIPT_DESC_START)
					t->state = is_script ? S_SCRIPT_DESC
					                     : S_SCRIPT_ESC;
				else
					t->state = is_script ? S_SCRIPT_ESC
					                     : S_SCRIPT_DESC;
			} else if (cls[c] & C_ALPHA) {
				if (t->esc_len < sizeof(t->esc))
					t->esc[t->esc_len++] =
					    (unsigned char)(c | 0x20);
				text_raw(t, p, 1);
				p++;
			} else {
				t->state = t->state == S_SCRIPT_DESC_START
				               ? S_SCRIPT_ESC
				               : S_SCRIPT_DESC;
			}
			break;

		case S_SCRIPT_DESC_DASH:
		case S_SCRIPT_DESC_DASH_DASH:
			NEXT();
			if (c == '-') {
				text_raw(t, p, 1);
				p++;
				t->state = S_SCRIPT_DESC_DASH_DASH;
			} else if (c == '<') {
				text_raw(t, p, 1);
				p++;
				t->state = S_SCRIPT_DESC_LT;
			} else if (c == '>' &&
			           t->state == S_SCRIPT_DESC_DASH_DASH) {
				text_raw(t, p, 1);
				p++;
				t->state = S_SCRIPT;
			} else if (c == 0) {
				ERR(UNEXPECTED_NULL_CHARACTER);
				text_fffd(t, p);
				p++;
				t->state = S_SCRIPT_DESC;
			} else {
				text_char(t, p, n);
				p += n;
				t->state = S_SCRIPT_DESC;
			}
			break;

		case S_SCRIPT_DESC_LT:
			NEXT();
			if (c == '/') {
				text_raw(t, p, 1);
				p++;
				t->esc_len = 0;
				t->state = S_SCRIPT_DESC_END;
			} else {
				t->state = S_SCRIPT_DESC;
			}
			break;

		case S_BEFORE_ATTR_NAME:
			NEXT();
			if (IS_WS(c)) {
				p += n;
			} else if (c == '/' || c == '>') {
				t->state = S_AFTER_ATTR_NAME;
			} else if (c == '=') {
				ERR(UNEXPECTED_EQUALS_SIGN_BEFORE_ATTRIBUTE_NAME);
				attr_start(t, OFF(p));
				attr_name_add(t, p, 1);
				p++;
				t->state = S_ATTR_NAME;
			} else {
				attr_start(t, OFF(p));
				t->state = S_ATTR_NAME;
			}
			break;

		case S_ATTR_NAME:
			s = scan(p, end, C_ATTRNAME);
			if (s != p) {
				attr_name_add(t, p, (size_t)(s - p));
				p = s;
			}
			NEXT();
			switch (c) {
			case '\t':
			case '\n':
			case '\f':
			case ' ':
			case '/':
			case '>':
				attr_name_done(t, OFF(p));
				t->state = S_AFTER_ATTR_NAME;
				break;
			case '=':
				attr_name_done(t, OFF(p));
				p++;
				t->state = S_BEFORE_ATTR_VALUE;
				break;
			case '\0':
				ERR(UNEXPECTED_NULL_CHARACTER);
				attr_name_add(t, (const unsigned char *)FFFD,
				              3);
				p++;
				break;
			default: /* " ' < */
				ERR(UNEXPECTED_CHARACTER_IN_ATTRIBUTE_NAME);
				attr_name_add(t, p, 1);
				p++;
				break;
			}
			break;

		case S_AFTER_ATTR_NAME:
			NEXT();
			if (IS_WS(c)) {
				p += n;
			} else if (c == '/') {
				p++;
				t->state = S_SELF_CLOSING;
			} else if (c == '=') {
				p++;
				t->state = S_BEFORE_ATTR_VALUE;
			} else if (c == '>') {
				emit_tag(t, p);
				p++;
			} else {
				attr_start(t, OFF(p));
				t->state = S_ATTR_NAME;
			}
			break;

		case S_BEFORE_ATTR_VALUE:
			NEXT();
			if (IS_WS(c)) {
				p += n;
			} else if (c == '"') {
				p++;
				attr_value_begin(t, OFF(p), '"');
				t->state = S_ATTR_VALUE_DQ;
			} else if (c == '\'') {
				p++;
				attr_value_begin(t, OFF(p), '\'');
				t->state = S_ATTR_VALUE_SQ;
			} else if (c == '>') {
				ERR(MISSING_ATTRIBUTE_VALUE);
				emit_tag(t, p);
				p++;
			} else {
				attr_value_begin(t, OFF(p), 0);
				t->state = S_ATTR_VALUE_UNQ;
			}
			break;

		case S_ATTR_VALUE_DQ:
		case S_ATTR_VALUE_SQ:
			q = t->state == S_ATTR_VALUE_DQ ? '"' : '\'';
			mask = q == '"' ? C_DQ : C_SQ;
			s = SCAN4(p, end, mask, (char)q, '&', '\r', 0);
			if (s != p) {
				attr_value_add(t, p, (size_t)(s - p));
				p = s;
			}
			NEXT();
			switch (c) {
			case '"':
			case '\'':
				attr_value_end(t, OFF(p));
				p++;
				t->state = S_AFTER_ATTR_VALUE_Q;
				break;
			case '&':
				t->amp_off = OFF(p);
				p++;
				t->ret_state = t->state;
				t->state = S_CHARREF;
				break;
			case '\0':
				ERR(UNEXPECTED_NULL_CHARACTER);
				attr_value_add(t, FFFD, 3);
				p++;
				break;
			default: /* CR */
				attr_value_add(t, "\n", 1);
				p += n;
				break;
			}
			break;

		case S_ATTR_VALUE_UNQ:
			s = scan(p, end, C_UNQ);
			if (s != p) {
				attr_value_add(t, p, (size_t)(s - p));
				p = s;
			}
			NEXT();
			switch (c) {
			case '\t':
			case '\n':
			case '\f':
			case ' ':
				attr_value_end(t, OFF(p));
				p += n;
				t->state = S_BEFORE_ATTR_NAME;
				break;
			case '&':
				t->amp_off = OFF(p);
				p++;
				t->ret_state = S_ATTR_VALUE_UNQ;
				t->state = S_CHARREF;
				break;
			case '>':
				attr_value_end(t, OFF(p));
				emit_tag(t, p);
				p++;
				break;
			case '\0':
				ERR(UNEXPECTED_NULL_CHARACTER);
				attr_value_add(t, FFFD, 3);
				p++;
				break;
			default: /* " ' < = ` */
				ERR(UNEXPECTED_CHARACTER_IN_UNQUOTED_ATTRIBUTE_VALUE);
				attr_value_add(t, p, 1);
				p++;
				break;
			}
			break;

		case S_AFTER_ATTR_VALUE_Q:
			NEXT();
			if (IS_WS(c)) {
				p += n;
				t->state = S_BEFORE_ATTR_NAME;
			} else if (c == '/') {
				p++;
				t->state = S_SELF_CLOSING;
			} else if (c == '>') {
				emit_tag(t, p);
				p++;
			} else {
				ERR(MISSING_WHITESPACE_BETWEEN_ATTRIBUTES);
				t->state = S_BEFORE_ATTR_NAME;
			}
			break;

		case S_SELF_CLOSING:
			NEXT();
			if (c == '>') {
				t->self_closing = true;
				emit_tag(t, p);
				p++;
			} else {
				ERR(UNEXPECTED_SOLIDUS_IN_TAG);
				t->state = S_BEFORE_ATTR_NAME;
			}
			break;

		case S_BOGUS_COMMENT:
			s = SCAN4(p, end, C_BOGUS, '>', 0, '\r', 0);
			if (s != p) {
				cmt_add(t, p, (size_t)(s - p));
				p = s;
			}
			NEXT();
			if (c == '>') {
				emit_comment(t, OFF(p), OFF(p) + 1);
				p++;
			} else if (c == 0) {
				ERR(UNEXPECTED_NULL_CHARACTER);
				cmt_add(t, FFFD, 3);
				p++;
			} else {
				cmt_add(t, "\n", 1);
				p += n;
			}
			break;

		case S_MARKUP_DECL: {
			static const char *const kw[] = {"", "--", "doctype",
			                                 "[CDATA["};
			size_t k = t->mdo_len;
			bool ok;

			NEXT();
			if (k == 0) {
				if (c == '-')
					t->mdo_kind = MDO_COMMENT;
				else if ((c | 0x20) == 'd')
					t->mdo_kind = MDO_DOCTYPE;
				else if (c == '[')
					t->mdo_kind = MDO_CDATA;
				ok = t->mdo_kind != MDO_NONE;
			} else if (t->mdo_kind == MDO_DOCTYPE) {
				ok = (cls[c] & C_ALPHA) &&
				     (c | 0x20) == (unsigned)kw[MDO_DOCTYPE][k];
			} else {
				ok = c == (unsigned)kw[t->mdo_kind][k];
			}
			if (!ok) {
				ERR(INCORRECTLY_OPENED_COMMENT);
				comment_begin(t, t->lt_off + 2);
				cmt_add(t, t->mdo, k);
				t->state = S_BOGUS_COMMENT;
				break;
			}
			t->mdo[t->mdo_len++] = (unsigned char)c;
			p++;
			if (t->mdo_len < strlen(kw[t->mdo_kind]))
				break;
			if (t->mdo_kind == MDO_COMMENT) {
				comment_begin(t, OFF(p));
				t->state = S_COMMENT_START;
			} else if (t->mdo_kind == MDO_DOCTYPE) {
				doctype_begin(t);
				t->state = S_DOCTYPE;
			} else if (t->foreign) {
				t->state = S_CDATA;
			} else {
				ERR(CDATA_IN_HTML_CONTENT);
				comment_begin(t, t->lt_off + 2);
				cmt_add(t, "[CDATA[", 7);
				t->state = S_BOGUS_COMMENT;
			}
			break;
		}

		case S_COMMENT_START:
			NEXT();
			if (c == '-') {
				t->dash_off = OFF(p);
				p++;
				t->state = S_COMMENT_START_DASH;
			} else if (c == '>') {
				ERR(ABRUPT_CLOSING_OF_EMPTY_COMMENT);
				emit_comment(t, OFF(p), OFF(p) + 1);
				p++;
			} else {
				t->state = S_COMMENT;
			}
			break;

		case S_COMMENT_START_DASH:
			NEXT();
			if (c == '-') {
				p++;
				t->state = S_COMMENT_END;
			} else if (c == '>') {
				ERR(ABRUPT_CLOSING_OF_EMPTY_COMMENT);
				emit_comment(t, t->dash_off, OFF(p) + 1);
				p++;
			} else {
				cmt_add(t, "-", 1);
				t->state = S_COMMENT;
			}
			break;

		case S_COMMENT:
			s = SCAN4(p, end, C_COMMENT, '<', '-', '\r', 0);
			if (s != p) {
				cmt_add(t, p, (size_t)(s - p));
				p = s;
			}
			NEXT();
			if (c == '<') {
				cmt_add(t, "<", 1);
				p++;
				t->state = S_COMMENT_LT;
			} else if (c == '-') {
				t->dash_off = OFF(p);
				p++;
				t->state = S_COMMENT_END_DASH;
			} else if (c == 0) {
				ERR(UNEXPECTED_NULL_CHARACTER);
				cmt_add(t, FFFD, 3);
				p++;
			} else {
				cmt_add(t, "\n", 1);
				p += n;
			}
			break;

		case S_COMMENT_LT:
			NEXT();
			if (c == '!') {
				cmt_add(t, "!", 1);
				p++;
				t->state = S_COMMENT_LT_BANG;
			} else if (c == '<') {
				cmt_add(t, "<", 1);
				p++;
			} else {
				t->state = S_COMMENT;
			}
			break;

		case S_COMMENT_LT_BANG:
			NEXT();
			if (c == '-') {
				t->dash_off = OFF(p);
				p++;
				t->state = S_COMMENT_LT_BANG_DASH;
			} else {
				t->state = S_COMMENT;
			}
			break;

		case S_COMMENT_LT_BANG_DASH:
			NEXT();
			if (c == '-') {
				p++;
				t->state = S_COMMENT_LT_BANG_DASH_DASH;
			} else {
				t->state = S_COMMENT_END_DASH;
			}
			break;

		case S_COMMENT_LT_BANG_DASH_DASH:
			NEXT();
			if (c != '>')
				ERR(NESTED_COMMENT);
			t->state = S_COMMENT_END;
			break;

		case S_COMMENT_END_DASH:
			NEXT();
			if (c == '-') {
				p++;
				t->state = S_COMMENT_END;
			} else {
				cmt_add(t, "-", 1);
				t->state = S_COMMENT;
			}
			break;

		case S_COMMENT_END:
			NEXT();
			if (c == '>') {
				emit_comment(t, t->dash_off, OFF(p) + 1);
				p++;
			} else if (c == '!') {
				p++;
				t->state = S_COMMENT_END_BANG;
			} else if (c == '-') {
				cmt_add(t, "-", 1);
				t->dash_off++;
				p++;
			} else {
				cmt_add(t, "--", 2);
				t->state = S_COMMENT;
			}
			break;

		case S_COMMENT_END_BANG:
			NEXT();
			if (c == '-') {
				cmt_add(t, "--!", 3);
				t->dash_off = OFF(p);
				p++;
				t->state = S_COMMENT_END_DASH;
			} else if (c == '>') {
				ERR(INCORRECTLY_CLOSED_COMMENT);
				emit_comment(t, t->dash_off, OFF(p) + 1);
				p++;
			} else {
				cmt_add(t, "--!", 3);
				t->state = S_COMMENT;
			}
			break;

		case S_DOCTYPE:
			NEXT();
			if (IS_WS(c)) {
				p += n;
			} else if (c != '>') {
				ERR(MISSING_WHITESPACE_BEFORE_DOCTYPE_NAME);
			}
			t->state = S_BEFORE_DOCTYPE_NAME;
			break;

		case S_BEFORE_DOCTYPE_NAME:
			NEXT();
			if (IS_WS(c)) {
				p += n;
			} else if (c == '>') {
				ERR(MISSING_DOCTYPE_NAME);
				t->dt_fq = true;
				emit_doctype(t, OFF(p) + 1);
				p++;
			} else {
				t->dt_name_missing = false;
				t->state = S_DOCTYPE_NAME;
			}
			break;

		case S_DOCTYPE_NAME:
			NEXT();
			if (IS_WS(c)) {
				p += n;
				t->state = S_AFTER_DOCTYPE_NAME;
			} else if (c == '>') {
				emit_doctype(t, OFF(p) + 1);
				p++;
			} else if (c == 0) {
				ERR(UNEXPECTED_NULL_CHARACTER);
				dt_add(t, &t->dt_name, FFFD, 3);
				p++;
			} else {
				char lc = (char)(IS_UP(c) ? c | 0x20 : c);
				dt_add(t, &t->dt_name, &lc, 1);
				p++;
			}
			break;

		case S_AFTER_DOCTYPE_NAME:
			NEXT();
			if (IS_WS(c)) {
				p += n;
			} else if (c == '>') {
				emit_doctype(t, OFF(p) + 1);
				p++;
			} else if ((c | 0x20) == 'p' || (c | 0x20) == 's') {
				t->kw = (c | 0x20) == 'p' ? "public" : "system";
				t->kw_len = 1;
				p++;
				t->state = S_DOCTYPE_KEYWORD;
			} else {
				ERR(INVALID_CHARACTER_SEQUENCE_AFTER_DOCTYPE_NAME);
				t->dt_fq = true;
				t->state = S_BOGUS_DOCTYPE;
			}
			break;

		case S_DOCTYPE_KEYWORD:
			NEXT();
			if ((cls[c] & C_ALPHA) &&
			    (c | 0x20) == (unsigned)t->kw[t->kw_len]) {
				p++;
				if (++t->kw_len == 6)
					t->state =
					    t->kw[0] == 'p'
					        ? S_AFTER_DOCTYPE_PUBLIC_KW
					        : S_AFTER_DOCTYPE_SYSTEM_KW;
			} else {
				ERR(INVALID_CHARACTER_SEQUENCE_AFTER_DOCTYPE_NAME);
				t->dt_fq = true;
				t->state = S_BOGUS_DOCTYPE;
			}
			break;

		case S_AFTER_DOCTYPE_PUBLIC_KW:
		case S_AFTER_DOCTYPE_SYSTEM_KW: {
			bool pub = t->state == S_AFTER_DOCTYPE_PUBLIC_KW;

			NEXT();
			if (IS_WS(c)) {
				p += n;
				t->state = pub ? S_BEFORE_DOCTYPE_PUBLIC_ID
				               : S_BEFORE_DOCTYPE_SYSTEM_ID;
			} else if (c == '"' || c == '\'') {
				if (pub)
					ERR(MISSING_WHITESPACE_AFTER_DOCTYPE_PUBLIC_KEYWORD);
				else
					ERR(MISSING_WHITESPACE_AFTER_DOCTYPE_SYSTEM_KEYWORD);
				p++;
				if (pub) {
					t->dt_pub_missing = false;
					t->state = c == '"'
					               ? S_DOCTYPE_PUBLIC_ID_DQ
					               : S_DOCTYPE_PUBLIC_ID_SQ;
				} else {
					t->dt_sys_missing = false;
					t->state = c == '"'
					               ? S_DOCTYPE_SYSTEM_ID_DQ
					               : S_DOCTYPE_SYSTEM_ID_SQ;
				}
			} else if (c == '>') {
				if (pub)
					ERR(MISSING_DOCTYPE_PUBLIC_IDENTIFIER);
				else
					ERR(MISSING_DOCTYPE_SYSTEM_IDENTIFIER);
				t->dt_fq = true;
				emit_doctype(t, OFF(p) + 1);
				p++;
			} else {
				if (pub)
					ERR(MISSING_QUOTE_BEFORE_DOCTYPE_PUBLIC_IDENTIFIER);
				else
					ERR(MISSING_QUOTE_BEFORE_DOCTYPE_SYSTEM_IDENTIFIER);
				t->dt_fq = true;
				t->state = S_BOGUS_DOCTYPE;
			}
			break;
		}

		case S_BEFORE_DOCTYPE_PUBLIC_ID:
		case S_BEFORE_DOCTYPE_SYSTEM_ID: {
			bool pub = t->state == S_BEFORE_DOCTYPE_PUBLIC_ID;

			NEXT();
			if (IS_WS(c)) {
				p += n;
			} else if (c == '"' || c == '\'') {
				p++;
				if (pub) {
					t->dt_pub_missing = false;
					t->state = c == '"'
					               ? S_DOCTYPE_PUBLIC_ID_DQ
					               : S_DOCTYPE_PUBLIC_ID_SQ;
				} else {
					t->dt_sys_missing = false;
					t->state = c == '"'
					               ? S_DOCTYPE_SYSTEM_ID_DQ
					               : S_DOCTYPE_SYSTEM_ID_SQ;
				}
			} else if (c == '>') {
				if (pub)
					ERR(MISSING_DOCTYPE_PUBLIC_IDENTIFIER);
				else
					ERR(MISSING_DOCTYPE_SYSTEM_IDENTIFIER);
				t->dt_fq = true;
				emit_doctype(t, OFF(p) + 1);
				p++;
			} else {
				if (pub)
					ERR(MISSING_QUOTE_BEFORE_DOCTYPE_PUBLIC_IDENTIFIER);
				else
					ERR(MISSING_QUOTE_BEFORE_DOCTYPE_SYSTEM_IDENTIFIER);
				t->dt_fq = true;
				t->state = S_BOGUS_DOCTYPE;
			}
			break;
		}

		case S_DOCTYPE_PUBLIC_ID_DQ:
		case S_DOCTYPE_PUBLIC_ID_SQ:
		case S_DOCTYPE_SYSTEM_ID_DQ:
		case S_DOCTYPE_SYSTEM_ID_SQ: {
			bool pub = t->state == S_DOCTYPE_PUBLIC_ID_DQ ||
			           t->state == S_DOCTYPE_PUBLIC_ID_SQ;
			q = (t->state == S_DOCTYPE_PUBLIC_ID_DQ ||
			     t->state == S_DOCTYPE_SYSTEM_ID_DQ)
			        ? '"'
			        : '\'';
			struct tbuf *b = pub ? &t->dt_pub : &t->dt_sys;

			NEXT();
			if (c == q) {
				p++;
				t->state = pub ? S_AFTER_DOCTYPE_PUBLIC_ID
				               : S_AFTER_DOCTYPE_SYSTEM_ID;
			} else if (c == 0) {
				ERR(UNEXPECTED_NULL_CHARACTER);
				dt_add(t, b, FFFD, 3);
				p++;
			} else if (c == '>') {
				if (pub)
					ERR(ABRUPT_DOCTYPE_PUBLIC_IDENTIFIER);
				else
					ERR(ABRUPT_DOCTYPE_SYSTEM_IDENTIFIER);
				t->dt_fq = true;
				emit_doctype(t, OFF(p) + 1);
				p++;
			} else {
				char ch = (char)c;
				dt_add(t, b, &ch, 1);
				p += n;
			}
			break;
		}

		case S_AFTER_DOCTYPE_PUBLIC_ID:
		case S_BETWEEN_DOCTYPE_IDS: {
			bool after = t->state == S_AFTER_DOCTYPE_PUBLIC_ID;

			NEXT();
			if (IS_WS(c)) {
				p += n;
				t->state = S_BETWEEN_DOCTYPE_IDS;
			} else if (c == '>') {
				emit_doctype(t, OFF(p) + 1);
				p++;
			} else if (c == '"' || c == '\'') {
				if (after)
					ERR(MISSING_WHITESPACE_BETWEEN_DOCTYPE_PUBLIC_AND_SYSTEM_IDENTIFIERS);
				p++;
				t->dt_sys_missing = false;
				t->state = c == '"' ? S_DOCTYPE_SYSTEM_ID_DQ
				                    : S_DOCTYPE_SYSTEM_ID_SQ;
			} else {
				ERR(MISSING_QUOTE_BEFORE_DOCTYPE_SYSTEM_IDENTIFIER);
				t->dt_fq = true;
				t->state = S_BOGUS_DOCTYPE;
			}
			break;
		}

		case S_AFTER_DOCTYPE_SYSTEM_ID:
			NEXT();
			if (IS_WS(c)) {
				p += n;
			} else if (c == '>') {
				emit_doctype(t, OFF(p) + 1);
				p++;
			} else {
				ERR(UNEXPECTED_CHARACTER_AFTER_DOCTYPE_SYSTEM_IDENTIFIER);
				t->state = S_BOGUS_DOCTYPE;
			}
			break;

		case S_BOGUS_DOCTYPE:
			NEXT();
			if (c == '>') {
				emit_doctype(t, OFF(p) + 1);
				p++;
			} else {
				if (c == 0)
					ERR(UNEXPECTED_NULL_CHARACTER);
				p += n;
			}
			break;

		case S_CDATA:
			s = SCAN4(p, end, C_CDATA, ']', ']', '\r', '\r');
			if (s != p) {
				text_raw(t, p, (size_t)(s - p));
				p = s;
			}
			NEXT();
			if (c == ']') {
				t->lt_off = OFF(p);
				p++;
				t->state = S_CDATA_BRACKET;
			} else {
				text_nl(t, p, n);
				p += n;
			}
			break;

		case S_CDATA_BRACKET:
			NEXT();
			if (c == ']') {
				p++;
				t->state = S_CDATA_END;
			} else {
				text_lit(t, t->lt_off, "]", 1);
				t->state = S_CDATA;
			}
			break;

		case S_CDATA_END:
			NEXT();
			if (c == ']') {
				text_lit(t, t->lt_off, "]", 1);
				t->lt_off++;
				p++;
			} else if (c == '>') {
				p++;
				t->state = S_DATA;
			} else {
				text_lit(t, t->lt_off, "]]", 2);
				t->state = S_CDATA;
			}
			break;

		case S_CHARREF:
			NEXT();
			t->ref[0] = '&';
			if (cls[c] & C_ALNUM) {
				html_entity_walk_init(&t->walk);
				t->state = S_NAMED_CHARREF;
			} else if (c == '#') {
				t->ref[1] = '#';
				t->ref_len = 2;
				t->num = 0;
				p++;
				t->state = S_NUMERIC_CHARREF;
			} else {
				ref_flush_lit(t, t->amp_off, "&", 1);
				t->state = t->ret_state;
			}
			break;

		case S_NAMED_CHARREF:
			NEXT();
			if (html_entity_walk_step(&t->walk, (unsigned char)c)) {
				t->ref[t->walk.depth] = (char)c;
				p++;
			} else {
				named_resolve(t, (int)c, OFF(p));
			}
			break;

		case S_AMBIGUOUS_AMP:
			s = p;
			while (s < end && (cls[*s] & C_ALNUM))
				s++;
			if (s != p) {
				if (in_attr(t))
					attr_value_add(t, p, (size_t)(s - p));
				else
					text_raw(t, p, (size_t)(s - p));
				p = s;
			}
			NEXT();
			if (c == ';')
				ERR(UNKNOWN_NAMED_CHARACTER_REFERENCE);
			t->state = t->ret_state;
			break;

		case S_NUMERIC_CHARREF:
			NEXT();
			if (c == 'x' || c == 'X') {
				t->ref[t->ref_len++] = (char)c;
				p++;
				t->state = S_HEX_CHARREF_START;
			} else {
				t->state = S_DEC_CHARREF_START;
			}
			break;

		case S_HEX_CHARREF_START:
		case S_DEC_CHARREF_START:
			NEXT();
			if (t->state == S_HEX_CHARREF_START ? IS_HEX(c)
			                                    : IS_DIG(c)) {
				t->state = t->state == S_HEX_CHARREF_START
				               ? S_HEX_CHARREF
				               : S_DEC_CHARREF;
			} else {
				ERR(ABSENCE_OF_DIGITS_IN_NUMERIC_CHARACTER_REFERENCE);
				ref_flush_lit(t, t->amp_off, t->ref,
				              t->ref_len);
				t->state = t->ret_state;
			}
			break;

		case S_HEX_CHARREF:
			while (p < end && IS_HEX(*p)) {
				c = *p++;
				if (t->num < 0x110000)
					t->num = t->num * 16 + bs_hexval(c);
			}
			NEXT();
			if (c == ';') {
				p++;
			} else {
				ERR(MISSING_SEMICOLON_AFTER_CHARACTER_REFERENCE);
			}
			numeric_end(t, OFF(p));
			break;

		case S_DEC_CHARREF:
			while (p < end && IS_DIG(*p)) {
				c = *p++;
				if (t->num < 0x110000)
					t->num = t->num * 10 + (c - '0');
			}
			NEXT();
			if (c == ';') {
				p++;
			} else {
				ERR(MISSING_SEMICOLON_AFTER_CHARACTER_REFERENCE);
			}
			numeric_end(t, OFF(p));
			break;
		}
	}
carry:
	t->carry_cr = true;
	t->cr_off = OFF(p);
suspend:
	return;
}

/* End of input in each state, per the spec's EOF rules. */
static void run_eof(struct html_tokenizer *t)
{
	uint64_t eof = t->off;

	/* Offsets below are computed against an empty chunk at eof. */
	t->chunk = NULL;
	t->chunk_off = eof;
	for (;;) {
		if (t->err)
			return;
		switch (t->state) {
		case S_DATA:
		case S_RCDATA:
		case S_RAWTEXT:
		case S_SCRIPT:
		case S_PLAINTEXT:
			goto out;
		case S_CDATA:
			perr(t, HTML_ERR_EOF_IN_CDATA, eof);
			goto out;
		case S_TAG_OPEN:
			perr(t, HTML_ERR_EOF_BEFORE_TAG_NAME, eof);
			text_put(t, "<", 1, t->lt_off, t->lt_off + 1);
			goto out;
		case S_END_TAG_OPEN:
			perr(t, HTML_ERR_EOF_BEFORE_TAG_NAME, eof);
			text_put(t, "</", 2, t->lt_off, t->lt_off + 2);
			goto out;
		case S_ATTR_NAME:
			attr_name_done(t, eof);
			__attribute__((fallthrough));
		case S_TAG_NAME:
		case S_BEFORE_ATTR_NAME:
		case S_AFTER_ATTR_NAME:
		case S_BEFORE_ATTR_VALUE:
		case S_ATTR_VALUE_DQ:
		case S_ATTR_VALUE_SQ:
		case S_ATTR_VALUE_UNQ:
		case S_AFTER_ATTR_VALUE_Q:
		case S_SELF_CLOSING:
			perr(t, HTML_ERR_EOF_IN_TAG, eof);
			goto out;
		case S_TEXT_LT:
		case S_SCRIPT_LT:
		case S_SCRIPT_ESC_LT:
			text_put(t, "<", 1, t->lt_off, t->lt_off + 1);
			t->state = t->state == S_SCRIPT_LT ? S_SCRIPT
			           : t->state == S_SCRIPT_ESC_LT
			               ? S_SCRIPT_ESC
			               : t->text_state;
			break;
		case S_TEXT_END_OPEN:
			text_put(t, "</", 2, t->lt_off, t->lt_off + 2);
			t->state = t->text_state;
			break;
		case S_TEXT_END_NAME:
			text_put(t, t->tmp.d, t->tmp.len, t->lt_off,
			         t->lt_off + t->tmp.len);
			t->state = t->text_state;
			break;
		case S_SCRIPT_ESC_START:
		case S_SCRIPT_ESC_START_DASH:
			t->state = S_SCRIPT;
			break;
		case S_SCRIPT_ESC:
		case S_SCRIPT_ESC_DASH:
		case S_SCRIPT_ESC_DASH_DASH:
		case S_SCRIPT_DESC:
		case S_SCRIPT_DESC_DASH:
		case S_SCRIPT_DESC_DASH_DASH:
			perr(t, HTML_ERR_EOF_IN_SCRIPT_HTML_COMMENT_LIKE_TEXT,
			     eof);
			goto out;
		case S_SCRIPT_DESC_START:
			t->state = S_SCRIPT_ESC;
			break;
		case S_SCRIPT_DESC_LT:
		case S_SCRIPT_DESC_END:
			t->state = S_SCRIPT_DESC;
			break;
		case S_BOGUS_COMMENT:
			emit_comment(t, eof, eof);
			goto out;
		case S_MARKUP_DECL:
			perr(t, HTML_ERR_INCORRECTLY_OPENED_COMMENT, eof);
			comment_begin(t, t->lt_off + 2);
			cmt_add(t, t->mdo, t->mdo_len);
			emit_comment(t, eof, eof);
			goto out;
		case S_COMMENT_START:
		case S_COMMENT_START_DASH:
		case S_COMMENT:
		case S_COMMENT_LT:
		case S_COMMENT_LT_BANG:
		case S_COMMENT_LT_BANG_DASH:
		case S_COMMENT_LT_BANG_DASH_DASH:
		case S_COMMENT_END_DASH:
		case S_COMMENT_END:
		case S_COMMENT_END_BANG:
			perr(t, HTML_ERR_EOF_IN_COMMENT, eof);
			emit_comment(t, eof, eof);
			goto out;
		case S_DOCTYPE_KEYWORD:
			perr(
			    t,
			    HTML_ERR_INVALID_CHARACTER_SEQUENCE_AFTER_DOCTYPE_NAME,
			    eof);
			t->dt_fq = true;
			emit_doctype(t, eof);
			goto out;
		case S_BOGUS_DOCTYPE:
			emit_doctype(t, eof);
			goto out;
		case S_DOCTYPE:
		case S_BEFORE_DOCTYPE_NAME:
		case S_DOCTYPE_NAME:
		case S_AFTER_DOCTYPE_NAME:
		case S_AFTER_DOCTYPE_PUBLIC_KW:
		case S_BEFORE_DOCTYPE_PUBLIC_ID:
		case S_DOCTYPE_PUBLIC_ID_DQ:
		case S_DOCTYPE_PUBLIC_ID_SQ:
		case S_AFTER_DOCTYPE_PUBLIC_ID:
		case S_BETWEEN_DOCTYPE_IDS:
		case S_AFTER_DOCTYPE_SYSTEM_KW:
		case S_BEFORE_DOCTYPE_SYSTEM_ID:
		case S_DOCTYPE_SYSTEM_ID_DQ:
		case S_DOCTYPE_SYSTEM_ID_SQ:
		case S_AFTER_DOCTYPE_SYSTEM_ID:
			perr(t, HTML_ERR_EOF_IN_DOCTYPE, eof);
			t->dt_fq = true;
			emit_doctype(t, eof);
			goto out;
		case S_CDATA_BRACKET:
			text_put(t, "]", 1, t->lt_off, t->lt_off + 1);
			t->state = S_CDATA;
			break;
		case S_CDATA_END:
			text_put(t, "]]", 2, t->lt_off, t->lt_off + 2);
			t->state = S_CDATA;
			break;
		case S_CHARREF:
			ref_flush_dec(t, "&", 1, t->amp_off, t->amp_off + 1);
			t->state = t->ret_state;
			break;
		case S_NAMED_CHARREF:
			named_resolve(t, -1, eof);
			break;
		case S_AMBIGUOUS_AMP:
			t->state = t->ret_state;
			break;
		case S_NUMERIC_CHARREF:
			t->state = S_DEC_CHARREF_START;
			break;
		case S_HEX_CHARREF_START:
		case S_DEC_CHARREF_START:
			perr(
			    t,
			    HTML_ERR_ABSENCE_OF_DIGITS_IN_NUMERIC_CHARACTER_REFERENCE,
			    eof);
			ref_flush_dec(t, t->ref, t->ref_len, t->amp_off,
			              t->amp_off + t->ref_len);
			t->state = t->ret_state;
			break;
		case S_HEX_CHARREF:
		case S_DEC_CHARREF:
			perr(
			    t,
			    HTML_ERR_MISSING_SEMICOLON_AFTER_CHARACTER_REFERENCE,
			    eof);
			numeric_end(t, eof);
			break;
		}
	}
out:
	emit_eof(t);
}

/* ---- input-stream errors ---- */

static void check_cp(struct html_tokenizer *t)
{
	const unsigned char *u = t->u8;
	uint32_t cp;

	if (t->u8_need == 2)
		cp = ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
	else if (t->u8_need == 3)
		cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) |
		     (u[2] & 0x3Fu);
	else
		cp = ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) |
		     ((u[2] & 0x3Fu) << 6) | (u[3] & 0x3Fu);
	if (cp >= 0x80 && cp <= 0x9F)
		perr(t, HTML_ERR_CONTROL_CHARACTER_IN_INPUT_STREAM, t->u8_off);
	else if (cp >= 0xD800 && cp <= 0xDFFF)
		perr(t, HTML_ERR_SURROGATE_IN_INPUT_STREAM, t->u8_off);
	else if (cp <= 0x10FFFF &&
	         ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE))
		perr(t, HTML_ERR_NONCHARACTER_IN_INPUT_STREAM, t->u8_off);
}

/* The errors the spec reports while preprocessing the input stream:
 * controls other than whitespace and NUL, surrogates, noncharacters. Only
 * bytes that can start one are decoded; sequences may straddle chunks. */
static void check_input(struct html_tokenizer *t, const unsigned char *s,
                        size_t n)
{
	size_t i = 0;
	unsigned char c;

	while (i < n) {
		if (t->u8_need) {
			c = s[i];
			if ((c & 0xC0) != 0x80) {
				t->u8_need = 0; /* invalid: not ours */
				continue;
			}
			t->u8[t->u8_have++] = c;
			i++;
			if (t->u8_have == t->u8_need) {
				check_cp(t);
				t->u8_need = 0;
			}
			continue;
		}
		while (i < n && !(cls[s[i]] & C_CHECK))
			i++;
		if (i == n)
			break;
		c = s[i];
		if (c < 0x80) {
			perr(t, HTML_ERR_CONTROL_CHARACTER_IN_INPUT_STREAM,
			     t->off + i);
			i++;
			continue;
		}
		t->u8[0] = c;
		t->u8_have = 1;
		t->u8_need = c == 0xC2 ? 2 : c < 0xF0 ? 3 : 4;
		t->u8_off = t->off + i;
		i++;
	}
}

/* ---- public API ---- */

struct html_tokenizer *html_tokenizer_new(const struct bs_limits *lim,
                                          html_token_fn on_token, void *ctx,
                                          struct bs_problems *problems)
{
	struct html_tokenizer *t;
	struct bs_limits l;

	if (lim == NULL || on_token == NULL)
		return NULL;
	t = bs_calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	l = *lim;
	bs_limits_normalise(&l);
	t->max_token = l.html_token_bytes;
	t->max_value = l.html_attr_bytes;
	t->max_attrs = l.html_attrs;
	t->on_token = on_token;
	t->ctx = ctx;
	t->problems = problems;
	t->state = S_DATA;
	return t;
}

void html_tokenizer_free(struct html_tokenizer **tp)
{
	struct html_tokenizer *t;

	if (tp == NULL || *tp == NULL)
		return;
	t = *tp;
	tb_free(&t->text);
	tb_free(&t->name);
	tb_free(&t->abuf);
	tb_free(&t->tmp);
	tb_free(&t->last);
	tb_free(&t->cmt);
	tb_free(&t->dt_name);
	tb_free(&t->dt_pub);
	tb_free(&t->dt_sys);
	bs_free(t->attrs);
	bs_free(t->aoff);
	bs_free(t->htab);
	bs_free(t);
	*tp = NULL;
}

void html_tokenizer_set_error_fn(struct html_tokenizer *t, html_error_fn fn)
{
	t->on_error = fn;
}

void html_tokenizer_set_base_offset(struct html_tokenizer *t, uint64_t off)
{
	t->off = off;
}

void html_tokenizer_set_state(struct html_tokenizer *t,
                              enum html_tokenizer_state s)
{
	switch (s) {
	case HTML_STATE_DATA:
		t->state = S_DATA;
		break;
	case HTML_STATE_RCDATA:
		t->state = S_RCDATA;
		break;
	case HTML_STATE_RAWTEXT:
		t->state = S_RAWTEXT;
		break;
	case HTML_STATE_SCRIPT_DATA:
		t->state = S_SCRIPT;
		break;
	case HTML_STATE_PLAINTEXT:
		t->state = S_PLAINTEXT;
		break;
	case HTML_STATE_CDATA_SECTION:
		t->state = S_CDATA;
		break;
	}
}

void html_tokenizer_set_last_start_tag(struct html_tokenizer *t,
                                       const char *name, size_t len)
{
	tb_reset(&t->last);
	if (len > t->max_token)
		len = t->max_token;
	if (name && len)
		tb_add(t, &t->last, name, len);
}

void html_tokenizer_set_foreign(struct html_tokenizer *t, bool foreign)
{
	t->foreign = foreign;
}

/* Run the machine over [data+from, data+len), data starting at offset
 * base, then flush the text run (it may point into data). */
static void run_chunk(struct html_tokenizer *t, const unsigned char *data,
                      size_t from, size_t len, uint64_t base)
{
	t->chunk = data;
	t->chunk_off = base;
	run(t, data + from, data + len);
	flush_text(t);
	t->chunk = NULL;
}

int html_tokenizer_feed(struct html_tokenizer *t, const char *data, size_t len)
{
	const unsigned char *d = (const unsigned char *)data;
	size_t from = 0;

	if (t == NULL || (data == NULL && len))
		return BS_EINVAL;
	if (t->err)
		return t->err;
	if (t->finished)
		return BS_EINVAL;
	if (len == 0)
		return 0;
	if (t->on_error)
		check_input(t, d, len);
	if (t->carry_cr) {
		/* Replay the CR held back at the end of the last chunk,
		 * with its LF when this chunk starts with one. */
		t->carry_cr = false;
		if (d[0] == '\n') {
			t->mini[0] = '\r';
			t->mini[1] = '\n';
			run_chunk(t, t->mini, 0, 2, t->cr_off);
			from = 1;
		} else {
			t->mini[0] = '\n';
			run_chunk(t, t->mini, 0, 1, t->cr_off);
		}
	}
	run_chunk(t, d, from, len, t->off);
	t->off += len;
	return t->err;
}

int html_tokenizer_finish(struct html_tokenizer *t)
{
	if (t == NULL)
		return BS_EINVAL;
	if (t->err)
		return t->err;
	if (t->finished)
		return BS_EINVAL;
	if (t->carry_cr) {
		t->carry_cr = false;
		t->mini[0] = '\n';
		run_chunk(t, t->mini, 0, 1, t->cr_off);
	}
	t->finished = true;
	run_eof(t);
	return t->err;
}
