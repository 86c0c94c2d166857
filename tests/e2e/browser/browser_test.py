#!/usr/bin/env python3
"""Real-browser test of clean (issue 4): what does a browser engine fetch?

A logging HTTP server on 127.0.0.1 (server.py, started here on a port the
kernel picks, stopped by its pid) stands for every sender. Messages written
here at run time carry beacons that all point at it, one of each vector a
mail client fetches on open: img, srcset, picture source, style attribute,
<style> url(), @import, @font-face, link rel=stylesheet, the background
attribute, video poster, svg <image>, input type=image, iframe. Each vector
is there as a tracker (/t/VECTOR?u=TOKEN, or the reader's address in the
query) and as content (/c/VECTOR.EXT, the same for every reader), so the
server's log tells which fired. Two messages hold these 13 (trackers as
tiny images with an id, and as visible images naming the reader); a third
("quirks") writes them the ways senders do and a rewriter can trip on; a
fourth ("fixed") holds vectors scan or clean once got wrong; a fifth
("gaps") what is still open: rendered and reported, never a failure.

Before anything is rendered, `bugsweep scan --json` must label every
tracker pixel or tracked-content and every content beacon content: the
test is about what clean does with a verdict, not about the verdict.

Headless Chromium (Debian's, a fresh profile per page, background
networking off, every host name but 127.0.0.1 unresolvable) then renders
the message's HTML part (decoded with Python's email package, loaded as
file:// so the page itself never reaches the server) for the original and
for the output of `bugsweep clean --policy P` with P = trackers, remote
and proxy:http://127.0.0.1:PORT/proxy?u={url}:

  original   every tracker and every content URL is fetched
  trackers   no request carries a tracker's token (however deeply it is
             percent-encoded); every content URL is fetched
  remote     no request at all
  proxy      only /proxy requests, none carrying a tracker's token, and
             every content URL is fetched through the proxy

Outlook conditional content (<!--[if mso]>) is not here: Chromium never
renders it, so it could not fire in the original either. The patch-list
unit tests (tests/unit/rewrite) check that clean neutralises it. Nor is
<noscript>: Chromium runs scripts (headless cannot dump a page without
them), so it does not render noscript content as a mail client would.

Exit 77 (skipped) when Chromium is not installed.

usage: browser_test.py BUGSWEEP [CHROMIUM]
Environment: CHROMIUM (the browser, default /usr/bin/chromium),
BROWSER_TEST_TIMEOUT (seconds one page may take, default 90),
BROWSER_TEST_KEEP=1 (keep the temporary directory and say where it is).
"""
import base64
import email
import email.policy
import json
import os
import quopri
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
READER = "reader@example.org"
# a per-reader identifier as trackers hand them out: for tiny images
HEX_ID = "8f3a2c91d4e5b6a7c8d9"
# a long opaque token: what turns a style sheet or a font into a beacon
OPAQUE = "Zx8Kq3Lm9TvB2nWp7RcY4dHs6FjQ"
# seconds for one page, then the browser is killed
CHROME_TIMEOUT = int(os.environ.get("BROWSER_TEST_TIMEOUT", "90"))
VIRTUAL_TIME_MS = 5000  # page time Chromium gives the page to settle

# Each vector: where its markup goes ("head" or "body"), the tracker and
# the content markup ({u} is the URL; {n} a name unique in the message),
# and the file name extension of its content URL.
VECTORS = [
    ("img", "body", '<img src="{u}" width="{w}" height="{h}" alt="{alt}">',
     ".png"),
    ("srcset", "body",
     '<img srcset="{u} 1x" width="{w}" height="{h}" alt="{alt}">', ".png"),
    ("picture", "body",
     '<picture><source srcset="{u}"><img width="{w}" height="{h}" '
     'alt="{alt}"></picture>', ".png"),
    ("style-attr", "body",
     '<div style="background-image:url(\'{u}\');width:{w}px;height:{h}px">'
     '</div>', ".png"),
    ("style-url", "both",
     ('.bg-{n}{{background:url("{u}") no-repeat;width:{w}px;height:{h}px}}',
      '<div class="bg-{n}"></div>'), ".png"),
    ("import", "head", '<style>@import url("{u}");</style>', ".css"),
    ("font-face", "both",
     ('@font-face{{font-family:"F{n}";src:url("{u}") format("woff2")}}'
      '.ff-{n}{{font-family:"F{n}",serif}}',
      '<p class="ff-{n}">Text set in font {n}.</p>'), ".woff2"),
    ("link", "head", '<link rel="stylesheet" href="{u}">', ".css"),
    ("background", "body",
     '<table background="{u}" width="{w}" height="{h}" cellpadding="0" '
     'cellspacing="0"><tr><td></td></tr></table>', ".png"),
    ("poster", "body",
     '<video poster="{u}" width="{w}" height="{h}"></video>', ".png"),
    ("svg-image", "body",
     '<svg width="{w}" height="{h}"><image {href}="{u}" width="{w}" '
     'height="{h}"/></svg>', ".png"),
    ("input-image", "body",
     '<input type="image" src="{u}" width="{w}" height="{h}" alt="{alt}">',
     ".png"),
    ("iframe", "body",
     '<iframe src="{u}" width="{w}" height="{h}" frameborder="0"></iframe>',
     ".html"),
]

