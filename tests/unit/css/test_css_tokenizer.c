/* Unit tests of the CSS tokenizer (css-syntax-3 section 4): token kinds,
 * escapes, url forms, numbers, comments, CDO/CDC, spans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "css_test.h"

static const struct {
	const char *in;
	const char *want;
} cases[] = {
    /* basics */
    {"a{b:c}", "ident:a { ident:b colon ident:c }"},
    {"  \t\n", "ws"},
    {"a , b;", "ident:a ws comma ws ident:b semicolon"},
    {"[x](y)", "[ ident:x ] ( ident:y )"},
    {"@media", "at-keyword:media"},
    {"@-x", "at-keyword:-x"},
    {"@ x", "delim:@ ws ident:x"},
    {"@1", "delim:@ int:1"},
    {"#id #1a #-x", "hash#id ws hash~1a ws hash#-x"},
    {"# x", "delim:# ws ident:x"},
    {"--x -x - -1", "ident:--x ws ident:-x ws delim:- ws int:-1"},
    {"<!-- -->", "cdo ws cdc"},
    {"<!-x", "delim:< delim:! ident:-x"},
    {"a:b", "ident:a colon ident:b"},
    {"fn(", "function:fn"},
    {"\xC3\xA9t\xC3\xA9", "ident:\xC3\xA9t\xC3\xA9"},
    {"_a a1 a-b", "ident:_a ws ident:a1 ws ident:a-b"},
    /* comments */
    {"a/* x */b", "ident:a ident:b"},
    {"a /* x */ b", "ident:a ws ws ident:b"},
    {"/* unterminated", ""},
    {"/**/", ""},
    {"/***/a", "ident:a"},
    {"a/", "ident:a delim:/"},
    /* strings */
    {"'a' \"b\"", "string:a ws string:b"},
    {"'a\"b'", "string:a\"b"},
    {"'a\\'b'", "string:a'b"},
    {"'a\\\nb'", "string:ab"},
    {"'a\\\r\nb'", "string:ab"},
    {"'a\nb'", "bad-string ws ident:b string:"},
    {"'abc", "string:abc"},
    {"'\\41 b'", "string:Ab"},
    {"'\\41  b'", "string:A b"},
    {"'\\0'", "string:\xEF\xBF\xBD"},
    {"'\\110000'", "string:\xEF\xBF\xBD"},
    {"'\\d800'", "string:\xEF\xBF\xBD"},
    {"'\\1F600'", "string:\xF0\x9F\x98\x80"},
    {"'a\\", "string:a"},
    /* escapes in names */
    {"\\41 bc", "ident:Abc"},
    {"\\41\r\nbc", "ident:Abc"},
    {"a\\:b", "ident:a:b"},
    {"\\\n", "delim:\\ ws"},
    {"\\", "ident:\xEF\xBF\xBD"},
    {"-\\31 x", "ident:-1x"},
    {"\\2d x", "ident:-x"},
    /* numbers */
    {"12 1.5 .5 -3 +4 1e3 1E-2 1e 1.", "int:12 ws num:1.5 ws num:0.5 ws "
                                       "int:-3 ws int:4 ws num:1000 ws "
                                       "num:0.01 ws dim:1e ws int:1 "
                                       "delim:."},
    {"50% 10px 2em -1.5pt", "pct:50 ws dim:10px ws dim:2em ws dim:-1.5pt"},
    {"1e+2 1e-", "num:100 ws dim:1e-"},
    {"10\\70 x", "dim:10px"},
    {"1--x", "dim:1--x"},
    {"+.5 -.5 +x", "num:0.5 ws num:-0.5 ws delim:+ ident:x"},
    {"1e999999", "num:inf"},
    {"1e-999999", "num:0"},
    /* url */
    {"url(a.png)", "url:a.png"},
    {"url(  a.png  )", "url:a.png"},
    {"URL(a)", "url:a"},
    {"url()", "url:"},
    {"url( )", "url:"},
    {"url(\"a\")", "function:url string:a )"},
    {"url( 'a' )", "function:url ws string:a ws )"},
    {"url(   'a')", "function:url ws string:a )"},
    {"url(a b)", "bad-url"},
    {"url(a\"b)", "bad-url"},
    {"url(a(b)", "bad-url"},
    {"url(a\\)b)", "url:a)b"},
    {"url(a\\\nb) x", "bad-url ws ident:x"},
    {"url(a\x01) x", "bad-url ws ident:x"},
    {"url(a", "url:a"},
    {"url(a ", "url:a"},
    {"u\\72l(x)", "url:x"},
    {"\\75rl(x)", "url:x"},
    {"url(\\68 ttp://x)", "url:http://x"},
    {"url(a)b", "url:a ident:b"},
    {"url(a b c) d", "bad-url ws ident:d"},
    {"url(a\\", "url:a\xEF\xBF\xBD"},
    {"url(\\)) x", "url:) ws ident:x"},
    {"url(a(\\)) x", "bad-url ws ident:x"},
    {"urlx(a)", "function:urlx ident:a )"},
    {"url (a)", "ident:url ws ( ident:a )"},
    /* preprocessing: CR, FF and CR LF are newlines */
    {"a\r\n\fb", "ident:a ws ident:b"},
    {"'a\rb'", "bad-string ws ident:b string:"},
};

