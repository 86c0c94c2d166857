/* Unit tests of src/lib/mime/message.c and its decoders: documents, spans,
 * offset maps, charsets, header decoding, broken MIME and limits. Every
 * message here is hand-written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <pthread.h>

#include "bugsweep/limits.h"
#include "bugsweep/problems.h"
#include "mime/mime.h"
#include "util/alloc.h"

struct parsed {
	struct mime_message *m;
	struct bs_problems pb;
};

static void parse_lim(struct parsed *p, const char *s, size_t n,
                      const struct bs_limits *lim)
{
	bs_problems_init(&p->pb);
	assert_int_equal(mime_message_parse(&p->m, s, n, lim, &p->pb), 0);
	assert_non_null(p->m);
}

static void parse(struct parsed *p, const char *s)
{
	parse_lim(p, s, strlen(s), NULL);
}

static void done(struct parsed *p)
{
	mime_message_free(&p->m);
	assert_null(p->m);
}

/* The nth document of a kind (1-based, as info->index). */
static const struct mime_doc *doc_of(const struct mime_message *m,
                                     enum mime_doc_kind kind, unsigned idx)
{
	size_t i;

	for (i = 0; i < mime_message_doc_count(m); i++) {
		const struct mime_doc *d = mime_message_doc(m, i);

		if (mime_doc_info(d)->kind == kind &&
		    mime_doc_info(d)->index == idx)
			return d;
	}
	return NULL;
}

static const struct mime_doc_info *html(const struct parsed *p, unsigned idx)
{
	const struct mime_doc *d = doc_of(p->m, MIME_DOC_HTML, idx);

	assert_non_null(d);
	return mime_doc_info(d);
}

static size_t count_kind(const struct mime_message *m, enum mime_doc_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < mime_message_doc_count(m); i++)
		if (mime_doc_info(mime_message_doc(m, i))->kind == k)
			n++;
	return n;
}

static bool text_is(const struct mime_doc_info *d, const char *want)
{
	if (d->text_len != strlen(want) ||
	    memcmp(d->text, want, d->text_len) != 0) {
		print_error("text: got [%.*s]\n want [%s]\n", (int)d->text_len,
		            d->text, want);
		return false;
	}
	return true;
}

static size_t find(const char *h, size_t hn, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= hn; i++)
		if (memcmp(h + i, needle, n) == 0)
			return i;
	fail_msg("[%s] not found", needle);
	return 0;
}

/* Offset in the raw message of decoded substring sub. */
static size_t raw_of(const struct mime_doc *d, const char *sub)
{
	const struct mime_doc_info *in = mime_doc_info(d);

	return mime_doc_raw_offset(d, find(in->text, in->text_len, sub));
}

/* ---- documents ---- */

static const char qp_msg[] =
    "From: a@example.org\n"
    "Content-Type: text/html; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "<p>Hi</p><img src=3D\"https://track.example.net/o/abc=\n"
    "def?u=3Dme%40example.org\" width=3D\"1\">  \n"
    "caf=C3=A9 =\n"
    "end\n";

static void qp_soft_break_in_url(void **state)
{
	struct parsed p;
	const struct mime_doc *d;
	const struct mime_doc_info *in;
	const char *raw;
	size_t r;
	(void)state;

	parse(&p, qp_msg);
	raw = mime_message_raw(p.m, NULL);
	in = html(&p, 1);
	assert_true(text_is(in, "<p>Hi</p><img src=\"https://track.example.net/"
	                        "o/abcdef?u=me%40example.org\" width=\"1\">  \n"
	                        "caf\xC3\xA9 end\n"));
	assert_int_equal(in->cte, MIME_CTE_QP);
	assert_string_equal(in->path, "1");
	assert_string_equal(in->charset_used, "utf-8");
	assert_true(in->spliceable);
	/* The body is everything after the blank line. */
	assert_int_equal(in->body.off, strstr(qp_msg, "<p>Hi") - qp_msg);
	assert_int_equal(in->body.len, strlen(qp_msg) - in->body.off);
	d = doc_of(p.m, MIME_DOC_HTML, 1);
	/* Exact: plain text, after a soft break, and escapes map to '='. */
	r = raw_of(d, "https://");
	assert_memory_equal(raw + r, "https://", 8);
	r = raw_of(d, "def?u");
	assert_memory_equal(raw + r, "def?u", 5);
	r = raw_of(d, "=me");
	assert_memory_equal(raw + r, "=3Dme", 5);
	r = raw_of(d, "\xC3\xA9");
	assert_memory_equal(raw + r, "=C3=A9", 6);
	r = raw_of(d, "end");
	assert_memory_equal(raw + r, "end", 3);
	assert_int_equal(mime_doc_raw_offset(d, in->text_len),
	                 in->body.off + in->body.len);
	done(&p);
}

static int b64val(char c)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0"
	                "123456789+/";
	const char *q = strchr(a, c);

	return q && c ? (int)(q - a) : -1;
}

/* Encode s in base64 with lines of width chars (a multiple of 4). */
static char *b64(const char *s, size_t n, size_t width)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
	                        "stuvwxyz0123456789+/";
	char *out = malloc(n * 2 + 16), *o = out;
	size_t i, col = 0;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		*o++ = a[v >> 18];
		*o++ = a[(v >> 12) & 63];
		*o++ = i + 1 < n ? a[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? a[v & 63] : '=';
		col += 4;
		if (col >= width) {
			*o++ = '\n';
			col = 0;
		}
	}
	if (col)
		*o++ = '\n';
	*o = '\0';
	return out;
}

/* The raw offset of a base64 text position is the start of its group:
 * decoding the group there gives the byte at off % 3. */
static void check_b64_offset(const struct parsed *p, const struct mime_doc *d,
                             size_t off)
{
	const struct mime_doc_info *in = mime_doc_info(d);
	const char *raw = mime_message_raw(p->m, NULL);
	size_t r = mime_doc_raw_offset(d, off), k;
	unsigned long v = 0;
	unsigned char g[3];

	for (k = 0; k < 4; k++) {
		assert_true(b64val(raw[r + k]) >= 0 || raw[r + k] == '=');
		v = v << 6 |
		    (unsigned)(raw[r + k] == '=' ? 0 : b64val(raw[r + k]));
	}
	g[0] = (unsigned char)(v >> 16);
	g[1] = (unsigned char)(v >> 8);
	g[2] = (unsigned char)v;
	assert_int_equal(g[off % 3], (unsigned char)in->text[off]);
}

