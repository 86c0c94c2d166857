/* Signature lists: the bundled data/trackers against vendor endpoint shapes,
 * and the Adblock syntax subset on small lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "detect/signature.h"
#include "util/alloc.h"

static const char *trackers_path;

static void bundled_list(void **state)
{
	static const struct {
		const char *url;
		const char *vendor; /* NULL: must not match */
		enum sig_kind kind;
	} cases[] = {
	    {"https://civicweekly.us21.list-manage.com/track/"
	     "open.php?u=4f&id=7&e=d4",
	     "Mailchimp", SIG_OPEN},
	    {"https://civicweekly.us21.list-manage.com/track/click?u=4f",
	     "Mailchimp", SIG_CLICK},
	    {"https://u4821.ct.sendgrid.net/wf/open?upn=u001.abc", "SendGrid",
	     SIG_OPEN},
	    {"https://links.shop.example/wf/open?upn=u001.abc", "SendGrid",
	     SIG_OPEN},
	    {"https://x.r.eu-west-1.awstrack.me/I0/0102019a-8d1b-000000/"
	     "Kx9=383",
	     "Amazon SES", SIG_OPEN},
	    {"https://links-2.gov.example/CI0/"
	     "0101019b35cf5d12-dfb0ef39-085a-47cb-b43b-81881506a82a-000000/"
	     "QXF2g=436",
	     "Amazon SES", SIG_OPEN},
	    {"https://click.e.shop.example/"
	     "open.aspx?ffcb10-fe8e15767161027b70-fe5c1375&d=1",
	     "Salesforce Marketing Cloud", SIG_OPEN},
	    {"https://email.shop.example/o/eJyEzUGO6yAMANDTwLKyMRhYsIjUv",
	     "Mailgun", SIG_OPEN},
	    {"https://trk.shop.example/o/01KEH8KBSQ1Q37TVN215VJYGK7", "Klaviyo",
	     SIG_OPEN},
	    {"https://ab.r.a.d.sendibm1.com/mk/op/sh/6rqJ8Gsg/INSX", "Brevo",
	     SIG_OPEN},
	    {"https://ab.img.a.d.sendibm1.com/im/sh/M26q.png?u=1vcq", "Brevo",
	     SIG_IMAGE},
	    {"https://elevator.cmail20.com/t/t-o-vnihtk-jktruklihi/o.gif",
	     "Campaign Monitor", SIG_OPEN},
	    {"https://ci3.googleusercontent.com/meips/ADKq_NZ#https://x",
	     "Google image proxy", SIG_PROXY},
	    {"https://www.facebook.com/email_open_log_pic.php?mid=5999",
	     "Facebook", SIG_OPEN},
	    {"https://www.linkedin.com/emimp/ip_TVRn.gif", "LinkedIn",
	     SIG_OPEN},
	    /* content, and look-alikes that must not match */
	    {"https://mcusercontent.com/4f2a9b/images/masthead.png", NULL,
	     SIG_OPEN},
	    {"https://static.example/wf/openhouse.png", NULL, SIG_OPEN},
	    {"https://example.com/o/eye.png", NULL, SIG_OPEN},
	    {"https://notlist-manage.com.evil.example/track/open.php", NULL,
	     SIG_OPEN},
	    {"https://trk.shop.example/o/01KEH8KBSQ1Q37TVN215VJYGK", NULL,
	     SIG_OPEN},
	};
	struct sig_set *s = NULL;
	struct bs_buf err;
	struct sig_match m;
	size_t i;
	(void)state;

	bs_buf_init(&err, 1 << 16);
	assert_int_equal(sig_set_new(&s), 0);
	assert_int_equal(sig_set_load_file(s, trackers_path, &err), 0);
	if (err.len)
		fprintf(stderr, "%s", err.data);
	assert_int_equal(err.len, 0);
	assert_true(sig_set_count(s) > 100);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = sig_set_match(s, cases[i].url, strlen(cases[i].url),
		                         ~0u, &m);
		if (cases[i].vendor == NULL) {
			if (got)
				fail_msg("%s matched %s (%s)", cases[i].url,
				         m.vendor, m.pattern);
			continue;
		}
		if (!got)
			fail_msg("%s: no match", cases[i].url);
		assert_string_equal(m.vendor, cases[i].vendor);
		assert_int_equal(m.kind, cases[i].kind);
	}
	sig_set_free(&s);
	assert_null(s);
	bs_buf_release(&err);
}

