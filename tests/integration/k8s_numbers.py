#!/usr/bin/env python3
"""k8s_numbers.py — the numbers of configs/k8s/ agree with each other and
with docs/kubernetes.md (python3-yaml).

  k8s_numbers.py CRONJOB INDEXED_JOB ALERTS KUBERNETES_MD

Prints one "numbers: ..." line per rule that does not hold and exits 1;
prints nothing and exits 0 when every rule holds. The rules are those of
docs/kubernetes.md, "Deadlines" and "Kubernetes versions":

  1. (backoff limit + 1) x (START + --deadline + --grace + FINISH)
     + POD_BACKOFF x backoff limit <= activeDeadlineSeconds
  2. --grace + FINISH <= terminationGracePeriodSeconds
  3. startingDeadlineSeconds + activeDeadlineSeconds
     + terminationGracePeriodSeconds < the schedule's period
  4. the no-success alerts' thresholds >= period + startingDeadlineSeconds
     + activeDeadlineSeconds; ttlSecondsAfterFinished >= period
  5. Indexed Job: completions = parallelism = JOB_COMPLETIONS, every line
     holding one marked "# shards"; --grace >= PUSH_ALL
and every number the page and the manifests' comments state is the
manifests' own, each sum the page writes out is the computed one, and the
Kubernetes version the page gives each manifest is the highest of the
fields it uses.
"""
import re
import sys

import yaml

START = 300  # scheduling, image pull, the clone
FINISH = 60  # status write, commit, one push attempt, metrics push (15 s)
POD_BACKOFF = 10  # Kubernetes' wait before a failed pod's replacement
PUSH_ALL = 50  # the slowest of 100 pods pushing at once (kubernetes.md)
GRACE_DEFAULT = 10
TGPS_DEFAULT = 30  # terminationGracePeriodSeconds when unset

# Job and CronJob spec fields: the Kubernetes version from which each is
# usable by default (None: older than any supported release). A field not
# listed fails the check, so a new one is looked up and put in the table.
JOB_FIELDS = {
    "activeDeadlineSeconds": None, "backoffLimit": None, "completions": None,
    "parallelism": None, "template": None, "selector": None, "manualSelector": None,
    "suspend": None, "ttlSecondsAfterFinished": "1.23", "completionMode": "1.24",
    "podFailurePolicy": "1.26", "backoffLimitPerIndex": "1.29",
    "maxFailedIndexes": "1.29", "podReplacementPolicy": "1.29",
    "successPolicy": "1.31", "managedBy": "1.32",
}
CRONJOB_FIELDS = {
    "schedule": None, "jobTemplate": None, "concurrencyPolicy": None,
    "startingDeadlineSeconds": None, "successfulJobsHistoryLimit": None,
    "failedJobsHistoryLimit": None, "suspend": None, "timeZone": "1.27",
}
# How the page's version table names a field.
ROW = {
    "ttlSecondsAfterFinished": "`ttlSecondsAfterFinished`",
    "completionMode": "`completionMode: Indexed`",
    "podFailurePolicy": "`podFailurePolicy`",
    "timeZone": "CronJob `timeZone`",
    "backoffLimitPerIndex": "`backoffLimitPerIndex`",
    "maxFailedIndexes": "`maxFailedIndexes`",
    "podReplacementPolicy": "`podReplacementPolicy`",
    "successPolicy": "`successPolicy`",
    "managedBy": "`managedBy`",
}

problems = []


def bad(msg):
    problems.append("numbers: " + msg)


def seconds(text):
    """manifold's duration grammar (500ms, 90s, 15m, 2h, 1d) in seconds."""
    m = re.fullmatch(r"([0-9]+)(ms|s|m|h|d)", str(text))
    if not m:
        bad("%r is not a duration" % text)
        return 0
    n = int(m.group(1))
    return {"ms": n / 1000, "s": n, "m": n * 60, "h": n * 3600, "d": n * 86400}[m.group(2)]


def fmt(n):
    return str(int(n)) if n == int(n) else str(n)


