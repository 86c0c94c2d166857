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

#endif
