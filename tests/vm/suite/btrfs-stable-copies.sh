#!/bin/sh
# shellcheck shell=dash
# btrfs reads the data of a write before submit_bio(): data checksums, one
# bio per RAID1/DUP mirror, RAID5/6 parity. With vm.gup_writeback_policy=1
# the series makes btrfs take one copy of each DMA-pinned page of a data
# write before any of that (btrfs_submit_bbio() -> blk_pin_copy_bio();
# gup_wb_pinned_bounced_early counts the pages), so the checksum and every
# device see the same snapshot. Load: O_DIRECT reads land in a MAP_SHARED
# buffer file on btrfs while the writeback driver runs sync_file_range and
# fdatasync on it, so DMA hits folios under writeback.
#   policy 1: early copies taken (> 0), engine verification intact, no btrfs
#             checksum error in the kernel log, and every file reads back after
#             dropping the page cache (btrfs verifies data checksums on that
#             read; the guest has no btrfs-progs for a scrub).
#             Its files are kept, so that `btrfs check --check-data-csum` can
#             be run on the image afterwards (scripts/vm/run.sh --keep-disks).
#   policy 1 + gup_stable/fail_copy (the copies are counted but not made, the
#             device and the checksum get the page-cache page): the same
#             checks must fail (checksum errors on read back, or the
#             stable-page detector's gup_stable_violation > 0), so the checks
#             are seen to catch a missing copy.
# dmesg-allow: BTRFS (error|warning|info) .*csum failed
# dmesg-allow: BTRFS (error|warning|info) .*bdev .* errs:
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
require_engine
is_mounted "$PINWB_MNT/btrfs" || skip "btrfs not mounted (kernel without btrfs?)"
have_counter gup_wb_pinned_bounced_early || fail "gup_wb_pinned_bounced_early missing from /proc/vmstat"
dbg=/sys/kernel/debug/gup_stable
have_fault=0
[ -e "$dbg/fail_copy" ] && have_fault=1

runtime=8
[ "$LONG" -eq 1 ] && runtime=30
# job NAME DIR: the load; sets WHY to why its checks did not hold ("" if they did).
job() {
	local name=$1 dir=$2 mark errs bad
	mark=$(kmsg_mark)
	pinwb_run "$name" "$dir" "rw=randread" "bs=64k" "size=64m" "pinwb_io=sync" \
		"pinwb_buffer=file" "pinwb_buffer_size=2m" "pinwb_wb_modes=sfr,fdatasync" \
		"pinwb_wb_interval_us=0" "runtime=$runtime"
	errs=$(kmsg_fs_errors "$mark" | wc -l)
	bad=$(readback_dir "$dir" | wc -l)
	kv "$name.kmsg_errors" "$errs"
	kv "$name.readback_errors" "$bad"
	WHY=""
	if [ "$JOB_RESULT" = none ]; then
		WHY="no pinwb report, fio exited $JOB_RC"
	elif [ "$errs" -ne 0 ]; then
		WHY="$errs btrfs error(s) in the kernel log: $(kmsg_fs_errors "$mark" | head -n 1)"
	elif [ "$bad" -ne 0 ]; then
		WHY="$bad file(s) fail to read back from disk (data checksums)"
	fi
	log "$name: ${WHY:-checks hold}"
}

set_sysctl gup_writeback_policy 1
tries=0 early=0
while [ "$tries" -lt 3 ] && [ "$early" -eq 0 ]; do
	tries=$((tries + 1))
	dir=$(fs_dir btrfs) || fail "cannot make a directory on btrfs"
	snap /tmp/vmstat.a
	job "policy1.try$tries" "$dir"
	snap /tmp/vmstat.b
	[ -z "$WHY" ] || fail "policy 1: $WHY"
	expect_intact "policy1.try$tries"
	early=$((early + $(delta /tmp/vmstat.a /tmp/vmstat.b gup_wb_pinned_bounced_early)))
done
kv policy1.runs "$tries"
kv policy1.gup_wb_pinned_bounced_early "$early"
[ "$early" -gt 0 ] || fail "policy 1: no early copy in $tries runs of ${runtime}s: the load did not write pinned pages, so clean checksums prove nothing"
p1="policy 1: $early pages copied before checksumming, checksums clean, read back ok ($tries runs)"

[ "$have_fault" -eq 1 ] || { note "$p1; fault leg not run: $dbg/fail_copy missing (CONFIG_GUP_STABLE_PAGE_CHECK off)"; exit 0; }
trap 'echo N >"$dbg/fail_copy"; echo 0 >"$dbg/enable"' EXIT
echo 1 >"$dbg/enable" || fail "cannot switch the detector on"
echo Y >"$dbg/fail_copy" || fail "cannot inject fail_copy"
tries=0 seen=""
while [ "$tries" -lt 3 ] && [ -z "$seen" ]; do
	tries=$((tries + 1))
	dir=$(fs_dir btrfs) || fail "cannot make a directory on btrfs"
	snap /tmp/vmstat.a
	job "fault.try$tries" "$dir"
	snap /tmp/vmstat.b
	job_ran "fault.try$tries"
	viol=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_stable_violation)
	kv "fault.try$tries.gup_stable_violation" "$viol"
	[ -n "$WHY" ] && seen="$WHY"
	[ -z "$seen" ] && [ "$viol" -gt 0 ] && seen="gup_stable_violation $viol (no checksum error caught)"
	# Bad checksums on purpose: not left for later tests or a later check
	rm -rf "$dir"
done
echo N >"$dbg/fail_copy"
kv fault.runs "$tries"
[ -n "$seen" ] || fail "policy 1 with fail_copy: the device and the checksums were given the page-cache page and no check failed in $tries runs: the checks cannot see a missing copy"
note "$p1; with fail_copy the checks fail: $seen ($tries runs)"
