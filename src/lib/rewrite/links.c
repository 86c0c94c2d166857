/*
 * links.c - what clean may do to links (fetched on click, not on open):
 * drop known tracking parameters, or replace a redirector by the target it
 * carries. One-click action links are recognised so that clean never
 * touches them: their token is the action, and a changed URL may
 * unsubscribe nobody or confirm nothing.
 */
#include <string.h>

#include "rewrite/rewrite.h"
#include "url/token.h"
#include "util/str.h"

static bool has_word(const char *s, size_t n, const char *const *words)
{
	size_t i;

	for (i = 0; words[i]; i++)
		if (bs_span_ifind(s, n, words[i], strlen(words[i])))
			return true;
	return false;
}

bool rw_link_one_click(const char *url, size_t n, const char *text, size_t tn)
{
	/* Substrings: a false positive only leaves a link as it was. */
	static const char *const url_words[] = {
	    "unsub",    "optout",  "opt-out",   "opt_out", "confirm",
	    "verify",   "verif",   "validat",   "activat", "reset",
	    "password", "passwd",  "login",     "log-in",  "log_in",
	    "signin",   "sign-in", "sign_in",   "logon",   "magic",
	    "oauth",    "/auth",   "auth=",     "otp",     "approve",
	    "accept",   "decline", "rsvp",      "cancel",  "preferences",
	    "manage",   "remove",  "subscribe", "token=",  "invite",
	    "download", NULL};
	static const char *const text_words[] = {
	    "unsubscribe", "abmelden", "désinscri", "desinscri",   "confirm",
	    "verify",      "activate", "reset",     "log in",      "login",
	    "sign in",     "approve",  "accept",    "decline",     "rsvp",
	    "cancel",      "opt out",  "opt-out",   "preferences", "bestätig",
	    "download",    NULL};

	return has_word(url, n, url_words) ||
	       (text && has_word(text, tn, text_words));
}

static bool tracking_key(const char *k, size_t n)
{
	static const char *const keys[] = {"mc_eid",
	                                   "mc_cid",
	                                   "_hsenc",
	                                   "_hsmi",
	                                   "__hssc",
	                                   "__hstc",
	                                   "__hsfp",
	                                   "hsctatracking",
	                                   "fbclid",
	                                   "gclid",
	                                   "gclsrc",
	                                   "dclid",
	                                   "gbraid",
	                                   "wbraid",
	                                   "msclkid",
	                                   "yclid",
	                                   "mkt_tok",
	                                   "oly_anon_id",
	                                   "oly_enc_id",
	                                   "_openstat",
	                                   "vero_id",
	                                   "vero_conv",
	                                   "wickedid",
	                                   "igshid",
	                                   "ml_subscriber",
	                                   "ml_subscriber_hash",
	                                   "elqtrackid",
	                                   "elqtrack",
	                                   "elqaid",
	                                   "elqat",
	                                   "elqcampaignid",
	                                   "_ga",
	                                   "_gl",
	                                   "s_cid",
	                                   "ss_source",
	                                   "ss_campaign_id",
	                                   "sc_cid",
	                                   "trk",
	                                   "trkcampaign",
	                                   "mbid",
	                                   "cmpid",
	                                   "ncid",
	                                   "sr_share",
	                                   "ck_subscriber_id",
	                                   "rb_clickid",
	                                   "redirect_log_mongo_id",
	                                   "redirect_mongo_id",
	                                   NULL};
	size_t i;

	if (n > 4 && bs_span_iprefix(k, n, "utm_"))
		return true;
	for (i = 0; keys[i]; i++)
		if (bs_span_ieq(k, n, keys[i]))
			return true;
	return false;
}

int rw_link_strip_params(struct bs_buf *out, const char *url, size_t n,
                         bool *changed)
{
	const char *q = memchr(url, '?', n), *h = memchr(url, '#', n);
	const char *end, *p;
	bool first = true;

	*changed = false;
	if (q == NULL || (h && h < q)) {
		bs_buf_append(out, url, n);
		return bs_buf_error(out);
	}
	end = h ? h : url + n;
	bs_buf_append(out, url, (size_t)(q - url));
	for (p = q + 1; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end, *eq;
		size_t kn;

		eq = memchr(p, '=', (size_t)(pe - p));
		kn = (size_t)((eq ? eq : pe) - p);
		if (tracking_key(p, kn)) {
			*changed = true;
		} else if (pe > p) {
			bs_buf_putc(out, first ? '?' : '&');
			bs_buf_append(out, p, (size_t)(pe - p));
			first = false;
		}
		p = amp ? amp + 1 : end;
	}
	if (!*changed) {
		/* nothing dropped: keep every byte as it was */
		bs_buf_reset(out);
		bs_buf_append(out, url, n);
		return bs_buf_error(out);
	}
	if (h)
		bs_buf_append(out, h, (size_t)(url + n - h));
	return bs_buf_error(out);
}

int rw_link_target(struct bs_buf *out, const char *url, size_t n, bool *found)
{
	const char *q = memchr(url, '?', n), *end, *p;
	struct bs_buf v;
	int rc = 0;

	*found = false;
	if (q == NULL)
		return 0;
	end = memchr(q, '#', (size_t)(url + n - q));
	if (end == NULL)
		end = url + n;
	bs_buf_init(&v, n + 1);
	for (p = q + 1; p < end && !*found && rc == 0;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pe - p));

		if (eq) {
			bs_buf_reset(&v);
			rc = bs_decode_percent(&v, eq + 1,
			                       (size_t)(pe - eq - 1), false);
			if (rc == 0 &&
			    (bs_span_iprefix(v.data, v.len, "http://") ||
			     bs_span_iprefix(v.data, v.len, "https://"))) {
				size_t i;
				bool clean = true;
				/* a target to write back: no controls, no
				 * blanks */
				for (i = 0; i < v.len; i++)
					if ((unsigned char)v.data[i] <= ' ' ||
					    v.data[i] == 0x7F)
						clean = false;
				if (clean) {
					bs_buf_append(out, v.data, v.len);
					*found = true;
				}
			}
		}
		p = amp ? amp + 1 : end;
	}
	bs_buf_release(&v);
	return rc ? rc : bs_buf_error(out);
}

bool rw_link_known_redirector(const char *url, size_t n)
{
	static const char *const r[] = {"://www.google.com/url?",
	                                "://google.com/url?",
	                                "://l.facebook.com/l.php?",
	                                "://lm.facebook.com/l.php?",
	                                "://l.instagram.com/?",
	                                ".safelinks.protection.outlook.com/",
	                                "://out.reddit.com/",
	                                "://www.youtube.com/redirect?",
	                                "://slack-redir.net/link?",
	                                "://href.li/?",
	                                "://steamcommunity.com/linkfilter/?",
	                                "://away.vk.com/away.php?",
	                                NULL};

	return has_word(url, n, r);
}
