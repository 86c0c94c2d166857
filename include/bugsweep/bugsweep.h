/*
 * bugsweep.h - the library's public API: scan one message, get a report.
 *
 * The library never sees argv, sockets or exit codes (STYLE.md 1). A
 * front end creates one engine (limits, signature lists, public suffix
 * list), shares it read-only between threads, and calls bs_scan() for each
 * message. The report says which remote resources the message would make a
 * client fetch, which of them report the opening, on what evidence, and
 * what the sender learns.
 *
 * Nothing here fetches anything: all judgements are made offline.
 */
#ifndef BUGSWEEP_H
#define BUGSWEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "bugsweep/error.h"
#include "bugsweep/limits.h"
#include "bugsweep/problems.h"

#define BS_ERRMSG_LEN 256

struct bs_engine_config {
	struct bs_limits limits; /* zero fields take their defaults */
	/* Extra signature lists (bugsweep or Adblock syntax), or NULL. */
	const char *const *signature_files;
	size_t nsignature_files;
	bool no_builtin_signatures; /* only the files above */
	const char *psl_file;       /* NULL: libpsl's built-in list */
};

struct bs_engine;

/* On failure, errmsg (when not NULL) says why, e.g. which file and line. */
BS_WARN_UNUSED int bs_engine_new(struct bs_engine **out,
                                 const struct bs_engine_config *cfg,
                                 char errmsg[BS_ERRMSG_LEN]);
void bs_engine_free(struct bs_engine **e);
const struct bs_limits *bs_engine_limits(const struct bs_engine *e);

enum bs_label {
	BS_LABEL_CONTENT = 0, /* static, the same for every reader */
	BS_LABEL_TRACKED_CONTENT =
	    1,              /* visible, but its URL names the reader */
	BS_LABEL_PIXEL = 2, /* exists to report the opening */
};

/* What the sender learns when a beacon is fetched. */
enum bs_learn {
	BS_LEARN_OPEN = 1u << 0,     /* that the message was opened */
	BS_LEARN_TIME = 1u << 1,     /* when, every time it is opened */
	BS_LEARN_IP = 1u << 2,       /* IP address: location, network */
	BS_LEARN_CLIENT = 1u << 3,   /* User-Agent: mail client, OS */
	BS_LEARN_IDENTITY = 1u << 4, /* which reader: a token or the address */
};

#define BS_MAX_REASONS 8

struct bs_beacon {
	const char *url;     /* as written in the message (markup decoded) */
	const char *request; /* what a client would request (WHATWG URL) */
	const char *vector;  /* "img.src", "css.style-block", ... */
	unsigned part;       /* 1-based index of the HTML document */
	enum bs_label label;
	const char *vendor; /* known vendor, or NULL */
	const char *host;   /* host of url */
	const char *site;   /* registrable domain of host */
	const char
	    *reasons[BS_MAX_REASONS]; /* reason codes, docs/DETECTION.md */
	size_t nreasons;
	const char *recipient_leak; /* "base64", "md5", ... or NULL */
	unsigned learns;            /* enum bs_learn bits */
	int width, height;          /* rendered size in CSS px, -1 unknown */
	bool hidden;                /* not visible to the reader */
	bool outlook_only;          /* inside <!--[if mso]> */
};

struct bs_scan_options {
	/* The reader's address; NULL to take it from Delivered-To,
	 * X-Original-To, then To and Cc. */
	const char *recipient;
};

struct bs_report;

/*
 * Scan one message. Returns 0 with a report even for broken mail (the
 * report's problems say what was wrong); an error only when no report can
 * be made at all (BS_ENOMEM).
 */
BS_WARN_UNUSED int bs_scan(struct bs_report **out, const struct bs_engine *e,
                           const char *msg, size_t len,
                           const struct bs_scan_options *opt);
void bs_report_free(struct bs_report **r);

/* Message facts; strings are UTF-8, "" when absent. */
const char *bs_report_message_id(const struct bs_report *r);
const char *bs_report_date(const struct bs_report *r); /* ISO 8601 or "" */
const char *bs_report_from(const struct bs_report *r);
const char *bs_report_subject(const struct bs_report *r);
size_t bs_report_to_count(const struct bs_report *r);
const char *bs_report_to(const struct bs_report *r, size_t i);

