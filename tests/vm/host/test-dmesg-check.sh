#!/usr/bin/env bash
# Host test of scripts/vm/dmesg-check.sh (no VM): clean logs pass, each kind
# of kernel bug report fails and is attributed to the test that was running,
# console transcript lines are ignored, "# dmesg-allow:" lines are honoured.
set -euo pipefail

case ${1:-} in
-h|--help) echo "usage: tests/vm/host/test-dmesg-check.sh   (no arguments; exit 0 all passed, 1 a check failed)"; exit 0 ;;
'') ;;
*) echo "test-dmesg-check.sh: unknown argument '$1' (accepted: --help)" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/../../.." && pwd)
check=$top/scripts/vm/dmesg-check.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

ok() { echo "ok: $1"; passed=$((passed + 1)); }
bad() { echo "FAIL: $1"; failed=$((failed + 1)); }

# expect NAME RC [PATTERN]: run the check on $tmp/log; exit code RC and, when
# given, PATTERN in its output.
expect() {
	local name=$1 want=$2 pat=${3:-} rc=0 out
	out=$("$check" --suite-dir "$tmp/suite" "$tmp/log" 2>&1) || rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "$name: exit $rc, expected $want; output: $out"
	elif [ -n "$pat" ] && ! grep -qE "$pat" <<<"$out"; then
		bad "$name: output lacks /$pat/: $out"
	else
		ok "$name"
	fi
}

mkdir -p "$tmp/suite"
printf '[    0.000000] Linux version 6.12.117\n[    1.000000] pinwb-suite: start t1\n[    2.000000] EXT4-fs (vdb): mounted\n' >"$tmp/log"
expect clean 0
for line in 'WARNING: CPU: 1 PID: 77 at mm/gup.c:100 foo+0x1/0x2' 'BUG: kernel NULL pointer dereference, address: 0' \
	'Oops: 0000 [#1] SMP' 'INFO: task fio:123 blocked for more than 120 seconds.' \
	'WARNING: possible circular locking dependency detected' 'EXT4-fs error (device vdb): ext4_find_entry' \
	'rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:'; do
	printf '[    0.000000] boot\n[    1.000000] pinwb-suite: start t2\n[    3.000000] %s\n' "$line" >"$tmp/log"
	expect "finds '${line:0:30}'" 1 "^t2"$'\t'
done
# The debug kernel's reports (kernel-patch/config.debug), each as its first
# line would appear: every one must fail the run on its own.
for line in 'BUG: KASAN: slab-use-after-free in io_free_page+0x12/0x30' \
	'BUG: sleeping function called from invalid context at mm/gup.c:1234' \
	'in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 80, name: fio sleeping function called from invalid context' \
	'INFO: task kworker/u4:1:45 blocked for more than 122 seconds.' \
	'page dumped because: VM_BUG_ON_FOLIO(!folio_test_locked(folio))' \
	'kernel BUG at mm/filemap.c:1499!' \
	'VM_WARN_ON_ONCE_FOLIO(folio_test_writeback(folio))' \
	'WARNING: possible recursive locking detected' \
	'WARNING: inconsistent lock state' \
	'WARNING: suspicious RCU usage' \
	'WARNING: bad unlock balance detected!' \
	'WARNING: lock held when returning to user space!' \
	'list_add corruption. prev->next should be next (ffff888003c0e0a8), but was 0000000000000000.' \
	'list_del corruption, ffff888003c0e0a8->next is LIST_POISON1 (dead000000000100)' \
	'ODEBUG: free active (active state 0) object: ffff888004a1c0a0 object type: work_struct hint: io_rsrc_put_work+0x0/0x30' \
	'rcu: INFO: rcu_preempt self-detected stall on CPU' \
	'BUG: MAX_LOCKDEP_ENTRIES too low!' 'turning off the locking correctness validator.'; do
	printf '[    0.000000] boot\n[    1.000000] pinwb-suite: start t6\n[    3.000000] %s\n' "$line" >"$tmp/log"
	expect "debug: finds '${line:0:40}'" 1 "^t6"$'\t'
done
# ... and its boot banners are no reports.
printf '%s\n' '[    0.000000] Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar' \
	'[    0.000000] ... MAX_LOCKDEP_SUBCLASSES:  8' '[    0.000000] ... MAX_LOCKDEP_KEYS:        8192' \
	'[    0.000000] ... MAX_LOCK_DEPTH:          48' '[    0.010000] KernelAddressSanitizer initialized (generic)' \
	'[    0.200000] ODEBUG: selftest passed' '[    0.300000] rcu: RCU lockdep checking is enabled.' >"$tmp/log"
expect "debug kernel boot banners are clean" 0
# The console transcript (no timestamp) may mention WARNING without it being a kernel report.
printf '[    0.000000] boot\n=== t3 FAIL WARNING: in a test note\n' >"$tmp/log"
expect "ignores transcript lines" 0
# Before any test: attributed to "-".
printf '[    0.500000] WARNING: CPU: 0 at init/main.c:1\n' >"$tmp/log"
expect "before the first test" 1 '^-'$'\t'
# An allowed line of the test that provokes it.
printf '#!/bin/sh\n# dmesg-allow: pinwb: stable page changed\n' >"$tmp/suite/t4.sh"
printf '[    1.000000] pinwb-suite: start t4\n[    2.000000] WARNING: pinwb: stable page changed under writeback\n' >"$tmp/log"
expect "allowed by the test" 0
printf '[    1.000000] pinwb-suite: start t5\n[    2.000000] WARNING: pinwb: stable page changed under writeback\n' >"$tmp/log"
expect "allowed only for that test" 1 '^t5'
rc=0
"$check" "$tmp/missing" >/dev/null 2>&1 || rc=$?
if [ "$rc" -eq 2 ]; then ok "unreadable log is a usage error"; else bad "unreadable log: exit $rc, expected 2"; fi

echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
