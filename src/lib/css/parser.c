/*
 * parser.c - css-syntax-3 section 5 for style sheets and style
 * attributes, and the scan for URL references.
 *
 * One token of lookahead. Every token passes two choke points: fetch()
 * keeps the stack of open blocks and functions (one byte each, at most
 * limits.css_depth), so each token knows its depth and whether it closes
 * the innermost block; advance() hands the token being left to scan(),
 * which finds URLs in it with the context the parser set for it (the
 * declaration's property, @import, ...). The rule functions recurse once
 * per nested block, so recursion is bounded by css_depth too.
 *
 * When a limit stops the structure (css_depth, css_bytes) the parser goes
 * "flat": the rule functions unwind and the rest of the input is only
 * scanned for url(...) and url("..."), so a beacon cannot hide behind
 * deep nesting or a huge sheet.
 */
#include "internal.h"

#include <string.h>

#include "util/alloc.h"
#include "util/str.h"

/* Kinds of open blocks and functions, one byte on the stack. */
enum fk {
	FK_PAREN,
	FK_BRACKET,
	FK_BRACE,
	FK_FUNC,
	FK_URL,       /* url( followed by a string */
	FK_SRC,       /* src( */
	FK_IMAGE_SET, /* image-set( and prefixed forms */
	FK_IMAGE,     /* image( */
	FK_ALPHA,     /* progid:...AlphaImageLoader( */
};

enum ctx_kind {
	CTX_STRAY,
	CTX_DECL,
	CTX_IMPORT,
	CTX_NOFETCH,
};

/* Where a URL found now belongs. */
struct urlctx {
	enum ctx_kind kind;
	const char *name; /* context string of struct css_url */
	unsigned flags;   /* CSS_URL_* */
	uint32_t rule;
};

struct parser {
	struct css_tokenizer tk;
	const char *data;
	size_t len;
	uint64_t base;
	const struct bs_limits *lim;
	struct bs_limits lim_store;
	struct bs_problems *problems;
	struct css_budget *budget;
	struct css_budget own_budget;
	struct css_sheet *sh;
	struct bs_arena *arena;

	struct css_token tok;
	unsigned depth; /* of tok: blocks open around it */
	bool closes;    /* tok closed the innermost block */
	uint8_t *stack;
	unsigned sp;
	bool flat;
	int err;

	struct urlctx cur;
	/* A url( or src( waiting for its ')'. */
	bool pend;
	bool pend_have;
	unsigned pend_depth;
	uint64_t pend_start;
	const char *pend_url;
	size_t pend_len;
	struct css_span pend_span;
	struct urlctx pend_ctx;
	int alpha; /* AlphaImageLoader: 1 after src, 2 after src= */

	/* Declarations of the open rules, innermost last. */
	struct css_decl *decls;
	size_t ndecls, adecls;
	struct css_vdecl *vdecls;
	size_t nvdecls, avdecls;
	struct bs_buf name; /* the property name being read */
	bool urls_only;     /* css_options.urls_only */
};

static const char *const ctx_import = "@import";
static const char *const ctx_font_src = "@font-face src";

const struct bs_limits *css_limits(const struct bs_limits *given,
                                   struct bs_limits *store)
{
	if (given)
		return given;
	bs_limits_default(store);
	return store;
}

static void limit_hit(struct parser *p, const char *what)
{
	bs_problems_add(p->problems, "limit", what);
}

static void go_flat(struct parser *p, const char *what)
{
	if (!p->flat)
		limit_hit(p, what);
	p->flat = true;
}

static void oom(struct parser *p)
{
	if (p->err == 0)
		p->err = BS_ENOMEM;
}

/* Grow a vector of elements of size sz to hold one more. */
static int vec_grow(void **v, size_t *alloc, size_t n, size_t sz)
{
	size_t na;
	void *nv;
	int ovf = 0;

	if (n < *alloc)
		return 0;
	na = *alloc ? *alloc * 2 : 16;
	sz = bs_mul(na, sz, &ovf);
	if (ovf)
		return BS_ENOMEM;
	nv = bs_realloc(*v, sz);
	if (nv == NULL)
		return BS_ENOMEM;
	*v = nv;
	*alloc = na;
	return 0;
}

static char *copy(struct parser *p, const char *s, size_t n)
{
	char *d = bs_arena_strndup(p->arena, s, n);

	if (d == NULL)
		oom(p);
	return d;
}

static char *copy_lower(struct parser *p, const char *s, size_t n)
{
	char *d = copy(p, s, n);
	size_t i;

	if (d)
		for (i = 0; i < n; i++)
			d[i] = bs_ascii_lower(d[i]);
	return d;
}

