#!/bin/sh
# shellcheck shell=dash
# Release cost against batch size (kernel patch 7, gup_test -R -B): 1, 2, 4
# ... 512 pages per release call on order-0, THP and hugetlb memory, four
# methods each (per-page put_user_page(), batched put_user_pages(),
# unpin_user_pages(), and unpin_user_folio() per folio run, which is
# unpin_user_pages() before it batched), ROUNDS rounds. Writes
# release-sweep.tsv: one row per (kind, batch, method) with the median, min
# and max ns/page. No timing is asserted: the test fails only when gup_test
# fails (its counter check included) or a cell has no figures.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
require_gup_test_hugetlb

KINDS="order0 thp hugetlb"
BATCHES="1 2 4 8 16 32 64 128 256 512"
METHODS="per-page batched unpin folio-run"
ROUNDS=5
# 16 MiB: 4096 order-0 pages, 8 THPs, 8 of the reserved hugetlb pages; at
# least one full 512-page call on every kind.
SIZE_MB=16

raw=$PINWB_OUT/release-sweep.raw
tsv=$PINWB_OUT/release-sweep.tsv
: >"$raw"
{
	echo "kernel=$(uname -r)"
	echo "cpu=$(awk -F': ' '$1 ~ /^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "nproc=$(nproc)"
	echo "thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
	echo "command=gup_test -R -m $SIZE_MB -r $ROUNDS -B BATCH -T|-t|-H"
} >"$PINWB_OUT/release-sweep.meta"

for kind in order0:-T thp:-t hugetlb:-H; do
	flag=${kind#*:} name=${kind%%:*}
	for b in $BATCHES; do
		rc=0
		out=$("$GUP_TEST" -R -m "$SIZE_MB" -r "$ROUNDS" -B "$b" "$flag" 2>&1) || rc=$?
		echo "$out" | grep -q 'Wrong argument\|invalid option' && fail "gup_test has no -R/-B: built without patch 7"
		echo "$out" | grep -q '^not ok' && { echo "$out" | sed "s/^/  [$name -B $b] /"; fail "gup_test -R -B $b $flag ($name): $(echo "$out" | grep '^not ok' | head -n 1)"; }
		[ "$rc" -eq 0 ] || { echo "$out" | sed "s/^/  [$name -B $b] /"; fail "gup_test -R -B $b $flag ($name) exited $rc"; }
		echo "$out" | grep 'PUT_USER_PAGES_BENCHMARK:' | sed "s/^/$name /" >>"$raw"
	done
	log "$name: $(grep -c "^$name " "$raw") release figures"
done

awk -v kinds="$KINDS" -v batches="$BATCHES" -v methods="$METHODS" -v rounds="$ROUNDS" \
	-f "$PINWB_ROOT/tests/vm/release-sweep.awk" "$raw" >"$tsv" ||
	fail "incomplete sweep (see release-sweep.raw)"
sed 's/^/  /' "$tsv"

# Per kind at 512 pages per call: the medians and how many times cheaper
# per page the batched release is than each baseline.
cell() { awk -F'\t' -v k="$1" -v b="$2" -v m="$3" '$1 == k && $2 == b && $3 == m { print $6 }' "$tsv"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }
summary=""
for k in $KINDS; do
	for m in $METHODS; do kv "$k.b512.$m.ns_per_page" "$(cell "$k" 512 "$m")"; done
	bt=$(cell "$k" 512 batched)
	pp=$(ratio "$(cell "$k" 512 per-page)" "$bt")
	fr=$(ratio "$(cell "$k" 512 folio-run)" "$bt")
	un=$(ratio "$(cell "$k" 512 unpin)" "$bt")
	kv "$k.b512.per_page_over_batched" "$pp"
	kv "$k.b512.folio_run_over_batched" "$fr"
	kv "$k.b512.unpin_over_batched" "$un"
	summary="$summary $k: per-page/batched ${pp}x, folio-run/batched ${fr}x, unpin/batched ${un}x;"
done
note "512 pages/call, median of $ROUNDS:$summary rows in release-sweep.tsv"
