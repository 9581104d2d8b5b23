#!/bin/sh
# shellcheck shell=dash
# The kernel's mm selftest cow (copy-on-write vs. GUP/pins, io_uring fixed
# buffers included: built with liburing), one row per kselftest case.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"
# shellcheck source=/dev/null # tests/vm/peers.sh, at its guest path
. "$PINWB_ROOT/tests/vm/peers.sh"
require_peers mm
[ -e /sys/kernel/debug/gup_test ] || fail "/sys/kernel/debug/gup_test missing (CONFIG_GUP_TEST off or debugfs not mounted)"
peers_reserve_hugetlb 8
cd /tmp || fail "no /tmp"
run_case cow 1500 4 "$PEERS/mm/cow"
ksft_rows "cow: " "$CASE_LOG"
case_row "cow (exit)" "$CASE_RES" "$CASE_NOTE"
peers_done cow
