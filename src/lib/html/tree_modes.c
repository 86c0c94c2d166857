/*
 * tree_modes.c - the insertion modes of the WHATWG tree-construction stage
 * (HTML Living Standard 13.2.6.4), scripting disabled.
 *
 * Each mode has a handler for non-character tokens, which returns R_DONE
 * or R_REPROCESS ("reprocess the token" in the mode now current), and
 * character runs go through tb_mode_chars(), which consumes a prefix of
 * the run: runs are never split into characters, only scanned for
 * whitespace where a mode treats whitespace differently.
 */
#include "tree_int.h"

#include <string.h>

#include "tokenizer.h"
#include "util/str.h"

#define NONE HTML_TAG_UNKNOWN

static int m_in_head(struct html_tree *tb, struct html_token *t);
static int m_in_table(struct html_tree *tb, struct html_token *t);
static int m_in_template(struct html_tree *tb, struct html_token *t);

static size_t ws_prefix(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_ws((unsigned char)s[i]))
		i++;
	return i;
}

static size_t non_ws_prefix(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && !is_ws((unsigned char)s[i]))
		i++;
	return i;
}

static bool is_end(const struct html_token *t, enum html_tag tag)
{
	return t->type == HTML_TOKEN_END_TAG && t->tag == tag;
}

static void comment_to_doc(struct html_tree *tb, const struct html_token *t)
{
	html_handle parent = tb->doc;

	if (parent == NULL && tb->nstack)
		parent = tb->stack[0]->h;
	if (parent)
		tb_insert_comment(tb, t, parent);
}

/* html, head, body: implied or from their start tag, created even past
 * limits.html_elements. */
static struct node *insert_skeleton(struct html_tree *tb, enum html_tag tag,
                                    const struct html_token *t)
{
	struct elinfo e;

	if (t == NULL)
		return tb_insert_implied(tb, tag, true);
	tb_elinfo_token(&e, t);
	e.force = true;
	return tb_insert(tb, &e, false);
}

static void insert_void_token(struct html_tree *tb, const struct html_token *t)
{
	struct elinfo e;

	tb_elinfo_token(&e, t);
	tb_insert_void(tb, &e);
}

/* The generic raw text and RCDATA element parsing algorithms. */
static void raw_text(struct html_tree *tb, const struct html_token *t,
                     enum html_tokenizer_state st)
{
	struct elinfo e;

	tb_elinfo_token(&e, t);
	if (tb_insert(tb, &e, true) == NULL)
		return;
	tb_tokenizer_state(tb, st);
	tb->orig_mode = tb->mode;
	tb->mode = M_TEXT;
}

static void add_attrs(struct html_tree *tb, struct node *n,
                      const struct html_token *t)
{
	if (n && n->h && tb->sink->add_attrs_if_missing && t->nattrs)
		tb->sink->add_attrs_if_missing(tb->sctx, n->h, t->attrs,
		                               t->nattrs);
}

/* 13.2.6.4.1 */
static int m_initial(struct html_tree *tb, struct html_token *t)
{
	switch (t->type) {
	case HTML_TOKEN_COMMENT:
		comment_to_doc(tb, t);
		return R_DONE;
	case HTML_TOKEN_DOCTYPE:
		if (tb->sink->append_doctype)
			tb->sink->append_doctype(tb->sctx, t);
		tb_quirks_from_doctype(tb, t);
		tb->mode = M_BEFORE_HTML;
		return R_DONE;
	default:
		if (!tb->srcdoc) {
			tb->quirks = true;
			if (tb->sink->set_quirks_mode)
				tb->sink->set_quirks_mode(tb->sctx,
				                          HTML_QUIRKS);
		}
		tb->mode = M_BEFORE_HTML;
		return R_REPROCESS;
	}
}

/* 13.2.6.4.2 */
static int m_before_html(struct html_tree *tb, struct html_token *t)
{
	switch (t->type) {
	case HTML_TOKEN_DOCTYPE:
		return R_DONE;
	case HTML_TOKEN_COMMENT:
		comment_to_doc(tb, t);
		return R_DONE;
	case HTML_TOKEN_START_TAG:
		if (t->tag == HTML_TAG_HTML) {
			insert_skeleton(tb, HTML_TAG_HTML, t);
			tb->mode = M_BEFORE_HEAD;
			return R_DONE;
		}
		break;
	case HTML_TOKEN_END_TAG:
		switch (t->tag) {
		case HTML_TAG_HEAD:
		case HTML_TAG_BODY:
		case HTML_TAG_HTML:
		case HTML_TAG_BR:
			break;
		default:
			return R_DONE;
		}
		break;
	default:
		break;
	}
	insert_skeleton(tb, HTML_TAG_HTML, NULL);
	tb->mode = M_BEFORE_HEAD;
	return R_REPROCESS;
}

/* 13.2.6.4.3 */
static int m_before_head(struct html_tree *tb, struct html_token *t)
{
	struct node *n;

	switch (t->type) {
	case HTML_TOKEN_COMMENT:
		tb_insert_comment(tb, t, NULL);
		return R_DONE;
	case HTML_TOKEN_DOCTYPE:
		return R_DONE;
	case HTML_TOKEN_START_TAG:
		if (t->tag == HTML_TAG_HTML)
			return tb_in_body(tb, t);
		if (t->tag == HTML_TAG_HEAD) {
			n = insert_skeleton(tb, HTML_TAG_HEAD, t);
			tb_set_ptr(tb, &tb->head, n);
			tb->mode = M_IN_HEAD;
			return R_DONE;
		}
		break;
	case HTML_TOKEN_END_TAG:
		switch (t->tag) {
		case HTML_TAG_HEAD:
		case HTML_TAG_BODY:
		case HTML_TAG_HTML:
		case HTML_TAG_BR:
			break;
		default:
			return R_DONE;
		}
		break;
	default:
		break;
	}
	n = insert_skeleton(tb, HTML_TAG_HEAD, NULL);
	tb_set_ptr(tb, &tb->head, n);
	tb->mode = M_IN_HEAD;
	return R_REPROCESS;
}

static void start_template(struct html_tree *tb, struct html_token *t)
{
	if (tb_insert_token(tb, t) == NULL)
		return;
	tb_afe_marker(tb);
	tb->frameset_ok = false;
	tb->mode = M_IN_TEMPLATE;
	tb_tmode_push(tb, M_IN_TEMPLATE);
}

static void end_template(struct html_tree *tb)
{
	if (!tb_has_template(tb))
		return;
	tb_implied_end_all(tb);
	tb_pop_until_tag(tb, HTML_TAG_TEMPLATE);
	tb_afe_clear_to_marker(tb);
	tb_tmode_pop(tb);
	tb_reset_mode(tb);
}

/* 13.2.6.4.4 */
static int m_in_head(struct html_tree *tb, struct html_token *t)
{
	switch (t->type) {
	case HTML_TOKEN_COMMENT:
		tb_insert_comment(tb, t, NULL);
		return R_DONE;
	case HTML_TOKEN_DOCTYPE:
		return R_DONE;
	case HTML_TOKEN_START_TAG:
		switch (t->tag) {
		case HTML_TAG_HTML:
			return tb_in_body(tb, t);
		case HTML_TAG_BASE:
		case HTML_TAG_BASEFONT:
		case HTML_TAG_BGSOUND:
		case HTML_TAG_LINK:
		case HTML_TAG_META:
			insert_void_token(tb, t);
			return R_DONE;
		case HTML_TAG_TITLE:
			raw_text(tb, t, HTML_STATE_RCDATA);
			return R_DONE;
		case HTML_TAG_NOSCRIPT:
			if (tb->scripting) {
				raw_text(tb, t, HTML_STATE_RAWTEXT);
			} else if (tb_insert_token(tb, t)) {
				tb->mode = M_IN_HEAD_NOSCRIPT;
			}
			return R_DONE;
		case HTML_TAG_NOFRAMES:
		case HTML_TAG_STYLE:
			raw_text(tb, t, HTML_STATE_RAWTEXT);
			return R_DONE;
		case HTML_TAG_SCRIPT:
			raw_text(tb, t, HTML_STATE_SCRIPT_DATA);
			return R_DONE;
		case HTML_TAG_TEMPLATE:
			start_template(tb, t);
			return R_DONE;
		case HTML_TAG_HEAD:
			return R_DONE;
		default:
			break;
		}
		break;
	case HTML_TOKEN_END_TAG:
		switch (t->tag) {
		case HTML_TAG_HEAD:
			tb_pop(tb);
			tb->mode = M_AFTER_HEAD;
			return R_DONE;
		case HTML_TAG_BODY:
		case HTML_TAG_HTML:
		case HTML_TAG_BR:
			break;
		case HTML_TAG_TEMPLATE:
			end_template(tb);
			return R_DONE;
		default:
			return R_DONE;
		}
		break;
	default:
		break;
	}
	tb_pop(tb);
	tb->mode = M_AFTER_HEAD;
	return R_REPROCESS;
}

