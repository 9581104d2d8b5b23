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
                        "excused": {"slots": 1, "reads": 0, "writes": 2}}},
        ]
        self.assertEqual(torture_round.summarise(reps),
                         [15, 4, 0, 0, 7, 2, 5, 1, 2])

    def test_report_without_racers(self):
        # a report of an engine without racers counts none
        self.assertEqual(torture_round.summarise([{"verify": {"slots_checked": 2}}]),
                         [2, 0, 0, 0, 0, 0, 0, 0, 0])


if __name__ == "__main__":
    unittest.main()
