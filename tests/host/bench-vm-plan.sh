#!/usr/bin/env bash
# A bench matrix in the VM without booting one: the host's plan for the
# guest (pinwbbench guest-plan) is run by the guest's runner
# (tests/vm/suite/bench-matrix.sh) under this host's dash against a stub fio
# that records what each run saw (its sysctls, whether its buffer file was
# fresh, sparse and of the planned size) and writes fixture fio and pinwb
# JSON. Checked: every planned run ran in plan order with its cell's
# sysctls and a fresh buffer, a progress line per counted run, the sysctls
# put back (also when the runner is ended by TERM mid-run, as the suite's
# watchdog ends it); `pinwb bench --from-vm` makes the set from it. Refused: a run
# dir missing a planned run, a job file not the planned one, another
# matrix, a run whose verification is not intact, a bad matrix line or one
# the guest cannot run (pinwb vm --bench-matrix, exit 2 naming the line).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

command -v python3 >/dev/null || skip "python3 not installed (make deps)"
command -v dash >/dev/null || skip "dash not installed (the guest runner is run under it)"
[ "$(id -u)" -eq 0 ] || skip "needs root (the runner wants its test disk mounted: a tmpfs here)"
mkdir -p "$TOP/build/test-tmp"
T=$(mktemp -d "$TOP/build/test-tmp/bench-vm-plan.XXXXXX")
mounted=0
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	[ "$mounted" -eq 0 ] || umount "$T/mnt/ext4"
	rm -rf -- "$T"
}
trap cleanup EXIT
mkdir -p "$T/mnt/ext4"
mount -t tmpfs -o size=64m pinwb-test "$T/mnt/ext4" || skip "cannot mount a tmpfs"
mounted=1

bench_py() { PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$TOP/scripts/lib python3 -m pinwbbench "$@"; }

cat >"$T/small.matrix" <<'EOF'
# two cells (wb), policy 0 against 1, and one more sysctl on every run
compare = sysctl vm.gup_writeback_policy
sysctl vm.gup_writeback_policy = 0, 1
sysctl vm.longterm_pin_file_mappings = 1
wb = none, default
reps = 5
runtime = 1
EOF
bench_py guest-plan "$T/small.matrix" "$T/plan" --workloads "$TOP/workloads" >/dev/null ||
	fail "guest-plan refused a good matrix"

# The guest's tree: the real tests/vm, a stub fio, a placeholder engine.
root=$T/root
mkdir -p "$root/bin" "$root/engines" "$T/sys/vm"
ln -s "$TOP/tests" "$root/tests"
: >"$root/engines/pinwb.so"
printf '#!/bin/sh\nexit 0\n' >"$root/bin/pinwb-verify"
cat >"$root/bin/fio" <<'EOF'
#!/bin/sh
# stub fio: one line per run to $STUB_LOG, fixture JSON out
out='' job=''
for a in "$@"; do
	case $a in --output=*) out=${a#--output=} ;; --*) ;; *) job=$a ;; esac
done
val() { sed -n "s/^$1=//p" "$job" | tail -n 1; }
buf=$(val pinwb_buffer_file) size=$(val pinwb_buffer_size) rep=$(val pinwb_report)
fresh=stale
if [ -f "$buf" ] && [ "$(stat -c %s "$buf")" = "$size" ] && [ "$(stat -c %b "$buf")" = 0 ] &&
	[ ! -e "$buf.pinwb-rec" ]; then
	fresh=fresh
fi
# what the engine leaves: a written buffer and its record
printf 'x' | dd of="$buf" bs=1 seek=100 conv=notrunc 2>/dev/null
: >"$buf.pinwb-rec"
run=$(basename "$(dirname "$out")")
pol=$(cat "$STUB_SYS/vm/gup_writeback_policy")
echo "$run $pol $(cat "$STUB_SYS/vm/longterm_pin_file_mappings") $size $fresh" >>"$STUB_LOG"
iops=100000
[ "$pol" = 1 ] && iops=98000
PYTHONPATH=$STUB_FIXTURE python3 -c "import json, fixture; print(json.dumps(fixture.fio_doc([('bench-pinwb', $iops, 100)])))" >"$out"
if [ "$run" = "${STUB_HANG:-}" ]; then
	: >"$STUB_SYS/hanging"
	exec sleep 600
fi
verdict=intact
[ "$run" = "${STUB_MISMATCH:-}" ] && verdict=mismatch
printf '{"verify": {"result": "%s", "mismatches": 0}}\n' "$verdict" >"$rep"
EOF
chmod +x "$root/bin/fio" "$root/bin/pinwb-verify"

# guest_run OUT: the runner on the plan; its exit status.
guest_run() {
	local rc=0
	echo 0 >"$T/sys/vm/gup_writeback_policy"
	echo 0 >"$T/sys/vm/longterm_pin_file_mappings"
	: >"$T/stub.log"
	mkdir -p "$1"
	env PINWB_ROOT="$root" PINWB_OUT="$1" PINWB_MNT="$T/mnt" PINWB_SUITE=full \
		PINWB_BENCH_PLAN="$T/plan" PINWB_SYSCTL_ROOT="$T/sys" PINWB_PROGRESS_TTY=/dev/null \
		STUB_LOG="$T/stub.log" STUB_SYS="$T/sys" STUB_FIXTURE="$TOP/tests/py" \
		dash "$TOP/tests/vm/suite/bench-matrix.sh" >"$1/log" 2>&1 </dev/null || rc=$?
	return $rc
}

vm=$T/vm
src=$vm/results/bench-matrix
rc=0
guest_run "$src" || rc=$?
[ $rc -eq 0 ] || { cat "$src/log"; fail "the guest runner exited $rc on a good plan"; }

# Every planned run in order, with its cell's sysctls and a fresh buffer.
awk -F'\t' '{ n = split($11, s, ","); v = ""; for (i = 1; i <= n; i++) { split(s[i], kv, "="); v = v " " kv[1] "=" kv[2] }
	print $9, $10, v }' "$T/plan/plan.tsv" | sed 's|runs/||' | sort >"$T/want"
