#!/usr/bin/env bash
# pinwb_before_verify runs with this job's own environment: two thread=1
# jobs each see their own PINWB_JOB, PINWB_BUFFER_FILE and PINWB_TARGET_FILE
# (no shared setenv). A job whose setup fails after the buffer exists
# (pinwb_registerfiles=1 with openfiles below nrfiles: post_init refuses it)
# writes no pinwb report and runs no hook. No root needed.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_built
make_tmp
log=$T/hook.log
hook="echo \"\$PINWB_JOB|\$PINWB_BUFFER_FILE|\$PINWB_TARGET_FILE\" >>$log"

"$FIO" --thread=1 --ioengine="external:$ENGINE" --size=4m --bs=4k --direct=1 --iodepth=4 \
	--number_ios=500 --rw=randrw --pinwb_buffer_size=1m --pinwb_wb_modes=none \
	--pinwb_before_verify="$hook" \
	--name=alpha --filename="$T/alpha.dat" --name=beta --filename="$T/beta.dat" \
	>"$T/out.txt" 2>&1 || { cat "$T/out.txt"; fail "the two-job run failed"; }
[ "$(wc -l <"$log")" -eq 2 ] || { cat "$log"; fail "the hook did not run once per job"; }
while IFS='|' read -r job buf target; do
	case $job in alpha | beta) ;; *) fail "hook saw PINWB_JOB='$job'" ;; esac
	[ "$target" = "$T/$job.dat" ] || fail "job $job's hook saw PINWB_TARGET_FILE=$target"
	case $buf in "$T/$job.dat.$job.0.pinwb-buf") ;; *) fail "job $job's hook saw PINWB_BUFFER_FILE=$buf" ;; esac
done <"$log"

rm -f "$log"
rc=0
"$FIO" --ioengine="external:$ENGINE" --size=4m --bs=4k --direct=1 --number_ios=100 --rw=randread \
	--nrfiles=2 --openfiles=1 --pinwb_registerfiles=1 --pinwb_report="$T/failed.json" \
	--pinwb_before_verify="$hook" --name=failed --directory="$T" >"$T/out.txt" 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "a job with pinwb_registerfiles=1 and openfiles < nrfiles ran"
grep -q 'pinwb_registerfiles=1 needs open_files' "$T/out.txt" || { cat "$T/out.txt"; fail "not refused for the expected reason"; }
[ ! -e "$T/failed.json" ] || fail "a job whose init failed wrote a pinwb report"
[ ! -e "$log" ] || fail "a job whose init failed ran pinwb_before_verify"
pass "each thread=1 job's hook sees its own files; a failed init writes no report and runs no hook"
