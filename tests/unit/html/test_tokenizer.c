/* Unit tests of the HTML tokenizer: spans, limits, chunking equivalence,
 * state switching from the callback, CR at a chunk end, aborting, base
 * offsets and allocation failures. Conformance to the spec's state
 * machine is the html5lib suite's job (tests/conformance/html). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "html/tokenizer.h"
#include "util/alloc.h"
#include "util/buf.h"

/* ---- a trace of the token stream: one line per token, with spans;
 * CHARACTER tokens whose spans touch are merged, as a consumer would. */

struct trace {
	struct bs_buf out;
	struct bs_buf text;
	uint64_t text_start, text_end;
	bool in_text;
	bool emulate_tree; /* switch states as a tree builder would */
	struct html_tokenizer *t;
	int abort_after; /* return non-zero from the nth token (1-based) */
	int ntok;
	size_t max_attrs_seen;
};

static void put_bytes(struct bs_buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '\\' || c >= 0x7F)
			bs_buf_printf(b, "\\x%02X", c);
		else
			bs_buf_putc(b, (int)c);
	}
}

static void put_span(struct bs_buf *b, struct html_span s)
{
	bs_buf_printf(b, "[%llu,%llu)", (unsigned long long)s.start,
	              (unsigned long long)s.end);
}

static void flush_text(struct trace *tr)
{
	if (!tr->in_text)
		return;
	bs_buf_puts(&tr->out, "T ");
	put_bytes(&tr->out, tr->text.data ? tr->text.data : "", tr->text.len);
	bs_buf_printf(&tr->out, " [%llu,%llu)\n",
	              (unsigned long long)tr->text_start,
	              (unsigned long long)tr->text_end);
	bs_buf_reset(&tr->text);
	tr->in_text = false;
}

static bool name_is(const struct html_token *tok, const char *s)
{
	return tok->name_len == strlen(s) &&
	       memcmp(tok->name, s, tok->name_len) == 0;
}

static int on_token(void *ctx, struct html_token *tok)
{
	struct trace *tr = ctx;
	struct bs_buf *b = &tr->out;
	size_t i;

	tr->ntok++;
	if (tok->type == HTML_TOKEN_CHARACTER) {
		assert_true(tok->data_len > 0);
		assert_true(tok->span.start < tok->span.end);
		if (tr->in_text && tok->span.start != tr->text_end)
			flush_text(tr);
		if (!tr->in_text)
			tr->text_start = tok->span.start;
		bs_buf_append(&tr->text, tok->data, tok->data_len);
		tr->text_end = tok->span.end;
		tr->in_text = true;
		goto out;
	}
	flush_text(tr);
	switch (tok->type) {
	case HTML_TOKEN_START_TAG:
	case HTML_TOKEN_END_TAG:
		bs_buf_puts(b, tok->type == HTML_TOKEN_START_TAG ? "S " : "E ");
		put_bytes(b, tok->name, tok->name_len);
		put_span(b, tok->span);
		if (tok->self_closing)
			bs_buf_puts(b, " /");
		if (tok->truncated)
			bs_buf_puts(b, " TRUNC");
		if (tok->nattrs > tr->max_attrs_seen)
			tr->max_attrs_seen = tok->nattrs;
		for (i = 0; i < tok->nattrs && i < 50; i++) {
			const struct html_attr *a = &tok->attrs[i];
			assert_int_equal(a->value[a->value_len], '\0');
			assert_int_equal(a->name[a->name_len], '\0');
			bs_buf_putc(b, ' ');
			put_bytes(b, a->name, a->name_len);
			put_span(b, a->name_span);
			bs_buf_putc(b, '=');
			if (a->quote)
				bs_buf_putc(b, a->quote);
			put_bytes(b, a->value, a->value_len);
			put_span(b, a->value_span);
			if (a->truncated)
				bs_buf_puts(b, "!");
		}
		bs_buf_putc(b, '\n');
		if (tr->emulate_tree && tok->type == HTML_TOKEN_START_TAG) {
			if (name_is(tok, "title") || name_is(tok, "textarea"))
				html_tokenizer_set_state(tr->t,
				                         HTML_STATE_RCDATA);
			else if (name_is(tok, "style") || name_is(tok, "xmp") ||
			         name_is(tok, "noframes"))
				html_tokenizer_set_state(tr->t,
				                         HTML_STATE_RAWTEXT);
			else if (name_is(tok, "script"))
				html_tokenizer_set_state(
				    tr->t, HTML_STATE_SCRIPT_DATA);
			else if (name_is(tok, "plaintext"))
				html_tokenizer_set_state(tr->t,
				                         HTML_STATE_PLAINTEXT);
			else if (name_is(tok, "svg"))
				html_tokenizer_set_foreign(tr->t, true);
		}
		if (tr->emulate_tree && tok->type == HTML_TOKEN_END_TAG &&
		    name_is(tok, "svg"))
			html_tokenizer_set_foreign(tr->t, false);
		break;
	case HTML_TOKEN_COMMENT:
		bs_buf_puts(b, "C ");
		put_bytes(b, tok->data, tok->data_len);
		put_span(b, tok->span);
		put_span(b, tok->data_span);
		if (tok->truncated)
			bs_buf_puts(b, " TRUNC");
		bs_buf_putc(b, '\n');
		break;
	case HTML_TOKEN_DOCTYPE:
		bs_buf_puts(b, "D ");
		put_bytes(b, tok->name, tok->name_len);
		bs_buf_printf(b, " %d%d%d%d ", tok->name_missing,
		              tok->public_id_missing, tok->system_id_missing,
		              tok->force_quirks);
		put_bytes(b, tok->public_id, tok->public_id_len);
		bs_buf_putc(b, ' ');
		put_bytes(b, tok->system_id, tok->system_id_len);
		put_span(b, tok->span);
		bs_buf_putc(b, '\n');
		break;
	case HTML_TOKEN_EOF:
		bs_buf_puts(b, "EOF");
		put_span(b, tok->span);
		bs_buf_putc(b, '\n');
		break;
	case HTML_TOKEN_CHARACTER:
		break;
	}
out:
	return tr->abort_after && tr->ntok >= tr->abort_after;
}