/* The input bytes of a span. */
static const char *raw(const struct parser *p, uint64_t start)
{
	return p->data + (size_t)(start - p->base);
}

/* --- tokens ------------------------------------------------------- */

static uint8_t func_kind(const struct css_token *t)
{
	const char *v = t->value;
	size_t n = t->value_len;

	if (bs_span_ieq(v, n, "url"))
		return FK_URL;
	if (bs_span_ieq(v, n, "src"))
		return FK_SRC;
	if (bs_span_ieq(v, n, "image-set") ||
	    bs_span_ieq(v, n, "-webkit-image-set") ||
	    bs_span_ieq(v, n, "-moz-image-set") ||
	    bs_span_ieq(v, n, "-o-image-set"))
		return FK_IMAGE_SET;
	if (bs_span_ieq(v, n, "image") || bs_span_ieq(v, n, "-webkit-image"))
		return FK_IMAGE;
	if (n >= 16 && bs_span_ieq(v + n - 16, 16, "alphaimageloader"))
		return FK_ALPHA;
	return FK_FUNC;
}

static enum css_token_type closer_of(uint8_t k)
{
	if (k == FK_BRACKET)
		return CSS_TOK_RBRACKET;
	if (k == FK_BRACE)
		return CSS_TOK_RBRACE;
	return CSS_TOK_RPAREN;
}

static void fetch(struct parser *p)
{
	struct css_token *t = &p->tok;
	uint8_t k;

	if (css_tok_next(&p->tk, t))
		oom(p);
	p->closes = false;
	if (!p->flat && t->type != CSS_TOK_EOF &&
	    t->span.start - p->base >= p->lim->css_bytes)
		go_flat(p, "css-bytes");
	if (p->flat) {
		p->depth = 0;
		return;
	}
	p->depth = p->sp;
	switch (t->type) {
	case CSS_TOK_FUNCTION:
	case CSS_TOK_LPAREN:
	case CSS_TOK_LBRACKET:
	case CSS_TOK_LBRACE:
		if (p->sp >= p->lim->css_depth) {
			go_flat(p, "css-depth");
			p->depth = 0;
			return;
		}
		k = t->type == CSS_TOK_FUNCTION   ? func_kind(t)
		    : t->type == CSS_TOK_LPAREN   ? FK_PAREN
		    : t->type == CSS_TOK_LBRACKET ? FK_BRACKET
		                                  : FK_BRACE;
		p->stack[p->sp++] = k;
		break;
	case CSS_TOK_RPAREN:
	case CSS_TOK_RBRACKET:
	case CSS_TOK_RBRACE:
		if (p->sp > 0 && closer_of(p->stack[p->sp - 1]) == t->type) {
			p->sp--;
			p->closes = true;
		}
		p->depth = p->sp;
		break;
	default:
		break;
	}
}

/* --- URL references ------------------------------------------------ */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void add_url(struct parser *p, const struct urlctx *ctx, const char *v,
                    size_t n, struct css_span url_span, struct css_span whole,
                    unsigned flags)
{
	struct css_sheet *sh = p->sh;
	struct css_url *u;
	char *s;

	while (n && is_space(v[0])) {
		v++;
		n--;
	}
	while (n && is_space(v[n - 1]))
		n--;
	while (url_span.start < url_span.end &&
	       is_space(*raw(p, url_span.start)))
		url_span.start++;
	while (url_span.end > url_span.start &&
	       is_space(*raw(p, url_span.end - 1)))
		url_span.end--;
	if (sh->nurls >= p->lim->references) {
		limit_hit(p, "references");
		return;
	}
	if (vec_grow((void **)&sh->urls, &sh->aurls, sh->nurls, sizeof(*u))) {
		oom(p);
		return;
	}
	s = copy(p, v, n);
	if (s == NULL)
		return;
	u = &sh->urls[sh->nurls++];
	u->url = s;
	u->url_len = n;
	u->url_span = url_span;
	u->whole_span = whole;
	u->flags = flags | ctx->flags;
	u->context = ctx->name ? ctx->name : "";
	u->rule = ctx->rule;
	if (p->flat) {
		u->flags = (flags & (CSS_URL_STRING | CSS_URL_UNTERMINATED)) |
		           CSS_URL_FLAT;
		u->context = "";
		u->rule = CSS_NO_RULE;
	}
	if (u->rule != CSS_NO_RULE)
		sh->rules[u->rule].nurls++;
}

bool css_may_hold_url(const char *data, size_t len)
{
	return memchr(data, '(', len) != NULL || memchr(data, '@', len) != NULL;
}

