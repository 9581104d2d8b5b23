#!/usr/bin/env bash
# io_uring fixed buffers on a file mapping are a long-term pin of page-cache
# pages, which a stock kernel refuses: uring-fixedbufs must fail with a clear
# message (naming pinwb_fixedbufs, so the user learns about the fallback)
# and a non-zero exit. Skips where the kernel allows such pins.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_built
kernel_allows_file_fixedbufs &&
	skip "kernel allows long-term pins of file mappings (vm.longterm_pin_file_mappings=1)"
make_tmp
mkdir "$T/fs"
rc=0
"$PINWB" run uring-fixedbufs --fs "$T/fs" --runtime 1 --size 4m --out "$T/out" >"$T/out.txt" 2>&1 || rc=$?
cat "$T/out.txt"
[ $rc -ne 0 ] || fail "fixed buffers on a file mapping were accepted; vm.longterm_pin_file_mappings is not 1 here"
grep -q 'pinwb_fixedbufs' "$T/out.txt" || fail "the failure message does not name pinwb_fixedbufs"
grep -Eq 'long-?term' "$T/out.txt" || fail "the failure message does not say the kernel refuses long-term pins"
pass "file-backed fixed buffers refused with a message (exit $rc)"
