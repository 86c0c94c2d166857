/*
 * src/lib/rewrite: the patch list, the encoders, charsets with numeric
 * references, link rewrites, visible text, and bs_clean end to end on
 * small messages written here: splicing, headers, policies, Outlook
 * content, the skip path, and allocation failure at every allocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bugsweep/bugsweep.h"
#include "html/dom.h"
#include "mime/mime.h"
#include "rewrite/rewrite.h"
#include "util/alloc.h"
#include "util/buf.h"

static struct bs_engine *engine;

static int setup(void **state)
{
	struct bs_engine_config cfg;
	char err[BS_ERRMSG_LEN];

	(void)state;
	if (mime_global_init())
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	bs_limits_default(&cfg.limits);
	return bs_engine_new(&engine, &cfg, err);
}

static int teardown(void **state)
{
	(void)state;
	bs_engine_free(&engine);
	return 0;
}

/* ---- patch list ---- */

static void patch_sort(void **state)
{
	struct rw_patches p;
	struct bs_buf o;

	(void)state;
	rw_patches_init(&p, 16, 1024);
	bs_buf_init(&o, 1024);
	/* added out of order; an insertion at 4 and a replacement at 4 */
	assert_int_equal(rw_patches_add(&p, 8, 10, "XY", 2, 0), 0);
	assert_int_equal(rw_patches_add(&p, 4, 6, "r", 1, 0), 0);
	assert_int_equal(rw_patches_add(&p, 4, 4, "i", 1, 0), 0);
	assert_int_equal(rw_patches_add(&p, 0, 1, "", 0, 0), 0);
	assert_int_equal(rw_patches_sort(&p), 0);
	assert_int_equal(rw_patches_apply(&o, "0123456789ab", 12, &p), 0);
	assert_string_equal(o.data, "123ir67XYab");
	rw_patches_release(&p);
	bs_buf_release(&o);
}

static void patch_overlap(void **state)
{
	static const struct {
		size_t a0, a1, b0, b1;
		unsigned fa;
		int want;
	} cases[] = {
	    {0, 5, 4, 8, 0, BS_EINVAL},              /* crossing */
	    {0, 5, 5, 8, 0, 0},                      /* touching */
	    {2, 6, 3, 4, 0, BS_EINVAL},              /* inside, no cover */
	    {2, 6, 3, 4, RW_PATCH_COVER, 0},         /* inside a cover */
	    {2, 6, 4, 9, RW_PATCH_COVER, BS_EINVAL}, /* out of the cover */
	    {2, 6, 2, 6, 0, BS_EINVAL},              /* same range, other */
	    {3, 3, 3, 3, 0, 0},                      /* two insertions */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rw_patches p;
		rw_patches_init(&p, 4, 64);
		assert_int_equal(rw_patches_add(&p, cases[i].a0, cases[i].a1,
		                                "a", 1, cases[i].fa),
		                 0);
		assert_int_equal(rw_patches_add(&p, cases[i].b0, cases[i].b1,
		                                i == 6 ? "a" : "b", 1, 0),
		                 0);
		if (rw_patches_sort(&p) != cases[i].want)
			fail_msg("case %zu", i);
		rw_patches_release(&p);
	}
	/* identical patches (a start tag seen twice) are one */
	{
		struct rw_patches p;
		rw_patches_init(&p, 4, 64);
		assert_int_equal(rw_patches_add(&p, 1, 3, "z", 1, 0), 0);
		assert_int_equal(rw_patches_add(&p, 1, 3, "z", 1, 0), 0);
		assert_int_equal(rw_patches_sort(&p), 0);
		assert_int_equal(p.n, 1);
		assert_int_equal(rw_patches_add(&p, 9, 8, "z", 1, 0),
		                 BS_EINVAL);
		rw_patches_release(&p);
	}
	/* the cap holds */
	{
		struct rw_patches p;
		rw_patches_init(&p, 1, 64);
		assert_int_equal(rw_patches_add(&p, 1, 3, "z", 1, 0), 0);
		assert_int_equal(rw_patches_add(&p, 4, 5, "z", 1, 0),
		                 BS_ELIMIT);
		rw_patches_release(&p);
	}
}

/* ---- transfer encodings ---- */

static void check_lines(const char *s, size_t n, size_t max)
{
	size_t i, col = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n' || s[i] == '\r') {
			col = 0;
			continue;
		}
		if (++col > max)
			fail_msg("line longer than %zu", max);
	}
}

