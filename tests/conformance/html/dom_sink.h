/*
 * dom_sink.h - a test sink for the tree builder: materialises a DOM from
 * the sink calls, serialises it in html5lib's "| <html>" format, and
 * checks the sink protocol (every handle released exactly once, none used
 * after its release, pop() only for elements and before release()).
 */
#ifndef BS_TEST_DOM_SINK_H
#define BS_TEST_DOM_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "html/tree.h"

enum dom_type {
	DN_DOCUMENT,
	DN_DOCTYPE,
	DN_ELEMENT,
	DN_TEXT,
	DN_COMMENT,
	DN_FRAGMENT,
};

struct dom_attr {
	char *name;
	size_t name_len;
	char *value;
	size_t value_len;
	int ns;
	struct html_span name_span, value_span;
};

struct dom_node {
	enum dom_type type;
	struct dom_node *parent, *first, *last, *prev, *next;
	struct dom_node *all_next;
	/* element */
	int ns;
	int tag;
	char *name;
	struct dom_attr *attrs;
	size_t nattrs;
	unsigned flags;
	unsigned depth;
	struct html_span span;
	uint64_t end;
	struct dom_node *contents;
	/* text, comment, doctype name */
	char *data;
	size_t len, cap;
	/* doctype */
	char *pub, *sys;
	/* protocol */
	bool handle; /* given to the tree builder by a create_* call */
	unsigned releases;
	unsigned pops;
};

struct dom {
	struct dom_node *doc;
	struct dom_node *all, *tail;
	int quirks;
	unsigned documents;
	unsigned long creates;  /* create_* calls that returned a handle */
	unsigned long releases; /* release() calls */
	unsigned long fail_at;  /* make the nth create_* fail (0: never) */
	char err[256];          /* first protocol violation */
};

extern const struct html_sink dom_sink;

void dom_init(struct dom *d);
void dom_free(struct dom *d);

/* Serialise the document (or, with fragment, the children of the first
 * element under the document) in html5lib tree-construction format.
 * Returns a malloc'd string. */
char *dom_serialize(const struct dom *d, bool fragment);

/* Every handle released once, none used after release, none leaked.
 * Returns NULL when the protocol was kept, else a description. */
const char *dom_check(struct dom *d);

/* The nth (0-based) element named name, in creation order. */
struct dom_node *dom_find(const struct dom *d, const char *name, unsigned nth);
/* Elements created. */
size_t dom_count(const struct dom *d, const char *name);
/* Value of attribute name on n, or NULL. */
const char *dom_attr(const struct dom_node *n, const char *name);

#endif