/* 13.2.6.4.5 */
static int m_in_head_noscript(struct html_tree *tb, struct html_token *t)
{
	switch (t->type) {
	case HTML_TOKEN_DOCTYPE:
		return R_DONE;
	case HTML_TOKEN_COMMENT:
		return m_in_head(tb, t);
	case HTML_TOKEN_START_TAG:
		switch (t->tag) {
		case HTML_TAG_HTML:
			return tb_in_body(tb, t);
		case HTML_TAG_BASEFONT:
		case HTML_TAG_BGSOUND:
		case HTML_TAG_LINK:
		case HTML_TAG_META:
		case HTML_TAG_NOFRAMES:
		case HTML_TAG_STYLE:
			return m_in_head(tb, t);
		case HTML_TAG_HEAD:
		case HTML_TAG_NOSCRIPT:
			return R_DONE;
		default:
			break;
		}
		break;
	case HTML_TOKEN_END_TAG:
		if (t->tag == HTML_TAG_NOSCRIPT) {
			tb_pop(tb);
			tb->mode = M_IN_HEAD;
			return R_DONE;
		}
		if (t->tag != HTML_TAG_BR)
			return R_DONE;
		break;
	default:
		break;
	}
	tb_pop(tb);
	tb->mode = M_IN_HEAD;
	return R_REPROCESS;
}

/* 13.2.6.4.6 */
static int m_after_head(struct html_tree *tb, struct html_token *t)
{
	switch (t->type) {
	case HTML_TOKEN_COMMENT:
		tb_insert_comment(tb, t, NULL);
		return R_DONE;
	case HTML_TOKEN_DOCTYPE:
		return R_DONE;
	case HTML_TOKEN_START_TAG:
		switch (t->tag) {
		case HTML_TAG_HTML:
			return tb_in_body(tb, t);
		case HTML_TAG_BODY:
			insert_skeleton(tb, HTML_TAG_BODY, t);
			tb->frameset_ok = false;
			tb->mode = M_IN_BODY;
			return R_DONE;
		case HTML_TAG_FRAMESET:
			if (tb_insert_token(tb, t))
				tb->mode = M_IN_FRAMESET;
			return R_DONE;
		case HTML_TAG_BASE:
		case HTML_TAG_BASEFONT:
		case HTML_TAG_BGSOUND:
		case HTML_TAG_LINK:
		case HTML_TAG_META:
		case HTML_TAG_NOFRAMES:
		case HTML_TAG_SCRIPT:
		case HTML_TAG_STYLE:
		case HTML_TAG_TEMPLATE:
		case HTML_TAG_TITLE: {
			struct node *head = tb->head;
			int r;

			if (head == NULL || tb->nstack >= tb->depth_cap)
				return m_in_head(tb, t);
			tb_ref(head);
			tb_push(tb, head);
			r = m_in_head(tb, t);
			tb_stack_remove(tb, head);
			tb_unref(tb, head);
			return r;
		}
		case HTML_TAG_HEAD:
			return R_DONE;
		default:
			break;
		}
		break;
	case HTML_TOKEN_END_TAG:
		switch (t->tag) {
		case HTML_TAG_TEMPLATE:
			return m_in_head(tb, t);
		case HTML_TAG_BODY:
		case HTML_TAG_HTML:
		case HTML_TAG_BR:
			break;
		default:
			return R_DONE;
		}
		break;
	default:
		break;
	}
	insert_skeleton(tb, HTML_TAG_BODY, NULL);
	tb->mode = M_IN_BODY;
	return R_REPROCESS;
}

/* --- 13.2.6.4.7 in body --- */

void tb_body_chars(struct html_tree *tb, const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	if (s[0] == '\0') {
		for (i = 0; i < n && s[i] == '\0'; i++)
			;
		if (i == n)
			return;
	}
	tb_reconstruct(tb);
	tb_insert_text_nul(tb, s, n, false);
	if (tb->frameset_ok)
		for (i = 0; i < n; i++)
			if (s[i] != '\0' && !is_ws((unsigned char)s[i])) {
				tb->frameset_ok = false;
				break;
			}
}

/* "any other end tag": the walk down the stack stops at the first HTML
 * element of the token's name, or at the first special element; the index
 * gives both at once. */
static void body_other_end(struct html_tree *tb, const struct html_token *t)
{
	int top = (int)tb->nstack - 1;
	int m = tb_topmost_named(tb, true, t);

	if (m < 0 || m < tb_nearest(tb, K_SPECIAL, top))
		return;
	tb_implied_end(tb, t->tag);
	tb_pop_until_node(tb, tb->stack[m]);
}

static void close_p_if_in_button_scope(struct html_tree *tb)
{
	if (tb_in_scope(tb, HTML_TAG_P, SC_BUTTON))
		tb_close_p(tb);
}

static bool is_hidden_input(const struct html_token *t)
{
	size_t i;

	for (i = 0; i < t->nattrs; i++)
		if (t->attrs[i].ns == HTML_ATTR_NS_NONE &&
		    t->attrs[i].name_len == 4 &&
		    memcmp(t->attrs[i].name, "type", 4) == 0)
			return bs_span_ieq(t->attrs[i].value,
			                   t->attrs[i].value_len, "hidden");
	return false;
}

static void formatting_start(struct html_tree *tb, struct html_token *t)
{
	struct node *n;

	tb_reconstruct(tb);
	n = tb_insert_token(tb, t);
	if (n)
		tb_afe_push(tb, n, t);
}

/* <li>, <dd>, <dt>: close the nearest open one of the same kind unless a
 * special element other than address, div and p comes first. */
static void li_like(struct html_tree *tb, struct html_token *t)
{
	int top = (int)tb->nstack - 1, m, stop;
	enum html_tag close = HTML_TAG_LI;

	tb->frameset_ok = false;
	if (t->tag == HTML_TAG_LI) {
		m = tb_topmost(tb, true, HTML_TAG_LI);
	} else {
		int dd = tb_topmost(tb, true, HTML_TAG_DD);
		int dt = tb_topmost(tb, true, HTML_TAG_DT);

		m = dd > dt ? dd : dt;
		close = dd > dt ? HTML_TAG_DD : HTML_TAG_DT;
	}
	stop = tb_nearest(tb, K_LISTOP, top);
	if (m >= 0 && m >= stop) {
		tb_implied_end(tb, close);
		tb_pop_until_tag(tb, close);
	}
	close_p_if_in_button_scope(tb);
	tb_insert_token(tb, t);
}

