/*
 * html_diff - our HTML engine against gumbo on every text/html part of
 * the real-mail corpus (usage: html_diff SHARED_DIR EXPECTED [-v]).
 *
 * Each document is parsed by html_dom_parse() with conditional comments
 * off (a plain WHATWG parse, as a browser-engine client sees it) and by
 * gumbo. Both trees are walked in document order (template contents in
 * place of the template's children) and the attributes that make a client
 * fetch something are listed as (namespace, tag, attribute, value): img
 * src/srcset, background and style on any element, link href, source
 * src/srcset, video poster, svg image href and xlink:href, input src,
 * object data, embed src, iframe src. The two lists are diffed (common
 * prefix and suffix, then a longest common subsequence), and each
 * difference becomes a key:
 *   value <ns>:<tag>@<attr>         same element and attribute, other value
 *   ns <tag>@<attr> <ours>/<gumbo>  the element sits in another namespace
 *   ours-only <ns>:<tag>@<attr>     only our tree has it
 *   gumbo-only <ns>:<tag>@<attr>    only gumbo's tree has it
 * A document yields each key once, however often it occurs.
 *
 * EXPECTED lists the known differences, one per line, tab-separated:
 * file, part index, key, reason (gumbo 0.10.1 implements an older HTML
 * standard; the reason says which rule). The test fails on any difference
 * that is not listed and on any listed one that no longer occurs. -v
 * prints the values of every difference; -d FILE PART writes that
 * document's decoded text to stdout instead (to make a minimal input).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gumbo.h>

#include "bugsweep/limits.h"
#include "corpus_docs.h"
#include "html/dom.h"
#include "mime/mime.h"

struct item {
	const char *ns; /* "html", "svg", "math" */
	char tag[64];   /* lower case */
	char attr[32];  /* "xlink:href" for the XLink namespace */
	const char *value;
	size_t value_len;
};

struct list {
	struct item *v;
	size_t n, cap;
};

struct expected {
	char *file;
	unsigned part;
	char *key;
	bool seen;
};

static struct expected *exp_v;
static size_t exp_n;
static bool verbose;

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return q;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

/* Does an element of this namespace and (lower-case) tag carry a URL in
 * attribute attr (lower case, "xlink:href" for XLink)? */
static bool url_attr(const char *ns, const char *tag, const char *attr)
{
	static const struct {
		const char *ns, *tag, *attr;
	} t[] = {
	    {"html", "img", "src"},       {"html", "img", "srcset"},
	    {"html", "link", "href"},     {"html", "source", "src"},
	    {"html", "source", "srcset"}, {"html", "video", "poster"},
	    {"svg", "image", "href"},     {"svg", "image", "xlink:href"},
	    {"html", "input", "src"},     {"html", "object", "data"},
	    {"html", "embed", "src"},     {"html", "iframe", "src"},
	};
	size_t i;

	if (strcmp(attr, "background") == 0 || strcmp(attr, "style") == 0)
		return true;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(ns, t[i].ns) == 0 && strcmp(tag, t[i].tag) == 0 &&
		    strcmp(attr, t[i].attr) == 0)
			return true;
	return false;
}

