/*
 * Unit tests of html_parser: Outlook conditional comments (flags, the
 * fragment root, absolute spans whatever the chunking and line endings,
 * the nesting limit, downlevel-revealed forms, Outlook's tolerance of case
 * and whitespace), html_bytes, and chunked feeding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../conformance/html/dom_sink.h"
#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "html/parser.h"

struct parsed {
	struct dom d;
	struct bs_problems pr;
	struct bs_limits lim;
	int rc;
};

/* Parse s in chunks of `chunk` bytes (0: at once). */
static void parse(struct parsed *p, const char *s, size_t chunk, bool cond)
{
	struct html_parser_options o;
	struct html_parser *hp;
	size_t n = strlen(s), at = 0;

	dom_init(&p->d);
	bs_problems_init(&p->pr);
	if (p->lim.html_bytes == 0)
		bs_limits_default(&p->lim);
	memset(&o, 0, sizeof(o));
	o.limits = &p->lim;
	o.sink = &dom_sink;
	o.sink_ctx = &p->d;
	o.problems = &p->pr;
	o.conditional_comments = cond;
	hp = html_parser_new(&o);
	assert_non_null(hp);
	p->rc = 0;
	while (at < n && p->rc == 0) {
		size_t k = chunk && n - at > chunk ? chunk : n - at;

		p->rc = html_parser_push(hp, s + at, k);
		at += k;
	}
	if (p->rc == 0)
		p->rc = html_parser_finish(hp);
	html_parser_free(&hp);
	assert_null(hp);
	assert_int_equal(p->rc, 0);
	assert_null(dom_check(&p->d));
}

static void done(struct parsed *p)
{
	dom_free(&p->d);
	memset(p, 0, sizeof(*p));
}

/* The raw input bytes of n's start tag. */
static void assert_span(const char *doc, const struct dom_node *n,
                        const char *want)
{
	size_t len = strlen(want);

	assert_non_null(n);
	assert_int_equal(n->span.end - n->span.start, len);
	assert_memory_equal(doc + n->span.start, want, len);
}

static void hidden_fragment(void **state)
{
	static const char doc[] =
	    "<html><body><table><tr><td>"
	    "<!--[if mso]><table><tr><td><img src=\"a.gif\"></td></tr>"
	    "</table><![endif]-->"
	    "<img src=\"b.gif\"></td></tr></table></body></html>";
	static const size_t chunks[] = {0, 1, 7};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct parsed p = {0};
		struct dom_node *img, *root, *td;

		parse(&p, doc, chunks[i], true);
		img = dom_find(&p.d, "img", 0);
		assert_non_null(img);
		assert_string_equal(dom_attr(img, "src"), "a.gif");
		assert_true(img->flags & HTML_EL_OUTLOOK_ONLY);
		assert_false(img->flags & HTML_EL_CONDITIONAL);
		assert_span(doc, img, "<img src=\"a.gif\">");
		assert_int_equal(img->attrs[0].value_span.start,
		                 img->span.start + 10);

		/* the fragment root hangs under the <td> being parsed */
		root = dom_find(&p.d, "html", 1);
		td = dom_find(&p.d, "td", 0);
		assert_non_null(root);
		assert_int_equal(
		    root->flags & (HTML_EL_COND_ROOT | HTML_EL_IMPLIED |
		                   HTML_EL_OUTLOOK_ONLY),
		    HTML_EL_COND_ROOT | HTML_EL_IMPLIED | HTML_EL_OUTLOOK_ONLY);
		assert_ptr_equal(root->parent, td);
		assert_int_equal(root->depth, td->depth + 1);
		/* depth in the whole DOM: html body table tbody tr td root
		 * body? no: the fragment has no body; table tbody tr td img */
		assert_int_equal(img->depth, root->depth + 5);

		img = dom_find(&p.d, "img", 1);
		assert_string_equal(dom_attr(img, "src"), "b.gif");
		assert_int_equal(img->flags & HTML_EL_OUTLOOK_ONLY, 0);
		/* browsers see a comment */
		assert_int_equal(td->first->type, DN_COMMENT);
		done(&p);
	}
}

/* CR LF line endings inside the conditional content: spans stay exact,
 * also when a chunk boundary falls between CR and LF. */
