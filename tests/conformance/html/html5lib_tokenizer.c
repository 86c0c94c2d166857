/*
 * html5lib_tokenizer - run html5lib-tests/tokenizer/ *.test against the
 * tokenizer.
 *
 * Every test runs once per initial state it lists. A case passes when the
 * tokens (adjacent characters coalesced) equal the expected output and
 * the multiset of error codes equals the expected one (positions are not
 * compared). Each case also runs with 1-byte chunks, which must give the
 * same tokens, spans and (code, offset) errors as the one-piece run.
 *
 * doubleEscaped tests carry \uXXXX escapes in their strings; lone
 * surrogates among them are encoded as 3-byte sequences (WTF-8), which is
 * what a byte-level tokenizer sees when such bytes arrive.
 *
 * xmlViolation.test is skipped: its expectations assume the "coercing an
 * HTML DOM into an infoset" tweaks, which are not tokenizer behaviour.
 *
 * Usage: html5lib_tokenizer SHARED_DIR
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bugsweep/limits.h"
#include "html/tokenizer.h"
#include "util/buf.h"

struct err {
	enum html_parse_error code;
	uint64_t off;
};

struct run {
	json_t *out;         /* html5lib-style tokens, characters coalesced */
	struct bs_buf trace; /* tokens with spans, for chunking equivalence */
	struct err *errs;
	size_t nerrs, cap;
	int in_text; /* last token in out is Character */
	uint64_t text_start, text_end;
	int trace_text;
	struct bs_buf ttext; /* coalesced text of contiguous spans */
};

static void put_bytes(struct bs_buf *b, const char *s, size_t n);

static void flush_trace_text(struct run *r)
{
	if (!r->trace_text)
		return;
	bs_buf_printf(&r->trace, "C [%llu,%llu) ",
	              (unsigned long long)r->text_start,
	              (unsigned long long)r->text_end);
	put_bytes(&r->trace, r->ttext.data ? r->ttext.data : "", r->ttext.len);
	bs_buf_putc(&r->trace, '\n');
	bs_buf_reset(&r->ttext);
	r->trace_text = 0;
}

static void put_bytes(struct bs_buf *b, const char *s, size_t n)
{
	size_t i;

	bs_buf_putc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7F)
			bs_buf_printf(b, "\\x%02X", c);
		else
			bs_buf_putc(b, (int)c);
	}
	bs_buf_putc(b, '"');
}

static void put_span(struct bs_buf *b, struct html_span s)
{
	bs_buf_printf(b, "[%llu,%llu)", (unsigned long long)s.start,
	              (unsigned long long)s.end);
}

static json_t *jstr(const char *s, size_t n)
{
	return json_stringn_nocheck(s, n);
}

