/*
 * url.h - the WHATWG URL Standard's basic URL parser, for mail.
 *
 * What it does: parses a URL string (UTF-8 bytes) against an optional base
 * URL exactly as a browser-grade client would (https://url.spec.whatwg.org/
 * #concept-basic-url-parser): every state, special schemes, IDNA hosts,
 * IPv4 (hex, octal, shortened forms) and IPv6 hosts, opaque hosts, the
 * percent-encode sets, "." and ".." segments, Windows drive letters. The
 * result is one allocation: the serialisation (href) plus the offsets of
 * each component inside it, as the spec's URL record would serialise.
 *
 * What it won't do: fetch or resolve anything (the library never touches
 * the network); state overrides (the URL API setters); encodings other
 * than UTF-8 for the query (mail HTML is decoded to UTF-8 first); HTML
 * character references (the HTML tokenizer decodes "&amp;" before a value
 * reaches this parser). IDNA is delegated to libidn2, which differs from
 * UTS #46 as the URL Standard uses it in a few corners: docs/URL.md lists
 * them.
 *
 * Limits: the input is cut at limits.url_bytes (after trimming); the URL
 * is then parsed from that prefix, flagged BS_URL_Q_TRUNCATED, and the
 * problem "limit:url-bytes" is recorded. Parsing is linear in the input,
 * also for long runs of "../" or of IPv6 and IPv4 digits.
 */
#ifndef BS_URL_URL_H
#define BS_URL_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "bugsweep/error.h"
#include "bugsweep/limits.h"
#include "bugsweep/problems.h"

struct bs_url;

/* Schemes the URL Standard calls special, plus "other". */
enum bs_url_scheme {
	BS_URL_SCHEME_OTHER = 0,
	BS_URL_SCHEME_HTTP,
	BS_URL_SCHEME_HTTPS,
	BS_URL_SCHEME_WS,
	BS_URL_SCHEME_WSS,
	BS_URL_SCHEME_FTP,
	BS_URL_SCHEME_FILE,
};

enum bs_url_host_type {
	BS_URL_HOST_NULL = 0, /* no host at all ("mailto:x", "data:...") */
	BS_URL_HOST_EMPTY,    /* the empty host ("file:///p", "x:///p") */
	BS_URL_HOST_DOMAIN,   /* ASCII lower-case, IDNA applied */
	BS_URL_HOST_IPV4,     /* serialised dotted-decimal */
	BS_URL_HOST_IPV6,     /* serialised compressed, with brackets */
	BS_URL_HOST_OPAQUE,   /* host of a non-special URL, percent-encoded */
};

/* Components of a parsed URL, as spans of its href. */
enum bs_url_part {
	BS_URL_HREF = 0, /* the whole serialisation */
	BS_URL_SCHEME,   /* "https", without ':' */
	BS_URL_USERNAME,
	BS_URL_PASSWORD,
	BS_URL_HOST,      /* serialised host, "[::1]" for IPv6; no port */
	BS_URL_PORT,      /* digits; empty when the port is null */
	BS_URL_PATH,      /* "/a/b" or an opaque path ("text/plain,x") */
	BS_URL_QUERY,     /* without '?' */
	BS_URL_FRAGMENT,  /* without '#' */
	BS_URL_AUTHORITY, /* "user:pass@host:port", empty without host */
};

/*
 * Quirks the parser met on the way: the spec's validation errors that tell
 * something about how the URL was written (obfuscation often shows here).
 * They never change the result.
 */
enum bs_url_quirk {
	BS_URL_Q_TABNL = 1u << 0,       /* tab, CR or LF removed from inside */
	BS_URL_Q_TRIMMED = 1u << 1,     /* leading/trailing C0 or space cut */
	BS_URL_Q_BACKSLASH = 1u << 2,   /* '\' used as '/' */
	BS_URL_Q_CREDENTIALS = 1u << 3, /* user or password present */
	BS_URL_Q_IPV4_NONDECIMAL = 1u << 4, /* hex/octal/short IPv4 form */
	BS_URL_Q_IDN = 1u << 5,             /* host went through IDNA */
	BS_URL_Q_SLASHES = 1u << 6,         /* missing or extra slashes fixed */
	BS_URL_Q_TRUNCATED = 1u << 7,       /* input cut at limits.url_bytes */
	BS_URL_Q_ASSUMED_HTTPS = 1u << 8,   /* see bs_url_resolve_mail() */
	BS_URL_Q_DEFAULT_PORT = 1u << 9,    /* explicit default port dropped */
};

