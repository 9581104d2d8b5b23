#!/bin/sh
# shellcheck shell=dash
# io_uring registered (fixed) buffers in a MAP_SHARED file mapping are
# refused today (long-term pin of file pages: EFAULT). Any kernel: on the
# baseline this is stock behaviour; with the series it is what
# vm.longterm_pin_file_mappings=0 (the default) keeps. The engine must fail
# the job with a message about the registration, not carry on silently.
# Control: the same job with an anonymous buffer registers fine, so the
# refusal is about file mappings and not a broken io_uring.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_engine
have_sysctl longterm_pin_file_mappings && set_sysctl longterm_pin_file_mappings 0
fs=$(first_fs)
dir=$(fs_dir "$fs") || fail "$fs not mounted"

pinwb_run anon "$dir" "rw=randread" "pinwb_io=uring" "pinwb_fixedbufs=1" "pinwb_buffer=anon" "runtime=2"
job_ran anon
[ "$JOB_RC" -eq 0 ] || fail "control: fixed buffers in anonymous memory failed too (fio exit $JOB_RC): io_uring registration broken?"

pinwb_run file "$dir" "rw=randread" "pinwb_io=uring" "pinwb_fixedbufs=1" "pinwb_fixedbufs_fallback=0" \
	"pinwb_buffer=file" "runtime=2"
[ "$JOB_RC" -ne 0 ] || fail "registering a file-backed buffer succeeded (fio exit 0): the refusal is gone"
grep -q 'failed to setup shm' "$PINWB_OUT/file.fio.log" && fail "fio could not start (no SysV shm: CONFIG_SYSVIPC off?)"
grep -qi 'regist' "$PINWB_OUT/file.fio.log" ||
	fail "fio failed (exit $JOB_RC) without a message about the buffer registration"
grep -i 'regist' "$PINWB_OUT/file.fio.log" | grep -q 'EFAULT' ||
	fail "the registration failed, but not with EFAULT (the stock refusal): $(grep -i 'regist' "$PINWB_OUT/file.fio.log" | head -n 1)"
kv refusal_message "$(grep -i 'regist' "$PINWB_OUT/file.fio.log" | head -n 1)"
note "file-backed fixed buffers refused with EFAULT (fio exit $JOB_RC); anonymous ones registered"