class Beacon:
    def __init__(self, msg, vector, kind, url, tokens, gap=None):
        self.msg = msg
        self.gap = gap          # why scan misses it: a known gap
        self.vector = vector
        self.kind = kind        # "tracker" or "content"
        self.url = url          # absolute: what a browser fetches
        self.tokens = tokens    # what identifies the reader in it
        s = urllib.parse.urlsplit(url)
        self.request = s.path + ("?" + s.query if s.query else "")


def build_html(base, name, flavour):
    """The HTML of one message and its beacons.

    flavour "pixel": trackers are tiny images with a per-reader id (and
    style sheets and fonts with a long opaque token in the query);
    flavour "reader": trackers are visible images whose URL carries the
    reader's address (tracked content; the non-images become pixels), one
    of them an image file whose only identifier is the query, so clean may
    keep it with the query cut off."""
    head, body, style, beacons = [], [], [], []
    for i, (vector, where, markup, ext) in enumerate(VECTORS):
        for kind in ("tracker", "content"):
            n = "%s%d" % (kind[0], i)
            if kind == "content":
                url = "%s/c/%s%s" % (base, vector, ext)
                w, h, alt, tokens = 120, 40, "%s content" % vector, []
            elif flavour == "pixel":
                token = OPAQUE if vector in ("import", "font-face",
                                             "link") else HEX_ID
                # scan does not carry the size of a picture's img to its
                # sources: tiny is unknown there, so this one says what it
                # is (a tracking word); the plain form is in GAPS
                word = "/open" if vector == "picture" else ""
                url = "%s/t/%s%s?u=%s" % (base, vector, word, token)
                w, h, alt, tokens = 1, 1, "", [token]
            else:
                path = "/t/%s%s" % (vector, ".png" if vector == "img" else "")
                url = "%s%s?rcpt=%s" % (base, path, READER)
                w, h = 200, 60
                alt = "%s tracked" % vector
                tokens = [READER, urllib.parse.quote(READER, safe="")]
            args = dict(u=url, w=w, h=h, alt=alt, n=n,
                        href="href" if flavour == "pixel" else "xlink:href")
            if where == "both":
                style.append(markup[0].format(**args))
                body.append(markup[1].format(**args))
            elif where == "head":
                head.append(markup.format(**args))
            else:
                body.append(markup.format(**args))
            beacons.append(Beacon(name, vector, kind, url, tokens))
    # @import rules must lead their style sheet: they are alone in theirs
    html = ("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>%s</title>\n%s\n<style>\n%s\n</style>\n</head>\n"
            "<body>\n<p>Hello, this is the %s newsletter.</p>\n%s\n"
            "<p>Bye.</p>\n</body>\n</html>\n") % (
                name, "\n".join(head), "\n".join(style), name,
                "\n".join(body))
    return html, beacons


