#!/usr/bin/env bash
# Bad scripts/pinwb command lines exit 2 with a message; every --help exits 0.
# Needs nothing built: argument checks come before any work.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

make_tmp
mkdir "$T/keep" "$T/empty" "$T/unpaired"
: >"$T/keep/x.buf"
: >"$T/keep/x.rec"
: >"$T/unpaired/only.buf"

expect2() { # ARGS...: pinwb ARGS must exit 2 and say something on stderr
	local rc=0 err
	err=$("$PINWB" "$@" 2>&1 >/dev/null) || rc=$?
	[ $rc -eq 2 ] || fail "pinwb $*: exit $rc, expected 2"
	[ -n "$err" ] || fail "pinwb $*: exit 2 without a message"
	echo "ok: pinwb $* -> $err"
}

expect2
expect2 bogus
expect2 run
expect2 run dio-read-sync extra-job
expect2 run no-such-job
expect2 run dio-read-sync --bogus
expect2 run dio-read-sync --fs
expect2 run dio-read-sync --fs ntfs
expect2 run dio-read-sync --runtime abc
expect2 run dio-read-sync --runtime 0
expect2 run dio-read-sync --size lots
expect2 run dio-read-sync --image-size big
expect2 run dio-read-sync --keep "$T/keep"
expect2 verify
expect2 verify "$T/no-such-dir"
expect2 verify "$T/empty"
expect2 verify "$T/unpaired"
expect2 verify "$T/keep" "$T/empty"
expect2 bench --runs 0
expect2 bench --runs x
expect2 bench --runtime -1
expect2 bench --fs ntfs
expect2 bench --bogus

# The loop-device modes need root: as an unprivileged user the refusal is a
# setup error with a message. Unprivileged: uid 65534 in a new user
# namespace (keeps access to a checkout in a root-only directory), else
# through setpriv.
nobody=()
if [ "$(unshare --user id -u 2>/dev/null)" = 65534 ]; then
	nobody=(unshare --user)
elif [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PINWB"; then
	nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if [ ${#nobody[@]} -eq 0 ]; then
	echo "note: unprivileged check left out: cannot run $PINWB as another user here"
else
	rc=0
	err=$("${nobody[@]}" "$PINWB" run dio-read-sync --fs ext4 2>&1) || rc=$?
	[ $rc -eq 2 ] || fail "unprivileged pinwb run --fs ext4: exit $rc, expected 2"
	grep -q root <<<"$err" || fail "unprivileged pinwb run --fs ext4: message does not say it needs root: $err"
	echo "ok: unprivileged (${nobody[*]}) --fs ext4 -> $err"
fi

for sub in "" run verify bench; do
	# shellcheck disable=SC2086 # $sub is one word or none
	"$PINWB" $sub --help >/dev/null || fail "pinwb $sub --help did not exit 0"
done
[ -z "$(ls -A "$T/empty")" ] || fail "a refused command wrote into $T/empty"
if [ -s "$T/keep/x.buf" ] || [ -s "$T/keep/x.rec" ]; then
	fail "a refused --keep touched the files already there"
fi
pass "bad command lines exit 2 with a message; --help exits 0"
