/*
 * message.c - the MIME walk: header blocks, boundaries, message/rfc822,
 * and the documents found on the way.
 *
 * One recursive function, parse_entity(), handles every entity; it is the
 * only place that counts depth (multipart and message/rfc822 alike) and
 * parts. Boundaries of all enclosing multiparts sit on one stack, so a
 * part ends at the first line that closes it or any ancestor (RFC 2046:
 * a missing close delimiter is repaired by the parent's next delimiter),
 * and the whole message is read once: linear in its length times the
 * number of boundaries that have the length of a given "--" line.
 *
 * Leniency, as mail clients (and the corpus' reference parser) show mail:
 *   - a delimiter line is "--" boundary then blanks, nothing else (a
 *     prefix match would confuse "=_Part_1" with "=_Part_10"); a close
 *     delimiter is "--" boundary "--" and anything after;
 *   - a header line that is not a field is skipped ("mime:bad-header-line")
 *     unless the field before it ends with ';', then it continues that field
 *     (Exchange writes unindented "boundary=..." lines;
 *     "mime:unindented-continuation");
 *   - a header block ended by a boundary line is a part without a body;
 *   - Content-Type without ';' before its parameters still yields them;
 *   - an unknown Content-Transfer-Encoding is taken as 8bit, and a
 *     transfer encoding on a multipart is ignored;
 *   - a message/rfc822 part in base64 or quoted-printable is decoded and
 *     walked (its documents are then not spliceable);
 *   - an mbox "From " line at the top of a message is skipped.
 */
#include <string.h>

#include <gmime/gmime.h>

#include "mime/mime_int.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/str.h"

/* Recursion bound whatever limits.mime_depth says (stack safety). */
#define MIME_DEPTH_HARD_MAX 1024
#define MIME_PATH_MAX       8192

struct mime_layer {
	const char *p;
	size_t len;
	const struct mime_layer *parent;
	size_t body_off; /* offset in parent of the encoded body */
	struct xfer_map map;
	char *owned;
	struct mime_span outer_header; /* outermost encoded part, original */
	struct mime_span outer_body;
	struct mime_layer *next;
};

struct mime_doc {
	struct mime_doc_info info;
	const struct mime_layer *layer;
	size_t body_off; /* within layer */
	struct xfer_map xf;
	struct cs_map cs;
	char *xf_owned;
	char *text_owned;
};

struct mime_message {
	char *raw;
	size_t len;
	struct bs_arena *arena;
	struct bs_limits lim;
	struct bs_problems *pb;
	struct mime_layer root;
	struct mime_layer *layers;
	size_t layered_bytes;
	struct mime_header *hdr;
	size_t n_hdr;
	size_t cap_hdr;
	struct mime_span block;
	struct mime_info info;
	struct mime_address *to, *cc, *from;
	size_t cap_to, cap_cc, n_from, cap_from;
	struct mime_doc **docs;
	size_t n_docs;
	size_t cap_docs;
};

struct bnd {
	const char *s;
	size_t len;
};

/* Where an entity's content stops: a boundary line or the end. */
struct stop {
	size_t line; /* start of the boundary line (len at the end) */
	size_t end;  /* end of the content, the line ending before excluded */
	size_t next; /* first byte after the boundary line */
	int level;   /* index on the boundary stack, -1 at the end */
	bool close;  /* "--boundary--" */
};

struct walk {
	struct mime_message *m;
	const struct bs_limits *lim;
	struct bs_problems *pb;
	struct bnd *stack;
	unsigned nb;   /* boundaries on the stack */
	unsigned base; /* first one that applies in the current layer */
	unsigned depth_max;
	unsigned parts;
	unsigned n_html;
	unsigned n_plain;
	bool stop; /* mime_parts reached: the walk ends */
	int err;
	size_t plen;
	char path[MIME_PATH_MAX];
};

struct part_hdr {
	struct mime_span block; /* first header byte to the blank line */
	size_t body;
	bool by_boundary; /* the header block met a boundary line */
	bool eof;         /* the header block met the end */
	bool have_ct, have_ct2, have_cd, have_cte;
	struct mime_span ct, ct2, cd, cte; /* values; ct2: a second one */
	struct mime_span cte_field;
	unsigned nfields;
};

struct ctype {
	char mime[96]; /* lower-case type/subtype, "" when absent */
	const char *boundary;
	size_t blen;
	const char *alt_boundary; /* of a second Content-Type field */
	const char *charset;
};

enum deftype {
	DEF_TEXT,
	DEF_RFC822,
};

/* ---- lines and boundaries ---- */

/* End of the line at pos without its line ending; *next after it. */
static size_t line_end(const struct mime_layer *L, size_t pos, size_t *next)
{
	const char *nl = memchr(L->p + pos, '\n', L->len - pos);
	size_t e;

	if (nl == NULL) {
		*next = L->len;
		return L->len;
	}
	e = (size_t)(nl - L->p);
	*next = e + 1;
	if (e > pos && L->p[e - 1] == '\r')
		e--;
	return e;
}

static int match_boundary(const struct walk *w, const char *s, size_t n,
                          bool *close)
{
	unsigned i;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (i = w->nb; i-- > w->base;) {
		const struct bnd *b = &w->stack[i];

		if (n == b->len + 2 && memcmp(s + 2, b->s, b->len) == 0) {
			*close = false;
			return (int)i;
		}
		/* A close delimiter may carry junk after its "--"
		 * ("--b-->"), as GMime and Thunderbird accept. */
		if (n >= b->len + 4 && memcmp(s + 2, b->s, b->len) == 0 &&
		    s[b->len + 2] == '-' && s[b->len + 3] == '-') {
			*close = true;
			return (int)i;
		}
	}
	return -1;
}

