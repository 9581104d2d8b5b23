# shellcheck shell=dash
# shellcheck disable=SC2034 # the variables are for the tests that source this
# Helpers for the peers' suites in the VM (tests/vm/suite/peers-*.sh, sourced
# after lib.sh). The programs come from scripts/vm/peers-build.sh and sit at
# $PEERS. Each test writes one row per case of the peer's own suite to
# $PINWB_OUT/cases.tsv (CASE<TAB>PASS|FAIL|SKIP<TAB>NOTE), judged on the host
# by scripts/vm/peers.sh against the other kernels' rows; the test itself
# fails only when the suite could not run or a case leaked pins.
# shellcheck source=tests/vm/pins.sh
. "$PINWB_ROOT/tests/vm/pins.sh"
PEERS=$PINWB_ROOT/peers
CASES=$PINWB_OUT/cases.tsv
: >"$CASES"
LEAKS=0

# case_row NAME RESULT NOTE
case_row() { printf '%s\t%s\t%s\n' "$1" "$2" "$(printf '%s' "$3" | tr '\t\r\n' '   ' | cut -c1-200)" >>"$CASES"; }

# ksft_rows PREFIX LOG: one row per kselftest case in LOG. The "[RUN] ..."
# line before a result names the case (the result line alone says only
# "Should have worked"); "# SKIP" marks a skip. A repeated name gets "#N".
ksft_rows() {
	awk -v p="$1" '
		/^# \[RUN\] / { name = $0; sub(/^# \[RUN\] /, "", name); next }
		/^(not )?ok [0-9]+/ {
			res = ($1 == "not") ? "FAIL" : "PASS"
			if ($0 ~ /# [Ss][Kk][Ii][Pp]/) res = "SKIP"
			msg = $0; sub(/^(not )?ok [0-9]+ */, "", msg)
			n = (name == "") ? msg : name
			if (seen[n]++) n = n " #" seen[n]
			printf "%s%s\t%s\t%s\n", p, n, res, msg
			name = ""
		}' "$2" >>"$CASES"
}

# run_case NAME TIMEOUT EXIT_SKIP CMD...: runs CMD under a timeout and its
# own pin accounting; sets CASE_RC and CASE_RES (PASS on 0, SKIP on
# EXIT_SKIP, FAIL otherwise or on the timeout, LEAK when pins stay behind)
# and CASE_NOTE. The output goes to CASE_LOG ($PINWB_OUT/NAME.log, the name
# made file-name safe).
run_case() {
	local name=$1 tmo=$(($2 * PINWB_TIMEOUT_SCALE)) skiprc=$3 t0 t1 p0 p1 log
	shift 3
	log=$PINWB_OUT/$(printf '%s' "$name" | tr -c 'A-Za-z0-9_.@-' '_').log
	CASE_LOG=$log
	p0=$(pins_outstanding)
	t0=$(cut -d' ' -f1 /proc/uptime)
	CASE_RC=0
	timeout -s INT -k 10 "$tmo" "$@" >"$log" 2>&1 </dev/null || CASE_RC=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	CASE_NOTE=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1 | cut -c1-160)
	if awk -v a="$t0" -v b="$t1" -v t="$tmo" 'BEGIN { exit !(b - a >= t) }'; then
		CASE_RES=FAIL CASE_NOTE="timed out after ${tmo}s"
	elif [ "$CASE_RC" -eq 0 ]; then
		CASE_RES=PASS
	elif [ "$CASE_RC" -eq "$skiprc" ]; then
		CASE_RES=SKIP
	else
		CASE_RES=FAIL CASE_NOTE="exit $CASE_RC: $CASE_NOTE"
	fi
	if [ -n "$p0" ] && ! p1=$(pins_settle "$p0" $((30 * PINWB_TIMEOUT_SCALE))); then
		v=$(pins_verdict "$p0" "$p1")
		case $v in
		leak:*)
			CASE_RES=LEAK CASE_NOTE="${v#leak: } | $CASE_NOTE"
			LEAKS=$((LEAKS + 1)) ;;
		*) CASE_NOTE="$CASE_NOTE | pin accounting: ${v#excess: }" ;;
		esac
		echo "$name: $v"
	fi
	echo "$name $CASE_RES $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s $CASE_NOTE"
}

# peers_reserve_hugetlb N: N free 2 MiB hugetlb pages for the hugetlb cases
# (given back at exit), as run_vmtests.sh reserves them.
peers_reserve_hugetlb() {
	hp_before=$(cat /proc/sys/vm/nr_hugepages)
	trap 'echo "$hp_before" >/proc/sys/vm/nr_hugepages' EXIT
	echo "$1" >/proc/sys/vm/nr_hugepages
}

# peers_done SUITE: the test's verdict and note from its rows.
peers_done() {
	local p f s
	p=$(awk -F'\t' '$2 == "PASS"' "$CASES" | wc -l)
	f=$(awk -F'\t' '$2 == "FAIL"' "$CASES" | wc -l)
	s=$(awk -F'\t' '$2 == "SKIP"' "$CASES" | wc -l)
	kv cases.pass "$p"
	kv cases.fail "$f"
	kv cases.skip "$s"
	kv cases.leak "$LEAKS"
	[ "$LEAKS" -eq 0 ] || fail "$1: $LEAKS case(s) leaked pins; $p pass, $f fail, $s skip (cases.tsv)"
	[ "$((p + f + s))" -gt 0 ] || fail "$1: no case ran"
	note "$1: $p pass, $f fail, $s skip (the peers' own verdicts, judged on the host)"
}

require_peers() {
	[ -d "$PEERS/$1" ] || skip "$1 not in the initramfs (scripts/vm/run.sh --peers-dir, built by scripts/vm/peers-build.sh)"
}
