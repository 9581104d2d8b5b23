#!/usr/bin/env bash
# The engine's remap racer (pinwb_race_remap) under DIO into the mapped buffer
# file: the job verifies intact and the report counts the racer; with
# pinwb_race_fault=remap_shift the same job must fail.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=../lib/corrupt.sh
. "$(dirname "$0")/../lib/corrupt.sh"
# shellcheck source=../lib/racers.sh
. "$(dirname "$0")/../lib/racers.sh"

racer_case remap remap_shift dio-read-uring
pass "mmap(MAP_FIXED) of the buffer over itself under I/O keeps it intact; a mapping one slot off is caught"
