# shellcheck shell=bash
# racer_case RACER FAULT WORKLOAD [LINE...]: the engine racer pinwb_race_RACER
# runs with the job's I/O in a private directory and the job must verify
# intact with the racer counted in the report; then the same job with
# pinwb_race_fault=FAULT (the racer does damage) must fail (exit 1). A racer
# the engine leaves out here skips the test with the engine's reason.
# LINEs are appended to both job files. Source after common.sh and
# corrupt.sh (need_odirect_dir).
racer_case() {
	local racer=$1 fault=$2 job=$3 rc=0 skipped actions verdict
	shift 3
	need_built
	make_tmp
	mkdir "$T/fs"
	need_odirect_dir "$T/fs"
	job_with "$job" "$T/clean.fio" "pinwb_race_$racer=20" "$@"
	"$PINWB" run "$T/clean.fio" --fs "$T/fs" --runtime 2 --size 16m --out "$T/clean" >"$T/clean.log" 2>&1 || rc=$?
	skipped=$(jq -r ".racers.$racer.skipped // empty" "$T"/clean/*.pinwb.json 2>/dev/null || true) # no report: rc says why
	[ -z "$skipped" ] || skip "pinwb_race_$racer left out here: $skipped"
	[ "$rc" -eq 0 ] || { tail -n 30 "$T/clean.log"; fail "racer $racer without fault: pinwb run exit $rc"; }
	actions=$(jq -r ".racers.$racer.actions" "$T"/clean/*.pinwb.json)
	[ "$actions" -gt 0 ] || fail "racer $racer never acted (report racers.$racer.actions = $actions)"
	[ "$(jq -r ".racers.$racer.errors" "$T"/clean/*.pinwb.json)" -eq 0 ] || fail "racer $racer: failed actions"
	verdict=$(jq -r .verify.result "$T"/clean/*.pinwb.json)
	[ "$verdict" = intact ] || fail "racer $racer without fault: verify '$verdict'"
	echo "racer $racer: $actions actions, $(jq -r ".racers.$racer.in_flight" "$T"/clean/*.pinwb.json) with I/O in flight, verified intact"
	# shellcheck disable=SC2034 # read by the test that sources this
	RACER_CLEAN_REPORT=$(echo "$T"/clean/*.pinwb.json)

	# The damage is seen only when a damaged slot is not rewritten before
	# it is checked (an I/O in flight across the action, or no later I/O
	# of that slot): likely in 2 s, not certain on a loaded host. So the
	# fault run gets up to three tries, each a fresh job; a fault the
	# checks cannot see fails all three.
	job_with "$job" "$T/fault.fio" "pinwb_race_$racer=20" "pinwb_race_fault=$fault" "$@"
	local try
	for try in 1 2 3; do
		rc=0
		rm -rf "$T/fault"
		"$PINWB" run "$T/fault.fio" --fs "$T/fs" --runtime 2 --size 16m --out "$T/fault" >"$T/fault.log" 2>&1 || rc=$?
		[ "$rc" -eq 0 ] || break
		echo "racer $racer with fault $fault: try $try verified intact ($(jq -r ".racers.$racer.actions" "$T"/fault/*.pinwb.json) actions); again"
	done
	[ "$rc" -eq 1 ] || { tail -n 30 "$T/fault.log"; fail "racer $racer with fault $fault: pinwb run exit $rc in $try tries, expected 1"; }
	grep -m 2 -E 'pinwb_check_reads: read of|slot [0-9]+ offset|target .* offset' "$T/fault/fio.log" ||
		fail "racer $racer with fault $fault failed without a mismatch message"
	echo "racer $racer with fault $fault: the job fails (exit 1, try $try)"
}