struct opts {
	const struct bs_limits *lim;
	struct bs_problems *problems;
	bool tree;
	uint64_t base;
	int abort_after;
};

/* Tokenize in pieces of the sizes in cuts (a 0 ends the list; what is
 * left goes in one piece) and return the trace; *rc gets the result. */
static char *tokenize_cuts(const char *in, size_t n, const size_t *cuts,
                           const struct opts *o, int *rc)
{
	struct bs_limits lim;
	struct trace tr;
	size_t pos = 0, k;
	char *s;

	memset(&tr, 0, sizeof(tr));
	bs_buf_init(&tr.out, (size_t)1 << 30);
	bs_buf_init(&tr.text, (size_t)1 << 30);
	bs_limits_default(&lim);
	tr.emulate_tree = o && o->tree;
	tr.abort_after = o ? o->abort_after : 0;
	tr.t = html_tokenizer_new(o && o->lim ? o->lim : &lim, on_token, &tr,
	                          o ? o->problems : NULL);
	assert_non_null(tr.t);
	if (o && o->base)
		html_tokenizer_set_base_offset(tr.t, o->base);
	*rc = 0;
	for (; cuts && *cuts && *rc == 0; cuts++) {
		k = *cuts < n - pos ? *cuts : n - pos;
		*rc = html_tokenizer_feed(tr.t, in + pos, k);
		pos += k;
	}
	if (*rc == 0 && pos < n)
		*rc = html_tokenizer_feed(tr.t, in + pos, n - pos);
	if (*rc == 0)
		*rc = html_tokenizer_finish(tr.t);
	flush_text(&tr);
	html_tokenizer_free(&tr.t);
	assert_null(tr.t);
	bs_buf_release(&tr.text);
	s = bs_buf_detach(&tr.out, NULL);
	assert_non_null(s);
	return s;
}

static char *tokenize(const char *in, const struct opts *o)
{
	int rc;
	char *s = tokenize_cuts(in, strlen(in), NULL, o, &rc);
	assert_int_equal(rc, 0);
	return s;
}

/* ---- spans ---- */

struct span_case {
	const char *in;
	const char *want;
};

