#!/usr/bin/env bash
# The torture's pin accounting can fail: a round whose hook starts a process
# that registers an io_uring fixed buffer (a FOLL_PIN of anonymous memory,
# counted in nr_foll_pin_acquired) and still holds it when the torture ends
# must stop the run with "pin accounting" and pins.balanced 0 (no memcg
# racer: the holder would keep its cgroup busy); the same run
# without the hook ends balanced (pins.balanced 1, acquired == released).
# tests/run-timeout: 240
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=../lib/torture.sh
. "$(dirname "$0")/../lib/torture.sh"

torture_host ext4
holder_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	[ -z "$holder_pid" ] || kill "$holder_pid" 2>/dev/null || true
	[ -z "$holder_pid" ] || wait "$holder_pid" 2>/dev/null || true
	rm -rf -- "$T"
}
trap cleanup EXIT

"$PINWB" torture --duration 60 --max-ops 1 --fs ext4 --seed 5 --racers fork --out "$T/clean" >"$T/clean.console" 2>&1 ||
	{ cat "$T/clean.console"; fail "torture without the holder failed"; }
jq -e '.pins.balanced == 1 and .pins.nr_foll_pin_acquired == .pins.nr_foll_pin_released' "$T/clean/torture.json" >/dev/null ||
	fail "clean run not balanced: $(jq -c .pins "$T/clean/torture.json")"

# the holder: fio's own io_uring engine with registered buffers, reading a
# small file for 30 s; started by the round's hook, so after the torture's
# first count and still running at its last
head -c 1M /dev/zero >"$T/holder.dat"
cat >"$T/holder.fio" <<EOF
[holder]
ioengine=io_uring
fixedbufs=1
direct=1
rw=read
bs=4k
iodepth=4
size=1m
time_based=1
runtime=30
filename=$T/holder.dat
EOF
# The hook returns only once the holder's ring shows its registered buffers
# in fdinfo (UserBufs), so the pin exists before the torture's last count
# however slowly fio starts; a fixed sleep was not enough on a loaded host.
cat >"$T/hook.sh" <<EOF
#!/bin/sh
setsid $FIO $T/holder.fio >$T/holder.log 2>&1 </dev/null &
holder=\$!
echo \$holder >$T/holder.pid
i=0
while [ \$i -lt 200 ]; do
	for p in \$holder \$(pgrep -P \$holder 2>/dev/null); do
		if grep -qs '^UserBufs:[[:space:]]*[1-9]' /proc/\$p/fdinfo/*; then
			: >$T/holder.ready
			exit 0
		fi
	done
	sleep 0.1
	i=\$((i + 1))
done
EOF
chmod +x "$T/hook.sh"
rc=0
"$PINWB" torture --duration 60 --max-ops 1 --fs ext4 --seed 5 --racers fork --out "$T/held" \
	--fault-hook "$T/hook.sh" >"$T/held.console" 2>&1 || rc=$?
holder_pid=$(cat "$T/holder.pid" 2>/dev/null || true)
cat "$T/held.console"
if [ -z "$holder_pid" ] || ! kill -0 "$holder_pid" 2>/dev/null || [ ! -e "$T/holder.ready" ]; then
	skip "the pin holder did not register its buffers within 20 s (fio io_uring fixedbufs: $(tail -n 2 "$T/holder.log" 2>/dev/null))"
fi
[ "$rc" -eq 1 ] || fail "torture exit $rc with a pin still held at its end (want 1)"
grep -q 'FAILURE at op 1: pin accounting: nr_foll_pin_acquired' "$T/held.console" || fail "failure does not name the pin accounting"
jq -e '.pins.balanced == 0 and .pins.nr_foll_pin_acquired > .pins.nr_foll_pin_released' "$T/held/torture.json" >/dev/null ||
	fail "held run: $(jq -c .pins "$T/held/torture.json")"
pass "pins balanced without a holder ($(jq -c .pins "$T/clean/torture.json")); a pin held past the end fails the run ($(jq -c .pins "$T/held/torture.json"))"
