/*
 * tree_int.h - internals shared by the tree builder's files (tree.c: nodes,
 * stack, formatting list, insertion, adoption agency; tree_modes.c: the
 * insertion modes; tree_foreign.c: SVG/MathML adjustments and the rules for
 * foreign content). Not a public interface.
 */
#ifndef BS_HTML_TREE_INT_H
#define BS_HTML_TREE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tree.h"
#include "util/buf.h"

enum tree_mode {
	M_INITIAL,
	M_BEFORE_HTML,
	M_BEFORE_HEAD,
	M_IN_HEAD,
	M_IN_HEAD_NOSCRIPT,
	M_AFTER_HEAD,
	M_IN_BODY,
	M_TEXT,
	M_IN_TABLE,
	M_IN_TABLE_TEXT,
	M_IN_CAPTION,
	M_IN_COLUMN_GROUP,
	M_IN_TABLE_BODY,
	M_IN_ROW,
	M_IN_CELL,
	M_IN_TEMPLATE,
	M_AFTER_BODY,
	M_IN_FRAMESET,
	M_AFTER_FRAMESET,
	M_AFTER_AFTER_BODY,
	M_AFTER_AFTER_FRAMESET,
	M__COUNT
};

/*
 * Categories of an element, fixed by its namespace and tag (plus, for
 * annotation-xml, its encoding attribute) when it is created, so that
 * every scope and category test is one AND.
 */
enum {
	C_SPECIAL = 1u << 0,
	C_FORMATTING = 1u << 1,
	C_SCOPE = 1u << 2,       /* boundary of "has an element in scope" */
	C_LIST = 1u << 3,        /* ol, ul: also bound list item scope */
	C_BUTTON = 1u << 4,      /* button: also bounds button scope */
	C_TABLE_SCOPE = 1u << 5, /* html, table, template */
	C_IMPLIED = 1u << 7,     /* generate implied end tags */
	C_IMPLIED_ALL = 1u << 8, /* ... thoroughly */
	C_TABLE_CTX = 1u << 9,   /* html, table, template */
	C_TBODY_CTX = 1u << 10,  /* html, tbody, tfoot, thead, template */
	C_ROW_CTX = 1u << 11,    /* html, tr, template */
	C_FOSTER = 1u << 12,     /* table, tbody, tfoot, thead, tr */
	C_HEADING = 1u << 13,    /* h1-h6 */
	C_TEXT_IP = 1u << 14,    /* MathML text integration point */
	C_HTML_IP = 1u << 15,    /* HTML integration point */
	C_CELL = 1u << 16,       /* td, th */
	C_TSECTION = 1u << 17,   /* tbody, tfoot, thead */
};

/* Dynamic state bits of a node. */
enum {
	N_ON_STACK = 1u << 0,
	N_IN_AFE = 1u << 1,
	N_IN_TEMPLATE = 1u << 2,
	N_NAME_HEAP = 1u << 3,
	N_CONTEXT = 1u << 4, /* the fragment context: no sink handle */
};

/*
 * Classes of elements the stack index tracks: for each stack position,
 * the position of the nearest element of each class at or below it, so
 * that "in scope" and the end-tag walks are O(1) (see tree.c).
 */
enum {
	K_SCOPE,   /* boundaries of the default scope */
	K_LIST,    /* ... of list item scope */
	K_BUTTON,  /* ... of button scope */
	K_TABLE,   /* ... of table scope */
	K_SPECIAL, /* special elements ("any other end tag" stops there) */
	K_LISTOP,  /* special but not address, div, p (li/dd/dt start tags) */
	K_HTML,    /* HTML namespace (foreign end tags stop there) */
	K__COUNT
};

/* Scopes, as given to tb_in_scope. */
enum scope {
	SC_DEFAULT = K_SCOPE,
	SC_LIST = K_LIST,
	SC_BUTTON = K_BUTTON,
	SC_TABLE = K_TABLE,
};

#define NBUCKET 256 /* chains of unknown names, per namespace class */

#define NODE_INLINE_NAME 24

/* Copy of a formatting element's start tag, to re-create the element
 * (reconstruct, adoption agency) and to compare attribute sets (Noah's
 * Ark). Shared, refcounted, by the element and its clones. */
struct fmt_copy {
	unsigned refs;
	unsigned cls;  /* size class of the block, see fmt_alloc */
	bool prepared; /* hash and sorted computed */
	uint32_t hash; /* order-independent hash of the attribute set */
	size_t nattrs;
	struct html_attr *attrs; /* source order */
	uint32_t *sorted;        /* indices by (ns, name) */
	struct fmt_copy *next_free;
};

