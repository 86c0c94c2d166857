/*
 * identity.h - does a URL carry the recipient's address?
 *
 * A tracker that names its reader needs an identifier; the cheapest one is
 * the address itself, plain or lightly disguised. For each recipient
 * address (as written and lower-cased) we look for it in a URL:
 *   plain      the address itself (ASCII case-insensitive)
 *   urlenc     the address once the URL is percent-decoded
 *   base64 / base64url
 *              inside any base64 run of the URL, decoded at each of the four
 *              alignments, also one level deeper (a JWT inside a token)
 *   hex        inside any run of hex digits, decoded
 *   md5 / sha1 / sha256
 *              the hex digest of the address (as written or lower-cased)
 * Only addresses of at least 6 bytes with an '@' are taken. The work per
 * URL is linear in its length times the number of addresses (at most
 * IDENT_MAX_ADDRS).
 */
#ifndef BS_DETECT_IDENTITY_H
#define BS_DETECT_IDENTITY_H

#include <stddef.h>

#include "bugsweep/error.h"

#define IDENT_MAX_ADDRS 16

struct ident_set;

BS_WARN_UNUSED int ident_set_new(struct ident_set **out);
void ident_set_free(struct ident_set **s);

/* Add an address; duplicates and implausible ones are ignored. */
BS_WARN_UNUSED int ident_set_add(struct ident_set *s, const char *addr,
                                 size_t len);
size_t ident_set_count(const struct ident_set *s);

/*
 * The encoding under which some recipient address appears in url
 * ("plain", "urlenc", "base64", "base64url", "hex", "md5", "sha1",
 * "sha256"), or NULL. When addr is not NULL it receives the index of the
 * address found (in the order added).
 */
const char *ident_find(const struct ident_set *s, const char *url, size_t len,
                       size_t *addr);

#endif
