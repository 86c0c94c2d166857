#include <stdio.h>
#include <string.h>

#include "detect/report.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/str.h"

extern const char bs_builtin_trackers[];
extern const size_t bs_builtin_trackers_len;

/* Strings of one report: a report of the largest message stays far below. */
#define REPORT_ARENA_MAX (256u << 20)

int bs_engine_new(struct bs_engine **out, const struct bs_engine_config *cfg,
                  char errmsg[BS_ERRMSG_LEN])
{
	struct bs_engine *e;
	struct bs_buf err;
	size_t i;
	int rc;

	*out = NULL;
	if (errmsg)
		errmsg[0] = '\0';
	e = bs_calloc(1, sizeof(*e));
	if (e == NULL)
		return BS_ENOMEM;
	e->limits = cfg->limits;
	bs_limits_normalise(&e->limits);
	bs_buf_init(&err, 4096);
	rc = sig_set_new(&e->sigs);
	if (rc == 0 && !cfg->no_builtin_signatures)
		rc = sig_set_load_buffer(e->sigs, "bugsweep",
		                         bs_builtin_trackers,
		                         bs_builtin_trackers_len, NULL);
	for (i = 0; rc == 0 && i < cfg->nsignature_files; i++) {
		rc = sig_set_load_file(e->sigs, cfg->signature_files[i], &err);
		if (rc && errmsg)
			snprintf(errmsg, BS_ERRMSG_LEN, "%s: %s",
			         cfg->signature_files[i],
			         rc == BS_EIO ? "cannot read"
			                      : "no signature in it");
	}
	if (rc == 0) {
		rc = bs_psl_load(&e->psl, cfg->psl_file);
		if (rc && errmsg)
			snprintf(errmsg, BS_ERRMSG_LEN,
			         "%s: cannot load a public suffix list",
			         cfg->psl_file ? cfg->psl_file : "built-in");
	}
	bs_buf_release(&err);
	if (rc) {
		bs_engine_free(&e);
		return rc;
	}
	*out = e;
	return 0;
}

void bs_engine_free(struct bs_engine **ep)
{
	if (ep == NULL || *ep == NULL)
		return;
	sig_set_free(&(*ep)->sigs);
	bs_psl_free(&(*ep)->psl);
	bs_free(*ep);
	*ep = NULL;
}

const struct bs_limits *bs_engine_limits(const struct bs_engine *e)
{
	return &e->limits;
}

static const char *astr(struct bs_report *r, const char *s)
{
	if (s == NULL)
		return "";
	s = bs_arena_strndup(r->arena, s, strlen(s));
	return s ? s : "";
}

static const char *aspan(struct bs_report *r, const char *s, size_t n)
{
	s = bs_arena_strndup(r->arena, s, n);
	return s ? s : "";
}

static void message_facts(struct bs_report *r, const struct mime_info *mi)
{
	size_t i;

	r->message_id = astr(r, mi->message_id);
	r->date = astr(r, mi->date);
	r->subject = astr(r, mi->subject);
	if (mi->from && mi->from->name[0] && mi->from->addr[0]) {
		struct bs_buf b;
		bs_buf_init(&b, 4096);
		bs_buf_printf(&b, "%s <%s>", mi->from->name, mi->from->addr);
		r->from = b.err ? astr(r, mi->from->addr) : astr(r, b.data);
		bs_buf_release(&b);
	} else if (mi->from) {
		r->from = astr(r, mi->from->addr[0] ? mi->from->addr
		                                    : mi->from->name);
	} else {
		r->from = "";
	}
	r->to = bs_arena_alloc(r->arena, (mi->n_to + 1) * sizeof(*r->to));
	if (r->to)
		for (i = 0; i < mi->n_to; i++)
			if (mi->to[i].addr[0])
				r->to[r->nto++] = astr(r, mi->to[i].addr);
	for (i = 0; i < MIME_RECEIPT_COUNT; i++)
		if (mi->receipt & (1u << i))
			r->receipts[r->nreceipts++] =
			    mime_receipt_header_name(1u << i);
	r->receipt_bits = mi->receipt;
}

static int recipients(struct ident_set *id, const struct mime_info *mi,
                      const struct bs_scan_options *opt)
{
	size_t i;
	int rc = 0;

	if (opt && opt->recipient)
		return ident_set_add(id, opt->recipient,
		                     strlen(opt->recipient));
	if (mi->delivered_to)
		rc = ident_set_add(id, mi->delivered_to,
		                   strlen(mi->delivered_to));
	if (rc == 0 && mi->x_original_to)
		rc = ident_set_add(id, mi->x_original_to,
		                   strlen(mi->x_original_to));
	for (i = 0; rc == 0 && i < mi->n_to; i++)
		rc = ident_set_add(id, mi->to[i].addr, strlen(mi->to[i].addr));
	for (i = 0; rc == 0 && i < mi->n_cc; i++)
		rc = ident_set_add(id, mi->cc[i].addr, strlen(mi->cc[i].addr));
	return rc;
}

