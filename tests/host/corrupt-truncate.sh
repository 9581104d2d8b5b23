#!/usr/bin/env bash
# Corruption the verifier must catch: the buffer file truncated to half its size in a
# buffer kept by pinwb run --keep. pinwb verify exits 1 on it and 0 on an
# untouched copy.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
# shellcheck source=../lib/corrupt.sh
. "$(dirname "$0")/../lib/corrupt.sh"
corrupt_kept truncate
