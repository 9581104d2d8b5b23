#!/usr/bin/env bash
# pinwb bench: the pinwb engine against fio's own io_uring engine on the same
# job (4k random O_DIRECT reads, iodepth 32, buffers in a MAP_SHARED file),
# rounds alternating between them, plus the pinwb engine with its writeback
# driver running to show what the driver costs. Prints IOPS per run, the
# pinwb/fio ratio and, as its last line: ratio median=X min=Y max=Z
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

prog="pinwb bench"
# shellcheck source=lib/common.sh
. "$(dirname "$(readlink -f "$0")")/lib/common.sh"
# shellcheck source=lib/report.sh
. "$PINWB_TOP/scripts/lib/report.sh"

# The driver's default modes (engines/README.md) for the "with driver" runs.
WB_DEFAULT=sfr,touch,fdatasync

usage() {
	cat <<USAGE
usage: pinwb bench [--quick] [--runs N] [--runtime S] [--fs ext4|xfs|btrfs|DIR]
                   [--out DIR] [--size SIZE] [--image-size SIZE]

Each round runs, in rotating order:
  pinwb      workloads/bench-pinwb.fio, pinwb_wb_modes=none (no writeback driver)
  fio        workloads/bench-fio-uring.fio: ioengine=io_uring, iomem=mmapshared
             on a pre-sized file beside the target
  pinwb+wb   workloads/bench-pinwb.fio with the driver ($WB_DEFAULT)
on one file system set up once (as in pinwb run), after an uncounted 1 s
warm-up of pinwb and fio. Prints IOPS per run, the
ratio pinwb/fio per round with min/median/max, and the driver's cost (median
IOPS and p99 of pinwb with vs without it). The last line is exactly
  ratio median=X min=Y max=Z

  --quick          5 rounds of 3 s (about a minute in all)
  --runs N         rounds (default 5, at least 1)
  --runtime S      seconds per run (default 10; 3 with --quick)
  --fs ...         as pinwb run (default ext4 on a loop device; needs root)
  --out DIR        results (default build/bench/<time>): per-run fio and pinwb
                   JSON, bench.json, meta.json, summary.txt
  --size SIZE      target file size (default 64m)
  --image-size S   loop image size (default 512M)
Exit: 0 ok, 1 a run failed or a verification mismatch, 2 usage or setup error.
USAGE
}

runs=5 runtime="" quick=0 fs=ext4 out="" size=64m image_size=512M
argv_json=$(json_argv "$0" "$@")
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--quick) quick=1; shift ;;
	--runs | --runtime | --fs | --out | --size | --image-size)
		if [ $# -lt 2 ] || [ -z "$2" ]; then
			die_usage "$1 needs a value (see pinwb bench --help)"
		fi
		case $1 in
		--runs) runs=$2 ;;
		--runtime) runtime=$2 ;;
		--fs) fs=$2 ;;
		--out) out=$2 ;;
		--size) size=$2 ;;
		--image-size) image_size=$2 ;;
		esac
		shift 2
		;;
	*) die_usage "unknown argument '$1' (accepted: --quick, --runs, --runtime, --fs, --out, --size, --image-size, --help)" ;;
	esac
done
if [ -z "$runtime" ]; then
	if [ $quick -eq 1 ]; then runtime=3; else runtime=10; fi
fi
if ! is_uint "$runs" || [ "$runs" -lt 1 ]; then
	die_usage "--runs '$runs' is not a positive number"
fi
if ! is_uint "$runtime" || [ "$runtime" -lt 1 ]; then
	die_usage "--runtime '$runtime' is not a positive number of seconds"
fi
is_size "$size" || die_usage "--size '$size' is not a size (e.g. 64m)"
is_size "$image_size" || die_usage "--image-size '$image_size' is not a size (e.g. 512M)"
case $fs in
ext4 | xfs | btrfs) ;;
*) [ -d "$fs" ] || die_usage "--fs '$fs' is not ext4, xfs, btrfs or an existing directory" ;;
esac
if [ -n "$out" ]; then
	mkdir -p -- "$out" || die_setup "cannot create --out directory '$out'"
	out=$(cd "$out" && pwd)
	! dir_has "$out" bench.json meta.json runs || die_usage "--out directory '$out' already holds bench results; refusing to overwrite them"
else
	out=$PINWB_TOP/build/bench/$(date -u +%Y%m%dT%H%M%SZ)
	mkdir -p "$(dirname "$out")"
	mkdir "$out" || die_setup "cannot create $out (another bench this second?)"
fi
need_built

install_traps
fs_setup "$fs" "$image_size"
# fio's iomem=mmapshared maps the file without sizing it: make it as large as
# the pinwb arena (8 MiB default), with real blocks like the engine's file.
fio_buf=$FS_DIR/fio-uring.buf
dd if=/dev/zero of="$fio_buf" bs=1M count=8 status=none || die_setup "cannot create $fio_buf"

