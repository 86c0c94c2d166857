#include "newsletter.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
	char *p;
	size_t n, cap;
	bool failed;
	unsigned images;
	uint32_t seed;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;
	char *np;

	if (o->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(o->p + o->n, o->cap - o->n, fmt, ap);
		va_end(ap);
		if (k < 0) {
			o->failed = true;
			return;
		}
		if ((size_t)k < o->cap - o->n)
			break;
		np = realloc(o->p, o->cap * 2 + (size_t)k);
		if (np == NULL) {
			o->failed = true;
			return;
		}
		o->p = np;
		o->cap = o->cap * 2 + (size_t)k;
	}
	o->n += (size_t)k;
}

/* A small deterministic generator (LCG), so that text varies. */
static uint32_t rnd(struct out *o, uint32_t n)
{
	o->seed = o->seed * 1103515245u + 12345u;
	return (o->seed >> 16) % n;
}

static const char *const words[] = {
    "spring",  "offers", "members", "exclusive", "design",    "travel",
    "weekend", "season", "garden",  "kitchen",   "classic",   "limited",
    "edition", "today",  "free",    "delivery",  "new",       "arrivals",
    "summer",  "style",  "home",    "comfort",   "quality",   "craft",
    "local",   "fresh",  "recipe",  "story",     "community", "event",
};

static const char *const entities[] = {
    "&nbsp;", "&amp;",  "&rsquo;",  "&mdash;",  "&eacute;", "&#8217;",
    "&copy;", "&euro;", "&hellip;", "&#x2014;", "&ndash;",  "&laquo;",
};

static void text(struct out *o, unsigned nwords)
{
	unsigned i;

	for (i = 0; i < nwords; i++) {
		if (i)
			put(o, " ");
		if (rnd(o, 9) == 0)
			put(o, "%s", entities[rnd(o, 12)]);
		put(o, "%s", words[rnd(o, 30)]);
	}
}

/* A click-tracking redirect, as ESPs rewrite every link. */
static void href(struct out *o, const char *what)
{
	put(o,
	    "https://click.news.example.com/f/a/%s~~/AAAAAQA~/RgRn%08x"
	    "P0Q%08xVwNzcGNCCmWi&amp;utm_source=newsletter&amp;utm_medium="
	    "email&amp;utm_campaign=spring",
	    what, rnd(o, 0x7fffffff), rnd(o, 0x7fffffff));
}

static void img(struct out *o, const char *path, unsigned w, unsigned h,
                const char *alt, const char *style)
{
	put(o,
	    "<img src=\"https://cdn.news.example.com/images/%s\" width=\"%u\" "
	    "height=\"%u\" alt=\"%s\" border=\"0\" style=\"display:block;"
	    "width:100%%;max-width:%upx;height:auto;border:0;outline:none;"
	    "text-decoration:none;%s\">",
	    path, w, h, alt, w, style);
	o->images++;
}

