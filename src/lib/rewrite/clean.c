/*
 * clean.c - bs_clean: from a scan report to a cleaned message.
 *
 *   report (refs + verdicts + DOM) --policy--> actions per reference
 *     --> patch list per HTML document, in decoded-text offsets
 *     --> the part's bytes: patches moved to the charset's bytes where the
 *         map is exact (UTF-8, windows-1252), else the whole text through
 *         iconv; then the part's own transfer encoding
 *     --> patch list over the raw message (part bodies, headers)
 *     --> output, parsed again and compared document by document.
 * Any failure on the way gives the skipped form: the input with one
 * "X-Bugsweep: skipped; reason=..." header, which needs no allocation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bugsweep/bugsweep.h"
#include "css/css.h"
#include "detect/identity.h"
#include "detect/report.h"
#include "rewrite/rewrite.h"
#include "url/srcset.h"
#include "url/token.h"
#include "util/alloc.h"
#include "util/str.h"

#define HEAD_MAX   320
#define REASON_MAX 64
#define MAX_VENDOR 24

struct bs_clean {
	/* output: in[0, at) + head + (body ? body : in[at, in_len)) */
	const char *in;
	size_t in_len, at;
	char head[HEAD_MAX];
	size_t head_len;
	char *body;
	size_t body_len;

	const char *skipped;
	char reason[REASON_MAX];
	bool changed;
	size_t removed, blocked, proxied, links, receipts;
	struct bs_report *report;
};

enum act {
	ACT_KEEP,
	ACT_REMOVE, /* the reference goes: element, attribute or url() */
	ACT_BOX,    /* an image becomes a box with its alt text */
	ACT_URL,    /* the URL is replaced by another */
};

/* Edits of one attribute value, in offsets of its decoded value. */
struct attr_job {
	uint32_t node, attr;
	bool drop;       /* the whole attribute goes */
	bool reparse;    /* offsets unknown: find the URLs again */
	bool srcset;     /* rebuild candidate by candidate */
	size_t first, n; /* its edits in ctx.edits */
};

struct edit {
	size_t ref;   /* index in refs */
	size_t start; /* value-relative, when known */
	size_t end;
	enum act act;
	size_t off, len; /* new text (decoded) in ctx.text */
};

struct doc_ctx {
	const struct report_doc *rd;
	const struct mime_doc_info *di;
	struct rw_patches p; /* decoded-text offsets */
	size_t removed;      /* trackers neutralised in it */
	const char *eol;     /* the line ending its text uses */
	bool touched;
};

struct ctx {
	struct bs_clean *c;
	const struct bs_engine *e;
	const struct bs_clean_options *opt;
	struct bs_report *r;
	const char *raw;
	size_t raw_len;
	const char *eol;
	struct doc_ctx *docs;
	struct attr_job *jobs;
	size_t njobs, capjobs;
	struct edit *edits;
	size_t nedits, capedits;
	struct bs_buf text; /* new URLs and values of edits */
	struct bs_buf tmp;
	struct ident_set *ident;
	const char *vendors[MAX_VENDOR];
	size_t nvendors, more_vendors;
	const char *proxy_prefix;
	size_t proxy_prefix_len;
	/* URLs clean writes itself (token-free, proxied), as a client would
	 * request them: the only new beacons an output may hold */
	char **made;
	size_t nmade, capmade;
};

/* ---- output ---- */

static size_t cap_of(size_t n)
{
	/* A rewritten message never needs more than a few times its size:
	 * boxes and proxy URLs are bounded by the references limit. */
	return n * 4 + (8u << 20);
}

size_t rw_header_insert_offset(const char *msg, size_t len)
{
	const char *nl;

	if (len >= 5 && memcmp(msg, "From ", 5) == 0) {
		nl = memchr(msg, '\n', len);
		return nl ? (size_t)(nl - msg) + 1 : len;
	}
	return 0;
}

const char *rw_message_eol(const char *msg, size_t len)
{
	size_t at = rw_header_insert_offset(msg, len);
	const char *nl = memchr(msg + at, '\n', len - at);

	if (nl && nl > msg + at && nl[-1] == '\r')
		return "\r\n";
	if (nl == NULL && at > 1 && msg[at - 2] == '\r')
		return "\r\n";
	return "\n";
}

static void set_skip_head(struct bs_clean *c, const char *msg, size_t len,
                          const char *reason)
{
	int n;

	c->at = rw_header_insert_offset(msg, len);
	n = snprintf(c->head, sizeof(c->head),
	             "X-Bugsweep: skipped; reason=%s; version=%s%s", reason,
	             BUGSWEEP_VERSION, rw_message_eol(msg, len));
	c->head_len = n > 0 && (size_t)n < sizeof(c->head) ? (size_t)n : 0;
}

int bs_clean_write_skipped(bs_write_fn fn, void *ctx, const char *msg,
                           size_t len, const char *reason)
{
	struct bs_clean c;
	int rc;

	memset(&c, 0, sizeof(c));
	set_skip_head(&c, msg, len, reason);
	rc = fn(ctx, msg, c.at);
	if (rc == 0)
		rc = fn(ctx, c.head, c.head_len);
	if (rc == 0)
		rc = fn(ctx, msg + c.at, len - c.at);
	return rc;
}

int bs_clean_write(const struct bs_clean *c, bs_write_fn fn, void *ctx)
{
	int rc = 0;

	if (c->at)
		rc = fn(ctx, c->in, c->at);
	if (rc == 0 && c->head_len)
		rc = fn(ctx, c->head, c->head_len);
	if (rc == 0 && c->body)
		rc = fn(ctx, c->body, c->body_len);
	else if (rc == 0 && c->at < c->in_len)
		rc = fn(ctx, c->in + c->at, c->in_len - c->at);
	return rc;
}

size_t bs_clean_size(const struct bs_clean *c)
{
	return c->at + c->head_len +
	       (c->body ? c->body_len : c->in_len - c->at);
}

const char *bs_clean_skipped(const struct bs_clean *c)
{
	return c->skipped;
}

bool bs_clean_changed(const struct bs_clean *c)
{
	return c->changed;
}

size_t bs_clean_removed(const struct bs_clean *c)
{
	return c->removed;
}

size_t bs_clean_blocked(const struct bs_clean *c)
{
	return c->blocked;
}

size_t bs_clean_proxied(const struct bs_clean *c)
{
	return c->proxied;
}

size_t bs_clean_links(const struct bs_clean *c)
{
	return c->links;
}

size_t bs_clean_receipts(const struct bs_clean *c)
{
	return c->receipts;
}

const struct bs_report *bs_clean_report(const struct bs_clean *c)
{
	return c->report;
}

void bs_clean_free(struct bs_clean **cp)
{
	if (cp == NULL || *cp == NULL)
		return;
	bs_free((*cp)->body);
	bs_report_free(&(*cp)->report);
	bs_free(*cp);
	*cp = NULL;
}

/* ---- small helpers ---- */

static const char *body_eol(const char *b, size_t n, const char *dflt)
{
	const char *nl = memchr(b, '\n', n);

	if (nl == NULL)
		return dflt;
	return nl > b && nl[-1] == '\r' ? "\r\n" : "\n";
}

static bool has_field(const struct mime_message *m, const char *name)
{
	const char *raw;
	size_t i, len;

	raw = mime_message_raw(m, &len);
	for (i = 0; i < mime_message_header_count(m); i++) {
		const struct mime_header *h = mime_message_header_at(m, i);
		if (bs_span_ieq(raw + h->name.off, h->name.len, name))
			return true;
	}
	return false;
}

static bool value_exact(const char *doc, size_t doclen,
                        const struct html_attr *a)
{
	size_t n = (size_t)(a->value_span.end - a->value_span.start);

	return n == a->value_len && a->value_span.end <= doclen &&
	       memcmp(doc + a->value_span.start, a->value, n) == 0;
}

static bool is_html_el(const struct dom_node *n, enum html_tag t)
{
	return n->type == DOM_ELEMENT && n->ns == HTML_NS_HTML && n->tag == t;
}

/* An element we may replace byte for byte: a void element written as a
 * start tag of its own (not implied, not copied by the tree builder). */

/* ---- policy ---- */

/*
 * An element the tree builder made that copies a start tag of the source:
 * a formatting element re-created by "reconstruct the active formatting
 * elements" or the adoption agency. Its attributes are the original's and
 * are patched there. An implied <html> or <body> is not one: the
 * attributes a later <html>/<body> start tag adds to it are its own.
 */
static bool implied_copy(const struct dom_node *n)
{
	static const enum html_tag formatting[] = {
	    HTML_TAG_A,  HTML_TAG_B,     HTML_TAG_BIG,    HTML_TAG_CODE,
	    HTML_TAG_EM, HTML_TAG_FONT,  HTML_TAG_I,      HTML_TAG_NOBR,
	    HTML_TAG_S,  HTML_TAG_SMALL, HTML_TAG_STRIKE, HTML_TAG_STRONG,
	    HTML_TAG_TT, HTML_TAG_U};
	size_t i;

	if (!(n->flags & HTML_EL_IMPLIED) || n->ns != HTML_NS_HTML)
		return false;
	for (i = 0; i < sizeof(formatting) / sizeof(formatting[0]); i++)
		if (n->tag == formatting[i])
			return true;
	return false;
}