static void st_eof(struct stop *st, const struct mime_layer *L)
{
	st->line = st->end = st->next = L->len;
	st->level = -1;
	st->close = false;
}

/* The line ending just before line start ls, not going below floor. */
static size_t before_eol(const struct mime_layer *L, size_t ls, size_t floor)
{
	if (ls > floor && L->p[ls - 1] == '\n') {
		ls--;
		if (ls > floor && L->p[ls - 1] == '\r')
			ls--;
	}
	return ls;
}

/* Is the line [ls, le) a boundary? Fills st. */
static bool boundary_line(const struct walk *w, const struct mime_layer *L,
                          size_t ls, size_t le, size_t next, size_t floor,
                          struct stop *st)
{
	bool close;
	int lvl;

	if (w->nb == w->base || le - ls < 3 || L->p[ls] != '-' ||
	    L->p[ls + 1] != '-')
		return false;
	lvl = match_boundary(w, L->p + ls, le - ls, &close);
	if (lvl < 0)
		return false;
	st->line = ls;
	st->end = before_eol(L, ls, floor);
	st->next = next;
	st->level = lvl;
	st->close = close;
	return true;
}

/* Scan lines from pos (a line start) for a boundary of the stack. */
static void scan_to_boundary(const struct walk *w, const struct mime_layer *L,
                             size_t pos, struct stop *st)
{
	size_t ls = pos, le, next;

	if (w->nb > w->base) {
		while (ls < L->len) {
			le = line_end(L, ls, &next);
			if (boundary_line(w, L, ls, le, next, pos, st))
				return;
			ls = next;
		}
	}
	st_eof(st, L);
}

/* ---- header blocks ---- */

static bool name_char(unsigned char c)
{
	return c > ' ' && c < 0x7F && c != ':';
}

/* Offset of the colon of a field line, 0 when it is not a field. */
static size_t field_colon(const char *s, size_t n, size_t *name_end)
{
	size_t i = 0;

	while (i < n && name_char((unsigned char)s[i]))
		i++;
	*name_end = i;
	if (i == 0)
		return 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return (i < n && s[i] == ':') ? i : 0;
}

struct hfield {
	bool open;
	size_t start, name_end, colon, vend, end;
};

