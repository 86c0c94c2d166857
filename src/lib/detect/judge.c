#include "judge.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "css/visual.h"
#include "url/token.h"
#include "util/alloc.h"
#include "util/str.h"

/* What one URL says, whatever element carries it. */
struct urlfeat {
	bool sig;
	struct sig_match sm;
	bool click_sig;        /* a click-tracking URL used as a beacon */
	const char *ident;     /* the reader's address, encoded so */
	bool address;          /* some address (not known as the reader's) */
	int query_strength;    /* best identifier in the query (0-2) */
	unsigned query_params; /* parameters that do not tune the image */
	int stem_strength;     /* the last path segment, without extension */
	int dir_strength;      /* the best directory */
	bool dir_number;       /* a directory that is a number of 6+ digits */
	bool dir_payload;      /* a directory holding a long mixed-case token */
	bool dir_solid;        /* ... one without separators, or upper+digits */
	bool placeholder;      /* an unfilled merge tag: [open], {{id}} */
	bool script;           /* the path ends in a server script (.php) */
	int fragment_strength; /* an identifier in the fragment */
	int tracking_word;     /* the URL names open tracking: 1 maybe, 2 yes */
	bool file_name;        /* the last segment is a file name (a.png) */
	bool bare_token;       /* the whole path is one long opaque token */
	bool short_id;         /* a short code (shortener, /AbC12x) */
	bool host_token;       /* an opaque host label */
};

/* Per-reference evidence, before the rules weigh it. */
struct feat {
	struct urlfeat u;
	bool proxied; /* u describes the URL an image proxy wraps */
	bool tiny, hidden, offscreen, large;
	unsigned repeats;     /* same URL elsewhere in the message */
	unsigned img_repeats; /* ... as another image */
	bool shown;           /* the same URL is a visible image elsewhere */
	unsigned host_refs;   /* beacons with the same host */
	size_t group;         /* first reference with the same URL */
	bool last;            /* the last beacon of the message */
};

static void add_reason(struct verdict *v, const char *r)
{
	size_t i;

	for (i = 0; i < v->nreasons; i++)
		if (strcmp(v->reasons[i], r) == 0)
			return;
	if (v->nreasons < BS_MAX_REASONS)
		v->reasons[v->nreasons++] = r;
}

/* Does [s, s+n) end, ASCII case-insensitively, in one of exts (and
 * hold more than that ending)? */
static bool ends_in_one_of(const char *s, size_t n, const char *const *exts)
{
	size_t i, l;

	for (i = 0; exts[i]; i++) {
		l = strlen(exts[i]);
		if (n > l && bs_span_ieq(s + n - l, l, exts[i]))
			return true;
	}
	return false;
}

static bool span_has_ext(const char *s, size_t n)
{
	static const char *const exts[] = {
	    ".png", ".jpg",  ".jpeg", ".gif",  ".webp",  ".svg", ".bmp",
	    ".ico", ".avif", ".css",  ".woff", ".woff2", ".ttf", ".otf",
	    ".eot", ".tif",  ".tiff", ".heic", NULL};

	return ends_in_one_of(s, n, exts);
}

/* Query keys that tune how a shared image is served, not who gets it. */
static bool presentational_key(const char *k, size_t n)
{
	static const char *const keys[] = {
	    "w",      "h",        "width",   "height",  "wid",    "hei",
	    "size",   "sz",       "fit",     "format",  "fm",     "fmt",
	    "q",      "quality",  "auto",    "dpr",     "crop",   "v",
	    "ver",    "version",  "rev",     "name",    "type",   "mode",
	    "scale",  "resize",   "rect",    "bg",      "family", "display",
	    "subset", "itok",     "static",  "lang",    "locale", "ext",
	    "file",   "filename", "disable", "upscale", "trim",   "blur",
	    "sat",    "usm",      "op_usm",  NULL};
	size_t i;

	for (i = 0; keys[i]; i++)
		if (bs_span_ieq(k, n, keys[i]))
			return true;
	return false;
}

/*
 * Words with which open-tracking endpoints name themselves: 2 for the
 * words that say so plainly, 1 for the ones that also name ordinary
 * files ("pixel.gif" is also a spacer's name).
 */
