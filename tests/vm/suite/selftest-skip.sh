#!/bin/sh
# shellcheck shell=dash
# Harness self-test: always skips with a reason the host must show.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"
skip "deliberate skip"