static void pend_finish(struct parser *p, uint64_t end, unsigned flags)
{
	struct css_span whole = {p->pend_start, end};

	if (p->pend_have)
		add_url(p, &p->pend_ctx, p->pend_url, p->pend_len, p->pend_span,
		        whole, CSS_URL_STRING | flags);
	p->pend = false;
}

/* The kind of the function or block that encloses the current token. */
static uint8_t enclosing(const struct parser *p)
{
	if (p->flat || p->depth == 0)
		return FK_PAREN;
	return p->stack[p->depth - 1];
}

static void scan(struct parser *p)
{
	const struct css_token *t = &p->tok;
	uint8_t k;

	switch (t->type) {
	case CSS_TOK_URL:
		add_url(p, &p->cur, t->value, t->value_len, t->value_span,
		        t->span, t->unterminated ? CSS_URL_UNTERMINATED : 0);
		break;
	case CSS_TOK_FUNCTION:
		/* The stack byte of this function is still at depth. */
		k = p->flat ? func_kind(t) : p->stack[p->depth];
		if (k == FK_URL || k == FK_SRC) {
			p->pend = true;
			p->pend_have = false;
			p->pend_depth = p->depth + 1;
			p->pend_start = t->span.start;
			p->pend_ctx = p->cur;
		}
		p->alpha = 0;
		break;
	case CSS_TOK_STRING:
		k = enclosing(p);
		if (p->pend && !p->pend_have &&
		    (p->flat || p->depth == p->pend_depth)) {
			p->pend_url = copy(p, t->value, t->value_len);
			p->pend_len = t->value_len;
			p->pend_span = t->value_span;
			p->pend_have = p->pend_url != NULL;
		} else if (k == FK_IMAGE_SET || k == FK_IMAGE ||
		           (k == FK_ALPHA && p->alpha == 2)) {
			add_url(
			    p, &p->cur, t->value, t->value_len, t->value_span,
			    t->span,
			    CSS_URL_STRING |
			        (t->unterminated ? CSS_URL_UNTERMINATED : 0));
		}
		p->alpha = 0;
		break;
	case CSS_TOK_IDENT:
		p->alpha = enclosing(p) == FK_ALPHA &&
		                   bs_span_ieq(t->value, t->value_len, "src")
		               ? 1
		               : 0;
		break;
	case CSS_TOK_DELIM:
		p->alpha = p->alpha == 1 && t->delim == '=' ? 2 : 0;
		break;
	case CSS_TOK_WHITESPACE:
		break;
	case CSS_TOK_RPAREN:
		if (p->pend &&
		    (p->flat || (p->closes && p->depth + 1 == p->pend_depth)))
			pend_finish(p, t->span.end, 0);
		p->alpha = 0;
		break;
	case CSS_TOK_EOF:
		if (p->pend)
			pend_finish(p, p->base + p->len, CSS_URL_UNTERMINATED);
		break;
	default:
		p->alpha = 0;
		break;
	}
}

static void advance(struct parser *p)
{
	scan(p);
	if (p->tok.type != CSS_TOK_EOF)
		fetch(p);
}

static bool stop(const struct parser *p)
{
	return p->flat || p->err || p->tok.type == CSS_TOK_EOF;
}

/* The token closes a block that encloses level. */
static bool below(const struct parser *p, unsigned level)
{
	return p->closes && p->depth < level;
}

/* --- rules ---------------------------------------------------------- */

static uint32_t rule_open(struct parser *p, enum css_rule_kind kind,
                          unsigned flags, const struct css_cond *cond,
                          uint64_t start)
{
	struct css_sheet *sh = p->sh;
	struct css_rule *r;

	if (kind != CSS_RULE_STYLE_ATTR) {
		if (p->budget->rules >= p->lim->css_rules) {
			limit_hit(p, "css-rules");
			return CSS_NO_RULE;
		}
		p->budget->rules++;
	}
	if (vec_grow((void **)&sh->rules, &sh->arules, sh->nrules,
	             sizeof(*r))) {
		oom(p);
		return CSS_NO_RULE;
	}
	r = &sh->rules[sh->nrules];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->flags = flags;
	r->index = (uint32_t)sh->nrules;
	r->at_name = "";
	r->prelude = "";
	r->cond = cond;
	r->span.start = r->span.end = start;
	r->prelude_span = r->span;
	return (uint32_t)sh->nrules++;
}

static void rule_prelude(struct parser *p, uint32_t r, uint64_t start,
                         uint64_t end)
{
	struct css_rule *rule;
	char *s;

	if (r == CSS_NO_RULE)
		return;
	if (end < start)
		end = start;
	s = copy(p, raw(p, start), (size_t)(end - start));
	rule = &p->sh->rules[r];
	if (s)
		rule->prelude = s;
	rule->prelude_len = s ? (size_t)(end - start) : 0;
	rule->prelude_span.start = start;
	rule->prelude_span.end = end;
}

