/*
 * Real-mail CSS: every <style> block and style attribute that a crude
 * extraction cuts out of the corpus (../shared/corpus/raw, read-only) must
 * tokenize, parse, index and match without error or sanitizer report.
 *
 * The extraction is deliberately simple: the raw file, its quoted-printable
 * decoding when it has any, and base64 bodies decoded blindly; then
 * "<style ...>...</style>" and style="..." / style='...' with a few
 * character references resolved. It also checks the labelled CSS beacons
 * (labels/beacons.tsv, css.style-block and css.style-attr) against the
 * URLs found, and prints the share found as a FIGURE.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "css_test.h"
#include "util/str.h"
#include "testutil.h"

struct stats {
	size_t files, sheets, attrs, urls, rules, bytes;
	size_t errors;
	size_t hidden;
};

/* URLs found per file, to check the labels. */
struct found {
	char **url;
	size_t n, a;
};

static void found_add(struct found *f, const char *u, size_t n)
{
	if (f->n == f->a) {
		f->a = f->a ? f->a * 2 : 64;
		f->url = realloc(f->url, f->a * sizeof(*f->url));
		assert_non_null(f->url);
	}
	f->url[f->n] = malloc(n + 1);
	assert_non_null(f->url[f->n]);
	memcpy(f->url[f->n], u, n);
	f->url[f->n][n] = '\0';
	f->n++;
}

static void found_clear(struct found *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->url[i]);
	f->n = 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Quoted-printable over the whole file: crude but enough. */
static char *qp_decode(const char *s, size_t n, size_t *out)
{
	char *d = malloc(n + 1);
	size_t i, k = 0;

	assert_non_null(d);
	for (i = 0; i < n; i++) {
		if (s[i] == '=' && i + 1 < n && s[i + 1] == '\n') {
			i++;
		} else if (s[i] == '=' && i + 2 < n && s[i + 1] == '\r' &&
		           s[i + 2] == '\n') {
			i += 2;
		} else if (s[i] == '=' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		           hexval(s[i + 2]) >= 0) {
			d[k++] =
			    (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			d[k++] = s[i];
		}
	}
	d[k] = '\0';
	*out = k;
	return d;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Every body after "Content-Transfer-Encoding: base64", decoded. */
static char *b64_bodies(const char *s, size_t n, size_t *out)
{
	struct bs_buf b;
	const char *p = s, *end = s + n;
	size_t len;
	char *r;

	bs_buf_init(&b, (size_t)1 << 30);
	while ((p = bs_span_ifind(p, (size_t)(end - p),
	                          "content-transfer-encoding:", 26)) != NULL) {
		const char *q = p + 26;
		unsigned acc = 0;
		int bits = 0;

		p = q;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (!bs_span_iprefix(q, (size_t)(end - q), "base64"))
			continue;
		/* Skip to the blank line ending the header. */
		while (q + 1 < end &&
		       !(q[0] == '\n' && (q[1] == '\n' || (q[1] == '\r'))))
			q++;
		while (q < end && (*q == '\n' || *q == '\r'))
			q++;
		for (; q < end; q++) {
			int v;

			if (*q == '\n' || *q == '\r' || *q == '=')
				continue;
			if (*q == '-' && q > s && q[-1] == '\n')
				break; /* boundary */
			v = b64val((unsigned char)*q);
			if (v < 0)
				break;
			acc = (acc << 6) | (unsigned)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				bs_buf_putc(&b, (int)((acc >> bits) & 0xFF));
			}
		}
		bs_buf_putc(&b, '\n');
		p = q;
	}
	r = bs_buf_detach(&b, &len);
	assert_non_null(r);
	*out = len;
	return r;
}

/* The few character references style attributes use. */
static size_t decode_refs(char *s, size_t n)
{
	static const struct {
		const char *ref;
		char c;
	} refs[] = {{"&amp;", '&'},   {"&quot;", '"'},  {"&#39;", '\''},
	            {"&apos;", '\''}, {"&lt;", '<'},    {"&gt;", '>'},
	            {"&#34;", '"'},   {"&#x27;", '\''}, {"&#x22;", '"'}};
	size_t i, k = 0, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < sizeof(refs) / sizeof(refs[0]); j++) {
			size_t l = strlen(refs[j].ref);

			if (i + l <= n && bs_span_ieq(s + i, l, refs[j].ref)) {
				s[k++] = refs[j].c;
				i += l - 1;
				break;
			}
		}
		if (j == sizeof(refs) / sizeof(refs[0]))
			s[k++] = s[i];
	}
	return k;
}

/* The urls_only parse (clean's check of its output) lists the same URLs,
 * with the same spans and flags, as the full one. */