static bool is_boxable(const struct dom_node *n)
{
	const struct html_attr *t;

	if (is_html_el(n, HTML_TAG_IMG))
		return true;
	if (is_html_el(n, HTML_TAG_INPUT)) {
		t = dom_attr(n, "type");
		return t && bs_span_ieq(t->value, t->value_len, "image");
	}
	return false;
}

static int proxy_url(struct ctx *x, struct bs_buf *out, const char *href,
                     size_t hlen)
{
	const char *t = x->opt->proxy_template, *u = strstr(t, "{url}");

	bs_buf_append(out, t, (size_t)(u - t));
	rw_url_encode(out, href, hlen);
	bs_buf_puts(out, u + 5);
	return bs_buf_error(out);
}

static bool image_ext(const char *p, size_t n)
{
	static const char *const ext[] = {".png",  ".jpg", ".jpeg", ".gif",
	                                  ".webp", ".svg", ".bmp",  NULL};
	size_t i, l;

	for (i = 0; ext[i]; i++) {
		l = strlen(ext[i]);
		if (n > l && bs_span_ieq(p + n - l, l, ext[i]))
			return true;
	}
	return false;
}

/*
 * The URL of tracked content without its token, when that is safe: an
 * image file whose identifier is only in the query, no vendor service,
 * and the judge calls the URL without its query content.
 */
static int token_free(struct ctx *x, size_t ri, struct bs_buf *out, bool *ok)
{
	const struct ref *ref = &x->r->refs.v[ri];
	const struct verdict *v = &x->r->verdicts[ri];
	const char *href, *path, *q;
	size_t hlen, plen, qlen;
	struct ref_list one;
	struct verdict vv;
	struct judge_ctx jc;
	struct bs_url *u = NULL;
	int rc;

	*ok = false;
	if (v->vendor || !bs_url_has_query(ref->url) ||
	    bs_url_has_fragment(ref->url))
		return 0;
	path = bs_url_get(ref->url, BS_URL_PATH, &plen);
	if (!image_ext(path, plen))
		return 0;
	href = bs_url_href(ref->url, &hlen);
	q = bs_url_get(ref->url, BS_URL_QUERY, &qlen);
	/* the href up to its '?' */
	rc = bs_url_parse(&u, href, (size_t)(q - href) - 1, NULL, &x->e->limits,
	                  NULL);
	if (rc == BS_ENOMEM)
		return rc;
	if (rc)
		return 0;
	memset(&one, 0, sizeof(one));
	one.n = one.cap = 1;
	{
		struct ref copy = *ref;
		copy.url = u;
		one.v = &copy;
		memset(&jc, 0, sizeof(jc));
		jc.sigs = x->e->sigs;
		jc.ident = x->ident;
		jc.limits = &x->e->limits;
		jc.problems = NULL;
		rc = judge_message(&vv, &one, &jc);
	}
	if (rc == 0 && vv.label == BS_LABEL_CONTENT) {
		href = bs_url_href(u, &hlen);
		bs_buf_append(out, href, hlen);
		rc = bs_buf_error(out);
		*ok = rc == 0;
	}
	bs_url_free(&u);
	return rc;
}

static int recipients(struct ctx *x)
{
	const struct mime_info *mi = mime_message_info(x->r->msg);
	size_t i;
	int rc;

	rc = ident_set_new(&x->ident);
	if (rc)
		return rc;
	if (x->opt->recipient)
		return ident_set_add(x->ident, x->opt->recipient,
		                     strlen(x->opt->recipient));
	if (mi->delivered_to)
		rc = ident_set_add(x->ident, mi->delivered_to,
		                   strlen(mi->delivered_to));
	if (rc == 0 && mi->x_original_to)
		rc = ident_set_add(x->ident, mi->x_original_to,
		                   strlen(mi->x_original_to));
	for (i = 0; rc == 0 && i < mi->n_to; i++)
		rc = ident_set_add(x->ident, mi->to[i].addr,
		                   strlen(mi->to[i].addr));
	for (i = 0; rc == 0 && i < mi->n_cc; i++)
		rc = ident_set_add(x->ident, mi->cc[i].addr,
		                   strlen(mi->cc[i].addr));
	return rc;
}

static void note_vendor(struct ctx *x, const struct bs_beacon *b)
{
	const char *name = b->vendor ? b->vendor : b->site;
	size_t i;

	for (i = 0; i < x->nvendors; i++)
		if (strcmp(x->vendors[i], name) == 0)
			return;
	if (x->nvendors < MAX_VENDOR)
		x->vendors[x->nvendors++] = name;
	else
		x->more_vendors++;
}

static bool proxied_already(struct ctx *x, const struct ref *ref)
{
	return x->proxy_prefix &&
	       ((ref->raw_len >= x->proxy_prefix_len &&
	         memcmp(ref->raw, x->proxy_prefix, x->proxy_prefix_len) == 0));
}

/*
 * Beacons already proxied (by an earlier clean) are judged by the URL they
 * wrap, in the context of the whole message as the first clean judged
 * them, so that cleaning again finds exactly what it left.
 */
static int unproxy(struct ctx *x)
{
	const char *suffix = x->opt->proxy_template + x->proxy_prefix_len + 5;
	size_t sl = strlen(suffix), i, n = 0;
	struct ref_list *refs = &x->r->refs;
	struct judge_ctx jc;
	struct bs_buf d;
	int rc = 0;

	bs_buf_init(&d, x->e->limits.url_bytes * 4 + 64);
	for (i = 0; i < refs->n && rc == 0; i++) {
		struct ref *r = &refs->v[i];
		struct bs_url *u = NULL;
		size_t el;
		if ((r->flags & REF_LINK) || !proxied_already(x, r))
			continue;
		el = r->raw_len - x->proxy_prefix_len;
		if (sl && (el < sl ||
		           memcmp(r->raw + r->raw_len - sl, suffix, sl) != 0))
			continue;
		el -= sl;
		bs_buf_reset(&d);
		rc = bs_decode_percent(&d, r->raw + x->proxy_prefix_len, el,
		                       false);
		if (rc)
			break;
		if (bs_url_parse(&u, d.data, d.len, NULL, &x->e->limits,
		                 NULL) != 0)
			continue;
		bs_url_free(&r->url);
		r->url = u;
		n++;
	}
	bs_buf_release(&d);
	if (rc || n == 0)
		return rc;
	memset(&jc, 0, sizeof(jc));
	jc.sigs = x->e->sigs;
	jc.ident = x->ident;
	jc.limits = &x->e->limits;
	rc = judge_message(x->r->verdicts, refs, &jc);
	for (i = 0; rc == 0 && i < x->r->nbeacons; i++) {
		const struct verdict *v = &x->r->verdicts[x->r->beacon_ref[i]];
		x->r->beacons[i].label = v->label;
		x->r->beacons[i].vendor = v->vendor;
	}
	return rc;
}

/* What the policy does to beacon ri; a new URL goes to out. */
static int note_made(struct ctx *x, const char *u, size_t n)
{
	struct bs_url *url = NULL;
	const char *href;
	size_t hl;
	int rc;

	rc = bs_url_parse(&url, u, n, NULL, &x->e->limits, NULL);
	if (rc == BS_ENOMEM)
		return rc;
	if (rc)
		return 0; /* not a URL a client fetches: nothing to allow */
	if (x->nmade == x->capmade) {
		size_t nc = x->capmade ? x->capmade * 2 : 16;
		char **nm = bs_realloc(x->made, nc * sizeof(*nm));
		if (nm == NULL) {
			bs_url_free(&url);
			return BS_ENOMEM;
		}
		x->made = nm;
		x->capmade = nc;
	}
	href = bs_url_href(url, &hl);
	x->made[x->nmade] = bs_strndup(href, hl);
	bs_url_free(&url);
	if (x->made[x->nmade] == NULL)
		return BS_ENOMEM;
	x->nmade++;
	return 0;
}

static int decide(struct ctx *x, size_t ri, const struct bs_beacon *b,
                  enum act *act, struct bs_buf *out)
{
	const struct ref *ref = &x->r->refs.v[ri];
	enum bs_policy pol = x->opt->policy;
	const char *href;
	size_t hlen;
	bool ok = false;
	int rc = 0;

	*act = ACT_KEEP;
	if (b->label == BS_LABEL_PIXEL) {
		*act = ACT_REMOVE;
	} else if (b->label == BS_LABEL_TRACKED_CONTENT) {
		if (pol != BS_POLICY_REMOTE)
			rc = token_free(x, ri, out, &ok);
		if (rc)
			return rc;
		*act = ok ? ACT_URL : ACT_BOX;
		if (ok && pol == BS_POLICY_PROXY) {
			struct bs_buf t;
			bs_buf_init(&t, out->len + 1);
			bs_buf_append(&t, out->data, out->len);
			bs_buf_reset(out);
			rc = bs_buf_error(&t);
			if (rc == 0)
				rc = proxy_url(x, out, t.data, t.len);
			bs_buf_release(&t);
		}
	} else if (pol == BS_POLICY_REMOTE) {
		*act = ACT_BOX;
	} else if (pol == BS_POLICY_PROXY && !proxied_already(x, ref)) {
		href = bs_url_href(ref->url, &hlen);
		rc = proxy_url(x, out, href, hlen);
		*act = ACT_URL;
	}
	/* A refresh is never content worth a rewritten URL. */
	if (*act == ACT_URL && strcmp(ref->vector, "meta.refresh") == 0)
		*act = ACT_REMOVE;
	if (rc == 0 && *act == ACT_URL)
		rc = note_made(x, out->data, out->len);
	return rc;
}

