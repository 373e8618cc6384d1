#!/usr/bin/env python3
"""faultproxy.py — an HTTP proxy on loopback in front of a real registry that
injects faults, for retry tests (python3 stdlib only).

  faultproxy.py --upstream 127.0.0.1:5000 --port-file F --log L \
      --fail 'HEAD /v2/.*/manifests/.*:503:2' --fail 'PUT /v2/app/manifests/v1:429:1'

A rule is PATTERN:ACTION:COUNT. PATTERN is a Python regex that must match the
whole "METHOD PATH" (PATH with its query string, if any). ACTION is an HTTP
status (503 and 429 carry Retry-After: --retry-after seconds) or "reset" (the
connection is closed with an RST, no response). COUNT is how many matching
requests get the fault (then they pass); "*" means every one. The first rule
that matches and still has faults left applies. An answered fault carries
{"errors": [{"code", "message", "detail"}]}; --error-message TEXT replaces the
message (\\xNN escapes decoded: a registry whose text carries terminal controls).

A night of random faults: --random-faults SEED --mix KIND:PERCENT,... draws,
for every request no rule took, one fault or none, with the percentages of
--mix (default 429:6,503:6,reset:5,truncate:3,tamper:3,garbage:2). The draw
is a hash of SEED, the method, the path and how many times that method and
path were seen before, so the same run gets the same faults whatever order
its parallel requests arrive in, and a retry draws afresh. The kinds:

  429, 503   answered by the proxy (Retry-After: --retry-after), not forwarded
  reset      the connection is reset (RST) before anything is forwarded. On a
             kept-alive connection the draw is not used up: libcurl sends a
             request again, on a new connection, when a reused one dies
             before answering, and that try is reset instead (logged
             "fault:reset-resent" first). So every reset logged as
             "fault:reset" is one the client saw, and a seed's faults do not
             depend on which connections happened to be reused.
  truncate   forwarded; the answer stops short: half the body Content-Length
             announces (an answer without a body: half its header block),
             then the connection is closed. The request took effect upstream.
  tamper     forwarded; one byte of the answer's body is flipped. Answers
             without a body (HEAD, 201, 202) pass untouched.
  garbage    a GET is answered 200 by the proxy with a body that is not JSON
             (no Docker-Content-Digest; a front end's page, not the
             registry's). HEAD and writes pass untouched: a 200 the
             registry did not give to those is a lie no client can detect.

Everything else is forwarded faithfully: method, path, headers, streamed
bodies both ways; a Location header naming the upstream is rewritten to the
proxy. Each request is logged to --log as one line:
"METHOD PATH STATUS fault|upstream"; a random fault as "fault:KIND" (a
request whose drawn fault does not apply to it is logged as upstream).
"""
import argparse
import hashlib
import http.client
import http.server
import json
import re
import socket
import struct
import sys
import threading

import testserver

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade"}

ERROR_CODES = {
    400: ("UNSUPPORTED", "bad request"),
    401: ("UNAUTHORIZED", "authentication required"),
    403: ("DENIED", "requested access to the resource is denied"),
    404: ("NOT_FOUND", "not found"),
    429: ("TOOMANYREQUESTS", "too many requests"),
    500: ("UNKNOWN", "unknown error"),
    502: ("UNAVAILABLE", "bad gateway"),
    503: ("UNAVAILABLE", "service unavailable"),
    504: ("UNAVAILABLE", "gateway timeout"),
}


class Rule:
    def __init__(self, text):
        try:
            pattern, action, count = text.rsplit(":", 2)
        except ValueError:
            raise SystemExit("faultproxy: bad rule %r (want PATTERN:ACTION:COUNT)" % text)
        self.text = text
        self.re = re.compile(pattern)
        if action != "reset" and not (action.isdigit() and 100 <= int(action) <= 599):
            raise SystemExit("faultproxy: bad action %r in %r (an HTTP status or reset)" % (action, text))
        self.action = action
        if count == "*":
            self.left = -1
        elif count.isdigit():
            self.left = int(count)
        else:
            raise SystemExit("faultproxy: bad count %r in %r" % (count, text))


RANDOM_KINDS = ("429", "503", "reset", "truncate", "tamper", "garbage")
DEFAULT_MIX = "429:6,503:6,reset:5,truncate:3,tamper:3,garbage:2"
GARBAGE = b'<html><body><h1>200 OK</h1>{"schemaVersion": 2, "manifests": [\x00\xff</body>\n'


