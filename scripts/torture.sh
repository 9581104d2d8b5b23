#!/usr/bin/env bash
# pinwb torture: a seeded sequence of short engine runs (rounds) on a fresh
# file system, each with its racers, each judged by the engine's own
# verification and again by pinwb-logcheck reading the buffer file from
# outside. Stops at the first failure, keeps the evidence and prints a
# one-line reproducer. Racers from here: drop_caches, a memory cgroup limit
# (reclaim of the buffer file), FICLONE of the buffer file (xfs, btrfs);
# from the engine (pinwb_race_*): fork, remap, mremap, truncate, punch.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

prog="pinwb torture" # read by lib/common.sh
# shellcheck source=lib/common.sh
. "$(dirname "$(readlink -f "$0")")/lib/common.sh"
# shellcheck source=lib/report.sh
. "$PINWB_TOP/scripts/lib/report.sh"
# shellcheck source=lib/torture_policy.sh
. "$PINWB_TOP/scripts/lib/torture_policy.sh"
LOGCHECK=${PINWB_LOGCHECK_BIN:-$PINWB_TOP/engines/pinwb-logcheck}
ENGINE_RACERS="fork remap mremap truncate punch"
ALL_RACERS=drop_caches,memcg,ficlone,${ENGINE_RACERS// /,}
# drop_caches is machine wide (and takes long on a host with a big page
# cache), so it runs only when asked for
DEFAULT_RACERS=memcg,ficlone,${ENGINE_RACERS// /,}

usage() {
	cat <<USAGE
usage: pinwb torture --duration S [--fs ext4|xfs|btrfs] [--seed N] [--out DIR]
                     [--policy safe|unsafe|keep]
                     [--racers LIST|none] [--max-ops N] [--image-size SIZE]
                     [--device-rounds N] [--device-method dm|synth]
                     [--replay-sample N] [--fault-hook CMD]

Runs rounds (one short engine job each: job, runtime, writeback modes and
interval, arena size and racers drawn from the seed) until S seconds have
passed, on a fresh file system on a private loop image. Each round passes
when fio and the engine's verification pass and 'pinwb-logcheck file' finds
no torn block in the buffer file. A progress line follows every round.
  --duration S   seconds to keep starting rounds (required)
  --fs           file system (default ext4)
  --seed N       seed of the operation sequence (default: from the time, printed)
  --out DIR      results (default build/torture/<time>): ops.log (one line per
                 round), progress.log, torture.json, meta.json (kernel, sysctls,
                 CPU, fio, commit), rounds/<n>/ (fio.log, report),
                 evidence/ on a failure
  --policy P     kernel settings for the run, restored after it (default keep):
                 safe: vm.gup_writeback_policy=1, long-term file pins allowed
                 and re-dirtied; unsafe: policy 0, long-term file pins without
                 re-dirtying; keep: leave the kernel as it is
  --racers LIST  comma list of $ALL_RACERS, or none (default
                 $DEFAULT_RACERS; drop_caches drops the whole machine's page
                 cache); those that cannot run here are named and left out;
                 the engine's racers (pinwb_race_*) say in each round's report
                 when a round's job or options leave one out
  --max-ops N    stop after N rounds even if time remains (0 = no limit)
  --image-size   sparse image size (default 1G)
  --device-rounds N  after the timed rounds, N rounds recorded on their own
                 file system through dm-log-writes (torture-record.sh), each
                 judged by the device check (pinwb-logcheck check) and crash
                 replay (torture-replay.sh); default 0
  --device-method dm (default) or synth (fsfreeze snapshots: hosts without
                 dm-log-writes); dm where the kernel has none skips those
                 rounds with the reason
  --replay-sample N  crash points replayed per device round (seeded; 0 = all,
                 the default)
  --fault-hook CMD  for tests: run CMD (sh -c) in every round after the buffer
                 file is synced and unmapped and before it is verified (the
                 engine's pinwb_before_verify; env PINWB_BUFFER_FILE)
The same seed gives the same ops.log (racer timings are part of each line).
Exit: 0 no failure, 1 a failure (reproducer printed), 2 usage or setup error.
USAGE
}

duration="" fs=ext4 seed="" out="" racers=$DEFAULT_RACERS max_ops=0 image_size=1G hook=""
device_rounds=0 device_method=dm replay_sample=0 policy=keep
argv_orig=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--duration | --fs | --seed | --out | --racers | --max-ops | --image-size | --fault-hook | \
		--device-rounds | --device-method | --replay-sample | --policy)
		if [ $# -lt 2 ] || [ -z "$2" ]; then die_usage "torture: $1 needs a value (see pinwb torture --help)"; fi
		case $1 in
		--duration) duration=$2 ;;
		--fs) fs=$2 ;;
		--seed) seed=$2 ;;
		--out) out=$2 ;;
		--racers) racers=$2 ;;
		--max-ops) max_ops=$2 ;;
		--image-size) image_size=$2 ;;
		--fault-hook) hook=$2 ;;
		--device-rounds) device_rounds=$2 ;;
		--device-method) device_method=$2 ;;
		--replay-sample) replay_sample=$2 ;;
		--policy) policy=$2 ;;
		esac
		shift 2
		;;
	*) die_usage "torture: unknown argument '$1' (accepted: --duration, --fs, --seed, --out, --policy, --racers, --max-ops, --image-size, --device-rounds, --device-method, --replay-sample, --fault-hook, --help)" ;;
	esac