static bool has_8bit(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

static int push_header(struct mime_message *m, const struct mime_header *h)
{
	struct mime_header *v;
	size_t cap;
	int ovf = 0;

	if (m->n_hdr == m->cap_hdr) {
		cap = m->cap_hdr ? m->cap_hdr * 2 : 32;
		v = bs_realloc(m->hdr, bs_mul(cap, sizeof(*v), &ovf));
		if (v == NULL || ovf)
			return BS_ENOMEM;
		m->hdr = v;
		m->cap_hdr = cap;
	}
	m->hdr[m->n_hdr++] = *h;
	return 0;
}

static void field_done(struct walk *w, const struct mime_layer *L,
                       struct hfield *f, struct part_hdr *ph, bool top)
{
	struct mime_header h;
	const char *name;
	size_t nlen;

	if (!f->open)
		return;
	f->open = false;
	if (ph->nfields++ >= w->lim->headers) {
		bs_problems_add(w->pb, "limit", "headers");
		return;
	}
	name = L->p + f->start;
	nlen = f->name_end - f->start;
	h.field.off = f->start;
	h.field.len = f->end - f->start;
	h.name.off = f->start;
	h.name.len = nlen;
	h.value.off = f->colon + 1;
	h.value.len = f->vend - (f->colon + 1);
	if (h.field.len > w->lim->header_bytes)
		bs_problems_add(w->pb, "limit", "header-bytes");
	if (has_8bit(L->p + h.value.off, h.value.len))
		bs_problems_add(w->pb, "mime", "8bit-header");
	if (bs_span_ieq(name, nlen, "content-type")) {
		if (!ph->have_ct) {
			ph->have_ct = true;
			ph->ct = h.value;
		} else if (!ph->have_ct2) {
			ph->have_ct2 = true;
			ph->ct2 = h.value;
		}
	} else if (!ph->have_cd &&
	           bs_span_ieq(name, nlen, "content-disposition")) {
		ph->have_cd = true;
		ph->cd = h.value;
	} else if (!ph->have_cte &&
	           bs_span_ieq(name, nlen, "content-transfer-encoding")) {
		ph->have_cte = true;
		ph->cte = h.value;
		ph->cte_field = h.field;
	}
	if (top && w->err == 0)
		w->err = push_header(w->m, &h);
}

static bool ends_with_semicolon(const struct mime_layer *L,
                                const struct hfield *f)
{
	size_t e = f->vend;

	while (e > f->colon + 1 && (L->p[e - 1] == ' ' || L->p[e - 1] == '\t'))
		e--;
	return e > f->colon + 1 && L->p[e - 1] == ';';
}

/*
 * Parse the header block at pos. Ends at a blank line (the body follows
 * it), at a boundary line of the stack (st is filled: no body), or at the
 * end of the layer.
 */
static void parse_headers(struct walk *w, const struct mime_layer *L,
                          size_t pos, bool top, struct part_hdr *ph,
                          struct stop *st)
{
	struct hfield f = {0};
	size_t ls = pos, le, next, colon, name_end;
	char c;

	memset(ph, 0, sizeof(*ph));
	ph->block.off = pos;
	ph->cte_field.off = pos;
	while (ls < L->len) {
		le = line_end(L, ls, &next);
		if (le == ls) {
			field_done(w, L, &f, ph, top);
			ph->block.len = ls - pos;
			ph->body = next;
			return;
		}
		c = L->p[ls];
		if (c == ' ' || c == '\t') {
			if (f.open) {
				f.vend = le;
				f.end = next;
			} else {
				bs_problems_add(w->pb, "mime",
				                "bad-header-line");
			}
		} else if (boundary_line(w, L, ls, le, next, pos, st)) {
			field_done(w, L, &f, ph, top);
			ph->block.len = st->end - pos;
			ph->body = st->end;
			ph->by_boundary = true;
			return;
		} else if ((colon = field_colon(L->p + ls, le - ls,
		                                &name_end)) != 0) {
			field_done(w, L, &f, ph, top);
			f.open = true;
			f.start = ls;
			f.name_end = ls + name_end;
			f.colon = ls + colon;
			f.vend = le;
			f.end = next;
		} else if (f.open && ends_with_semicolon(L, &f)) {
			f.vend = le;
			f.end = next;
			bs_problems_add(w->pb, "mime",
			                "unindented-continuation");
		} else {
			field_done(w, L, &f, ph, top);
			bs_problems_add(w->pb, "mime", "bad-header-line");
		}
		ls = next;
	}
	field_done(w, L, &f, ph, top);
	ph->block.len = L->len - pos;
	ph->body = L->len;
	ph->eof = true;
	if (ph->block.len > 0)
		bs_problems_add(w->pb, "mime", "no-body-separator");
}

/* ---- field values ---- */

static bool token_char(unsigned char c)
{
	return bs_is_ascii_alpha(c) || bs_is_ascii_digit(c) ||
	       (c > ' ' && c < 0x7F && strchr("!#$%&'*+-.^_`{|}~", c));
}

static const char *skip_cfws(const char *p)
{
	int nest = 0;

	for (;;) {
		if (*p == ' ' || *p == '\t') {
			p++;
		} else if (*p == '(') {
			nest++;
			p++;
		} else if (nest > 0 && *p == ')') {
			nest--;
			p++;
		} else if (nest > 0 && *p != '\0') {
			p++;
		} else {
			return p;
		}
	}
}

static char *arena_param(struct walk *w, GMimeParamList *pl, const char *name)
{
	GMimeParam *pm = g_mime_param_list_get_parameter(pl, name);
	const char *v;
	char *r;

	if (pm == NULL || (v = g_mime_param_get_value(pm)) == NULL)
		return NULL;
	r = hdr_text_utf8(w->m->arena, v, strlen(v), w->lim->header_bytes,
	                  NULL);
	if (r == NULL)
		w->err = BS_ENOMEM;
	return r;
}

/*
 * "type/subtype; params" (or a disposition "token; params" when
 * want_slash is false): the lower-cased head into head, parameters parsed
 * by GMime (RFC 2231, quoted strings). Returns the list or NULL.
 */
static GMimeParamList *parse_typed(struct walk *w, const struct mime_layer *L,
                                   struct mime_span v, bool want_slash,
                                   char *head, size_t headsz,
                                   const char **textp)
{
	const char *p, *q;
	char *text;
	size_t n = 0;
	bool ok = true;

	head[0] = '\0';
	/* Raw bytes: a boundary must match the delimiter lines byte for
	 * byte; display strings are converted where they are taken. */
	text = hdr_unfold(w->m->arena, L->p + v.off, v.len,
	                  w->lim->header_bytes, NULL, NULL);
	if (textp)
		*textp = text;
	if (text == NULL) {
		w->err = BS_ENOMEM;
		return NULL;
	}
	p = skip_cfws(text);
	for (q = p; token_char((unsigned char)*q); q++)
		;
	if (q == p) {
		ok = false;
	} else if (want_slash) {
		const char *s = skip_cfws(q);
		const char *t;

		if (*s != '/') {
			ok = false;
		} else {
			s = skip_cfws(s + 1);
			for (t = s; token_char((unsigned char)*t); t++)
				;
			if (t == s) {
				ok = false;
			} else if ((size_t)(q - p) + (size_t)(t - s) + 2 <
			           headsz) {
				for (; p < q; p++)
					head[n++] = bs_ascii_lower(*p);
				head[n++] = '/';
				for (; s < t; s++)
					head[n++] = bs_ascii_lower(*s);
				head[n] = '\0';
			}
			q = t;
		}
	} else if ((size_t)(q - p) + 1 < headsz) {
		for (; p < q; p++)
			head[n++] = bs_ascii_lower(*p);
		head[n] = '\0';
	}
	if (!ok) {
		head[0] = '\0';
		bs_problems_add(w->pb, "mime",
		                want_slash ? "bad-content-type"
		                           : "bad-content-disposition");
		/* Parameters may still be there ("text plain; charset=x"). */
		q = strchr(text, ';');
		if (q == NULL)
			return NULL;
	}
	q = skip_cfws(q);
	if (*q == ';') {
		q++;
	} else if (*q != '\0') {
		if (ok)
			bs_problems_add(w->pb, "mime",
			                want_slash ? "bad-content-type"
			                           : "bad-content-disposition");
	}
	if (*skip_cfws(q) == '\0')
		return NULL;
	return g_mime_param_list_parse(hdr_gmime_options(), q);
}

/*
 * The boundary parameter, read from the raw field: GMime would turn 8-bit
 * bytes into UTF-8 (then no delimiter line matches), and loses an
 * unterminated quoted string (boundary="abc at the end of the field),
 * which clients still honour. GMime's value serves for RFC 2231 forms and
 * quoted pairs.
 */
static const char *boundary_param(struct walk *w, const char *text,
                                  GMimeParamList *pl)
{
	const char *p = text, *v, *e, *end = text ? text + strlen(text) : NULL;
	GMimeParam *pm;
	size_t n;

	while (text &&
	       (p = bs_span_ifind(p, (size_t)(end - p), "boundary", 8))) {
		v = p + 8;
		if (p > text && p[-1] != ';' && p[-1] != ' ' && p[-1] != '\t') {
			p = v;
			continue;
		}
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != '=') {
			p += 8;
			continue;
		}
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '"') {
			v++;
			for (e = v; *e && *e != '"'; e++)
				if (*e == '\\' && e[1])
					e++;
			n = (size_t)(e - v);
			if (*e == '\0')
				while (n > 0 &&
				       (v[n - 1] == ' ' || v[n - 1] == '\t'))
					n--;
		} else {
			for (e = v; *e && *e != ';' && *e != ' ' && *e != '\t';
			     e++)
				;
			n = (size_t)(e - v);
		}
		if (n > 0 && memchr(v, '\\', n) == NULL)
			return bs_arena_strndup(w->m->arena, v, n);
		break;
	}
	if (pl == NULL ||
	    (pm = g_mime_param_list_get_parameter(pl, "boundary")) == NULL ||
	    (v = g_mime_param_get_value(pm)) == NULL || v[0] == '\0')
		return NULL;
	return bs_arena_strndup(w->m->arena, v, strlen(v));
}

