#!/bin/sh
# shellcheck shell=dash
# Harness self-test: hangs with a child process; the runner's per-test timeout
# must kill the whole process group and report FAIL "timed out".
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"
sleep 1000 &
sleep 1000
