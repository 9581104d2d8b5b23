#!/usr/bin/env bash
# Host test of the whole VM pipeline: boots a kernel with the selftest suite
# (tests/vm/suites/selftest) and checks that the harness reports exactly what
# happened: a pass, a failure, a skip with its reason, a test killed by its
# timeout, a kernel WARNING that fails an otherwise passing test, and a test
# that leaves pages pinned (FOLL_PIN) behind; the run exits 1, and results.json, meta.json, dmesg.txt and the table are there.
# Then a guest that never finishes (selftest-hang): the host-side timeout
# kills it and the table names the test that was running.
set -euo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)

usage() {
	cat <<USAGE
usage: tests/vm/host/test-harness.sh [--kernel series|none|PATH] [--accel auto|kvm|tcg] [--no-build]

Boots the kernel (default: none, the baseline) with the selftest suite.
Exit: 0 the harness reported every outcome correctly, 1 it did not, 2 setup error.
USAGE
}
kernel=none accel=auto nobuild=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel|--accel) [ $# -ge 2 ] || { echo "test-harness.sh: $1 needs a value" >&2; exit 2; }
		if [ "$1" = --kernel ]; then kernel=$2; else accel=$2; fi; shift 2 ;;
	--no-build) nobuild=(--no-build); shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "test-harness.sh: unknown argument '$1' (accepted: --kernel, --accel, --no-build, --help)" >&2; exit 2 ;;
	esac
done

mkdir -p "$top/build/vm"
out=$(mktemp -d "$top/build/vm/harness-test.XXXXXX")
trap 'rm -rf "$out"' EXIT
passed=0 failed=0
ok() { echo "ok: $1"; passed=$((passed + 1)); }
bad() { echo "FAIL: $1"; failed=$((failed + 1)); }

rc=0
"$top/scripts/vm/run.sh" --kernel "$kernel" --suite selftest --accel "$accel" --timeout 600 \
	--allow-missing "${nobuild[@]}" --out "$out/run" >"$out/run.out" 2>&1 || rc=$?
sed 's/^/  | /' "$out/run.out"
[ "$rc" -ne 2 ] || { echo "test-harness.sh: the harness could not run (exit 2)"; exit 2; }
if [ "$rc" -eq 1 ]; then ok "run exits 1"; else bad "run exit $rc, expected 1"; fi

# row TEST RESULT NOTE-PATTERN
row() {
	local line
	line=$(grep -E "^$1 " "$out/run/table.txt" || true)
	if [ -z "$line" ]; then
		bad "$1: no row in the table"
	elif ! grep -qE "^$1 +$2 " <<<"$line"; then
		bad "$1: expected $2: $line"
	elif ! grep -qE "$3" <<<"$line"; then
		bad "$1: note lacks /$3/: $line"
	else
		ok "$1 $2"
	fi
}
row selftest-pass PASS 'environment ok'
row selftest-fail FAIL 'deliberate failure'
row selftest-skip SKIP 'deliberate skip'
row selftest-timeout FAIL 'timed out after'
row selftest-kmsg-warning FAIL 'kernel log: WARNING: .*injected by the harness self-test'
# The leak fixture needs fio in the guest (it skips without it).
if [ -x "$top/build/fio-3.33/fio" ]; then
	row selftest-pin-leak FAIL 'pin leak: [1-9][0-9]* pages pinned and not released'
	summary='1 passed, 4 failed, 1 skipped'
else
	row selftest-pin-leak SKIP 'fio not in the initramfs'
	summary='1 passed, 3 failed, 2 skipped'
fi
if grep -qx "$summary" "$out/run.out"; then ok "summary line"; else bad "summary line (expected: $summary)"; fi
n=$(jq '.tests | length' "$out/run/results.json" 2>/dev/null || echo 0)
if [ "$n" -eq 6 ]; then ok "results.json has 6 tests"; else bad "results.json has $n tests"; fi
if jq -e '.tests[] | select(.name == "selftest-pass") | .measurements["pins.outstanding_after"] == .measurements["pins.outstanding_before"]' \
	"$out/run/results.json" >/dev/null 2>&1; then
	ok "pin counts recorded"
else
	bad "selftest-pass: no equal pins.outstanding_before/after in results.json"
fi
if jq -e '.qemu.accel and .kernel.uname_r != "" and (.sysctls | type == "object")' "$out/run/meta.json" >/dev/null 2>&1; then
	ok "meta.json"
else
	bad "meta.json incomplete"
fi
if grep -q 'pinwb-suite: start selftest-pass' "$out/run/dmesg.txt" 2>/dev/null; then ok "dmesg.txt came back"; else bad "dmesg.txt missing"; fi
if grep -q 'environment ok' "$out/run/results/selftest-pass/log" 2>/dev/null; then ok "per-test log came back"; else bad "per-test log missing"; fi

# The host-side timeout: a guest whose runner is stopped never finishes.
rc=0
"$top/scripts/vm/run.sh" --kernel "$kernel" --suite selftest-hang --accel "$accel" --timeout 45 \
	--allow-missing --no-build --out "$out/hang" >"$out/hang.out" 2>&1 || rc=$?
sed 's/^/  | /' "$out/hang.out"
if [ "$rc" -eq 1 ]; then ok "hung guest: run exits 1"; else bad "hung guest: run exit $rc, expected 1"; fi
if grep -q 'guest killed after the 45s timeout' "$out/hang.out"; then ok "hung guest: timeout reported"; else bad "hung guest: no timeout message"; fi
if grep -qE '^selftest-pass +PASS ' "$out/hang/table.txt" 2>/dev/null; then ok "hung guest: earlier result kept"; else bad "hung guest: selftest-pass row"; fi
if grep -qE '^selftest-hang +FAIL .*did not finish' "$out/hang/table.txt" 2>/dev/null; then ok "hung guest: the hanging test named"; else bad "hung guest: selftest-hang row"; fi
if grep -qE '^selftest-skip +FAIL .*never ran' "$out/hang/table.txt" 2>/dev/null; then ok "hung guest: later test never ran"; else bad "hung guest: selftest-skip row"; fi

echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
