import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402,F401 (puts scripts/lib on the path)
import torture_round  # noqa: E402


class TestTortureRound(unittest.TestCase):
    def test_sums_reports(self):
        reps = [
            {"verify": {"slots_checked": 10},
             "racers": {"fork": {"actions": 3}, "punch": {"actions": 2},
                        "excused": {"slots": 4, "reads": 1, "writes": 0}}},
            {"verify": {"slots_checked": 5},
             "racers": {"fork": {"actions": 1}, "truncate": {"actions": 7},
                        "excused": {"slots": 1, "reads": 0, "writes": 2,
                                    "faulted": 3}}},
        ]
        self.assertEqual(torture_round.summarise(reps),
                         [15, 4, 0, 0, 7, 2, 5, 1, 2, 3, 0, 0])

    def test_report_without_racers(self):
        # a report of an engine without racers counts none
        self.assertEqual(torture_round.summarise([{"verify": {"slots_checked": 2}}]),
                         [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])

    def test_cpu_store_violations(self):
        # a write-only job: violations up to its late pins are the CPU's
        def rep(reads, writes, viol, late, unbounced=0):
            return {"io": {"reads": reads, "writes": writes},
                    "vmstat_delta": {"gup_stable_violation": viol,
                                     "gup_stable_late_pin": late,
                                     "gup_wb_pinned_unbounced": unbounced}}
        self.assertEqual(torture_round.summarise([rep(0, 50, 3, 4)])[-2:], [3, 3])
        # the faults: DMA into the buffer (reads), an uncopied pinned
        # write-out, more violations than late pins are not excused
        self.assertEqual(torture_round.summarise([rep(10, 50, 3, 4)])[-2:], [3, 0])
        self.assertEqual(torture_round.summarise([rep(0, 50, 3, 4, 1)])[-2:], [3, 0])
        self.assertEqual(torture_round.summarise([rep(0, 50, 5, 4)])[-2:], [5, 0])
        self.assertEqual(torture_round.summarise([rep(0, 50, 2, 2), rep(9, 0, 1, 1)])[-2:],
                         [3, 2])


if __name__ == "__main__":
    unittest.main()
