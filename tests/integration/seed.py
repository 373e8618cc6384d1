#!/usr/bin/env python3
"""seed.py — push small per-architecture test images to a registry over the
distribution HTTP API (python3 stdlib only), the way a build farm would.

Each image: N gzip'd tar layers with pseudo-random content, a config blob
naming os/architecture/variant (and os.version), and a Docker v2s2 (default)
or OCI manifest. --index-with-attestation wraps the image in a buildx-style
OCI index with an attestation manifest entry. --signature-for DIGEST pushes,
instead of an image, a cosign-shaped signature of DIGEST (an OCI manifest
whose layer is application/vnd.dev.cosign.simplesigning.v1+json with the
dev.cosignproject.cosign/signature annotation) under cosign's tag
sha256-<hex>.sig; --referrer-for DIGEST an artifact manifest whose subject
is DIGEST, listed in the referrers tag schema's index (tag sha256-<hex>).
Basic auth and the Bearer token
flow are followed from the registry's WWW-Authenticate challenge.

Prints, per REF, the digest the tag points to (with --index-with-attestation:
"INDEX_DIGEST IMAGE_DIGEST"; with --referrer-for "INDEX_DIGEST
ARTIFACT_DIGEST"). With several REFs each line is "REF DIGEST...".

Content is derived from --seed (random when not given), the ref and the
platform, so a fixed --seed reproduces the same digests; --shared-layers
drops the ref from the layer derivation so many images share blobs (bench);
--ref-label repo leaves the registry's address out of the config's ref
label, so the digests are the same on a registry at another port.
"""
import argparse
import base64
import concurrent.futures
import gzip
import hashlib
import http.client
import io
import json
import os
import re
import sys
import tarfile
import threading
import urllib.parse

MT_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MT_DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
MT_DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
MT_INTOTO = "application/vnd.in-toto+json"


class SeedError(Exception):
    pass


def sha256_digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def parse_platform(text):
    """os/arch[/variant][:os.version] -> dict with os, architecture, variant?, os.version?"""
    os_version = None
    if ":" in text:
        text, os_version = text.split(":", 1)
    parts = text.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise SeedError("bad platform %r (want os/arch[/variant][:os.version])" % text)
    p = {"os": parts[0], "architecture": parts[1]}
    if len(parts) == 3:
        p["variant"] = parts[2]
    if os_version:
        p["os.version"] = os_version
    return p


def split_ref(ref, default_registry):
    """[host[:port]/]repo[:tag] -> (registry, repo, tag)."""
    registry = default_registry
    first, _, rest = ref.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, ref = first, rest
    if "@" in ref:
        raise SeedError("%s: seed pushes to a tag, not a digest" % ref)
    repo, tag = ref, "latest"
    m = re.match(r"^(.*):([\w][\w.-]{0,127})$", ref)
    if m:
        repo, tag = m.group(1), m.group(2)
    if not registry:
        raise SeedError("%s: no registry (give host:port/repo:tag, --registry or $REGISTRY)" % ref)
    return registry, repo, tag


