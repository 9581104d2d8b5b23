"""Compare two results: OLD and NEW each a pinwb result set (bench.json of
bench v2 or v1, or a directory with a fio.json) or a plain fio JSON file.
Scenarios are matched by name; each has the repetitions' IOPS. A scenario
regresses when NEW's median IOPS falls below OLD's by more than the larger
of the threshold and either side's own spread ((max - min) / median of its
repetitions); it improves when it rises by more than that."""

import json
import os
import statistics

from . import fiojson, stats


class InputError(ValueError):
    pass


def _bench_v2(b):
    out = {}
    for c in b["cells"]:
        for s in b["sides"]:
            sd = c["sides"][s]
            mains = [r["main"] for r in sd["runs"] if r.get("main")]
            name = "%s | %s=%s" % (c["label"], b["compare"].replace("sysctl vm.", ""), s)
            out[name] = {"iops": [r["iops"] for r in mains],
                         "lat_mean_us": [r.get("lat_mean_us") for r in mains]}
            for h, st in (sd.get("per_host") or {}).items():
                rows = [row for r in sd["runs"] for row in r["rows"] if row["host"] == h]
                out["%s | host=%s" % (name, h)] = {"iops": [r["iops"] for r in rows],
                                                   "lat_mean_us": [r.get("lat_mean_us") for r in rows]}
    return out


def _bench_v1(b):
    out = {}
    for cfg, runs in (b.get("runs") or {}).items():
        out[cfg] = {"iops": [r.get("iops") for r in runs], "lat_mean_us": []}
    return out


def _fio(doc):
    out = {}
    for r in fiojson.rows(doc):
        name = "%s %s" % (r["job"], r["dir"])
        if r["host"]:
            name += " | host=%s" % r["host"]
        if name in out:
            raise InputError("two fio jobs are both named '%s'; names must be unique to compare" % name)
        out[name] = {"iops": [r["iops"]], "lat_mean_us": [r["lat_mean_us"]]}
    return out


def scenarios(path):
    """{scenario: {"iops": [...], "lat_mean_us": [...]}} from PATH."""
    if os.path.isdir(path):
        bj = os.path.join(path, "bench.json")
        if os.path.exists(bj):
            try:
                with open(bj, encoding="utf-8") as f:
                    b = json.load(f)
            except ValueError as e:
                raise InputError("%s: not JSON (%s)" % (bj, e)) from e
            if b.get("pinwb_bench_version") == 2:
                return _bench_v2(b)
            if "runs" in b and "ratio" in b:
                return _bench_v1(b)
            raise InputError("%s: neither a bench v2 nor a v1 bench.json" % bj)
        fj = os.path.join(path, "fio.json")
        if os.path.exists(fj):
            return scenarios(fj)
        raise InputError("%s: no bench.json or fio.json in this directory" % path)
    if not os.path.exists(path):
        raise InputError("%s: no such file or directory" % path)
    try:
        return _fio(fiojson.load(path))
    except fiojson.NotFio as e:
        raise InputError("%s: %s" % (path, e)) from e


def compare(old_path, new_path, threshold=0.05):
    old, new = scenarios(old_path), scenarios(new_path)
    common = [k for k in old if k in new]
    if not common:
        raise InputError("no scenario in common between %s and %s" % (old_path, new_path))
    rows = []
    for k in common:
        o = [v for v in old[k]["iops"] if v is not None]
        n = [v for v in new[k]["iops"] if v is not None]
        if not o or not n or not statistics.median(o):
            rows.append({"scenario": k, "verdict": "no-data"})
            continue
        mo, mn = statistics.median(o), statistics.median(n)
        so, sn = stats.rel_spread(o), stats.rel_spread(n)
        limit = max(threshold, so, sn)
        ratio = mn / mo
        verdict = "regression" if ratio < 1 - limit else "improvement" if ratio > 1 + limit else "same"
        rows.append({"scenario": k, "old_iops": mo, "new_iops": mn, "ratio": ratio,
                     "old_spread": so, "new_spread": sn, "limit": limit, "verdict": verdict,
                     "old_n": len(o), "new_n": len(n)})
    return {"old": old_path, "new": new_path, "threshold": threshold, "scenarios": rows,
            "only_old": [k for k in old if k not in new], "only_new": [k for k in new if k not in old],
            "regressions": [r["scenario"] for r in rows if r["verdict"] == "regression"],
            "improvements": [r["scenario"] for r in rows if r["verdict"] == "improvement"]}


def text(res):
    L = ["pinwb compare: %s -> %s (threshold %.1f%%, or the runs' own spread when larger)" % (
        res["old"], res["new"], res["threshold"] * 100)]
    w = max([len(r["scenario"]) for r in res["scenarios"]] + [8])
    L.append("%-*s %12s %12s %7s %7s  %s" % (w, "scenario", "old IOPS", "new IOPS", "ratio", "limit", "verdict"))
    for r in res["scenarios"]:
        if r["verdict"] == "no-data":
            L.append("%-*s %12s %12s %7s %7s  no data" % (w, r["scenario"], "-", "-", "-", "-"))
            continue
        L.append("%-*s %12.0f %12.0f %7.3f %6.1f%%  %s" % (
            w, r["scenario"], r["old_iops"], r["new_iops"], r["ratio"], r["limit"] * 100,
            r["verdict"].upper() if r["verdict"] == "regression" else r["verdict"]))
    for k in res["only_old"]:
        L.append("only in old: %s" % k)
    for k in res["only_new"]:
        L.append("only in new: %s" % k)
    L.append("%d scenarios, %d regressions%s, %d improvements" % (
        len(res["scenarios"]), len(res["regressions"]),
        (" (" + "; ".join(res["regressions"]) + ")") if res["regressions"] else "",
        len(res["improvements"])))
    return "\n".join(L)
