#!/usr/bin/env bash
# pinwb bench: runs a matrix file (workloads/*.matrix) of fio jobs, two sides
# per cell in alternating pairs, and writes a result set: per-run fio and
# pinwb JSON, meta.json, bench.json, summary.md/summary.txt and gnuplot plots.
# The plan, the summary and the plots come from the Python module
# scripts/lib/pinwbbench; this script sets up the file system and sysctls,
# makes each run's buffer file and runs fio. The last line is
#   ratio median=X min=Y max=Z
# (side B / side A IOPS of the first cell).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

prog="pinwb bench"
# shellcheck source=lib/common.sh
. "$(dirname "$(readlink -f "$0")")/lib/common.sh"
# shellcheck source=lib/report.sh
. "$PINWB_TOP/scripts/lib/report.sh"

usage() {
	cat <<USAGE
usage: pinwb bench [--matrix FILE] [--quick] [--reps N] [--runtime S]
                   [--fs ext4|xfs|btrfs|DIR] [--out DIR] [--size SIZE]
                   [--image-size SIZE] [--client HOSTS] [--from-vm RUN_DIR]

Runs every cell of a matrix file (default workloads/bench-engines.matrix:
the pinwb engine against fio's io_uring engine). A matrix has one
'key = v1, v2' line per axis (engine, buffer, io, wb, rw, bs, iodepth,
sysctl vm.NAME) and 'compare = AXIS' naming the axis whose two values are
the sides (baseline first); see workloads/*.matrix. Each cell runs its two
sides in alternating pairs (AB, BA, ...), each run on a fresh sparse buffer
file of iodepth x bs bytes, after one uncounted 1 s warm-up per engine.
Prints a progress line per run and, per cell, the median with min-max of
IOPS, total latency and CPU per I/O of each side, and the ratio B/A.

  --matrix FILE    matrix file, or NAME for workloads/NAME.matrix
  --quick          3 s runs (the matrix's repetitions)
  --reps N         repetitions (pairs) per cell instead of the matrix's
                   (under 5 the set is marked a smoke run); --runs N is the same
  --runtime S      seconds per run instead of the matrix's
  --fs ...         as pinwb run (default ext4 on a loop device; needs root)
  --out DIR        the result set (default build/bench/<time>)
  --size SIZE      target file size instead of the matrix's (default 64m)
  --image-size S   loop image size (default 512M)
  --client HOSTS   run through fio's client/server mode: HOSTS is a file
                   (one fio address a line) or a comma list of host[:port],
                   each running 'fio --server'. Needs --fs DIR naming a
                   directory with the same path on every host (buffer files
                   are made there from here); rows carry their host and an
                   all-hosts row is added
  --from-vm RUN    make the result set from a VM run of the in-VM test
                   bench-matrix instead of running here:
                     scripts/pinwb vm --suite full --tests bench-matrix --out RUN
                   (--matrix defaults to bench-policy-vm, the matrix that
                   test follows; every planned run must be in RUN)
Exit: 0 ok, 1 a run failed or a verification mismatch, 2 usage or setup error.
USAGE
}

matrix="" from_vm=""
reps="" runtime="" quick=0 fs=ext4 fs_given=0 out="" size="" image_size=512M client=""
argv_json=$(json_argv "$0" "$@")
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--quick) quick=1; shift ;;
	--matrix | --reps | --runs | --runtime | --fs | --out | --size | --image-size | --client | --from-vm)
		if [ $# -lt 2 ] || [ -z "$2" ]; then
			die_usage "$1 needs a value (see pinwb bench --help)"
		fi
		case $1 in
		--matrix) matrix=$2 ;;
		--reps | --runs) reps=$2 ;; # --runs: the name before matrices
		--runtime) runtime=$2 ;;
		--fs) fs=$2; fs_given=1 ;;
		--out) out=$2 ;;
		--size) size=$2 ;;
		--image-size) image_size=$2 ;;
		--client) client=$2 ;;
		--from-vm) from_vm=$2 ;;
		esac
		shift 2
		;;
	*) die_usage "unknown argument '$1' (accepted: --matrix, --quick, --reps (or --runs), --runtime, --fs, --out, --size, --image-size, --client, --from-vm, --help)" ;;
	esac
done
if [ -z "$matrix" ]; then
	if [ -n "$from_vm" ]; then matrix=bench-policy-vm; else matrix=bench-engines; fi
fi
if [ -n "$from_vm" ] && [ ! -d "$from_vm" ]; then
	die_usage "--from-vm '$from_vm' is not a directory (a run directory of pinwb vm)"
fi
if [ ! -f "$matrix" ] && [ -f "$PINWB_TOP/workloads/$matrix.matrix" ]; then
	matrix=$PINWB_TOP/workloads/$matrix.matrix
fi
[ -f "$matrix" ] || die_usage "--matrix '$matrix' is neither a file nor workloads/NAME.matrix"
matrix=$(readlink -f "$matrix")
[ $quick -eq 0 ] || [ -n "$runtime" ] || runtime=3
if [ -n "$reps" ] && { ! is_uint "$reps" || [ "$reps" -lt 1 ]; }; then
	die_usage "--reps '$reps' is not a positive number"
fi
if [ -n "$runtime" ] && { ! is_uint "$runtime" || [ "$runtime" -lt 1 ]; }; then
	die_usage "--runtime '$runtime' is not a positive number of seconds"
fi
[ -z "$size" ] || is_size "$size" || die_usage "--size '$size' is not a size (e.g. 64m)"
is_size "$image_size" || die_usage "--image-size '$image_size' is not a size (e.g. 512M)"
case $fs in
ext4 | xfs | btrfs) ;;
*) [ -d "$fs" ] || die_usage "--fs '$fs' is not ext4, xfs, btrfs or an existing directory" ;;
esac
if [ -n "$client" ] && { [ $fs_given -eq 0 ] || [[ $fs =~ ^(ext4|xfs|btrfs)$ ]]; }; then
	die_usage "--client needs --fs DIR: a directory with the same path on every fio server host"
fi

bench_py() { PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$PINWB_TOP/scripts/lib PINWB_PROG="$prog" python3 -m pinwbbench "$@"; }

# A bad matrix stops here, before anything is set up.
bench_py check "$matrix" >/dev/null

# make_out: the result set directory, new or empty of bench results.
make_out() {
	if [ -n "$out" ]; then
		mkdir -p -- "$out" || die_setup "cannot create --out directory '$out'"
		out=$(cd "$out" && pwd)
		! dir_has "$out" bench.json meta.json plan.json runs || die_usage "--out directory '$out' already holds bench results; refusing to overwrite them"
	else
		out=$PINWB_TOP/build/bench/$(date -u +%Y%m%dT%H%M%SZ)
		mkdir -p "$(dirname "$out")"
		mkdir "$out" || die_setup "cannot create $out (another bench this second?)"
	fi
}

if [ -n "$from_vm" ]; then
	make_out
	cp -- "$matrix" "$out/matrix.txt"
	bench_py import-vm "$matrix" "$from_vm" "$out" --top "$PINWB_TOP" --fio "$PINWB_FIO" --argv "$argv_json"
	note "result set from the VM run $from_vm: $out"
	bench_py report "$out"
	exit 0
fi
mapfile -t sysctls < <(bench_py sysctls "$matrix")
if [ -n "$client" ] && [ ${#sysctls[@]} -gt 0 ]; then
	die_usage "--client: the matrix sets sysctls (${sysctls[*]}), which pinwb bench can only set on this host; run it on each host instead"
fi
for s in "${sysctls[@]}"; do
	f=/proc/sys/${s//.//}
	[ -e "$f" ] || die_setup "sysctl $s is not on this kernel ($(uname -r)); the pinwb series adds it: run this matrix on the patched kernel (pinwb vm)"
	[ -w "$f" ] || die_setup "sysctl $s is not writable (needs root)"
done

make_out
need_built

# restore_sysctl NAME VALUE: put back what the bench changed.
restore_sysctl() {
	echo "$2" >"/proc/sys/${1//.//}" || { warn "could not restore $1=$2"; return 1; }
}
install_traps
for s in "${sysctls[@]}"; do
	cleanup_push restore_sysctl "$s" "$(cat "/proc/sys/${s//.//}")"
done
fs_setup "$fs" "$image_size"
cp -- "$matrix" "$out/matrix.txt"
plan_args=(--fs-dir "$FS_DIR" --engine "$PINWB_ENGINE_SO" --workloads "$PINWB_TOP/workloads")
[ -z "$reps" ] || plan_args+=(--reps "$reps")
[ -z "$runtime" ] || plan_args+=(--runtime "$runtime")
[ -z "$size" ] || plan_args+=(--size "$size")
[ -z "$client" ] || plan_args+=(--hosts "$client")
bench_py plan "$matrix" "$out" "${plan_args[@]}" >"$out/plan.tsv"
bench_py meta "$out" --top "$PINWB_TOP" --fio "$PINWB_FIO" --argv "$argv_json" --matrix "$matrix" \
	--field "fs=$FS_KIND" --field "fs_source=$FS_SOURCE" --field "image_size=$image_size" \
	--field "matrix=$matrix" --field "engine=$PINWB_ENGINE_SO" --field "clients=$client"

# set_sysctls LIST: name=value,... or -.
set_sysctls() {
	local kv name
	[ "$1" != - ] || return 0
	for kv in ${1//,/ }; do
		name=${kv%%=*}
		echo "${kv#*=}" >"/proc/sys/${name//.//}" || die_setup "cannot set $name=${kv#*=}"
	done
}

# fresh_buffers LIST SIZE: each buffer file made anew, sparse, SIZE bytes,
# with the engine's record beside it removed (the bench owns both: they
# live in its private run directory).
fresh_buffers() {
	local b
	[ "$1" != - ] || return 0
	for b in ${1//,/ }; do
		rm -f -- "$b" "$b.pinwb-rec"
		truncate -s "$2" -- "$b" || die_setup "cannot create buffer file $b"
	done
}
drop_buffers() {
	local b
	[ "$1" != - ] || return 0
	for b in ${1//,/ }; do
		rm -f -- "$b" "$b.pinwb-rec"
	done
}

# one_run DIR ENGINE LABEL: fio with DIR/fio.args; 1 on failure or mismatch.
one_run() {
	local dir=$out/$1 engine=$2 label=$3 rc=0
	local -a args
	mapfile -t args <"$dir/fio.args"
	run_child "$PINWB_FIO" "${args[@]}" >"$dir/fio.console" 2>&1 || rc=$?
	if ! fio_json_split "$dir/fio.json"; then
		[ "$rc" -ne 0 ] || rc=1
	fi
	cat "$dir/fio.console" >>"$dir/fio.log"
	rm -f "$dir/fio.console"
	if [ "$rc" -ne 0 ]; then
		echo "$prog: $label: fio failed (exit $rc):" >&2
		tail -n 20 "$dir/fio.log" >&2
		return 1
	fi
	if [ "$engine" = pinwb ] && [ "$(verify_verdict "$dir")" = mismatch ]; then
		echo "$prog: $label: VERIFICATION MISMATCH ($dir)" >&2
		return 1
	fi
}

note "matrix $(basename "$matrix") on $FS_KIND${client:+ via fio --client $client}; results in $out"
start=$SECONDS
while IFS=$'\t' read -r kind idx total cell ncells rep nreps side dir bufsize sysctl_list bufs engine; do
	if [ "$kind" = warmup ]; then
		label="warm-up ($engine)"
		note "$label"
	else
		# The clock starts at the first counted run: warm-ups are not in the estimate.
		[ "$idx" -ne 1 ] || start=$SECONDS
		elapsed=$((SECONDS - start))
		eta="?"
		[ "$idx" -le 1 ] || eta=$((elapsed * (total - idx + 1) / (idx - 1)))
		label="run $idx/$total (cell $cell/$ncells, pair $rep/$nreps, $side)"
		note "$label, elapsed ${elapsed}s, about ${eta}s left"
	fi
	set_sysctls "$sysctl_list"
	fresh_buffers "$bufs" "$bufsize"
	one_run "$dir" "$engine" "$label" || exit 1
	drop_buffers "$bufs"
done <"$out/plan.tsv"

note "results: $out"
bench_py report "$out" --load-after
