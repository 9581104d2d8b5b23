"""A result set's runs -> bench.json (machine-readable) and summary.md.

Per cell and side: median with min and max of IOPS, total latency (lat_ns:
submit to completion, mean and p50/p99/p99.9) and user and system CPU per
I/O; per cell the ratio side B / side A of every alternating pair. With
several hosts each run's rows are per host, and an all-hosts row is made
here from them: IOPS summed, mean latency weighted by I/Os, percentiles the
worst host's (fio's own "All clients" row is not used)."""

import json
import os

from . import files, fiojson, matrix, runplan, stats

METRICS = ["iops", "lat_mean_us", "lat_p50_us", "lat_p99_us", "lat_p99.9_us",
           "clat_p99_us", "usr_us_per_io", "sys_us_per_io", "cpu_us_per_io"]
ALL = "all-hosts"



def _pinwb_counts(rep):
    """Integrity figures of one pinwb report: verify mismatches (lost or
    torn blocks) and the kernel's gup_* counters (the detector's among them)."""
    if not rep:
        return None
    v = rep.get("verify") or {}
    out = {"verify": v.get("result"), "mismatches": v.get("mismatches", 0) or 0,
           "read_check_failures": (rep.get("io") or {}).get("read_check_failures", 0) or 0}
    for k, val in sorted((rep.get("vmstat_delta") or {}).items()):
        if k.startswith("gup_"):
            out[k] = val
    out["writeback"] = (rep.get("writeback") or {}).get("counts") or {}
    return out


def all_hosts_row(rows):
    """The all-hosts row of one run from its per-host rows."""
    ios = sum(r["total_ios"] or 0 for r in rows)
    def wmean(k):
        v = [(r[k], r["total_ios"] or 0) for r in rows if r.get(k) is not None]
        return sum(a * w for a, w in v) / ios if v and ios else None
    def worst(k):
        v = [r[k] for r in rows if r.get(k) is not None]
        return max(v) if v else None
    out = {"host": ALL, "job": rows[0]["job"], "dir": rows[0]["dir"], "total_ios": ios,
           "iops": sum(r["iops"] or 0 for r in rows)}
    for k in ("lat_mean_us", "clat_mean_us", "usr_us_per_io", "sys_us_per_io"):
        out[k] = wmean(k)
    for k in ("lat_p50_us", "lat_p99_us", "lat_p99.9_us", "clat_p99_us"):
        out[k] = worst(k)
    return out


def run_rows(out, run):
    """Rows of one run (per host, then all-hosts when there are several)."""
    doc = fiojson.load(os.path.join(out, run["dir"], "fio.json"))
    rows = fiojson.rows(doc, host=None)
    hosts = run.get("hosts") or ["local"]
    for r in rows:
        # The host is the client address the plan gave the job (its name
        # carries the index), not fio's hostname: two servers may share one.
        name, sep, idx = (r["job"] or "").rpartition(runplan.HOST_SUFFIX.split("%")[0])
        if sep and idx.isdigit() and int(idx) < len(hosts):
            r["job"], r["host"] = name, hosts[int(idx)]
        elif r["host"] is None:
            r["host"] = hosts[0]
    for r in rows:
        u, s = r.get("usr_us_per_io"), r.get("sys_us_per_io")
        r["cpu_us_per_io"] = u + s if u is not None and s is not None else None
    if len(hosts) > 1:
        a = all_hosts_row(rows)
        a["cpu_us_per_io"] = (a["usr_us_per_io"] or 0) + (a["sys_us_per_io"] or 0)
        rows.append(a)
    counts = [_pinwb_counts(files.load_json(os.path.join(out, p))) for p in run.get("reports", [])]
    return rows, [c for c in counts if c]


def _main_row(rows):
    for r in rows:
        if r["host"] == ALL:
            return r
    return rows[0] if len(rows) == 1 else None


