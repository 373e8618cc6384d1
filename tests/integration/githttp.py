#!/usr/bin/env python3
"""githttp.py — a private git repository over smart HTTP, for integration
tests: `git http-backend` (CGI) behind Basic authentication, as a hosted
status repository behaves (python3 stdlib + the git CLI).

Serves the bare repositories under --root. A request without the one
configured user (--user USER:PASS) gets 401 with a Basic challenge; an
authenticated one is handed to http-backend with REMOTE_USER set (which is
what enables receive-pack, i.e. push). Chunked request bodies (libgit2 sends
its push that way) are de-chunked for the CGI. Binds 127.0.0.1 on a free
port, written to --port-file once listening; with --tls-cert/--tls-key it
speaks HTTPS. One line per request to --log:
"METHOD PATH STATUS USER-OR-- USER-AGENT" (never the password).

With --hold-push FILE, an authenticated push (POST .../git-receive-pack)
is read whole, logged as "POST PATH held", and handed to http-backend only
once FILE exists (at most 120 s later): a push that is under way for as
long as a test wants.
"""
import argparse
import base64
import http.server
import os
import ssl
import subprocess
import threading
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def log_line(self, status, user):
        with self.server.log_lock, open(self.server.log, "a") as f:
            f.write("%s %s %d %s %s\n" % (self.command, self.path.split("?")[0], status, user or "-",
                                          self.headers.get("User-Agent", "-").replace(" ", "_")))

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def user(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return None
        try:
            given = base64.b64decode(auth[6:]).decode()
        except ValueError:
            return None
        return given.split(":", 1)[0] if given == self.server.credentials else None

    def handle_git(self):
        data = self.body()
        user = self.user()
        if user is None:
            self.log_line(401, None)
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="status"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        if self.server.hold and self.command == "POST" and path.endswith("/git-receive-pack"):
            with self.server.log_lock, open(self.server.log, "a") as f:
                f.write("POST %s held\n" % path)
            end = time.monotonic() + 120
            while not os.path.exists(self.server.hold) and time.monotonic() < end:
                time.sleep(0.05)
        env = {
            "PATH": os.environ["PATH"], "GIT_PROJECT_ROOT": self.server.root, "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": self.command, "PATH_INFO": path, "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(data)),
            "REMOTE_USER": user, "REMOTE_ADDR": "127.0.0.1", "GIT_CONFIG_NOSYSTEM": "1",
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        r = subprocess.run(["git", "http-backend"], input=data, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        head, _, payload = r.stdout.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode("latin-1").split("\r\n"):
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.split()[0])
            elif k:
                headers.append((k, v.strip()))
        self.log_line(status, user)
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = handle_git
    do_POST = handle_git


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--hold-push")
    a = p.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.root, srv.credentials, srv.log, srv.log_lock = a.root, a.user, a.log, threading.Lock()
    srv.hold = a.hold_push
    open(a.log, "a").close()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