static int body_start(struct html_tree *tb, struct html_token *t)
{
	struct node *n;

	switch (t->tag) {
	case HTML_TAG_HTML:
		if (!tb_has_template(tb) && tb->nstack)
			add_attrs(tb, tb->stack[0], t);
		return R_DONE;
	case HTML_TAG_BASE:
	case HTML_TAG_BASEFONT:
	case HTML_TAG_BGSOUND:
	case HTML_TAG_LINK:
	case HTML_TAG_META:
	case HTML_TAG_NOFRAMES:
	case HTML_TAG_SCRIPT:
	case HTML_TAG_STYLE:
	case HTML_TAG_TEMPLATE:
	case HTML_TAG_TITLE:
		return m_in_head(tb, t);
	case HTML_TAG_BODY:
		if (tb->nstack < 2 || !is_html(tb->stack[1], HTML_TAG_BODY) ||
		    tb_has_template(tb))
			return R_DONE;
		tb->frameset_ok = false;
		add_attrs(tb, tb->stack[1], t);
		return R_DONE;
	case HTML_TAG_FRAMESET:
		if (tb->nstack < 2 || !is_html(tb->stack[1], HTML_TAG_BODY) ||
		    !tb->frameset_ok)
			return R_DONE;
		if (tb->sink->remove_from_parent)
			tb->sink->remove_from_parent(tb->sctx, tb->stack[1]->h);
		while (tb->nstack > 1)
			tb_pop(tb);
		if (tb_insert_token(tb, t))
			tb->mode = M_IN_FRAMESET;
		return R_DONE;
	case HTML_TAG_ADDRESS:
	case HTML_TAG_ARTICLE:
	case HTML_TAG_ASIDE:
	case HTML_TAG_BLOCKQUOTE:
	case HTML_TAG_CENTER:
	case HTML_TAG_DETAILS:
	case HTML_TAG_DIALOG:
	case HTML_TAG_DIR:
	case HTML_TAG_DIV:
	case HTML_TAG_DL:
	case HTML_TAG_FIELDSET:
	case HTML_TAG_FIGCAPTION:
	case HTML_TAG_FIGURE:
	case HTML_TAG_FOOTER:
	case HTML_TAG_HEADER:
	case HTML_TAG_HGROUP:
	case HTML_TAG_MAIN:
	case HTML_TAG_MENU:
	case HTML_TAG_NAV:
	case HTML_TAG_OL:
	case HTML_TAG_P:
	case HTML_TAG_SEARCH:
	case HTML_TAG_SECTION:
	case HTML_TAG_SUMMARY:
	case HTML_TAG_UL:
		close_p_if_in_button_scope(tb);
		tb_insert_token(tb, t);
		return R_DONE;
	case HTML_TAG_H1:
	case HTML_TAG_H2:
	case HTML_TAG_H3:
	case HTML_TAG_H4:
	case HTML_TAG_H5:
	case HTML_TAG_H6:
		close_p_if_in_button_scope(tb);
		n = cur_node(tb);
		if (n && n->ns == HTML_NS_HTML && (n->cat & C_HEADING))
			tb_pop(tb);
		tb_insert_token(tb, t);
		return R_DONE;
	case HTML_TAG_PRE:
	case HTML_TAG_LISTING:
		close_p_if_in_button_scope(tb);
		tb_insert_token(tb, t);
		tb->skip_lf = true;
		tb->frameset_ok = false;
		return R_DONE;
	case HTML_TAG_FORM:
		if (tb->form && !tb_has_template(tb))
			return R_DONE;
		close_p_if_in_button_scope(tb);
		n = tb_insert_token(tb, t);
		if (n && !tb_has_template(tb))
			tb_set_ptr(tb, &tb->form, n);
		return R_DONE;
	case HTML_TAG_LI:
	case HTML_TAG_DD:
	case HTML_TAG_DT:
		li_like(tb, t);
		return R_DONE;
	case HTML_TAG_PLAINTEXT: {
		struct elinfo e;

		close_p_if_in_button_scope(tb);
		tb_elinfo_token(&e, t);
		if (tb_insert(tb, &e, true))
			tb_tokenizer_state(tb, HTML_STATE_PLAINTEXT);
		return R_DONE;
	}
	case HTML_TAG_BUTTON:
		if (tb_in_scope(tb, HTML_TAG_BUTTON, SC_DEFAULT)) {
			tb_implied_end(tb, NONE);
			tb_pop_until_tag(tb, HTML_TAG_BUTTON);
		}
		tb_reconstruct(tb);
		tb_insert_token(tb, t);
		tb->frameset_ok = false;
		return R_DONE;
	case HTML_TAG_A: {
		int i = tb_afe_find_tag(tb, HTML_TAG_A);

		if (i >= 0) {
			struct node *a = tb->afe[i];

			tb_ref(a);
			tb_adoption(tb, t);
			i = tb_afe_index(tb, a);
			if (i >= 0)
				tb_afe_remove_at(tb, (unsigned)i);
			tb_stack_remove(tb, a);
			tb_unref(tb, a);
		}
		formatting_start(tb, t);
		return R_DONE;
	}
	case HTML_TAG_B:
	case HTML_TAG_BIG:
	case HTML_TAG_CODE:
	case HTML_TAG_EM:
	case HTML_TAG_FONT:
	case HTML_TAG_I:
	case HTML_TAG_S:
	case HTML_TAG_SMALL:
	case HTML_TAG_STRIKE:
	case HTML_TAG_STRONG:
	case HTML_TAG_TT:
	case HTML_TAG_U:
		formatting_start(tb, t);
		return R_DONE;
	case HTML_TAG_NOBR:
		tb_reconstruct(tb);
		if (tb_in_scope(tb, HTML_TAG_NOBR, SC_DEFAULT)) {
			if (!tb_adoption(tb, t))
				body_other_end(tb, t);
			tb_reconstruct(tb);
		}
		n = tb_insert_token(tb, t);
		if (n)
			tb_afe_push(tb, n, t);
		return R_DONE;
	case HTML_TAG_APPLET:
	case HTML_TAG_MARQUEE:
	case HTML_TAG_OBJECT:
		tb_reconstruct(tb);
		if (tb_insert_token(tb, t))
			tb_afe_marker(tb);
		tb->frameset_ok = false;
		return R_DONE;
	case HTML_TAG_TABLE:
		if (!tb->quirks)
			close_p_if_in_button_scope(tb);
		n = tb_insert_token(tb, t);
		tb->frameset_ok = false;
		if (n)
			tb->mode = M_IN_TABLE;
		return R_DONE;
	case HTML_TAG_AREA:
	case HTML_TAG_BR:
	case HTML_TAG_EMBED:
	case HTML_TAG_IMG:
	case HTML_TAG_KEYGEN:
	case HTML_TAG_WBR:
		tb_reconstruct(tb);
		insert_void_token(tb, t);
		tb->frameset_ok = false;
		return R_DONE;
	case HTML_TAG_INPUT:
		if (is_html(tb->ctx, HTML_TAG_SELECT))
			return R_DONE;
		if (tb_in_scope(tb, HTML_TAG_SELECT, SC_DEFAULT))
			tb_pop_until_tag(tb, HTML_TAG_SELECT);
		tb_reconstruct(tb);
		insert_void_token(tb, t);
		if (!is_hidden_input(t))
			tb->frameset_ok = false;
		return R_DONE;
	case HTML_TAG_PARAM:
	case HTML_TAG_SOURCE:
	case HTML_TAG_TRACK:
		insert_void_token(tb, t);
		return R_DONE;
	case HTML_TAG_HR:
		close_p_if_in_button_scope(tb);
		if (tb_in_scope(tb, HTML_TAG_SELECT, SC_DEFAULT))
			tb_implied_end(tb, NONE);
		insert_void_token(tb, t);
		tb->frameset_ok = false;
		return R_DONE;
	case HTML_TAG_IMAGE: {
		struct html_token img = *t;

		img.tag = HTML_TAG_IMG;
		img.name = "img";
		img.name_len = 3;
		return body_start(tb, &img);
	}
	case HTML_TAG_TEXTAREA: {
		struct elinfo e;

		tb_elinfo_token(&e, t);
		tb->skip_lf = true;
		tb->frameset_ok = false;
		if (tb_insert(tb, &e, true)) {
			tb_tokenizer_state(tb, HTML_STATE_RCDATA);
			tb->orig_mode = tb->mode;
			tb->mode = M_TEXT;
		}
		return R_DONE;
	}
	case HTML_TAG_XMP:
		close_p_if_in_button_scope(tb);
		tb_reconstruct(tb);
		tb->frameset_ok = false;
		raw_text(tb, t, HTML_STATE_RAWTEXT);
		return R_DONE;
	case HTML_TAG_IFRAME:
		tb->frameset_ok = false;
		raw_text(tb, t, HTML_STATE_RAWTEXT);
		return R_DONE;
	case HTML_TAG_NOEMBED:
		raw_text(tb, t, HTML_STATE_RAWTEXT);
		return R_DONE;
	case HTML_TAG_NOSCRIPT:
		if (tb->scripting) {
			raw_text(tb, t, HTML_STATE_RAWTEXT);
			return R_DONE;
		}
		break;
	case HTML_TAG_SELECT:
		/* customizable <select>: no "in select" modes any more; a
		 * select start tag inside a select closes it */
		if (is_html(tb->ctx, HTML_TAG_SELECT))
			return R_DONE;
		if (tb_in_scope(tb, HTML_TAG_SELECT, SC_DEFAULT)) {
			tb_pop_until_tag(tb, HTML_TAG_SELECT);
			return R_DONE;
		}
		tb_reconstruct(tb);
		tb_insert_token(tb, t);
		tb->frameset_ok = false;
		return R_DONE;
	case HTML_TAG_OPTION:
		if (tb_in_scope(tb, HTML_TAG_SELECT, SC_DEFAULT))
			tb_implied_end(tb, HTML_TAG_OPTGROUP);
		else if (is_html(cur_node(tb), HTML_TAG_OPTION))
			tb_pop(tb);
		tb_reconstruct(tb);
		tb_insert_token(tb, t);
		return R_DONE;
	case HTML_TAG_OPTGROUP:
		if (tb_in_scope(tb, HTML_TAG_SELECT, SC_DEFAULT))
			tb_implied_end(tb, NONE);
		else if (is_html(cur_node(tb), HTML_TAG_OPTION))
			tb_pop(tb);
		tb_reconstruct(tb);
		tb_insert_token(tb, t);
		return R_DONE;
	case HTML_TAG_RB:
	case HTML_TAG_RTC:
		if (tb_in_scope(tb, HTML_TAG_RUBY, SC_DEFAULT))
			tb_implied_end(tb, NONE);
		tb_insert_token(tb, t);
		return R_DONE;
	case HTML_TAG_RP:
	case HTML_TAG_RT:
		if (tb_in_scope(tb, HTML_TAG_RUBY, SC_DEFAULT))
			tb_implied_end(tb, HTML_TAG_RTC);
		tb_insert_token(tb, t);
		return R_DONE;
	case HTML_TAG_MATH:
		tb_reconstruct(tb);
		tb_insert_foreign(tb, t, HTML_NS_MATHML);
		return R_DONE;
	case HTML_TAG_SVG:
		tb_reconstruct(tb);
		tb_insert_foreign(tb, t, HTML_NS_SVG);
		return R_DONE;
	case HTML_TAG_CAPTION:
	case HTML_TAG_COL:
	case HTML_TAG_COLGROUP:
	case HTML_TAG_FRAME:
	case HTML_TAG_HEAD:
	case HTML_TAG_TBODY:
	case HTML_TAG_TD:
	case HTML_TAG_TFOOT:
	case HTML_TAG_TH:
	case HTML_TAG_THEAD:
	case HTML_TAG_TR:
		return R_DONE;
	default:
		break;
	}
	tb_reconstruct(tb);
	tb_insert_token(tb, t);
	return R_DONE;
}

