"""What one pinwb torture round's engine reports say, for scripts/torture.sh.
Stdlib only.

usage: python3 torture_round.py ROUND_DIR
Prints one line of integers: slots verified, then the actions of each
engine racer (fork remap mremap truncate punch), then what truncate and
punch excused (slots reads writes) and the I/Os that failed with EFAULT
in a racer's hole (faulted), then the stable-page detector's
violations in the round (vmstat_delta gup_stable_violation) and how many
of them were CPU stores (cpu_store_violations), summed over the round's
*.pinwb.json reports.
"""
import glob
import json
import sys

RACERS = ("fork", "remap", "mremap", "truncate", "punch")
EXCUSED = ("slots", "reads", "writes", "faulted")


def cpu_store_violations(rep):
    """Violations of one report that can only have been the CPU's stores.

    In a job that only writes, the device reads the buffer and only the
    CPU writes it (the engine fills each source slot through the mapping);
    on a device without stable writes that store may meet the writeback of
    the page, and when a DIO write pins the page before that writeback
    completes (a read-only pin: GUP has no reason to wait), the detector
    compares it and counts the CPU's change (gup_stable_late_pin; the
    series says a CPU store to such a page counts too). So when no page
    went out pinned without a copy (gup_wb_pinned_unbounced 0) and every
    violation can be a late pin, they are the CPU's; anything else is not
    explained here and stays a failure."""
    io = rep.get("io") or {}
    vm = rep.get("vmstat_delta") or {}
    viol = vm.get("gup_stable_violation") or 0
    if (io.get("reads", 0) == 0 and io.get("writes", 0) > 0
            and (vm.get("gup_wb_pinned_unbounced") or 0) == 0
            and viol <= (vm.get("gup_stable_late_pin") or 0)):
        return viol
    return 0


def summarise(reports):
    slots = 0
    actions = dict.fromkeys(RACERS, 0)
    excused = dict.fromkeys(EXCUSED, 0)
    viol = cpu = 0
    for rep in reports:
        viol += (rep.get("vmstat_delta") or {}).get("gup_stable_violation") or 0
        cpu += cpu_store_violations(rep)
        slots += rep.get("verify", {}).get("slots_checked", 0)
        racers = rep.get("racers") or {}
        for name in RACERS:
            actions[name] += (racers.get(name) or {}).get("actions", 0)
        for kind in EXCUSED:
            excused[kind] += (racers.get("excused") or {}).get(kind, 0)
    return ([slots] + [actions[n] for n in RACERS] + [excused[k] for k in EXCUSED]
            + [viol, cpu])


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
