#!/usr/bin/env python3
"""The beacon server of the browser test: loopback only, logs every request.

Listens on 127.0.0.1 on a port the kernel chooses (port 0, so parallel
test runs never collide), writes that port to PORTFILE once it accepts
connections, and appends one line per request to LOGFILE, flushed before
the response is sent: "METHOD PATH?QUERY" exactly as the client sent it.

What it serves (every response small and valid where it can be):
  *.css, /t/import*, /t/link*   an empty style sheet (text/css)
  *.woff2, /t/font*             a few bytes labelled font/woff2: not a valid
                                font; the fetch is what the test measures
  *.html, /t/iframe*            an inert page (no subresources)
  *.png                         a 4x4 PNG
  anything else                 a 1x1 transparent GIF
  /proxy?u=URL                  the image proxy: serves what URL names,
                                without fetching anything (the request is
                                logged once, as the /proxy request)

usage: server.py LOGFILE PORTFILE
"""
import http.server
import os
import struct
import sys
import threading
import urllib.parse
import zlib

GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
       b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00"
       b"\x00\x02\x02D\x01\x00;")


def png(w, h, rgb):
    def chunk(kind, data):
        body = kind + data
        return (struct.pack(">I", len(data)) + body +
                struct.pack(">I", zlib.crc32(body) & 0xffffffff))
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PNG = png(4, 4, (0x2a, 0x6f, 0xb0))
CSS = b"/* beacon server */\n"
FONT = b"wOF2 not a real font\n"
PAGE = b"<!doctype html><title>frame</title><p>frame</p>\n"


def body_for(path):
    """Content type and bytes for a request path (query stripped)."""
    if path.endswith(".css") or path.startswith(("/t/import", "/t/link")):
        return "text/css", CSS
    if path.endswith(".woff2") or path.startswith("/t/font"):
        return "font/woff2", FONT
    if path.endswith(".html") or path.startswith("/t/iframe"):
        return "text/html", PAGE
    if path.endswith(".png"):
        return "image/png", PNG
    return "image/gif", GIF


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log_lock = threading.Lock()
    log = None

    def do_GET(self):
        with self.log_lock:
            self.log.write("%s %s\n" % (self.command, self.path))
            self.log.flush()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        if path == "/proxy":
            target = urllib.parse.parse_qs(url.query).get("u", [""])[0]
            path = urllib.parse.urlsplit(target).path
        ctype, data = body_for(path)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        # fonts are fetched in CORS mode: let the page use them
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    logfile, portfile = sys.argv[1:]
    Handler.log = open(logfile, "a", encoding="utf-8")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, portfile)
    srv.serve_forever()


main()
