#!/bin/sh
# shellcheck shell=dash
# vm.longterm_pin_file_mappings=1 lets io_uring register a file-backed
# buffer (patch 10). Reads land in the pinned page cache by DMA, which does
# not dirty the folios: with the "no re-dirty" fault on (debugfs
# io_uring/skip_file_redirty, CONFIG_IO_URING_DEBUG_REDIRTY) the data of reads
# that completed after the last writeback are never written back, so
# dropping the cache loses them (the verifier must find mismatches: the
# hazard is real, and the check is seen to fail); with the fault off io_uring
# re-dirties the folios after each read, deferring busy ones to the ring's
# work item, and nothing is lost.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
require_engine
fs=$(first_fs)
dir=$(fs_dir "$fs") || fail "$fs not mounted"
runtime=4
[ "$LONG" -eq 1 ] && runtime=20
# fdatasync keeps cleaning the buffer file, so folios read into after a
# clean are only saved if something dirties them again.
job() {
	pinwb_run "$1" "$dir" "rw=randread" "pinwb_io=uring" "pinwb_fixedbufs=1" "pinwb_fixedbufs_fallback=0" \
		"pinwb_buffer=file" "pinwb_buffer_size=4m" "pinwb_wb_modes=fdatasync" "pinwb_wb_interval_us=1000" \
		"runtime=$runtime"
}
set_sysctl longterm_pin_file_mappings 1
[ -e "$REDIRTY_FAULT" ] ||
	skip "$REDIRTY_FAULT missing (kernel built without CONFIG_IO_URING_DEBUG_REDIRTY): cannot show the loss without re-dirtying"
have_sysctl longterm_pin_file_dirty && fail "vm.longterm_pin_file_dirty exists: the no-re-dirty fault must not be a sysctl"
fault_off() { echo 0 >"$REDIRTY_FAULT"; }
trap fault_off EXIT

echo 1 >"$REDIRTY_FAULT"
snap /tmp/vmstat.a
job dirty0
snap /tmp/vmstat.b
pins0=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_longterm_file_pins)
kv dirty0.gup_longterm_file_pins "$pins0"
kv dirty0.gup_longterm_file_dirtied "$(delta /tmp/vmstat.a /tmp/vmstat.b gup_longterm_file_dirtied)"
if grep -qi 'registering.*failed' "$PINWB_OUT/dirty0.fio.log"; then
	fail "fault on: registration failed although vm.longterm_pin_file_mappings=1: $(grep -i 'registering.*failed' "$PINWB_OUT/dirty0.fio.log" | head -n 1 | cut -c1-120)"
fi
job_ran dirty0
[ "$pins0" -gt 0 ] || fail "fault on: gup_longterm_file_pins did not rise: the buffer was not long-term pinned"
[ "$JOB_RESULT" = mismatch ] || fail "fault on: engine verification says '$JOB_RESULT', expected lost blocks"
[ "$JOB_RC" -ne 0 ] || fail "fault on: verification found mismatches but fio exited 0"
case $JOB_KEPT in
"mismatch "*) ;;
*) fail "fault on: pinwb-verify on the kept buffer says '$JOB_KEPT', expected mismatches" ;;
esac
lost=$JOB_MISMATCH

fault_off
snap /tmp/vmstat.a
job dirty1
snap /tmp/vmstat.b
kv dirty1.gup_longterm_file_pins "$(delta /tmp/vmstat.a /tmp/vmstat.b gup_longterm_file_pins)"
dirtied=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_longterm_file_dirtied)
kv dirty1.gup_longterm_file_dirtied "$dirtied"
# Folios whose lock was busy at completion (writeback preparing them): left to
# the ring's work item. Reported, not asserted: how many depends on timing.
deferred=$(delta /tmp/vmstat.a /tmp/vmstat.b gup_longterm_file_deferred)
kv dirty1.gup_longterm_file_deferred "$deferred"
expect_intact dirty1
[ "$dirtied" -gt 0 ] || fail "fault off: gup_longterm_file_dirtied did not rise"
note "fault on: $lost blocks lost (hazard shown); fault off: intact, $dirtied folios re-dirtied ($deferred deferred)"
