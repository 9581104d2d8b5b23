#!/usr/bin/env bash
# The device's view and crash replay on a short engine run recorded through a
# real dm-log-writes target (torture-record.sh --method dm; skips where the
# kernel has no dm-log-writes): the clean recording passes the device check and
# every crash point; a block torn inside the log (pinwb-logcheck tear) is
# reported by the device check with its entry, sector and file offset, and
# by the replay at every crash point after it.
# tests/run-timeout: 300
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=../lib/torture.sh
. "$(dirname "$0")/../lib/torture.sh"

# TORTURE_FS=xfs|btrfs: the same on another file system (the VM suite's
# torture test runs it on each)
torture_record dm "${TORTURE_FS:-ext4}"
torture_clean_then_torn
