#!/usr/bin/env bash
# pinwb bench, one short pair of the engine matrix: every run succeeds, the
# result set is complete (bench.json v2, meta.json, summary.md, plots) and
# the last line has the exact form scripts rely on; both sides got the same
# kind of buffer (a fresh sparse file of iodepth x bs) and both report total
# latency and CPU per I/O. Checks the format only, never the numbers.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_loop
need_built
command -v gnuplot >/dev/null || skip "gnuplot not installed (make deps installs gnuplot-nox)"
make_tmp
"$PINWB" bench --reps 1 --runtime 1 --size 16m --out "$T/bench" >"$T/out.txt" 2>&1 ||
	{ cat "$T/out.txt"; fail "pinwb bench failed"; }
cat "$T/out.txt"
last=$(tail -n 1 "$T/out.txt")
[[ $last =~ ^ratio\ median=[0-9]+\.[0-9]+\ min=[0-9]+\.[0-9]+\ max=[0-9]+\.[0-9]+$ ]] ||
	fail "last line '$last' is not 'ratio median=X min=Y max=Z'"
grep -q '^pinwb bench: run 2/2 (cell 1/1, pair 1/1, .*elapsed [0-9]*s, about [0-9]*s left$' "$T/out.txt" ||
	fail "no progress line 'run 2/2 (cell 1/1, pair 1/1, ...), elapsed Ns, about Ns left'"
for f in bench.json meta.json summary.md summary.txt plan.json plots/ratio.png plots/ratio.svg \
	plots/ratio.gp plots/ratio.dat plots/latency.png plots/latency.svg; do
	[ -s "$T/bench/$f" ] || fail "no $f in the bench output"
done
b=$T/bench/bench.json
jq -e '.pinwb_bench_version == 2 and .sides == ["fio", "pinwb"] and (.cells | length) == 1' "$b" >/dev/null ||
	fail "bench.json is not a v2 set of the engine matrix"
jq -e '.cells[0].ratio.median > 0 and (.cells[0].sides.fio.runs | length) == 1' "$b" >/dev/null ||
	fail "bench.json lacks the ratio or the runs"
for s in fio pinwb; do
	jq -e --arg s "$s" '.cells[0].sides[$s].median | .lat_mean_us > 0 and ."lat_p99.9_us" > 0
		and .usr_us_per_io > 0 and .sys_us_per_io > 0' "$b" >/dev/null ||
		fail "$s: no total latency or CPU per I/O in bench.json"
done
jq -e '.kernel and .cpu_model and .virt and .fio_version and .liburing_version and .git_commit
	and (.command | length) > 0 and .fs' "$T/bench/meta.json" >/dev/null || fail "meta.json incomplete"
# The same buffer for both: one sparse file path, iodepth x bs, named on both sides.
p=$(ls -d "$T"/bench/runs/c0-r0-pinwb) f=$(ls -d "$T"/bench/runs/c0-r0-fio)
buf=$(sed -n 's/^pinwb_buffer_file=//p' "$p/job.fio")
if [ -z "$buf" ] || ! grep -q '^pinwb_overwrite=1$' "$p/job.fio" ||
	! grep -q '^pinwb_buffer_size=131072$' "$p/job.fio"; then
	fail "pinwb side not on the bench's buffer file of 128 KiB"
fi
grep -qx "iomem=mmapshared:$buf" "$f/job.fio" || fail "fio side not on the same buffer file ($buf)"
jq -e --arg b "$buf" '.buffer.file == $b and .buffer.size == 131072' "$p/bench.pinwb.json" >/dev/null ||
	fail "the engine did not use the bench's buffer file ($buf, 128 KiB): $(jq -c .buffer "$p/bench.pinwb.json")"
jq -e '[.runs[].buffer_size] | unique == [131072]' "$T/bench/plan.json" >/dev/null ||
	fail "buffer sizes differ between runs"
pass "bench output complete"
