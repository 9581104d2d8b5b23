#!/usr/bin/env bash
# A torture round whose buffer file is damaged before verification (one
# byte at offset 0x1400, in slot 1) stops the torture at op 1 with exit 1,
# names the slot and offset, keeps the evidence and prints a reproducer
# with the seed.
# tests/run-timeout: 240
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=../lib/torture.sh
. "$(dirname "$0")/../lib/torture.sh"

torture_host ext4
out=$T/torture
rc=0
# shellcheck disable=SC2016 # expanded by the engine's hook shell
"$PINWB" torture --duration 60 --max-ops 3 --fs ext4 --seed 9 --out "$out" \
	--fault-hook 'printf X | dd of="$PINWB_BUFFER_FILE" bs=1 seek=5120 conv=notrunc status=none' \
	>"$T/console" 2>&1 || rc=$?
cat "$T/console"
[ "$rc" -eq 1 ] || fail "torture exit $rc on a damaged buffer (want 1)"
[ "$(wc -l <"$out/ops.log")" -eq 1 ] || fail "did not stop at the first failure: $(cat "$out/ops.log")"
grep -q 'FAILURE at op 1: .*slot 1 offset 0x1000' "$T/console" || fail "failure line does not name slot 1 at 0x1000"
grep -q '^reproduce: scripts/pinwb torture .*--seed 9 ' "$T/console" || fail "no reproducer with the seed"
for f in torture.pinwb-buf torture.pinwb-buf.pinwb-rec dmesg.txt round/fio.log; do
	[ -s "$out/evidence/$f" ] || fail "evidence/$f not kept"
done
grep -q '"result": "fail"' "$out/torture.json" || fail "torture.json: $(cat "$out/torture.json")"
pass "damaged buffer stops the torture at op 1 with slot, offset, evidence and reproducer"
