"""What one pinwb torture round's engine reports say, for scripts/torture.sh.
Stdlib only.

usage: python3 torture_round.py ROUND_DIR
Prints one line of integers: slots verified, then the actions of each
engine racer (fork remap mremap truncate punch), then what truncate and
punch excused (slots reads writes), summed over the round's
*.pinwb.json reports.
"""
import glob
import json
import sys

RACERS = ("fork", "remap", "mremap", "truncate", "punch")
EXCUSED = ("slots", "reads", "writes")


def summarise(reports):
    slots = 0
    actions = dict.fromkeys(RACERS, 0)
    excused = dict.fromkeys(EXCUSED, 0)
    for rep in reports:
        slots += rep.get("verify", {}).get("slots_checked", 0)
        racers = rep.get("racers") or {}
        for name in RACERS:
            actions[name] += (racers.get(name) or {}).get("actions", 0)
        for kind in EXCUSED:
            excused[kind] += (racers.get("excused") or {}).get(kind, 0)
    return [slots] + [actions[n] for n in RACERS] + [excused[k] for k in EXCUSED]


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: torture_round.py ROUND_DIR\n")
        return 2
    reports = []
    for path in sorted(glob.glob(argv[1] + "/*.pinwb.json")):
        with open(path) as f:
            reports.append(json.load(f))
    print(" ".join(str(v) for v in summarise(reports)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