export PINWB_ENGINE=$PINWB_ENGINE_SO PINWB_RUNTIME=$runtime PINWB_SIZE=$size PINWB_BENCH_BUF=$fio_buf
unset PINWB_KEEP_DIR
PINWB_META_ARGV=$argv_json write_meta "$out" "job=bench" "fs=$FS_KIND" "fs_source=$FS_SOURCE" \
	"image_size=$image_size" "runtime_s=$runtime" "rounds=$runs" "size=$size" \
	"engine=$PINWB_ENGINE_SO" "wb_modes_with_driver=$WB_DEFAULT"

# one_run ROUND CONFIG: run one configuration into $out/runs/<round>-<config>.
one_run() {
	local round=$1 cfg=$2 dir job rc=0
	dir=$out/runs/$round-$cfg
	mkdir -p "$dir"
	case $cfg in
	pinwb) job=bench-pinwb; export PINWB_WB_MODES=none ;;
	pinwb+wb) job=bench-pinwb; export PINWB_WB_MODES=$WB_DEFAULT ;;
	fio) job=bench-fio-uring; unset PINWB_WB_MODES ;;
	esac
	PINWB_REPORT_DIR=$dir run_child "$PINWB_FIO" --output-format=json --output="$dir/fio.json" \
		--directory="$FS_DIR" "$PINWB_TOP/workloads/$job.fio" >"$dir/fio.console" 2>&1 || rc=$?
	if ! fio_json_split "$dir/fio.json"; then
		[ "$rc" -ne 0 ] || rc=1
	fi
	cat "$dir/fio.console" >>"$dir/fio.log"
	rm -f "$dir/fio.console"
	if [ "$rc" -ne 0 ]; then
		echo "$prog: round $round $cfg: fio failed (exit $rc):" >&2
		tail -n 20 "$dir/fio.log" >&2
		return 1
	fi
	if [ "$cfg" != fio ] && [ "$(verify_verdict "$dir")" = mismatch ]; then
		echo "$prog: round $round $cfg: VERIFICATION MISMATCH ($dir)" >&2
		return 1
	fi
}

note "$runs rounds x 3 runs of ${runtime}s on $FS_KIND; results in $out"
configs=(pinwb fio pinwb+wb)
# Round 0, not counted: lays out the target file and warms the caches, so
# that round 1 does not pay for it.
PINWB_RUNTIME=1 one_run 0 pinwb || exit 1
PINWB_RUNTIME=1 one_run 0 fio || exit 1
for ((r = 1; r <= runs; r++)); do
	# Rotate the order every round so drift over time hits each config alike.
	for ((c = 0; c < 3; c++)); do
		cfg=${configs[(c + r - 1) % 3]}
		one_run "$r" "$cfg" || exit 1
	done
done

python3 - "$out" "$runs" <<'PY' | tee "$out/summary.txt"
import json, os, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def stats(path):
    d = json.load(open(path))
    j = d["jobs"][0]["read"]
    p99 = (j.get("clat_ns", {}).get("percentile") or {}).get("99.000000")
    return {"iops": j["iops"], "p99_us": p99 / 1000.0 if p99 is not None else None}
res = {c: [stats(os.path.join(out, "runs", "%d-%s" % (r, c), "fio.json"))
           for r in range(1, rounds + 1)] for c in ("pinwb", "fio", "pinwb+wb")}
ratios = [p["iops"] / f["iops"] if f["iops"] else 0.0 for p, f in zip(res["pinwb"], res["fio"])]
def med(c, k):
    v = [x[k] for x in res[c] if x[k] is not None]
    return statistics.median(v) if v else None
print("%-6s %12s %12s %8s %14s" % ("round", "pinwb IOPS", "fio IOPS", "ratio", "pinwb+wb IOPS"))
for i in range(rounds):
    print("%-6d %12.0f %12.0f %8.3f %14.0f" % (i + 1, res["pinwb"][i]["iops"], res["fio"][i]["iops"],
          ratios[i], res["pinwb+wb"][i]["iops"]))
summary = {
    "ratio": {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios), "per_round": ratios},
    "median": {c: {"iops": med(c, "iops"), "p99_us": med(c, "p99_us")} for c in res},
    "runs": res,
}
n, w = summary["median"]["pinwb"], summary["median"]["pinwb+wb"]
cost = (1.0 - w["iops"] / n["iops"]) * 100.0 if n["iops"] else 0.0
summary["writeback_driver_cost"] = {"iops_without": n["iops"], "iops_with": w["iops"], "iops_loss_pct": cost,
                                    "p99_us_without": n["p99_us"], "p99_us_with": w["p99_us"]}
json.dump(summary, open(os.path.join(out, "bench.json"), "w"), indent=1)
def us(v):
    return "%.1f us" % v if v is not None else "-"
print("medians: pinwb %.0f IOPS (p99 %s), fio io_uring %.0f IOPS (p99 %s)" % (
    n["iops"], us(n["p99_us"]), summary["median"]["fio"]["iops"], us(summary["median"]["fio"]["p99_us"])))
print("writeback driver cost: %.0f -> %.0f IOPS (%.1f%% fewer), p99 %s -> %s" % (
    n["iops"], w["iops"], cost, us(n["p99_us"]), us(w["p99_us"])))
print("results: " + out)
print("ratio median=%.3f min=%.3f max=%.3f" % (statistics.median(ratios), min(ratios), max(ratios)))
PY
