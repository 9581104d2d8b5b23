#!/bin/sh
# shellcheck shell=dash
# The series' release benchmark (gup_test -R, patch 7) on order-0, THP and
# hugetlb memory, all pages in one release call: every release method reports
# a number of nanoseconds per page, recorded in result.json (no timing
# assertion: the numbers are for pinwb bench / compare, the test proves they
# are produced). gup-release-sweep varies the pages per call.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
require_gup_test_hugetlb

# Output (patch 7), one line per method and round:
#   PUT_USER_PAGES_BENCHMARK: pages=N method=per-page|batched|unpin|folio-run
#     per_call=B ns_per_page=X put_ns=T pin_ns=P counted_single=S counted_batched=C
# gup_test itself fails a round whose counter of the path taken grew by less
# than N; here every method must have reported a figure on every memory kind.
total=0
for kind in order0:-T thp:-t hugetlb:-H; do
	flag=${kind#*:} name=${kind%%:*}
	rc=0
	out=$("$GUP_TEST" -R -m 32 -r 2 "$flag" 2>&1) || rc=$?
	echo "$out" | sed "s/^/  [$name] /"
	echo "$out" | grep -q 'Wrong argument' && fail "gup_test has no -R: built without patch 7"
	echo "$out" | grep -q '^not ok' && fail "gup_test -R $flag ($name): $(echo "$out" | grep '^not ok' | head -n 1)"
	[ "$rc" -eq 0 ] || fail "gup_test -R $flag ($name) exited $rc"
	lines=$(echo "$out" | grep 'PUT_USER_PAGES_BENCHMARK:')
	[ -n "$lines" ] || fail "gup_test -R $flag ($name): no PUT_USER_PAGES_BENCHMARK line (kernel without the command?)"
	for m in per-page batched unpin folio-run; do
		# The last round's figures for this method.
		line=$(echo "$lines" | grep "method=$m " | tail -n 1)
		[ -n "$line" ] || fail "gup_test -R $flag ($name): no line for method $m"
		ns=$(echo "$line" | sed -n 's/.* ns_per_page=\([0-9][0-9.]*\) .*/\1/p')
		[ -n "$ns" ] || fail "gup_test -R $flag ($name): method $m reported no ns_per_page number"
		kv "$name.$m.ns_per_page" "$ns"
		kv "$name.$m.pages" "$(echo "$line" | sed -n 's/.* pages=\([0-9]*\) .*/\1/p')"
		kv "$name.$m.counted_single" "$(echo "$line" | sed -n 's/.* counted_single=\(-*[0-9]*\).*/\1/p')"
		kv "$name.$m.counted_batched" "$(echo "$line" | sed -n 's/.* counted_batched=\(-*[0-9]*\).*/\1/p')"
		total=$((total + 1))
	done
done
note "$total ns/page figures (per-page, batched, unpin, folio-run x order-0, THP, hugetlb) in result.json"