done
[ -n "$duration" ] || die_usage "torture: --duration S is required (see pinwb torture --help)"
if ! is_uint "$duration" || [ "$duration" -eq 0 ]; then die_usage "torture: --duration '$duration' is not a positive number of seconds"; fi
case $fs in
ext4 | xfs | btrfs) ;;
*) die_usage "torture: --fs '$fs': accepted: ext4, xfs, btrfs" ;;
esac
[ -n "$seed" ] || seed=$(($(date +%s) % 1000000 + 1))
if ! is_uint "$seed" || [ "$seed" -eq 0 ] || [ "$seed" -gt 4294967295 ]; then
	die_usage "torture: --seed '$seed' is not a number from 1 to 4294967295"
fi
is_uint "$max_ops" || die_usage "torture: --max-ops '$max_ops' is not a number"
is_size "$image_size" || die_usage "torture: --image-size '$image_size' is not a size (e.g. 1G)"
is_uint "$device_rounds" || die_usage "torture: --device-rounds '$device_rounds' is not a number"
is_uint "$replay_sample" || die_usage "torture: --replay-sample '$replay_sample' is not a number"
case $device_method in
dm | synth) ;;
*) die_usage "torture: --device-method '$device_method': accepted: dm, synth" ;;
esac
policy_valid "$policy" || die_usage "torture: --policy '$policy': accepted: $POLICY_NAMES"
declare -A want=()
if [ "$racers" != none ]; then
	IFS=, read -r -a list <<<"$racers"
	for r in "${list[@]}"; do
		case $r in
		drop_caches | memcg | ficlone | fork | remap | mremap | truncate | punch) want[$r]=1 ;;
		*) die_usage "torture: --racers: '$r' is not one of $ALL_RACERS (or none)" ;;
		esac
	done
fi
need_built
[ -x "$LOGCHECK" ] || die_setup "torture: pinwb-logcheck not built at $LOGCHECK (run: make)"
[ "$(id -u)" -eq 0 ] || die_setup "torture: needs root (loop device, mkfs, mount, drop_caches, cgroups)"

if [ -n "$out" ]; then
	mkdir -p -- "$out" || die_setup "torture: cannot create --out '$out'"
	out=$(cd "$out" && pwd)
	! dir_has "$out" ops.log torture.json ||
		die_usage "torture: --out '$out' already holds a torture run; refusing to overwrite it"
else
	mkdir -p "$PINWB_TOP/build/torture"
	out=$(mktemp -d "$PINWB_TOP/build/torture/$(date -u +%Y%m%dT%H%M%SZ)-XXXX")
fi
mkdir -p "$out/rounds"

# --- racers available here ---------------------------------------------------
declare -A count=([drop_caches]=0 [memcg]=0 [ficlone]=0 [fork]=0 [remap]=0 [mremap]=0 [truncate]=0 [punch]=0
	[excused_slots]=0 [excused_reads]=0 [excused_writes]=0 [excused_faulted]=0) absent=()
