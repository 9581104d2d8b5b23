#!/bin/sh
# shellcheck shell=dash
# O_DIRECT reads and writes into a MAP_SHARED buffer file on btrfs under the
# writeback driver must keep every block (engine verification intact, no
# btrfs errors). On the stock 6.12 kernel this fails: a pinned folio that
# writeback cleaned is dirtied again by the DIO completion
# (set_page_dirty_lock) without ->page_mkwrite, btrfs refuses to write it
# ("folio ... is marked dirty without notifying the fs", -EUCLEAN) and msync /
# fdatasync fail. Kept as a failing reproducer of the problem pinwb is about;
# in the full suite only, so that CI on the baseline stays meaningful.
# With the series it is run with vm.gup_writeback_policy=1.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_engine
is_mounted "$PINWB_MNT/btrfs" || skip "btrfs not mounted (kernel without btrfs?)"
dir=$(fs_dir btrfs) || fail "cannot make a directory on btrfs"
have_sysctl gup_writeback_policy && set_sysctl gup_writeback_policy 1
runtime=5
[ "$LONG" -eq 1 ] && runtime=20
pinwb_run sync "$dir" "rw=randrw" "pinwb_io=sync" "runtime=$runtime"
kv writeback_errors "$(report_value "$JOB_REPORT" writeback errors)"
expect_intact sync
pinwb_run uring "$dir" "rw=randrw" "pinwb_io=uring" "iodepth=8" "runtime=$runtime"
expect_intact uring
note "btrfs: sync and io_uring into a MAP_SHARED buffer file intact"
