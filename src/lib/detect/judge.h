/*
 * judge.h - from references to findings: is each beacon a tracker?
 *
 * The layers of docs/DETECTION.md, all offline:
 *   1. vendor signatures (data/trackers and user lists);
 *   2. shape: tiny, hidden, off-screen, Outlook-only;
 *   3. identity: the recipient's address in the URL (identity.h), and
 *      pieces of the URL that look like identifiers made for one reader;
 *   4. the mailing's structure: repeated URLs, a lone last image without
 *      text, identifiers that the message's links share.
 * Each beacon gets a label (pixel, tracked-content, content), reason codes,
 * the vendor when one is known and what the sender learns. Links are
 * counted, and marked when they go through a click tracker.
 */
#ifndef BS_DETECT_JUDGE_H
#define BS_DETECT_JUDGE_H

#include <stdbool.h>
#include <stddef.h>

#include "bugsweep/bugsweep.h"
#include "detect/identity.h"
#include "detect/refs.h"
#include "detect/signature.h"
#include "url/psl.h"

struct verdict {
	enum bs_label label;
	const char *vendor;
	const char *reasons[BS_MAX_REASONS];
	size_t nreasons;
	const char *recipient_leak;
	unsigned learns;
	bool tracked_link; /* links: goes through a click tracker */
};

struct judge_ctx {
	const struct sig_set *sigs;
	const struct ident_set *ident; /* may be empty */
	const struct bs_limits *limits;
	struct bs_problems *problems;
};

/* Judge every reference of a message; v has refs->n entries. */
BS_WARN_UNUSED int judge_message(struct verdict *v, const struct ref_list *refs,
                                 const struct judge_ctx *ctx);

#endif
