/* Unit tests of src/lib/url/psl.c: registrable domains and public
 * suffixes with the built-in list and with the shared list file (argv[1]),
 * IP literals, single labels, odd hosts, concurrent lookups. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "url/psl.h"

static const char *list_file;

static const struct {
	const char *host;
	enum bs_psl_kind kind;
	const char *registrable; /* "" when none */
	const char *suffix;
	const char *owner;
} cases[] = {
    {"a.b.example.co.uk", BS_PSL_DOMAIN, "example.co.uk", "co.uk",
     "example.co.uk"},
    {"x.github.io", BS_PSL_DOMAIN, "x.github.io", "github.io", "x.github.io"},
    {"deep.x.github.io", BS_PSL_DOMAIN, "x.github.io", "github.io",
     "x.github.io"},
    {"github.io", BS_PSL_PUBLIC_SUFFIX, "", "github.io", "github.io"},
    {"co.uk", BS_PSL_PUBLIC_SUFFIX, "", "co.uk", "co.uk"},
    {"www.Example.COM", BS_PSL_DOMAIN, "Example.COM", "COM", "Example.COM"},
    {"www.example.com.", BS_PSL_DOMAIN, "example.com", "com", "example.com"},
    {"www.xn--bcher-kva.de", BS_PSL_DOMAIN, "xn--bcher-kva.de", "de",
     "xn--bcher-kva.de"},
    {"click.mail.unknowntld", BS_PSL_DOMAIN, "mail.unknowntld", "unknowntld",
     "mail.unknowntld"},
    {"1.2.3.4", BS_PSL_IP, "", "1.2.3.4", "1.2.3.4"},
    {"[2001:db8::1]", BS_PSL_IP, "", "[2001:db8::1]", "[2001:db8::1]"},
    {"localhost", BS_PSL_SINGLE_LABEL, "", "localhost", "localhost"},
    {"intranet.", BS_PSL_SINGLE_LABEL, "", "intranet", "intranet"},
    {"a..example.com", BS_PSL_INVALID, "", "", "a..example.com"},
    {".example.com", BS_PSL_INVALID, "", "", ".example.com"},
    {"", BS_PSL_INVALID, "", "", ""},
};

/* Case i against psl; a description of the mismatch in why, or NULL. */
static bool case_ok(const struct bs_psl *psl, size_t i, char *why, size_t wn)
{
	const char *h = cases[i].host, *o;
	size_t n = strlen(h), olen;
	struct bs_psl_split s;

	if (bs_psl_split(psl, h, n, &s) != 0) {
		snprintf(why, wn, "%s: split failed", h);
		return false;
	}
	if (s.kind != cases[i].kind) {
		snprintf(why, wn, "%s: kind %d, want %d", h, s.kind,
		         cases[i].kind);
		return false;
	}
	if (s.end - s.registrable != strlen(cases[i].registrable) ||
	    memcmp(h + s.registrable, cases[i].registrable,
	           s.end - s.registrable) != 0) {
		snprintf(why, wn, "%s: registrable \"%.*s\", want \"%s\"", h,
		         (int)(s.end - s.registrable), h + s.registrable,
		         cases[i].registrable);
		return false;
	}
	if (s.end - s.suffix != strlen(cases[i].suffix) ||
	    memcmp(h + s.suffix, cases[i].suffix, s.end - s.suffix) != 0) {
		snprintf(why, wn, "%s: suffix \"%.*s\", want \"%s\"", h,
		         (int)(s.end - s.suffix), h + s.suffix,
		         cases[i].suffix);
		return false;
	}
	o = bs_psl_owner(psl, h, n, &olen);
	if (olen != strlen(cases[i].owner) ||
	    memcmp(o, cases[i].owner, olen) != 0) {
		snprintf(why, wn, "%s: owner \"%.*s\", want \"%s\"", h,
		         (int)olen, o, cases[i].owner);
		return false;
	}
	return true;
}

static void check(const struct bs_psl *psl)
{
	char why[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!case_ok(psl, i, why, sizeof(why)))
			fail_msg("%s", why);
}

static void builtin_list(void **state)
{
	struct bs_psl *psl = NULL;
	(void)state;

	assert_int_equal(bs_psl_load(&psl, NULL), 0);
	check(psl);
	bs_psl_free(&psl);
	assert_null(psl);
	bs_psl_free(&psl);
	bs_psl_free(NULL);
}

static void list_from_file(void **state)
{
	struct bs_psl *psl = NULL;
	(void)state;

	assert_int_equal(bs_psl_load(&psl, list_file), 0);
	assert_true(bs_psl_rules(psl) > 1000);
	check(psl);
	bs_psl_free(&psl);
}

static void missing_file(void **state)
{
	struct bs_psl *psl = NULL;
	(void)state;

	assert_int_equal(bs_psl_load(&psl, "/nonexistent/psl.dat"), BS_EIO);
	assert_null(psl);
}

static void long_host(void **state)
{
	struct bs_psl *psl = NULL;
	struct bs_psl_split s;
	char h[1100];
	(void)state;

	/* Longer than the stack copy: takes the allocated path. */
	memset(h, 'a', sizeof(h));
	for (size_t i = 10; i < 1000; i += 10)
		h[i] = '.';
	memcpy(h + 1000, ".example.co.uk", 14);
	assert_int_equal(bs_psl_load(&psl, list_file), 0);
	assert_int_equal(bs_psl_split(psl, h, 1014, &s), 0);
	assert_int_equal(s.kind, BS_PSL_DOMAIN);
	assert_int_equal(s.registrable, 1001);
	bs_psl_free(&psl);
}

/* cmocka's assertions may not run in other threads: count mismatches. */
static void *lookups(void *arg)
{
	const struct bs_psl *psl = arg;
	uintptr_t bad = 0;
	char why[256];

	for (int k = 0; k < 200; k++)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			bad += !case_ok(psl, i, why, sizeof(why));
	return (void *)bad;
}

static void shared_by_threads(void **state)
{
	struct bs_psl *psl = NULL;
	pthread_t th[4];
	(void)state;

	assert_int_equal(bs_psl_load(&psl, list_file), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, lookups, psl), 0);
	for (int i = 0; i < 4; i++) {
		void *bad;
		pthread_join(th[i], &bad);
		assert_true(bad == NULL);
	}
	bs_psl_free(&psl);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(builtin_list),
	    cmocka_unit_test(list_from_file),
	    cmocka_unit_test(missing_file),
	    cmocka_unit_test(long_host),
	    cmocka_unit_test(shared_by_threads),
	};

	if (argc != 2) {
		print_error("usage: test_psl PUBLIC_SUFFIX_LIST.dat\n");
		return 2;
	}
	list_file = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