static void lower_copy(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i;

	if (n >= cap)
		n = cap - 1;
	for (i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[n] = '\0';
}

static void add(struct list *l, const char *ns, const char *tag,
                const char *attr, const char *value, size_t value_len)
{
	struct item *it;

	if (!url_attr(ns, tag, attr))
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	it = &l->v[l->n++];
	it->ns = ns;
	snprintf(it->tag, sizeof(it->tag), "%s", tag);
	snprintf(it->attr, sizeof(it->attr), "%s", attr);
	it->value = value;
	it->value_len = value_len;
}

/* ---- our tree ---- */

static const char *our_ns(uint8_t ns)
{
	return ns == HTML_NS_SVG      ? "svg"
	       : ns == HTML_NS_MATHML ? "math"
	                              : "html";
}

static void ours_element(struct list *l, const struct dom_node *n)
{
	char tag[64], attr[32];
	const struct html_attr *a;
	uint32_t i;

	lower_copy(tag, sizeof(tag), n->name, n->name_len);
	for (i = 0; i < n->nattrs; i++) {
		a = &n->attrs[i];
		if (a->ns == HTML_ATTR_NS_XLINK) {
			char local[24];

			lower_copy(local, sizeof(local), a->name, a->name_len);
			snprintf(attr, sizeof(attr), "xlink:%s", local);
		} else if (a->ns != HTML_ATTR_NS_NONE) {
			continue;
		} else {
			lower_copy(attr, sizeof(attr), a->name, a->name_len);
		}
		add(l, our_ns(n->ns), tag, attr, a->value, a->value_len);
	}
}

static void ours_walk(struct list *l, const struct html_dom *dom)
{
	uint32_t *stack = NULL, c;
	size_t sp = 0, cap = 0;
	const struct dom_node *n;

	stack = xrealloc(stack, (cap = 256) * sizeof(*stack));
	stack[sp++] = 0;
	while (sp > 0) {
		size_t first;

		n = html_dom_node(dom, stack[--sp]);
		first = sp;
		if (n->type == DOM_ELEMENT)
			ours_element(l, n);
		/* Push children in reverse so that the first is visited
		 * next; a template's contents stand for its children. */
		c = n->contents != DOM_NONE
		        ? html_dom_node(dom, n->contents)->first_child
		        : n->first_child;
		for (; c != DOM_NONE; c = html_dom_node(dom, c)->next) {
			if (sp == cap)
				stack = xrealloc(stack,
				                 (cap *= 2) * sizeof(*stack));
			stack[sp++] = c;
		}
		for (size_t a = first, b = sp; a + 1 < b; a++, b--) {
			uint32_t t = stack[a];

			stack[a] = stack[b - 1];
			stack[b - 1] = t;
		}
	}
	free(stack);
}

/* ---- gumbo's tree ---- */

static const char *gumbo_ns(GumboNamespaceEnum ns)
{
	return ns == GUMBO_NAMESPACE_SVG      ? "svg"
	       : ns == GUMBO_NAMESPACE_MATHML ? "math"
	                                      : "html";
}

static void gumbo_element(struct list *l, const GumboElement *e)
{
	char tag[64], attr[32];
	GumboStringPiece orig;
	const GumboAttribute *a;
	unsigned i;

	if (e->tag != GUMBO_TAG_UNKNOWN) {
		snprintf(tag, sizeof(tag), "%s",
		         gumbo_normalized_tagname(e->tag));
	} else {
		orig = e->original_tag;
		gumbo_tag_from_original_text(&orig);
		lower_copy(tag, sizeof(tag), orig.data ? orig.data : "",
		           orig.data ? orig.length : 0);
	}
	for (i = 0; i < e->attributes.length; i++) {
		a = e->attributes.data[i];
		if (a->attr_namespace == GUMBO_ATTR_NAMESPACE_XLINK) {
			char local[24];

			lower_copy(local, sizeof(local), a->name,
			           strlen(a->name));
			snprintf(attr, sizeof(attr), "xlink:%s", local);
		} else if (a->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE) {
			continue;
		} else {
			lower_copy(attr, sizeof(attr), a->name,
			           strlen(a->name));
		}
		add(l, gumbo_ns(e->tag_namespace), tag, attr, a->value,
		    strlen(a->value));
	}
}

static void gumbo_walk(struct list *l, const GumboNode *root)
{
	const GumboNode **stack = NULL, *n;
	const GumboVector *kids;
	size_t sp = 0, cap = 256, i;

	stack = xrealloc(stack, cap * sizeof(*stack));
	stack[sp++] = root;
	while (sp > 0) {
		n = stack[--sp];
		if (n->type == GUMBO_NODE_DOCUMENT)
			kids = &n->v.document.children;
		else if (n->type == GUMBO_NODE_ELEMENT ||
		         n->type == GUMBO_NODE_TEMPLATE)
			kids = &n->v.element.children;
		else
			continue;
		if (n->type != GUMBO_NODE_DOCUMENT)
			gumbo_element(l, &n->v.element);
		for (i = kids->length; i > 0; i--) {
			if (sp == cap)
				stack = xrealloc(stack,
				                 (cap *= 2) * sizeof(*stack));
			stack[sp++] = kids->data[i - 1];
		}
	}
	free(stack);
}

/* ---- diff ---- */

static bool same(const struct item *a, const struct item *b)
{
	return a->ns == b->ns && strcmp(a->tag, b->tag) == 0 &&
	       strcmp(a->attr, b->attr) == 0 && a->value_len == b->value_len &&
	       memcmp(a->value, b->value, a->value_len) == 0;
}

struct keys {
	char **k;
	size_t n, cap;
};

static void key_add(struct keys *ks, const char *key)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->k[i], key) == 0)
			return;
	if (ks->n == ks->cap) {
		ks->cap = ks->cap ? ks->cap * 2 : 8;
		ks->k = xrealloc(ks->k, ks->cap * sizeof(*ks->k));
	}
	ks->k[ks->n++] = xstrdup(key);
}

