#!/usr/bin/env python3
"""doctest.py — run the examples of one Markdown file (README.md, docs/*.md).

Every fenced block whose info string is sh, bash, console or yaml is an
example, and each one is either run here or marked, in the Markdown, with an
HTML comment on the line(s) just above its fence:

  <!-- doctest: skip (why) -->       not run here; counted and printed with why
  <!-- doctest: setup CMD -->        run CMD (bash) in the work dir first
  <!-- doctest: publish -->          yaml: also publish it (a full night), exit 0
  <!-- doctest: fragment -->         yaml: part of a config; completed with a
                                     defaults: (registry, platforms) and an
                                     images: entry when it lacks them
  <!-- doctest: file PATH -->        yaml: the block is PATH's content, byte for byte
  <!-- doctest: save PATH -->        write the block (hosts rewritten) to PATH in
                                     the work dir, for the blocks after it
  <!-- doctest: env NAME FILE -->    the block runs with NAME set to FILE's
                                     content (FILE made by a setup mark)
  <!-- doctest: exit N -->           sh: the block's last command exits N;
                                     console: every command exits N
  <!-- doctest: no-compare (why) --> console: run, its output not compared

How a block runs (in --workdir, a git repository with a bare remote and a
copy of configs/, manifold first on PATH):
  sh, bash  the block is one bash script (set -e -o pipefail): every
            command exits 0, the last one N with `exit N`.
  console   each `$ ` line (with its `\\` continuation lines) is run alone;
            the lines after it up to the next `$ ` are its expected output
            (stdout and stderr together), compared line by line with runs
            of white space as one space: `…` in a
            line matches any text, a line of only `…` any number of lines,
            and a digest (`sha256:` and hex, or hex and `…`; with the size
            after it) any digest and size: the images seeded here are not
            the ones the docs were written from. The expected output may
            leave out every informational log line (`manifold: ` and not
            a warning or an error) or show them all. A
            command whose expected output has a `manifold CMD: ` error line
            must exit non-zero, any other must exit 0.
  yaml      a manifold config or manifest-tool spec: `manifold publish -c F
            --estimate` (sends and writes nothing) must accept it.
The hosts the docs use are rewritten before running, and back in output:
registry.example.com → --registry, mirror.example.com → --mirror.

Prints one line per block (file:line, what happened) and, at the end,
"DOCTEST FILE found N run R skipped S failed F"; exits 1 when a block
failed or is neither run nor marked.
"""
import argparse
import os
import re
import subprocess
import sys

LANGS = ("sh", "bash", "console", "yaml")
MARK = re.compile(r"^<!--\s*doctest:\s*(.*?)\s*-->\s*$")
DIGEST_EXPECTED = re.compile(r"sha256:(?:[0-9a-f]{64}|[0-9a-f]*…)(?: [0-9]+(?= |$))?")
DIGEST_ANY = "sha256:[0-9a-f]{64}(?: [0-9]+)?"
INFO_LINE = re.compile(r"^manifold: (?!warning:|error:)")
ERROR_LINE = re.compile(r"^manifold [a-z-]+(?: [a-z-]+)?: ")


class Block:
    def __init__(self, path, line, lang, text, marks):
        self.path, self.line, self.lang, self.text, self.marks = path, line, lang, text, marks

    def mark(self, kind):
        """The argument of the first mark of KIND ('' when it has none), or None."""
        for m in self.marks:
            word, _, rest = m.partition(" ")
            if word == kind:
                return rest.strip()
        return None

    def where(self):
        return "%s:%d" % (self.path, self.line)


