# shellcheck shell=dash
# shellcheck disable=SC2034 # the variables are for the tests that source this
# Helpers for the in-VM suite (sourced by tests/vm/suite/*.sh under busybox sh).
#
# A test is a script that exits 0 (pass), 1 (fail) or 77 (skip). It writes
# what it measured to $PINWB_OUT (its own directory, copied back to the host)
# and a one-line note for the result table with note/skip/fail.
# The runner (tests/vm/run-suite.sh) exports:
#   PINWB_ROOT  where the initramfs put fio, the engine, the tests
#   PINWB_OUT   this test's result directory
#   PINWB_FS    space-separated file systems mounted for tests (ext4 xfs btrfs)
#   PINWB_MNT   directory holding one mount point per file system

PINWB_ROOT=${PINWB_ROOT:-/opt/pinwb}
PINWB_OUT=${PINWB_OUT:-/tmp/pinwb-out}
PINWB_MNT=${PINWB_MNT:-/mnt}
PINWB_SEED=${PINWB_SEED:-1}
# full suite: longer runs; short (CI): the same assertions on shorter runs.
if [ "${PINWB_SUITE:-short}" = full ]; then LONG=1; else LONG=0; fi
FIO=$PINWB_ROOT/bin/fio
ENGINE=$PINWB_ROOT/engines/pinwb.so
VERIFY=$PINWB_ROOT/bin/pinwb-verify
GUP_TEST=$PINWB_ROOT/bin/gup_test
mkdir -p "$PINWB_OUT"

# The contract names (team brief): a kernel with the series has all of them.
CONTRACT_SYSCTLS="gup_writeback_policy longterm_pin_file_mappings"
# The tests' "no re-dirty" fault for long-term file pins (io_uring), a debugfs
# switch only in kernels built with CONFIG_IO_URING_DEBUG_REDIRTY; it replaces
# the vm.longterm_pin_file_dirty sysctl of earlier versions of the series.
REDIRTY_FAULT=/sys/kernel/debug/io_uring/skip_file_redirty
CONTRACT_COUNTERS="gup_put_pages_single gup_put_pages_batched gup_fast_wb_fallback gup_wb_wait gup_wb_pinned_skipped gup_wb_pinned_bounced gup_stable_checked gup_stable_violation gup_longterm_file_pins gup_longterm_file_dirtied gup_wb_pinned_written gup_wb_pinned_unbounced gup_stable_changed gup_stable_late_pin gup_stable_dropped"

log() { echo "$(basename "$0"): $*"; }

# note TEXT: the line shown in the host's result table.
note() { printf '%s\n' "$*" >"$PINWB_OUT/note"; log "$*"; }
skip() { note "$*"; exit 77; }
fail() { note "$*"; exit 1; }

# kv KEY VALUE: one measurement, gathered into result.json by the runner.
kv() { printf '%s\t%s\n' "$1" "$2" >>"$PINWB_OUT/measurements.tsv"; }