static void parse_ctype(struct walk *w, const struct mime_layer *L,
                        const struct part_hdr *ph, enum deftype def,
                        struct ctype *ct)
{
	GMimeParamList *pl = NULL;
	const char *text = NULL;
	char other[96];

	memset(ct, 0, sizeof(*ct));
	if (ph->have_ct)
		pl = parse_typed(w, L, ph->ct, true, ct->mime, sizeof(ct->mime),
		                 &text);
	if (ct->mime[0] == '\0')
		snprintf(ct->mime, sizeof(ct->mime), "%s",
		         def == DEF_RFC822 ? "message/rfc822" : "text/plain");
	if (strncmp(ct->mime, "multipart/", 10) == 0) {
		ct->boundary = boundary_param(w, text, pl);
		if (ct->boundary)
			ct->blen = strlen(ct->boundary);
	}
	if (pl) {
		ct->charset = arena_param(w, pl, "charset");
		g_object_unref(pl);
	}
	if (ph->have_ct2 && strncmp(ct->mime, "multipart/", 10) == 0) {
		pl = parse_typed(w, L, ph->ct2, true, other, sizeof(other),
		                 &text);
		ct->alt_boundary = boundary_param(w, text, pl);
		if (pl)
			g_object_unref(pl);
	}
}

static enum mime_cte parse_cte(struct walk *w, const struct mime_layer *L,
                               const struct part_hdr *ph, const char **name)
{
	char head[48];
	GMimeParamList *pl;

	*name = NULL;
	if (!ph->have_cte)
		return MIME_CTE_7BIT;
	pl = parse_typed(w, L, ph->cte, false, head, sizeof(head), NULL);
	if (pl)
		g_object_unref(pl);
	if (head[0] == '\0')
		return MIME_CTE_7BIT;
	*name = bs_arena_strndup(w->m->arena, head, strlen(head));
	if (strcmp(head, "7bit") == 0)
		return MIME_CTE_7BIT;
	if (strcmp(head, "8bit") == 0)
		return MIME_CTE_8BIT;
	if (strcmp(head, "binary") == 0)
		return MIME_CTE_BINARY;
	if (strcmp(head, "quoted-printable") == 0)
		return MIME_CTE_QP;
	if (strcmp(head, "base64") == 0)
		return MIME_CTE_BASE64;
	bs_problems_add(w->pb, "mime", "unknown-transfer-encoding");
	return MIME_CTE_UNKNOWN;
}

/* ---- paths ---- */

static void path_push(struct walk *w, unsigned n)
{
	int k;

	if (w->plen >= sizeof(w->path) - 16)
		return;
	k = snprintf(w->path + w->plen, sizeof(w->path) - w->plen,
	             w->plen ? ".%u" : "%u", n);
	if (k > 0)
		w->plen += (size_t)k;
}

static void path_set(struct walk *w, size_t len)
{
	w->plen = len;
	w->path[len] = '\0';
}

/* ---- documents ---- */

static size_t layer_raw(const struct mime_layer *L, size_t off)
{
	while (L->parent) {
		off = L->body_off + xfer_raw_offset(&L->map, off);
		L = L->parent;
	}
	return off;
}

static void doc_free(struct mime_doc *d)
{
	if (d == NULL)
		return;
	xfer_map_release(&d->xf);
	cs_map_release(&d->cs);
	bs_free(d->xf_owned);
	bs_free(d->text_owned);
	bs_free(d);
}

