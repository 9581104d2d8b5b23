#!/usr/bin/env bash
# Host test (no VM boot): scripts/vm/run.sh --out DIR never deletes or
# overwrites what it did not create. A DIR that already holds files (here a
# user's own disks/ directory and a console.log) is refused with exit 2 and
# left byte-identical; a new DIR is accepted. The kernel given is a file
# that is no bzImage, so a run that got past the check would fail at the
# QEMU boot (after making and removing its disks). --timeout-scale must
# reach the guest's command line and refuse a bad value. A bzImage given by
# path takes the .config and gup_test beside it.
set -euo pipefail

case ${1:-} in
-h|--help) echo "usage: tests/vm/host/test-run-out.sh   (no arguments; exit 0 all passed, 1 a check failed)"; exit 0 ;;
'') ;;
*) echo "test-run-out.sh: unknown argument '$1' (accepted: --help)" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/../../.." && pwd)
run=$top/scripts/vm/run.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { echo "ok: $1"; passed=$((passed + 1)); }
bad() { echo "FAIL: $1"; failed=$((failed + 1)); }

printf 'not a kernel\n' >"$tmp/fake-bzImage"
user=$tmp/user-dir
mkdir -p "$user/disks"
printf 'the user'"'"'s image\n' >"$user/disks/mine.img"
printf 'an earlier console log\n' >"$user/console.log"
before=$(cd "$user" && find . -type f -exec sha256sum {} + | sort)

rc=0
"$run" --kernel "$tmp/fake-bzImage" --no-build --allow-missing --accel tcg --timeout 5 \
	--out "$user" >"$tmp/run.out" 2>&1 || rc=$?
if [ "$rc" -eq 2 ]; then ok "non-empty --out refused (exit 2)"; else bad "non-empty --out: exit $rc, expected 2"; fi
if grep -q -- "--out: '$user' is not empty" "$tmp/run.out"; then ok "message names --out and the directory"; else bad "message: $(cat "$tmp/run.out")"; fi
after=$(cd "$user" && find . -type f -exec sha256sum {} + | sort)
if [ "$before" = "$after" ]; then ok "the user's files are untouched"; else bad "the user's files changed: $after"; fi

# A file given as --out is refused too.
rc=0
"$run" --kernel "$tmp/fake-bzImage" --no-build --allow-missing --out "$user/console.log" >"$tmp/run2.out" 2>&1 || rc=$?
if [ "$rc" -eq 2 ] && cmp -s "$user/console.log" <(printf 'an earlier console log\n'); then
	ok "a file as --out is refused and kept"
else
	bad "a file as --out: exit $rc"
fi

# A new directory gets past the check: the (fake) boot fails later, and the
# disks the run made are gone again.
rc=0
"$run" --kernel "$tmp/fake-bzImage" --no-build --allow-missing --accel tcg --timeout 5 \
	--out "$tmp/new" >"$tmp/run3.out" 2>&1 || rc=$?
if ! grep -q 'is not empty' "$tmp/run3.out" && [ -d "$tmp/new" ] && [ ! -e "$tmp/new/disks" ]; then
	ok "a new --out is used, its disks removed"
else
	bad "a new --out (exit $rc): $(tail -n 3 "$tmp/run3.out")"
fi

# --timeout-scale reaches the guest (pinwb.scale= on the kernel command line,
# which tests/vm/init hands to the suite runner); a bad value is refused.
rc=0
"$run" --kernel "$tmp/fake-bzImage" --no-build --allow-missing --accel tcg --timeout 5 \
	--timeout-scale 3 --out "$tmp/scaled" >"$tmp/run4.out" 2>&1 || rc=$?
if grep -qE 'pinwb\.scale=3([\\ ]|$)' "$tmp/scaled/qemu.cmdline" 2>/dev/null; then
	ok "--timeout-scale 3 boots with pinwb.scale=3"
else
	bad "--timeout-scale 3 (exit $rc): qemu.cmdline: $(cat "$tmp/scaled/qemu.cmdline" 2>&1)"
fi
rc=0
"$run" --kernel "$tmp/fake-bzImage" --no-build --allow-missing --timeout-scale 0 \
	--out "$tmp/scaled0" >"$tmp/run5.out" 2>&1 || rc=$?
if [ "$rc" -eq 2 ] && grep -q -- "--timeout-scale: '0'" "$tmp/run5.out"; then
	ok "--timeout-scale 0 refused (exit 2, names the option)"
else
	bad "--timeout-scale 0: exit $rc: $(cat "$tmp/run5.out")"
fi

# A bzImage kept outside its build directory with its .config and gup_test
# beside it: the run takes both from there (here a .config without btrfs, so
# no btrfs disk is made, and no "no gup_test" note).
mkdir -p "$tmp/kept"
cp "$tmp/fake-bzImage" "$tmp/kept/bzImage"
printf '# CONFIG_BTRFS_FS is not set\nCONFIG_EXT4_FS=y\n' >"$tmp/kept/.config"
printf '#!/bin/sh\nexit 0\n' >"$tmp/kept/gup_test" && chmod +x "$tmp/kept/gup_test"
rc=0
"$run" --kernel "$tmp/kept/bzImage" --no-build --allow-missing --accel tcg --timeout 5 \
	--out "$tmp/keptrun" >"$tmp/run6.out" 2>&1 || rc=$?
if [ -f "$tmp/keptrun/disks.txt" ] && ! grep -q '^btrfs ' "$tmp/keptrun/disks.txt" &&
	grep -q '^xfs ' "$tmp/keptrun/disks.txt" && ! grep -q 'no gup_test beside' "$tmp/run6.out"; then
	ok "a bzImage with .config and gup_test beside it: both used"
else
	bad "a bzImage with .config and gup_test beside it (exit $rc): disks: $(cat "$tmp/keptrun/disks.txt" 2>&1) | $(grep gup_test "$tmp/run6.out")"
fi

echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
