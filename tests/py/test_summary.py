import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402
from pinwbbench import plots, summary  # noqa: E402


class SummaryTest(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.d)

    def test_ratio_per_pair(self):
        fixture.make(self.d)
        b = summary.summarise(self.d)
        self.assertEqual(len(b["cells"]), 2)
        r = b["cells"][0]["ratio"]
        self.assertEqual(r["n"], 5)
        self.assertAlmostEqual(r["median"], 0.98, places=6)
        self.assertTrue(os.path.exists(os.path.join(self.d, "bench.json")))
        lines = summary.text_lines(b)
        self.assertRegex(lines[-1], r"^ratio median=0\.980 min=0\.980 max=0\.980$")
        md = summary.markdown(b, {"kernel": "k"}, [])
        self.assertIn("| wb=none | 1 |", md)
        self.assertIn("CPU per I/O", md)
        self.assertEqual(b["cells"][0]["sides"]["0"]["integrity_total"]["gup_fixture_detected"], 5)

    def test_cpu_ratio_per_pair(self):
        # Drift between pairs moves the side medians (A 2.0, B 3.3: 1.65x)
        # while B is 1.1x A in four of the five pairs; the median of the
        # pair ratios must say 1.1.
        pairs = [{"A": {"usr_us_per_io": a}, "B": {"usr_us_per_io": a * 1.1}}
                 for a in (1.0, 1.0, 2.0, 3.0, 3.0)]
        pairs[2]["B"]["usr_us_per_io"] = 3.3
        pairs[3]["B"]["usr_us_per_io"] = 3.3
        r = summary.pair_ratios(pairs, "A", "B", "usr_us_per_io")
        self.assertEqual(len(r), 5)
        self.assertAlmostEqual(sorted(r)[2], 1.1, places=6)
        self.assertEqual(summary.pair_ratios([{"A": {}, "B": {"usr_us_per_io": 1}}], "A", "B",
                                             "usr_us_per_io"), [])
        fixture.make(self.d)
        b = summary.summarise(self.d)
        pr = b["cells"][0]["pair_ratio"]["usr_us_per_io"]
        self.assertEqual(pr["n"], 5)
        self.assertIn("per pair, 1/0: total latency mean", "\n".join(summary.text_lines(b)))
        self.assertIn("user CPU per I/O %.3f" % pr["median"], summary.markdown(b, {"kernel": "k"}, []))

    def test_load_line(self):
        fixture.make(self.d)
        b = summary.summarise(self.d)
        md = summary.markdown(b, {"kernel": "k", "cpus": 2, "load_before": "0.50 0.40 0.30",
                                  "load_after": "1.50 1.00 0.70"}, [])
        self.assertIn("Machine load (1/5/15-minute load average, 2 CPUs): before the runs "
                      "0.50 0.40 0.30, after them 1.50 1.00 0.70.", md)
        self.assertNotIn("Machine load", summary.markdown(b, {"kernel": "k"}, []))
        self.assertIn("Kernel k (series v3), ", summary.markdown(b, {"kernel": "k", "series_version": "v3"}, []))
        self.assertNotIn("(series", summary.markdown(b, {"kernel": "k"}, []))

    def _meta(self, **kw):
        mp = os.path.join(self.d, "meta.json")
        with open(mp) as f:
            m = json.load(f)
        m.update(kw)
        with open(mp, "w") as f:
            json.dump(m, f)
        return m

    def test_load_flag(self):
        fixture.make(self.d)
        # No host load recorded (a VM run imported): nothing to judge.
        b = summary.summarise(self.d)
        self.assertIsNone(b["load"])
        self.assertNotIn("LOADED", summary.markdown(b, {"kernel": "k"}, []))
        # Quiet before, during (the bench's own job is allowed for) and after.
        m = self._meta(load_before="0.40 0.30 0.20", load_after="1.20 0.80 0.50", max_load="1")
        b = summary.summarise(self.d)
        self.assertFalse(b["load"]["loaded"])
        self.assertNotIn("LOADED", summary.markdown(b, m, []))
        self.assertNotIn("LOADED", "\n".join(summary.text_lines(b, 2)))
        # Loaded before the runs.
        m = self._meta(load_before="3.10 2.00 1.00")
        b = summary.summarise(self.d)
        self.assertTrue(b["load"]["loaded"])
        md = summary.markdown(b, m, [])
        self.assertIn("> **LOADED MACHINE: 1-minute load average 3.10 before the runs", md)
        lines = summary.text_lines(b, 2)
        self.assertTrue(lines[0].startswith("*** LOADED MACHINE"))
        self.assertRegex(lines[-1], r"^ratio median=")
        # Quiet before, the bench's own load during the runs (below 1 plus its
        # own share, 3: the fixture's 2 CPUs and a writeback-driver cell).
        self._meta(load_before="0.40 0.30 0.20")
        run = sorted(os.listdir(os.path.join(self.d, "runs")))[3]
        with open(os.path.join(self.d, "runs", run, "loadavg"), "w") as f:
            f.write("3.50 1.00 0.50 3/200 1234\n")
        b = summary.summarise(self.d)
        self.assertFalse(b["load"]["loaded"])
        self.assertEqual(b["load"]["own_load"], 3.0)
        # Loaded before one run: above that.
        with open(os.path.join(self.d, "runs", run, "loadavg"), "w") as f:
            f.write("4.50 1.00 0.50 3/200 1234\n")
        b = summary.summarise(self.d)
        self.assertTrue(b["load"]["loaded"])
        self.assertEqual(b["load"]["runs_max"], 4.5)
        self.assertIn("up to 4.50 before a run", b["load"]["why"][0])
        # A higher limit takes the same set as quiet.
        self._meta(max_load="4")
        self.assertFalse(summary.summarise(self.d)["load"]["loaded"])

    def test_hosts(self):
        fixture.make(self.d, hosts=["h1,8765", "h1,8766"])
        b = summary.summarise(self.d)
        sd = b["cells"][0]["sides"]["0"]
        # Two servers on one address stay apart: the host comes from the plan.
        self.assertEqual(sorted(sd["per_host"]), ["all-hosts", "h1,8765", "h1,8766"])
        self.assertEqual({r["job"] for r in sd["runs"][0]["rows"]}, {"bench-pinwb"})
        # The all-hosts row sums the hosts.
        self.assertAlmostEqual(sd["median"]["iops"], 2 * 100400.0)
        md = summary.markdown(b, None, [])
        self.assertIn("| all-hosts |", md)

    def test_plot_files_without_gnuplot(self):
        fixture.make(self.d)
        with open(os.path.join(self.d, "release.tsv"), "w") as f:
            f.write("page_kind\tbatch\tmethod\tns_per_page\n")
            for kind in ("order0", "thp"):
                for batch in (1, 2, 4):
                    f.write("%s\t%d\tbatched\t%d\n" % (kind, batch, 100 // batch))
        b = summary.summarise(self.d)
        rows = plots.read_release_tsv(os.path.join(self.d, "release.tsv"))
        done = plots.write(plots.build(b, "kernel k, cpu c", rows), os.path.join(self.d, "plots"), False)
        self.assertEqual([p["name"] for p in done], ["ratio", "latency", "release", "integrity"])
        for p in done:
            with open(os.path.join(self.d, "plots", p["name"] + ".gp")) as f:
                gp = f.read()
            self.assertIn("kernel k, cpu c", gp)
            self.assertIn("set output '%s.svg'" % p["name"], gp)
            self.assertIn("label", gp)

    def test_bad_release_tsv(self):
        p = os.path.join(self.d, "r.tsv")
        with open(p, "w") as f:
            f.write("kind\tbatch\n")
        with self.assertRaises(plots.ReleaseTsvError):
            plots.read_release_tsv(p)


if __name__ == "__main__":
    unittest.main()