class Client:
    """One registry, one keep-alive connection per thread, auth from challenges."""

    def __init__(self, registry, user=None):
        self.registry = registry
        self.user = user
        self.local = threading.local()
        self.tokens = {}  # scope -> token
        self.lock = threading.Lock()
        self.basic = None

    def _conn(self, host=None):
        host = host or self.registry
        conns = getattr(self.local, "conns", None)
        if conns is None:
            conns = self.local.conns = {}
        c = conns.get(host)
        if c is None:
            c = conns[host] = http.client.HTTPConnection(host, timeout=60)
        return c

    def _raw(self, method, url, headers, body):
        """url: path or absolute http URL. Returns (status, headers, body bytes)."""
        host = None
        if url.startswith("http://") or url.startswith("https://"):
            u = urllib.parse.urlsplit(url)
            if u.scheme != "http":
                raise SeedError("%s: only plain http is supported" % url)
            host = u.netloc
            url = u.path + ("?" + u.query if u.query else "")
        headers = dict(headers)
        headers.setdefault("User-Agent", "manifold-test-seed/1")
        for attempt in range(2):
            c = self._conn(host)
            try:
                c.request(method, url, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
                return r.status, r.headers, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                c.close()
                if attempt:
                    raise
        raise SeedError("unreachable")

    def _auth_header(self, scope):
        with self.lock:
            if scope in self.tokens:
                return "Bearer " + self.tokens[scope]
            if self.basic:
                return self.basic
        return None

    def _answer_challenge(self, challenge):
        if not self.user:
            raise SeedError("%s: registry wants credentials (%s); give --user" % (self.registry, challenge))
        scheme, _, params = challenge.partition(" ")
        basic = "Basic " + base64.b64encode(self.user.encode()).decode()
        if scheme.lower() == "basic":
            with self.lock:
                self.basic = basic
            return None
        if scheme.lower() != "bearer":
            raise SeedError("unknown auth scheme %r" % scheme)
        fields = dict(re.findall(r'(\w+)="([^"]*)"', params))
        realm = fields.get("realm")
        if not realm:
            raise SeedError("Bearer challenge without realm: %r" % challenge)
        q = {}
        if fields.get("service"):
            q["service"] = fields["service"]
        if fields.get("scope"):
            q["scope"] = fields["scope"]
        url = realm + ("&" if "?" in realm else "?") + urllib.parse.urlencode(q)
        status, _, data = self._raw("GET", url, {"Authorization": basic}, None)
        if status != 200:
            raise SeedError("token request to %s: HTTP %d" % (realm, status))
        doc = json.loads(data)
        token = doc.get("token") or doc.get("access_token")
        if not token:
            raise SeedError("token response without a token")
        with self.lock:
            self.tokens[fields.get("scope", "")] = token
        return fields.get("scope", "")

    def request(self, method, path, headers=None, body=None, scope=""):
        headers = dict(headers or {})
        for _ in range(3):
            h = dict(headers)
            auth = self._auth_header(scope)
            if auth:
                h["Authorization"] = auth
            status, rh, data = self._raw(method, path, h, body)
            if status != 401:
                return status, rh, data
            challenge = rh.get("WWW-Authenticate", "")
            got = self._answer_challenge(challenge)
            if got is not None:
                scope = got
        raise SeedError("%s %s: still 401 after authenticating" % (method, path))

    def scope_for(self, repo):
        return "repository:%s:pull,push" % repo

    def push_blob(self, repo, data):
        digest = sha256_digest(data)
        scope = self.scope_for(repo)
        status, _, _ = self.request("HEAD", "/v2/%s/blobs/%s" % (repo, digest), scope=scope)
        if status == 200:
            return digest
        status, rh, body = self.request("POST", "/v2/%s/blobs/uploads/" % repo, scope=scope)
        if status != 202:
            raise SeedError("POST upload %s: HTTP %d %s" % (repo, status, body[:200]))
        loc = rh.get("Location")
        if not loc:
            raise SeedError("POST upload %s: no Location" % repo)
        loc += ("&" if "?" in loc else "?") + "digest=" + urllib.parse.quote(digest)
        status, _, body = self.request(
            "PUT", loc, {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))}, data, scope=scope
        )
        if status != 201:
            raise SeedError("PUT blob %s %s: HTTP %d %s" % (repo, digest, status, body[:200]))
        return digest

    def push_manifest(self, repo, ref, media_type, data):
        status, rh, body = self.request(
            "PUT", "/v2/%s/manifests/%s" % (repo, ref), {"Content-Type": media_type}, data, scope=self.scope_for(repo)
        )
        if status != 201:
            raise SeedError("PUT manifest %s:%s: HTTP %d %s" % (repo, ref, status, body[:300]))
        digest = sha256_digest(data)
        got = rh.get("Docker-Content-Digest")
        if got and got != digest:
            raise SeedError("PUT manifest %s:%s: registry says %s, bytes are %s" % (repo, ref, got, digest))
        return digest


def prng(key, n):
    """n deterministic bytes from key (sha256 in counter mode)."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(key + i.to_bytes(8, "big")).digest()
        i += 1
    return bytes(out[:n])


def make_layer(key, size):
    """A gzip'd tar holding one file of pseudo-random bytes; deterministic."""
    content = prng(key, size)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        ti = tarfile.TarInfo("data/" + hashlib.sha256(key).hexdigest()[:16])
        ti.size = len(content)
        ti.mtime = 0
        ti.mode = 0o644
        tf.addfile(ti, io.BytesIO(content))
    tar = raw.getvalue()
    return gzip.compress(tar, mtime=0), sha256_digest(tar)


def dumps(obj):
    return json.dumps(obj, indent=3, sort_keys=False).encode()