static void base64_html(void **state)
{
	static const char html_src[] =
	    "<html><body><p>Hello</p><img src=\"http://t.example/p.gif?"
	    "id=12345\" width=\"1\" height=\"1\"></body></html>\n";
	size_t widths[] = {76, 20, 4, 1000};
	size_t w, off;
	char msg[4096];
	(void)state;

	for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		struct parsed p;
		const struct mime_doc *d;
		char *enc = b64(html_src, strlen(html_src), widths[w]);

		snprintf(msg, sizeof(msg),
		         "Subject: b64\r\n"
		         "Content-Type: multipart/alternative; boundary=b\r\n"
		         "\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
		         "--b\r\nContent-Type: text/html; charset=us-ascii\r\n"
		         "Content-Transfer-Encoding: BASE64\r\n\r\n%s"
		         "--b--\r\n",
		         enc);
		free(enc);
		parse(&p, msg);
		assert_true(text_is(html(&p, 1), html_src));
		assert_string_equal(html(&p, 1)->path, "2");
		assert_int_equal(html(&p, 1)->cte, MIME_CTE_BASE64);
		assert_string_equal(html(&p, 1)->cte_name, "base64");
		d = doc_of(p.m, MIME_DOC_HTML, 1);
		for (off = 0; off < strlen(html_src); off++)
			check_b64_offset(&p, d, off);
		assert_int_equal(p.pb.count, 0);
		done(&p);
	}
}

struct cs_case {
	const char *name;
	const char *ctype;   /* Content-Type value */
	const char *body;    /* raw body (binary transfer) */
	size_t body_len;     /* 0: strlen */
	const char *want;    /* decoded text */
	const char *used;    /* charset_used */
	const char *problem; /* expected problem or NULL */
	const char *probe;   /* a substring of want ... */
	size_t probe_raw;    /* ... whose raw offset in the body is this */
};

static const struct cs_case cs_cases[] = {
    {"windows-1252", "text/html; charset=windows-1252",
     "<p>caf\xE9 \x80 \x93q\x94</p>", 0,
     "<p>caf\xC3\xA9 \xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D</p>",
     "windows-1252", NULL, "q\xE2\x80\x9D", 11},
    {"iso-8859-1 is read as windows-1252 (WHATWG)",
     "text/html; charset=\"ISO-8859-1\"", "a\x80z\xFF", 0,
     "a\xE2\x82\xAC"
     "z\xC3\xBF",
     "windows-1252", NULL, "z", 2},
    {"iso-8859-2 through iconv", "text/plain; charset=iso-8859-2", "\xB1\xE6x",
     0, "\xC4\x85\xC4\x87x", "iso-8859-2", NULL, "x", 2},
    {"utf-16 with BOM", "text/html; charset=utf-16", "\xFF\xFE<\0p\0>\0\xE9\0",
     10, "<p>\xC3\xA9", NULL, NULL, NULL, 0},
    {"utf-16le without BOM", "text/html; charset=UTF-16LE", "<\0b\0>\0", 6,
     "<b>", "utf-16le", NULL, NULL, 0},
    {"BOM beats a wrong label", "text/html; charset=iso-8859-1",
     "\xFE\xFF\0<\0i\0>", 8, "<i>", "utf-16be", NULL, NULL, 0},
    {"unknown charset, valid UTF-8", "text/html; charset=x-fake-9",
     "caf\xC3\xA9", 0, "caf\xC3\xA9", "utf-8", "mime:unknown-charset", NULL, 0},
    {"unknown charset, not UTF-8", "text/html; charset=\"UTF-\"", "caf\xE9", 0,
     "caf\xC3\xA9", "windows-1252", "mime:unknown-charset", NULL, 0},
    {"no charset, UTF-8", "text/html", "\xE2\x82\xAC", 0, "\xE2\x82\xAC",
     "utf-8", NULL, NULL, 0},
    {"no charset, meta charset", "text/html",
     "<meta charset=\"iso-8859-2\"><p>\xB1</p>", 0,
     "<meta charset=\"iso-8859-2\"><p>\xC4\x85</p>", "iso-8859-2", NULL, "</p>",
     31},
    {"no charset, meta http-equiv", "text/html",
     "<META HTTP-EQUIV=Content-Type CONTENT=\"text/html; "
     "charset=windows-1251\">\xC4",
     0,
     "<META HTTP-EQUIV=Content-Type CONTENT=\"text/html; "
     "charset=windows-1251\">\xD0\x94",
     "windows-1251", NULL, NULL, 0},
    {"no charset, neither", "text/html", "caf\xE9", 0, "caf\xC3\xA9",
     "windows-1252", NULL, NULL, 0},
    {"us-ascii label on UTF-8 text", "text/html; charset=us-ascii",
     "caf\xC3\xA9", 0, "caf\xC3\xA9", "utf-8", NULL, NULL, 0},
    {"invalid UTF-8 gets U+FFFD", "text/html; charset=utf-8",
     "a\xC3(b\xF0\x9F\x98z", 0, "a\xEF\xBF\xBD(b\xEF\xBF\xBDz", "utf-8",
     "mime:bad-charset-data", "z", 7},
    {"charset param without ';'", "text/html charset=windows-1252", "\xE9", 0,
     "\xC3\xA9", "windows-1252", "mime:bad-content-type", NULL, 0},
};

static void charsets(void **state)
{
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cs_cases) / sizeof(cs_cases[0]); i++) {
		const struct cs_case *c = &cs_cases[i];
		size_t blen = c->body_len ? c->body_len : strlen(c->body);
		char msg[1024];
		int hl;
		struct parsed p;
		const struct mime_doc *d;
		const struct mime_doc_info *in;

		hl = snprintf(msg, sizeof(msg),
		              "Content-Type: %s\nContent-Transfer-Encoding: "
		              "binary\n\n",
		              c->ctype);
		memcpy(msg + hl, c->body, blen);
		parse_lim(&p, msg, (size_t)hl + blen, NULL);
		assert_int_equal(mime_message_doc_count(p.m), 1);
		d = mime_message_doc(p.m, 0);
		in = mime_doc_info(d);
		if (!text_is(in, c->want))
			fail_msg("case %s", c->name);
		if (c->used && strcmp(in->charset_used, c->used) != 0)
			fail_msg("case %s: used %s", c->name, in->charset_used);
		if (c->problem &&
		    !bs_problems_has(&p.pb, "mime", c->problem + 5))
			fail_msg("case %s: no %s", c->name, c->problem);
		if (c->problem == NULL && p.pb.count != 0)
			fail_msg("case %s: problem %s", c->name, p.pb.item[0]);
		if (c->probe &&
		    mime_doc_raw_offset(
		        d, find(in->text, in->text_len, c->probe)) !=
		        (size_t)hl + c->probe_raw)
			fail_msg(
			    "case %s: raw offset %zu, want %zu", c->name,
			    mime_doc_raw_offset(
			        d, find(in->text, in->text_len, c->probe)) -
			        (size_t)hl,
			    c->probe_raw);
		done(&p);
	}
}

