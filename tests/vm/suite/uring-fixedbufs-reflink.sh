#!/bin/sh
# shellcheck shell=dash
# With vm.longterm_pin_file_mappings=1, io_uring may register a buffer in a
# MAP_SHARED file mapping only where such a pin is safe (patch 10:
# FOLL_LONGTERM_FILE, FOP_LONGTERM_FILE_PIN, block size >= page size, no
# stable-writes device without copies). io_uring re-dirties the pinned folios
# after each READ_FIXED without running ->page_mkwrite: on xfs with reflink
# (mkfs.xfs's default) that would let the re-dirtied source be written in
# place into the blocks a FICLONE'd file shares, and btrfs checksums and COWs
# data. uring-clone-probe does exactly that sequence: register a buffer over
# the source, FICLONE it, READ_FIXED into the buffer, sync, drop caches, read
# the clone back. On xfs and btrfs the clone must be unchanged, or the
# registration refused with EOPNOTSUPP (not EFAULT: that means the sysctl or
# the caller did not ask) and no page pinned. ext4 with 1 KiB blocks must
# refuse too (a partial truncate would leave dirtied blocks unreserved).
# Control: ext4 with 4 KiB blocks registers, and the read reaches the file.
# Faults seen to fail: the probe's --fault clone-write (it changes the clone
# itself) must be reported as a changed clone, and with the "no re-dirty"
# fault on, the ext4 read must be lost.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
probe=$PINWB_ROOT/bin/uring-clone-probe
[ -x "$probe" ] || fail "$probe missing (scripts/vm/initramfs.sh builds tests/vm/helpers/)"
have_sysctl longterm_pin_file_mappings || fail "vm.longterm_pin_file_mappings missing"
set_sysctl longterm_pin_file_mappings 1

# Undone at exit, in reverse order of setup: the 1 KiB ext4 mount, its loop
# device and image, the "no re-dirty" fault.
img="" loopdev="" mnt1k=""
cleanup() {
	[ -z "$mnt1k" ] || umount "$mnt1k" || log "cannot unmount $mnt1k"
	[ -z "$loopdev" ] || losetup -d "$loopdev" || log "cannot detach $loopdev"
	[ -z "$img" ] || rm -f "$img"
	[ ! -e "$REDIRTY_FAULT" ] || echo 0 >"$REDIRTY_FAULT"
}
trap cleanup EXIT

# probe NAME DIR [ARGS]: run the probe in a fresh directory under DIR; its
# key=value lines go to NAME.probe; sets P_RC, P_REGISTER, P_CLONE, P_SOURCE
# and P_PINS (gup_longterm_file_pins over the run).
probe() {
	local name=$1 d=$2/$1
	shift 2
	mkdir -p "$d" || fail "cannot make $d"
	snap /tmp/vmstat.a
	P_RC=0
	"$probe" "$@" "$d" >"$PINWB_OUT/$name.probe" 2>"$PINWB_OUT/$name.err" || P_RC=$?
	snap /tmp/vmstat.b
	P_PINS=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_longterm_file_pins)
	P_REGISTER=$(sed -n 's/^register=//p' "$PINWB_OUT/$name.probe")
	P_CLONE=$(sed -n 's/^clone=//p' "$PINWB_OUT/$name.probe")
	P_SOURCE=$(sed -n 's/^source=//p' "$PINWB_OUT/$name.probe")
	kv "$name.register" "$P_REGISTER"
	kv "$name.clone" "$P_CLONE"
	kv "$name.source" "$P_SOURCE"
	kv "$name.gup_longterm_file_pins" "$P_PINS"
	[ "$P_RC" -ne 2 ] || fail "$name: probe setup error: $(head -n 1 "$PINWB_OUT/$name.err")"
}

# must_refuse NAME DIR: registration refused with EOPNOTSUPP (95), nothing
# pinned; or, if it was allowed, the clone unchanged and the read on disk.
must_refuse() {
	probe "$1" "$2"
	case $P_REGISTER in
	refused:95)
		[ "$P_PINS" -eq 0 ] || fail "$1: registration refused, yet gup_longterm_file_pins rose by $P_PINS"
		refused="$refused $1" ;;
	refused:*) fail "$1: registration refused with errno ${P_REGISTER#refused:}, expected EOPNOTSUPP (95)" ;;
	ok)
		[ "$P_CLONE" = unchanged ] || fail "$1: registered, and the FICLONE'd file is '$P_CLONE' after READ_FIXED, sync and drop_caches"
		[ "$P_SOURCE" = written ] || fail "$1: registered, and the read into the buffer is '$P_SOURCE' on disk"
		kept="$kept $1" ;;
	*) fail "$1: probe said register='$P_REGISTER' (rc $P_RC)" ;;
	esac
}

