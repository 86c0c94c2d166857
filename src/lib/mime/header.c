/*
 * header.c - header field values as mail clients show them, via GMime.
 *
 * Raw bytes first become UTF-8 (valid UTF-8 is kept, anything else is read
 * as windows-1252, the WHATWG reading of "latin1"); then GMime decodes RFC
 * 2047 words (leniently: words glued to text, split multi-byte characters,
 * unknown charsets through the fallback list utf-8, windows-1252), parses
 * address lists, dates and Message-IDs. GMime's allocations are copied
 * into the message arena and released at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <gmime/gmime.h>

#include "mime/mime_int.h"
#include "util/alloc.h"
#include "util/arena.h"

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static GMimeParserOptions *gm_opts;

int mime_global_init(void)
{
	static const char *fallback[] = {"utf-8", "windows-1252", NULL};

	pthread_mutex_lock(&init_lock);
	if (gm_opts == NULL) {
		g_mime_init();
		gm_opts = g_mime_parser_options_new();
		g_mime_parser_options_set_fallback_charsets(gm_opts, fallback);
		g_mime_parser_options_set_rfc2047_compliance_mode(
		    gm_opts, GMIME_RFC_COMPLIANCE_LOOSE);
		g_mime_parser_options_set_address_compliance_mode(
		    gm_opts, GMIME_RFC_COMPLIANCE_LOOSE);
		g_mime_parser_options_set_parameter_compliance_mode(
		    gm_opts, GMIME_RFC_COMPLIANCE_LOOSE);
	}
	pthread_mutex_unlock(&init_lock);
	return 0;
}

void mime_global_shutdown(void)
{
	pthread_mutex_lock(&init_lock);
	if (gm_opts) {
		g_mime_parser_options_free(gm_opts);
		gm_opts = NULL;
		g_mime_shutdown();
	}
	pthread_mutex_unlock(&init_lock);
}

void *hdr_gmime_options(void)
{
	return gm_opts;
}

char *hdr_unfold(struct bs_arena *a, const char *s, size_t n, size_t max,
                 size_t *outlen, bool *had_8bit)
{
	char *tmp;
	size_t i, j = 0;
	bool eight = false;

	if (n > max)
		n = max;
	tmp = bs_arena_alloc(a, n + 1);
	if (tmp == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\0' || c == '\r')
			continue;
		if (c == '\n') {
			/* Folding drops the line break; an unindented
			 * continuation keeps a word break. */
			if (i + 1 < n && (s[i + 1] == ' ' || s[i + 1] == '\t'))
				continue;
			c = ' ';
		}
		if (c >= 0x80)
			eight = true;
		tmp[j++] = (char)c;
	}
	tmp[j] = '\0';
	if (had_8bit)
		*had_8bit = eight;
	if (outlen)
		*outlen = j;
	return tmp;
}

char *hdr_text_utf8(struct bs_arena *a, const char *s, size_t n, size_t max,
                    bool *had_8bit)
{
	char *tmp, *out;
	size_t j;
	bool eight;
	int ovf = 0;

	tmp = hdr_unfold(a, s, n, max, &j, &eight);
	if (had_8bit)
		*had_8bit = eight;
	if (tmp == NULL || !eight || cs_utf8_valid(tmp, j))
		return tmp;
	out = bs_arena_alloc(a, bs_add(bs_mul(j, 3, &ovf), 1, &ovf));
	if (out == NULL || ovf)
		return NULL;
	out[cs_w1252_to_utf8(out, tmp, j)] = '\0';
	return out;
}

/* Trimmed copy; control characters (a decoded word may hold a line
 * break or worse) become spaces, as a report line needs. */
static char *trim_copy(struct bs_arena *a, const char *s)
{
	size_t n, i;
	char *r;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || (unsigned char)s[n - 1] < ' '))
		n--;
	r = bs_arena_strndup(a, s, n);
	if (r)
		for (i = 0; i < n; i++)
			if ((unsigned char)r[i] < ' ' || r[i] == 0x7F)
				r[i] = ' ';
	return r;
}

/* Copy a GMime result into the arena as valid UTF-8, then g_free it. */
static char *take_gstr(struct bs_arena *a, char *g)
{
	char *r;

	if (g == NULL)
		return NULL;
	if (cs_utf8_valid(g, strlen(g)))
		r = trim_copy(a, g);
	else
		r = hdr_text_utf8(a, g, strlen(g), (size_t)-1, NULL);
	g_free(g);
	return r;
}

char *hdr_decode_text(struct bs_arena *a, const char *s, size_t n, size_t max,
                      struct bs_problems *pb)
{
	char *u, *d;