awk '{ printf "%s %s  vm.gup_writeback_policy=%s vm.longterm_pin_file_mappings=%s\n", $1, $4, $2, $3 }' \
	"$T/stub.log" | sort >"$T/got"
diff "$T/want" "$T/got" >"$T/diff" || { cat "$T/diff"; fail "runs and their sysctls differ from the plan"; }
cut -f9 "$T/plan/plan.tsv" | sed 's|runs/||' >"$T/order"
cut -d' ' -f1 "$T/stub.log" | diff "$T/order" - >/dev/null || fail "runs not in plan order"
! grep -v ' fresh$' "$T/stub.log" || fail "a run got a buffer file that was not fresh, sparse and of the planned size"
n=$(grep -cE 'cell [12]/2 run [0-9]+/20 elapsed [0-9]+s eta [0-9]+s' "$src/log" || true)
[ "$n" -eq 20 ] || { cat "$src/log"; fail "$n progress lines 'cell i/N run j/M elapsed Ts eta Ts', expected 20"; }
[ "$(cat "$T/sys/vm/gup_writeback_policy") $(cat "$T/sys/vm/longterm_pin_file_mappings")" = "0 0" ] ||
	fail "the runner did not put the sysctls back"
[ -z "$(ls -A "$T/mnt/ext4")" ] || fail "the runner left its scratch directory on the test disk"

# The set, as the host makes it.
printf '{"name": "bench-matrix", "result": "PASS"}\n' >"$src/result.json"
printf '{"kernel": {"uname_r": "6.12.117", "sha256": "aa"}, "sysctls": {}, "qemu": {"accel": "tcg"}}\n' >"$vm/meta.json"
"$PINWB" bench --from-vm "$vm" --out "$T/set" >"$T/set.log" 2>&1 || { cat "$T/set.log"; fail "--from-vm refused a complete run"; }
python3 - "$T/set/bench.json" <<'PY' || fail "the set does not hold 2 cells of 5 pairs"
import json, sys
b = json.load(open(sys.argv[1]))
assert [c["ratio"]["n"] for c in b["cells"]] == [5, 5], b["cells"]
assert abs(b["cells"][0]["ratio"]["median"] - 0.98) < 1e-6
PY

