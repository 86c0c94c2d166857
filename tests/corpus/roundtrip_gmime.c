/*
 * roundtrip_gmime - GMime's full parser as an oracle for clean (usage:
 * roundtrip_gmime SHARED EXAMPLES_DIR [OUTDIR]). Every message of
 * SHARED/corpus/raw and of examples/Maildir is cleaned (policy trackers);
 * original and cleaned message are parsed by GMime into a full MIME tree,
 * and must agree on the number of parts, each part's content type in
 * tree order, and the parser warnings GMime reports (GMimeParserWarning,
 * counted per kind: the cleaned message may have no kind more often than
 * the original). With OUTDIR, the cleaned messages are also written there
 * (NNNNN.orig / NNNNN.clean) for roundtrip_email.py.
 *
 * Prints a FIGURE line; exit 1 on any disagreement.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "bugsweep/bugsweep.h"
#include "mime/mime.h"
#include "util/buf.h"

#include "testutil.h"

#define NWARN 32

static char **files;
static size_t nfiles;

static int to_buf(void *ctx, const char *p, size_t n)
{
	return bs_buf_append(ctx, p, n);
}

struct shape {
	unsigned warn[NWARN];
	GString *types;
	unsigned parts;
};

static void on_warning(gint64 offset, GMimeParserWarning w, const gchar *item,
                       gpointer data)
{
	struct shape *s = data;

	(void)offset;
	(void)item;
	if ((unsigned)w < NWARN)
		s->warn[w]++;
}

static void each_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct shape *s = data;
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	char *t = ct ? g_mime_content_type_get_mime_type(ct) : NULL;

	(void)parent;
	s->parts++;
	g_string_append(s->types, t ? t : "?");
	g_string_append_c(s->types, ' ');
	g_free(t);
}

static bool shape_of(const char *msg, size_t len, struct shape *s)
{
	GMimeParserOptions *po = g_mime_parser_options_new();
	GMimeStream *st;
	GMimeParser *p;
	GMimeMessage *m;

	memset(s->warn, 0, sizeof(s->warn));
	s->parts = 0;
	g_string_truncate(s->types, 0);
	g_mime_parser_options_set_warning_callback(po, on_warning, s);
	st = g_mime_stream_mem_new_with_buffer(msg, len);
	p = g_mime_parser_new_with_stream(st);
	g_mime_parser_set_format(p, GMIME_FORMAT_MESSAGE);
	m = g_mime_parser_construct_message(p, po);
	if (m) {
		GMimeObject *body = g_mime_message_get_mime_part(m);
		if (body) {
			each_part(NULL, body, s);
			if (GMIME_IS_MULTIPART(body))
				g_mime_multipart_foreach(GMIME_MULTIPART(body),
				                         each_part, s);
		}
		g_object_unref(m);
	}
	g_object_unref(p);
	g_object_unref(st);
	g_mime_parser_options_free(po);
	return m != NULL;
}

static void write_out(const char *dir, size_t i, const char *ext, const char *p,
                      size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%05zu.%s", dir, i, ext);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(p, 1, n, f) != n) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	struct bs_engine_config cfg;
	struct bs_engine *e = NULL;
	struct bs_clean_options o;
	struct shape a, b;
	char path[4096], err[BS_ERRMSG_LEN];
	size_t i, k, rewritten = 0, bad = 0, same = 0, parts = 0, warned = 0;
	const char *outdir = argc > 3 ? argv[3] : NULL;

	if (argc < 3) {
		fprintf(stderr, "usage: roundtrip_gmime SHARED EXAMPLES "
		                "[OUTDIR]\n");
		return 2;
	}
	if (mime_global_init())
		return 2;
	memset(&cfg, 0, sizeof(cfg));
	bs_limits_default(&cfg.limits);
	if (bs_engine_new(&e, &cfg, err))
		return 2;
	snprintf(path, sizeof(path), "%s/corpus/raw", argv[1]);
	if (tu_list_files(&files, &nfiles, path) != 0 ||
	    tu_list_files(&files, &nfiles, argv[2]) != 0) {
		fprintf(stderr, "%s, %s: %s\n", path, argv[2], strerror(errno));
		return 2;
	}
	memset(&o, 0, sizeof(o));
	a.types = g_string_new(NULL);
	b.types = g_string_new(NULL);
	for (i = 0; i < nfiles; i++) {
		struct bs_clean *c = NULL;
		struct bs_buf out;
		size_t len;
		char *msg = tu_read_file(files[i], &len);
		bool ok;

		if (msg == NULL)
			continue;
		bs_buf_init(&out, (size_t)1 << 30);
		if (bs_clean(&c, e, msg, len, &o) ||
		    bs_clean_write(c, to_buf, &out)) {
			printf("FAIL %s: clean\n", files[i]);
			bad++;
			goto next;
		}
		if (outdir) {
			write_out(outdir, i, "orig", msg, len);
			write_out(outdir, i, "clean", out.data, out.len);
		}
		if (!bs_clean_changed(c))
			goto next;
		rewritten++;
		ok =
		    shape_of(msg, len, &a) == shape_of(out.data, out.len, &b) &&
		    a.parts == b.parts &&
		    strcmp(a.types->str, b.types->str) == 0;
		for (k = 0; ok && k < NWARN; k++)
			if (b.warn[k] > a.warn[k])
				ok = false;
		for (k = 0; k < NWARN; k++)
			if (a.warn[k])
				break;
		warned += k < NWARN;
		parts += b.parts;
		if (ok) {
			same++;
		} else {
			bad++;
			if (bad < 20)
				printf(
				    "FAIL %s: parts %u/%u types '%s' / '%s'\n",
				    files[i], a.parts, b.parts, a.types->str,
				    b.types->str);
		}
	next:
		bs_clean_free(&c);
		bs_buf_release(&out);
		free(msg);
	}
	printf("FIGURE clean roundtrip gmime: %zu messages, %zu rewritten, "
	       "%zu with the same tree (%zu parts) and no new parser warning "
	       "(%zu had warnings before), %zu differ\n",
	       nfiles, rewritten, same, parts, warned, bad);
	g_string_free(a.types, TRUE);
	g_string_free(b.types, TRUE);
	tu_free_files(&files, &nfiles);
	bs_engine_free(&e);
	mime_global_shutdown();
	return bad ? 1 : 0;
}
