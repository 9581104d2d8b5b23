#!/bin/sh
# shellcheck shell=dash
# A bench matrix in the guest, run from the plan the host wrote into the
# initramfs (scripts/vm/run.sh --bench-matrix FILE, default
# workloads/bench-policy-vm.matrix; scripts/lib/pinwbbench/guestplan.py):
# the same runs in the same order as `pinwb bench --matrix FILE` on a host,
# alternating pairs and uncounted warm-ups included. Per run: the sysctls of
# its cell, a fresh sparse buffer file of iodepth x bs bytes, fio on the
# planned job file (the guest's paths filled into its tokens), and for the
# pinwb engine a verification that must say intact. One progress line per
# run in the log and on the console. The numbers are not judged here:
# `pinwb bench --from-vm RUN_DIR` checks the runs against the plan and makes
# the result set.
#   PINWB_BENCH_PLAN     the plan directory (default $PINWB_ROOT/bench-plan)
#   PINWB_PROGRESS_TTY   where progress lines go besides the log
#                        (default /dev/console; /dev/null for none)
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

plan=${PINWB_BENCH_PLAN:-$PINWB_ROOT/bench-plan}
tty=${PINWB_PROGRESS_TTY:-/dev/console}
if [ ! -f "$plan/plan.tsv" ] || [ ! -f "$plan/plan.env" ]; then
	fail "no bench plan in $plan (the host writes it: scripts/vm/run.sh --bench-matrix)"
fi
PLAN_MATRIX='' PLAN_FS='' PLAN_SYSCTLS='' PLAN_ENGINES='' PLAN_RUNS=0 PLAN_CELLS=0 PLAN_RUNTIME=0
# shellcheck source=/dev/null # written by guestplan.py
. "$plan/plan.env"

[ -x "$FIO" ] || skip "fio not in the initramfs (built with --allow-missing)"
case " $PLAN_ENGINES " in *" pinwb "*) require_engine ;; esac
is_mounted "$PINWB_MNT/$PLAN_FS" || skip "$PLAN_FS test disk not mounted"
dir=$(fs_dir "$PLAN_FS") || fail "$PLAN_FS not mounted"

# sysctl_path vm.NAME: its file under /proc/sys.
sysctl_path() { echo "${PINWB_SYSCTL_ROOT:-/proc/sys}/$(echo "$1" | tr . /)"; }

# Every sysctl the plan sets must be on this kernel; each is put back at the
# end (the runner restores only its own list).
saved=''
for s in $PLAN_SYSCTLS; do
	f=$(sysctl_path "$s")
	[ -e "$f" ] || skip "no $s on this kernel ($(uname -r)): the plan ($PLAN_MATRIX) sets it"
	saved="$saved $s=$(cat "$f")"
done
restore() {
	local kv
	for kv in $saved; do
		echo "${kv#*=}" >"$(sysctl_path "${kv%%=*}")" || log "cannot restore ${kv%%=*}"
	done
	rm -rf "$dir"
}
trap restore EXIT
# the runner's watchdog ends a test with TERM: put things back then too
trap 'exit 1' TERM INT

# set_sysctls LIST: name=value,... or -; each read back.
set_sysctls() {
	local kv f
	[ "$1" != - ] || return 0
	for kv in $(echo "$1" | tr , ' '); do
		f=$(sysctl_path "${kv%%=*}")
		echo "${kv#*=}" >"$f" || fail "cannot write ${kv#*=} to ${kv%%=*}"
		[ "$(cat "$f")" = "${kv#*=}" ] || fail "${kv%%=*} reads $(cat "$f") after writing ${kv#*=}"
	done
}

# fill: the plan's tokens replaced by this guest's paths (guestplan.TOKENS).
# shellcheck disable=SC2153 # ENGINE is lib.sh's
fill() { sed -e "s|@OUT@|$PINWB_OUT|g" -e "s|@DIR@|$dir|g" -e "s|@ENGINE@|$ENGINE|g"; }

# fresh_buffers LIST SIZE: each buffer file (and the engine's record beside
# it) removed and made anew, sparse, SIZE bytes; drop_buffers LIST removes them.
drop_buffers() {
	local b
	[ "$1" != - ] || return 0
	for b in $(echo "$1" | fill | tr , ' '); do rm -f "$b" "$b.pinwb-rec"; done
}
fresh_buffers() {
	local b
	drop_buffers "$1"
	[ "$1" != - ] || return 0
	for b in $(echo "$1" | fill | tr , ' '); do
		dd if=/dev/null of="$b" bs=1 seek="$2" 2>/dev/null || fail "cannot make buffer file $b"
	done
}

progress() {
	log "$*"
	echo "bench-matrix: $*" >>"$tty" 2>/dev/null || true
}

# What the host needs to check the runs against its own plan.
mkdir -p "$PINWB_OUT/plan" || fail "cannot make $PINWB_OUT/plan"
cp "$plan/plan.tsv" "$plan/plan.env" "$plan/plan.json" "$plan/matrix.txt" "$PINWB_OUT/plan/" ||
	fail "cannot copy the plan to $PINWB_OUT/plan"
printf 'out=%s\ndir=%s\nengine=%s\n' "$PINWB_OUT" "$dir" "$ENGINE" >"$PINWB_OUT/guest.env"

now() { cut -d. -f1 /proc/uptime; }
tab=$(printf '\t')
start=$(now) n=0
while IFS=$tab read -r kind idx total cell ncells rep nreps side rdir bufsize sysctls bufs engine; do
	rd=$PINWB_OUT/$rdir
	if [ "$kind" = warmup ]; then
		label="warm-up ($engine)"
		progress "$label"
	else
		# the clock starts at the first counted run, as on the host
		[ "$idx" -ne 1 ] || start=$(now)
		el=$(($(now) - start))
		# before any counted run ends: fio's own time for all of them
		eta=$((total * PLAN_RUNTIME))
		[ "$idx" -le 1 ] || eta=$((el * (total - idx + 1) / (idx - 1)))
		label="cell $cell/$ncells run $idx/$total"
		progress "$label elapsed ${el}s eta ${eta}s (pair $rep/$nreps, $side)"
	fi
	mkdir -p "$rd" || fail "cannot make $rd"
	fill <"$plan/$rdir/job.fio" >"$rd/job.fio" || fail "cannot write $rd/job.fio"
	set_sysctls "$sysctls"
	cp /proc/loadavg "$rd/loadavg"
	fresh_buffers "$bufs" "$bufsize"
	rc=0
	"$FIO" --output-format=json --output="$rd/fio.json" "$rd/job.fio" >"$rd/fio.log" 2>&1 </dev/null || rc=$?
	drop_buffers "$bufs"
	[ "$rc" -eq 0 ] || fail "$rdir ($label): fio exited $rc: $(grep -v '^[[:space:]]*$' "$rd/fio.log" | tail -n 1 | cut -c1-160)"
	if [ "$engine" = pinwb ]; then
		result=$(report_value "$rd/bench.pinwb.json" verify result)
		[ "$result" = intact ] || fail "$rdir ($label): verification says '${result:-nothing}'"
	fi
	[ "$kind" = warmup ] || n=$((n + 1))
done <"$plan/plan.tsv"
[ "$n" -eq "$PLAN_RUNS" ] || fail "ran $n of the plan's $PLAN_RUNS runs"
kv runs "$n"
kv runtime_s "$PLAN_RUNTIME"
kv seconds $(($(now) - start))
note "$n runs of ${PLAN_RUNTIME}s intact ($PLAN_MATRIX: $PLAN_CELLS cells x 2 sides in alternating pairs); pinwb bench --from-vm makes the set"