def build_image(args, ref, platform, config_platform, oci):
    """Returns (manifest bytes, media type, blobs [bytes])."""
    seed = str(args.seed).encode()
    layers, diff_ids, descs = [], [], []
    for i in range(args.layers):
        key = b"|".join([seed, b"layer", str(i).encode(), platform.encode()])
        if not args.shared_layers:
            key += b"|" + ref.encode()
        blob, diff_id = make_layer(key, args.layer_size)
        layers.append(blob)
        diff_ids.append(diff_id)
        descs.append({"mediaType": MT_OCI_LAYER if oci else MT_DOCKER_LAYER, "size": len(blob), "digest": sha256_digest(blob)})
    cp = parse_platform(config_platform)
    config = {"architecture": cp["architecture"], "os": cp["os"]}
    if "variant" in cp:
        config["variant"] = cp["variant"]
    if "os.version" in cp:
        config["os.version"] = cp["os.version"]
    config["created"] = "2024-01-01T00:00:00Z"
    config["config"] = {"Labels": {"org.example.seed.ref": ref, "org.example.seed.seed": str(args.seed)}}
    config["rootfs"] = {"type": "layers", "diff_ids": diff_ids}
    config["history"] = [{"created": "2024-01-01T00:00:00Z", "created_by": "seed.py layer %d" % i} for i in range(args.layers)]
    cbytes = json.dumps(config, separators=(",", ":")).encode()
    manifest = {"schemaVersion": 2, "mediaType": MT_OCI_MANIFEST if oci else MT_DOCKER_MANIFEST}
    manifest["config"] = {"mediaType": MT_OCI_CONFIG if oci else MT_DOCKER_CONFIG, "size": len(cbytes), "digest": sha256_digest(cbytes)}
    manifest["layers"] = descs
    return dumps(manifest), manifest["mediaType"], [cbytes] + layers


def one_layer_manifest(config, layer_type, layer, annotations):
    """An OCI image manifest of an OCI config and one annotated layer."""
    return {
        "schemaVersion": 2,
        "mediaType": MT_OCI_MANIFEST,
        "config": {"mediaType": MT_OCI_CONFIG, "digest": sha256_digest(config), "size": len(config)},
        "layers": [{"mediaType": layer_type, "digest": sha256_digest(layer), "size": len(layer), "annotations": annotations}],
    }


