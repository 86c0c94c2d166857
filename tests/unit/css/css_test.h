/* Helpers shared by the CSS unit tests: token dumps and a tiny element
 * tree for selector matching. */
#ifndef CSS_TEST_H
#define CSS_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "css/css.h"
#include "util/alloc.h"
#include "util/buf.h"

/* "ident:a ws colon number:1" style dump of every token of s. */
static inline void dump_tokens(struct bs_buf *out, const char *s, size_t n)
{
	struct css_tokenizer *t = NULL;
	struct css_token tok;

	bs_buf_reset(out);
	if (css_tokenizer_new(&t, s, n, 0))
		return;
	for (;;) {
		if (css_tokenizer_next(t, &tok) || tok.type == CSS_TOK_EOF)
			break;
		if (out->len)
			bs_buf_putc(out, ' ');
		switch (tok.type) {
		case CSS_TOK_IDENT:
		case CSS_TOK_FUNCTION:
		case CSS_TOK_AT_KEYWORD:
		case CSS_TOK_URL:
		case CSS_TOK_STRING:
			bs_buf_printf(out,
			              "%s:", css_token_type_name(tok.type));
			bs_buf_append(out, tok.value, tok.value_len);
			break;
		case CSS_TOK_HASH:
			bs_buf_printf(out, "hash%c", tok.hash_id ? '#' : '~');
			bs_buf_append(out, tok.value, tok.value_len);
			break;
		case CSS_TOK_DELIM:
			bs_buf_printf(out, "delim:%c", tok.delim);
			break;
		case CSS_TOK_NUMBER:
			bs_buf_printf(out, "%s:%g", tok.integer ? "int" : "num",
			              tok.number);
			break;
		case CSS_TOK_PERCENTAGE:
			bs_buf_printf(out, "pct:%g", tok.number);
			break;
		case CSS_TOK_DIMENSION:
			bs_buf_printf(out, "dim:%g", tok.number);
			bs_buf_append(out, tok.value, tok.value_len);
			break;
		case CSS_TOK_WHITESPACE:
			bs_buf_puts(out, "ws");
			break;
		default:
			bs_buf_puts(out, css_token_type_name(tok.type));
			break;
		}
	}
	css_tokenizer_free(&t);
}

/* A test element tree: attributes as "name=value" pairs. */
struct tel {
	struct css_element el;
	const char *attrs[8][2];
};

static inline bool tel_attr(const struct css_element *el, const char *name,
                            size_t n, const char **v, size_t *vn)
{
	const struct tel *t = (const struct tel *)el;
	size_t i;

	for (i = 0; i < 8 && t->attrs[i][0]; i++)
		if (strlen(t->attrs[i][0]) == n &&
		    memcmp(t->attrs[i][0], name, n) == 0) {
			*v = t->attrs[i][1];
			*vn = strlen(*v);
			return true;
		}
	return false;
}

/* Set up t as <name id=.. class=..> with parent and previous sibling. */
static inline void tel_init(struct tel *t, const char *name, const char *id,
                            const char *cls, const struct tel *parent,
                            const struct tel *prev)
{
	size_t k = 0;

	memset(t, 0, sizeof(*t));
	t->el.name = name;
	t->el.name_len = strlen(name);
	if (id) {
		t->el.id = id;
		t->el.id_len = strlen(id);
		t->attrs[k][0] = "id";
		t->attrs[k++][1] = id;
	}
	if (cls) {
		t->el.classes = cls;
		t->el.classes_len = strlen(cls);
		t->attrs[k][0] = "class";
		t->attrs[k++][1] = cls;
	}
	t->el.parent = parent ? &parent->el : NULL;
	t->el.prev = prev ? &prev->el : NULL;
	t->el.attr = tel_attr;
}

static inline void tel_set(struct tel *t, const char *name, const char *v)
{
	size_t k;

	for (k = 0; k < 8 && t->attrs[k][0]; k++)
		;
	if (k < 8) {
		t->attrs[k][0] = name;
		t->attrs[k][1] = v;
	}
}

#endif
