#!/bin/sh
# shellcheck shell=dash
# The kernel's mm selftest gup_longterm (built with liburing, so its
# io_uring fixed-buffer cases exist), run from a directory on every test
# file system: its "local tmpfile" cases pin that file system's page cache.
# Upstream expects long-term R/W pins of MAP_SHARED files on disk file
# systems to fail; the series' vm.longterm_pin_file_mappings opt-in changes
# exactly those (tests/vm/peers-expected-differences).
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"
# shellcheck source=/dev/null # tests/vm/peers.sh, at its guest path
. "$PINWB_ROOT/tests/vm/peers.sh"
require_peers mm
[ -e /sys/kernel/debug/gup_test ] || fail "/sys/kernel/debug/gup_test missing (CONFIG_GUP_TEST off or debugfs not mounted)"
peers_reserve_hugetlb 8
for fs in $PINWB_FS; do
	d=$(fs_dir "$fs") || fail "$fs not mounted"
	cd "$d" || fail "cannot enter $d"
	run_case "gup_longterm@$fs" 600 4 "$PEERS/mm/gup_longterm"
	ksft_rows "gup_longterm@$fs: " "$CASE_LOG"
	case_row "gup_longterm@$fs (exit)" "$CASE_RES" "$CASE_NOTE"
	cd / && rm -rf "$d"
done
peers_done gup_longterm
