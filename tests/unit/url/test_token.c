/* Unit tests of src/lib/url/token.c: shape classes, entropy and opaque
 * scores, splitting a URL into pieces, the decoders, the piece limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "url/token.h"
#include "url/url.h"
#include "util/alloc.h"
#include "util/buf.h"

#define DEC  BS_TOKEN_DECIMAL
#define HEX  BS_TOKEN_HEX
#define UUID BS_TOKEN_UUID
#define B64  BS_TOKEN_BASE64
#define B64U BS_TOKEN_BASE64URL
#define B64T BS_TOKEN_B64_TEXT
#define WORD BS_TOKEN_WORD
#define DATE BS_TOKEN_DATE
#define MAIL BS_TOKEN_EMAIL
#define OPQ  BS_TOKEN_OPAQUE

static void classes(void **state)
{
	static const struct {
		const char *s;
		unsigned want;
	} t[] = {
	    {"1234567", DEC},
	    {"42", DEC},
	    {"d41d8cd98f00b204e9800998ecf8427e", HEX | OPQ},
	    {"D41D8CD98F00B204E9800998ECF8427E", HEX | OPQ},
	    {"da39a3ee5e6b4b0d3255bfef95601890afd80709", HEX | OPQ},
	    {"123e4567-e89b-12d3-a456-426614174000", UUID | OPQ},
	    {"newsletter", WORD},
	    {"open-tracking.gif", WORD},
	    {"utm_source", WORD},
	    {"Spring_Sale", WORD},
	    {"strengths", WORD},
	    {"spring-newsletter-2024", WORD},
	    {"qwhfkdmxzvnruepl", 0},
	    {"logo.png", WORD},
	    {"2024-05-01", DATE},
	    {"2024-05-01T10:00:00Z", DATE},
	    {"01.05.2024", DATE},
	    {"20240501", DEC | DATE},
	    {"1714557600", DEC | DATE},
	    {"1714557600123", DEC | DATE},
	    {"john@example.com", MAIL},
	    {"John.Doe+news@mail.example.co.uk", MAIL},
	    /* base64 of "john@example.com", padded and not */
	    {"am9obkBleGFtcGxlLmNvbQ==", B64 | B64U | B64T | OPQ},
	    {"am9obkBleGFtcGxlLmNvbQ", B64 | B64U | B64T | OPQ},
	    {"Xk3J9aQpL0mZ2vR8tY1wBg", B64 | B64U | OPQ},
	    {"Ab3-_xYz9Qw7", B64U | OPQ},
	    {"Ab3+/xYz9Qw7", B64 | OPQ},
	    {"campaign2024", 0},
	    {"xkqzjvbwpl", 0},
	    {"a", 0},
	    {"", 0},
	    {"deadbeef",
	     WORD}, /* pronounceable, and hex needs a digit below 16 */
	    {"abc=def", 0},
	    {"a@b", 0},
	    {"x@y.c0m", 0},
	    {"rAnDoMcAsE", B64 | B64U},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct bs_token_shape sh;

		bs_token_classify(&sh, t[i].s, strlen(t[i].s));
		if (sh.classes != t[i].want)
			fail_msg("\"%s\": classes %#x, want %#x (opaque %.2f)",
			         t[i].s, sh.classes, t[i].want, sh.opaque);
		assert_int_equal(sh.len, strlen(t[i].s));
	}
}

static void counts_and_entropy(void **state)
{
	struct bs_token_shape sh;
	(void)state;

	bs_token_classify(&sh, "aB3-", 4);
	assert_int_equal(sh.lower, 1);
	assert_int_equal(sh.upper, 1);
	assert_int_equal(sh.digit, 1);
	assert_int_equal(sh.other, 1);
	assert_true(sh.entropy > 1.999 && sh.entropy < 2.001);
	assert_true(sh.opaque == 0);
	bs_token_classify(&sh, "aaaaaaaa", 8);
	assert_true(sh.entropy == 0);
	bs_token_classify(&sh, "abcdefgh", 8);
	assert_true(sh.entropy > 2.999 && sh.entropy < 3.001);
}