static const struct span_case span_cases[] = {
    /* quoted, unquoted, valueless, char-ref values */
    {"<a href=\"x&amp;y\" b=c d>",
     "S a[0,24) href[3,7)=\"x&y[9,16) b[18,19)=c[20,21) d[22,23)=[23,23)\n"
     "EOF[24,24)\n"},
    {"<img src='a b'/>", "S img[0,16) / src[5,8)='a b[10,13)\n"
                         "EOF[16,16)\n"},
    {"<a x= \"\" y=&lt;z>", "S a[0,17) x[3,4)=\"[7,7) y[9,10)=<z[11,16)\n"
                            "EOF[17,17)\n"},
    /* &notin in an attribute: legacy rule keeps it literal before an
     * alphanumeric; in text, "&not" is replaced */
    {"<a b=\"&notx\">&notx", "S a[0,13) b[3,4)=\"&notx[6,11)\n"
                             "T \\xC2\\xACx [13,18)\n"
                             "EOF[18,18)\n"},
    /* comments: data_span is what lies between the delimiters */
    {"<!--x-->", "C x[0,8)[4,5)\nEOF[8,8)\n"},
    {"<!---->", "C [0,7)[4,4)\nEOF[7,7)\n"},
    {"<!-->", "C [0,5)[4,4)\nEOF[5,5)\n"},
    {"<!--->", "C [0,6)[4,4)\nEOF[6,6)\n"},
    {"<!--a--->", "C a-[0,9)[4,6)\nEOF[9,9)\n"},
    {"<!--x--!>", "C x[0,9)[4,5)\nEOF[9,9)\n"},
    {"<!--a", "C a[0,5)[4,5)\nEOF[5,5)\n"},
    {"<?pi x>", "C ?pi x[0,7)[1,6)\nEOF[7,7)\n"},
    {"</ x>", "C  x[0,5)[2,4)\nEOF[5,5)\n"},
    {"<!x>", "C x[0,4)[2,3)\nEOF[4,4)\n"},
    {"<![CDATA[x]]>", "C [CDATA[x]][0,13)[2,12)\nEOF[13,13)\n"},
    {"<!DOCTYPE html>", "D html 0110  [0,15)\nEOF[15,15)\n"},
    /* text: one run, references and newlines decoded, span raw */
    {"a&amp;b\r\nc\rd", "T a&b\\x0Ac\\x0Ad [0,12)\nEOF[12,12)\n"},
    {"a<b", "T a [0,1)\nEOF[3,3)\n"},
    {"a < b", "T a < b [0,5)\nEOF[5,5)\n"},
    {"x</>y", "T x [0,1)\nT y [4,5)\nEOF[5,5)\n"},
    {"&#x80;&#0;", "T \\xE2\\x82\\xAC\\xEF\\xBF\\xBD [0,10)\nEOF[10,10)\n"},
    {"<P ID=1 id=2>", "S p[0,13) id[3,5)=1[6,7)\nEOF[13,13)\n"},
    {"</p a=1>", "E p[0,8)\nEOF[8,8)\n"},
};

static void spans(void **state)
{
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(span_cases) / sizeof(span_cases[0]); i++) {
		char *got = tokenize(span_cases[i].in, NULL);
		if (strcmp(got, span_cases[i].want) != 0)
			fail_msg("input %s\ngot:\n%swant:\n%s",
			         span_cases[i].in, got, span_cases[i].want);
		bs_free(got);
	}
}

static void base_offset(void **state)
{
	struct opts o = {.base = 1000};
	char *got;
	(void)state;

	got = tokenize("a<b c=d>", &o);
	assert_string_equal(got, "T a [1000,1001)\n"
	                         "S b[1001,1008) c[1004,1005)=d[1006,1007)\n"
	                         "EOF[1008,1008)\n");
	bs_free(got);
}

static void foreign_cdata(void **state)
{
	struct opts o = {.tree = true};
	char *got;
	(void)state;

	got = tokenize("<svg><![CDATA[a<b]]]></svg><![CDATA[x]]>", &o);
	assert_string_equal(got, "S svg[0,5)\n"
	                         "T a<b] [14,18)\n"
	                         "E svg[21,27)\n"
	                         "C [CDATA[x]][27,40)[29,39)\n"
	                         "EOF[40,40)\n");
	bs_free(got);
}

/* ---- limits ---- */