	u = hdr_text_utf8(a, s, n, max, NULL);
	if (u == NULL)
		return NULL;
	if (strstr(u, "=?") == NULL)
		return trim_copy(a, u);
	d = take_gstr(a, g_mime_utils_header_decode_text(gm_opts, u));
	/* GMime leaves a word it cannot decode as it was. */
	if (d && strstr(d, "=?"))
		bs_problems_add(pb, "mime", "bad-encoded-word");
	return d;
}

struct addr_vec {
	struct bs_arena *a;
	struct mime_address **v;
	size_t *n;
	size_t *cap;
};

static int push_addr(struct addr_vec *av, const char *name, const char *addr)
{
	struct mime_address *nv;
	size_t cap;
	int ovf = 0;

	if (*av->n == *av->cap) {
		cap = *av->cap ? *av->cap * 2 : 4;
		nv = bs_arena_alloc(av->a, bs_mul(cap, sizeof(*nv), &ovf));
		if (nv == NULL || ovf)
			return BS_ENOMEM;
		if (*av->n)
			memcpy(nv, *av->v, *av->n * sizeof(*nv));
		*av->v = nv;
		*av->cap = cap;
	}
	(*av->v)[*av->n].name = name;
	(*av->v)[*av->n].addr = addr;
	(*av->n)++;
	return 0;
}

static int walk_list(struct addr_vec *av, InternetAddressList *l,
                     unsigned depth)
{
	InternetAddress *ia;
	const char *nm;
	char *name, *addr;
	int i, len, err;

	len = internet_address_list_length(l);
	for (i = 0; i < len; i++) {
		ia = internet_address_list_get_address(l, i);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			if (depth < 2 &&
			    (err = walk_list(av,
			                     internet_address_group_get_members(
			                         INTERNET_ADDRESS_GROUP(ia)),
			                     depth + 1)) != 0)
				return err;
			continue;
		}
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		nm = internet_address_get_name(ia);
		name = take_gstr(av->a, g_strdup(nm ? nm : ""));
		nm = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia));
		addr = take_gstr(av->a, g_strdup(nm ? nm : ""));
		if (name == NULL || addr == NULL)
			return BS_ENOMEM;
		if ((err = push_addr(av, name, addr)) != 0)
			return err;
	}
	return 0;
}

int hdr_decode_addresses(struct bs_arena *a, struct mime_address **v, size_t *n,
                         size_t *cap, const char *s, size_t len, size_t max,
                         struct bs_problems *pb)
{
	struct addr_vec av = {a, v, n, cap};
	InternetAddressList *l;
	char *u, *text;
	int err = 0;

	u = hdr_text_utf8(a, s, len, max, NULL);
	if (u == NULL)
		return BS_ENOMEM;
	l = internet_address_list_parse(gm_opts, u);
	if (l && internet_address_list_length(l) > 0) {
		err = walk_list(&av, l, 0);
		g_object_unref(l);
		return err;
	}
	if (l)
		g_object_unref(l);
	text = hdr_decode_text(a, s, len, max, pb);
	if (text == NULL)
		return BS_ENOMEM;
	if (text[0] == '\0')
		return 0;
	bs_problems_add(pb, "mime", "bad-address");
	return push_addr(&av, text, "");
}

char *hdr_decode_date(struct bs_arena *a, const char *s, size_t n, size_t max)
{
	GDateTime *dt;
	GTimeZone *utc;
	char buf[40], *u;
	long off;

	u = hdr_text_utf8(a, s, n, max, NULL);
	if (u == NULL)
		return NULL;
	dt = g_mime_utils_header_decode_date(u);
	if (dt == NULL && (u = trim_copy(a, u)) != NULL) {
		/* Some software writes ISO 8601. */
		utc = g_time_zone_new_utc();
		dt = g_date_time_new_from_iso8601(u, utc);
		g_time_zone_unref(utc);
	}
	if (dt == NULL)
		return NULL;
	off = (long)(g_date_time_get_utc_offset(dt) / G_TIME_SPAN_MINUTE);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
	         g_date_time_get_year(dt), g_date_time_get_month(dt),
	         g_date_time_get_day_of_month(dt), g_date_time_get_hour(dt),
	         g_date_time_get_minute(dt), g_date_time_get_second(dt),
	         off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
	         (off < 0 ? -off : off) % 60);
	g_date_time_unref(dt);
	return bs_arena_strndup(a, buf, strlen(buf));
}

char *hdr_decode_msgid(struct bs_arena *a, const char *s, size_t n, size_t max)
{
	char *u, *id, *r;
	size_t len;

	u = hdr_text_utf8(a, s, n, max, NULL);
	if (u == NULL)
		return NULL;
	id = g_mime_utils_decode_message_id(u);
	if (id && id[0])
		return take_gstr(a, id);
	g_free(id);
	r = trim_copy(a, u);
	if (r == NULL)
		return NULL;
	len = strlen(r);
	if (len >= 2 && r[0] == '<' && r[len - 1] == '>') {
		r[len - 1] = '\0';
		r++;
	}
	return r;
}