static void adblock_syntax(void **state)
{
	static const char list[] = "[Adblock Plus 2.0]\n"
	                           "! a comment\n"
	                           "||pixel.example^\n"
	                           "|https://start.example/p|\n"
	                           "/beacon/*.gif$image,third-party\n"
	                           "/jsonly.example/$script\n"
	                           "||site.example/x$domain=news.example\n"
	                           "example.org##.ad\n"
	                           "@@||pixel.example/allowed^\n"
	                           "/\\/v\\d+\\/imp\\?/\n";
	static const struct {
		const char *url;
		bool match;
		enum sig_kind kind;
	} cases[] = {
	    {"https://pixel.example/t.gif", true, SIG_OPEN},
	    {"https://a.b.pixel.example:8080/t.gif", true, SIG_OPEN},
	    {"https://notpixel.example/t.gif", false, SIG_OPEN},
	    {"https://pixel.examples.com/t.gif", false, SIG_OPEN},
	    {"https://pixel.example/allowed/x", false, SIG_ALLOW},
	    {"https://start.example/p", true, SIG_OPEN},
	    {"https://start.example/p2", false, SIG_OPEN},
	    {"https://cdn.example/beacon/a/b.gif", true, SIG_OPEN},
	    {"https://jsonly.example/", false, SIG_OPEN},
	    {"https://site.example/x", false, SIG_OPEN},
	    {"https://ads.example/v12/imp?x=1", true, SIG_OPEN},
	    {"https://ads.example/vx/imp?x=1", false, SIG_OPEN},
	};
	struct sig_set *s = NULL;
	struct sig_match m;
	size_t i;
	(void)state;

	assert_int_equal(sig_set_new(&s), 0);
	assert_int_equal(
	    sig_set_load_buffer(s, "easy.txt", list, sizeof(list) - 1, NULL),
	    0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = sig_set_match(s, cases[i].url, strlen(cases[i].url),
		                         ~0u, &m);
		if (got != cases[i].match)
			fail_msg("%s: got %d want %d", cases[i].url, got,
			         cases[i].match);
		if (got)
			assert_string_equal(m.vendor, "easy.txt");
		if (!got && cases[i].kind == SIG_ALLOW)
			assert_int_equal(m.kind, SIG_ALLOW);
	}
	sig_set_free(&s);
}

static void bad_lines_reported(void **state)
{
	static const char list[] =
	    "[Vendor\nopen /(unclosed/\nopen ||ok.example^\n";
	struct sig_set *s = NULL;
	struct bs_buf err;
	(void)state;

	bs_buf_init(&err, 4096);
	assert_int_equal(sig_set_new(&s), 0);
	assert_int_equal(
	    sig_set_load_buffer(s, "l", list, sizeof(list) - 1, &err), 0);
	assert_non_null(strstr(err.data, "l:1: bad section"));
	assert_non_null(strstr(err.data, "l:2: bad regular expression"));
	assert_int_equal(sig_set_count(s), 1);
	sig_set_free(&s);
	bs_buf_release(&err);
	assert_int_equal(sig_set_new(&s), 0);
	assert_int_equal(sig_set_load_buffer(s, "l", "#x\n[V]\n", 7, NULL), 0);
	assert_int_equal(sig_set_load_buffer(s, "l", "open /(x/\n", 10, NULL),
	                 BS_EPARSE);
	assert_int_equal(sig_set_load_file(s, "/nonexistent/x", NULL), BS_EIO);
	sig_set_free(&s);
}

static void linear_on_hostile_url(void **state)
{
	static const char list[] = "/a*a*a*a*a*a*b/*\n";
	struct sig_set *s = NULL;
	char *u;
	size_t n = 64 * 1024, i;
	(void)state;

	u = bs_malloc(n + 1);
	assert_non_null(u);
	for (i = 0; i < n; i++)
		u[i] = 'a';
	u[n] = '\0';
	assert_int_equal(sig_set_new(&s), 0);
	assert_int_equal(
	    sig_set_load_buffer(s, "l", list, sizeof(list) - 1, NULL), 0);
	assert_false(sig_set_match(s, u, n, ~0u, NULL));
	sig_set_free(&s);
	bs_free(u);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bundled_list),
	    cmocka_unit_test(adblock_syntax),
	    cmocka_unit_test(bad_lines_reported),
	    cmocka_unit_test(linear_on_hostile_url),
	};
	trackers_path = argc > 1 ? argv[1] : "data/trackers";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
