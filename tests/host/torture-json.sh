#!/usr/bin/env bash
# scripts/lib/torture_json.py: dotted keys nest, digits become integers,
# true/false booleans, empty null; a pair without '=' or a key nesting under
# a value is refused with exit 2.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

command -v python3 >/dev/null || skip "python3 not installed"
make_tmp
tj=$TOP/scripts/lib/torture_json.py
python3 "$tj" "$T/a.json" ops=3 racers.memcg=2 racers.enabled=memcg,ficlone ok=true what= neg=-1 ||
	fail "valid pairs refused"
python3 - "$T/a.json" <<'PY' || fail "wrong record: $(cat "$T/a.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r == {"pinwb_torture_version": 1, "ops": 3, "racers": {"memcg": 2, "enabled": "memcg,ficlone"},
             "ok": True, "what": None, "neg": -1}, r
PY
rc=0
python3 "$tj" "$T/b.json" noequals 2>"$T/err" || rc=$?
if [ "$rc" -ne 2 ] || ! grep -q "not key=value: 'noequals'" "$T/err"; then
	fail "pair without = : exit $rc, $(cat "$T/err")"
fi
rc=0
python3 "$tj" "$T/c.json" a=1 a.b=2 2>"$T/err" || rc=$?
if [ "$rc" -ne 2 ] || ! grep -q "nests under a value" "$T/err"; then
	fail "nesting under a value: exit $rc, $(cat "$T/err")"
fi
pass "torture_json.py builds and refuses as documented"
