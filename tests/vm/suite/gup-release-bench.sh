#!/bin/sh
# shellcheck shell=dash
# The series' put_user_page*() release benchmark (gup_test -R, patch 7) on
# order-0, THP and hugetlb memory: every release method reports a number of
# nanoseconds per page, recorded in result.json (no timing assertion: the
# numbers are for pinwb bench / compare, the test proves they are produced).
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
[ -x "$GUP_TEST" ] || skip "gup_test not in the initramfs (kernel build did not produce it)"
[ -e /sys/kernel/debug/gup_test ] || fail "/sys/kernel/debug/gup_test missing (CONFIG_GUP_TEST off or debugfs not mounted)"

hp_before=$(cat /proc/sys/vm/nr_hugepages)
trap 'echo "$hp_before" >/proc/sys/vm/nr_hugepages' EXIT
echo 32 >/proc/sys/vm/nr_hugepages
[ "$(cat /proc/sys/vm/nr_hugepages)" -ge 16 ] || fail "could not reserve hugetlb pages (nr_hugepages=$(cat /proc/sys/vm/nr_hugepages))"

# Output lines: "PUT_USER_PAGES_BENCHMARK: pages=N method=M ns_per_page=X".
total=0
for kind in order0:-T thp:-t hugetlb:-H; do
	flag=${kind#*:} name=${kind%%:*}
	rc=0
	out=$("$GUP_TEST" -R -m 32 -n 512 -r 2 "$flag" 2>&1) || rc=$?
	echo "$out" | sed "s/^/  [$name] /"
	echo "$out" | grep -q 'Wrong argument' && fail "gup_test has no -R: built without patch 7"
	[ "$rc" -eq 0 ] || fail "gup_test -R $flag ($name) exited $rc"
	echo "$out" | grep -q '^not ok' && fail "gup_test -R $flag ($name): $(echo "$out" | grep '^not ok' | head -n 1)"
	lines=$(echo "$out" | grep 'PUT_USER_PAGES_BENCHMARK:')
	[ -n "$lines" ] || fail "gup_test -R $flag ($name): no PUT_USER_PAGES_BENCHMARK line"
	methods=0
	for m in $(echo "$lines" | sed -n 's/.*method=\([^ ]*\).*/\1/p' | sort -u); do
		# The last repeat's figure for this method.
		ns=$(echo "$lines" | grep "method=$m " | tail -n 1 | sed -n 's/.*ns_per_page=\([0-9.]*\).*/\1/p')
		[ -n "$ns" ] || fail "gup_test -R $flag ($name): method $m reported no ns_per_page number"
		kv "$name.$m.ns_per_page" "$ns"
		methods=$((methods + 1))
	done
	[ "$methods" -ge 2 ] || fail "gup_test -R $flag ($name): only $methods release method(s) reported"
	total=$((total + methods))
done
note "$total method x memory figures (order-0, THP, hugetlb) in result.json"
