/*
 * srcset.h - the HTML Standard's "parse a srcset attribute".
 *
 * What it does: splits a srcset value (already decoded by the HTML
 * tokenizer) into image candidates: each URL as a span of the value, so a
 * rewrite can patch it in place, with its descriptors (w, x, h). Runs in
 * one pass, linear in the value.
 *
 * What it won't do: resolve the URLs (bs_url_resolve_mail does that),
 * pick the candidate a client would choose (which depends on the screen:
 * every candidate is a possible fetch), or parse the sizes attribute.
 *
 * Limits: at most limits.srcset_candidates candidates are returned; the
 * rest are ignored and "limit:srcset-candidates" is recorded.
 */
#ifndef BS_URL_SRCSET_H
#define BS_URL_SRCSET_H

#include <stdbool.h>
#include <stddef.h>

#include "bugsweep/error.h"
#include "bugsweep/limits.h"
#include "bugsweep/problems.h"

struct bs_srcset_candidate {
	size_t url_off; /* the URL is value[url_off, url_off + url_len) */
	size_t url_len;
	size_t desc_off; /* descriptors as written, trimmed; 0-length if none */
	size_t desc_len;
	unsigned width;  /* "100w"; 0 when absent */
	unsigned height; /* "100h" (future-compatible); 0 when absent */
	double density;  /* "2x"; 0 when absent (a client then assumes 1x) */
	/*
	 * The spec drops a candidate whose descriptors do not parse ("2x
	 * 100w", "abc"): a conforming client never fetches it. It is still
	 * reported, since older clients may.
	 */
	bool dropped;
};

/*
 * Parse value [s, s+n). On success *out is an array of *count candidates
 * (NULL when there are none), to free with bs_srcset_free(). lim and pr
 * may be NULL. BS_ENOMEM only.
 */
int bs_srcset_parse(struct bs_srcset_candidate **out, size_t *count,
                    const char *s, size_t n, const struct bs_limits *lim,
                    struct bs_problems *pr) BS_WARN_UNUSED;

/* Accepts NULL and clears the pointer. */
void bs_srcset_free(struct bs_srcset_candidate **c);

#endif