# The same vectors written the ways senders write them, and the ways a
# rewriter can trip on: upper case, unquoted values, character references
# in attributes, a relative URL under <base href>, CSS escapes, comments and
# upper-case URL(), @import of a string, several background layers in one
# declaration, image-set(), srcset with a width descriptor, local() before
# url() in @font-face, link preload, object and embed, the background of a
# table cell. {U} is the server, {H} and {O} the two tokens.
QUIRKS_HTML = """<!DOCTYPE html>
<html><head><base href="{U}/t/">
<title>quirks</title>
<STYLE>@IMPORT "{U}/t/import-string?u={O}";</STYLE>
<style media="screen">/* first */ @import url({U}/c/import-string.css) screen;</style>
<LINK REL=Stylesheet HREF={U}/t/link-upper?u={O}>
<LINK REL=STYLESHEET HREF={U}/c/link-upper.css>
<link rel="preload" as="image" href="{U}/t/preload?u={H}">
<link rel="preload" as="image" href="{U}/c/preload.png">
<style>
.esc-t{{background:URL( "{U}/t/css\\2d escape?u={H}" )}}
.esc-c{{background:url({U}/c/css\\2d escape.png)}}
.layers{{background-image:url({U}/c/layers.png),url('{U}/t/layers?u={H}');width:120px;height:40px}}
.iset-t{{background-image:image-set("{U}/t/image-set?u={H}" 1x);width:1px;height:1px}}
.iset-c{{background-image:image-set("{U}/c/image-set.png" 1x);width:120px;height:40px}}
@font-face{{font-family:Q1;src:local("No Such Font At All"),url('{U}/t/font-local?u={O}') format('woff2')}}
@font-face{{font-family:Q2;src:local("No Such Font At All"),url('{U}/c/font-local.woff2') format('woff2')}}
.q1{{font-family:Q1}} .q2{{font-family:Q2}}
</style></head>
<body>
<p class=q1>Gr\u00fc\u00dfe, quirky text.</p><p class=q2>More quirky text.</p>
<IMG SRC={U}/t/upper?u={H} WIDTH=1 HEIGHT=1 ALT="">
<IMG SRC={U}/c/upper.png WIDTH=120 HEIGHT=40 ALT="upper content">
<img src="{U}/t/amp?a=1&amp;u={H}" width="1" height="1" alt="">
<img src="{U}/c/amp.png?w=120&amp;h=40" width="120" height="40" alt="amp content">
<img src="base?u={H}" width="1" height="1" alt="">
<img src="../c/base.png" width="120" height="40" alt="base content">
<div class=esc-t style="width:1px;height:1px"></div>
<div class=esc-c style="width:120px;height:40px"></div>
<div class=layers></div><div class=iset-t></div><div class=iset-c></div>
<div style="background:url(&quot;{U}/t/charref?u={H}&quot;);width:1px;height:1px"></div>
<div style="background:url(&quot;{U}/c/charref.png&quot;);width:120px;height:40px"></div>
<div style="BACKGROUND: /*x*/ URL({U}/t/upper-css?u={H});WIDTH:1px;HEIGHT:1px"></div>
<div style="BACKGROUND: /*x*/ URL({U}/c/upper-css.png);WIDTH:120px;HEIGHT:40px"></div>
<img srcset="{U}/t/srcset-w?u={H} 100w" sizes="1px" width="1" height="1" alt="">
<img srcset="{U}/c/srcset-w.png 120w" sizes="120px" width="120" height="40" alt="srcset-w content">
<object data="{U}/t/object?u={H}" type="image/gif" width="1" height="1"></object>
<object data="{U}/c/object.png" type="image/png" width="120" height="40">object content</object>
<embed src="{U}/t/embed?u={H}" type="image/gif" width="1" height="1">
<embed src="{U}/c/embed.png" type="image/png" width="120" height="40">
<table><tr><td background="{U}/t/td-background?u={H}" width="1" height="1"></td>
<td background="{U}/c/td-background.png" width="120" height="40"></td></tr></table>
<style>
@media screen {{ .mq-t{{background:url({U}/t/media?u={H})}} .mq-c{{background:url({U}/c/media.png)}} }}
@supports (display:block) {{ .sp-t{{background:url({U}/t/supports?u={H})}} .sp-c{{background:url({U}/c/supports.png)}} }}
</style>
<div class=mq-t style="width:1px;height:1px"></div><div class=mq-c style="width:120px;height:40px"></div>
<div class=sp-t style="width:1px;height:1px"></div><div class=sp-c style="width:120px;height:40px"></div>
<img src="
  {U}/t/blanks?u={H}  " width="1" height="1" alt="">
<img src="
  {U}/c/blanks.png  " width="120" height="40" alt="blanks content">
<img src="http&#58;//127.0.0.1:{P}/t/charref-scheme?u={H}" width="1" height="1" alt="">
<img src="http&#58;//127.0.0.1:{P}/c/charref-scheme.png" width="120" height="40" alt="charref-scheme content">
<img src="{U}/t/new
line?u={H}" width="1" height="1" alt="">
<img src="{U}/c/new
line.png" width="120" height="40" alt="newline content">
<!--[if !mso]><!--><img src="{U}/t/not-mso?u={H}" width="1" height="1" alt=""><!--<![endif]-->
<!--[if !mso]><!--><img src="{U}/c/not-mso.png" width="120" height="40" alt="not-mso content"><!--<![endif]-->
<img srcset="{U}/t/comma?u=a,{H} 1x" width="1" height="1" alt="">
<img srcset="{U}/c/comma.png?w=120,h=40 1x" width="120" height="40" alt="comma content">
<INPUT TYPE=IMAGE SRC="{U}/t/input-upper?u={H}" WIDTH=1 HEIGHT=1 ALT="">
<INPUT TYPE=IMAGE SRC="{U}/c/input-upper.png" WIDTH=120 HEIGHT=40 ALT="input-upper content">
<video width="120" height="40"><source src="{U}/c/video-source.mp4" type="video/mp4"></video>
<audio src="{U}/c/audio.mp3"></audio>
<svg width="120" height="40"><filter id="fc"><feImage href="{U}/c/feimage.png"/></filter><rect width="120" height="40" filter="url(#fc)"/></svg>
<style>
ul.ls-t{{list-style-image:url({U}/t/list-style?u={H})}} ul.ls-c{{list-style-image:url({U}/c/list-style.png)}}
.bi-t{{border:10px solid;border-image:url({U}/t/border-image?u={H}) 30 round;width:20px;height:20px}}
.bi-c{{border:10px solid;border-image:url({U}/c/border-image.png) 30 round;width:20px;height:20px}}
.ct-t::before{{content:url({U}/t/content-property?u={H})}}
.cur-t{{cursor:url({U}/t/cursor?u={H}), auto}}
.mask-t{{mask-image:url({U}/t/mask-image?u={H});width:20px;height:20px;background:red}}
</style>
<ul class=ls-t><li>one</li></ul><ul class=ls-c><li>two</li></ul>
<div class=bi-t></div><div class=bi-c></div><div class=ct-t></div><div class=cur-t>pointer</div><div class=mask-t></div>
</body></html>
"""
QUIRKS = [  # vector, kind, the request it makes
    ("import-string", "tracker", "/t/import-string?u={O}"),
    ("import-string", "content", "/c/import-string.css"),
    ("link-upper", "tracker", "/t/link-upper?u={O}"),
    ("link-upper", "content", "/c/link-upper.css"),
    ("preload", "tracker", "/t/preload?u={H}"),
    ("preload", "content", "/c/preload.png"),
    ("css-escape", "tracker", "/t/css-escape?u={H}"),
    ("css-escape", "content", "/c/css-escape.png"),
    ("layers", "tracker", "/t/layers?u={H}"),
    ("layers", "content", "/c/layers.png"),
    ("image-set", "tracker", "/t/image-set?u={H}"),
    ("image-set", "content", "/c/image-set.png"),
    ("font-local", "tracker", "/t/font-local?u={O}"),
    ("font-local", "content", "/c/font-local.woff2"),
    ("upper-img", "tracker", "/t/upper?u={H}"),
    ("upper-img", "content", "/c/upper.png"),
    ("amp", "tracker", "/t/amp?a=1&u={H}"),
    ("amp", "content", "/c/amp.png?w=120&h=40"),
    ("base-href", "tracker", "/t/base?u={H}"),
    ("base-href", "content", "/c/base.png"),
    ("charref", "tracker", "/t/charref?u={H}"),
    ("charref", "content", "/c/charref.png"),
    ("upper-css", "tracker", "/t/upper-css?u={H}"),
    ("upper-css", "content", "/c/upper-css.png"),
    ("srcset-w", "tracker", "/t/srcset-w?u={H}"),
    ("srcset-w", "content", "/c/srcset-w.png"),
    ("object", "tracker", "/t/object?u={H}"),
    ("object", "content", "/c/object.png"),
    ("embed", "tracker", "/t/embed?u={H}"),
    ("embed", "content", "/c/embed.png"),
    ("td-background", "tracker", "/t/td-background?u={H}"),
    ("td-background", "content", "/c/td-background.png"),
    ("media-rule", "tracker", "/t/media?u={H}"),
    ("media-rule", "content", "/c/media.png"),
    ("supports-rule", "tracker", "/t/supports?u={H}"),
    ("supports-rule", "content", "/c/supports.png"),
    ("blanks", "tracker", "/t/blanks?u={H}"),
    ("blanks", "content", "/c/blanks.png"),
    ("charref-scheme", "tracker", "/t/charref-scheme?u={H}"),
    ("charref-scheme", "content", "/c/charref-scheme.png"),
    ("newline", "tracker", "/t/newline?u={H}"),
    ("newline", "content", "/c/newline.png"),
    ("not-mso", "tracker", "/t/not-mso?u={H}"),
    ("not-mso", "content", "/c/not-mso.png"),
    ("srcset-comma", "tracker", "/t/comma?u=a,{H}"),
    ("srcset-comma", "content", "/c/comma.png?w=120,h=40"),
    ("input-upper", "tracker", "/t/input-upper?u={H}"),
    ("input-upper", "content", "/c/input-upper.png"),
    # content only: scan calls their tracker forms content (GAPS below)
    ("video-source", "content", "/c/video-source.mp4"),
    ("audio", "content", "/c/audio.mp3"),
    ("feimage", "content", "/c/feimage.png"),
    ("list-style", "tracker", "/t/list-style?u={H}"),
    ("list-style", "content", "/c/list-style.png"),
    ("border-image", "tracker", "/t/border-image?u={H}"),
    ("border-image", "content", "/c/border-image.png"),
    ("content-property", "tracker", "/t/content-property?u={H}"),
    ("cursor", "tracker", "/t/cursor?u={H}"),
    ("mask-image", "tracker", "/t/mask-image?u={H}"),
]

