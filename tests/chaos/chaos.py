#!/usr/bin/env python3
"""chaos.py — randomized nights against real registries, checked by an
independent verifier.

From a seed, it makes a config (images × tags × platforms, extra tags,
optional platforms, retag and promote rules), starts two throwaway
docker-registry servers (the release registry and a mirror), pushes the
per-arch images and runs many nights of `manifold publish`. Between nights
the world changes at random (rebuilds, platforms dropped, added or made
optional, extra tags, children and lists deleted and tags overwritten from
outside, retag, promote, prune, two shards at once on one status file).
After every step the verifier (verify.py; its own registry client,
regclient.py, nothing of manifold's) checks the guarantees of
docs/guarantees.md against the registries and the status file. A violation
prints the seed, the night, the step, the guarantee and the evidence, and
the run exits 1 (with --keep-going, at the end, after every violation).

    chaos.py --manifold PATH [--nights N] [--seed S] [--ops a,b] [--keep-going]
             [--images N] [--workdir DIR] [--quiet]
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import regclient  # noqa: E402
import verify  # noqa: E402
from engine import ENGINE  # noqa: E402

PLATFORMS = ["linux/amd64", "linux/arm64", "linux/s390x", "linux/ppc64le", "linux/arm/v7"]
EXTRA_TAGS = ["latest", "stable"]
RUN_TIMEOUT = 600  # a hang guard only: a run that never ends is reported, nothing is timed

# Mutations between nights, and the manifold steps besides the night's
# publish. --ops limits the draw to some of them.
MUTATIONS = [
    "rebuild",  # push a new per-arch image for one platform
    "wrongarch",  # push an image whose config names another platform
    "unbuild",  # delete a per-arch source tag (the platform goes missing)
    "drop-platform",  # remove a required platform from an image
    "add-platform",  # add a required platform (built or not)
    "make-optional",  # a required platform becomes optional
    "make-required",  # an optional platform becomes required
    "extra-tags",  # add or remove an extra tag
    "release",  # a new first tag (the extra tags move to it)
    "delete-child",  # delete a child of a published list from outside
    "delete-list",  # delete a published list from outside
    "overwrite",  # push something else to a tag manifold writes
]
STEPS = [
    "allow-shrink",  # the night's publish runs with --allow-shrink
    "shards",  # the night's publish is --shard 0/2 and 1/2 at once, one status file
    "commit",  # the night's publish commits the status file
    "retag",  # manifold retag -c (release and promote rules)
    "prune",  # manifold prune -c --confirm
    "selfretag",  # a retag rule whose source is its destination: a config error
    "force",  # the night's publish and retag may overwrite (engine.py's option names)
]
ALL_OPS = MUTATIONS + STEPS


class Stop(Exception):
    """The first violation ends a run without --keep-going."""


class Registry:
    """A docker-registry on 127.0.0.1:<free port> with deletes enabled."""

    def __init__(self, workdir, name):
        self.dir = os.path.join(workdir, "registry-" + name)
        os.makedirs(os.path.join(self.dir, "root"))
        self.proc = None
        for _ in range(5):
            port = free_port()
            cfg = os.path.join(self.dir, "config.yml")
            with open(cfg, "w") as f:
                f.write(
                    "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n"
                    "storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n"
                    "  maintenance:\n    uploadpurging:\n      enabled: false\n"
                    "http:\n  addr: 127.0.0.1:%d\n  secret: chaos-%d\n" % (os.path.join(self.dir, "root"), port, port)
                )
            err = open(os.path.join(self.dir, "registry.err"), "w")
            # docker-registry reads REGISTRY_* variables as overrides: a clean environment.
            self.proc = subprocess.Popen(
                ["docker-registry", "serve", cfg], env={"PATH": os.environ["PATH"], "HOME": workdir}, stdout=err, stderr=err
            )
            self.addr = "127.0.0.1:%d" % port
            client = regclient.Registry(self.addr)
            for _ in range(400):  # poll with a bound
                if self.proc.poll() is not None:
                    break
                try:
                    client._do("GET", "/v2/")
                    return
                except OSError:
                    time.sleep(0.05)
            self.stop()
        raise RuntimeError("docker-registry did not start (see %s)" % os.path.join(self.dir, "registry.err"))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def free_port():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def arch_suffix(platform):
    """linux/arm/v7 -> armv7: the {arch}{variant} of the source template."""
    parts = platform.split("/")
    return parts[1] + (parts[2] if len(parts) > 2 else "")


class World:
    """What the checker knows: the config it wrote, what it built, and what
    it did from outside (the ledger the verifier checks against)."""

    def __init__(self, rng, reg, mirror, workdir, n_images):
        self.rng = rng
        self.R = reg.addr
        self.M = mirror.addr
        self.reg = regclient.Registry(reg.addr)
        self.mirror = regclient.Registry(mirror.addr)
        self.workdir = workdir
        self.gen = 0
        self.images = []
        for i in range(n_images):
            plats = rng.sample(PLATFORMS, rng.randint(2, 4))
            rest = [p for p in PLATFORMS if p not in plats]
            opt = rng.sample(rest, rng.randint(0, min(2, len(rest))))
            tags = ["v1.%d" % t for t in range(rng.randint(1, 2), 0, -1)]
            extra = rng.sample(EXTRA_TAGS, rng.randint(0, 2))
            self.images.append({"name": "app%d" % i, "tags": tags, "platforms": plats, "optional": opt, "extra": extra})
        self.rules = {
            "release": True,
            "promote": sorted(rng.sample([im["name"] for im in self.images], rng.randint(1, n_images))),
            "perarch": rng.random() < 0.5,
        }
        self.allow_shrink = False
        # The outside ledger. foreign: (addr, repo, tag) -> digest placed there
        # from outside; manifold must leave it (G3).
        self.foreign = {}
        # deleted_children: (repo, tag, list digest) -> set of child digests
        # deleted from outside while that list was at that tag (G2's window).
        self.deleted_children = {}
        # window_age: publishes each of those lists has been through since.
        self.window_age = {}
        self.status = os.path.join(workdir, "git", "status", "release.json")
        # status-layout: in the config (None: left out, auto)
        self.status_layout = None
        self.config = os.path.join(workdir, "release.yaml")

    # ---- config ---------------------------------------------------------------

    def config_doc(self, selfretag=False):
        images = []
        for im in self.images:
            d = {"name": im["name"], "tags": list(im["tags"]), "platforms": list(im["platforms"])}
            d["optional-platforms"] = list(im["optional"])
            if im["extra"]:
                d["extra-tags"] = list(im["extra"])
            images.append(d)
        retag = []
        if self.rules["release"]:
            retag.append({"from": "{registry}/{name}:{tag}", "to": "{registry}/release/{name}:{tag}"})
        if self.rules["promote"]:
            retag.append({"from": "{registry}/{name}:{tag}", "to": self.M + "/mirror/{name}:{tag}", "images": self.rules["promote"]})
        if self.rules["perarch"]:
            retag.append({"from": "{registry}/{name}-{arch}{variant}:{tag}", "to": "{registry}/{name}:{tag}-{arch}{variant}"})
        if selfretag:
            retag.append({"from": "{registry}/{name}:{tag}", "to": "{registry}/{name}:{tag}"})
        doc = {
            "defaults": {"registry": self.R, "source": "{registry}/{name}-{arch}{variant}:{tag}"},
            "images": images,
            "retag": retag,
        }
        if self.allow_shrink:
            doc["defaults"]["allow-shrink"] = True
        if self.status_layout:
            doc["status-layout"] = self.status_layout
        return doc

    def write_config(self, path=None, selfretag=False):
        # JSON is YAML: flow style, every string quoted.
        with open(path or self.config, "w") as f:
            json.dump(self.config_doc(selfretag), f, indent=2)
            f.write("\n")

    # ---- references -----------------------------------------------------------

    def image(self, name):
        return next(im for im in self.images if im["name"] == name)

    def source_repo(self, name, platform):
        return "%s-%s" % (name, arch_suffix(platform))

    def targets(self):
        """[(image, tag, is_first)] of the config."""
        return [(im, t, i == 0) for im in self.images for i, t in enumerate(im["tags"])]

    def publish_tags(self, im, tag, first):
        """The tags publish writes for one target: the tag and, for the first, the extra tags."""
        return [tag] + (list(im["extra"]) if first else [])

    def copies(self):
        """[(from (addr, repo, tag), to (addr, repo, tag), is_list_rule)] the retag rules make."""
        out = []
        for im, tag, _ in self.targets():
            src = (self.R, im["name"], tag)
            if self.rules["release"]:
                out.append((src, (self.R, "release/" + im["name"], tag), True))
            if im["name"] in self.rules["promote"]:
                out.append((src, (self.M, "mirror/" + im["name"], tag), True))
            if self.rules["perarch"]:
                for p in im["platforms"] + im["optional"]:
                    a = arch_suffix(p)
                    out.append(((self.R, self.source_repo(im["name"], p), tag), (self.R, im["name"], "%s-%s" % (tag, a)), False))
        return out

    def all_platforms(self):
        return PLATFORMS

    def client(self, addr):
        return self.reg if addr == self.R else self.mirror

    def watched_repos(self):
        """Every repository the checker reads: (addr, repo)."""
        out = set()
        for im in self.images:
            out.add((self.R, im["name"]))
            out.add((self.R, "release/" + im["name"]))
            out.add((self.M, "mirror/" + im["name"]))
            for p in PLATFORMS:
                out.add((self.R, self.source_repo(im["name"], p)))
        return sorted(out)

    # ---- building ---------------------------------------------------------------

    def build(self, name, tag, platform, config_platform=None):
        self.gen += 1
        key = "%s/%s/%s/%d/%s" % (name, tag, platform, self.gen, config_platform or platform)
        # Every build of a platform shares its base layer, as images of one
        # base image do: copies into one repository write the same blob.
        d, _ = self.reg.push_image(self.source_repo(name, platform), tag, config_platform or platform, key, base=platform)
        return d

    def same_build(self, name, tag, from_tag, platform):
        """tag holds what from_tag holds (an unchanged image under a new
        tag): lists of different tags then share children. False when
        from_tag holds nothing."""
        repo = self.source_repo(name, platform)
        got = self.reg.get(repo, from_tag)
        if got is None:
            return False
        self.reg.put_manifest(repo, tag, got[1], got[2])
        return True

    def seed_all(self):
        for im in self.images:
            for i, tag in enumerate(im["tags"]):
                for p in im["platforms"] + im["optional"]:
                    if self.rng.random() < (0.95 if p in im["platforms"] else 0.6):
                        if i == 0 or self.rng.random() < 0.6 or not self.same_build(im["name"], tag, im["tags"][0], p):
                            self.build(im["name"], tag, p)


class Checker:
    def __init__(self, args):
        self.args = args
        self.seed = args.seed
        self.rng = random.Random(args.seed)
        self.force_rng = random.Random("%s/force" % args.seed)
        self.ops = args.ops
        self.violations = []
        self.seen = set()
        self.night = 0
        self.step = "setup"
        self.log_lines = []
        self.runs = 0
        self.done = {}

    # ---- reporting -------------------------------------------------------------

    def say(self, msg):
        if not self.args.quiet:
            print(msg, flush=True)

    def violation(self, inv, what, evidence):
        key = (inv, what)
        first = key not in self.seen
        self.seen.add(key)
        self.violations.append((self.night, self.step, inv, what))
        if first:
            print(
                "VIOLATION seed=%s night=%d step=%s %s: %s\n  evidence: %s" % (self.seed, self.night, self.step, inv, what, evidence),
                flush=True,
            )
            extra = " --images %d" % self.args.images if self.args.images != 3 else ""
            extra += " --ops " + ",".join(self.ops) if self.args.ops_given else ""
            print("  reproduce: scripts/chaos --seed %s --nights %d%s" % (self.seed, self.night, extra), flush=True)
        if not self.args.keep_going:
            raise Stop()

    # ---- running manifold -------------------------------------------------------

    def env(self):
        e = dict(os.environ)
        e["DOCKER_CONFIG"] = os.path.join(self.workdir, "docker-config")
        e["NO_COLOR"] = "1"
        e.pop("REGISTRY_AUTH_FILE", None)
        for k in ("JOB_COMPLETION_INDEX", "JOB_COMPLETIONS"):
            e.pop(k, None)
        return e

    def start(self, argv):
        self.runs += 1
        out = os.path.join(self.workdir, "run-%04d.out" % self.runs)
        f = open(out, "w")
        p = subprocess.Popen([self.args.manifold] + argv, stdout=f, stderr=subprocess.STDOUT, env=self.env(), cwd=self.workdir)
        p.chaos_out = out
        p.chaos_file = f
        p.chaos_argv = argv
        return p

    def finish(self, p):
        try:
            rc = p.wait(RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rc = None
        p.chaos_file.close()
        with open(p.chaos_out, errors="replace") as f:
            text = f.read()
        cmd = "manifold " + " ".join(p.chaos_argv)
        if self.args.verbose:
            self.say("  $ %s -> %s\n%s" % (cmd, rc, text.rstrip()))
        if rc is None:
            self.violation("RUN", "%s did not finish" % cmd, p.chaos_out)
        for needle in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            if needle in text:
                self.violation("RUN", "%s: sanitizer report" % cmd, text[-2000:])
        return rc, text

    def run(self, argv):
        return self.finish(self.start(argv))

    # ---- the loop -----------------------------------------------------------------

    def main(self):
        self.workdir = tempfile.mkdtemp(prefix="manifold-chaos.", dir=self.args.workdir)
        os.makedirs(os.path.join(self.workdir, "docker-config"))
        regs = []
        try:
            regs.append(Registry(self.workdir, "main"))
            regs.append(Registry(self.workdir, "mirror"))
            self.world = World(self.rng, regs[0], regs[1], self.workdir, self.args.images)
            self.world.status_layout = self.args.status_layout
            self.verifier = verify.Verifier(self.world, self)
            self.git_init()
            self.world.seed_all()
            self.world.write_config()
            self.say("chaos: seed %s, %d nights, registries %s and %s, work dir %s" % (self.seed, self.args.nights, self.world.R, self.world.M, self.workdir))
            for n in range(1, self.args.nights + 1):
                self.night = n
                self.one_night()
        except Stop:
            pass
        finally:
            for r in regs:
                r.stop()
        failed = bool(self.violations)
        counts = {}
        for v in self.violations:
            counts[v[2]] = counts.get(v[2], 0) + 1
        summary = ", ".join("%s %d" % kv for kv in sorted(counts.items())) or "none"
        ops = " ".join("%s:%d" % kv for kv in sorted(self.done.items()))
        print("chaos: seed %s, %d nights, %d manifold runs (%s), violations: %s" % (self.seed, self.night, self.runs, ops, summary), flush=True)
        if failed or self.args.keep_workdir:
            print("chaos: work dir kept: %s" % self.workdir)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return 1 if failed else 0

    def git_init(self):
        g = os.path.join(self.workdir, "git")
        os.makedirs(os.path.join(g, "status"))
        for argv in (["init", "-q", "-b", "main"], ["config", "user.name", "Chaos"], ["config", "user.email", "chaos@localhost"],
                     ["commit", "-q", "--allow-empty", "-m", "start"]):
            subprocess.run(["git", "-C", g] + argv, check=True, stdout=subprocess.DEVNULL)

    def allowed(self, op):
        return op in self.ops

    def one_night(self):
        rng = self.rng
        w = self.world
        # Mutations between nights, each one verified.
        for _ in range(rng.randint(0, 3)):
            ops = [o for o in MUTATIONS if self.allowed(o)]
            if not ops:
                break
            op = rng.choice(ops)
            self.step = op
            before = self.verifier.snapshot()
            self.done[op] = self.done.get(op, 0) + 1
            detail = self.mutate(op)
            self.say("night %d: %s%s" % (self.night, op, ": " + detail if detail else ""))
            w.write_config()
            self.verifier.after_outside(before)
        # The night's publish.
        shrink = self.draw("allow-shrink", 0.15)
        shards = self.draw("shards", 0.25)
        commit = self.draw("commit", 0.3)
        # Its own stream, so the engine's option names leave the other draws alone.
        force = self.force_rng.random() < 0.1 and self.allowed("force")
        if force:
            self.done["force"] = self.done.get("force", 0) + 1
        self.publish(shrink, shards, commit, force and ENGINE["publish_overwrite"])
        if self.draw("retag", 0.4):
            self.retag(force and ENGINE["retag_overwrite"])
        if self.draw("prune", 0.2):
            self.prune()
        if self.draw("selfretag", 0.05):
            self.selfretag()

    def draw(self, op, chance):
        """One draw for each step, allowed or not, so --ops keeps the other draws."""
        hit = self.rng.random() < chance and self.allowed(op)
        if hit:
            self.done[op] = self.done.get(op, 0) + 1
        return hit

    def publish(self, shrink, shards, commit, overwrite=None):
        w = self.world
        jobs = self.rng.choice(["1", "4", "16"])
        argv = ["publish", "-c", w.config, "--status", w.status, "-j", jobs] + list(ENGINE["publish_args"])
        if shrink:
            argv.append("--allow-shrink")
        if commit:
            argv.append("--commit")
        if overwrite:
            argv.append(overwrite)
        self.step = " ".join(["publish"] + argv[5:]) + (" shards" if shards else "")
        before = self.verifier.snapshot()
        if shards:
            procs = [self.start(argv + ["--shard", "%d/2" % i]) for i in (0, 1)]
            results = [self.finish(p) for p in procs]
        else:
            results = [self.run(argv)]
        self.say("night %d: %s -> %s" % (self.night, self.step, ",".join(str(r[0]) for r in results)))
        self.verifier.after_publish(before, results, shrink=shrink, commit=commit, overwrite=bool(overwrite))

    def retag(self, overwrite=None):
        w = self.world
        jobs = self.rng.choice(["1", "4", "16"])
        argv = ["retag", "-c", w.config, "--status", w.status, "-j", jobs] + list(ENGINE["retag_args"])
        if overwrite:
            argv.append(overwrite)
        self.step = " ".join(["retag"] + argv[5:])
        before = self.verifier.snapshot()
        rc, text = self.run(argv)
        self.say("night %d: %s -> %s" % (self.night, self.step, rc))
        self.verifier.after_retag(before, rc, text, overwrite=bool(overwrite))

    def prune(self):
        w = self.world
        argv = ["prune", "-c", w.config, "--confirm"]
        self.step = "prune --confirm"
        before = self.verifier.snapshot()
        rc, text = self.run(argv)
        self.say("night %d: %s -> %s" % (self.night, self.step, rc))
        self.verifier.after_prune(before, rc, text)

    def selfretag(self):
        w = self.world
        cfg = os.path.join(self.workdir, "selfretag.yaml")
        w.write_config(cfg, selfretag=True)
        self.step = "retag (a rule copies a tag onto itself)"
        before = self.verifier.snapshot()
        rc, text = self.run(["retag", "-c", cfg, "--status", w.status])
        self.say("night %d: %s -> %s" % (self.night, self.step, rc))
        self.verifier.after_config_error(before, rc, text)

    # ---- mutations ----------------------------------------------------------------

    def mutate(self, op):
        w = self.world
        rng = self.rng
        im = rng.choice(w.images)
        name = im["name"]
        if op == "rebuild":
            tag = rng.choice(im["tags"])
            p = rng.choice(im["platforms"] + im["optional"])
            out = "%s-%s:%s -> %s" % (name, arch_suffix(p), tag, w.build(name, tag, p))
            # The farm builds what the tag lacks too (after prune, unbuild).
            more = [q for q in im["platforms"] + im["optional"] if w.reg.head(w.source_repo(name, q), tag) is None]
            for q in more:
                w.build(name, tag, q)
            return out + (", and %s" % ",".join(more) if more else "")
        if op == "wrongarch":
            tag = rng.choice(im["tags"])
            p = rng.choice(im["platforms"] + im["optional"])
            other = rng.choice([q for q in PLATFORMS if q != p])
            return "%s-%s:%s says %s -> %s" % (name, arch_suffix(p), tag, other, w.build(name, tag, p, config_platform=other))
        if op == "unbuild":
            tag = rng.choice(im["tags"])
            p = rng.choice(im["platforms"] + im["optional"])
            repo = w.source_repo(name, p)
            d = w.reg.head(repo, tag)
            if d:
                w.reg.delete_manifest(repo, d)
            return "%s:%s (%s)" % (repo, tag, d)
        if op == "drop-platform":
            if len(im["platforms"]) < 2:
                return "%s: one platform left, kept" % name
            p = rng.choice(im["platforms"])
            im["platforms"].remove(p)
            return "%s loses %s" % (name, p)
        if op == "add-platform":
            rest = [p for p in PLATFORMS if p not in im["platforms"] and p not in im["optional"]]
            if not rest:
                return "%s has every platform" % name
            p = rng.choice(rest)
            im["platforms"].append(p)
            built = rng.random() < 0.7
            if built:
                for tag in im["tags"]:
                    w.build(name, tag, p)
            return "%s gains %s (%s)" % (name, p, "built" if built else "not built")
        if op == "make-optional":
            if len(im["platforms"]) < 2:
                return "%s: one platform left, kept" % name
            p = rng.choice(im["platforms"])
            im["platforms"].remove(p)
            im["optional"].append(p)
            if rng.random() < 0.5:
                for tag in im["tags"]:
                    d = w.reg.head(w.source_repo(name, p), tag)
                    if d:
                        w.reg.delete_manifest(w.source_repo(name, p), d)
                return "%s: %s optional, and its builds gone" % (name, p)
            return "%s: %s optional" % (name, p)
        if op == "make-required":
            if not im["optional"]:
                return "%s has no optional platform" % name
            p = rng.choice(im["optional"])
            im["optional"].remove(p)
            im["platforms"].append(p)
            return "%s: %s required" % (name, p)
        if op == "extra-tags":
            t = rng.choice(EXTRA_TAGS)
            if t in im["extra"]:
                im["extra"].remove(t)
                return "%s: extra tag %s removed" % (name, t)
            im["extra"].append(t)
            return "%s: extra tag %s added" % (name, t)
        if op == "release":
            newest = im["tags"][0]
            major, minor = newest[1:].split(".")
            tag = "v%s.%d" % (major, int(minor) + 1)
            im["tags"].insert(0, tag)
            if len(im["tags"]) > 3:
                im["tags"].pop()
            built = []
            for p in im["platforms"] + im["optional"]:
                if rng.random() < 0.8:
                    if rng.random() < 0.5 or not w.same_build(name, tag, newest, p):
                        w.build(name, tag, p)
                    built.append(p)
            return "%s:%s, built %s" % (name, tag, ",".join(built))
        if op == "delete-child":
            return self.delete_child(im)
        if op == "delete-list":
            tags = [t for t in w.reg.tags(name) if t in im["tags"] or t in im["extra"]]
            if not tags:
                return "%s: no list to delete" % name
            tag = rng.choice(tags)
            d = w.reg.head(name, tag)
            if d is None:
                return "%s:%s: gone" % (name, tag)
            w.reg.delete_manifest(name, d)
            self.forget_foreign(w.R, name, d)
            return "%s:%s (%s, and every tag of that digest)" % (name, tag, d)
        if op == "overwrite":
            return self.overwrite()
        raise ValueError(op)

    def forget_foreign(self, addr, repo, digest):
        w = self.world
        for k in [k for k, v in w.foreign.items() if k[0] == addr and k[1] == repo and v == digest]:
            del w.foreign[k]

    def delete_child(self, im):
        w = self.world
        name = im["name"]
        cands = []
        for tag in im["tags"] + im["extra"]:
            if (w.R, name, tag) in w.foreign:
                continue
            got = w.reg.get(name, tag)
            if got and got[1] in regclient.LIST_TYPES:
                for e in json.loads(got[2])["manifests"]:
                    cands.append((tag, got[0], e["digest"]))
        if not cands:
            return "%s: no list" % name
        tag, ld, child = self.rng.choice(cands)
        w.reg.delete_manifest(name, child)
        # Every list of the repository that names the child may dangle now,
        # until the next publish says so or repairs it.
        for t in w.reg.tags(name):
            got = w.reg.get(name, t)
            if got and got[1] in regclient.LIST_TYPES:
                if child in [e["digest"] for e in json.loads(got[2])["manifests"]]:
                    w.deleted_children.setdefault((name, t, got[0]), set()).add(child)
        return "%s@%s (a child of %s:%s)" % (name, child, name, tag)

    def overwrite(self):
        w = self.world
        rng = self.rng
        cands = []
        for im, tag, first in w.targets():
            for t in w.publish_tags(im, tag, first):
                cands.append((w.R, im["name"], t))
        for _, dst, _ in w.copies():
            cands.append(dst)
        addr, repo, tag = rng.choice(cands)
        c = w.client(addr)
        w.gen += 1
        key = "foreign/%s/%s/%d" % (repo, tag, w.gen)
        if rng.random() < 0.5:
            p = rng.choice(PLATFORMS)
            d, _ = c.push_image(repo, tag, p, key)
            what = "an image (%s)" % p
        else:
            plats = rng.sample(PLATFORMS, rng.randint(1, 3))
            children = []
            for p in plats:
                cd, cb = c.push_image(repo, None, p, key + p)
                children.append((p, cd, cb))
            d = c.push_list(repo, tag, children)
            what = "a list (%s)" % ",".join(plats)
        if what.startswith("a list") and (addr, repo, tag) in self.unrecorded_publish_tags():
            # G3: a target with no record may hold a list manifold wrote
            # before its status file; only G1 protects it.
            return "%s/%s:%s now holds %s %s (no record: not foreign)" % (addr, repo, tag, what, d)
        w.foreign[(addr, repo, tag)] = d
        return "%s/%s:%s now holds %s %s" % (addr, repo, tag, what, d)

    def unrecorded_publish_tags(self):
        w = self.world
        try:
            st = self.verifier.status() or {}
            recs = set(r["target"] for r in st.get("targets", []))
        except (OSError, ValueError):
            recs = set()
        out = set()
        for im, tag, first in w.targets():
            if "%s/%s:%s" % (w.R, im["name"], tag) not in recs:
                out.update((w.R, im["name"], t) for t in w.publish_tags(im, tag, first))
        return out


def main():
    ap = argparse.ArgumentParser(description="randomized nights of manifold, checked against docs/guarantees.md")
    ap.add_argument("--manifold", default=os.environ.get("MANIFOLD"), help="the manifold binary ($MANIFOLD)")
    ap.add_argument("--nights", type=int, default=50)
    ap.add_argument("--seed", default=None, help="the run's seed (default: random, printed)")
    ap.add_argument("--images", type=int, default=3, help="images in the config")
    ap.add_argument("--ops", default=None, help="only these mutations and steps (comma-separated): " + ",".join(ALL_OPS))
    ap.add_argument("--status-layout", choices=("auto", "one-file", "split"), default=None,
                    help="the config's status-layout (default: left out, auto)")
    ap.add_argument("--keep-going", action="store_true", help="report every violation, exit 1 at the end")
    ap.add_argument("--keep-workdir", action="store_true", help="keep the work dir even when nothing failed")
    ap.add_argument("--workdir", default=None, help="where the work dir is made (default $TMPDIR)")
    ap.add_argument("-q", "--quiet", action="store_true", help="print violations and the summary only")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every manifold run's output")
    args = ap.parse_args()
    if not args.manifold or not os.access(args.manifold, os.X_OK):
        ap.error("--manifold PATH (or $MANIFOLD) must name the manifold binary")
    args.manifold = os.path.abspath(args.manifold)
    if args.seed is None:
        args.seed = str(random.SystemRandom().randrange(1 << 32))
    args.ops_given = args.ops is not None
    args.ops = args.ops.split(",") if args.ops else list(ALL_OPS)
    for o in args.ops:
        if o not in ALL_OPS:
            ap.error("--ops: unknown %r (known: %s)" % (o, ",".join(ALL_OPS)))
    if args.images < 1 or args.nights < 0:
        ap.error("--images must be >= 1 and --nights >= 0")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return Checker(args).main()


if __name__ == "__main__":
    sys.exit(main())
