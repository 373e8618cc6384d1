"""The chaos checker's verifier: docs/guarantees.md, checked against what
the registries serve (regclient.py, /v2/ only) and the status file. It
imports nothing of manifold and reads only the status file's JSON.

Each check names its guarantee (G1 … G10, RUN) and its evidence. The
outside ledger of the world (World.foreign, World.deleted_children) is
what the checker itself did to the registries; the repair window of G2 is
exactly "until the next publish": after a publish every list tag of the
config is whole or its target is not published/unchanged.
"""

import json
import os
import re
import subprocess

import regclient
from engine import ENGINE

UNKNOWN = "unknown/unknown"
# A registry's error in a reason: the engine could not do what a healthy
# registry lets it do.
REGISTRY_ERROR = re.compile(r"\b(400|404|409|500|502|503)\b|DIGEST_INVALID|BLOB_UNKNOWN|MANIFEST_INVALID|MANIFEST_UNKNOWN|UNKNOWN")


class Snapshot:
    """Every tag of every watched repository and the digest it serves."""

    def __init__(self, world):
        self.world = world
        self.tags = {}
        self.present_cache = {}
        for addr, repo in world.watched_repos():
            c = world.client(addr)
            for t in c.tags(repo):
                d = c.head(repo, t)
                if d:
                    self.tags[(addr, repo, t)] = d
        # Everything a check reads later is read now: presence is not a
        # manifest's content, it changes with the next step.
        names = set(im["name"] for im in world.images)
        for key in list(self.tags):
            for p, cd in self.missing_children(key):
                if key[0] == world.R and key[1] in names:
                    for q in world.all_platforms():
                        self.present(world.R, world.source_repo(key[1], q), cd)

    def get(self, key):
        return self.tags.get(key)

    def manifest(self, addr, repo, digest):
        got = self.world.client(addr).get(repo, digest)
        if got is None:
            return None, None
        return got[1], json.loads(got[2])

    def entries(self, addr, repo, digest):
        """[(platform, child digest)] of a list (attestations left out), or None for an image or nothing."""
        if digest is None:
            return None
        mt, m = self.manifest(addr, repo, digest)
        if mt not in regclient.LIST_TYPES:
            return None
        out = []
        for e in m.get("manifests", []):
            p = regclient.platform_string(e.get("platform", {}))
            if p != UNKNOWN:
                out.append((p, e["digest"]))
        return out

    def platforms(self, key):
        """The platforms a tag's list serves; None when it holds no list."""
        es = self.entries(key[0], key[1], self.tags.get(key))
        return None if es is None else set(p for p, _ in es)

    def served(self, key):
        """The platforms a tag serves: its list's entries, or the one its
        image's config names (an image serves the platform it was built
        for); the empty set when it holds nothing readable."""
        got = self.platforms(key)
        if got is not None:
            return got
        digest = self.tags.get(key)
        if digest is None:
            return set()
        mt, m = self.manifest(key[0], key[1], digest)
        cfg = (m or {}).get("config", {}).get("digest")
        data = self.world.client(key[0]).get_blob(key[1], cfg) if cfg else None
        if not data:
            return set()
        return {regclient.platform_string(json.loads(data))}

    def present(self, addr, repo, digest):
        k = (addr, repo, digest)
        if k not in self.present_cache:
            self.present_cache[k] = self.world.client(addr).head(repo, digest) is not None
        return self.present_cache[k]

    def missing_children(self, key):
        es = self.entries(key[0], key[1], self.tags.get(key))
        if not es:
            return []
        return [(p, d) for p, d in es if not self.present(key[0], key[1], d)]


def fmt(key):
    return "%s/%s:%s" % key