static void qp(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"a=b", "a=3Db"},
	    {"tail \nx", "tail=20\nx"},
	    {"tab\t", "tab=09"},
	    {"-- not a boundary", "=2D- not a boundary"},
	    {"x\n.\nFrom me", "x\n=2E\n=46rom me"},
	    {"caf\xc3\xa9\r\nok", "caf=C3=A9=0D\nok"},
	    {"cr\ronly", "cr=0Donly"},
	};
	char big[600];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bs_buf o, d;
		bs_buf_init(&o, 4096);
		bs_buf_init(&d, 4096);
		assert_int_equal(
		    rw_qp_encode(&o, cases[i].in, strlen(cases[i].in), "\n"),
		    0);
		assert_string_equal(o.data, cases[i].want);
		assert_int_equal(rw_qp_decode(&d, o.data, o.len), 0);
		assert_string_equal(d.data, cases[i].in);
		bs_buf_release(&o);
		bs_buf_release(&d);
	}
	/* soft breaks at 76, never inside an escape, exact round trip */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i % 7 == 0 ? '=' : i % 11 == 0 ? 0xE9 : 'a');
	{
		struct bs_buf o, d;
		bs_buf_init(&o, 1 << 16);
		bs_buf_init(&d, 1 << 16);
		assert_int_equal(rw_qp_encode(&o, big, sizeof(big), "\r\n"), 0);
		check_lines(o.data, o.len, 76);
		assert_int_equal(rw_qp_decode(&d, o.data, o.len), 0);
		assert_int_equal(d.len, sizeof(big));
		assert_memory_equal(d.data, big, sizeof(big));
		bs_buf_release(&o);
		bs_buf_release(&d);
	}
	/* lenient decoding, as src/lib/mime reads it */
	{
		struct bs_buf d;
		bs_buf_init(&d, 4096);
		assert_int_equal(rw_qp_decode(&d, "a=zz=\r\nb= \n=4a=4", 17),
		                 0);
		assert_string_equal(d.data, "a=zzbJ=4");
		bs_buf_release(&d);
	}
}

static void base64(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"", ""},
	    {"M", "TQ=="},
	    {"Ma", "TWE="},
	    {"Man", "TWFu"},
	    {"<img src=x>", "PGltZyBzcmM9eD4="},
	};
	unsigned char big[1000];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bs_buf o, d;
		bs_buf_init(&o, 4096);
		bs_buf_init(&d, 4096);
		assert_int_equal(
		    rw_b64_encode(&o, cases[i].in, strlen(cases[i].in), "\r\n"),
		    0);
		assert_string_equal(o.len ? o.data : "", cases[i].want);
		assert_int_equal(rw_b64_decode(&d, o.data ? o.data : "", o.len),
		                 0);
		assert_int_equal(d.len, strlen(cases[i].in));
		bs_buf_release(&o);
		bs_buf_release(&d);
	}
	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 37);
	{
		struct bs_buf o, d;
		bs_buf_init(&o, 1 << 16);
		bs_buf_init(&d, 1 << 16);
		assert_int_equal(
		    rw_b64_encode(&o, (const char *)big, sizeof(big), "\n"), 0);
		check_lines(o.data, o.len, 76);
		assert_int_equal(o.data[76], '\n');
		assert_int_equal(rw_b64_decode(&d, o.data, o.len), 0);
		assert_memory_equal(d.data, big, sizeof(big));
		bs_buf_release(&o);
		bs_buf_release(&d);
	}
}

/* ---- charsets ---- */

