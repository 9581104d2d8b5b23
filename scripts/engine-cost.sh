#!/usr/bin/env bash
# engine-cost.sh: user-space instructions per I/O of the pinwb engine and of
# fio's io_uring engine on the bench's engine-comparison job, counted with
# valgrind's callgrind. Counts, unlike seconds, barely move on a loaded
# machine, so this is the figure to compare engine changes by.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

prog=engine-cost
# shellcheck source=lib/common.sh
. "$(dirname "$(readlink -f "$0")")/lib/common.sh"

usage() {
	cat <<USAGE
usage: scripts/engine-cost.sh [--ios N] [--reps R] [--dir DIR] [--engine SO]...

Runs the bench's engine comparison job (4k random O_DIRECT reads at iodepth
32 of a 64 MiB target, into a fresh sparse 128 KiB MAP_SHARED buffer file,
pinwb_check_reads=0, no writeback driver) under callgrind, once with N and
once with 3N I/Os, for fio's io_uring engine and for each pinwb engine SO
(default: the built engines/pinwb.so). The job process's instruction count
difference over the 2N extra I/Os is its cost per I/O: fio's own per-I/O
work plus the engine's, without the setup and end-of-job work. Only the
job's own thread_main() is counted: fio calibrates its clock before it
forks the job, for as long as that takes, so counting from the start moved
the figure by up to 1 % from run to run. Each figure is the mean of R
repetitions (each printed); each pinwb engine's line ends with its
difference from fio's in per cent.

  --ios N       I/Os of the short run (default 20000; the long run does 3N)
  --reps R      repetitions per engine (default 3)
  --dir DIR     directory on a file system with O_DIRECT for the target and
                the buffer files (default: build/); a private subdirectory
                is made there and removed at the end
  --engine SO   a pinwb engine to measure; repeatable (e.g. an older build)
  -h, --help    this text

The pinwb jobs run with pinwb_verify=0: the end-of-job check drops the
buffer file from the page cache, which does not happen under valgrind, and
it is outside the per-I/O difference anyway.
Exit: 0 measured, 1 a run failed, 2 usage or setup error (no valgrind).
USAGE
}

ios=20000 reps=3 base_dir=$PINWB_TOP/build
engines=()
while [ $# -gt 0 ]; do
	case $1 in
	--ios | --reps | --dir | --engine)
		[ $# -ge 2 ] || die_usage "$1 needs a value"
		case $1 in
		--ios) { is_uint "$2" && [ "$2" -ge 1000 ]; } ||
			die_usage "--ios '$2': accepted values: an integer >= 1000"
			ios=$2 ;;
		--reps) { is_uint "$2" && [ "$2" -ge 1 ]; } ||
			die_usage "--reps '$2': accepted values: an integer >= 1"
			reps=$2 ;;
		--dir) [ -d "$2" ] || die_usage "--dir '$2': accepted values: an existing directory"
			base_dir=$2 ;;
		--engine) [ -f "$2" ] || die_usage "--engine '$2': accepted values: a built pinwb engine (.so)"
			engines+=("$(readlink -f "$2")") ;;
		esac
		shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) die_usage "unknown argument '$1' (accepted: --ios, --reps, --dir, --engine, --help)" ;;
	esac