static void hidden_crlf_spans(void **state)
{
	static const char doc[] =
	    "<body>\r\n<!--[if gte mso 9]>\r\n<xml>\r\n</xml>\r\n"
	    "<v:rect style=\"w\"><v:fill src=\"u\"/></v:rect>\r\n"
	    "<img\r\nsrc=\"c.gif\"><![endif]-->\r\n<p>after</p>";
	static const size_t chunks[] = {0, 1, 2, 3, 5};
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		struct parsed p = {0};
		struct dom_node *img, *fill, *para;

		parse(&p, doc, chunks[i], true);
		img = dom_find(&p.d, "img", 0);
		assert_span(doc, img, "<img\r\nsrc=\"c.gif\">");
		assert_true(img->flags & HTML_EL_OUTLOOK_ONLY);
		fill = dom_find(&p.d, "v:fill", 0);
		assert_span(doc, fill, "<v:fill src=\"u\"/>");
		para = dom_find(&p.d, "p", 0);
		assert_span(doc, para, "<p>");
		assert_false(para->flags & HTML_EL_OUTLOOK_ONLY);
		done(&p);
	}
}

static void nesting_limit(void **state)
{
	/* each level's content holds the next level, unterminated: the
	 * comment ends at the first "-->" */
	static const char doc[] = "<body><!--[if mso]><b>1</b>"
	                          "<!--[if mso]><i>2</i>"
	                          "<!--[if mso]><u>3</u>"
	                          "<![endif]<![endif]<![endif]-->";
	struct parsed p = {0};

	(void)state;
	bs_limits_default(&p.lim);
	p.lim.html_cond_depth = 2;
	parse(&p, doc, 0, true);
	assert_non_null(dom_find(&p.d, "b", 0));
	assert_non_null(dom_find(&p.d, "i", 0));
	assert_null(dom_find(&p.d, "u", 0));
	assert_true(bs_problems_has(&p.pr, "limit", "html-cond-depth"));
	assert_true(dom_find(&p.d, "i", 0)->flags & HTML_EL_OUTLOOK_ONLY);
	assert_span(doc, dom_find(&p.d, "i", 0), "<i>");
	done(&p);

	bs_limits_default(&p.lim);
	p.lim.html_cond_depth = 3;
	parse(&p, doc, 1, true);
	assert_non_null(dom_find(&p.d, "u", 0));
	assert_span(doc, dom_find(&p.d, "u", 0), "<u>");
	assert_false(bs_problems_has(&p.pr, "limit", "html-cond-depth"));
	done(&p);
}

static void downlevel_revealed(void **state)
{
	static const char doc[] = "<body><p>a</p>"
	                          "<!--[if !mso]><!--><img src=x><b>n</b>"
	                          "<!--<![endif]-->"
	                          "<![if !mso]><img src=y><![endif]>"
	                          "<img src=z>";
	struct parsed p = {0};
	struct dom_node *n;

	(void)state;
	parse(&p, doc, 0, true);
	n = dom_find(&p.d, "p", 0);
	assert_false(n->flags & HTML_EL_CONDITIONAL);
	n = dom_find(&p.d, "img", 0);
	assert_true(n->flags & HTML_EL_CONDITIONAL);
	assert_false(n->flags & HTML_EL_OUTLOOK_ONLY);
	assert_true(dom_find(&p.d, "b", 0)->flags & HTML_EL_CONDITIONAL);
	n = dom_find(&p.d, "img", 1);
	assert_string_equal(dom_attr(n, "src"), "y");
	assert_true(n->flags & HTML_EL_CONDITIONAL);
	n = dom_find(&p.d, "img", 2);
	assert_string_equal(dom_attr(n, "src"), "z");
	assert_false(n->flags & HTML_EL_CONDITIONAL);
	/* nothing hidden: no fragment root */
	assert_int_equal(dom_count(&p.d, "html"), 1);
	done(&p);
}

/* Outlook's tolerance of case and whitespace; the content must end with
 * <![endif]; other comments are comments. */
