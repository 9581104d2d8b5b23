#!/usr/bin/env bash
# The pinwbbench Python module's unit tests (tests/py/test_*.py): matrix
# parsing and plans, fio JSON rows, summaries, plot files and compare.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

command -v python3 >/dev/null || skip "python3 not installed (make deps)"
cd "$TOP"
PYTHONDONTWRITEBYTECODE=1 python3 -m unittest discover -s tests/py -p 'test_*.py' -v ||
	fail "pinwbbench unit tests failed"
pass "pinwbbench unit tests"