def explain(a_name, a, b_name, b, ratio):
    """Why side B runs at RATIO of side A, from CPU per I/O: with one job
    thread the I/O rate is bounded by 1 / (CPU per I/O) when the thread is
    busy all the time; the share of the ratio that CPU explains, and the
    rest (device, waiting, cache state)."""
    ca, cb = a.get("cpu_us_per_io"), b.get("cpu_us_per_io")
    if not ca or not cb or ratio is None:
        return "CPU figures missing; no explanation."
    busy_a = 100.0 * a["iops"] * ca / 1e6 if a.get("iops") else None
    busy_b = 100.0 * b["iops"] * cb / 1e6 if b.get("iops") else None
    cpu_ratio = ca / cb
    du = (b["usr_us_per_io"] or 0) - (a["usr_us_per_io"] or 0)
    ds = (b["sys_us_per_io"] or 0) - (a["sys_us_per_io"] or 0)
    text = ("CPU per I/O: %s %.2f us (user %.2f, system %.2f), %s %.2f us (user %.2f, system %.2f); "
            "%s spends %+.2f us user and %+.2f us system per I/O. The job thread was busy %.0f%% (%s) "
            "and %.0f%% (%s) of the run. " % (
                a_name, ca, a["usr_us_per_io"], a["sys_us_per_io"],
                b_name, cb, b["usr_us_per_io"], b["sys_us_per_io"], b_name, du, ds,
                busy_a or 0, a_name, busy_b or 0, b_name))
    if busy_a and busy_b and min(busy_a, busy_b) > 85:
        text += ("Both sides are CPU bound, so the ratio should follow CPU per I/O: "
                 "%.3f predicted from it against %.3f measured; " % (cpu_ratio, ratio))
        rest = ratio / cpu_ratio
        text += ("CPU per I/O accounts for the ratio within %.1f%%." % (abs(rest - 1) * 100)
                 if abs(rest - 1) < 0.03 else
                 "the remaining factor %.3f is time off the CPU (waiting on the device or on "
                 "locks), not code on the I/O path." % rest)
    else:
        text += ("At least one side's thread was off the CPU much of the time: waiting on the "
                 "device or the completion path, or runnable while other tasks had the CPU (a "
                 "loaded machine: see the min-max spread). So CPU per I/O (ratio %.3f) bounds the "
                 "IOPS ratio (%.3f) only loosely; compare the total latency instead, and measure "
                 "on a quiet machine." % (cpu_ratio, ratio))
    return text


# The load the bench itself adds, at least: its fio job thread, and a
# writeback driver thread beside it when a cell runs one.  A queue-depth-32
# job also keeps the kernel's completion work (io_uring, block softirq,
# ext4 conversion workers) busy on every other CPU: an otherwise idle
# 2-CPU host ran at a 1-minute load of 2.8 during the engine set, so the
# bench's share is at least the CPU count (own_share()).
OWN_LOAD = 1.0
OWN_LOAD_WB = 2.0


def own_share(wb, cpus):
    """The load the bench's own runs account for on a machine with cpus."""
    try:
        n = float(cpus)
    except (TypeError, ValueError):
        n = 0.0
    return max(OWN_LOAD, n) + (OWN_LOAD_WB - OWN_LOAD if wb else 0.0)
DEFAULT_MAX_LOAD = 1.0


def _load1(v):
    """The 1-minute figure of a load average string ("0.52 0.40 0.31 ...")."""
    try:
        return float(str(v).split()[0])
    except (IndexError, ValueError):
        return None


def _run_loads(out):
    """The 1-minute load average recorded before each run (runs/*/loadavg)."""
    d = os.path.join(out, "runs")
    loads = []
    for r in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        try:
            with open(os.path.join(d, r, "loadavg"), encoding="utf-8") as f:
                v = _load1(f.read())
        except OSError:
            continue
        if v is not None:
            loads.append(v)
    return loads


def load_check(out, meta, m):
    """Was the machine quiet enough for the CPU and IOPS figures of this
    set?  Loaded when the 1-minute load average reached max_load before the
    runs, or max_load plus the bench's own share (own_share(): the CPU
    count, one more with a writeback driver) before any run or after the
    last one.  None when
    the set has no host load to judge (a VM run imported)."""
    if not meta or not meta.get("load_before"):
        return None
    try:
        max_load = float(meta.get("max_load") or DEFAULT_MAX_LOAD)
    except ValueError:
        max_load = DEFAULT_MAX_LOAD
    own = own_share(any(w != "none" for w in m["axes"].get("wb", ["none"])), meta.get("cpus"))
    runs = _run_loads(out)
    before, after = _load1(meta.get("load_before")), _load1(meta.get("load_after"))
    why = []
    if before is not None and before >= max_load:
        why.append("%.2f before the runs (limit %.2f)" % (before, max_load))
    if runs and max(runs) >= max_load + own:
        why.append("up to %.2f before a run (limit %.2f: %.2f plus the bench's own %.0f)" % (
            max(runs), max_load + own, max_load, own))
    if after is not None and after >= max_load + own:
        why.append("%.2f after the runs (limit %.2f)" % (after, max_load + own))
    return {"max_load": max_load, "own_load": own, "before": before, "after": after,
            "runs_max": max(runs) if runs else None, "allowed": meta.get("allow_loaded") == "1",
            "loaded": bool(why), "why": why}


