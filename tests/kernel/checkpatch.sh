#!/usr/bin/env bash
# Every patch of the series is `checkpatch.pl --strict` clean (errors, warnings and
# checks), using the checkpatch of the base tree.
#
# Exceptions: a patch may explain a report in its commit message (above the '---') with
#     checkpatch-ignore: TYPE[,TYPE...] reason
# e.g. "checkpatch-ignore: BIT_MACRO the selftest keeps its existing (1UL << n) style".
# TYPE is the checkpatch type shown by --show-types. The types are passed to --ignore.
# A line without a reason, or an exception checkpatch does not actually report for that
# patch, is a failure: exceptions stay explained and current.
set -euo pipefail
shopt -s inherit_errexit

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/kernel/lib.sh
. "$top/scripts/kernel/lib.sh"

usage() {
	cat <<USAGE
usage: tests/kernel/checkpatch.sh [--series FILE]

  --series FILE  series to check (default: kernel-patch/series, or \$PINWB_SERIES)
Exit: 0 pass, 1 fail, 2 usage/setup error, 77 skip (empty series, no kernel source).
USAGE
}

series=${PINWB_SERIES:-$KSERIES}
while [ $# -gt 0 ]; do
	case $1 in
	--series) [ $# -ge 2 ] || usage_err "--series needs a file"; series=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage_err "unknown argument '$1' (accepted: --series FILE, --help)" ;;
	esac
done
series_list_or_skip "$series" check
command -v perl >/dev/null 2>&1 || { echo "SKIP: perl is not installed (run: make deps)"; exit 77; }
if ! src=$("$top/scripts/kernel/source.sh" --patches none 2>/dev/null | tail -n 1); then
	echo "SKIP: cannot prepare the linux-source-6.12 tree (run: make deps; scripts/kernel/source.sh --patches none)"
	exit 77
fi

failed=0
for p in "${list[@]}"; do
	f=$dir/$p
	if [ ! -f "$f" ]; then
		echo "FAIL: $p: listed in the series but missing"
		failed=$((failed + 1))
		continue
	fi
	# Exceptions from the commit message (everything before the first '---' line).
	ignore='' bad=''
	while IFS= read -r line; do
		rest=${line#checkpatch-ignore:}
		rest=${rest#"${rest%%[! ]*}"}
		types=${rest%% *}
		reason=${rest#"$types"}
		reason=${reason# }
		if [[ ! $types =~ ^[A-Z0-9_]+(,[A-Z0-9_]+)*$ ]] || [ -z "$reason" ]; then
			bad+=" '$line'"
			continue
		fi
		ignore+=${ignore:+,}$types
		echo "  $p: exception $types: $reason"
	done < <(sed -n '/^---$/q; /^checkpatch-ignore:/p' "$f")
	if [ -n "$bad" ]; then
		echo "FAIL: $p: malformed exception (want 'checkpatch-ignore: TYPE[,TYPE] reason'):$bad"
		failed=$((failed + 1))
		continue
	fi

	# The full report, to know which types occur (and so which exceptions are used).
	report=$(cd "$src" && perl scripts/checkpatch.pl --strict --show-types --color=never "$f" 2>&1) &&
		full_clean=1 || full_clean=0
	unused=''
	for t in ${ignore//,/ }; do
		grep -qE "^(ERROR|WARNING|CHECK):$t:" <<<"$report" || unused+=" $t"
	done
	if [ -z "$ignore" ]; then
		if [ "$full_clean" = 1 ]; then
			echo "PASS: $p: checkpatch --strict clean"
			continue
		fi
		out=$report
	elif out=$(cd "$src" && perl scripts/checkpatch.pl --strict --show-types --color=never \
		--ignore "$ignore" "$f" 2>&1); then
		if [ -n "$unused" ]; then
			echo "FAIL: $p: exceptions checkpatch does not report (remove them):$unused"
			failed=$((failed + 1))
		else
			echo "PASS: $p: checkpatch --strict clean with explained exceptions ($ignore)"
		fi
		continue
	fi
	grep -E '^(ERROR|WARNING|CHECK):|^#[0-9]+: FILE:|^total:' <<<"$out" | sed 's/^/    /'
	echo "FAIL: $p: $(grep -E '^total:' <<<"$out" || echo 'checkpatch failed')"
	failed=$((failed + 1))
done

[ "$failed" -eq 0 ] || { echo "checkpatch: $failed of ${#list[@]} patches fail"; exit 1; }
echo "checkpatch: all ${#list[@]} patches clean"