static void limit_attrs(void **state)
{
	struct bs_limits lim;
	struct bs_problems p;
	struct opts o = {.lim = &lim, .problems = &p};
	char *got;
	(void)state;

	bs_limits_default(&lim);
	lim.html_attrs = 3;
	bs_problems_init(&p);
	got = tokenize("<a a=1 b=2 c=3 d=4 href=x e=5 src=y href=z style=s>"
	               "<b a=1 b=2 c=3>"
	               "<img x=1 y=2 z=3 q=4 width=1 height=1 src=t>",
	               &o);
	/* Past 3, only URL and style carriers and what decides how a
	 * fetch is judged (size here) stay, deduplicated. */
	assert_string_equal(got,
	                    "S a[0,51) TRUNC a[3,4)=1[5,6) b[7,8)=2[9,10) "
	                    "c[11,12)=3[13,14) href[19,23)=x[24,25) "
	                    "src[30,33)=y[34,35) style[43,48)=s[49,50)\n"
	                    "S b[51,66) a[54,55)=1[56,57) b[58,59)=2[60,61) "
	                    "c[62,63)=3[64,65)\n"
	                    "S img[66,110) TRUNC x[71,72)=1[73,74) "
	                    "y[75,76)=2[77,78) z[79,80)=3[81,82) "
	                    "width[87,92)=1[93,94) height[95,101)=1[102,103) "
	                    "src[104,107)=t[108,109)\n"
	                    "EOF[110,110)\n");
	assert_true(bs_problems_has(&p, "limit", "html-attrs"));
	assert_int_equal(p.count, 1);
	bs_free(got);
}

static void limit_attr_bytes(void **state)
{
	struct bs_limits lim;
	struct bs_problems p;
	struct opts o = {.lim = &lim, .problems = &p};
	char *got;
	(void)state;

	bs_limits_default(&lim);
	lim.html_attr_bytes = 4;
	bs_problems_init(&p);
	/* The value is cut, not the span; a UTF-8 sequence is not split;
	 * a reference counts by its decoded bytes. */
	got =
	    tokenize("<a b=\"abcdefgh\" c=abc\xC3\xA9 d='&amp;&amp;&amp;&amp;&"
	             "amp;' e=abcd>",
	             &o);
	assert_string_equal(got, "S a[0,61) TRUNC b[3,4)=\"abcd[6,14)! "
	                         "c[16,17)=abc[18,23)! "
	                         "d[24,25)='&&&&[27,52)! e[54,55)=abcd[56,60)\n"
	                         "EOF[61,61)\n");
	assert_true(bs_problems_has(&p, "limit", "html-attr-bytes"));
	assert_int_equal(p.count, 1);
	bs_free(got);
}

static void limit_token_bytes(void **state)
{
	struct bs_limits lim;
	struct bs_problems p;
	struct opts o = {.lim = &lim, .problems = &p};
	char *got;
	(void)state;

	bs_limits_default(&lim);
	lim.html_token_bytes = 8;
	bs_problems_init(&p);
	/* Text is never cut: a buffered run longer than the limit is split
	 * into several tokens (merged again by the trace). */
	got = tokenize("<abcdefghijkl x><!--0123456789--><!DOCTYPE "
	               "abcdefghijk>a&amp;bcdefghijklmnopqrstuvwxyz",
	               &o);
	assert_string_equal(got, "S abcdefgh[0,16) TRUNC x[14,15)=[15,15)\n"
	                         "C 01234567[16,33)[20,30) TRUNC\n"
	                         "D abcdefgh 0110  [33,55)\n"
	                         "T a&bcdefghijklmnopqrstuvwxyz [55,86)\n"
	                         "EOF[86,86)\n");
	assert_true(bs_problems_has(&p, "limit", "html-token-bytes"));
	assert_int_equal(p.count, 1);
	bs_free(got);
}

/* Many attributes must not make duplicate detection quadratic. */
/* Under valgrind (meson test --setup valgrind sets BUGSWEEP_VALGRIND)
 * sizes shrink and the exhaustive split walks take every 20th point:
 * memcheck is 20 to 50 times slower, and finds the same bugs on less. */
static size_t vg_step(void)
{
	return getenv("BUGSWEEP_VALGRIND") ? 20 : 1;
}