def load_banner(load, cpus):
    """The warning a loaded set carries at the top of its summaries."""
    if not load or not load["loaded"]:
        return None
    return ("LOADED MACHINE: 1-minute load average %s on %s CPUs. The IOPS and CPU per I/O "
            "figures of this set measure the machine's other work as much as the engines: "
            "do not quote them; take the set again on a quiet machine (load < %.2f)." % (
                "; ".join(load["why"]), cpus or "?", load["max_load"]))


def summarise(out):
    plan = files.load_json(os.path.join(out, "plan.json"))
    if not plan:
        raise ValueError("%s: no readable plan.json (not a bench v2 result set)" % out)
    m = plan["matrix"]
    sides = m["sides"]
    vary = [k for k in m["axes"] if k != m["compare"] and len(m["axes"][k]) > 1]
    cells = []
    for ci, cell in enumerate(plan["cells"]):
        # Label a cell by the axes that vary; a one-cell matrix by all of them.
        c = {"index": ci, "axes": cell, "label": matrix.label(cell, vary or list(cell)), "sides": {},
             "hosts": {}}
        cells.append(c)
        for s in sides:
            c["sides"][s] = {"runs": [], "integrity": []}
    for run in plan["runs"]:
        if not os.path.exists(os.path.join(out, run["dir"], "fio.json")):
            continue
        rows, counts = run_rows(out, run)
        side = cells[run["cell"]]["sides"][run["side"]]
        side["runs"].append({"rep": run["rep"], "pos": run["pos"], "dir": run["dir"],
                             "rows": rows, "main": _main_row(rows)})
        side["integrity"].extend(counts)
    for c in cells:
        for s in sides:
            sd = c["sides"][s]
            mains = [r["main"] for r in sd["runs"] if r["main"]]
            sd["stats"] = {k: stats.med_min_max([r.get(k) for r in mains]) for k in METRICS}
            sd["median"] = {k: (v["median"] if v else None) for k, v in sd["stats"].items()}
            sd["spread"] = stats.rel_spread([r.get("iops") for r in mains])
            hosts = sorted({row["host"] for r in sd["runs"] for row in r["rows"]})
            sd["per_host"] = {}
            if len(hosts) > 1:
                for h in hosts:
                    hr = [row for r in sd["runs"] for row in r["rows"] if row["host"] == h]
                    sd["per_host"][h] = {k: stats.med_min_max([r.get(k) for r in hr]) for k in METRICS}
            ints = sd["integrity"]
            if ints:
                keys = sorted({k for i in ints for k, v in i.items() if isinstance(v, int)})
                sd["integrity_total"] = {k: sum(i.get(k, 0) for i in ints) for k in keys}
        a, b = sides
        by_rep = {}
        for s in sides:
            for r in c["sides"][s]["runs"]:
                if r["main"]:
                    by_rep.setdefault(r["rep"], {})[s] = r["main"]
        pairs = [p for _, p in sorted(by_rep.items()) if a in p and b in p]
        ratios = pair_ratios(pairs, a, b, "iops")
        c["ratio"] = stats.med_min_max(ratios)
        if c["ratio"]:
            c["ratio"]["per_pair"] = ratios
        # Latency and CPU per I/O compared the way IOPS is: B/A within each
        # alternating pair, then the median, so drift between pairs cancels
        # here too (the two sides' own medians can come from different pairs).
        c["pair_ratio"] = {k: stats.med_min_max(pair_ratios(pairs, a, b, k)) for k in PAIR_METRICS}
        c["explanation"] = explain(a, c["sides"][a]["median"], b, c["sides"][b]["median"],
                                   c["ratio"]["median"] if c["ratio"] else None)
    bench = {"pinwb_bench_version": 2, "matrix": m, "compare": m["compare"], "sides": sides,
             "reps": plan["reps"], "runtime_s": plan["runtime_s"], "hosts": plan.get("hosts") or [],
             "cells": cells,
             "load": load_check(out, files.load_json(os.path.join(out, "meta.json")), m)}
    with open(os.path.join(out, "bench.json"), "w", encoding="utf-8") as f:
        json.dump(bench, f, indent=1)
        f.write("\n")
    return bench


