/*
 * parser.c - tokenizer + tree builder, fed in chunks, with Outlook
 * conditional comments (see parser.h for the contract).
 *
 * The content of a <!--[if ...]> ... <![endif]--> comment is parsed from
 * the raw input bytes (the comment token's data is CR-normalised, which
 * would shift every span), so the parser keeps the bytes of the token the
 * tokenizer has not finished yet: from the end of the last token to the
 * end of the input, at most limits.html_token_bytes of them. A comment
 * longer than that is parsed from its decoded data instead, with spans
 * that may drift by the CRs it held.
 */
#include "parser.h"

#include <string.h>

#include "tokenizer.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/str.h"

struct html_parser {
	const struct bs_limits *lim;
	const struct html_sink *sink;
	void *sink_ctx;
	struct bs_problems *problems;
	bool cond;
	unsigned level; /* nesting of conditional fragments, 0 at the top */

	struct html_tokenizer *tokz;
	struct html_tree *tree;
	int err;
	bool finished;

	size_t own_elements;
	size_t *elements;

	uint64_t fed;
	unsigned reveal;     /* open downlevel-revealed regions */
	unsigned base_flags; /* element flags outside them */

	/* raw bytes of the input not yet consumed by a token */
	struct bs_buf raw;
	uint64_t raw_off;
	uint64_t keep_from;
	const char *chunk;
	size_t chunk_len;
	uint64_t chunk_off;
};

static int on_token(void *ctx, struct html_token *tok);

/* --- Outlook conditional comment syntax --- */

enum cc_kind { CC_NONE, CC_HIDDEN, CC_REVEAL_OPEN, CC_REVEAL_CLOSE };

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	                 s[i] == '\r' || s[i] == '\f'))
		i++;
	return i;
}

static size_t skip_ws_back(const char *s, size_t from, size_t i)
{
	while (i > from &&
	       (s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\n' ||
	        s[i - 1] == '\r' || s[i - 1] == '\f'))
		i--;
	return i;
}

/* "[if <expr>]" at s[i]: index just past the ']', or 0. */
static size_t match_if(const char *s, size_t n, size_t i)
{
	if (i >= n || s[i] != '[')
		return 0;
	i = skip_ws(s, n, i + 1);
	if (n - i < 3 || !bs_span_iprefix(s + i, n - i, "if"))
		return 0;
	i += 2;
	if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' &&
	    s[i] != '!' && s[i] != '(')
		return 0;
	for (; i < n; i++)
		if (s[i] == ']')
			return i + 1;
	return 0;
}

/* "[endif]" at s[i]: index just past it, or 0. */
static size_t match_endif(const char *s, size_t n, size_t i)
{
	if (i >= n || s[i] != '[')
		return 0;
	i = skip_ws(s, n, i + 1);
	if (n - i < 5 || !bs_span_iprefix(s + i, n - i, "endif"))
		return 0;
	i = skip_ws(s, n, i + 5);
	if (i >= n || s[i] != ']')
		return 0;
	return i + 1;
}

/* Start of a trailing "<![endif]" (whitespace-tolerant) in s[from..n), or
 * n when there is none. */
static size_t endif_suffix(const char *s, size_t from, size_t n)
{
	size_t i = skip_ws_back(s, from, n);

	if (i == from || s[i - 1] != ']')
		return n;
	i = skip_ws_back(s, from, i - 1);
	if (i - from < 5 || !bs_span_ieq(s + i - 5, 5, "endif"))
		return n;
	i = skip_ws_back(s, from, i - 5);
	if (i == from || s[i - 1] != '[')
		return n;
	i--;
	if (i - from < 2 || s[i - 1] != '!' || s[i - 2] != '<')
		return n;
	return i - 2;
}

/* Classify a comment's data; for CC_HIDDEN, [*cs, *ce) is the content. */
static enum cc_kind classify(const char *s, size_t n, size_t *cs, size_t *ce)
{
	size_t i = skip_ws(s, n, 0), j, k;