static int push_doc(struct mime_message *m, struct mime_doc *d)
{
	struct mime_doc **v;
	size_t cap;
	int ovf = 0;

	if (m->n_docs == m->cap_docs) {
		cap = m->cap_docs ? m->cap_docs * 2 : 4;
		v = bs_realloc(m->docs, bs_mul(cap, sizeof(*v), &ovf));
		if (v == NULL || ovf)
			return BS_ENOMEM;
		m->docs = v;
		m->cap_docs = cap;
	}
	m->docs[m->n_docs++] = d;
	return 0;
}

static void add_doc(struct walk *w, const struct mime_layer *L,
                    const struct part_hdr *ph, const struct ctype *ct,
                    size_t body, size_t body_end, unsigned depth,
                    unsigned rfc822)
{
	struct mime_message *m = w->m;
	struct mime_doc_info *in;
	struct mime_doc *d;
	struct cs_result cr;
	const char *t;
	size_t tlen;
	unsigned flags;
	char head[32];
	GMimeParamList *pl;
	bool html = strcmp(ct->mime, "text/html") == 0;
	int err;

	d = bs_calloc(1, sizeof(*d));
	if (d == NULL) {
		w->err = BS_ENOMEM;
		return;
	}
	in = &d->info;
	d->layer = L;
	d->body_off = body;
	in->kind = html ? MIME_DOC_HTML : MIME_DOC_PLAIN;
	in->index = html ? ++w->n_html : ++w->n_plain;
	in->path = bs_arena_strndup(m->arena, w->path, w->plen);
	in->content_type =
	    bs_arena_strndup(m->arena, ct->mime, strlen(ct->mime));
	in->charset_declared = ct->charset;
	in->cte = parse_cte(w, L, ph, &in->cte_name);
	in->depth = depth;
	in->rfc822_depth = rfc822;
	if (ph->have_cd) {
		pl = parse_typed(w, L, ph->cd, false, head, sizeof(head), NULL);
		if (head[0])
			in->disposition =
			    bs_arena_strndup(m->arena, head, strlen(head));
		if (pl) {
			in->filename = arena_param(w, pl, "filename");
			g_object_unref(pl);
		}
	}
	in->spliceable = L->parent == NULL;
	if (in->spliceable) {
		in->header = ph->block;
		in->body.off = body;
		in->body.len = body_end - body;
		in->cte_field = ph->cte_field;
	} else {
		in->header = L->outer_header;
		in->body = L->outer_body;
		in->cte_field.off = L->outer_header.off;
	}
	if (in->path == NULL || in->content_type == NULL || w->err) {
		err = BS_ENOMEM;
		goto fail;
	}
	err = xfer_decode(&d->xf, &d->xf_owned, &t, &tlen, L->p + body,
	                  body_end - body, in->cte, &flags);
	if (err)
		goto fail;
	if (flags & XFER_BAD_BASE64)
		bs_problems_add(w->pb, "mime", "bad-base64");
	if (flags & XFER_BAD_QP)
		bs_problems_add(w->pb, "mime", "bad-qp");
	err = cs_decode(&cr, &d->cs, t, tlen, ct->charset, html,
	                w->lim->html_bytes, w->pb);
	if (err)
		goto fail;
	d->text_owned = cr.owned;
	if (cr.owned && d->xf_owned) {
		/* The text is a new buffer: the intermediate goes. */
		bs_free(d->xf_owned);
		d->xf_owned = NULL;
	}
	in->text = cr.text;
	in->text_len = cr.len;
	in->truncated = cr.truncated;
	in->text_is_body = cr.text == t && cr.len == tlen;
	if (cr.truncated)
		bs_problems_add(w->pb, "limit", "html-bytes");
	in->charset_used = bs_arena_strndup(m->arena, cr.used, strlen(cr.used));
	if (in->charset_used == NULL) {
		err = BS_ENOMEM;
		goto fail;
	}
	if ((err = push_doc(m, d)) != 0)
		goto fail;
	return;
fail:
	doc_free(d);
	w->err = err;
}

/* ---- the walk ---- */

static void parse_entity(struct walk *w, const struct mime_layer *L, size_t pos,
                         unsigned depth, unsigned rfc822, bool msg_top,
                         enum deftype def, struct stop *st);

static void parse_multipart(struct walk *w, const struct mime_layer *L,
                            size_t body, const struct ctype *ct, unsigned depth,
                            unsigned rfc822, struct stop *st)
{
	unsigned k = w->nb, i = 0, c;
	bool digest = strcmp(ct->mime, "multipart/digest") == 0;
	size_t plen = w->plen;
	struct bnd cand[4];
	struct stop s;

	/*
	 * The boundary, then what clients fall back to when it never shows:
	 * delimiter lines written without the "--" (when the boundary itself
	 * starts with "--"), and the boundary of a second Content-Type.
	 */
	c = 0;
	cand[c].s = ct->boundary;
	cand[c++].len = ct->blen;
	if (ct->blen > 2 && memcmp(ct->boundary, "--", 2) == 0) {
		cand[c].s = ct->boundary + 2;
		cand[c++].len = ct->blen - 2;
	}
	if (ct->alt_boundary) {
		cand[c].s = ct->alt_boundary;
		cand[c++].len = strlen(ct->alt_boundary);
	}
	for (i = 0; i < c; i++) {
		w->stack[k] = cand[i];
		w->nb = k + 1;
		scan_to_boundary(w, L, body, &s);
		if (s.level == (int)k)
			break;
	}
	if (i == c) {
		bs_problems_add(w->pb, "mime", "boundary-not-found");
		w->nb = k;
		*st = s;
		return;
	}
	if (i > 0)
		bs_problems_add(w->pb, "mime", "fallback-boundary");
	i = 0;
	while (!s.close) {
		path_push(w, ++i);
		parse_entity(w, L, s.next, depth + 1, rfc822, false,
		             digest ? DEF_RFC822 : DEF_TEXT, &s);
		path_set(w, plen);
		if (w->stop || w->err) {
			w->nb = k;
			st_eof(st, L);
			return;
		}
		if (s.level != (int)k) {
			bs_problems_add(w->pb, "mime", "missing-end-boundary");
			if (s.level < 0)
				bs_problems_add(w->pb, "mime", "truncated");
			w->nb = k;
			*st = s;
			return;
		}
	}
	if (i == 0)
		bs_problems_add(w->pb, "mime", "empty-multipart");
	w->nb = k;
	scan_to_boundary(w, L, s.next, st); /* the epilogue */
}