static int tracking_word(const char *s, size_t n)
{
	static const char *const strong[] = {
	    "open",      "opened",      "opens",     "track",      "tracking",
	    "tracker",   "trk",         "beacon",    "impression", "open.gif",
	    "open.php",  "track.php",   "open.aspx", "mark_read",  "email_open",
	    "emailopen", "emailopened", "openmail",  "track_open", "trackopen",
	    "[open]",    NULL};
	static const char *const weak[] = {
	    "pixel",     "imp", "view", "read", "o.gif", "t.gif",   "p.gif",
	    "pixel.gif", "op",  "o",    "log",  "count", "counter", NULL};
	size_t i, l;

	while (n && (*s == '_' || *s == '-')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == '_' || s[n - 1] == '-'))
		n--;
	l = n;

	/* compare the name without its extension too */
	for (i = 0; i < n; i++)
		if (s[i] == '.') {
			l = i;
			break;
		}
	for (i = 0; strong[i]; i++)
		if (bs_span_ieq(s, n, strong[i]) ||
		    bs_span_ieq(s, l, strong[i]))
			return 2;
	for (i = 0; weak[i]; i++)
		if (bs_span_ieq(s, n, weak[i]) || bs_span_ieq(s, l, weak[i]))
			return 1;
	return 0;
}

/* Letter case as words have it: all lower, all upper, Capitalised, or
 * camelCase with no two capitals in a row. */
static bool word_case(const char *s, size_t n)
{
	size_t i, upper = 0;
	bool prev_upper = false;

	for (i = 0; i < n; i++) {
		bool up = s[i] >= 'A' && s[i] <= 'Z';
		if (up) {
			upper++;
			if (prev_upper && upper != i + 1)
				return false;
		}
		prev_upper = up;
	}
	return upper == n || upper * 3 <= n;
}

/* "[open]", "{{id}}", "%%EMAIL%%", "*|UNIQID|*": a merge tag the sender's
 * software failed to fill in. */
static bool placeholder(const char *s, size_t n)
{
	if (n < 3)
		return false;
	return (s[0] == '[' && s[n - 1] == ']') ||
	       (s[0] == '{' && s[n - 1] == '}') ||
	       (n >= 4 && s[0] == '%' && s[1] == '%') ||
	       (n >= 4 && s[0] == '*' && s[1] == '|') ||
	       (s[0] == '$' && s[n - 1] == '$');
}

/*
 * Names made of words ("gldn-CP-Microsoft-Teams-Commercial",
 * "Twitter 2x") score as opaque when one part is not pronounceable; a
 * piece mostly made of word-like parts names a thing, not a reader.
 */
static bool wordish(const char *s, size_t n)
{
	size_t i = 0, j, k, good = 0, letters = 0;

	while (i < n) {
		size_t alpha = 0, digit = 0, vowels = 0;
		for (j = i; j < n && s[j] != '-' && s[j] != '_' &&
		            s[j] != '.' && s[j] != ' ' && s[j] != '+';
		     j++)
			;
		for (k = i; k < j; k++) {
			unsigned char c = (unsigned char)s[k];
			if (bs_is_ascii_alpha(c)) {
				alpha++;
				if (strchr("aeiouyAEIOUY", c))
					vowels++;
			} else if (bs_is_ascii_digit(c)) {
				digit++;
			}
		}
		letters += j - i;
		if (alpha + digit == j - i &&
		    ((alpha && digit == 0 && (vowels || alpha <= 4) &&
		      alpha <= 15 && word_case(s + i, j - i)) ||
		     (digit && alpha <= 2 && digit <= 4 && j - i <= 5)))
			good += j - i;
		i = j + 1;
	}
	return letters && good * 10 >= letters * 7 && n > 0 &&
	       (memchr(s, '-', n) || memchr(s, '_', n) || memchr(s, ' ', n) ||
	        memchr(s, '.', n) || memchr(s, '+', n));
}

static int piece_strength(const struct bs_token_shape *sh)
{
	if (sh->classes & (BS_TOKEN_WORD | BS_TOKEN_EMAIL))
		return 0;
	if ((sh->classes & BS_TOKEN_DATE) && !(sh->classes & BS_TOKEN_OPAQUE))
		return 0;
	if (sh->classes & BS_TOKEN_UUID)
		return 2;
	if (sh->classes & BS_TOKEN_HEX)
		return sh->len >= 16 ? 2 : 1;
	if (sh->classes & BS_TOKEN_OPAQUE)
		return sh->len >= 16 ? 2 : 1;
	if ((sh->classes & BS_TOKEN_DECIMAL) && sh->len >= 6)
		return 1;
	return 0;
}