static int on_token(void *ctx, struct html_token *tok)
{
	struct run *r = ctx;
	struct bs_buf *b = &r->trace;
	json_t *a, *attrs;
	size_t i;

	if (tok->type == HTML_TOKEN_CHARACTER) {
		/* Coalesce: into the JSON output always; in the trace only
		 * when the raw spans are contiguous. */
		if (r->in_text) {
			json_t *last =
			    json_array_get(r->out, json_array_size(r->out) - 1);
			json_t *s = json_array_get(last, 1);
			struct bs_buf cat;
			bs_buf_init(&cat, (size_t)1 << 30);
			bs_buf_append(&cat, json_string_value(s),
			              json_string_length(s));
			bs_buf_append(&cat, tok->data, tok->data_len);
			json_array_set_new(last, 1, jstr(cat.data, cat.len));
			bs_buf_release(&cat);
		} else {
			a = json_array();
			json_array_append_new(a, json_string("Character"));
			json_array_append_new(a,
			                      jstr(tok->data, tok->data_len));
			json_array_append_new(r->out, a);
			r->in_text = 1;
		}
		if (tok->data_len == 0)
			bs_buf_puts(b, "EMPTY-CHARACTER-TOKEN\n");
		if (r->trace_text && tok->span.start != r->text_end)
			flush_trace_text(r);
		if (!r->trace_text)
			r->text_start = tok->span.start;
		bs_buf_append(&r->ttext, tok->data, tok->data_len);
		r->trace_text = 1;
		r->text_end = tok->span.end;
		return 0;
	}
	flush_trace_text(r);
	r->in_text = 0;
	switch (tok->type) {
	case HTML_TOKEN_DOCTYPE:
		a = json_array();
		json_array_append_new(a, json_string("DOCTYPE"));
		json_array_append_new(a, tok->name_missing
		                             ? json_null()
		                             : jstr(tok->name, tok->name_len));
		json_array_append_new(
		    a, tok->public_id_missing
		           ? json_null()
		           : jstr(tok->public_id, tok->public_id_len));
		json_array_append_new(
		    a, tok->system_id_missing
		           ? json_null()
		           : jstr(tok->system_id, tok->system_id_len));
		json_array_append_new(a, json_boolean(!tok->force_quirks));
		json_array_append_new(r->out, a);
		bs_buf_puts(b, "DOCTYPE ");
		put_bytes(b, tok->name, tok->name_len);
		bs_buf_printf(b, " %d%d%d%d ", tok->name_missing,
		              tok->public_id_missing, tok->system_id_missing,
		              tok->force_quirks);
		put_bytes(b, tok->public_id, tok->public_id_len);
		put_bytes(b, tok->system_id, tok->system_id_len);
		put_span(b, tok->span);
		bs_buf_putc(b, '\n');
		break;
	case HTML_TOKEN_START_TAG:
		a = json_array();
		json_array_append_new(a, json_string("StartTag"));
		json_array_append_new(a, jstr(tok->name, tok->name_len));
		attrs = json_object();
		for (i = 0; i < tok->nattrs; i++) {
			const struct html_attr *at = &tok->attrs[i];
			char *k = strndup(at->name, at->name_len);
			json_object_set_new_nocheck(
			    attrs, k, jstr(at->value, at->value_len));
			free(k);
		}
		json_array_append_new(a, attrs);
		if (tok->self_closing)
			json_array_append_new(a, json_true());
		json_array_append_new(r->out, a);
		bs_buf_printf(b, "START tag=%d sc=%d ", (int)tok->tag,
		              tok->self_closing);
		put_bytes(b, tok->name, tok->name_len);
		put_span(b, tok->span);
		for (i = 0; i < tok->nattrs; i++) {
			const struct html_attr *at = &tok->attrs[i];
			bs_buf_puts(b, " ");
			put_bytes(b, at->name, at->name_len);
			put_span(b, at->name_span);
			bs_buf_puts(b, "=");
			put_bytes(b, at->value, at->value_len);
			put_span(b, at->value_span);
			bs_buf_printf(b, "q%d", at->quote);
		}
		bs_buf_putc(b, '\n');
		break;
	case HTML_TOKEN_END_TAG:
		a = json_array();
		json_array_append_new(a, json_string("EndTag"));
		json_array_append_new(a, jstr(tok->name, tok->name_len));
		json_array_append_new(r->out, a);
		bs_buf_printf(b, "END tag=%d ", (int)tok->tag);
		put_bytes(b, tok->name, tok->name_len);
		put_span(b, tok->span);
		bs_buf_putc(b, '\n');
		break;
	case HTML_TOKEN_COMMENT:
		a = json_array();
		json_array_append_new(a, json_string("Comment"));
		json_array_append_new(a, jstr(tok->data, tok->data_len));
		json_array_append_new(r->out, a);
		bs_buf_puts(b, "COMMENT ");
		put_bytes(b, tok->data, tok->data_len);
		put_span(b, tok->span);
		put_span(b, tok->data_span);
		bs_buf_putc(b, '\n');
		break;
	case HTML_TOKEN_EOF:
		bs_buf_puts(b, "EOF ");
		put_span(b, tok->span);
		bs_buf_putc(b, '\n');
		break;
	case HTML_TOKEN_CHARACTER:
		break;
	}
	return 0;
}