/* ---- building the patches of one document ---- */

static int add_edit(struct ctx *x, uint32_t node, uint32_t attr, size_t ri,
                    size_t start, size_t end, enum act act, bool drop,
                    bool reparse, bool srcset, const char *t, size_t tl)
{
	struct attr_job *j = NULL;
	struct edit *ed;

	if (x->njobs && x->jobs[x->njobs - 1].node == node &&
	    x->jobs[x->njobs - 1].attr == attr)
		j = &x->jobs[x->njobs - 1];
	if (j == NULL) {
		if (x->njobs == x->capjobs) {
			size_t nc = x->capjobs ? x->capjobs * 2 : 16;
			struct attr_job *nv =
			    bs_realloc(x->jobs, nc * sizeof(*nv));
			if (nv == NULL)
				return BS_ENOMEM;
			x->jobs = nv;
			x->capjobs = nc;
		}
		j = &x->jobs[x->njobs++];
		memset(j, 0, sizeof(*j));
		j->node = node;
		j->attr = attr;
		j->first = x->nedits;
	}
	j->drop |= drop;
	j->reparse |= reparse;
	j->srcset |= srcset;
	if (x->nedits == x->capedits) {
		size_t nc = x->capedits ? x->capedits * 2 : 16;
		struct edit *nv = bs_realloc(x->edits, nc * sizeof(*nv));
		if (nv == NULL)
			return BS_ENOMEM;
		x->edits = nv;
		x->capedits = nc;
	}
	ed = &x->edits[x->nedits++];
	ed->ref = ri;
	ed->start = start;
	ed->end = end;
	ed->act = act;
	ed->off = x->text.len;
	ed->len = tl;
	bs_buf_append(&x->text, t, tl);
	j->n++;
	return bs_buf_error(&x->text);
}

/*
 * What replaces a url() (or a URL string) in CSS: url("new"), or, to drop
 * it, an empty data URL. Not "none": that is no image inside image-set()
 * or @font-face src, where it would void the whole declaration and take
 * the content URLs beside the tracker with it. An empty data URL is valid
 * wherever a URL is, and fetches nothing.
 */
static int css_replacement(struct bs_buf *o, enum act act, const char *u,
                           size_t n)
{
	size_t i;

	if (act != ACT_URL) {
		bs_buf_puts(o, "url(\"data:,\")");
		return bs_buf_error(o);
	}
	bs_buf_puts(o, "url(\"");
	for (i = 0; i < n; i++) {
		if (u[i] == '"' || u[i] == '\\' || u[i] == '<' ||
		    u[i] == '\n' || u[i] == '\r')
			bs_buf_printf(o, "\\%x ", (unsigned char)u[i]);
		else
			bs_buf_putc(o, u[i]);
	}
	bs_buf_puts(o, "\")");
	return bs_buf_error(o);
}

/*
 * An @import rule, or the src descriptor of an @font-face, that holds a
 * tracker: the bytes to cut, with the ';' after them (a stray ';' at the
 * top of a sheet would swallow the next rule). Parses the <style> again:
 * the scan keeps URLs, not rules.
 */
static int css_cut(struct ctx *x, struct doc_ctx *dc, const struct ref *ref,
                   size_t *cs, size_t *ce, bool *found)
{
	const struct html_dom *dom = dc->rd->dom;
	const struct dom_node *n = html_dom_node(dom, ref->node), *c;
	const char *doc = dc->di->text;
	size_t doclen = dc->di->text_len, nu, nr, i, k;
	uint64_t start = 0, end = 0;
	const struct css_url *u;
	const struct css_rule *rules;
	struct css_sheet *sh = NULL;
	struct css_options co;
	uint32_t ci;
	int rc;

	*found = false;
	for (ci = n->first_child; ci != DOM_NONE; ci = c->next) {
		c = html_dom_node(dom, ci);
		if (c->type != DOM_TEXT)
			continue;
		if (end == 0)
			start = c->span.start;
		end = c->span.end;
	}
	if (end <= start || end > doclen)
		return 0;
	memset(&co, 0, sizeof(co));
	co.limits = &x->e->limits;
	rc = css_sheet_parse(&sh, doc + start, (size_t)(end - start), start,
	                     &co);
	if (rc)
		return rc;
	u = css_sheet_urls(sh, &nu);
	rules = css_sheet_rules(sh, &nr);
	for (i = 0; i < nu && !*found; i++) {
		const struct css_rule *r;
		if (u[i].whole_span.start != ref->whole_span.start ||
		    u[i].whole_span.end != ref->whole_span.end ||
		    u[i].rule >= nr)
			continue;
		r = &rules[u[i].rule];
		if ((ref->flags & REF_IMPORT) && r->kind == CSS_RULE_IMPORT) {
			*cs = (size_t)r->span.start;
			*ce = (size_t)r->span.end;
			*found = true;
		}
		for (k = 0; (ref->flags & REF_FONT) &&
		            r->kind == CSS_RULE_FONT_FACE && k < r->ndecls;
		     k++) {
			const struct css_decl *d = &r->decls[k];
			if (d->value_span.start <= u[i].whole_span.start &&
			    d->value_span.end >= u[i].whole_span.end) {
				*cs = (size_t)d->span.start;
				*ce = (size_t)d->span.end;
				*found = true;
				break;
			}
		}
	}
	css_sheet_free(&sh);
	if (*found) {
		size_t e = *ce;
		while (e < end && (doc[e] == ' ' || doc[e] == '\t' ||
		                   doc[e] == '\n' || doc[e] == '\r'))
			e++;
		if (e < end && doc[e] == ';')
			*ce = e + 1;
		if (*cs > *ce || *cs < start || *ce > end)
			*found = false;
	}
	return 0;
}

static int apply_ref(struct ctx *x, struct doc_ctx *dc, size_t ri, enum act act,
                     const char *nu, size_t nul)
{
	const struct ref *ref = &x->r->refs.v[ri];
	const struct html_dom *dom = dc->rd->dom;
	const char *doc = dc->di->text;
	size_t doclen = dc->di->text_len;
	const struct dom_node *n;
	const struct html_attr *a = NULL;
	struct bs_buf *o = &x->tmp;
	int rc;

	bs_buf_reset(o);
	if (ref->flags & REF_NESTED)
		/* inside an iframe's srcdoc: the document goes whole */
		return add_edit(x, ref->node, ref->attr, ri, 0, 0, ACT_REMOVE,
		                true, false, false, NULL, 0);
	if ((ref->flags & REF_CSS) && ref->attr == UINT32_MAX) {
		/* a <style> sheet: raw text, exact offsets */
		/* An @import goes whole. (A font's src keeps its other
		 * sources: only the tracker's URL is emptied.) */
		if (act != ACT_URL && (ref->flags & REF_IMPORT) &&
		    ref->node != DOM_NONE) {
			size_t cs = 0, ce = 0;
			bool found;
			rc = css_cut(x, dc, ref, &cs, &ce, &found);
			if (rc || found)
				return rc ? rc
				          : rw_patches_add(&dc->p, cs, ce, NULL,
				                           0, RW_PATCH_COVER);
		}
		rc = css_replacement(o, act, nu, nul);
		if (rc == 0)
			rc = rw_patches_add(&dc->p, ref->whole_span.start,
			                    ref->whole_span.end, o->data,
			                    o->len, 0);
		return rc;
	}
	if (ref->node == DOM_NONE || ref->attr == UINT32_MAX)
		return BS_EINVAL;
	n = html_dom_node(dom, ref->node);
	a = &n->attrs[ref->attr];
	if (a->truncated)
		return BS_ELIMIT;
	if (implied_copy(n))
		return 0; /* its start tag is another element's: done there */

	/*
	 * An element is never taken out of the document: its absence can
	 * change how what follows is parsed (an <img> breaks out of <svg>,
	 * closes <head>, is foster-parented out of a table), and a tracker
	 * the original kept inert could come alive. Only the attribute that
	 * fetches goes: an <img> without src keeps its size and alt text,
	 * which browsers show in the box the image took (the "box" of
	 * tracked content); a <link> without href fetches nothing.
	 */
	if (ref->flags & REF_CSS) {
		bool exact = value_exact(doc, doclen, a) &&
		             ref->whole_span.start >= a->value_span.start &&
		             ref->whole_span.end <= a->value_span.end &&
		             !(ref->whole_span.start == a->value_span.start &&
		               ref->whole_span.end == a->value_span.end);
		rc = css_replacement(o, act, nu, nul);
		if (rc)
			return rc;
		return add_edit(
		    x, ref->node, ref->attr, ri,
		    exact ? ref->whole_span.start - a->value_span.start : 0,
		    exact ? ref->whole_span.end - a->value_span.start : 0, act,
		    false, !exact, false, o->data, o->len);
	}
	if (ref->flags & REF_SRCSET)
		return add_edit(x, ref->node, ref->attr, ri, 0, 0, act, false,
		                false, true, nu, act == ACT_URL ? nul : 0);
	if (act == ACT_URL)
		return add_edit(x, ref->node, ref->attr, ri, 0, a->value_len,
		                act, false, false, false, nu, nul);
	/* remove, or box: the attribute goes */
	return add_edit(x, ref->node, ref->attr, ri, 0, 0, act, true, false,
	                false, NULL, 0);
}