/* A long opaque piece in both letter cases: an encrypted payload. */
static bool mixed_token(const struct bs_token_shape *sh)
{
	return (sh->classes & BS_TOKEN_OPAQUE) && sh->len >= 20 && sh->upper &&
	       sh->lower;
}

/* A short code a shortener or tracker hands out: "7v32nb0l", "pQjMSG",
 * "CoQv-kntD70"; not a word, not a number. */
static bool short_code(const char *s, size_t n, const struct bs_token_shape *sh)
{
	size_t i, sep = 0;

	if (sh->classes & (BS_TOKEN_WORD | BS_TOKEN_DECIMAL))
		return false;
	for (i = 0; i < n; i++)
		if (s[i] == '-' || s[i] == '_')
			sep++;
	if (sh->other != sep || sep > 1)
		return false;
	if (sh->digit > 0 && sh->lower + sh->upper > 0)
		return true;
	return sh->upper && sh->lower && !word_case(s, n);
}

/* Length without trailing whitespace (a CR LF pasted into an attribute
 * ends up percent-encoded at the end of the path). */
static size_t trim_len(const char *s, size_t n)
{
	while (n && (s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == ' ' ||
	             s[n - 1] == '\t'))
		n--;
	return n;
}

/* Only the characters of base64(url) and hex tokens: not a list of font
 * weights ("Lato:ital,wght@0,100;0,300") or any other spelled-out value. */
