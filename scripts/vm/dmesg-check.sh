#!/usr/bin/env bash
# Scan a guest kernel log for signs of a kernel bug: WARNING, BUG, Oops,
# lockdep reports, hung tasks, RCU stalls, sanitizer (KASAN) reports,
# DEBUG_VM page dumps, sleeping in atomic context, list and object debugging
# reports, file system errors, the OOM killer. Lines that the suite runner logged as
# "pinwb-suite: start NAME" attribute what follows to test NAME; a test may
# declare lines it provokes on purpose with "# dmesg-allow: REGEX" comments
# in its script (tests/vm/suite/NAME.sh), and those are not reported.
set -euo pipefail

prog=dmesg-check.sh
top=$(cd "$(dirname "$0")/../.." && pwd)

usage() {
	cat <<USAGE
usage: scripts/vm/dmesg-check.sh [--suite-dir DIR] LOG...

  LOG              kernel log(s): a dmesg dump, or a serial console log (only its
                   timestamped kernel lines "[    1.234567] ..." are read)
  --suite-dir DIR  where the test scripts with "# dmesg-allow:" lines are
                   (default: tests/vm/suite)
  -h, --help       this text

Prints one line per finding: TEST<TAB>LINE (TEST is "-" before the first test).
Exit: 0 clean, 1 findings, 2 usage error or unreadable log.
USAGE
}

suite_dir=$top/tests/vm/suite
logs=()
while [ $# -gt 0 ]; do
	case $1 in
	--suite-dir) [ $# -ge 2 ] || { echo "$prog: --suite-dir needs a directory" >&2; exit 2; }
		suite_dir=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "$prog: unknown option '$1' (accepted: --suite-dir, --help)" >&2; exit 2 ;;
	*) logs+=("$1"); shift ;;
	esac
done
[ "${#logs[@]}" -gt 0 ] || { echo "$prog: no log given (see --help)" >&2; exit 2; }
for l in "${logs[@]}"; do
	[ -r "$l" ] || { echo "$prog: cannot read $l" >&2; exit 2; }
done

# Extended regexes of what must never appear in a clean run.
# "BUG:" not preceded by a letter: ODEBUG's "ODEBUG: selftest passed" is a
# boot banner, its reports are caught below.
bad='(WARNING:|(^|[^A-Za-z])BUG:|kernel BUG at|Oops|general protection fault|Kernel panic|Unable to handle kernel'
bad+='|possible circular locking|possible recursive locking|inconsistent lock state|DEBUG_LOCKS_WARN_ON'
# "RCU lockdep checking is enabled." is a PROVE_RCU boot banner; lockdep's
# reports have their own headers (above and below).
bad+='|suspicious RCU usage|lockdep is turned off|turning off the locking correctness validator|INFO: task .* blocked for more than|hung_task'
bad+='|detected stalls|soft lockup|hard LOCKUP|UBSAN:|KASAN:|KFENCE:|list_(add|del) corruption|refcount_t:'
bad+='|EXT4-fs error|EXT4-fs \(.*\): error|XFS \(.*\): (Corruption|Internal error|metadata I/O error)'
bad+='|BTRFS (error|critical)|invoked oom-killer|Out of memory'
# The debug kernel's reports (kernel-patch/config.debug): DEBUG_VM's
# VM_BUG_ON_*/dump_page, DEBUG_ATOMIC_SLEEP, lockdep's other headers,
# DEBUG_LIST, DEBUG_OBJECTS, RCU self-detected stalls. Most also carry a
# WARNING:/BUG: line; listed on their own so that a report printed without
# one (dump_page alone, a lockdep splat cut short) is still caught.
bad+='|page dumped because|VM_BUG_ON|VM_WARN_ON|sleeping function called from invalid context'
bad+='|bad unlock balance|lock held when returning to user space|held lock freed|irq lock inversion'
bad+='|list_(add|del).*(corruption|double add)|ODEBUG: .*object|self-detected stall)'

# allow_regex TEST: the test's "# dmesg-allow:" regexes joined with |, or "".
allow_regex() {
	local f=$suite_dir/$1.sh
	[ -f "$f" ] || return 0
	sed -n 's/^# dmesg-allow: //p' "$f" | paste -sd'|'
}

findings=$(mktemp)
trap 'rm -f "$findings" "$findings.u"' EXIT
for l in "${logs[@]}"; do
	# Kernel lines only: a dmesg dump has nothing else; a console log also
	# holds the transcript of the guest's init, which is not the kernel's.
	tr -d '\r' <"$l" | grep -aE '^\[ *[0-9]+\.[0-9]+\] ' | awk -v bad="$bad" '
		/pinwb-suite: start / { t = $NF; next }
		$0 ~ bad { print (t == "" ? "-" : t) "\t" $0 }'
done | while IFS=$'\t' read -r test line; do
	re=''
	[ "$test" = - ] || re=$(allow_regex "$test")
	if [ -n "$re" ] && grep -qE "$re" <<<"$line"; then
		continue
	fi
	printf '%s\t%s\n' "$test" "$line"
done | awk '!seen[$0]++' >"$findings"
# The same line from a dmesg dump and from the console: report it once.
sed -E 's/\t\[ *[0-9]+\.[0-9]+\] /\t/' "$findings" | awk '!seen[$0]++' >"$findings.u"
mv "$findings.u" "$findings"
if [ -s "$findings" ]; then
	cat "$findings"
	exit 1
fi
exit 0
