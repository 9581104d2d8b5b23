#!/bin/sh
# shellcheck shell=dash
# The kernel's mm selftest gup_test, built from linux-source-6.12's
# tools/testing/selftests/mm, in the cases run_vmtests.sh runs by default:
# the GUP-fast and PIN-fast benchmarks and the pin_user_pages page dump.
# kselftest exit codes: 0 pass, 4 skip. The page dump is the -c case's output
# (dump_page() through the gup_test ioctl), not a DEBUG_VM report:
# dmesg-allow: page dumped because: gup_test: dump_pages\(\) test
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"
# shellcheck source=/dev/null # tests/vm/peers.sh, at its guest path
. "$PINWB_ROOT/tests/vm/peers.sh"
require_peers mm
[ -e /sys/kernel/debug/gup_test ] || fail "/sys/kernel/debug/gup_test missing (CONFIG_GUP_TEST off or debugfs not mounted)"
cd /tmp || fail "no /tmp"
for args in "-u" "-a" "-ct -F 0x1 0 19 0x1000"; do
	# shellcheck disable=SC2086 # the arguments are split on purpose
	run_case "gup_test $args" 300 4 "$PEERS/mm/gup_test" $args
	case_row "gup_test $args" "$CASE_RES" "$CASE_NOTE"
done
peers_done gup_test