def parse_mix(text):
    """"KIND:PERCENT,..." -> [(kind, percent)], percents summing to <= 100."""
    mix = []
    for item in filter(None, text.split(",")):
        kind, _, pct = item.partition(":")
        try:
            value = float(pct)
        except ValueError:
            value = -1
        if kind not in RANDOM_KINDS or value < 0:
            raise SystemExit("faultproxy: bad --mix item %r (want KIND:PERCENT, KIND one of %s)"
                             % (item, " ".join(RANDOM_KINDS)))
        mix.append((kind, value))
    if sum(p for _, p in mix) > 100:
        raise SystemExit("faultproxy: --mix percentages add up to more than 100")
    return mix


class RandomFaults:
    """The --random-faults draw: one kind (or None) per request."""

    def __init__(self, seed, mix):
        self.seed = seed
        self.mix = mix
        self.seen = {}  # "METHOD PATH" -> requests so far; guarded by the server lock

    def draw(self, line, reused):
        n = self.seen.get(line, 0)
        self.seen[line] = n + 1
        h = hashlib.sha256(("%s\0%s\0%d" % (self.seed, line, n)).encode()).digest()
        x = int.from_bytes(h[:8], "big") / 2.0 ** 64 * 100
        for kind, pct in self.mix:
            if x < pct:
                if kind == "reset" and reused:
                    self.seen[line] = n
                    kind = "reset-resent"
                return kind, h[8]
            x -= pct
        return None, 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        self.answered = 0  # requests on this connection so far, this one included

    def _log(self, status, kind):
        with self.server.lock:
            with open(self.server.opts.log, "a") as f:
                f.write("%s %s %s %s\n" % (self.command, self.path, status, kind))

    def _pick_rule(self):
        line = "%s %s" % (self.command, self.path)
        with self.server.lock:
            for r in self.server.rules:
                if r.left != 0 and r.re.fullmatch(line):
                    if r.left > 0:
                        r.left -= 1
                    return r
        return None

    def _body_chunks(self):
        """Yield the request body as it arrives (Content-Length or chunked)."""
        te = self.headers.get("Transfer-Encoding", "").lower()
        if "chunked" in te:
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return
                left = size
                while left:
                    data = self.rfile.read(min(left, 65536))
                    if not data:
                        return
                    left -= len(data)
                    yield data
                self.rfile.readline(3)
        else:
            left = int(self.headers.get("Content-Length") or 0)
            while left > 0:
                data = self.rfile.read(min(left, 65536))
                if not data:
                    return
                left -= len(data)
                yield data

    def _drain(self):
        for _ in self._body_chunks():
            pass

    def _fault(self, rule, kind="fault"):
        self._drain()
        if rule.action == "reset":
            self._log("reset", kind)
            # RST instead of FIN: SO_LINGER with a zero timeout.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        status = int(rule.action)
        code, message = ERROR_CODES.get(status, ("UNKNOWN", "injected fault"))
        if self.server.opts.error_message is not None:
            message = self.server.opts.error_message
        payload = json.dumps({"errors": [{"code": code, "message": message, "detail": "injected by faultproxy"}]}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        if status in (429, 503):
            self.send_header("Retry-After", str(self.server.opts.retry_after))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self._log(status, kind)

    def _garbage(self):
        self._drain()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(GARBAGE)))
        self.end_headers()
        self.wfile.write(GARBAGE)
        self._log(200, "fault:garbage")

    def _cut(self):
        """End the answer here: FIN, so the client keeps what was sent."""
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _upstream(self):
        conn = getattr(self, "_up", None)
        if conn is None:
            conn = self._up = http.client.HTTPConnection(self.server.opts.upstream, timeout=120)
        return conn

    def _forward(self, body_fault=None, pick=0):
        """body_fault: "truncate" or "tamper" (a random fault on the answer)."""
        opts = self.server.opts
        headers = {}
        for k, v in self.headers.items():
            if k.lower() in HOP_BY_HOP or k.lower() == "content-length":
                continue
            headers[k] = v
        has_body = "Content-Length" in self.headers or "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        if has_body and not chunked:
            headers["Content-Length"] = self.headers["Content-Length"]
        conn = self._upstream()
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        if chunked:
            conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        if has_body:
            for data in self._body_chunks():
                if chunked:
                    conn.send(b"%x\r\n" % len(data) + data + b"\r\n")
                else:
                    conn.send(data)
            if chunked:
                conn.send(b"0\r\n\r\n")
        resp = conn.getresponse()
        self.send_response(resp.status, resp.reason)
        length = resp.getheader("Content-Length")
        up_prefix = "http://" + opts.upstream
        me = "http://" + self.headers.get("Host", "127.0.0.1:%d" % self.server.server_address[1])
        for k, v in resp.getheaders():
            if k.lower() in HOP_BY_HOP:
                continue
            if k.lower() == "location" and v.startswith(up_prefix):
                v = me + v[len(up_prefix):]
            self.send_header(k, v)
        stream_chunked = self.command != "HEAD" and length is None and resp.status not in (204, 304)
        if body_fault:
            self._forward_faulty(resp, body_fault, pick, length is None)
            return
        if stream_chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if self.command != "HEAD":
            while True:
                data = resp.read(65536)
                if not data:
                    break
                if stream_chunked:
                    self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
                else:
                    self.wfile.write(data)
            if stream_chunked:
                self.wfile.write(b"0\r\n\r\n")
        resp.close()
        self._log(resp.status, "upstream")

    def _forward_faulty(self, resp, kind, pick, add_length):
        """The rest of _forward for a truncated or tampered answer: the body
        is read whole (answers here are small), then garbled. add_length:
        the upstream sent no Content-Length (it was chunked)."""
        body = resp.read() if self.command != "HEAD" else b""
        resp.close()
        if kind == "tamper" and not body:
            kind = None
        if kind == "tamper":
            i = pick % len(body)
            body = body[:i] + bytes([body[i] ^ 0x01]) + body[i + 1:]
        if add_length and self.command != "HEAD":
            self.send_header("Content-Length", str(len(body)))
        if kind == "truncate" and body:
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self._cut()
        elif kind == "truncate":
            # No body to cut: cut the header block instead.
            self._headers_buffer.append(b"\r\n")
            head = b"".join(self._headers_buffer)
            self._headers_buffer = []
            self.wfile.write(head[: len(head) // 2])
            self._cut()
        else:
            self.end_headers()
            self.wfile.write(body)
        self._log(resp.status, "fault:" + kind if kind else "upstream")

    def _random_fault(self):
        """Apply a --random-faults draw; False when this request goes on as usual."""
        rf = self.server.random
        with self.server.lock:
            kind, pick = rf.draw("%s %s" % (self.command, self.path), self.answered > 1)
        if kind in ("429", "503"):
            self._fault(Rule(".*:%s:*" % kind), "fault:" + kind)
        elif kind in ("reset", "reset-resent"):
            self._fault(Rule(".*:reset:*"), "fault:" + kind)
        elif kind == "garbage" and self.command == "GET":
            self._garbage()
        elif kind in ("truncate", "tamper"):
            self._forward(kind, pick)
        else:
            return False
        return True

    def _handle(self):
        self.answered += 1
        rule = self._pick_rule()
        if rule:
            self._fault(rule)
            return
        try:
            if self.server.random and self._random_fault():
                return
            self._forward()
        except (OSError, http.client.HTTPException) as e:
            self._up = None
            self._log("502 (%s)" % e.__class__.__name__, "proxy-error")
            self.close_connection = True
            try:
                self.send_error(502)
            except OSError:
                pass

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


def main():
    ap = argparse.ArgumentParser(description="fault-injecting HTTP proxy for tests")
    ap.add_argument("--upstream", required=True, help="host:port of the real registry")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fail", action="append", default=[], metavar="PATTERN:ACTION:COUNT")
    ap.add_argument("--retry-after", type=int, default=1)
    ap.add_argument("--error-message", metavar="TEXT",
                    help="the message of an injected error instead of the default; \\xNN escapes are decoded "
                         "(a registry whose error text carries terminal controls or HTML)")
    ap.add_argument("--random-faults", metavar="SEED", help="draw a fault for every request (see above)")
    ap.add_argument("--mix", default=DEFAULT_MIX, metavar="KIND:PERCENT,...")
    opts = ap.parse_args()
    if opts.error_message is not None:
        opts.error_message = opts.error_message.encode("latin-1").decode("unicode_escape")
    random = RandomFaults(opts.random_faults, parse_mix(opts.mix)) if opts.random_faults is not None else None
    # A fault night's sixteen workers connect at once.
    return testserver.serve(Handler, opts, deep_backlog=random is not None,
                            rules=[Rule(t) for t in opts.fail], lock=threading.Lock(), random=random)


if __name__ == "__main__":
    sys.exit(main())
