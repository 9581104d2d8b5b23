#!/usr/bin/env bash
# The peers' suites (kernel mm selftests, liburing's tests) on the baseline
# kernel and on the series, in one command: three boots of the "peers" suite
#   baseline         --kernel none
#   patched-default  --kernel series, default sysctls
#   patched-opt-in   --kernel series, vm.longterm_pin_file_mappings=1
# then one table: case, result on each, verdict. A difference between the
# three must be listed in tests/vm/peers-expected-differences with its
# reason; any other difference (a case that passes on the baseline and fails
# or hangs on the patched kernel, a pin leak, a kernel-log finding only on
# the series) fails the command. Cases that fail on all three are shown as
# baseline failures.
set -euo pipefail

prog=peers.sh
top=$(cd "$(dirname "$0")/../.." && pwd)
runs=(baseline patched-default patched-opt-in)

usage() {
	cat <<USAGE
usage: scripts/vm/peers.sh [options]     (also: scripts/pinwb vm --peers, make vm-peers)

  --out DIR          result directory, new or empty (default: build/vm/peers/<UTC stamp>);
                     one run directory per kernel in it, plus table.txt, table.tsv
  --config default|debug  kernel configuration for all three (default: default)
  --expected FILE    expected differences (default: tests/vm/peers-expected-differences)
  --compare DIR      boot nothing: judge the runs already in DIR (as left by --out DIR)
  --runs LIST        boot only these of baseline,patched-default,patched-opt-in (default:
                     all three); --out DIR may then hold the others' run directories
                     already (an earlier --runs into the same DIR), never the named ones
  --baseline-kernel PATH, --series-kernel PATH
                     boot this bzImage (in a build directory, or with its .config and
                     gup_test beside it: scripts/vm/run.sh --kernel PATH) for the
                     baseline run, or for both patched runs, instead of building it
                     (default configuration only)
  --timeout S        host-side limit per boot (default: 10800; with --config debug 4 times
                     that, as run.sh scales the per-case limits inside the guest)
  --accel auto|kvm|tcg, --no-build, --drop-initramfs   passed to scripts/vm/run.sh
  -h, --help         this text

Exit: 0 only listed differences, 1 an unlisted difference or a failure on the
series that the baseline does not have, 2 usage or setup error, 77 not judged:
a run directory is still missing (boot it with --runs into the same --out), or
another peers.sh --runs is still booting one (RUN.running in --out).
USAGE
}
die() { echo "$prog: $*" >&2; exit 2; }
msg() { echo "$prog: $*" >&2; }

out='' config=default expected=$top/tests/vm/peers-expected-differences compare='' timeout='' runs_arg=''
kbase=none kseries=series
pass=()
while [ $# -gt 0 ]; do
	case $1 in
	--out|--config|--expected|--compare|--timeout|--accel|--runs|--baseline-kernel|--series-kernel)
		[ $# -ge 2 ] || die "$1 needs a value (see --help)"
		case $1 in
		--out) out=$2 ;;
		--config) config=$2 ;;
		--expected) expected=$2 ;;
		--compare) compare=$2 ;;
		--timeout) timeout=$2 ;;
		--runs) runs_arg=$2 ;;
		--baseline-kernel) kbase=$2 ;;
		--series-kernel) kseries=$2 ;;
		--accel) pass+=(--accel "$2") ;;
		esac
		shift 2 ;;
	--no-build|--drop-initramfs) pass+=("$1"); shift ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (accepted: --out, --config, --expected, --compare, --timeout, --runs, --baseline-kernel, --series-kernel, --accel, --no-build, --drop-initramfs, --help)" ;;
	esac
done
case $config in default|debug) ;; *) die "--config: unknown value '$config' (accepted: default, debug)" ;; esac
for k in "$kbase" "$kseries"; do
	case $k in none|series) continue ;; esac
	[ -f "$k" ] || die "--baseline-kernel/--series-kernel: '$k' is not a file (a bzImage)"
	[ "$config" = default ] || die "--baseline-kernel/--series-kernel: only with --config default (a bzImage is configured already)"
done
if [ -z "$timeout" ]; then
	if [ "$config" = debug ]; then timeout=43200; else timeout=10800; fi
fi
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout: '$timeout' is not a positive number of seconds"
[ -r "$expected" ] || die "--expected: cannot read '$expected'"
# The expected differences (CASE-GLOB | BASELINE | DEFAULT | OPT-IN | REASON),
# checked before anything boots: a malformed line would match no case and
# only show up, hours later, as a stale entry.
mapfile -t exp_lines < <(sed -e 's/^[[:space:]]*#.*//' -e '/^[[:space:]]*$/d' "$expected")
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
for line in "${exp_lines[@]}"; do
	IFS='|' read -r glob eb ed eo reason <<<"$line"
	if [ -z "$(trim "$glob")" ] || [ -z "$(trim "${reason:-}")" ]; then
		die "--expected: '$line' is not CASE-GLOB | BASELINE | DEFAULT | OPT-IN | REASON ($expected)"
	fi
	for f in "$eb" "$ed" "$eo"; do
		case $(trim "$f") in
		PASS|FAIL|SKIP|LEAK|-|\*) ;;
		*) die "--expected: result '$(trim "$f")' in '$line' is not one of PASS, FAIL, SKIP, LEAK, -, * ($expected)" ;;
		esac
	done