static void tokenize_cases(void **state)
{
	struct bs_buf out;
	size_t i, failed = 0;
	(void)state;

	bs_buf_init(&out, 1 << 20);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dump_tokens(&out, cases[i].in, strlen(cases[i].in));
		if (strcmp(out.data ? out.data : "", cases[i].want) != 0) {
			print_error("case %zu %s:\n  got  %s\n  want %s\n", i,
			            cases[i].in, out.data ? out.data : "",
			            cases[i].want);
			failed++;
		}
	}
	bs_buf_release(&out);
	assert_int_equal(failed, 0);
}

/* NUL reads as U+FFFD, a name code point. */
static void nul_bytes(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} nul[] = {
	    {"a\0b", 3,
	     "ident:a\xEF\xBF\xBD"
	     "b"},
	    {"url(a\0)", 7, "url:a\xEF\xBF\xBD"},
	    {"'\0'", 3, "string:\xEF\xBF\xBD"},
	    {"\0", 1, "ident:\xEF\xBF\xBD"},
	};
	struct bs_buf out;
	size_t i;
	(void)state;

	bs_buf_init(&out, 1 << 20);
	for (i = 0; i < sizeof(nul) / sizeof(nul[0]); i++) {
		dump_tokens(&out, nul[i].in, nul[i].len);
		assert_string_equal(out.data, nul[i].want);
	}
	bs_buf_release(&out);
}

/* Spans are exact and carry the base offset. */
static void spans(void **state)
{
	static const char s[] = " url( a.png ) url(\"b\") 'c' x";
	struct css_tokenizer *t = NULL;
	struct css_token tok;
	const uint64_t base = 1000;
	(void)state;

	assert_int_equal(css_tokenizer_new(&t, s, strlen(s), base), 0);
	assert_int_equal(css_tokenizer_next(t, &tok), 0); /* ws */
	assert_int_equal(tok.span.start, base + 0);
	assert_int_equal(tok.span.end, base + 1);
	assert_int_equal(css_tokenizer_next(t, &tok), 0);
	assert_int_equal(tok.type, CSS_TOK_URL);
	assert_int_equal(tok.span.start, base + 1);
	assert_int_equal(tok.span.end, base + 13);
	assert_int_equal(tok.value_span.start, base + 6);
	assert_int_equal(tok.value_span.end, base + 11);
	assert_int_equal(css_tokenizer_next(t, &tok), 0); /* ws */
	assert_int_equal(css_tokenizer_next(t, &tok), 0);
	assert_int_equal(tok.type, CSS_TOK_FUNCTION);
	assert_int_equal(tok.span.start, base + 14);
	assert_int_equal(tok.span.end, base + 18);
	assert_memory_equal(tok.value, "url", 3);
	assert_int_equal(css_tokenizer_next(t, &tok), 0);
	assert_int_equal(tok.type, CSS_TOK_STRING);
	assert_int_equal(tok.span.start, base + 18);
	assert_int_equal(tok.span.end, base + 21);
	assert_int_equal(tok.value_span.start, base + 19);
	assert_int_equal(tok.value_span.end, base + 20);
	assert_int_equal(css_tokenizer_next(t, &tok), 0); /* ) */
	assert_int_equal(tok.span.start, base + 21);
	assert_int_equal(css_tokenizer_next(t, &tok), 0); /* ws */
	assert_int_equal(css_tokenizer_next(t, &tok), 0);
	assert_int_equal(tok.type, CSS_TOK_STRING);
	assert_int_equal(tok.span.start, base + 23);
	assert_int_equal(tok.span.end, base + 26);
	assert_int_equal(css_tokenizer_next(t, &tok), 0); /* ws */
	assert_int_equal(css_tokenizer_next(t, &tok), 0);
	assert_int_equal(tok.type, CSS_TOK_IDENT);
	assert_int_equal(tok.span.start, base + 27);
	assert_int_equal(tok.span.end, base + 28);
	assert_int_equal(css_tokenizer_next(t, &tok), 0);
	assert_int_equal(tok.type, CSS_TOK_EOF);
	assert_int_equal(css_tokenizer_next(t, &tok), 0);
	assert_int_equal(tok.type, CSS_TOK_EOF);
	css_tokenizer_free(&t);
	assert_null(t);
	css_tokenizer_free(&t);
}

/* The spans of all tokens tile the input except comments. */
static void spans_tile(void **state)
{
	static const char s[] = "a{b:url( x );c:\"d\\\"\"}/*k*/@m 1.5e3px "
	                        "#h <!-- --> u\\72l(y) url(a b) 'x\n";
	struct css_tokenizer *t = NULL;
	struct css_token tok;
	uint64_t at = 0;
	(void)state;

	assert_int_equal(css_tokenizer_new(&t, s, strlen(s), 0), 0);
	for (;;) {
		assert_int_equal(css_tokenizer_next(t, &tok), 0);
		if (tok.type == CSS_TOK_EOF)
			break;
		if (tok.span.start != at) {
			/* Only a comment may sit between two tokens. */
			assert_memory_equal(s + at, "/*", 2);
		}
		assert_true(tok.span.end > tok.span.start);
		at = tok.span.end;
	}
	assert_int_equal(at, strlen(s));
	css_tokenizer_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tokenize_cases),
	    cmocka_unit_test(nul_bytes),
	    cmocka_unit_test(spans),
	    cmocka_unit_test(spans_tile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
