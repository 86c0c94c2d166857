#include "render.h"

#include <jansson.h>
#include <string.h>

static const struct {
	const char *code;
	const char *words;
} reasons[] = {
    {"vendor-open", "a known open-tracking endpoint"},
    {"vendor-image", "an image service that personalises per reader"},
    {"recipient-in-url", "the URL carries your address"},
    {"tiny", "a tiny image"},
    {"hidden", "hidden from view"},
    {"hidden-ancestor", "inside a hidden block"},
    {"offscreen", "placed off-screen"},
    {"token-query", "a per-reader identifier in the query"},
    {"token-path", "a per-reader identifier in the path"},
    {"token-shared", "the same identifier as in the message's links"},
    {"tracking-word", "the path names open tracking"},
    {"lone-remote", "the only image from its host, last, without text"},
    {"outlook-only", "only Outlook shows it"},
    {"css-font", "a web font fetched on open"},
    {"css-import", "a style sheet fetched on open"},
    {"stylesheet", "a style sheet fetched on open"},
    {"proxied", "behind an image proxy"},
    {"static", "the same for every reader"},
    {"spacer", "a layout spacer without identifier"},
};

const char *reason_words(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reasons[i].code, code) == 0)
			return reasons[i].words;
	return code;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* jansson refuses invalid UTF-8; mail has plenty. */
static json_t *jstr(const char *s)
{
	json_t *j;

	if (s == NULL)
		return json_null();
	j = json_string(s);
	return j ? j : json_stringn_nocheck(s, strlen(s));
}

int render_json(struct bs_buf *out, const char *source,
                const struct bs_report *r, const char *problem)
{
	json_t *o = json_object(), *to = json_array(), *bs = json_array();
	json_t *rr = json_array(), *pr = json_array(), *links = json_object();
	size_t i, j;
	char *s;
	int rc = 0;

	if (!o || !to || !bs || !rr || !pr || !links) {
		rc = BS_ENOMEM;
		goto out;
	}
	json_object_set_new(o, "source", jstr(source));
	if (r == NULL) {
		json_object_set_new(o, "message_id", json_null());
		json_object_set_new(o, "date", json_null());
		json_object_set_new(o, "from", json_null());
		json_object_set_new(o, "to", to);
		json_object_set_new(o, "subject", json_null());
		json_object_set_new(o, "tracks_open", json_false());
		json_object_set_new(o, "beacons", bs);
		json_object_set_new(links, "total", json_integer(0));
		json_object_set_new(links, "tracked", json_integer(0));
		json_object_set_new(o, "links", links);
		json_object_set_new(o, "receipt_request", rr);
		json_array_append_new(pr, jstr(problem ? problem : "error"));
		json_object_set_new(o, "problems", pr);
		to = bs = rr = pr = links = NULL;
		goto dump;
	}
	json_object_set_new(o, "message_id",
	                    str_or_null(bs_report_message_id(r)));
	json_object_set_new(o, "date", str_or_null(bs_report_date(r)));
	json_object_set_new(o, "from", str_or_null(bs_report_from(r)));
	for (i = 0; i < bs_report_to_count(r); i++)
		json_array_append_new(to, jstr(bs_report_to(r, i)));
	json_object_set_new(o, "to", to);
	json_object_set_new(o, "subject", str_or_null(bs_report_subject(r)));
	json_object_set_new(o, "tracks_open",
	                    json_boolean(bs_report_tracks_open(r)));
	for (i = 0; i < bs_report_beacon_count(r); i++) {
		const struct bs_beacon *b = bs_report_beacon(r, i);
		json_t *jb = json_object(), *rs = json_array(),
		       *ls = json_array();
		const char *ln[5];
		size_t nl;

		if (!jb || !rs || !ls) {
			json_decref(jb);
			json_decref(rs);
			json_decref(ls);
			rc = BS_ENOMEM;
			goto out;
		}
		json_object_set_new(jb, "url", jstr(b->url));
		json_object_set_new(jb, "request", jstr(b->request));
		json_object_set_new(jb, "vector", jstr(b->vector));
		json_object_set_new(jb, "part", json_integer(b->part));
		json_object_set_new(jb, "label", jstr(bs_label_name(b->label)));
		json_object_set_new(jb, "vendor", str_or_null(b->vendor));
		for (j = 0; j < b->nreasons; j++)
			json_array_append_new(rs, jstr(b->reasons[j]));
		json_object_set_new(jb, "reasons", rs);
		json_object_set_new(jb, "recipient_leak",
		                    str_or_null(b->recipient_leak));
		nl = bs_learn_names(b->learns, ln);
		for (j = 0; j < nl; j++)
			json_array_append_new(ls, json_string(ln[j]));
		json_object_set_new(jb, "learns", ls);
		json_array_append_new(bs, jb);
	}
	json_object_set_new(o, "beacons", bs);
	json_object_set_new(links, "total",
	                    json_integer((json_int_t)bs_report_links_total(r)));
	json_object_set_new(
	    links, "tracked",
	    json_integer((json_int_t)bs_report_links_tracked(r)));
	json_object_set_new(o, "links", links);
	for (i = 0; i < bs_report_receipt_count(r); i++)
		json_array_append_new(rr, jstr(bs_report_receipt(r, i)));
	json_object_set_new(o, "receipt_request", rr);
	{
		const struct bs_problems *p = bs_report_problems(r);
		for (i = 0; i < p->count; i++)
			json_array_append_new(pr, jstr(p->item[i]));
		if (problem)
			json_array_append_new(pr, jstr(problem));
	}
	json_object_set_new(o, "problems", pr);
	to = bs = rr = pr = links = NULL;
dump:
	s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s == NULL) {
		rc = BS_ENOMEM;
		goto out;
	}
	bs_buf_puts(out, s);
	bs_buf_putc(out, '\n');
	free(s); /* checksrc: allow (jansson's allocation) */
	rc = bs_buf_error(out);