# Vectors that scan or clean once got wrong, asserted like the others
# (FIXED), and what is still open (GAPS): rendered and reported ("known
# gap"), never a failure; "gap closed" when one no longer shows, to be moved
# to FIXED.
FIXED_HTML = """<!DOCTYPE html>
<html><head><title>fixed</title>
<style>
.iset-layer{{background-image:image-set("{U}/t/image-set-layer?u={H}" 1x),url({U}/c/image-set-layer.png);width:120px;height:40px}}
.twice{{background:url({U}/t/css-twice?u={H});background-image:url({U}/t/css-twice?u={H});width:20px;height:20px}}
@font-face{{font-family:Mix;src:url({U}/t/font-mix?u={O}) format("woff2"), url({U}/c/font-mix.woff2) format("woff2")}}
.mix{{font-family:Mix}}
</style>
</head><body>
<p>Once gaps, now fixed.</p>
<div class=iset-layer></div><div class=twice></div><p class=mix>Mixed font.</p>
<audio src="{U}/t/audio?u={H}"></audio>
<video width="1" height="1"><source src="{U}/t/video-source?u={H}" type="video/mp4"></video>
<svg width="1" height="1"><filter id="f"><feImage href="{U}/t/feimage?u={H}"/></filter><rect width="1" height="1" filter="url(#f)"/></svg>
<picture><source srcset="{U}/t/picture-tiny?u={H}"><img width="1" height="1" alt=""></picture>
<iframe srcdoc="&lt;img src=&quot;{U}/t/srcdoc?u={H}&quot; width=1 height=1&gt;" width="1" height="1"></iframe>
</body></html>
"""
GAPS_HTML = """<!DOCTYPE html>
<html><head><title>gaps</title></head><body>
<p>Known gaps.</p>
<iframe srcdoc="&lt;img src=&quot;{U}/c/srcdoc.png&quot;&gt;" width="130" height="50"></iframe>
</body></html>
"""
FIXED = [  # once gaps: scan or clean got these wrong; asserted now
    ("audio", "tracker", "/t/audio?u={H}"),
    ("video-source", "tracker", "/t/video-source?u={H}"),
    ("feimage", "tracker", "/t/feimage?u={H}"),
    ("picture-tiny", "tracker", "/t/picture-tiny?u={H}"),
    ("srcdoc", "tracker", "/t/srcdoc?u={H}"),
    ("image-set-layer", "tracker", "/t/image-set-layer?u={H}"),
    ("image-set-layer", "content", "/c/image-set-layer.png"),
    ("css-twice", "tracker", "/t/css-twice?u={H}"),
    ("font-mix", "tracker", "/t/font-mix?u={O}"),
    ("font-mix", "content", "/c/font-mix.woff2"),
]
GAPS = [
    ("srcdoc", "content", "/c/srcdoc.png",
     "clean drops an iframe's srcdoc document whole when it must change "
     "anything in it: under proxy its content is not fetched at all"),
]