static bool token_alphabet(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!bs_is_ascii_alpha((unsigned char)s[i]) &&
		    !bs_is_ascii_digit((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '=' && s[i] != '+' && s[i] != '/' &&
		    s[i] != '.')
			return false;
	return true;
}

/* A page or script that builds the answer per request: "open.php". */
static bool script_name(const char *s, size_t n)
{
	static const char *const exts[] = {".php",  ".asp", ".aspx",
	                                   ".ashx", ".cgi", ".jsp",
	                                   ".pl",   ".do",  NULL};

	return ends_in_one_of(s, n, exts);
}

/* "name@2x.png" is a retina image, not an address. */
static bool real_address(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t dn;

	if (at == NULL)
		return false;
	dn = (size_t)(s + n - (at + 1));
	if (span_has_ext(at + 1, dn))
		return false;
	return !(dn >= 2 && bs_is_ascii_digit((unsigned char)at[1]) &&
	         (at[2] == 'x' || at[2] == 'X'));
}

static int strength_of(const char *text, size_t len,
                       const struct bs_token_shape *sh)
{
	return wordish(text, len) ? 0 : piece_strength(sh);
}

/* Identifier-like runs in a fragment: never sent to the server, but a
 * hidden image whose only token sits there still names its target. */
static int fragment_strength(const char *s, size_t n)
{
	struct bs_token_shape sh;
	size_t i = 0, j;
	int best = 0, k;

	while (i < n) {
		for (j = i; j < n && (bs_is_ascii_alpha((unsigned char)s[j]) ||
		                      bs_is_ascii_digit((unsigned char)s[j]) ||
		                      s[j] == '_' || s[j] == '-' ||
		                      s[j] == '+' || s[j] == '=');
		     j++)
			;
		if (j - i >= 8) {
			bs_token_classify(&sh, s + i, j - i);
			k = strength_of(s + i, j - i, &sh);
			if (k > best)
				best = k;
		}
		i = j + 1;
	}
	return best;
}

static int url_features(struct urlfeat *f, const struct bs_url *u,
                        const struct judge_ctx *ctx)
{
	struct bs_url_tokens *t = NULL;
	size_t i, n, last_path = (size_t)-1, npath = 0;
	int rc;

	rc = bs_url_tokens(&t, u, ctx->limits, ctx->problems);
	if (rc)
		return rc;
	n = bs_url_tokens_count(t);
	for (i = 0; i < n; i++)
		if (bs_url_tokens_get(t, i)->where == BS_TOKEN_PATH) {
			last_path = i;
			npath++;
		}
	if (last_path != (size_t)-1) {
		const struct bs_url_token *k = bs_url_tokens_get(t, last_path);
		f->file_name =
		    span_has_ext(k->text, trim_len(k->text, k->text_len));
		f->script = script_name(k->text, k->text_len);
	}
	for (i = 0; i < n; i++) {
		const struct bs_url_token *k = bs_url_tokens_get(t, i);
		const struct bs_url_token *next =
		    i + 1 < n ? bs_url_tokens_get(t, i + 1) : NULL;
		struct bs_token_shape sh = k->shape;
		const char *text = k->text;
		size_t len = k->text_len;
		int st;

		if (k->where == BS_TOKEN_QUERY_VALUE &&
		    (sh.classes & BS_TOKEN_EMAIL) && real_address(text, len))
			f->address = true;
		switch (k->where) {
		case BS_TOKEN_HOST_LABEL:
			if ((sh.classes & BS_TOKEN_OPAQUE) && sh.len >= 20)
				f->host_token = true;
			/* beacon.example, track.example: not for "open.": a
			 * word that names many a company. */
			if (tracking_word(text, len) == 2 &&
			    !bs_span_ieq(text, len, "open"))
				f->tracking_word = 2;
			break;
		case BS_TOKEN_PATH:
			if (tracking_word(text, len) > f->tracking_word)
				f->tracking_word = tracking_word(text, len);
			if (i == last_path)
				len = trim_len(text, len);
			if (i == last_path && f->file_name) {
				const char *dot = memrchr(text, '.', len);
				len = (size_t)(dot - text);
				bs_token_classify(&sh, text, len);
			}
			st = strength_of(text, len, &sh);
			if (placeholder(text, len))
				f->placeholder = true;
			if (st == 0 && len >= 5 && len <= 12 &&
			    short_code(text, len, &sh) &&
			    !(i == last_path && f->file_name))
				f->short_id = true;
			if (i != last_path) {
				if (st > f->dir_strength)
					f->dir_strength = st;
				if ((sh.classes & BS_TOKEN_DECIMAL) &&
				    sh.len >= 6)
					f->dir_number = true;
				if (st == 2 && sh.len >= 24 && sh.upper &&
				    sh.lower &&
				    !(sh.classes &
				      (BS_TOKEN_HEX | BS_TOKEN_UUID)))
					f->dir_payload = true;
				/* Solid tokens (no separators) of mixed case,
				 * or of upper case and digits, long and not
				 * hex: content stores name files by hash, UUID
				 * or number, not like this. */
				if (st == 2 && !sh.other &&
				    !(sh.classes &
				      (BS_TOKEN_HEX | BS_TOKEN_UUID)) &&
				    ((sh.len >= 24 && sh.upper && sh.lower) ||
				     (sh.len >= 32 && sh.upper && sh.digit &&
				      !sh.lower)))
					f->dir_solid = true;
				break;
			}
			f->stem_strength = st;
			if (npath == 1 && !f->file_name &&
			    (sh.classes & BS_TOKEN_OPAQUE) && sh.len >= 24 &&
			    sh.upper && sh.lower)
				f->bare_token = true;
			/* /<opaque>/<code>: two pieces, neither a name. */
			if (npath == 2 && !f->file_name && i > 0 &&
			    (st > 0 || f->short_id) &&
			    bs_url_tokens_get(t, i - 1)->where ==
			        BS_TOKEN_PATH &&
			    mixed_token(&bs_url_tokens_get(t, i - 1)->shape))
				f->bare_token = true;
			break;
		case BS_TOKEN_QUERY_KEY:
			if (tracking_word(text, len) > f->tracking_word)
				f->tracking_word = tracking_word(text, len);
			/* w=600, q=75: tuning a shared image. A long token
			 * under such a key is still a token. */
			if (presentational_key(text, len) &&
			    !(next && next->where == BS_TOKEN_QUERY_VALUE &&
			      next->index == k->index &&
			      token_alphabet(next->text, next->text_len) &&
			      strength_of(next->text, next->text_len,
			                  &next->shape) == 2)) {
				if (next &&
				    next->where == BS_TOKEN_QUERY_VALUE &&
				    next->index == k->index)
					i++; /* skip its value */
				break;
			}
			/* "?1733412245": a cache buster, the same for all. */
			if (!(next && next->index == k->index) &&
			    (sh.classes & BS_TOKEN_DATE))
				break;
			f->query_params++;
			/* Keys are words; a key that is a token is one. */
			st = strength_of(text, len, &sh);
			if (st == 2 ||
			    (st && !(next && next->index == k->index)))
				if (st > f->query_strength)
					f->query_strength = st;
			break;
		case BS_TOKEN_QUERY_VALUE:
			if (tracking_word(text, len) > f->tracking_word)
				f->tracking_word = tracking_word(text, len);
			/* A URL inside a URL (a proxy's or a redirector's
			 * target) is judged on its own (unwrap()), not taken
			 * for a token. */
			if (bs_span_iprefix(text, len, "http://") ||
			    bs_span_iprefix(text, len, "https://"))
				break;
			st = strength_of(text, len, &sh);
			if (st > f->query_strength)
				f->query_strength = st;
			break;
		}
	}
	bs_url_tokens_free(&t);
	if (bs_url_has_fragment(u)) {
		const char *fr = bs_url_get(u, BS_URL_FRAGMENT, &n);
		f->fragment_strength = fragment_strength(fr, n);
		if (bs_span_ifind(fr, n, "track", 5) ||
		    bs_span_ifind(fr, n, "open", 4))
			f->tracking_word = 2;
	}
	return 0;
}

/*
 * An image proxy (Gmail, Outlook, Yahoo) fetches on the reader's behalf,
 * so it hides the reader's IP address and client, but the open still
 * reaches the sender when the wrapped URL is a tracker. The wrapped URL
 * is in the fragment (Gmail: "#https://...") or in a query value that is
 * itself an http(s) URL (Outlook "?u=", Yahoo "?url=").
 */
static struct bs_url *unwrap(const struct bs_url *u,
                             const struct judge_ctx *ctx)
{
	struct bs_url_tokens *t = NULL;
	struct bs_url *in = NULL;
	const char *s;
	size_t n, i;

	if (bs_url_has_fragment(u)) {
		s = bs_url_get(u, BS_URL_FRAGMENT, &n);
		if ((bs_span_iprefix(s, n, "http://") ||
		     bs_span_iprefix(s, n, "https://")) &&
		    bs_url_parse(&in, s, n, NULL, ctx->limits, NULL) == 0)
			return in;
	}
	if (bs_url_tokens(&t, u, ctx->limits, NULL))
		return NULL;
	for (i = 0; i < bs_url_tokens_count(t) && in == NULL; i++) {
		const struct bs_url_token *k = bs_url_tokens_get(t, i);
		if (k->where == BS_TOKEN_QUERY_VALUE &&
		    (bs_span_iprefix(k->text, k->text_len, "http://") ||
		     bs_span_iprefix(k->text, k->text_len, "https://")) &&
		    bs_url_parse(&in, k->text, k->text_len, NULL, ctx->limits,
		                 NULL) != 0)
			in = NULL;
	}
	bs_url_tokens_free(&t);
	return in;
}

/*
 * Tiny: no more than 3x3 px, or one side of 3 px or less with the other
 * unknown, or a sliver (one side of 1 px or less, the other at most 40):
 * a 600x1 rule is a divider, a 20x1 sliver is not.
 */
static bool is_tiny(int w, int h)
{
	if (w >= 0 && h >= 0)
		return (w <= 3 && h <= 3) || (w <= 1 && h <= 40) ||
		       (h <= 1 && w <= 40);
	return (w >= 0 && w <= 3) || (h >= 0 && h <= 3);
}

static bool visible(const struct ref *r, const struct feat *f)
{
	return (r->flags & REF_IMAGE) && !f->tiny && !f->hidden;
}

struct keyed {
	const char *k;
	size_t n;
	size_t i;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = memcmp(x->k, y->k, x->n < y->n ? x->n : y->n);

	if (c)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

/*
 * How often each beacon's URL and host occur among the message's beacons:
 * sorting keeps this O(n log n) for the 100,000 references a hostile
 * message may carry.
 */
static int count_runs(struct feat *f, const struct ref_list *refs)
{
	struct keyed *a;
	size_t i, j, k, n = 0;
	int pass;

	a = bs_calloc(refs->n, sizeof(*a));
	if (a == NULL)
		return BS_ENOMEM;
	for (pass = 0; pass < 2; pass++) {
		n = 0;
		for (i = 0; i < refs->n; i++) {
			if (refs->v[i].flags & REF_LINK)
				continue;
			a[n].k = pass ? bs_url_get(refs->v[i].url, BS_URL_HOST,
			                           &a[n].n)
			              : bs_url_href(refs->v[i].url, &a[n].n);
			a[n++].i = i;
		}
		qsort(a, n, sizeof(*a), keyed_cmp);
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n && keyed_cmp(&a[i], &a[j]) == 0;
			     j++)
				;
			size_t nvis = 0, nimg = 0;
			for (k = i; k < j && !pass; k++)
				if (refs->v[a[k].i].flags & REF_IMAGE)
					nimg++;

			for (k = i; k < j && !pass; k++)
				if (visible(&refs->v[a[k].i], &f[a[k].i]))
					nvis++;
			for (k = i; k < j; k++) {
				if (pass) {
					f[a[k].i].host_refs = (unsigned)(j - i);
				} else {
					f[a[k].i].group = a[i].i;
					f[a[k].i].repeats =
					    (unsigned)(j - i - 1);
					f[a[k].i].img_repeats =
					    (unsigned)nimg -
					    ((refs->v[a[k].i].flags & REF_IMAGE)
					         ? 1u
					         : 0u);
					/* shown elsewhere: another copy is seen
					 */
					f[a[k].i].shown =
					    nvis > (visible(&refs->v[a[k].i],
					                    &f[a[k].i])
					                ? 1u
					                : 0u);
				}
			}
		}
	}
	bs_free(a);
	return 0;
}