/* The text of an element's descendants, at most max bytes. */
static void node_text(const struct html_dom *dom, uint32_t e, struct bs_buf *o,
                      size_t max)
{
	const struct dom_node *top = html_dom_node(dom, e), *n;
	uint32_t i = top->first_child;

	while (i != DOM_NONE && o->len < max) {
		n = html_dom_node(dom, i);
		if (n->type == DOM_TEXT)
			bs_buf_append(o, n->name, n->name_len);
		else if (n->type == DOM_ELEMENT && is_boxable(n)) {
			const struct html_attr *alt = dom_attr(n, "alt");
			if (alt)
				bs_buf_append(o, alt->value, alt->value_len);
		}
		if (n->first_child != DOM_NONE) {
			i = n->first_child;
			continue;
		}
		while (i != DOM_NONE && i != e) {
			n = html_dom_node(dom, i);
			if (n->next != DOM_NONE) {
				i = n->next;
				break;
			}
			i = n->parent;
		}
		if (i == e)
			break;
	}
}

static int do_link(struct ctx *x, struct doc_ctx *dc, size_t ri)
{
	const struct ref *ref = &x->r->refs.v[ri];
	const struct dom_node *n;
	const struct html_attr *a;
	struct bs_buf nu, txt;
	bool changed = false;
	int rc = 0;

	if (ref->node == DOM_NONE || ref->attr == UINT32_MAX)
		return 0;
	n = html_dom_node(dc->rd->dom, ref->node);
	if (implied_copy(n))
		return 0;
	a = &n->attrs[ref->attr];
	bs_buf_init(&nu, a->value_len * 3 + 64);
	bs_buf_init(&txt, 1024);
	node_text(dc->rd->dom, ref->node, &txt, 512);
	if (txt.err == BS_ENOMEM || nu.err == BS_ENOMEM) {
		rc = BS_ENOMEM;
		goto out;
	}
	if (rw_link_one_click(a->value, a->value_len, txt.data, txt.len))
		goto out;
	if (x->opt->links == BS_LINKS_UNWRAP) {
		const char *href;
		size_t hlen;
		struct sig_match m;
		href = bs_url_href(ref->url, &hlen);
		if (sig_set_match(x->e->sigs, href, hlen, 1u << SIG_CLICK,
		                  &m) ||
		    rw_link_known_redirector(href, hlen)) {
			rc = rw_link_target(&nu, a->value, a->value_len,
			                    &changed);
			/* the target must itself be a web link */
			if (rc == 0 && changed) {
				struct bs_url *t = NULL;
				int pr = bs_url_parse(&t, nu.data, nu.len, NULL,
				                      &x->e->limits, NULL);
				if (pr == BS_ENOMEM)
					rc = pr;
				else if (pr || !bs_url_is_remote(t))
					changed = false;
				bs_url_free(&t);
				if (changed &&
				    rw_link_one_click(nu.data, nu.len, NULL, 0))
					changed = false;
			}
		}
	}
	if (rc == 0 && !changed) {
		bs_buf_reset(&nu);
		rc =
		    rw_link_strip_params(&nu, a->value, a->value_len, &changed);
	}
	if (rc == 0 && changed) {
		rc = add_edit(x, ref->node, ref->attr, ri, 0, a->value_len,
		              ACT_URL, false, false, false, nu.data, nu.len);
		x->c->links++;
		dc->touched = true;
	}
out:
	bs_buf_release(&nu);
	bs_buf_release(&txt);
	return rc;
}

/* Match edits without offsets to the URLs of a re-parsed value. */
struct item {
	size_t start, end;       /* what to replace */
	size_t url_off, url_len; /* the URL */
	size_t desc_off, desc_len;
};

static int reparse_items(struct ctx *x, const struct html_attr *a, bool srcset,
                         struct item **out, size_t *n)
{
	struct item *v = NULL;
	size_t i, k = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (srcset) {
		struct bs_srcset_candidate *c = NULL;
		size_t cn = 0;
		rc = bs_srcset_parse(&c, &cn, a->value, a->value_len,
		                     &x->e->limits, NULL);
		if (rc)
			return rc;
		v = bs_calloc(cn ? cn : 1, sizeof(*v));
		for (i = 0; v && i < cn; i++) {
			v[k].url_off = c[i].url_off;
			v[k].url_len = c[i].url_len;
			v[k].desc_off = c[i].desc_off;
			v[k].desc_len = c[i].desc_len;
			k++;
		}
		bs_srcset_free(&c);
	} else {
		struct css_sheet *s = NULL;
		struct css_options co;
		const struct css_url *u;
		size_t un;
		memset(&co, 0, sizeof(co));
		co.limits = &x->e->limits;
		rc = css_style_parse(&s, a->value, a->value_len, 0, &co);
		if (rc)
			return rc;
		u = css_sheet_urls(s, &un);
		v = bs_calloc(un ? un : 1, sizeof(*v));
		for (i = 0; v && i < un; i++) {
			if (u[i].flags & (CSS_URL_NOFETCH | CSS_URL_STRAY))
				continue;
			v[k].start = (size_t)u[i].whole_span.start;
			v[k].end = (size_t)u[i].whole_span.end;
			/* compare with the URL as the ref holds it */
			v[k].url_off = (size_t)u[i].url_span.start;
			v[k].url_len = u[i].url_len;
			v[k].desc_off = i; /* index into the sheet's urls */
			k++;
		}
		/* keep the URL strings: the sheet goes */
		if (v) {
			struct bs_buf *t = &x->tmp;
			bs_buf_reset(t);
			for (i = 0; i < k; i++) {
				const struct css_url *cu = &u[v[i].desc_off];
				v[i].url_off = t->len;
				bs_buf_append(t, cu->url, cu->url_len);
			}
			if (bs_buf_error(t)) {
				bs_free(v);
				v = NULL;
			}
		}
		css_sheet_free(&s);
	}
	if (v == NULL)
		return BS_ENOMEM;
	*out = v;
	*n = k;
	return 0;
}

/* Write one attribute job as a patch of the document. */
/*
 * Does the start tag of n name attribute a again after offset from?
 * Looks in the raw tag for the name standing as an attribute name: after
 * a blank, '/' or a quote, and before a blank, '=', '/' or '>'.
 */
static bool repeated_later(const char *doc, const struct dom_node *n,
                           size_t from, const struct html_attr *a)
{
	size_t end = (size_t)n->span.end, i;
	size_t l = (size_t)(a->name_span.end - a->name_span.start);
	const char *name = doc + a->name_span.start;

	if (l == 0 || from >= end)
		return false;
	for (i = from; i + l <= end; i++) {
		char b = doc[i - 1], e = i + l < end ? doc[i + l] : '>';
		if (!(b == ' ' || b == '\t' || b == '\n' || b == '\r' ||
		      b == '\f' || b == '/' || b == '"' || b == '\''))
			continue;
		if (!(e == ' ' || e == '\t' || e == '\n' || e == '\r' ||
		      e == '\f' || e == '=' || e == '/' || e == '>'))
			continue;
		if (strncasecmp(doc + i, name, l) == 0)
			return true;
	}
	return false;
}

