#!/bin/sh
# shellcheck shell=dash
# A long-term pinned, continuously re-dirtied buffer must neither stall the
# other writers of the device nor stay volatile. An io_uring registered
# (fixed) buffer over an ext4 file (vm.longterm_pin_file_mappings=1; io_uring
# re-dirties it after every READ_FIXED) is read
# into for the whole test, with vm.gup_writeback_policy=1, while a buffered
# writer (fio, psync, end_fsync) writes another file on the same file system.
# Small dirty limits make the pinned buffer a large share of them: if
# background writeback skipped pinned folios, they would stay dirty, the
# writer would loop in balance_dirty_pages() and never finish (the test
# times out). Checked: the writer finishes, background or kupdate writeback
# wrote pinned folios (gup_wb_pinned_written) as copies
# (gup_wb_pinned_bounced), the engine's data verifies. Reported, not
# asserted (no timing assertions): the writer's throughput without and with
# the pinned buffer, and how long after the pin the first pinned folio was
# written, next to dirty_expire_centisecs.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
require_engine
for c in gup_wb_pinned_written gup_wb_pinned_bounced gup_longterm_file_pins; do
	have_counter "$c" || fail "$c missing from /proc/vmstat (CONFIG_STABLE_PINNED_WRITEBACK not built in?)"
done
is_mounted "$PINWB_MNT/ext4" || fail "ext4 test disk not mounted"
dir=$(fs_dir ext4) || fail "cannot make a directory on ext4"

# The dirty sysctls are not restored by the runner: put them back on exit.
saved=""
for s in dirty_background_bytes dirty_bytes dirty_background_ratio dirty_ratio dirty_expire_centisecs dirty_writeback_centisecs; do
	saved="$saved $s=$(get_sysctl "$s")"
done
restore() {
	local kvpair
	# ratio and bytes exclude each other: the ratios last, if they were in use
	for kvpair in $saved; do
		case $kvpair in *_bytes=0 | *_ratio=0) continue ;; esac
		echo "${kvpair#*=}" >"/proc/sys/vm/${kvpair%=*}" 2>/dev/null || true
	done
}
trap restore EXIT

expire=300
set_sysctl dirty_background_bytes $((2 * 1024 * 1024))
set_sysctl dirty_bytes $((6 * 1024 * 1024))
set_sysctl dirty_expire_centisecs "$expire"
set_sysctl dirty_writeback_centisecs 100
set_sysctl gup_writeback_policy 1
set_sysctl longterm_pin_file_mappings 1

size=32m
[ "$LONG" -eq 1 ] && size=128m
# writer NAME: buffered sequential writer; prints its bandwidth in KiB/s.
writer() {
	local job=$dir/$1.fio rc=0
	rm -f "$dir/writer"
	printf '%s\n' "[$1]" "ioengine=psync" "rw=write" "bs=256k" "size=$size" \
		"filename=$dir/writer" "end_fsync=1" >"$job"
	cp "$job" "$PINWB_OUT/$1.fio"
	"$FIO" --output-format=json --output="$PINWB_OUT/$1.fio.json" "$job" \
		>"$PINWB_OUT/$1.fio.log" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || fail "$1: the writer's fio exited $rc"
	awk '/"write" : \{/ { w = 1 } w && /"bw" :/ { gsub(/[^0-9]/, "", $3); print $3; exit }' \
		"$PINWB_OUT/$1.fio.json"
}

bw0=$(writer alone)
kv alone.writer_kib_s "$bw0"
log "writer alone: $bw0 KiB/s"

# The pinned buffer: READ_FIXED into a registered file-backed buffer, for
# longer than the writer needs; only kernel writeback writes the buffer file.
runtime=60
[ "$LONG" -eq 1 ] && runtime=180
snap /tmp/vmstat.a
(
	pinwb_run pinned "$dir" "rw=randread" "bs=16k" "pinwb_io=uring" "pinwb_fixedbufs=1" \
		"pinwb_fixedbufs_fallback=0" "pinwb_buffer=file" "pinwb_buffer_size=4m" \
		"pinwb_wb_modes=none" "runtime=$runtime"
	echo "$JOB_RC $JOB_RESULT $JOB_KEPT" >/tmp/pinned.status
) &
pinned_pid=$!

# Wait for the pin, then note when pinned folios are first written.
t0=$(date +%s) first_written=none
while [ "$(counter gup_longterm_file_pins)" -le "$(awk '$1 == "gup_longterm_file_pins" { print $2 }' /tmp/vmstat.a)" ]; do
	kill -0 "$pinned_pid" 2>/dev/null || break
	[ $(($(date +%s) - t0)) -lt 60 ] || break
	sleep 1
done
tpin=$(date +%s)
w0=$(awk '$1 == "gup_wb_pinned_written" { print $2 }' /tmp/vmstat.a)
bw1=$(writer pinned)
while kill -0 "$pinned_pid" 2>/dev/null; do
	if [ "$first_written" = none ] && [ "$(counter gup_wb_pinned_written)" -gt "$w0" ]; then
		first_written=$(($(date +%s) - tpin))
	fi
	sleep 1
done
wait "$pinned_pid" || fail "the pinned-buffer job failed"
snap /tmp/vmstat.b
kv pinned.writer_kib_s "$bw1"
kv pinned.first_written_s_after_pin "$first_written"
kv dirty_expire_centisecs "$expire"
for c in gup_longterm_file_pins gup_longterm_file_dirtied gup_wb_pinned_skipped gup_wb_pinned_written gup_wb_pinned_bounced gup_wb_pinned_unbounced; do
	kv "pinned.$c" "$(delta /tmp/vmstat.a /tmp/vmstat.b "$c")"
done
read -r rc result kept </tmp/pinned.status || fail "the pinned-buffer job left no status"
if [ "$rc" -ne 0 ] || [ "$result" != intact ] || [ "$kept" != intact ]; then
	fail "pinned-buffer job: fio rc=$rc, verify=$result, pinwb-verify=$kept"
fi
pins=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_longterm_file_pins)
[ "$pins" -gt 0 ] || fail "gup_longterm_file_pins did not rise: the buffer was not long-term pinned"
written=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_wb_pinned_written)
bounced=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_wb_pinned_bounced)
[ "$written" -gt 0 ] || fail "no pinned folio was written by background or kupdate writeback ($bounced pages copied)"
[ "$bounced" -gt 0 ] || fail "pinned folios were written ($written) but no copy was made"
pct=$((bw1 * 100 / (bw0 > 0 ? bw0 : 1)))
kv pinned.writer_pct_of_alone "$pct"
note "writer $bw0 KiB/s alone, $bw1 KiB/s ($pct %) beside a pinned re-dirtied buffer; pinned folios written $written times (first ${first_written}s after the pin, dirty_expire ${expire}cs), $bounced pages copied"
