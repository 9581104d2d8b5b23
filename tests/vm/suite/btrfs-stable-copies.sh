#!/bin/sh
# shellcheck shell=dash
# btrfs reads the data of a write before submit_bio(): data checksums, one
# bio per RAID1/DUP mirror, RAID5/6 parity. With vm.gup_writeback_policy=1
# the series makes btrfs take one copy of each DMA-pinned page of a data
# write before any of that (btrfs_submit_chunk() -> blk_pin_copy_bio();
# gup_wb_pinned_bounced_early counts the pages), so the checksum and every
# device see the same snapshot. Where a copy could only be had by waiting,
# the write ends before it and the rest is copied after (no page written in
# place for want of memory). Load: O_DIRECT reads land in a MAP_SHARED
# buffer file on btrfs while the writeback driver runs sync_file_range and
# fdatasync on it, so DMA hits folios under writeback.
#   policy 1: early copies taken (> 0), engine verification intact, no btrfs
#             checksum error in the kernel log, and every file reads back after
#             dropping the page cache (btrfs verifies data checksums on that
#             read; the guest has no btrfs-progs for a scrub).
#             Its files are kept, so that `btrfs check --check-data-csum` can
#             be run on the image afterwards (scripts/vm/run.sh --keep-disks).
#   policy 1 + gup_stable/fail_copy (the copies are counted but not made, the
#             device and the checksum get the page-cache page): the stable-page
#             detector must count gup_stable_violation > 0, so the detector is
#             seen to catch a missing copy. The checksum read-back is run and
#             reported there too, but it is not claimed: it fails only if the
#             DMA lands between the checksum and the device transfer, which
#             this load has not been seen to do, so a clean read-back at
#             policy 1 is a regression check, not proof of the copies.
#   policy 1 + detector + gup_stable/fail_nowait (every copy that may not wait
#             fails, as under memory pressure): only the first copy of a
#             write may wait (copies go back to the pool only when the whole
#             write completes), so copies are still taken (> 0) and the
#             pinned pages that got none are written in place and counted:
#             gup_wb_pinned_unbounced > 0 (the degradation is never silent);
#             gup_stable_violation is reported. Skipped on kernels without
#             fail_nowait.
#   policy 1 with most of the memory taken by a tmpfs hog: the same checks as
#             the first leg; gup_wb_pinned_unbounced is reported.
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
	pinwb_run "$name" "$dir" "rw=randread" "bs=64k" "size=${JOB_SIZE:-64m}" "pinwb_io=sync" \
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
	kv "fault.try$tries.readback_or_kmsg" "${WHY:-clean}"
	[ "$viol" -gt 0 ] && seen="gup_stable_violation $viol (checksum read-back: ${WHY:-clean})"
	# Bad checksums on purpose: not left for later tests or a later check
	rm -rf "$dir"
done
echo N >"$dbg/fail_copy"
kv fault.runs "$tries"
[ -n "$seen" ] || fail "policy 1 with fail_copy: the device and the checksums were given the page-cache page and the detector saw no violation in $tries runs: it cannot see a missing copy"
p2="with fail_copy the detector fails: $seen ($tries runs)"

# Every copy that may not wait fails: what gets no copy must be counted.
p3="fail_nowait leg not run: $dbg/fail_nowait missing"
if [ -e "$dbg/fail_nowait" ]; then
	trap 'echo N >"$dbg/fail_nowait"; echo N >"$dbg/fail_copy"; echo 0 >"$dbg/enable"' EXIT
	echo Y >"$dbg/fail_nowait" || fail "cannot inject fail_nowait"
	dir=$(fs_dir btrfs) || fail "cannot make a directory on btrfs"
	snap /tmp/vmstat.a
	job nowait "$dir"
	snap /tmp/vmstat.b
	echo N >"$dbg/fail_nowait"
	[ -z "$WHY" ] || fail "policy 1 with fail_nowait: $WHY"
	expect_intact nowait
	for c in gup_wb_pinned_bounced_early gup_wb_pinned_unbounced gup_stable_violation gup_stable_checked; do
		kv "nowait.$c" "$(delta /tmp/vmstat.a /tmp/vmstat.b "$c")"
	done
	early=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_wb_pinned_bounced_early)
	unb=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_wb_pinned_unbounced)
	viol=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_stable_violation)
	[ "$early" -gt 0 ] || fail "policy 1 with fail_nowait: no early copy: the load did not write pinned pages"
	[ "$unb" -gt 0 ] || fail "policy 1 with fail_nowait: every copy after the first failed and gup_wb_pinned_unbounced did not move: pinned pages written in place uncounted"
	p3="with fail_nowait $early pages still copied, $unb written in place and counted, $viol violation(s)"
fi
echo 0 >"$dbg/enable"

# Memory pressure: leave about 96 MiB to the guest, as reclaim-small-mem does.
hog=/tmp/stable-copies-hog
trap 'umount "$hog" 2>/dev/null; rmdir "$hog" 2>/dev/null; echo N >"$dbg/fail_nowait" 2>/dev/null; echo N >"$dbg/fail_copy"; echo 0 >"$dbg/enable"' EXIT
avail_mb=$(awk '$1 == "MemAvailable:" { print int($2 / 1024) }' /proc/meminfo)
hog_mb=$((avail_mb - 96))
if [ "$hog_mb" -gt 0 ]; then
	mkdir -p "$hog"
	mount -t tmpfs -o "size=${hog_mb}m" tmpfs "$hog" || fail "cannot mount the tmpfs hog"
	fallocate -l "${hog_mb}m" "$hog/hog" || fail "cannot allocate the ${hog_mb} MiB hog"
fi
kv pressure.hog_mb "$hog_mb"
dir=$(fs_dir btrfs) || fail "cannot make a directory on btrfs"
snap /tmp/vmstat.a
JOB_SIZE=32m job pressure "$dir"
snap /tmp/vmstat.b
umount "$hog" 2>/dev/null
[ -z "$WHY" ] || fail "policy 1 under memory pressure: $WHY"
expect_intact pressure
for c in gup_wb_pinned_bounced_early gup_wb_pinned_unbounced pgsteal_file; do
	kv "pressure.$c" "$(delta /tmp/vmstat.a /tmp/vmstat.b "$c")"
done
p4="under a ${hog_mb} MiB hog $(delta /tmp/vmstat.a /tmp/vmstat.b gup_wb_pinned_bounced_early) copied, $(delta /tmp/vmstat.a /tmp/vmstat.b gup_wb_pinned_unbounced) in place (counted), checks hold"
note "$p1; $p2; $p3; $p4"
