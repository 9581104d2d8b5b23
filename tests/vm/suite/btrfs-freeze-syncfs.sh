#!/bin/sh
# shellcheck shell=dash
# syncfs(2) and freeze on btrfs while O_DIRECT reads and writes go through a
# MAP_SHARED buffer file on it (the load of btrfs-file-buffer, which makes the
# stock kernel fail with -EUCLEAN). Each DIO completion can dirty a folio that
# writeback already cleaned, behind btrfs's back; the series hands such folios
# to a fixup worker that sets up their delalloc. That worker must not add
# error returns: syncfs(2) (`sync -f`) and FIFREEZE/FITHAW (`fsfreeze
# --freeze`, `--unfreeze`) run in a loop beside the load must never fail, the
# load must verify intact (writes landing while the fs is frozen wait for the
# thaw), the kernel log must stay clean and every file must read back from
# disk afterwards (btrfs checks its data checksums on that read). Checked at
# every vm.gup_writeback_policy value. The error check is first seen to fail:
# one round of the loop on an already frozen fs must record the EBUSY of the
# second freeze.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
require_engine
mnt=$PINWB_MNT/btrfs
is_mounted "$mnt" || skip "btrfs not mounted (kernel without btrfs?)"
command -v fsfreeze >/dev/null 2>&1 || skip "fsfreeze not in the guest"
sync -f / 2>/dev/null || skip "sync -f (syncfs) not supported by the guest's sync"

runtime=8
[ "$LONG" -eq 1 ] && runtime=30
policies=-
have_sysctl gup_writeback_policy && policies="0 1"
stop=/tmp/freeze-syncfs.stop
errlog=/tmp/freeze-syncfs.err
loop_pid=""
cleanup() {
	touch "$stop"
	[ -z "$loop_pid" ] || wait "$loop_pid" 2>/dev/null
	fsfreeze --unfreeze "$mnt" 2>/dev/null
	rm -f "$stop" "$errlog" /tmp/freeze-syncfs.ops
}
trap cleanup EXIT

# syncs_and_freezes DIR: syncfs and freeze/thaw DIR's fs until $stop exists;
# each failure is one line in $errlog, the number of rounds in .ops.
syncs_and_freezes() {
	local n=0
	while [ ! -e "$stop" ]; do
		sync -f "$1" 2>>"$errlog" || echo "syncfs failed (round $n)" >>"$errlog"
		if fsfreeze --freeze "$mnt" 2>>"$errlog"; then
			sleep 0.2
			fsfreeze --unfreeze "$mnt" 2>>"$errlog" || echo "thaw failed (round $n)" >>"$errlog"
		else
			echo "freeze failed (round $n)" >>"$errlog"
		fi
		n=$((n + 1))
		echo "$n" >/tmp/freeze-syncfs.ops
		sleep 0.1
	done
}

# run NAME: one load with the loop beside it; sets WHY ("" if all held).
run() {
	local name=$1 dir mark errs bad fails
	dir=$(fs_dir btrfs) || fail "cannot make a directory on btrfs"
	mark=$(kmsg_mark)
	rm -f "$stop" "$errlog" /tmp/freeze-syncfs.ops
	: >"$errlog"
	syncs_and_freezes "$dir" &
	loop_pid=$!
	pinwb_run "$name" "$dir" "rw=randrw" "pinwb_io=sync" "runtime=$runtime"
	touch "$stop"
	wait "$loop_pid"
	loop_pid=""
	fsfreeze --unfreeze "$mnt" 2>/dev/null
	ops=$(cat /tmp/freeze-syncfs.ops 2>/dev/null || echo 0)
	fails=$(wc -l <"$errlog")
	errs=$(kmsg_fs_errors "$mark" | wc -l)
	bad=$(readback_dir "$dir" | wc -l)
	kv "$name.rounds" "$ops"
	kv "$name.sync_freeze_errors" "$fails"
	kv "$name.kmsg_errors" "$errs"
	kv "$name.readback_errors" "$bad"
	WHY=""
	if [ "$JOB_RESULT" = none ]; then
		WHY="$name: no pinwb report, fio exited $JOB_RC"
	elif [ "$fails" -ne 0 ]; then
		WHY="$name: $fails syncfs/freeze failure(s): $(head -n 1 "$errlog")"
	elif [ "$ops" -eq 0 ]; then
		WHY="$name: no syncfs/freeze round completed beside the load"
	elif [ "$JOB_RC" -ne 0 ] || [ "$JOB_RESULT" != intact ] || [ "$JOB_KEPT" != intact ]; then
		WHY="$name: fio rc=$JOB_RC verify=$JOB_RESULT pinwb-verify=$JOB_KEPT"
	elif [ "$errs" -ne 0 ]; then
		WHY="$name: $errs error(s) in the kernel log: $(kmsg_fs_errors "$mark" | head -n 1)"
	elif [ "$bad" -ne 0 ]; then
		WHY="$name: $bad file(s) fail to read back from disk"
	fi
	log "$name: ${WHY:-ok} ($ops rounds)"
}

# The error check must see a failing freeze: the fs is frozen already.
fsfreeze --freeze "$mnt" || fail "cannot freeze $mnt for the self-check"
rm -f "$stop" /tmp/freeze-syncfs.ops
: >"$errlog"
( sleep 1; touch "$stop" ) &
syncs_and_freezes "$mnt"
wait
fsfreeze --unfreeze "$mnt" || fail "cannot thaw $mnt after the self-check"
grep -q "freeze failed" "$errlog" || fail "self-check: a freeze of a frozen fs was not recorded as failed: the error check cannot fail"
kv selfcheck.errors "$(wc -l <"$errlog")"

n=0 rounds=0
for pol in $policies; do
	[ "$pol" = - ] || set_sysctl gup_writeback_policy "$pol"
	run "p$pol"
	[ -z "$WHY" ] || fail "$WHY"
	rounds=$((rounds + ops))
	n=$((n + 1))
done
note "btrfs: $rounds syncfs + freeze/thaw rounds beside DIO reads into a MAP_SHARED file, no error, verify intact, log clean, read back ok ($n runs, policies $policies)"