static int body_end(struct html_tree *tb, struct html_token *t)
{
	switch (t->tag) {
	case HTML_TAG_TEMPLATE:
		return m_in_head(tb, t);
	case HTML_TAG_BODY:
		if (tb_in_scope(tb, HTML_TAG_BODY, SC_DEFAULT))
			tb->mode = M_AFTER_BODY;
		return R_DONE;
	case HTML_TAG_HTML:
		if (!tb_in_scope(tb, HTML_TAG_BODY, SC_DEFAULT))
			return R_DONE;
		tb->mode = M_AFTER_BODY;
		return R_REPROCESS;
	case HTML_TAG_ADDRESS:
	case HTML_TAG_ARTICLE:
	case HTML_TAG_ASIDE:
	case HTML_TAG_BLOCKQUOTE:
	case HTML_TAG_BUTTON:
	case HTML_TAG_CENTER:
	case HTML_TAG_DETAILS:
	case HTML_TAG_DIALOG:
	case HTML_TAG_DIR:
	case HTML_TAG_DIV:
	case HTML_TAG_DL:
	case HTML_TAG_FIELDSET:
	case HTML_TAG_FIGCAPTION:
	case HTML_TAG_FIGURE:
	case HTML_TAG_FOOTER:
	case HTML_TAG_HEADER:
	case HTML_TAG_HGROUP:
	case HTML_TAG_LISTING:
	case HTML_TAG_MAIN:
	case HTML_TAG_MENU:
	case HTML_TAG_NAV:
	case HTML_TAG_OL:
	case HTML_TAG_PRE:
	case HTML_TAG_SEARCH:
	case HTML_TAG_SECTION:
	case HTML_TAG_SUMMARY:
	case HTML_TAG_UL:
		if (!tb_in_scope(tb, t->tag, SC_DEFAULT))
			return R_DONE;
		tb_implied_end(tb, NONE);
		tb_pop_until_tag(tb, t->tag);
		return R_DONE;
	case HTML_TAG_SELECT:
		if (!tb_in_scope(tb, HTML_TAG_SELECT, SC_DEFAULT))
			return R_DONE;
		tb_pop_until_tag(tb, HTML_TAG_SELECT);
		return R_DONE;
	case HTML_TAG_FORM:
		if (!tb_has_template(tb)) {
			struct node *n = tb->form;

			if (n)
				tb_ref(n);
			tb_set_ptr(tb, &tb->form, NULL);
			if (n && tb_node_in_scope(tb, n)) {
				tb_implied_end(tb, NONE);
				tb_stack_remove(tb, n);
			}
			tb_unref(tb, n);
		} else if (tb_in_scope(tb, HTML_TAG_FORM, SC_DEFAULT)) {
			tb_implied_end(tb, NONE);
			tb_pop_until_tag(tb, HTML_TAG_FORM);
		}
		return R_DONE;
	case HTML_TAG_P:
		if (!tb_in_scope(tb, HTML_TAG_P, SC_BUTTON))
			tb_insert_implied(tb, HTML_TAG_P, false);
		tb_close_p(tb);
		return R_DONE;
	case HTML_TAG_LI:
		if (!tb_in_scope(tb, HTML_TAG_LI, SC_LIST))
			return R_DONE;
		tb_implied_end(tb, HTML_TAG_LI);
		tb_pop_until_tag(tb, HTML_TAG_LI);
		return R_DONE;
	case HTML_TAG_DD:
	case HTML_TAG_DT:
		if (!tb_in_scope(tb, t->tag, SC_DEFAULT))
			return R_DONE;
		tb_implied_end(tb, t->tag);
		tb_pop_until_tag(tb, t->tag);
		return R_DONE;
	case HTML_TAG_H1:
	case HTML_TAG_H2:
	case HTML_TAG_H3:
	case HTML_TAG_H4:
	case HTML_TAG_H5:
	case HTML_TAG_H6:
		if (!tb_in_scope_cat(tb, C_HEADING, SC_DEFAULT))
			return R_DONE;
		tb_implied_end(tb, NONE);
		tb_pop_until_cat(tb, C_HEADING);
		return R_DONE;
	case HTML_TAG_A:
	case HTML_TAG_B:
	case HTML_TAG_BIG:
	case HTML_TAG_CODE:
	case HTML_TAG_EM:
	case HTML_TAG_FONT:
	case HTML_TAG_I:
	case HTML_TAG_NOBR:
	case HTML_TAG_S:
	case HTML_TAG_SMALL:
	case HTML_TAG_STRIKE:
	case HTML_TAG_STRONG:
	case HTML_TAG_TT:
	case HTML_TAG_U:
		if (!tb_adoption(tb, t))
			body_other_end(tb, t);
		return R_DONE;
	case HTML_TAG_APPLET:
	case HTML_TAG_MARQUEE:
	case HTML_TAG_OBJECT:
		if (!tb_in_scope(tb, t->tag, SC_DEFAULT))
			return R_DONE;
		tb_implied_end(tb, NONE);
		tb_pop_until_tag(tb, t->tag);
		tb_afe_clear_to_marker(tb);
		return R_DONE;
	case HTML_TAG_BR: {
		struct elinfo e;

		memset(&e, 0, sizeof(e));
		e.ns = HTML_NS_HTML;
		e.tag = HTML_TAG_BR;
		e.name = "br";
		e.name_len = 2;
		e.span = t->span;
		tb_reconstruct(tb);
		tb_insert_void(tb, &e);
		tb->frameset_ok = false;
		return R_DONE;
	}
	default:
		body_other_end(tb, t);
		return R_DONE;
	}
}

int tb_in_body(struct html_tree *tb, struct html_token *t)
{
	switch (t->type) {
	case HTML_TOKEN_CHARACTER:
		tb_body_chars(tb, t->data, t->data_len);
		return R_DONE;
	case HTML_TOKEN_COMMENT:
		tb_insert_comment(tb, t, NULL);
		return R_DONE;
	case HTML_TOKEN_DOCTYPE:
		return R_DONE;
	case HTML_TOKEN_START_TAG:
		return body_start(tb, t);
	case HTML_TOKEN_END_TAG:
		return body_end(tb, t);
	case HTML_TOKEN_EOF:
		if (tb->ntmodes)
			return m_in_template(tb, t);
		return R_DONE;
	}
	return R_DONE;
}

/* 13.2.6.4.8 */
static int m_text(struct html_tree *tb, struct html_token *t)
{
	switch (t->type) {
	case HTML_TOKEN_EOF:
		tb_pop(tb);
		tb->mode = tb->orig_mode;
		return R_REPROCESS;
	case HTML_TOKEN_END_TAG:
		tb_pop_end(tb, tb->tok_end);
		tb->mode = tb->orig_mode;
		return R_DONE;
	default:
		/* the tokenizer only sends text, EOF and the end tag here */
		return R_DONE;
	}
}

