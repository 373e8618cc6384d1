#!/usr/bin/env python3
"""k8s_pod.py — run one container of a Kubernetes manifest (configs/k8s/)
the way the kubelet would, for integration tests (python3-yaml).

  k8s_pod.py json MANIFEST
      the manifest as JSON, for jq.
  k8s_pod.py run MANIFEST CONTAINER --root DIR [options]
      runs the container's command/args/env/workingDir exactly, with every
      volume mount path P mapped to DIR/P; exits with the container's code.

Options of run:
  --entrypoint JSON    the image's ENTRYPOINT (used when the container has no command)
  --workdir P          the image's WORKDIR (used when the container has no workingDir)
  --env K=V            environment the image or Kubernetes provides before the
                       container's env list (PATH, HOME, JOB_COMPLETION_INDEX)
  --pass-env NAME      copy NAME from this environment (sanitizer options)
  --secret S/KEY=VAL   the value of key KEY of Secret S (env secretKeyRef, secret volumes)
  --subst OLD=NEW      replace OLD by NEW in command, args and env values
                       (the registry's and the status repository's names)
  --bin P=HOST         run HOST where argv[0] is P (without --chroot)
  --chroot U:G         chroot into DIR (an unpacked image) and run as U:G; mount
                       paths are then used as they are

Expansion follows the Kubernetes rules: $(VAR) in an env value names an
earlier variable of the list (or one given with --env), in command and args
any variable of the container; $$ is a literal $; an unknown $(VAR) stays.
Secret volumes are written with mode 0444 (items, or every key given);
emptyDir and configMap mounts are directories the test fills.
"""
import argparse
import json
import os
import re
import subprocess
import sys

import yaml


def pod_spec(doc):
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if doc["kind"] == "Job":
        return doc["spec"]["template"]["spec"]
    sys.exit("k8s_pod.py: %s: not a CronJob or Job" % doc["kind"])


def expand(text, env):
    def one(m):
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", one, text)


def pairs(items):
    out = []
    for item in items:
        k, sep, v = item.partition("=")
        if not sep:
            sys.exit("k8s_pod.py: %r: want K=V" % item)
        out.append((k, v))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("verb", choices=["json", "run"])
    p.add_argument("manifest")
    p.add_argument("container", nargs="?")
    p.add_argument("--root")
    p.add_argument("--entrypoint", default='["/usr/local/bin/manifold"]')
    p.add_argument("--workdir", default="/work")
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--pass-env", action="append", default=[])
    p.add_argument("--secret", action="append", default=[])
    p.add_argument("--subst", action="append", default=[])
    p.add_argument("--bin", action="append", default=[])
    p.add_argument("--chroot")
    a = p.parse_args()

    with open(a.manifest) as f:
        doc = yaml.safe_load(f)
    if a.verb == "json":
        json.dump(doc, sys.stdout)
        return 0
    if not a.container or not a.root:
        sys.exit("k8s_pod.py run: needs CONTAINER and --root")

    spec = pod_spec(doc)
    by_name = {c["name"]: c for c in spec.get("initContainers", []) + spec["containers"]}
    c = by_name.get(a.container) or sys.exit("k8s_pod.py: no container %r" % a.container)
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    secrets = {}
    for k, v in pairs(a.secret):
        name, _, key = k.partition("/")
        secrets.setdefault(name, {})[key] = v
    substs = pairs(a.subst)
    root = os.path.abspath(a.root)
    mounts = [m["mountPath"].rstrip("/") for m in c.get("volumeMounts", [])]

    def mapped(text):
        for old, new in substs:
            text = text.replace(old, new)
        if a.chroot:
            return text
        prefix, sep, value = text.rpartition("=")
        for m in mounts:
            if value == m or value.startswith(m + "/"):
                return prefix + sep + root + value
        return text

    for m in c.get("volumeMounts", []):
        vol = volumes[m["name"]]
        d = root + m["mountPath"]
        os.makedirs(d, exist_ok=True)
        if "secret" in vol:
            data = secrets.get(vol["secret"]["secretName"], {})
            items = vol["secret"].get("items") or [{"key": k, "path": k} for k in data]
            for it in items:
                if it["key"] not in data:
                    sys.exit("k8s_pod.py: Secret %s has no key %s (give --secret)"
                             % (vol["secret"]["secretName"], it["key"]))
                dest = os.path.join(d, it["path"])
                with open(dest, "w") as f:
                    f.write(data[it["key"]])
                os.chmod(dest, 0o444)

    env = dict(pairs(a.env))
    for name in a.pass_env:
        if name in os.environ:
            env[name] = os.environ[name]
    for e in c.get("env", []):
        if "value" in e:
            env[e["name"]] = mapped(expand(e["value"], env))
        elif "secretKeyRef" in e.get("valueFrom", {}):
            ref = e["valueFrom"]["secretKeyRef"]
            try:
                env[e["name"]] = secrets[ref["name"]][ref["key"]]
            except KeyError:
                sys.exit("k8s_pod.py: env %s: Secret %s/%s not given" % (e["name"], ref["name"], ref["key"]))
        else:
            sys.exit("k8s_pod.py: env %s: unsupported source %s" % (e["name"], list(e.get("valueFrom", {}))))

    argv = [mapped(expand(s, env)) for s in (c.get("command") or json.loads(a.entrypoint))]
    argv += [mapped(expand(s, env)) for s in c.get("args", [])]
    workdir = c.get("workingDir", a.workdir)
    cwd = mapped(workdir)
    if not a.chroot and cwd == workdir:
        cwd = root + workdir
    bins = dict(pairs(a.bin))
    if not a.chroot and argv[0] in bins:
        argv[0] = bins[argv[0]]
    print("+ %s: %s (in %s)" % (a.container, " ".join(argv), cwd), file=sys.stderr)

    preexec = None
    if a.chroot:
        uid, _, gid = a.chroot.partition(":")
        inside = cwd

        def preexec():
            os.chroot(root)
            os.chdir(inside)
            os.setgroups([])
            os.setgid(int(gid))
            os.setuid(int(uid))
        cwd = None
    return subprocess.run(argv, env=env, cwd=cwd, preexec_fn=preexec).returncode


if __name__ == "__main__":
    sys.exit(main())