static void many_attributes(void **state)
{
	struct bs_limits lim;
	struct bs_problems p;
	struct bs_buf in;
	struct trace tr;
	clock_t t0;
	size_t i, n = 60000 / vg_step();
	(void)state;

	bs_limits_default(&lim);
	lim.html_attrs = 100000;
	bs_problems_init(&p);
	bs_buf_init(&in, (size_t)1 << 30);
	bs_buf_puts(&in, "<a");
	for (i = 0; i < n; i++)
		bs_buf_printf(&in, " a%zu=%zu", i, i);
	for (i = 0; i < n; i++)
		bs_buf_printf(&in, " a%zu", i); /* all duplicates */
	bs_buf_puts(&in, ">");
	memset(&tr, 0, sizeof(tr));
	bs_buf_init(&tr.out, (size_t)1 << 30);
	bs_buf_init(&tr.text, (size_t)1 << 30);
	tr.t = html_tokenizer_new(&lim, on_token, &tr, &p);
	t0 = clock();
	assert_int_equal(html_tokenizer_feed(tr.t, in.data, in.len), 0);
	assert_int_equal(html_tokenizer_finish(tr.t), 0);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
	assert_int_equal(tr.max_attrs_seen, n);
	assert_int_equal(p.count, 0);
	html_tokenizer_free(&tr.t);
	bs_buf_release(&tr.out);
	bs_buf_release(&tr.text);
	bs_buf_release(&in);
}

/* ---- streaming ---- */

/* A newsletter-shaped document touching most states, CR LF endings. */
static const char doc[] =
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
    "'http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd'>\r\n"
    "<html><head><title>News &amp; views &lt;1&gt;</title>\r\n"
    "<style type=\"text/css\">td{background:url(x.png)}</style>\r\n"
    "<script>var a = '<!--<script>x</script>-->'; if (a<b) {}</script>"
    "</head>\r\n<body style=\"margin:0\" bgcolor=#ffffff>\r\n"
    "<!--[if mso]><v:rect fill=\"t\"><![endif]-->\r\n"
    "<table width=\"100%\" cellpadding=0><tr><td align=center "
    "title=\"\xC3\xA9t\xC3\xA9 \xE2\x82\xAC\xF0\x9F\x98\x80\">\r"
    "<a href=\"https://t.example/c?u=1&amp;e=a%40b&id=7&copy=1\" "
    "target=_blank>Read&nbsp;more &notin; &#x1F600; &#128512 &#0; &bogus;"
    "</a>\r\n<img src=\"https://t.example/o.gif?x=1\" width=1 height=1 "
    "alt=\"caf\xC3\xA9 \xE2\x82\xAC\" border=0 /></td></tr></table>\r\n"
    "<textarea>a</textare</textarea><svg><![CDATA[c<d]]></svg>"
    "<p>caf\xC3\xA9 \xF0\x9F\x98\x80 \x00 <br/ ><x\r\ny=\"1\r\n2\">"
    "<!-- b\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 --!><?xml "
    "x?></body></html>\r\n<plaintext>a</b>\r";

static void chunking(void **state)
{
	struct opts o = {.tree = true};
	size_t n = sizeof(doc) - 1, i, j;
	size_t cuts[4];
	char *whole, *got;
	int rc;
	(void)state;

	whole = tokenize_cuts(doc, n, NULL, &o, &rc);
	assert_int_equal(rc, 0);
	/* every split point */
	for (i = 1; i < n; i += vg_step()) {
		cuts[0] = i;
		cuts[1] = 0;
		got = tokenize_cuts(doc, n, cuts, &o, &rc);
		assert_int_equal(rc, 0);
		if (strcmp(got, whole) != 0)
			fail_msg("split at %zu:\n%s\nwhole:\n%s", i, got,
			         whole);
		bs_free(got);
	}
	/* 1-byte chunks, and pieces of 2..7 bytes */
	for (j = 1; j < 8; j++) {
		size_t *c1 = bs_calloc(n + 1, sizeof(*c1));
		assert_non_null(c1);
		for (i = 0; i < n; i++)
			c1[i] = j;
		got = tokenize_cuts(doc, n, c1, &o, &rc);
		assert_int_equal(rc, 0);
		if (strcmp(got, whole) != 0)
			fail_msg("chunks of %zu:\n%s\nwhole:\n%s", j, got,
			         whole);
		bs_free(got);
		bs_free(c1);
	}
	bs_free(whole);
}

