"""A small registry client of its own for the chaos checker.

It speaks the distribution /v2/ API over http.client (loopback, no auth)
and knows nothing of manifold: the verifier reads what a registry serves
with it, and the world's mutations (pushing a rebuilt per-arch image,
overwriting a tag from outside, deleting a child) are made with it.
"""

import gzip
import hashlib
import http.client
import json
import urllib.parse

MT_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MT_DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MT_DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
MT_DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
LIST_TYPES = (MT_DOCKER_LIST, MT_OCI_INDEX)
ACCEPT = ", ".join([MT_DOCKER_MANIFEST, MT_DOCKER_LIST, MT_OCI_MANIFEST, MT_OCI_INDEX])


class RegistryError(Exception):
    pass


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def platform_string(p):
    """os/arch[/variant] of a list entry's or an image config's platform."""
    s = "%s/%s" % (p.get("os", ""), p.get("architecture", ""))
    if p.get("variant"):
        s += "/" + p["variant"]
    return s


def platform_fields(s):
    parts = s.split("/")
    out = {"architecture": parts[1], "os": parts[0]}
    if len(parts) > 2:
        out["variant"] = parts[2]
    return out


class Registry:
    """One registry at host:port. Every call opens its own connection, so
    threads may share one Registry."""

    def __init__(self, addr):
        self.addr = addr
        self.blob_cache = {}
        self.manifest_cache = {}  # digest -> (media type, bytes): manifests never change

    def _do(self, method, path, headers=None, body=None):
        host, port = self.addr.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    # ---- reads -------------------------------------------------------------

    def head(self, repo, ref):
        """The digest repo:ref (or repo@digest) serves, or None on 404."""
        st, h, data = self._do("HEAD", "/v2/%s/manifests/%s" % (repo, ref), {"Accept": ACCEPT})
        if st == 404:
            return None
        if st != 200:
            raise RegistryError("HEAD %s/%s:%s: HTTP %d" % (self.addr, repo, ref, st))
        return h.get("docker-content-digest")

    def get(self, repo, ref):
        """(digest, media type, bytes) of repo:ref, or None on 404."""
        if ref.startswith("sha256:") and ref in self.manifest_cache:
            mt, data = self.manifest_cache[ref]
            return ref, mt, data
        st, h, data = self._do("GET", "/v2/%s/manifests/%s" % (repo, ref), {"Accept": ACCEPT})
        if st == 404:
            return None
        if st != 200:
            raise RegistryError("GET %s/%s:%s: HTTP %d %s" % (self.addr, repo, ref, st, data[:200]))
        digest = sha256(data)
        mt = h.get("content-type", "").split(";")[0]
        self.manifest_cache[digest] = (mt, data)
        return digest, mt, data

    def get_blob(self, repo, digest):
        st, _, data = self._do("GET", "/v2/%s/blobs/%s" % (repo, digest))
        if st in (301, 302, 307):
            raise RegistryError("blob redirect not supported")
        if st != 200:
            return None
        return data

    def tags(self, repo):
        st, _, data = self._do("GET", "/v2/%s/tags/list?n=10000" % repo)
        if st == 404:
            return []
        if st != 200:
            raise RegistryError("tags/list %s/%s: HTTP %d" % (self.addr, repo, st))
        return sorted(json.loads(data).get("tags") or [])

    def catalog(self):
        st, _, data = self._do("GET", "/v2/_catalog?n=10000")
        if st != 200:
            raise RegistryError("catalog %s: HTTP %d" % (self.addr, st))
        return sorted(json.loads(data).get("repositories") or [])

    # ---- writes ------------------------------------------------------------

    def push_blob(self, repo, data):
        digest = sha256(data)
        if self.blob_cache.get((repo, digest)):
            return digest
        st, h, body = self._do("POST", "/v2/%s/blobs/uploads/" % repo)
        if st != 202:
            raise RegistryError("POST upload %s: HTTP %d %s" % (repo, st, body[:200]))
        loc = h["location"]
        if loc.startswith("http"):
            u = urllib.parse.urlsplit(loc)
            loc = u.path + ("?" + u.query if u.query else "")
        loc += ("&" if "?" in loc else "?") + "digest=" + urllib.parse.quote(digest)
        st, _, body = self._do("PUT", loc, {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))}, data)
        if st != 201:
            raise RegistryError("PUT blob %s: HTTP %d %s" % (repo, st, body[:200]))
        self.blob_cache[(repo, digest)] = True
        return digest

    def put_manifest(self, repo, ref, media_type, data):
        st, _, body = self._do("PUT", "/v2/%s/manifests/%s" % (repo, ref), {"Content-Type": media_type}, data)
        if st != 201:
            raise RegistryError("PUT manifest %s:%s: HTTP %d %s" % (repo, ref, st, body[:300]))
        digest = sha256(data)
        self.manifest_cache[digest] = (media_type, data)
        return digest

    def delete_manifest(self, repo, digest):
        st, _, body = self._do("DELETE", "/v2/%s/manifests/%s" % (repo, digest))
        if st not in (202, 404):
            raise RegistryError("DELETE %s@%s: HTTP %d %s" % (repo, digest, st, body[:200]))
        return st == 202

    # ---- images ------------------------------------------------------------

    def push_image(self, repo, tag, platform, key, base=None):
        """Pushes a Docker v2 image whose config says `platform`: a base
        layer decided by `base` (shared by every image given the same one)
        when given, and a layer decided by `key`; tags it (tag None: by
        digest only). Returns (digest, manifest bytes)."""
        layers = [gzip.compress(("base " + base).encode() * 64, mtime=0)] if base else []
        layers.append(gzip.compress(("layer " + key).encode() * 8, mtime=0))
        config = dict(platform_fields(platform))
        config["rootfs"] = {"type": "layers", "diff_ids": [sha256(gzip.decompress(x)) for x in layers]}
        config["config"] = {"Labels": {"chaos.key": key}}
        cbytes = json.dumps(config, sort_keys=True).encode()
        for x in layers:
            self.push_blob(repo, x)
        self.push_blob(repo, cbytes)
        m = {
            "schemaVersion": 2,
            "mediaType": MT_DOCKER_MANIFEST,
            "config": {"mediaType": MT_DOCKER_CONFIG, "size": len(cbytes), "digest": sha256(cbytes)},
            "layers": [{"mediaType": MT_DOCKER_LAYER, "size": len(x), "digest": sha256(x)} for x in layers],
        }
        mbytes = json.dumps(m, indent=2).encode()
        digest = sha256(mbytes)
        self.put_manifest(repo, tag or digest, MT_DOCKER_MANIFEST, mbytes)
        return digest, mbytes

    def push_list(self, repo, tag, children):
        """children: [(platform, digest, bytes)] already in repo."""
        entries = [{"mediaType": MT_DOCKER_MANIFEST, "size": len(b), "digest": d, "platform": platform_fields(p)} for p, d, b in children]
        lbytes = json.dumps({"schemaVersion": 2, "mediaType": MT_DOCKER_LIST, "manifests": entries}, indent=2).encode()
        return self.put_manifest(repo, tag, MT_DOCKER_LIST, lbytes)

    def image_platform(self, repo, digest):
        """The platform an image's config blob names, or None."""
        got = self.get(repo, digest)
        if got is None:
            return None
        _, mt, data = got
        if mt in LIST_TYPES:
            return None
        m = json.loads(data)
        key = ("cfg", m["config"]["digest"])
        if key not in self.manifest_cache:
            blob = self.get_blob(repo, m["config"]["digest"])
            if blob is None:
                return None
            self.manifest_cache[key] = platform_string(json.loads(blob))
        return self.manifest_cache[key]