	if (i < n && s[i] == '[') {
		j = match_if(s, n, i);
		if (j) {
			k = skip_ws(s, n, j);
			if (k == n)
				return CC_REVEAL_OPEN; /* <![if !mso]> */
			if (s[k] != '>')
				return CC_NONE;
			k++;
			j = skip_ws(s, n, k);
			if (n - j == 2 && s[j] == '<' && s[j + 1] == '!')
				return CC_REVEAL_OPEN; /* <!--[if !mso]><!--> */
			j = endif_suffix(s, k, n);
			if (j == n)
				return CC_NONE;
			*cs = k;
			*ce = j;
			return CC_HIDDEN;
		}
		j = match_endif(s, n, i);
		if (j && skip_ws(s, n, j) == n)
			return CC_REVEAL_CLOSE; /* <![endif]> */
		return CC_NONE;
	}
	if (n - i >= 2 && s[i] == '<' && s[i + 1] == '!') {
		j = match_endif(s, n, skip_ws(s, n, i + 2));
		if (j && skip_ws(s, n, j) == n)
			return CC_REVEAL_CLOSE; /* <!--<![endif]--> */
	}
	return CC_NONE;
}

/* --- raw bytes --- */

/* The raw input [s, e), from the chunk being fed and the bytes kept from
 * earlier chunks; NULL when they are no longer available. */
static const char *raw_get(struct html_parser *p, uint64_t s, uint64_t e,
                           struct bs_buf *tmp)
{
	uint64_t rend = p->raw_off + p->raw.len;

	if (e < s)
		return NULL;
	if (p->chunk && s >= p->chunk_off && e <= p->chunk_off + p->chunk_len)
		return p->chunk + (s - p->chunk_off);
	if (p->raw.data && s >= p->raw_off && e <= rend)
		return p->raw.data + (s - p->raw_off);
	if (p->chunk && s >= p->raw_off && rend == p->chunk_off &&
	    e <= p->chunk_off + p->chunk_len) {
		bs_buf_init(tmp, (size_t)(e - s));
		bs_buf_append(tmp, p->raw.data + (s - p->raw_off),
		              (size_t)(rend - s));
		bs_buf_append(tmp, p->chunk, (size_t)(e - rend));
		return bs_buf_error(tmp) ? NULL : tmp->data;
	}
	return NULL;
}

/* After a chunk was fed: keep the bytes from the end of the last token. */
static void retain(struct html_parser *p, const char *data, size_t len,
                   uint64_t off)
{
	uint64_t keep = p->keep_from;
	size_t from;

	if (p->raw.len && keep > p->raw_off) {
		uint64_t d = keep - p->raw_off;
		size_t drop = d < p->raw.len ? (size_t)d : p->raw.len;

		memmove(p->raw.data, p->raw.data + drop, p->raw.len - drop);
		p->raw.len -= drop;
		p->raw_off += drop;
	}
	from = keep > off ? (keep - off < len ? (size_t)(keep - off) : len) : 0;
	if (p->raw.len == 0 || p->raw_off + p->raw.len != off) {
		p->raw.len = 0;
		p->raw_off = off + from;
	}
	if (p->raw.len + (len - from) > p->raw.max) {
		/* an unfinished token longer than the cap: its bytes are
		 * given up (see the top of this file) */
		p->raw.len = 0;
		p->raw_off = off + len;
		return;
	}
	bs_buf_append(&p->raw, data + from, len - from);
	if (bs_buf_error(&p->raw)) {
		bs_buf_reset(&p->raw);
		p->raw_off = off + len;
	}
}

/* --- parser objects --- */

static void parser_free_parts(struct html_parser *p)
{
	html_tree_free(&p->tree);
	html_tokenizer_free(&p->tokz);
	bs_buf_release(&p->raw);
}

/*
 * Set up p (zeroed by the caller except for the fields common to every
 * level) with a tokenizer and a tree builder.
 */