static const char nested_msg[] =
    "From: Fwd <fwd@example.org>\n"
    "Subject: Fwd: news\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n"
    "\n"
    "preamble\n"
    "--outer\n"
    "Content-Type: text/plain\n"
    "\n"
    "see below\n"
    "--outer\n"
    "Content-Type: message/rfc822\n"
    "Content-Disposition: attachment\n"
    "\n"
    "From: News <news@example.com>\n"
    "Subject: news\n"
    "Content-Type: multipart/alternative; boundary=\"=_Part_1\"\n"
    "\n"
    "--=_Part_1\n"
    "Content-Type: text/plain\n"
    "\n"
    "plain news\n"
    "--=_Part_10\n"
    "not a boundary of anything\n"
    "--=_Part_1\n"
    "Content-Type: text/html\n"
    "\n"
    "<img src=\"http://n.example/o.gif\">\n"
    "--=_Part_1--\n"
    "--outer\n"
    "Content-Type: text/html; name=\"=?utf-8?Q?r=C3=A9sum=C3=A9.html?=\"\n"
    "Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.html\n"
    "\n"
    "<p>attached</p>\n"
    "--outer--\n"
    "epilogue\n";

static void nested_rfc822_and_attachment(void **state)
{
	struct parsed p;
	const struct mime_doc_info *a, *b, *pl;
	(void)state;

	parse(&p, nested_msg);
	assert_int_equal(count_kind(p.m, MIME_DOC_HTML), 2);
	assert_int_equal(count_kind(p.m, MIME_DOC_PLAIN), 2);
	a = html(&p, 1);
	assert_true(text_is(a, "<img src=\"http://n.example/o.gif\">"));
	assert_string_equal(a->path, "2.2");
	assert_int_equal(a->rfc822_depth, 1);
	assert_int_equal(a->depth, 3);
	assert_null(a->disposition);
	b = html(&p, 2);
	assert_true(text_is(b, "<p>attached</p>"));
	assert_string_equal(b->path, "3");
	assert_string_equal(b->disposition, "attachment");
	assert_string_equal(b->filename, "r\xC3\xA9sum\xC3\xA9.html");
	assert_int_equal(b->rfc822_depth, 0);
	pl = mime_doc_info(doc_of(p.m, MIME_DOC_PLAIN, 2));
	/* "--=_Part_10" is not "--=_Part_1": no prefix matching. */
	assert_true(text_is(pl, "plain news\n--=_Part_10\n"
	                        "not a boundary of anything"));
	assert_string_equal(pl->path, "2.1");
	assert_int_equal(p.pb.count, 0);
	done(&p);
}

struct broken_case {
	const char *name;
	const char *msg;
	unsigned html;       /* HTML documents expected */
	const char *text1;   /* text of HTML document 1 */
	const char *problem; /* expected, "kind:what" */
};

static const struct broken_case broken_cases[] = {
    {"missing end boundary",
     "Content-Type: multipart/alternative; boundary=zz\n\n--zz\n"
     "Content-Type: text/html\n\n<p>x</p>\n",
     1, "<p>x</p>\n", "mime:missing-end-boundary"},
    {"inner part unterminated, outer closes",
     "Content-Type: multipart/mixed; boundary=o\n\n--o\n"
     "Content-Type: multipart/alternative; boundary=i\n\n--i\n"
     "Content-Type: text/html\n\n<p>in</p>\n--o\n"
     "Content-Type: text/html\n\n<p>out</p>\n--o--\n",
     2, "<p>in</p>", "mime:missing-end-boundary"},
    {"boundary never found",
     "Content-Type: multipart/mixed; boundary=nothere\n\n--other\n"
     "Content-Type: text/html\n\n<p>x</p>\n",
     0, NULL, "mime:boundary-not-found"},
    {"multipart without boundary",
     "Content-Type: multipart/mixed\n\n<p>x</p>\n", 0, NULL,
     "mime:multipart-without-boundary"},
    {"unterminated quoted boundary",
     "Content-Type: multipart/mixed;boundary=\"--=_x\n\n"
     "----=_x\nContent-Type: text/html\n\n<b>q</b>\n----=_x--\n",
     1, "<b>q</b>", NULL},
    {"delimiters without the leading dashes",
     "Content-Type: multipart/alternative; boundary=\"----=_N\"\n\n"
     "----=_N\nContent-Type: text/html\n\n<b>d</b>\n----=_N--\n",
     1, "<b>d</b>", "mime:fallback-boundary"},
    {"unindented continuation carries the boundary",
     "Content-Type: multipart/alternative; differences=Content-Type;\n"
     "boundary=\"u-1\"\n\n--u-1\nContent-Type: text/html\n\n<i>u</i>\n"
     "--u-1--\n",
     1, "<i>u</i>", "mime:unindented-continuation"},
    {"garbage line in the header block is skipped",
     "From: a@b\nthis is garbage\nContent-Type: text/html\n\n<p>g</p>", 1,
     "<p>g</p>", "mime:bad-header-line"},
    {"headers end at a boundary: part without body",
     "Content-Type: multipart/mixed; boundary=k\n\n--k\n"
     "Content-Type: text/html\n--k\nContent-Type: text/html\n\n"
     "<p>2</p>\n--k--\n",
     2, "", NULL},
    {"no blank line after the headers", "Subject: x\nContent-Type: text/html",
     1, "", "mime:no-body-separator"},
    {"unknown transfer encoding is 8bit",
     "Content-Type: text/html\nContent-Transfer-Encoding: 8bit+\n\n"
     "<p>=41</p>",
     1, "<p>=41</p>", "mime:unknown-transfer-encoding"},
    {"invalid quoted-printable keeps the '='",
     "Content-Type: text/html\nContent-Transfer-Encoding: quoted-printable"
     "\n\na=ZZb=4",
     1, "a=ZZb=4", "mime:bad-qp"},
    {"bad base64 characters are skipped",
     "Content-Type: text/html\nContent-Transfer-Encoding: base64\n\n"
     "PGI+!!eDwv\nYj4=\n",
     1, "<b>x</b>", "mime:bad-base64"},
    {"base64 without padding",
     "Content-Type: text/html\nContent-Transfer-Encoding: base64\n\n"
     "PGI+eDwvYj4\n",
     1, "<b>x</b>", NULL},
    {"two base64 blocks glued",
     "Content-Type: text/html\nContent-Transfer-Encoding: base64\n\n"
     "PGI+eA==PC9iPg==\n",
     1, "<b>x</b>", NULL},
    {"mbox From_ line on top",
     "From someone@example.org Thu Jan  1 00:00:00 2024\n"
     "Content-Type: text/html\n\n<p>f</p>",
     1, "<p>f</p>", NULL},
    {"second Content-Type names the boundary",
     "Content-Type: multipart/related; boundary=bar\n"
     "Content-Type: multipart/alternative; boundary=\"foo\"\n\n"
     "--foo\nContent-Type: text/html\n\n<p>2ct</p>\n--foo--\n",
     1, "<p>2ct</p>", "mime:fallback-boundary"},
    {"empty message", "", 0, NULL, NULL},
    {"8-bit boundary matches its raw bytes",
     "Content-Type: multipart/mixed; boundary=\"caf\xE9\"\n\n--caf\xE9\n"
     "Content-Type: text/html\n\n<p>8</p>\n--caf\xE9--\n",
     1, "<p>8</p>", "mime:8bit-header"},
    {"decoy parameter, blanks around '='",
     "Content-Type: multipart/mixed; x-boundary=no; boundary = yes\n\n"
     "--yes\nContent-Type: text/html\n\n<p>y</p>\n--yes--\n",
     1, "<p>y</p>", NULL},
    {"RFC 2231 boundary",
     "Content-Type: multipart/mixed; boundary*0=\"ab\"; boundary*1=cd\n\n"
     "--abcd\nContent-Type: text/html\n\n<p>c</p>\n--abcd--\n",
     1, "<p>c</p>", NULL},
    {"close delimiter with junk after its dashes",
     "Content-Type: multipart/mixed; boundary=j\n\n--j\n"
     "Content-Type: text/html\n\n<p>j</p>\n--j-->\nepilogue <img>\n",
     1, "<p>j</p>", NULL},
    {"truncated inside a multipart",
     "Content-Type: multipart/mixed; boundary=t\n\n--t\n"
     "Content-Type: text/html\n\n<p>cut",
     1, "<p>cut", "mime:truncated"},
    {"multipart/digest parts default to message/rfc822",
     "Content-Type: multipart/digest; boundary=d\n\n--d\n\n"
     "Subject: inner\nContent-Type: text/html\n\n<p>dig</p>\n--d--\n",
     1, "<p>dig</p>", NULL},
    {"QP message/rfc822 is walked decoded",
     "Content-Type: multipart/mixed; boundary=m\n\n--m\n"
     "Content-Type: message/rfc822\n"
     "Content-Transfer-Encoding: quoted-printable\n\n"
     "Content-Type: text/html\n\n<a href=3D\"x\">q</a>\n--m--\n",
     1, "<a href=\"x\">q</a>", NULL},
};