/* Move the declarations collected since the marks into the rule. */
static void rule_close(struct parser *p, uint32_t r, size_t dmark, size_t vmark,
                       uint64_t end, bool unterminated)
{
	struct css_rule *rule;

	if (r != CSS_NO_RULE) {
		size_t nd = p->ndecls - dmark, nv = p->nvdecls - vmark;
		int ovf = 0;

		rule = &p->sh->rules[r];
		rule->span.end = end;
		if (unterminated)
			rule->flags |= CSS_RULE_UNTERMINATED;
		if (nd) {
			struct css_decl *d = bs_arena_alloc(
			    p->arena, bs_mul(nd, sizeof(*d), &ovf));

			if (d == NULL || ovf) {
				oom(p);
			} else {
				memcpy(d, p->decls + dmark, nd * sizeof(*d));
				rule->decls = d;
				rule->ndecls = nd;
			}
		}
		if (nv) {
			struct css_vdecl *v = bs_arena_alloc(
			    p->arena, bs_mul(nv, sizeof(*v), &ovf));

			if (v == NULL || ovf) {
				oom(p);
			} else {
				memcpy(v, p->vdecls + vmark, nv * sizeof(*v));
				rule->vdecls = v;
				rule->nvdecls = nv;
			}
		}
	}
	p->ndecls = dmark;
	p->nvdecls = vmark;
}

static void block_contents(struct parser *p, unsigned level, uint32_t r,
                           const struct css_cond *cond, unsigned flags,
                           bool font_face);
static void rule_list(struct parser *p, unsigned level,
                      const struct css_cond *cond, unsigned flags);

/* After a block's contents: consume its '}' and say where the rule ends. */
static uint64_t block_end(struct parser *p, unsigned level, bool *unterm)
{
	uint64_t end;

	if (!p->flat && p->tok.type == CSS_TOK_RBRACE && p->closes &&
	    p->depth == level) {
		end = p->tok.span.end;
		advance(p);
		*unterm = false;
		return end;
	}
	*unterm = true;
	return p->tok.type == CSS_TOK_EOF ? p->base + p->len
	                                  : p->tok.span.start;
}

static void parse_selectors(struct parser *p, uint32_t r)
{
	struct css_rule *rule = &p->sh->rules[r];
	const struct css_selectors *sel = NULL;
	const char *why = NULL;
	size_t left = 0, used = 0;
	int rc;

	if (p->budget->selectors < p->lim->css_selectors)
		left = p->lim->css_selectors - p->budget->selectors;
	rc = css_sel_parse(&sel, rule->prelude, rule->prelude_len, p->arena,
	                   &used, left, p->lim->css_depth, &why);
	p->budget->selectors += used;
	rule = &p->sh->rules[r];
	if (rc == BS_ENOMEM) {
		oom(p);
	} else if (rc == BS_ELIMIT) {
		limit_hit(p, why);
		rule->flags |= CSS_RULE_LIMITED;
	} else if (sel == NULL) {
		rule->flags |= CSS_RULE_BAD_SELECTOR;
	}
	rule->selectors = sel;
}

/*
 * A qualified rule; pstart is where its prelude began when the caller
 * already consumed part of it (UINT64_MAX otherwise). nested: inside a
 * declaration block, where ';' ends it.
 */
static void qualified_rule(struct parser *p, unsigned level,
                           const struct css_cond *cond, unsigned flags,
                           bool nested, uint64_t pstart, uint64_t plast)
{
	struct urlctx save = p->cur;
	size_t dmark = p->ndecls, vmark = p->nvdecls;
	bool unterm;
	uint64_t end;
	uint32_t r;

	if (pstart == UINT64_MAX) {
		pstart = p->tok.span.start;
		plast = pstart;
	}
	p->cur.kind = CTX_STRAY;
	p->cur.name = "";
	p->cur.flags = (flags & ~(unsigned)CSS_URL_FONT_FACE) | CSS_URL_STRAY;
	p->cur.rule = CSS_NO_RULE;
	for (;;) {
		const struct css_token *t = &p->tok;

		if (stop(p) || below(p, level)) {
			p->cur = save;
			return;
		}
		if (p->depth == level) {
			if (t->type == CSS_TOK_SEMICOLON && nested) {
				advance(p);
				p->cur = save;
				return;
			}
			if (t->type == CSS_TOK_LBRACE)
				break;
		}
		if (t->type != CSS_TOK_WHITESPACE)
			plast = t->span.end;
		advance(p);
	}
	if (nested)
		flags |= CSS_URL_NESTED;
	r = rule_open(p, CSS_RULE_STYLE,
	              (flags & CSS_URL_NESTED) ? CSS_RULE_NESTED : 0, cond,
	              pstart);
	rule_prelude(p, r, pstart, plast);
	if (r != CSS_NO_RULE && !(flags & CSS_URL_NESTED) && !p->urls_only)
		parse_selectors(p, r);
	p->cur.kind = CTX_STRAY;
	p->cur.flags = flags | CSS_URL_STRAY;
	advance(p); /* '{' */
	block_contents(p, level + 1, r, cond, flags, false);
	end = block_end(p, level, &unterm);
	rule_close(p, r, dmark, vmark, end, unterm);
	p->cur = save;
}