static int parser_init(struct html_parser *p,
                       const struct html_tree_options *topt, uint64_t base)
{
	struct html_tree_options o = *topt;

	p->tokz = html_tokenizer_new(p->lim, on_token, p, p->problems);
	if (p->tokz == NULL)
		return BS_ENOMEM;
	html_tokenizer_set_base_offset(p->tokz, base);
	o.tokenizer = p->tokz;
	o.element_count = p->elements;
	p->tree = html_tree_new(&o);
	if (p->tree == NULL)
		return BS_ENOMEM;
	p->base_flags = o.element_flags;
	bs_buf_init(&p->raw, p->lim->html_token_bytes);
	p->fed = base;
	p->raw_off = base;
	p->keep_from = base;
	return 0;
}

/* Parse the content of an Outlook-only conditional comment as a fragment
 * (context <body>) whose root hangs under the main tree's current node. */
static int parse_hidden(struct html_parser *p, const char *s, size_t n,
                        uint64_t off)
{
	struct html_parser c;
	struct html_tree_options o;
	html_handle parent;
	int r;

	if (p->level + 1 > p->lim->html_cond_depth) {
		bs_problems_add(p->problems, "limit", "html-cond-depth");
		return 0;
	}
	if (*p->elements >= p->lim->html_elements)
		return 0;
	parent = html_tree_current_node(p->tree);
	if (parent == NULL)
		parent = html_tree_document(p->tree);
	if (parent == NULL)
		return 0;

	memset(&c, 0, sizeof(c));
	c.lim = p->lim;
	c.sink = p->sink;
	c.sink_ctx = p->sink_ctx;
	c.problems = p->problems;
	c.cond = true;
	c.level = p->level + 1;
	c.elements = p->elements;

	memset(&o, 0, sizeof(o));
	o.limits = p->lim;
	o.sink = p->sink;
	o.sink_ctx = p->sink_ctx;
	o.problems = p->problems;
	o.context_name = "body";
	o.context_ns = HTML_NS_HTML;
	o.element_flags =
	    HTML_EL_OUTLOOK_ONLY | html_tree_element_flags(p->tree);
	o.fragment_parent = parent;
	o.base_depth = html_tree_current_depth(p->tree);
	o.root_flags = HTML_EL_COND_ROOT;
	r = parser_init(&c, &o, off);
	if (r == 0) {
		/* the whole content is at hand: no bytes to keep */
		c.chunk = s;
		c.chunk_len = n;
		c.chunk_off = off;
		r = html_tokenizer_feed(c.tokz, s, n);
		if (r == 0)
			r = html_tokenizer_finish(c.tokz);
		if (r == BS_EABORT && c.err)
			r = c.err;
	}
	parser_free_parts(&c);
	return r;
}

static void set_reveal(struct html_parser *p, int delta)
{
	if (delta > 0 && p->reveal < 0xFFFFu)
		p->reveal++;
	else if (delta < 0 && p->reveal > 0)
		p->reveal--;
	html_tree_set_element_flags(
	    p->tree, p->base_flags | (p->reveal ? HTML_EL_CONDITIONAL : 0));
}

static int on_comment(struct html_parser *p, struct html_token *tok)
{
	struct bs_buf tmp = {0};
	const char *s;
	size_t n, cs = 0, ce = 0;
	uint64_t base;
	enum cc_kind kind;
	int r;

	s = raw_get(p, tok->data_span.start, tok->data_span.end, &tmp);
	if (s) {
		n = (size_t)(tok->data_span.end - tok->data_span.start);
	} else {
		s = tok->data;
		n = tok->data_len;
	}
	base = tok->data_span.start;
	kind = classify(s, n, &cs, &ce);
	r = html_tree_token(p->tree, tok);
	if (r == 0) {
		if (kind == CC_HIDDEN)
			r = parse_hidden(p, s + cs, ce - cs, base + cs);
		else if (kind == CC_REVEAL_OPEN)
			set_reveal(p, 1);
		else if (kind == CC_REVEAL_CLOSE)
			set_reveal(p, -1);
	}
	bs_buf_release(&tmp);
	return r;
}

