/*
 * psl.h - public suffixes and registrable domains (eTLD+1) via libpsl.
 *
 * What it does: loads a Public Suffix List once (libpsl's built-in list,
 * or the distribution's newer copy when there is one; or a list file in
 * the plain .dat format, as `--psl FILE` passes) and splits hosts into
 * their public suffix and registrable domain, so that a tracker can be
 * named by its owner ("a.b.example.co.uk" -> "example.co.uk",
 * "x.github.io" -> "x.github.io").
 *
 * What it won't do: parse URLs or apply IDNA: hosts are expected as the
 * URL parser serialises them (ASCII, A-labels); upper case is folded.
 * IP addresses and single-label hosts have no registrable domain.
 *
 * Threads: after bs_psl_load() the object is read-only and may be shared
 * by any number of threads.
 */
#ifndef BS_URL_PSL_H
#define BS_URL_PSL_H

#include <stddef.h>

#include "bugsweep/error.h"

struct bs_psl;

/* What kind of host was split. */
enum bs_psl_kind {
	BS_PSL_DOMAIN = 0,    /* has a registrable domain */
	BS_PSL_PUBLIC_SUFFIX, /* is itself a public suffix ("co.uk") */
	BS_PSL_SINGLE_LABEL,  /* "localhost", "intranet" */
	BS_PSL_IP,            /* IPv4 or "[IPv6]" literal */
	BS_PSL_INVALID,       /* empty, or empty labels ("a..b", ".x") */
};

/* Offsets into the host that was split; end excludes one trailing dot. */
struct bs_psl_split {
	enum bs_psl_kind kind;
	size_t end;         /* host[0, end) is the host without a final '.' */
	size_t suffix;      /* host[suffix, end) is the public suffix */
	size_t registrable; /* host[registrable, end): eTLD+1; == end when
	                     * there is none */
};

/*
 * Load the list from path (.dat format), or the built-in one when path is
 * NULL. BS_EIO when the file cannot be read or holds no rules, BS_ENOMEM.
 */
int bs_psl_load(struct bs_psl **out, const char *path) BS_WARN_UNUSED;

/* Accepts NULL and clears the pointer. */
void bs_psl_free(struct bs_psl **psl);

/* Number of rules of a list loaded from a .dat file; -1 when unknown
 * (the built-in and the distribution lists are precompiled). */
int bs_psl_rules(const struct bs_psl *psl);

/* Split host [host, host+len). BS_ENOMEM only; bad hosts are INVALID. */
int bs_psl_split(const struct bs_psl *psl, const char *host, size_t len,
                 struct bs_psl_split *out) BS_WARN_UNUSED;

/*
 * The name to report as a host's owner: its registrable domain, else the
 * host itself (IP literal, single label, a public suffix), without a
 * trailing dot. Returns a pointer into host and sets *olen.
 */
const char *bs_psl_owner(const struct bs_psl *psl, const char *host, size_t len,
                         size_t *olen);

#endif