def build_quirks(base, name, html=QUIRKS_HTML, table=QUIRKS):
    port = urllib.parse.urlsplit(base).port
    html = html.format(U=base, P=port, H=HEX_ID, O=OPAQUE)
    beacons = [Beacon(name, t[0], t[1], base + t[2].format(H=HEX_ID,
                                                          O=OPAQUE),
                      [HEX_ID, OPAQUE] if t[1] == "tracker" else [],
                      t[3] if len(t) > 3 else None)
               for t in table]
    return html, beacons


def build_message(html, name, cte, charset):
    raw = html.encode(charset)
    if cte == "quoted-printable":
        payload = quopri.encodestring(raw).decode("ascii")
    else:
        payload = base64.encodebytes(raw).decode("ascii")
    return (
        "From: Newsletter <news@sender.example>\r\n"
        "To: Reader <%s>\r\n"
        "Subject: %s newsletter\r\n"
        "Date: Fri, 28 Nov 2025 09:00:00 +0000\r\n"
        "Message-ID: <%s@sender.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Hello, this is the %s newsletter.\r\n"
        "--b1\r\n"
        "Content-Type: text/html; charset=%s\r\n"
        "Content-Transfer-Encoding: %s\r\n"
        "\r\n"
        "%s\r\n"
        "--b1--\r\n") % (READER, name, name, name, charset, cte,
                         payload.replace("\n", "\r\n").rstrip("\r\n"))