memcg_kind=""
if [ -n "${want[memcg]:-}" ]; then
	if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
		memcg_kind=v2
	elif [ -d /sys/fs/cgroup/memory ]; then
		memcg_kind=v1
	else
		absent[memcg]="no memory cgroup controller mounted"
	fi
fi
if [ -n "${want[ficlone]:-}" ] && [ "$fs" = ext4 ]; then
	absent[ficlone]="ext4 has no reflink"
fi
for r in "${!absent[@]}"; do
	warn "racer $r left out: ${absent[$r]}"
	unset 'want[$r]'
done

install_traps
policy_apply "$policy"
fs_setup "$fs" "$image_size"

cg=""
if [ -n "${want[memcg]:-}" ]; then
	if [ "$memcg_kind" = v2 ]; then
		cg=/sys/fs/cgroup/pinwb-torture-$$
	else
		cg=/sys/fs/cgroup/memory/pinwb-torture-$$
	fi
	mkdir "$cg" || die_setup "torture: cannot create cgroup $cg"
	cleanup_push rmdir "$cg"
fi

# --- the seeded operation sequence ------------------------------------------
# Every draw happens in this shell (never in a subshell), so the sequence
# depends on the seed alone.
RANDOM=$((seed % 32768))
R=0
draw() { R=$(((RANDOM * 32768 + RANDOM) % $1)); }
pick() {
	draw $#
	PICK=${*:R+1:1}
}
# uring-fixedbufs: long-term pins of the buffer file where the kernel grants
# them (the series, ext4, vm.longterm_pin_file_mappings=1), else it runs on
# without registered buffers and says so (pinwb_fixedbufs_fallback)
jobs_list=(dio-read-uring dio-read-sync dio-write-uring uring-fixedbufs)
# shellcheck disable=SC2054 # each element is a comma list of modes
modes_list=(sfr,touch,fdatasync sfr dontneed,touch msync_sync,sfr fdatasync,touch none)
interval_list=(0 500 2000 10000)
arena_list=(256k 1m 4m)
# below what a round touches (fio lays the 32 MiB target out through the
# page cache), so the buffer file is reclaimed while it is pinned and in use
memcg_list=(16m 24m 32m)

# next_op N: sets OP_* for round N and the ops.log line OP_LINE.
next_op() {
	local n=$1 rl="" r
	pick "${jobs_list[@]}"; OP_JOB=$PICK
	draw 3; OP_RUNTIME=$((R + 1))
	pick "${modes_list[@]}"; OP_MODES=$PICK
	pick "${interval_list[@]}"; OP_INTERVAL=$PICK
	pick "${arena_list[@]}"; OP_ARENA=$PICK
	OP_DROP=0 OP_MEMCG="" OP_CLONE=0 OP_ENGINE=()
	for r in drop_caches memcg ficlone $ENGINE_RACERS; do
		# drawn whether or not the racer runs here, so the sequence of the
		# other fields does not depend on the machine
		draw 10
		local period=$(((R + 1) * 100))
		pick "${memcg_list[@]}"
		[ -n "${want[$r]:-}" ] || continue
		case $r in
		drop_caches) OP_DROP=$period; rl+=" drop_caches:${period}ms" ;;
		memcg) OP_MEMCG=$PICK; rl+=" memcg:$PICK" ;;
		ficlone) OP_CLONE=$period; rl+=" ficlone:${period}ms" ;;
		*)
			# the engine's racers act more often: 20..200 ms
			OP_ENGINE+=("pinwb_race_$r=$((period / 5))")
			rl+=" $r:$((period / 5))ms"
			;;
		esac
	done
	OP_LINE="op $n job=$OP_JOB runtime=${OP_RUNTIME}s wb_modes=$OP_MODES wb_interval_us=$OP_INTERVAL arena=$OP_ARENA racers=${rl# }"
	[ -n "$rl" ] || OP_LINE+=none
}

