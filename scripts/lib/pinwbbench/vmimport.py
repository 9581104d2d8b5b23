"""A result set from a VM run: `pinwb vm ... --tests bench-matrix` leaves
in RUN/results/bench-matrix/ the plan the guest was given (plan/, written on
the host by guestplan), the paths it filled into the plan's tokens
(guest.env) and runs/<name>/, laid out as pinwb bench lays out a run. The
matrix is planned here again, as the host bench plans it: the guest's plan
must be that plan, every planned run must be there (a missing one names
itself), and each run's job file must be the planned one with the guest's
paths filled in. meta.json comes from the VM run's meta.json (guest kernel,
sysctls, accelerator) and this checkout."""

import csv
import glob
import os
import shutil

from . import files, guestplan, matrix
from . import meta as meta_mod
from . import plots, runplan

TEST = "bench-matrix"
FILES = ["fio.json", "bench.pinwb.json", "job.fio", "fio.log", "loadavg"]


class VmImportError(ValueError):
    """A VM run that does not hold the planned runs."""


def _guest_paths(path):
    """{out, dir, engine} from the guest's guest.env (KEY=VALUE lines)."""
    paths = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                k, sep, v = line.rstrip("\n").partition("=")
                if sep:
                    paths[k] = v
    except OSError:
        pass
    return paths


def _same_matrix(a, b):
    ja, jb = a.to_json(), b.to_json()
    ja.pop("file")
    jb.pop("file")
    return ja == jb


def _read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def guest_matrix(vm_run):
    """The matrix the guest was given (its plan's matrix.txt), named by the
    file the host planned it from."""
    p = os.path.join(vm_run, "results", TEST, "plan", "matrix.txt")
    if not os.path.exists(p):
        raise VmImportError("%s: no results/%s/plan/matrix.txt: not a run of the plan-driven "
                            "bench-matrix test (run: pinwb vm --suite full --tests %s "
                            "[--bench-matrix FILE])" % (vm_run, TEST, TEST))
    gplan = files.load_json(os.path.join(os.path.dirname(p), "plan.json")) or {}
    return matrix.parse(_read(p), (gplan.get("matrix") or {}).get("file") or p)


def import_run(m, vm_run, out, workloads):
    """Check the VM run against matrix M (None: the matrix the guest was
    given) and copy its runs into the set OUT; returns the plan."""
    src = os.path.join(vm_run, "results", TEST)
    if not os.path.isdir(src):
        raise VmImportError("%s: no results/%s (run: pinwb vm --suite full --tests %s)" % (vm_run, TEST, TEST))
    res = files.load_json(os.path.join(src, "result.json")) or {}
    if res and res.get("result") != "PASS":
        raise VmImportError("%s: the in-VM test %s did not pass (%s: %s)" % (
            vm_run, TEST, res.get("result"), res.get("note")))
    given = guest_matrix(vm_run)
    if m is None:
        m = given
    elif not _same_matrix(m, given):
        raise VmImportError("%s: the guest ran the matrix of %s (%s), not %s" % (
            vm_run, os.path.join(src, "plan", "matrix.txt"), given.path, m.path))
    gplan = files.load_json(os.path.join(src, "plan", "plan.json"))
    paths = _guest_paths(os.path.join(src, "guest.env"))
    if not gplan or sorted(paths) != sorted(guestplan.TOKENS):
        raise VmImportError("%s: results/%s has no readable plan/plan.json or guest.env "
                            "(out=, dir=, engine=)" % (vm_run, TEST))
    plan = runplan.write(m, out, fs_dir=guestplan.TOKENS["dir"], engine_so=guestplan.TOKENS["engine"],
                         workloads=workloads, reps=gplan.get("reps"), runtime=gplan.get("runtime_s"),
                         size=gplan.get("size"), job_root=guestplan.TOKENS["out"])
    def key(p):
        return [(r["dir"], r["axes"]) for r in p["warmups"] + p["runs"]]
    if key(plan) != key(gplan):
        raise VmImportError("%s: the guest's plan (results/%s/plan/plan.json) is not the plan of %s" % (
            vm_run, TEST, m.path))
    for run in plan["warmups"] + plan["runs"]:
        name = os.path.basename(run["dir"])
        sd = os.path.join(src, "runs", name)
        dd = os.path.join(out, run["dir"])
        if not os.path.exists(os.path.join(sd, "fio.json")):
            raise VmImportError("%s: run %s of the plan is missing (results/%s/runs/%s/fio.json)" % (
                vm_run, name, TEST, name))
        want = guestplan.fill(_read(os.path.join(dd, "job.fio")), paths)
        got = _read(os.path.join(sd, "job.fio")) if os.path.exists(os.path.join(sd, "job.fio")) else None
        if got != want:
            raise VmImportError("%s: run %s: the guest's job.fio is not the planned job of its cell" % (
                vm_run, name))
        for f in FILES:
            if os.path.exists(os.path.join(sd, f)):
                shutil.copyfile(os.path.join(sd, f), os.path.join(dd, f))
        # What ran is the guest's job file; the plan's own arguments go.
        p = os.path.join(dd, "fio.args")
        if os.path.exists(p):
            os.unlink(p)
    with open(os.path.join(out, "matrix.txt"), "w", encoding="utf-8") as f:
        f.write(_read(os.path.join(src, "plan", "matrix.txt")))
    return plan


