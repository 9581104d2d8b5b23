#!/usr/bin/env bash
# Build the pinwb test kernel (bzImage) and the gup_test selftest binary.
#
# source (unpack once, hard-linked variant) -> apply the series -> configure
# (tinyconfig + fragment, checked) -> make bzImage -> uapi headers -> gup_test.
# The patched and the baseline kernels live in separate output directories so that
# switching between them never recompiles the other; ccache (when installed) makes a
# rebuild after a series change cheap.
set -euo pipefail
shopt -s inherit_errexit

# shellcheck source=scripts/kernel/lib.sh
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

usage() {
	cat <<USAGE
usage: scripts/kernel/build.sh [--patches series|none] [--config default|debug] [--jobs N] [--out DIR]

  --patches series|none  build with kernel-patch/series applied (default) or the
                         baseline; an empty or missing series means no patches
  --config default|debug default: tinyconfig + kernel-patch/config.fragment; debug: also
                         kernel-patch/config.debug (lockdep, KASAN, DEBUG_VM, ...), in its
                         own output directory
  --jobs N               parallel make jobs (default: min(nproc, 2), the machine is shared)
  --out DIR              output directory (default: build/kernel/out-<patches>, or
                         build/kernel/out-<patches>-debug with --config debug)
  -h, --help             this text

Progress and logs go to stderr (full logs in the output directory: configure.log,
build.log, headers.log, gup_test.log). stdout gets exactly one line: the absolute
path of the bzImage. The gup_test binary is written to <out>/gup_test, a summary
(Debian version, patch set hash, kernelrelease) to <out>/pinwb-kernel.txt.
Environment: PINWB_NO_CCACHE=1 disables ccache.
Exit: 0 ok, 1 a patch does not apply, Kconfig dropped an option or the build failed,
2 usage/setup error.
USAGE
}

patches=series config=default jobs=$(default_jobs) out=''
while [ $# -gt 0 ]; do
	case $1 in
	--patches) [ $# -ge 2 ] || usage_err "--patches needs a value (series or none)"
		check_patches_arg "$2"; patches=$2; shift 2 ;;
	--config) [ $# -ge 2 ] || usage_err "--config needs a value (default or debug)"
		case $2 in
		default|debug) config=$2 ;;
		*) usage_err "--config: unknown value '$2' (accepted: default, debug)" ;;
		esac
		shift 2 ;;
	--jobs) [ $# -ge 2 ] || usage_err "--jobs needs a number"
		[[ $2 =~ ^[1-9][0-9]*$ ]] || usage_err "--jobs: '$2' is not a positive integer"
		jobs=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || usage_err "--out needs a directory"; out=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage_err "unknown argument '$1' (accepted: --patches series|none, --config default|debug, --jobs N, --out DIR, --help)" ;;
	esac
done
frag_args=(--fragment "$KFRAGMENT")
if [ "$config" = debug ]; then
	frag_args+=(--fragment "$KPATCHDIR/config.debug")
	[ -n "$out" ] || out=$KBUILD/out-$patches-debug
fi
[ -n "$out" ] || out=$KBUILD/out-$patches
mkdir -p "$out"
out=$(realpath "$out")

for tool in make gcc bc bison flex perl xz cpio; do
	command -v "$tool" >/dev/null 2>&1 || die "missing tool '$tool' (run: make deps)" 2
done

klock "$out/.pinwb-lock"
# The patched tree is shared by every output directory built with --patches series.
if [ "$patches" = series ]; then
	klock_series_tree
fi
t0=$(date +%s)

# 1+2. Source tree with the series applied (source.sh calls apply.sh).
if [ "$patches" = series ]; then
	n=$(series_count)
	if [ "$n" -eq 0 ]; then
		msg "$KSERIES is missing or empty: no patches, building the baseline kernel into $out"
	else
		msg "series: $n patches"
	fi
fi
src=$("$here/source.sh" --patches "$patches" | tail -n 1)

# An output directory built from another source tree has dependency files that point
# into that tree; kbuild would not notice the change, so start it afresh.
if [ -f "$out/.pinwb-src" ] && [ "$(cat "$out/.pinwb-src")" != "$src" ]; then
	msg "$out was built from $(cat "$out/.pinwb-src"); cleaning it for $src"
	find "$out" -mindepth 1 ! -name .pinwb-lock -delete
fi
echo "$src" >"$out/.pinwb-src"

# 3. Configuration (checks that every requested option survived).
"$here/configure.sh" --src "$src" --out "$out" "${frag_args[@]}"

# 4. The kernel.
cc=$(kcc)
export CCACHE_BASEDIR=$KBUILD
mkargs=(-C "$src" O="$out" CC="$cc" HOSTCC="$cc")
msg "building bzImage with -j$jobs, CC=\"$cc\" (log: $out/build.log)"
t1=$(date +%s)
run_logged "$out/build.log" make "${mkargs[@]}" -j"$jobs" bzImage ||
	die "kernel build failed (full log: $out/build.log)" 1
t2=$(date +%s)
bzimage=$out/arch/x86/boot/bzImage
[ -f "$bzimage" ] || die "make succeeded but $bzimage is missing" 1
msg "bzImage built in $((t2 - t1)) s"

# 5. uapi headers for user-space tools built against this tree.
run_logged "$out/headers.log" make "${mkargs[@]}" -j"$jobs" headers ||
	die "make headers failed (full log: $out/headers.log)" 1

# 6. gup_test, static so that the initramfs needs no libraries. Compiled directly: the
# selftests Makefile would build all of tools/testing/selftests/mm.
st=$src/tools/testing/selftests/mm
read -r -a ccv <<<"$cc"
run_logged "$out/gup_test.log" "${ccv[@]}" -static -Wall -O2 -D_GNU_SOURCE= -U_FORTIFY_SOURCE \
	-I "$src" -isystem "$out/usr/include" -isystem "$src/tools/include/uapi" \
	-o "$out/gup_test.tmp" "$st/gup_test.c" "$st/vm_util.c" "$st/thp_settings.c" \
	-lrt -lpthread -lm ||
	die "gup_test build failed (full log: $out/gup_test.log)" 1
mv "$out/gup_test.tmp" "$out/gup_test"

# What was built, for result metadata (scripts/vm, result sets).
{
	printf 'debian_version=%s\n' "$(cut -d' ' -f1 "$src/$KMARK")"
	printf 'recorded_base=%s\n' "$(recorded_version)"
	printf 'patches=%s\n' "$patches"
	printf 'config=%s\n' "$config"
	printf 'patchset=%s\n' "$(cut -d' ' -f2 "$src/$KMARK")"
	printf 'series_patches=%s\n' "$(if [ "$patches" = series ]; then series_count; else echo 0; fi)"
	printf 'kernelrelease=%s\n' "$(make -s "${mkargs[@]}" kernelrelease 2>/dev/null | tail -n 1)"
	printf 'bzimage=%s\n' "$bzimage"
	printf 'gup_test=%s\n' "$out/gup_test"
} >"$out/pinwb-kernel.txt"

t3=$(date +%s)
printf 'patches=%s config=%s src=%s jobs=%d cc=%s kernel_s=%d total_s=%d date=%s\n' \
	"$patches" "$config" "$src" "$jobs" "$cc" "$((t2 - t1))" "$((t3 - t0))" "$(date -u +%FT%TZ)" \
	>>"$out/build-times.log"
msg "done in $((t3 - t0)) s; gup_test: $out/gup_test"
echo "$bzimage"