static void head(struct out *o)
{
	put(o, "%s",
	    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
	    "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
	    "<html xmlns=\"http://www.w3.org/1999/xhtml\" "
	    "xmlns:v=\"urn:schemas-microsoft-com:vml\" "
	    "xmlns:o=\"urn:schemas-microsoft-com:office:office\" "
	    "lang=\"en\">\n<head>\n"
	    "<meta http-equiv=\"Content-Type\" content=\"text/html; "
	    "charset=UTF-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1.0\">\n"
	    "<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n"
	    "<meta name=\"x-apple-disable-message-reformatting\">\n"
	    "<title>The Weekly Digest &ndash; Spring Issue</title>\n"
	    "<!--[if mso]>\n<xml><o:OfficeDocumentSettings><o:AllowPNG/>"
	    "<o:PixelsPerInch>96</o:PixelsPerInch>"
	    "</o:OfficeDocumentSettings></xml>\n<![endif]-->\n"
	    "<!--[if mso]>\n<style type=\"text/css\">\nbody, table, td, "
	    "a { font-family: Arial, Helvetica, sans-serif !important; }\n"
	    "table { border-collapse: collapse; }\n</style>\n"
	    "<![endif]-->\n"
	    "<style type=\"text/css\">\n"
	    "body { margin: 0 !important; padding: 0 !important; "
	    "-webkit-text-size-adjust: 100% !important; "
	    "-ms-text-size-adjust: 100% !important; }\n"
	    "table, td { mso-table-lspace: 0pt; mso-table-rspace: 0pt; }\n"
	    "img { -ms-interpolation-mode: bicubic; border: 0; "
	    "outline: none; text-decoration: none; }\n"
	    "a[x-apple-data-detectors] { color: inherit !important; "
	    "text-decoration: none !important; }\n"
	    "#outlook a { padding: 0; }\n"
	    ".ReadMsgBody, .ExternalClass { width: 100%; }\n"
	    ".ExternalClass, .ExternalClass p, .ExternalClass td { "
	    "line-height: 100%; }\n"
	    ".button-td:hover, .button-a:hover { background: #1f5f8b "
	    "!important; border-color: #1f5f8b !important; }\n"
	    "@media only screen and (max-width: 620px) {\n"
	    "  .wrapper { width: 100% !important; max-width: 100% "
	    "!important; }\n"
	    "  .column { display: block !important; width: 100% "
	    "!important; max-width: 100% !important; }\n"
	    "  .mobile-hide { display: none !important; max-height: 0 "
	    "!important; overflow: hidden !important; }\n"
	    "  .mobile-center { text-align: center !important; }\n"
	    "  .hero h1 { font-size: 28px !important; line-height: 34px "
	    "!important; }\n"
	    "  .fluid { width: 100% !important; height: auto "
	    "!important; }\n}\n"
	    "@media (prefers-color-scheme: dark) {\n"
	    "  .dark-bg { background-color: #1e1e1e !important; }\n"
	    "  .dark-text { color: #f0f0f0 !important; }\n"
	    "  .logo-light { display: none !important; }\n}\n"
	    "@media screen and (-webkit-min-device-pixel-ratio: 2) {\n"
	    "  .retina { background-image: url("
	    "'https://cdn.news.example.com/images/hero@2x.jpg') "
	    "!important; }\n}\n"
	    "</style>\n</head>\n");
}

static void button(struct out *o, const char *label)
{
	put(o, "<table role=\"presentation\" border=\"0\" cellpadding=\"0\" "
	       "cellspacing=\"0\" align=\"left\" style=\"margin:0 auto;\">"
	       "<tr><td class=\"button-td\" style=\"border-radius:4px;"
	       "background:#2a7ab0;text-align:center;\">\n"
	       "<!--[if mso]>\n<v:roundrect "
	       "xmlns:v=\"urn:schemas-microsoft-com:vml\" "
	       "xmlns:w=\"urn:schemas-microsoft-com:office:word\" href=\"");
	href(o, "btn");
	put(o,
	    "\" style=\"height:40px;v-text-anchor:middle;width:200px;\" "
	    "arcsize=\"10%%\" stroke=\"f\" "
	    "fillcolor=\"#2a7ab0\">\n<w:anchorlock/>"
	    "<center style=\"color:#ffffff;font-family:Arial,sans-serif;"
	    "font-size:15px;\">%s</center>\n</v:roundrect>\n"
	    "<![endif]-->\n<!--[if !mso]><!-->"
	    "<a class=\"button-a\" href=\"",
	    label);
	href(o, "btn");
	put(o,
	    "\" style=\"background:#2a7ab0;border:1px solid #2a7ab0;"
	    "font-family:Arial,sans-serif;font-size:15px;line-height:15px;"
	    "text-decoration:none;padding:13px 24px;color:#ffffff;"
	    "display:block;border-radius:4px;font-weight:bold;\" "
	    "target=\"_blank\">%s&nbsp;&rarr;</a><!--<![endif]-->\n"
	    "</td></tr></table>\n",
	    label);
}