PAIR_METRICS = ("lat_mean_us", "usr_us_per_io", "sys_us_per_io", "cpu_us_per_io")


def pair_ratios(pairs, a, b, key):
    """B/A of KEY within each pair that has it on both sides."""
    return [p[b][key] / p[a][key] for p in pairs
            if p[a].get(key) and p[b].get(key) is not None]


def _pair_text(c, a, b):
    """'per pair, B/A: ...' for the latency and CPU ratios a cell has."""
    names = {"lat_mean_us": "total latency mean", "usr_us_per_io": "user CPU per I/O",
             "sys_us_per_io": "system CPU per I/O", "cpu_us_per_io": "CPU per I/O"}
    parts = ["%s %.3f (%.3f-%.3f)" % (names[k], r["median"], r["min"], r["max"])
             for k in PAIR_METRICS for r in [(c.get("pair_ratio") or {}).get(k)] if r]
    return "per pair, %s/%s: %s" % (b, a, ", ".join(parts)) if parts else ""


def _f(v, fmt="%.1f"):
    return fmt % v if v is not None else "-"


def _mm(st, fmt="%.0f"):
    if not st:
        return "-"
    return "%s (%s-%s)" % (fmt % st["median"], fmt % st["min"], fmt % st["max"])


def text_lines(bench, cpus=None):
    """The console summary; the last line is `ratio median=X min=Y max=Z`
    of the first cell (what callers of the old bench parse).  A LOADED set
    opens with the warning."""
    a, b = bench["sides"]
    banner = load_banner(bench.get("load"), cpus)
    out = ["*** %s ***" % banner] if banner else []
    out.append("%s: %s vs %s, %d reps in alternating pairs, %d s each" % (
        bench["compare"], a, b, bench["reps"], bench["runtime_s"]))
    for c in bench["cells"]:
        out.append("cell %d/%d: %s" % (c["index"] + 1, len(bench["cells"]), c["label"]))
        for s in (a, b):
            st = c["sides"][s]["stats"]
            md = c["sides"][s]["median"]
            out.append("  %-12s IOPS %-26s lat mean %s us p99 %s us  CPU/IO usr %s sys %s us" % (
                s, _mm(st["iops"]), _f(md["lat_mean_us"]), _f(md["lat_p99_us"]),
                _f(md["usr_us_per_io"], "%.2f"), _f(md["sys_us_per_io"], "%.2f")))
        r = c["ratio"]
        if r:
            out.append("  ratio %s/%s median %.3f (%.3f-%.3f) over %d pairs" % (
                b, a, r["median"], r["min"], r["max"], r["n"]))
            pt = _pair_text(c, a, b)
            if pt:
                out.append("  " + pt)
    r = bench["cells"][0]["ratio"] if bench["cells"] else None
    if r:
        out.append("ratio median=%.3f min=%.3f max=%.3f" % (r["median"], r["min"], r["max"]))
    return out


