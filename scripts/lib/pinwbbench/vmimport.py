"""A result set from a VM run: `pinwb vm ... --tests bench-matrix` leaves
runs/<name>/ in RUN/results/bench-matrix/, laid out as pinwb bench lays out
a run. The matrix the guest followed is planned here again; every planned
run must be there (a missing one names itself), and each run's guest job
file must say the same writeback setting as its cell. meta.json comes from
the VM run's meta.json (guest kernel, sysctls, accelerator) and this
checkout."""

import csv
import glob
import os
import shutil

from . import files
from . import meta as meta_mod
from . import plots, runplan

TEST = "bench-matrix"
FILES = ["fio.json", "bench.pinwb.json", "job.fio", "fio.log"]


class VmImportError(ValueError):
    """A VM run that does not hold the planned runs."""



def import_run(m, vm_run, out, workloads):
    src = os.path.join(vm_run, "results", TEST)
    if not os.path.isdir(src):
        raise VmImportError("%s: no results/%s (run: pinwb vm --suite full --tests %s)" % (vm_run, TEST, TEST))
    res = files.load_json(os.path.join(src, "result.json")) or {}
    if res and res.get("result") != "PASS":
        raise VmImportError("%s: the in-VM test %s did not pass (%s: %s)" % (
            vm_run, TEST, res.get("result"), res.get("note")))
    plan = runplan.write(m, out, fs_dir="/guest", engine_so="/opt/pinwb/engines/pinwb.so",
                         workloads=workloads)
    for run in plan["warmups"] + plan["runs"]:
        name = os.path.basename(run["dir"])
        sd = os.path.join(src, "runs", name)
        if not os.path.exists(os.path.join(sd, "fio.json")):
            raise VmImportError("%s: run %s of the plan is missing (the guest test and %s differ?)" % (
                vm_run, name, m.path))
        with open(os.path.join(sd, "job.fio"), encoding="utf-8") as f:
            job = f.read()
        want_none = run["axes"]["wb"] == "none"
        if ("pinwb_wb_modes=none" in job) != want_none:
            raise VmImportError("%s: run %s: the guest's job.fio does not match wb=%s of its cell" % (
                vm_run, name, run["axes"]["wb"]))
        dd = os.path.join(out, run["dir"])
        for f in FILES:
            if os.path.exists(os.path.join(sd, f)):
                shutil.copyfile(os.path.join(sd, f), os.path.join(dd, f))
        # What ran is the guest's job file; the plan's own rendering goes.
        for f in ("fio.args",):
            p = os.path.join(dd, f)
            if os.path.exists(p):
                os.unlink(p)
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
