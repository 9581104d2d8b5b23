#!/usr/bin/env bash
# pinwb run stopped in the middle by SIGINT (Ctrl-C) or SIGTERM leaves no
# mount, no loop device, no image and no temp dir behind, and its child fio
# is gone. The run's private temp dir is put under our own temp dir (TMPDIR)
# so that only its traces are looked for.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_loop
need_built
make_tmp

# start_and_stop SIGNAL: start a long run, wait until its file system is
# mounted, send SIGNAL, and expect 128+signal as the exit status. python3
# starts it with default signal dispositions (a background job of a script
# would ignore SIGINT).
start_and_stop() {
	local sig=$1 tmp=$T/tmp-$1
	mkdir "$tmp"
	TMPDIR=$tmp python3 - "$PINWB" "$tmp" "$sig" "$T/out-$sig" <<'PY'
import os, signal, subprocess, sys, time
pinwb, tmp, sig, out = sys.argv[1:5]
signal.signal(signal.SIGINT, signal.SIG_DFL)
p = subprocess.Popen([pinwb, "run", "dio-read-uring", "--runtime", "120", "--size", "16m", "--out", out])
deadline = time.time() + 60
def mounted():
    return any(tmp + "/" in line.split()[1] for line in open("/proc/mounts"))
while not mounted():
    if p.poll() is not None or time.time() > deadline:
        p.kill()
        sys.exit("FAIL: the run never mounted its file system")
    time.sleep(0.1)
time.sleep(2)  # let fio get going
signum = getattr(signal, "SIG" + sig)
p.send_signal(signum)
try:
    rc = p.wait(timeout=60)
except subprocess.TimeoutExpired:
    p.kill()
    sys.exit("FAIL: pinwb run did not stop within 60 s of SIG%s" % sig)
if rc != 128 + signum:
    sys.exit("FAIL: exit %d after SIG%s, expected %d" % (rc, sig, 128 + signum))
PY
	grep -q " $tmp/" /proc/mounts && fail "SIG$sig: a mount under $tmp is left"
	losetup -l -n -O BACK-FILE | grep -q "^$tmp/" && fail "SIG$sig: a loop device over $tmp is left"
	[ -z "$(ls -A "$tmp")" ] || fail "SIG$sig: left in $tmp: $(ls -A "$tmp")"
	pgrep -f -- "--output=$T/out-$sig/fio.json" >/dev/null && fail "SIG$sig: fio still running"
	echo "ok: SIG$sig cleaned up"
}

start_and_stop INT
start_and_stop TERM
pass "mounts, loop devices and temp dirs removed after SIGINT and SIGTERM"