/* --- tables: 13.2.6.4.9 to 13.2.6.4.15 --- */

static int with_foster(struct html_tree *tb, struct html_token *t)
{
	bool old = tb->foster;
	int r;

	tb->foster = true;
	r = tb_in_body(tb, t);
	tb->foster = old;
	return r;
}

static void foster_chars(struct html_tree *tb, const char *s, size_t n)
{
	bool old = tb->foster;

	tb->foster = true;
	tb_body_chars(tb, s, n);
	tb->foster = old;
}

static int m_in_table(struct html_tree *tb, struct html_token *t)
{
	struct node *n;

	switch (t->type) {
	case HTML_TOKEN_COMMENT:
		tb_insert_comment(tb, t, NULL);
		return R_DONE;
	case HTML_TOKEN_DOCTYPE:
		return R_DONE;
	case HTML_TOKEN_START_TAG:
		switch (t->tag) {
		case HTML_TAG_CAPTION:
			tb_clear_to(tb, C_TABLE_SCOPE);
			if (tb->nstack < tb->depth_cap)
				tb_afe_marker(tb);
			if (tb_insert_token(tb, t))
				tb->mode = M_IN_CAPTION;
			return R_DONE;
		case HTML_TAG_COLGROUP:
			tb_clear_to(tb, C_TABLE_SCOPE);
			if (tb_insert_token(tb, t))
				tb->mode = M_IN_COLUMN_GROUP;
			return R_DONE;
		case HTML_TAG_COL:
			tb_clear_to(tb, C_TABLE_SCOPE);
			if (tb_insert_implied(tb, HTML_TAG_COLGROUP, false) ==
			    NULL)
				return R_DONE;
			tb->mode = M_IN_COLUMN_GROUP;
			return R_REPROCESS;
		case HTML_TAG_TBODY:
		case HTML_TAG_TFOOT:
		case HTML_TAG_THEAD:
			tb_clear_to(tb, C_TABLE_SCOPE);
			if (tb_insert_token(tb, t))
				tb->mode = M_IN_TABLE_BODY;
			return R_DONE;
		case HTML_TAG_TD:
		case HTML_TAG_TH:
		case HTML_TAG_TR:
			tb_clear_to(tb, C_TABLE_SCOPE);
			if (tb_insert_implied(tb, HTML_TAG_TBODY, false) ==
			    NULL)
				return R_DONE;
			tb->mode = M_IN_TABLE_BODY;
			return R_REPROCESS;
		case HTML_TAG_TABLE:
			if (!tb_in_scope(tb, HTML_TAG_TABLE, SC_TABLE))
				return R_DONE;
			tb_pop_until_tag(tb, HTML_TAG_TABLE);
			tb_reset_mode(tb);
			return R_REPROCESS;
		case HTML_TAG_STYLE:
		case HTML_TAG_SCRIPT:
		case HTML_TAG_TEMPLATE:
			return m_in_head(tb, t);
		case HTML_TAG_INPUT:
			if (!is_hidden_input(t))
				break;
			insert_void_token(tb, t);
			return R_DONE;
		case HTML_TAG_FORM:
			if (tb_has_template(tb) || tb->form)
				return R_DONE;
			n = tb_insert_token(tb, t);
			if (n) {
				tb_set_ptr(tb, &tb->form, n);
				tb_pop(tb);
			}
			return R_DONE;
		default:
			break;
		}
		break;
	case HTML_TOKEN_END_TAG:
		switch (t->tag) {
		case HTML_TAG_TABLE:
			if (!tb_in_scope(tb, HTML_TAG_TABLE, SC_TABLE))
				return R_DONE;
			tb_pop_until_tag(tb, HTML_TAG_TABLE);
			tb_reset_mode(tb);
			return R_DONE;
		case HTML_TAG_BODY:
		case HTML_TAG_CAPTION:
		case HTML_TAG_COL:
		case HTML_TAG_COLGROUP:
		case HTML_TAG_HTML:
		case HTML_TAG_TBODY:
		case HTML_TAG_TD:
		case HTML_TAG_TFOOT:
		case HTML_TAG_TH:
		case HTML_TAG_THEAD:
		case HTML_TAG_TR:
			return R_DONE;
		case HTML_TAG_TEMPLATE:
			return m_in_head(tb, t);
		default:
			break;
		}
		break;
	case HTML_TOKEN_EOF:
		return tb_in_body(tb, t);
	default:
		break;
	}
	return with_foster(tb, t);
}

static size_t table_chars(struct html_tree *tb, const char *s, size_t n)
{
	struct node *c = cur_node(tb);

	if (c && c->ns == HTML_NS_HTML &&
	    ((c->cat & C_FOSTER) || c->tag == HTML_TAG_TEMPLATE)) {
		bs_buf_reset(&tb->pend);
		tb->pend_dirty = false;
		tb->orig_mode = tb->mode;
		tb->mode = M_IN_TABLE_TEXT;
		return 0;
	}
	foster_chars(tb, s, n);
	return n;
}

static void pend_flush_normal(struct html_tree *tb)
{
	if (tb->pend.len) {
		tb->alt_span = tb->pend_span;
		tb_insert_text(tb, tb->pend.data, tb->pend.len);
		tb->alt_span = tb->cur ? tb->cur->span : tb->pend_span;
	}
	bs_buf_reset(&tb->pend);
}

static void table_text_piece(struct html_tree *tb, const char *s, size_t n)
{
	if (!tb->pend_dirty) {
		size_t w = ws_prefix(s, n);

		if (w) {
			struct html_span sp = tb->cur->span;

			if (tb->pend.len + w > tb->pend.max)
				pend_flush_normal(tb);
			if (tb->pend.len == 0)
				tb->pend_span = sp;
			tb->pend_span.end = sp.end;
			bs_buf_append(&tb->pend, s, w);
			if (bs_buf_error(&tb->pend)) {
				/* out of memory: degrade to a normal
				 * insertion of this whitespace */
				bs_buf_reset(&tb->pend);
				tb_insert_text(tb, s, w);
			}
		}
		if (w == n)
			return;
		tb->pend_dirty = true;
		if (tb->pend.len) {
			tb->alt_span = tb->pend_span;
			foster_chars(tb, tb->pend.data, tb->pend.len);
			tb->alt_span = tb->cur->span;
			bs_buf_reset(&tb->pend);
		}
		s += w;
		n -= w;
	}
	foster_chars(tb, s, n);
}

/* 13.2.6.4.10: NULs are dropped; whether the pending characters are all
 * whitespace is known from the first other character on. */
static void table_text_chars(struct html_tree *tb, const char *s, size_t n)
{
	while (n) {
		const char *z = memchr(s, '\0', n);
		size_t k = z ? (size_t)(z - s) : n;

		if (k)
			table_text_piece(tb, s, k);
		if (z == NULL)
			break;
		s = z + 1;
		n -= k + 1;
	}
}

static int m_in_table_text(struct html_tree *tb, struct html_token *t)
{
	(void)t;
	if (!tb->pend_dirty)
		pend_flush_normal(tb);
	bs_buf_reset(&tb->pend);
	tb->pend_dirty = false;
	tb->mode = tb->orig_mode;
	return R_REPROCESS;
}

static void close_caption(struct html_tree *tb)
{
	tb_implied_end(tb, NONE);
	tb_pop_until_tag(tb, HTML_TAG_CAPTION);
	tb_afe_clear_to_marker(tb);
	tb->mode = M_IN_TABLE;
}

/* 13.2.6.4.11 */
static int m_in_caption(struct html_tree *tb, struct html_token *t)
{
	if (t->type == HTML_TOKEN_END_TAG && t->tag == HTML_TAG_CAPTION) {
		if (tb_in_scope(tb, HTML_TAG_CAPTION, SC_TABLE))
			close_caption(tb);
		return R_DONE;
	}
	if (t->type == HTML_TOKEN_START_TAG || is_end(t, HTML_TAG_TABLE)) {
		switch (t->tag) {
		case HTML_TAG_CAPTION:
		case HTML_TAG_COL:
		case HTML_TAG_COLGROUP:
		case HTML_TAG_TBODY:
		case HTML_TAG_TD:
		case HTML_TAG_TFOOT:
		case HTML_TAG_TH:
		case HTML_TAG_THEAD:
		case HTML_TAG_TR:
		case HTML_TAG_TABLE:
			if (t->type == HTML_TOKEN_START_TAG &&
			    t->tag == HTML_TAG_TABLE)
				break;
			if (!tb_in_scope(tb, HTML_TAG_CAPTION, SC_TABLE))
				return R_DONE;
			close_caption(tb);
			return R_REPROCESS;
		default:
			break;
		}
	}
	if (t->type == HTML_TOKEN_END_TAG) {
		switch (t->tag) {
		case HTML_TAG_BODY:
		case HTML_TAG_COL:
		case HTML_TAG_COLGROUP:
		case HTML_TAG_HTML:
		case HTML_TAG_TBODY:
		case HTML_TAG_TD:
		case HTML_TAG_TFOOT:
		case HTML_TAG_TH:
		case HTML_TAG_THEAD:
		case HTML_TAG_TR:
			return R_DONE;
		default:
			break;
		}
	}
	return tb_in_body(tb, t);
}

