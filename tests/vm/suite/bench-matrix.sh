#!/bin/sh
# shellcheck shell=dash
# The bench's policy matrix in the guest (workloads/bench-policy-vm.matrix,
# which this script follows cell for cell): vm.gup_writeback_policy 0
# against 1, without (c0) and with (c1) the engine's writeback driver, 4k
# random O_DIRECT reads at iodepth 32 on ext4, each run on a fresh sparse
# 128 KiB buffer file (pinwb_buffer_file + pinwb_overwrite=1), 5 pairs per
# cell in alternating order (0 1, 1 0, ...) after one uncounted warm-up, all
# in one boot. Every run must verify intact. The numbers are not judged
# here: `pinwb bench --from-vm RUN_DIR` turns runs/ into a result set
# (summary, ratios, plots). Needs the series.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
require_engine
have_sysctl gup_writeback_policy || skip "no vm.gup_writeback_policy on this kernel"
is_mounted "$PINWB_MNT/ext4" || skip "ext4 test disk not mounted"
dir=$(fs_dir ext4) || fail "ext4 not mounted"
reps=5 runtime=2
[ "$LONG" -eq 1 ] && runtime=10
bufsize=131072

# one_run NAME POLICY WB RUNTIME: runs/NAME/{job.fio,fio.json,fio.log,
# bench.pinwb.json}, as pinwb bench lays out a run.
one_run() {
	local name=$1 policy=$2 wb=$3 rt=$4 rd buf rc result wbline=""
	rd=$PINWB_OUT/runs/$name
	buf=$dir/bench.buf
	mkdir -p "$rd" || fail "cannot make $rd"
	set_sysctl gup_writeback_policy "$policy"
	rm -f "$buf" "$buf.pinwb-rec"
	dd if=/dev/null of="$buf" bs=1 seek=$bufsize 2>/dev/null || fail "cannot make $buf"
	# wb=default: no pinwb_wb_modes line, the engine's own default modes.
	[ "$wb" = none ] && wbline="pinwb_wb_modes=none"
	job_file "$rd/job.fio" "filename=$dir/bench.dat" "size=64m" "direct=1" "rw=randread" "bs=4k" \
		"iodepth=32" "time_based=1" "runtime=$rt" "lat_percentiles=1" "percentile_list=50:99:99.9" \
		"pinwb_io=uring" "pinwb_buffer=file" "pinwb_buffer_size=$bufsize" "pinwb_buffer_file=$buf" \
		"pinwb_overwrite=1" "pinwb_report=$rd/bench.pinwb.json" $wbline
	rc=0
	"$FIO" --output-format=json --output="$rd/fio.json" "$rd/job.fio" >"$rd/fio.log" 2>&1 || rc=$?
	rm -f "$buf" "$buf.pinwb-rec"
	[ "$rc" -eq 0 ] || fail "$name: fio exited $rc: $(grep -v '^[[:space:]]*$' "$rd/fio.log" | tail -n 1 | cut -c1-160)"
	result=$(report_value "$rd/bench.pinwb.json" verify result)
	[ "$result" = intact ] || fail "$name: verification says '$result'"
	log "$name: policy=$policy wb=$wb intact"
}

one_run warmup-pinwb 0 none 1
n=0 r=0
while [ $r -lt $reps ]; do
	c=0
	for wb in none default; do
		if [ $((r % 2)) -eq 0 ]; then order="0 1"; else order="1 0"; fi
		for p in $order; do
			one_run "c$c-r$r-$p" "$p" "$wb" "$runtime"
			n=$((n + 1))
		done
		c=$((c + 1))
	done
	r=$((r + 1))
done
kv runs "$n"
kv runtime_s "$runtime"
note "$n runs of ${runtime}s intact (2 cells x 2 policies x $reps pairs); pinwb bench --from-vm makes the set"