class Verifier:
    def __init__(self, world, checker):
        self.w = world
        self.c = checker

    def v(self, inv, what, evidence=""):
        self.c.violation(inv, what, evidence)

    def snapshot(self):
        s = Snapshot(self.w)
        s.status_bytes = self.status_bytes()
        return s

    def parts_dir(self, header):
        """The parts directory a split status file's header names, or None."""
        try:
            doc = json.loads(header)
        except ValueError:
            return None
        if not isinstance(doc, dict) or not isinstance(doc.get("parts"), str):
            return None
        return os.path.join(os.path.dirname(self.w.status), doc["parts"])

    def part_files(self, d):
        """{path inside d: bytes} of a split status file's parts."""
        out = {}
        for root, _dirs, files in os.walk(d):
            for n in files:
                if n.endswith(".json"):
                    full = os.path.join(root, n)
                    with open(full, "rb") as f:
                        out[os.path.relpath(full, d)] = f.read()
        return out

    def status_bytes(self):
        """The status file's bytes; split, the header's and every part's."""
        try:
            with open(self.w.status, "rb") as f:
                b = f.read()
        except FileNotFoundError:
            return None
        d = self.parts_dir(b)
        if d is None:
            return b
        for rel, pb in sorted(self.part_files(d).items()):
            b += b"\0" + rel.encode() + b"\0" + pb
        return b

    def status(self):
        """The status file as one document (a split one's parts merged)."""
        try:
            with open(self.w.status, "rb") as f:
                b = f.read()
        except FileNotFoundError:
            return None
        try:
            doc = json.loads(b)
            d = self.parts_dir(b)
            if d is not None:
                targets = []
                for rel, pb in sorted(self.part_files(d).items()):
                    targets += json.loads(pb).get("targets", [])
                doc["targets"] = sorted(targets, key=lambda t: t["target"])
            return doc
        except ValueError as e:
            self.v("G4", "the status file is not JSON", str(e))
            return None

    # ---- checks every step shares ----------------------------------------------

    def dangling(self, s, by_manifold):
        """G2: every child a list names is served by the list's repository,
        but for children deleted from outside under a list that is still
        at its tag (the window lasts until the next publish)."""
        w = self.w
        live = {}
        for key, d in s.tags.items():
            missing = s.missing_children(key)
            if not missing:
                continue
            window = w.deleted_children.get((key[1], key[2], d), set()) if key[0] == w.R else set()
            for p, cd in missing:
                if cd in window:
                    live.setdefault((key[1], key[2], d), set()).add(cd)
                    continue
                self.v("G2", "%s (%s) names %s child %s, which %s/%s does not serve" % (fmt(key), d, p, cd, key[0], key[1]),
                       "written %s" % ("in this step" if by_manifold else "earlier"))
        w.deleted_children = live
        w.window_age = {k: a for k, a in w.window_age.items() if k in live}

    def foreign_kept(self, before, s, overwrite):
        """G3: a tag the checker overwrote from outside is not changed by manifold."""
        w = self.w
        for key, d in list(w.foreign.items()):
            now = s.get(key)
            if now == d:
                continue
            if not overwrite:
                self.v("G3", "%s held %s, written from outside; manifold changed it to %s" % (fmt(key), d, now),
                       "step %s" % self.c.step)
            del w.foreign[key]

    def no_shrink(self, before, s, exempt):
        """G1: a tag's list never loses a platform in a manifold step (unless exempt)."""
        for key, d in before.tags.items():
            now = s.get(key)
            if now == d or key in exempt or key in self.w.foreign:
                continue
            was = before.platforms(key)
            if not was:
                continue
            got = s.served(key)
            lost = was - got
            if lost:
                self.v("G1", "%s lost %s (%s -> %s)" % (fmt(key), ",".join(sorted(lost)), d, now or "deleted"),
                       "before %s, after %s" % (sorted(was), sorted(got)))

    def sanity(self, rc, allowed, cmd, text):
        if rc not in allowed:
            self.v("RUN", "%s exited %s (expected one of %s)" % (cmd, rc, allowed), text[-1500:])

    # ---- after each kind of step --------------------------------------------------

    def after_outside(self, before):
        s = self.snapshot()
        self.dangling(s, False)
        return s

    def after_publish(self, before, results, shrink, commit, overwrite=False):
        w = self.w
        s = self.snapshot()
        for rc, text in results:
            self.sanity(rc, (0, 1, ENGINE["exit_incomplete"]), "publish", text)
        ok_states = ENGINE["ok_target_states"]
        for key in w.deleted_children:
            w.window_age[key] = w.window_age.get(key, 0) + 1
        exempt = set()
        if shrink:
            for im, tag, first in w.targets():
                for t in w.publish_tags(im, tag, first):
                    exempt.add((w.R, im["name"], t))
        self.no_shrink(before, s, exempt)
        self.foreign_kept(before, s, overwrite)
        st = self.status()
        if st is None:
            self.v("G4", "no status file after publish", "")
            self.dangling(s, True)
            return
        recs = {r["target"]: r for r in st.get("targets", [])}
        text_all = "\n".join(t for _, t in results)
        any_not_ok = False
        any_failed = False
        for im, tag, first in w.targets():
            name = im["name"]
            ref = "%s/%s:%s" % (w.R, name, tag)
            rec = recs.get(ref)
            if rec is None:
                self.v("G7", "%s has no record after a full publish" % ref, "records: %s" % sorted(recs))
                continue
            state = rec.get("state")
            ok = state in ok_states
            any_not_ok |= not ok
            any_failed |= state == "failed"
            main = (w.R, name, tag)
            tags = [(w.R, name, t) for t in w.publish_tags(im, tag, first)]
            # G4: the record says what the tag serves.
            if ok:
                for k in tags:
                    if s.get(k) != rec.get("digest"):
                        self.v("G4", "%s is %s at %s, but %s serves %s" % (ref, state, rec.get("digest"), fmt(k), s.get(k)),
                               json.dumps(rec)[:600])
            elif (state == ENGINE["held_target_state"] or (state == "failed" and ENGINE["failed_digest_is_served"])) \
                    and "digest" in rec and rec["digest"] != s.get(main):
                self.v("G4", "%s is %s with digest %s, but the tag serves %s" % (ref, state, rec["digest"], s.get(main)),
                       json.dumps(rec)[:600])
            # G3: a tag written from outside is reported, not published over.
            for k in tags:
                if k in w.foreign and s.get(k) == w.foreign[k] and ok:
                    self.v("G3", "%s is %s although %s holds %s, written from outside" % (ref, state, fmt(k), w.foreign[k]),
                           json.dumps(rec)[:600])
            # G2 (the window closes): a list tag of the config is whole or its target says it is not.
            for k in tags:
                missing = s.missing_children(k)
                age = w.window_age.get((k[1], k[2], s.get(k)), ENGINE["repair_publishes"])
                if missing and ok and age >= ENGINE["repair_publishes"]:
                    self.v("G2", "%s is %s, but %s names %s, not served by %s/%s" % (
                        ref, state, fmt(k), ", ".join("%s %s" % m for m in missing), k[0], k[1]), json.dumps(rec)[:600])
            # G5: a published list is whole, right and up to date.
            if ok:
                self.list_is_right(s, im, tag, ref, rec)
            # G6: a healthy registry fails nothing the config allows.
            if state == "failed" and REGISTRY_ERROR.search(rec.get("reason", "")) and not self.explained_failure(s, im, tag):
                self.v("G6", "%s failed on a healthy registry: %s" % (ref, rec.get("reason")), text_all[-1500:])
        if len(results) == 1:
            rc = results[0][0]
            if rc == 0 and any_not_ok:
                self.v("RUN", "publish exited 0 with a target not published/unchanged", text_all[-1500:])
            if rc != 0 and rc in (1, 3) and not any_not_ok:
                self.v("RUN", "publish exited %d with every target published/unchanged" % rc, text_all[-1500:])
            if rc == 3 and any_failed:
                self.v("RUN", "publish exited 3 with a failed target (1 expected)", text_all[-1500:])
        if commit:
            self.committed()
        self.dangling(s, True)

    def explained_failure(self, s, im, tag):
        """A target may fail when a child of the list at its tags was deleted from outside."""
        w = self.w
        for (repo, t, _d) in w.deleted_children:
            if repo == im["name"]:
                return True
        return False

    def list_is_right(self, s, im, tag, ref, rec):
        w = self.w
        name = im["name"]
        es = s.entries(w.R, name, s.get((w.R, name, tag)))
        if es is None:
            self.v("G5", "%s is %s but the tag holds no list" % (ref, rec.get("state")), json.dumps(rec)[:400])
            return
        plats = [p for p, _ in es]
        if len(set(plats)) != len(plats):
            self.v("G5", "%s lists a platform twice: %s" % (ref, plats), "")
        want = set(im["platforms"])
        for p in im["optional"]:
            sd = s.get((w.R, w.source_repo(name, p), tag))
            if sd and w.reg.image_platform(w.source_repo(name, p), sd) == p:
                want.add(p)
        if set(plats) != want:
            self.v("G5", "%s serves %s; the config and the builds make %s" % (ref, sorted(plats), sorted(want)),
                   "required %s, optional %s" % (im["platforms"], im["optional"]))
        for p, cd in es:
            got = w.reg.image_platform(name, cd)
            if got != p:
                self.v("G5", "%s: the %s entry %s is an image of %s" % (ref, p, cd, got), "its config blob")
            sd = s.get((w.R, w.source_repo(name, p), tag))
            if sd is not None and sd != cd:
                self.v("G5", "%s: the %s entry is %s, but the build %s holds %s" % (
                    ref, p, cd, fmt((w.R, w.source_repo(name, p), tag)), sd), "a published list is tonight's builds")

    def committed(self):
        g = os.path.join(self.w.workdir, "git")
        r = subprocess.run(["git", "-C", g, "show", "HEAD:status/release.json"], capture_output=True)
        with open(self.w.status, "rb") as f:
            header = f.read()
        if r.returncode != 0 or r.stdout != header:
            self.v("G4", "after publish --commit, HEAD's status file is not the file on disk", r.stderr.decode()[-300:])
            return
        # split: HEAD's parts are the parts on disk, no more, no fewer
        d = self.parts_dir(header)
        rel = os.path.relpath(d, g) if d else "status/release.d"
        r = subprocess.run(["git", "-C", g, "status", "--porcelain", "--untracked-files=all", "--", rel],
                           capture_output=True)
        if r.returncode != 0 or r.stdout.strip():
            self.v("G4", "after publish --commit, HEAD's status parts are not the parts on disk",
                   (r.stdout + r.stderr).decode()[-300:])

    def after_retag(self, before, rc, text, overwrite=False):
        w = self.w
        s = self.snapshot()
        # 3: no copy failed, but one was held or refused (nothing written for it)
        self.sanity(rc, (0, 1, ENGINE["exit_incomplete"]), "retag", text)
        if rc == ENGINE["exit_incomplete"] and not any(
            line.startswith(("held ", "refused ")) for line in text.splitlines()
        ):
            self.v("RUN", "retag exited %s with no held or refused copy" % rc, text[-1500:])
        self.no_shrink(before, s, set())
        self.foreign_kept(before, s, overwrite)
        st = self.status() or {}
        recs = {r["to"]: r for r in st.get("copies", [])}
        ok_states = ENGINE["ok_copy_states"]
        for src, dst, _is_list in w.copies():
            to = fmt(dst)
            rec = recs.get(to)
            sd = s.get(src)
            if rec is None:
                if sd is not None:
                    self.v("G4", "retag of %s to %s left no record" % (fmt(src), to), "")
                continue
            state = rec.get("state")
            ok = state in ok_states
            if ok and rec.get("digest") != s.get(dst):
                self.v("G4", "copy %s is %s at %s, but it serves %s" % (to, state, rec.get("digest"), s.get(dst)), json.dumps(rec))
            if ok and sd is not None and s.get(dst) != sd:
                self.v("G8", "copy %s is %s, but it serves %s and %s serves %s" % (to, state, s.get(dst), fmt(src), sd), json.dumps(rec))
            if dst in w.foreign and s.get(dst) == w.foreign[dst] and sd is not None:
                if ok:
                    self.v("G3", "copy %s is %s although the destination holds %s, written from outside" % (to, state, w.foreign[dst]), json.dumps(rec))
                if rc == 0:
                    self.v("G3", "retag exited 0 although %s holds %s, written from outside" % (to, w.foreign[dst]), text[-800:])
            if state == "failed" and sd is not None and REGISTRY_ERROR.search(rec.get("reason", "")):
                if not before.missing_children(src) and not s.missing_children(src) and dst not in w.foreign:
                    self.v("G6", "copy %s failed on a healthy registry: %s" % (to, rec.get("reason")), text[-1200:])
        self.dangling(s, True)

    def after_prune(self, before, rc, text):
        w = self.w
        # What only a source holds: children of lists at the config's tags
        # that the target repository lacks (deleted from outside).
        last_copies = []
        for im, tag, first in w.targets():
            name = im["name"]
            for t in w.publish_tags(im, tag, first):
                for p, cd in before.missing_children((w.R, name, t)):
                    for q in w.all_platforms():
                        if before.present(w.R, w.source_repo(name, q), cd):
                            last_copies.append(((w.R, name, t), p, cd, w.source_repo(name, q)))
        s = self.snapshot()
        self.sanity(rc, (0,), "prune", text)
        self.no_shrink(before, s, set())
        self.foreign_kept(before, s, False)
        for key, p, cd, src_repo in last_copies:
            if not w.reg.head(src_repo, cd):
                self.v("G2", "prune deleted %s@%s, the last copy of the %s child of %s" % (src_repo, cd, p, fmt(key)),
                       "%s/%s does not serve it either" % (key[0], key[1]))
        sources = {}
        for im, tag, _ in w.targets():
            for p in im["platforms"] + im["optional"]:
                sources[(w.R, w.source_repo(im["name"], p), tag)] = (im, tag, p)
        for key, d in before.tags.items():
            if s.get(key) == d:
                continue
            if key not in sources:
                self.v("G9", "prune changed %s (%s -> %s), not a per-arch source of the config" % (fmt(key), d, s.get(key)), "")
                continue
            im, tag, p = sources[key]
            tk = (w.R, im["name"], tag)
            es = dict(s.entries(w.R, im["name"], s.get(tk)) or [])
            if es.get(p) != d:
                self.v("G9", "prune deleted %s (%s), but %s does not hold it as its %s child" % (
                    fmt(key), d, fmt(tk), p), "the list's %s entry: %s" % (p, es.get(p)))
        self.dangling(s, True)

    def after_config_error(self, before, rc, text):
        s = self.snapshot()
        self.no_shrink(before, s, set())
        self.foreign_kept(before, s, False)
        if rc != ENGINE["exit_config_error"]:
            self.v("G10", "a retag rule that copies a tag onto itself: exit %s, not %d" % (rc, ENGINE["exit_config_error"]), text[-800:])
        changed = [fmt(k) for k in set(before.tags) | set(s.tags) if before.tags.get(k) != s.tags.get(k)]
        if changed:
            self.v("G10", "a config error wrote to the registry: %s" % ", ".join(sorted(changed)[:5]), text[-800:])
        if s.status_bytes != before.status_bytes:
            self.v("G10", "a config error changed the status file", text[-800:])
        self.dangling(s, True)
