# shellcheck shell=bash
# corrupt_kept MODE: run the main job with --keep, copy the kept directory,
# damage the kept buffer file (MODE flip|truncate|zero), then pinwb verify
# must report a mismatch (exit 1) on the damaged one and intact (exit 0) on
# the untouched copy: proof that the verifier sees each kind of damage.
# The job runs with --fs in a private directory (no root, no loop device):
# what is under test is the verifier, not a file system.
# Source after common.sh.

# Byte in slot 0 past the 64-byte block header: in the payload, which the
# block checksum covers. Slot 0 is the first slot the engine hands out, so
# any run that did I/O has used it.
CORRUPT_OFFSET=1000

flip_byte() {
	local file=$1 off=$2 old new
	old=$(od -An -tu1 -j "$off" -N1 "$file" | tr -d ' ')
	[ -n "$old" ] || fail "cannot read byte $off of $file"
	new=$((old ^ 0xff))
	printf '%b' "\\$(printf '%03o' "$new")" | dd of="$file" bs=1 seek="$off" conv=notrunc status=none
	[ "$(od -An -tu1 -j "$off" -N1 "$file" | tr -d ' ')" = "$new" ] || fail "byte flip did not land in $file"
}

# need_odirect_dir DIR: skip unless DIR's file system takes O_DIRECT (the
# engine's I/O and the verifier's read back need it).
need_odirect_dir() {
	dd if=/dev/zero of="$1/odirect.probe" bs=4096 count=1 oflag=direct status=none 2>/dev/null ||
		{ rm -f "$1/odirect.probe"; skip "no O_DIRECT on the file system of $1"; }
	rm -f "$1/odirect.probe"
}

corrupt_kept() {
	local mode=$1 buf size rc out
	need_built
	make_tmp
	mkdir "$T/fs"
	need_odirect_dir "$T/fs"
	"$PINWB" run dio-read-uring --fs "$T/fs" --runtime 2 --size 16m --keep "$T/keep" --out "$T/out" ||
		fail "the clean run itself failed"
	cp -a "$T/keep" "$T/copy"
	local bufs=("$T"/keep/*.buf)
	if [ ${#bufs[@]} -ne 1 ] || [ ! -f "${bufs[0]}" ]; then
		fail "expected one kept .buf in $T/keep, found: ${bufs[*]}"
	fi
	buf=${bufs[0]}
	size=$(stat -c %s "$buf")
	case $mode in
	flip) flip_byte "$buf" "$CORRUPT_OFFSET" ;;
	truncate) truncate -s $((size / 2)) "$buf" ;;
	zero) dd if=/dev/zero of="$buf" bs=4096 count=1 conv=notrunc status=none ;;
	*) fail "unknown corruption mode $mode" ;;
	esac
	cmp -s "$buf" "$T/copy/$(basename "$buf")" && fail "$mode left the buffer file unchanged"

	rc=0
	out=$("$PINWB" verify "$T/copy" 2>&1) || rc=$?
	echo "$out"
	[ $rc -eq 0 ] || fail "untouched copy: pinwb verify exit $rc, expected 0"
	rc=0
	out=$("$PINWB" verify "$T/keep" 2>&1) || rc=$?
	echo "$out"
	[ $rc -eq 1 ] || fail "$mode: pinwb verify exit $rc, expected 1 (mismatch)"
	grep -q '^slot ' <<<"$out" || fail "$mode: no 'slot N offset ...' mismatch line in the verifier's report"
	pass "$mode detected, untouched copy intact"
}
