"""A small synthetic result set for the pinwbbench tests: a real matrix and
run plan, with fio JSON documents written from given IOPS instead of runs.
Run as a script (python3 tests/py/fixture.py DIR [MATRIX]) it writes one
to DIR for the shell tests."""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "scripts", "lib"))

from pinwbbench import matrix, runplan  # noqa: E402

MATRIX = """# fixture: two cells (wb none/default), policy 0 against 1
compare = sysctl vm.gup_writeback_policy
sysctl vm.gup_writeback_policy = 0, 1
engine = pinwb
wb = none, default
reps = 5
runtime = 2
"""


def fio_doc(jobs, host_list=None):
    """A fio JSON document; JOBS is [(name, iops, lat_us)]. With host_list
    the jobs go under client_stats, one per host."""
    def job(name, iops, lat_us, host=None):
        ios = int(iops * 2)
        pct = {"50.000000": lat_us * 800, "99.000000": lat_us * 3000, "99.900000": lat_us * 6000}
        d = {"jobname": name, "error": 0, "job_runtime": 2000, "usr_cpu": 10.0, "sys_cpu": 80.0,
             "read": {"iops": iops, "bw": iops * 4, "total_ios": ios, "runtime": 2000,
                      "lat_ns": {"mean": lat_us * 1000, "percentile": pct},
                      "clat_ns": {"mean": lat_us * 900, "percentile": pct},
                      "slat_ns": {"mean": lat_us * 100}},
             "write": {"iops": 0, "total_ios": 0}}
        if host:
            d["hostname"] = host
        return d
    if host_list:
        # As bench plans them: job names carry the host's index; fio's
        # hostname is the address alone (two servers may share it).
        return {"fio version": "fio-3.33", "client_stats": [
            job("%s@host%d" % (n, k), i, l, h.split(",")[0])
            for k, h in enumerate(host_list) for n, i, l in jobs]}
    return {"fio version": "fio-3.33", "jobs": [job(*j) for j in jobs]}


def iops_default(run):
    # Side 1 about 2 % below side 0, a little spread between repetitions.
    base = 100000.0 * (0.98 if run["side"] == "1" else 1.0)
    return base * (1 + 0.004 * (run["rep"] % 3))


def make(out, text=MATRIX, iops=iops_default, hosts=None, gup=True):
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "matrix.txt")
    with open(path, "w") as f:
        f.write(text)
    m = matrix.parse(text, path)
    plan = runplan.write(m, out, fs_dir=os.path.join(out, "fs"), engine_so="/nonexistent/pinwb.so",
                         workloads=os.path.join(TOP, "workloads"), hosts=hosts)
    for run in plan["warmups"] + plan["runs"]:
        rd = os.path.join(out, run["dir"])
        v = iops(run)
        with open(os.path.join(rd, "fio.json"), "w") as f:
            json.dump(fio_doc([("bench-pinwb", v, 320.0)], hosts), f)
        for rep in run["reports"]:
            r = {"verify": {"result": "intact", "mismatches": 0}, "io": {},
                 "vmstat_delta": {"gup_fixture_detected": 1 if run["side"] == "0" else 0} if gup else {}}
            with open(os.path.join(out, rep), "w") as f:
                json.dump(r, f)
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"kernel": "6.12.117-fixture", "cpu_model": "Fixture CPU", "cpus": 2,
                   "virt": "tcg", "fs": "ext4", "series": True, "command": ["fixture"]}, f)
    return plan


GUEST_PATHS = {"out": "/results/bench-matrix", "dir": "/mnt/ext4/bench-matrix.1",
               "engine": "/opt/pinwb/engines/pinwb.so"}


def make_vm_run(vm, matrix_path, iops=iops_default):
    """VM as the in-VM test bench-matrix leaves it on the plan of
    MATRIX_PATH: results/bench-matrix/{result.json, plan/, guest.env,
    runs/NAME/{job.fio, fio.json, bench.pinwb.json}}, and meta.json."""
    import shutil
    from pinwbbench import guestplan  # noqa: E402
    src = os.path.join(vm, "results", "bench-matrix")
    plan_dir = os.path.join(src, "plan")
    plan = guestplan.write(matrix.load(matrix_path), plan_dir, os.path.join(TOP, "workloads"))
    with open(os.path.join(src, "guest.env"), "w") as f:
        f.write("".join("%s=%s\n" % kv for kv in sorted(GUEST_PATHS.items())))
    for run in plan["warmups"] + plan["runs"]:
        rd = os.path.join(src, run["dir"])
        os.makedirs(rd)
        with open(os.path.join(plan_dir, run["dir"], "job.fio")) as f:
            job = guestplan.fill(f.read(), GUEST_PATHS)
        with open(os.path.join(rd, "job.fio"), "w") as f:
            f.write(job)
        with open(os.path.join(rd, "fio.json"), "w") as f:
            json.dump(fio_doc([("bench-pinwb", iops(run), 320.0)]), f)
        with open(os.path.join(rd, "bench.pinwb.json"), "w") as f:
            json.dump({"verify": {"result": "intact", "mismatches": 0}, "io": {}}, f)
    # the guest keeps the plan's files, not its run directories
    shutil.rmtree(os.path.join(plan_dir, "runs"))
    with open(os.path.join(src, "result.json"), "w") as f:
        json.dump({"name": "bench-matrix", "result": "PASS"}, f)
    with open(os.path.join(vm, "meta.json"), "w") as f:
        json.dump({"kernel": {"uname_r": "6.12.117", "uname_v": "#2"},
                   "sysctls": {"vm.gup_writeback_policy": 0}, "qemu": {"accel": "tcg"}}, f)
    return plan


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: fixture.py DIR [MATRIX_FILE]")
    text = MATRIX
    if len(sys.argv) == 3:
        with open(sys.argv[2]) as f:
            text = f.read()
    make(sys.argv[1], text)