static int analyse_docs(struct bs_report *r, const struct bs_engine *e,
                        bool keep)
{
	struct html_parser_options po;
	struct refs_options ro;
	/* One tree reused from one document to the next (scan), or every
	 * tree kept (clean): then the trees of a message together must stay
	 * within one element budget, or a message of many small parts that
	 * each amplify would hold many times the per-document bound. */
	struct html_dom *spare = NULL;
	struct bs_limits lim = e->limits;
	size_t i, n = mime_message_doc_count(r->msg), k, used = 0;
	int rc = 0;

	r->docs = bs_calloc(n ? n : 1, sizeof(*r->docs));
	if (r->docs == NULL)
		return BS_ENOMEM;
	memset(&po, 0, sizeof(po));
	po.limits = &lim;
	po.problems = &r->problems;
	po.conditional_comments = true;
	memset(&ro, 0, sizeof(ro));
	ro.limits = &e->limits;
	ro.problems = &r->problems;
	for (i = 0; i < n && rc == 0; i++) {
		const struct mime_doc *d = mime_message_doc(r->msg, i);
		const struct mime_doc_info *di = mime_doc_info(d);
		struct report_doc *rd;
		struct html_dom *dom = keep ? NULL : spare;

		if (di->kind != MIME_DOC_HTML)
			continue;
		rd = &r->docs[r->ndocs++];
		rd->doc = d;
		rd->first_ref = r->refs.n;
		if (used >= e->limits.html_elements) {
			bs_problems_add(&r->problems, "limit", "html-elements");
			break;
		}
		lim.html_elements = e->limits.html_elements - used;
		spare = NULL;
		rc = html_dom_parse(&dom, &po, di->text, di->text_len);
		if (rc)
			break;
		used += html_dom_elements(dom);
		rc = refs_extract(&r->refs, dom, di->text, di->text_len, &ro);
		rd->nrefs = r->refs.n - rd->first_ref;
		for (k = rd->first_ref; k < r->refs.n; k++)
			r->refs.v[k].part = di->index;
		/* References point at nothing in the DOM but its node numbers,
		 * which the rewriter needs; scan alone lets it go. */
		for (k = rd->first_ref; k < r->refs.n; k++)
			r->refs.v[k].alt = NULL;
		if (keep)
			rd->dom = dom;
		else
			spare = dom;
	}
	html_dom_free(&spare);
	return rc;
}

/* The URL as written, without the tabs and newlines that a client drops
 * (HTML wraps long attribute values). */
static const char *strip_tabnl(struct bs_report *r, const char *s, size_t n)
{
	char *d = bs_arena_alloc(r->arena, n + 1);
	size_t i, o = 0;

	if (d == NULL)
		return "";
	for (i = 0; i < n; i++)
		if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			d[o++] = s[i];
	d[o] = '\0';
	return d;
}

static void fill_beacon(struct bs_report *r, const struct bs_engine *e,
                        const struct ref *ref, const struct verdict *v,
                        struct bs_beacon *b)
{
	const char *href, *host, *owner;
	size_t hlen, nhost, nowner;

	href = bs_url_href(ref->url, &hlen);
	host = bs_url_get(ref->url, BS_URL_HOST, &nhost);
	owner = bs_psl_owner(e->psl, host, nhost, &nowner);
	b->url = strip_tabnl(r, ref->raw, ref->raw_len);
	b->request = aspan(r, href, hlen);
	b->vector = ref->vector;
	b->part = ref->part;
	b->label = v->label;
	b->vendor = v->vendor;
	b->host = aspan(r, host, nhost);
	b->site = owner ? aspan(r, owner, nowner) : b->host;
	memcpy(b->reasons, v->reasons, sizeof(b->reasons));
	b->nreasons = v->nreasons;
	b->recipient_leak = v->recipient_leak;
	b->learns = v->learns;
	b->width = ref->width;
	b->height = ref->height;
	b->hidden = (ref->flags &
	             (REF_HIDDEN | REF_HIDDEN_ANCESTOR | REF_OFFSCREEN)) != 0;
	b->outlook_only = (ref->flags & REF_OUTLOOK_ONLY) != 0;
}

int report_build(struct bs_report **out, const struct bs_engine *e,
                 const char *msg, size_t len, const struct bs_scan_options *opt,
                 bool keep_docs)
{
	struct mime_message *m = NULL;
	struct bs_problems pr;
	int rc;

	*out = NULL;
	bs_problems_init(&pr);
	rc = mime_message_parse(&m, msg, len, &e->limits, &pr);
	if (rc)
		return rc;
	return report_build_from(out, e, m, &pr, opt, keep_docs);
}

