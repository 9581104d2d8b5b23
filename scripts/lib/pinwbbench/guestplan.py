"""A matrix's run plan for the VM guest, whose busybox shell has no Python:
the host plans the runs exactly as for a host bench (runplan) and writes
them in a form tests/vm/suite/bench-matrix.sh executes without parsing
JSON:

  plan.tsv     one line per run, the columns of runplan.tsv()
  plan.env     shell assignments: what the whole plan needs (fs, sysctls,
               engines, counts, a lower bound of its duration)
  plan.json    the plan as the host's bench writes it (for the import)
  matrix.txt   the matrix file
  runs/NAME/job.fio  each run's fio job, with the guest's paths as tokens

The tokens are filled in by the guest (sed), so the plan does not fix
where the guest keeps its results: @OUT@ the test's result directory,
@DIR@ its scratch directory on the test file system, @ENGINE@ pinwb.so.
"""

import os

from . import matrix, runplan

TOKENS = {"out": "@OUT@", "dir": "@DIR@", "engine": "@ENGINE@"}
# The guest runs every bench on its ext4 test disk (scripts/vm/disks.sh).
GUEST_FS = "ext4"
# What fio's side needs of the kernel, per template (jobfile.template_for).
URING_IO = ("uring", "uring-fixed")


def kernel_config(path):
    """{CONFIG_X: value} of a kernel .config ('n' for 'is not set')."""
    cfg = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("# CONFIG_") and line.endswith(" is not set"):
                cfg[line[2:-len(" is not set")]] = "n"
            elif line.startswith("CONFIG_") and "=" in line:
                k, _, v = line.partition("=")
                cfg[k] = v
    return cfg


def refuse(m, kconfig=None, have_engine=True):
    """MatrixError naming the line of the first axis value the guest cannot
    run: hugetlb buffers (the guest reserves no hugetlb pages), io_uring on
    a kernel configured without it, the pinwb engine when the initramfs
    goes without it."""
    def line(key):
        return m.lines.get(key, 0)
    for cell in m.cells():
        for side in m.sides():
            a = matrix.run_axes(m, cell, side)
            if a["buffer"] == "hugetlb":
                raise matrix.MatrixError(
                    "%s:%d: buffer: hugetlb cannot run in the VM guest (its bench runner reserves "
                    "no hugetlb pages); accepted there: file, shmem, anon" % (m.path, line("buffer")))
            if kconfig is not None and kconfig.get("CONFIG_IO_URING") != "y" and (
                    a["io"] in URING_IO or (a["engine"] == "fio" and a["io"] != "sync")):
                key = "io" if "io" in m.lines else "engine"
                raise matrix.MatrixError(
                    "%s:%d: io: '%s' needs io_uring, and the guest kernel is built without "
                    "CONFIG_IO_URING; accepted there: sync" % (m.path, line(key), a["io"]))
            if not have_engine and a["engine"] == "pinwb":
                raise matrix.MatrixError(
                    "%s:%d: engine: pinwb is not in this guest's initramfs (built with "
                    "--allow-missing); accepted there: fio" % (m.path, line("engine")))


def _env(plan, m):
    sysctls = sorted({k for r in plan["runs"] for k in r["sysctls"]})
    engines = sorted({r["axes"]["engine"] for r in plan["warmups"] + plan["runs"]})
    runs = plan["warmups"] + plan["runs"]
    # fio's own time only: the guest's overheads (start-up, verification)
    # come on top of it.
    least = sum(1 if r.get("warmup") else plan["runtime_s"] for r in runs)
    return [
        "PLAN_MATRIX=%s" % os.path.basename(m.path),
        "PLAN_FS=%s" % GUEST_FS,
        "PLAN_SYSCTLS='%s'" % " ".join(sysctls),
        "PLAN_ENGINES='%s'" % " ".join(engines),
        "PLAN_CELLS=%d" % plan["ncells"],
        "PLAN_RUNS=%d" % len(plan["runs"]),
        "PLAN_WARMUPS=%d" % len(plan["warmups"]),
        "PLAN_RUNTIME=%d" % plan["runtime_s"],
        "PLAN_LEAST_SECONDS=%d" % least,
    ]


def write(m, out, workloads, reps=None, runtime=None, size=None):
    """The guest's plan of matrix M in OUT (see the module's text); returns
    the plan."""
    plan = runplan.write(m, out, fs_dir=TOKENS["dir"], engine_so=TOKENS["engine"],
                         workloads=workloads, reps=reps, runtime=runtime, size=size,
                         job_root=TOKENS["out"])
    for r in plan["warmups"] + plan["runs"]:
        # the guest builds fio's arguments itself, with its own paths
        os.unlink(os.path.join(out, r["dir"], "fio.args"))
    with open(os.path.join(out, "plan.tsv"), "w", encoding="utf-8") as f:
        f.write(runplan.tsv(plan) + "\n")
    with open(os.path.join(out, "plan.env"), "w", encoding="utf-8") as f:
        f.write("\n".join(_env(plan, m)) + "\n")
    with open(m.path, encoding="utf-8") as src, \
            open(os.path.join(out, "matrix.txt"), "w", encoding="utf-8") as f:
        f.write(src.read())
    return plan


def fill(text, paths):
    """TEXT with the tokens replaced by the guest's PATHS {out, dir, engine}."""
    for k, tok in TOKENS.items():
        text = text.replace(tok, paths[k])
    return text
