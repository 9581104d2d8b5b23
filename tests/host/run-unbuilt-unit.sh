#!/usr/bin/env bash
# tests/run must fail when a unit test was not built, not run none and pass:
# in a scratch tree holding a copy of tests/run, one unit test source with no
# binary and one passing host test, tests/run exits 1 naming the unbuilt
# test; once the binary exists, it runs it and exits 0.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

make_tmp
mkdir -p "$T/tests/unit" "$T/tests/host"
cp "$TOP/tests/run" "$T/tests/run"
printf 'int main(void) { return 0; }\n' >"$T/tests/unit/demo_test.c"
printf '#!/usr/bin/env bash\necho "PASS: ok"\n' >"$T/tests/host/ok.sh"
chmod +x "$T/tests/host/ok.sh"

rc=0
out=$("$T/tests/run" 2>&1) || rc=$?
echo "$out"
[ $rc -eq 1 ] || fail "unbuilt unit test: tests/run exit $rc, expected 1"
grep -q '^FAIL unit/demo_test (not built' <<<"$out" || fail "no 'FAIL unit/demo_test (not built...' line"

printf '#!/bin/sh\necho ok demo\n' >"$T/tests/unit/demo_test"
chmod +x "$T/tests/unit/demo_test"
rc=0
out=$("$T/tests/run" 2>&1) || rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "built unit test: tests/run exit $rc, expected 0"
grep -q '^PASS unit/demo_test$' <<<"$out" || fail "built unit test did not run"
pass "an unbuilt unit test fails tests/run; built, it runs"
