#!/bin/sh
# shellcheck shell=dash
# O_DIRECT reads land in a MAP_SHARED file mapping while the engine's
# writeback driver runs sync_file_range and fdatasync on it, so DMA hits
# folios under writeback. With vm.gup_writeback_policy=0 (today's behaviour)
# the stable-page detector (patch 5) must catch a page changing under
# writeback: gup_stable_violation rises, which proves the detector can fire.
# With policy 1 GUP waits for writeback and writeback keeps pinned folios
# stable: the counter stays put. The engine's verification passes in both.
# Both policies in the same boot.
# ext4: virtio-blk does not ask for stable writes, so ext4's page_mkwrite does
# not wait for writeback (btrfs always does, which would hide the race).
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
require_engine
have_counter gup_stable_violation || fail "gup_stable_violation missing from /proc/vmstat"
is_mounted "$PINWB_MNT/ext4" || fail "ext4 test disk not mounted"
dir=$(fs_dir ext4) || fail "cannot make a directory on ext4"

runtime=8
[ "$LONG" -eq 1 ] && runtime=30
job() {
	pinwb_run "$1" "$dir" "rw=randread" "bs=64k" "size=64m" "pinwb_io=sync" \
		"pinwb_buffer=file" "pinwb_buffer_size=2m" "pinwb_wb_modes=sfr,fdatasync" \
		"pinwb_wb_interval_us=0" "runtime=$runtime"
}

# Policy 0: a race, so up to three runs until the detector has fired once.
set_sysctl gup_writeback_policy 0
checked0=0 viol0=0 try=0
while [ "$try" -lt 3 ] && [ "$viol0" -eq 0 ]; do
	try=$((try + 1))
	snap /tmp/vmstat.a
	job "policy0.try$try"
	snap /tmp/vmstat.b
	expect_intact "policy0.try$try"
	checked0=$((checked0 + $(delta /tmp/vmstat.a /tmp/vmstat.b gup_stable_checked)))
	viol0=$((viol0 + $(delta /tmp/vmstat.a /tmp/vmstat.b gup_stable_violation)))
done
kv policy0.runs "$try"
kv policy0.gup_stable_checked "$checked0"
kv policy0.gup_stable_violation "$viol0"
[ "$checked0" -gt 0 ] || fail "policy 0: gup_stable_checked did not move: detector not built in (CONFIG_GUP_STABLE_PAGE_CHECK)?"
[ "$viol0" -gt 0 ] || fail "policy 0: no stable-page violation in $try runs of ${runtime}s ($checked0 pages checked)"

# Policy 1: the same workload must not change a page under writeback.
set_sysctl gup_writeback_policy 1
snap /tmp/vmstat.a
job policy1
snap /tmp/vmstat.b
expect_intact policy1
for c in gup_stable_checked gup_stable_violation gup_wb_wait gup_fast_wb_fallback gup_wb_pinned_skipped gup_wb_pinned_bounced; do
	kv "policy1.$c" "$(delta /tmp/vmstat.a /tmp/vmstat.b "$c")"
done
viol1=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_stable_violation)
checked1=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_stable_checked)
[ "$checked1" -gt 0 ] || fail "policy 1: the detector checked no pages, so its silence proves nothing"
[ "$viol1" -eq 0 ] || fail "policy 1: gup_stable_violation rose by $viol1"
note "policy 0: $viol0 violations ($checked0 checked, $try runs); policy 1: 0 violations ($checked1 checked); verify intact"
