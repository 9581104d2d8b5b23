#!/bin/sh
# shellcheck shell=dash
# In-VM suite runner (busybox sh): runs the tests a suite lists, each in its
# own process group with a timeout, and reports every result as a marker line
# on the marker port ($PINWB_MARK, the second serial port) for the host:
#   PINWB-START <name>
#   PINWB-RESULT <name> PASS|FAIL|SKIP <seconds> <note>
# Test output goes to $PINWB_RESULTS/<name>/log (copied back to the host); a
# failing test's last lines are also shown on the console.
# After each test, once its process group is gone, every page it pinned
# (FOLL_PIN) must have been released, or the test fails with "pin leak".
#
# usage: run-suite.sh SUITE [TEST...]   (TESTs: run only these of the suite)
# Exit: 0 all passed or skipped, 1 a test failed, 2 usage error.
set -u

here=$(cd "$(dirname "$0")" && pwd)
PINWB_RESULTS=${PINWB_RESULTS:-/results}
PINWB_MARK=${PINWB_MARK:-/dev/console}
PINWB_KMSG=${PINWB_KMSG:-/dev/kmsg}
PINWB_TIMEOUT_SCALE=${PINWB_TIMEOUT_SCALE:-1}
export PINWB_ROOT=${PINWB_ROOT:-/opt/pinwb}

suites() { find "$here/suites" -maxdepth 1 -type f | sed 's|.*/||' | sort | tr '\n' ' '; }
usage() {
	echo "usage: run-suite.sh SUITE [TEST...]"
	echo "suites: $(suites)"
}
[ $# -ge 1 ] || { usage >&2; exit 2; }
case $1 in -h|--help) usage; exit 0 ;; esac
suite=$1
shift
export PINWB_SUITE=$suite
list=$here/suites/$suite
[ -f "$list" ] || { echo "run-suite.sh: unknown suite '$suite' (accepted: $(suites))" >&2; exit 2; }

# shellcheck source=tests/vm/pins.sh
. "$here/pins.sh"

