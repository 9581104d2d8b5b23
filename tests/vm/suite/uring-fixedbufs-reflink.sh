#!/bin/sh
# shellcheck shell=dash
# With vm.longterm_pin_file_mappings=1, io_uring may register a buffer in a
# MAP_SHARED file mapping only on file systems that keep such a pin safe
# (patch 6: FOLL_LONGTERM_FILE, FOP_LONGTERM_FILE_PIN). io_uring re-dirties
# the pinned folios after each READ_FIXED without running ->page_mkwrite:
# on xfs with reflink (mkfs.xfs's default) that lets a FICLONE'd file's
# shared blocks be overwritten in place, and btrfs checksums and COWs data.
# So the registration must be refused there, with EOPNOTSUPP (not EFAULT,
# which means the sysctl or the caller did not ask), and with no page pinned.
# Control: ext4 declares support, so the same job registers there.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
require_engine
have_sysctl longterm_pin_file_mappings || fail "vm.longterm_pin_file_mappings missing"
set_sysctl longterm_pin_file_mappings 1

# register NAME DIR: a short READ_FIXED job with its fixed buffers in a file
# mapping on DIR, no fallback to unregistered buffers; the writeback driver
# keeps cleaning the buffer file, as in uring-fixedbufs-file.
register() {
	pinwb_run "$1" "$2" "rw=randread" "pinwb_io=uring" "pinwb_fixedbufs=1" "pinwb_fixedbufs_fallback=0" \
		"pinwb_buffer=file" "pinwb_buffer_size=4m" "pinwb_wb_modes=fdatasync" "pinwb_wb_interval_us=1000" \
		"runtime=2"
}

refused=""
for fs in xfs btrfs; do
	is_mounted "$PINWB_MNT/$fs" || continue
	dir=$(fs_dir "$fs") || fail "cannot make a directory on $fs"
	snap /tmp/vmstat.a
	register "$fs" "$dir"
	snap /tmp/vmstat.b
	pins=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_longterm_file_pins)
	kv "$fs.gup_longterm_file_pins" "$pins"
	grep -q 'failed to setup shm' "$PINWB_OUT/$fs.fio.log" && fail "fio could not start (no SysV shm: CONFIG_SYSVIPC off?)"
	[ "$JOB_RC" -ne 0 ] ||
		fail "$fs: a file-backed buffer was registered as a long-term pin (fio exit 0): READ_FIXED re-dirtying could write into shared (reflinked) or checksummed extents"
	msg=$(grep -i 'regist' "$PINWB_OUT/$fs.fio.log" | head -n 1)
	kv "$fs.refusal_message" "$msg"
	echo "$msg" | grep -q 'Operation not supported' ||
		fail "$fs: registration failed, but not with EOPNOTSUPP: ${msg:-no registration message}"
	[ "$pins" -eq 0 ] || fail "$fs: registration refused, yet gup_longterm_file_pins rose by $pins"
	refused="$refused $fs"
done
[ -n "$refused" ] || skip "neither xfs nor btrfs is mounted: nothing that must refuse"

is_mounted "$PINWB_MNT/ext4" || skip "ext4 not mounted: refused on$refused, but no control"
dir=$(fs_dir ext4) || fail "cannot make a directory on ext4"
snap /tmp/vmstat.a
register ext4 "$dir"
snap /tmp/vmstat.b
pins=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_longterm_file_pins)
kv ext4.gup_longterm_file_pins "$pins"
expect_intact ext4
[ "$pins" -gt 0 ] || fail "ext4: the job ran but gup_longterm_file_pins did not rise: not long-term pinned"
note "EOPNOTSUPP on$refused; ext4 registers ($pins pages long-term pinned)"
