#!/bin/sh
# shellcheck shell=dash
# The stock gup_test (CONFIG_GUP_TEST, debugfs) works in this guest: the
# FOLL_PIN fast benchmark and the pin basic test run on order-0, THP and
# hugetlb memory and report their timings. Any kernel: the release
# benchmark of the series (gup-release-bench) builds on the same machinery.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_gup_test_hugetlb

# gup_test prints a skip and exits 0 when it cannot open debugfs: success is
# the benchmark's own output line, not the exit code.
for kind in order0:-T thp:-t hugetlb:-H; do
	flag=${kind#*:} name=${kind%%:*}
	out=$("$GUP_TEST" -a -m 32 -n 512 -r 2 "$flag" 2>&1)
	echo "$out" | sed "s/^/  [$name -a] /"
	line=$(echo "$out" | grep 'PIN_FAST_BENCHMARK: Time: get:' | head -n 1)
	[ -n "$line" ] || fail "gup_test -a $flag ($name): no PIN_FAST_BENCHMARK timing line"
	echo "$out" | grep -q '^not ok' && fail "gup_test -a $flag ($name): $(echo "$out" | grep '^not ok' | head -n 1)"
	kv "$name.pin_fast_get_us" "$(echo "$line" | sed -n 's/.*get:\([0-9]*\).*/\1/p')"
	kv "$name.pin_fast_put_us" "$(echo "$line" | sed -n 's/.*put:\([0-9]*\).*/\1/p')"
	out=$("$GUP_TEST" -b -m 32 -n 512 "$flag" 2>&1) || fail "gup_test -b $flag ($name) failed: $(echo "$out" | tail -n 1)"
	echo "$out" | grep -q '^not ok' && fail "gup_test -b $flag ($name): $(echo "$out" | grep '^not ok' | head -n 1)"
	echo "$out" | grep -q 'PIN_BASIC_TEST: done' || fail "gup_test -b $flag ($name): no 'PIN_BASIC_TEST: done'"
done
note "PIN_FAST_BENCHMARK and PIN_BASIC_TEST on order-0, THP, hugetlb"