static void free_layer(struct mime_layer *y)
{
	xfer_map_release(&y->map);
	bs_free(y->owned);
	bs_free(y);
}

/* A message/rfc822 part in base64 or QP: walk its decoded bytes. */
static void parse_encoded_message(struct walk *w, const struct mime_layer *L,
                                  const struct part_hdr *ph, enum mime_cte cte,
                                  unsigned depth, unsigned rfc822,
                                  struct stop *st)
{
	struct mime_message *m = w->m;
	struct mime_layer *y;
	struct stop inner;
	const char *out;
	size_t elen, olen;
	unsigned flags, base = w->base;
	int err;

	scan_to_boundary(w, L, ph->body, st);
	elen = st->end - ph->body;
	if (elen > w->lim->message_bytes - m->layered_bytes) {
		bs_problems_add(w->pb, "limit", "message-bytes");
		return;
	}
	y = bs_calloc(1, sizeof(*y));
	if (y == NULL) {
		w->err = BS_ENOMEM;
		return;
	}
	err = xfer_decode(&y->map, &y->owned, &out, &olen, L->p + ph->body,
	                  elen, cte, &flags);
	if (err) {
		bs_free(y);
		w->err = err;
		return;
	}
	if (flags & XFER_BAD_BASE64)
		bs_problems_add(w->pb, "mime", "bad-base64");
	if (flags & XFER_BAD_QP)
		bs_problems_add(w->pb, "mime", "bad-qp");
	y->p = out;
	y->len = olen;
	y->parent = L;
	y->body_off = ph->body;
	if (L->parent) {
		y->outer_header = L->outer_header;
		y->outer_body = L->outer_body;
	} else {
		y->outer_header = ph->block;
		y->outer_body.off = ph->body;
		y->outer_body.len = elen;
	}
	y->next = m->layers;
	m->layers = y;
	m->layered_bytes += elen;
	/* Boundaries outside do not apply inside the decoded bytes. */
	w->base = w->nb;
	parse_entity(w, y, 0, depth + 1, rfc822 + 1, true, DEF_TEXT, &inner);
	w->base = base;
}

static size_t skip_from_line(const struct mime_layer *L, size_t pos)
{
	size_t next;

	if (L->len - pos >= 5 && memcmp(L->p + pos, "From ", 5) == 0) {
		line_end(L, pos, &next);
		return next;
	}
	return pos;
}

static void parse_entity(struct walk *w, const struct mime_layer *L, size_t pos,
                         unsigned depth, unsigned rfc822, bool msg_top,
                         enum deftype def, struct stop *st)
{
	struct mime_message *m = w->m;
	struct part_hdr ph;
	struct ctype ct;
	size_t plen = w->plen;
	const char *cte_name;
	enum mime_cte cte;
	bool multi, msg, text, top;

	st_eof(st, L);
	if (w->stop || w->err)
		return;
	if (w->parts >= w->lim->mime_parts) {
		bs_problems_add(w->pb, "limit", "mime-parts");
		w->stop = true;
		return;
	}
	w->parts++;
	top = msg_top && L == &m->root && depth == 0;
	if (msg_top)
		pos = skip_from_line(L, pos);
	parse_headers(w, L, pos, top, &ph, st);
	if (top) {
		m->block.off = pos;
		m->block.len = ph.body - pos;
	}
	if (w->err)
		return;
	parse_ctype(w, L, &ph, def, &ct);
	if (w->err)
		return;
	multi = strncmp(ct.mime, "multipart/", 10) == 0;
	msg = strcmp(ct.mime, "message/rfc822") == 0 ||
	      strcmp(ct.mime, "message/global") == 0;
	text = strcmp(ct.mime, "text/html") == 0 ||
	       strcmp(ct.mime, "text/plain") == 0;
	if (msg_top && !(multi && ct.boundary))
		path_push(w, 1);
	if (ph.by_boundary || ph.eof) {
		/* No body at all: an empty document still counts. */
		if (text)
			add_doc(w, L, &ph, &ct, ph.body, ph.body, depth,
			        rfc822);
		path_set(w, plen);
		return;
	}
	if (multi && ct.boundary == NULL) {
		bs_problems_add(w->pb, "mime", "multipart-without-boundary");
	} else if ((multi || msg) && depth >= w->depth_max) {
		bs_problems_add(w->pb, "limit", "mime-depth");
	} else if (multi) {
		parse_multipart(w, L, ph.body, &ct, depth, rfc822, st);
		path_set(w, plen);
		return;
	} else if (msg) {
		cte = parse_cte(w, L, &ph, &cte_name);
		if (cte == MIME_CTE_QP || cte == MIME_CTE_BASE64)
			parse_encoded_message(w, L, &ph, cte, depth, rfc822,
			                      st);
		else
			parse_entity(w, L, ph.body, depth + 1, rfc822 + 1, true,
			             DEF_TEXT, st);
		path_set(w, plen);
		return;
	}
	scan_to_boundary(w, L, ph.body, st);
	if (text)
		add_doc(w, L, &ph, &ct, ph.body, st->end, depth, rfc822);
	path_set(w, plen);
}

