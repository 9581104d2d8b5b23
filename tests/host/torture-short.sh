#!/usr/bin/env bash
# A short host torture (about 20 s of rounds on ext4): it passes, prints a
# progress line per round, and leaves ops.log and a torture.json whose
# counts agree with it and whose pin counters balance.
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
"$PINWB" torture --duration 20 --max-ops 4 --fs ext4 --seed 11 --out "$out" >"$T/console" 2>&1 || rc=$?
cat "$T/console"
[ "$rc" -eq 0 ] || fail "pinwb torture exit $rc"
n=$(wc -l <"$out/ops.log")
[ "$n" -ge 1 ] || fail "ops.log is empty"
[ "$(grep -c '^torture: ops [0-9]*, verified [0-9]* MiB, racers ' "$T/console")" -eq "$n" ] ||
	fail "not one progress line per op in ops.log ($n)"
python3 - "$out/torture.json" "$n" <<'PY' || fail "torture.json does not match the run"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["result"] == "pass" and r["failures"] == 0, r
assert r["ops"] == int(sys.argv[2]), (r["ops"], sys.argv[2])
assert r["seed"] == 11 and r["fs"] == "ext4", r
assert r["bytes_verified"] > 0, r
for k in ("drop_caches", "memcg_rounds", "ficlone", "memcg_limit_hits"):
    assert isinstance(r["racers"][k], int), k
p = r["pins"]
assert isinstance(p["nr_foll_pin_acquired"], int) and isinstance(p["nr_foll_pin_released"], int), p
PY
pass "$n rounds, progress and torture.json consistent"
