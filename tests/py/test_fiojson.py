import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402
from pinwbbench import fiojson, jobfile, summary  # noqa: E402


class FioJsonTest(unittest.TestCase):
    def test_rows_and_cpu_per_io(self):
        rows = fiojson.rows(fixture.fio_doc([("j", 100000.0, 320.0)]))
        self.assertEqual(len(rows), 1)
        r = rows[0]
        self.assertEqual((r["job"], r["dir"], r["host"]), ("j", "read", None))
        # 10 % user of 2 s over 200000 I/Os = 1 us per I/O.
        self.assertAlmostEqual(r["usr_us_per_io"], 1.0)
        self.assertAlmostEqual(r["sys_us_per_io"], 8.0)
        self.assertAlmostEqual(r["lat_mean_us"], 320.0)
        self.assertAlmostEqual(r["lat_p99_us"], 960.0)

    def test_client_stats_carry_hosts(self):
        doc = fixture.fio_doc([("j", 1000.0, 10.0)], ["10.0.0.1", "10.0.0.2"])
        doc["client_stats"].append(dict(doc["client_stats"][0], jobname="All clients"))
        rows = fiojson.rows(doc)
        self.assertEqual([r["host"] for r in rows], ["10.0.0.1", "10.0.0.2"])
        self.assertEqual([r["job"] for r in rows], ["j@host0", "j@host1"])

    def test_not_fio(self):
        with self.assertRaises(fiojson.NotFio):
            fiojson.rows({"something": 1})

    def test_all_hosts_row(self):
        a = {"host": "a", "job": "j", "dir": "read", "iops": 100.0, "total_ios": 100,
             "lat_mean_us": 10.0, "lat_p99_us": 50.0, "usr_us_per_io": 1.0, "sys_us_per_io": 2.0}
        b = dict(a, host="b", iops=300.0, total_ios=300, lat_mean_us=20.0, lat_p99_us=40.0)
        r = summary.all_hosts_row([a, b])
        self.assertEqual(r["iops"], 400.0)
        self.assertAlmostEqual(r["lat_mean_us"], 17.5)
        self.assertEqual(r["lat_p99_us"], 50.0)


class JobFileTest(unittest.TestCase):
    def kw(self):
        return dict(engine_so="/e.so", directory="/d", size="16m", runtime=1,
                    buffer_file="/d/bench.buf", report="/r.json")

    def test_both_sides_get_the_same_buffer(self):
        axes = {"engine": "pinwb", "buffer": "file", "io": "uring", "wb": "none", "rw": "randread",
                "bs": "4k", "iodepth": "32"}
        wl = os.path.join(fixture.TOP, "workloads")
        with open(os.path.join(wl, "bench-pinwb.fio")) as f:
            p = jobfile.render(f.read(), jobfile.values(axes, **self.kw()))
        with open(os.path.join(wl, "bench-fio-uring.fio")) as f:
            q = jobfile.render(f.read(), jobfile.values(dict(axes, engine="fio"), **self.kw()))
        self.assertIn("pinwb_buffer_file=/d/bench.buf\n", p)
        self.assertIn("pinwb_overwrite=1\n", p)
        self.assertIn("pinwb_buffer_size=131072\n", p)
        self.assertIn("iomem=mmapshared:/d/bench.buf\n", q)
        body = [l for l in (p + q).splitlines() if not l.startswith(";")]
        self.assertFalse([l for l in body if "${" in l])

    def test_empty_values_drop_the_line(self):
        axes = {"engine": "pinwb", "buffer": "anon", "io": "uring", "wb": "default",
                "rw": "randread", "bs": "4k", "iodepth": "32"}
        v = jobfile.values(axes, **self.kw())
        text = jobfile.render("a=${PINWB_WB_MODES}\nb=${PINWB_BUFFER_FILE}\nc=${PINWB_BUFFER}\n", v)
        self.assertEqual(text, "c=anon\n")

    def test_missing_value_is_an_error(self):
        with self.assertRaises(jobfile.TemplateError):
            jobfile.render("x=${PINWB_NOPE}\n", {})


if __name__ == "__main__":
    unittest.main()
