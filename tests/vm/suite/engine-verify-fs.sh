#!/bin/sh
# shellcheck shell=dash
# The engine's integrity check in the guest, on ext4, xfs and exfat (when
# the kernel has it: its O_DIRECT goes through fs/direct-io.c): O_DIRECT
# (sync) and io_uring runs into a MAP_SHARED buffer file under the writeback
# driver verify intact (engine and pinwb-verify agree), and a block
# corrupted from outside before verification is reported as a mismatch (the
# check can fail). Any kernel. btrfs has its own test (btrfs-file-buffer):
# the stock kernel loses data there.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_engine
fss=""
for fs in ext4 xfs exfat; do is_mounted "$PINWB_MNT/$fs" && fss="$fss $fs"; done
[ -n "$fss" ] || fail "none of ext4, xfs, exfat is mounted"
runtime=3
[ "$LONG" -eq 1 ] && runtime=15
n=0
for fs in $fss; do
	dir=$(fs_dir "$fs") || fail "$fs not mounted"
	pinwb_run "$fs.sync" "$dir" "rw=randrw" "pinwb_io=sync" "runtime=$runtime"
	expect_intact "$fs.sync"
	pinwb_run "$fs.uring" "$dir" "rw=randrw" "pinwb_io=uring" "iodepth=8" "runtime=$runtime"
	expect_intact "$fs.uring"
	# Overwrite the first 4 KiB of the buffer file (slot 0's header and
	# payload) after the final sync and before the read-back.
	pinwb_run "$fs.corrupt" "$dir" "rw=randrw" "pinwb_io=sync" "runtime=1" \
		"pinwb_before_verify=dd if=/dev/urandom of=\"\$PINWB_BUFFER_FILE\" bs=4096 count=1 conv=notrunc"
	[ "$JOB_RESULT" = mismatch ] || fail "$fs: corrupted buffer verified as '$JOB_RESULT'"
	[ "$JOB_RC" -ne 0 ] || fail "$fs: verification found the corruption but fio exited 0"
	case $JOB_KEPT in
	"mismatch "*) ;;
	*) fail "$fs: pinwb-verify on the corrupted buffer says '$JOB_KEPT'" ;;
	esac
	n=$((n + 1))
done
note "${fss# }: sync and io_uring intact, injected corruption caught ($n file systems)"
