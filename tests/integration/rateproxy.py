#!/usr/bin/env python3
"""rateproxy.py — faultproxy.py's forwarding proxy with a registry's rate
limit in front, for the request-budget tests (python3 stdlib only).

  rateproxy.py --upstream 127.0.0.1:5000 --port-file F --log L \
      --limit 40 --window 1 --headers ietf

A fixed window: at most --limit requests every --window seconds (windows
start when the proxy does). With --limit-file F, a number in F replaces
--limit, read at every request; a new number starts a new window then, so
a test can set a night up unlimited and then measure one that is not. A request beyond the quota is answered 429
TOOMANYREQUESTS with Retry-After (whole seconds to the window's end, at
least 1) and never reaches the registry. Every answer, forwarded or not,
says what is left, as --headers asks:

  ietf       RateLimit-Limit: N, RateLimit-Remaining: R, RateLimit-Reset: S
             (draft-ietf-httpapi-ratelimit-headers; S whole seconds, rounded up)
  dockerhub  ratelimit-limit: N;w=W and ratelimit-remaining: R;w=W (Docker Hub's)
  none       nothing: the client finds the limit only by its 429s

Each request is logged as faultproxy.py does: "METHOD PATH STATUS upstream"
or "METHOD PATH 429 limited".
"""
import argparse
import json
import math
import sys
import threading
import time

import faultproxy
import testserver


class Handler(faultproxy.Handler):
    def _count(self):
        """Count this request in its window: (admitted, remaining, seconds left)."""
        s = self.server
        with s.lock:
            now = time.monotonic()
            limit = self._limit()
            if limit != s.limit:
                s.limit, s.t0, s.window_index, s.used = limit, now, 0, 0
            index = int((now - s.t0) // s.opts.window)
            if index != s.window_index:
                s.window_index, s.used = index, 0
            left = s.t0 + (index + 1) * s.opts.window - now
            if s.used >= limit:
                return False, 0, left
            s.used += 1
            return True, limit - s.used, left

    def _limit(self):
        f = self.server.opts.limit_file
        if f:
            try:
                with open(f) as fh:
                    return int(fh.read().strip())
            except (OSError, ValueError):
                pass
        return self.server.opts.limit

    def end_headers(self):
        for k, v in getattr(self, "rl_headers", []):
            self.send_header(k, v)
        super().end_headers()

    def _headers(self, remaining, left):
        o, limit = self.server.opts, self.server.limit
        if o.headers == "ietf":
            return [("RateLimit-Limit", str(limit)), ("RateLimit-Remaining", str(remaining)),
                    ("RateLimit-Reset", str(max(1, math.ceil(left))))]
        if o.headers == "dockerhub":
            w = "%d" % o.window
            return [("ratelimit-limit", "%d;w=%s" % (limit, w)),
                    ("ratelimit-remaining", "%d;w=%s" % (remaining, w))]
        return []

    def _limited(self, left):
        self._drain()
        body = json.dumps({"errors": [{"code": "TOOMANYREQUESTS", "message": "too many requests",
                                       "detail": "rateproxy quota"}]}).encode()
        self.send_response(429)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Retry-After", str(max(1, math.ceil(left))))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self._log(429, "limited")

    def _handle(self):
        admitted, remaining, left = self._count()
        self.rl_headers = self._headers(remaining, left)
        if not admitted:
            self._limited(left)
            return
        super()._handle()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


def main():
    ap = argparse.ArgumentParser(description="rate-limiting HTTP proxy for tests")
    ap.add_argument("--upstream", required=True, help="host:port of the real registry")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--limit", type=int, required=True, help="requests a window")
    ap.add_argument("--limit-file", help="a file whose number replaces --limit")
    ap.add_argument("--window", type=float, default=1.0, help="seconds")
    ap.add_argument("--headers", choices=["ietf", "dockerhub", "none"], default="ietf")
    opts = ap.parse_args()
    return testserver.serve(Handler, opts, rules=[], lock=threading.Lock(),
                            t0=time.monotonic(), window_index=0, used=0, limit=opts.limit)


if __name__ == "__main__":
    sys.exit(main())