done
boot_runs=("${runs[@]}")
if [ -n "$runs_arg" ]; then
	IFS=, read -r -a boot_runs <<<"$runs_arg"
	[ "${#boot_runs[@]}" -gt 0 ] || die "--runs: empty list (accepted: ${runs[*]})"
	for r in "${boot_runs[@]}"; do
		case $r in baseline|patched-default|patched-opt-in) ;;
		*) die "--runs: unknown run '$r' (accepted: ${runs[*]})" ;;
		esac
	done
fi

if [ -n "$compare" ]; then
	[ -z "$out" ] || die "--compare and --out exclude each other"
	[ -z "$runs_arg" ] || die "--compare and --runs exclude each other"
	[ -d "$compare" ] || die "--compare: '$compare' is not a directory"
	out=$(cd "$compare" && pwd)
else
	if [ -z "$out" ]; then
		out=$top/build/vm/peers/$(date -u +%Y%m%dT%H%M%SZ)
	fi
	if [ -e "$out" ]; then
		[ -d "$out" ] || die "--out: '$out' exists and is not a directory"
		if [ -z "$runs_arg" ]; then
			[ -z "$(find "$out" -mindepth 1 -maxdepth 1 -print -quit)" ] ||
				die "--out: '$out' is not empty; refusing to write into it (name a new or empty directory)"
		else
			# Only the other runs' directories (and their logs) may be there.
			for r in "${boot_runs[@]}"; do
				if [ -e "$out/$r" ] || [ -e "$out/$r.out" ]; then
					die "--runs: '$out' already holds run $r; refusing to overwrite it"
				fi
			done
		fi
	fi
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	t0=$(date +%s)
	# RUN.running marks a run being booted, so that another peers.sh --runs
	# into the same --out (booting the other kernels meanwhile) does not
	# judge a run that has not finished; removed when this one ends.
	running=''
	# shellcheck disable=SC2317 # run by the trap
	drop_running() { [ -z "$running" ] || rm -f "$running"; }
	trap drop_running EXIT
	for r in "${boot_runs[@]}"; do
		running=$out/$r.running
		: >"$running"
		args=(--suite peers --config "$config" --timeout "$timeout" --out "$out/$r" "${pass[@]}")
		case $r in
		baseline) args+=(--kernel "$kbase") ;;
		patched-default) args+=(--kernel "$kseries") ;;
		patched-opt-in) args+=(--kernel "$kseries" --sysctl vm.longterm_pin_file_mappings=1) ;;
		esac
		msg "$r: scripts/vm/run.sh ${args[*]}"
		rc=0
		"$top/scripts/vm/run.sh" "${args[@]}" >"$out/$r.out" 2>&1 || rc=$?
		tail -n 3 "$out/$r.out" | sed "s/^/  [$r] /" >&2
		[ $rc -le 1 ] || { tail -n 20 "$out/$r.out" >&2; die "$r: scripts/vm/run.sh could not run (exit $rc; see $out/$r.out)"; }
		rm -f "$running"
		running=''
	done
	echo "peers_seconds=$(($(date +%s) - t0)) runs=$(IFS=,; echo "${boot_runs[*]}")" >>"$out/times.txt"
fi
missing=()
for r in "${runs[@]}"; do
	[ -d "$out/$r" ] || missing+=("$r")
done
busy=()
for r in "${runs[@]}"; do
	[ ! -e "$out/$r.running" ] || busy+=("$r")
done
if [ "${#busy[@]}" -gt 0 ]; then
	echo "$prog: not judged: ${busy[*]} still booting in $out (judge it when done: scripts/vm/peers.sh --compare $out; a run interrupted by SIGKILL leaves RUN.running: remove it with the run directory and boot it again)"
	exit 77
fi
if [ "${#missing[@]}" -gt 0 ]; then
	echo "$prog: not judged: no run directory for ${missing[*]} in $out (boot it: scripts/vm/peers.sh --out $out --runs $(IFS=,; echo "${missing[*]}"))"
	exit 77
fi

# rows RUN: CASE<TAB>RESULT<TAB>NOTE for every case of one run: the peers'
# cases, and the harness's own verdicts (each suite test: a hang, a pin
# leak, a kernel-log finding; the kernel log as a whole).
rows() {
	local d=$out/$1 f
	for f in "$d"/results/peers-*/cases.tsv; do
		[ -f "$f" ] && cat "$f"
	done
	if [ -f "$d/rows.tsv" ]; then
		awk -F'\t' '{ print "[harness] " $1 "\t" $2 "\t" $4 }' "$d/rows.tsv"
	else
		printf '[harness] run\tFAIL\tno rows.tsv: the run did not finish\n'
	fi
	if [ -s "$d/dmesg-findings.txt" ]; then
		printf '[harness] kernel log\tFAIL\t%s\n' "$(head -n 1 "$d/dmesg-findings.txt" | tr '\t' ' ')"
	else
		printf '[harness] kernel log\tPASS\t\n'
	fi
}