# racer_loop NAME PERIOD_MS COUNTFILE CMD...: run CMD every PERIOD_MS until
# killed; counts the runs where CMD returned 0 (3: nothing to act on yet).
racer_loop() {
	local name=$1 period=$2 cf=$3 n=0
	shift 3
	trap 'echo "$n" >"$cf"; exit 0' TERM
	while :; do
		sleep "$((period / 1000)).$(printf '%03d' $((period % 1000)))"
		local rc=0
		"$@" 2>>"$cf.err" || rc=$?
		case $rc in
		0) n=$((n + 1)) ;;
		3) ;; # nothing to act on yet (the buffer file is not created)
		*) echo "racer $name: $* failed (exit $rc)" >>"$cf.err" ;;
		esac
	done
}
# shellcheck disable=SC2317 # run by racer_loop
drop_caches_once() { echo 1 >/proc/sys/vm/drop_caches; }
# shellcheck disable=SC2317 # run by racer_loop
ficlone_once() {
	[ -e "$1" ] || return 3
	cp --reflink=always -- "$1" "$1.clone" && rm -f -- "$1.clone"
}

racer_pids=()
stop_racers() {
	local p
	for p in "${racer_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true # already gone: nothing to stop
		wait "$p" 2>/dev/null || true       # its status is its count file
	done
	racer_pids=()
}
cleanup_push stop_racers

memcg_events() {
	if [ "$memcg_kind" = v2 ]; then
		awk '$1 == "max" { print $2 }' "$cg/memory.events"
	else
		cat "$cg/memory.failcnt"
	fi
}

vmstat_of() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
# /proc/vmstat lags behind the per-CPU counts by up to a threshold per CPU;
# vm.stat_refresh folds them first (root; absent or refused: as it is)
vmstat_refresh() { echo 1 2>/dev/null >/proc/sys/vm/stat_refresh || true; }
vmstat_refresh
pin_acq0=$(vmstat_of nr_foll_pin_acquired) pin_rel0=$(vmstat_of nr_foll_pin_released)
# the series' stable-page detector (CONFIG_GUP_STABLE_PAGE_CHECK), when there
det_changed0=$(vmstat_of gup_stable_changed) det_viol0=$(vmstat_of gup_stable_violation)
det_cpu=0 # violations of write-only rounds that were the CPU's stores (torture_round.py)
dmesg_lines0=$(dmesg 2>/dev/null | wc -l)

: >"$out/ops.log"
ops=0 bytes=0 failures=0 memcg_hits=0 fail_what="" fail_op=0
start=$(date +%s)
# kernel, sysctls, CPU, fio and commit beside the results (meta.json)
PINWB_META_ARGV=$(json_argv scripts/pinwb torture "${argv_orig[@]}") write_meta "$out" \
	"command_kind=torture" "fs=$fs" "fs_source=$FS_SOURCE" "seed=$seed" "duration_s=$duration" \
	"racers=$racers" "device_rounds=$device_rounds" "device_method=$device_method" \
	"policy=$policy" "policy_settings=$POLICY_APPLIED"
enabled=$(printf '%s\n' "${!want[@]}" | sort | paste -sd, -)
note "seed $seed, $fs on $FS_SOURCE, ${duration}s, policy $policy${POLICY_APPLIED:+ ($POLICY_APPLIED)}, racers: ${enabled:-none}; results in $out"

