/*
 * wpt_url - runs the web-platform-tests URL data against bs_url_parse.
 *
 * urltestdata.json: every object case parses "input" against "base" (or
 * none) and compares failure, href and each component the URL API shows
 * (protocol, username, password, host, hostname, port, pathname, search,
 * hash, origin). toascii.json: "https://" input "/x" must give host
 * "output", or fail when output is null.
 *
 * usage: wpt_url [-v] URLTESTDATA TOASCII [MIN_ALL MIN_HTTP MIN_TOASCII]
 * Prints "wpt-url: N passed, M failed", "wpt-url-http: ..." (cases whose
 * input or base is http or https) and "wpt-url-toascii: ..."; exits 1
 * when a count of passes is below its floor.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url/url.h"
#include "util/buf.h"
#include "util/str.h"

static int verbose;

struct tally {
	unsigned pass, fail;
};

static void str_of(const json_t *o, const char *key, const char **s, size_t *n)
{
	json_t *v = json_object_get(o, key);

	*s = json_is_string(v) ? json_string_value(v) : NULL;
	*n = json_is_string(v) ? json_string_length(v) : 0;
}

/* The URL API's origin getter, serialised. */
static void origin(struct bs_buf *b, const struct bs_url *u)
{
	size_t n;
	const char *s;

	bs_buf_reset(b);
	switch (bs_url_scheme(u)) {
	case BS_URL_SCHEME_HTTP:
	case BS_URL_SCHEME_HTTPS:
	case BS_URL_SCHEME_WS:
	case BS_URL_SCHEME_WSS:
	case BS_URL_SCHEME_FTP:
		s = bs_url_get(u, BS_URL_SCHEME, &n);
		bs_buf_append(b, s, n);
		bs_buf_puts(b, "://");
		s = bs_url_get(u, BS_URL_HOST, &n);
		bs_buf_append(b, s, n);
		if (bs_url_port(u) >= 0)
			bs_buf_printf(b, ":%d", bs_url_port(u));
		return;
	default:
		break;
	}
	if (bs_url_scheme_is(u, "blob")) {
		struct bs_url *pu = NULL;

		s = bs_url_get(u, BS_URL_PATH, &n);
		if (bs_url_parse(&pu, s, n, NULL, NULL, NULL) == 0 &&
		    (bs_url_scheme(pu) == BS_URL_SCHEME_HTTP ||
		     bs_url_scheme(pu) == BS_URL_SCHEME_HTTPS)) {
			origin(b, pu);
			bs_url_free(&pu);
			return;
		}
		bs_url_free(&pu);
	}
	bs_buf_puts(b, "null");
}

/* Compare one URL API attribute; returns false and reports a mismatch. */
static bool expect(const json_t *c, const char *key, const char *got,
                   size_t gotn, const char *input)
{
	const char *want;
	size_t wn;

	str_of(c, key, &want, &wn);
	if (want == NULL)
		return true;
	if (wn == gotn && memcmp(want, got, wn) == 0)
		return true;
	if (verbose)
		printf("FAIL %s: %s: got \"%.*s\" want \"%s\"\n", input, key,
		       (int)gotn, got, want);
	return false;
}

static bool run_case(const json_t *c)
{
	const char *in, *bs;
	size_t inn, bn, n;
	struct bs_url *base = NULL, *u = NULL;
	bool want_fail = json_is_true(json_object_get(c, "failure"));
	bool ok = true;
	int rc = 0;
	struct bs_buf b;
	const char *s;

	str_of(c, "input", &in, &inn);
	str_of(c, "base", &bs, &bn);
	if (bs)
		rc = bs_url_parse(&base, bs, bn, NULL, NULL, NULL);
	if (rc == 0)
		rc = bs_url_parse(&u, in, inn, base, NULL, NULL);
	if (rc != 0 || want_fail) {
		ok = (rc != 0) == want_fail;
		if (!ok && verbose)
			printf("FAIL %s (base %s): %s\n", in, bs ? bs : "null",
			       want_fail ? "parsed, want failure" : "failed");
		goto out;
	}
	bs_buf_init(&b, 1 << 20);
	s = bs_url_get(u, BS_URL_HREF, &n);
	ok &= expect(c, "href", s, n, in);
	bs_buf_reset(&b);
	s = bs_url_get(u, BS_URL_SCHEME, &n);
	bs_buf_append(&b, s, n);
	bs_buf_putc(&b, ':');
	ok &= expect(c, "protocol", b.data, b.len, in);
	s = bs_url_get(u, BS_URL_USERNAME, &n);
	ok &= expect(c, "username", s, n, in);
	s = bs_url_get(u, BS_URL_PASSWORD, &n);
	ok &= expect(c, "password", s, n, in);
	s = bs_url_get(u, BS_URL_HOST, &n);
	ok &= expect(c, "hostname", s, n, in);
	bs_buf_reset(&b);
	bs_buf_append(&b, s, n);
	s = bs_url_get(u, BS_URL_PORT, &n);
	if (n) {
		bs_buf_putc(&b, ':');
		bs_buf_append(&b, s, n);
	}
	ok &= expect(c, "host", b.data ? b.data : "", b.len, in);
	ok &= expect(c, "port", s, n, in);
	s = bs_url_get(u, BS_URL_PATH, &n);
	ok &= expect(c, "pathname", s, n, in);
	bs_buf_reset(&b);
	s = bs_url_get(u, BS_URL_QUERY, &n);
	if (n) {
		bs_buf_putc(&b, '?');
		bs_buf_append(&b, s, n);
	}
	ok &= expect(c, "search", b.data ? b.data : "", b.len, in);
	bs_buf_reset(&b);
	s = bs_url_get(u, BS_URL_FRAGMENT, &n);
	if (n) {
		bs_buf_putc(&b, '#');
		bs_buf_append(&b, s, n);
	}
	ok &= expect(c, "hash", b.data ? b.data : "", b.len, in);
	origin(&b, u);
	ok &= expect(c, "origin", b.data, b.len, in);
	bs_buf_release(&b);
out:
	bs_url_free(&u);
	bs_url_free(&base);
	return ok;
}

