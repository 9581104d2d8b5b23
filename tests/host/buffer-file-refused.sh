#!/usr/bin/env bash
# A file the user already has, named as pinwb_buffer_file, is refused (the
# engine did not create it and pinwb_overwrite is not set): the job fails
# with a message naming the option, and the file is still there,
# byte-identical. Runs in a plain directory: no root needed.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_built
make_tmp
mkdir "$T/fs" "$T/user"
user=$T/user/precious.dat
head -c 1048576 /dev/urandom >"$user"
before=$(sha256sum <"$user")
mtime=$(stat -c %Y "$user")

job_with dio-read-sync "$T/job.fio" "pinwb_buffer_file=$user"
rc=0
"$PINWB" run "$T/job.fio" --fs "$T/fs" --runtime 1 --size 4m --out "$T/out" >"$T/out.txt" 2>&1 || rc=$?
cat "$T/out.txt"
[ $rc -ne 0 ] || fail "a job using an existing user file as its buffer succeeded"
grep -q 'pinwb_buffer_file\|pinwb_overwrite' "$T/out.txt" ||
	fail "refusal message names neither pinwb_buffer_file nor pinwb_overwrite"
[ -f "$user" ] || fail "the user's file was removed"
[ "$(sha256sum <"$user")" = "$before" ] || fail "the user's file was changed"
[ "$(stat -c %Y "$user")" = "$mtime" ] || fail "the user's file was written to (mtime changed)"
pass "existing user file refused and left byte-identical"
