#!/bin/sh
# shellcheck shell=dash
# Harness self-test: always skips with a reason the host must show.
. "$PINWB_ROOT/tests/vm/lib.sh"
skip "deliberate skip"
