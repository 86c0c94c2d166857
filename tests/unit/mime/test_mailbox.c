/* Unit tests of src/lib/mime/mailbox.c: mbox splitting and unescaping,
 * Maildir and directory walking order, limits, stdin. Files are written
 * to a fresh temporary directory that is removed at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "bugsweep/limits.h"
#include "mime/mailbox.h"
#include "mime/mime.h"

static char tmpdir[64];

static char *path_of(const char *rel)
{
	static char buf[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, rel);
	return buf[k];
}

static void write_file(const char *rel, const char *s, size_t n)
{
	FILE *f = fopen(path_of(rel), "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, n, f), n);
	fclose(f);
}

static void mkdir_rel(const char *rel)
{
	assert_int_equal(mkdir(path_of(rel), 0700), 0);
}

/* Read everything a reader hands out. */
struct got {
	size_t n;
	struct mime_input *in[64];
};

static void read_all(struct got *g, const char *path,
                     const struct bs_limits *lim)
{
	struct mime_reader *r;
	struct mime_input *in;

	memset(g, 0, sizeof(*g));
	assert_int_equal(mime_reader_open(&r, path, lim), 0);
	for (;;) {
		assert_int_equal(mime_reader_next(r, &in), 0);
		if (in == NULL)
			break;
		assert_true(g->n < 64);
		g->in[g->n++] = in;
	}
	mime_reader_free(&r);
	assert_null(r);
}

static void free_all(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		mime_input_free(&g->in[i]);
		assert_null(g->in[i]);
	}
}

static bool bytes_are(const struct mime_input *in, const char *want)
{
	if (in->bytes == NULL || in->len != strlen(want) ||
	    memcmp(in->bytes, want, in->len) != 0) {
		print_error("got [%.*s]\nwant [%s]\n", (int)in->len,
		            in->bytes ? in->bytes : "", want);
		return false;
	}
	return true;
}

static const char mbox[] = "From alice@example.org Mon Jan  1 00:00:00 2024\n"
                           "Subject: one\n"
                           "Content-Length: 5\n"
                           "\n"
                           "body one\n"
                           "From here on, no split: no blank line before.\n"
                           ">From the escaped line\n"
                           ">>From twice escaped\n"
                           "\n"
                           "From bob@example.org Mon Jan  1 00:00:01 2024\n"
                           "Subject: two\n"
                           "\n"
                           "two\n"
                           "\n"
                           "\n"
                           "From carol@example.org Mon Jan  1 00:00:02 2024\n"
                           "Subject: three\n"
                           "\n"
                           "three\n";

static void mbox_split(void **state)
{
	struct got g;
	char src[600];
	(void)state;

	write_file("box", mbox, strlen(mbox));
	read_all(&g, path_of("box"), NULL);
	assert_int_equal(g.n, 3);
	/* Content-Length lies (5): the message runs to the next From_. */
	assert_true(bytes_are(g.in[0], "Subject: one\n"
	                               "Content-Length: 5\n"
	                               "\n"
	                               "body one\n"
	                               "From here on, no split: no blank line "
	                               "before.\n"
	                               "From the escaped line\n"
	                               ">From twice escaped\n"));
	assert_true(bytes_are(g.in[1], "Subject: two\n\ntwo\n\n"));
	assert_true(bytes_are(g.in[2], "Subject: three\n\nthree\n"));
	assert_int_equal(g.in[0]->offset, 0);
	assert_int_equal(g.in[1]->offset, strstr(mbox, "From bob") - mbox);
	assert_int_equal(g.in[2]->offset, strstr(mbox, "From carol") - mbox);
	assert_true(g.in[1]->in_mbox);
	snprintf(src, sizeof(src), "%s:%llu", path_of("box"),
	         (unsigned long long)(strstr(mbox, "From bob") - mbox));
	assert_string_equal(g.in[1]->source, src);
	assert_string_equal(g.in[1]->path, path_of("box"));
	free_all(&g);

	/* CRLF mbox. */
	write_file("crlf",
	           "From a\r\nSubject: 1\r\n\r\nx\r\n\r\nFrom b\r\n"
	           "Subject: 2\r\n\r\ny\r\n",
	           strlen("From a\r\nSubject: 1\r\n\r\nx\r\n\r\nFrom b\r\n"
	                  "Subject: 2\r\n\r\ny\r\n"));
	read_all(&g, path_of("crlf"), NULL);
	assert_int_equal(g.n, 2);
	assert_true(bytes_are(g.in[0], "Subject: 1\r\n\r\nx\r\n"));
	assert_true(bytes_are(g.in[1], "Subject: 2\r\n\r\ny\r\n"));
	free_all(&g);

	/* One message in mbox form: its source is just the path. */
	write_file("one", "From x\nSubject: s\n\nb\n",
	           strlen("From x\nSubject: s\n\nb\n"));
	read_all(&g, path_of("one"), NULL);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.in[0]->source, path_of("one"));
	assert_true(bytes_are(g.in[0], "Subject: s\n\nb\n"));
	free_all(&g);
}

