# shellcheck shell=bash
# Result files of one run: split fio's output into JSON and log, write
# meta.json, print the one-screen summary, read the verification verdict.
# Source it after common.sh. All parsing is python3 (json module).

# fio_json_split FILE: fio --output sends its log and error lines to the same
# file as the JSON. Keep the JSON document in FILE and move every other line
# to FILE's directory/fio.log. Returns 1 when FILE holds no JSON document.
fio_json_split() {
	python3 - "$1" <<'PY'
import json, os, sys
path = sys.argv[1]
log = os.path.join(os.path.dirname(path), "fio.log")
try:
    text = open(path, encoding="utf-8", errors="replace").read()
except OSError:
    text = ""
start = -1
pos = 0
for line in text.splitlines(keepends=True):
    if line.rstrip("\n") == "{":
        start = pos
        break
    pos += len(line)
doc = None
if start >= 0:
    try:
        doc, end = json.JSONDecoder().raw_decode(text, start)
    except ValueError:
        doc = None
if doc is None:
    with open(log, "a") as f:
        f.write(text)
    sys.exit(1)
rest = text[:start] + text[end:].lstrip("\n")
with open(log, "a") as f:
    f.write(rest)
with open(path, "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
PY
}

# write_meta OUT KEY=VALUE...: OUT/meta.json with the machine, kernel, the
# contract's sysctls that exist, tool versions and the given fields
# (command is passed as a JSON array in PINWB_META_ARGV).
write_meta() {
	local out=$1
	shift
	local fio_version git_commit git_dirty=false
	fio_version=$("$PINWB_FIO" --version 2>/dev/null || echo unknown)
	git_commit=$(git -C "$PINWB_TOP" rev-parse HEAD 2>/dev/null || echo unknown)
	if [ "$git_commit" != unknown ] && [ -n "$(git -C "$PINWB_TOP" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
		git_dirty=true
	fi
	python3 - "$out/meta.json" "$fio_version" "$git_commit" "$git_dirty" "${PINWB_SYSCTLS[*]}" "$@" <<'PY'
import json, os, platform, sys, time
path, fio_version, commit, dirty, sysctls = sys.argv[1:6]
fields = dict(a.split("=", 1) for a in sys.argv[6:])
def read(p):
    try:
        return open(p).read().strip()
    except OSError:
        return None
def vm(names):
    out = {}
    for n in names:
        v = read("/proc/sys/vm/" + n)
        if v is not None:
            out["vm." + n] = int(v) if v.lstrip("-").isdigit() else v
    return out
cpu = None
for line in (read("/proc/cpuinfo") or "").splitlines():
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
mem = None
for line in (read("/proc/meminfo") or "").splitlines():
    if line.startswith("MemTotal:"):
        mem = int(line.split()[1])
meta = {
    "pinwb_meta_version": 1,
    "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "command": json.loads(os.environ.get("PINWB_META_ARGV", "[]")),
    "kernel": platform.release(),
    "kernel_version": platform.version(),
    "machine": platform.machine(),
    "cpu_model": cpu,
    "cpus": os.cpu_count(),
    "mem_total_kib": mem,
    "sysctls": vm(sysctls.split()),
    "writeback_sysctls": vm(["dirty_ratio", "dirty_background_ratio",
                             "dirty_expire_centisecs", "dirty_writeback_centisecs"]),
    "fio_version": fio_version,
    "git_commit": commit,
    "git_dirty": dirty == "true",
}
meta.update(fields)
with open(path, "w") as f:
    json.dump(meta, f, indent=1)
    f.write("\n")
PY
}

# json_argv ARGS...: the arguments as a JSON array (for PINWB_META_ARGV).
json_argv() {
	python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@"
}

# verify_verdict OUT: the worst verify.result (and target_readback.result,
# when the target read-back ran) over every OUT/*.pinwb.json: mismatch,
# setup_error, unreadable (no result), skipped, intact; or none when there is
# no pinwb report at all.
verify_verdict() {
	python3 - "$1" <<'PY'
import glob, json, os, sys
results = []
for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.pinwb.json"))):
    try:
        r = json.load(open(p))
        results.append(r.get("verify", {}).get("result", "missing"))
        tr = r.get("target_readback") or {}
        if tr.get("ran"):
            results.append(tr.get("result", "missing"))
    except (OSError, ValueError):
        results.append("unreadable")
order = ["mismatch", "setup_error", "unreadable", "skipped", "intact"]
def rank(r):
    r = "unreadable" if r in ("missing", "unreadable") else r
    return order.index(r) if r in order else order.index("unreadable")
print(order[min(rank(r) for r in results)] if results else "none")
PY
}

# print_summary OUT: one screen from OUT/fio.json and OUT/*.pinwb.json, also
# saved as OUT/summary.txt.
print_summary() {
	python3 - "$1" <<'PY' | tee "$1/summary.txt"
import glob, json, os, sys
out = sys.argv[1]
def load(p):
    try:
        return json.load(open(p))
    except (OSError, ValueError):
        return None
fio = load(os.path.join(out, "fio.json")) or {}
meta = load(os.path.join(out, "meta.json")) or {}
reports = {}
for p in sorted(glob.glob(os.path.join(out, "*.pinwb.json"))):
    r = load(p)
    if r is not None:
        reports[os.path.basename(p)[:-len(".pinwb.json")]] = r
print("pinwb run: %s on %s, kernel %s, runtime %s s" % (
    meta.get("job", "?"), meta.get("fs", "?"), meta.get("kernel", "?"), meta.get("runtime_s", "?")))
sysctls = meta.get("sysctls") or {}
if sysctls:
    print("sysctls: " + " ".join("%s=%s" % kv for kv in sorted(sysctls.items())))
print("%-26s %-5s %12s %12s %6s" % ("job", "dir", "IOPS", "p99 clat us", "err"))
for j in fio.get("jobs", []):
    for d in ("read", "write"):
        s = j.get(d) or {}
        if not s.get("total_ios"):
            continue
        p99 = (s.get("clat_ns", {}).get("percentile") or {}).get("99.000000")
        print("%-26s %-5s %12.0f %12s %6s" % (j.get("jobname", "?")[:26], d, s.get("iops", 0),
              "%.1f" % (p99 / 1000.0) if p99 is not None else "-", j.get("error", 0)))
if not reports:
    print("pinwb report: none written (engine not loaded, or the job failed before it started)")
for name, r in reports.items():
    io = r.get("io", {})
    buf = r.get("buffer", {})
    print("[%s] seed %s, buffer %s %s, slots %s x %s, io %s%s%s" % (
        name, r.get("seed", "?"), buf.get("kind", "?"), buf.get("file") or "", buf.get("slots", "?"),
        buf.get("slot_size", "?"), io.get("path", "?"),
        " fixedbufs" if io.get("fixedbufs") else "",
        " (fallback: no fixed buffers)" if io.get("fixedbufs_fallback_used") else ""))
    wb = r.get("writeback", {})
    counts = wb.get("counts") or {}
    print("  writeback driver: " + (" ".join("%s=%s" % kv for kv in counts.items() if kv[1]) or "idle")
          + "  (modes %s)" % ",".join(wb.get("modes") or []))
    # one line per mode that ran (a mode may repeat in the cycle): what its
    # actions caused; a mode that moved nothing shows 0 pages
    towb = wb.get("pages_to_writeback")
    dirtied = wb.get("pages_dirtied") or {}
    for mode in dict.fromkeys(wb.get("modes") or []):
        if towb is None:
            print("    %-10s %8s actions, pages not measured" % (mode, counts.get(mode, 0)))
        else:
            print("    %-10s %8s actions, %8s pages to writeback, %8s pages dirtied" % (
                mode, counts.get(mode, 0), towb.get(mode, 0), dirtied.get(mode, 0)))
    if wb.get("modes") and towb is None and wb.get("pages_note"):
        print("    (" + wb["pages_note"] + ")")
    elif wb.get("modes") and towb is not None:
        print("    (pages: cachestat(2) of the buffer file around each action, %.1f ms spent measuring)" % (
            wb.get("pages_measure_us", 0) / 1000.0))
    v = r.get("verify", {})
    line = "  verify: %s" % v.get("result", "?").upper()
    if v.get("ran"):
        line += " (%s slots checked, %s mismatches)" % (v.get("slots_checked", "?"), v.get("mismatches", "?"))
    if v.get("error"):
        line += ": " + v["error"]
    print(line)
    for m in (v.get("first_mismatches") or [])[:5]:
        print("    " + (m.get("message") or "slot %s at 0x%x: expected %s found %s" % (
            m.get("slot"), m.get("buffer_offset", 0), json.dumps(m.get("expected")), json.dumps(m.get("found")))))
    tr = r.get("target_readback") or {}
    if tr.get("ran"):
        line = "  target read-back: %s (%s written blocks read back, %s mismatches)" % (
            tr.get("result", "?").upper(), tr.get("blocks_checked", "?"), tr.get("mismatches", "?"))
        if tr.get("error"):
            line += ": " + tr["error"]
        print(line)
        for m in (tr.get("first_mismatches") or [])[:5]:
            print("    " + (m.get("message") or json.dumps(m)))
    cov = r.get("coverage")
    if cov:
        print("  checked: %s final-state slots, %s of %s reads at completion (pinwb_check_reads=%d), %s target blocks read back" % (
            cov.get("final_state_slots_checked", "?"), cov.get("reads_checked_at_completion", "?"),
            io.get("reads", "?"), 1 if cov.get("check_reads") else 0, cov.get("target_blocks_read_back", "?")))
        for g in cov.get("not_checked") or []:
            print("  not checked: " + g)
    if wb.get("errors") or wb.get("note"):
        print("  writeback driver errors %s %s" % (wb.get("errors", 0), wb.get("note", "")))
    delta = r.get("vmstat_delta") or {}
    nz = ["%s=%s" % kv for kv in sorted(delta.items()) if kv[1]]
    print("  vmstat deltas: " + (" ".join(nz) if nz else "all zero"))
print("results: " + out)
PY
}
