#!/usr/bin/env bash
# Every enumerated and numeric engine option rejects a bad value with a
# message naming the option, and fio (so pinwb run) exits non-zero. A control
# job with the same base and no bad option must pass, so each failure comes
# from the value. Runs in a plain directory: no root needed.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_built
make_tmp
mkdir "$T/fs"

# option=value pairs that must each be refused.
bad=(
	pinwb_buffer=bogus
	pinwb_buffer=
	pinwb_io=bogus
	pinwb_sync_call=bogus
	pinwb_wb_modes=bogus
	'pinwb_wb_modes=sfr,bogus'
	pinwb_wb_modes=msync_async
	pinwb_wb_modes=
	pinwb_wb_interval_us=-1
	pinwb_wb_interval_us=abc
	pinwb_wb_interval_us=99999999999
	pinwb_verify_every=-1
	pinwb_verify_every=abc
	pinwb_numa_node=abc
	pinwb_numa_node=-2
	pinwb_seed=abc
	pinwb_buffer_size=abc
	pinwb_buffer_size=0
	pinwb_buffer_size=1k
	pinwb_fixedbufs=2
	pinwb_verify=maybe
)

# run_job JOBFILE OUTDIR: exit status of pinwb run, its output in OUTDIR.txt.
# A bad value that slips through may hang the job: 60 s is ample for a 1 s run.
run_job() {
	local rc=0
	timeout 60 "$PINWB" run "$1" --fs "$T/fs" --runtime 1 --size 4m --out "$2" >"$2.txt" 2>&1 || rc=$?
	return $rc
}

job_with dio-read-sync "$T/control.fio"
run_job "$T/control.fio" "$T/control" || { cat "$T/control.txt"; fail "control job failed"; }

failures=()
i=0
for kv in "${bad[@]}"; do
	i=$((i + 1))
	opt=${kv%%=*}
	job_with dio-read-sync "$T/bad$i.fio" "$kv"
	rc=0
	run_job "$T/bad$i.fio" "$T/bad$i" || rc=$?
	if [ $rc -eq 124 ]; then
		failures+=("'$kv' accepted and the job hung")
	elif [ $rc -eq 0 ]; then
		failures+=("'$kv' accepted")
	elif ! grep -q -- "$opt" "$T/bad$i.txt"; then
		failures+=("'$kv' refused (exit $rc) without naming $opt")
	else
		echo "ok: '$kv' refused: $(grep -m1 -- "$opt" "$T/bad$i.txt")"
	fi
done
[ ${#failures[@]} -eq 0 ] || fail "${failures[*]}"
pass "${#bad[@]} bad option values refused, each naming its option"
