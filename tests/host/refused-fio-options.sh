#!/usr/bin/env bash
# Every fio option the pinwb engine does not honour (engines/fio_refuse.c) is
# refused at init when the job sets it: fio exits non-zero and the message
# names the option. Control jobs prove each refusal comes from the option:
# the same job without it runs, and so do the values the engine honours
# anyway (scramble_buffers=0, direct=1, fio's default scramble_buffers=1).
# Runs fio directly in a private directory: no root needed.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_built
make_tmp

# option=value and the name the refusal must carry.
refused=(
	'sync_file_range=write:8|sync_file_range'
	'direct=0|direct=0'
	'buffered=1|buffered=1'
	'scramble_buffers=1|scramble_buffers'
	'refill_buffers=1|refill_buffers'
	'zero_buffers=1|zero_buffers'
	'buffer_pattern=0xdeadbeef|buffer_pattern'
	'buffer_compress_percentage=50|buffer_compress_percentage'
	'buffer_compress_percentage=100|buffer_compress_percentage'
	'buffer_compress_chunk=4k|buffer_compress_chunk'
	'dedupe_percentage=20|dedupe_percentage'
	'dedupe_mode=working_set|dedupe_mode'
	'dedupe_global=1|dedupe_global'
	'verify=md5|verify'
	'iomem=shm|iomem'
	'mem=malloc|iomem (mem)'
	'iomem_align=8k|iomem_align'
	'hugepage-size=1g|hugepage-size'
	'write_barrier=4|write_barrier'
)
accepted=('' 'scramble_buffers=0' 'direct=1' 'refill_buffers=0' 'zero_buffers=0')

# run_fio OUT [OPTION]: fio's exit status, its output in OUT.
run_fio() {
	local out=$1 rc=0
	shift
	rm -f "$T/target" "$T/report.json"
	(cd "$T" && timeout 60 "$FIO" --name=refuse --ioengine="external:$ENGINE" \
		--filename=target --size=4m --bs=4k --rw=randrw --iodepth=4 --number_ios=200 \
		--pinwb_buffer_size=64k --pinwb_report="$T/report.json" ${1:+"--$1"}) >"$out" 2>&1 || rc=$?
	return $rc
}

failures=()
i=0
for kv in "${accepted[@]}"; do
	i=$((i + 1))
	rc=0
	run_fio "$T/ok$i.txt" "$kv" || rc=$?
	if [ $rc -ne 0 ]; then
		failures+=("'${kv:-no option}' refused (exit $rc): $(grep -m1 'pinwb' "$T/ok$i.txt" || true)")
	else
		echo "ok: '${kv:-no option}' runs"
	fi
done
for entry in "${refused[@]}"; do
	i=$((i + 1))
	kv=${entry%%|*}
	name=${entry#*|}
	rc=0
	run_fio "$T/bad$i.txt" "$kv" || rc=$?
	msg=$(grep -F "fio option " "$T/bad$i.txt" | grep -m1 -F "$name" || true)
	if [ $rc -eq 124 ]; then
		failures+=("'$kv' accepted and the job hung")
	elif [ $rc -eq 0 ]; then
		failures+=("'$kv' accepted (fio exit 0)")
	elif [ -z "$msg" ] || ! grep -q 'not honoured by ioengine pinwb: ' <<<"$msg"; then
		failures+=("'$kv' refused (exit $rc) without 'fio option ...$name... is not honoured ...: what instead': $(head -c 300 "$T/bad$i.txt")")
	elif [ -e "$T/report.json" ]; then
		failures+=("'$kv' refused but the job ran far enough to write a report")
	else
		echo "ok: '$kv' exit $rc: $msg"
	fi
done
[ ${#failures[@]} -eq 0 ] || fail "${failures[*]}"
pass "${#refused[@]} unhonoured fio option values refused naming the option; ${#accepted[@]} honoured ones run"