static void put_vtok(struct css_vtok *v, const struct css_token *t,
                     unsigned rel)
{
	size_t i, n = 0;

	memset(v, 0, sizeof(*v));
	v->type = (uint8_t)t->type;
	v->depth = rel > 255 ? 255 : (uint8_t)rel;
	v->delim = t->delim;
	v->num = t->number;
	v->integer = t->integer;
	if (t->type == CSS_TOK_IDENT || t->type == CSS_TOK_FUNCTION ||
	    t->type == CSS_TOK_DIMENSION) {
		n = t->value_len;
		if (n >= sizeof(v->s)) {
			v->slen = 255; /* too long to be any keyword */
			return;
		}
		for (i = 0; i < n; i++)
			v->s[i] = bs_ascii_lower(t->value[i]);
		v->slen = (uint8_t)n;
	}
}

/* pos is at the ':' of a declaration whose name is in p->name. */
static void declaration(struct parser *p, unsigned level, uint32_t r,
                        uint64_t name_start, bool font_face)
{
	struct css_vtok vt[CSS_VTOK_MAX];
	size_t nv = 0, nv_bang = 0, n_urls = 0;
	bool overflow = false, overflow_bang = false, important;
	int imp = 0;
	uint64_t vstart, vend, vend_bang = 0, imp_end = 0;
	struct urlctx save = p->cur;
	const char *name = copy(p, p->name.data, p->name.len);
	size_t name_len = p->name.len;

	if (name == NULL)
		return;
	advance(p); /* ':' */
	p->cur.kind = CTX_DECL;
	p->cur.name = name;
	p->cur.flags &= ~(unsigned)CSS_URL_STRAY;
	p->cur.rule = r;
	if (font_face && strcmp(name, "src") == 0) {
		p->cur.name = ctx_font_src;
		p->cur.flags |= CSS_URL_FONT_FACE;
	}
	while (!stop(p) && p->tok.type == CSS_TOK_WHITESPACE)
		advance(p);
	vstart = vend =
	    p->tok.type == CSS_TOK_EOF ? p->base + p->len : p->tok.span.start;
	for (;;) {
		const struct css_token *t = &p->tok;
		unsigned rel;

		if (p->flat || p->err) {
			p->cur = save;
			return;
		}
		if (t->type == CSS_TOK_EOF || below(p, level) ||
		    (p->depth == level && t->type == CSS_TOK_SEMICOLON))
			break;
		if (t->type == CSS_TOK_WHITESPACE) {
			advance(p);
			continue;
		}
		rel = p->depth - level;
		if (rel == 0 && t->type == CSS_TOK_DELIM && t->delim == '!') {
			imp = 1;
			vend_bang = vend;
			nv_bang = nv;
			overflow_bang = overflow;
		} else if (imp == 1 && rel == 0 && t->type == CSS_TOK_IDENT &&
		           bs_span_ieq(t->value, t->value_len, "important")) {
			imp = 2;
			imp_end = t->span.end;
		} else {
			imp = 0;
		}
		if (t->type == CSS_TOK_URL)
			n_urls++;
		if (t->type == CSS_TOK_FUNCTION) {
			uint8_t k = p->stack[p->depth];

			if (k == FK_URL || k == FK_SRC || k == FK_IMAGE_SET ||
			    k == FK_IMAGE)
				n_urls++;
		}
		vend = t->span.end;
		if (nv < CSS_VTOK_MAX && !p->urls_only)
			put_vtok(&vt[nv++], t, rel);
		else
			overflow = true;
		advance(p);
	}
	important = imp == 2;
	if (important) {
		vend = vend_bang;
		nv = nv_bang;
		overflow = overflow_bang;
	}
	if (vend < vstart)
		vend = vstart;
	p->cur = save;
	if (r == CSS_NO_RULE || p->urls_only)
		return;
	if (p->budget->declarations >= p->lim->css_declarations) {
		limit_hit(p, "css-declarations");
		p->sh->rules[r].flags |= CSS_RULE_LIMITED;
		return;
	}
	{
		struct css_decl *d;
		struct css_vdecl vd[CSS_VDECL_MAX];
		size_t i, n;
		uint32_t idx = (uint32_t)(p->ndecls);

		if (vec_grow((void **)&p->decls, &p->adecls, p->ndecls,
		             sizeof(*d))) {
			oom(p);
			return;
		}
		d = &p->decls[p->ndecls];
		d->name = name;
		d->name_len = name_len;
		d->value = copy(p, raw(p, vstart), (size_t)(vend - vstart));
		if (d->value == NULL)
			return;
		d->value_len = (size_t)(vend - vstart);
		d->span.start = name_start;
		d->span.end = important ? imp_end : vend;
		d->value_span.start = vstart;
		d->value_span.end = vend;
		d->important = important;
		p->ndecls++;
		p->budget->declarations++;
		n = css_interpret(vd, name, name_len, vt, nv, overflow, n_urls,
		                  important, idx);
		for (i = 0; i < n; i++) {
			if (vec_grow((void **)&p->vdecls, &p->avdecls,
			             p->nvdecls, sizeof(vd[0]))) {
				oom(p);
				return;
			}
			p->vdecls[p->nvdecls++] = vd[i];
		}
	}
}

