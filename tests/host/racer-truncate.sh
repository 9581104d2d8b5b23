#!/usr/bin/env bash
# The engine's truncate racer (pinwb_race_truncate) under DIO into the mapped buffer
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

# without touch, which would write past the truncated end
racer_case truncate no_excuse dio-read-uring pinwb_wb_modes=sfr,fdatasync
excused=$(jq -r '.racers.excused.slots + .racers.excused.reads + .racers.excused.writes' "$RACER_CLEAN_REPORT")
[ "$excused" -gt 0 ] || fail "truncate excused nothing (racers.excused)"
pass "truncate of the buffer file under I/O: $excused slot(s)/read(s) excused and the rest intact; without the excuse the loss is caught"
