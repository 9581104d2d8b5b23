#!/bin/sh
# shellcheck shell=dash
# Harness self-test: always fails; the host must report FAIL and exit 1.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"
fail "deliberate failure"