/* ---- report headers ---- */

static const struct mime_header *find_header(const struct mime_message *m,
                                             const char *name, size_t nth)
{
	size_t i;

	for (i = 0; i < m->n_hdr; i++) {
		const struct mime_header *h = &m->hdr[i];

		if (bs_span_ieq(m->raw + h->name.off, h->name.len, name) &&
		    nth-- == 0)
			return h;
	}
	return NULL;
}

static const char *first_addr(struct mime_message *m, const char *name)
{
	const struct mime_header *h = find_header(m, name, 0);
	struct mime_address *v = NULL;
	size_t n = 0, cap = 0;
	const char *s;

	if (h == NULL)
		return NULL;
	if (hdr_decode_addresses(m->arena, &v, &n, &cap, m->raw + h->value.off,
	                         h->value.len, m->lim.header_bytes,
	                         NULL) == 0 &&
	    n > 0 && v[0].addr[0])
		return v[0].addr;
	s = hdr_decode_text(m->arena, m->raw + h->value.off, h->value.len,
	                    m->lim.header_bytes, NULL);
	return s;
}

static int all_addrs(struct mime_message *m, const char *name,
                     struct mime_address **v, size_t *n, size_t *cap)
{
	const struct mime_header *h;
	size_t i;
	int err;

	for (i = 0; (h = find_header(m, name, i)) != NULL; i++)
		if ((err = hdr_decode_addresses(
		         m->arena, v, n, cap, m->raw + h->value.off,
		         h->value.len, m->lim.header_bytes, m->pb)) != 0)
			return err;
	return 0;
}

static const char *const receipt_names[MIME_RECEIPT_COUNT] = {
    "Disposition-Notification-To",
    "Return-Receipt-To",
    "X-Confirm-Reading-To",
    "Read-Receipt-To",
};

const char *mime_receipt_header_name(unsigned bit)
{
	unsigned i;

	for (i = 0; i < MIME_RECEIPT_COUNT; i++)
		if (bit == 1u << i)
			return receipt_names[i];
	return NULL;
}

static int decode_info(struct mime_message *m)
{
	struct mime_info *in = &m->info;
	const struct mime_header *h;
	size_t nt = 0, nc = 0;
	unsigned i;
	int err;

	if ((h = find_header(m, "message-id", 0)) != NULL)
		in->message_id =
		    hdr_decode_msgid(m->arena, m->raw + h->value.off,
		                     h->value.len, m->lim.header_bytes);
	if ((h = find_header(m, "date", 0)) != NULL) {
		in->date_raw =
		    hdr_decode_text(m->arena, m->raw + h->value.off,
		                    h->value.len, m->lim.header_bytes, m->pb);
		in->date = hdr_decode_date(m->arena, m->raw + h->value.off,
		                           h->value.len, m->lim.header_bytes);
		if (in->date == NULL)
			bs_problems_add(m->pb, "mime", "bad-date");
	}
	if ((h = find_header(m, "subject", 0)) != NULL)
		in->subject =
		    hdr_decode_text(m->arena, m->raw + h->value.off,
		                    h->value.len, m->lim.header_bytes, m->pb);
	if ((h = find_header(m, "from", 0)) != NULL) {
		err = hdr_decode_addresses(m->arena, &m->from, &m->n_from,
		                           &m->cap_from, m->raw + h->value.off,
		                           h->value.len, m->lim.header_bytes,
		                           m->pb);
		if (err)
			return err;
		if (m->n_from > 0)
			in->from = &m->from[0];
	}
	if ((err = all_addrs(m, "to", &m->to, &nt, &m->cap_to)) != 0 ||
	    (err = all_addrs(m, "cc", &m->cc, &nc, &m->cap_cc)) != 0)
		return err;
	in->to = m->to;
	in->n_to = nt;
	in->cc = m->cc;
	in->n_cc = nc;
	in->delivered_to = first_addr(m, "delivered-to");
	in->x_original_to = first_addr(m, "x-original-to");
	for (i = 0; i < MIME_RECEIPT_COUNT; i++)
		if (find_header(m, receipt_names[i], 0))
			in->receipt |= 1u << i;
	return 0;
}

/* ---- public ---- */

/*
 * What a reader of a mailbox should hear about, beyond the leniency above:
 * input that is no message at all, or only part of one. A mail client
 * still shows what is there, and so does the walk; these only say so.
 *   - "mime:empty": nothing but blank lines (after an mbox From line);
 *   - "mime:no-header": not one header field at the top (a binary file,
 *     a document that is not mail);
 *   - "mime:truncated": the input ends in the middle of a header line (a
 *     multipart cut before its close delimiter says so in the walk).
 */
