#!/usr/bin/env python3
"""slowproxy.py — faultproxy.py's proxy with network-shaped faults, for the
timeout and retry tests (python3 stdlib only).

  slowproxy.py --upstream 127.0.0.1:5000 --port-file F --log L \
      --slow '/v2/src-amd64/blobs/.*:65536' --tamper 'GET /v2/.*/manifests/sha256:.*:1'

Every faultproxy.py option works too (--fail, --retry-after). Each mode takes
a Python regex that must match the whole "METHOD PATH", like --fail:

  --slow PATTERN:BYTES_PER_S   response bodies trickle at that rate, steadily
  --stall PATTERN              the request is read and never answered (the
                               connection stays open until the client leaves)
  --tamper PATTERN:COUNT       the first byte of the body is flipped (COUNT times)
  --cut PATTERN:BYTES:COUNT    the connection is closed after BYTES body bytes
  --no-range PATTERN           the Range header is dropped (the registry
                               then answers 200 with the whole body)
  --head-body PATTERN:COUNT    after a HEAD answer, stray bytes (a body a HEAD
                               must not have) arrive on the kept-alive
                               connection just before its next answer
  --delay PATTERN:MS           the request is held MS milliseconds, then
                               forwarded (a slow registry, or a write in flight)
  --tag-pages MODE             tag lists are answered one tag a page with
                               Link: <...>; rel="next": "pages" (every page
                               once), "loop" (page 2 links back to page 1),
                               "offhost" (page 1 links to another host)

Logged to --log like faultproxy.py, with the mode as the last word:
"GET /v2/a/blobs/sha256:… 200 slow", "… cut cut", "HEAD … stall stall",
"GET … 200 after-stray".
"""
import argparse
import http.client
import json
import re
import socket
import sys
import time

import faultproxy

STRAY = b'{"stray": "a body after a HEAD answer"}\n'


class Mode:
    """One PATTERN[:ARG...] option; left < 0 means every match."""

    def __init__(self, name, text, n_args, counted):
        parts = text.rsplit(":", n_args) if n_args else [text]
        if len(parts) != n_args + 1:
            raise SystemExit("slowproxy: bad --%s %r" % (name, text))
        self.name = name
        self.re = re.compile(parts[0])
        try:
            args = [int(a) for a in parts[1:]]
        except ValueError:
            raise SystemExit("slowproxy: bad number in --%s %r" % (name, text))
        self.left = args.pop() if counted else -1
        self.args = args


