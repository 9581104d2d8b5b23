"""python3 -m pinwbbench COMMAND ... (PYTHONPATH=scripts/lib); used by
scripts/bench.sh and scripts/compare.sh. Exit: 0 ok, 1 regression (compare),
2 bad input (a message naming the file, line or option)."""

import argparse
import json
import os
import sys

from . import compare, files, guestplan, matrix, meta, plots, runplan, summary, vmimport


class Usage(Exception):
    pass


def _parser():
    p = argparse.ArgumentParser(prog="pinwbbench")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check", help="parse a matrix file")
    c.add_argument("matrix")
    c = sub.add_parser("sysctls", help="the sysctls a matrix sets, one a line")
    c.add_argument("matrix")
    c = sub.add_parser("plan", help="write the run plan; print it as TSV")
    c.add_argument("matrix")
    c.add_argument("out")
    c.add_argument("--fs-dir", required=True)
    c.add_argument("--engine", required=True)
    c.add_argument("--workloads", required=True)
    c.add_argument("--reps", type=int)
    c.add_argument("--runtime", type=int)
    c.add_argument("--size")
    c.add_argument("--hosts", help="fio client addresses: a file or a comma list")
    c = sub.add_parser("meta", help="write OUT/meta.json")
    c.add_argument("out")
    c.add_argument("--top", required=True)
    c.add_argument("--fio", required=True)
    c.add_argument("--argv", required=True, help="the command, a JSON array")
    c.add_argument("--matrix")
    c.add_argument("--field", action="append", default=[], help="KEY=VALUE, repeatable")
    c = sub.add_parser("guest-plan", help="the run plan of a matrix for the VM guest, in OUT")
    c.add_argument("matrix")
    c.add_argument("out", nargs="?")
    c.add_argument("--check", action="store_true", help="only refuse what the guest cannot run")
    c.add_argument("--workloads")
    c.add_argument("--kernel-config", help="the guest kernel's .config (refuses what it lacks)")
    c.add_argument("--no-engine", action="store_true", help="the initramfs goes without pinwb.so")
    c = sub.add_parser("import-vm", help="a set from a VM run of tests/vm/suite/bench-matrix.sh")
    c.add_argument("vm_run")
    c.add_argument("out")
    c.add_argument("--top", required=True)
    c.add_argument("--fio", required=True)
    c.add_argument("--argv", required=True, help="the command, a JSON array")
    c.add_argument("--release-from", action="append", default=[],
                   help="another VM run of the same kernel whose release-cost rows join the set")
    c.add_argument("--matrix", help="the matrix the guest must have run (default: the one it was given)")
    c = sub.add_parser("report", help="bench.json, summary.md and plots of a set")
    c.add_argument("out")
    c.add_argument("--no-plots", action="store_true")
    c.add_argument("--load-after", action="store_true",
                   help="record this machine's load average now in meta.json (load_after)")
    c = sub.add_parser("plot", help="plots of a set (data, .gp, PNG, SVG)")
    c.add_argument("out")
    c.add_argument("--release-tsv")
    c.add_argument("--no-gnuplot", action="store_true")
    c = sub.add_parser("compare", help="OLD against NEW")
    c.add_argument("old")
    c.add_argument("new")
    c.add_argument("--threshold", default="5")
    c.add_argument("--json", action="store_true")
    return p



def _plots(out, bench, release_tsv=None, run_gnuplot=True):
    m = files.load_json(os.path.join(out, "meta.json"))
    tsv = release_tsv or os.path.join(out, "release.tsv")
    rows = plots.read_release_tsv(tsv) if os.path.exists(tsv) else None
    return plots.write(plots.build(bench, meta.subtitle(m), rows), os.path.join(out, "plots"), run_gnuplot)


