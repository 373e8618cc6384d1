#!/usr/bin/env python3
"""tokenserver.py — a minimal token server for the distribution token
protocol, for integration tests (python3 stdlib + the openssl CLI).

GET /token?service=S&scope=repository:NAME:ACTIONS[&scope=...] with Basic
credentials. The one configured user (--user USER:PASS) gets every action it
asks for; anonymous requests get --anonymous (none|pull); wrong credentials
get 401 (--answer-file can make it refuse or answer nonsense instead). The answer is {"token", "access_token", "expires_in", "issued_at"},
the token an RS256 JWT whose header carries x5c (our self-signed cert, which
the registry trusts via auth.token.rootcertbundle).

At start it makes a key and cert with openssl in --dir, binds 127.0.0.1 on
--port (0: any free port) and writes the port to --port-file once it is
listening. Each request is logged as one JSON line to --log (never the
credentials): {"path","service","scopes","account","granted","status"}.
"""
import argparse
import base64
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

import testserver


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    def __init__(self, directory):
        self.key = os.path.join(directory, "token.key")
        self.cert = os.path.join(directory, "token.crt")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key, "-out", self.cert,
             "-days", "2", "-subj", "/CN=manifold-test-token-issuer"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        with open(self.cert) as f:
            pem = f.read()
        body = pem.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
        self.x5c = base64.b64encode(base64.b64decode("".join(body.split()))).decode()

    def sign(self, data):
        r = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key], input=data,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
        return r.stdout

    def token(self, claims):
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        return signing_input + "." + b64url(self.sign(signing_input.encode()))


def parse_scope(scope):
    """repository:name:pull,push -> (type, name, [actions]); names may hold ':' (host:port)."""
    typ, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    if not typ or not name:
        return None
    return typ, name, [a for a in actions.split(",") if a]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "manifold-test-tokenserver"

    def log_message(self, fmt, *args):  # quiet: we keep our own log
        pass

    def _log(self, entry):
        with self.server.log_lock:
            with open(self.server.opts.log, "a") as f:
                f.write(json.dumps(entry, sort_keys=True) + "\n")

    def _reply(self, status, doc, extra=None):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _answer(self):
        path = self.server.opts.answer_file
        try:
            with open(path) as f:
                return f.read().strip()
        except (OSError, TypeError):
            return ""

    def _odd_answer(self, answer, entry):
        """--answer-file modes: refuse (403, a plain-text reason), not-json,
        no-token (JSON without a token). Returns True when it answered."""
        if answer == "refuse":
            status, ctype, body = 403, "text/plain", b"account locked: ask the registry admin\n"
        elif answer == "not-json":
            status, ctype, body = 200, "text/html", b"<html>maintenance</html>"
        elif answer == "no-token":
            status, ctype, body = 200, "application/json", b'{"expires_in": 60}'
        else:
            return False
        entry["status"] = status
        self._log(entry)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return True

    def do_GET(self):
        opts = self.server.opts
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        service = (q.get("service") or [""])[0]
        scopes = []
        for s in q.get("scope", []):
            scopes.extend(s.split(" "))
        entry = {"path": u.path, "service": service, "scopes": scopes, "account": None, "granted": [], "status": 0}
        answer = self._answer()
        if answer and u.path == "/token" and self._odd_answer(answer, entry):
            return
        if u.path != "/token":
            entry["status"] = 404
            self._log(entry)
            self._reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
            return
        account = None
        auth = self.headers.get("Authorization", "")
        if auth:
            ok = False
            if auth.startswith("Basic "):
                try:
                    user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
                    ok = (user, pw) == (opts.username, opts.password)
                except (ValueError, UnicodeDecodeError):
                    ok = False
            if not ok:
                entry["status"] = 401
                self._log(entry)
                self._reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]},
                            {"WWW-Authenticate": 'Basic realm="manifold-test-tokenserver"'})
                return
            account = opts.username
        entry["account"] = account
        access = []
        for s in scopes:
            p = parse_scope(s)
            if not p:
                continue
            typ, name, actions = p
            if account:
                granted = actions
            elif opts.anonymous == "pull":
                granted = [a for a in actions if a == "pull"]
            else:
                granted = []
            if typ == "repository" and granted:
                access.append({"type": typ, "name": name, "actions": granted})
        entry["granted"] = access
        now = int(time.time())
        claims = {
            "iss": opts.issuer,
            "sub": account or "",
            "aud": service or opts.service,
            "exp": now + opts.expires,
            "nbf": now - 10,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "access": access,
        }
        try:
            token = self.server.signer.token(claims)
        except subprocess.CalledProcessError as e:
            entry["status"] = 500
            self._log(entry)
            self._reply(500, {"errors": [{"code": "UNKNOWN", "message": "signing failed: %s" % e}]})
            return
        entry["status"] = 200
        self._log(entry)
        self._reply(200, {"token": token, "access_token": token, "expires_in": opts.expires,
                          "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))})


def main():
    ap = argparse.ArgumentParser(description="distribution token server for tests")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--dir", required=True, help="where the key and cert are made")
    ap.add_argument("--log", required=True)
    ap.add_argument("--user", required=True, help="USER:PASS")
    ap.add_argument("--service", default="manifold-test-registry")
    ap.add_argument("--issuer", default="manifold-test-tokenserver")
    ap.add_argument("--anonymous", choices=["none", "pull"], default="none")
    ap.add_argument("--expires", type=int, default=300)
    ap.add_argument("--answer-file", help="when it holds refuse, not-json or no-token, /token answers so")
    opts = ap.parse_args()
    opts.username, _, opts.password = opts.user.partition(":")
    return testserver.serve(Handler, opts, log_lock=threading.Lock(), signer=Signer(opts.dir))


if __name__ == "__main__":
    sys.exit(main())