static void broken_mime(void **state)
{
	size_t i;
	char kind[16];
	const char *what;
	(void)state;

	for (i = 0; i < sizeof(broken_cases) / sizeof(broken_cases[0]); i++) {
		const struct broken_case *c = &broken_cases[i];
		struct parsed p;

		parse(&p, c->msg);
		if (count_kind(p.m, MIME_DOC_HTML) != c->html)
			fail_msg("case %s: %zu html documents", c->name,
			         count_kind(p.m, MIME_DOC_HTML));
		if (c->text1 && !text_is(html(&p, 1), c->text1))
			fail_msg("case %s", c->name);
		if (c->problem) {
			what = strchr(c->problem, ':');
			snprintf(kind, sizeof(kind), "%.*s",
			         (int)(what - c->problem), c->problem);
			if (!bs_problems_has(&p.pb, kind, what + 1))
				fail_msg("case %s: no %s", c->name, c->problem);
		}
		done(&p);
	}
}

/* Input that is no whole message is named (scan then says so on stderr),
 * and a whole one is not. */
static void not_whole(void **state)
{
	static const struct {
		const char *name, *msg,
		    *want; /* want NULL: none of the three */
	} cases[] = {
	    {"zero bytes", "", "empty"},
	    {"blank lines", "\r\n\r\n \n", "empty"},
	    {"mbox From line alone",
	     "From a@b.example Mon Jan  1 00:00:00 2024\n", "empty"},
	    {"binary", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "no-header"},
	    {"prose", "Dear reader,\nthis is not mail.\n", "no-header"},
	    {"cut in a header line", "From: a@b.example\nSubject: cut he",
	     "truncated"},
	    {"cut before the close delimiter",
	     "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	     "Content-Type: text/html\n\n<p>x</p>\n",
	     "truncated"},
	    {"header only, whole", "From: a@b.example\nSubject: s\n", NULL},
	    {"a message", "From: a@b.example\n\nHello\n", NULL},
	    {"no final newline in the body", "From: a@b.example\n\nHello",
	     NULL},
	};
	static const char *const codes[] = {"empty", "no-header", "truncated"};
	size_t i, k;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parsed p;

		/* the binary one holds NUL bytes: 16 in all */
		parse_lim(&p, cases[i].msg,
		          cases[i].msg[0] == '\x89' ? 16 : strlen(cases[i].msg),
		          NULL);
		for (k = 0; k < 3; k++) {
			bool want = cases[i].want &&
			            strcmp(cases[i].want, codes[k]) == 0;
			if (bs_problems_has(&p.pb, "mime", codes[k]) != want)
				fail_msg("%s: mime:%s %s", cases[i].name,
				         codes[k],
				         want ? "missing" : "unwanted");
		}
		done(&p);
	}
}

/* A base64 message/rfc822: the documents inside live in decoded bytes,
 * so they are not spliceable; offsets still lead into the raw part. */
static void encoded_rfc822(void **state)
{
	static const char inner[] =
	    "Subject: inner\r\nContent-Type: text/html\r\n\r\n"
	    "<p>inner <img src=\"http://x.example/i.gif\"></p>\r\n";
	char msg[2048], *enc = b64(inner, strlen(inner), 76);
	const struct mime_doc_info *in;
	const struct mime_doc *d;
	struct parsed p;
	size_t r, off;
	(void)state;

	snprintf(msg, sizeof(msg),
	         "Content-Type: multipart/mixed; boundary=e\n\n--e\n"
	         "Content-Type: message/rfc822\n"
	         "Content-Transfer-Encoding: base64\n\n%s--e--\n",
	         enc);
	free(enc);
	parse(&p, msg);
	in = html(&p, 1);
	assert_true(text_is(in, "<p>inner <img src=\"http://x.example/i.gif\">"
	                        "</p>\r\n"));
	assert_false(in->spliceable);
	assert_string_equal(in->path, "1.1");
	assert_int_equal(in->rfc822_depth, 1);
	/* The spans are those of the encoded part. */
	assert_int_equal(in->body.off, strstr(msg, "U3Vi") - msg);
	d = doc_of(p.m, MIME_DOC_HTML, 1);
	off = find(in->text, in->text_len, "http");
	r = mime_doc_raw_offset(d, off);
	assert_true(r >= in->body.off && r < in->body.off + in->body.len);
	done(&p);
}

/* ---- headers ---- */

