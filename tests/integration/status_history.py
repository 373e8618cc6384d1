#!/usr/bin/env python3
"""status_history.py — a git repository whose history is a series of nightly
manifold status files (status/release.json, one commit per night, written
with git fast-import), for the history report's tests, the screenshot in
docs/status.md and the benchmark.

  status_history.py DIR                       # "demo": 30 nights, 7 targets
  status_history.py --team DIR                # the demo and what a team reads
  status_history.py --bench --nights 365 --targets 1000 DIR
  status_history.py --bench --nights 100 --targets 10000 --tags 10 --split DIR
  status_history.py --bench --nights 365 --targets 100000 --tags 100 --split --change 0.01 DIR

The files are what `manifold publish` writes (status_serialize: 2-space
indent, fixed key order, targets sorted, trailing newline); a record changes
only when its state or digest does, as status_next keeps it.

The demo's nights (1..30, 2026-10-24 .. 2026-11-22, finished 03:04:10Z):
  apiserver:v1.31.0           green every night
  kube-proxy:v1.31.0          green, rebuilt (new digests) on night 12
  pause:3.10                  linux/s390x missing on nights 22..30 (9 nights)
  etcd:3.5.16                 never green: linux/ppc64le missing every night
  scheduler:v1.31.0           failed on night 15 only (a registry error)
  coredns:v1.11.3             wrong platform on linux/arm/v7 from night 25
  controller-manager:v1.32.0  new on night 20, incomplete two nights
A commit between nights 10 and 11 touches only README.md.

--team adds what the reports show beyond states (docs/status.md):
  apiserver and kube-proxy    extra tag `latest` (extra_tags), an optional
                              linux/riscv64 that is never there; apiserver
                              asks for 10 platforms (a wide matrix)
  scheduler:v1.31.0           held from night 28: its list would drop
                              linux/arm/v7; `latest` keeps the old list
  kube-proxy:v1.31.0          night 30: its linux/s390x child is missing
                              from the repository (child_missing), failed
  every target not green      published_at: when the digest its tag
                              serves was published
"""
import argparse
import datetime
import hashlib
import json
import random
import subprocess
import sys

REG = "reg.example"
PLATFORMS = ["linux/amd64", "linux/arm64/v8", "linux/arm/v7", "linux/ppc64le", "linux/s390x"]
CHILD = "application/vnd.docker.distribution.manifest.v2+json"
LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
START = datetime.datetime(2026, 10, 24, 3, 0, 0, tzinfo=datetime.timezone.utc)


def stamp(night, minute=0, second=0):
    t = START + datetime.timedelta(days=night - 1, minutes=minute, seconds=second)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def digest(*parts):
    return "sha256:" + hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


def source(target, platform):
    name, tag = target.rsplit(":", 1)
    return "%s-%s:%s" % (name, platform.split("/")[1], tag)


class Target:
    """One target's record, changed only when its state or digest changes."""

    def __init__(self, ref, platforms, team=False):
        self.ref, self.platforms, self.team = ref, platforms, team
        self.green_since = None
        self.key = None
        self.record = None
        self.chunk = None
        self.last_list = None

    def night(self, n, build, bad):
        """bad: {platform: (state, reason)}; build: generation of the children."""
        plats = []
        for p in self.platforms:
            rec = {"platform": p, "source": source(self.ref, p)}
            st, why = bad.get(p, ("ready", None))
            if self.team and p in OPTIONAL:
                rec = {"platform": p, "optional": True, "source": rec["source"]}
                st, why = "missing", None
            rec["state"] = {"child-missing": "ready", "held": "missing"}.get(st, st)
            if st in ("ready", "wrong-platform", "child-missing"):
                rec["digest"] = digest(self.ref, p, build)
                rec["media_type"] = CHILD
                rec["size"] = 428 + len(p)
                if st == "ready":
                    rec["verified"] = True
                if st == "child-missing":
                    rec["child_missing"] = True
            if why:
                rec["reason"] = why
            plats.append(rec)
        if not bad:
            state, lst, reason = "published", digest(self.ref, "list", build), None
        else:
            failed = [p for p, (s, _) in bad.items() if s not in ("missing", "held")]
            held = [p for p, (s, _) in bad.items() if s == "held"]
            state = "failed" if failed else ("held" if held else "incomplete")
            lst = self.last_list
            if failed:
                p = failed[0]
                reason = "%s: %s" % (p, bad[p][1])
            elif held:
                lst = digest(self.ref, "list", build, "shrunk")
                reason = bad[held[0]][1]
            else:
                reason = "missing " + ", ".join(p for p in self.platforms if p in bad)
        key = (state, lst, build, tuple(sorted(bad.items())))
        outcome = state
        if key == self.key and state == "published":
            outcome = "unchanged"
        if key != self.key:
            since = stamp(n, 1) if self.key is None or key[:2] != self.key[:2] else self.since
            self.key, self.since = key, since
            rec = {"target": self.ref, "state": state}
            if lst:
                rec["digest"] = lst
                if state == "published":
                    rec["media_type"] = LIST
            rec["since"] = since
            if self.team and state != "published" and lst == self.last_list and self.green_since:
                rec["published_at"] = self.green_since
            elif self.team and state == "held":
                rec["published_at"] = since  # its tag got the new list that night
            if reason:
                rec["reason"] = reason
            if self.team and self.ref.split("/", 1)[1] in EXTRA_TAGS:
                held_list = state == "held" and self.last_list
                rec["extra_tags"] = [{"tag": "latest", "digest": self.last_list if held_list else (lst if state == "published" else self.last_list)}]
                if held_list:
                    rec["extra_tags"][0]["held"] = True
            rec["platforms"] = plats
            text = json.dumps(rec, indent=2)
            self.chunk = "\n".join("    " + line for line in text.split("\n"))
        if state == "published":
            self.last_list = lst
            self.green_since = self.since
        return outcome


