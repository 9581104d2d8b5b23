import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402
from pinwbbench import matrix, summary, vmimport  # noqa: E402

MATRIX = os.path.join(fixture.TOP, "workloads", "bench-policy-vm.matrix")


class VmImportTest(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp()
        self.vm = os.path.join(self.d, "vm")
        fixture.make_vm_run(self.vm, MATRIX)
        self.m = matrix.load(MATRIX)

    def tearDown(self):
        shutil.rmtree(self.d)

    def test_import_and_summarise(self):
        out = os.path.join(self.d, "set")
        plan = vmimport.import_run(self.m, self.vm, out, os.path.join(fixture.TOP, "workloads"))
        self.assertEqual(len(plan["runs"]), 2 * 2 * 5)
        b = summary.summarise(out)
        self.assertEqual([c["label"] for c in b["cells"]], ["wb=none", "wb=default"])
        self.assertEqual(b["cells"][0]["ratio"]["n"], 5)
        m = vmimport.vm_meta(self.vm, fixture.TOP, "/nonexistent/fio", ["x"], {})
        self.assertEqual((m["kernel"], m["virt"], m["series"]), ("6.12.117", "tcg", True))
        # the host's load at import time is not the load the runs saw
        self.assertIsNone(m["load_before"])

    def _vm_run(self, name, sha):
        d = os.path.join(self.d, name)
        os.makedirs(os.path.join(d, "results", "gup-release-sweep"))
        with open(os.path.join(d, "meta.json"), "w") as f:
            json.dump({"kernel": {"sha256": sha}}, f)
        with open(os.path.join(d, "results", "gup-release-sweep", "release-sweep.tsv"), "w") as f:
            f.write("kind\tbatch\tmethod\tpages\truns\tns_per_page\tns_per_page_min\tns_per_page_max\n"
                    "thp\t512\tper-page\t4096\t5\t90.5\t80.0\t99.0\n")
        return d

    def test_release_from_another_run_of_the_same_kernel(self):
        with open(os.path.join(self.vm, "meta.json"), "w") as f:
            json.dump({"kernel": {"sha256": "aa"}}, f)
        same, other = self._vm_run("same", "aa"), self._vm_run("other", "bb")
        vmimport.same_kernel(self.vm, [same])
        with self.assertRaisesRegex(vmimport.VmImportError, "booted another kernel"):
            vmimport.same_kernel(self.vm, [same, other])
        out = os.path.join(self.d, "set")
        os.makedirs(out)
        self.assertEqual(vmimport.collect_release(self.vm, out, [same]), 1)
        with open(os.path.join(out, "release.tsv")) as f:
            self.assertEqual(f.read().splitlines()[1], "thp\t512\tper-page\t90.5")

    def test_release_rows_are_collected(self):
        d = os.path.join(self.vm, "results", "gup-release-bench")
        os.makedirs(d)
        with open(os.path.join(d, "release.tsv"), "w") as f:
            f.write("page_kind\tbatch\tmethod\tns_per_page\nthp\t512\tbatched\t3.5\n")
        with open(os.path.join(d, "other.tsv"), "w") as f:
            f.write("a\tb\n1\t2\n")
        out = os.path.join(self.d, "set")
        os.makedirs(out)
        self.assertEqual(vmimport.collect_release(self.vm, out), 1)
        with open(os.path.join(out, "release.tsv")) as f:
            self.assertEqual(f.read().splitlines()[1], "thp\t512\tbatched\t3.5")

    def test_missing_run_is_named(self):
        shutil.rmtree(os.path.join(self.vm, "results", "bench-matrix", "runs", "c1-r3-0"))
        with self.assertRaises(vmimport.VmImportError) as cm:
            vmimport.import_run(self.m, self.vm, os.path.join(self.d, "set"),
                                os.path.join(fixture.TOP, "workloads"))
        self.assertIn("c1-r3-0", str(cm.exception))

    def test_wrong_cell_is_refused(self):
        job = os.path.join(self.vm, "results", "bench-matrix", "runs", "c1-r0-1", "job.fio")
        with open(job, "a") as f:
            f.write("pinwb_wb_modes=none\n")
        with self.assertRaises(vmimport.VmImportError) as cm:
            vmimport.import_run(self.m, self.vm, os.path.join(self.d, "set"),
                                os.path.join(fixture.TOP, "workloads"))
        self.assertIn("c1-r0-1", str(cm.exception))

    def test_matrix_defaults_to_the_guests(self):
        plan = vmimport.import_run(None, self.vm, os.path.join(self.d, "set"),
                                   os.path.join(fixture.TOP, "workloads"))
        self.assertEqual(plan["matrix"]["compare"], "sysctl vm.gup_writeback_policy")
        with open(os.path.join(self.d, "set", "runs", "c0-r0-0", "job.fio")) as f:
            self.assertIn("pinwb_report=/results/bench-matrix/runs/c0-r0-0/bench.pinwb.json", f.read())

    def test_another_matrix_is_refused(self):
        other = matrix.load(os.path.join(fixture.TOP, "workloads", "bench-policy.matrix"))
        with self.assertRaisesRegex(vmimport.VmImportError, "the guest ran the matrix"):
            vmimport.import_run(other, self.vm, os.path.join(self.d, "set"),
                                os.path.join(fixture.TOP, "workloads"))

    def test_another_plan_is_refused(self):
        p = os.path.join(self.vm, "results", "bench-matrix", "plan", "plan.json")
        with open(p) as f:
            plan = json.load(f)
        plan["runs"][0], plan["runs"][1] = plan["runs"][1], plan["runs"][0]
        with open(p, "w") as f:
            json.dump(plan, f)
        with self.assertRaisesRegex(vmimport.VmImportError, "is not the plan of"):
            vmimport.import_run(self.m, self.vm, os.path.join(self.d, "set"),
                                os.path.join(fixture.TOP, "workloads"))


if __name__ == "__main__":
    unittest.main()