static void article(struct out *o, unsigned k)
{
	char path[64], alt[64];

	snprintf(path, sizeof(path), "articles/2024-spring-%02u.jpg", k);
	snprintf(alt, sizeof(alt), "Article %u &ndash; %s", k, words[k % 30]);
	put(o, "<tr><td class=\"dark-bg\" style=\"padding:24px 32px;"
	       "background-color:#ffffff;\" bgcolor=\"#ffffff\">\n"
	       "<table role=\"presentation\" width=\"100%%\" border=\"0\" "
	       "cellpadding=\"0\" cellspacing=\"0\">\n<tr><td style=\""
	       "padding:0 0 16px 0;\"><a href=\"");
	href(o, "art");
	put(o, "\" target=\"_blank\" style=\"text-decoration:none;\">");
	img(o, path, 536, 268, alt, "");
	put(o, "</a></td></tr>\n<tr><td class=\"dark-text\" style=\""
	       "font-family:Georgia,'Times New Roman',serif;font-size:22px;"
	       "line-height:28px;color:#222222;padding:0 0 8px 0;\"><h2 "
	       "style=\"margin:0;font-size:22px;font-weight:normal;\">");
	text(o, 7);
	put(o, "</h2></td></tr>\n<tr><td class=\"dark-text\" style=\""
	       "font-family:Arial,Helvetica,sans-serif;font-size:15px;"
	       "line-height:22px;color:#555555;padding:0 0 16px 0;\">\n"
	       "<p style=\"margin:0 0 12px 0;\">");
	text(o, 60);
	put(o, " <a href=\"");
	href(o, "inline");
	put(o, "\" style=\"color:#2a7ab0;text-decoration:underline;\">");
	text(o, 3);
	put(o, "</a>.</p>\n<p style=\"margin:0;\"><strong>");
	text(o, 4);
	put(o, "</strong> ");
	text(o, 40);
	put(o, "</p>\n</td></tr>\n<tr><td style=\"padding:0;\">\n");
	button(o, "Read more");
	put(o, "</td></tr>\n</table>\n</td></tr>\n");
}

static void product(struct out *o, unsigned k)
{
	char path[64], alt[64];

	snprintf(path, sizeof(path), "products/item-%04u.png", 1000 + k * 37);
	snprintf(alt, sizeof(alt), "%s %s", words[(k * 7) % 30],
	         words[(k * 11) % 30]);
	put(o, "<td class=\"column\" width=\"50%%\" valign=\"top\" "
	       "style=\"width:50%%;padding:8px;vertical-align:top;\">\n"
	       "<table role=\"presentation\" width=\"100%%\" border=\"0\" "
	       "cellpadding=\"0\" cellspacing=\"0\" style=\"border:1px solid "
	       "#e5e5e5;border-radius:6px;\">\n<tr><td align=\"center\" "
	       "style=\"padding:12px;\"><a href=\"");
	href(o, "prod");
	put(o, "\" target=\"_blank\">");
	img(o, path, 240, 240, alt, "margin:0 auto;");
	put(o, "</a></td></tr>\n<tr><td style=\"font-family:Arial,sans-serif;"
	       "font-size:14px;line-height:20px;color:#333333;padding:0 12px "
	       "4px 12px;text-align:center;\">");
	text(o, 5);
	put(o,
	    "</td></tr>\n<tr><td style=\"font-family:Arial,sans-serif;"
	    "font-size:16px;font-weight:bold;color:#c0392b;padding:0 12px "
	    "12px 12px;text-align:center;\">%u,%02u&nbsp;&euro; "
	    "<span style=\"color:#999999;text-decoration:line-through;"
	    "font-weight:normal;font-size:13px;\">%u,%02u&nbsp;&euro;"
	    "</span></td></tr>\n</table>\n</td>\n",
	    10 + k * 3, (k * 17) % 100, 15 + k * 3, (k * 29) % 100);
}

static void spacer(struct out *o, unsigned h)
{
	put(o,
	    "<tr><td height=\"%u\" style=\"height:%upx;font-size:0;"
	    "line-height:0;mso-line-height-rule:exactly;\">",
	    h, h);
	put(o,
	    "<img src=\"https://cdn.news.example.com/images/spacer.gif\" "
	    "width=\"1\" height=\"%u\" alt=\"\" style=\"display:block;\">"
	    "</td></tr>\n",
	    h);
	o->images++;
}