def document(n, targets, states):
    counts = {s: 0 for s in ("published", "unchanged", "incomplete", "failed")}
    held = 0
    for s in states:
        if s == "held":
            held += 1
        else:
            counts[s] += 1
    run = {"started": stamp(n), "finished": stamp(n, 4, 10)}
    run.update(counts)
    if held:
        run["held"] = held
    head = json.dumps({"schema": 1, "config": "configs/release.yaml", "last_run": run}, indent=2)
    body = ",\n".join(t.chunk for t in sorted(targets, key=lambda t: t.ref))
    return head[:-2] + ',\n  "targets": [\n' + body + "\n  ]\n}\n", counts


OPTIONAL = ["linux/riscv64"]
EXTRA_TAGS = ["apiserver:v1.31.0", "kube-proxy:v1.31.0", "scheduler:v1.31.0"]
WIDE = ["linux/386", "linux/mips64le", "linux/loong64", "windows/amd64"]


def team_bad(ref, n):
    if ref == "scheduler:v1.31.0" and n >= 28:
        return {"linux/arm/v7": ("held", "the new list would drop linux/arm/v7, which the "
                                 "tag's list has (allow-shrink lets it through)")}
    if ref == "kube-proxy:v1.31.0" and n == 30:
        return {"linux/s390x": ("child-missing", "child %s is missing from reg.example/"
                                "kube-proxy and could not be copied back: HEAD manifest: 404"
                                % digest("%s/%s" % (REG, ref), "linux/s390x", 2))}
    return demo_bad(ref, n)


def demo_bad(ref, n):
    if ref == "pause:3.10" and n >= 22:
        return {"linux/s390x": ("missing", None)}
    if ref == "etcd:3.5.16":
        return {"linux/ppc64le": ("missing", None)}
    if ref == "scheduler:v1.31.0" and n == 15:
        return {"linux/arm64/v8": ("error", "HEAD manifest: 503 Service Unavailable")}
    if ref == "coredns:v1.11.3" and n >= 25:
        return {"linux/arm/v7": ("wrong-platform", "wrong platform: config says linux/amd64")}
    if ref == "controller-manager:v1.32.0" and n < 22:
        return {"linux/arm64/v8": ("missing", None)}
    return {}


def demo(nights, team=False):
    plats = {
        "apiserver:v1.31.0": PLATFORMS,
        "kube-proxy:v1.31.0": PLATFORMS,
        "pause:3.10": ["linux/amd64", "linux/arm64/v8", "linux/s390x"],
        "etcd:3.5.16": ["linux/amd64", "linux/arm64/v8", "linux/ppc64le"],
        "scheduler:v1.31.0": PLATFORMS[:3],
        "coredns:v1.11.3": ["linux/amd64", "linux/arm/v7"],
        "controller-manager:v1.32.0": ["linux/amd64", "linux/arm64/v8"],
    }
    if team:
        plats["apiserver:v1.31.0"] = PLATFORMS + WIDE + OPTIONAL
        plats["kube-proxy:v1.31.0"] = PLATFORMS + OPTIONAL
    targets = {r: Target("%s/%s" % (REG, r), p, team) for r, p in plats.items()}
    for n in range(1, nights + 1):
        live = [t for r, t in targets.items() if r != "controller-manager:v1.32.0" or n >= 20]
        states = []
        for t in live:
            r = t.ref.split("/", 1)[1]
            build = 2 if r == "kube-proxy:v1.31.0" and n >= 12 else 1
            states.append(t.night(n, build, (team_bad if team else demo_bad)(r, n)))
        yield n, live, states
        if n == 10:
            yield n, None, None


