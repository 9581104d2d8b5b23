#!/bin/sh
# shellcheck shell=dash
# O_DIRECT reads land in a MAP_SHARED file mapping while the engine's
# writeback driver runs sync_file_range and fdatasync on it, so DMA hits
# folios under writeback. The stable-page detector (CONFIG_GUP_STABLE_PAGE_CHECK,
# off at boot, switched on here through debugfs gup_stable/enable) hashes,
# around each write of a page-cache page that is maybe-pinned at submission or
# at completion, the page itself and what the device was given:
#   gup_stable_changed    the page changed between submit_bio and completion
#   gup_stable_violation  the data given to the device changed in that window
# Under the same load, in one boot:
#   policy 0                      changed > 0 and violation > 0
#   policy 1                      changed > 0 and violation = 0 (copies)
#   policy 1 + gup_stable/fail_copy (the device is given the page-cache page
#                                 while a copy is counted) violation > 0
# The third run is the check seen to fail on an injected fault: without it, a
# zero at policy 1 could be a detector that cannot see the copy path. The
# engine's verification passes in the first two.
# ext4: virtio-blk does not ask for stable writes, so ext4's page_mkwrite does
# not wait for writeback (btrfs always does, which would hide the race).
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
require_engine
for c in gup_stable_checked gup_stable_changed gup_stable_violation gup_stable_late_pin gup_stable_dropped; do
	have_counter "$c" || fail "$c missing from /proc/vmstat (CONFIG_GUP_STABLE_PAGE_CHECK not built in?)"
done
dbg=/sys/kernel/debug/gup_stable
{ [ -e "$dbg/enable" ] && [ -e "$dbg/fail_copy" ]; } ||
	fail "$dbg/enable or fail_copy missing (CONFIG_GUP_STABLE_PAGE_CHECK built, debugfs not mounted?)"
is_mounted "$PINWB_MNT/ext4" || fail "ext4 test disk not mounted"
dir=$(fs_dir ext4) || fail "cannot make a directory on ext4"

# The detector and the fault are off at boot; leave them so.
[ "$(cat "$dbg/enable")" = 0 ] || fail "$dbg/enable is $(cat "$dbg/enable") at the start, not 0"
trap 'echo N >"$dbg/fail_copy"; echo 0 >"$dbg/enable"' EXIT
echo 1 >"$dbg/enable" || fail "cannot switch the detector on ($dbg/enable)"

runtime=8
[ "$LONG" -eq 1 ] && runtime=30
job() {
	pinwb_run "$1" "$dir" "rw=randread" "bs=64k" "size=64m" "pinwb_io=sync" \
		"pinwb_buffer=file" "pinwb_buffer_size=2m" "pinwb_wb_modes=sfr,fdatasync" \
		"pinwb_wb_interval_us=0" "runtime=$runtime"
}

COUNTERS="gup_stable_checked gup_stable_changed gup_stable_violation gup_stable_late_pin gup_stable_dropped gup_wb_wait gup_fast_wb_fallback gup_wb_pinned_skipped gup_wb_pinned_written gup_wb_pinned_bounced gup_wb_pinned_unbounced"

# run_policy NAME P FAULT: up to three runs at policy P with fail_copy=FAULT
# (Y|N), until the page has been seen changing under writeback (a race, so
# not every run shows it) and, where violations are expected (policy 0, or
# the fault), until the device has been given changing data. Leaves the sums
# in the shell variables sum_<counter> and the number of runs in $try.
# (assigned through eval; named here for the reader and for shellcheck)
sum_gup_stable_checked=0 sum_gup_stable_changed=0 sum_gup_stable_violation=0
sum_gup_stable_late_pin=0 sum_gup_wb_pinned_bounced=0
sum_gup_wb_pinned_unbounced=0 sum_gup_stable_dropped=0
run_policy() {
	local name=$1 policy=$2 fault=$3 want_violation=1
	[ "$policy" -eq 1 ] && [ "$fault" = N ] && want_violation=0
	set_sysctl gup_writeback_policy "$policy"
	echo "$fault" >"$dbg/fail_copy" || fail "cannot write $fault to $dbg/fail_copy"
	for c in $COUNTERS; do eval "sum_$c=0"; done
	try=0
	while [ "$try" -lt 3 ]; do
		try=$((try + 1))
		snap /tmp/vmstat.a
		job "$name.try$try"
		snap /tmp/vmstat.b
		if [ "$fault" = N ]; then
			expect_intact "$name.try$try"
		else
			job_ran "$name.try$try"
		fi
		for c in $COUNTERS; do
			d=$(delta /tmp/vmstat.a /tmp/vmstat.b "$c")
			[ "$d" != missing ] || fail "$c missing from /proc/vmstat"
			eval "sum_$c=\$((sum_$c + d))"
		done
		[ "$sum_gup_stable_changed" -gt 0 ] || continue
		[ "$want_violation" -eq 0 ] || [ "$sum_gup_stable_violation" -gt 0 ] || continue
		break
	done
	echo N >"$dbg/fail_copy"
	kv "$name.runs" "$try"
	for c in $COUNTERS; do eval "kv $name.\$c \$sum_$c"; done
}

run_policy policy0 0 N
[ "$sum_gup_stable_checked" -gt 0 ] || fail "policy 0: gup_stable_checked did not move in $try runs"
[ "$sum_gup_stable_changed" -gt 0 ] || fail "policy 0: no page changed under writeback in $try runs of ${runtime}s ($sum_gup_stable_checked checked): the load does not exercise the hazard"
[ "$sum_gup_stable_violation" -gt 0 ] || fail "policy 0: pages changed under writeback ($sum_gup_stable_changed) but the data given to the device never did: the detector cannot see the hazard"
p0="policy 0: changed $sum_gup_stable_changed, violation $sum_gup_stable_violation of $sum_gup_stable_checked checked ($try runs)"

run_policy policy1 1 N
[ "$sum_gup_stable_checked" -gt 0 ] || fail "policy 1: the detector checked no pages, so its silence proves nothing"
[ "$sum_gup_stable_changed" -gt 0 ] || fail "policy 1: no page changed under writeback in $try runs ($sum_gup_stable_checked checked): the load did not exercise the hazard, so 0 violations proves nothing"
[ "$sum_gup_stable_violation" -eq 0 ] || fail "policy 1: the device was given changing data $sum_gup_stable_violation times ($sum_gup_stable_changed pages changed, $sum_gup_stable_late_pin late pins, $sum_gup_wb_pinned_unbounced written without a copy)"
p1="policy 1: changed $sum_gup_stable_changed, violation 0 of $sum_gup_stable_checked checked ($try runs, $sum_gup_wb_pinned_bounced pages copied, $sum_gup_stable_dropped unchecked)"

run_policy policy1-fail-copy 1 Y
[ "$sum_gup_wb_pinned_bounced" -gt 0 ] || fail "policy 1 with fail_copy: no copy was counted, so the fault was never injected"
[ "$sum_gup_stable_violation" -gt 0 ] || fail "policy 1 with fail_copy: the device was given the page-cache page $sum_gup_wb_pinned_bounced times ($sum_gup_stable_changed pages changed) and the detector saw no violation: it cannot see a missing copy"
note "$p0; $p1; policy 1 + fail_copy: changed $sum_gup_stable_changed, violation $sum_gup_stable_violation ($try runs); verify intact at policies 0 and 1"