/* Cuts at a limit fall in the same place whatever the chunking, also
 * when a UTF-8 sequence straddles a chunk boundary at the cut. */
static void chunking_with_limits(void **state)
{
	struct bs_limits lim;
	struct opts o = {.tree = true, .lim = &lim};
	size_t n = sizeof(doc) - 1, i, m;
	size_t cuts[2];
	char *whole, *got;
	int rc;
	(void)state;

	for (m = 1; m < 8; m++) {
		bs_limits_default(&lim);
		lim.html_token_bytes = m;
		lim.html_attr_bytes = m;
		lim.html_attrs = 2;
		whole = tokenize_cuts(doc, n, NULL, &o, &rc);
		assert_int_equal(rc, 0);
		for (i = 1; i < n; i += vg_step()) {
			cuts[0] = i;
			cuts[1] = 0;
			got = tokenize_cuts(doc, n, cuts, &o, &rc);
			if (strcmp(got, whole) != 0)
				fail_msg("limit %zu, split at %zu:\n%s\nwhole:"
				         "\n%s",
				         m, i, got, whole);
			bs_free(got);
		}
		bs_free(whole);
	}
}

/* Every pair of split points of a short document dense in lookahead:
 * references, markup declarations, DOCTYPE keywords, end tag candidates,
 * CR LF. */
static void chunking_pairs(void **state)
{
	static const char small[] =
	    "<!DOCTYPE a SYSTEM 'b'>&notin;&no\r\n<!-x><title>&am;</ti"
	    "</title\r\n><!--<!---->&#x41\r<a b=&ampc></a>";
	struct opts o = {.tree = true};
	size_t n = sizeof(small) - 1, i, j;
	size_t cuts[3];
	char *whole, *got;
	int rc;
	(void)state;

	whole = tokenize_cuts(small, n, NULL, &o, &rc);
	for (i = 1; i < n; i += (vg_step() + 3) / 4) {
		for (j = 1; i + j < n; j += (vg_step() + 3) / 4) {
			cuts[0] = i;
			cuts[1] = j;
			cuts[2] = 0;
			got = tokenize_cuts(small, n, cuts, &o, &rc);
			if (strcmp(got, whole) != 0)
				fail_msg("split at %zu+%zu:\n%s\nwhole:\n%s", i,
				         j, got, whole);
			bs_free(got);
		}
	}
	bs_free(whole);
}

/* The tree builder switches state from the callback; it applies from the
 * next byte, also in the middle of a chunk. */
static void state_switch(void **state)
{
	struct opts o = {.tree = true};
	char *got;
	(void)state;

	/* In script data, "<!--<script>" double-escapes: the first
	 * "</script>" is text. */
	got = tokenize("<title>a<b>&lt;</title>d<b><script><!--<script>"
	               "</script>--></script>",
	               &o);
	assert_string_equal(got, "S title[0,7)\n"
	                         "T a<b>< [7,15)\n"
	                         "E title[15,23)\n"
	                         "T d [23,24)\n"
	                         "S b[24,27)\n"
	                         "S script[27,35)\n"
	                         "T <!--<script></script>--> [35,59)\n"
	                         "E script[59,68)\n"
	                         "EOF[68,68)\n");
	bs_free(got);
	/* without the switch the same bytes are markup */
	got = tokenize("<title>a<b></title>", NULL);
	assert_string_equal(got, "S title[0,7)\nT a [7,8)\nS b[8,11)\n"
	                         "E title[11,19)\nEOF[19,19)\n");
	bs_free(got);
}

struct cr_case {
	const char *a, *b;
	const char *want;
};

static const struct cr_case cr_cases[] = {
    {"a\r", "\nb", "T a\\x0Ab [0,4)\nEOF[4,4)\n"},
    {"a\r", "b", "T a\\x0Ab [0,3)\nEOF[3,3)\n"},
    {"a\r", "", "T a\\x0A [0,2)\nEOF[2,2)\n"},
    {"a\r", "\r\n", "T a\\x0A\\x0A [0,4)\nEOF[4,4)\n"},
    {"a\r", "<p>", "T a\\x0A [0,2)\nS p[2,5)\nEOF[5,5)\n"},
    {"<a b=\"x\r", "\ny\">", "S a[0,12) b[3,4)=\"x\\x0Ay[6,10)\nEOF[12,12)\n"},
    {"<a\r", "\nb>", "S a[0,6) b[4,5)=[5,5)\nEOF[6,6)\n"},
    {"<!--\r", "\n-->", "C \\x0A[0,9)[4,6)\nEOF[9,9)\n"},
    {"&amp\r", "\n", "T &\\x0A [0,6)\nEOF[6,6)\n"},
};