# refused: from_vm_refused NAME WANT [ARGS...] on a copy changed by the caller
from_vm_refused() {
	local name=$1 want=$2 rc=0
	shift 2
	"$PINWB" bench --from-vm "$T/$name" --out "$T/set-$name" "$@" >"$T/$name.log" 2>&1 || rc=$?
	[ $rc -eq 2 ] || { cat "$T/$name.log"; fail "$name: --from-vm exited $rc, expected 2"; }
	grep -q -- "$want" "$T/$name.log" || { cat "$T/$name.log"; fail "$name: message does not say '$want'"; }
}
cp -r "$vm" "$T/missing"
rm "$T/missing/results/bench-matrix/runs/c1-r3-1/fio.json"
from_vm_refused missing "run c1-r3-1 of the plan is missing"
cp -r "$vm" "$T/edited"
sed -i 's/^rw=randread/rw=randwrite/' "$T/edited/results/bench-matrix/runs/c0-r2-0/job.fio"
from_vm_refused edited "run c0-r2-0: the guest's job.fio is not the planned job"
cp -r "$vm" "$T/other"
from_vm_refused other "not $TOP/workloads/bench-policy-vm.matrix" --matrix bench-policy-vm

# A run whose verification is not intact fails the guest test, naming it.
rc=0
STUB_MISMATCH=c0-r1-1 guest_run "$T/mm" || rc=$?
[ $rc -eq 1 ] || { cat "$T/mm/log"; fail "a mismatching run: the runner exited $rc, expected 1"; }
grep -q "c0-r1-1 .*verification says 'mismatch'" "$T/mm/note" || fail "the note does not name the mismatching run"

# Ended by the suite runner's watchdog (TERM to the test's process group)
# in the middle of a run: the sysctls are put back and the scratch
# directory goes all the same.
rm -f "$T/sys/hanging"
STUB_HANG=c1-r0-1 setsid bash -c "$(declare -f guest_run); T=$T root=$root TOP=$TOP guest_run $T/hang" &
hang=$!
for _ in $(seq 240); do
	[ ! -e "$T/sys/hanging" ] || break
	sleep 0.5
done
[ -e "$T/sys/hanging" ] || fail "the runner never reached the run the stub hangs in"
[ "$(cat "$T/sys/vm/gup_writeback_policy")" = 1 ] || fail "the hanging run does not have its policy set"
kill -TERM -- -"$hang"
wait "$hang" || true
# the group's last process (the runner, in its traps) may outlive its parent
for _ in $(seq 240); do
	kill -0 -- -"$hang" 2>/dev/null || break
	sleep 0.5
done
! kill -0 -- -"$hang" 2>/dev/null || fail "the runner did not end on TERM"
[ "$(cat "$T/sys/vm/gup_writeback_policy") $(cat "$T/sys/vm/longterm_pin_file_mappings")" = "0 0" ] ||
	fail "a runner ended by TERM did not put the sysctls back"
[ -z "$(ls -A "$T/mnt/ext4")" ] || fail "a runner ended by TERM left its scratch directory"

# pinwb vm --bench-matrix: bad lines and what the guest lacks, refused
# before anything is built, naming the line. The run directory cannot be
# made (its parent is a file), so a matrix let through stops there, before
# any build or boot, and fails the message check.
: >"$T/notadir"
vm_refused() {
	local line=$1 want=$2 rc=0
	shift 2
	printf '%s\n' "$@" >"$T/bad.matrix"
	"$PINWB" vm --suite full --tests bench-matrix --bench-matrix "$T/bad.matrix" --out "$T/notadir/vm" \
		--no-build >"$T/bad.log" 2>&1 || rc=$?
	[ $rc -eq 2 ] || { cat "$T/bad.log"; fail "bad VM matrix ($want): exit $rc, expected 2"; }
	grep -q "$T/bad.matrix:$line: .*$want" "$T/bad.log" || { cat "$T/bad.log"; fail "message does not name $T/bad.matrix:$line ($want)"; }
}
vm_refused 3 "bs: '3k'" "# x" "compare = io" "bs = 3k" "io = uring, uring-fixed"
vm_refused 3 "hugetlb cannot run in the VM guest" "compare = io" "io = uring, uring-fixed" "buffer = hugetlb"
rc=0
"$PINWB" vm --suite short --bench-matrix bench-policy-vm --out "$T/notadir/vm" --no-build >"$T/bad.log" 2>&1 || rc=$?
if [ $rc -ne 2 ] || ! grep -q -- "--bench-matrix: the run has no bench-matrix test" "$T/bad.log"; then
	cat "$T/bad.log"
	fail "--bench-matrix without the bench-matrix test: exit $rc, expected 2"
fi
pass "guest plan run in order with its sysctls and fresh buffers, progress shown, set made; missing run, edited job, other matrix, mismatch and bad lines refused"
