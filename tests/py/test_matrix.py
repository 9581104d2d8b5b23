import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402,F401  (puts scripts/lib on the path)
from pinwbbench import matrix  # noqa: E402

GOOD = """# comment
compare = engine
engine = fio, pinwb
bs = 4k, 64k   # two cells
reps = 5
"""


class MatrixTest(unittest.TestCase):
    def bad(self, text, line, words):
        with self.assertRaises(matrix.MatrixError) as cm:
            matrix.parse(text, "m.matrix")
        msg = str(cm.exception)
        self.assertTrue(msg.startswith("m.matrix:%d:" % line), msg)
        for w in words:
            self.assertIn(w, msg)

    def test_cells_and_defaults(self):
        m = matrix.parse(GOOD, "m.matrix")
        self.assertEqual(m.sides(), ["fio", "pinwb"])
        cells = m.cells()
        self.assertEqual(len(cells), 2)
        self.assertEqual({c["bs"] for c in cells}, {"4k", "64k"})
        self.assertEqual(cells[0]["buffer"], "file")
        self.assertEqual(cells[0]["iodepth"], "32")

    def test_pairs_alternate(self):
        m = matrix.parse(GOOD, "m.matrix")
        runs = matrix.plan(m)
        self.assertEqual(len(runs), 2 * 2 * 5)
        for cell in (0, 1):
            order = [r["side"] for r in runs if r["cell"] == cell]
            self.assertEqual(order[:4], ["fio", "pinwb", "pinwb", "fio"])
            # Every side is first in a pair as often as the other (within one).
            firsts = [order[i] for i in range(0, len(order), 2)]
            self.assertLessEqual(abs(firsts.count("fio") - firsts.count("pinwb")), 1)

    def test_sysctl_axis(self):
        m = matrix.parse("compare = sysctl vm.gup_writeback_policy\n"
                         "sysctl vm.gup_writeback_policy = 0, 1\n", "m")
        self.assertEqual(m.sides(), ["0", "1"])
        self.assertEqual(matrix.plan(m)[0]["axes"]["sysctl vm.gup_writeback_policy"], "0")

    def test_bad_lines_are_named(self):
        self.bad("compare = engine\nengine = fio pinwb\n", 2, ["engine", "fio pinwb"])
        self.bad("compare = engine\nengine = fio, pinwb\nbogus = 1\n", 3, ["unknown key 'bogus'"])
        self.bad("compare = engine\nengine = fio, pinwb\nno equals sign\n", 3, ["expected"])
        self.bad("compare = engine\nengine = fio, pinwb\nbs = 1000\n", 3, ["bs", "multiple of 4k"])
        self.bad("compare = engine\nengine = fio, pinwb\nreps = 3\n", 3, ["reps", ">= 5"])
        self.bad("compare = engine\nengine = fio\n", 2, ["exactly two values"])
        self.bad("compare = bs\nengine = fio, pinwb\n", 1, ["exactly two values"])
        self.bad("compare = nothing\n", 1, ["not an axis"])
        self.bad("engine = fio, pinwb\n", 2, ["no 'compare"])
        self.bad("compare = engine\nengine = fio, pinwb\nwb = default\n", 3, ["needs the pinwb engine"])
        self.bad("compare = engine\nengine = fio, pinwb\nengine = fio\n", 3, ["given again"])
        self.bad("compare = engine\nengine = fio, pinwb\nsysctl kernel.x = 1\n", 3, ["vm.NAME"])
        self.bad("compare = engine\nengine = fio, pinwb\nwb = sfr+bogus\n", 3, ["wb", "sfr+bogus"])

    def test_shipped_matrices_parse(self):
        wl = os.path.join(fixture.TOP, "workloads")
        names = [n for n in os.listdir(wl) if n.endswith(".matrix")]
        self.assertGreaterEqual(len(names), 3)
        for n in names:
            m = matrix.load(os.path.join(wl, n))
            self.assertGreaterEqual(m.reps, matrix.MIN_REPS, n)


if __name__ == "__main__":
    unittest.main()