# guest_arg NAME: the value of pinwb.NAME=VALUE on the kernel command line
# (scripts/pinwb vm --guest-arg NAME=VALUE); empty when it is not there.
guest_arg() { sed -n "s/.*pinwb\\.$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
have_sysctl() { [ -e "/proc/sys/vm/$1" ]; }
get_sysctl() { cat "/proc/sys/vm/$1"; }

# set_sysctl NAME VALUE: write and read back (the runner restores the
# contract sysctls to their boot values after every test).
set_sysctl() {
	echo "$2" >"/proc/sys/vm/$1" || fail "cannot write $2 to vm.$1"
	[ "$(get_sysctl "$1")" = "$2" ] || fail "vm.$1 reads $(get_sysctl "$1") after writing $2"
	log "vm.$1=$2"
}

have_counter() { grep -q "^$1 " /proc/vmstat; }
counter() { awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print "missing" }' /proc/vmstat; }

# snap FILE: copy of /proc/vmstat; delta A B NAME: B - A for one counter.
snap() { cat /proc/vmstat >"$1"; }
delta() {
	awk -v k="$3" 'FNR == NR { if ($1 == k) a = $2; next } $1 == k { b = $2; f = 1 }
		END { if (!f) print "missing"; else print b - a }' "$1" "$2"
}

# The series is present when any contract sysctl or counter is; tests that
# need it skip on the baseline kernel with this reason.
series_present() {
	local s c
	for s in $CONTRACT_SYSCTLS; do have_sysctl "$s" && return 0; done
	for c in $CONTRACT_COUNTERS; do have_counter "$c" && return 0; done
	return 1
}
require_series() {
	series_present || skip "kernel without the pinwb series (none of its vm sysctls or gup_* counters)"
}

require_engine() {
	[ -x "$FIO" ] || skip "fio not in the initramfs (built with --allow-missing)"
	[ -f "$ENGINE" ] || skip "pinwb.so not in the initramfs (built with --allow-missing)"
	[ -x "$VERIFY" ] || skip "pinwb-verify not in the initramfs (built with --allow-missing)"
}

# is_mounted DIR: DIR is a mount point (busybox here has no mountpoint).
is_mounted() { awk -v d="$1" '$2 == d { f = 1 } END { exit !f }' /proc/mounts; }

# fs_dir FS: a fresh scratch directory on a mounted test file system.
fs_dir() {
	local d
	d="$PINWB_MNT/$1/$(basename "$0" .sh).$$"
	is_mounted "$PINWB_MNT/$1" || return 1
	rm -rf "$d" && mkdir -p "$d" && echo "$d"
}
# shellcheck disable=SC2086 # word splitting of the list is wanted
first_fs() { set -- $PINWB_FS; [ $# -gt 0 ] || fail "no test file system mounted"; echo "$1"; }

# run_job NAME JOBFILE: runs fio on JOBFILE with the pinwb reports going to
# $PINWB_OUT and sets JOB_RC to fio's exit code. fio's own output goes to
# $PINWB_OUT/NAME.fio.log (the last lines are echoed for the test log).
JOB_RC=0
run_job() {
	local name=$1 job=$2
	cp "$job" "$PINWB_OUT/$name.fio"
	JOB_RC=0
	PINWB_REPORT_DIR=$PINWB_OUT "$FIO" --output-format=json --output="$PINWB_OUT/$name.fio.json" \
		"$job" >"$PINWB_OUT/$name.fio.log" 2>&1 || JOB_RC=$?
	log "fio $name exited $JOB_RC"
	tail -n 15 "$PINWB_OUT/$name.fio.log" | sed "s/^/  [$name] /"
}

# job_file PATH SECTION-LINES...: writes a fio job whose global section loads
# the pinwb engine; the caller's lines follow (one option per argument).
job_file() {
	local path=$1 line
	shift
	{
		echo "[global]"
		echo "ioengine=external:$ENGINE"
		for line in "$@"; do echo "$line"; done
		echo "[pinwb]"
	} >"$path"
}

# report_value FILE SECTION KEY: the first "KEY": value after "SECTION" in a
# pinwb JSON report (enough for the flat fields the contract names).
report_value() {
	tr -d '\n' <"$1" | sed -e "s/.*\"$2\"[[:space:]]*:[[:space:]]*{//" |
		sed -n -e "s/^[^}]*\"$3\"[[:space:]]*:[[:space:]]*\"\{0,1\}\([^,\"}]*\).*/\1/p"
}

# verify_kept DIR NAME: runs pinwb-verify on every kept buffer/record pair in
# DIR (its output goes to $PINWB_OUT/NAME.<buffer>.verify.{log,json});
# prints "intact", "mismatch N" or "error".
verify_kept() {
	local buf rec rc base n=0 bad=0 m
	for buf in "$1"/*.buf; do
		[ -f "$buf" ] || continue
		rec=${buf%.buf}.rec
		base=$PINWB_OUT/$2.$(basename "$buf" .buf).verify
		rc=0
		"$VERIFY" --json "$base.json" "$buf" "$rec" >"$base.log" 2>&1 || rc=$?
		n=$((n + 1))
		case $rc in
		0) ;;
		1)
			m=$(report_value "$base.json" verify mismatches)
			case $m in ''|*[!0-9]*) m=$(grep -c '^slot ' "$base.log") ;; esac
			bad=$((bad + m)) ;;
		*) echo error; return ;;
		esac
	done
	[ "$n" -gt 0 ] || { echo error; return; }
	if [ "$bad" -eq 0 ]; then echo intact; else echo "mismatch $bad"; fi
}

# pinwb_run NAME DIR OPTION...: one pinwb fio job on DIR/target with its buffer
# file in DIR. Defaults (small, short) come first; the caller's options follow
# and override them (fio applies a section's options in order). Sets
#   JOB_RC       fio's exit code
#   JOB_REPORT   the pinwb JSON report ($PINWB_OUT/NAME.pinwb.json)
#   JOB_RESULT   its verify.result (intact|mismatch|skipped) or "none"
#   JOB_MISMATCH its verify.mismatches (or "none")
#   JOB_KEPT     pinwb-verify's verdict on the kept buffer file ("intact",
#                "mismatch N", "error")
pinwb_run() {
	local name=$1 dir=$2 keep
	shift 2
	keep=$dir/keep-$name
	rm -rf "$keep"
	mkdir -p "$keep" || fail "cannot make $keep"
	JOB_REPORT=$PINWB_OUT/$name.pinwb.json
	rm -f "$JOB_REPORT"
	job_file "$dir/$name.fio" "filename=$dir/target" "size=64m" "bs=64k" "direct=1" "iodepth=4" \
		"pinwb_buffer=file" "pinwb_buffer_size=4m" "pinwb_io=sync" "pinwb_seed=$PINWB_SEED" \
		"pinwb_report=$JOB_REPORT" "pinwb_keep_dir=$keep" "runtime=5" "time_based=1" "$@"
	run_job "$name" "$dir/$name.fio"
	JOB_RESULT=none JOB_MISMATCH=none
	if [ -f "$JOB_REPORT" ]; then
		JOB_RESULT=$(report_value "$JOB_REPORT" verify result)
		JOB_MISMATCH=$(report_value "$JOB_REPORT" verify mismatches)
	fi
	JOB_KEPT=$(verify_kept "$keep" "$name")
	log "$name: fio rc=$JOB_RC report verify=$JOB_RESULT mismatches=$JOB_MISMATCH pinwb-verify=$JOB_KEPT"
	kv "$name.fio_rc" "$JOB_RC"
	kv "$name.verify" "$JOB_RESULT"
	kv "$name.mismatches" "$JOB_MISMATCH"
	kv "$name.pinwb_verify" "$JOB_KEPT"
}

# job_ran NAME: the last pinwb_run got as far as writing its report (fio
# itself started: e.g. a kernel without CONFIG_SYSVIPC stops fio at once).
job_ran() {
	[ "$JOB_RESULT" != none ] ||
		fail "$1: no pinwb report; fio exited $JOB_RC: $(grep -v '^[[:space:]]*$' "$PINWB_OUT/$1.fio.log" | tail -n 1 | cut -c1-160)"
}

# expect_intact NAME: the last pinwb_run succeeded and both checks agree.
expect_intact() {
	job_ran "$1"
	[ "$JOB_RC" -eq 0 ] || fail "$1: fio exited $JOB_RC (see $1.fio.log)"
	[ "$JOB_RESULT" = intact ] || fail "$1: engine verification says '$JOB_RESULT'"
	[ "$JOB_KEPT" = intact ] || fail "$1: pinwb-verify on the kept buffer says '$JOB_KEPT'"
}


# gup_test tests: the binary and its debugfs file must be there, and 32
# hugetlb pages of 2 MiB are reserved for the hugetlb runs (given back at exit).
require_gup_test_hugetlb() {
	[ -x "$GUP_TEST" ] || skip "gup_test not in the initramfs (kernel build did not produce it)"
	[ -e /sys/kernel/debug/gup_test ] || fail "/sys/kernel/debug/gup_test missing (CONFIG_GUP_TEST off or debugfs not mounted)"
	hp_before=$(cat /proc/sys/vm/nr_hugepages)
	trap 'echo "$hp_before" >/proc/sys/vm/nr_hugepages' EXIT
	echo 32 >/proc/sys/vm/nr_hugepages
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge 16 ] || fail "could not reserve hugetlb pages (nr_hugepages=$(cat /proc/sys/vm/nr_hugepages))"
}

# kmsg_mark: the number of kernel log lines so far (busybox dmesg, ring
# buffer); kmsg_fs_errors MARK: the file system and kernel errors logged
# since MARK, one per line (the patterns scripts/vm/dmesg-check.sh flags for
# file systems, plus btrfs checksum and writeback failures).
kmsg_mark() { dmesg | wc -l; }
kmsg_fs_errors() {
	dmesg | tail -n +"$(($1 + 1))" | grep -E \
		'WARNING:|BUG:|EXT4-fs error|EXT4-fs \(.*\): error|XFS \(.*\): (Corruption|Internal error|metadata I/O error)|BTRFS (error|critical|warning .*csum)|csum failed' || true
}

# readback_dir DIR: drop the page cache and read every file under DIR back
# from disk; on btrfs a data checksum that does not match what was written
# fails the read with EIO. Prints nothing on success, else the failed files.
readback_dir() {
	local f
	sync
	echo 3 >/proc/sys/vm/drop_caches
	find "$1" -type f | while read -r f; do
		cat "$f" >/dev/null 2>&1 || echo "$f"
	done
}