/* 13.2.6.4.12 */
static int m_in_column_group(struct html_tree *tb, struct html_token *t)
{
	switch (t->type) {
	case HTML_TOKEN_COMMENT:
		tb_insert_comment(tb, t, NULL);
		return R_DONE;
	case HTML_TOKEN_DOCTYPE:
		return R_DONE;
	case HTML_TOKEN_START_TAG:
		switch (t->tag) {
		case HTML_TAG_HTML:
			return tb_in_body(tb, t);
		case HTML_TAG_COL:
			insert_void_token(tb, t);
			return R_DONE;
		case HTML_TAG_TEMPLATE:
			return m_in_head(tb, t);
		default:
			break;
		}
		break;
	case HTML_TOKEN_END_TAG:
		switch (t->tag) {
		case HTML_TAG_COLGROUP:
			if (is_html(cur_node(tb), HTML_TAG_COLGROUP)) {
				tb_pop(tb);
				tb->mode = M_IN_TABLE;
			}
			return R_DONE;
		case HTML_TAG_COL:
			return R_DONE;
		case HTML_TAG_TEMPLATE:
			return m_in_head(tb, t);
		default:
			break;
		}
		break;
	case HTML_TOKEN_EOF:
		return tb_in_body(tb, t);
	default:
		break;
	}
	if (!is_html(cur_node(tb), HTML_TAG_COLGROUP))
		return R_DONE;
	tb_pop(tb);
	tb->mode = M_IN_TABLE;
	return R_REPROCESS;
}

/* 13.2.6.4.13 */
static int m_in_table_body(struct html_tree *tb, struct html_token *t)
{
	if (t->type == HTML_TOKEN_START_TAG) {
		switch (t->tag) {
		case HTML_TAG_TR:
			tb_clear_to(tb, C_TBODY_CTX);
			if (tb_insert_token(tb, t))
				tb->mode = M_IN_ROW;
			return R_DONE;
		case HTML_TAG_TH:
		case HTML_TAG_TD:
			tb_clear_to(tb, C_TBODY_CTX);
			if (tb_insert_implied(tb, HTML_TAG_TR, false) == NULL)
				return R_DONE;
			tb->mode = M_IN_ROW;
			return R_REPROCESS;
		case HTML_TAG_CAPTION:
		case HTML_TAG_COL:
		case HTML_TAG_COLGROUP:
		case HTML_TAG_TBODY:
		case HTML_TAG_TFOOT:
		case HTML_TAG_THEAD:
			goto section_end;
		default:
			break;
		}
	} else if (t->type == HTML_TOKEN_END_TAG) {
		switch (t->tag) {
		case HTML_TAG_TBODY:
		case HTML_TAG_TFOOT:
		case HTML_TAG_THEAD:
			if (!tb_in_scope(tb, t->tag, SC_TABLE))
				return R_DONE;
			tb_clear_to(tb, C_TBODY_CTX);
			tb_pop(tb);
			tb->mode = M_IN_TABLE;
			return R_DONE;
		case HTML_TAG_TABLE:
			goto section_end;
		case HTML_TAG_BODY:
		case HTML_TAG_CAPTION:
		case HTML_TAG_COL:
		case HTML_TAG_COLGROUP:
		case HTML_TAG_HTML:
		case HTML_TAG_TD:
		case HTML_TAG_TH:
		case HTML_TAG_TR:
			return R_DONE;
		default:
			break;
		}
	}
	return m_in_table(tb, t);
section_end:
	if (!tb_in_scope_cat(tb, C_TSECTION, SC_TABLE))
		return R_DONE;
	tb_clear_to(tb, C_TBODY_CTX);
	tb_pop(tb);
	tb->mode = M_IN_TABLE;
	return R_REPROCESS;
}

/* 13.2.6.4.14 */
static int m_in_row(struct html_tree *tb, struct html_token *t)
{
	if (t->type == HTML_TOKEN_START_TAG) {
		switch (t->tag) {
		case HTML_TAG_TH:
		case HTML_TAG_TD:
			tb_clear_to(tb, C_ROW_CTX);
			if (tb_insert_token(tb, t)) {
				tb->mode = M_IN_CELL;
				tb_afe_marker(tb);
			}
			return R_DONE;
		case HTML_TAG_CAPTION:
		case HTML_TAG_COL:
		case HTML_TAG_COLGROUP:
		case HTML_TAG_TBODY:
		case HTML_TAG_TFOOT:
		case HTML_TAG_THEAD:
		case HTML_TAG_TR:
			goto row_end;
		default:
			break;
		}
	} else if (t->type == HTML_TOKEN_END_TAG) {
		switch (t->tag) {
		case HTML_TAG_TR:
			if (!tb_in_scope(tb, HTML_TAG_TR, SC_TABLE))
				return R_DONE;
			tb_clear_to(tb, C_ROW_CTX);
			tb_pop(tb);
			tb->mode = M_IN_TABLE_BODY;
			return R_DONE;
		case HTML_TAG_TABLE:
			goto row_end;
		case HTML_TAG_TBODY:
		case HTML_TAG_TFOOT:
		case HTML_TAG_THEAD:
			if (!tb_in_scope(tb, t->tag, SC_TABLE))
				return R_DONE;
			goto row_end;
		case HTML_TAG_BODY:
		case HTML_TAG_CAPTION:
		case HTML_TAG_COL:
		case HTML_TAG_COLGROUP:
		case HTML_TAG_HTML:
		case HTML_TAG_TD:
		case HTML_TAG_TH:
			return R_DONE;
		default:
			break;
		}
	}
	return m_in_table(tb, t);
row_end:
	if (!tb_in_scope(tb, HTML_TAG_TR, SC_TABLE))
		return R_DONE;
	tb_clear_to(tb, C_ROW_CTX);
	tb_pop(tb);
	tb->mode = M_IN_TABLE_BODY;
	return R_REPROCESS;
}

static void close_cell(struct html_tree *tb)
{
	tb_implied_end(tb, NONE);
	tb_pop_until_cat(tb, C_CELL);
	tb_afe_clear_to_marker(tb);
	tb->mode = M_IN_ROW;
}

/* 13.2.6.4.15 */
static int m_in_cell(struct html_tree *tb, struct html_token *t)
{
	if (t->type == HTML_TOKEN_END_TAG) {
		switch (t->tag) {
		case HTML_TAG_TD:
		case HTML_TAG_TH:
			if (!tb_in_scope(tb, t->tag, SC_TABLE))
				return R_DONE;
			tb_implied_end(tb, NONE);
			tb_pop_until_tag(tb, t->tag);
			tb_afe_clear_to_marker(tb);
			tb->mode = M_IN_ROW;
			return R_DONE;
		case HTML_TAG_BODY:
		case HTML_TAG_CAPTION:
		case HTML_TAG_COL:
		case HTML_TAG_COLGROUP:
		case HTML_TAG_HTML:
			return R_DONE;
		case HTML_TAG_TABLE:
		case HTML_TAG_TBODY:
		case HTML_TAG_TFOOT:
		case HTML_TAG_THEAD:
		case HTML_TAG_TR:
			if (!tb_in_scope(tb, t->tag, SC_TABLE))
				return R_DONE;
			close_cell(tb);
			return R_REPROCESS;
		default:
			break;
		}
	} else if (t->type == HTML_TOKEN_START_TAG) {
		switch (t->tag) {
		case HTML_TAG_CAPTION:
		case HTML_TAG_COL:
		case HTML_TAG_COLGROUP:
		case HTML_TAG_TBODY:
		case HTML_TAG_TD:
		case HTML_TAG_TFOOT:
		case HTML_TAG_TH:
		case HTML_TAG_THEAD:
		case HTML_TAG_TR:
			if (!tb_in_scope_cat(tb, C_CELL, SC_TABLE))
				return R_DONE;
			close_cell(tb);
			return R_REPROCESS;
		default:
			break;
		}
	}
	return tb_in_body(tb, t);
}