static int flush_job(struct ctx *x, struct doc_ctx *dc, struct attr_job *j)
{
	const struct dom_node *n = html_dom_node(dc->rd->dom, j->node);
	const struct html_attr *a = &n->attrs[j->attr];
	struct rw_patches vp;
	struct item *it = NULL;
	struct bs_buf val, out;
	size_t i, k, nit = 0, q = a->quote ? 1 : 0;
	size_t vstart = (size_t)a->value_span.start - q;
	size_t vend = (size_t)a->value_span.end + q;
	int rc = 0;

	if (vstart > vend || vend > dc->di->text_len)
		return BS_EINVAL;
	if (j->drop && !j->srcset) {
		/* The tokenizer drops a repeated attribute (the first wins):
		 * dropping the first would give the repeat its turn. Then the
		 * value is emptied instead, and the repeat stays ignored. */
		if (repeated_later(dc->di->text, n, vend, a))
			return rw_patches_add(&dc->p, (size_t)a->name_span.end,
			                      vend, "=\"\"", 3, 0);
		return rw_patches_add(&dc->p, (size_t)a->name_span.start, vend,
		                      NULL, 0, 0);
	}
	rw_patches_init(&vp, j->n + 1, cap_of(a->value_len));
	bs_buf_init(&val, cap_of(a->value_len));
	bs_buf_init(&out, cap_of(a->value_len));
	if (j->srcset || j->reparse) {
		rc = reparse_items(x, a, j->srcset, &it, &nit);
		if (rc)
			goto out;
	}
	if (j->srcset) {
		/* Rebuild the list: candidates that go are left out. */
		bool first = true;
		k = j->first;
		for (i = 0; i < nit; i++) {
			const char *u = a->value + it[i].url_off;
			struct edit *e = NULL;
			size_t m;
			for (m = k; m < j->first + j->n; m++) {
				const struct ref *r =
				    &x->r->refs.v[x->edits[m].ref];
				if (r->raw_len == it[i].url_len &&
				    memcmp(r->raw, u, r->raw_len) == 0) {
					e = &x->edits[m];
					k = m + 1;
					break;
				}
			}
			if (e && e->act != ACT_URL)
				continue;
			if (!first)
				bs_buf_puts(&val, ", ");
			first = false;
			if (e)
				bs_buf_append(&val, x->text.data + e->off,
				              e->len);
			else
				bs_buf_append(&val, u, it[i].url_len);
			if (it[i].desc_len) {
				bs_buf_putc(&val, ' ');
				bs_buf_append(&val, a->value + it[i].desc_off,
				              it[i].desc_len);
			}
		}
		if (k != j->first + j->n) {
			rc = BS_EINVAL; /* an edit found no candidate */
			goto out;
		}
	} else {
		k = 0;
		for (i = j->first; i < j->first + j->n && rc == 0; i++) {
			struct edit *e = &x->edits[i];
			size_t s = e->start, en = e->end;
			if (j->reparse) {
				const struct ref *r = &x->r->refs.v[e->ref];
				for (; k < nit; k++)
					if (it[k].url_len == r->raw_len &&
					    memcmp(x->tmp.data + it[k].url_off,
					           r->raw, r->raw_len) == 0)
						break;
				if (k == nit) {
					rc = BS_EINVAL;
					break;
				}
				s = it[k].start;
				en = it[k].end;
				k++;
			}
			rc = rw_patches_add(&vp, s, en, x->text.data + e->off,
			                    e->len, 0);
		}
		if (rc == 0)
			rc = rw_patches_sort(&vp);
		if (rc == 0)
			rc =
			    rw_patches_apply(&val, a->value, a->value_len, &vp);
	}
	if (rc == 0 && (rc = bs_buf_error(&val)) == 0) {
		bs_buf_putc(&out, '"');
		rw_html_escape(&out, val.data ? val.data : "", val.len);
		bs_buf_putc(&out, '"');
		rc = bs_buf_error(&out);
	}
	if (rc == 0)
		rc = rw_patches_add(&dc->p, vstart, vend, out.data, out.len, 0);
out:
	bs_free(it);
	rw_patches_release(&vp);
	bs_buf_release(&val);
	bs_buf_release(&out);
	return rc;
}

/* Where the banner goes: after an explicit <body>, else before the
 * body's first child written in the document. */
static bool banner_at(const struct doc_ctx *dc, size_t *at)
{
	const struct html_dom *dom = dc->rd->dom;
	uint32_t i;

	for (i = 0; i < html_dom_count(dom); i++) {
		const struct dom_node *n = html_dom_node(dom, i), *c;
		uint32_t k;
		if (!is_html_el(n, HTML_TAG_BODY) ||
		    (n->flags & HTML_EL_OUTLOOK_ONLY))
			continue;
		if (!(n->flags & HTML_EL_IMPLIED) &&
		    n->span.end > n->span.start &&
		    dc->di->text[n->span.start] == '<') {
			*at = (size_t)n->span.end;
			return true;
		}
		for (k = n->first_child; k != DOM_NONE; k = c->next) {
			c = html_dom_node(dom, k);
			if (c->span.end > c->span.start &&
			    !(c->flags & HTML_EL_IMPLIED)) {
				*at = (size_t)c->span.start;
				return true;
			}
		}
		return false;
	}
	return false;
}

static void vendor_list(struct ctx *x, struct bs_buf *o, bool human)
{
	size_t i;

	for (i = 0; i < x->nvendors; i++) {
		const char *name = x->vendors[i];
		bool known = false;
		size_t k;
		/* names that are sites came from unknown trackers */
		for (k = 0; k < x->r->nbeacons; k++)
			if (x->r->beacons[k].vendor &&
			    strcmp(x->r->beacons[k].vendor, name) == 0)
				known = true;
		if (i)
			bs_buf_puts(o, ", ");
		if (!known)
			bs_buf_puts(o,
			            human ? "unknown tracker at " : "unknown ");
		bs_buf_puts(o, name);
	}
	if (x->more_vendors)
		bs_buf_printf(o, " and %zu more", x->more_vendors);
}

static int add_banner(struct ctx *x, struct doc_ctx *dc)
{
	struct bs_buf t, o;
	size_t at;
	int rc;

	if (!banner_at(dc, &at))
		return 0;
	bs_buf_init(&t, 8192);
	bs_buf_init(&o, 16384);
	bs_buf_printf(&t, "%zu tracker%s removed", x->c->removed,
	              x->c->removed == 1 ? "" : "s");
	if (x->nvendors) {
		bs_buf_puts(&t, ": ");
		vendor_list(x, &t, true);
	}
	bs_buf_puts(&o, "<div style=\"margin:0 0 8px 0;padding:6px 10px;"
	                "border:1px solid #d0d7de;background:#f6f8fa;"
	                "color:#24292f;font:12px/1.4 sans-serif\">");
	rw_html_escape(&o, t.data ? t.data : "", t.len);
	bs_buf_puts(&o, "</div>");
	rc = bs_buf_error(&t);
	if (rc == 0)
		rc = bs_buf_error(&o);
	if (rc == 0)
		rc = rw_patches_add(&dc->p, at, at, o.data, o.len, 0);
	bs_buf_release(&t);
	bs_buf_release(&o);
	return rc;
}

static int plan_doc(struct ctx *x, struct doc_ctx *dc)
{
	const struct report_doc *rd = dc->rd;
	struct bs_buf nu;
	size_t bi, ri, j0 = x->njobs, e0 = x->nedits;
	int rc = 0;

	bs_buf_init(&nu, cap_of(4096));
	/* beacons, in document order */
	for (bi = 0; bi < x->r->nbeacons && rc == 0; bi++) {
		const struct bs_beacon *b = &x->r->beacons[bi];
		enum act act;
		ri = x->r->beacon_ref[bi];
		if (ri < rd->first_ref || ri >= rd->first_ref + rd->nrefs)
			continue;
		bs_buf_reset(&nu);
		rc = decide(x, ri, b, &act, &nu);
		if (rc || act == ACT_KEEP)
			continue;
		rc = apply_ref(x, dc, ri, act, nu.data, nu.len);
		if (rc)
			break;
		dc->touched = true;
		if (b->label != BS_LABEL_CONTENT) {
			dc->removed++;
			x->c->removed++;
			note_vendor(x, b);
		} else if (act == ACT_URL) {
			x->c->proxied++;
		} else {
			x->c->blocked++;
		}
	}
	/* links */
	for (ri = rd->first_ref; x->opt->links != BS_LINKS_KEEP && rc == 0 &&
	                         ri < rd->first_ref + rd->nrefs;
	     ri++)
		if (x->r->refs.v[ri].flags & REF_LINK)
			rc = do_link(x, dc, ri);
	bs_buf_release(&nu);
	for (bi = j0; bi < x->njobs && rc == 0; bi++)
		rc = flush_job(x, dc, &x->jobs[bi]);
	x->njobs = j0;
	x->nedits = e0;
	return rc;
}

/* ---- encoding a document back into its part ---- */

/* A patch's replacement text; the pool stays NULL until a patch has text,
 * and even a zero offset may not be added to a null pointer. */
static const char *pool_at(const struct doc_ctx *dc, const struct rw_patch *p)
{
	return dc->p.pool.data ? dc->p.pool.data + p->off : "";
}

/* Offsets of the text in the charset's bytes t, for the sorted patch
 * boundaries; false when the text is not what t decodes to. */
static bool map_offsets(enum rw_charset cs, const char *t, size_t tlen,
                        const char *u, size_t ulen, size_t *offs, size_t n)
{
	static const unsigned short w1252_c1[32] = {
	    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
	};
	const unsigned char *s = (const unsigned char *)t;
	size_t ti = 0, ui = 0, k = 0;

	while (k < n) {
		size_t tl, ul;
		if (offs[k] == ui) {
			offs[k++] = ti;
			continue;
		}
		if (offs[k] < ui || ti >= tlen)
			return false;
		if (cs == RW_CS_W1252) {
			unsigned cp = s[ti] < 0x80   ? s[ti]
			              : s[ti] < 0xA0 ? w1252_c1[s[ti] - 0x80]
			                             : s[ti];
			tl = 1;
			ul = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
		} else {
			/* WHATWG UTF-8 decoding: an invalid maximal subpart
			 * is one U+FFFD (3 bytes) */
			unsigned need = 0, lo = 0x80, hi = 0xBF;
			unsigned char b = s[ti];
			size_t m;
			if (b < 0x80)
				need = 0;
			else if (b >= 0xC2 && b <= 0xDF)
				need = 1;
			else if (b >= 0xE0 && b <= 0xEF) {
				need = 2;
				lo = b == 0xE0 ? 0xA0 : 0x80;
				hi = b == 0xED ? 0x9F : 0xBF;
			} else if (b >= 0xF0 && b <= 0xF4) {
				need = 3;
				lo = b == 0xF0 ? 0x90 : 0x80;
				hi = b == 0xF4 ? 0x8F : 0xBF;
			} else {
				need = 99;
			}
			if (need == 99) {
				tl = 1;
				ul = 3;
			} else {
				for (m = 1; m <= need; m++) {
					if (ti + m >= tlen || s[ti + m] < lo ||
					    s[ti + m] > hi)
						break;
					lo = 0x80;
					hi = 0xBF;
				}
				tl = m;
				ul = m == need + 1 ? m : 3;
			}
		}
		if (ui + ul > ulen)
			return false;
		/* what we walk must be the text we patch */
		if (cs != RW_CS_W1252 && ul == tl &&
		    memcmp(u + ui, t + ti, tl) != 0)
			return false;
		if (cs == RW_CS_W1252 && ul == 1 && u[ui] != t[ti])
			return false;
		ti += tl;
		ui += ul;
	}
	return true;
}

