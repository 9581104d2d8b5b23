# shellcheck shell=bash
# Helpers for tests/host/*.sh: pass/fail/skip exits, prerequisites, a private
# temp dir removed on exit, job files derived from workloads/.
# Source it at the top of a test, after set -euo pipefail.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PINWB=$TOP/scripts/pinwb
# Same defaults (and overrides) as scripts/pinwb.
FIO=${PINWB_FIO:-$TOP/build/fio-3.33/fio}
ENGINE=${PINWB_ENGINE_SO:-$TOP/engines/pinwb.so}
VERIFIER=${PINWB_VERIFY_BIN:-$TOP/engines/pinwb-verify}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "PASS: $*"; exit 0; }

need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root (loop devices, mkfs, mount)"; }
need_loop() {
	need_root
	[ -e /dev/loop-control ] || skip "no loop device support (/dev/loop-control missing)"
	losetup --find >/dev/null 2>&1 || skip "no free loop device"
}
need_mkfs() { command -v "mkfs.$1" >/dev/null || skip "mkfs.$1 not installed (make deps)"; }
need_built() {
	[ -x "$FIO" ] || fail "fio not built at $FIO (run: make)"
	[ -f "$ENGINE" ] || fail "engine not built at $ENGINE (run: make)"
	[ -x "$VERIFIER" ] || fail "verifier not built at $VERIFIER (run: make)"
}

# Is a long-term pin of a file mapping (io_uring fixed buffers on a file)
# allowed here? Only with the series and vm.longterm_pin_file_mappings=1.
kernel_allows_file_fixedbufs() {
	local f=/proc/sys/vm/longterm_pin_file_mappings
	[ -r "$f" ] && [ "$(cat "$f")" = 1 ]
}

# A private temp dir on a file system that takes O_DIRECT (build/ of the
# checkout rather than a possible tmpfs /tmp), removed on exit.
make_tmp() {
	mkdir -p "$TOP/build/test-tmp"
	T=$(mktemp -d "$TOP/build/test-tmp/$(basename "$0" .sh).XXXXXX")
	trap 'rm -rf -- "$T"' EXIT
}

# job_with WORKLOAD OUT LINE...: OUT = workloads/WORKLOAD.fio with LINEs
# appended to its (last) job section.
job_with() {
	local src=$TOP/workloads/$1.fio out=$2
	shift 2
	[ -f "$src" ] || fail "no workload $src"
	{
		cat "$src"
		printf '%s\n' "$@"
	} >"$out"
}

# Workloads every fs test runs (the bench pair needs scripts/pinwb bench).
host_workloads() {
	local f
	for f in "$TOP"/workloads/*.fio; do
		case $(basename "$f") in
		bench-*) ;;
		*) basename "$f" .fio ;;
		esac
	done
}

# run_workloads FS: every workload for a few seconds on a fresh loop-mounted
# FS; each must finish with its buffer verified intact. File-backed fixed
# buffers are left out where the kernel refuses them (fixedbufs-*.sh covers
# that case).
run_workloads() {
	local fs=$1 job rc n=0 verdict
	need_loop
	need_mkfs "$fs"
	need_built
	make_tmp
	for job in $(host_workloads); do
		if [ "$job" = uring-fixedbufs ] && ! kernel_allows_file_fixedbufs; then
			echo "note: $job left out: this kernel refuses long-term pins of file mappings"
			continue
		fi
		rc=0
		"$PINWB" run "$job" --fs "$fs" --runtime 2 --size 16m --out "$T/$job" || rc=$?
		[ $rc -eq 0 ] || fail "$job on $fs: pinwb run exit $rc"
		verdict=$(jq -r '.verify.result' "$T/$job"/*.pinwb.json) || fail "$job on $fs: no readable pinwb report"
		[ "$verdict" = intact ] || fail "$job on $fs: verify result '$verdict', expected intact"
		n=$((n + 1))
	done
	[ $n -gt 0 ] || fail "no workload ran"
	pass "$n workloads intact on $fs"
}