def same_kernel(vm_run, others):
    """Every VM run in OTHERS booted the kernel VM_RUN booted (the bzImage's
    sha256 in each run's meta.json), or VmImportError naming the one that
    did not: a set holds one kernel's figures."""
    def sha(run):
        return ((files.load_json(os.path.join(run, "meta.json")) or {}).get("kernel") or {}).get("sha256")
    want = sha(vm_run)
    for o in others:
        if not os.path.isdir(o):
            raise VmImportError("%s: not a VM run directory" % o)
        if sha(o) != want:
            raise VmImportError("%s booted another kernel than %s (bzImage sha256 %s, not %s): "
                                "a set holds one kernel's figures" % (o, vm_run, sha(o), want))


# The in-VM test gup-release-sweep writes release-sweep.tsv with the
# columns kind, batch, method, pages, runs, ns_per_page (the median),
# ns_per_page_min, ns_per_page_max.
SWEEP_COLUMNS = ["kind", "batch", "method", "ns_per_page"]


def _sweep_rows(path):
    """The (page_kind, batch, method, ns_per_page) rows of a release-sweep.tsv."""
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.DictReader(f, delimiter="\t")
        out = []
        for n, row in enumerate(r, 2):
            try:
                out.append((row["kind"], int(row["batch"]), row["method"], float(row["ns_per_page"])))
            except (TypeError, ValueError) as e:
                raise VmImportError("%s:%d: %s" % (path, n, e)) from e
    return out


def collect_release(vm_run, out, others=()):
    """Copy the release-cost rows of the VM run and of OTHERS, VM runs of
    the same kernel, into OUT/release.tsv, for the ns/page plot: any
    results/*/*.tsv whose header is page_kind, batch, method, ns_per_page,
    and the medians of gup-release-sweep's release-sweep.tsv (header kind,
    batch, method, ..., ns_per_page, ...). Returns the number of rows."""
    rows = []
    paths = []
    for run in [vm_run] + list(others):
        paths += sorted(glob.glob(os.path.join(run, "results", "*", "*.tsv")))
    for p in paths:
        with open(p, encoding="utf-8") as f:
            head = f.readline().rstrip("\n").split("\t")
        if sorted(head) == sorted(plots.RELEASE_COLUMNS):
            rows += plots.read_release_tsv(p)
        elif all(c in head for c in SWEEP_COLUMNS):
            rows += _sweep_rows(p)
    if rows:
        with open(os.path.join(out, "release.tsv"), "w", encoding="utf-8") as f:
            f.write("\t".join(plots.RELEASE_COLUMNS) + "\n")
            for kind, batch, method, ns in rows:
                f.write("%s\t%d\t%s\t%s\n" % (kind, batch, method, ns))
    return len(rows)


def vm_meta(vm_run, top, fio, command, fields):
    vm = files.load_json(os.path.join(vm_run, "meta.json")) or {}
    k = vm.get("kernel") or {}
    q = vm.get("qemu") or {}
    m = meta_mod.collect(top, fio, command, fields)
    host_cpu = m.get("cpu_model")
    m.update({
        "kernel": k.get("uname_r"),
        "kernel_version": k.get("uname_v"),
        "kernel_config": k.get("config"),
        "bzimage_sha256": k.get("sha256"),
        "series": bool(vm.get("sysctls")),
        "sysctls": vm.get("sysctls") or {},
        "writeback_sysctls": None,
        "virt": q.get("accel"),
        "qemu": q.get("version"),
        "cpu_model": "QEMU guest on %s" % host_cpu,
        "host_kernel": vm.get("host_kernel"),
        "vm_run": os.path.abspath(vm_run),
        "vm_git": vm.get("git"),
        "fs": "ext4",
        # the host's load now, at import, says nothing of the runs
        "load_before": None,
    })
    return m