mark() { echo "$*" >>"$PINWB_MARK"; }
now() { cut -d' ' -f1 /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# The contract sysctls' boot values: restored after every test so that one
# test's settings never leak into the next.
saved_sysctls=""
for s in put_user_pages_batch gup_writeback_policy longterm_pin_file_mappings; do
	[ -e "/proc/sys/vm/$s" ] && saved_sysctls="$saved_sysctls $s=$(cat "/proc/sys/vm/$s")"
done
restore_sysctls() {
	local kv
	for kv in $saved_sysctls; do
		echo "${kv#*=}" >"/proc/sys/vm/${kv%%=*}" || echo "run-suite.sh: cannot restore vm.${kv%%=*}"
	done
	# the "no re-dirty" fault (CONFIG_IO_URING_DEBUG_REDIRTY) is off at boot
	if [ -e /sys/kernel/debug/io_uring/skip_file_redirty ]; then
		echo 0 >/sys/kernel/debug/io_uring/skip_file_redirty || echo "run-suite.sh: cannot reset skip_file_redirty"
	fi
}

wanted() {
	local t
	[ $# -gt 1 ] || return 0
	want=$1
	shift
	for t in "$@"; do [ "$t" = "$want" ] && return 0; done
	return 1
}

passed=0 failed=0 skipped=0
# List lines: NAME TIMEOUT_SECONDS (comments with #).
tests=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list")
echo "$tests" | {
	while read -r name tmo; do
		wanted "$name" "$@" || continue
		script=$here/suite/$name.sh
		out=$PINWB_RESULTS/$name
		mkdir -p "$out"
		tmo=$(( ${tmo:-300} * PINWB_TIMEOUT_SCALE ))
		mark "PINWB-START $name"
		# In the kernel log too: the host attributes dmesg findings to tests.
		echo "pinwb-suite: start $name" >"$PINWB_KMSG"
		echo "=== $name (timeout ${tmo}s)"
		t0=$(now)
		pins0=$(pins_outstanding)
		if [ ! -f "$script" ]; then
			echo "no such test script $script" >"$out/log"
			rc=1
			echo "FAIL: test script missing" >"$out/note"
		else
			# setsid: the test and everything it starts (fio) form one
			# process group that the watchdog can kill as a whole.
			PINWB_OUT=$out setsid sh "$script" >"$out/log" 2>&1 </dev/null &
			pid=$!
			# Watchdog; when the test ends first, killing it also ends
			# its sleep (which would otherwise hold the console open).
			(
				trap 'kill "$sp" 2>/dev/null; exit 0' TERM
				sleep "$tmo" & sp=$!
				wait "$sp"
				touch "$out/.timedout"
				kill -TERM -"$pid" 2>/dev/null
				sleep 10 & sp=$!
				wait "$sp"
				kill -KILL -"$pid" 2>/dev/null
			) >/dev/null 2>&1 &
			wd=$!
			rc=0
			wait "$pid" || rc=$?
			kill "$wd" 2>/dev/null
			wait "$wd" 2>/dev/null
			# What the test left running in its group is not its
			# result; it must be gone before its pins are counted.
			pgroup_reap "$pid" 10 || echo "run-suite.sh: $name left processes behind; killed them" >>"$out/log"
		fi
		leak='' pinnote=''
		if [ -n "$pins0" ]; then
			if ! pins1=$(pins_settle "$pins0" $((30 * PINWB_TIMEOUT_SCALE))); then
				v=$(pins_verdict "$pins0" "$pins1")
				case $v in
				leak:*) leak=${v#leak: } ;;
				*) pinnote="pin accounting: ${v#excess: }"; echo "$pinnote" >>"$out/log" ;;
				esac
			fi
			printf 'pins.outstanding_before\t%s\npins.outstanding_after\t%s\n' "$pins0" "$pins1" >>"$out/measurements.tsv"
		fi
		t1=$(now)
		secs=$(elapsed "$t0" "$t1")
		note=$(head -n 1 "$out/note" 2>/dev/null)
		[ -n "$note" ] || note=$(grep -v '^[[:space:]]*$' "$out/log" | tail -n 1 | cut -c1-160)
		if [ -e "$out/.timedout" ]; then
			rm -f "$out/.timedout"
			res=FAIL
			note="timed out after ${tmo}s"
		else
			case $rc in
			0) res=PASS ;;
			77) res=SKIP ;;
			*) res=FAIL; note="exit $rc: $note" ;;
			esac
		fi
		if [ -n "$leak" ]; then
			res=FAIL
			note="$leak | $note"
			echo "$leak" >>"$out/log"
		elif [ -n "$pinnote" ]; then
			note="$note | $pinnote"
		fi
		restore_sysctls
		# The per-test JSON the host gathers into results.json.
		{
			printf '{"name": "%s", "result": "%s", "seconds": %s, "exit": %s, "note": "%s", "measurements": {' \
				"$name" "$res" "$secs" "$rc" "$(printf '%s' "$note" | sed 's/[\\"]/\\&/g' | tr -d '\r\n\t')"
			if [ -f "$out/measurements.tsv" ]; then
				awk -F'\t' '{ v = $2; if (v !~ /^-?[0-9]+(\.[0-9]+)?$/) { gsub(/["\\]/, "\\\\&", v); v = "\"" v "\"" }
					printf "%s\"%s\": %s", (NR > 1 ? ", " : ""), $1, v }' "$out/measurements.tsv"
			fi
			printf '}}\n'
		} >"$out/result.json"
		case $res in
		PASS) passed=$((passed + 1)) ;;
		SKIP) skipped=$((skipped + 1)) ;;
		*) failed=$((failed + 1)); echo "--- last lines of $name:"; tail -n 30 "$out/log" ;;
		esac
		echo "=== $name $res ${secs}s $note"
		mark "PINWB-RESULT $name $res $secs $note"
	done
	echo "pinwb-suite: end" >"$PINWB_KMSG"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}