static void show(const char *who, const struct item *it)
{
	printf("      %s %s:%s@%s=\"%.*s\"%s\n", who, it->ns, it->tag, it->attr,
	       (int)(it->value_len > 200 ? 200 : it->value_len), it->value,
	       it->value_len > 200 ? "..." : "");
}

/*
 * A hunk: ours[a0,a1) replaced by gumbo[b0,b1). Pair items in order that
 * differ only in value or namespace; the rest are one-sided.
 */
static void hunk(struct keys *ks, const struct item *x, size_t a0, size_t a1,
                 const struct item *y, size_t b0, size_t b1)
{
	char key[256];
	size_t i, j;
	bool *used = calloc(b1 - b0 + 1, 1);

	if (used == NULL)
		exit(2);
	for (i = a0; i < a1; i++) {
		for (j = b0; j < b1; j++) {
			if (used[j - b0] || strcmp(x[i].tag, y[j].tag) != 0 ||
			    strcmp(x[i].attr, y[j].attr) != 0)
				continue;
			if (x[i].ns == y[j].ns)
				snprintf(key, sizeof(key), "value %s:%s@%s",
				         x[i].ns, x[i].tag, x[i].attr);
			else
				snprintf(key, sizeof(key), "ns %s@%s %s/%s",
				         x[i].tag, x[i].attr, x[i].ns, y[j].ns);
			break;
		}
		if (j == b1) {
			snprintf(key, sizeof(key), "ours-only %s:%s@%s",
			         x[i].ns, x[i].tag, x[i].attr);
		} else {
			used[j - b0] = true;
			if (verbose)
				show("gumbo", &y[j]);
		}
		if (verbose)
			show("ours ", &x[i]);
		key_add(ks, key);
	}
	for (j = b0; j < b1; j++) {
		if (used[j - b0])
			continue;
		snprintf(key, sizeof(key), "gumbo-only %s:%s@%s", y[j].ns,
		         y[j].tag, y[j].attr);
		if (verbose)
			show("gumbo", &y[j]);
		key_add(ks, key);
	}
	free(used);
}

/* Largest middle part diffed by LCS (cells); past it the whole middle is
 * one hunk. */
#define LCS_MAX (64u << 20)

static void diff(struct keys *ks, const struct list *a, const struct list *b)
{
	size_t p = 0, s = 0, n, m, i, j;
	uint16_t *t;

	while (p < a->n && p < b->n && same(&a->v[p], &b->v[p]))
		p++;
	while (s < a->n - p && s < b->n - p &&
	       same(&a->v[a->n - 1 - s], &b->v[b->n - 1 - s]))
		s++;
	n = a->n - p - s;
	m = b->n - p - s;
	if (n == 0 && m == 0)
		return;
	if (n == 0 || m == 0 || (n + 1) * (m + 1) > LCS_MAX || n > 65535 ||
	    m > 65535) {
		hunk(ks, a->v, p, p + n, b->v, p, p + m);
		return;
	}
	/* t[i][j]: LCS length of a[p+i..] and b[p+j..]. */
	t = calloc((n + 1) * (m + 1), sizeof(*t));
	if (t == NULL)
		exit(2);
#define T(i, j) t[(i) * (m + 1) + (j)]
	for (i = n; i-- > 0;)
		for (j = m; j-- > 0;)
			T(i, j) = same(&a->v[p + i], &b->v[p + j])
			              ? (uint16_t)(T(i + 1, j + 1) + 1)
			          : T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j)
			                                       : T(i, j + 1);
	i = j = 0;
	while (i < n || j < m) {
		size_t i0 = i, j0 = j;

		while (i < n && j < m && same(&a->v[p + i], &b->v[p + j])) {
			i++;
			j++;
		}
		i0 = i;
		j0 = j;
		while ((i < n || j < m) &&
		       !(i < n && j < m && same(&a->v[p + i], &b->v[p + j]))) {
			if (j == m || (i < n && T(i + 1, j) >= T(i, j + 1)))
				i++;
			else
				j++;
		}
		if (i > i0 || j > j0)
			hunk(ks, a->v, p + i0, p + i, b->v, p + j0, p + j);
	}
#undef T
	free(t);
}

/* ---- expectations ---- */

