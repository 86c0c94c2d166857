/*
 * signature.h - vendor tracker signatures (data/trackers, --signatures).
 *
 * A signature set is loaded once and then only read, so one set can serve
 * every scanning thread. Two syntaxes are accepted in the same file:
 * bugsweep's own (vendor sections "[Vendor]" and "KIND PATTERN" lines,
 * docs/SIGNATURES.md) and plain Adblock/EasyPrivacy network filters
 * ("||host^", "/path/", "@@" exceptions, "$image" options; cosmetic
 * filters are skipped). Patterns are matched against the whole URL,
 * ASCII-case-insensitively.
 *
 * Bounds: a pattern is at most 1024 bytes; matching is O(url * pattern)
 * at worst (the "*" matcher backtracks to the last star only).
 */
#ifndef BS_DETECT_SIGNATURE_H
#define BS_DETECT_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>

#include "bugsweep/error.h"
#include "util/buf.h"

enum sig_kind {
	SIG_OPEN,  /* open-tracking endpoint */
	SIG_IMAGE, /* personalising / logging image service */
	SIG_CLICK, /* click-tracking redirector */
	SIG_PROXY, /* image proxy wrapping another URL */
	SIG_ALLOW, /* Adblock "@@" exception: never a tracker by list */
};

struct sig_set;

struct sig_match {
	enum sig_kind kind;
	const char *vendor;  /* "Mailchimp", or the list name for bare rules */
	const char *pattern; /* the pattern as written */
};

BS_WARN_UNUSED int sig_set_new(struct sig_set **out);
void sig_set_free(struct sig_set **s);

/*
 * Add the signatures in [data, data+len); name is used as the vendor of
 * bare Adblock rules and in error messages. Malformed lines are skipped and
 * described in err (when not NULL) as "name:line: why"; returns BS_EPARSE
 * only when nothing at all could be read from a non-empty input.
 */
BS_WARN_UNUSED int sig_set_load_buffer(struct sig_set *s, const char *name,
                                       const char *data, size_t len,
                                       struct bs_buf *err);
BS_WARN_UNUSED int sig_set_load_file(struct sig_set *s, const char *path,
                                     struct bs_buf *err);

size_t sig_set_count(const struct sig_set *s);

/*
 * Find a signature matching url. Exceptions win over everything; then the
 * first matching rule of the most specific kind (open, image, proxy,
 * click) in load order. Returns false when nothing matches (or an
 * exception matches: then *m describes the exception, kind SIG_ALLOW).
 * kinds is a bitmask of (1u << SIG_*) to consider.
 */
bool sig_set_match(const struct sig_set *s, const char *url, size_t len,
                   unsigned kinds, struct sig_match *m);

#endif
