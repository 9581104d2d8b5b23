#!/bin/sh
# shellcheck shell=dash
# fsync(2) right after the CQE of a READ_FIXED into a file-backed registered
# buffer must find the data (vm.longterm_pin_file_mappings=1, ext4). The
# completion re-dirties the buffer's folios with trylocks only; when a lock is
# busy the CQE must wait for the ring's worker, which re-dirties with the lock
# taken and only then posts it. The debugfs switch
# io_uring/defer_file_redirty_ms (CONFIG_IO_URING_DEBUG_REDIRTY) forces that
# path: every completion finds the locks busy and the worker waits that long
# first. uring-fsync-probe (tests/vm/helpers/) then fsyncs on the CQE and reads
# the file's blocks back from the device with O_DIRECT, from outside the page
# cache, for each completion path (task_work, inline, io-wq). Fault:
# io_uring/defer_file_redirty_early_cqe=1 posts the CQE before
# the deferred re-dirtying (v3's behaviour): the probe must find stale blocks.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
PROBE=$PINWB_ROOT/bin/uring-fsync-probe
DBG=/sys/kernel/debug/io_uring
[ -x "$PROBE" ] || skip "uring-fsync-probe not in the initramfs"
case " $PINWB_FS " in
*" ext4 "*) ;;
*) skip "no ext4 mounted (the only file system that allows file-backed fixed buffers)" ;;
esac
[ -e "$DBG/defer_file_redirty_ms" ] ||
	skip "$DBG/defer_file_redirty_ms missing (kernel without CONFIG_IO_URING_DEBUG_REDIRTY, or older series): cannot force the deferral"
dev=$(awk -v m="$PINWB_MNT/ext4" '$2 == m { print $1 }' /proc/mounts)
[ -b "$dev" ] || fail "cannot find the block device of $PINWB_MNT/ext4 (got '$dev')"
set_sysctl longterm_pin_file_mappings 1
faults_off() {
	echo 0 >"$DBG/defer_file_redirty_ms"
	echo 0 >"$DBG/defer_file_redirty_early_cqe"
}
trap faults_off EXIT

# probe NAME [PROBE-OPTION...]: one probe run in a fresh directory; sets RC,
# ONDISK, DEFERRED.
probe() {
	local d name=$1
	shift
	d=$(fs_dir ext4) || fail "ext4 not mounted"
	snap /tmp/vmstat.a
	RC=0
	"$PROBE" "$@" "$d" "$dev" >"$PINWB_OUT/$name.out" 2>&1 || RC=$?
	snap /tmp/vmstat.b
	sed "s/^/  [$name] /" "$PINWB_OUT/$name.out"
	grep -q '^register=ok$' "$PINWB_OUT/$name.out" ||
		fail "$name: registration not ok with longterm_pin_file_mappings=1 on ext4: $(head -n 1 "$PINWB_OUT/$name.out")"
	ONDISK=$(sed -n 's/^ondisk=//p' "$PINWB_OUT/$name.out")
	DEFERRED=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_longterm_file_deferred)
	kv "$name.ondisk" "$ONDISK"
	kv "$name.rc" "$RC"
	kv "$name.gup_longterm_file_deferred" "$DEFERRED"
	rm -rf "$d"
}

faults_off
probe plain
if [ "$RC" -ne 0 ] || [ "$ONDISK" != written ]; then
	fail "plain: fsync after the CQE left '$ONDISK' on disk (probe exit $RC)"
fi

# Every completion path that can hold the CQE back: O_DIRECT (task_work),
# buffered from the page cache (inline at issue), buffered and O_DIRECT
# issued from io-wq.
echo 500 >"$DBG/defer_file_redirty_ms"
deferred=0
for how in deferred: deferred_inline:--buffered deferred_iowq:--buffered,--async deferred_iowq_dio:--async; do
	name=${how%%:*}
	opts=$(echo "${how#*:}" | tr ',' ' ')
	# shellcheck disable=SC2086 # the options are words
	probe "$name" $opts
	[ "$DEFERRED" -gt 0 ] || fail "$name: gup_longterm_file_deferred did not rise: the deferral was not forced"
	if [ "$RC" -ne 0 ] || [ "$ONDISK" != written ]; then
		fail "$name: fsync after the CQE of a deferred re-dirtying left '$ONDISK' on disk (probe exit $RC)"
	fi
	deferred=$((deferred + DEFERRED))
done

# The worker waits 3 s before re-dirtying; fsync and the device read take far
# less, so with the CQE posted first they must see the old blocks.
echo 3000 >"$DBG/defer_file_redirty_ms"
echo 1 >"$DBG/defer_file_redirty_early_cqe"
probe early_cqe
[ "$DEFERRED" -gt 0 ] || fail "fault: gup_longterm_file_deferred did not rise: the deferral was not forced"
case $ONDISK in
stale:*) ;;
*) fail "fault (CQE before the re-dirtying): the probe found '$ONDISK', expected stale blocks: the check cannot see the gap" ;;
esac
[ "$RC" -eq 1 ] || fail "fault: the probe found stale blocks but exited $RC"
faults_off
# Let the fault's late re-dirtying run before the next test.
sleep 4
note "fsync on the CQE finds the data: plain, and with the re-dirtying deferred ($deferred folios over task_work, inline, io-wq buffered and O_DIRECT completions); CQE-first fault: $ONDISK"