int report_build_from(struct bs_report **out, const struct bs_engine *e,
                      struct mime_message *m, const struct bs_problems *pr,
                      const struct bs_scan_options *opt, bool keep_docs)
{
	struct bs_report *r;
	struct ident_set *id = NULL;
	struct judge_ctx jc;
	size_t i;
	int rc;

	*out = NULL;
	r = bs_calloc(1, sizeof(*r));
	if (r == NULL) {
		mime_message_free(&m);
		return BS_ENOMEM;
	}
	r->msg = m;
	if (pr)
		r->problems = *pr;
	else
		bs_problems_init(&r->problems);
	r->arena = bs_arena_new(REPORT_ARENA_MAX);
	if (r->arena == NULL) {
		rc = BS_ENOMEM;
		goto out;
	}
	r->message_id = r->date = r->from = r->subject = "";
	message_facts(r, mime_message_info(r->msg));
	rc = ident_set_new(&id);
	if (rc == 0)
		rc = recipients(id, mime_message_info(r->msg), opt);
	if (rc == 0)
		rc = analyse_docs(r, e, keep_docs);
	if (rc)
		goto out;
	r->verdicts =
	    bs_calloc(r->refs.n ? r->refs.n : 1, sizeof(*r->verdicts));
	r->beacons = bs_calloc(r->refs.n ? r->refs.n : 1, sizeof(*r->beacons));
	r->beacon_ref =
	    bs_calloc(r->refs.n ? r->refs.n : 1, sizeof(*r->beacon_ref));
	if (!r->verdicts || !r->beacons || !r->beacon_ref) {
		rc = BS_ENOMEM;
		goto out;
	}
	jc.sigs = e->sigs;
	jc.ident = id;
	jc.limits = &e->limits;
	jc.problems = &r->problems;
	rc = judge_message(r->verdicts, &r->refs, &jc);
	if (rc)
		goto out;
	for (i = 0; i < r->refs.n; i++) {
		if (r->refs.v[i].flags & REF_LINK) {
			r->links_total++;
			if (r->verdicts[i].tracked_link)
				r->links_tracked++;
			continue;
		}
		fill_beacon(r, e, &r->refs.v[i], &r->verdicts[i],
		            &r->beacons[r->nbeacons]);
		r->beacon_ref[r->nbeacons++] = i;
		if (r->verdicts[i].label != BS_LABEL_CONTENT)
			r->tracks = true;
	}
	if (!keep_docs)
		mime_message_free(&r->msg);
out:
	ident_set_free(&id);
	if (rc) {
		bs_report_free(&r);
		return rc;
	}
	*out = r;
	return 0;
}

int bs_scan(struct bs_report **out, const struct bs_engine *e, const char *msg,
            size_t len, const struct bs_scan_options *opt)
{
	return report_build(out, e, msg, len, opt, false);
}

void bs_report_free(struct bs_report **rp)
{
	struct bs_report *r;
	size_t i;

	if (rp == NULL || *rp == NULL)
		return;
	r = *rp;
	for (i = 0; i < r->ndocs; i++)
		html_dom_free(&r->docs[i].dom);
	bs_free(r->docs);
	refs_release(&r->refs);
	bs_free(r->verdicts);
	bs_free(r->beacons);
	bs_free(r->beacon_ref);
	mime_message_free(&r->msg);
	bs_arena_free(&r->arena);
	bs_free(r);
	*rp = NULL;
}

const char *bs_report_message_id(const struct bs_report *r)
{
	return r->message_id;
}

const char *bs_report_date(const struct bs_report *r)
{
	return r->date;
}

const char *bs_report_from(const struct bs_report *r)
{
	return r->from;
}

const char *bs_report_subject(const struct bs_report *r)
{
	return r->subject;
}

size_t bs_report_to_count(const struct bs_report *r)
{
	return r->nto;
}

const char *bs_report_to(const struct bs_report *r, size_t i)
{
	return i < r->nto ? r->to[i] : NULL;
}

bool bs_report_tracks_open(const struct bs_report *r)
{
	return r->tracks;
}

size_t bs_report_beacon_count(const struct bs_report *r)
{
	return r->nbeacons;
}

const struct bs_beacon *bs_report_beacon(const struct bs_report *r, size_t i)
{
	return i < r->nbeacons ? &r->beacons[i] : NULL;
}

size_t bs_report_links_total(const struct bs_report *r)
{
	return r->links_total;
}

size_t bs_report_links_tracked(const struct bs_report *r)
{
	return r->links_tracked;
}

size_t bs_report_receipt_count(const struct bs_report *r)
{
	return r->nreceipts;
}

const char *bs_report_receipt(const struct bs_report *r, size_t i)
{
	return i < r->nreceipts ? r->receipts[i] : NULL;
}

const struct bs_problems *bs_report_problems(const struct bs_report *r)
{
	return &r->problems;
}

const char *bs_label_name(enum bs_label l)
{
	switch (l) {
	case BS_LABEL_PIXEL:
		return "pixel";
	case BS_LABEL_TRACKED_CONTENT:
		return "tracked-content";
	case BS_LABEL_CONTENT:
		break;
	}
	return "content";
}

size_t bs_learn_names(unsigned learns, const char *out[5])
{
	static const char *const names[5] = {"open", "time", "ip", "user-agent",
	                                     "identity"};
	size_t i, n = 0;

	for (i = 0; i < 5; i++)
		if (learns & (1u << i))
			out[n++] = names[i];
	return n;
}
