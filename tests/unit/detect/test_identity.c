/* Recipient address in URLs, under every encoding we claim to find. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "detect/identity.h"
#include "util/alloc.h"

static void encodings(void **state)
{
	/* Generated with Python's base64/hashlib/urllib for the address
	 * Reader.Name@Example.org. */
	static const struct {
		const char *want;
		const char *url;
	} cases[] = {
	    {"plain", "https://t.example/o?e=Reader.Name@Example.org"},
	    {"plain", "https://t.example/o?e=READER.NAME@EXAMPLE.ORG"},
	    {"urlenc", "https://t.example/o?e=Reader.Name%40Example.org"},
	    {"base64", "https://t.example/o/"
	               "eyJyIjoiUmVhZGVyLk5hbWVARXhhbXBsZS5vcmciLCJ4IjoxfQ"},
	    {"base64url",
	     "https://t.example/o?t=v3_-_9yZWFkZXIubmFtZUBleGFtcGxlLm9yZw=="},
	    {"base64",
	     "https://t.example/"
	     "o?jwt=eyJhbGciOiJIUzI1NiJ9."
	     "eyJ1IjoiVW1WaFpHVnlMazVoYldWQVJYaGhiWEJzWlM1dmNtYz0ifQ"},
	    {"hex", "https://t.example/"
	            "oimg.php?id="
	            "332C39302C7265616465722E6E616D65406578616D706C652E6F72672C"
	            "34313831"},
	    {"md5", "https://t.example/imp?m=6ebfcab619858b114ca9575b22409db7"},
	    {"sha1", "https://t.example/"
	             "imp?m=9370FC168496980E3BFB6A6557D6A6EFBAF6731E"},
	    {"sha256", "https://t.example/"
	               "imp?m="
	               "aa9dd78b18465a739a0f7f476d17f067910c587b51a1551db7e7868"
	               "fe9fe6cb6"},
	    {NULL, "https://t.example/"
	           "imp?m="
	           "72da01e4392bff1c989b762d062711095d3cb9b6ad654f8e62f406e316a"
	           "2c584"},
	    {NULL, "https://cdn.example/img/logo.png"},
	    {NULL, "https://t.example/o?e=reader.name%40example.com"},
	};
	struct ident_set *s = NULL;
	size_t i, which;
	(void)state;

	assert_int_equal(ident_set_new(&s), 0);
	assert_int_equal(ident_set_add(s, "x@y", 3),
	                 0); /* too short: ignored */
	assert_int_equal(ident_set_add(s, "<Reader.Name@Example.org>", 25), 0);
	assert_int_equal(ident_set_add(s, "reader.name@example.org", 23), 0);
	assert_int_equal(ident_set_count(s), 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got =
		    ident_find(s, cases[i].url, strlen(cases[i].url), &which);
		if (cases[i].want == NULL) {
			if (got)
				fail_msg("%s: found %s", cases[i].url, got);
			continue;
		}
		if (got == NULL || strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got %s want %s", cases[i].url,
			         got ? got : "none", cases[i].want);
		assert_int_equal(which, 0);
	}
	ident_set_free(&s);
	assert_null(s);
}

static void survives_allocation_failure(void **state)
{
	struct ident_set *s = NULL;
	unsigned long n;
	(void)state;

	for (n = 1; n < 40; n++) {
		bs_alloc_fail_at(n, 0);
		if (ident_set_new(&s) == 0) {
			if (ident_set_add(s, "reader@example.org", 18) == 0)
				(void)ident_find(
				    s, "https://x/?e=cmVhZGVyQGV4YW1wbGUub3Jn",
				    37, NULL);
			ident_set_free(&s);
		}
		bs_alloc_fail_at(0, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(encodings),
	    cmocka_unit_test(survives_allocation_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
