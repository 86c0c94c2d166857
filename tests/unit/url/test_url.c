/* Unit tests of src/lib/url/url.c and host.c: the URL parser on the cases
 * mail throws at it, component accessors, quirks, the mail resolution
 * rules, limits, allocation failures and linearity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "url/url.h"
#include "util/alloc.h"
#include "util/buf.h"

static struct bs_url *parse2(const char *in, size_t n, const char *base)
{
	struct bs_url *b = NULL, *u = NULL;
	int rc;

	if (base) {
		rc = bs_url_parse(&b, base, strlen(base), NULL, NULL, NULL);
		assert_int_equal(rc, 0);
	}
	rc = bs_url_parse(&u, in, n, b, NULL, NULL);
	assert_true(rc == 0 || rc == BS_EPARSE);
	bs_url_free(&b);
	return u;
}

static struct bs_url *parse(const char *in, const char *base)
{
	return parse2(in, strlen(in), base);
}

static void href_cases(void **state)
{
	static const struct {
		const char *base, *in, *want; /* want NULL: failure */
	} t[] = {
	    /* scheme-relative: nothing to resolve against in mail */
	    {NULL, "//host/p", NULL},
	    {"https://mail.example/", "//host/p", "https://host/p"},
	    {"http://a/", "//host/p", "http://host/p"},
	    {NULL, "http:\\\\host\\p", "http://host/p"},
	    {NULL, "https:host/p", "https://host/p"},
	    {NULL, "https:///host//p", "https://host//p"},
	    {NULL, "ht\ttp://ex\nample.com/a\r\nb", "http://example.com/ab"},
	    {NULL, " \x01http://h/ \x7f", "http://h/%20%7F"},
	    {NULL, " \x01http://h/x \x1f", "http://h/x"},
	    {NULL, "HTTPS://EXAMPLE.com:443/", "https://example.com/"},
	    {NULL, "http://example.com:080/", "http://example.com/"},
	    {NULL, "http://example.com:8080/", "http://example.com:8080/"},
	    {NULL, "http://h:65536/", NULL},
	    {NULL, "http://h:8a/", NULL},
	    {NULL, "https://bücher.example/", "https://xn--bcher-kva.example/"},
	    {NULL, "https://B%C3%BCcher.example/",
	     "https://xn--bcher-kva.example/"},
	    {NULL, "http://☃.net/", "http://xn--n3h.net/"},
	    {NULL, "http://ex%41mple.com/", "http://example.com/"},
	    {NULL, "http://exa mple.com/", NULL},
	    {NULL, "http://exa%20mple.com/", NULL},
	    {NULL, "http://a<b/", NULL},
	    {NULL, "http://EXAMPLE.com./", "http://example.com./"},
	    /* IPv4 in every form a browser accepts */
	    {NULL, "http://0x7f.1/", "http://127.0.0.1/"},
	    {NULL, "http://2130706433/", "http://127.0.0.1/"},
	    {NULL, "http://0300.0250.0.1/", "http://192.168.0.1/"},
	    {NULL, "http://192.168.1/", "http://192.168.0.1/"},
	    {NULL, "http://1.2.3.4./", "http://1.2.3.4/"},
	    {NULL, "http://1.2.3.4.5/", NULL},
	    {NULL, "http://256.0.0.1/", NULL},
	    {NULL, "http://4294967296/", NULL},
	    {NULL, "http://0x/", "http://0.0.0.0/"},
	    {NULL, "http://1.2.3.09/", NULL},
	    {NULL, "http://foo.09/", NULL},
	    {NULL, "http://foo.0x9z/", "http://foo.0x9z/"},
	    /* IPv6 */
	    {NULL, "http://[::1]:8080/", "http://[::1]:8080/"},
	    {NULL, "http://[0:0:0:0:0:0:0:1]/", "http://[::1]/"},
	    {NULL, "http://[1:0:0:2:0:0:0:3]/", "http://[1:0:0:2::3]/"},
	    {NULL, "http://[::ffff:192.168.0.1]/", "http://[::ffff:c0a8:1]/"},
	    {NULL, "http://[1::2::3]/", NULL},
	    {NULL, "http://[::1/", NULL},
	    /* percent-encoding: spaces and non-ASCII in path and query */
	    {NULL, "http://h/a b/ü?q=a b&r=ü'#f g`",
	     "http://h/a%20b/%C3%BC?q=a%20b&r=%C3%BC%27#f%20g%60"},
	    {NULL, "foo://h/a b?q='", "foo://h/a%20b?q='"},
	    {NULL, "http://h/%zz%41", "http://h/%zz%41"},
	    /* character references are HTML's business, not the URL's */
	    {NULL, "http://h/?a=1&amp;b=2", "http://h/?a=1&amp;b=2"},
	    {NULL, "http://u:p@h/", "http://u:p@h/"},
	    {NULL, "http://u@:@h/", "http://u%40@h/"},
	    {NULL, "http://@/", NULL},
	    {NULL, "http://a@b@c/", "http://a%40b@c/"},
	    /* dot segments */
	    {"http://h/a/b/c", "../x", "http://h/a/x"},
	    {"http://h/a/b/c", "./", "http://h/a/b/"},
	    {"http://h/a/b/c", "?q", "http://h/a/b/c?q"},
	    {"http://h/a/b/c?q", "#f", "http://h/a/b/c?q#f"},
	    {"http://h/a/b/c?q", "", "http://h/a/b/c?q"},
	    {"http://h/a/b/c", "/../../x", "http://h/x"},
	    {NULL, "http://h/%2e%2E/x/%2e/y/..", "http://h/x/"},
	    {NULL, "http://h/a/..", "http://h/"},
	    /* file URLs and drive letters */
	    {NULL, "file:///C|/x", "file:///C:/x"},
	    {NULL, "file://localhost/x", "file:///x"},
	    {NULL, "file:c:\\x\\..\\y", "file:///c:/y"},
	    {"file:///C:/a/b", "/x", "file:///C:/x"},
	    {"file:///C:/a/b", "..", "file:///C:/"},
	    /* opaque paths and other schemes mail uses */
	    {NULL, "mailto:Someone@Example.com?subject=hi there",
	     "mailto:Someone@Example.com?subject=hi%20there"},
	    {NULL, "data:image/gif;base64,R0lG ODlh",
	     "data:image/gif;base64,R0lG ODlh"},
	    {NULL, "cid:part1.ABC@example.com", "cid:part1.ABC@example.com"},
	    {NULL, "javascript:alert(1)", "javascript:alert(1)"},
	    {"mailto:x@y", "#f", "mailto:x@y#f"},
	    {"mailto:x@y", "z", NULL},
	    {NULL, "x://h:1/p", "x://h:1/p"},
	    {NULL, "x:/a/..//b", "x:/.//b"},
	    {NULL, "", NULL},
	    {NULL, "relative/path", NULL},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct bs_url *u = parse(t[i].in, t[i].base);
		size_t n;
		const char *got = u ? bs_url_href(u, &n) : NULL;

		if (t[i].want == NULL && got != NULL)
			fail_msg("%s: got \"%s\", want failure", t[i].in, got);
		if (t[i].want != NULL && got == NULL)
			fail_msg("%s: failed, want \"%s\"", t[i].in, t[i].want);
		if (t[i].want != NULL && strcmp(got, t[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", t[i].in, got,
			         t[i].want);
		if (got)
			assert_int_equal(n, strlen(got));
		bs_url_free(&u);
	}
}

static void expect_part(const struct bs_url *u, enum bs_url_part p,
                        const char *want)
{
	size_t n;
	const char *s = bs_url_get(u, p, &n);

	if (n != strlen(want) || memcmp(s, want, n) != 0)
		fail_msg("part %d: got \"%.*s\", want \"%s\"", (int)p, (int)n,
		         s, want);
}

static void components(void **state)
{
	struct bs_url *u;
	(void)state;

	u = parse("HTTPS://u:p@Example.COM:8443/a/b?x=1#frag", NULL);
	assert_non_null(u);
	expect_part(u, BS_URL_SCHEME, "https");
	expect_part(u, BS_URL_USERNAME, "u");
	expect_part(u, BS_URL_PASSWORD, "p");
	expect_part(u, BS_URL_HOST, "example.com");
	expect_part(u, BS_URL_PORT, "8443");
	expect_part(u, BS_URL_PATH, "/a/b");
	expect_part(u, BS_URL_QUERY, "x=1");
	expect_part(u, BS_URL_FRAGMENT, "frag");
	expect_part(u, BS_URL_AUTHORITY, "u:p@example.com:8443");
	assert_int_equal(bs_url_port(u), 8443);
	assert_int_equal(bs_url_effective_port(u), 8443);
	assert_int_equal(bs_url_scheme(u), BS_URL_SCHEME_HTTPS);
	assert_int_equal(bs_url_host_type(u), BS_URL_HOST_DOMAIN);
	assert_true(bs_url_is_special(u));
	assert_true(bs_url_is_remote(u));
	assert_true(bs_url_scheme_is(u, "HTTPS"));
	assert_true(bs_url_quirks(u) & BS_URL_Q_CREDENTIALS);
	bs_url_free(&u);
	assert_null(u);
	bs_url_free(&u);
	bs_url_free(NULL);

	u = parse("http://h/p?#", NULL);
	assert_true(bs_url_has_query(u));
	assert_true(bs_url_has_fragment(u));
	expect_part(u, BS_URL_QUERY, "");
	assert_int_equal(bs_url_port(u), -1);
	assert_int_equal(bs_url_effective_port(u), 80);
	bs_url_free(&u);

	u = parse("http://h/p", NULL);
	assert_false(bs_url_has_query(u));
	assert_false(bs_url_has_fragment(u));
	bs_url_free(&u);

	u = parse("http://[::1]/", NULL);
	expect_part(u, BS_URL_HOST, "[::1]");
	assert_int_equal(bs_url_host_type(u), BS_URL_HOST_IPV6);
	bs_url_free(&u);

	u = parse("http://0x7f.1/", NULL);
	assert_int_equal(bs_url_host_type(u), BS_URL_HOST_IPV4);
	bs_url_free(&u);

	u = parse("mailto:a@b.c", NULL);
	assert_true(bs_url_has_opaque_path(u));
	assert_int_equal(bs_url_host_type(u), BS_URL_HOST_NULL);
	expect_part(u, BS_URL_HOST, "");
	expect_part(u, BS_URL_AUTHORITY, "");
	expect_part(u, BS_URL_PATH, "a@b.c");
	assert_false(bs_url_is_remote(u));
	assert_int_equal(bs_url_effective_port(u), -1);
	bs_url_free(&u);

	u = parse("file:///x", NULL);
	assert_int_equal(bs_url_host_type(u), BS_URL_HOST_EMPTY);
	assert_false(bs_url_is_remote(u));
	bs_url_free(&u);

	u = parse("x://op%41que/", NULL);
	assert_int_equal(bs_url_host_type(u), BS_URL_HOST_OPAQUE);
	expect_part(u, BS_URL_HOST, "op%41que");
	bs_url_free(&u);
}

static void dup_is_equal(void **state)
{
	struct bs_url *u = parse("https://a.example/x?y#z", NULL), *d;
	(void)state;

	d = bs_url_dup(u);
	assert_non_null(d);
	assert_string_equal(bs_url_href(d, NULL), bs_url_href(u, NULL));
	expect_part(d, BS_URL_QUERY, "y");
	bs_url_free(&u);
	bs_url_free(&d);
}

static void quirks(void **state)
{
	static const struct {
		const char *in;
		unsigned want;
	} t[] = {
	    {"http://0x7f.1/", BS_URL_Q_IPV4_NONDECIMAL},
	    {"http://127.1/", BS_URL_Q_IPV4_NONDECIMAL},
	    {"\thttp://h/", BS_URL_Q_TRIMMED},
	    {"ht\ntp://h/", BS_URL_Q_TABNL},
	    {"http:\\\\h\\x", BS_URL_Q_BACKSLASH},
	    {"http:h", BS_URL_Q_SLASHES},
	    {"http:////h", BS_URL_Q_SLASHES},
	    {"https://bücher.example/", BS_URL_Q_IDN},
	    {"https://h:443/", BS_URL_Q_DEFAULT_PORT},
	    {"https://u@h/", BS_URL_Q_CREDENTIALS},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct bs_url *u = parse(t[i].in, NULL);

		assert_non_null(u);
		if ((bs_url_quirks(u) & t[i].want) != t[i].want)
			fail_msg("%s: quirks %#x lack %#x", t[i].in,
			         bs_url_quirks(u), t[i].want);
		bs_url_free(&u);
	}
	{
		struct bs_url *u = parse("https://h.example/p", NULL);
		assert_int_equal(bs_url_quirks(u), 0);
		bs_url_free(&u);
	}
}

static void mail_resolution(void **state)
{
	static const struct {
		const char *base, *in, *want;
		bool remote, assumed;
	} t[] = {
	    {NULL, "//t.example/p.gif", "https://t.example/p.gif", true, true},
	    {NULL, " \\\\t.example\\p.gif", "https://t.example/p.gif", true,
	     true},
	    {NULL, "/p.gif", NULL, false, false},
	    {NULL, "p.gif", NULL, false, false},
	    {"http://b.example/x/", "/p.gif", "http://b.example/p.gif", true,
	     false},
	    {"http://b.example/x/", "//t.example/p", "http://t.example/p", true,
	     false},
	    {NULL, "cid:abc@x", "cid:abc@x", false, false},
	    {NULL, "data:image/gif;base64,R0lG", "data:image/gif;base64,R0lG",
	     false, false},
	    {NULL, "mailto:a@b.c", "mailto:a@b.c", false, false},
	    {NULL, "ftp://h/x", "ftp://h/x", false, false},
	    {NULL, "HTTP://H/x", "http://h/x", true, false},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct bs_url *b = NULL, *u = NULL;
		int rc;

		if (t[i].base)
			assert_int_equal(bs_url_parse(&b, t[i].base,
			                              strlen(t[i].base), NULL,
			                              NULL, NULL),
			                 0);
		rc = bs_url_resolve_mail(&u, t[i].in, strlen(t[i].in), b, NULL,
		                         NULL);
		if (t[i].want == NULL) {
			if (rc != BS_EPARSE)
				fail_msg("%s: rc %d, want BS_EPARSE", t[i].in,
				         rc);
			assert_null(u);
		} else {
			if (rc != 0)
				fail_msg("%s: rc %d", t[i].in, rc);
			assert_string_equal(bs_url_href(u, NULL), t[i].want);
			assert_int_equal(bs_url_is_remote(u), t[i].remote);
			assert_int_equal(
			    !!(bs_url_quirks(u) & BS_URL_Q_ASSUMED_HTTPS),
			    t[i].assumed);
		}
		bs_url_free(&u);
		bs_url_free(&b);
	}
}

static void raw_scheme(void **state)
{
	static const struct {
		const char *in, *scheme;
		bool want;
	} t[] = {
	    {"data:x", "data", true},
	    {" \x01"
	     "DA\nTA:x",
	     "data", true},
	    {"Cid:x", "cid", true},
	    {"database:x", "data", false},
	    {"dat", "data", false},
	    {"data", "data", false},
	    {"x data:", "data", false},
	    {"", "data", false},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (bs_url_raw_scheme_is(t[i].in, strlen(t[i].in),
		                         t[i].scheme) != t[i].want)
			fail_msg("%s vs %s: want %d", t[i].in, t[i].scheme,
			         t[i].want);
}

static void nul_bytes(void **state)
{
	struct bs_url *u;
	(void)state;

	/* NUL inside a path is percent-encoded; inside a host it fails. */
	u = parse2("http://h/a\0b", 12, NULL);
	assert_non_null(u);
	assert_string_equal(bs_url_href(u, NULL), "http://h/a%00b");
	bs_url_free(&u);
	u = parse2("http://h\0x/", 11, NULL);
	assert_null(u);
}

static void domain_to_ascii(void **state)
{
	char *s = NULL;
	size_t n;
	(void)state;

	assert_int_equal(bs_url_domain_to_ascii(&s, &n, "Bücher.DE", 10), 0);
	assert_string_equal(s, "xn--bcher-kva.de");
	assert_int_equal(n, 16);
	bs_free(s);
	assert_int_equal(bs_url_domain_to_ascii(&s, &n, "a b", 3), BS_EPARSE);
	assert_null(s);
	assert_int_equal(bs_url_domain_to_ascii(&s, &n, "\xff.com", 5),
	                 BS_EPARSE);
	/* The URL Standard turns off CheckHyphens and the DNS lengths. */
	assert_int_equal(bs_url_domain_to_ascii(&s, &n, "-x.ß", 5), 0);
	assert_string_equal(s, "-x.xn--zca");
	bs_free(s);
}

static void limit_truncates(void **state)
{
	struct bs_limits lim;
	struct bs_problems pr;
	struct bs_url *u = NULL;
	struct bs_buf b;
	size_t n;
	(void)state;

	bs_limits_default(&lim);
	lim.url_bytes = 64;
	bs_problems_init(&pr);
	bs_buf_init(&b, 1 << 20);
	bs_buf_puts(&b, "http://tracker.example/o?id=x");
	while (b.len < 200)
		bs_buf_puts(&b, "\xc3\xa9");
	assert_int_equal(bs_url_parse(&u, b.data, b.len, NULL, &lim, &pr), 0);
	assert_true(bs_url_quirks(u) & BS_URL_Q_TRUNCATED);
	assert_true(bs_problems_has(&pr, "limit", "url-bytes"));
	expect_part(u, BS_URL_HOST, "tracker.example");
	/* cut on a character boundary: no stray byte */
	bs_url_get(u, BS_URL_QUERY, &n);
	assert_int_equal(n, 4 + 17 * 6); /* "id=x" + 17 * "%C3%A9" */
	bs_url_free(&u);
	bs_buf_release(&b);
}

static void alloc_failures(void **state)
{
	static const char *const in[] = {
	    "https://u:p@bücher.example:8443/a/../b?q=ü#f",
	    "ht\ttp://0x7f.1/x",
	    "http://[::1]/",
	};
	(void)state;

	for (size_t k = 0; k < sizeof(in) / sizeof(in[0]); k++) {
		struct bs_url *base = NULL;

		assert_int_equal(
		    bs_url_parse(&base, "http://b/x/y", 12, NULL, NULL, NULL),
		    0);
		for (unsigned long i = 1; i < 1000; i++) {
			struct bs_url *u = NULL;
			int rc;

			bs_alloc_fail_at(i, 0);
			rc = bs_url_parse(&u, in[k], strlen(in[k]), base, NULL,
			                  NULL);
			bs_alloc_fail_at(0, 0);
			if (rc == 0) {
				bs_url_free(&u);
				if (!bs_alloc_failed())
					break;
				continue;
			}
			assert_int_equal(rc, BS_ENOMEM);
			assert_null(u);
		}
		bs_url_free(&base);
	}
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID,
	              &ts); /* CPU time: other processes do not count */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Time to parse "http://h/" + prefix + rep * k, with k repetitions. */
static double time_reps(const char *prefix, const char *rep, size_t k)
{
	struct bs_limits lim;
	struct bs_url *u = NULL;
	struct bs_buf b;
	double t0, t;

	bs_limits_default(&lim);
	lim.url_bytes = 64u << 20;
	bs_buf_init(&b, 64u << 20);
	bs_buf_puts(&b, "http://h/");
	bs_buf_puts(&b, prefix);
	for (size_t i = 0; i < k; i++)
		bs_buf_puts(&b, rep);
	t0 = seconds();
	assert_int_equal(bs_url_parse(&u, b.data, b.len, NULL, &lim, NULL), 0);
	t = seconds() - t0;
	bs_url_free(&u);
	bs_buf_release(&b);
	return t;
}

static void linear(void **state)
{
	static const struct {
		const char *prefix, *rep;
	} t[] = {
	    {"", "../"},
	    {"", "a/"},
	    {"a/b/c/d/e/f/g/", "%2e%2e/x/../"},
	    {"?", "a b "},
	};
	struct bs_url *u = NULL;
	struct bs_buf b;
	(void)state;

	/* A 64 KB URL of "../" at the default limit. */
	bs_buf_init(&b, 1 << 20);
	bs_buf_puts(&b, "http://h/");
	while (b.len + 3 <= 64u << 10)
		bs_buf_puts(&b, "../");
	assert_int_equal(bs_url_parse(&u, b.data, b.len, NULL, NULL, NULL), 0);
	assert_string_equal(bs_url_href(u, NULL), "http://h/");
	bs_url_free(&u);
	bs_buf_release(&b);

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		double small = time_reps(t[i].prefix, t[i].rep, 25000);
		double big = time_reps(t[i].prefix, t[i].rep, 200000);

		/* 8 x the input; quadratic would be 64 x the time */
		if (big > 0.05 && big > 20 * small)
			fail_msg("%s: %.3fs for 25k, %.3fs for 200k", t[i].rep,
			         small, big);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(href_cases),
	    cmocka_unit_test(components),
	    cmocka_unit_test(dup_is_equal),
	    cmocka_unit_test(quirks),
	    cmocka_unit_test(mail_resolution),
	    cmocka_unit_test(raw_scheme),
	    cmocka_unit_test(nul_bytes),
	    cmocka_unit_test(domain_to_ascii),
	    cmocka_unit_test(limit_truncates),
	    cmocka_unit_test(alloc_failures),
	    cmocka_unit_test(linear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