/* Lines longer than the read buffer, and a message past the cap. */
static void mbox_long_lines_and_cap(void **state)
{
	const size_t big = 300 * 1024;
	struct bs_limits lim;
	struct got g;
	char *s = malloc(3 * big), *p = s;
	(void)state;

	p += sprintf(p, "From a\nSubject: long\n\n"); /* checksrc: allow */
	memset(p, 'x', big);
	p += big;
	p += sprintf(p, "\n\nFrom b\nSubject: big\n\n"); /* checksrc: allow */
	memset(p, 'y', big);
	p += big;
	p += sprintf(p, /* checksrc: allow */
	             "\n\nFrom c\nSubject: small\n\nz\n\n");
	write_file("long", s, (size_t)(p - s));
	read_all(&g, path_of("long"), NULL);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.in[0]->len, strlen("Subject: long\n\n") + big + 1);
	assert_int_equal(g.in[2]->len, strlen("Subject: small\n\nz\n"));
	free_all(&g);

	bs_limits_default(&lim);
	lim.message_bytes = 100 * 1024;
	read_all(&g, path_of("long"), &lim);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.in[0]->status, BS_ELIMIT);
	assert_null(g.in[0]->bytes);
	assert_string_equal(g.in[0]->problem, "limit:message-bytes");
	assert_int_equal(g.in[1]->status, BS_ELIMIT);
	assert_int_equal(g.in[2]->status, 0);
	assert_true(bytes_are(g.in[2], "Subject: small\n\nz\n"));
	free_all(&g);

	/* A single message past the cap is not read at all. */
	write_file("single", s + 7, (size_t)(p - s) - 7);
	read_all(&g, path_of("single"), &lim);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.in[0]->status, BS_ELIMIT);
	assert_int_equal(g.in[0]->len, (size_t)(p - s) - 7);
	free_all(&g);
	free(s);
}

static void maildir_walk(void **state)
{
	static const char *const want[] = {
	    "a-file",
	    "md/cur/1700000000.M1.host:2,S",
	    "md/cur/1700000001.M2.host:2,",
	    "md/new/1700000002.M3.host",
	    "sub/deeper/x",
	    "z-mbox:0",
	    "z-mbox:20",
	};
	struct got g;
	size_t i;
	char name[600];
	(void)state;

	mkdir_rel("tree");
	mkdir_rel("tree/md");
	mkdir_rel("tree/md/cur");
	mkdir_rel("tree/md/new");
	mkdir_rel("tree/md/tmp");
	mkdir_rel("tree/sub");
	mkdir_rel("tree/sub/deeper");
	mkdir_rel("tree/.hidden");
	write_file("tree/md/cur/1700000001.M2.host:2,", "S: 2\n\n", 6);
	write_file("tree/md/cur/1700000000.M1.host:2,S", "S: 1\n\n", 6);
	write_file("tree/md/new/1700000002.M3.host", "S: 3\n\n", 6);
	write_file("tree/md/tmp/1700000003.M4.host", "S: 4\n\n", 6);
	write_file("tree/.hidden/x", "S: h\n\n", 6);
	write_file("tree/.dotfile", "S: d\n\n", 6);
	write_file("tree/sub/deeper/x", "S: x\n\n", 6);
	write_file("tree/a-file", "S: a\n\n", 6);
	write_file("tree/z-mbox", "From a\nS: m1\n\nbody\n\nFrom b\nS: m2\n\n",
	           strlen("From a\nS: m1\n\nbody\n\nFrom b\nS: m2\n\n"));
	assert_int_equal(symlink(path_of("tree/sub"), path_of("tree/sub/loop")),
	                 0);
	read_all(&g, path_of("tree"), NULL);
	assert_int_equal(g.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < g.n; i++) {
		snprintf(name, sizeof(name), "%s/%s", path_of("tree"), want[i]);
		assert_string_equal(g.in[i]->source, name);
		assert_int_equal(g.in[i]->status, 0);
	}
	free_all(&g);

	/* Directory depth limit. */
	{
		struct bs_limits lim;

		bs_limits_default(&lim);
		lim.mailbox_depth = 2;
		read_all(&g, path_of("tree"), &lim);
		for (i = 0; i < g.n; i++)
			if (g.in[i]->status == BS_ELIMIT)
				break;
		assert_true(i < g.n);
		assert_string_equal(g.in[i]->problem, "limit:mailbox-depth");
		free_all(&g);
	}
}

static void errors_and_stdin(void **state)
{
	struct mime_reader *r;
	struct got g;
	FILE *f;
	(void)state;

	assert_int_equal(mime_reader_open(&r, path_of("does-not-exist"), NULL),
	                 BS_EIO);
	assert_null(r);

	write_file("stdin-mbox", "From a\n\nA\n\nFrom b\n\nB\n",
	           strlen("From a\n\nA\n\nFrom b\n\nB\n"));
	f = freopen(path_of("stdin-mbox"), "r", stdin);
	assert_non_null(f);
	read_all(&g, "-", NULL);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.in[0]->source, "-:0");
	assert_true(bytes_are(g.in[0], "\nA\n"));
	assert_true(bytes_are(g.in[1], "\nB\n"));
	free_all(&g);

	write_file("stdin-msg", "Subject: s\n\nx\n", 14);
	f = freopen(path_of("stdin-msg"), "r", stdin);
	assert_non_null(f);
	read_all(&g, "-", NULL);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.in[0]->source, "-");
	assert_true(bytes_are(g.in[0], "Subject: s\n\nx\n"));
	free_all(&g);

	write_file("empty", "", 0);
	read_all(&g, path_of("empty"), NULL);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.in[0]->len, 0);
	free_all(&g);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bs-mailbox-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mbox_split),
	    cmocka_unit_test(mbox_long_lines_and_cap),
	    cmocka_unit_test(maildir_walk),
	    cmocka_unit_test(errors_and_stdin),
	};

	return cmocka_run_group_tests_name("mailbox", tests, setup, teardown);
}
