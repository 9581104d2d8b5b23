#!/usr/bin/env bash
# Build fio 3.33 from Debian's source package into build/fio-3.33.
#
# The pinwb engine reads fio's struct thread_data and struct io_u, whose layout
# depends on the config-host.h that fio's ./configure writes. The engine must
# therefore be compiled against the very tree (and configure output) of the fio
# binary that loads it; this script builds that fio.
set -euo pipefail

usage() {
	cat <<USAGE
usage: scripts/build-fio.sh [--builddir DIR]

Fetches Debian's fio 3.33 source package (apt-get source) into DIR
(default: build/), configures it without -march=native and builds it.
Idempotent: an existing configured tree is rebuilt incrementally.
Prints the path of the fio binary as its last line.
USAGE
}

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$top/build
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=${2:?--builddir needs a directory}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "build-fio.sh: unknown argument '$1' (accepted: --builddir DIR, --help)" >&2; exit 2 ;;
	esac
done

FIO_VERSION=3.33
src=$builddir/fio-$FIO_VERSION
mkdir -p "$builddir"
if [ ! -f "$src/configure" ]; then
	(cd "$builddir" && apt-get source -q "fio=$FIO_VERSION-3" >/dev/null 2>&1) ||
		(cd "$builddir" && apt-get source -q fio >/dev/null)
	[ -f "$src/configure" ] || { echo "build-fio.sh: apt-get source fio did not produce $src" >&2; exit 2; }
fi
cd "$src"
if [ ! -f config-host.h ]; then
	./configure --disable-native --prefix=/usr >configure.out 2>&1 ||
		{ cat configure.out >&2; exit 2; }
fi
# At most two jobs: the machine is shared with kernel builds.
jobs=$(nproc)
[ "$jobs" -le 2 ] || jobs=2
make -j"$jobs" fio >make.out 2>&1 || { tail -40 make.out >&2; exit 2; }
echo "$src/fio"