out:
	json_decref(o);
	json_decref(to);
	json_decref(bs);
	json_decref(rr);
	json_decref(pr);
	json_decref(links);
	return rc;
}

#define BOLD   "\033[1m"
#define DIM    "\033[2m"
#define RED    "\033[31m"
#define YELLOW "\033[33m"
#define GREEN  "\033[32m"
#define RESET  "\033[0m"

static void learns_text(struct bs_buf *out, const struct bs_beacon *b)
{
	const char *parts[6];
	size_t n = 0, i;

	if (b->learns & BS_LEARN_OPEN)
		parts[n++] = (b->learns & BS_LEARN_TIME) ? "when you opened it"
		                                         : "that you opened it";
	if (b->learns & BS_LEARN_IP)
		parts[n++] = "your IP address (where you are, which network)";
	if (b->learns & BS_LEARN_CLIENT)
		parts[n++] = "your mail client and system";
	if (b->learns & BS_LEARN_IDENTITY)
		parts[n++] = "who you are";
	for (i = 0; i < n; i++)
		bs_buf_printf(out, "%s%s",
		              i ? (i + 1 == n ? " and " : ", ") : "", parts[i]);
}

int render_text(struct bs_buf *out, const struct term *t, const char *source,
                const struct bs_report *r, const char *problem, bool verbose)
{
	size_t i, j, ncontent = 0;
	const struct bs_problems *p;
	bool tracks;

	if (r == NULL) {
		bs_buf_printf(out, "%s!%s %s: %s\n", term_sgr(t, RED),
		              term_sgr(t, RESET), source,
		              problem ? problem : "error");
		return bs_buf_error(out);
	}
	tracks = bs_report_tracks_open(r);
	bs_buf_printf(out, "%s%s%s %s%s%s", term_sgr(t, tracks ? RED : GREEN),
	              tracks ? "●" : "○", term_sgr(t, RESET), term_sgr(t, BOLD),
	              *bs_report_from(r) ? bs_report_from(r) : "(no sender)",
	              term_sgr(t, RESET));
	if (strlen(bs_report_date(r)) >= 16)
		/* 2026-11-26T07:30:12+00:00 -> 2026-11-26 07:30 */
		bs_buf_printf(out, "  %s%.10s %.5s%s", term_sgr(t, DIM),
		              bs_report_date(r), bs_report_date(r) + 11,
		              term_sgr(t, RESET));
	bs_buf_printf(out, "\n  %s\n",
	              *bs_report_subject(r) ? bs_report_subject(r)
	                                    : "(no subject)");
	if (verbose || tracks)
		bs_buf_printf(out, "  %s%s%s\n", term_sgr(t, DIM), source,
		              term_sgr(t, RESET));
	for (i = 0; i < bs_report_beacon_count(r); i++) {
		const struct bs_beacon *b = bs_report_beacon(r, i);
		if (b->label == BS_LABEL_CONTENT) {
			ncontent++;
			if (!verbose)
				continue;
		}
		bs_buf_printf(
		    out, "  %s%-15s%s %s  %s%s%s\n",
		    term_sgr(t, b->label == BS_LABEL_CONTENT ? DIM : YELLOW),
		    bs_label_name(b->label), term_sgr(t, RESET),
		    b->vendor
		        ? b->vendor
		        : (b->label == BS_LABEL_CONTENT ? ""
		                                        : "unknown tracker"),
		    term_sgr(t, DIM), b->site ? b->site : "",
		    term_sgr(t, RESET));
		bs_buf_printf(out, "  %15s %s", "", b->vector);
		if (b->width >= 0 && b->height >= 0)
			bs_buf_printf(out, ", %d×%d", b->width, b->height);
		for (j = 0; j < b->nreasons; j++) {
			bs_buf_printf(out, "%s%s", j ? "; " : ": ",
			              reason_words(b->reasons[j]));
			if (b->recipient_leak &&
			    (strcmp(b->reasons[j], "recipient-in-url") == 0 ||
			     strcmp(b->reasons[j], "address-in-url") == 0))
				bs_buf_printf(out, " (%s)", b->recipient_leak);
		}
		bs_buf_putc(out, '\n');
		if (b->label != BS_LABEL_CONTENT) {
			bs_buf_printf(out, "  %15s reveals ", "");
			learns_text(out, b);
			bs_buf_putc(out, '\n');
		}
		if (verbose)
			bs_buf_printf(out, "  %15s %s%s%s\n", "",
			              term_sgr(t, DIM), b->request,
			              term_sgr(t, RESET));
	}
	if (ncontent && !verbose && tracks)
		bs_buf_printf(out,
		              "  %s%-15s %zu other remote resource%s, the same "
		              "for every reader%s\n",
		              term_sgr(t, DIM), "content", ncontent,
		              ncontent == 1 ? "" : "s", term_sgr(t, RESET));
	if (bs_report_receipt_count(r)) {
		bs_buf_printf(out, "  %s%-15s%s asks for a read receipt (",
		              term_sgr(t, YELLOW), "receipt",
		              term_sgr(t, RESET));
		for (i = 0; i < bs_report_receipt_count(r); i++)
			bs_buf_printf(out, "%s%s", i ? ", " : "",
			              bs_report_receipt(r, i));
		bs_buf_puts(out, ")\n");
	}
	if (bs_report_links_tracked(r) && (tracks || verbose))
		bs_buf_printf(
		    out,
		    "  %-15s %zu of %zu links go through a click tracker\n",
		    "links", bs_report_links_tracked(r),
		    bs_report_links_total(r));
	p = bs_report_problems(r);
	if (p->count || problem) {
		bs_buf_printf(out, "  %s%-15s%s ", term_sgr(t, DIM), "problems",
		              term_sgr(t, RESET));
		for (i = 0; i < p->count; i++)
			bs_buf_printf(out, "%s%s", i ? ", " : "", p->item[i]);
		if (problem)
			bs_buf_printf(out, "%s%s", p->count ? ", " : "",
			              problem);
		bs_buf_putc(out, '\n');
	}
	return bs_buf_error(out);
}