def build_attestation(args, ref, image_digest):
    stmt = {
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": ref, "digest": {"sha256": image_digest.split(":", 1)[1]}}],
        "predicate": {"builder": {"id": "seed.py"}, "seed": str(args.seed)},
    }
    sbytes = json.dumps(stmt, separators=(",", ":")).encode()
    config = {"architecture": "unknown", "os": "unknown", "config": {}, "rootfs": {"type": "layers", "diff_ids": [sha256_digest(sbytes)]}}
    cbytes = json.dumps(config, separators=(",", ":")).encode()
    manifest = one_layer_manifest(cbytes, MT_INTOTO, sbytes, {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"})
    return dumps(manifest), [cbytes, sbytes]


MT_COSIGN_SIG = "application/vnd.dev.cosign.simplesigning.v1+json"
MT_EMPTY = "application/vnd.oci.empty.v1+json"


def seed_signature(args, client, registry, repo, digest):
    """cosign sign's shape: simplesigning payload as the layer, the signature
    in its annotation, pushed under sha256-<hex>.sig."""
    payload = json.dumps(
        {
            "critical": {
                "identity": {"docker-reference": "%s/%s" % (registry, repo)},
                "image": {"docker-manifest-digest": digest},
                "type": "cosign container image signature",
            },
            "optional": {"seed": str(args.seed)},
        },
        separators=(",", ":"),
    ).encode()
    config = json.dumps({"architecture": "", "os": "", "config": {}, "rootfs": {"type": "layers", "diff_ids": [sha256_digest(payload)]}}, separators=(",", ":")).encode()
    sig = base64.b64encode(hashlib.sha256(payload + str(args.seed).encode()).digest()).decode()
    manifest = one_layer_manifest(config, MT_COSIGN_SIG, payload, {"dev.cosignproject.cosign/signature": sig})
    for b in (config, payload):
        client.push_blob(repo, b)
    tag = "sha256-%s.sig" % digest.split(":", 1)[1]
    return [client.push_manifest(repo, tag, MT_OCI_MANIFEST, dumps(manifest))]


def seed_referrer(args, client, repo, digest):
    """An artifact whose subject is digest, and the referrers tag schema's
    index (tag sha256-<hex>) listing it."""
    status, rh, body = client.request(
        "GET", "/v2/%s/manifests/%s" % (repo, digest), {"Accept": ", ".join([MT_DOCKER_MANIFEST, MT_OCI_MANIFEST, MT_OCI_INDEX])}, scope=client.scope_for(repo)
    )
    if status != 200:
        raise SeedError("GET manifest %s@%s: HTTP %d" % (repo, digest, status))
    subject = {"mediaType": rh.get("Content-Type", MT_OCI_MANIFEST).split(";")[0], "digest": digest, "size": len(body)}
    sbom = json.dumps({"spdxVersion": "SPDX-2.3", "name": repo, "seed": str(args.seed)}).encode()
    empty = b"{}"
    artifact_type = "application/spdx+json"
    manifest = {
        "schemaVersion": 2,
        "mediaType": MT_OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": {"mediaType": MT_EMPTY, "digest": sha256_digest(empty), "size": len(empty)},
        "layers": [{"mediaType": artifact_type, "digest": sha256_digest(sbom), "size": len(sbom)}],
        "subject": subject,
    }
    for b in (empty, sbom):
        client.push_blob(repo, b)
    mbytes = dumps(manifest)
    adigest = client.push_manifest(repo, sha256_digest(mbytes), MT_OCI_MANIFEST, mbytes)
    index = {
        "schemaVersion": 2,
        "mediaType": MT_OCI_INDEX,
        "manifests": [{"mediaType": MT_OCI_MANIFEST, "digest": adigest, "size": len(mbytes), "artifactType": artifact_type}],
    }
    tag = "sha256-%s" % digest.split(":", 1)[1]
    return [client.push_manifest(repo, tag, MT_OCI_INDEX, dumps(index)), adigest]


def seed_one(args, ref):
    registry, repo, tag = split_ref(ref, args.registry)
    client = args.clients.setdefault(registry, Client(registry, args.user))
    full = "%s/%s:%s" % (registry, repo, tag)
    if args.signature_for:
        return seed_signature(args, client, registry, repo, args.signature_for)
    if args.referrer_for:
        return seed_referrer(args, client, repo, args.referrer_for)
    oci = args.oci or args.index_with_attestation
    label = full if args.ref_label == "full" else "%s:%s" % (repo, tag)
    mbytes, mtype, blobs = build_image(args, label, args.platform, args.config_platform or args.platform, oci)
    for b in blobs:
        client.push_blob(repo, b)
    if not args.index_with_attestation:
        return [client.push_manifest(repo, tag, mtype, mbytes)]
    image_digest = client.push_manifest(repo, sha256_digest(mbytes), mtype, mbytes)
    abytes, ablobs = build_attestation(args, full, image_digest)
    for b in ablobs:
        client.push_blob(repo, b)
    att_digest = client.push_manifest(repo, sha256_digest(abytes), MT_OCI_MANIFEST, abytes)
    plat = parse_platform(args.platform)
    index = {
        "schemaVersion": 2,
        "mediaType": MT_OCI_INDEX,
        "manifests": [
            {"mediaType": MT_OCI_MANIFEST, "digest": image_digest, "size": len(mbytes), "platform": plat},
            {
                "mediaType": MT_OCI_MANIFEST,
                "digest": att_digest,
                "size": len(abytes),
                "annotations": {"vnd.docker.reference.digest": image_digest, "vnd.docker.reference.type": "attestation-manifest"},
                "platform": {"architecture": "unknown", "os": "unknown"},
            },
        ],
    }
    ibytes = dumps(index)
    return [client.push_manifest(repo, tag, MT_OCI_INDEX, ibytes), image_digest]


def main():
    ap = argparse.ArgumentParser(description="push small per-arch test images to a registry")
    ap.add_argument("refs", nargs="+", metavar="REF", help="[host:port/]repo[:tag]")
    ap.add_argument("--registry", default=os.environ.get("REGISTRY"), help="default host:port ($REGISTRY)")
    ap.add_argument("--platform", default="linux/amd64")
    ap.add_argument("--config-platform", help="platform written in the config blob (default: --platform)")
    ap.add_argument("--oci", action="store_true", help="OCI manifest instead of Docker v2s2")
    ap.add_argument("--index-with-attestation", action="store_true", help="buildx-style OCI index + attestation")
    ap.add_argument("--signature-for", metavar="DIGEST", help="push a cosign signature of DIGEST (tag sha256-<hex>.sig)")
    ap.add_argument("--referrer-for", metavar="DIGEST", help="push an artifact with subject DIGEST + tag schema index")
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--layer-size", type=int, default=512)
    ap.add_argument("--seed", help="content seed (default: random)")
    ap.add_argument("--shared-layers", action="store_true", help="same layers for every REF")
    ap.add_argument("--user", help="USER:PASS for Basic or token auth")
    ap.add_argument("-j", "--jobs", type=int, default=4)
    ap.add_argument("--ref-label", choices=["full", "repo"], default="full",
                    help="the config's ref label: registry/repo:tag, or repo:tag")
    args = ap.parse_args()
    if args.seed is None:
        args.seed = os.urandom(8).hex()
    if args.layers < 1 or args.layer_size < 0:
        ap.error("--layers must be >= 1 and --layer-size >= 0")
    args.clients = {}
    try:
        parse_platform(args.platform)
        if args.config_platform:
            parse_platform(args.config_platform)
        # Create clients up front so threads share token caches.
        for r in args.refs:
            reg = split_ref(r, args.registry)[0]
            args.clients.setdefault(reg, Client(reg, args.user))
        if len(args.refs) == 1:
            print(" ".join(seed_one(args, args.refs[0])))
            return 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            results = list(ex.map(lambda r: seed_one(args, r), args.refs))
        for r, d in zip(args.refs, results):
            print(r, " ".join(d))
    except (SeedError, OSError, http.client.HTTPException) as e:
        print("seed.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