def html_part(path):
    with open(path, "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.default)
    part = msg.get_body(preferencelist=("html",))
    if part is None:
        raise RuntimeError("%s: no HTML part" % path)
    return part.get_content()


def unquote_all(s):
    for _ in range(8):
        t = urllib.parse.unquote(s)
        if t == s:
            break
        s = t
    return s


class Server:
    def __init__(self, tmp):
        self.log = os.path.join(tmp, "requests.log")
        portfile = os.path.join(tmp, "port")
        open(self.log, "w").close()
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "server.py"), self.log,
             portfile], stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not os.path.exists(portfile):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the beacon server did not start")
            time.sleep(0.05)
        with open(portfile) as f:
            self.port = int(f.read())
        self.base = "http://127.0.0.1:%d" % self.port
        # ready when it answers, not only when it listens
        while True:
            try:
                with urllib.request.urlopen(self.base + "/__ready",
                                            timeout=5) as r:
                    r.read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the beacon server does not answer")
                time.sleep(0.1)

    def size(self):
        return os.path.getsize(self.log)

    def since(self, offset):
        """The requests logged after offset, once the log is still."""
        last = -1
        while True:
            n = self.size()
            if n == last:
                break
            last = n
            time.sleep(0.3)
        with open(self.log, "rb") as f:
            f.seek(offset)
            lines = f.read().decode("utf-8", "replace").splitlines()
        return [ln.split(" ", 1)[1] for ln in lines if " " in ln]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def chromium_command(chromium, profile, page):
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps",
            "--no-default-browser-check", "--disable-extensions",
            "--disable-breakpad", "--disable-dev-shm-usage",
            "--disable-features=MediaRouter,OptimizationHints,Translate",
            # the page may reach 127.0.0.1 and nothing else
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--user-data-dir=" + profile,
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=%d" % VIRTUAL_TIME_MS,
            "--dump-dom", "file://" + page]


def run_chromium(chromium, tmp, page, attempt):
    """True when Chromium loaded the page and exited; kills it by its
    process group (it was made the leader of a new one) on time-out."""
    profile = tempfile.mkdtemp(prefix="profile-", dir=tmp)
    home = os.path.join(profile, "home")
    os.mkdir(home)
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=home,
               XDG_CACHE_HOME=home)
    # no proxy between the browser and the server; meson's
    # MALLOC_PERTURB_ only slows a browser down
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY",
              "all_proxy", "ALL_PROXY", "MALLOC_PERTURB_"):
        env.pop(k, None)
    out = os.path.join(tmp, "dom-%s-%d.html" %
                       (os.path.basename(page), attempt))
    err = out + ".stderr"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen(chromium_command(chromium, profile, page),
                                stdin=subprocess.DEVNULL, stdout=o, stderr=e,
                                env=env, start_new_session=True)
        try:
            rc = proc.wait(CHROME_TIMEOUT)
        except subprocess.TimeoutExpired:
            rc = None
        # its helpers (zygote, renderer) share its process group
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if rc is None:
            proc.wait()
    shutil.rmtree(profile, ignore_errors=True)
    with open(out, "rb") as f:
        dom = f.read()
    if rc == 0 and b"</html>" in dom:
        return True, ""
    with open(err, "rb") as f:
        tail = f.read().decode("utf-8", "replace").splitlines()[-5:]
    why = "timed out after %ds" % CHROME_TIMEOUT if rc is None else \
        "exit %d, %d bytes of DOM" % (rc, len(dom))
    return False, why + "\n    " + "\n    ".join(tail)


def render(chromium, server, tmp, page):
    """The requests the page made, or raises after two failed starts."""
    for attempt in (1, 2):
        offset = server.size()
        ok, why = run_chromium(chromium, tmp, page, attempt)
        if ok:
            return server.since(offset)
        print("chromium failed on %s (attempt %d): %s" %
              (os.path.basename(page), attempt, why))
    raise RuntimeError("chromium could not render %s" % page)