struct part_out {
	struct bs_buf body;
	bool to_qp; /* the 7bit part became quoted-printable */
};

static bool long_lines(const char *s, size_t n)
{
	size_t i, col = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			col = 0;
		else if (++col > 998)
			return true;
	}
	return false;
}

static int encode_doc(struct ctx *x, struct doc_ctx *dc, struct part_out *po,
                      const char **why)
{
	const struct mime_doc_info *di = dc->di;
	const char *b = x->raw + di->body.off, *t;
	size_t blen = di->body.len, tlen, i;
	const char *used = di->charset_used ? di->charset_used : "utf-8";
	enum rw_charset cs = rw_charset_kind(used);
	struct bs_buf tb, tn, u2;
	struct rw_patches tp;
	size_t *offs = NULL;
	const char *eol = body_eol(b, blen, x->eol);
	int rc = 0;

	bs_buf_init(&tb, cap_of(blen));
	bs_buf_init(&tn, cap_of(blen));
	bs_buf_init(&u2, cap_of(di->text_len));
	rw_patches_init(&tp, dc->p.n + 1, cap_of(dc->p.pool.len));
	if (cs != RW_CS_ICONV && di->cte == MIME_CTE_7BIT)
		cs = RW_CS_ASCII; /* what we add stays 7-bit */
	/* What we write, as the part will read once encoded: characters
	 * the charset cannot hold become references here, so that the text
	 * we expect back is the text we get. */
	{
		struct rw_patches sp;
		rw_patches_init(&sp, dc->p.n + 1, cap_of(dc->p.pool.len));
		for (i = 0; i < dc->p.n && rc == 0; i++) {
			const struct rw_patch *p = &dc->p.v[i];
			bs_buf_reset(&u2);
			rc = rw_charset_safe(&u2, cs, used, pool_at(dc, p),
			                     p->len);
			if (rc == 0)
				rc = rw_patches_add(&sp, p->start, p->end,
				                    u2.data, u2.len, p->flags);
		}
		if (rc) {
			rw_patches_release(&sp);
			*why = rc == BS_ENOMEM ? "out-of-memory" : "charset";
			goto out;
		}
		rw_patches_release(&dc->p);
		dc->p = sp;
	}
	/* t: the body with its transfer encoding undone, which is what gets
	 * patched and encoded again; often the MIME layer's text itself. */
	if (di->text_is_body) {
		t = di->text;
		tlen = di->text_len;
	} else {
		if (di->cte == MIME_CTE_QP)
			rc = rw_qp_decode(&tb, b, blen);
		else if (di->cte == MIME_CTE_BASE64)
			rc = rw_b64_decode(&tb, b, blen);
		else
			bs_buf_append(&tb, b, blen);
		if (rc || (rc = bs_buf_error(&tb)) != 0) {
			*why = "decode";
			goto out;
		}
		t = tb.data ? tb.data : "";
		tlen = tb.len;
	}
	if ((di->text_is_body ||
	     (tlen == di->text_len && memcmp(t, di->text, tlen) == 0)) &&
	    (cs != RW_CS_ICONV || !memchr(t, 0x1B, tlen))) {
		/* the text is its own bytes: patch them */
		for (i = 0; i < dc->p.n && rc == 0; i++) {
			const struct rw_patch *p = &dc->p.v[i];
			bs_buf_reset(&u2);
			rc = rw_charset_encode(&u2, cs, used, pool_at(dc, p),
			                       p->len, true);
			if (rc == 0)
				rc = rw_patches_add(&tp, p->start, p->end,
				                    u2.data, u2.len, 0);
		}
	} else if (cs == RW_CS_UTF8 || cs == RW_CS_W1252 ||
	           (cs == RW_CS_ASCII &&
	            rw_charset_kind(used) != RW_CS_ICONV)) {
		enum rw_charset mcs = rw_charset_kind(used);
		offs = bs_calloc(dc->p.n * 2 + 1, sizeof(*offs));
		if (offs == NULL) {
			rc = BS_ENOMEM;
			goto out;
		}
		for (i = 0; i < dc->p.n; i++) {
			offs[2 * i] = dc->p.v[i].start;
			offs[2 * i + 1] = dc->p.v[i].end;
		}
		if (!map_offsets(mcs == RW_CS_W1252 ? RW_CS_W1252 : RW_CS_UTF8,
		                 t, tlen, di->text, di->text_len, offs,
		                 dc->p.n * 2)) {
			*why = "charset-map";
			rc = BS_EINVAL;
			goto out;
		}
		for (i = 0; i < dc->p.n && rc == 0; i++) {
			const struct rw_patch *p = &dc->p.v[i];
			bs_buf_reset(&u2);
			rc = rw_charset_encode(&u2, cs, used, pool_at(dc, p),
			                       p->len, true);
			if (rc == 0)
				rc = rw_patches_add(&tp, offs[2 * i],
				                    offs[2 * i + 1], u2.data,
				                    u2.len, 0);
		}
	} else {
		/* a multi-byte or stateful charset: the whole text again */
		bs_buf_reset(&u2);
		rc = rw_patches_apply(&u2, di->text, di->text_len, &dc->p);
		if (rc == 0)
			rc = rw_charset_encode(&tn, RW_CS_ICONV, used,
			                       u2.data ? u2.data : "", u2.len,
			                       true);
		if (rc) {
			*why = "charset";
			goto out;
		}
		goto cte;
	}
	if (rc == 0)
		rc = rw_patches_sort(&tp);
	if (rc == 0)
		rc = rw_patches_apply(&tn, t, tlen, &tp);
	if (rc) {
		*why = rc == BS_ENOMEM ? "out-of-memory" : "patch";
		goto out;
	}
cte:
	if (di->cte == MIME_CTE_7BIT || di->cte == MIME_CTE_8BIT ||
	    di->cte == MIME_CTE_BINARY || di->cte == MIME_CTE_UNKNOWN) {
		if (di->cte != MIME_CTE_BINARY &&
		    long_lines(tn.data ? tn.data : "", tn.len) &&
		    !long_lines(t, tlen)) {
			/* a line grew past what SMTP carries */
			po->to_qp = true;
			rc = rw_qp_encode(&po->body, tn.data, tn.len, eol);
		} else {
			bs_buf_append(&po->body, tn.data ? tn.data : "",
			              tn.len);
		}
	} else if (di->cte == MIME_CTE_QP) {
		rc = rw_qp_encode(&po->body, tn.data ? tn.data : "", tn.len,
		                  eol);
	} else {
		size_t tail = blen;
		rc = rw_b64_encode(&po->body, tn.data ? tn.data : "", tn.len,
		                   eol);
		while (tail && (b[tail - 1] == '\n' || b[tail - 1] == '\r' ||
		                b[tail - 1] == ' ' || b[tail - 1] == '\t'))
			tail--;
		bs_buf_append(&po->body, b + tail, blen - tail);
	}
	if (rc == 0)
		rc = bs_buf_error(&po->body);
	if (rc)
		*why = rc == BS_ENOMEM ? "out-of-memory" : "encode";
out:
	if (rc && *why == NULL)
		*why = rc == BS_ENOMEM ? "out-of-memory" : "encode";
	bs_free(offs);
	bs_buf_release(&tb);
	bs_buf_release(&tn);
	bs_buf_release(&u2);
	rw_patches_release(&tp);
	return rc;
}

/* ---- the header ---- */

static void ascii_only(struct bs_buf *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bs_buf_putc(o, c >= 0x20 && c < 0x7F && c != '"' && c != '\\'
		                   ? c
		                   : '?');
	}
}

static const char *policy_name(const struct bs_clean_options *o)
{
	switch (o->policy) {
	case BS_POLICY_REMOTE:
		return "remote";
	case BS_POLICY_PROXY:
		return "proxy";
	case BS_POLICY_TRACKERS:
		break;
	}
	return "trackers";
}

