#!/usr/bin/env bash
# pinwb torture --policy: a bad value is refused naming the accepted ones
# (exit 2); on a kernel without the series' knobs safe/unsafe are a setup
# error naming the knob (exit 2); with them, a one-round safe run records
# the settings in torture.json and puts the old values back.
# tests/run-timeout: 240
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=../lib/torture.sh
. "$(dirname "$0")/../lib/torture.sh"

rc=0
msg=$("$PINWB" torture --duration 5 --policy bogus 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "--policy bogus: exit $rc, want 2"
grep -q "accepted: safe, unsafe, keep" <<<"$msg" || fail "--policy bogus: message does not name the accepted values: $msg"
torture_host ext4
if [ ! -e /proc/sys/vm/gup_writeback_policy ]; then
	rc=0
	msg=$("$PINWB" torture --duration 5 --max-ops 1 --fs ext4 --policy safe --out "$T/none" 2>&1) || rc=$?
	[ "$rc" -eq 2 ] || fail "--policy safe without the knobs: exit $rc, want 2"
	grep -q 'needs gup_writeback_policy' <<<"$msg" || fail "message does not name the missing knob: $msg"
	pass "bad policy refused; safe refused on a kernel without the knobs ($(uname -r))"
fi
before=$(cat /proc/sys/vm/gup_writeback_policy)
"$PINWB" torture --duration 5 --max-ops 1 --fs ext4 --seed 3 --policy safe --out "$T/safe" >"$T/console" 2>&1 ||
	{ cat "$T/console"; fail "one safe round failed"; }
[ "$(jq -r .policy.name "$T/safe/torture.json")" = safe ] || fail "torture.json policy: $(jq -c .policy "$T/safe/torture.json")"
jq -r .policy.settings "$T/safe/torture.json" | grep -q 'gup_writeback_policy=1' || fail "settings not recorded"
[ "$(cat /proc/sys/vm/gup_writeback_policy)" = "$before" ] || fail "gup_writeback_policy not restored"
pass "bad policy refused; safe recorded and the old values restored"
