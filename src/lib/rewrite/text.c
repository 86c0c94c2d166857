/*
 * text.c - the visible text of an HTML document (contract in rewrite.h).
 *
 * Clean promises that a reader sees the same words before and after: this
 * is the yardstick its tests hold it to. It is deliberately simple (no
 * CSS: text hidden by a style still counts) so that it is easy to reason
 * about: what matters is that removing a pixel or boxing an image never
 * adds, drops or reorders words.
 */
#include <string.h>

#include "html/tags.h"
#include "rewrite/rewrite.h"
#include "util/str.h"

struct tx {
	struct bs_buf *out;
	bool space; /* a space is pending before the next word */
};

static void put_text(struct tx *t, const char *s, size_t n)
{
	size_t i, j;

	for (i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f') {
			t->space = true;
			i++;
			continue;
		}
		if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
			t->space = true;
			i += 2;
			continue;
		}
		if (t->space && t->out->len)
			bs_buf_putc(t->out, ' ');
		t->space = false;
		for (j = i + 1; j < n; j++) {
			unsigned char d = (unsigned char)s[j];
			if (d == ' ' || d == '\t' || d == '\n' || d == '\r' ||
			    d == '\f' || d == 0xC2)
				break;
		}
		bs_buf_append(t->out, s + i, j - i);
		i = j;
	}
}

static bool skipped(const struct dom_node *n, unsigned flags)
{
	if (n->type == DOM_FRAGMENT)
		return true;
	if (n->type != DOM_ELEMENT)
		return false;
	if (!(flags & RW_TEXT_OUTLOOK) && (n->flags & HTML_EL_COND_ROOT))
		return true;
	if (n->flags & HTML_EL_IN_TEMPLATE)
		return true;
	if (n->ns != HTML_NS_HTML)
		return false;
	switch (n->tag) {
	case HTML_TAG_HEAD:
	case HTML_TAG_SCRIPT:
	case HTML_TAG_STYLE:
	case HTML_TAG_TEMPLATE:
	case HTML_TAG_TITLE:
		return true;
	default:
		return false;
	}
}

static void alt_text(struct tx *t, const struct dom_node *n)
{
	const struct html_attr *a;

	if (n->ns != HTML_NS_HTML)
		return;
	if (n->tag == HTML_TAG_INPUT) {
		a = dom_attr(n, "type");
		if (!a || !bs_span_ieq(a->value, a->value_len, "image"))
			return;
	} else if (n->tag != HTML_TAG_IMG) {
		return;
	}
	a = dom_attr(n, "alt");
	/* inline, as the box that may replace the image holds it */
	if (a && a->value_len)
		put_text(t, a->value, a->value_len);
}

int rw_visible_text(struct bs_buf *out, const struct html_dom *dom,
                    unsigned flags)
{
	struct tx t = {out, false};
	uint32_t i;

	if (html_dom_count(dom) == 0)
		return 0;
	i = html_dom_node(dom, 0)->first_child;
	while (i != DOM_NONE) {
		const struct dom_node *n = html_dom_node(dom, i);
		bool descend = !skipped(n, flags);

		if (n->type == DOM_TEXT)
			put_text(&t, n->name, n->name_len);
		else if (n->type == DOM_ELEMENT && descend)
			alt_text(&t, n);
		if (descend && n->first_child != DOM_NONE) {
			i = n->first_child;
			continue;
		}
		while (i != DOM_NONE) {
			n = html_dom_node(dom, i);
			if (n->next != DOM_NONE) {
				i = n->next;
				break;
			}
			i = n->parent;
		}
	}
	return bs_buf_error(out);
}