refused="" kept="" checked=""
for fs in xfs btrfs; do
	is_mounted "$PINWB_MNT/$fs" || continue
	dir=$(fs_dir "$fs") || fail "cannot make a directory on $fs"
	must_refuse "$fs" "$dir"
	# The clone check must see a clone that did change.
	probe "$fs-fault" "$dir" --fault clone-write
	case $P_CLONE in
	changed:*) checked="$checked $fs" ;;
	unsupported:*) log "$fs: FICLONE unsupported (${P_CLONE#unsupported:}): no reflink here" ;;
	*) fail "$fs: the probe wrote into the clone, and the clone check says '$P_CLONE'" ;;
	esac
done
[ -n "$refused$kept" ] || skip "neither xfs nor btrfs is mounted: nothing that must refuse"
case " $checked " in
*" xfs "*) ;;
*) is_mounted "$PINWB_MNT/xfs" && fail "xfs: FICLONE did not work, so the reflink case was not exercised (mkfs.xfs without reflink?)" ;;
esac

is_mounted "$PINWB_MNT/ext4" || skip "ext4 not mounted: xfs/btrfs checked (refused:${refused:- none}; kept:${kept:- none}), no ext4 control"
dir=$(fs_dir ext4) || fail "cannot make a directory on ext4"

# ext4 with 1 KiB blocks, on a loop device over an image in the test's own
# directory (busybox mke2fs, which needs the block device; the ext4 driver
# mounts what it makes).
img=$dir/ext4-1k.img
dd if=/dev/zero of="$img" bs=1M count=0 seek=64 2>/dev/null || fail "cannot make $img"
loopdev=$(losetup -f) || fail "no free loop device (CONFIG_BLK_DEV_LOOP?)"
losetup "$loopdev" "$img" || { loopdev=""; fail "losetup $img failed"; }
mke2fs -q -b 1024 "$loopdev" >"$PINWB_OUT/mke2fs.log" 2>&1 || fail "mke2fs -b 1024 $loopdev failed: $(head -n 1 "$PINWB_OUT/mke2fs.log")"
mkdir -p /tmp/ext4-1k
mount -t ext4 "$loopdev" /tmp/ext4-1k || fail "mounting the 1 KiB-block image as ext4 failed"
mnt1k=/tmp/ext4-1k
must_refuse ext4-1k "$mnt1k"
case " $refused " in
*" ext4-1k "*) ;;
*) fail "ext4 with 1 KiB blocks registered a long-term file pin: a partial truncate would leave re-dirtied blocks without a reservation" ;;
esac

# Control: ext4 with page-sized blocks registers, and the read reaches disk.
probe ext4 "$dir"
[ "$P_REGISTER" = ok ] || fail "ext4: registration '$P_REGISTER', expected ok (FOP_LONGTERM_FILE_PIN, 4 KiB blocks)"
[ "$P_PINS" -gt 0 ] || fail "ext4: registered but gup_longterm_file_pins did not rise: not long-term pinned"
[ "$P_SOURCE" = written ] || fail "ext4: the READ_FIXED data is '$P_SOURCE' on disk after sync and drop_caches"
# ... and is lost with the "no re-dirty" fault: the source check works.
if [ -e "$REDIRTY_FAULT" ]; then
	echo 1 >"$REDIRTY_FAULT"
	probe ext4-noredirty "$dir"
	echo 0 >"$REDIRTY_FAULT"
	case $P_SOURCE in
	lost:*) ;;
	*) fail "ext4: with io_uring/skip_file_redirty=1 the read should be lost, the probe says '$P_SOURCE'" ;;
	esac
else
	log "$REDIRTY_FAULT missing: the source check is not seen to fail here"
fi
note "refused (EOPNOTSUPP):$refused; registered, clone unchanged:${kept:- none}; clone check failed on the fault:${checked:- none}; ext4 4 KiB registers, read on disk"