def run(argv):
    a = _parser().parse_args(argv)
    if a.cmd == "check":
        m = matrix.load(a.matrix)
        print("%s: %d cells x 2 sides x %d reps" % (a.matrix, len(m.cells()), m.reps))
    elif a.cmd == "sysctls":
        m = matrix.load(a.matrix)
        for k in m.axis_keys():
            if k.startswith("sysctl "):
                print(k[len("sysctl "):])
    elif a.cmd == "plan":
        m = matrix.load(a.matrix)
        if a.reps is not None and a.reps < 1:
            raise Usage("--reps must be at least 1")
        hosts = runplan.hosts_from(a.hosts) if a.hosts else None
        if a.hosts and not hosts:
            raise Usage("--client '%s' names no host" % a.hosts)
        p = runplan.write(m, a.out, fs_dir=a.fs_dir, engine_so=a.engine, workloads=a.workloads,
                          reps=a.reps, runtime=a.runtime, size=a.size, hosts=hosts)
        print(runplan.tsv(p))
    elif a.cmd == "meta":
        fields = {}
        for f in a.field:
            if "=" not in f:
                raise Usage("meta: field '%s' is not KEY=VALUE" % f)
            k, v = f.split("=", 1)
            fields[k] = v
        extra = []
        if a.matrix:
            extra = [k[len("sysctl vm."):] for k in matrix.load(a.matrix).axis_keys() if k.startswith("sysctl ")]
        meta.write(os.path.join(a.out, "meta.json"),
                   meta.collect(a.top, a.fio, json.loads(a.argv), fields, extra))
    elif a.cmd == "guest-plan":
        m = matrix.load(a.matrix)
        kcfg = guestplan.kernel_config(a.kernel_config) if a.kernel_config else None
        guestplan.refuse(m, kcfg, have_engine=not a.no_engine)
        if a.check:
            return 0
        if not a.out or not a.workloads:
            raise Usage("guest-plan: OUT and --workloads are needed (or --check)")
        if os.path.exists(a.out) and os.listdir(a.out):
            raise Usage("guest-plan: %s is not empty" % a.out)
        p = guestplan.write(m, a.out, a.workloads)
        print("%s: %d cells, %d runs (+%d warm-up) of %d s" % (
            a.matrix, p["ncells"], len(p["runs"]), len(p["warmups"]), p["runtime_s"]))
    elif a.cmd == "import-vm":
        m = matrix.load(a.matrix) if a.matrix else None
        vmimport.same_kernel(a.vm_run, a.release_from)
        plan = vmimport.import_run(m, a.vm_run, a.out, os.path.join(a.top, "workloads"))
        n = vmimport.collect_release(a.vm_run, a.out, a.release_from)
        if n:
            print("%d release-cost rows from %s" % (n, ", ".join([a.vm_run] + a.release_from)))
        fields = {"matrix": a.matrix or plan["matrix"]["file"]}
        if a.release_from:
            fields["release_vm_runs"] = [os.path.abspath(r) for r in a.release_from]
        meta.write(os.path.join(a.out, "meta.json"), vmimport.vm_meta(
            a.vm_run, a.top, a.fio, json.loads(a.argv), fields))
    elif a.cmd == "report":
        if a.load_after:
            mp = os.path.join(a.out, "meta.json")
            mj = files.load_json(mp)
            if mj is not None:
                mj["load_after"] = meta.load_average()
                meta.write(mp, mj)
        bench = summary.summarise(a.out)
        drawn = [] if a.no_plots else _plots(a.out, bench)
        m = files.load_json(os.path.join(a.out, "meta.json"))
        with open(os.path.join(a.out, "summary.md"), "w", encoding="utf-8") as f:
            f.write(summary.markdown(bench, m, drawn))
        lines = summary.text_lines(bench, (m or {}).get("cpus"))
        with open(os.path.join(a.out, "summary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        print("\n".join(lines))
    elif a.cmd == "plot":
        bench = files.load_json(os.path.join(a.out, "bench.json"))
        if not bench or bench.get("pinwb_bench_version") != 2:
            raise Usage("plot: %s has no bench v2 bench.json" % a.out)
        for p in _plots(a.out, bench, a.release_tsv, not a.no_gnuplot):
            print("plots/%s.png plots/%s.svg  %s" % (p["name"], p["name"], p["title"]))
    elif a.cmd == "compare":
        try:
            t = float(a.threshold.rstrip("%")) / 100.0
        except ValueError:
            t = -1
        if not 0 <= t < 1:
            raise Usage("--threshold '%s' is not a percentage 0..99 (e.g. 5)" % a.threshold)
        res = compare.compare(a.old, a.new, t)
        print(json.dumps(res, indent=1) if a.json else compare.text(res))
        return 1 if res["regressions"] else 0
    return 0


def main(argv=None):
    prog = os.environ.get("PINWB_PROG", "pinwb")
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except (Usage, ValueError, RuntimeError) as e:
        # Every input error here is a ValueError (MatrixError, InputError,
        # NotFio, TemplateError, ReleaseTsvError); RuntimeError is gnuplot.
        print("%s: %s" % (prog, e), file=sys.stderr)
        return 2
