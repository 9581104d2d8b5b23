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
                   [--release-from RUN_DIR]... [--max-load L] [--allow-loaded]

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
                   with --bench-matrix FILE (default bench-policy-vm). The
                   matrix is the one the guest was given (with --matrix,
                   it must be that one); RUN's plan must be the plan of
                   that matrix, every planned run must be in RUN with its
                   planned job file
  --release-from RUN  with --from-vm: another VM run of the same kernel (its
                   bzImage sha256) whose release-cost rows (gup-release-sweep)
                   join the set, with their ns/page plot; repeatable
  --max-load L     the quiet machine's limit (default 1): a result set (5 or
                   more pairs) is refused when this machine's 1-minute load
                   average is L or more before the runs; the summary flags
                   the set LOADED when it was, or when it reached L plus the
                   bench's own share (the CPU count, one more with a
                   writeback driver) before
                   any run or after the last one
  --allow-loaded   run a result set on a loaded machine anyway (flagged);
                   smoke runs (--reps under 5) are never refused, only flagged
Exit: 0 ok, 1 a run failed or a verification mismatch, 2 usage or setup error.
USAGE
}

matrix="" from_vm=""
release_from=()
reps="" runtime="" quick=0 fs=ext4 fs_given=0 out="" size="" image_size=512M client=""
max_load=1 allow_loaded=0
argv_json=$(json_argv "$0" "$@")
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--quick) quick=1; shift ;;
	--allow-loaded) allow_loaded=1; shift ;;
	--matrix | --reps | --runs | --runtime | --fs | --out | --size | --image-size | --client | --from-vm | --max-load | --release-from)
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
		--max-load) max_load=$2 ;;
		--release-from) release_from+=("$2") ;;
		esac
		shift 2
		;;
	*) die_usage "unknown argument '$1' (accepted: --matrix, --quick, --reps (or --runs), --runtime, --fs, --out, --size, --image-size, --client, --from-vm, --release-from, --max-load, --allow-loaded, --help)" ;;
	esac
done
# --from-vm without --matrix: the matrix the guest was given (its plan).
if [ -z "$matrix" ] && [ -z "$from_vm" ]; then
	matrix=bench-engines
fi
if [ -n "$from_vm" ] && [ ! -d "$from_vm" ]; then
	die_usage "--from-vm '$from_vm' is not a directory (a run directory of pinwb vm)"
fi
if [ ${#release_from[@]} -gt 0 ]; then
	[ -n "$from_vm" ] || die_usage "--release-from needs --from-vm (it adds a VM run's release-cost rows to a set made from a VM run)"
	for r in "${release_from[@]}"; do
		[ -d "$r" ] || die_usage "--release-from '$r' is not a directory (a run directory of pinwb vm)"
	done
fi
if [ -n "$matrix" ]; then
	if [ ! -f "$matrix" ] && [ -f "$PINWB_TOP/workloads/$matrix.matrix" ]; then
		matrix=$PINWB_TOP/workloads/$matrix.matrix
	fi
	[ -f "$matrix" ] || die_usage "--matrix '$matrix' is neither a file nor workloads/NAME.matrix"
	matrix=$(readlink -f "$matrix")
fi
[ $quick -eq 0 ] || [ -n "$runtime" ] || runtime=3
if [ -n "$reps" ] && { ! is_uint "$reps" || [ "$reps" -lt 1 ]; }; then
	die_usage "--reps '$reps' is not a positive number"
fi
if [ -n "$runtime" ] && { ! is_uint "$runtime" || [ "$runtime" -lt 1 ]; }; then
	die_usage "--runtime '$runtime' is not a positive number of seconds"
fi
[ -z "$size" ] || is_size "$size" || die_usage "--size '$size' is not a size (e.g. 64m)"
[[ $max_load =~ ^[0-9]+(\.[0-9]+)?$ ]] || die_usage "--max-load '$max_load': accepted values: a load average, e.g. 1 or 0.5"
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
[ -z "$matrix" ] || bench_py check "$matrix" >/dev/null

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
	rel_args=()
	for r in "${release_from[@]}"; do rel_args+=(--release-from "$r"); done
	[ -z "$matrix" ] || rel_args+=(--matrix "$matrix")
	bench_py import-vm "$from_vm" "$out" --top "$PINWB_TOP" --fio "$PINWB_FIO" --argv "$argv_json" \
		"${rel_args[@]}"
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

# A result set measures CPU and time: on a loaded machine it measures the
# load. Refused before anything is set up, unless asked for (then flagged).
load1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load1" -v m="$max_load" 'BEGIN { exit !(l >= m) }'; then
	nreps=${reps:-$(bench_py check "$matrix" | sed -n 's/.* x \([0-9]*\) reps$/\1/p')}
	if [ "$allow_loaded" -eq 1 ] || [ "${nreps:-0}" -lt 5 ]; then
		warn "LOADED MACHINE: 1-minute load average $load1 >= --max-load $max_load on $(nproc) CPUs; the set is flagged LOADED: do not quote its figures"
	else
		die_setup "machine load average $load1 (1 minute) >= --max-load $max_load on $(nproc) CPUs: the IOPS and CPU per I/O of a result set would measure the other load. Wait for a quiet machine, or pass --allow-loaded to run anyway (the set is flagged LOADED)"
	fi
fi

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
	--field "matrix=$matrix" --field "engine=$PINWB_ENGINE_SO" --field "clients=$client" \
	--field "max_load=$max_load" --field "allow_loaded=$allow_loaded"

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
	# the load just before each run: the summary flags a set that was loaded
	cp /proc/loadavg "$out/$dir/loadavg"
	fresh_buffers "$bufs" "$bufsize"
	one_run "$dir" "$engine" "$label" || exit 1
	drop_buffers "$bufs"
done <"$out/plan.tsv"

note "results: $out"
bench_py report "$out" --load-after