/* 13.2.6.4.18 */
static int template_switch(struct html_tree *tb, enum tree_mode m)
{
	tb_tmode_pop(tb);
	tb_tmode_push(tb, m);
	tb->mode = m;
	return R_REPROCESS;
}

static int m_in_template(struct html_tree *tb, struct html_token *t)
{
	switch (t->type) {
	case HTML_TOKEN_CHARACTER:
	case HTML_TOKEN_COMMENT:
	case HTML_TOKEN_DOCTYPE:
		return tb_in_body(tb, t);
	case HTML_TOKEN_START_TAG:
		switch (t->tag) {
		case HTML_TAG_BASE:
		case HTML_TAG_BASEFONT:
		case HTML_TAG_BGSOUND:
		case HTML_TAG_LINK:
		case HTML_TAG_META:
		case HTML_TAG_NOFRAMES:
		case HTML_TAG_SCRIPT:
		case HTML_TAG_STYLE:
		case HTML_TAG_TEMPLATE:
		case HTML_TAG_TITLE:
			return m_in_head(tb, t);
		case HTML_TAG_CAPTION:
		case HTML_TAG_COLGROUP:
		case HTML_TAG_TBODY:
		case HTML_TAG_TFOOT:
		case HTML_TAG_THEAD:
			return template_switch(tb, M_IN_TABLE);
		case HTML_TAG_COL:
			return template_switch(tb, M_IN_COLUMN_GROUP);
		case HTML_TAG_TR:
			return template_switch(tb, M_IN_TABLE_BODY);
		case HTML_TAG_TD:
		case HTML_TAG_TH:
			return template_switch(tb, M_IN_ROW);
		default:
			return template_switch(tb, M_IN_BODY);
		}
	case HTML_TOKEN_END_TAG:
		if (t->tag == HTML_TAG_TEMPLATE)
			return m_in_head(tb, t);
		return R_DONE;
	case HTML_TOKEN_EOF:
		if (!tb_has_template(tb))
			return R_DONE;
		tb_pop_until_tag(tb, HTML_TAG_TEMPLATE);
		tb_afe_clear_to_marker(tb);
		tb_tmode_pop(tb);
		tb_reset_mode(tb);
		return R_REPROCESS;
	}
	return R_DONE;
}

/* 13.2.6.4.19 */
static int m_after_body(struct html_tree *tb, struct html_token *t)
{
	switch (t->type) {
	case HTML_TOKEN_COMMENT:
		if (tb->nstack)
			tb_insert_comment(tb, t, tb->stack[0]->h);
		return R_DONE;
	case HTML_TOKEN_DOCTYPE:
		return R_DONE;
	case HTML_TOKEN_START_TAG:
		if (t->tag == HTML_TAG_HTML)
			return tb_in_body(tb, t);
		break;
	case HTML_TOKEN_END_TAG:
		if (t->tag == HTML_TAG_HTML) {
			if (!tb->fragment)
				tb->mode = M_AFTER_AFTER_BODY;
			return R_DONE;
		}
		break;
	case HTML_TOKEN_EOF:
		return R_DONE;
	default:
		break;
	}
	tb->mode = M_IN_BODY;
	return R_REPROCESS;
}

/* 13.2.6.4.20 */
static int m_in_frameset(struct html_tree *tb, struct html_token *t)
{
	switch (t->type) {
	case HTML_TOKEN_COMMENT:
		tb_insert_comment(tb, t, NULL);
		return R_DONE;
	case HTML_TOKEN_START_TAG:
		switch (t->tag) {
		case HTML_TAG_HTML:
			return tb_in_body(tb, t);
		case HTML_TAG_FRAMESET:
			tb_insert_token(tb, t);
			return R_DONE;
		case HTML_TAG_FRAME:
			insert_void_token(tb, t);
			return R_DONE;
		case HTML_TAG_NOFRAMES:
			return m_in_head(tb, t);
		default:
			return R_DONE;
		}
	case HTML_TOKEN_END_TAG:
		if (t->tag == HTML_TAG_FRAMESET && tb->nstack > 1) {
			tb_pop(tb);
			if (!tb->fragment &&
			    !is_html(cur_node(tb), HTML_TAG_FRAMESET))
				tb->mode = M_AFTER_FRAMESET;
		}
		return R_DONE;
	default:
		return R_DONE;
	}
}

/* 13.2.6.4.21 */
static int m_after_frameset(struct html_tree *tb, struct html_token *t)
{
	switch (t->type) {
	case HTML_TOKEN_COMMENT:
		tb_insert_comment(tb, t, NULL);
		return R_DONE;
	case HTML_TOKEN_START_TAG:
		if (t->tag == HTML_TAG_HTML)
			return tb_in_body(tb, t);
		if (t->tag == HTML_TAG_NOFRAMES)
			return m_in_head(tb, t);
		return R_DONE;
	case HTML_TOKEN_END_TAG:
		if (t->tag == HTML_TAG_HTML)
			tb->mode = M_AFTER_AFTER_FRAMESET;
		return R_DONE;
	default:
		return R_DONE;
	}
}

/* 13.2.6.4.22, 13.2.6.4.23 */
static int m_after_after(struct html_tree *tb, struct html_token *t)
{
	bool frameset = tb->mode == M_AFTER_AFTER_FRAMESET;

	switch (t->type) {
	case HTML_TOKEN_COMMENT:
		comment_to_doc(tb, t);
		return R_DONE;
	case HTML_TOKEN_DOCTYPE:
		return tb_in_body(tb, t);
	case HTML_TOKEN_START_TAG:
		if (t->tag == HTML_TAG_HTML)
			return tb_in_body(tb, t);
		if (frameset && t->tag == HTML_TAG_NOFRAMES)
			return m_in_head(tb, t);
		break;
	case HTML_TOKEN_EOF:
		return R_DONE;
	default:
		break;
	}
	if (frameset)
		return R_DONE;
	tb->mode = M_IN_BODY;
	return R_REPROCESS;
}

int tb_mode(struct html_tree *tb, enum tree_mode m, struct html_token *t)
{
	switch (m) {
	case M_INITIAL:
		return m_initial(tb, t);
	case M_BEFORE_HTML:
		return m_before_html(tb, t);
	case M_BEFORE_HEAD:
		return m_before_head(tb, t);
	case M_IN_HEAD:
		return m_in_head(tb, t);
	case M_IN_HEAD_NOSCRIPT:
		return m_in_head_noscript(tb, t);
	case M_AFTER_HEAD:
		return m_after_head(tb, t);
	case M_IN_BODY:
		return tb_in_body(tb, t);
	case M_TEXT:
		return m_text(tb, t);
	case M_IN_TABLE:
		return m_in_table(tb, t);
	case M_IN_TABLE_TEXT:
		return m_in_table_text(tb, t);
	case M_IN_CAPTION:
		return m_in_caption(tb, t);
	case M_IN_COLUMN_GROUP:
		return m_in_column_group(tb, t);
	case M_IN_TABLE_BODY:
		return m_in_table_body(tb, t);
	case M_IN_ROW:
		return m_in_row(tb, t);
	case M_IN_CELL:
		return m_in_cell(tb, t);
	case M_IN_TEMPLATE:
		return m_in_template(tb, t);
	case M_AFTER_BODY:
		return m_after_body(tb, t);
	case M_IN_FRAMESET:
		return m_in_frameset(tb, t);
	case M_AFTER_FRAMESET:
		return m_after_frameset(tb, t);
	case M_AFTER_AFTER_BODY:
	case M_AFTER_AFTER_FRAMESET:
		return m_after_after(tb, t);
	default:
		return R_DONE;
	}
}

/* Process a non-character token in the current insertion mode, as often
 * as it is reprocessed. The guard only stops a bug from spinning. */
int tb_run(struct html_tree *tb, struct html_token *t)
{
	unsigned guard;

	for (guard = 0; guard < 64; guard++) {
		int r = tb_mode(tb, tb->mode, t);

		if (r != R_REPROCESS || tb->err)
			return R_DONE;
	}
	return R_DONE;
}

/* Whitespace is ignored or inserted; anything else is the mode's
 * "anything else" for a character token, which changes the mode. */
