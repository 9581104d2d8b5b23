#!/usr/bin/env bash
# Plots of a small fixture result set (tests/py/fixture.py: two cells, a
# policy axis, gup_* counters) plus a release-cost TSV: every plot has its
# data file and standalone script, and gnuplot turns each into a non-empty
# PNG (checked by its signature) and SVG; the summary embeds them. A plot
# script run again on its own (as a user would) writes the same files.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

command -v gnuplot >/dev/null || skip "gnuplot not installed (make deps installs gnuplot-nox)"
command -v python3 >/dev/null || skip "python3 not installed (make deps)"
make_tmp
set=$T/set
PYTHONDONTWRITEBYTECODE=1 python3 "$TOP/tests/py/fixture.py" "$set" || fail "fixture set not written"
{
	printf 'page_kind\tbatch\tmethod\tns_per_page\n'
	for kind in order0 thp hugetlb; do
		for b in 1 2 4 8 16 32 64 128 256 512; do
			printf '%s\t%d\tper-page\t%d\n' "$kind" "$b" 40
			printf '%s\t%d\tbatched\t%d\n' "$kind" "$b" $((40 * 8 / (b < 8 ? b : 8) + 2))
			printf '%s\t%d\tunpin\t%d\n' "$kind" "$b" $((40 * 8 / (b < 8 ? b : 8) + 3))
		done
	done
} >"$set/release.tsv"
bench_py() { PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$TOP/scripts/lib python3 -m pinwbbench "$@"; }
bench_py report "$set" >"$T/report.txt" || { cat "$T/report.txt"; fail "report on the fixture set failed"; }
for p in ratio latency release integrity; do
	for ext in dat gp png svg; do
		[ -s "$set/plots/$p.$ext" ] || fail "no non-empty plots/$p.$ext"
	done
	[ "$(head -c 8 "$set/plots/$p.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		fail "plots/$p.png is not a PNG"
	grep -q '<svg' "$set/plots/$p.svg" || fail "plots/$p.svg is not an SVG"
	grep -q '6.12.117-fixture' "$set/plots/$p.gp" || fail "plots/$p.gp has no kernel in its subtitle"
	grep -q 'set ylabel' "$set/plots/$p.gp" || fail "plots/$p.gp lacks a y axis label"
	grep -q 'set xlabel' "$set/plots/$p.gp" || fail "plots/$p.gp lacks an x axis label"
	grep -q "(plots/$p.png)" "$set/summary.md" || fail "summary.md does not embed plots/$p.png"
done
grep -q 'set logscale y' "$set/plots/latency.gp" || fail "latency plot is not log scale"
grep -q 'set logscale xy' "$set/plots/release.gp" || fail "release plot is not log-log"
# Standalone: the script alone, in a copy of the directory, redraws the plot.
mkdir "$T/alone"
cp "$set/plots/ratio.gp" "$set/plots/ratio.dat" "$T/alone/"
(cd "$T/alone" && gnuplot ratio.gp) || fail "ratio.gp does not run on its own"
for ext in png svg; do
	[ -s "$T/alone/ratio.$ext" ] || fail "ratio.gp alone wrote no ratio.$ext"
done
pass "4 plots as data, script, PNG and SVG, embedded in summary.md"
