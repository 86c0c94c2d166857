/*
 * report.h - the report's insides, shared by scan (detect/scan.c) and the
 * rewriter (src/lib/rewrite), which patches the very references the scan
 * judged.
 */
#ifndef BS_DETECT_REPORT_H
#define BS_DETECT_REPORT_H

#include "bugsweep/bugsweep.h"
#include "detect/judge.h"
#include "detect/refs.h"
#include "detect/signature.h"
#include "html/dom.h"
#include "mime/mime.h"
#include "url/psl.h"
#include "util/arena.h"

struct bs_engine {
	struct bs_limits limits;
	struct sig_set *sigs;
	struct bs_psl *psl;
};

/* One HTML document of the message, kept when the caller rewrites. */
struct report_doc {
	const struct mime_doc *doc;
	struct html_dom *dom;    /* NULL unless kept */
	size_t first_ref, nrefs; /* its references in report.refs */
};

struct bs_report {
	struct bs_arena *arena; /* strings of the public view */
	struct bs_problems problems;
	const char *message_id, *date, *from, *subject;
	const char **to;
	size_t nto;
	struct bs_beacon *beacons;
	size_t nbeacons;
	size_t *beacon_ref; /* index in refs of each beacon */
	size_t links_total, links_tracked;
	const char *receipts[MIME_RECEIPT_COUNT];
	unsigned receipt_bits;
	size_t nreceipts;
	bool tracks;

	struct mime_message *msg;
	struct report_doc *docs;
	size_t ndocs;
	struct ref_list refs;
	struct verdict *verdicts;
};

/*
 * Build a report; keep_docs keeps the message and the DOMs for a rewrite
 * (bs_scan frees them as soon as the beacons are judged).
 */
BS_WARN_UNUSED int report_build(struct bs_report **out,
                                const struct bs_engine *e, const char *msg,
                                size_t len, const struct bs_scan_options *opt,
                                bool keep_docs);

/*
 * The same from a message already parsed (taken over, also on failure),
 * with the problems its parse recorded (may be NULL): clean checks its
 * output without parsing it twice.
 */
BS_WARN_UNUSED int
report_build_from(struct bs_report **out, const struct bs_engine *e,
                  struct mime_message *m, const struct bs_problems *pr,
                  const struct bs_scan_options *opt, bool keep_docs);

#endif