def bench(nights, ntargets, seed, tags=1, active=1.0):
    """Mostly green; each target has a few incomplete streaks and failures and
    is rebuilt every 20..60 nights, at its own offsets. tags > 1: that many
    tags of each image (img-0000:v1 … v<tags>). active < 1: only that
    fraction of the targets ever change; the others are green every night."""
    rng = random.Random(seed)
    plats = PLATFORMS[:4]
    targets, plans = [], []
    for i in range(ntargets):
        if tags > 1:
            ref = "%s/img-%04d:v%d" % (REG, i // tags, i % tags + 1)
        else:
            ref = "%s/img-%04d:v1" % (REG, i)
        targets.append(Target(ref, plats))
        bad = {}
        for _ in range(rng.randint(0, 4)):
            start, length = rng.randint(1, nights), rng.randint(1, 15)
            p = rng.choice(plats)
            for n in range(start, min(nights, start + length) + 1):
                bad[n] = {p: ("missing", None)}
        if rng.random() < 0.2:
            bad[rng.randint(1, nights)] = {plats[1]: ("error", "HEAD manifest: 503")}
        if active < 1.0 and rng.random() >= active:
            bad = {}
            plans.append((bad, 10**9, 0))
            continue
        plans.append((bad, rng.randint(20, 60), rng.randint(0, 59)))
    for n in range(1, nights + 1):
        states = [t.night(n, (n + off) // every, bad.get(n, {}))
                  for t, (bad, every, off) in zip(targets, plans)]
        yield n, targets, states


def split_document(n, targets, states):
    """A split status file (docs/status.md, "A big status file"): the header
    and {part path: bytes}, one part per image."""
    whole, counts = document(n, targets, states)
    head = whole[: whole.index(',\n  "targets": [\n')] + ',\n  "parts": "release.d"\n}\n'
    by_image = {}
    for t in sorted(targets, key=lambda t: t.ref):
        image = t.ref[: t.ref.rindex(":")]
        by_image.setdefault(image, []).append(t.chunk)
    parts = {}
    for image, chunks in by_image.items():
        parts["status/release.d/%s.json" % image] = (
            '{\n  "schema": 1,\n  "targets": [\n' + ",\n".join(chunks) + "\n  ]\n}\n")
    return head, parts, counts


def fast_import(repo, versions, split=False):
    git = subprocess.Popen(["git", "-C", repo, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = git.stdin
    mark = 0
    last_parts = {}

    def blob(data):
        out.write(b"data %d\n" % len(data))
        out.write(data)
        out.write(b"\n")

    for n, live, states in versions:
        when = int((START + datetime.timedelta(days=n - 1, minutes=5)).timestamp())
        if live is None:
            path, data, msg = "README.md", b"status of the release\n", "README"
            when += 3600
        elif split:
            text, parts, c = split_document(n, live, states)
            path, data = "status/release.json", text.encode()
            msg = "manifold: %(published)d published, %(unchanged)d unchanged, " \
                  "%(incomplete)d incomplete, %(failed)d failed" % c
        else:
            text, c = document(n, live, states)
            path, data = "status/release.json", text.encode()
            msg = "manifold: %(published)d published, %(unchanged)d unchanged, " \
                  "%(incomplete)d incomplete, %(failed)d failed" % c
        mark += 1
        out.write(b"commit refs/heads/main\nmark :%d\n" % mark)
        out.write(b"committer manifold <manifold@localhost> %d +0000\n" % when)
        blob(msg.encode())
        if mark > 1:
            out.write(b"from :%d\n" % (mark - 1))
        out.write(b"M 100644 inline %s\n" % path.encode())
        blob(data)
        if split and live is not None:
            # only the parts whose bytes changed: the rest stay in the tree
            for ppath, pdata in sorted(parts.items()):
                if last_parts.get(ppath) != pdata:
                    out.write(b"M 100644 inline %s\n" % ppath.encode())
                    blob(pdata.encode())
            for ppath in sorted(set(last_parts) - set(parts)):
                out.write(b"D %s\n" % ppath.encode())
            last_parts = parts
    out.close()
    if git.wait() != 0:
        sys.exit("status_history.py: git fast-import failed")


def churn_draws(nights, ntargets, seed, tags, rate):
    """--change RATE: every night a random RATE of the targets changes, each
    either rebuilt (new digests) or flipped between published and incomplete
    (one platform missing); nothing else changes. Returns the targets'
    references (sorted), their platforms and the nights: (night, the set of
    targets that changed, [(target, build, bad), ...] in the order drawn)."""
    rng = random.Random(seed)
    plats = PLATFORMS[:4]
    refs = sorted("%s/img-%04d:v%d" % (REG, i // tags, i % tags + 1) for i in range(ntargets))
    builds = [0] * ntargets
    bads = [{} for _ in range(ntargets)]

    def draws():
        for n in range(1, nights + 1):
            changed = set(rng.sample(range(ntargets), int(ntargets * rate))) if n > 1 else set(range(ntargets))
            updates = []
            for i in changed:
                if n > 1:
                    if bads[i] or rng.random() < 0.5:
                        bads[i] = {} if bads[i] else {rng.choice(plats): ("missing", None)}
                    else:
                        builds[i] += 1
                updates.append((i, builds[i], bads[i]))
            yield n, changed, updates
    return refs, plats, draws()


def churn_night(n, changed, state, split=True):
    """A --change night's counts and its header (split) or the head of its
    whole file, up to its targets (not split)."""
    counts = {s: 0 for s in ("published", "unchanged", "incomplete", "failed")}
    for i, s in enumerate(state):
        if i not in changed and s == "published":
            s = "unchanged"
        counts[s] += 1
    run = {"started": stamp(n), "finished": stamp(n, 4, 10)}
    run.update(counts)
    if not split:
        head = json.dumps({"schema": 1, "config": "configs/release.yaml", "last_run": run}, indent=2)
        return head[:-2] + ',\n  "targets": [\n', counts
    head = json.dumps({"schema": 2, "config": "configs/release.yaml", "last_run": run}, indent=2)
    return head[:-2] + ',\n  "parts": "release.d"\n}\n', counts


def churn(nights, ntargets, seed, tags, rate, split=True):
    """churn_draws()'s nights a night at a time. Yields (night, header
    bytes, {part path: bytes} of the parts that changed, counts); only the
    changed parts are rebuilt, so a year of 100,000 targets stays quick.
    Without split: (night, the whole file, {}, counts)."""
    refs, plats, draws = churn_draws(nights, ntargets, seed, tags, rate)
    targets = [Target(r, plats) for r in refs]
    state = ["published"] * len(refs)
    part_of = [r[: r.rindex(":")] for r in refs]
    members = {}
    for i, img in enumerate(part_of):
        members.setdefault(img, []).append(i)
    for n, changed, updates in draws:
        for i, build, bad in updates:
            state[i] = targets[i].night(n, build, bad)
        head, counts = churn_night(n, changed, state, split)
        if not split:
            yield n, head + ",\n".join(t.chunk for t in targets) + "\n  ]\n}\n", {}, counts
            continue
        parts = {}
        for img in sorted({part_of[i] for i in changed}):
            parts["status/release.d/%s.json" % img] = (
                '{\n  "schema": 1,\n  "targets": [\n' +
                ",\n".join(targets[i].chunk for i in members[img]) + "\n  ]\n}\n")
        yield n, head, parts, counts


def night_commit(out, n, c):
    """Night n's commit (mark :n, on night n - 1's) up to its files, its
    message the summary line of counts c."""
    when = int((START + datetime.timedelta(days=n - 1, minutes=5)).timestamp())
    msg = ("manifold: %(published)d published, %(unchanged)d unchanged, "
           "%(incomplete)d incomplete, %(failed)d failed" % c).encode()
    out.write(b"commit refs/heads/main\nmark :%d\n" % n)
    out.write(b"committer manifold <manifold@localhost> %d +0000\n" % when)
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    if n > 1:
        out.write(b"from :%d\n" % (n - 1))


def fast_import_churn(repo, versions):
    git = subprocess.Popen(["git", "-C", repo, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = git.stdin
    for n, head, parts, c in versions:
        night_commit(out, n, c)
        for path, text in [("status/release.json", head)] + sorted(parts.items()):
            data = text.encode()
            out.write(b"M 100644 inline %s\ndata %d\n" % (path.encode(), len(data)))
            out.write(data)
            out.write(b"\n")
    out.close()
    if git.wait() != 0:
        sys.exit("status_history.py: git fast-import failed")


def churn_by_part(nights, ntargets, seed, tags, rate):
    """churn()'s nights, the same bytes, made a part at a time: every night's
    changes are drawn first (their outcomes counted on a copy of the
    targets), then each part's versions are made one after another. Returns
    ([(night, header bytes, counts)], parts) where parts yields (part path,
    [(night, bytes), ...]): only the nights it changed."""
    refs, plats, draws = churn_draws(nights, ntargets, seed, tags, rate)
    shadow = [Target(r, plats) for r in refs]
    state = ["published"] * len(refs)
    part_of = [r[: r.rindex(":")] for r in refs]
    events = {}  # part: [(night, target, build, bad)], in the order drawn
    heads = []
    for n, changed, updates in draws:
        for i, build, bad in updates:
            state[i] = shadow[i].night(n, build, bad)
            events.setdefault(part_of[i], []).append((n, i, build, bad))
        head, counts = churn_night(n, changed, state)
        heads.append((n, head, counts))
    del shadow

    def parts():
        members = {}
        for i, img in enumerate(part_of):
            members.setdefault(img, []).append(i)
        for img in sorted(events):
            targets = {i: Target(refs[i], plats) for i in members[img]}
            versions, evs, k = [], events[img], 0
            while k < len(evs):
                n = evs[k][0]
                while k < len(evs) and evs[k][0] == n:
                    _, i, build, bad = evs[k]
                    targets[i].night(n, build, bad)
                    k += 1
                versions.append((n, '{\n  "schema": 1,\n  "targets": [\n' +
                                 ",\n".join(targets[i].chunk for i in members[img]) + "\n  ]\n}\n"))
            yield "status/release.d/%s.json" % img, versions
    return heads, parts()


def fast_import_by_part(repo, heads, parts):
    """The blobs of each part one after another (fast-import stores each as
    a delta of the blob before it: the part's previous version), then a
    commit a night naming them."""
    git = subprocess.Popen(["git", "-C", repo, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = git.stdin
    mark, nightly = len(heads), {}
    for path, versions in parts:
        for n, text in versions:
            data = text.encode()
            mark += 1
            out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)))
            out.write(data)
            out.write(b"\n")
            nightly.setdefault(n, []).append((path, mark))
    for n, head, c in heads:
        night_commit(out, n, c)
        data = head.encode()
        out.write(b"M 100644 inline status/release.json\ndata %d\n" % len(data))
        out.write(data)
        out.write(b"\n")
        for path, m in sorted(nightly.get(n, [])):
            out.write(b"M 100644 :%d %s\n" % (m, path.encode()))
    out.close()
    if git.wait() != 0:
        sys.exit("status_history.py: git fast-import failed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("repo")
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--team", action="store_true")
    ap.add_argument("--nights", type=int, default=30)
    ap.add_argument("--targets", type=int, default=1000)
    ap.add_argument("--seed", default="manifold")
    ap.add_argument("--tags", type=int, default=1, help="--bench: tags of each image")
    ap.add_argument("--split", action="store_true", help="commit the status split into parts")
    ap.add_argument("--change", type=float, default=0.0,
                    help="--bench: every night this fraction of the targets changes, at random")
    ap.add_argument("--active", type=float, default=1.0, help="--bench: the fraction of targets that ever change")
    ap.add_argument("--by-part", action="store_true",
                    help="--change --split: the same history, each part's versions written one after "
                         "another, so fast-import packs each as a delta of the one before, as git's "
                         "own delta search would (no `repack -f` needed)")
    a = ap.parse_args()
    subprocess.run(["git", "init", "-q", "-b", "main", a.repo], check=True)
    if a.by_part:
        if not (a.bench and a.change > 0 and a.split):
            sys.exit("status_history.py: --by-part goes with --bench --change RATE --split")
        fast_import_by_part(a.repo, *churn_by_part(a.nights, a.targets, a.seed, a.tags, a.change))
        subprocess.run(["git", "-C", a.repo, "checkout", "-q", "main"], check=True)
        return
    if a.bench and a.change > 0:
        fast_import_churn(a.repo, churn(a.nights, a.targets, a.seed, a.tags, a.change, a.split))
        subprocess.run(["git", "-C", a.repo, "checkout", "-q", "main"], check=True)
        return
    versions = bench(a.nights, a.targets, a.seed, a.tags, a.active) if a.bench else demo(a.nights, a.team)
    fast_import(a.repo, versions, a.split)
    subprocess.run(["git", "-C", a.repo, "checkout", "-q", "main"], check=True)


if __name__ == "__main__":
    main()