run_round() {
	local n=$1 rc=0 txt
	local rdir=$out/rounds/$n buf=$FS_DIR/torture.pinwb-buf
	mkdir -p "$rdir"
	cp -- "$PINWB_TOP/workloads/$OP_JOB.fio" "$rdir/job.fio"
	cat >>"$rdir/job.fio" <<JOB
pinwb_buffer_file=$buf
pinwb_overwrite=1
pinwb_buffer_size=$OP_ARENA
pinwb_wb_modes=$OP_MODES
pinwb_wb_interval_us=$OP_INTERVAL
pinwb_seed=$seed
pinwb_fixedbufs_fallback=1
JOB
	[ ${#OP_ENGINE[@]} -eq 0 ] || printf '%s\n' "${OP_ENGINE[@]}" >>"$rdir/job.fio"
	[ -z "$hook" ] || echo "pinwb_before_verify=$hook" >>"$rdir/job.fio"
	local -a cmd=("$PINWB_FIO" --directory="$FS_DIR" "$rdir/job.fio")
	if [ -n "$OP_MEMCG" ]; then
		if [ "$memcg_kind" = v2 ]; then
			echo "$OP_MEMCG" >"$cg/memory.max"
		else
			echo "$OP_MEMCG" >"$cg/memory.limit_in_bytes"
		fi
		# shellcheck disable=SC2016 # expanded by that sh
		cmd=(sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$cg/cgroup.procs" "${cmd[@]}")
		[ "$memcg_kind" = v2 ] || cmd[4]=$cg/tasks
	fi
	PINWB_ENGINE=$PINWB_ENGINE_SO PINWB_RUNTIME=$OP_RUNTIME PINWB_SIZE=32m PINWB_REPORT_DIR=$rdir \
		"${cmd[@]}" >"$rdir/fio.log" 2>&1 &
	_pinwb_child=$!
	if [ "$OP_DROP" -gt 0 ]; then
		racer_loop drop_caches "$OP_DROP" "$rdir/drop_caches.count" drop_caches_once &
		racer_pids+=($!)
	fi
	if [ "$OP_CLONE" -gt 0 ]; then
		racer_loop ficlone "$OP_CLONE" "$rdir/ficlone.count" ficlone_once "$buf" &
		racer_pids+=($!)
	fi
	wait "$_pinwb_child" || rc=$?
	_pinwb_child=
	stop_racers
	local r c
	for r in drop_caches ficlone; do
		[ -f "$rdir/$r.count" ] || continue
		read -r c <"$rdir/$r.count"
		count[$r]=$((count[$r] + c))
	done
	if [ -n "$OP_MEMCG" ]; then
		count[memcg]=$((count[memcg] + 1))
		memcg_hits=$(memcg_events)
		[ "$memcg_kind" != v1 ] || cat "$cg/memory.max_usage_in_bytes" >"$rdir/memcg.max_usage"
	fi
	if [ "$rc" -ne 0 ]; then
		fail_what="fio exit $rc (verify: $(verify_verdict "$rdir" 2>/dev/null || echo unknown))"
		txt=$(grep -m 1 -o 'slot [0-9]* offset 0x[0-9a-f]*: .*' "$rdir/fio.log" || true) # absent when fio failed for another reason
		[ -z "$txt" ] || fail_what+=": $txt"
		return 1
	fi
	local slots c_fork c_remap c_mremap c_trunc c_punch e_slots e_reads e_writes e_faulted v_cpu
	read -r slots c_fork c_remap c_mremap c_trunc c_punch e_slots e_reads e_writes e_faulted _ v_cpu < <(
		python3 "$PINWB_TOP/scripts/lib/torture_round.py" "$rdir")
	det_cpu=$((det_cpu + v_cpu))
	bytes=$((bytes + slots * 4096))
	count[fork]=$((count[fork] + c_fork)) count[remap]=$((count[remap] + c_remap))
	count[mremap]=$((count[mremap] + c_mremap)) count[truncate]=$((count[truncate] + c_trunc))
	count[punch]=$((count[punch] + c_punch))
	count[excused_slots]=$((count[excused_slots] + e_slots))
	count[excused_reads]=$((count[excused_reads] + e_reads))
	count[excused_writes]=$((count[excused_writes] + e_writes))
	count[excused_faulted]=$((count[excused_faulted] + e_faulted))
	rc=0
	txt=$("$LOGCHECK" file "$buf" --seed "$seed" 2>&1) || rc=$?
	echo "$txt" >"$rdir/logcheck.txt"
	if [ "$rc" -ne 0 ]; then
		fail_what="pinwb-logcheck file: $(grep -m 1 '^TORN' <<<"$txt" || tail -n 1 <<<"$txt")"
		return 1
	fi
	bytes=$((bytes + $(stat -c %s "$buf")))
	# passed: the next round starts from a new buffer file
	rm -f -- "$buf" "$buf.pinwb-rec"
	return 0
}


while :; do
	elapsed=$(($(date +%s) - start))
	[ "$elapsed" -lt "$duration" ] || break
	[ "$max_ops" -eq 0 ] || [ "$ops" -lt "$max_ops" ] || break
	next_op $((ops + 1))
	echo "$OP_LINE" >>"$out/ops.log"
	rr=0
	run_round $((ops + 1)) || rr=1
	ops=$((ops + 1))
	elapsed=$(($(date +%s) - start))
	[ "$rr" -eq 0 ] || { failures=1; fail_op=$ops; }
	line="torture: ops $ops, verified $((bytes >> 20)) MiB, racers drop_caches=${count[drop_caches]} memcg=${count[memcg]} (limit hits $memcg_hits) ficlone=${count[ficlone]} fork=${count[fork]} remap=${count[remap]} mremap=${count[mremap]} truncate=${count[truncate]} punch=${count[punch]} (excused ${count[excused_slots]}/${count[excused_reads]}/${count[excused_writes]}, faulted ${count[excused_faulted]}), elapsed ${elapsed}s, failures $failures"
	echo "$line"
	echo "$line" >>"$out/progress.log"
	[ "$failures" -eq 0 ] || break
done

# --- device rounds: what reached the disk, and each crash point ---------------
dev_rounds=0 dev_blocks=0 dev_torn=0 dev_stores=0 dev_dma=0 cp_checked=0 cp_bad=0 dev_note=""
device_round() {
	local n=$1 rdir=$out/device/$1 rc=0 txt b t s r v judge=(--seed "$seed")
	# a write job's CPU fills its source slots through the mapping, and a
	# device without stable writes may be given a page mid-store: such a
	# block (the front of one block, the back of the slot's other one) is a
	# store in progress, not a DMA tear (pinwb-logcheck --cpu-stores). In a
	# read job the same mix comes from writeback meeting a read in flight
	# (fdatasync copies a page a DIO read is still filling): a read in
	# progress (--dma-reads), counted apart; whether the device was given
	# data that changed under it is the detector's count, judged per round.
	case $OP_JOB in *write*) judge+=(--cpu-stores) ;; *) judge+=(--dma-reads) ;; esac
	mkdir -p "$out/device"
	"$PINWB_TOP/scripts/torture-record.sh" --out "$rdir" --fs "$fs" --method "$device_method" \
		--runtime "$OP_RUNTIME" --seed "$seed" --job "$OP_JOB" >"$out/device/$n.record.txt" 2>&1 || rc=$?
	case $rc in
	0) ;;
	77) dev_note=$(sed -n 's/^SKIP: //p' "$out/device/$n.record.txt" | tail -n 1); return 77 ;;
	*) fail_what="device round $n: recording failed (exit $rc; $out/device/$n.record.txt)"; return 1 ;;
	esac
	dev_rounds=$((dev_rounds + 1))
	read -r txt < <(python3 "$PINWB_TOP/scripts/lib/torture_round.py" "$rdir")
	v=${txt##* }
	det_cpu=$((det_cpu + v))
	if [ "$fs" != btrfs ]; then
		rc=0
		"$LOGCHECK" check "$rdir/log" --map "$rdir/map" "${judge[@]}" --json "$rdir/check.json" >"$rdir/check.txt" 2>&1 || rc=$?
		[ "$rc" -le 1 ] || { fail_what="device round $n: pinwb-logcheck check: $(tail -n 1 "$rdir/check.txt")"; return 1; }
		read -r txt < <(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["blocks_logged"], d["torn_count"], d["cpu_stores"], d["dma_in_progress"])' "$rdir/check.json")
		read -r b t s r <<<"$txt"
		dev_blocks=$((dev_blocks + b)) dev_torn=$((dev_torn + t)) dev_stores=$((dev_stores + s)) dev_dma=$((dev_dma + r))
		if [ "$rc" -eq 1 ]; then
			fail_what="device round $n: torn on the device: $(grep -m 1 '^TORN' "$rdir/check.txt")"
			return 1
		fi
	fi
	rc=0
	"$PINWB_TOP/scripts/torture-replay.sh" --image "$rdir/orig.img" --log "$rdir/log" --fs "$fs" \
		--file torture.pinwb-buf --sample "$replay_sample" --seed "$seed" --out "$rdir/replay" \
		-- "${judge[@]}" >"$rdir/replay.console" 2>&1 || rc=$?
	[ "$rc" -le 1 ] || { fail_what="device round $n: replay failed: $(tail -n 1 "$rdir/replay.console")"; return 1; }
	read -r txt < <(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["crash_points_checked"], d["inconsistent"])' "$rdir/replay/replay.json")
	cp_checked=$((cp_checked + ${txt% *})) cp_bad=$((cp_bad + ${txt#* }))
	if [ "$rc" -eq 1 ]; then
		fail_what="device round $n: inconsistent crash point: $(grep -m 1 'inconsistent' "$rdir/replay/replay.txt")"
		return 1
	fi
	# the images are large and judged: keep only what a failure would need
	rm -f -- "$rdir/orig.img" "$rdir/log"
	return 0
}
d=0
while [ "$failures" -eq 0 ] && [ "$d" -lt "$device_rounds" ]; do
	d=$((d + 1))
	next_op "device$d"
	# recorded by torture-record.sh with its own arena and writeback settings,
	# without racers: only job and runtime come from the draw
	echo "op device$d job=$OP_JOB runtime=${OP_RUNTIME}s recorded=$device_method" >>"$out/ops.log"
	rc=0
	device_round "$d" || rc=$?
	[ "$rc" -ne 77 ] || { warn "device rounds skipped: $dev_note"; break; }
	[ "$rc" -eq 0 ] || { failures=1; fail_op=device$d; }
	line="torture: device rounds $dev_rounds, blocks logged $dev_blocks, torn $dev_torn, crash points $cp_checked, inconsistent $cp_bad, failures $failures"
	echo "$line"
	echo "$line" >>"$out/progress.log"
done

new_dmesg=$(dmesg 2>/dev/null | tail -n +$((dmesg_lines0 + 1)) | grep -E 'WARNING:|BUG:|Oops|KASAN|lockdep|possible recursive locking' || true) # none found is the normal case
if [ -n "$new_dmesg" ] && [ "$failures" -eq 0 ]; then
	failures=1 fail_op=$ops fail_what="kernel log: $(head -n 1 <<<"$new_dmesg")"
fi
# Every pin the rounds took is released once their processes are gone. A pin
# another process holds at the moment of reading shows as a difference that
# goes away, so it is looked at up to ten times over two seconds.
pins_balanced=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	vmstat_refresh
	pin_acq1=$(vmstat_of nr_foll_pin_acquired) pin_rel1=$(vmstat_of nr_foll_pin_released)
	[ "$((pin_acq1 - pin_acq0))" -ne "$((pin_rel1 - pin_rel0))" ] || { pins_balanced=1; break; }
	sleep 0.2
done
if [ "$pins_balanced" -eq 0 ] && [ "$failures" -eq 0 ]; then
	failures=1 fail_op=$ops
	fail_what="pin accounting: nr_foll_pin_acquired +$((pin_acq1 - pin_acq0)), nr_foll_pin_released +$((pin_rel1 - pin_rel0)) after the last round"
fi
det_changed="" det_viol="" det_unexplained=""
# a detector switched off (the series' default: debugfs gup_stable/enable=0)
# counts nothing, so its zeros are no verdict: reported as not measured
det_on=1
if [ -e "$POLICY_DEBUGFS/gup_stable/enable" ] && [ "$(cat "$POLICY_DEBUGFS/gup_stable/enable")" != 1 ]; then
	det_on=0
fi
if [ -n "$det_viol0" ] && [ "$det_on" -eq 1 ]; then
	det_changed=$(($(vmstat_of gup_stable_changed) - det_changed0))
	det_viol=$(($(vmstat_of gup_stable_violation) - det_viol0))
	# the kernel's own judge: data that changed while the device had it,
	# less what rounds that only write can show was the CPU's stores
	# (torture_round.py cpu_store_violations)
	det_unexplained=$((det_viol - det_cpu))
	[ "$det_unexplained" -ge 0 ] || det_unexplained=0
	if [ "$det_unexplained" -gt 0 ] && [ "$failures" -eq 0 ]; then
		failures=1 fail_op=$ops fail_what="detector: $det_unexplained page(s) reached the device unstable (gup_stable_violation $det_viol, of them CPU stores in write-only rounds $det_cpu)"
	fi
fi
reproducer="scripts/pinwb torture --duration $duration --fs $fs --seed $seed --max-ops $ops --racers $racers --policy $policy"
[ "$device_rounds" -eq 0 ] || reproducer+=" --device-rounds $device_rounds --device-method $device_method --replay-sample $replay_sample"
[ -z "$hook" ] || reproducer+=" --fault-hook $(printf '%q' "$hook")"
if [ "$failures" -ne 0 ]; then
	mkdir -p "$out/evidence"
	cp -- "$FS_DIR/torture.pinwb-buf" "$FS_DIR/torture.pinwb-buf.pinwb-rec" "$out/evidence/" 2>/dev/null ||
		warn "buffer file or record not there to keep"
	if [ -d "$out/rounds/$fail_op" ]; then
		cp -r -- "$out/rounds/$fail_op" "$out/evidence/round"
	elif [ -d "$out/device/${fail_op#device}" ]; then
		# the log excerpt: every entry listed, the recording itself left in place
		"$LOGCHECK" list "$out/device/${fail_op#device}/log" >"$out/evidence/log-entries.txt" 2>&1 ||
			warn "cannot list the device log"
	fi
	dmesg 2>/dev/null | tail -n 300 >"$out/evidence/dmesg.txt" || warn "dmesg not readable"
fi
python3 "$PINWB_TOP/scripts/lib/torture_json.py" "$out/torture.json" \
	"seed=$seed" "fs=$fs" "kernel=$(uname -r)" "duration_s=$duration" \
	"elapsed_s=$(($(date +%s) - start))" "ops=$ops" "bytes_verified=$bytes" \
	"racers.drop_caches=${count[drop_caches]}" "racers.memcg_rounds=${count[memcg]}" \
	"racers.memcg_limit_hits=$memcg_hits" "racers.ficlone=${count[ficlone]}" \
	"racers.fork=${count[fork]}" "racers.remap=${count[remap]}" "racers.mremap=${count[mremap]}" \
	"racers.truncate=${count[truncate]}" "racers.punch=${count[punch]}" \
	"racers.excused.slots=${count[excused_slots]}" "racers.excused.reads=${count[excused_reads]}" \
	"racers.excused.writes=${count[excused_writes]}" "racers.excused.faulted=${count[excused_faulted]}" \
	"policy.name=$policy" "policy.settings=$POLICY_APPLIED" \
	"detector.gup_stable_changed=$det_changed" "detector.gup_stable_violation=$det_viol" \
	"detector.violation_cpu_stores=$([ -n "$det_viol" ] && echo "$det_cpu")" \
	"detector.violation_unexplained=$det_unexplained" \
	"racers.enabled=$enabled" "failures=$failures" \
	"first_failure.op=$fail_op" "first_failure.what=$fail_what" \
	"device.rounds=$dev_rounds" "device.method=$device_method" "device.blocks_logged=$dev_blocks" \
	"device.torn=$dev_torn" "device.cpu_stores=$dev_stores" "device.dma_in_progress=$dev_dma" "device.crash_points_checked=$cp_checked" \
	"device.crash_points_inconsistent=$cp_bad" "device.skipped=$dev_note" \
	"pins.nr_foll_pin_acquired=$((pin_acq1 - pin_acq0))" \
	"pins.nr_foll_pin_released=$((pin_rel1 - pin_rel0))" "pins.balanced=$pins_balanced" \
	"command=pinwb torture ${argv_orig[*]}" "reproducer=$reproducer" \
	"result=$([ "$failures" -eq 0 ] && echo pass || echo fail)"
if [ "$failures" -ne 0 ]; then
	echo "$prog: FAILURE at op $fail_op: $fail_what (evidence in $out/evidence)" >&2
	echo "reproduce: $reproducer" >&2
	exit 1
fi
note "no failure in $ops rounds; record in $out/torture.json"
exit 0