def check_scan(bugsweep, path, beacons):
    """Every tracker judged a tracker, every content beacon content."""
    r = subprocess.run([bugsweep, "scan", "--json", "--no-progress", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode not in (0, 1):
        return ["scan %s: exit %d: %s" % (path, r.returncode,
                                          r.stderr.decode()[-300:])]
    got = {}
    for line in r.stdout.decode().splitlines():
        for b in json.loads(line).get("beacons", []):
            got.setdefault(unquote_all(b["request"]), []).append(
                b["label"])
    bad = []
    for b in beacons:
        labels = got.get(unquote_all(b.url))
        want = ("pixel", "tracked-content") if b.kind == "tracker" \
            else ("content",)
        if not labels:
            bad.append("scan does not list the %s %s beacon %s" %
                       (b.vector, b.kind, b.url))
        elif any(lb not in want for lb in labels):
            bad.append("scan labels the %s %s beacon %s %s, not %s" %
                       (b.vector, b.kind, b.url, "/".join(labels),
                        " or ".join(want)))
    return bad


def clean(bugsweep, src, dst, policy, may_keep=False):
    r = subprocess.run([bugsweep, "clean", "--policy", policy, src, dst],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 1 and not (may_keep and r.returncode == 0):
        raise RuntimeError("clean --policy %s %s: exit %d (want 1, "
                           "something removed): %s" %
                           (policy, src, r.returncode,
                            r.stderr.decode()[-300:]))
    with open(dst, "rb") as f:
        head = f.read(4096)
    if b"X-Bugsweep: skipped" in head:
        raise RuntimeError("clean --policy %s %s skipped the message: %s" %
                           (policy, src, head.split(b"\n", 1)[0].decode()))


def proxied_target(request):
    """The URL a /proxy request asks for, or None for any other request."""
    s = urllib.parse.urlsplit(request)
    if s.path != "/proxy":
        return None
    return urllib.parse.parse_qs(s.query).get("u", [""])[0]


def judge(case, beacons, requests, failures):
    """Per beacon of one rendering: "fired", "proxied", "token-free" (a
    tracker fetched without its identifier, directly or through the proxy)
    or "-"; adds failures; returns the statuses and the number of requests
    that carried a tracker's identifier and that bypassed the proxy."""
    tokens = {t for b in beacons for t in b.tokens}
    plain = [unquote_all(r) for r in requests]
    targets = [proxied_target(r) for r in requests]
    # the path of what each request fetched, through the proxy or not
    paths = [urllib.parse.urlsplit(t if t is not None else r).path
             for r, t in zip(requests, targets)]
    status = {}
    for b in beacons:
        path = urllib.parse.urlsplit(b.url).path
        if unquote_all(b.request) in plain:
            status[b] = "fired"
        elif any(t is not None and unquote_all(t) == unquote_all(b.url)
                 for t in targets):
            status[b] = "proxied"
        elif b.kind == "tracker" and path in paths:
            status[b] = "token-free"
        else:
            status[b] = "-"
    msg, policy = case

    def fail(text):
        failures.append("%s, %s: %s" % (msg, policy, text))

    leaks = [r for r, p in zip(requests, plain)
             if any(t in p for t in tokens)]
    direct = [r for r, t in zip(requests, targets) if t is None]
    if policy == "original":
        for b in beacons:
            if status[b] != "fired":
                fail("the %s %s %s did not fire" % (b.vector, b.kind,
                                                    b.request))
        return status, 0, 0
    for r in leaks:
        fail("a request carries a tracker's identifier: %s" % r)
    if policy == "remote":
        for r in requests:
            fail("a request reached the server: %s" % r)
    elif policy == "trackers":
        for b in beacons:
            if b.kind == "content" and status[b] != "fired":
                fail("the %s content %s did not load (%s)" %
                     (b.vector, b.request, status[b]))
    elif policy == "proxy":
        for r in direct:
            fail("a request bypassed the proxy: %s" % r)
        for b in beacons:
            if b.kind == "content" and status[b] != "proxied":
                fail("the %s content %s was not fetched through the "
                     "proxy (%s)" % (b.vector, b.request, status[b]))
    return status, len(leaks), len(direct)


def find_chromium(argv):
    for c in (argv[2] if len(argv) > 2 else None, os.environ.get("CHROMIUM"),
              "/usr/bin/chromium", shutil.which("chromium")):
        if c and os.access(c, os.X_OK):
            return c
    return None


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    bugsweep = os.path.abspath(sys.argv[1])
    chromium = find_chromium(sys.argv)
    if chromium is None:
        print("chromium is not installed: skip. Install it with "
              "`apt-get install chromium` (as root; `make test` does, "
              "from tools/deps.txt), or set CHROMIUM to a browser.")
        return 77
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="bugsweep-browser-")
    server = None
    failures, gaps = [], []
    try:
        server = Server(tmp)
        base = server.base
        proxy = "proxy:%s/proxy?u={url}" % base
        policies = [("trackers", "trackers"), ("remote", "remote"),
                    ("proxy", proxy)]
        messages = [  # name, transfer encoding, charset, HTML and beacons
            ("pixel", "quoted-printable", "utf-8",
             build_html(base, "pixel", "pixel")),
            ("reader", "base64", "utf-8",
             build_html(base, "reader", "reader")),
            ("quirks", "quoted-printable", "iso-8859-1",
             build_quirks(base, "quirks")),
            ("fixed", "quoted-printable", "utf-8",
             build_quirks(base, "fixed", FIXED_HTML, FIXED)),
            ("gaps", "quoted-printable", "utf-8",
             build_quirks(base, "gaps", GAPS_HTML, GAPS)),
        ]
        table = []
        counts = {}  # policy: [requests, leaking, bypassing the proxy]
        renders = 0
        for name, cte, charset, (html, beacons) in messages:
            known_gaps = name == "gaps"
            src = os.path.join(tmp, name + ".eml")
            with open(src, "w", newline="") as f:
                f.write(build_message(html, name, cte, charset))
            bad = [] if known_gaps else check_scan(bugsweep, src, beacons)
            if bad:
                for b in bad:
                    print("FAIL %s: %s" % (name, b))
                print("scan must judge these beacons as the test means "
                      "them before clean can be tested (docs/DETECTION.md)")
                return 1
            statuses = {}
            files = [("original", src)]
            for pname, policy in policies:
                dst = os.path.join(tmp, "%s.%s.eml" % (name, pname))
                clean(bugsweep, src, dst, policy, known_gaps)
                files.append((pname, dst))
            for pname, path in files:
                page = os.path.join(tmp, "%s.%s.html" % (name, pname))
                # the BOM tells Chromium the encoding the part's charset
                # told the email package
                with open(page, "w", encoding="utf-8-sig") as f:
                    f.write(html_part(path))
                t1 = time.monotonic()
                requests = render(chromium, server, tmp, page)
                renders += 1
                statuses[pname], leaks, direct = judge(
                    (name, pname), beacons, requests,
                    gaps if known_gaps else failures)
                print("rendered %s (%s): %d requests in %.1fs" %
                      (name, pname, len(requests), time.monotonic() - t1))
                if known_gaps:
                    continue
                c = counts.setdefault(pname, [0, 0, 0])
                c[0] += len(requests)
                c[1] += leaks
                c[2] += direct
                known = {b.request for b in beacons}
                for r in requests:
                    if pname == "original" and r not in known:
                        print("  unexpected request: %s" % r)
            for b in beacons:
                table.append((b, [statuses[p][b] for p, _ in files]))
        print()
        fmt = "%-7s %-15s %-8s %-9s %-10s %-7s %-10s"
        print(fmt % ("message", "vector", "kind", "original", "trackers",
                     "remote", "proxy"))
        for b, st in table:
            print(fmt % ((b.msg, b.vector, b.kind) + tuple(st)))
        print()
        print("%d renders in %.1fs" % (renders, time.monotonic() - t0))
        for b, _ in table:
            if b.gap:
                leaked = any(g.startswith("gaps, ") and b.request in g
                             for g in gaps)
                print("%s %s %s: %s" % (
                    "known gap:" if leaked else "gap closed (move it to "
                    "FIXED):", b.vector, b.kind, b.gap))
        for g in gaps:
            print("  known gap, " + g)
        for f in failures:
            print("FAIL " + f)
        table = [(b, st) for b, st in table if b.msg != "gaps"]
        total = len(table)
        fired = sum(1 for _, st in table if st[0] == "fired")
        ncontent = sum(1 for b, _ in table if b.kind == "content")
        c_fired = sum(1 for b, st in table
                      if b.kind == "content" and st[1] == "fired")
        pr = counts["proxy"]
        print("FIGURE browser: %d vectors, original fired %d/%d, trackers "
              "policy fired %d trackers and %d/%d content, remote fired "
              "%d, proxy fired %s" % (
                  len(VECTORS), fired, total, counts["trackers"][1],
                  c_fired, ncontent, counts["remote"][0],
                  "only the proxy" if pr[1] == 0 and pr[2] == 0 else
                  "%d direct requests and %d carrying a tracker" %
                  (pr[2], pr[1])))
        return 1 if failures else 0
    except RuntimeError as e:
        print("FAIL %s" % e)
        return 1
    finally:
        if server is not None:
            server.stop()
        if os.environ.get("BROWSER_TEST_KEEP"):
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


sys.exit(main())
