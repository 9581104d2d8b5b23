#!/usr/bin/env bash
# Apply the pinwb series (kernel-patch/series, quilt format) to a kernel tree, in order.
#
# Each patch is first tried with --dry-run so that a patch that does not apply leaves
# the tree exactly as the previous patch left it, and the error names the patch. Fuzz
# is not allowed (--fuzz=0): "applies" must mean what `git am` means, only line offsets
# are tolerated. patch(1) writes new files rather than editing in place, so trees that
# are hard-linked copies of the pristine tree keep the pristine tree intact.
set -euo pipefail
shopt -s inherit_errexit

# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
usage: scripts/kernel/apply.sh --tree DIR [--series FILE] [--from N] [--to N]

  --tree DIR      kernel tree to patch (e.g. from scripts/kernel/source.sh --patches none)
  --series FILE   series file (default: kernel-patch/series); patches are next to it
  --from N        start at the N-th patch of the series (1-based, default 1)
  --to N          stop after the N-th patch (default: the last)
  -h, --help      this text

Line offsets are reported. A missing or empty series means "no patches": says so and exits 0.
Exit: 0 all applied, 1 a patch does not apply (named), 2 usage/setup error.
USAGE
}

tree='' series=$KSERIES from=1 to=0
while [ $# -gt 0 ]; do
	case $1 in
	--tree) [ $# -ge 2 ] || usage_err "--tree needs a directory"; tree=$2; shift 2 ;;
	--series) [ $# -ge 2 ] || usage_err "--series needs a file"; series=$2; shift 2 ;;
	--from|--to) [ $# -ge 2 ] || usage_err "$1 needs a number"
		[[ $2 =~ ^[1-9][0-9]*$ ]] || usage_err "$1: '$2' is not a positive integer"
		if [ "$1" = --from ]; then from=$2; else to=$2; fi
		shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage_err "unknown argument '$1' (accepted: --tree, --series, --from, --to, --help)" ;;
	esac
done
[ -n "$tree" ] || usage_err "--tree is required"
[ -f "$tree/Makefile" ] || die "--tree $tree is not a kernel tree" 2
dir=$(dirname "$series")

mapfile -t list < <(series_patches "$series")
total=${#list[@]}
if [ "$total" -eq 0 ]; then
	msg "series $series is missing or empty: no patches to apply"
	exit 0
fi
[ "$to" -eq 0 ] && to=$total
[ "$to" -le "$total" ] || usage_err "--to $to: the series has only $total patches"
[ "$from" -le "$to" ] || usage_err "--from $from is after --to $to"

for ((i = from; i <= to; i++)); do
	p=${list[i - 1]}
	f=$dir/$p
	[ -f "$f" ] || die "patch $i/$total '$p' is listed in $series but $f does not exist" 2
	if ! out=$(patch -d "$tree" -p1 -N --fuzz=0 --no-backup-if-mismatch --dry-run -i "$(realpath "$f")" 2>&1); then
		printf '%s\n' "$out" >&2
		die "patch $i/$total '$p' does not apply to $tree" 1
	fi
	offsets=$(printf '%s\n' "$out" | grep -c 'offset' || [ $? -eq 1 ])
	if [ "$offsets" -gt 0 ]; then
		msg "$p: $offsets hunks apply at an offset (no fuzz)"
	fi
	patch -d "$tree" -p1 -N --fuzz=0 --no-backup-if-mismatch -s -i "$(realpath "$f")" >&2 ||
		die "patch $i/$total '$p' failed after a clean dry run" 1
	msg "applied $i/$total $p"
done
