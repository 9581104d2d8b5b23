#!/bin/sh
# shellcheck shell=dash
# vm.gup_writeback_policy=1 makes GUP wait for writeback before it pins a
# file folio for a device write (patch 3). That wait must never hand an old
# caller a new failure: O_DIRECT reads, by read(2) and by io_uring, into a
# MAP_SHARED file mapping that the writeback driver keeps cleaning back to
# back, all complete (fio exits 0, no EAGAIN or other error), the data
# verifies, and gup_wb_wait shows the wait path was taken. gup_wb_nowait
# (pins without a wait, for callers that cannot drop the mmap_lock) is
# reported: DIO drops the lock, so it should not rise.
# ext4: virtio-blk does not ask for stable writes, so page_mkwrite does not
# wait for writeback itself and GUP meets folios under writeback.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
require_engine
have_counter gup_wb_nowait || fail "gup_wb_nowait missing from /proc/vmstat"
is_mounted "$PINWB_MNT/ext4" || fail "ext4 test disk not mounted"
dir=$(fs_dir ext4) || fail "cannot make a directory on ext4"
runtime=6
[ "$LONG" -eq 1 ] && runtime=30
set_sysctl gup_writeback_policy 1

waits=0
for io in sync uring; do
	snap /tmp/vmstat.a
	pinwb_run "$io" "$dir" "rw=randread" "bs=64k" "pinwb_io=$io" "pinwb_buffer=file" \
		"pinwb_buffer_size=2m" "pinwb_wb_modes=sfr,fdatasync" "pinwb_wb_interval_us=0" "runtime=$runtime"
	snap /tmp/vmstat.b
	for c in gup_wb_wait gup_wb_nowait gup_fast_wb_fallback; do
		kv "$io.$c" "$(delta /tmp/vmstat.a /tmp/vmstat.b "$c")"
	done
	# fio exits non-zero on any I/O error (expect_intact checks); name EAGAIN.
	if grep -qi 'Resource temporarily unavailable' "$PINWB_OUT/$io.fio.log"; then
		fail "$io: an I/O failed with EAGAIN under policy 1: $(grep -i 'Resource temporarily unavailable' "$PINWB_OUT/$io.fio.log" | head -n 1 | cut -c1-160)"
	fi
	expect_intact "$io"
	w=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_wb_wait)
	waits=$((waits + w))
	log "$io: gup_wb_wait +$w"
done
[ "$waits" -gt 0 ] || skip "no pin met a folio under writeback in 2 x ${runtime}s: the wait path did not run here"
note "policy 1: read(2) and io_uring DIO all completed and verified; $waits writeback waits"