static void expect_tok(const struct bs_url_tokens *t, size_t i,
                       enum bs_token_where where, const char *href,
                       const char *raw, const char *text)
{
	const struct bs_url_token *k = bs_url_tokens_get(t, i);

	assert_non_null(k);
	if (k->where != where || k->raw_len != strlen(raw) ||
	    memcmp(href + k->raw_off, raw, k->raw_len) != 0 ||
	    strcmp(k->text, text) != 0 || k->text_len != strlen(text))
		fail_msg("token %zu: where %d raw \"%.*s\" text \"%s\"; want "
		         "%d \"%s\" \"%s\"",
		         i, k->where, (int)k->raw_len, href + k->raw_off,
		         k->text, where, raw, text);
}

static void url_pieces(void **state)
{
	static const char in[] =
	    "https://t.Example.com/o/AbC123xyz//open%20it.gif"
	    "?u=am9obkBleGFtcGxlLmNvbQ%3D%3D&c=42&flag&&=v&e=a+b%40x.com"
	    "#frag";
	struct bs_url *u = NULL;
	struct bs_url_tokens *t = NULL;
	const char *href;
	(void)state;

	assert_int_equal(bs_url_parse(&u, in, strlen(in), NULL, NULL, NULL), 0);
	href = bs_url_href(u, NULL);
	assert_int_equal(bs_url_tokens(&t, u, NULL, NULL), 0);
	assert_int_equal(bs_url_tokens_count(t), 14);
	expect_tok(t, 0, BS_TOKEN_HOST_LABEL, href, "t", "t");
	expect_tok(t, 1, BS_TOKEN_HOST_LABEL, href, "example", "example");
	expect_tok(t, 2, BS_TOKEN_HOST_LABEL, href, "com", "com");
	expect_tok(t, 3, BS_TOKEN_PATH, href, "o", "o");
	expect_tok(t, 4, BS_TOKEN_PATH, href, "AbC123xyz", "AbC123xyz");
	expect_tok(t, 5, BS_TOKEN_PATH, href, "open%20it.gif", "open it.gif");
	assert_int_equal(bs_url_tokens_get(t, 3)->index, 0);
	assert_int_equal(bs_url_tokens_get(t, 5)->index, 3);
	expect_tok(t, 6, BS_TOKEN_QUERY_KEY, href, "u", "u");
	expect_tok(t, 7, BS_TOKEN_QUERY_VALUE, href,
	           "am9obkBleGFtcGxlLmNvbQ%3D%3D", "am9obkBleGFtcGxlLmNvbQ==");
	assert_true(bs_url_tokens_get(t, 7)->shape.classes & B64T);
	expect_tok(t, 8, BS_TOKEN_QUERY_KEY, href, "c", "c");
	expect_tok(t, 9, BS_TOKEN_QUERY_VALUE, href, "42", "42");
	assert_int_equal(bs_url_tokens_get(t, 9)->index, 1);
	expect_tok(t, 10, BS_TOKEN_QUERY_KEY, href, "flag", "flag");
	expect_tok(t, 11, BS_TOKEN_QUERY_VALUE, href, "v", "v");
	expect_tok(t, 12, BS_TOKEN_QUERY_KEY, href, "e", "e");
	/* '+' stays: the address survives */
	expect_tok(t, 13, BS_TOKEN_QUERY_VALUE, href, "a+b%40x.com",
	           "a+b@x.com");
	assert_true(bs_url_tokens_get(t, 13)->shape.classes & MAIL);
	bs_url_tokens_free(&t);
	assert_null(t);
	bs_url_tokens_free(&t);
	bs_url_free(&u);
}

static void opaque_and_ip(void **state)
{
	struct bs_url *u = NULL;
	struct bs_url_tokens *t = NULL;
	(void)state;

	assert_int_equal(
	    bs_url_parse(&u, "mailto:a@b.example?x=1", 22, NULL, NULL, NULL),
	    0);
	assert_int_equal(bs_url_tokens(&t, u, NULL, NULL), 0);
	assert_int_equal(bs_url_tokens_count(t), 3);
	assert_string_equal(bs_url_tokens_get(t, 0)->text, "a@b.example");
	assert_null(bs_url_tokens_get(t, 3));
	bs_url_tokens_free(&t);
	bs_url_free(&u);

	assert_int_equal(
	    bs_url_parse(&u, "http://10.0.0.1/", 16, NULL, NULL, NULL), 0);
	assert_int_equal(bs_url_tokens(&t, u, NULL, NULL), 0);
	assert_int_equal(bs_url_tokens_count(t), 0);
	bs_url_tokens_free(&t);
	bs_url_free(&u);
}

