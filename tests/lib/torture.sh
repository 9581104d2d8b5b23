# shellcheck shell=bash
# Helpers of tests/host/torture-*.sh: record a short run, check the device
# view and the crash replay on it clean, then on a block torn in the log.
# Source it after tests/lib/common.sh.
LOGCHECK=$TOP/engines/pinwb-logcheck
[ -x "$LOGCHECK" ] || fail "pinwb-logcheck not built at $LOGCHECK (run: make)"

# torture_host FS: what a pinwb torture on FS needs here, and a private $T.
torture_host() {
	need_loop
	need_mkfs "$1"
	need_built
	make_tmp
}

# torture_record METHOD FS: a short run recorded into $R (skips as the
# recorder says). The recording must be clean on any kernel and policy, so
# the engine's writeback driver is off (--wb-modes none): with it, DMA into
# the buffer file races its writeback, and at vm.gup_writeback_policy=0 (or
# on a stock kernel) the device may be given a block while DMA changes it, a
# real tear (seen in the guest on ext4 and xfs), not a checker fault.
torture_record() {
	local rc=0
	torture_host "$2"
	R=$T/rec
	"$TOP/scripts/torture-record.sh" --method "$1" --fs "$2" --runtime 4 --wb-modes none --out "$R" >"$T/record.txt" 2>&1 || rc=$?
	cat "$T/record.txt"
	case $rc in
	0) ;;
	77) skip "$(sed -n 's/^SKIP: //p' "$T/record.txt" | tail -n 1)" ;;
	*) fail "torture-record.sh --method $1 --fs $2 exit $rc" ;;
	esac
	# shellcheck source=/dev/null
	. "$R/record.env"
}

# torture_replay ARGS: the replay of $R's log; TORTURE_REPLAY_SAMPLE=N
# replays a seeded sample of N crash points (the last always among them)
# where replaying every point takes too long (under TCG)
torture_replay() {
	local -a sample=()
	[ -z "${TORTURE_REPLAY_SAMPLE:-}" ] || sample=(--sample "$TORTURE_REPLAY_SAMPLE" --seed 1)
	"$TOP/scripts/torture-replay.sh" --image "$R/orig.img" --log "$R/log" --fs "$FS" \
		--file "$FILE" "${sample[@]}" "$@" -- --bsize "$BSIZE" --seed "$SEED"
}

torture_clean_then_torn() {
	local out rc tore entry sector off points last
	# btrfs: FIEMAP gives logical addresses, so there is no device map of
	# the file to check or to tear a block of (the recorder said so)
	grep -qv '^#' "$R/map" || skip "$FS: no device map of the buffer file (FIEMAP gives $FS logical addresses): the device check and the tear need one; torture's device rounds judge $FS by the crash replay alone"
	out=$("$LOGCHECK" check "$R/log" --map "$R/map" --bsize "$BSIZE" --seed "$SEED") ||
		fail "device check of a clean run failed: $out"
	echo "$out"
	grep -q ' 0 torn' <<<"$out" || fail "clean run: $out"
	grep -Eq ' [1-9][0-9]* pinwb' <<<"$out" || fail "clean run: no pinwb block of the buffer file logged: $out"
	torture_replay --out "$T/replay-clean" || fail "replay of a clean run found inconsistent crash points"
	grep -q '"inconsistent": 0' "$T/replay-clean/replay.json" || fail "replay.json: $(cat "$T/replay-clean/replay.json")"

	mapfile -t points < <("$LOGCHECK" points "$R/log")
	last=${points[-1]}
	# a block logged before the last crash point, so the replay must meet it
	# a seeded sample: the same seed picks the same points, the last among
	# them. Three FLUSH-only entries appended (synth of two empty files) give
	# enough points whatever the recording's timing was.
	cp -- "$R/log" "$T/log.sample"
	: >"$T/empty"
	for _ in 1 2 3; do
		"$LOGCHECK" synth "$T/log.sample" "$T/empty" "$T/empty" >/dev/null || fail "synth of a FLUSH entry failed"
	done
	local sp i
	mapfile -t sp < <("$LOGCHECK" points "$T/log.sample")
	for i in a b; do
		"$TOP/scripts/torture-replay.sh" --image "$R/orig.img" --log "$T/log.sample" --fs "$FS" \
			--file "$FILE" --sample 3 --seed 3 --out "$T/sample-$i" -- --bsize "$BSIZE" --seed "$SEED" >/dev/null ||
			fail "sampled replay failed"
	done
	grep -q "\"crash_points_total\": ${#sp[@]}, \"crash_points_checked\": 3," "$T/sample-a/replay.json" ||
		fail "sample of 3 of ${#sp[@]}: $(cat "$T/sample-a/replay.json")"
	cmp -s "$T/sample-a/replay.txt" "$T/sample-b/replay.txt" || fail "seed 3 sampled two different sets of crash points"
	grep -q "^crash point entry ${sp[-1]}: consistent" "$T/sample-a/replay.txt" || fail "the sample left out the last crash point"
	tore=$("$LOGCHECK" tear "$R/log" --map "$R/map" --bsize "$BSIZE" --to "$last") || fail "tear failed: $tore"
	echo "$tore"
	read -r _ _ entry _ sector _ _ off <<<"$tore"
	rc=0
	out=$("$LOGCHECK" check "$R/log" --map "$R/map" --bsize "$BSIZE" --seed "$SEED") || rc=$?
	echo "$out"
	[ "$rc" -eq 1 ] || fail "device check exit $rc on a torn log (want 1)"
	grep -q "^TORN entry $entry sector $sector file offset $off: " <<<"$out" ||
		fail "device check did not name entry $entry sector $sector offset $off"
	rc=0
	torture_replay --out "$T/replay-torn" || rc=$?
	[ "$rc" -eq 1 ] || fail "replay exit $rc on a torn log (want 1)"
	grep -q "^crash point entry $last: inconsistent: TORN file offset $off: " "$T/replay-torn/replay.txt" ||
		fail "replay did not report offset $off at the last crash point: $(cat "$T/replay-torn/replay.txt")"
	pass "clean run: device and ${#points[@]} crash points consistent; torn block at entry $entry (sector $sector, offset $off) found by both"
}