class Throttled:
    """The response body side of wfile: rate limits, flips, cuts."""

    def __init__(self, handler, raw, modes):
        self.h = handler
        self.raw = raw
        self.modes = modes
        self.sent = 0
        self.t0 = None

    def write(self, data):
        slow = self.modes.get("slow")
        tamper = self.modes.get("tamper")
        cut = self.modes.get("cut")
        if tamper is not None and self.sent == 0 and data:
            data = bytes([data[0] ^ 0x01]) + data[1:]
        if cut is not None and self.sent + len(data) >= cut.args[0]:
            data = data[: max(0, cut.args[0] - self.sent)]
            self._send(data, slow)
            self.h.cut = True
            # A clean close (FIN), so the client keeps every byte sent: a
            # reset may drop what it has not read yet.
            self.h.connection.shutdown(socket.SHUT_RDWR)
            self.h.connection.close()
            raise ConnectionResetError("cut by slowproxy")
        self._send(data, slow)
        return len(data)

    def _send(self, data, slow):
        if slow is None:
            self.raw.write(data)
            self.sent += len(data)
            return
        rate = slow.args[0]
        step = max(1, rate // 20)
        if self.t0 is None:
            self.t0 = time.monotonic()
        for i in range(0, len(data), step):
            piece = data[i:i + step]
            due = self.t0 + (self.sent + len(piece)) / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.raw.write(piece)
            self.sent += len(piece)

    def flush(self):
        self.raw.flush()

    def __getattr__(self, name):
        return getattr(self.raw, name)


class Handler(faultproxy.Handler):
    def setup(self):
        super().setup()
        self.raw_wfile = self.wfile
        self.stray = False

    def _log(self, status, kind):
        if self.cut:
            status = kind = "cut"
        elif self.tag:
            kind = self.tag
        super()._log(status, kind)

    def _take(self, name, line):
        with self.server.lock:
            for m in self.modes.get(name, []):
                if m.left != 0 and m.re.fullmatch(line):
                    if m.left > 0:
                        m.left -= 1
                    return m
        return None

    def end_headers(self):
        super().end_headers()
        if self.body_modes:
            self.wfile = Throttled(self, self.raw_wfile, self.body_modes)

    def _stall(self):
        self._log("stall", "stall")
        self.close_connection = True
        try:
            while self.connection.recv(65536):
                pass
        except OSError:
            pass

    def _tag_page(self):
        """GET /v2/<repo>/tags/list[?page=K]: page K (from 1) of the upstream's
        list, one tag a page, linked to the next as --tag-pages says."""
        path, _, query = self.path.partition("?")
        page = int(query[5:]) if query.startswith("page=") else 1
        conn = http.client.HTTPConnection(self.server.opts.upstream, timeout=30)
        conn.request("GET", path)
        resp = conn.getresponse()
        tags = sorted(json.loads(resp.read() or b"{}").get("tags") or [])
        conn.close()
        mode, name = getattr(faultproxy, "TAG_PAGES", None), path[len("/v2/"):-len("/tags/list")]
        nxt = None
        if mode == "offhost" and page == 1:
            nxt = "http://elsewhere.invalid%s?page=2" % path
        elif mode == "loop":
            nxt = "%s?page=%d" % (path, 2 if page == 1 else 1)
        elif page < len(tags):
            nxt = "%s?page=%d" % (path, page + 1)
        body = json.dumps({"name": name, "tags": tags[page - 1:page]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if nxt:
            self.send_header("Link", '<%s>; rel="next"' % nxt)
        self.end_headers()
        self.wfile.write(body)
        self._log(200, "page")

    def _handle(self):
        self.wfile = self.raw_wfile
        self.cut = False
        self.tag = ""
        self.body_modes = {}
        line = "%s %s" % (self.command, self.path)
        if self._take("stall", line):
            self._stall()
            return
        delay = self._take("delay", line)
        if delay:
            time.sleep(delay.args[0] / 1000.0)
            self.tag = "delay"
        if getattr(faultproxy, "TAG_PAGES", None) and self.command == "GET" and \
                re.fullmatch(r"/v2/.+/tags/list(\?page=\d+)?", self.path):
            self._tag_page()
            return
        if self.stray:
            self.stray = False
            self.tag = "after-stray"
            self.raw_wfile.write(STRAY)
        if self._take("no-range", line) and "Range" in self.headers:
            del self.headers["Range"]
            self.tag = "no-range"
        for name in ("slow", "tamper", "cut"):
            m = self._take(name, line)
            if m:
                self.body_modes[name] = m
                self.tag = name
        if self.command == "HEAD" and self._take("head-body", line):
            self.tag = "head-body"
            self.stray = True
        super()._handle()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


def main():
    """Take this file's options, then run faultproxy.py's server with them."""
    ap = argparse.ArgumentParser(description="slow and garbling HTTP proxy for tests")
    ap.add_argument("--slow", action="append", default=[], metavar="PATTERN:BYTES_PER_S")
    ap.add_argument("--stall", action="append", default=[], metavar="PATTERN")
    ap.add_argument("--tamper", action="append", default=[], metavar="PATTERN:COUNT")
    ap.add_argument("--cut", action="append", default=[], metavar="PATTERN:BYTES:COUNT")
    ap.add_argument("--no-range", action="append", default=[], metavar="PATTERN")
    ap.add_argument("--head-body", action="append", default=[], metavar="PATTERN:COUNT")
    ap.add_argument("--delay", action="append", default=[], metavar="PATTERN:MS")
    ap.add_argument("--tag-pages", choices=["pages", "loop", "offhost"])
    opts, rest = ap.parse_known_args()
    # name: (values, number of ARGs after PATTERN, last ARG is a COUNT)
    spec = {"slow": (opts.slow, 1, False), "stall": (opts.stall, 0, False),
            "tamper": (opts.tamper, 1, True), "cut": (opts.cut, 2, True),
            "no-range": (opts.no_range, 0, False), "head-body": (opts.head_body, 1, True),
            "delay": (opts.delay, 1, False)}
    Handler.modes = {name: [Mode(name, t, n, counted) for t in values]
                     for name, (values, n, counted) in spec.items()}
    faultproxy.Handler = Handler
    sys.argv = sys.argv[:1] + rest
    faultproxy.TAG_PAGES = opts.tag_pages
    return faultproxy.main()


if __name__ == "__main__":
    sys.exit(main())