# The expected differences: CASE-GLOB | BASELINE | DEFAULT | OPT-IN | REASON
# (a result field may be *).
exp_match() { # CASE B D O: prints the reason of the first matching entry
	local line glob eb ed eo reason
	for line in "${exp_lines[@]}"; do
		IFS='|' read -r glob eb ed eo reason <<<"$line"
		glob=$(trim "$glob") eb=$(trim "$eb") ed=$(trim "$ed") eo=$(trim "$eo")
		# shellcheck disable=SC2053 # the globs are patterns on purpose
		if [[ $1 == $glob ]] && [[ $2 == $eb ]] && [[ $3 == $ed ]] && [[ $4 == $eo ]]; then
			trim "$reason"
			return 0
		fi
	done
	return 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for r in "${runs[@]}"; do
	rows "$r" | awk -F'\t' '!seen[$1]++' | sort -t$'\t' -k1,1 >"$tmp/$r"
done
cut -f1 "$tmp/baseline" "$tmp/patched-default" "$tmp/patched-opt-in" | sort -u >"$tmp/names"
tsv=$out/table.tsv
printf 'case\tbaseline\tpatched-default\tpatched-opt-in\tverdict\tnote\n' >"$tsv"
unexpected=0 listed=0 basefail=0 same=0
while IFS= read -r name; do
	b=$(awk -F'\t' -v n="$name" '$1 == n { print $2; exit }' "$tmp/baseline")
	d=$(awk -F'\t' -v n="$name" '$1 == n { print $2; exit }' "$tmp/patched-default")
	o=$(awk -F'\t' -v n="$name" '$1 == n { print $2; exit }' "$tmp/patched-opt-in")
	b=${b:--} d=${d:--} o=${o:--}
	note=''
	if reason=$(exp_match "$name" "$b" "$d" "$o"); then
		verdict=expected note=$reason listed=$((listed + 1))
	elif [ "$b" = "$d" ] && [ "$d" = "$o" ]; then
		case $b in
		FAIL|LEAK|-) verdict=baseline-failure; basefail=$((basefail + 1))
			note=$(awk -F'\t' -v n="$name" '$1 == n { print $3; exit }' "$tmp/baseline") ;;
		*) verdict=same; same=$((same + 1)) ;;
		esac
	else
		verdict=UNEXPECTED unexpected=$((unexpected + 1))
		note=$(awk -F'\t' -v n="$name" '$1 == n && $2 != "PASS" && $2 != "SKIP" { print $3; exit }' "$tmp/patched-default" "$tmp/patched-opt-in" "$tmp/baseline")
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$b" "$d" "$o" "$verdict" "$note" >>"$tsv"
done <"$tmp/names"

# Listed differences that did not happen: shown (the list may be stale).
stale=0
awk -F'\t' 'NR > 1 && $5 == "expected" { print $1 }' "$tsv" >"$tmp/seen"
: >"$tmp/stale"
for line in "${exp_lines[@]}"; do
	glob=$(trim "${line%%|*}") hit=0
	while IFS= read -r n; do
		# shellcheck disable=SC2053 # the glob is a pattern on purpose
		if [[ $n == $glob ]]; then hit=1; break; fi
	done <"$tmp/seen"
	[ $hit -eq 1 ] && continue
	stale=$((stale + 1))
	echo "$glob" >>"$tmp/stale"
done

{
	printf '%-78s %-8s %-8s %-8s %s\n' CASE BASELINE DEFAULT OPT-IN VERDICT
	awk -F'\t' 'NR > 1 { v = $5; if ($6 != "") v = v ": " $6; printf "%-78s %-8s %-8s %-8s %s\n", substr($1, 1, 78), $2, $3, $4, substr(v, 1, 120) }' "$tsv"
	echo
	echo "$((same + listed + basefail + unexpected)) cases: $same same, $listed expected differences, $basefail fail on the baseline too, $unexpected UNEXPECTED"
	if [ "$stale" -gt 0 ]; then
		echo "listed in $(basename "$expected") but not seen ($stale):"
		sed 's/^/  /' "$tmp/stale"
	fi
	[ ! -f "$out/times.txt" ] || echo "times: $(paste -sd' ' "$out/times.txt")"
	for r in "${runs[@]}"; do
		[ -f "$out/$r/meta.json" ] && jq -r --arg r "$r" '"\($r): \(.kernel.uname_r) \(.kernel.config_name // "default") sysctls \(.sysctls | to_entries | map("\(.key)=\(.value)") | join(" ")); vm \(.seconds.vm_wall)s"' "$out/$r/meta.json"
	done
} >"$out/table.txt"
cat "$out/table.txt"
echo "results: $out"
[ "$unexpected" -eq 0 ] || { echo "$prog: FAIL: $unexpected difference(s) not in $expected"; exit 1; }
exit 0