/* Lower-cased property name into p->name; false when out of memory. */
static bool take_name(struct parser *p, const struct css_token *t)
{
	size_t i;

	bs_buf_reset(&p->name);
	bs_buf_append(&p->name, t->value, t->value_len);
	if (bs_buf_error(&p->name)) {
		oom(p);
		return false;
	}
	for (i = 0; i < p->name.len; i++)
		p->name.data[i] = bs_ascii_lower(p->name.data[i]);
	return true;
}

/* Declarations are numbered within their block; the mark is the first. */
static void renumber(struct parser *p, size_t dmark, size_t vmark)
{
	size_t i;

	for (i = vmark; i < p->nvdecls; i++)
		p->vdecls[i].decl -= (uint32_t)dmark;
}

enum at_class {
	AT_IMPORT,
	AT_FONT_FACE,
	AT_GROUP,
	AT_OTHER,
};

static void at_rule(struct parser *p, unsigned level,
                    const struct css_cond *cond, unsigned flags, bool nested);

static void block_contents(struct parser *p, unsigned level, uint32_t r,
                           const struct css_cond *cond, unsigned flags,
                           bool font_face)
{
	size_t dmark = p->ndecls, vmark = p->nvdecls;
	struct urlctx save = p->cur;

	p->cur.kind = CTX_STRAY;
	p->cur.name = "";
	p->cur.flags = (flags & ~(unsigned)CSS_URL_FONT_FACE) | CSS_URL_STRAY;
	p->cur.rule = CSS_NO_RULE;
	for (;;) {
		const struct css_token *t = &p->tok;
		uint64_t start, last;

		if (stop(p) || below(p, level))
			break;
		switch (t->type) {
		case CSS_TOK_WHITESPACE:
		case CSS_TOK_SEMICOLON:
			advance(p);
			break;
		case CSS_TOK_AT_KEYWORD:
			at_rule(p, level, cond, flags | CSS_URL_NESTED, true);
			break;
		case CSS_TOK_IDENT:
			start = t->span.start;
			last = t->span.end;
			if (!take_name(p, t))
				return;
			advance(p);
			while (!stop(p) && p->tok.type == CSS_TOK_WHITESPACE)
				advance(p);
			if (!p->flat && p->tok.type == CSS_TOK_COLON &&
			    p->depth == level)
				declaration(p, level, r, start, font_face);
			else
				qualified_rule(p, level, cond,
				               flags | CSS_URL_NESTED, true,
				               start, last);
			break;
		default:
			qualified_rule(p, level, cond, flags | CSS_URL_NESTED,
			               true, UINT64_MAX, 0);
			break;
		}
	}
	renumber(p, dmark, vmark);
	p->cur = save;
}

static enum at_class classify_at(const char *n, enum css_cond_kind *ck)
{
	static const struct {
		const char *name;
		enum css_cond_kind kind;
	} groups[] = {
	    {"media", CSS_COND_MEDIA},
	    {"supports", CSS_COND_SUPPORTS},
	    {"document", CSS_COND_DOCUMENT},
	    {"-moz-document", CSS_COND_DOCUMENT},
	    {"layer", CSS_COND_LAYER},
	    {"container", CSS_COND_CONTAINER},
	    {"scope", CSS_COND_OTHER},
	};
	size_t i;

	if (strcmp(n, "import") == 0)
		return AT_IMPORT;
	if (strcmp(n, "font-face") == 0)
		return AT_FONT_FACE;
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(n, groups[i].name) == 0) {
			*ck = groups[i].kind;
			return AT_GROUP;
		}
	return AT_OTHER;
}

