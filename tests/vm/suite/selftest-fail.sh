#!/bin/sh
# shellcheck shell=dash
# Harness self-test: always fails; the host must report FAIL and exit 1.
. "$PINWB_ROOT/tests/vm/lib.sh"
fail "deliberate failure"
