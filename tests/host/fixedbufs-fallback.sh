#!/usr/bin/env bash
# pinwb_fixedbufs_fallback=1: when registering file-backed fixed buffers
# fails (stock kernel), the job carries on without them, says so, and still
# verifies intact; the pinwb report records that the fallback was used. On a
# kernel that allows the pins the job runs with fixed buffers and no fallback.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_built
make_tmp
mkdir "$T/fs"
job_with uring-fixedbufs "$T/job.fio" "pinwb_fixedbufs_fallback=1"
"$PINWB" run "$T/job.fio" --fs "$T/fs" --runtime 1 --size 4m --out "$T/out" ||
	fail "job with pinwb_fixedbufs_fallback=1 failed"
report=("$T"/out/*.pinwb.json)
[ -f "${report[0]}" ] || fail "no pinwb report"
[ "$(jq -r .verify.result "${report[0]}")" = intact ] || fail "not verified intact"
used=$(jq -r .io.fixedbufs_fallback_used "${report[0]}")
if kernel_allows_file_fixedbufs; then
	[ "$used" = false ] || fail "fallback used although the kernel allows file-backed fixed buffers"
else
	[ "$used" = true ] || fail "stock kernel: report says fixedbufs_fallback_used=$used, expected true"
fi
pass "fallback_used=$used, verified intact"
