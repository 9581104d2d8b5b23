#!/usr/bin/env bash
# pinwb compare OLD NEW: IOPS per scenario of two results, a verdict per
# scenario, exit 1 on any regression (for CI). The logic is in
# scripts/lib/pinwbbench/compare.py.
set -euo pipefail

prog="pinwb compare"
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)

usage() {
	cat <<USAGE
usage: pinwb compare [--threshold PCT] [--json] OLD NEW

OLD and NEW are each a result set of 'pinwb bench' (a directory with
bench.json; old-style sets too), a 'pinwb run' directory (its fio.json), or a
plain fio JSON file (fio --output-format=json; two runs of the same jobs).
Scenarios (bench: cell and side, per host too; fio: job and direction) are
matched by name. A scenario whose median IOPS moved by more than the larger
of PCT and either run's own spread ((max - min) / median of its repetitions)
is a regression (down) or an improvement (up), named in the output.

  --threshold PCT  smallest change that counts, in percent (default 5)
  --json           the table as JSON (fields: scenarios[].scenario, old_iops,
                   new_iops, ratio, limit, verdict; regressions; improvements)
Exit: 0 no regression, 1 a regression, 2 usage error or unreadable input.
USAGE
}

threshold=5 json=0
args=()
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--json) json=1; shift ;;
	--threshold)
		if [ $# -lt 2 ] || [ -z "$2" ]; then
			echo "$prog: --threshold needs a value (percent, e.g. 5)" >&2
			exit 2
		fi
		threshold=$2
		shift 2
		;;
	-*) echo "$prog: unknown option '$1' (accepted: --threshold PCT, --json, --help)" >&2; exit 2 ;;
	*) args+=("$1"); shift ;;
	esac
done
[ ${#args[@]} -eq 2 ] || { echo "$prog: needs OLD and NEW (got ${#args[@]} arguments; see pinwb compare --help)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$prog: python3 not installed (make deps)" >&2; exit 2; }
py=(python3 -m pinwbbench compare --threshold "$threshold")
[ $json -eq 0 ] || py+=(--json)
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$top/scripts/lib PINWB_PROG="$prog" exec "${py[@]}" -- "${args[0]}" "${args[1]}"
