#!/bin/sh
# shellcheck shell=dash
# O_DIRECT reads land in a MAP_SHARED file mapping while the engine's
# writeback driver runs sync_file_range and fdatasync on it, so DMA hits
# folios under writeback. The stable-page detector (CONFIG_GUP_STABLE_PAGE_CHECK)
# hashes, around each write of a page-cache page that is maybe-pinned at
# submission or at completion, the page itself and what the device was given:
#   gup_stable_changed    the page changed under writeback (the hazard occurred)
#   gup_stable_violation  the data given to the device changed (not prevented)
# Under the same load, vm.gup_writeback_policy=0 (today's behaviour) must show
# both > 0, and policy 1 (GUP waits for writeback, writeback writes copies) the
# first > 0 and the second 0: the page changed, the copy written did not. The
# engine's verification passes in both. Both policies in the same boot.
# ext4: virtio-blk does not ask for stable writes, so ext4's page_mkwrite does
# not wait for writeback (btrfs always does, which would hide the race).
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
require_engine
for c in gup_stable_checked gup_stable_changed gup_stable_violation gup_stable_late_pin gup_stable_dropped; do
	have_counter "$c" || fail "$c missing from /proc/vmstat (CONFIG_GUP_STABLE_PAGE_CHECK not built in?)"
done
is_mounted "$PINWB_MNT/ext4" || fail "ext4 test disk not mounted"
dir=$(fs_dir ext4) || fail "cannot make a directory on ext4"

runtime=8
[ "$LONG" -eq 1 ] && runtime=30
job() {
	pinwb_run "$1" "$dir" "rw=randread" "bs=64k" "size=64m" "pinwb_io=sync" \
		"pinwb_buffer=file" "pinwb_buffer_size=2m" "pinwb_wb_modes=sfr,fdatasync" \
		"pinwb_wb_interval_us=0" "runtime=$runtime"
}

COUNTERS="gup_stable_checked gup_stable_changed gup_stable_violation gup_stable_late_pin gup_stable_dropped gup_wb_wait gup_fast_wb_fallback gup_wb_pinned_skipped gup_wb_pinned_written gup_wb_pinned_bounced gup_wb_pinned_unbounced"

# run_policy P: up to three runs at policy P, until the page has been seen
# changing under writeback (a race, so not every run shows it; at policy 0
# also until the device has been given changing data). Leaves the sums in
# the shell variables sum_<counter> and the number of runs in $try.
# (assigned through eval; named here for the reader and for shellcheck)
sum_gup_stable_checked=0 sum_gup_stable_changed=0 sum_gup_stable_violation=0
sum_gup_stable_late_pin=0 sum_gup_wb_pinned_bounced=0
run_policy() {
	set_sysctl gup_writeback_policy "$1"
	for c in $COUNTERS; do eval "sum_$c=0"; done
	try=0
	while [ "$try" -lt 3 ]; do
		try=$((try + 1))
		snap /tmp/vmstat.a
		job "policy$1.try$try"
		snap /tmp/vmstat.b
		expect_intact "policy$1.try$try"
		for c in $COUNTERS; do
			d=$(delta /tmp/vmstat.a /tmp/vmstat.b "$c")
			[ "$d" != missing ] || fail "$c missing from /proc/vmstat"
			eval "sum_$c=\$((sum_$c + d))"
		done
		[ "$sum_gup_stable_changed" -gt 0 ] || continue
		[ "$1" -eq 1 ] || [ "$sum_gup_stable_violation" -gt 0 ] || continue
		break
	done
	kv "policy$1.runs" "$try"
	for c in $COUNTERS; do eval "kv policy$1.$c \$sum_$c"; done
}

run_policy 0
[ "$sum_gup_stable_checked" -gt 0 ] || fail "policy 0: gup_stable_checked did not move in $try runs"
[ "$sum_gup_stable_changed" -gt 0 ] || fail "policy 0: no page changed under writeback in $try runs of ${runtime}s ($sum_gup_stable_checked checked): the load does not exercise the hazard"
[ "$sum_gup_stable_violation" -gt 0 ] || fail "policy 0: pages changed under writeback ($sum_gup_stable_changed) but the data given to the device never did: the detector cannot see the hazard"
p0="policy 0: changed $sum_gup_stable_changed, unstable $sum_gup_stable_violation of $sum_gup_stable_checked checked ($try runs)"

run_policy 1
[ "$sum_gup_stable_checked" -gt 0 ] || fail "policy 1: the detector checked no pages, so its silence proves nothing"
[ "$sum_gup_stable_changed" -gt 0 ] || fail "policy 1: no page changed under writeback in $try runs ($sum_gup_stable_checked checked): the load did not exercise the hazard, so 0 unstable writes proves nothing"
[ "$sum_gup_stable_violation" -eq 0 ] || fail "policy 1: the device was given changing data $sum_gup_stable_violation times ($sum_gup_stable_changed pages changed, $sum_gup_stable_late_pin late pins)"
note "$p0; policy 1: changed $sum_gup_stable_changed, unstable 0 of $sum_gup_stable_checked checked ($try runs, $sum_gup_wb_pinned_bounced pages copied); verify intact"
