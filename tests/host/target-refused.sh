#!/usr/bin/env bash
# A target file the user already has is never written unless handed over:
# read, write and mixed jobs naming it are refused with a message naming the
# file and pinwb_overwrite_target=1, and it stays byte-identical. With that
# option a job that only reads runs and still leaves the file identical (its
# reads are not checked, and the report says so); a job that writes runs and
# changes it. A target pinwb creates gets its marker and is accepted again.
# Calls fio directly: scripts/pinwb always runs inside its own directory.
# No root needed.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_built
make_tmp
user=$T/user.dat
head -c 4194304 /dev/urandom >"$user"
before=$(sha256sum <"$user")

# run_fio TARGET FIO_ARGS...: one small pinwb job on TARGET, output in $T/out.txt
run_fio() {
	local target=$1
	shift
	"$FIO" --name=t --ioengine="external:$ENGINE" --filename="$target" --size=4m \
		--bs=4k --direct=1 --iodepth=4 --number_ios=300 --pinwb_buffer_size=1m \
		--pinwb_wb_modes=none "$@" >"$T/out.txt" 2>&1
}

for rw in randread randwrite randrw; do
	rc=0
	run_fio "$user" --rw="$rw" || rc=$?
	[ $rc -ne 0 ] || { cat "$T/out.txt"; fail "rw=$rw on a user's file was accepted"; }
	if ! grep -qF "target $user exists and pinwb did not create it" "$T/out.txt" ||
		! grep -q 'pinwb_overwrite_target=1' "$T/out.txt"; then
		cat "$T/out.txt"
		fail "rw=$rw: the refusal names neither the file nor pinwb_overwrite_target=1"
	fi
	[ "$(sha256sum <"$user")" = "$before" ] || fail "rw=$rw: the refused job changed the user's file"
done
[ ! -e "$user.pinwb-tgt" ] || fail "a refused job marked the user's file as pinwb's"

run_fio "$user" --rw=randread --pinwb_overwrite_target=1 --pinwb_check_reads=1 \
	--pinwb_report="$T/read.json" || { cat "$T/out.txt"; fail "read job with pinwb_overwrite_target=1 failed"; }
[ "$(sha256sum <"$user")" = "$before" ] || fail "a read job with pinwb_overwrite_target=1 wrote the user's file"
[ "$(jq -r '.coverage.reads_not_checked_foreign' "$T/read.json")" -gt 0 ] ||
	fail "the report does not count the reads of the user's content as not checked"

run_fio "$user" --rw=randwrite --pinwb_overwrite_target=1 ||
	{ cat "$T/out.txt"; fail "write job with pinwb_overwrite_target=1 failed"; }
[ "$(sha256sum <"$user")" != "$before" ] || fail "a write job with pinwb_overwrite_target=1 did not write"

new=$T/new.dat
run_fio "$new" --rw=randread || { cat "$T/out.txt"; fail "read job on a new target failed"; }
[ -f "$new.pinwb-tgt" ] || fail "no ownership marker beside the target pinwb created"
run_fio "$new" --rw=randrw || { cat "$T/out.txt"; fail "a target pinwb created was refused on the next run"; }
# with create_serialize=0 fio lays the file out (unlink, re-create) after init
for n in 1 2; do
	run_fio "$T/late.dat" --rw=randrw --create_serialize=0 ||
		{ cat "$T/out.txt"; fail "create_serialize=0: run $n on a target pinwb created failed"; }
done
pass "user's file refused (read, write, rw) and identical; override: read leaves it identical, write writes; own target reused"
