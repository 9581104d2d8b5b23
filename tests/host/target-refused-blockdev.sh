#!/usr/bin/env bash
# A block device is never written unless handed over: read and write jobs
# naming a loop device are refused with a message naming the device and
# pinwb_overwrite_target=1, and the device stays byte-identical. With the
# option a read job leaves it identical and a write job writes it.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_loop
need_built
mkdir -p "$TOP/build/test-tmp"
T=$(mktemp -d "$TOP/build/test-tmp/target-refused-blockdev.XXXXXX")
dev=
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	if [ -n "$dev" ]; then losetup -d "$dev" || true; fi
	rm -rf -- "$T"
}
trap cleanup EXIT
head -c 8388608 /dev/urandom >"$T/disk.img"
dev=$(losetup --find --show --direct-io=on "$T/disk.img" 2>/dev/null ||
	losetup --find --show "$T/disk.img") || skip "losetup failed"
before=$(sha256sum <"$dev")

run_fio() {
	"$FIO" --name=t --ioengine="external:$ENGINE" --filename="$dev" --size=4m \
		--bs=4k --direct=1 --iodepth=4 --number_ios=300 --pinwb_buffer=anon \
		--pinwb_buffer_size=1m --pinwb_wb_modes=none "$@" >"$T/out.txt" 2>&1
}

for rw in randread randwrite; do
	rc=0
	run_fio --rw="$rw" || rc=$?
	[ $rc -ne 0 ] || { cat "$T/out.txt"; fail "rw=$rw on a block device was accepted"; }
	if ! grep -qF "target $dev is a block device" "$T/out.txt" ||
		! grep -q 'pinwb_overwrite_target=1' "$T/out.txt"; then
		cat "$T/out.txt"
		fail "rw=$rw: the refusal names neither the device nor pinwb_overwrite_target=1"
	fi
	[ "$(sha256sum <"$dev")" = "$before" ] || fail "rw=$rw: the refused job changed the device"
done
run_fio --rw=randread --pinwb_overwrite_target=1 || { cat "$T/out.txt"; fail "read job with the option failed"; }
[ "$(sha256sum <"$dev")" = "$before" ] || fail "a read job with pinwb_overwrite_target=1 wrote the device"
run_fio --rw=randwrite --pinwb_overwrite_target=1 || { cat "$T/out.txt"; fail "write job with the option failed"; }
[ "$(sha256sum <"$dev")" != "$before" ] || fail "a write job with pinwb_overwrite_target=1 did not write"
pass "loop device refused for read and write jobs and identical; the option hands it over"
