#!/usr/bin/env python3
"""sigtool.py — cosign-style signatures done apart from manifold, for the
signing tests: stdlib HTTP against the registry, `openssl` for every ECDSA
operation. Shares no code with manifold, so what it accepts was written to
the formats, not to manifold's reading of them.

  sigtool.py sign URL REPO DIGEST KEY.pem [--claim DIGEST]
      push REPO:sha256-<hex>.sig holding one simple-signing layer for
      DIGEST (or, with --claim, a payload naming another digest: a
      signature for the wrong image), signed with KEY.
  sigtool.py sign-many URL - - KEY.pem < LINES
      the same for every "REPO DIGEST" line of stdin, in one process.
  sigtool.py verify-sig URL REPO DIGEST PUB.pem
      every layer of REPO:sha256-<hex>.sig: the payload names DIGEST and
      REPO, `openssl dgst -verify` accepts its signature; prints
      "ok LAYERS" (layers that verify) or exits 1 with why.
  sigtool.py verify-att URL REPO DIGEST PUB.pem
      the .att tag's DSSE envelope: PAE rebuilt here, its signature checked
      with openssl, the in-toto statement's subject is REPO@DIGEST; prints
      the statement (JSON) on success.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
ACCEPT = ", ".join([OCI_MANIFEST, "application/vnd.oci.image.index.v1+json",
                    "application/vnd.docker.distribution.manifest.v2+json",
                    "application/vnd.docker.distribution.manifest.list.v2+json"])


def die(msg):
    print("sigtool: " + msg, file=sys.stderr)
    sys.exit(1)


def http(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def tag_of(digest, suffix):
    algo, hexd = digest.split(":", 1)
    return "%s-%s%s" % (algo, hexd, suffix)


def put_blob(url, repo, data):
    d = sha(data)
    code, _, h = http("POST", "%s/v2/%s/blobs/uploads/" % (url, repo))
    if code != 202:
        die("blob upload start: %d" % code)
    loc = h.get("Location") or h.get("location")
    if loc.startswith("/"):
        loc = url + loc
    loc += ("&" if "?" in loc else "?") + "digest=" + d
    code, body, _ = http("PUT", loc, data, {"Content-Type": "application/octet-stream"})
    if code != 201:
        die("blob upload: %d %s" % (code, body[:200]))
    return d


def openssl_sign(key, data):
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        return subprocess.run(["openssl", "dgst", "-sha256", "-sign", key, f.name],
                              check=True, capture_output=True).stdout


def openssl_verify(pub, data, sig):
    with tempfile.TemporaryDirectory() as d:
        p, s = os.path.join(d, "payload"), os.path.join(d, "sig.der")
        open(p, "wb").write(data)
        open(s, "wb").write(sig)
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub, "-signature", s, p],
                           capture_output=True)
        return r.returncode == 0 and b"Verified OK" in r.stdout


def get_manifest(url, repo, ref):
    code, body, _ = http("GET", "%s/v2/%s/manifests/%s" % (url, repo, ref), headers={"Accept": ACCEPT})
    if code != 200:
        die("GET %s:%s: %d" % (repo, ref, code))
    return json.loads(body)


def get_blob(url, repo, digest):
    code, body, _ = http("GET", "%s/v2/%s/blobs/%s" % (url, repo, digest))
    if code != 200 or sha(body) != digest:
        die("blob %s: %d" % (digest, code))
    return body


def host_of(url):
    return url.split("://", 1)[1]


def cmd_sign(url, repo, digest, key, claim=None):
    payload = json.dumps({"critical": {"identity": {"docker-reference": host_of(url) + "/" + repo},
                                       "image": {"docker-manifest-digest": claim or digest},
                                       "type": "cosign container image signature"},
                          "optional": None}, separators=(",", ":")).encode()
    sig = base64.b64encode(openssl_sign(key, payload)).decode()
    ld = put_blob(url, repo, payload)
    config = json.dumps({"architecture": "", "os": "", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [ld]}}).encode()
    cd = put_blob(url, repo, config)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(config), "digest": cd},
        "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "size": len(payload),
                    "digest": ld, "annotations": {"dev.cosignproject.cosign/signature": sig}}]}).encode()
    code, body, _ = http("PUT", "%s/v2/%s/manifests/%s" % (url, repo, tag_of(digest, ".sig")), manifest,
                         {"Content-Type": OCI_MANIFEST})
    if code != 201:
        die("PUT .sig: %d %s" % (code, body[:200]))
    print(sha(manifest))


def cmd_verify_sig(url, repo, digest, pub):
    m = get_manifest(url, repo, tag_of(digest, ".sig"))
    ok = 0
    for layer in m.get("layers", []):
        if layer.get("mediaType") != "application/vnd.dev.cosign.simplesigning.v1+json":
            die("layer media type %s" % layer.get("mediaType"))
        payload = get_blob(url, repo, layer["digest"])
        sig = base64.b64decode(layer["annotations"]["dev.cosignproject.cosign/signature"], validate=True)
        if not openssl_verify(pub, payload, sig):
            continue
        p = json.loads(payload)
        if p["critical"]["type"] != "cosign container image signature":
            die("payload type %r" % p["critical"]["type"])
        if p["critical"]["image"]["docker-manifest-digest"] != digest:
            die("payload names %s" % p["critical"]["image"]["docker-manifest-digest"])
        if p["critical"]["identity"]["docker-reference"] != host_of(url) + "/" + repo:
            die("payload identity %s" % p["critical"]["identity"]["docker-reference"])
        ok += 1
    if ok == 0:
        die("no layer of %s verifies under %s" % (tag_of(digest, ".sig"), pub))
    print("ok", ok)


def pae(ptype, body):
    t = ptype.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def cmd_verify_att(url, repo, digest, pub):
    m = get_manifest(url, repo, tag_of(digest, ".att"))
    for layer in m.get("layers", []):
        if layer.get("mediaType") != "application/vnd.dsse.envelope.v1+json":
            continue
        env = json.loads(get_blob(url, repo, layer["digest"]))
        if env["payloadType"] != "application/vnd.in-toto+json":
            die("payloadType %s" % env["payloadType"])
        body = base64.b64decode(env["payload"], validate=True)
        if not any(openssl_verify(pub, pae(env["payloadType"], body), base64.b64decode(s["sig"], validate=True))
                   for s in env["signatures"]):
            continue
        st = json.loads(body)
        if st["_type"] != "https://in-toto.io/Statement/v1":
            die("statement type %s" % st["_type"])
        subj = st["subject"][0]
        if subj["name"] != host_of(url) + "/" + repo or "sha256:" + subj["digest"]["sha256"] != digest:
            die("subject %s" % json.dumps(subj))
        print(json.dumps(st, sort_keys=True))
        return
    die("no DSSE envelope of %s verifies under %s" % (tag_of(digest, ".att"), pub))


def main(argv):
    if len(argv) < 6:
        die(__doc__)
    cmd, url, repo, digest, key = argv[1:6]
    if cmd == "sign":
        claim = argv[7] if len(argv) > 7 and argv[6] == "--claim" else None
        cmd_sign(url, repo, digest, key, claim)
    elif cmd == "sign-many":
        for line in sys.stdin:
            if line.strip():
                r, d = line.split()
                cmd_sign(url, r, d, key)
    elif cmd == "verify-sig":
        cmd_verify_sig(url, repo, digest, key)
    elif cmd == "verify-att":
        cmd_verify_att(url, repo, digest, key)
    else:
        die("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