static void on_error(void *ctx, enum html_parse_error e, uint64_t off)
{
	struct run *r = ctx;

	if (r->nerrs == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->errs = realloc(r->errs, r->cap * sizeof(*r->errs));
		if (r->errs == NULL)
			abort();
	}
	r->errs[r->nerrs].code = e;
	r->errs[r->nerrs].off = off;
	r->nerrs++;
}

static int err_cmp(const void *a, const void *b)
{
	const struct err *x = a, *y = b;

	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return 0;
}

static enum html_tokenizer_state state_of(const char *s)
{
	if (strcmp(s, "PLAINTEXT state") == 0)
		return HTML_STATE_PLAINTEXT;
	if (strcmp(s, "RCDATA state") == 0)
		return HTML_STATE_RCDATA;
	if (strcmp(s, "RAWTEXT state") == 0)
		return HTML_STATE_RAWTEXT;
	if (strcmp(s, "Script data state") == 0)
		return HTML_STATE_SCRIPT_DATA;
	if (strcmp(s, "CDATA section state") == 0)
		return HTML_STATE_CDATA_SECTION;
	return HTML_STATE_DATA;
}

static void run_once(struct run *r, const char *in, size_t n,
                     enum html_tokenizer_state st, const char *last,
                     size_t chunk)
{
	struct bs_limits lim;
	struct html_tokenizer *t;
	size_t i;
	int rc = 0;

	bs_limits_default(&lim);
	memset(r, 0, sizeof(*r));
	r->out = json_array();
	bs_buf_init(&r->trace, (size_t)1 << 30);
	bs_buf_init(&r->ttext, (size_t)1 << 30);
	t = html_tokenizer_new(&lim, on_token, r, NULL);
	if (t == NULL)
		abort();
	html_tokenizer_set_error_fn(t, on_error);
	html_tokenizer_set_state(t, st);
	if (last)
		html_tokenizer_set_last_start_tag(t, last, strlen(last));
	if (chunk == 0) {
		rc = html_tokenizer_feed(t, in, n);
	} else {
		for (i = 0; i < n && rc == 0; i += chunk)
			rc = html_tokenizer_feed(t, in + i,
			                         n - i < chunk ? n - i : chunk);
	}
	if (rc == 0)
		rc = html_tokenizer_finish(t);
	if (rc)
		bs_buf_printf(&r->trace, "RC %d\n", rc);
	html_tokenizer_free(&t);
	if (r->nerrs)
		qsort(r->errs, r->nerrs, sizeof(*r->errs), err_cmp);
}

static void run_free(struct run *r)
{
	json_decref(r->out);
	bs_buf_release(&r->trace);
	bs_buf_release(&r->ttext);
	free(r->errs);
}

/* Undo the \uXXXX escapes of a doubleEscaped string; lone surrogates
 * become their 3-byte (WTF-8) form. */
static void unescape(struct bs_buf *b, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned long cp, lo;
		if (s[i] == '\\' && i + 5 < n + 0 && s[i + 1] == 'u') {
			char hex[5] = {s[i + 2], s[i + 3], s[i + 4], s[i + 5],
			               0};
			cp = strtoul(hex, NULL, 16);
			i += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF && i + 5 < n &&
			    s[i] == '\\' && s[i + 1] == 'u') {
				char h2[5] = {s[i + 2], s[i + 3], s[i + 4],
				              s[i + 5], 0};
				lo = strtoul(h2, NULL, 16);
				if (lo >= 0xDC00 && lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) +
					     (lo - 0xDC00);
					i += 6;
				}
			}
			if (cp >= 0xD800 && cp <= 0xDFFF) {
				bs_buf_putc(b, (int)(0xE0 | (cp >> 12)));
				bs_buf_putc(b,
				            (int)(0x80 | ((cp >> 6) & 0x3F)));
				bs_buf_putc(b, (int)(0x80 | (cp & 0x3F)));
			} else {
				bs_buf_put_utf8(b, cp);
			}
		} else {
			bs_buf_putc(b, s[i]);
			i++;
		}
	}
}

