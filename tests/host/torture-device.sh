#!/usr/bin/env bash
# pinwb torture --device-rounds: a recorded round (synth log: no dm-log-writes
# needed) is judged by the device check and the crash replay, and its counts
# reach torture.json; with --device-method dm on a kernel without
# dm-log-writes the device rounds are skipped with the reason in the record,
# never counted as passed.
# tests/run-timeout: 300
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=../lib/torture.sh
. "$(dirname "$0")/../lib/torture.sh"

torture_host ext4
command -v fsfreeze >/dev/null || skip "fsfreeze not installed"
"$PINWB" torture --duration 60 --max-ops 1 --fs ext4 --seed 4 --device-rounds 1 --device-method synth \
	--out "$T/synth" >"$T/synth.console" 2>&1 || { cat "$T/synth.console"; fail "torture with a synth device round failed"; }
cat "$T/synth.console"
python3 - "$T/synth/torture.json" <<'PY' || fail "torture.json device counts: $(cat "$T/synth/torture.json")"
import json, sys
d = json.load(open(sys.argv[1]))["device"]
assert d["rounds"] == 1 and d["method"] == "synth", d
assert d["blocks_logged"] > 0 and d["crash_points_checked"] > 0, d
assert d["torn"] == 0 and d["crash_points_inconsistent"] == 0, d
PY
grep -q '^op device1 job=' "$T/synth/ops.log" || fail "device round not in ops.log"
if dmsetup targets 2>/dev/null | grep -q '^log-writes' || modprobe -n dm-log-writes 2>/dev/null; then
	pass "synth device round judged (dm-log-writes present: its case is tests/host/torture-dmlog.sh)"
fi
"$PINWB" torture --duration 60 --max-ops 1 --fs ext4 --seed 4 --device-rounds 1 --device-method dm \
	--out "$T/dm" >"$T/dm.console" 2>&1 || { cat "$T/dm.console"; fail "torture with dm rounds skipped should still pass its other rounds"; }
python3 - "$T/dm/torture.json" <<'PY' || fail "dm device rounds not reported as skipped: $(cat "$T/dm/torture.json")"
import json, sys
d = json.load(open(sys.argv[1]))["device"]
assert d["rounds"] == 0 and d["skipped"], d
PY
pass "synth device round judged; dm rounds skipped with the reason recorded"