static void same_urls_only(const char *s, size_t n, bool style,
                           const struct css_url *want, size_t nwant)
{
	struct css_budget budget = {0};
	struct css_options o = {.budget = &budget, .urls_only = true};
	struct css_sheet *sh = NULL;
	const struct css_url *u;
	size_t nu, i;

	assert_int_equal(style ? css_style_parse(&sh, s, n, 7, &o)
	                       : css_sheet_parse(&sh, s, n, 7, &o),
	                 0);
	u = css_sheet_urls(sh, &nu);
	assert_int_equal(nu, nwant);
	assert_true(nu == 0 || css_may_hold_url(s, n));
	for (i = 0; i < nu; i++) {
		assert_int_equal(u[i].url_len, want[i].url_len);
		assert_memory_equal(u[i].url, want[i].url, u[i].url_len);
		assert_int_equal(u[i].flags, want[i].flags);
		assert_int_equal(u[i].url_span.start, want[i].url_span.start);
		assert_int_equal(u[i].whole_span.end, want[i].whole_span.end);
		assert_string_equal(u[i].context, want[i].context);
		assert_int_equal(u[i].rule, want[i].rule);
	}
	css_sheet_free(&sh);
}

static void check_sheet(struct stats *st, struct found *f, const char *s,
                        size_t n, bool style)
{
	struct bs_problems pr;
	struct css_budget budget = {0};
	struct css_options o = {
	    .limits = NULL, .problems = &pr, .budget = &budget};
	struct css_index_options io = {NULL, &pr, &budget, true, NULL};
	struct css_sheet *sh = NULL;
	struct css_index *idx = NULL;
	const struct css_url *u;
	const struct css_rule *r;
	size_t nu, nr, i;
	int rc;

	bs_problems_init(&pr);
	rc = style ? css_style_parse(&sh, s, n, 7, &o)
	           : css_sheet_parse(&sh, s, n, 7, &o);
	if (rc) {
		st->errors++;
		return;
	}
	u = css_sheet_urls(sh, &nu);
	r = css_sheet_rules(sh, &nr);
	st->urls += nu;
	st->rules += nr;
	st->bytes += n;
	same_urls_only(s, n, style, u, nu);
	for (i = 0; i < nu; i++) {
		/* Spans stay inside the input and hold the URL's bytes. */
		assert_true(u[i].url_span.start >= 7 &&
		            u[i].url_span.end <= 7 + n);
		assert_true(u[i].whole_span.start <= u[i].url_span.start &&
		            u[i].url_span.end <= u[i].whole_span.end);
		found_add(f, u[i].url, u[i].url_len);
	}
	if (style) {
		struct css_visual v;

		css_visual_of_rule(&v, &r[0]);
		if (css_visual_hides_self(&v))
			st->hidden++;
		st->attrs++;
	} else {
		struct tel el, parent;
		struct css_cascade c;

		st->sheets++;
		assert_int_equal(css_index_new(&idx, &io), 0);
		assert_int_equal(css_index_add(idx, sh), 0);
		tel_init(&parent, "td", "x", "hd mobile_hide", NULL, NULL);
		tel_init(&el, "img", NULL, "pixel", &parent, NULL);
		css_cascade_init(&c);
		assert_int_equal(css_index_match(idx, &el.el, &c, NULL, NULL),
		                 0);
		css_index_free(&idx);
	}
	css_sheet_free(&sh);
}

/* Cut style blocks and attributes out of one text. */
static void scan_text(struct stats *st, struct found *f, char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *p = bs_span_ifind(s + i, n - i, "<style", 6);
		const char *q;

		if (p == NULL)
			break;
		i = (size_t)(p - s) + 6;
		q = memchr(s + i, '>', n - i);
		if (q == NULL)
			break;
		i = (size_t)(q - s) + 1;
		p = bs_span_ifind(s + i, n - i, "</style", 7);
		if (p == NULL)
			p = s + n;
		check_sheet(st, f, s + i, (size_t)(p - (s + i)), false);
		i = (size_t)(p - s);
	}
	for (i = 0; i + 6 < n; i++) {
		size_t j, k;
		char quote;

		if (!bs_span_ieq(s + i, 5, "style") ||
		    (i && !(s[i - 1] == ' ' || s[i - 1] == '\t' ||
		            s[i - 1] == '\n' || s[i - 1] == '\r')))
			continue;
		j = i + 5;
		while (j < n && (s[j] == ' ' || s[j] == '\n' || s[j] == '\r'))
			j++;
		if (j >= n || s[j] != '=')
			continue;
		j++;
		while (j < n && (s[j] == ' ' || s[j] == '\n' || s[j] == '\r'))
			j++;
		if (j >= n || (s[j] != '"' && s[j] != '\''))
			continue;
		quote = s[j++];
		for (k = j; k < n && s[k] != quote && k - j < (1u << 20); k++)
			;
		if (k >= n)
			break;
		{
			char *v = malloc(k - j + 1);
			size_t vn;

			assert_non_null(v);
			memcpy(v, s + j, k - j);
			vn = decode_refs(v, k - j);
			check_sheet(st, f, v, vn, true);
			free(v);
		}
		i = k;
	}
}