static void cr_at_chunk_end(void **state)
{
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cr_cases) / sizeof(cr_cases[0]); i++) {
		struct bs_buf in;
		size_t cuts[2];
		char *got;
		int rc;

		bs_buf_init(&in, 1024);
		bs_buf_puts(&in, cr_cases[i].a);
		bs_buf_puts(&in, cr_cases[i].b);
		cuts[0] = strlen(cr_cases[i].a);
		cuts[1] = 0;
		got = tokenize_cuts(in.data, in.len, cuts, NULL, &rc);
		assert_int_equal(rc, 0);
		if (strcmp(got, cr_cases[i].want) != 0)
			fail_msg("case %zu: got\n%swant\n%s", i, got,
			         cr_cases[i].want);
		bs_free(got);
		bs_buf_release(&in);
	}
}

static void abort_from_callback(void **state)
{
	struct opts o = {.abort_after = 2};
	size_t cuts[] = {3, 0};
	char *got;
	int rc;
	(void)state;

	got = tokenize_cuts("a<b>c<d>e", 9, cuts, &o, &rc);
	assert_int_equal(rc, BS_EABORT);
	assert_string_equal(got, "T a [0,1)\nS b[1,4)\n");
	bs_free(got);
}

static void error_names(void **state)
{
	(void)state;
	assert_string_equal(html_parse_error_name(HTML_ERR_EOF_IN_TAG),
	                    "eof-in-tag");
	assert_string_equal(
	    html_parse_error_name(HTML_ERR_UNKNOWN_NAMED_CHARACTER_REFERENCE),
	    "unknown-named-character-reference");
	assert_string_equal(html_parse_error_name(HTML_ERR__COUNT), "unknown");
}

static int count_token(void *ctx, struct html_token *tok)
{
	(void)tok;
	++*(unsigned long *)ctx;
	return 0;
}

/* Every allocation failing in turn: an error return, no leak, no crash. */
static void allocation_failures(void **state)
{
	struct bs_limits lim;
	unsigned long n;
	int rc, failed_once = 0;
	(void)state;

	bs_limits_default(&lim);
	lim.html_token_bytes = 64;
	for (n = 1; n < 200; n++) {
		struct html_tokenizer *t;
		unsigned long ntok = 0;
		size_t pos = 0, len = sizeof(doc) - 1, k;

		bs_alloc_fail_at(n, 1);
		t = html_tokenizer_new(&lim, count_token, &ntok, NULL);
		rc = t ? 0 : BS_ENOMEM;
		for (k = 40; rc == 0 && pos < len; pos += k) {
			k = len - pos < 40 ? len - pos : 40;
			rc = html_tokenizer_feed(t, doc + pos, k);
		}
		if (rc == 0)
			rc = html_tokenizer_finish(t);
		if (bs_alloc_failed()) {
			assert_int_equal(rc, BS_ENOMEM);
			failed_once = 1;
		} else {
			assert_int_equal(rc, 0);
		}
		bs_alloc_fail_at(0, 0);
		html_tokenizer_free(&t);
	}
	assert_true(failed_once);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(spans),
	    cmocka_unit_test(base_offset),
	    cmocka_unit_test(foreign_cdata),
	    cmocka_unit_test(limit_attrs),
	    cmocka_unit_test(limit_attr_bytes),
	    cmocka_unit_test(limit_token_bytes),
	    cmocka_unit_test(many_attributes),
	    cmocka_unit_test(chunking),
	    cmocka_unit_test(chunking_with_limits),
	    cmocka_unit_test(chunking_pairs),
	    cmocka_unit_test(state_switch),
	    cmocka_unit_test(cr_at_chunk_end),
	    cmocka_unit_test(abort_from_callback),
	    cmocka_unit_test(error_names),
	    cmocka_unit_test(allocation_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