static void body(struct out *o, size_t target)
{
	static const char *const social[] = {"facebook", "x", "instagram",
	                                     "linkedin", "youtube"};
	unsigned k, a = 0, p = 0;

	put(o, "<body style=\"margin:0;padding:0;background-color:#f4f4f4;"
	       "\" bgcolor=\"#f4f4f4\">\n"
	       "<div style=\"display:none;font-size:1px;color:#f4f4f4;"
	       "line-height:1px;max-height:0px;max-width:0px;opacity:0;"
	       "overflow:hidden;mso-hide:all;\">");
	text(o, 18);
	for (k = 0; k < 40; k++)
		put(o, "&zwnj;&nbsp;");
	put(o, "</div>\n<center style=\"width:100%%;background-color:"
	       "#f4f4f4;\">\n<!--[if mso | IE]>\n<table role=\"presentation\" "
	       "border=\"0\" cellpadding=\"0\" cellspacing=\"0\" width=\"600\" "
	       "align=\"center\" style=\"width:600px;\"><tr><td>\n"
	       "<![endif]-->\n"
	       "<table role=\"presentation\" class=\"wrapper\" width=\"600\" "
	       "align=\"center\" border=\"0\" cellpadding=\"0\" "
	       "cellspacing=\"0\" style=\"margin:0 auto;max-width:600px;"
	       "width:100%%;\">\n");
	/* view online + logo + navigation */
	put(o, "<tr><td class=\"mobile-hide\" style=\"padding:8px 16px;"
	       "font-family:Arial,sans-serif;font-size:11px;color:#888888;"
	       "text-align:right;\">Trouble reading? <a href=\"");
	href(o, "web");
	put(o, "\" style=\"color:#888888;\">View it online</a></td></tr>\n"
	       "<tr><td style=\"padding:20px 32px;background-color:#ffffff;\" "
	       "bgcolor=\"#ffffff\">\n<table role=\"presentation\" "
	       "width=\"100%%\" border=\"0\" cellpadding=\"0\" "
	       "cellspacing=\"0\"><tr>\n<td width=\"160\" style=\""
	       "width:160px;\"><a href=\"");
	href(o, "logo");
	put(o, "\">");
	img(o, "brand/logo.png", 160, 48, "The Weekly Digest", "");
	put(o, "</a></td>\n<td align=\"right\" class=\"mobile-hide\" "
	       "style=\"font-family:Arial,sans-serif;font-size:13px;\">");
	for (k = 0; k < 4; k++) {
		put(o, "<a href=\"");
		href(o, "nav");
		put(o,
		    "\" style=\"color:#333333;text-decoration:none;"
		    "padding:0 8px;\">%s</a>",
		    words[k * 5]);
	}
	put(o, "</td>\n</tr></table>\n</td></tr>\n");
	/* hero with a CSS and a VML background */
	put(o, "<tr><td class=\"hero retina\" background=\""
	       "https://cdn.news.example.com/images/hero.jpg\" "
	       "bgcolor=\"#1f3b57\" valign=\"top\" style=\"background-image:"
	       "url('https://cdn.news.example.com/images/hero.jpg');"
	       "background-size:cover;background-position:center;"
	       "background-color:#1f3b57;\">\n<!--[if gte mso 9]>\n"
	       "<v:rect xmlns:v=\"urn:schemas-microsoft-com:vml\" "
	       "fill=\"true\" stroke=\"false\" style=\"width:600px;"
	       "height:320px;\">\n<v:fill type=\"tile\" src=\""
	       "https://cdn.news.example.com/images/hero.jpg\" "
	       "color=\"#1f3b57\" />\n<v:textbox inset=\"0,0,0,0\">\n"
	       "<![endif]-->\n<div><table role=\"presentation\" "
	       "width=\"100%%\" border=\"0\" cellpadding=\"0\" "
	       "cellspacing=\"0\"><tr><td style=\"padding:80px 40px;"
	       "font-family:Georgia,serif;color:#ffffff;text-align:center;\">"
	       "<h1 style=\"margin:0 0 16px 0;font-size:36px;"
	       "line-height:42px;font-weight:normal;\">");
	text(o, 6);
	put(o, "</h1><p style=\"margin:0;font-size:17px;line-height:24px;\">");
	text(o, 20);
	put(o, "</p></td></tr></table></div>\n<!--[if gte mso 9]>\n"
	       "</v:textbox>\n</v:rect>\n<![endif]-->\n</td></tr>\n");
	spacer(o, 24);
	/* Articles while there is room for them (the rest of the frame with
	 * the product grid is ~18 KB), then 12 products. */
	while (a < 8 && o->n + 18000 < target)
		article(o, ++a);
	spacer(o, 16);
	put(o, "<tr><td style=\"padding:0 24px;background-color:#ffffff;\">"
	       "\n<table role=\"presentation\" width=\"100%%\" border=\"0\" "
	       "cellpadding=\"0\" cellspacing=\"0\">\n");
	while (p < 12) {
		put(o, "<tr>\n<!--[if mso]><td width=\"50%%\" valign=\"top\">"
		       "<![endif]-->\n");
		product(o, ++p);
		put(o, "<!--[if mso]></td><td width=\"50%%\" valign=\"top\">"
		       "<![endif]-->\n");
		product(o, ++p);
		put(o, "<!--[if mso]></td><![endif]-->\n</tr>\n");
		if (o->failed)
			return;
	}
	put(o, "</table>\n</td></tr>\n");
	spacer(o, 24);
	/* Text-only news items fill the document up to the target size. */
	put(o, "<tr><td class=\"dark-bg\" style=\"padding:8px 32px;"
	       "background-color:#ffffff;\" bgcolor=\"#ffffff\">\n");
	while (o->n + 3500 < target) {
		put(o, "<p style=\"margin:0 0 14px 0;font-family:Arial,"
		       "sans-serif;font-size:14px;line-height:21px;"
		       "color:#444444;\"><a href=\"");
		href(o, "news");
		put(o, "\" style=\"color:#2a7ab0;font-weight:bold;"
		       "text-decoration:none;\">");
		text(o, 6);
		put(o, "</a><br>");
		text(o, 30);
		put(o, "</p>\n");
		if (o->failed)
			return;
	}
	put(o, "</td></tr>\n");
	/* social icons and footer */
	put(o, "<tr><td align=\"center\" style=\"padding:16px;\">"
	       "<table role=\"presentation\" border=\"0\" cellpadding=\"0\" "
	       "cellspacing=\"0\"><tr>\n");
	for (k = 0; k < 5; k++) {
		char path[64];

		snprintf(path, sizeof(path), "social/%s.png", social[k]);
		put(o, "<td style=\"padding:0 6px;\"><a href=\"");
		href(o, social[k]);
		put(o, "\">");
		img(o, path, 32, 32, social[k], "");
		put(o, "</a></td>\n");
	}
	put(o, "</tr></table></td></tr>\n<tr><td class=\"dark-text\" "
	       "style=\"padding:24px 32px;font-family:Arial,sans-serif;"
	       "font-size:12px;line-height:18px;color:#888888;"
	       "text-align:center;\">\n&copy; 2024 The Weekly Digest "
	       "GmbH &middot; Hauptstra&szlig;e 12 &middot; 10115 Berlin"
	       "<br>\nYou receive this e-mail because you subscribed on our "
	       "website.<br>\n<a href=\"");
	href(o, "unsub");
	put(o, "\" style=\"color:#888888;text-decoration:underline;\">"
	       "Unsubscribe</a> &middot; <a href=\"");
	href(o, "prefs");
	put(o, "\" style=\"color:#888888;text-decoration:underline;\">"
	       "Preferences</a> &middot; <a href=\"");
	href(o, "privacy");
	put(o, "\" style=\"color:#888888;\">Privacy&nbsp;policy</a>\n"
	       "</td></tr>\n</table>\n<!--[if mso | IE]>\n</td></tr></table>"
	       "\n<![endif]-->\n</center>\n");
	put(o,
	    "<img src=\"https://open.news.example.com/o/eJwFwUEKgCAQ"
	    "AMC%08x%08x\" width=\"1\" height=\"1\" alt=\"\" border=\"0\" "
	    "style=\"height:1px !important;width:1px !important;"
	    "border-width:0 !important;margin:0 !important;padding:0 "
	    "!important;\">\n</body>\n</html>\n",
	    rnd(o, 0x7fffffff), rnd(o, 0x7fffffff));
	o->images++;
}

char *newsletter_make(size_t target, size_t *len, unsigned *images)
{
	struct out o = {0};

	o.cap = target + 4096;
	o.p = malloc(o.cap);
	if (o.p == NULL)
		return NULL;
	o.seed = 20240501;
	head(&o);
	body(&o, target);
	if (o.failed) {
		free(o.p);
		return NULL;
	}
	*len = o.n;
	*images = o.images;
	return o.p;
}
