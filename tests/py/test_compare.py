import io
import json
import os
import shutil
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402
from pinwbbench import cli, compare, summary  # noqa: E402


def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = cli.main(list(argv))
    return rc, out.getvalue(), err.getvalue()


class CompareTest(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp()
        self.old = os.path.join(self.d, "old")
        fixture.make(self.old)
        summary.summarise(self.old)

    def tearDown(self):
        shutil.rmtree(self.d)

    def scaled(self, factor, cell=0, side="1"):
        def iops(run):
            v = fixture.iops_default(run)
            return v * factor if run["cell"] == cell and run["side"] == side else v
        new = os.path.join(self.d, "new-%s" % factor)
        fixture.make(new, iops=iops)
        summary.summarise(new)
        return new

    def test_set_against_itself_passes(self):
        rc, out, _ = run_cli("compare", self.old, self.old)
        self.assertEqual(rc, 0, out)
        self.assertIn("0 regressions", out)

    def test_scaled_scenario_fails_and_is_named(self):
        new = self.scaled(0.8)
        rc, out, _ = run_cli("compare", self.old, new)
        self.assertEqual(rc, 1, out)
        self.assertIn("REGRESSION", out)
        self.assertIn("(wb=none | gup_writeback_policy=1)", out)
        rc, out, _ = run_cli("compare", "--json", self.old, new)
        self.assertEqual(rc, 1)
        self.assertEqual(json.loads(out)["regressions"], ["wb=none | gup_writeback_policy=1"])

    def test_improvement_is_not_a_failure(self):
        rc, out, _ = run_cli("compare", self.old, self.scaled(1.2))
        self.assertEqual(rc, 0, out)
        self.assertIn("1 improvements", out)

    def test_spread_widens_the_limit(self):
        # 3 % down is inside the 5 % threshold; a 2 % threshold catches it.
        new = self.scaled(0.97)
        self.assertEqual(run_cli("compare", self.old, new)[0], 0)
        self.assertEqual(run_cli("compare", "--threshold", "2", self.old, new)[0], 1)
        res = compare.compare(self.old, new, 0.0)
        self.assertGreater(min(r["limit"] for r in res["scenarios"]), 0.0)

    def fio_file(self, name, jobs):
        p = os.path.join(self.d, name)
        with open(p, "w") as f:
            f.write("some fio log line\n")
            json.dump(fixture.fio_doc(jobs), f)
        return p

    def test_plain_fio_json_pairs(self):
        a = self.fio_file("a.json", [("randread", 1000.0, 10.0), ("randwrite", 500.0, 20.0)])
        b = self.fio_file("b.json", [("randread", 1010.0, 10.0), ("randwrite", 400.0, 20.0)])
        rc, out, _ = run_cli("compare", a, a)
        self.assertEqual(rc, 0, out)
        rc, out, _ = run_cli("compare", a, b)
        self.assertEqual(rc, 1, out)
        self.assertIn("(randwrite read)", out)

    def test_bad_input(self):
        p = os.path.join(self.d, "x.json")
        with open(p, "w") as f:
            f.write('{"a": 1}')
        rc, _, err = run_cli("compare", p, p)
        self.assertEqual(rc, 2)
        self.assertIn("not fio", err)
        rc, _, err = run_cli("compare", "--threshold", "abc", self.old, self.old)
        self.assertEqual(rc, 2)
        self.assertIn("--threshold", err)
        rc, _, err = run_cli("compare", self.old, os.path.join(self.d, "missing"))
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    unittest.main()
