#!/usr/bin/env bash
# Build the peers' test suites for the VM from their own sources, the way
# scripts/build-fio.sh builds fio: nothing of theirs is kept in the repository.
#   mm     tools/testing/selftests/mm of the unpacked linux-source-6.12 tree
#          (the pristine tree scripts/kernel/source.sh unpacks): gup_longterm and
#          cow built with liburing (their io_uring cases exist only then), and
#          gup_test; static, so that the initramfs needs no libraries for them.
#   liburing  Debian's liburing source package (apt-get source, deb-src from
#          scripts/deps.sh): its test/ programs, linked against its own
#          static liburing (glibc stays shared; initramfs.sh copies it).
# Output: DIR/mm/*, DIR/liburing/* and DIR/liburing.list (the test programs).
set -euo pipefail

prog=peers-build.sh
top=$(cd "$(dirname "$0")/../.." && pwd)

usage() {
	cat <<USAGE
usage: scripts/vm/peers-build.sh [--out DIR] [--suites mm,liburing]

  --out DIR       where the built tests go (default: build/peers/bin); the
                  sources are fetched and built under build/peers/
  --suites LIST   comma list of mm, liburing (default: both)
  -h, --help      this text

Prints DIR as its last line. Logs: build/peers/*.log.
Exit: 0 ok, 2 usage or setup error (source missing, build failed).
USAGE
}
die() { echo "$prog: $*" >&2; exit 2; }
msg() { echo "$prog: $*" >&2; }

work=$top/build/peers
out=$work/bin suites=mm,liburing
while [ $# -gt 0 ]; do
	case $1 in
	--out|--suites) [ $# -ge 2 ] || die "$1 needs a value (see --help)"
		if [ "$1" = --out ]; then out=$2; else suites=$2; fi
		shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (accepted: --out, --suites, --help)" ;;
	esac
done
IFS=, read -r -a want <<<"$suites"
for s in "${want[@]}"; do
	case $s in mm|liburing) ;; *) die "--suites: unknown suite '$s' (accepted: mm, liburing)" ;; esac
done
mkdir -p "$work" "$out"
out=$(cd "$out" && pwd)
jobs=$(nproc)
[ "$jobs" -le 2 ] || jobs=2

build_mm() {
	local src st b cc=gcc
	src=$(find "$top/build/kernel" -maxdepth 1 -type d -name 'pristine-*' | sort | tail -n 1)
	{ [ -n "$src" ] && [ -d "$src/tools/testing/selftests/mm" ]; } ||
		die "mm: no unpacked linux-source tree under build/kernel (run: scripts/kernel/source.sh --patches none)"
	st=$src/tools/testing/selftests/mm
	b=$work/mm-build
	rm -rf "$b" && mkdir -p "$b" "$out/mm"
	# check_config.sh's probe, done here: gup_longterm and cow compile their
	# io_uring cases only with LOCAL_CONFIG_HAVE_LIBURING.
	printf '#include <liburing.h>\nint main(void) { return 0; }\n' >"$b/probe.c"
	$cc "$b/probe.c" -o "$b/probe" -static -luring >/dev/null 2>&1 ||
		die "mm: liburing (static) not usable: install liburing-dev (make deps)"
	echo '#define LOCAL_CONFIG_HAVE_LIBURING 1' >"$b/local_config.h"
	# Compiled from inside the tree with relative names: gup_longterm makes
	# its "local tmpfile" from __FILE__, which must then name the working
	# directory (a test file system in the guest), not this host's tree.
	local t
	for t in gup_longterm cow gup_test; do
		msg "mm: building $t"
		(cd "$st" && $cc -static -Wall -O2 -D_GNU_SOURCE= -U_FORTIFY_SOURCE -I "$b" \
			-I "$src/tools/include/uapi" -isystem "$src/usr/include" -I "$src" \
			-o "$b/$t" "$t.c" vm_util.c thp_settings.c -luring -lrt -lpthread -lm) \
			>>"$work/mm.log" 2>&1 || { tail -n 20 "$work/mm.log" >&2; die "mm: building $t failed (see $work/mm.log)"; }
		install -s -m 0755 "$b/$t" "$out/mm/$t"
	done
	echo "source=$src" >"$out/mm/SOURCE"
}

build_liburing() {
	local src
	src=$(find "$work" -maxdepth 1 -type d -name 'liburing-*' | sort | tail -n 1)
	if [ -z "$src" ]; then
		msg "liburing: apt-get source liburing"
		(cd "$work" && apt-get source -q liburing) >"$work/liburing-fetch.log" 2>&1 ||
			die "liburing: apt-get source failed (deb-src enabled? run: make deps; log: $work/liburing-fetch.log)"
		src=$(find "$work" -maxdepth 1 -type d -name 'liburing-*' | sort | tail -n 1)
		[ -n "$src" ] || die "liburing: apt-get source produced no liburing-* directory"
	fi
	if [ ! -f "$src/config-host.mak" ]; then
		(cd "$src" && ./configure) >"$work/liburing.log" 2>&1 || die "liburing: configure failed (see $work/liburing.log)"
	fi
	msg "liburing: building src/ and test/ (log: $work/liburing.log)"
	# The static library only: the tests then carry liburing in themselves.
	make -C "$src/src" -j"$jobs" liburing.a >>"$work/liburing.log" 2>&1 ||
		{ tail -n 20 "$work/liburing.log" >&2; die "liburing: building src/ failed"; }
	rm -f "$src"/src/liburing*.so*
	make -C "$src/test" -j"$jobs" all >>"$work/liburing.log" 2>&1 ||
		{ tail -n 20 "$work/liburing.log" >&2; die "liburing: building test/ failed"; }
	rm -rf "$out/liburing" && mkdir -p "$out/liburing"
	local f n=0
	: >"$out/liburing.list"
	for f in "$src"/test/*.t; do
		[ -x "$f" ] || continue
		install -s -m 0755 "$f" "$out/liburing/"
		basename "$f" >>"$out/liburing.list"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || die "liburing: no test programs built in $src/test"
	echo "source=$src" >"$out/liburing/SOURCE"
	msg "liburing: $n test programs"
}

for s in "${want[@]}"; do
	"build_$s"
done
echo "$out"
