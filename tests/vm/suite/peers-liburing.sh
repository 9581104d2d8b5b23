#!/bin/sh
# shellcheck shell=dash
# liburing's test/ programs (Debian's liburing source package), each as its
# runtests.sh runs it: no arguments, exit 0 pass, 77 skip, anything else a
# failure, a time limit (runtests.sh: 60 s on hardware; here 120 s for TCG, times
# PINWB_TIMEOUT_SCALE), in a fresh directory on
# ext4 (they make their files in the working directory). One row each, and
# each must give back every page it pinned.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"
# shellcheck source=/dev/null # tests/vm/peers.sh, at its guest path
. "$PINWB_ROOT/tests/vm/peers.sh"
require_peers liburing
fs=ext4
is_mounted "$PINWB_MNT/$fs" || fs=$(first_fs)
while read -r t; do
	[ -n "$t" ] || continue
	d=$(fs_dir "$fs") || fail "$fs not mounted"
	cd "$d" || fail "cannot enter $d"
	run_case "liburing:$t" 120 77 "$PEERS/liburing/$t"
	case_row "liburing:$t" "$CASE_RES" "$CASE_NOTE"
	cd / && rm -rf "$d"
done <"$PEERS/liburing.list"
peers_done liburing