bool bs_report_tracks_open(const struct bs_report *r);
size_t bs_report_beacon_count(const struct bs_report *r);
const struct bs_beacon *bs_report_beacon(const struct bs_report *r, size_t i);
size_t bs_report_links_total(const struct bs_report *r);
size_t bs_report_links_tracked(const struct bs_report *r);
/* Read-receipt request header names present ("Disposition-Notification-To"). */
size_t bs_report_receipt_count(const struct bs_report *r);
const char *bs_report_receipt(const struct bs_report *r, size_t i);
const struct bs_problems *bs_report_problems(const struct bs_report *r);

/* Stable names for the enums, as used in JSON output. */
const char *bs_label_name(enum bs_label l);
/* Fills out[] with the names of the bits in learns; returns the count. */
size_t bs_learn_names(unsigned learns, const char *out[5]);

/* ---- clean: neutralise the beacons of one message ---------------- */

enum bs_policy {
	/* pixels removed; tracked content loses its token (or becomes a
	 * box with its alt text); content kept */
	BS_POLICY_TRACKERS = 0,
	/* no remote content at all: images become boxes with their alt
	 * text, remote CSS, fonts and other resources are dropped */
	BS_POLICY_REMOTE,
	/* as TRACKERS, then every remaining remote URL goes through the
	 * proxy template */
	BS_POLICY_PROXY,
};

enum bs_links {
	BS_LINKS_KEEP = 0,
	BS_LINKS_STRIP_PARAMS, /* drop utm_*, mc_eid, _hsenc, fbclid, ... */
	BS_LINKS_UNWRAP,       /* a redirector becomes the target it holds */
};

struct bs_clean_options {
	const char *recipient; /* as in bs_scan_options */
	enum bs_policy policy;
	/* BS_POLICY_PROXY: an http(s) URL holding "{url}", replaced by the
	 * percent-encoded original ("https://p.example/i?u={url}") */
	const char *proxy_template;
	enum bs_links links; /* one-click action links are never rewritten */
	bool banner;         /* an inert notice atop each cleaned HTML body */
};

struct bs_clean;

/* Is t a usable proxy template (what bs_clean checks)? */
bool bs_clean_proxy_template_ok(const char *t);

/* Where the cleaned message goes: return 0, or a negative value to stop. */
typedef int (*bs_write_fn)(void *ctx, const char *data, size_t len);

/*
 * Clean one message. Rewrites only the HTML parts that hold something to
 * neutralise (re-encoded with their own charset and transfer encoding and
 * spliced into the original bytes), renames read-receipt requests, and
 * adds an X-Bugsweep header at the top (docs/CLEAN.md). A message that
 * cannot be cleaned safely (a limit hit, a part that cannot be re-encoded,
 * any internal error including out of memory) comes out unchanged but for
 * "X-Bugsweep: skipped; reason=...". Cleaning a cleaned message again
 * changes nothing.
 *
 * Returns 0 with a result in every case above, BS_EINVAL for bad options,
 * and BS_ENOMEM only when not even the result could be allocated: then
 * deliver with bs_clean_write_skipped(). The result may point into msg:
 * keep msg until the result is written and freed.
 */
BS_WARN_UNUSED int bs_clean(struct bs_clean **out, const struct bs_engine *e,
                            const char *msg, size_t len,
                            const struct bs_clean_options *opt);
void bs_clean_free(struct bs_clean **c);

/* Write the cleaned message; returns 0 or what fn returned. */
BS_WARN_UNUSED int bs_clean_write(const struct bs_clean *c, bs_write_fn fn,
                                  void *ctx);
/* Total bytes bs_clean_write writes. */
size_t bs_clean_size(const struct bs_clean *c);
/* Write msg unchanged but for an "X-Bugsweep: skipped" header, without
 * allocating anything (reason: a short token such as "out-of-memory"). */
BS_WARN_UNUSED int bs_clean_write_skipped(bs_write_fn fn, void *ctx,
                                          const char *msg, size_t len,
                                          const char *reason);

/* NULL, or why the message was skipped ("limit:html-bytes", ...). */
const char *bs_clean_skipped(const struct bs_clean *c);
/* Did anything change beyond the X-Bugsweep header? */
bool bs_clean_changed(const struct bs_clean *c);
/* Trackers (pixel, tracked-content) neutralised. */
size_t bs_clean_removed(const struct bs_clean *c);
/* Content blocked (remote), URLs proxied, links rewritten, receipt
 * requests removed. */
size_t bs_clean_blocked(const struct bs_clean *c);
size_t bs_clean_proxied(const struct bs_clean *c);
size_t bs_clean_links(const struct bs_clean *c);
size_t bs_clean_receipts(const struct bs_clean *c);
/* The scan of the input (NULL when the message was skipped before it). */
const struct bs_report *bs_clean_report(const struct bs_clean *c);

#endif