def option(args, name, default=None):
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a[len(name) + 1:]
    return default


def version_key(v):
    return tuple(int(x) for x in v.split("."))


def fields_version(spec, table, what):
    need = None
    for k in spec:
        if k not in table:
            bad("%s: spec.%s is not a field this check knows: add it with the "
                "Kubernetes version it needs" % (what, k))
            continue
        v = table[k]
        if v and (need is None or version_key(v) > version_key(need)):
            need = v
    return need


def period_of(schedule):
    """The period of a cron schedule that runs once a day or once an hour."""
    f = schedule.split()
    if len(f) == 5 and f[2:] == ["*", "*", "*"]:
        if f[0].isdigit() and f[1].isdigit():
            return 86400
        if f[0].isdigit() and f[1] == "*":
            return 3600
    bad("schedule %r: only daily (M H * * *) and hourly (M * * * *) schedules are "
        "checked" % schedule)
    return 86400


def main(cron_path, job_path, alerts_path, md_path):
    cron = yaml.safe_load(open(cron_path))
    job = yaml.safe_load(open(job_path))
    alerts = yaml.safe_load(open(alerts_path))
    md = open(md_path).read()
    raw = {"cronjob.yaml": open(cron_path).read(), "indexed-job.yaml": open(job_path).read()}

    cspec = cron["spec"]
    runs = {
        "cronjob.yaml": (cspec["jobTemplate"]["spec"], "backoffLimit"),
        "indexed-job.yaml": (job["spec"], "backoffLimitPerIndex"),
    }
    numbers = {}
    for name, (spec, limit_field) in runs.items():
        pod = spec["template"]["spec"]
        c = [x for x in pod["containers"] if x["name"] == "manifold"][0]
        args = c.get("args", [])
        d = option(args, "--deadline")
        if d is None:
            bad("%s: no --deadline: the run is unbounded and a rejected push is "
                "retried 10 minutes after it" % name)
            continue
        g = option(args, "--grace", "%ds" % GRACE_DEFAULT)
        D, G = seconds(d), seconds(g)
        A = spec.get("activeDeadlineSeconds")
        if A is None:
            bad("%s: no activeDeadlineSeconds" % name)
            continue
        B = spec.get(limit_field, spec.get("backoffLimit", 6))
        T = pod.get("terminationGracePeriodSeconds", TGPS_DEFAULT)
        numbers[name] = dict(d=d, g=g, D=D, G=G, A=A, B=B, T=T, ttl=spec.get("ttlSecondsAfterFinished"))
        pod_s = START + D + G + FINISH
        total = (B + 1) * pod_s + POD_BACKOFF * B
        if total > A:
            bad("%s: %d pod(s) x (start %d + --deadline %s + --grace %s + finish %d) + %d s "
                "between them = %s s > activeDeadlineSeconds %d: a retried pod is killed by the "
                "Job's deadline" % (name, B + 1, START, fmt(D), fmt(G), FINISH, POD_BACKOFF * B,
                                    fmt(total), A))
        if G + FINISH > T:
            bad("%s: --grace %s + finish %d = %s s > terminationGracePeriodSeconds %d: a SIGTERM "
                "is followed by SIGKILL before the status is pushed" % (name, fmt(G), FINISH,
                                                                       fmt(G + FINISH), T))
        # the manifest's comments name the same options
        for opt, want in (("--deadline", d), ("--grace", g)):
            for m in re.finditer(re.escape(opt) + r"""[ ,"(]+([0-9]+[a-z]+)""", raw[name]):
                if m.group(1) != want:
                    bad("%s says %s %s, its args %s %s" % (name, opt, m.group(1), opt, want))
        for m in re.finditer(r"(?<![\w-])([0-9]+) x ([0-9]+) min \+ ([0-9]+) s", raw[name]):
            said = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
            want = (B + 1, -(-int(pod_s) // 60), POD_BACKOFF * B)
            if said != want:
                bad("%s's comment says %s x %s min + %s s, the numbers give %d x %d min + %d s"
                    % ((name,) + said + want))

    # one set of numbers, as the page gives one
    if len(numbers) == 2:
        a, b = numbers["cronjob.yaml"], numbers["indexed-job.yaml"]
        for k in ("d", "g", "A", "T", "B"):
            if a[k] != b[k]:
                bad("cronjob.yaml and indexed-job.yaml differ in %s: %s and %s" % (k, a[k], b[k]))
    n = numbers.get("cronjob.yaml")
    if not n:
        for p in problems:
            print(p)
        return 1

    # 3. the CronJob's schedule
    S = cspec.get("startingDeadlineSeconds")
    period = period_of(cspec["schedule"])
    if S is None or S < 10:
        bad("cronjob.yaml: startingDeadlineSeconds %s: want one of at least 10 s (the "
            "controller checks every 10 s)" % S)
        S = S or 0
    if S + n["A"] + n["T"] >= period:
        bad("cronjob.yaml: startingDeadlineSeconds %d + activeDeadlineSeconds %d + "
            "terminationGracePeriodSeconds %d >= the schedule's period %d: a late night "
            "overlaps the next, which Forbid skips" % (S, n["A"], n["T"], period))
    if cspec.get("concurrencyPolicy") != "Forbid":
        bad("cronjob.yaml: concurrencyPolicy is not Forbid")

    # 4. the alerts and the logs
    rules = {r["alert"]: r for g in alerts["groups"] for r in g["rules"] if "alert" in r}
    late = period + S + n["A"]
    m = re.search(r">\s*([0-9 *+]+)$", rules["ManifoldNoSuccessfulRun"]["expr"].strip())
    nosucc = eval(m.group(1), {"__builtins__": {}}) if m else 0  # digits, * and + only
    if nosucc < late:
        bad("ManifoldNoSuccessfulRun fires after %d s, less than a late night's %d s (period "
            "+ startingDeadlineSeconds + activeDeadlineSeconds)" % (nosucc, late))
    never = seconds(rules["ManifoldNeverSucceeded"].get("for", "0s"))
    if never < late:
        bad("ManifoldNeverSucceeded's for: is %s s, less than a late night's %d s" % (fmt(never), late))
    for name, x in numbers.items():
        if not x["ttl"] or x["ttl"] < period:
            bad("%s: ttlSecondsAfterFinished %s: a night's logs are gone before the next "
                "night" % (name, x["ttl"]))

    # 5. the shard count
    js = job["spec"]
    pod = js["template"]["spec"]
    env = {e["name"]: e.get("value") for e in pod["containers"][0].get("env", [])}
    jc = env.get("JOB_COMPLETIONS")
    if not (str(js.get("completions")) == str(js.get("parallelism")) == str(jc)):
        bad("indexed-job.yaml: completions %s, parallelism %s, JOB_COMPLETIONS %s: want one "
            "number" % (js.get("completions"), js.get("parallelism"), jc))
    for i, line in enumerate(raw["indexed-job.yaml"].splitlines(), 1):
        code = line.split("#", 1)[0]
        if re.search(r"\b(completions|parallelism):|JOB_COMPLETIONS,", code) and \
                not line.rstrip().endswith("# shards"):
            bad("indexed-job.yaml:%d holds the shard count but is not marked # shards" % i)
    if numbers.get("indexed-job.yaml") and numbers["indexed-job.yaml"]["G"] < PUSH_ALL:
        bad("indexed-job.yaml: --grace %s < %d s, the slowest push of 100 shards stopped "
            "together" % (numbers["indexed-job.yaml"]["g"], PUSH_ALL))

    # the page's numbers
    say = {
        "activeDeadlineSeconds": n["A"], "terminationGracePeriodSeconds": n["T"],
        "startingDeadlineSeconds": S, "ttlSecondsAfterFinished": n["ttl"],
        "completions": js.get("completions"), "parallelism": js.get("parallelism"),
        "backoffLimit": cspec["jobTemplate"]["spec"].get("backoffLimit"),
        "backoffLimitPerIndex": js.get("backoffLimitPerIndex"),
    }
    for m in re.finditer(r"`(\w+): ([0-9]+)`", md):
        k, v = m.group(1), int(m.group(2))
        if k in say and say[k] != v:
            bad("kubernetes.md says `%s: %d`, the manifests %s" % (k, v, say[k]))
    for opt, want in (("--deadline", n["d"]), ("--grace", n["g"])):
        for m in re.finditer(re.escape(opt) + r" ([0-9]+[a-z]+)`", md):
            if m.group(1) != want:
                bad("kubernetes.md says `%s %s`, the manifests %s" % (opt, m.group(1), want))
    table = {
        "`activeDeadlineSeconds`": str(n["A"]), "`--deadline`": n["d"], "`--grace`": n["g"],
        "`terminationGracePeriodSeconds`": str(n["T"]), "`startingDeadlineSeconds`": str(S),
        "`schedule`": cspec["schedule"],
    }
    for row, want in table.items():
        m = re.search(r"^\|[^|\n]*\| %s \| `([^`]*)`" % re.escape(row), md, re.M)
        if not m:
            bad("kubernetes.md's Deadlines table has no row for %s" % row)
        elif m.group(1) != want:
            bad("kubernetes.md's Deadlines table gives %s as %s, the manifests %s"
                % (row, m.group(1), want))
    D, G, A, B, T = n["D"], n["G"], n["A"], n["B"], n["T"]
    sums = [
        "%d × (%d + %s + %s + %d) + %d = %s ≤ %d" % (B + 1, START, fmt(D), fmt(G), FINISH,
                                                  POD_BACKOFF * B,
                                                  fmt((B + 1) * (START + D + G + FINISH) + POD_BACKOFF * B), A),
        "%s + %d = %s ≤ %d" % (fmt(G), FINISH, fmt(G + FINISH), T),
        "%d + %d + %d = %d < %d" % (S, A, T, S + A + T, period),
        "(%d s)" % late,
        "(%d ≥ %d)" % (n["ttl"], period),
        "so the grace is at least that: %s s" % fmt(numbers.get("indexed-job.yaml", n)["G"]),
    ]
    flat = re.sub(r"\s+", " ", md)
    for s in sums:
        if s not in flat:
            bad("kubernetes.md does not say %r" % s)

    # Kubernetes versions
    need = {
        "cronjob.yaml": fields_version(cspec, CRONJOB_FIELDS, "cronjob.yaml"),
        "indexed-job.yaml": fields_version(js, JOB_FIELDS, "indexed-job.yaml"),
    }
    jneed = fields_version(cspec["jobTemplate"]["spec"], JOB_FIELDS, "cronjob.yaml jobTemplate")
    if jneed and version_key(jneed) > version_key(need["cronjob.yaml"] or "0"):
        need["cronjob.yaml"] = jneed
    m = re.search(r"`cronjob.yaml` needs Kubernetes ([0-9.]+) or later,\s+`indexed-job.yaml` "
                  r"([0-9.]+) or later", md)
    if not m:
        bad("kubernetes.md does not say which Kubernetes each manifest needs")
    else:
        for name, said in (("cronjob.yaml", m.group(1)), ("indexed-job.yaml", m.group(2))):
            if said != need[name]:
                bad("kubernetes.md says %s needs Kubernetes %s, its fields need %s"
                    % (name, said, need[name]))
    used = set(cspec) | set(cspec["jobTemplate"]["spec"]) | set(js)
    for f in sorted(used):
        v = CRONJOB_FIELDS.get(f) or JOB_FIELDS.get(f)
        if not v:
            continue
        if not re.search(r"^\| %s [^\n]*\| %s \(" % (re.escape(ROW[f]), re.escape(v)), md, re.M):
            bad("kubernetes.md's version table has no row %s ... | %s (...)" % (ROW[f], v))

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__.split("\n\n")[1])
    sys.exit(main(*sys.argv[1:]))
