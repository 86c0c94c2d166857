/*
 * fuzz_url.c - the URL parser with and without a base, its tokens, and
 * srcset.
 *
 * Input: a base URL up to the first LF, then the URL to parse against it
 * (tab and newline are stripped by the parser anyway, so the split takes
 * nothing from what the parser can see). Without a LF the whole input is
 * parsed alone. The whole input is also parsed alone and as a srcset.
 *
 * Invariant: parsing the href of a parsed URL gives back the same href
 * (the URL Standard's serialiser is meant to round-trip); components are
 * spans inside the href; srcset and token spans stay inside their input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "fuzz.h"
#include "url/srcset.h"
#include "url/token.h"
#include "url/url.h"

static struct bs_limits lim, wide;

static void check_url(const struct bs_url *u)
{
	struct bs_url *again = NULL, *dup;
	struct bs_url_tokens *t = NULL;
	const char *href, *h2;
	size_t len, len2, i, n;
	int rc;

	href = bs_url_href(u, &len);
	FUZZ_CHECK(href != NULL && href[len] == '\0' && strlen(href) == len);
	for (i = BS_URL_HREF; i <= BS_URL_AUTHORITY; i++) {
		const char *c = bs_url_get(u, (enum bs_url_part)i, &n);

		FUZZ_CHECK(c >= href && c + n <= href + len);
	}
	(void)bs_url_port(u);
	(void)bs_url_effective_port(u);
	(void)bs_url_is_remote(u);

	/* Round trip: the href as input, no base, no truncation. */
	if (!(bs_url_quirks(u) & BS_URL_Q_TRUNCATED)) {
		rc = bs_url_parse(&again, href, len, NULL, &wide, NULL);
		if (rc != BS_ENOMEM) {
			if (rc != 0)
				fprintf(stderr,
				        "href \"%s\" does not parse (%d)\n",
				        href, rc);
			FUZZ_CHECK(rc == 0);
			h2 = bs_url_href(again, &len2);
			if (len2 != len || memcmp(h2, href, len) != 0)
				fprintf(stderr,
				        "href \"%s\" parses as \"%s\"\n", href,
				        h2);
			FUZZ_CHECK(len2 == len && memcmp(h2, href, len) == 0);
			FUZZ_CHECK(bs_url_host_type(again) ==
			           bs_url_host_type(u));
		}
		bs_url_free(&again);
	}

	dup = bs_url_dup(u);
	if (dup != NULL) {
		h2 = bs_url_href(dup, &len2);
		FUZZ_CHECK(len2 == len && memcmp(h2, href, len) == 0);
		bs_url_free(&dup);
	}

	if (bs_url_tokens(&t, u, &lim, NULL) == 0) {
		n = bs_url_tokens_count(t);
		FUZZ_CHECK(n <= lim.url_tokens);
		for (i = 0; i < n; i++) {
			const struct bs_url_token *k = bs_url_tokens_get(t, i);

			FUZZ_CHECK(k->raw_off + k->raw_len <= len);
			FUZZ_CHECK(strlen(k->text) <= k->text_len);
		}
	}
	bs_url_tokens_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *lf = memchr(in, '\n', size);
	struct bs_problems pr;
	struct bs_url *u = NULL, *base = NULL;
	struct bs_srcset_candidate *c = NULL;
	size_t i, n = 0;

	if (lim.url_bytes == 0) {
		bs_limits_default(&lim);
		wide = lim;
		wide.url_bytes = (size_t)1 << 30;
	}
	bs_problems_init(&pr);

	if (bs_url_parse(&u, in, size, NULL, &lim, &pr) == 0)
		check_url(u);
	bs_url_free(&u);
	(void)bs_url_raw_scheme_is(in, size, "data");

	if (lf != NULL) {
		size_t blen = (size_t)(lf - in);
		const char *rel = lf + 1;
		size_t rlen = size - blen - 1;

		if (bs_url_parse(&base, in, blen, NULL, &lim, &pr) == 0) {
			if (bs_url_parse(&u, rel, rlen, base, &lim, &pr) == 0)
				check_url(u);
			bs_url_free(&u);
		}
		if (bs_url_resolve_mail(&u, rel, rlen, base, &lim, &pr) == 0)
			check_url(u);
		bs_url_free(&u);
		bs_url_free(&base);
	}

	if (bs_srcset_parse(&c, &n, in, size, &lim, &pr) == 0) {
		FUZZ_CHECK(n <= lim.srcset_candidates);
		for (i = 0; i < n; i++) {
			FUZZ_CHECK(c[i].url_off + c[i].url_len <= size);
			FUZZ_CHECK(c[i].desc_off + c[i].desc_len <= size);
		}
	}
	bs_srcset_free(&c);
	FUZZ_CHECK(c == NULL);
	return 0;
}