static void scan_file(struct stats *st, struct found *f, const char *path)
{
	size_t n, qn, bn;
	char *s = tu_read_file(path, &n), *q, *b;

	if (s == NULL)
		return;
	st->files++;
	scan_text(st, f, s, n);
	if (strstr(s, "=3D") || strstr(s, "=\n") || strstr(s, "=\r\n")) {
		q = qp_decode(s, n, &qn);
		scan_text(st, f, q, qn);
		free(q);
	}
	b = b64_bodies(s, n, &bn);
	scan_text(st, f, b, bn);
	free(b);
	free(s);
}

/* Labelled CSS beacons of one file: how many we found. */
static void check_labels(const char *shared, const char *file,
                         const struct found *f, size_t *want, size_t *got)
{
	char path[4096], line[65536];
	FILE *fp;
	size_t flen = strlen(file);

	snprintf(path, sizeof(path), "%s/corpus/labels/beacons.tsv", shared);
	fp = fopen(path, "r");
	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp)) {
		char *col[5], *p = line;
		size_t c, i;
		bool hit = false;

		for (c = 0; c < 5; c++) {
			col[c] = p;
			p = strchr(p, '\t');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		if (c < 4 || strncmp(col[0], "raw/", 4) != 0 ||
		    strlen(col[0] + 4) != flen ||
		    memcmp(col[0] + 4, file, flen) != 0)
			continue;
		if (strcmp(col[2], "css.style-block") != 0 &&
		    strcmp(col[2], "css.style-attr") != 0)
			continue;
		(*want)++;
		for (i = 0; i < f->n && !hit; i++) {
			char *u = strdup(f->url[i]);
			size_t un;

			assert_non_null(u);
			un = decode_refs(u, strlen(u));
			u[un] = '\0';
			hit = strcmp(u, col[3]) == 0;
			free(u);
		}
		if (hit)
			(*got)++;
		else
			print_message("  not found: %s %s %s\n", file, col[2],
			              col[3]);
	}
	fclose(fp);
}

/* Under valgrind (meson test --setup valgrind sets BUGSWEEP_VALGRIND)
 * every 20th file: memcheck is 20 to 50 times slower. */
static size_t vg_every(void)
{
	return getenv("BUGSWEEP_VALGRIND") ? 20 : 1;
}

static void corpus(void **state)
{
	const char *shared = getenv("SHARED_DIR");
	char root[4096];
	struct stats st = {0};
	struct found f = {NULL, 0, 0};
	size_t want = 0, got = 0, seen = 0, every = vg_every();
	DIR *top;
	struct dirent *d;
	(void)state;

	if (shared == NULL)
		shared = "../shared";
	snprintf(root, sizeof(root), "%s/corpus/raw", shared);
	top = opendir(root);
	if (top == NULL) {
		print_message("corpus not found at %s: skipped\n", root);
		skip();
	}
	while ((d = readdir(top)) != NULL) {
		char sub[8192];
		DIR *dir;
		struct dirent *e;

		if (d->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", root, d->d_name);
		dir = opendir(sub);
		if (dir == NULL)
			continue;
		while ((e = readdir(dir)) != NULL) {
			char path[16384], rel[16384];

			if (e->d_name[0] == '.' || seen++ % every != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", sub, e->d_name);
			snprintf(rel, sizeof(rel), "%s/%s", d->d_name,
			         e->d_name);
			found_clear(&f);
			scan_file(&st, &f, path);
			check_labels(shared, rel, &f, &want, &got);
		}
		closedir(dir);
	}
	closedir(top);
	found_clear(&f);
	free(f.url);
	print_message("FIGURE css-corpus: %zu files, %zu style blocks, %zu "
	              "style attributes (%zu hide their element), %zu rules, "
	              "%zu URLs, %zu bytes of CSS, %zu errors\n",
	              st.files, st.sheets, st.attrs, st.hidden, st.rules,
	              st.urls, st.bytes, st.errors);
	print_message("FIGURE css-corpus-labels: %zu of %zu labelled CSS "
	              "beacons found by the crude extraction\n",
	              got, want);
	assert_true(st.files > 0);
	assert_int_equal(st.errors, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