static void charsets(void **state)
{
	static const struct {
		enum rw_charset cs;
		const char *name, *in, *want;
	} cases[] = {
	    /* windows-1252: the euro at 0x80, Latin-1 as is, others as
	     * references */
	    {RW_CS_W1252, "windows-1252", "\xe2\x82\xac caf\xc3\xa9",
	     "\x80 caf\xe9"},
	    {RW_CS_W1252, "windows-1252", "\xc4\x80\xe6\x97\xa5",
	     "&#256;&#26085;"},
	    {RW_CS_ASCII, "us-ascii", "caf\xc3\xa9 ok", "caf&#233; ok"},
	    {RW_CS_UTF8, "utf-8", "\xe6\x97\xa5", "\xe6\x97\xa5"},
	    /* iconv: ISO-8859-1 has no euro */
	    {RW_CS_ICONV, "iso-8859-1", "\xe2\x82\xac\xc3\xa9", "&#8364;\xe9"},
	    {RW_CS_ICONV, "koi8-r",
	     "\xd0\x94"
	     "a",
	     "\xe4"
	     "a"},
	    /* ISO-2022-JP: shift in and back out to ASCII; the euro is
	     * not in it */
	    {RW_CS_ICONV, "iso-2022-jp", "\xe6\x97\xa5x\xe2\x82\xac",
	     "\x1b$BF|\x1b(Bx&#8364;"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bs_buf o, s;
		bs_buf_init(&o, 4096);
		bs_buf_init(&s, 4096);
		assert_int_equal(rw_charset_encode(&o, cases[i].cs,
		                                   cases[i].name, cases[i].in,
		                                   strlen(cases[i].in), true),
		                 0);
		if (o.len != strlen(cases[i].want) ||
		    memcmp(o.data, cases[i].want, o.len) != 0)
			fail_msg("case %zu: got '%s'", i, o.data);
		/* the same references at the text level */
		assert_int_equal(rw_charset_safe(&s, cases[i].cs, cases[i].name,
		                                 cases[i].in,
		                                 strlen(cases[i].in)),
		                 0);
		if (cases[i].cs == RW_CS_ASCII)
			assert_string_equal(s.data, "caf&#233; ok");
		bs_buf_release(&o);
		bs_buf_release(&s);
	}
	{
		struct bs_buf o;
		bs_buf_init(&o, 64);
		assert_int_equal(rw_charset_encode(&o, RW_CS_W1252, NULL,
		                                   "\xc4\x80", 2, false),
		                 BS_EPARSE);
		assert_int_equal(
		    rw_charset_encode(&o, RW_CS_UTF8, NULL, "\xc3", 1, true),
		    BS_EPARSE);
		assert_int_equal(rw_charset_encode(&o, RW_CS_ICONV,
		                                   "no-such-charset", "a", 1,
		                                   true),
		                 BS_EINVAL);
		bs_buf_release(&o);
	}
	assert_int_equal(rw_charset_kind("utf-8"), RW_CS_UTF8);
	assert_int_equal(rw_charset_kind("windows-1252"), RW_CS_W1252);
	assert_int_equal(rw_charset_kind("iso-2022-jp"), RW_CS_ICONV);
}

static void escapes(void **state)
{
	struct bs_buf o;

	(void)state;
	bs_buf_init(&o, 256);
	assert_int_equal(rw_html_escape(&o, "a<b>&\"c'", 9), 0);
	assert_string_equal(o.data, "a&lt;b&gt;&amp;&quot;c&#39;");
	bs_buf_reset(&o);
	assert_int_equal(
	    rw_url_encode(&o, "https://x.example/a b?c=1&d=\xc3\xa9", 30), 0);
	assert_string_equal(o.data, "https%3A%2F%2Fx.example%2Fa%20b%3Fc%3D1%"
	                            "26d%3D%C3%A9");
	bs_buf_release(&o);
}

/* ---- links ---- */

static void links(void **state)
{
	static const struct {
		const char *in, *want;
	} strip[] = {
	    {"https://s.example/a?utm_source=nl&id=7&utm_medium=email#top",
	     "https://s.example/a?id=7#top"},
	    {"https://s.example/a?utm_source=nl", "https://s.example/a"},
	    {"https://s.example/a?mc_eid=1&fbclid=2&_hsenc=3&x=y",
	     "https://s.example/a?x=y"},
	    {"https://s.example/a?keep=1&also=2",
	     "https://s.example/a?keep=1&also=2"},
	    {"https://s.example/a#utm_source=x",
	     "https://s.example/a#utm_source=x"},
	};
	static const struct {
		const char *in, *want;
	} unwrap[] = {
	    {"https://www.google.com/url?q=https%3A%2F%2Fnews.example%2Fa&sa=D",
	     "https://news.example/a"},
	    {"https://r.example/c?u=abc&target=http://t.example/x%3Fy%3D1",
	     "http://t.example/x?y=1"},
	    {"https://r.example/c?u=abc", NULL},
	    {"https://r.example/c?u=https%3A%2F%2Fa%20b", NULL}, /* blank */
	};
	static const struct {
		const char *url, *text;
		bool want;
	} oneclick[] = {
	    {"https://s.example/unsubscribe?u=1&utm_source=x", "", true},
	    {"https://s.example/l/abc", "Unsubscribe", true},
	    {"https://s.example/confirm?t=1", "", true},
	    {"https://s.example/account/reset-password?t=1", "", true},
	    {"https://s.example/a", "Verify your address", true},
	    {"https://s.example/article/42?utm_source=x", "Read more", false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(strip) / sizeof(strip[0]); i++) {
		struct bs_buf o;
		bool ch;
		bs_buf_init(&o, 1024);
		assert_int_equal(rw_link_strip_params(&o, strip[i].in,
		                                      strlen(strip[i].in), &ch),
		                 0);
		assert_string_equal(o.data, strip[i].want);
		assert_int_equal(ch, strcmp(strip[i].in, strip[i].want) != 0);
		bs_buf_release(&o);
	}
	for (i = 0; i < sizeof(unwrap) / sizeof(unwrap[0]); i++) {
		struct bs_buf o;
		bool found;
		bs_buf_init(&o, 1024);
		assert_int_equal(rw_link_target(&o, unwrap[i].in,
		                                strlen(unwrap[i].in), &found),
		                 0);
		assert_int_equal(found, unwrap[i].want != NULL);
		if (found)
			assert_string_equal(o.data, unwrap[i].want);
		bs_buf_release(&o);
	}
	for (i = 0; i < sizeof(oneclick) / sizeof(oneclick[0]); i++)
		if (rw_link_one_click(oneclick[i].url, strlen(oneclick[i].url),
		                      oneclick[i].text,
		                      strlen(oneclick[i].text)) !=
		    oneclick[i].want)
			fail_msg("one-click case %zu", i);
	assert_true(
	    rw_link_known_redirector("https://www.google.com/url?q=x", 30));
	assert_false(
	    rw_link_known_redirector("https://news.example/url?q=x", 28));
}

/* ---- visible text ---- */

static void text_of(const char *html, struct bs_buf *o, unsigned flags)
{
	struct html_parser_options po;
	struct html_dom *dom = NULL;

	memset(&po, 0, sizeof(po));
	po.limits = bs_engine_limits(engine);
	po.conditional_comments = true;
	assert_int_equal(html_dom_parse(&dom, &po, html, strlen(html)), 0);
	assert_int_equal(rw_visible_text(o, dom, flags), 0);
	html_dom_free(&dom);
}

static void visible(void **state)
{
	static const struct {
		const char *html, *want;
		unsigned flags;
	} cases[] = {
	    {"<title>T</title><style>p{}</style><p>Hello\n  <b>you</b></p>",
	     "Hello you", 0},
	    {"<p>a<img src=x alt=Logo>b</p>", "aLogob", 0},
	    {"<p>a<span style=x>Logo</span>b</p>", "aLogob", 0},
	    {"<p>a<img src=x>b</p>", "ab", 0},
	    {"<p>x<!--[if mso]><p>only outlook</p><![endif]-->y</p>", "xy", 0},
	    {"<p>x<!--[if mso]><p>only outlook</p><![endif]-->y</p>",
	     "xonly outlooky", RW_TEXT_OUTLOOK},
	    {"<script>no</script><template>no</template><p>a&nbsp;b</p>", "a b",
	     0},
	    {"<input type=image alt=Go src=x><input alt=no>", "Go", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bs_buf o;
		bs_buf_init(&o, 4096);
		text_of(cases[i].html, &o, cases[i].flags);
		if (strcmp(o.len ? o.data : "", cases[i].want) != 0)
			fail_msg("case %zu: got '%s'", i, o.len ? o.data : "");
		bs_buf_release(&o);
	}
}

/* ---- bs_clean on whole messages ---- */

static int to_buf(void *ctx, const char *p, size_t n)
{
	return bs_buf_append(ctx, p, n);
}

/* Clean msg; the output is NUL-terminated in o (release it). */
static struct bs_clean *clean(const char *msg, const struct bs_clean_options *o,
                              struct bs_buf *out)
{
	struct bs_clean *c = NULL;

	bs_buf_init(out, 1 << 22);
	assert_int_equal(bs_clean(&c, engine, msg, strlen(msg), o), 0);
	assert_int_equal(bs_clean_write(c, to_buf, out), 0);
	assert_int_equal(out->len, bs_clean_size(c));
	return c;
}

/* Cleaning the output again gives the output. */
static void assert_idempotent(const struct bs_buf *out,
                              const struct bs_clean_options *o)
{
	struct bs_clean *c = NULL;
	struct bs_buf again;

	bs_buf_init(&again, 1 << 22);
	assert_int_equal(bs_clean(&c, engine, out->data, out->len, o), 0);
	assert_int_equal(bs_clean_write(c, to_buf, &again), 0);
	assert_int_equal(again.len, out->len);
	assert_memory_equal(again.data, out->data, out->len);
	assert_false(bs_clean_changed(c));
	bs_clean_free(&c);
	bs_buf_release(&again);
}

#define PIXEL "https://t.example/open.gif?u=8f14e45fceea167a5a36dedd4bea2543"

static const char multipart[] =
    "From sender@example.org  Mon Jan  1 00:00:00 2024\n"
    "From: News <news@shop.example>\n"
    "To: reader@example.org\n"
    "Subject: Hello\n"
    "Disposition-Notification-To: news@shop.example\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/alternative; boundary=\"b1\"\n"
    "\n"
    "--b1\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "Plain text stays.\n"
    "--b1\n"
    "Content-Type: text/html; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "<html><body><p>Hello caf=C3=A9</p><img src=3D\"" PIXEL
    "\" width=3D\"1\" =\n"
    "height=3D\"1\" alt=3D\"\"><!--[if mso]><img src=3D\"https://t.example/o/"
    "9f86d081884c7d659a2feaa0c55ad015\" width=3D1 height=3D1><![endif]-->\n"
    "<img src=3D\"https://cdn.shop.example/logo.png\" width=3D\"200\" "
    "height=3D\"50\" alt=3D\"Shop\"></body></html>\n"
    "--b1--\n";

static void splice(void **state)
{
	struct bs_clean_options o;
	struct bs_clean *c;
	struct bs_buf out;
	const char *plain = "--b1\nContent-Type: text/plain; charset=utf-8\n"
	                    "\nPlain text stays.\n";

	(void)state;
	memset(&o, 0, sizeof(o));
	c = clean(multipart, &o, &out);
	assert_null(bs_clean_skipped(c));
	assert_true(bs_clean_changed(c));
	assert_int_equal(bs_clean_removed(c), 2);
	assert_int_equal(bs_clean_receipts(c), 1);
	/* after the mbox line, our header first */
	assert_true(strncmp(out.data, "From sender@example.org", 23) == 0);
	assert_non_null(strstr(out.data, "\nX-Bugsweep: bugsweep "));
	assert_true(strstr(out.data, "\nX-Bugsweep: ") <
	            strstr(out.data, "\nFrom: News"));
	/* the receipt request, kept under another name, in place */
	assert_non_null(strstr(out.data, "Subject: Hello\n"
	                                 "X-Bugsweep-Removed-Receipt-Request: "
	                                 "Disposition-Notification-To: "
	                                 "news@shop.example\nMIME-Version"));
	/* the plain part byte for byte, the pixel and the Outlook pixel
	 * without their src (the elements stay, so that the parse of what
	 * follows does not change), the logo and the QP encoding kept */
	assert_non_null(strstr(out.data, plain));
	assert_null(strstr(strstr(out.data, "text/html"), "t.example"));
	assert_non_null(strstr(out.data, "Hello caf=C3=A9"));
	assert_non_null(strstr(out.data, "logo.png"));
	assert_non_null(strstr(out.data, "!--[if mso]><img  width=3D1"));
	assert_non_null(strstr(out.data, "Content-Transfer-Encoding: "
	                                 "quoted-printable\n"));
	check_lines(out.data, out.len, 998);
	assert_idempotent(&out, &o);
	bs_clean_free(&c);
	bs_buf_release(&out);
}

static const char single[] = "From: a@shop.example\r\n"
                             "To: reader@example.org\r\n"
                             "Subject: x\r\n"
                             "Content-Type: text/html; charset=windows-1252\r\n"
                             "Content-Transfer-Encoding: base64\r\n"
                             "\r\n";

/* A message whose one part is html, base64 in a charset. */
static void make_single(struct bs_buf *m, const char *html)
{
	bs_buf_init(m, 1 << 20);
	bs_buf_puts(m, single);
	assert_int_equal(rw_b64_encode(m, html, strlen(html), "\r\n"), 0);
	bs_buf_puts(m, "\r\n");
}

/* The decoded HTML of a cleaned make_single() message: its one part is
 * base64. */
static void body_of(struct bs_buf *dec, const struct bs_buf *out)
{
	const char *b = strstr(out->data, "\r\n\r\n") + 4;

	bs_buf_init(dec, 1 << 20);
	assert_int_equal(
	    rw_b64_decode(dec, b, out->len - (size_t)(b - out->data)), 0);
}

static void policies(void **state)
{
	/* windows-1252 text (0xE9), a visible image whose URL names the
	 * reader (tracked content), a static image, a CSS pixel */
	static const char html[] =
	    "<html><head><style>.x{background:url(https://t.example/"
	    "open?id=9f86d081884c7d659a2feaa0c55ad015)}</style></head>"
	    "<body class=x><p>Caf\xe9</p>"
	    "<img src=\"https://img.shop.example/banner/reader@example.org\" "
	    "width=\"600\" height=\"200\" alt=\"Big \xe9 sale\">"
	    "<img src=\"https://cdn.shop.example/logo.png\" width=\"200\" "
	    "height=\"50\" alt=\"Shop\"></body></html>";
	struct bs_clean_options o;
	struct bs_clean *c;
	struct bs_buf m, out, dec;

	(void)state;
	make_single(&m, html);
	memset(&o, 0, sizeof(o));

	/* trackers: the CSS pixel an empty data URL, the tracked image an
	 * <img> without src, which keeps its size and shows its alt text, the
	 * logo stays */
	c = clean(m.data, &o, &out);
	assert_null(bs_clean_skipped(c));
	assert_int_equal(bs_clean_removed(c), 2);
	body_of(&dec, &out);
	assert_non_null(strstr(dec.data, "background:url(\"data:,\")"));
	assert_non_null(strstr(dec.data, " width=\"600\" height=\"200\" "
	                                 "alt=\"Big \xe9 sale\">"));
	assert_non_null(strstr(dec.data, "Caf\xe9"));
	assert_non_null(strstr(dec.data, "logo.png"));
	assert_null(strstr(dec.data, "reader@example.org"));
	assert_idempotent(&out, &o);
	bs_clean_free(&c);
	bs_buf_release(&out);
	bs_buf_release(&dec);

	/* remote: the logo loses its src too */
	o.policy = BS_POLICY_REMOTE;
	c = clean(m.data, &o, &out);
	assert_int_equal(bs_clean_blocked(c), 1);
	body_of(&dec, &out);
	assert_null(strstr(dec.data, "https://"));
	assert_non_null(strstr(dec.data, "alt=\"Shop\">"));
	assert_idempotent(&out, &o);
	bs_clean_free(&c);
	bs_buf_release(&out);
	bs_buf_release(&dec);

	/* proxy: the logo through the proxy, its URL encoded */
	o.policy = BS_POLICY_PROXY;
	o.proxy_template = "https://imgproxy.example/p?u={url}&s=1";
	c = clean(m.data, &o, &out);
	assert_int_equal(bs_clean_proxied(c), 1);
	body_of(&dec, &out);
	assert_non_null(strstr(dec.data,
	                       "src=\"https://imgproxy.example/p?u=https%3A%2F%"
	                       "2Fcdn.shop.example%2Flogo.png&amp;s=1\""));
	assert_idempotent(&out, &o);
	bs_clean_free(&c);
	bs_buf_release(&out);
	bs_buf_release(&dec);

	/* templates */
	assert_true(bs_clean_proxy_template_ok("https://p.example/?u={url}"));
	assert_false(bs_clean_proxy_template_ok("https://p.example/"));
	assert_false(bs_clean_proxy_template_ok("ftp://p.example/{url}"));
	assert_false(
	    bs_clean_proxy_template_ok("https://p.example/{url}\"><x"));
	assert_false(
	    bs_clean_proxy_template_ok("https://p.example/{url}/{url}"));
	c = NULL;
	o.proxy_template = "nope";
	assert_int_equal(bs_clean(&c, engine, m.data, m.len, &o), BS_EINVAL);
	assert_null(c);
	bs_buf_release(&m);
}

/* A repeated attribute is ignored (the first wins): dropping the first
 * would revive the repeat, so its value is emptied instead. */
static void repeated_attribute(void **state)
{
	static const char html[] =
	    "<html><head><meta http-equiv=refresh content=\"0; url=https://"
	    "t.example/r?id=9f86d081884c7d659a2feaa0c55ad015\" content=\"0; "
	    "url=https://t.example/r?id=9f86d081884c7d659a2feaa0c55ad016\">"
	    "</head><body><p>Hi</p></body></html>";
	struct bs_clean_options o;
	struct bs_clean *c;
	struct bs_buf m, out, dec;

	(void)state;
	make_single(&m, html);
	memset(&o, 0, sizeof(o));
	c = clean(m.data, &o, &out);
	assert_int_equal(bs_clean_removed(c), 1);
	body_of(&dec, &out);
	assert_non_null(strstr(dec.data, "content=\"\" content=\"0; url="));
	assert_idempotent(&out, &o);
	bs_clean_free(&c);
	bs_buf_release(&out);
	bs_buf_release(&dec);
	bs_buf_release(&m);
}

static void css_rules(void **state)
{
	/* a tracking @import goes with its ';'; a tracking @font-face src
	 * URL becomes an empty data URL, so that other sources of the same
	 * src (here none) would still load; the rule after them and the
	 * static font stay */
	static const char html[] =
	    "<html><head><style>@import url(https://t.example/s.css?id="
	    "9f86d081884c7d659a2feaa0c55ad015);\n.a{color:red}\n"
	    "@font-face{font-family:T;src:url(https://t.example/f.woff?id="
	    "9f86d081884c7d659a2feaa0c55ad015) format('woff');}\n"
	    "@font-face{font-family:S;src:url(https://fonts.example/s.woff)}"
	    "</style></head><body><p class=a>Hi</p></body></html>";
	struct bs_clean_options o;
	struct bs_clean *c;
	struct bs_buf m, out, dec;

	(void)state;
	make_single(&m, html);
	memset(&o, 0, sizeof(o));
	c = clean(m.data, &o, &out);
	assert_int_equal(bs_clean_removed(c), 2);
	body_of(&dec, &out);
	assert_non_null(strstr(dec.data, "<style>\n.a{color:red}\n"
	                                 "@font-face{font-family:T;src:url("
	                                 "\"data:,\") format('woff');}\n"
	                                 "@font-face{font-family:S;src:url("
	                                 "https://fonts.example/s.woff)}"));
	assert_idempotent(&out, &o);
	bs_clean_free(&c);
	bs_buf_release(&out);
	bs_buf_release(&dec);
	bs_buf_release(&m);
}

static void link_policy(void **state)
{
	static const char html[] =
	    "<html><body>"
	    "<a href=\"https://shop.example/sale?utm_source=nl&amp;id=4\">"
	    "Sale</a> "
	    "<a href=\"https://shop.example/unsubscribe?e=1&utm_source=nl\">"
	    "Unsubscribe</a> "
	    "<a href=\"https://www.google.com/url?q=https%3A%2F%2Fnews."
	    "example%2Fa\">News</a></body></html>";
	struct bs_clean_options o;
	struct bs_clean *c;
	struct bs_buf m, out, dec;

	(void)state;
	make_single(&m, html);
	memset(&o, 0, sizeof(o));
	o.links = BS_LINKS_UNWRAP;
	c = clean(m.data, &o, &out);
	assert_int_equal(bs_clean_links(c), 2);
	assert_true(bs_clean_changed(c));
	body_of(&dec, &out);
	assert_non_null(
	    strstr(dec.data, "href=\"https://shop.example/sale?id=4\""));
	assert_non_null(strstr(dec.data, "href=\"https://news.example/a\""));
	/* one click: never touched, byte for byte */
	assert_non_null(strstr(
	    dec.data, "<a href=\"https://shop.example/unsubscribe?e=1&utm_"
	              "source=nl\">"));
	assert_idempotent(&out, &o);
	bs_clean_free(&c);
	bs_buf_release(&out);
	bs_buf_release(&dec);
	bs_buf_release(&m);
}

static void banner(void **state)
{
	struct bs_clean_options o;
	struct bs_clean *c;
	struct bs_buf out, dec;
	const char *b;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.banner = true;
	c = clean(multipart, &o, &out);
	assert_int_equal(bs_clean_removed(c), 2);
	b = strstr(out.data, "quoted-printable\n\n") + 18;
	bs_buf_init(&dec, 1 << 20);
	assert_int_equal(rw_qp_decode(&dec, b, strlen(b)), 0);
	assert_non_null(strstr(dec.data, "<body><div style="));
	assert_non_null(strstr(dec.data,
	                       ">2 trackers removed: unknown tracker at "
	                       "t.example</div>"));
	/* inert: no link, image or form in it */
	{
		const char *d = strstr(dec.data, "<div"),
		           *e = strstr(d, "</div>");
		assert_null(memchr(d + 4, '<', (size_t)(e - d - 4)));
	}
	assert_idempotent(&out, &o);
	bs_clean_free(&c);
	bs_buf_release(&out);
	bs_buf_release(&dec);
}

/* A message clean cannot handle is the input with one header. */
static void assert_skipped(const char *msg, const struct bs_buf *out,
                           const char *reason)
{
	char want[256];
	size_t at = rw_header_insert_offset(msg, strlen(msg));

	snprintf(want, sizeof(want), "X-Bugsweep: skipped; reason=%s;", reason);
	assert_memory_equal(out->data, msg, at);
	assert_true(strncmp(out->data + at, want, strlen(want)) == 0);
	assert_string_equal(strchr(out->data + at, '\n') + 1, msg + at);
}

static void skip_path(void **state)
{
	/* the HTML lives inside a base64-encoded message/rfc822 */
	static const char inner[] =
	    "Content-Type: text/html\n\n<img src=\"" PIXEL
	    "\" width=1 height=1>\n";
	struct bs_clean_options o;
	struct bs_engine_config cfg;
	struct bs_engine *small = NULL;
	struct bs_clean *c = NULL;
	struct bs_buf m, out;
	char err[BS_ERRMSG_LEN];

	(void)state;
	memset(&o, 0, sizeof(o));
	bs_buf_init(&m, 1 << 16);
	bs_buf_puts(&m, "From: a@b.example\nContent-Type: multipart/mixed; "
	                "boundary=b\n\n--b\nContent-Type: message/rfc822\n"
	                "Content-Transfer-Encoding: base64\n\n");
	assert_int_equal(rw_b64_encode(&m, inner, strlen(inner), "\n"), 0);
	bs_buf_puts(&m, "\n--b--\n");
	c = clean(m.data, &o, &out);
	assert_string_equal(bs_clean_skipped(c), "non-spliceable-part");
	assert_false(bs_clean_changed(c));
	assert_skipped(m.data, &out, "non-spliceable-part");
	assert_idempotent(&out, &o);
	bs_clean_free(&c);
	bs_buf_release(&out);

	/* a limit: references */
	memset(&cfg, 0, sizeof(cfg));
	bs_limits_default(&cfg.limits);
	cfg.limits.references = 1;
	assert_int_equal(bs_engine_new(&small, &cfg, err), 0);
	bs_buf_init(&out, 1 << 22);
	assert_int_equal(bs_clean(&c, small, multipart, strlen(multipart), &o),
	                 0);
	assert_int_equal(bs_clean_write(c, to_buf, &out), 0);
	assert_string_equal(bs_clean_skipped(c), "limit:references");
	assert_skipped(multipart, &out, "limit:references");
	bs_clean_free(&c);
	bs_buf_release(&out);
	bs_engine_free(&small);

	/* the allocation-free fallback */
	bs_buf_init(&out, 1 << 22);
	assert_int_equal(bs_clean_write_skipped(to_buf, &out, multipart,
	                                        strlen(multipart),
	                                        "out-of-memory"),
	                 0);
	assert_skipped(multipart, &out, "out-of-memory");
	bs_buf_release(&out);
	bs_buf_release(&m);
}

/*
 * Fail the Nth allocation for every N: bs_clean either cleans exactly as
 * without failures, or says skipped (out-of-memory) with the input
 * unchanged, or returns BS_ENOMEM before anything exists (then the
 * fallback writes the skipped form). Never a crash or a leak (ASan).
 */
static void alloc_failures(void **state)
{
	struct bs_clean_options o;
	struct bs_clean *c;
	struct bs_buf want, out;
	unsigned long n;
	size_t skipped = 0, cleaned = 0;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.banner = true;
	c = clean(multipart, &o, &want);
	bs_clean_free(&c);
	for (n = 1; n < 100000; n++) {
		int rc, failed;
		c = NULL;
		bs_buf_init(&out, 1 << 22);
		bs_alloc_fail_at(n, 0);
		rc = bs_clean(&c, engine, multipart, strlen(multipart), &o);
		failed = bs_alloc_failed();
		bs_alloc_fail_at(0, 0);
		if (rc == BS_ENOMEM) {
			assert_null(c);
			assert_int_equal(
			    bs_clean_write_skipped(to_buf, &out, multipart,
			                           strlen(multipart),
			                           "out-of-memory"),
			    0);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(bs_clean_write(c, to_buf, &out), 0);
		}
		if (rc == BS_ENOMEM || bs_clean_skipped(c)) {
			/* out of memory, or a module that reads a failed
			 * allocation as its limit (limit:html-dom) */
			skipped++;
			assert_skipped(multipart, &out,
			               rc ? "out-of-memory"
			                  : bs_clean_skipped(c));
		} else {
			cleaned++;
			assert_int_equal(out.len, want.len);
			assert_memory_equal(out.data, want.data, want.len);
		}
		bs_clean_free(&c);
		bs_buf_release(&out);
		if (!failed)
			break; /* past the last allocation */
	}
	assert_true(skipped > 10);
	printf("FIGURE clean alloc-failure walk: %lu allocations failed one "
	       "by one, %zu skipped, %zu cleaned as usual\n",
	       n - 1, skipped, cleaned - 1);
	bs_buf_release(&want);
}

static void seven_bit(void **state)
{
	/* a 7bit part with a line near 998: the proxied URL makes it
	 * longer, so the part becomes quoted-printable */
	struct bs_clean_options o;
	struct bs_clean *c;
	struct bs_buf m, out;
	size_t i;

	(void)state;
	bs_buf_init(&m, 1 << 16);
	bs_buf_puts(&m, "From: a@shop.example\nSubject: x\n"
	                "Content-Type: text/html; charset=us-ascii\n"
	                "Content-Transfer-Encoding: 7bit\n\n<p>");
	for (i = 0; i < 900; i++)
		bs_buf_putc(&m, 'w');
	bs_buf_puts(&m, "<img src=\"https://cdn.shop.example/a.png\" "
	                "width=300 height=100 alt=\"caf\xc3\xa9\"></p>\n");
	memset(&o, 0, sizeof(o));
	o.policy = BS_POLICY_PROXY;
	o.proxy_template = "https://imgproxy.example/p?u={url}";
	c = clean(m.data, &o, &out);
	assert_null(bs_clean_skipped(c));
	assert_non_null(strstr(out.data, "Content-Transfer-Encoding: "
	                                 "quoted-printable\n\n<p>"));
	check_lines(out.data, out.len, 76);
	assert_idempotent(&out, &o);
	bs_clean_free(&c);
	bs_buf_release(&out);
	bs_buf_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(patch_sort),
	    cmocka_unit_test(patch_overlap),
	    cmocka_unit_test(qp),
	    cmocka_unit_test(base64),
	    cmocka_unit_test(charsets),
	    cmocka_unit_test(escapes),
	    cmocka_unit_test(links),
	    cmocka_unit_test(visible),
	    cmocka_unit_test(splice),
	    cmocka_unit_test(policies),
	    cmocka_unit_test(link_policy),
	    cmocka_unit_test(banner),
	    cmocka_unit_test(skip_path),
	    cmocka_unit_test(alloc_failures),
	    cmocka_unit_test(seven_bit),
	    cmocka_unit_test(css_rules),
	    cmocka_unit_test(repeated_attribute),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