static void syntax_variants(void **state)
{
	static const struct {
		const char *comment;
		bool hidden;
	} cases[] = {
	    {"<!--[if mso]><img src=a><![endif]-->", true},
	    {"<!--[IF MSO]><img src=a><![ENDIF]-->", true},
	    {"<!--[if gte mso 9]><img src=a><![endif]-->", true},
	    {"<!--[if (gte mso 9)|(IE)]><img src=a><![endif]-->", true},
	    {"<!-- [ if mso ] ><img src=a><! [ endif ] ] -->", false},
	    {"<!--\n[if  mso]>\n<img src=a>\n<![ endif ]\n-->", true},
	    {"<!--[if !mso]><img src=a><![endif]-->", true},
	    {"<!--[if mso]><img src=a>-->", false},
	    {"<!--[iff mso]><img src=a><![endif]-->", false},
	    {"<!-- <img src=a> -->", false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parsed p = {0};
		char doc[256];
		struct dom_node *img;

		snprintf(doc, sizeof(doc), "<body>%s", cases[i].comment);
		parse(&p, doc, 0, true);
		img = dom_find(&p.d, "img", 0);
		if (cases[i].hidden) {
			if (img == NULL)
				fail_msg("not parsed: %s", cases[i].comment);
			assert_true(img->flags & HTML_EL_OUTLOOK_ONLY);
			assert_span(doc, img, "<img src=a>");
		} else if (img) {
			fail_msg("parsed: %s", cases[i].comment);
		}
		done(&p);
	}
}

/* A conditional comment before <html>: the fragment hangs under the
 * Document; in <head>, under the head. */
static void hidden_positions(void **state)
{
	static const char doc[] =
	    "<!--[if mso]><style>a{}</style><![endif]--><html><head>"
	    "<!--[if gte mso 9]><xml><o:x>1</o:x></xml><![endif]-->"
	    "</head><body>x</body></html>";
	struct parsed p = {0};
	struct dom_node *style, *xml;

	(void)state;
	parse(&p, doc, 0, true);
	style = dom_find(&p.d, "style", 0);
	assert_non_null(style);
	assert_true(style->flags & HTML_EL_OUTLOOK_ONLY);
	assert_true(style->parent->flags & HTML_EL_COND_ROOT);
	assert_ptr_equal(style->parent->parent, p.d.doc);
	xml = dom_find(&p.d, "xml", 0);
	assert_non_null(xml);
	assert_ptr_equal(xml->parent->parent, dom_find(&p.d, "head", 0));
	done(&p);
}

static void off_means_comment(void **state)
{
	struct parsed p = {0};

	(void)state;
	parse(&p, "<body><!--[if mso]><img src=a><![endif]-->", 0, false);
	assert_null(dom_find(&p.d, "img", 0));
	done(&p);
}

static void bytes_limit(void **state)
{
	struct parsed p = {0};
	char *out;

	(void)state;
	bs_limits_default(&p.lim);
	p.lim.html_bytes = 19;
	parse(&p, "<p>0123456789abcdef<img src=late>", 4, true);
	assert_true(bs_problems_has(&p.pr, "limit", "html-bytes"));
	assert_null(dom_find(&p.d, "img", 0));
	out = dom_serialize(&p.d, false);
	assert_string_equal(out, "| <html>\n|   <head>\n|   <body>\n|     <p>\n"
	                         "|       \"0123456789abcdef\"\n");
	free(out);
	done(&p);
}

/* Whole, 1-byte and 13-byte chunks give one DOM, conditional comments
 * included. */
static void chunking_same_dom(void **state)
{
	static const char doc[] =
	    "<!DOCTYPE html><html><head><title>T &amp; x</title>"
	    "<style>td{}</style></head><body>\r\n<table>\r\n<tr><td>"
	    "<!--[if mso]><table><tr><td width=\"1\"><![endif]-->"
	    "<a href=\"u\"><b>x<p>y</b></a>"
	    "<!--[if mso]></td></tr></table><![endif]-->"
	    "</td></tr>\r\n</table><svg><g><text>z</text></g></svg>"
	    "<textarea>\r\nq</textarea><pre>\n\nr</pre></body></html>";
	static const size_t chunks[] = {1, 2, 13};
	struct parsed whole = {0};
	char *want;
	size_t i;

	(void)state;
	parse(&whole, doc, 0, true);
	want = dom_serialize(&whole.d, false);
	for (i = 0; i < 3; i++) {
		struct parsed p = {0};
		char *got;

		parse(&p, doc, chunks[i], true);
		got = dom_serialize(&p.d, false);
		assert_string_equal(got, want);
		free(got);
		done(&p);
	}
	free(want);
	done(&whole);
}

/* Fragment parsing through the parser API. */
static void context_fragment(void **state)
{
	struct html_parser_options o;
	struct bs_limits lim;
	struct dom d;
	char *out;
	static const char s[] = "<td>a</td><circle r=\"1\"/>";

	(void)state;
	bs_limits_default(&lim);
	dom_init(&d);
	memset(&o, 0, sizeof(o));
	o.limits = &lim;
	o.sink = &dom_sink;
	o.sink_ctx = &d;
	o.context_name = "svg";
	o.context_ns = HTML_NS_SVG;
	assert_int_equal(html_parse(&o, s, sizeof(s) - 1), 0);
	assert_null(dom_check(&d));
	out = dom_serialize(&d, true);
	assert_string_equal(out, "| <svg td>\n|   \"a\"\n| <svg circle>\n"
	                         "|   r=\"1\"\n");
	free(out);
	dom_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hidden_fragment),
	    cmocka_unit_test(hidden_crlf_spans),
	    cmocka_unit_test(nesting_limit),
	    cmocka_unit_test(downlevel_revealed),
	    cmocka_unit_test(syntax_variants),
	    cmocka_unit_test(hidden_positions),
	    cmocka_unit_test(off_means_comment),
	    cmocka_unit_test(bytes_limit),
	    cmocka_unit_test(chunking_same_dom),
	    cmocka_unit_test(context_fragment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