static json_t *unescape_json(json_t *v)
{
	size_t i;
	const char *k;
	json_t *x, *o;

	if (json_is_string(v)) {
		struct bs_buf b;
		bs_buf_init(&b, (size_t)1 << 30);
		unescape(&b, json_string_value(v), json_string_length(v));
		o = jstr(b.data ? b.data : "", b.len);
		bs_buf_release(&b);
		return o;
	}
	if (json_is_array(v)) {
		o = json_array();
		json_array_foreach(v, i, x)
		    json_array_append_new(o, unescape_json(x));
		return o;
	}
	if (json_is_object(v)) {
		o = json_object();
		json_object_foreach(v, k, x)
		{
			struct bs_buf b;
			char *key;
			bs_buf_init(&b, (size_t)1 << 30);
			unescape(&b, k, strlen(k));
			key = strndup(b.data ? b.data : "", b.len);
			json_object_set_new_nocheck(o, key, unescape_json(x));
			free(key);
			bs_buf_release(&b);
		}
		return o;
	}
	return json_incref(v);
}

/* Expected tokens with adjacent Character tokens coalesced. */
static json_t *coalesce(json_t *exp)
{
	json_t *o = json_array(), *x, *last = NULL;
	size_t i;

	json_array_foreach(exp, i, x)
	{
		const char *ty = json_string_value(json_array_get(x, 0));
		if (ty && strcmp(ty, "Character") == 0 && last) {
			json_t *s1 = json_array_get(last, 1);
			json_t *s2 = json_array_get(x, 1);
			struct bs_buf b;
			bs_buf_init(&b, (size_t)1 << 30);
			bs_buf_append(&b, json_string_value(s1),
			              json_string_length(s1));
			bs_buf_append(&b, json_string_value(s2),
			              json_string_length(s2));
			json_array_set_new(last, 1, jstr(b.data, b.len));
			bs_buf_release(&b);
			continue;
		}
		x = json_deep_copy(x);
		json_array_append_new(o, x);
		last = (ty && strcmp(ty, "Character") == 0) ? x : NULL;
	}
	return o;
}