static int on_token(void *ctx, struct html_token *tok)
{
	struct html_parser *p = ctx;
	int r;

	if (tok->type == HTML_TOKEN_COMMENT && p->cond)
		r = on_comment(p, tok);
	else
		r = html_tree_token(p->tree, tok);
	if (tok->span.end > p->keep_from)
		p->keep_from = tok->span.end;
	if (r && p->err == 0)
		p->err = r;
	return r;
}

struct html_parser *html_parser_new(const struct html_parser_options *opt)
{
	struct html_parser *p;
	struct html_tree_options o;

	if (opt == NULL || opt->limits == NULL || opt->sink == NULL)
		return NULL;
	p = bs_calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->lim = opt->limits;
	p->sink = opt->sink;
	p->sink_ctx = opt->sink_ctx;
	p->problems = opt->problems;
	p->cond = opt->conditional_comments;
	p->elements = &p->own_elements;

	memset(&o, 0, sizeof(o));
	o.limits = opt->limits;
	o.sink = opt->sink;
	o.sink_ctx = opt->sink_ctx;
	o.problems = opt->problems;
	o.context_name = opt->context_name;
	o.context_ns = opt->context_ns;
	if (parser_init(p, &o, 0) != 0) {
		html_parser_free(&p);
		return NULL;
	}
	return p;
}

void html_parser_free(struct html_parser **pp)
{
	struct html_parser *p = pp ? *pp : NULL;

	if (p == NULL)
		return;
	parser_free_parts(p);
	bs_free(p);
	*pp = NULL;
}

static int fail(struct html_parser *p, int r)
{
	if (r == BS_EABORT && p->err)
		r = p->err;
	if (r && p->err == 0)
		p->err = r;
	return r;
}

int html_parser_push(struct html_parser *p, const char *data, size_t len)
{
	uint64_t room;
	int r;

	if (p == NULL || (data == NULL && len))
		return BS_EINVAL;
	if (p->err)
		return p->err;
	if (p->finished)
		return BS_EINVAL;
	room = p->lim->html_bytes > p->fed ? p->lim->html_bytes - p->fed : 0;
	if (len > room) {
		bs_problems_add(p->problems, "limit", "html-bytes");
		len = (size_t)room;
	}
	if (len == 0)
		return 0;
	/* The encoding layer's job (the WHATWG "decode" drops a leading BOM),
	 * done here so that offsets stay those of the bytes given: without
	 * it U+FEFF is text before the doctype and forces quirks mode. */
	if (p->level == 0 && p->fed == 0 && len >= 3 &&
	    memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
		p->fed = p->raw_off = p->keep_from = 3;
		html_tokenizer_set_base_offset(p->tokz, 3);
		if (len == 0)
			return 0;
	}
	p->chunk = data;
	p->chunk_len = len;
	p->chunk_off = p->fed;
	r = html_tokenizer_feed(p->tokz, data, len);
	p->chunk = NULL;
	if (r)
		return fail(p, r);
	if (p->cond)
		retain(p, data, len, p->fed);
	p->fed += len;
	return 0;
}

int html_parser_finish(struct html_parser *p)
{
	int r;

	if (p == NULL)
		return BS_EINVAL;
	if (p->err)
		return p->err;
	if (p->finished)
		return BS_EINVAL;
	p->finished = true;
	r = html_tokenizer_finish(p->tokz);
	return r ? fail(p, r) : 0;
}

int html_parse(const struct html_parser_options *opt, const char *data,
               size_t len)
{
	struct html_parser *p = html_parser_new(opt);
	int r;

	if (p == NULL)
		return BS_ENOMEM;
	r = html_parser_push(p, data, len);
	if (r == 0)
		r = html_parser_finish(p);
	html_parser_free(&p);
	return r;
}