static const char hdr_msg[] =
    "From mbox@example.org Mon Jan  1 00:00:00 2024\n"
    "Received: from mx.example.org\n"
    "\tby mx2.example.org; Mon, 1 Jan 2024 00:00:00 +0000\n"
    "Message-ID: <abc.123@example.org>\n"
    "Date: Tue, 2 Jan 2024 10:11:12 +0100\n"
    "From: =?utf-8?Q?Andr=C3=A9?= Dupont <andre@example.org>\n"
    "To: \"Doe, Jane\" <jane@example.com>, bob@example.com,\n"
    "  team: carol@example.com, dave@example.com;\n"
    "Cc: =?iso-8859-1?B?Suly9G1l?= <j@example.net>\n"
    "To: second@example.com\n"
    "Subject: =?utf-8?B?Q2Fmw6k=?= au =?utf-8?Q?lait_?=\n"
    " chaud\n"
    "Delivered-To: rcpt@example.com\n"
    "Delivered-To: older@example.com\n"
    "X-Original-To: <orig@example.com>\n"
    "Disposition-Notification-To: andre@example.org\n"
    "X-Confirm-Reading-To: andre@example.org\n"
    "X-Latin: caf\xE9\n"
    "X-Utf8: caf\xC3\xA9\n"
    "Content-Type: text/plain\n"
    "\n"
    "body\n";

static void report_headers(void **state)
{
	const struct mime_info *in;
	struct parsed p;
	(void)state;

	parse(&p, hdr_msg);
	in = mime_message_info(p.m);
	assert_string_equal(in->message_id, "abc.123@example.org");
	assert_string_equal(in->date, "2024-01-02T10:11:12+01:00");
	assert_string_equal(in->date_raw, "Tue, 2 Jan 2024 10:11:12 +0100");
	assert_string_equal(in->subject, "Caf\xC3\xA9 au lait  chaud");
	assert_non_null(in->from);
	assert_string_equal(in->from->name, "Andr\xC3\xA9 Dupont");
	assert_string_equal(in->from->addr, "andre@example.org");
	assert_int_equal(in->n_to, 5);
	assert_string_equal(in->to[0].name, "Doe, Jane");
	assert_string_equal(in->to[0].addr, "jane@example.com");
	assert_string_equal(in->to[1].name, "");
	assert_string_equal(in->to[1].addr, "bob@example.com");
	assert_string_equal(in->to[2].addr, "carol@example.com");
	assert_string_equal(in->to[3].addr, "dave@example.com");
	assert_string_equal(in->to[4].addr, "second@example.com");
	assert_int_equal(in->n_cc, 1);
	assert_string_equal(in->cc[0].name, "J\xC3\xA9r\xC3\xB4me");
	assert_string_equal(in->delivered_to, "rcpt@example.com");
	assert_string_equal(in->x_original_to, "orig@example.com");
	assert_int_equal(in->receipt, MIME_RECEIPT_DISPOSITION_NOTIFICATION_TO |
	                                  MIME_RECEIPT_X_CONFIRM_READING_TO);
	assert_string_equal(
	    mime_receipt_header_name(MIME_RECEIPT_READ_RECEIPT_TO),
	    "Read-Receipt-To");
	assert_null(mime_receipt_header_name(3));
	assert_string_equal(mime_message_header(p.m, "x-latin", 0),
	                    "caf\xC3\xA9");
	assert_string_equal(mime_message_header(p.m, "X-UTF8", 0),
	                    "caf\xC3\xA9");
	assert_string_equal(mime_message_header(p.m, "delivered-to", 1),
	                    "older@example.com");
	assert_null(mime_message_header(p.m, "delivered-to", 2));
	assert_null(mime_message_header(p.m, "x-absent", 0));
	assert_string_equal(mime_message_header(p.m, "received", 0),
	                    "from mx.example.org by mx2.example.org; Mon, 1 "
	                    "Jan 2024 00:00:00 +0000");
	assert_true(bs_problems_has(&p.pb, "mime", "8bit-header"));
	/* The From_ line is no field; 16 fields follow it. */
	assert_int_equal(mime_message_header_count(p.m), 16);
	done(&p);
}

struct subj_case {
	const char *raw;
	const char *want;
	const char *problem;
};

static const struct subj_case subj_cases[] = {
    {"=?utf-8?q?caf=C3=A9?=", "caf\xC3\xA9", NULL},
    {"=?UTF-8?B?w6ljb2xl?=",
     "\xC3\xA9"
     "cole",
     NULL},
    {"=?utf-8?q?a?= =?utf-8?q?b?=", "ab", NULL},
    {"x=?utf-8?q?glued?=y", "xgluedy", NULL},
    {"=?utf-8?B?8J+Y?= =?utf-8?B?gA==?=", "\xF0\x9F\x98\x80", NULL},
    {"=?UTF-8?Q?broken", "=?UTF-8?Q?broken", "bad-encoded-word"},
    {"=?unknown-8bit?q?caf=E9?=", "caf\xC3\xA9", NULL},
    {"plain \xE9t\xE9", "plain \xC3\xA9t\xC3\xA9", "8bit-header"},
    {"line=?utf-8?q?=0Abreak?=", "line break", NULL},
    {"  padded  ", "padded", NULL},
};

static void rfc2047_subjects(void **state)
{
	size_t i;
	char msg[512];
	(void)state;

	for (i = 0; i < sizeof(subj_cases) / sizeof(subj_cases[0]); i++) {
		struct parsed p;

		snprintf(msg, sizeof(msg), "Subject: %s\n\nx\n",
		         subj_cases[i].raw);
		parse(&p, msg);
		if (strcmp(mime_message_info(p.m)->subject,
		           subj_cases[i].want) != 0)
			fail_msg("subject [%s]: got [%s] want [%s]",
			         subj_cases[i].raw,
			         mime_message_info(p.m)->subject,
			         subj_cases[i].want);
		if (subj_cases[i].problem &&
		    !bs_problems_has(&p.pb, "mime", subj_cases[i].problem))
			fail_msg("subject [%s]: no problem %s",
			         subj_cases[i].raw, subj_cases[i].problem);
		done(&p);
	}
}

static const struct {
	const char *raw;
	const char *want; /* NULL: unparsable */
} date_cases[] = {
    {"Mon, 2 Jan 2006 15:04:05 -0700", "2006-01-02T15:04:05-07:00"},
    {"2 Jan 2006 15:04 GMT", "2006-01-02T15:04:00+00:00"},
    {"Mon, 02 Jan 06 15:04:05 EST", "2006-01-02T15:04:05-05:00"},
    {"Sat, 4 Aug 2018 05:32:27 +0000 (UTC)", "2018-08-04T05:32:27+00:00"},
    {"Monday, 2-Jan-2006 15:04:05 +0530", "2006-01-02T15:04:05+05:30"},
    {"Wed Mar  3 08:09:10 2021", "2021-03-03T08:09:10+00:00"},
    {"3 Mar 99 8:9:10 Z", "1999-03-03T08:09:10+00:00"},
    {"Thu,\n 01 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00+00:00"},
    {"2021-03-04T05:06:07Z", "2021-03-04T05:06:07+00:00"},
    {"garbage", NULL},
    {"", NULL},
    {"Tue, 31 Feb 2021 10:00:00 +0000", NULL},
    {"Sun, 5 Jun 2022 25:61:00 +0000", NULL},
};