static int same_err_list(const struct run *a, const struct run *b)
{
	size_t i;

	if (a->nerrs != b->nerrs)
		return 0;
	for (i = 0; i < a->nerrs; i++)
		if (a->errs[i].code != b->errs[i].code ||
		    a->errs[i].off != b->errs[i].off)
			return 0;
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int same_errors(json_t *exp, const struct run *r, char *why,
                       size_t whylen)
{
	size_t n = json_array_size(exp), i;
	const char **want, **got;
	int ok = 1;

	if (n != r->nerrs)
		ok = 0;
	want = calloc(n + 1, sizeof(*want));
	got = calloc(r->nerrs + 1, sizeof(*got));
	for (i = 0; i < n; i++)
		want[i] = json_string_value(
		    json_object_get(json_array_get(exp, i), "code"));
	for (i = 0; i < r->nerrs; i++)
		got[i] = html_parse_error_name(r->errs[i].code);
	qsort(want, n, sizeof(*want), cmp_str);
	qsort(got, r->nerrs, sizeof(*got), cmp_str);
	for (i = 0; ok && i < n; i++)
		if (want[i] == NULL || strcmp(want[i], got[i]) != 0)
			ok = 0;
	if (!ok) {
		size_t w = 0;
		w += (size_t)snprintf(why + w, whylen - w, "errors want [");
		for (i = 0; i < n && w < whylen; i++)
			w += (size_t)snprintf(why + w, whylen - w, " %s",
			                      want[i]);
		if (w < whylen)
			w += (size_t)snprintf(why + w, whylen - w, " ] got [");
		for (i = 0; i < r->nerrs && w < whylen; i++)
			w += (size_t)snprintf(why + w, whylen - w, " %s",
			                      got[i]);
		if (w < whylen)
			snprintf(why + w, whylen - w, " ]");
	}
	free(want);
	free(got);
	return ok;
}

static unsigned passed, failed, cpassed, cfailed;

static void run_test(const char *file, json_t *test)
{
	json_t *jin = json_object_get(test, "input");
	json_t *jout = json_object_get(test, "output");
	json_t *jerr = json_object_get(test, "errors");
	json_t *jstates = json_object_get(test, "initialStates");
	json_t *jlast = json_object_get(test, "lastStartTag");
	const char *desc =
	    json_string_value(json_object_get(test, "description"));
	int dbl = json_is_true(json_object_get(test, "doubleEscaped"));
	struct bs_buf in;
	json_t *want, *empty = json_array(), *st;
	size_t i, nstates;

	bs_buf_init(&in, (size_t)1 << 30);
	if (dbl) {
		unescape(&in, json_string_value(jin), json_string_length(jin));
		want = unescape_json(jout);
	} else {
		bs_buf_append(&in, json_string_value(jin),
		              json_string_length(jin));
		want = json_incref(jout);
	}
	{
		json_t *c = coalesce(want);
		json_decref(want);
		want = c;
	}
	if (jerr == NULL)
		jerr = empty;
	nstates = jstates ? json_array_size(jstates) : 1;
	for (i = 0; i < nstates; i++) {
		const char *sname =
		    jstates ? json_string_value(json_array_get(jstates, i))
		            : "Data state";
		struct run whole, one;
		char why[1024] = "";
		int ok;

		st = NULL;
		(void)st;
		run_once(&whole, in.data ? in.data : "", in.len,
		         state_of(sname), json_string_value(jlast), 0);
		ok = json_equal(whole.out, want);
		if (!ok)
			snprintf(why, sizeof(why), "tokens differ");
		else
			ok = same_errors(jerr, &whole, why, sizeof(why));
		if (ok) {
			passed++;
		} else {
			char *g = json_dumps(whole.out, JSON_ENCODE_ANY);
			char *w = json_dumps(want, JSON_ENCODE_ANY);
			failed++;
			printf("FAIL %s: %s [%s]: %s\n  want %s\n  got  %s\n",
			       file, desc, sname, why, w, g);
			free(g);
			free(w);
		}
		run_once(&one, in.data ? in.data : "", in.len, state_of(sname),
		         json_string_value(jlast), 1);
		ok = whole.trace.len == one.trace.len &&
		     memcmp(whole.trace.data, one.trace.data,
		            whole.trace.len) == 0 &&
		     same_err_list(&whole, &one);
		if (ok) {
			cpassed++;
		} else {
			cfailed++;
			printf("FAIL-CHUNKED %s: %s [%s]\n--- whole\n%s--- "
			       "1-byte\n%s",
			       file, desc, sname, whole.trace.data,
			       one.trace.data);
		}
		run_free(&whole);
		run_free(&one);
	}
	json_decref(want);
	json_decref(empty);
	bs_buf_release(&in);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_test(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 5 && strcmp(d->d_name + n - 5, ".test") == 0;
}

int main(int argc, char **argv)
{
	char dir[4096], path[8192];
	struct dirent **ents;
	int n, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s SHARED_DIR\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/conformance/html5lib-tests/tokenizer",
	         argv[1]);
	n = scandir(dir, &ents, is_test, by_name);
	if (n <= 0) {
		fprintf(stderr, "no tests in %s\n", dir);
		return 2;
	}
	for (i = 0; i < n; i++) {
		json_error_t jerr;
		json_t *root, *tests, *test;
		size_t k;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		root = json_load_file(path, JSON_ALLOW_NUL, &jerr);
		if (root == NULL) {
			printf("FAIL %s: cannot load: %s (line %d)\n",
			       ents[i]->d_name, jerr.text, jerr.line);
			failed++;
			free(ents[i]);
			continue;
		}
		tests = json_object_get(root, "tests");
		json_array_foreach(tests, k, test)
		    run_test(ents[i]->d_name, test);
		json_decref(root);
		free(ents[i]);
	}
	free(ents);
	printf("html5lib-tokenizer: %u passed, %u failed\n", passed, failed);
	printf("html5lib-tokenizer-chunked: %u passed, %u failed\n", cpassed,
	       cfailed);
	return failed || cfailed ? 1 : 0;
}