static void limit(void **state)
{
	struct bs_url *u = NULL;
	struct bs_url_tokens *t = NULL;
	struct bs_problems pr;
	struct bs_buf b;
	(void)state;

	bs_problems_init(&pr);
	bs_buf_init(&b, 1 << 20);
	bs_buf_puts(&b, "http://h/");
	for (int i = 0; i < 2000; i++)
		bs_buf_puts(&b, "s/");
	assert_int_equal(bs_url_parse(&u, b.data, b.len, NULL, NULL, NULL), 0);
	assert_int_equal(bs_url_tokens(&t, u, NULL, &pr), 0);
	assert_int_equal(bs_url_tokens_count(t), 1024);
	assert_true(bs_problems_has(&pr, "limit", "url-tokens"));
	bs_url_tokens_free(&t);
	bs_url_free(&u);
	bs_buf_release(&b);
}

static void decoders(void **state)
{
	static const struct {
		char kind; /* p: percent, P: percent with '+', b: base64,
		            * h: hex */
		const char *in, *want; /* want NULL: BS_EPARSE */
	} t[] = {
	    {'p', "a%20b%zz+c%4", "a b%zz+c%4"},
	    {'P', "a%20b%zz+c", "a b%zz c"},
	    {'p', "%6A%6f%68%6E", "john"},
	    {'b', "am9obkBleGFtcGxlLmNvbQ==", "john@example.com"},
	    {'b', "am9obkBleGFtcGxlLmNvbQ", "john@example.com"},
	    {'b', "am9obkBl\r\neGFtcGxlLmNvbQ==", "john@example.com"},
	    {'b', "-_8", "\xfb\xff"},
	    {'b', "+/8=", "\xfb\xff"},
	    {'b', "", ""},
	    {'b', "abc$", NULL},
	    {'b', "a", NULL},
	    {'b', "Zg==trailing", "f"},
	    {'h', "6a6F686e", "john"},
	    {'h', "", ""},
	    {'h', "abc", NULL},
	    {'h', "zz", NULL},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct bs_buf b;
		size_t n = strlen(t[i].in);
		int rc;

		bs_buf_init(&b, 1024);
		switch (t[i].kind) {
		case 'p':
			rc = bs_decode_percent(&b, t[i].in, n, false);
			break;
		case 'P':
			rc = bs_decode_percent(&b, t[i].in, n, true);
			break;
		case 'b':
			rc = bs_decode_base64(&b, t[i].in, n);
			break;
		default:
			rc = bs_decode_hex(&b, t[i].in, n);
			break;
		}
		if (t[i].want == NULL) {
			if (rc != BS_EPARSE)
				fail_msg("%c \"%s\": rc %d, want BS_EPARSE",
				         t[i].kind, t[i].in, rc);
		} else if (rc != 0 || b.len != strlen(t[i].want) ||
		           (b.len && memcmp(b.data, t[i].want, b.len))) {
			fail_msg("%c \"%s\": rc %d, got \"%.*s\"", t[i].kind,
			         t[i].in, rc, (int)b.len, b.data ? b.data : "");
		}
		bs_buf_release(&b);
	}
}

static void decoder_cap(void **state)
{
	struct bs_buf b;
	(void)state;

	bs_buf_init(&b, 3);
	assert_int_equal(bs_decode_hex(&b, "6a6f686e", 8), BS_ELIMIT);
	bs_buf_release(&b);
}

static void alloc_failures(void **state)
{
	struct bs_url *u = NULL;
	static const char in[] = "https://a.b.example/x/y?z=1&w=2";
	(void)state;

	assert_int_equal(bs_url_parse(&u, in, strlen(in), NULL, NULL, NULL), 0);
	for (unsigned long i = 1; i < 100; i++) {
		struct bs_url_tokens *t = NULL;
		int rc;

		bs_alloc_fail_at(i, 0);
		rc = bs_url_tokens(&t, u, NULL, NULL);
		bs_alloc_fail_at(0, 0);
		if (rc == 0) {
			assert_int_equal(bs_url_tokens_count(t), 9);
			bs_url_tokens_free(&t);
			if (!bs_alloc_failed())
				break;
			continue;
		}
		assert_int_equal(rc, BS_ENOMEM);
		assert_null(t);
	}
	bs_url_free(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(classes),     cmocka_unit_test(counts_and_entropy),
	    cmocka_unit_test(url_pieces),  cmocka_unit_test(opaque_and_ip),
	    cmocka_unit_test(limit),       cmocka_unit_test(decoders),
	    cmocka_unit_test(decoder_cap), cmocka_unit_test(alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
