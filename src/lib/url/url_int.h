/*
 * url_int.h - what the url module's files share and nothing else sees:
 * the URL Standard's percent-encode sets and the host parser.
 */
#ifndef BS_URL_URL_INT_H
#define BS_URL_URL_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "url.h"
#include "util/buf.h"

/* The percent-encode sets of the URL Standard, section 1.3. */
enum pe_set {
	PE_C0,
	PE_FRAGMENT,
	PE_QUERY,
	PE_SPECIAL_QUERY,
	PE_PATH,
	PE_USERINFO,
	PE_COMPONENT,
};

bool url_pe_in_set(unsigned char c, enum pe_set set);

/* Append byte c to b, percent-encoded when it is in set. */
void url_pe_append(struct bs_buf *b, unsigned char c, enum pe_set set);

/*
 * The host parser (URL Standard 3.5) on [s, s+n): appends the serialised
 * host to out and sets *type. special is "url is special" (non-special
 * URLs get opaque hosts). BS_EPARSE on failure, BS_ENOMEM, or the buffer's
 * BS_ELIMIT. *quirks collects BS_URL_Q_* bits.
 */
int url_host_parse(struct bs_buf *out, enum bs_url_host_type *type,
                   const char *s, size_t n, bool special, unsigned *quirks);

#endif
