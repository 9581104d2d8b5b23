"""fio JSON output -> flat result rows, one per job and data direction.

fio's JSON has no host field; in client/server mode (fio --client) the
per-host stats are under "client_stats" with a "hostname" key, and runs
driven one host at a time get their host from the caller.
"""

import json

PCTS = {"p50": "50.000000", "p99": "99.000000", "p99.9": "99.900000"}


class NotFio(ValueError):
    """The document is not fio JSON output."""


def load(path):
    """The JSON document in PATH (fio may put log lines before it)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    # fio may put log lines first: the document starts at a line that is
    # exactly "{" (fio's layout), else at the first "{".
    if text.startswith("{"):
        start = 0
    elif "\n{\n" in text:
        start = text.index("\n{\n") + 1
    else:
        start = text.find("{")
    if start < 0:
        raise NotFio("%s: no JSON document" % path)
    try:
        doc, _ = json.JSONDecoder().raw_decode(text, start)
    except ValueError as e:
        raise NotFio("%s: not JSON (%s)" % (path, e)) from e
    return doc


def _us(ns):
    return ns / 1000.0 if ns is not None else None


def _pcts(lat):
    p = (lat or {}).get("percentile") or {}
    return {k: _us(p.get(v)) for k, v in PCTS.items()}


def job_list(doc):
    """[(host or None, job dict)] from a fio document; NotFio otherwise."""
    if not isinstance(doc, dict):
        raise NotFio("not a JSON object")
    if "client_stats" in doc:
        return [(j.get("hostname"), j) for j in doc["client_stats"]
                if j.get("jobname") != "All clients"]
    if "jobs" in doc and "fio version" in doc:
        return [(None, j) for j in doc["jobs"]]
    raise NotFio("no 'jobs' or 'client_stats' (not fio --output-format=json output)")


def rows(doc, host=None):
    """One row per (job, direction with I/O). CPU per I/O is usr_cpu and
    sys_cpu (percent of the job's run time) times job_runtime over the job's
    I/Os in every direction."""
    out = []
    for h, j in job_list(doc):
        dirs = [d for d in ("read", "write", "trim") if (j.get(d) or {}).get("total_ios")]
        ios_all = sum(j[d]["total_ios"] for d in dirs)
        runtime_ms = j.get("job_runtime") or max([j[d].get("runtime", 0) for d in dirs] or [0])
        def per_io(pct):
            if pct is None or not ios_all or not runtime_ms:
                return None
            return pct / 100.0 * runtime_ms * 1000.0 / ios_all
        for d in dirs:
            s = j[d]
            lat = s.get("lat_ns") or {}
            clat = s.get("clat_ns") or {}
            row = {
                "job": j.get("jobname"),
                "dir": d,
                "host": h or host,
                "iops": s.get("iops"),
                "bw_kib_s": s.get("bw"),
                "total_ios": s.get("total_ios"),
                "runtime_ms": runtime_ms,
                "lat_mean_us": _us(lat.get("mean")),
                "clat_mean_us": _us(clat.get("mean")),
                "slat_mean_us": _us((s.get("slat_ns") or {}).get("mean")),
                "usr_cpu_pct": j.get("usr_cpu"),
                "sys_cpu_pct": j.get("sys_cpu"),
                "usr_us_per_io": per_io(j.get("usr_cpu")),
                "sys_us_per_io": per_io(j.get("sys_cpu")),
                "error": j.get("error", 0),
            }
            for k, v in _pcts(lat).items():
                row["lat_" + k + "_us"] = v
            for k, v in _pcts(clat).items():
                row["clat_" + k + "_us"] = v
            out.append(row)
    return out


def rows_from_file(path, host=None):
    return rows(load(path), host)