static const char *id_reason(const struct urlfeat *f)
{
	if (f->query_strength || f->query_params)
		return "token-query";
	return "token-path";
}

/* The rules. Order matters: the first that decides wins. */
static void decide(struct verdict *v, const struct ref *r, const struct feat *f)
{
	bool image = (r->flags & REF_IMAGE) != 0;
	bool invisible = f->tiny || f->hidden;
	bool resource = (r->flags & (REF_FONT | REF_IMPORT)) ||
	                strncmp(r->vector, "link.", 5) == 0;
	/* An identifier a reader-specific URL would carry: in the query, or
	 * in a path that does not end in a file name. */
	bool ident_like = f->u.query_strength > 0 ||
	                  (!f->u.file_name &&
	                   (f->u.stem_strength > 0 || f->u.dir_strength == 2));
	/* For an image nobody sees, anything that varies will do: a
	 * spacer has no reason to carry parameters or numbers. */
	bool varies =
	    ident_like || f->u.query_params > 0 || f->u.stem_strength == 2 ||
	    f->u.short_id || f->u.host_token || f->u.fragment_strength ||
	    f->u.dir_payload || f->u.placeholder ||
	    (!f->u.file_name && f->u.dir_strength > 0) ||
	    f->u.tracking_word == 2 || (f->u.tracking_word && f->u.dir_number);

	if (r->flags & REF_OUTLOOK_ONLY)
		add_reason(v, "outlook-only");
	if (f->proxied)
		add_reason(v, "proxied");
	if (f->u.sig && f->u.sm.kind == SIG_OPEN) {
		v->label = BS_LABEL_PIXEL;
		v->vendor = f->u.sm.vendor;
		add_reason(v, "vendor-open");
		goto shape;
	}
	if (f->u.sig && f->u.sm.kind == SIG_IMAGE) {
		v->label =
		    invisible ? BS_LABEL_PIXEL : BS_LABEL_TRACKED_CONTENT;
		v->vendor = f->u.sm.vendor;
		add_reason(v, "vendor-image");
		goto shape;
	}
	if (f->u.ident || f->u.address) {
		v->label = image && !invisible ? BS_LABEL_TRACKED_CONTENT
		                               : BS_LABEL_PIXEL;
		v->recipient_leak = f->u.ident ? f->u.ident : "plain";
		add_reason(v,
		           f->u.ident ? "recipient-in-url" : "address-in-url");
		goto shape;
	}
	if (f->u.click_sig) {
		v->label = BS_LABEL_PIXEL;
		v->vendor = f->u.sm.vendor;
		add_reason(v, "click-tracker-as-beacon");
		goto shape;
	}
	if (f->shown) {
		/* The same image shown to the reader elsewhere in the
		 * message: a copy of content, whatever its size here. */
		v->label = BS_LABEL_CONTENT;
		add_reason(v, "static");
		return;
	}
	/* A per-reader pixel is there once; a spacer is used all over. */
	if (f->tiny && varies && (f->img_repeats < 2 || ident_like)) {
		v->label = BS_LABEL_PIXEL;
		add_reason(v, f->u.tracking_word == 2 && !ident_like
		                  ? "tracking-word"
		                  : id_reason(&f->u));
		goto shape;
	}
	if (f->hidden && !f->large &&
	    (ident_like || f->u.fragment_strength || f->u.dir_payload)) {
		v->label = BS_LABEL_PIXEL;
		add_reason(v, id_reason(&f->u));
		goto shape;
	}
	if (f->u.tracking_word == 2 &&
	    (ident_like || f->u.short_id || f->u.placeholder ||
	     f->u.dir_number || f->u.query_params)) {
		/* A URL that says it tracks, and names something. */
		v->label = image && !invisible && f->large
		               ? BS_LABEL_TRACKED_CONTENT
		               : BS_LABEL_PIXEL;
		add_reason(v, "tracking-word");
		add_reason(v, id_reason(&f->u));
		goto shape;
	}
	if (resource && f->u.query_strength == 2) {
		v->label = BS_LABEL_PIXEL;
		add_reason(v,
		           (r->flags & REF_FONT) ? "css-font" : "css-import");
		add_reason(v, "token-query");
		goto shape;
	}
	if ((r->flags & REF_CSS) && f->u.query_strength == 2) {
		/* A CSS background with a token in its query: decoration
		 * has no reason to vary per reader. */
		v->label =
		    invisible ? BS_LABEL_PIXEL : BS_LABEL_TRACKED_CONTENT;
		add_reason(v, "token-query");
		goto shape;
	}
	if (!image && !(r->flags & REF_CSS) && !resource && ident_like) {
		/* Media, frames, objects, SVG uses: nothing a reader reads
		 * needs an identifier. */
		v->label = BS_LABEL_PIXEL;
		add_reason(v, id_reason(&f->u));
		goto shape;
	}
	if (image && !invisible && f->u.dir_solid && !f->shown) {
		/* A shown image stored under an encoded payload: its path
		 * is made for this message. */
		v->label = BS_LABEL_TRACKED_CONTENT;
		add_reason(v, "token-path");
		goto shape;
	}
	if (image && f->u.bare_token && r->width < 0 && r->height < 0 &&
	    !(r->flags & REF_HAS_ALT)) {
		v->label = BS_LABEL_PIXEL;
		add_reason(v, "lone-remote");
		add_reason(v, "token-path");
		goto shape;
	}
	if (image && f->u.script && f->u.query_strength == 2 && r->width < 0 &&
	    r->height < 0 && !f->repeats) {
		/* A script that answers an image request with an opaque
		 * token: it serves a reader, not a picture. */
		v->label = BS_LABEL_PIXEL;
		add_reason(v, "script-image");
		add_reason(v, "token-query");
		goto shape;
	}
	v->label = BS_LABEL_CONTENT;
	add_reason(v, invisible && !varies ? "spacer" : "static");
	return;
shape:
	if (f->tiny)
		add_reason(v, "tiny");
	if (r->flags & REF_HIDDEN)
		add_reason(v, "hidden");
	if (r->flags & REF_HIDDEN_ANCESTOR)
		add_reason(v, "hidden-ancestor");
	if (f->offscreen)
		add_reason(v, "offscreen");
}