static int header_line(struct ctx *x, struct bs_buf *o)
{
	struct bs_buf v;
	size_t col;
	int rc;

	bs_buf_printf(o, "X-Bugsweep: bugsweep %s; policy=%s; removed=%zu",
	              BUGSWEEP_VERSION, policy_name(x->opt), x->c->removed);
	if (x->c->blocked)
		bs_buf_printf(o, "; blocked=%zu", x->c->blocked);
	if (x->c->proxied)
		bs_buf_printf(o, "; proxied=%zu", x->c->proxied);
	if (x->c->links)
		bs_buf_printf(o, "; links=%zu", x->c->links);
	if (x->c->receipts)
		bs_buf_printf(o, "; receipts=%zu", x->c->receipts);
	if (x->nvendors) {
		bs_buf_init(&v, 8192);
		vendor_list(x, &v, false);
		rc = bs_buf_error(&v);
		if (rc) {
			bs_buf_release(&v);
			return rc;
		}
		bs_buf_putc(o, ';');
		bs_buf_puts(o, x->eol);
		bs_buf_puts(o, "\tvendors=\"");
		col = 10;
		{
			/* fold between names so no line runs long */
			size_t i = 0;
			while (i < v.len) {
				const char *c =
				    memchr(v.data + i, ',', v.len - i);
				size_t e = c ? (size_t)(c - v.data) + 1 : v.len;
				if (col + (e - i) > 76 && col > 10) {
					bs_buf_puts(o, x->eol);
					bs_buf_putc(o, '\t');
					col = 1;
					if (v.data[i] == ' ')
						i++;
				}
				ascii_only(o, v.data + i, e - i);
				col += e - i;
				i = e;
			}
		}
		bs_buf_putc(o, '"');
		bs_buf_release(&v);
	}
	bs_buf_puts(o, x->eol);
	return bs_buf_error(o);
}

/* ---- verification ---- */

static bool same_structure(const struct mime_message *a,
                           const struct mime_message *b)
{
	size_t i, n = mime_message_doc_count(a);

	if (n != mime_message_doc_count(b))
		return false;
	for (i = 0; i < n; i++) {
		const struct mime_doc_info *x =
		    mime_doc_info(mime_message_doc(a, i));
		const struct mime_doc_info *y =
		    mime_doc_info(mime_message_doc(b, i));
		if (x->kind != y->kind || x->index != y->index ||
		    strcmp(x->path, y->path) != 0 ||
		    strcmp(x->content_type, y->content_type) != 0)
			return false;
	}
	return true;
}

static int href_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The promise, checked on the very bytes that go out: each rewritten
 * document, parsed again, fetches nothing but content the scan already
 * judged content, and the URLs clean wrote itself (none at all under the
 * remote policy). Whatever the rewrite missed (a parse that the edits
 * changed, a value it could not map), the message is then delivered as
 * it came, with the skip header, rather than claimed clean. Only the
 * rewritten documents are parsed, and no URL is judged again: this keeps
 * clean within 1.5 times a scan.
 */
static int verify_urls(struct ctx *x, struct mime_message *m, const char **why)
{
	struct html_parser_options po;
	struct refs_options ro;
	struct ref_list refs;
	struct html_dom *dom = NULL;
	const char **ok = NULL;
	size_t nok = 0, i, j, d = 0, n = mime_message_doc_count(m);
	int rc = 0;

	memset(&refs, 0, sizeof(refs));
	ok = bs_calloc(x->r->refs.n + x->nmade + 1, sizeof(*ok));
	if (ok == NULL) {
		*why = "out-of-memory";
		mime_message_free(&m);
		return BS_ENOMEM;
	}
	if (x->opt->policy != BS_POLICY_REMOTE)
		for (i = 0; i < x->r->refs.n; i++)
			if (!(x->r->refs.v[i].flags & REF_LINK) &&
			    x->r->verdicts[i].label == BS_LABEL_CONTENT)
				ok[nok++] =
				    bs_url_href(x->r->refs.v[i].url, NULL);
	for (i = 0; i < x->nmade; i++)
		ok[nok++] = x->made[i];
	qsort(ok, nok, sizeof(*ok), href_cmp);

	memset(&po, 0, sizeof(po));
	po.limits = &x->e->limits;
	po.conditional_comments = true;
	memset(&ro, 0, sizeof(ro));
	ro.limits = &x->e->limits;
	ro.urls_only = true;
	/* The rewrite is planned and the trees of the message as it came
	 * are done with: one of them lends its memory to the parses here,
	 * the others go now rather than with the report. */
	for (i = 0; i < x->r->ndocs; i++) {
		if (dom == NULL)
			dom = x->r->docs[i].dom;
		else
			html_dom_free(&x->r->docs[i].dom);
		x->r->docs[i].dom = NULL;
	}
	for (i = 0; i < n && rc == 0; i++) {
		const struct mime_doc_info *di =
		    mime_doc_info(mime_message_doc(m, i));
		if (di->kind != MIME_DOC_HTML)
			continue;
		if (x->docs[d++].p.n == 0)
			continue; /* untouched: what the scan saw */
		rc = html_dom_parse(&dom, &po, di->text, di->text_len);
		if (rc == 0)
			rc = refs_extract(&refs, dom, di->text, di->text_len,
			                  &ro);
	}
	for (j = 0; j < refs.n && rc == 0; j++) {
		const char *h;
		if (refs.v[j].flags & REF_LINK)
			continue;
		h = bs_url_href(refs.v[j].url, NULL);
		if (bsearch(&h, ok, nok, sizeof(*ok), href_cmp) == NULL) {
			*why = "verify-scan";
			rc = BS_EINVAL;
		}
	}
	if (rc == BS_ENOMEM)
		*why = "out-of-memory";
	else if (rc && *why == NULL)
		*why = "verify";
	refs_release(&refs);
	html_dom_free(&dom);
	bs_free(ok);
	mime_message_free(&m);
	return rc;
}

static int verify(struct ctx *x, const char *out, size_t len, const char **why)
{
	struct mime_message *m = NULL;
	struct bs_buf u;
	size_t i, d = 0, n;
	int rc;

	rc = mime_message_parse(&m, out, len, &x->e->limits, NULL);
	if (rc) {
		*why = rc == BS_ENOMEM ? "out-of-memory" : "verify";
		return rc;
	}
	if (!same_structure(x->r->msg, m)) {
		*why = "verify-structure";
		mime_message_free(&m);
		return BS_EINVAL;
	}
	bs_buf_init(&u, cap_of(x->raw_len));
	n = mime_message_doc_count(m);
	for (i = 0; i < n && rc == 0; i++) {
		const struct mime_doc_info *a =
		    mime_doc_info(mime_message_doc(x->r->msg, i));
		const struct mime_doc_info *b =
		    mime_doc_info(mime_message_doc(m, i));
		const char *want = a->text;
		size_t wlen = a->text_len;
		if (a->kind == MIME_DOC_HTML) {
			struct doc_ctx *dc = &x->docs[d++];
			if (dc->p.n) {
				bs_buf_reset(&u);
				rc = rw_patches_apply(&u, a->text, a->text_len,
				                      &dc->p);
				want = u.data ? u.data : "";
				wlen = u.len;
			}
		}
		if (rc == 0 &&
		    (b->text_len != wlen || memcmp(b->text, want, wlen) != 0)) {
			*why = "verify-text";
			rc = BS_EINVAL;
		}
	}
	if (rc == BS_ENOMEM)
		*why = "out-of-memory";
	bs_buf_release(&u);
	if (rc == 0)
		return verify_urls(x, m, why); /* takes m */
	mime_message_free(&m);
	return rc;
}

/* ---- the whole message ---- */

