#!/usr/bin/env bash
# Record what the device receives during a short pinwb engine run: a fresh
# file system on a private image, the run's buffer file on it, every write
# to the device logged in dm-log-writes format. Leaves in --out DIR:
#   orig.img   the device when logging started (after mkfs)
#   log        the dm-log-writes log
#   map        the buffer file's extents on the device (pinwb-logcheck fiemap;
#              empty on btrfs, whose FIEMAP gives addresses in its own chunk
#              space, not on the device: there only the crash replay judges)
#   record.env FS, FILE (buffer file path in the fs), BSIZE, SEED, METHOD
#   fio.log, *.pinwb.json  the engine run
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

prog=torture-record # read by lib/common.sh
# shellcheck source=lib/common.sh
. "$(dirname "$(readlink -f "$0")")/lib/common.sh"
LOGCHECK=${PINWB_LOGCHECK_BIN:-$PINWB_TOP/engines/pinwb-logcheck}

usage() {
	cat <<USAGE
usage: torture-record.sh --out DIR [--fs ext4|xfs|btrfs] [--method dm|synth]
                         [--runtime S] [--seed S] [--job JOB] [--image-size SIZE]
                         [--wb-modes MODES]

  --out DIR      an empty or new directory for the recording (required)
  --fs           file system to make on the private image (default ext4)
  --method dm    (default) the file system sits on a dm-log-writes target over
                 loop devices: the log is what the kernel logged
  --method synth no dm-log-writes needed: every 0.5 s the file system is frozen
                 (fsfreeze), the image copied and the blocks that changed
                 since the last copy appended to the log, then a FLUSH entry;
                 a coarser log (a crash point each 0.5 s) of the same format
  --runtime S    seconds of engine I/O (default 3)
  --seed S       pinwb_seed of the run (default 1)
  --job JOB      workload (default dio-read-uring)
  --image-size   size of the sparse file system image (default 512M; xfs
                 wants at least 300M)
  --wb-modes M   the engine's writeback driver modes (pinwb_wb_modes; default:
                 the engine's own, which write the buffer file back while DMA
                 goes into it). "none" leaves writeback to the end of the run,
                 when the pages no longer change: a recording that is clean
                 on any kernel and policy
Needs root. Exit: 0 recorded, 1 the engine run failed, 2 usage or setup
error, 77 this machine cannot record with the method asked for (reason given).
USAGE
}

out="" fs=ext4 method=dm runtime=3 seed=1 job=dio-read-uring image_size=512M wb_modes=""
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--out | --fs | --method | --runtime | --seed | --job | --image-size | --wb-modes)
		if [ $# -lt 2 ] || [ -z "$2" ]; then die_usage "$1 needs a value (see --help)"; fi
		case $1 in
		--out) out=$2 ;;
		--fs) fs=$2 ;;
		--method) method=$2 ;;
		--runtime) runtime=$2 ;;
		--seed) seed=$2 ;;
		--job) job=$2 ;;
		--image-size) image_size=$2 ;;
		--wb-modes) wb_modes=$2 ;;
		esac
		shift 2
		;;
	*) die_usage "unknown argument '$1' (accepted: --out, --fs, --method, --runtime, --seed, --job, --image-size, --wb-modes, --help)" ;;
	esac
done
[ -n "$out" ] || die_usage "--out DIR is required"
case $fs in
ext4 | xfs | btrfs) ;;
*) die_usage "--fs '$fs': accepted: ext4, xfs, btrfs" ;;
esac
case $method in
dm | synth) ;;
*) die_usage "--method '$method': accepted: dm, synth" ;;
esac
if ! is_uint "$runtime" || [ "$runtime" -eq 0 ]; then die_usage "--runtime '$runtime' is not a positive number of seconds"; fi
if ! is_uint "$seed" || [ "$seed" -eq 0 ]; then die_usage "--seed '$seed' is not a positive number"; fi
is_size "$image_size" || die_usage "--image-size '$image_size' is not a size (e.g. 256M)"
jobfile=$PINWB_TOP/workloads/$job.fio
[ -f "$jobfile" ] || die_usage "--job '$job': no workloads/$job.fio"

skip() { echo "SKIP: $*"; exit 77; }
dm_remove() {
	dmsetup info "$1" >/dev/null 2>&1 || return 0
	dmsetup remove --retry "$1"
}
[ "$(id -u)" -eq 0 ] || skip "needs root (loop devices, mkfs, mount)"
[ -e /dev/loop-control ] || skip "no loop device support (/dev/loop-control missing)"
command -v "mkfs.$fs" >/dev/null || skip "mkfs.$fs not installed"
for f in "$PINWB_FIO" "$PINWB_ENGINE_SO" "$LOGCHECK"; do
	[ -f "$f" ] || die_setup "$f not built (run: make)"
done
if [ "$method" = dm ]; then
	command -v dmsetup >/dev/null || skip "dmsetup not installed (apt-get install dmsetup)"
	if ! dmsetup targets 2>/dev/null | grep -q '^log-writes'; then
		modprobe dm-log-writes 2>/dev/null ||
			skip "kernel $(uname -r) has no dm-log-writes (modprobe dm-log-writes failed; CONFIG_DM_LOG_WRITES)"
		dmsetup targets 2>/dev/null | grep -q '^log-writes' ||
			skip "kernel $(uname -r): device-mapper has no log-writes target"
	fi