struct node {
	html_handle h;
	html_handle contents; /* template contents, asked for once */
	struct fmt_copy *fmt;
	const char *name; /* lower-case local name, for unknown tags */
	uint32_t name_len;
	uint32_t refs;
	uint32_t cat;
	uint32_t hash; /* seeded hash of name, for unknown tags */
	unsigned depth;
	int16_t idx; /* position on the stack, when indexed */
	uint16_t tag;
	uint8_t ns;
	uint8_t bits;
	uint8_t kbits; /* 1 << K_* classes the element belongs to */
	union {
		char iname[NODE_INLINE_NAME];
		struct node *next_free;
	} u;
};

/* Where a node goes: appended to parent, or inserted before `before`. */
struct place {
	html_handle parent;
	html_handle before; /* NULL: append */
	unsigned depth;     /* depth of the parent */
	bool in_template;
	bool none; /* in a Document: text is dropped there */
};

/* What an element is made from. */
struct elinfo {
	uint8_t ns;
	enum html_tag tag;
	const char *name; /* lower-case, as the tokenizer gave it */
	size_t name_len;
	const struct html_attr *attrs;
	size_t nattrs;
	struct html_span span;
	unsigned flags; /* HTML_EL_* to add */
	struct fmt_copy *fmt;
	/* html, head, body: created even past limits.html_elements, so that
	 * the algorithm always has its skeleton (at most three per tree) */
	bool force;
};

struct node_block;

struct html_tree {
	const struct html_sink *sink;
	void *sctx;
	const struct bs_limits *lim;
	struct bs_problems *problems;
	struct html_tokenizer *tokz;
	int err;
	bool done;
	bool fragment;
	bool scripting;
	bool srcdoc;
	bool frameset_ok;
	bool foster;
	bool skip_lf;
	bool tok_foreign;
	bool quirks;
	bool hit_depth, hit_fmt, hit_elements;

	enum tree_mode mode;
	enum tree_mode orig_mode;

	html_handle doc;
	html_handle frag_parent;
	unsigned base_depth;
	unsigned root_flags;
	unsigned el_flags;

	struct node **stack;
	unsigned nstack;
	unsigned depth_cap; /* pushed elements; one more for text elements */

	/* The stack index: per position, the previous position holding an
	 * element of the same key (namespace class + tag, or + name for
	 * unknown tags) and the nearest position of each K_* class; per
	 * key, the topmost position. Kept up to date by pushes and pops at
	 * the top; a change in the middle (adoption agency, </form>, head)
	 * marks it dirty and the next query rebuilds it, O(depth). */
	int16_t *prev;
	int16_t (*near)[K__COUNT];
	int16_t top_known[2][HTML_TAG__COUNT];
	int16_t top_unknown[2][NBUCKET];
	bool index_dirty;
	uint32_t seed;

	struct node **afe; /* NULL entries are markers */
	unsigned nafe;
	unsigned nafe_el; /* element entries */
	unsigned afe_cap; /* all entries */
	unsigned fmt_cap; /* element entries */

	uint8_t *tmodes;
	unsigned ntmodes;
	unsigned tmodes_cap;

	struct node *head;
	struct node *form;
	struct node *ctx;

	size_t own_elements;
	size_t *elements;
	unsigned max_depth;

	/* in table text: leading whitespace kept until it is known whether
	 * the pending characters are all whitespace */
	struct bs_buf pend;
	bool pend_dirty;
	struct html_span pend_span;

	/* the token being processed */
	const struct html_token *cur;
	uint64_t tok_start, tok_end;
	/* span given to text that is not from the current token's data */
	struct html_span alt_span;
	unsigned ntemplates; /* template elements on the stack */

	struct html_attr *scratch;
	size_t scratch_len;

	struct node *free_nodes;
	struct node_block *blocks;
	struct fmt_copy *free_fmt[3];
};

/* Return values of the mode handlers. */
enum { R_DONE = 0, R_REPROCESS = 1 };

static inline bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r';
}

static inline struct node *cur_node(const struct html_tree *tb)
{
	return tb->nstack ? tb->stack[tb->nstack - 1] : NULL;
}

static inline bool is_html(const struct node *n, enum html_tag tag)
{
	return n && n->ns == HTML_NS_HTML && n->tag == tag;
}

static inline struct node *adjusted_cur(const struct html_tree *tb)
{
	if (tb->ctx && tb->nstack == 1)
		return tb->ctx;
	return cur_node(tb);
}

