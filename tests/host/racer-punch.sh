#!/usr/bin/env bash
# The engine's punch racer (pinwb_race_punch) under DIO into the mapped buffer
# file: the job verifies intact and the report counts the racer; with
# pinwb_race_fault=no_excuse the same job must fail.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=../lib/corrupt.sh
. "$(dirname "$0")/../lib/corrupt.sh"
# shellcheck source=../lib/racers.sh
. "$(dirname "$0")/../lib/racers.sh"

racer_case punch no_excuse dio-write-uring
excused=$(jq -r '.racers.excused.slots + .racers.excused.reads + .racers.excused.writes' "$RACER_CLEAN_REPORT")
[ "$excused" -gt 0 ] || fail "punch excused nothing (racers.excused)"
pass "punch-hole of the buffer file under I/O: $excused slot(s)/write(s) excused, buffer and target otherwise intact; without the excuse the loss is caught"