/* Evidence from one URL: signatures, the reader's address, its pieces. */
static int url_evidence(struct urlfeat *f, const struct bs_url *u,
                        const struct judge_ctx *ctx)
{
	const char *href;
	size_t hlen;

	href = bs_url_href(u, &hlen);
	f->sig = sig_set_match(ctx->sigs, href, hlen,
	                       (1u << SIG_OPEN) | (1u << SIG_IMAGE), &f->sm);
	if (!f->sig)
		f->click_sig = sig_set_match(ctx->sigs, href, hlen,
		                             1u << SIG_CLICK, &f->sm);
	f->ident = ident_find(ctx->ident, href, hlen, NULL);
	return url_features(f, u, ctx);
}

/*
 * A URL that tracks in one place tracks everywhere: the same address used
 * as a stylesheet, a background and a 1x1 image is one beacon fired three
 * ways. (Sorting in count_runs() made the group of each URL known.)
 */
static void same_url_same_verdict(struct verdict *v,
                                  const struct ref_list *refs,
                                  const struct feat *f)
{
	bool *tracked;
	size_t i;

	tracked = bs_calloc(refs->n, sizeof(*tracked));
	if (tracked == NULL)
		return; /* degrade: each keeps its own verdict */
	for (i = 0; i < refs->n; i++)
		if (!(refs->v[i].flags & REF_LINK) &&
		    v[i].label != BS_LABEL_CONTENT)
			tracked[f[i].group] = true;
	for (i = 0; i < refs->n; i++) {
		if ((refs->v[i].flags & REF_LINK) || !tracked[f[i].group] ||
		    v[i].label != BS_LABEL_CONTENT)
			continue;
		memset(&v[i], 0, sizeof(v[i]));
		v[i].label =
		    (refs->v[i].flags & REF_IMAGE) && !f[i].tiny && !f[i].hidden
		        ? BS_LABEL_TRACKED_CONTENT
		        : BS_LABEL_PIXEL;
		add_reason(&v[i], "same-url-as-tracker");
	}
	bs_free(tracked);
}