/* tree.c */
void tb_fail(struct html_tree *tb, int err);
void tb_problem(struct html_tree *tb, const char *what);
uint32_t tb_category(unsigned ns, enum html_tag tag);
struct place tb_place(struct html_tree *tb, struct node *target);
struct node *tb_insert(struct html_tree *tb, const struct elinfo *e,
                       bool textlike);
void tb_insert_void(struct html_tree *tb, const struct elinfo *e);
void tb_elinfo_token(struct elinfo *e, const struct html_token *t);
struct node *tb_insert_token(struct html_tree *tb, const struct html_token *t);
struct node *tb_insert_implied(struct html_tree *tb, enum html_tag tag,
                               bool force);
void tb_insert_comment(struct html_tree *tb, const struct html_token *t,
                       html_handle parent);
void tb_insert_text(struct html_tree *tb, const char *s, size_t n);
void tb_insert_text_nul(struct html_tree *tb, const char *s, size_t n,
                        bool replace);
void tb_push(struct html_tree *tb, struct node *n);
void tb_pop(struct html_tree *tb);
void tb_pop_end(struct html_tree *tb, uint64_t end);
void tb_pop_until_tag(struct html_tree *tb, enum html_tag tag);
void tb_pop_until_node(struct html_tree *tb, struct node *n);
void tb_pop_until_cat(struct html_tree *tb, uint32_t cat);
void tb_stack_remove(struct html_tree *tb, struct node *n);
int tb_stack_index(struct html_tree *tb, const struct node *n);
void tb_ref(struct node *n);
void tb_unref(struct html_tree *tb, struct node *n);
void tb_set_ptr(struct html_tree *tb, struct node **slot, struct node *n);

bool tb_in_scope(struct html_tree *tb, enum html_tag tag, enum scope sc);
bool tb_in_scope_cat(struct html_tree *tb, uint32_t cat, enum scope sc);
bool tb_node_in_scope(struct html_tree *tb, const struct node *n);
int tb_topmost(struct html_tree *tb, bool html, enum html_tag tag);
int tb_topmost_named(struct html_tree *tb, bool html,
                     const struct html_token *t);
int tb_nearest(struct html_tree *tb, unsigned k, int from);
uint32_t tb_name_hash(const struct html_tree *tb, const char *s, size_t n);
bool tb_has_template(const struct html_tree *tb);
void tb_implied_end(struct html_tree *tb, enum html_tag except);
void tb_implied_end_all(struct html_tree *tb);
void tb_clear_to(struct html_tree *tb, uint32_t ctx_cat);
void tb_close_p(struct html_tree *tb);
void tb_reset_mode(struct html_tree *tb);
bool tb_same_name(const struct node *n, const struct html_token *t);

void tb_afe_marker(struct html_tree *tb);
void tb_afe_push(struct html_tree *tb, struct node *n,
                 const struct html_token *t);
void tb_afe_clear_to_marker(struct html_tree *tb);
int tb_afe_find_tag(const struct html_tree *tb, enum html_tag tag);
int tb_afe_index(const struct html_tree *tb, const struct node *n);
void tb_afe_remove_at(struct html_tree *tb, unsigned i);
void tb_reconstruct(struct html_tree *tb);
bool tb_adoption(struct html_tree *tb, const struct html_token *t);

void tb_tmode_push(struct html_tree *tb, enum tree_mode m);
void tb_tmode_pop(struct html_tree *tb);

void tb_tokenizer_state(struct html_tree *tb, int state);

/* tree_modes.c */
int tb_mode(struct html_tree *tb, enum tree_mode m, struct html_token *t);
int tb_run(struct html_tree *tb, struct html_token *t);
size_t tb_mode_chars(struct html_tree *tb, const char *s, size_t n);
int tb_in_body(struct html_tree *tb, struct html_token *t);
void tb_body_chars(struct html_tree *tb, const char *s, size_t n);
void tb_quirks_from_doctype(struct html_tree *tb, const struct html_token *t);

/* tree_foreign.c */
int tb_foreign(struct html_tree *tb, struct html_token *t);
void tb_foreign_chars(struct html_tree *tb, const char *s, size_t n);
struct node *tb_insert_foreign(struct html_tree *tb, const struct html_token *t,
                               unsigned ns);
bool tb_use_html_rules(const struct node *acn, const struct html_token *t);
uint32_t tb_annotation_ip(const struct html_attr *attrs, size_t n);

#endif
