#!/bin/sh
# shellcheck shell=dash
# The kernel interface contract: every vm.* sysctl of the series exists with
# its default, accepts only 0..1, and every gup_* counter is in /proc/vmstat;
# the release counter moves: a DIO run releases its pages through the batched
# unpin path (gup_put_pages_batched). vm.put_user_pages_batch is gone (patch 1
# has one release path) and must stay gone, and so is vm.longterm_pin_file_dirty
# (patch 10: the "no re-dirty" test fault is a debugfs switch built only with
# CONFIG_IO_URING_DEBUG_REDIRTY, off at boot).
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series

missing=""
for s in $CONTRACT_SYSCTLS; do have_sysctl "$s" || missing="$missing vm.$s"; done
# gup_wb_nowait (patch 3): pins of folios under writeback without a wait;
# gup_wb_pinned_bounced_early (patch 9): btrfs copies before checksumming;
# gup_longterm_file_deferred (patch 11): re-dirtying a completion deferred.
counters="$CONTRACT_COUNTERS gup_wb_nowait gup_wb_pinned_bounced_early gup_longterm_file_deferred"
for c in $counters; do have_counter "$c" || missing="$missing $c"; done
[ -z "$missing" ] || fail "partly there; missing:$missing"

# Boot defaults (the runner restores them after every test, so this holds
# whatever ran before).
have_sysctl put_user_pages_batch && fail "vm.put_user_pages_batch exists: patch 1 has one release path, nothing selects another"
have_sysctl longterm_pin_file_dirty && fail "vm.longterm_pin_file_dirty exists: a test fault must not be a sysctl (patch 10)"
if [ -e "$REDIRTY_FAULT" ]; then
	got=$(cat "$REDIRTY_FAULT")
	kv default.skip_file_redirty "$got"
	[ "$got" = N ] || [ "$got" = 0 ] || fail "$REDIRTY_FAULT is '$got' at boot, must be off"
fi
for kvpair in gup_writeback_policy=0 longterm_pin_file_mappings=0; do
	s=${kvpair%=*} want=${kvpair#*=}
	got=$(get_sysctl "$s")
	kv "default.$s" "$got"
	[ "$got" = "$want" ] || fail "vm.$s defaults to $got, the contract says $want"
done

# The stable-page detector (patch 8) is off at boot, its faults (fail_copy,
# and fail_nowait of patch 9) not injected:
# a kernel built with it runs the production submit path until a test
# switches it on through debugfs.
dbg=/sys/kernel/debug/gup_stable
for kvpair in enable=0 fail_copy=N fail_nowait=N; do
	f=${kvpair%=*} want=${kvpair#*=}
	[ -e "$dbg/$f" ] || fail "$dbg/$f missing (CONFIG_GUP_STABLE_PAGE_CHECK off or debugfs not mounted)"
	got=$(cat "$dbg/$f")
	kv "default.gup_stable.$f" "$got"
	[ "$got" = "$want" ] || fail "$dbg/$f is $got at boot, the contract says $want"
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
snap /tmp/vmstat.a
pinwb_run dio "$dir" "rw=randrw" "runtime=3"
snap /tmp/vmstat.b
expect_intact dio
single=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_put_pages_single)
batched=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_put_pages_batched)
kv "dio.gup_put_pages_single" "$single"
kv "dio.gup_put_pages_batched" "$batched"
log "DIO run: single +$single, batched +$batched"
[ "$batched" -gt 0 ] || fail "gup_put_pages_batched did not rise over a DIO run (single +$single)"
note "2 sysctls, $(echo "$counters" | wc -w) counters; DIO run: batched +$batched, single +$single"