int judge_message(struct verdict *v, const struct ref_list *refs,
                  const struct judge_ctx *ctx)
{
	struct feat *f;
	size_t i, last = (size_t)-1;
	int rc = 0;

	memset(v, 0, refs->n * sizeof(*v));
	if (refs->n == 0)
		return 0;
	f = bs_calloc(refs->n, sizeof(*f));
	if (f == NULL)
		return BS_ENOMEM;
	for (i = 0; i < refs->n; i++)
		if (!(refs->v[i].flags & REF_LINK))
			last = i;
	for (i = 0; i < refs->n && rc == 0; i++) {
		const struct ref *r = &refs->v[i];
		const char *href;
		size_t hlen;

		href = bs_url_href(r->url, &hlen);
		if (r->flags & REF_LINK) {
			struct sig_match m;
			if (sig_set_match(ctx->sigs, href, hlen,
			                  1u << SIG_CLICK, &m))
				v[i].tracked_link = true;
			continue;
		}
		f[i].tiny = is_tiny(r->width, r->height);
		f[i].large = r->width >= 50 || r->height >= 50;
		f[i].hidden = (r->flags & (REF_HIDDEN | REF_HIDDEN_ANCESTOR |
		                           REF_OFFSCREEN)) != 0;
		f[i].offscreen = (r->flags & REF_OFFSCREEN) != 0;
		f[i].last = i == last;
		rc = url_evidence(&f[i].u, r->url, ctx);
		if (rc == 0 && !f[i].u.sig && !f[i].u.ident) {
			struct bs_url *inner = unwrap(r->url, ctx);
			struct sig_match pm;
			if (inner) {
				struct urlfeat g;
				memset(&g, 0, sizeof(g));
				rc = url_evidence(&g, inner, ctx);
				if (rc == 0 &&
				    sig_set_match(ctx->sigs, href, hlen,
				                  1u << SIG_PROXY, &pm)) {
					/* The proxy's own URL says nothing. */
					f[i].u = g;
					f[i].proxied = true;
				} else if (rc == 0 && (g.sig || g.ident)) {
					/* A redirect to a tracker. */
					f[i].u.sig = g.sig;
					f[i].u.sm = g.sm;
					f[i].u.ident = g.ident;
				}
				bs_url_free(&inner);
			}
		}
	}
	if (rc == 0)
		rc = count_runs(f, refs);
	for (i = 0; i < refs->n && rc == 0; i++)
		if (!(refs->v[i].flags & REF_LINK))
			decide(&v[i], &refs->v[i], &f[i]);
	if (rc == 0)
		same_url_same_verdict(v, refs, f);
	for (i = 0; i < refs->n && rc == 0; i++) {
		if (refs->v[i].flags & REF_LINK)
			continue;
		if (v[i].label == BS_LABEL_CONTENT)
			v[i].learns = BS_LEARN_IP | BS_LEARN_CLIENT;
		else
			v[i].learns = BS_LEARN_OPEN | BS_LEARN_TIME |
			              BS_LEARN_IP | BS_LEARN_CLIENT |
			              BS_LEARN_IDENTITY;
	}
	bs_free(f);
	return rc;
}