static bool is_http(const json_t *c)
{
	const char *in, *bs;
	size_t inn, bn;

	str_of(c, "input", &in, &inn);
	str_of(c, "base", &bs, &bn);
	return bs_url_raw_scheme_is(in, inn, "http") ||
	       bs_url_raw_scheme_is(in, inn, "https") ||
	       (bs && (bs_url_raw_scheme_is(bs, bn, "http") ||
	               bs_url_raw_scheme_is(bs, bn, "https")));
}

static bool run_toascii(const json_t *c)
{
	const char *in, *want;
	size_t inn, wn, n;
	struct bs_buf b;
	struct bs_url *u = NULL;
	bool ok;
	const char *s;
	int rc;

	str_of(c, "input", &in, &inn);
	str_of(c, "output", &want, &wn);
	bs_buf_init(&b, 1 << 16);
	bs_buf_puts(&b, "https://");
	bs_buf_append(&b, in, inn);
	bs_buf_puts(&b, "/x");
	rc = bs_url_parse(&u, b.data, b.len, NULL, NULL, NULL);
	if (want == NULL) {
		ok = rc != 0;
		if (!ok && verbose) {
			s = bs_url_get(u, BS_URL_HOST, &n);
			printf("FAIL toascii %s: got \"%.*s\" want failure\n",
			       in, (int)n, s);
		}
	} else if (rc != 0) {
		ok = false;
		if (verbose)
			printf("FAIL toascii %s: failed, want \"%s\"\n", in,
			       want);
	} else {
		s = bs_url_get(u, BS_URL_HOST, &n);
		ok = n == wn && memcmp(s, want, n) == 0;
		if (!ok && verbose)
			printf("FAIL toascii %s: got \"%.*s\" want \"%s\"\n",
			       in, (int)n, s, want);
	}
	bs_url_free(&u);
	bs_buf_release(&b);
	return ok;
}

static json_t *load(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, JSON_ALLOW_NUL, &e);

	if (j == NULL || !json_is_array(j)) {
		fprintf(stderr, "wpt_url: %s: %s (line %d)\n", path, e.text,
		        e.line);
		exit(2);
	}
	return j;
}

static unsigned floor_arg(const char *s)
{
	uint64_t v = 0;

	bs_parse_uint(s, strlen(s), UINT32_MAX, &v);
	return (unsigned)v;
}

int main(int argc, char **argv)
{
	struct tally all = {0, 0}, http = {0, 0}, ta = {0, 0};
	unsigned fl_all = 0, fl_http = 0, fl_ta = 0;
	json_t *data, *toascii;
	size_t i;
	int rc = 0;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		argv++;
		argc--;
	}
	if (argc != 3 && argc != 6) {
		fprintf(stderr, "usage: wpt_url [-v] URLTESTDATA TOASCII "
		                "[MIN_ALL MIN_HTTP MIN_TOASCII]\n");
		return 2;
	}
	if (argc == 6) {
		fl_all = floor_arg(argv[3]);
		fl_http = floor_arg(argv[4]);
		fl_ta = floor_arg(argv[5]);
	}
	data = load(argv[1]);
	toascii = load(argv[2]);
	for (i = 0; i < json_array_size(data); i++) {
		json_t *c = json_array_get(data, i);
		bool ok;

		if (!json_is_object(c))
			continue;
		ok = run_case(c);
		ok ? all.pass++ : all.fail++;
		if (is_http(c))
			ok ? http.pass++ : http.fail++;
	}
	for (i = 0; i < json_array_size(toascii); i++) {
		json_t *c = json_array_get(toascii, i);

		if (!json_is_object(c))
			continue;
		run_toascii(c) ? ta.pass++ : ta.fail++;
	}
	printf("wpt-url: %u passed, %u failed\n", all.pass, all.fail);
	printf("wpt-url-http: %u passed, %u failed\n", http.pass, http.fail);
	printf("wpt-url-toascii: %u passed, %u failed\n", ta.pass, ta.fail);
	if (all.pass < fl_all || http.pass < fl_http || ta.pass < fl_ta) {
		printf("below the floor (%u, %u, %u)\n", fl_all, fl_http,
		       fl_ta);
		rc = 1;
	}
	json_decref(data);
	json_decref(toascii);
	return rc;
}
