#!/usr/bin/env bash
# Configure a kernel output directory: tinyconfig + kernel-patch/config.fragment (plus
# further fragments, e.g. config.debug), then check that Kconfig kept every option the
# fragments ask for.
#
# Kconfig silently drops an option whose dependencies are not met; a test kernel without
# (say) GUP_TEST or ACPI would boot and then fail in confusing ways, so a dropped option
# is an error here, reported by name.
#
# Options that exist only once the series is applied carry a trailing "# pinwb-series"
# comment in the fragment. They are requested and checked on a patched tree, left out of
# the baseline (a tree whose marker says "none"), and with --series-options ifdefined
# (used by the per-patch test) requested only once the tree defines them.
set -euo pipefail
shopt -s inherit_errexit

# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
usage: scripts/kernel/configure.sh --src DIR --out DIR [--fragment FILE]
                                   [--series-options auto|require|ifdefined|skip]

  --src DIR          kernel source tree (from scripts/kernel/source.sh)
  --out DIR          output directory (O=), created if missing
  --fragment FILE    config fragment (default: kernel-patch/config.fragment); repeat it
                     to merge several in order (later ones win)
  --series-options   how to treat "# pinwb-series" options:
                       auto       require on a patched tree, skip on the baseline (default)
                       require    request and check them
                       ifdefined  request and check those the tree's Kconfig defines
                       skip       leave them out
  --check-only       do not (re)configure, only check DIR/.config against the fragment
  -h, --help         this text

Reconfigures only when the fragment or the tree changed (stamp in DIR/.pinwb-config).
Exit: 0 ok, 1 Kconfig dropped requested options, 2 usage/setup error.
USAGE
}

src='' out='' frags=() mode=auto check_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--src) [ $# -ge 2 ] || usage_err "--src needs a directory"; src=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || usage_err "--out needs a directory"; out=$2; shift 2 ;;
	--fragment) [ $# -ge 2 ] || usage_err "--fragment needs a file"; frags+=("$2"); shift 2 ;;
	--series-options) [ $# -ge 2 ] || usage_err "--series-options needs a value"
		case $2 in
		auto|require|ifdefined|skip) mode=$2 ;;
		*) usage_err "--series-options: unknown value '$2' (accepted: auto, require, ifdefined, skip)" ;;
		esac
		shift 2 ;;
	--check-only) check_only=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage_err "unknown argument '$1' (accepted: --src, --out, --fragment, --series-options, --check-only, --help)" ;;
	esac
done
[ -n "$src" ] || usage_err "--src is required"
[ -n "$out" ] || usage_err "--out is required"
if [ ! -f "$src/Makefile" ] || [ ! -f "$src/scripts/kconfig/merge_config.sh" ]; then
	die "--src $src is not a kernel source tree" 2
fi
[ "${#frags[@]}" -gt 0 ] || frags=("$KFRAGMENT")
for i in "${!frags[@]}"; do
	[ -f "${frags[$i]}" ] || die "--fragment ${frags[$i]} does not exist" 2
	frags[i]=$(realpath "${frags[$i]}")
done
src=$(realpath "$src")
mkdir -p "$out"
out=$(realpath "$out")

if [ "$mode" = auto ]; then
	mode=require
	if [ -f "$src/$KMARK" ] && [ "$(awk '{ print $2 }' "$src/$KMARK")" = none ]; then
		mode=skip
	fi
fi

# Does the tree's Kconfig define symbol $1 (without the CONFIG_ prefix)?
kconfig_defines() {
	grep -rqsE --include='Kconfig*' "^[[:space:]]*(menu)?config[[:space:]]+$1[[:space:]]*\$" \
		"$src/arch/x86" "$src/mm" "$src/fs" "$src/block" "$src/io_uring" "$src/lib" \
		"$src/init" "$src/kernel" "$src/drivers" "$src/Kconfig"
}