static void dates(void **state)
{
	size_t i;
	char msg[256];
	(void)state;

	for (i = 0; i < sizeof(date_cases) / sizeof(date_cases[0]); i++) {
		struct parsed p;
		const char *got;

		snprintf(msg, sizeof(msg), "Date: %s\n\nx\n",
		         date_cases[i].raw);
		parse(&p, msg);
		got = mime_message_info(p.m)->date;
		if (date_cases[i].want == NULL
		        ? got != NULL
		        : (got == NULL || strcmp(got, date_cases[i].want)))
			fail_msg("date [%s]: got %s want %s", date_cases[i].raw,
			         got ? got : "NULL",
			         date_cases[i].want ? date_cases[i].want
			                            : "NULL");
		if (got == NULL)
			assert_true(bs_problems_has(&p.pb, "mime", "bad-date"));
		done(&p);
	}
}

/* Remove each top-level field by its span and parse again: everything
 * else is byte for byte where it was. */
static void header_spans(void **state)
{
	struct parsed p, q;
	size_t i, j, n, len;
	const char *raw;
	char *cut;
	(void)state;

	parse(&p, hdr_msg);
	raw = mime_message_raw(p.m, &len);
	n = mime_message_header_count(p.m);
	{
		/* Folded field: value keeps its folding; field its EOL. */
		const struct mime_header *h = mime_message_header_at(p.m, 7);

		assert_memory_equal(raw + h->name.off, "Subject", 7);
		assert_int_equal(h->name.len, 7);
		assert_memory_equal(
		    raw + h->value.off,
		    " =?utf-8?B?Q2Fmw6k=?= au =?utf-8?Q?lait_?=\n"
		    " chaud",
		    h->value.len);
		assert_int_equal(raw[h->field.off + h->field.len - 1], '\n');
		assert_memory_equal(raw + h->field.off + h->field.len,
		                    "Delivered-To", 12);
	}
	assert_int_equal(mime_message_header_block(p.m).off,
	                 strchr(hdr_msg, '\n') + 1 - hdr_msg);
	assert_int_equal(mime_message_header_block(p.m).off +
	                     mime_message_header_block(p.m).len,
	                 strstr(hdr_msg, "\n\nbody") + 2 - hdr_msg);
	for (i = 0; i < n; i++) {
		const struct mime_header *h = mime_message_header_at(p.m, i);

		cut = malloc(len);
		memcpy(cut, raw, h->field.off);
		memcpy(cut + h->field.off, raw + h->field.off + h->field.len,
		       len - h->field.off - h->field.len);
		parse_lim(&q, cut, len - h->field.len, NULL);
		assert_int_equal(mime_message_header_count(q.m), n - 1);
		/* The body is untouched: same documents, same bytes. */
		assert_int_equal(mime_message_doc_count(q.m),
		                 mime_message_doc_count(p.m));
		assert_memory_equal(
		    mime_doc_info(mime_message_doc(q.m, 0))->text,
		    mime_doc_info(mime_message_doc(p.m, 0))->text,
		    mime_doc_info(mime_message_doc(p.m, 0))->text_len);
		assert_memory_equal(cut + h->field.off,
		                    raw + h->field.off + h->field.len,
		                    len - h->field.off - h->field.len);
		for (j = 0; j < n - 1; j++) {
			const struct mime_header *a =
			    mime_message_header_at(p.m, j < i ? j : j + 1);
			const struct mime_header *b =
			    mime_message_header_at(q.m, j);

			assert_int_equal(a->field.len, b->field.len);
			assert_memory_equal(raw + a->field.off,
			                    cut + b->field.off, a->field.len);
		}
		done(&q);
		free(cut);
	}
	/* And adding one at the top shifts everything by its length. */
	{
		static const char add[] = "X-Bugsweep: cleaned\n";
		size_t al = strlen(add), skip;

		skip = mime_message_header_block(p.m).off;
		cut = malloc(len + al);
		memcpy(cut, raw, skip);
		memcpy(cut + skip, add, al);
		memcpy(cut + skip + al, raw + skip, len - skip);
		parse_lim(&q, cut, len + al, NULL);
		assert_int_equal(mime_message_header_count(q.m), n + 1);
		assert_string_equal(mime_message_header(q.m, "x-bugsweep", 0),
		                    "cleaned");
		assert_string_equal(mime_message_info(q.m)->subject,
		                    mime_message_info(p.m)->subject);
		done(&q);
		free(cut);
	}
	done(&p);
}

/* Body and header spans of parts, and their Content-Transfer-Encoding. */
static void part_spans(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/alternative; boundary=\"s\"\r\n"
	    "\r\n"
	    "--s\r\n"
	    "Content-Type: text/html\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "<p>one</p>\r\n"
	    "\r\n"
	    "--s\r\n"
	    "Content-Type: text/html\r\n"
	    "\r\n"
	    "\r\n"
	    "--s--\r\n";
	const struct mime_doc_info *a, *b;
	struct parsed p;
	(void)state;

	parse(&p, m);
	a = html(&p, 1);
	b = html(&p, 2);
	/* The CRLF before a delimiter belongs to the delimiter. */
	assert_memory_equal(m + a->body.off, "<p>one</p>\r\n", a->body.len);
	assert_int_equal(a->body.len, 12);
	assert_memory_equal(m + a->header.off, "Content-Type: text/html\r\n",
	                    25);
	assert_int_equal(a->header.off + a->header.len + 2, a->body.off);
	assert_memory_equal(m + a->cte_field.off,
	                    "Content-Transfer-Encoding: quoted-printable\r\n",
	                    a->cte_field.len);
	assert_int_equal(b->body.len, 0);
	assert_int_equal(b->cte_field.len, 0);
	assert_int_equal(b->text_len, 0);
	done(&p);
}

/* ---- limits ---- */

