"""A bench's run plan on disk: for every run a directory holding the job
file(s) fio runs and fio.args (fio's arguments, one a line), plus plan.json
describing them all. scripts/bench.sh only executes what is written here."""

import json
import os

from . import jobfile, matrix


def hosts_from(spec):
    """fio client addresses from a file (one a line, # comments) or a
    comma-separated list of host or host:port (fio's own form is host,port)."""
    if os.path.isfile(spec):
        with open(spec, encoding="utf-8") as f:
            items = [l.split("#", 1)[0].strip() for l in f]
        return [i for i in items if i]
    out = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        if item.count(":") == 1 and not item.startswith(("ip:", "ip6:", "sock:")):
            host, port = item.split(":")
            item = "%s,%s" % (host, port)
        out.append(item)
    return out


# Appended to the job name of host N's job in client mode (summary strips it).
HOST_SUFFIX = "@host%d"


def warmups(m):
    """One uncounted 1 s run per engine in the matrix, before the counted
    runs: it lays out the target file and warms the caches."""
    seen, out = set(), []
    for ci, cell in enumerate(m.cells()):
        for side in m.sides():
            a = matrix.run_axes(m, cell, side)
            if a["engine"] not in seen:
                seen.add(a["engine"])
                out.append({"cell": ci, "rep": -1, "side": side, "pos": 0, "axes": a,
                            "warmup": True})
    return out


def run_dir_name(run):
    if run.get("warmup"):
        return "warmup-" + run["axes"]["engine"]
    return "c%d-r%d-%s" % (run["cell"], run["rep"], run["side"].replace("/", "_").replace(" ", "_"))


def write(m, out, *, fs_dir, engine_so, workloads, reps=None, runtime=None, size=None, hosts=None,
          job_root=None):
    """Write OUT/plan.json and every run's directory; return the plan.
    JOB_ROOT, when given, is where the job files say the run directories
    are (a plan run elsewhere: the guest's), and FS_DIR is then only named,
    never made here."""
    pre = warmups(m)
    runs = pre + matrix.plan(m, reps)
    runtime = runtime or m.runtime
    size = size or m.size
    hosts = hosts or []
    ncells = len(m.cells())
    os.makedirs(os.path.join(out, "runs"), exist_ok=True)
    for i, run in enumerate(runs):
        name = run_dir_name(run)
        run_s = 1 if run.get("warmup") else runtime
        rd = os.path.join(out, "runs", name)
        os.makedirs(rd, exist_ok=True)
        run.update({"index": i, "dir": "runs/" + name,
                    "buffer_size": jobfile.buffer_size(run["axes"]),
                    "sysctls": {k[len("sysctl "):]: v for k, v in run["axes"].items()
                                if k.startswith("sysctl ")}})
        args = ["--output-format=json", "--output=" + os.path.join(rd, "fio.json")]
        targets = hosts if hosts else [None]
        run["hosts"], run["buffer_files"], run["reports"] = [], [], []
        for hi, host in enumerate(targets):
            # Each host gets its own directory: hosts may share the file system.
            d = os.path.join(fs_dir, "host%d" % hi) if host else fs_dir
            buf = os.path.join(d, "bench.buf")
            if job_root is None:
                os.makedirs(d, exist_ok=True)
            jrd = os.path.join(job_root, "runs", name) if job_root is not None else rd
            rep = os.path.join(jrd, "host%d.pinwb.json" % hi if host else "bench.pinwb.json")
            job = os.path.join(rd, "job-%d.fio" % hi if host else "job.fio")
            run["template"] = jobfile.write(
                workloads, run["axes"], job, job_suffix=HOST_SUFFIX % hi if host else "",
                engine_so=engine_so, directory=d, size=size,
                runtime=run_s, buffer_file=buf, report=rep)
            if host:
                args.append("--client=" + host)
            args.append(job)
            run["hosts"].append(host or "local")
            run["buffer_files"].append(buf if run["axes"]["buffer"] == "file" else "")
            run["reports"].append(os.path.relpath(rep, out if job_root is None else job_root))
        with open(os.path.join(rd, "fio.args"), "w", encoding="utf-8") as f:
            f.write("\n".join(args) + "\n")
    plan = {"matrix": m.to_json(), "ncells": ncells, "cells": m.cells(),
            "reps": reps or m.reps, "runtime_s": int(runtime), "size": size,
            "hosts": hosts, "warmups": [r for r in runs if r.get("warmup")],
            "runs": [r for r in runs if not r.get("warmup")]}
    with open(os.path.join(out, "plan.json"), "w", encoding="utf-8") as f:
        json.dump(plan, f, indent=1)
        f.write("\n")
    return plan


def tsv(plan):
    """One line per run for the shell: kind (warmup or run), index, count,
    cell (1-based), cells, rep (1-based), reps, side, run dir, buffer size,
    sysctls (name=v,... or -), buffer files (comma list or -), engine."""
    lines = []
    n = len(plan["runs"])
    for r in plan["warmups"] + plan["runs"]:
        sysctls = ",".join("%s=%s" % kv for kv in sorted(r["sysctls"].items())) or "-"
        bufs = ",".join(b for b in r["buffer_files"] if b) or "-"
        idx = 0 if r.get("warmup") else r["index"] - len(plan["warmups"]) + 1
        lines.append("\t".join(str(x) for x in (
            "warmup" if r.get("warmup") else "run", idx, n, r["cell"] + 1, plan["ncells"], r["rep"] + 1, plan["reps"],
            r["side"], r["dir"], r["buffer_size"], sysctls, bufs, r["axes"]["engine"])))
    return "\n".join(lines)
