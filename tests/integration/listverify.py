#!/usr/bin/env python3
"""listverify.py — read lists back from a registry directly, many at once
(lib.sh's list_verify and lists_verify; python3 stdlib only, one connection).

    listverify.py URL TAG <expected

stdin: one line per image, "NAME DIGEST..." — the digests its list must
name, in order. Prints one line per image, "NAME VERDICT", VERDICT being
  ok             a list whose entries are exactly those digests, each readable
                 by digest in NAME and hashing to it
  absent         NAME:TAG cannot be read
  missing-child  an entry NAME cannot serve (or serves other bytes)
  wrong-child    entries other than the expected ones
"""
import hashlib
import http.client
import json
import ssl
import sys
import urllib.parse

ACCEPT = ", ".join([
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
])


class Registry:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.https = u.scheme == "https"
        self.netloc = u.netloc
        self.conn = None

    def _connect(self):
        if self.https:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection(self.netloc, timeout=60, context=ctx)
        return http.client.HTTPConnection(self.netloc, timeout=60)

    def get(self, path):
        """(status, body); status 0 when the registry cannot be reached."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = self._connect()
            try:
                self.conn.request("GET", path, headers={"Accept": ACCEPT})
                resp = self.conn.getresponse()
                return resp.status, resp.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    return 0, b""
        return 0, b""


def verdict(reg, name, tag, want):
    status, body = reg.get(f"/v2/{name}/manifests/{tag}")
    if status != 200:
        return "absent"
    try:
        got = [m.get("digest") for m in json.loads(body).get("manifests") or []]
    except (ValueError, AttributeError):
        got = []
    for d in got:
        status, child = reg.get(f"/v2/{name}/manifests/{d}")
        if status != 200 or "sha256:" + hashlib.sha256(child).hexdigest() != d:
            return "missing-child"
    return "ok" if got == want else "wrong-child"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: listverify.py URL TAG <expected")
    reg = Registry(sys.argv[1])
    for line in sys.stdin:
        words = line.split()
        if words:
            print(words[0], verdict(reg, words[0], sys.argv[2], words[1:]), flush=True)


if __name__ == "__main__":
    main()
