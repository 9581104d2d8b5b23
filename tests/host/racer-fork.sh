#!/usr/bin/env bash
# The engine's fork racer (pinwb_race_fork) under DIO into the mapped buffer
# file: the job verifies intact and the report counts the racer; with
# pinwb_race_fault=fork_shared the same job must fail.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=../lib/corrupt.sh
. "$(dirname "$0")/../lib/corrupt.sh"
# shellcheck source=../lib/racers.sh
. "$(dirname "$0")/../lib/racers.sh"

racer_case fork fork_shared dio-read-uring
pass "fork while reads are in flight leaves the parent's buffer intact; a child writing the shared buffer is caught"