static void at_rule(struct parser *p, unsigned level,
                    const struct css_cond *cond, unsigned flags, bool nested)
{
	struct urlctx save = p->cur;
	enum css_cond_kind ck = CSS_COND_OTHER;
	enum at_class cls;
	size_t dmark = p->ndecls, vmark = p->nvdecls;
	uint64_t start = p->tok.span.start, pstart = UINT64_MAX, plast = 0;
	uint64_t end;
	uint32_t r = CSS_NO_RULE;
	bool first = true, block = false, unterm = false;
	const char *name;

	name = copy_lower(p, p->tok.value, p->tok.value_len);
	if (name == NULL)
		return;
	cls = classify_at(name, &ck);
	p->cur.kind = CTX_STRAY;
	p->cur.name = "";
	p->cur.flags = (flags & ~(unsigned)CSS_URL_FONT_FACE) | CSS_URL_STRAY;
	p->cur.rule = CSS_NO_RULE;
	if (cls != AT_GROUP) {
		r = rule_open(p,
		              cls == AT_IMPORT      ? CSS_RULE_IMPORT
		              : cls == AT_FONT_FACE ? CSS_RULE_FONT_FACE
		                                    : CSS_RULE_AT,
		              nested ? CSS_RULE_NESTED : 0, cond, start);
		if (r != CSS_NO_RULE)
			p->sh->rules[r].at_name = name;
		p->cur.rule = r;
	}
	if (cls == AT_IMPORT) {
		p->cur.kind = CTX_IMPORT;
		p->cur.name = ctx_import;
		p->cur.flags =
		    (flags & ~(unsigned)CSS_URL_FONT_FACE) | CSS_URL_IMPORT;
	} else if (strcmp(name, "namespace") == 0 || ck == CSS_COND_DOCUMENT) {
		p->cur.kind = CTX_NOFETCH;
		p->cur.name =
		    strcmp(name, "namespace") == 0 ? "@namespace" : "@document";
		p->cur.flags |= CSS_URL_NOFETCH;
		p->cur.flags &= ~(unsigned)CSS_URL_STRAY;
	}
	advance(p); /* the at-keyword */
	for (;;) {
		const struct css_token *t = &p->tok;

		if (p->flat || p->err) {
			p->cur = save;
			return;
		}
		if (t->type == CSS_TOK_EOF || below(p, level))
			break;
		if (p->depth == level && t->type == CSS_TOK_SEMICOLON) {
			advance(p);
			break;
		}
		if (p->depth == level && t->type == CSS_TOK_LBRACE) {
			block = true;
			break;
		}
		if (t->type != CSS_TOK_WHITESPACE) {
			if (pstart == UINT64_MAX)
				pstart = t->span.start;
			plast = t->span.end;
			if (first && cls == AT_IMPORT &&
			    t->type == CSS_TOK_STRING)
				add_url(p, &p->cur, t->value, t->value_len,
				        t->value_span, t->span,
				        CSS_URL_STRING |
				            (t->unterminated
				                 ? CSS_URL_UNTERMINATED
				                 : 0));
			first = false;
		}
		advance(p);
	}
	if (pstart == UINT64_MAX)
		pstart = plast = p->tok.span.start;
	rule_prelude(p, r, pstart, plast);
	p->cur.kind = CTX_STRAY;
	p->cur.name = "";
	p->cur.flags = (flags & ~(unsigned)CSS_URL_FONT_FACE) | CSS_URL_STRAY;
	if (!block) {
		if (cls == AT_GROUP) {
			/* "@layer a, b;": a statement, kept as a plain
			 * at-rule. */
			r = rule_open(p, CSS_RULE_AT,
			              nested ? CSS_RULE_NESTED : 0, cond,
			              start);
			if (r != CSS_NO_RULE)
				p->sh->rules[r].at_name = name;
			rule_prelude(p, r, pstart, plast);
		}
		end = plast > start ? plast : p->tok.span.start;
		rule_close(p, r, dmark, vmark, end, false);
		p->cur = save;
		return;
	}
	advance(p); /* '{' */
	if (cls == AT_GROUP) {
		struct css_cond *c = bs_arena_zalloc(p->arena, sizeof(*c));

		if (c == NULL) {
			oom(p);
			p->cur = save;
			return;
		}
		c->kind = ck;
		c->name = name;
		c->text = copy(p, raw(p, pstart), (size_t)(plast - pstart));
		c->text_len = c->text ? (size_t)(plast - pstart) : 0;
		if (c->text == NULL)
			c->text = "";
		c->parent = cond;
		if (nested)
			block_contents(p, level + 1, CSS_NO_RULE, c,
			               flags | CSS_URL_CONDITIONAL, false);
		else
			rule_list(p, level + 1, c, flags | CSS_URL_CONDITIONAL);
	} else if (cls == AT_FONT_FACE) {
		block_contents(p, level + 1, r, cond, flags, true);
	} else {
		block_contents(p, level + 1, r, cond, flags | CSS_URL_NESTED,
		               false);
	}
	end = block_end(p, level, &unterm);
	rule_close(p, r, dmark, vmark, end, unterm);
	p->cur = save;
}

