#!/usr/bin/env bash
# Create the VM's disk images: one sparse raw image per test file system,
# formatted here on the host (mkfs on a regular file: no loop device, no
# mount, no mkfs tools or their libraries in the initramfs, and every run
# starts from fresh file systems), plus an empty raw results disk that the
# guest writes a tar archive onto.
set -euo pipefail

prog=disks.sh

usage() {
	cat <<USAGE
usage: scripts/vm/disks.sh --dir DIR [--fs LIST] [--size SIZE] [--results-size SIZE]

  --dir DIR            directory for the images (created; images in it are replaced)
  --fs LIST            comma list of ext4, xfs, btrfs, exfat (default: ext4,xfs,btrfs)
  --size SIZE          size of each file system image, truncate(1) syntax (default: 4G;
                       sparse: only what the guest writes takes space)
  --results-size SIZE  size of the raw results disk (default: 256M)
  -h, --help           this text

Prints one line per image: ROLE PATH (roles: results, ext4, xfs, btrfs, exfat).
Exit: 0 ok, 2 usage or setup error.
USAGE
}

die() { echo "$prog: $*" >&2; exit 2; }

dir='' fslist=ext4,xfs,btrfs size=4G rsize=256M
while [ $# -gt 0 ]; do
	case $1 in
	--dir|--fs|--size|--results-size)
		[ $# -ge 2 ] || die "$1 needs a value (see --help)"
		case $1 in
		--dir) dir=$2 ;;
		--fs) fslist=$2 ;;
		--size) size=$2 ;;
		--results-size) rsize=$2 ;;
		esac
		shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (accepted: --dir, --fs, --size, --results-size, --help)" ;;
	esac
done
[ -n "$dir" ] || die "--dir is required (see --help)"
IFS=, read -r -a fss <<<"$fslist"
for fs in "${fss[@]}"; do
	case $fs in
	ext4|xfs|btrfs|exfat) ;;
	*) die "--fs: unknown file system '$fs' (accepted: ext4, xfs, btrfs, exfat)" ;;
	esac
done

# An image is written under a temporary name and renamed when complete, so
# a failed mkfs never leaves a half-made image behind under the real name.
tmp=''
cleanup() { [ -z "$tmp" ] || rm -f "$tmp"; }
trap cleanup EXIT
mkdir -p "$dir"

make_image() {
	local role=$1 sz=$2 img=$dir/$1.img
	tmp=$(mktemp "$dir/.$role.XXXXXX")
	truncate -s "$sz" "$tmp" || die "--size/--results-size: cannot make a $sz image (truncate syntax, e.g. 4G)"
	case $role in
	results) ;;
	ext4) mkfs.ext4 -q -F -L pinwb-ext4 -E lazy_itable_init=0,lazy_journal_init=0 "$tmp" >/dev/null ||
		die "mkfs.ext4 failed" ;;
	xfs) mkfs.xfs -q -f -L pinwb-xfs "$tmp" >/dev/null || die "mkfs.xfs failed (xfs needs at least 300M)" ;;
	btrfs) mkfs.btrfs -q -f -L pinwb-btrfs "$tmp" >/dev/null || die "mkfs.btrfs failed (btrfs needs at least 128M)" ;;
	exfat) mkfs.exfat -L pinwb-exfat "$tmp" >/dev/null || die "mkfs.exfat failed" ;;
	esac
	mv -f "$tmp" "$img"
	tmp=''
	echo "$role $img"
}

for fs in "${fss[@]}"; do
	command -v "mkfs.$fs" >/dev/null || die "mkfs.$fs not found (make deps installs e2fsprogs, xfsprogs, btrfs-progs, exfatprogs)"
done
make_image results "$rsize"
for fs in "${fss[@]}"; do
	make_image "$fs" "$size"
done