static void depth_and_parts_limits(void **state)
{
	struct bs_limits lim;
	struct parsed p;
	char *msg;
	size_t i, n = 0;
	(void)state;

	msg = malloc(64 * 1024);
	for (i = 0; i < 40; i++)
		n += (size_t)sprintf(msg + n, /* checksrc: allow */
		                     "Content-Type: multipart/mixed; "
		                     "boundary=b%zu\n\n--b%zu\n",
		                     i, i);
	n += (size_t)sprintf(msg + n, /* checksrc: allow */
	                     "Content-Type: text/html\n\n<p>deep</p>\n");
	bs_limits_default(&lim);
	parse_lim(&p, msg, n, &lim);
	assert_true(bs_problems_has(&p.pb, "limit", "mime-depth"));
	assert_int_equal(count_kind(p.m, MIME_DOC_HTML), 0);
	done(&p);
	lim.mime_depth = 64;
	parse_lim(&p, msg, n, &lim);
	assert_false(bs_problems_has(&p.pb, "limit", "mime-depth"));
	assert_int_equal(count_kind(p.m, MIME_DOC_HTML), 1);
	assert_int_equal(html(&p, 1)->depth, 40);
	done(&p);

	/* message/rfc822 counts on the same depth. */
	n = 0;
	for (i = 0; i < 40; i++)
		n += (size_t)sprintf(msg + n, /* checksrc: allow */
		                     "Content-Type: message/rfc822\n\n");
	n += (size_t)sprintf(msg + n, /* checksrc: allow */
	                     "Content-Type: text/html\n\n<p>deep</p>\n");
	bs_limits_default(&lim);
	parse_lim(&p, msg, n, &lim);
	assert_true(bs_problems_has(&p.pb, "limit", "mime-depth"));
	assert_int_equal(count_kind(p.m, MIME_DOC_HTML), 0);
	done(&p);

	n = (size_t)sprintf(msg, /* checksrc: allow */
	                    "Content-Type: multipart/mixed; boundary=a\n\n");
	for (i = 0; i < 20; i++)
		n += (size_t)sprintf(
		    msg + n, /* checksrc: allow */
		    "--a\nContent-Type: text/html\n\n<p>%zu</p>\n", i);
	lim.mime_parts = 6; /* the multipart and 5 parts */
	parse_lim(&p, msg, n, &lim);
	assert_true(bs_problems_has(&p.pb, "limit", "mime-parts"));
	assert_int_equal(count_kind(p.m, MIME_DOC_HTML), 5);
	done(&p);

	bs_limits_default(&lim);
	lim.html_bytes = 10;
	parse_lim(&p,
	          "Content-Type: text/html; charset=windows-1252\n\n"
	          "<p>\xE9\xE9\xE9\xE9\xE9\xE9\xE9</p>",
	          strlen("Content-Type: text/html; charset=windows-1252\n\n"
	                 "<p>\xE9\xE9\xE9\xE9\xE9\xE9\xE9</p>"),
	          &lim);
	assert_true(html(&p, 1)->truncated);
	assert_true(text_is(html(&p, 1), "<p>\xC3\xA9\xC3\xA9\xC3\xA9"));
	assert_true(bs_problems_has(&p.pb, "limit", "html-bytes"));
	done(&p);

	lim.headers = 3;
	parse_lim(&p, "A: 1\nB: 2\nC: 3\nD: 4\n\nx", 22, &lim);
	assert_int_equal(mime_message_header_count(p.m), 3);
	assert_true(bs_problems_has(&p.pb, "limit", "headers"));
	done(&p);
	free(msg);
}

/* Under valgrind (meson test --setup valgrind sets BUGSWEEP_VALGRIND)
 * hostile sizes shrink 20 times: memcheck is 20 to 50 times slower, and
 * finds the same bugs on smaller input (still past every limit here). */
static size_t vg_scaled(size_t n)
{
	return getenv("BUGSWEEP_VALGRIND") ? n / 20 : n;
}

/* What made GMime's own tree use gigabytes stays small and linear here. */
static void hostile_is_linear(void **state)
{
	const size_t n = vg_scaled(2000000);
	struct parsed p;
	char *msg = malloc(n * 5 + 64);
	size_t i, len;
	clock_t t0;
	double secs;
	(void)state;

	if (msg == NULL) {
		fail();
		return;
	}
	len = (size_t)sprintf(msg, /* checksrc: allow */
	                      "Content-Type: multipart/mixed; boundary=a\n\n");
	for (i = 0; i < n; i++) {
		memcpy(msg + len, "--a\n\n", 5);
		len += 5;
	}
	t0 = clock();
	parse_lim(&p, msg, len, NULL);
	assert_true(bs_problems_has(&p.pb, "limit", "mime-parts"));
	done(&p);
	/* Millions of header lines. */
	len = 0;
	for (i = 0; i < n; i++) {
		memcpy(msg + len, "a:b\n", 4);
		len += 4;
	}
	parse_lim(&p, msg, len, NULL);
	assert_int_equal(mime_message_header_count(p.m), 10000);
	done(&p);
	/* One 10 MB line of '=' signs in QP. */
	len = (size_t)sprintf(msg, /* checksrc: allow */
	                      "Content-Type: text/html\nContent-Transfer-"
	                      "Encoding: quoted-printable\n\n");
	memset(msg + len, '=', n * 5 - len);
	parse_lim(&p, msg, n * 5, NULL);
	/* The last '=' is a soft line break at the end. */
	assert_int_equal(html(&p, 1)->text_len, n * 5 - len - 1);
	for (i = 0; i < 1000; i++)
		mime_doc_raw_offset(doc_of(p.m, MIME_DOC_HTML, 1),
		                    (i * 7919) % (n * 5 - len));
	done(&p);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	print_message("hostile inputs: %.2f s\n", secs);
	assert_true(secs < 30);
	free(msg);
}

/* Messages parsed concurrently come out as they do alone (GMime's iconv
 * cache and decoders are shared between threads). */
struct thread_job {
	const char *msgs[4];
	size_t lens[4];
	char *want[4];
	int bad;
};

static char *fingerprint(const char *msg, size_t len)
{
	struct mime_message *m;
	struct bs_problems pb;
	char *out;
	size_t i, n = 0, cap = 1;

	bs_problems_init(&pb);
	if (mime_message_parse(&m, msg, len, NULL, &pb) != 0)
		return NULL;
	for (i = 0; i < mime_message_doc_count(m); i++)
		cap += mime_doc_info(mime_message_doc(m, i))->text_len + 64;
	cap += 256;
	out = malloc(cap);
	n += (size_t)snprintf(out, cap, "%s|",
	                      mime_message_info(m)->subject
	                          ? mime_message_info(m)->subject
	                          : "-");
	for (i = 0; i < mime_message_doc_count(m); i++) {
		const struct mime_doc_info *d =
		    mime_doc_info(mime_message_doc(m, i));

		n += (size_t)snprintf(out + n, cap - n, "%s:%s:", d->path,
		                      d->charset_used);
		memcpy(out + n, d->text, d->text_len);
		n += d->text_len;
		out[n] = '\0';
	}
	mime_message_free(&m);
	return out;
}

static void *thread_main(void *arg)
{
	struct thread_job *j = arg;
	size_t r, k;
	char *got;

	for (r = 0; r < 200; r++)
		for (k = 0; k < 4; k++) {
			got = fingerprint(j->msgs[k], j->lens[k]);
			if (got == NULL || strcmp(got, j->want[k]) != 0)
				j->bad++;
			free(got);
		}
	return NULL;
}