static int clean_message(struct ctx *x, const char **why)
{
	struct bs_clean *c = x->c;
	struct rw_patches mp;
	struct bs_buf hb, out;
	struct part_out *po = NULL;
	size_t i, nd = x->r->ndocs, ntouched = 0;
	bool prior;
	int rc = 0;

	x->raw = mime_message_raw(x->r->msg, &x->raw_len);
	x->eol = rw_message_eol(x->raw, x->raw_len);
	x->docs = bs_calloc(nd ? nd : 1, sizeof(*x->docs));
	po = bs_calloc(nd ? nd : 1, sizeof(*po));
	rw_patches_init(&mp, nd * 2 + 64, cap_of(x->raw_len));
	bs_buf_init(&hb, 64 * 1024);
	bs_buf_init(&out, cap_of(x->raw_len));
	if (x->docs == NULL || po == NULL) {
		rc = BS_ENOMEM;
		goto out;
	}
	for (i = 0; i < nd; i++) {
		x->docs[i].rd = &x->r->docs[i];
		x->docs[i].di = mime_doc_info(x->r->docs[i].doc);
		x->docs[i].eol = body_eol(x->docs[i].di->text,
		                          x->docs[i].di->text_len < 65536
		                              ? x->docs[i].di->text_len
		                              : 65536,
		                          x->eol);
		rw_patches_init(&x->docs[i].p, x->e->limits.references * 4 + 64,
		                cap_of(x->docs[i].di->text_len));
		bs_buf_init(&po[i].body, cap_of(x->raw_len));
	}
	for (i = 0; i < nd && rc == 0; i++)
		if (x->docs[i].rd->dom)
			rc = plan_doc(x, &x->docs[i]);
	if (rc) {
		*why = rc == BS_ENOMEM   ? "out-of-memory"
		       : rc == BS_ELIMIT ? "limit:html-attr-bytes"
		                         : "patch";
		goto out;
	}
	for (i = 0; i < nd && rc == 0; i++) {
		struct doc_ctx *dc = &x->docs[i];
		if (dc->removed && x->opt->banner)
			rc = add_banner(x, dc);
		if (rc == 0)
			rc = rw_patches_sort(&dc->p);
		if (rc) {
			*why = rc == BS_ENOMEM ? "out-of-memory" : "overlap";
			goto out;
		}
		if (dc->p.n == 0)
			continue;
		if (!dc->di->spliceable) {
			*why = "non-spliceable-part";
			rc = BS_EINVAL;
			goto out;
		}
		if (dc->di->truncated) {
			*why = "limit:html-bytes";
			rc = BS_ELIMIT;
			goto out;
		}
		rc = encode_doc(x, dc, &po[i], why);
		if (rc)
			goto out;
		ntouched++;
	}

	/* headers: receipt requests are kept under another name */
	for (i = 0; i < mime_message_header_count(x->r->msg) && rc == 0; i++) {
		const struct mime_header *h =
		    mime_message_header_at(x->r->msg, i);
		const char *nm = x->raw + h->name.off;
		unsigned bit;
		for (bit = 1; bit < (1u << MIME_RECEIPT_COUNT); bit <<= 1) {
			const char *rn = mime_receipt_header_name(bit);
			if (!bs_span_ieq(nm, h->name.len, rn))
				continue;
			bs_buf_reset(&hb);
			bs_buf_puts(&hb,
			            "X-Bugsweep-Removed-Receipt-Request: ");
			bs_buf_append(&hb, nm, h->name.len);
			bs_buf_putc(&hb, ':');
			bs_buf_append(&hb, x->raw + h->value.off, h->value.len);
			bs_buf_append(&hb, x->raw + h->value.off + h->value.len,
			              h->field.off + h->field.len -
			                  (h->value.off + h->value.len));
			rc = bs_buf_error(&hb);
			if (rc == 0)
				rc = rw_patches_add(&mp, h->field.off,
				                    h->field.off + h->field.len,
				                    hb.data, hb.len, 0);
			c->receipts++;
			break;
		}
	}
	prior = has_field(x->r->msg, "X-Bugsweep");
	if (rc == 0 && ntouched == 0 && c->receipts == 0 && prior) {
		/* cleaned before and nothing left to do: as it was */
		c->removed = c->blocked = c->proxied = c->links = 0;
		c->at = c->in_len;
		c->head_len = 0;
		goto out;
	}
	c->changed = ntouched > 0 || c->receipts > 0;
	/* Ours is the one X-Bugsweep header: an earlier one (ours or
	 * forged) no longer describes the message. */
	for (i = 0; i < mime_message_header_count(x->r->msg) && rc == 0; i++) {
		const struct mime_header *h =
		    mime_message_header_at(x->r->msg, i);
		if (bs_span_ieq(x->raw + h->name.off, h->name.len,
		                "X-Bugsweep"))
			rc = rw_patches_add(&mp, h->field.off,
			                    h->field.off + h->field.len, NULL,
			                    0, 0);
	}
	bs_buf_reset(&hb);
	if (rc == 0)
		rc = header_line(x, &hb);
	if (rc == 0) {
		size_t at = rw_header_insert_offset(x->raw, x->raw_len);
		rc = rw_patches_add(&mp, at, at, hb.data, hb.len, 0);
	}
	for (i = 0; i < nd && rc == 0; i++) {
		const struct mime_doc_info *di = x->docs[i].di;
		if (x->docs[i].p.n == 0)
			continue;
		rc = rw_patches_add(&mp, di->body.off,
		                    di->body.off + di->body.len,
		                    po[i].body.data, po[i].body.len, 0);
		if (rc == 0 && po[i].to_qp) {
			static const char qp[] =
			    "Content-Transfer-Encoding: quoted-printable";
			bs_buf_reset(&hb);
			bs_buf_puts(&hb, qp);
			bs_buf_puts(&hb, x->eol);
			rc = bs_buf_error(&hb);
			if (rc == 0 && di->cte_field.len)
				rc = rw_patches_add(&mp, di->cte_field.off,
				                    di->cte_field.off +
				                        di->cte_field.len,
				                    hb.data, hb.len, 0);
			else if (rc == 0 && di->header.len)
				rc = rw_patches_add(
				    &mp, di->header.off + di->header.len,
				    di->header.off + di->header.len, hb.data,
				    hb.len, 0);
			else if (rc == 0)
				rc = BS_EINVAL;
		}
	}
	if (rc == 0)
		rc = rw_patches_sort(&mp);
	if (rc == 0)
		rc = rw_patches_apply(&out, x->raw, x->raw_len, &mp);
	if (rc) {
		*why = rc == BS_ENOMEM ? "out-of-memory" : "splice";
		goto out;
	}
	/* Headers alone (a field added, renamed or removed whole) cannot
	 * change what the parts hold: only rewritten parts are checked. */
	if (ntouched)
		rc = verify(x, out.data, out.len, why);
	if (rc)
		goto out;
	c->body = bs_buf_detach(&out, &c->body_len);
	if (c->body == NULL) {
		rc = BS_ENOMEM;
		*why = "out-of-memory";
		goto out;
	}
	c->at = 0;
	c->head_len = 0;
out:
	for (i = 0; x->docs && po && i < nd; i++) {
		rw_patches_release(&x->docs[i].p);
		bs_buf_release(&po[i].body);
	}
	bs_free(po);
	bs_free(x->docs);
	x->docs = NULL;
	rw_patches_release(&mp);
	bs_buf_release(&hb);
	bs_buf_release(&out);
	return rc;
}

bool bs_clean_proxy_template_ok(const char *t)
{
	const char *u;
	size_t i;

	if (t == NULL || !(bs_span_iprefix(t, strlen(t), "http://") ||
	                   bs_span_iprefix(t, strlen(t), "https://")))
		return false;
	u = strstr(t, "{url}");
	if (u == NULL || strstr(u + 5, "{url}"))
		return false;
	for (i = 0; t[i]; i++) {
		unsigned char ch = (unsigned char)t[i];
		if (ch <= ' ' || ch >= 0x7F || strchr("\"'<>()\\`", ch))
			return false;
	}
	return true;
}

/*
 * Limits whose hit leaves every fetching URL found and its bytes exact:
 * elements past the depth bound are still reported, attributes that can
 * carry a URL are kept past html_attrs, CSS past its bounds is still
 * searched for URLs (only visibility is less known). Any other limit may
 * hide a tracker, and the message is skipped. Without this list, a sender
 * could make clean give up on any message by adding 300 attributes.
 */
static bool limit_keeps_urls(const char *name)
{
	static const char *const ok[] = {"html-depth",
	                                 "html-attrs",
	                                 "html-formatting",
	                                 "css-rules",
	                                 "css-selectors",
	                                 "css-declarations",
	                                 "css-match-steps",
	                                 "css-bytes",
	                                 "css-depth",
	                                 "url-tokens",
	                                 NULL};
	size_t i;

	for (i = 0; ok[i]; i++)
		if (strcmp(name, ok[i]) == 0)
			return true;
	return false;
}

static void skip(struct bs_clean *c, const char *reason)
{
	bs_free(c->body);
	c->body = NULL;
	c->body_len = 0;
	c->changed = false;
	c->removed = c->blocked = c->proxied = c->links = c->receipts = 0;
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
	c->skipped = c->reason;
	set_skip_head(c, c->in, c->in_len, c->reason);
}

int bs_clean(struct bs_clean **out, const struct bs_engine *e, const char *msg,
             size_t len, const struct bs_clean_options *opt)
{
	struct bs_scan_options so;
	struct bs_clean *c;
	struct ctx x;
	const char *why = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if (opt->policy == BS_POLICY_PROXY &&
	    !bs_clean_proxy_template_ok(opt->proxy_template))
		return BS_EINVAL;
	c = bs_calloc(1, sizeof(*c));
	if (c == NULL)
		return BS_ENOMEM;
	c->in = msg;
	c->in_len = len;
	*out = c;

	memset(&so, 0, sizeof(so));
	so.recipient = opt->recipient;
	rc = report_build(&c->report, e, msg, len, &so, true);
	if (rc) {
		skip(c, rc == BS_ENOMEM ? "out-of-memory" : "internal-error");
		goto done;
	}
	for (i = 0; i < c->report->problems.count; i++)
		if (strncmp(c->report->problems.item[i], "limit:", 6) == 0 &&
		    !limit_keeps_urls(c->report->problems.item[i] + 6)) {
			skip(c, c->report->problems.item[i]);
			goto done;
		}
	if (c->report->problems.dropped) {
		skip(c, "problems");
		goto done;
	}

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.e = e;
	x.opt = opt;
	x.r = c->report;
	if (opt->policy == BS_POLICY_PROXY) {
		x.proxy_prefix = opt->proxy_template;
		x.proxy_prefix_len =
		    (size_t)(strstr(opt->proxy_template, "{url}") -
		             opt->proxy_template);
	}
	bs_buf_init(&x.text, cap_of(len));
	bs_buf_init(&x.tmp, cap_of(len));
	rc = recipients(&x);
	if (rc == 0 && x.proxy_prefix)
		rc = unproxy(&x);
	if (rc)
		why = "out-of-memory";
	else
		rc = clean_message(&x, &why);
	bs_free(x.jobs);
	bs_free(x.edits);
	for (i = 0; i < x.nmade; i++)
		bs_free(x.made[i]);
	bs_free(x.made);
	bs_buf_release(&x.text);
	bs_buf_release(&x.tmp);
	ident_set_free(&x.ident);
	if (rc)
		skip(c, why ? why : "internal-error");
done:
	/* idempotent: a skipped message that says so already stays as is */
	if (c->skipped && c->report && c->report->msg &&
	    has_field(c->report->msg, "X-Bugsweep")) {
		c->at = c->in_len;
		c->head_len = 0;
	}
	return 0;
}
