#!/bin/sh
# shellcheck shell=dash
# Harness self-test: passes, after proving that the guest environment the
# runner promises is there (results directory, mounted file systems).
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"
[ -d "$PINWB_OUT" ] || fail "no result directory"
fs=$(first_fs)
d=$(fs_dir "$fs") || fail "$fs not mounted"
echo data >"$d/f" || fail "cannot write on $fs"
kv filesystems "$PINWB_FS"
note "environment ok ($PINWB_FS)"
