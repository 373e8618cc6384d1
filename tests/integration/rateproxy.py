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

Every faultproxy.py option works too (--fail, --retry-after). Each request
is logged as faultproxy.py does: "METHOD PATH STATUS upstream"
or "METHOD PATH 429 limited".
"""
import argparse
import json
import math
import sys
import time

import faultproxy


class Handler(faultproxy.Handler):
    def _count(self):
        """Count this request in its window: (admitted, remaining, seconds left)."""
        s, w = self.state, self.rate.window
        with self.server.lock:
            now = time.monotonic()
            limit = self._limit()
            if limit != s["limit"]:
                s.update(limit=limit, t0=now, index=0, used=0)
            index = int((now - s["t0"]) // w)
            if index != s["index"]:
                s.update(index=index, used=0)
            left = s["t0"] + (index + 1) * w - now
            if s["used"] >= limit:
                return False, 0, left
            s["used"] += 1
            return True, limit - s["used"], left

    def _limit(self):
        f = self.rate.limit_file
        if f:
            try:
                with open(f) as fh:
                    return int(fh.read().strip())
            except (OSError, ValueError):
                pass
        return self.rate.limit

    def end_headers(self):
        for k, v in getattr(self, "rl_headers", []):
            self.send_header(k, v)
        super().end_headers()

    def _headers(self, remaining, left):
        o, limit = self.rate, self.state["limit"]
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
    """Take this file's options, then run faultproxy.py's server with them."""
    ap = argparse.ArgumentParser(description="rate-limiting HTTP proxy for tests")
    ap.add_argument("--limit", type=int, required=True, help="requests a window")
    ap.add_argument("--limit-file", help="a file whose number replaces --limit")
    ap.add_argument("--window", type=float, default=1.0, help="seconds")
    ap.add_argument("--headers", choices=["ietf", "dockerhub", "none"], default="ietf")
    Handler.rate, rest = ap.parse_known_args()
    Handler.state = {"t0": time.monotonic(), "index": 0, "used": 0, "limit": Handler.rate.limit}
    faultproxy.Handler = Handler
    sys.argv = sys.argv[:1] + rest
    return faultproxy.main()


if __name__ == "__main__":
    sys.exit(main())
