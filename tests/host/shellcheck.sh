#!/usr/bin/env bash
# Every shell script in the repository (by #! line or .sh name, outside
# build/) is shellcheck clean: the project's shell standard, enforced.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

command -v shellcheck >/dev/null || skip "shellcheck not installed (make deps)"
cd "$TOP"
scripts=()
while IFS= read -r -d '' f; do
	case $f in
	*.sh) scripts+=("$f") ;;
	*) head -n1 "$f" | grep -Eq '^#!(/usr/bin/env (ba)?sh|/bin/(ba)?sh)' && scripts+=("$f") ;;
	esac
done < <(find . -path ./build -prune -o -path ./.git -prune -o -type f -print0)
[ ${#scripts[@]} -gt 0 ] || fail "found no shell scripts"
printf 'checking %s\n' "${scripts[@]}"
shellcheck -x "${scripts[@]}" || fail "shellcheck found problems in the scripts above"
pass "${#scripts[@]} scripts shellcheck clean"