static int load_expected(const char *path)
{
	char line[4096], *f[4], *s;
	FILE *fp = fopen(path, "r");
	unsigned long part;
	int k;

	if (fp == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		s = line;
		for (k = 0; k < 4; k++) {
			f[k] = s;
			s = k < 3 ? strchr(s, '\t') : NULL;
			if (k < 3 && s == NULL)
				break;
			if (s)
				*s++ = '\0';
		}
		if (k < 4) {
			fprintf(stderr,
			        "%s: bad line (4 tab-separated fields "
			        "wanted): %s\n",
			        path, line);
			fclose(fp);
			return -1;
		}
		part = strtoul(f[1], NULL, 10);
		exp_v = xrealloc(exp_v, (exp_n + 1) * sizeof(*exp_v));
		exp_v[exp_n].file = xstrdup(f[0]);
		exp_v[exp_n].part = (unsigned)part;
		exp_v[exp_n].key = xstrdup(f[2]);
		exp_v[exp_n].seen = false;
		exp_n++;
	}
	fclose(fp);
	return 0;
}

static struct expected *find_expected(const char *file, unsigned part,
                                      const char *key)
{
	size_t i;

	for (i = 0; i < exp_n; i++)
		if (exp_v[i].part == part && strcmp(exp_v[i].key, key) == 0 &&
		    strcmp(exp_v[i].file, file) == 0)
			return &exp_v[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct corpus_docs docs;
	struct html_parser_options o;
	struct bs_limits lim;
	size_t d, k, compared = 0, explained = 0, unexplained = 0, stale = 0;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SHARED_DIR EXPECTED [-v]\n",
		        argv[0]);
		return 2;
	}
	verbose = argc > 3 && strcmp(argv[3], "-v") == 0;
	if (load_expected(argv[2]) != 0 ||
	    corpus_docs_load(&docs, argv[1]) != 0)
		return 2;
	if (argc > 5 && strcmp(argv[3], "-d") == 0) {
		for (d = 0; d < docs.n; d++)
			if (strcmp(docs.doc[d].file, argv[4]) == 0 &&
			    docs.doc[d].part == strtoul(argv[5], NULL, 10))
				fwrite(docs.doc[d].text, 1, docs.doc[d].len,
				       stdout);
		return 0;
	}
	bs_limits_default(&lim);
	memset(&o, 0, sizeof(o));
	o.limits = &lim;
	o.conditional_comments = false;
	for (d = 0; d < docs.n; d++) {
		const struct corpus_doc *cd = &docs.doc[d];
		struct list ours = {0}, theirs = {0};
		struct keys ks = {0};
		struct html_dom *dom = NULL;
		GumboOutput *g;

		rc = html_dom_parse(&dom, &o, cd->text, cd->len);
		if (rc != 0) {
			printf("FAIL %s part %u: html_dom_parse: %d\n",
			       cd->file, cd->part, rc);
			unexplained++;
			continue;
		}
		g = gumbo_parse_with_options(&kGumboDefaultOptions, cd->text,
		                             cd->len);
		ours_walk(&ours, dom);
		gumbo_walk(&theirs, g->document);
		compared += ours.n;
		if (verbose && (ours.n != theirs.n))
			printf("  %s part %u: %zu ours, %zu gumbo\n", cd->file,
			       cd->part, ours.n, theirs.n);
		diff(&ks, &ours, &theirs);
		for (k = 0; k < ks.n; k++) {
			struct expected *e =
			    find_expected(cd->file, cd->part, ks.k[k]);

			if (e != NULL) {
				e->seen = true;
				explained++;
			} else {
				printf("UNEXPLAINED\t%s\t%u\t%s\n", cd->file,
				       cd->part, ks.k[k]);
				unexplained++;
			}
			free(ks.k[k]);
		}
		free(ks.k);
		free(ours.v);
		free(theirs.v);
		gumbo_destroy_output(&kGumboDefaultOptions, g);
		html_dom_free(&dom);
	}
	for (k = 0; k < exp_n; k++) {
		if (!exp_v[k].seen) {
			printf("STALE (listed, no longer occurs)\t%s\t%u\t%s\n",
			       exp_v[k].file, exp_v[k].part, exp_v[k].key);
			stale++;
		}
		free(exp_v[k].file);
		free(exp_v[k].key);
	}
	free(exp_v);
	printf("FIGURE html-diff-gumbo: %zu documents, %zu URL attributes "
	       "compared, %zu explained differences\n",
	       docs.n, compared, explained);
	if (unexplained || stale)
		printf("html-diff-gumbo: %zu unexplained, %zu stale\n",
		       unexplained, stale);
	corpus_docs_free(&docs);
	mime_global_shutdown();
	return unexplained || stale ? 1 : 0;
}