# The fragment as merge_config.sh gets it: comments stripped, series-only options
# filtered per mode. Lines: CONFIG_X=V or "# CONFIG_X is not set".
effective=$out/.pinwb-fragment
: >"$effective.tmp"
skipped=()
for frag in "${frags[@]}"; do
while IFS= read -r line || [ -n "$line" ]; do
	series_only=0
	case $line in
	*'# pinwb-series'*) series_only=1 ;;
	esac
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+=[^[:space:]#]*|\#\ CONFIG_[A-Za-z0-9_]+\ is\ not\ set) ]]; then
		opt=${BASH_REMATCH[1]}
	elif [[ $line =~ ^[[:space:]]*(\#.*)?$ ]]; then
		continue
	else
		die "$frag: cannot parse line: $line" 2
	fi
	if [ "$series_only" = 1 ]; then
		name=${opt#\# }
		name=${name%%[= ]*}
		name=${name#CONFIG_}
		case $mode in
		skip) skipped+=("CONFIG_$name"); continue ;;
		ifdefined) kconfig_defines "$name" || { skipped+=("CONFIG_$name"); continue; } ;;
		esac
	fi
	printf '%s\n' "$opt" >>"$effective.tmp"
done <"$frag"
done
# A later fragment overrides an earlier one: keep the last line per option,
# so that the check below expects the value that was merged last.
tac "$effective.tmp" | awk '{ n = $0; sub(/^# /, "", n); sub(/[= ].*/, "", n) } !seen[n]++' | tac >"$effective.tmp2"
mv "$effective.tmp2" "$effective.tmp"
mv "$effective.tmp" "$effective"
if [ "${#skipped[@]}" -gt 0 ]; then
	msg "series-only options not requested on this tree ($mode): ${skipped[*]}"
fi

if [ "$check_only" = 0 ]; then
	stamp=$( { cat "$effective"; cat "$src/$KMARK" 2>/dev/null || echo "no-marker $src"; } |
		sha256sum | cut -c1-16)
	if [ -f "$out/.config" ] && [ "$(cat "$out/.pinwb-config" 2>/dev/null)" = "$stamp" ]; then
		msg "configuration in $out is up to date"
	else
		rm -f "$out/.pinwb-config"
		log=$out/configure.log
		msg "configuring $out (tinyconfig + fragment, log: $log)"
		: >"$log"
		cc=$(kcc)
		{
			make -C "$src" O="$out" HOSTCC="$cc" tinyconfig &&
			"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$effective" &&
			make -C "$src" O="$out" HOSTCC="$cc" olddefconfig
		} >>"$log" 2>&1 || { tail -n 40 "$log" >&2; die "configuration failed (see $log)" 2; }
		echo "$stamp" >"$out/.pinwb-config.pending"
	fi
fi

# The check: every requested option must have its value in .config.
config=$out/.config
[ -f "$config" ] || die "$config does not exist (configure first)" 2
dropped=0 checked=0
while IFS= read -r opt; do
	if [[ $opt =~ ^\#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		name=${BASH_REMATCH[1]} want=n
	else
		name=${opt%%=*} want=${opt#*=}
	fi
	got=$(grep -m1 "^$name=" "$config" | cut -d= -f2-) || got=n
	[ -n "$got" ] || got=n
	checked=$((checked + 1))
	if [ "$got" != "$want" ]; then
		dropped=$((dropped + 1))
		msg "DROPPED: $name requested $want, .config has $got"
	fi
done <"$effective"
if [ "$dropped" -gt 0 ]; then
	rm -f "$out/.pinwb-config.pending"
	die "Kconfig dropped $dropped of $checked requested options (fix ${frags[*]}: add the missing dependencies)" 1
fi
if [ -f "$out/.pinwb-config.pending" ]; then
	mv "$out/.pinwb-config.pending" "$out/.pinwb-config"
fi
msg "all $checked requested options are set in $config"
