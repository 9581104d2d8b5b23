#!/bin/sh
# shellcheck shell=dash
# The kernel interface contract: every vm.* sysctl of the series exists with
# its default, accepts only 0..1, and every gup_* counter is in /proc/vmstat;
# the release counters move with vm.put_user_pages_batch (a DIO run with 1
# releases pages batched, with 0 one by one).
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series

missing=""
for s in $CONTRACT_SYSCTLS; do have_sysctl "$s" || missing="$missing vm.$s"; done
for c in $CONTRACT_COUNTERS; do have_counter "$c" || missing="$missing $c"; done
[ -z "$missing" ] || fail "partly there; missing:$missing"

# Boot defaults (the runner restores them after every test, so this holds
# whatever ran before).
for kvpair in put_user_pages_batch=1 gup_writeback_policy=0 longterm_pin_file_mappings=0 longterm_pin_file_dirty=1; do
	s=${kvpair%=*} want=${kvpair#*=}
	got=$(get_sysctl "$s")
	kv "default.$s" "$got"
	[ "$got" = "$want" ] || fail "vm.$s defaults to $got, the contract says $want"
done

# proc_dointvec_minmax 0..1: out-of-range writes fail and change nothing.
for s in $CONTRACT_SYSCTLS; do
	before=$(get_sysctl "$s")
	for bad in 2 -1; do
		if echo "$bad" 2>/dev/null >"/proc/sys/vm/$s"; then
			fail "vm.$s accepted $bad (range is 0..1)"
		fi
		[ "$(get_sysctl "$s")" = "$before" ] || fail "vm.$s changed to $(get_sysctl "$s") after a rejected write of $bad"
	done
	for v in 0 1; do set_sysctl "$s" "$v"; done
	set_sysctl "$s" "$before"
done

# The release counters move when exercised: O_DIRECT reads and writes into a
# file-backed buffer pin pages with FOLL_PIN and release them at completion.
require_engine
fs=$(first_fs)
dir=$(fs_dir "$fs") || fail "$fs not mounted"
for batch in 1 0; do
	set_sysctl put_user_pages_batch "$batch"
	snap /tmp/vmstat.a
	pinwb_run "batch$batch" "$dir" "rw=randrw" "runtime=3"
	snap /tmp/vmstat.b
	expect_intact "batch$batch"
	single=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_put_pages_single)
	batched=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_put_pages_batched)
	kv "batch$batch.gup_put_pages_single" "$single"
	kv "batch$batch.gup_put_pages_batched" "$batched"
	log "put_user_pages_batch=$batch: single +$single, batched +$batched"
	if [ "$batch" = 1 ]; then
		[ "$batched" -gt 0 ] || fail "gup_put_pages_batched did not rise with put_user_pages_batch=1 (single +$single)"
	else
		[ "$single" -gt 0 ] || fail "gup_put_pages_single did not rise with put_user_pages_batch=0 (batched +$batched)"
	fi
done
nsys=$(echo "$CONTRACT_SYSCTLS" | wc -w)
ncnt=$(echo "$CONTRACT_COUNTERS" | wc -w)
note "$nsys sysctls, $ncnt counters; batched +$(awk -F'\t' '$1 == "batch1.gup_put_pages_batched" { print $2 }' "$PINWB_OUT/measurements.tsv") with batch=1, single +$single with batch=0"
