#!/bin/sh
# shellcheck shell=dash
# Harness self-test: passes itself but puts a kernel-style WARNING line into
# the kernel log; the host's dmesg check must fail the run because of it.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"
echo "WARNING: CPU: 0 PID: $$ at pinwb/selftest.c:1 injected by the harness self-test" >/dev/kmsg ||
	fail "cannot write /dev/kmsg"
note "injected a WARNING line into the kernel log"