static void threads(void **state)
{
	static const char latin2[] =
	    "Subject: =?iso-8859-2?q?=B1=E6?=\nContent-Type: text/html; "
	    "charset=iso-8859-2\n\n<p>\xB1\xE6</p>";
	struct thread_job j = {
	    {qp_msg, nested_msg, hdr_msg, latin2}, {0, 0, 0, 0}, {NULL}, 0};
	pthread_t t[4];
	size_t k;
	(void)state;

	for (k = 0; k < 4; k++) {
		j.lens[k] = strlen(j.msgs[k]);
		j.want[k] = fingerprint(j.msgs[k], j.lens[k]);
		assert_non_null(j.want[k]);
	}
	for (k = 0; k < 4; k++)
		assert_int_equal(pthread_create(&t[k], NULL, thread_main, &j),
		                 0);
	for (k = 0; k < 4; k++)
		pthread_join(t[k], NULL);
	assert_int_equal(j.bad, 0);
	for (k = 0; k < 4; k++)
		free(j.want[k]);
}

/* ---- random mutations: the invariants hold on any input ---- */

static unsigned long rng_state = 88172645463325252UL;

static unsigned long rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void check_invariants(const struct mime_message *m)
{
	const char *raw;
	size_t len, i, k, r, last, prev_end = 0;
	struct mime_span blk = mime_message_header_block(m);

	raw = mime_message_raw(m, &len);
	assert_true(blk.off + blk.len <= len);
	for (i = 0; i < mime_message_header_count(m); i++) {
		const struct mime_header *h = mime_message_header_at(m, i);

		assert_true(h->field.off >= prev_end);
		assert_true(h->field.off + h->field.len <= blk.off + blk.len);
		assert_int_equal(h->name.off, h->field.off);
		assert_true(h->value.off + h->value.len <=
		            h->field.off + h->field.len);
		prev_end = h->field.off + h->field.len;
	}
	for (i = 0; i < mime_message_doc_count(m); i++) {
		const struct mime_doc *d = mime_message_doc(m, i);
		const struct mime_doc_info *in = mime_doc_info(d);
		size_t step = in->text_len / 64 + 1;

		assert_true(in->body.off + in->body.len <= len);
		assert_true(in->header.off + in->header.len <= in->body.off);
		assert_true(in->text_len <= 32u << 20);
		last = 0;
		for (k = 0; k <= in->text_len; k += step) {
			r = mime_doc_raw_offset(d, k);
			assert_true(r >= last);
			assert_true(r >= in->body.off &&
			            r <= in->body.off + in->body.len);
			if (in->text >= raw && in->text < raw + len &&
			    k < in->text_len)
				assert_int_equal(r,
				                 (size_t)(in->text - raw) + k);
			last = r;
		}
	}
}

static void mutations(void **state)
{
	static const char b64_msg[] =
	    "Content-Type: multipart/mixed; boundary=\"=_P\"\r\n\r\n"
	    "--=_P\r\nContent-Type: text/html; charset=iso-8859-2\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "PHA+sebnPC9wPjxpbWcgc3JjPSJodHRwOi8veC5leGFtcGxlL3AuZ2lmIj4=\r\n"
	    "--=_P\r\nContent-Type: message/rfc822\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "Content-Type: text/html; charset=utf-16\r\n\r\n=FF=FE<=00p=00>=00"
	    "\r\n--=_P--\r\n";
	const char *seeds[] = {qp_msg, nested_msg, hdr_msg, b64_msg};
	static const char interesting[] = "-\n\r=:; \"\t>\x80\xC3\xFF\0";
	char *buf = malloc(1 << 16);
	size_t it, len, a, b, n;
	struct parsed p;
	/* BS_MIME_MUTATIONS=N[:seed] runs longer soaks by hand. */
	const char *env = getenv("BS_MIME_MUTATIONS");
	size_t rounds = env ? strtoul(env, NULL, 10) : vg_scaled(20000);
	(void)state;

	if (env && strchr(env, ':'))
		rng_state = strtoul(strchr(env, ':') + 1, NULL, 10) | 1;
	for (it = 0; it < rounds; it++) {
		const char *seed = seeds[it % 4];

		len = strlen(seed);
		memcpy(buf, seed, len);
		for (n = 1 + rng() % 4; n > 0; n--) {
			a = rng() % (len + 1);
			b = a + rng() % 40;
			if (b > len)
				b = len;
			switch (rng() % 5) {
			case 0: /* a byte from the interesting set */
				if (a < len)
					buf[a] = interesting
					    [rng() % (sizeof(interesting) - 1)];
				break;
			case 1: /* delete a range */
				memmove(buf + a, buf + b, len - b);
				len -= b - a;
				break;
			case 2: /* duplicate a range (boundaries, headers) */
				if (len + (b - a) < (1 << 16) - 1) {
					memmove(buf + b + (b - a), buf + b,
					        len - b);
					len += b - a;
				}
				break;
			case 3: /* truncate */
				len = a;
				break;
			default: /* any byte */
				if (a < len)
					buf[a] = (char)rng();
				break;
			}
		}
		parse_lim(&p, buf, len, NULL);
		check_invariants(p.m);
		done(&p);
	}
	free(buf);
}

/* Every allocation that can fail does so cleanly (run under LSan). */
static void allocation_failures(void **state)
{
	struct bs_problems pb;
	struct mime_message *m;
	unsigned long n;
	int rc;
	(void)state;

	for (n = 1; n < 400; n++) {
		bs_problems_init(&pb);
		bs_alloc_fail_at(n, 1);
		rc = mime_message_parse(&m, nested_msg, strlen(nested_msg),
		                        NULL, &pb);
		bs_alloc_fail_at(0, 0);
		if (rc == 0) {
			assert_int_equal(mime_message_doc_count(m), 4);
			mime_message_free(&m);
			break;
		}
		assert_int_equal(rc, BS_ENOMEM);
		assert_null(m);
	}
	assert_true(n > 5 && n < 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(qp_soft_break_in_url),
	    cmocka_unit_test(base64_html),
	    cmocka_unit_test(charsets),
	    cmocka_unit_test(nested_rfc822_and_attachment),
	    cmocka_unit_test(broken_mime),
	    cmocka_unit_test(not_whole),
	    cmocka_unit_test(encoded_rfc822),
	    cmocka_unit_test(report_headers),
	    cmocka_unit_test(rfc2047_subjects),
	    cmocka_unit_test(dates),
	    cmocka_unit_test(header_spans),
	    cmocka_unit_test(part_spans),
	    cmocka_unit_test(depth_and_parts_limits),
	    cmocka_unit_test(hostile_is_linear),
	    cmocka_unit_test(mutations),
	    cmocka_unit_test(threads),
	    cmocka_unit_test(allocation_failures),
	};
	int rc;

	assert_int_equal(mime_global_init(), 0);
	rc = cmocka_run_group_tests_name("mime", tests, NULL, NULL);
	mime_global_shutdown();
	return rc;
}