else
	command -v fsfreeze >/dev/null || skip "fsfreeze not installed (util-linux)"
fi

mkdir -p -- "$out" || die_setup "cannot create --out '$out'"
out=$(cd "$out" && pwd)
! dir_has "$out" orig.img log map record.env ||
	die_usage "--out '$out' already holds a recording; refusing to overwrite it"

install_traps
work=$(mktemp -d "${TMPDIR:-/var/tmp}/pinwb-record.XXXXXX") || die_setup "mktemp failed"
cleanup_push rm_private_dir "$work"
truncate -s "$image_size" "$work/dev.img"
force=-f mkfs_bs=()
# 4 KiB blocks as on real disks (a small ext4 would get 1 KiB), so a block
# of the file is one logged block
[ "$fs" != ext4 ] || { force=-F; mkfs_bs=(-b 4096); }
txt=$("mkfs.$fs" -q "$force" "${mkfs_bs[@]}" "$work/dev.img" 2>&1) || die_setup "mkfs.$fs failed: $txt"
cp --sparse=always -- "$work/dev.img" "$out/orig.img"
dev=$(losetup --find --show "$work/dev.img" 2>&1) || die_setup "no free loop device: $dev"
cleanup_push loop_detach "$dev"
fsdev=$dev
if [ "$method" = dm ]; then
	truncate -s 4G "$work/log.img"
	logdev=$(losetup --find --show "$work/log.img" 2>&1) || die_setup "no free loop device: $logdev"
	cleanup_push loop_detach "$logdev"
	dmname=pinwb-lw-$$
	# without udev (a minimal VM) libdevmapper would wait for it forever:
	# let it make the /dev/mapper node itself
	[ -S /run/udev/control ] || export DM_DISABLE_UDEV=1
	# the log's super block must start zeroed (the target writes it on its first FUA/MARK)
	dd if=/dev/zero of="$logdev" bs=4096 count=1 conv=fsync status=none
	txt=$(dmsetup create "$dmname" --table "0 $(blockdev --getsz "$dev") log-writes $dev $logdev" 2>&1) ||
		die_setup "dmsetup create $dmname failed: $txt"
	cleanup_push dm_remove "$dmname"
	fsdev=/dev/mapper/$dmname
fi
mkdir "$work/mnt"
txt=$(mount -t "$fs" "$fsdev" "$work/mnt" 2>&1) || die_setup "mount $fsdev failed: $txt"
cleanup_push fs_umount "$work/mnt"

buf=torture.pinwb-buf
cat "$jobfile" >"$work/job.fio"
cat >>"$work/job.fio" <<JOB
pinwb_buffer_file=$work/mnt/$buf
pinwb_buffer_size=1m
pinwb_wb_interval_us=20000
pinwb_seed=$seed
pinwb_fixedbufs_fallback=1
JOB
[ -z "$wb_modes" ] || echo "pinwb_wb_modes=$wb_modes" >>"$work/job.fio"
# (the fallback: where the kernel refuses long-term pins of the buffer
# file, a fixed-buffer job records without registered buffers, said in its
# report, rather than failing before it wrote anything)
snap=0
synth_step() {
	fsfreeze -f "$work/mnt"
	cp --sparse=always -- "$work/dev.img" "$work/snap.new"
	fsfreeze -u "$work/mnt"
	local prev=$out/orig.img
	[ "$snap" -eq 0 ] || prev=$work/snap.img
	"$LOGCHECK" synth "$out/log" "$prev" "$work/snap.new" --block 4096 >/dev/null ||
		die_setup "pinwb-logcheck synth failed"
	mv -- "$work/snap.new" "$work/snap.img"
	snap=$((snap + 1))
}

export PINWB_ENGINE=$PINWB_ENGINE_SO PINWB_RUNTIME=$runtime PINWB_SIZE=16m PINWB_REPORT_DIR=$out
note "recording $job on $fs ($method) for ${runtime}s into $out"
"$PINWB_FIO" --directory="$work/mnt" "$work/job.fio" >"$out/fio.log" 2>&1 &
fio_pid=$!
_pinwb_child=$fio_pid
if [ "$method" = synth ]; then
	while kill -0 "$fio_pid" 2>/dev/null; do
		sleep 0.5
		synth_step
	done
fi
rc=0
wait "$fio_pid" || rc=$?
_pinwb_child=
if [ "$fs" = btrfs ]; then
	echo "# btrfs: FIEMAP addresses are btrfs logical addresses, not device offsets" >"$out/map"
	warn "btrfs: no device map of the buffer file (FIEMAP gives btrfs logical addresses); only the crash replay judges it"
else
	"$LOGCHECK" fiemap "$work/mnt/$buf" >"$out/map" || die_setup "fiemap of the buffer file failed"
fi
[ "$method" != synth ] || synth_step
fs_umount "$work/mnt"
if [ "$method" = dm ]; then
	dm_remove "$dmname" || die_setup "dmsetup remove $dmname failed"
	cp --sparse=always -- "$work/log.img" "$out/log"
fi
cat >"$out/record.env" <<ENV
FS=$fs
FILE=$buf
BSIZE=4096
SEED=$seed
METHOD=$method
ENV
[ "$rc" -eq 0 ] || { echo "$prog: the engine run failed (fio exit $rc; see $out/fio.log)" >&2; exit 1; }
note "recorded $("$LOGCHECK" list "$out/log" | head -n 1 | sed 's/^log [^:]*: //')"
exit 0