done
[ ${#engines[@]} -gt 0 ] || engines=("$PINWB_ENGINE_SO")
command -v valgrind >/dev/null || die_setup "valgrind is not installed (apt-get install valgrind)"
command -v callgrind_annotate >/dev/null || die_setup "callgrind_annotate is missing (package valgrind)"
[ -x "$PINWB_FIO" ] || die_setup "fio not built: $PINWB_FIO (run make)"
for so in "${engines[@]}"; do
	[ -f "$so" ] || die_setup "engine not built: $so (run make)"
done

install_traps
mkdir -p -- "$base_dir"
work=$(mktemp -d "$base_dir/engine-cost.XXXXXX") || die_setup "cannot make a directory in $base_dir"
cleanup_push rm_private_dir "$work"

# job FILE ENGINE_LINES...: the shared job with the engine's own lines
job() {
	local f=$1
	shift
	{
		printf '%s\n' "[global]" "directory=$work" "filename=bench.dat" "size=64m" \
			"direct=1" "rw=randread" "bs=4k" "iodepth=32" "randrepeat=1" \
			"lat_percentiles=1" "percentile_list=50:99:99.9"
		printf '%s\n' "$@"
		echo "[cost]"
	} >"$f"
}
job "$work/fio.fio" "ioengine=io_uring" "iomem=mmapshared:$work/buf"
for i in "${!engines[@]}"; do
	job "$work/pinwb$i.fio" "ioengine=external:${engines[i]}" "pinwb_io=uring" \
		"pinwb_buffer=file" "pinwb_buffer_size=131072" "pinwb_buffer_file=$work/buf" \
		"pinwb_overwrite=1" "pinwb_overwrite_target=1" "pinwb_wb_modes=none" "pinwb_verify=0"
done

# count JOB N: instructions of the job process for N I/Os into $counted
# (fio forks one process per job: the biggest count of the traced ones;
# the job's thread_main() only, not the clock calibration before the fork)
counted=0
count() {
	local jobf=$1 n=$2 f best=0 ir
	rm -f -- "$work/buf" "$work/buf.pinwb-rec" "$work"/cg.*
	truncate -s 131072 -- "$work/buf"
	if ! run_child nice valgrind --tool=callgrind --trace-children=yes \
		--toggle-collect=thread_main --callgrind-out-file="$work/cg.%p" "$PINWB_FIO" --io_size=$((n * 4))k \
		--output-format=json --output="$work/fio.json" "$jobf" >"$work/log" 2>&1; then
		echo "$prog: fio failed on $jobf:" >&2
		tail -n 20 "$work/log" >&2
		return 1
	fi
	for f in "$work"/cg.*; do
		ir=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$f" | head -n 1)
		[ -z "$ir" ] || [ "$ir" -le "$best" ] || best=$ir
	done
	[ "$best" -gt 0 ] || { echo "$prog: no callgrind count for $jobf" >&2; return 1; }
	counted=$best
}

# per_io NAME JOB: R repetitions of the difference, and their mean (in
# $mean); after fio's own, each engine's difference from it in per cent
fio_mean=0
per_io() {
	local name=$1 jobf=$2 r a b list="" sum=0 v rel=""
	for ((r = 1; r <= reps; r++)); do
		count "$jobf" "$ios" || exit 1
		a=$counted
		count "$jobf" $((3 * ios)) || exit 1
		b=$counted
		v=$(((b - a) / (2 * ios)))
		list+=" $v"
		sum=$((sum + v))
	done
	mean=$((sum / reps))
	if [ "$fio_mean" -gt 0 ]; then
		rel=$(awk -v a="$mean" -v f="$fio_mean" 'BEGIN { printf "; %+.1f %% against fio io_uring", (a - f) * 100 / f }')
	fi
	echo "$name: $mean instructions/I/O (runs:$list)$rel"
}

# Lay the target out once, outside the counts: every count then reads the
# same file, and none pays for writing it.
truncate -s 131072 -- "$work/buf"
run_child "$PINWB_FIO" --io_size=4k --output="$work/log" "$work/fio.fio" >/dev/null ||
	{ echo "$prog: fio could not lay out the target in $work" >&2; exit 1; }
note "fio $("$PINWB_FIO" --version), $ios and $((3 * ios)) I/Os per count, $reps repetitions"
per_io "fio io_uring" "$work/fio.fio"
fio_mean=$mean
for i in "${!engines[@]}"; do
	per_io "pinwb ${engines[i]}" "$work/pinwb$i.fio"
done