static size_t ws_then(struct html_tree *tb, const char *s, size_t n,
                      bool insert)
{
	size_t w = ws_prefix(s, n);
	struct html_token fake;

	if (w) {
		if (insert)
			tb_insert_text(tb, s, w);
		return w;
	}
	memset(&fake, 0, sizeof(fake));
	fake.type = HTML_TOKEN_CHARACTER;
	fake.span.start = fake.span.end = tb->tok_start;
	tb_mode(tb, tb->mode, &fake);
	return 0;
}

/* Whitespace is inserted, anything else ignored. */
static size_t insert_ws_drop_rest(struct html_tree *tb, const char *s, size_t n)
{
	size_t w = ws_prefix(s, n);

	if (w) {
		tb_insert_text(tb, s, w);
		return w;
	}
	return non_ws_prefix(s, n);
}

size_t tb_mode_chars(struct html_tree *tb, const char *s, size_t n)
{
	size_t w;

	switch (tb->mode) {
	case M_INITIAL:
	case M_BEFORE_HTML:
	case M_BEFORE_HEAD:
		return ws_then(tb, s, n, false);
	case M_IN_HEAD:
	case M_IN_HEAD_NOSCRIPT:
	case M_AFTER_HEAD:
		return ws_then(tb, s, n, true);
	case M_IN_BODY:
	case M_IN_CAPTION:
	case M_IN_CELL:
	case M_IN_TEMPLATE:
		tb_body_chars(tb, s, n);
		return n;
	case M_TEXT:
		tb_insert_text_nul(tb, s, n, true);
		return n;
	case M_IN_TABLE:
	case M_IN_TABLE_BODY:
	case M_IN_ROW:
		return table_chars(tb, s, n);
	case M_IN_TABLE_TEXT:
		table_text_chars(tb, s, n);
		return n;
	case M_IN_COLUMN_GROUP:
		w = ws_prefix(s, n);
		if (w) {
			tb_insert_text(tb, s, w);
			return w;
		}
		if (!is_html(cur_node(tb), HTML_TAG_COLGROUP))
			return non_ws_prefix(s, n);
		tb_pop(tb);
		tb->mode = M_IN_TABLE;
		return 0;
	case M_AFTER_BODY:
	case M_AFTER_AFTER_BODY:
		w = ws_prefix(s, n);
		if (w) {
			tb_body_chars(tb, s, w);
			return w;
		}
		tb->mode = M_IN_BODY;
		return 0;
	case M_IN_FRAMESET:
	case M_AFTER_FRAMESET:
		return insert_ws_drop_rest(tb, s, n);
	case M_AFTER_AFTER_FRAMESET:
		w = ws_prefix(s, n);
		if (w) {
			tb_body_chars(tb, s, w);
			return w;
		}
		return non_ws_prefix(s, n);
	default:
		return n;
	}
}

/* --- quirks mode from the DOCTYPE (13.2.6.4.1) --- */

static const char *const quirks_prefixes[] = {
    "+//silmaril//dtd html pro v0r11 19970101//",
    "-//as//dtd html 3.0 aswedit + extensions//",
    "-//advasoft ltd//dtd html 3.0 aswedit + extensions//",
    "-//ietf//dtd html 2.0 level 1//",
    "-//ietf//dtd html 2.0 level 2//",
    "-//ietf//dtd html 2.0 strict level 1//",
    "-//ietf//dtd html 2.0 strict level 2//",
    "-//ietf//dtd html 2.0 strict//",
    "-//ietf//dtd html 2.0//",
    "-//ietf//dtd html 2.1e//",
    "-//ietf//dtd html 3.0//",
    "-//ietf//dtd html 3.2 final//",
    "-//ietf//dtd html 3.2//",
    "-//ietf//dtd html 3//",
    "-//ietf//dtd html level 0//",
    "-//ietf//dtd html level 1//",
    "-//ietf//dtd html level 2//",
    "-//ietf//dtd html level 3//",
    "-//ietf//dtd html strict level 0//",
    "-//ietf//dtd html strict level 1//",
    "-//ietf//dtd html strict level 2//",
    "-//ietf//dtd html strict level 3//",
    "-//ietf//dtd html strict//",
    "-//ietf//dtd html//",
    "-//metrius//dtd metrius presentational//",
    "-//microsoft//dtd internet explorer 2.0 html strict//",
    "-//microsoft//dtd internet explorer 2.0 html//",
    "-//microsoft//dtd internet explorer 2.0 tables//",
    "-//microsoft//dtd internet explorer 3.0 html strict//",
    "-//microsoft//dtd internet explorer 3.0 html//",
    "-//microsoft//dtd internet explorer 3.0 tables//",
    "-//netscape comm. corp.//dtd html//",
    "-//netscape comm. corp.//dtd strict html//",
    "-//o'reilly and associates//dtd html 2.0//",
    "-//o'reilly and associates//dtd html extended 1.0//",
    "-//o'reilly and associates//dtd html extended relaxed 1.0//",
    "-//sq//dtd html 2.0 hotmetal + extensions//",
    ("-//softquad software//dtd hotmetal pro "
     "6.0::19990601::extensions to html 4.0//"),
    "-//softquad//dtd hotmetal pro 4.0::19971010::extensions to html 4.0//",
    "-//spyglass//dtd html 2.0 extended//",
    "-//sun microsystems corp.//dtd hotjava html//",
    "-//sun microsystems corp.//dtd hotjava strict html//",
    "-//w3c//dtd html 3 1995-03-24//",
    "-//w3c//dtd html 3.2 draft//",
    "-//w3c//dtd html 3.2 final//",
    "-//w3c//dtd html 3.2//",
    "-//w3c//dtd html 3.2s draft//",
    "-//w3c//dtd html 4.0 frameset//",
    "-//w3c//dtd html 4.0 transitional//",
    "-//w3c//dtd html experimental 19960712//",
    "-//w3c//dtd html experimental 970421//",
    "-//w3c//dtd w3 html//",
    "-//w3o//dtd w3 html 3.0//",
    "-//webtechs//dtd mozilla html 2.0//",
    "-//webtechs//dtd mozilla html//",
};

void tb_quirks_from_doctype(struct html_tree *tb, const struct html_token *t)
{
	const char *pub = t->public_id ? t->public_id : "";
	const char *sys = t->system_id ? t->system_id : "";
	size_t pl = t->public_id_missing ? 0 : t->public_id_len;
	size_t sl = t->system_id_missing ? 0 : t->system_id_len;
	enum html_quirks q = HTML_NO_QUIRKS;
	size_t i;

	if (tb->srcdoc)
		return;
	if (t->force_quirks || t->name_missing || t->name_len != 4 ||
	    memcmp(t->name, "html", 4) != 0) {
		q = HTML_QUIRKS;
	} else if (!t->public_id_missing &&
	           (bs_span_ieq(pub, pl,
	                        "-//W3O//DTD W3 HTML Strict 3.0//EN//") ||
	            bs_span_ieq(pub, pl,
	                        "-/W3C/DTD HTML 4.0 Transitional/EN") ||
	            bs_span_ieq(pub, pl, "HTML"))) {
		q = HTML_QUIRKS;
	} else if (!t->system_id_missing &&
	           bs_span_ieq(sys, sl,
	                       "http://www.ibm.com/data/dtd/v11/"
	                       "ibmxhtml1-transitional.dtd")) {
		q = HTML_QUIRKS;
	} else if (!t->public_id_missing) {
		for (i = 0;
		     i < sizeof(quirks_prefixes) / sizeof(quirks_prefixes[0]);
		     i++)
			if (bs_span_iprefix(pub, pl, quirks_prefixes[i])) {
				q = HTML_QUIRKS;
				break;
			}
		if (q == HTML_NO_QUIRKS) {
			bool frameset = bs_span_iprefix(
			    pub, pl, "-//W3C//DTD HTML 4.01 Frameset//");
			bool trans = bs_span_iprefix(
			    pub, pl, "-//W3C//DTD HTML 4.01 Transitional//");

			if (t->system_id_missing && (frameset || trans))
				q = HTML_QUIRKS;
			else if (bs_span_iprefix(
			             pub, pl,
			             "-//W3C//DTD XHTML 1.0 Frameset//") ||
			         bs_span_iprefix(pub, pl,
			                         "-//W3C//DTD XHTML 1.0 "
			                         "Transitional//") ||
			         (!t->system_id_missing && (frameset || trans)))
				q = HTML_LIMITED_QUIRKS;
		}
	}
	tb->quirks = q == HTML_QUIRKS;
	if (q != HTML_NO_QUIRKS && tb->sink->set_quirks_mode)
		tb->sink->set_quirks_mode(tb->sctx, q);
}