def blocks_of(path, display):
    """Every fenced block of PATH with its marks (the comment lines just above)."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        m = re.match(r"^(```+|~~~+)\s*([A-Za-z0-9_-]*)", lines[i])
        if not m:
            i += 1
            continue
        fence, lang, start = m.group(1), m.group(2), i
        j = i + 1
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        marks, k = [], start - 1
        while k >= 0 and (MARK.match(lines[k]) or (lines[k].strip() == "" and k == start - 1)):
            mm = MARK.match(lines[k])
            if mm:
                marks.insert(0, mm.group(1))
            k -= 1
        body = [x for x in lines[start + 1:j] if x.strip()]
        if lang in LANGS or (lang == "" and body and body[0].startswith("$ ")):
            # a plain fence that opens with "$ " is a console example without its name
            out.append(Block(display, start + 1, lang, "\n".join(lines[start + 1:j]) + "\n", marks))
        i = j + 1
    return out


class Runner:
    def __init__(self, args):
        self.a = args
        self.hosts = [("registry.example.com", args.registry), ("mirror.example.com", args.mirror)]
        self.env = dict(os.environ)
        self.env["PATH"] = args.bindir + os.pathsep + self.env.get("PATH", "")
        self.env.setdefault("TOKEN", "doc-example-token")
        self.n_yaml = 0

    def to_local(self, text):
        for doc, local in self.hosts:
            text = text.replace(doc, local)
        return text

    def to_doc(self, text):
        for doc, local in self.hosts:
            text = text.replace(local, doc)
        return text

    def sh(self, script, timeout=120):
        p = subprocess.run(["bash", "-c", script], cwd=self.a.workdir, env=self.block_env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace")

    def run(self, b):
        """None when the block passed, else why it failed."""
        self.block_env = dict(self.env)
        setup = b.mark("setup")
        if setup:
            rc, out = self.sh(self.to_local(setup))
            if rc != 0:
                return "setup %r exited %d:\n%s" % (setup, rc, out)
        env = b.mark("env")
        if env:
            name, _, path = env.partition(" ")
            try:
                self.block_env[name] = open(os.path.join(self.a.workdir, path.strip())).read()
            except OSError as e:
                return "env %s: %s" % (name, e)
        save = b.mark("save")
        if save:
            with open(os.path.join(self.a.workdir, save), "w", encoding="utf-8") as f:
                f.write(self.to_local(b.text))
        if b.lang == "":
            return "a command example in a plain fence: name it ```console (or mark it)"
        if b.lang == "yaml":
            return self.run_yaml(b)
        if b.lang == "console":
            return self.run_console(b)
        return self.run_sh(b)

    def run_sh(self, b):
        want = b.mark("exit")
        script = "set -e -o pipefail\n" + self.to_local(b.text)
        if want:
            # every command but the last must succeed; the last exits N
            body = self.to_local(b.text).rstrip("\n").split("\n")
            script = "set -e -o pipefail\n" + "\n".join(body[:-1]) + "\nset +e\n" + body[-1] + "\n"
        rc, out = self.sh(script)
        if rc != int(want or 0):
            return "exited %d, want %s:\n%s" % (rc, want or 0, self.to_doc(out))
        self.say(b, "ran (sh, exit %d)" % rc)
        return None

    def run_yaml(self, b):
        text = b.text
        path = b.mark("file")
        if path:
            have = open(os.path.join(self.a.source, path), encoding="utf-8").read()
            if have != text:
                return "the block is not %s's content (keep them the same)" % path
        if b.mark("fragment") is not None:
            if not re.search(r"^defaults:", text, re.M):
                text = "defaults:\n  registry: registry.example.com\n  platforms: [linux/amd64]\n" + text
            elif not re.search(r"^  registry:", text, re.M):
                text = text.replace("defaults:\n", "defaults:\n  registry: registry.example.com\n", 1)
            if not re.search(r"^images:", text, re.M):
                text += "images:\n  - {name: kube-proxy, tags: [v1.31.0]}\n"
        self.n_yaml += 1
        name = "doc-%s-%d.yaml" % (os.path.basename(b.path).replace(".md", ""), b.line)
        with open(os.path.join(self.a.workdir, name), "w", encoding="utf-8") as f:
            f.write(self.to_local(text))
        rc, out = self.sh("manifold publish -c %s --estimate" % name)
        if rc != 0:
            return "manifold publish --estimate exited %d:\n%s" % (rc, self.to_doc(out))
        what = "checked (publish --estimate)"
        if b.mark("publish") is not None:
            rc, out = self.sh("manifold publish -c %s" % name)
            if rc != 0:
                return "manifold publish (a full night) exited %d:\n%s" % (rc, self.to_doc(out))
            what += ", published"
        self.say(b, what)
        return None

    def run_console(self, b):
        cmds, cur = [], None
        lines = b.text.rstrip("\n").split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("$ "):
                cmd = line[2:]
                while cmd.endswith("\\") and i + 1 < len(lines):
                    i += 1
                    cmd += "\n" + lines[i]
                cur = [cmd, []]
                cmds.append(cur)
            elif cur is None:
                return "console block without a `$ ` command first (an output only: use a plain fence)"
            else:
                cur[1].append(line)
            i += 1
        compare = b.mark("no-compare") is None
        want_rc = b.mark("exit")
        for cmd, want in cmds:
            rc, out = self.sh(self.to_local(cmd))
            got = self.to_doc(out).rstrip("\n").split("\n") if out.strip() else []
            fails = any(ERROR_LINE.match(w) for w in want)
            if want_rc:
                if rc != int(want_rc):
                    return "$ %s\nexited %d, want %s:\n%s" % (cmd, rc, want_rc, "\n".join(got))
            elif fails and rc == 0:
                return "$ %s\nexited 0, but its output shows an error" % cmd
            elif not fails and rc != 0:
                return "$ %s\nexited %d:\n%s" % (cmd, rc, "\n".join(got))
            quiet = [g for g in got if not INFO_LINE.match(g)]
            if compare and not matches(want, got) and not matches(want, quiet):
                return "$ %s\noutput differs from line %d of the block's output; want:\n%s\ngot:\n%s" % (
                    cmd, first_mismatch(want, got) + 1, "\n".join(want), "\n".join(got[:60]))
        self.say(b, "ran (console, %d command(s)%s)" % (
            len(cmds), "" if compare else ", output not compared"))
        return None

    def say(self, b, what):
        print("  %-28s %s" % (b.where(), what))


def line_regex(w):
    w = re.sub(r"\s+", " ", w)
    parts = DIGEST_EXPECTED.split(w)
    out = []
    for n, p in enumerate(parts):
        out.append(".*?".join(re.escape(s) for s in p.split("…")))
        if n < len(parts) - 1:
            out.append(DIGEST_ANY)
    return re.compile("^" + "".join(out) + r"\s*$")


def squeeze(line):
    """Runs of white space as one space: table columns are as wide as the
    (rewritten) hosts make them."""
    return re.sub(r"\s+", " ", line.rstrip())


def first_mismatch(want, got):
    """The first line of want that does not match got's line at the same place."""
    for i, w in enumerate(want):
        if w.strip() == "…":
            return i
        if i >= len(got) or not line_regex(w.rstrip()).match(squeeze(got[i])):
            return i
    return len(want)