def markdown(bench, meta, plots):
    a, b = bench["sides"]
    m = bench["matrix"]
    L = ["# pinwb bench: %s" % os.path.basename(m.get("file") or "matrix"), ""]
    banner = load_banner(bench.get("load"), (meta or {}).get("cpus"))
    if banner:
        L += ["> **%s**" % banner, ""]
    L.append("Compared: `%s` = %s (baseline) against %s; %d repetitions in alternating pairs "
             "(AB, BA, ...), %d s per run. Medians with min-max." % (
                 bench["compare"], a, b, bench["reps"], bench["runtime_s"]))
    if meta:
        L += ["", "Kernel %s%s, %s (%s), fs %s, fio %s, liburing %s, commit %s%s." % (
            meta.get("kernel"),
            " (series %s)" % meta["series_version"] if meta.get("series_version") else "",
            meta.get("cpu_model"), meta.get("virt"), meta.get("fs"),
            meta.get("fio_version"), meta.get("liburing_version"), (meta.get("git_commit") or "")[:12],
            " (dirty)" if meta.get("git_dirty") else ""),
            "", "Command: `%s`" % " ".join(meta.get("command") or [])]
        if meta.get("load_before") or meta.get("load_after"):
            ld = bench.get("load") or {}
            L += ["", "Machine load (1/5/15-minute load average, %s CPUs): before the runs %s, "
                  "after them %s%s." % (meta.get("cpus") or "?", meta.get("load_before") or "?",
                                        meta.get("load_after") or "?",
                                        "; highest 1-minute figure before a run %.2f" % ld["runs_max"]
                                        if ld.get("runs_max") is not None else "")]
    if bench["reps"] < matrix.MIN_REPS:
        L += ["", "**Smoke run: fewer than %d repetitions; not a result set.**" % matrix.MIN_REPS]
    L += ["", "| cell | side | IOPS | lat mean us | p50 / p99 / p99.9 us | usr us/IO | sys us/IO | ratio %s/%s |" % (b, a),
          "|---|---|---|---|---|---|---|---|"]
    for c in bench["cells"]:
        for s in (a, b):
            sd = c["sides"][s]
            md = sd["median"]
            r = c["ratio"] if s == b else None
            L.append("| %s | %s | %s | %s | %s / %s / %s | %s | %s | %s |" % (
                c["label"], s, _mm(sd["stats"]["iops"]), _f(md["lat_mean_us"]),
                _f(md["lat_p50_us"]), _f(md["lat_p99_us"]), _f(md["lat_p99.9_us"]),
                _f(md["usr_us_per_io"], "%.2f"), _f(md["sys_us_per_io"], "%.2f"),
                "%.3f (%.3f-%.3f)" % (r["median"], r["min"], r["max"]) if r else ""))
    L += [""]
    for c in bench["cells"]:
        r, ma, mb = c["ratio"], c["sides"][a]["median"], c["sides"][b]["median"]
        if not r:
            continue
        def rel(k):
            if ma.get(k) and mb.get(k) is not None:
                return "%+.1f%%" % ((mb[k] / ma[k] - 1) * 100)
            return "-"
        pt = _pair_text(c, a, b)
        L.append("- **%s: %s runs at %.3fx the IOPS of %s** (median of %d pairs, %.3f-%.3f); "
                 "the two sides' medians against %s: total latency mean %s, user CPU per I/O %s, "
                 "system CPU per I/O %s%s." % (
                     c["label"], b, r["median"], a, r["n"], r["min"], r["max"], a,
                     rel("lat_mean_us"), rel("usr_us_per_io"), rel("sys_us_per_io"),
                     "; %s (median, min-max)" % pt if pt else ""))
    L += ["", "## Why the ratio is what it is", ""]
    for c in bench["cells"]:
        L.append("- %s: %s" % (c["label"], c["explanation"]))
    hosts = [h for c in bench["cells"] for s in (a, b) for h in c["sides"][s]["per_host"]]
    if hosts:
        L += ["", "## Per host", "", "| cell | side | host | IOPS | lat mean us | p99 us |", "|---|---|---|---|---|---|"]
        for c in bench["cells"]:
            for s in (a, b):
                for h, st in sorted(c["sides"][s]["per_host"].items(), key=lambda kv: (kv[0] == ALL, kv[0])):
                    L.append("| %s | %s | %s | %s | %s | %s |" % (
                        c["label"], s, h, _mm(st["iops"]),
                        _f(st["lat_mean_us"]["median"] if st["lat_mean_us"] else None),
                        _f(st["lat_p99_us"]["median"] if st["lat_p99_us"] else None)))
        L += ["", "The all-hosts row is computed from the per-host rows: IOPS summed, mean latency "
              "weighted by I/Os, percentiles the worst host's."]
    ints = [(c, s) for c in bench["cells"] for s in (a, b) if c["sides"][s].get("integrity_total")]
    if ints:
        L += ["", "## Integrity (pinwb engine, totals over the repetitions)", ""]
        keys = sorted({k for c, s in ints for k in c["sides"][s]["integrity_total"]})
        L += ["| cell | side | " + " | ".join(keys) + " |", "|---|---|" + "---|" * len(keys)]
        for c, s in ints:
            t = c["sides"][s]["integrity_total"]
            L.append("| %s | %s | " % (c["label"], s) + " | ".join(str(t.get(k, "")) for k in keys) + " |")
    if plots:
        L += ["", "## Plots", ""]
        for p in plots:
            L += ["![%s](plots/%s.png)" % (p["title"], p["name"]), "",
                  "`plots/%s.svg`, data `plots/%s.dat`, script `plots/%s.gp`" % (p["name"], p["name"], p["name"]), ""]
    return "\n".join(L) + "\n"
