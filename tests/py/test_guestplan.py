import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402
from pinwbbench import guestplan, matrix, runplan  # noqa: E402

WORKLOADS = os.path.join(fixture.TOP, "workloads")
SMALL = """compare = io
io = uring, uring-fixed
sysctl vm.longterm_pin_file_mappings = 1
wb = none, default
reps = 5
runtime = 3
"""


class GuestPlanTest(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp()
        self.cwd = os.getcwd()
        # a token taken for a path would be made relative to here
        os.chdir(self.d)

    def tearDown(self):
        os.chdir(self.cwd)
        shutil.rmtree(self.d)

    def plan(self, text=SMALL):
        p = os.path.join(self.d, "m.matrix")
        with open(p, "w") as f:
            f.write(text)
        m = matrix.load(p)
        out = os.path.join(self.d, "plan")
        return m, out, guestplan.write(m, out, WORKLOADS)

    def test_the_host_plan_with_tokens(self):
        m, out, plan = self.plan()
        host = runplan.write(m, os.path.join(self.d, "host"), fs_dir=os.path.join(self.d, "fs"),
                             engine_so="/x/pinwb.so", workloads=WORKLOADS)
        self.assertEqual([(r["dir"], r["axes"]) for r in plan["warmups"] + plan["runs"]],
                         [(r["dir"], r["axes"]) for r in host["warmups"] + host["runs"]])
        self.assertEqual(os.listdir(self.d).count("@DIR@"), 0)
        with open(os.path.join(out, "runs", "c1-r1-uring-fixed", "job.fio")) as f:
            job = f.read()
        self.assertIn("pinwb_report=@OUT@/runs/c1-r1-uring-fixed/bench.pinwb.json", job)
        self.assertIn("pinwb_buffer_file=@DIR@/bench.buf", job)
        self.assertIn("ioengine=external:@ENGINE@", job)
        self.assertIn("pinwb_fixedbufs=1", job)
        self.assertFalse(os.path.exists(os.path.join(out, "runs", "c0-r0-uring", "fio.args")))

    def test_env_and_tsv(self):
        _, out, plan = self.plan()
        with open(os.path.join(out, "plan.env")) as f:
            env = dict(l.rstrip("\n").split("=", 1) for l in f)
        self.assertEqual(env["PLAN_RUNS"], "20")
        self.assertEqual(env["PLAN_CELLS"], "2")
        self.assertEqual(env["PLAN_SYSCTLS"], "'vm.longterm_pin_file_mappings'")
        self.assertEqual(env["PLAN_LEAST_SECONDS"], str(20 * 3 + 1))
        with open(os.path.join(out, "plan.tsv")) as f:
            rows = [l.rstrip("\n").split("\t") for l in f]
        self.assertEqual(len(rows), 21)
        self.assertEqual(rows[0][0], "warmup")
        # run 1: cell 1, pair 1, baseline first; pair 2 starts with the other side
        self.assertEqual(rows[1][:9], ["run", "1", "20", "1", "2", "1", "5", "uring", "runs/c0-r0-uring"])
        self.assertEqual(rows[5][7], "uring-fixed")
        self.assertEqual(rows[1][10:], ["vm.longterm_pin_file_mappings=1", "@DIR@/bench.buf", "pinwb"])

    def test_refusals_name_the_line(self):
        m = matrix.parse("compare = io\nio = uring, sync\n# x\nbuffer = anon, hugetlb\n", "h.matrix")
        with self.assertRaisesRegex(matrix.MatrixError, r"^h\.matrix:4: buffer: hugetlb"):
            guestplan.refuse(m)
        m = matrix.parse("compare = io\nio = uring, sync\n", "u.matrix")
        with self.assertRaisesRegex(matrix.MatrixError, r"^u\.matrix:2: io: 'uring' needs io_uring"):
            guestplan.refuse(m, {"CONFIG_IO_URING": "n"})
        guestplan.refuse(m, {"CONFIG_IO_URING": "y"})
        m = matrix.parse("compare = engine\nengine = fio, pinwb\nio = sync\n", "e.matrix")
        with self.assertRaisesRegex(matrix.MatrixError, r"^e\.matrix:2: engine: pinwb is not in"):
            guestplan.refuse(m, have_engine=False)
        guestplan.refuse(m, {"CONFIG_IO_URING": "n"})

    def test_kernel_config(self):
        p = os.path.join(self.d, "config")
        with open(p, "w") as f:
            f.write("CONFIG_IO_URING=y\n# CONFIG_HUGETLBFS is not set\n# comment\n")
        self.assertEqual(guestplan.kernel_config(p), {"CONFIG_IO_URING": "y", "CONFIG_HUGETLBFS": "n"})

    def test_shipped_vm_matrices_plan(self):
        for name in ("bench-policy-vm", "bench-fixedbufs-vm"):
            m = matrix.load(os.path.join(WORKLOADS, name + ".matrix"))
            guestplan.refuse(m, {"CONFIG_IO_URING": "y"})
            plan = guestplan.write(m, os.path.join(self.d, name), WORKLOADS)
            self.assertGreaterEqual(plan["reps"], matrix.MIN_REPS)


if __name__ == "__main__":
    unittest.main()
