#!/bin/sh
# shellcheck shell=dash
# Harness self-test: stops the suite runner itself, so the guest never
# finishes; only the host-side timeout can end the run, which must then
# report this test as the one that did not finish and the rest as never run.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"
note "stopping the runner (pid $PPID)"
kill -STOP "$PPID"
sleep 100000
