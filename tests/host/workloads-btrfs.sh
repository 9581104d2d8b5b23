#!/usr/bin/env bash
# Every workload (workloads/*.fio but the bench pair) for 2 s on a fresh
# loop-mounted btrfs image; each must end with its buffer verified intact.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
run_workloads btrfs