/*
 * Parse [in, in+len) against base (NULL for none). On success *out is a
 * new URL (free with bs_url_free). Returns BS_EPARSE when the spec says
 * "failure" (no URL: a client would not fetch anything), BS_ENOMEM, or
 * BS_ELIMIT when the serialisation would pass its cap (4 x url_bytes plus
 * the base's length, which percent-encoding cannot reach). lim and pr may
 * be NULL (defaults, no problem recording).
 */
int bs_url_parse(struct bs_url **out, const char *in, size_t len,
                 const struct bs_url *base, const struct bs_limits *lim,
                 struct bs_problems *pr) BS_WARN_UNUSED;

/* Accepts NULL and clears the pointer. */
void bs_url_free(struct bs_url **u);

/* A new URL with the same content. */
struct bs_url *bs_url_dup(const struct bs_url *u);

/*
 * Span of one component inside the href (never NULL; the href is
 * NUL-terminated, components are not). A null query or fragment and an
 * empty one both give length 0: tell them apart with bs_url_has_query().
 */
const char *bs_url_get(const struct bs_url *u, enum bs_url_part part,
                       size_t *len);

/* The href as a NUL-terminated string, with its length. */
const char *bs_url_href(const struct bs_url *u, size_t *len);

enum bs_url_scheme bs_url_scheme(const struct bs_url *u);
bool bs_url_is_special(const struct bs_url *u);
enum bs_url_host_type bs_url_host_type(const struct bs_url *u);
/* The port, or -1 when null (absent or the scheme's default). */
int bs_url_port(const struct bs_url *u);
/* The port a client would connect to: the explicit one or the default;
 * -1 when the scheme has none. */
int bs_url_effective_port(const struct bs_url *u);
bool bs_url_has_opaque_path(const struct bs_url *u);
bool bs_url_has_query(const struct bs_url *u);
bool bs_url_has_fragment(const struct bs_url *u);
/* enum bs_url_quirk bits. */
unsigned bs_url_quirks(const struct bs_url *u);

/* ASCII case-insensitive scheme comparison of a parsed URL. */
bool bs_url_scheme_is(const struct bs_url *u, const char *scheme);

/*
 * Does the raw attribute value [in, in+len) start with "scheme:", as the
 * parser would see it (leading C0 controls and spaces skipped, tabs and
 * newlines ignored, ASCII case-insensitive)? Cheap, no allocation: for a
 * quick "data:" or "cid:" test before parsing.
 */
bool bs_url_raw_scheme_is(const char *in, size_t len, const char *scheme);

/*
 * Would a mail client fetch this URL over the network? True for http and
 * https only: data:, cid:, mid:, mailto:, about:, javascript:, file: and
 * the rest are not remote fetches (ws/wss/ftp are not loaded as
 * subresources of a message either).
 */
bool bs_url_is_remote(const struct bs_url *u);

/*
 * Resolve an attribute value as a mail client would. base is the parsed
 * <base href> of the document, or NULL. A message has no URL of its own
 * that relative references could resolve against (clients use internal
 * schemes such as cid:, x-msg: or about:blank), so without a base:
 *   - an absolute URL parses as usual;
 *   - a scheme-relative "//host/p" (or "\\host\p") is resolved against
 *     https:, because webmail, where most mail is read, renders messages
 *     inside an https page; the result carries BS_URL_Q_ASSUMED_HTTPS;
 *   - anything else relative returns BS_EPARSE: no client fetches it.
 */
int bs_url_resolve_mail(struct bs_url **out, const char *in, size_t len,
                        const struct bs_url *base, const struct bs_limits *lim,
                        struct bs_problems *pr) BS_WARN_UNUSED;

/*
 * The URL Standard's "domain to ASCII" (beStrict false) followed by the
 * forbidden-domain-code-point check, on a UTF-8 domain that is already
 * percent-decoded. On success *out is a NUL-terminated bs_malloc'd string
 * (free with bs_free) and *outlen its length. BS_EPARSE on failure.
 */
int bs_url_domain_to_ascii(char **out, size_t *outlen, const char *in,
                           size_t len) BS_WARN_UNUSED;

#endif
