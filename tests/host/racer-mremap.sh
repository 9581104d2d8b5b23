#!/usr/bin/env bash
# The engine's mremap racer (pinwb_race_mremap) under DIO into the mapped buffer
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

# without touch and msync_sync, which use the mapping mremap moves away
racer_case mremap remap_shift dio-write-uring pinwb_wb_modes=sfr,fdatasync,dontneed
pass "mremap of busy slots away and back keeps the buffer and target intact; moving them back one slot off is caught"