static void rule_list(struct parser *p, unsigned level,
                      const struct css_cond *cond, unsigned flags)
{
	for (;;) {
		const struct css_token *t = &p->tok;

		if (stop(p) || below(p, level))
			return;
		switch (t->type) {
		case CSS_TOK_WHITESPACE:
		case CSS_TOK_CDO:
		case CSS_TOK_CDC:
			advance(p);
			break;
		case CSS_TOK_AT_KEYWORD:
			at_rule(p, level, cond, flags, false);
			break;
		default:
			qualified_rule(p, level, cond, flags, false, UINT64_MAX,
			               0);
			break;
		}
	}
}

/* --- entry points --------------------------------------------------- */

void css_sheet_free(struct css_sheet **sp)
{
	struct css_sheet *s;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	bs_arena_free(&s->arena);
	bs_free(s->rules);
	bs_free(s->urls);
	bs_free(s);
	*sp = NULL;
}

static int parse(struct css_sheet **out, const char *data, size_t len,
                 uint64_t base, const struct css_options *opt, bool style)
{
	struct parser p;
	struct css_sheet *sh = NULL;
	int rc = 0;

	if (out == NULL)
		return BS_EINVAL;
	*out = NULL;
	if (data == NULL && len)
		return BS_EINVAL;
	memset(&p, 0, sizeof(p));
	p.data = data;
	p.len = len;
	p.base = base;
	p.lim = css_limits(opt ? opt->limits : NULL, &p.lim_store);
	p.problems = opt ? opt->problems : NULL;
	p.budget = opt && opt->budget ? opt->budget : &p.own_budget;
	p.urls_only = opt && opt->urls_only;
	bs_buf_init(&p.name, (size_t)-1);
	css_tok_init(&p.tk, data, len, base);
	p.cur.kind = CTX_STRAY;
	p.cur.name = "";
	p.cur.flags = CSS_URL_STRAY;
	p.cur.rule = CSS_NO_RULE;
	sh = bs_calloc(1, sizeof(*sh));
	p.stack = bs_malloc(p.lim->css_depth ? p.lim->css_depth : 1);
	if (sh == NULL || p.stack == NULL)
		goto nomem;
	sh->arena = bs_arena_new((size_t)-1);
	if (sh->arena == NULL)
		goto nomem;
	p.sh = sh;
	p.arena = sh->arena;
	fetch(&p);
	if (style) {
		uint32_t r = rule_open(&p, CSS_RULE_STYLE_ATTR, 0, NULL, base);

		if (r != CSS_NO_RULE)
			rule_prelude(&p, r, base, base);
		block_contents(&p, 0, r, NULL, 0, false);
		rule_close(&p, r, 0, 0, base + len, false);
	} else {
		rule_list(&p, 0, NULL, 0);
	}
	/* Whatever is left (after a limit) is only scanned for URLs. */
	while (!p.err && p.tok.type != CSS_TOK_EOF)
		advance(&p);
	if (!p.err)
		scan(&p);
	if (p.err)
		goto nomem;
	*out = sh;
	sh = NULL;
	goto out;
nomem:
	rc = BS_ENOMEM;
out:
	css_sheet_free(&sh);
	bs_free(p.stack);
	bs_free(p.decls);
	bs_free(p.vdecls);
	bs_buf_release(&p.name);
	css_tok_release(&p.tk);
	return rc;
}

int css_sheet_parse(struct css_sheet **out, const char *data, size_t len,
                    uint64_t base, const struct css_options *opt)
{
	return parse(out, data, len, base, opt, false);
}

int css_style_parse(struct css_sheet **out, const char *data, size_t len,
                    uint64_t base, const struct css_options *opt)
{
	return parse(out, data, len, base, opt, true);
}

const struct css_rule *css_sheet_rules(const struct css_sheet *s, size_t *n)
{
	*n = s ? s->nrules : 0;
	return s ? s->rules : NULL;
}

const struct css_url *css_sheet_urls(const struct css_sheet *s, size_t *n)
{
	*n = s ? s->nurls : 0;
	return s ? s->urls : NULL;
}