def matches(want, got):
    """want's lines against got's, `…` alone matching any number of lines."""
    want = [w.rstrip() for w in want]

    def m(i, j):
        if i == len(want):
            return j == len(got)
        if want[i].strip() == "…":
            return any(m(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and line_regex(want[i]).match(squeeze(got[j])) is not None and m(i + 1, j + 1)

    return m(0, 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("markdown")
    ap.add_argument("--display", help="the file's name in messages")
    ap.add_argument("--source", required=True, help="the source tree (for file marks)")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--bindir", required=True, help="a directory holding manifold")
    ap.add_argument("--registry", required=True)
    ap.add_argument("--mirror", required=True)
    ap.add_argument("--list", action="store_true", help="only list the blocks and their marks")
    ap.add_argument("--needs", action="store_true",
                    help="only print what the file's blocks need: registry, mirror, git (one a line)")
    a = ap.parse_args()
    display = a.display or a.markdown
    blocks = blocks_of(a.markdown, display)
    if a.needs:
        run = [b for b in blocks if b.mark("skip") is None]
        if any(b.lang != "yaml" or b.mark("publish") is not None for b in run):
            print("registry")
        if any("mirror.example.com" in b.text + " ".join(b.marks) for b in run):
            print("mirror")
        if any(re.search(r"--commit|--push|--since|HEAD~", b.text) for b in run if b.lang != "yaml"):
            print("git")
        return 0
    if a.list:
        for b in blocks:
            print("%s %s %s" % (b.where(), b.lang, b.marks))
        return 0
    r = Runner(a)
    ran = skipped = failed = 0
    for b in blocks:
        skip = b.mark("skip")
        if skip is not None:
            if not skip.startswith("(") or not skip.endswith(")") or len(skip) < 3:
                print("FAIL %s: a skip mark says why: <!-- doctest: skip (why) -->" % b.where())
                failed += 1
                continue
            skipped += 1
            r.say(b, "skipped %s" % skip)
            continue
        try:
            err = r.run(b)
        except subprocess.TimeoutExpired:
            err = "timed out"
        if err:
            failed += 1
            print("FAIL %s (%s): %s" % (b.where(), b.lang, err.rstrip()))
        else:
            ran += 1
    print("DOCTEST %s found %d run %d skipped %d failed %d" % (display, len(blocks), ran, skipped, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