static void not_whole(const struct mime_message *m, struct bs_problems *pb)
{
	struct mime_span hb = mime_message_header_block(m);
	size_t i;

	for (i = skip_from_line(&m->root, 0); i < m->len; i++)
		if (m->raw[i] != '\r' && m->raw[i] != '\n' &&
		    m->raw[i] != ' ' && m->raw[i] != '\t')
			break;
	if (i == m->len) {
		bs_problems_add(pb, "mime", "empty");
		return;
	}
	if (mime_message_header_count(m) == 0) {
		bs_problems_add(pb, "mime", "no-header");
		return;
	}
	if (hb.off + hb.len == m->len && m->raw[m->len - 1] != '\n')
		bs_problems_add(pb, "mime", "truncated");
}

int mime_message_parse(struct mime_message **out, const char *bytes, size_t len,
                       const struct bs_limits *lim,
                       struct bs_problems *problems)
{
	struct mime_message *m = NULL;
	struct walk *w = NULL;
	struct stop st;
	size_t acap;
	int err = 0, ovf = 0;

	if (out == NULL || (bytes == NULL && len > 0))
		return BS_EINVAL;
	*out = NULL;
	if ((err = mime_global_init()) != 0)
		return err;
	m = bs_calloc(1, sizeof(*m));
	w = bs_calloc(1, sizeof(*w));
	if (m == NULL || w == NULL) {
		err = BS_ENOMEM;
		goto out;
	}
	if (lim)
		m->lim = *lim;
	else
		bs_limits_default(&m->lim);
	bs_limits_normalise(&m->lim);
	m->pb = problems;
	m->raw = bs_malloc(bs_add(len, 1, &ovf));
	/* Strings of the message: copies of header fields, each a few
	 * times at most (UTF-8 of 8-bit text is up to three times longer). */
	acap = bs_add(bs_mul(len, 8, &ovf), (size_t)16 << 20, &ovf);
	m->arena = bs_arena_new(ovf ? (size_t)-1 : acap);
	if (m->raw == NULL || m->arena == NULL || ovf) {
		err = BS_ENOMEM;
		goto out;
	}
	if (len)
		memcpy(m->raw, bytes, len);
	m->raw[len] = '\0';
	m->len = len;
	m->root.p = m->raw;
	m->root.len = len;

	w->m = m;
	w->lim = &m->lim;
	w->pb = problems;
	w->depth_max = m->lim.mime_depth < MIME_DEPTH_HARD_MAX
	                   ? m->lim.mime_depth
	                   : MIME_DEPTH_HARD_MAX;
	w->stack = bs_calloc((size_t)w->depth_max + 2, sizeof(*w->stack));
	if (w->stack == NULL) {
		err = BS_ENOMEM;
		goto out;
	}
	parse_entity(w, &m->root, 0, 0, 0, true, DEF_TEXT, &st);
	if ((err = w->err) != 0)
		goto out;
	not_whole(m, problems);
	if ((err = decode_info(m)) != 0)
		goto out;
	*out = m;
	m = NULL;
out:
	if (w)
		bs_free(w->stack);
	bs_free(w);
	mime_message_free(&m);
	return err;
}

void mime_message_free(struct mime_message **mp)
{
	struct mime_message *m;
	struct mime_layer *y, *n;
	size_t i;

	if (mp == NULL || *mp == NULL)
		return;
	m = *mp;
	for (i = 0; i < m->n_docs; i++)
		doc_free(m->docs[i]);
	bs_free(m->docs);
	for (y = m->layers; y; y = n) {
		n = y->next;
		free_layer(y);
	}
	bs_free(m->hdr);
	bs_arena_free(&m->arena);
	bs_free(m->raw);
	bs_free(m);
	*mp = NULL;
}

const char *mime_message_raw(const struct mime_message *m, size_t *len)
{
	if (len)
		*len = m->len;
	return m->raw;
}

const struct mime_info *mime_message_info(const struct mime_message *m)
{
	return &m->info;
}

size_t mime_message_header_count(const struct mime_message *m)
{
	return m->n_hdr;
}

const struct mime_header *mime_message_header_at(const struct mime_message *m,
                                                 size_t i)
{
	return i < m->n_hdr ? &m->hdr[i] : NULL;
}

struct mime_span mime_message_header_block(const struct mime_message *m)
{
	return m->block;
}

const char *mime_message_header(struct mime_message *m, const char *name,
                                size_t nth)
{
	const struct mime_header *h = find_header(m, name, nth);

	if (h == NULL)
		return NULL;
	return hdr_decode_text(m->arena, m->raw + h->value.off, h->value.len,
	                       m->lim.header_bytes, NULL);
}

size_t mime_message_doc_count(const struct mime_message *m)
{
	return m->n_docs;
}

const struct mime_doc *mime_message_doc(const struct mime_message *m, size_t i)
{
	return i < m->n_docs ? m->docs[i] : NULL;
}

const struct mime_doc_info *mime_doc_info(const struct mime_doc *d)
{
	return &d->info;
}

size_t mime_doc_raw_offset(const struct mime_doc *d, size_t off)
{
	size_t t, r;

	if (off > d->info.text_len)
		off = d->info.text_len;
	t = cs_source_offset(&d->cs, off);
	r = xfer_raw_offset(&d->xf, t);
	return layer_raw(d->layer, d->body_off + r);
}
