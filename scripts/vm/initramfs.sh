#!/usr/bin/env bash
# Build the pinwb VM initramfs: busybox-static, the guest /init and suite
# (tests/vm/, its C helpers built here), workloads/, fio, the pinwb engine
# and verifier, the kernel's gup_test, and every shared library they load
# (found with ldd, dynamic loader included), as one compressed newc cpio
# archive.
#
# No mkfs tools go in: scripts/vm/disks.sh formats the test disks on the
# host, so the guest only mounts them. The exception is --torture: pinwb
# torture itself (bash, Python, mkfs, Debian's dmsetup for dm-log-writes,
# pinwb-logcheck, scripts/) runs in the guest on loop devices, as on a host.
set -euo pipefail

prog=initramfs.sh
top=$(cd "$(dirname "$0")/../.." && pwd)

usage() {
	cat <<USAGE
usage: scripts/vm/initramfs.sh [options]

  --out FILE        archive to write (default: build/vm/initramfs.cpio.gz)
  --fio PATH        fio binary (default: build/fio-3.33/fio)
  --engine PATH     pinwb.so (default: engines/pinwb.so)
  --verify PATH     pinwb-verify (default: engines/pinwb-verify)
  --gup-test PATH   the kernel's gup_test selftest binary (default: none; left out)
  --peers DIR       the peers' suites built by scripts/vm/peers-build.sh (mm/,
                    liburing/, liburing.list), put at /opt/pinwb/peers (default: none)
  --bench-plan DIR  a bench plan (pinwbbench guest-plan), put at /opt/pinwb/bench-plan
                    for the in-VM test bench-matrix (default: none)
  --compress gzip|zstd  archive compression (default: gzip; zstd needs CONFIG_RD_ZSTD)
  --torture         also put in what scripts/pinwb torture needs: scripts/,
                    engines/pinwb-logcheck, and host binaries (bash, python3 and
                    its standard library, mkfs.ext4/xfs/btrfs, dmsetup, util-linux
                    and coreutils tools) with their libraries under
                    /opt/pinwb/gnu/bin (first in PATH for the torture test only)
  --allow-missing   leave out fio/engine/verifier/gup_test that do not exist
                    (bring-up only: the tests that need them then skip)
  -h, --help        this text

Prints the archive path as its last line.
Exit: 0 ok, 2 usage or setup error (a missing input, a failed copy).
USAGE
}

die() { echo "$prog: $*" >&2; exit 2; }

out=$top/build/vm/initramfs.cpio.gz
fio=$top/build/fio-3.33/fio
engine=$top/engines/pinwb.so
verify=$top/engines/pinwb-verify
guptest=''
peers=''
bench_plan=''
compress=gzip
allow_missing=0
torture=0
while [ $# -gt 0 ]; do
	case $1 in
	--out|--fio|--engine|--verify|--gup-test|--peers|--bench-plan|--compress)
		[ $# -ge 2 ] || die "$1 needs a value (see --help)"
		case $1 in
		--out) out=$2 ;;
		--fio) fio=$2 ;;
		--engine) engine=$2 ;;
		--verify) verify=$2 ;;
		--gup-test) guptest=$2 ;;
		--peers) peers=$2 ;;
		--bench-plan) bench_plan=$2 ;;
		--compress) compress=$2 ;;
		esac
		shift 2 ;;
	--allow-missing) allow_missing=1; shift ;;
	--torture) torture=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (accepted: --out, --fio, --engine, --verify, --gup-test, --peers, --bench-plan, --compress, --allow-missing, --torture, --help)" ;;
	esac
done
case $compress in
gzip|zstd) ;;
*) die "--compress: unknown value '$compress' (accepted: gzip, zstd)" ;;
esac
busybox=$(command -v busybox) || die "busybox not found (install busybox-static: make deps)"
# ldd fails on a static binary: the guest has no libraries for busybox.
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is not static (install busybox-static: make deps)"
fi

stage=''
tmp_out=''
cleanup() {
	[ -z "$stage" ] || rm -rf "$stage"
	[ -z "$tmp_out" ] || rm -f "$tmp_out"
}
trap cleanup EXIT
mkdir -p "$(dirname "$out")"
stage=$(mktemp -d "$(dirname "$out")/initramfs.stage.XXXXXX")

# busybox and one symlink per applet.
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib64,etc,proc,sys,dev,tmp,mnt,results,opt/pinwb/bin,opt/pinwb/engines}
cp "$busybox" "$stage/bin/busybox"
while read -r applet; do
	case $applet in
	*/busybox) ;;
	/*) [ -e "$stage$applet" ] || ln -s /bin/busybox "$stage$applet" ;;
	esac
done < <("$busybox" --list-full | sed 's|^|/|')

# copy_with_libs SRC DEST: the binary plus the libraries ldd resolves for it,
# at the same paths as on the host (the loader at its PT_INTERP path).
copy_with_libs() {
	local src=$1 dest=$2 lib
	install -m 0755 "$src" "$stage$dest"
	if ! ldd "$src" >/dev/null 2>&1; then
		return 0 # static
	fi
	ldd "$src" | grep -q 'not found' && die "$src: a shared library is not found: $(ldd "$src" | grep 'not found' | tr '\n' ' ')"
	while read -r lib; do
		[ -n "$lib" ] || continue
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib" || die "cannot copy $lib (needed by $src)"
	done < <(ldd "$src" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
}

# optional NAME PATH DEST: a build product; missing is an error unless --allow-missing.
included=()
optional() {
	local name=$1 path=$2 dest=$3
	if [ -n "$path" ] && [ -f "$path" ]; then
		copy_with_libs "$path" "$dest"
		included+=("$name")
	elif [ $allow_missing -eq 1 ]; then
		echo "$prog: leaving out $name (${path:-no path given})" >&2
	else
		die "$name not found at '${path:-<none>}' (build it, pass its path, or --allow-missing)"
	fi
}
optional fio "$fio" /opt/pinwb/bin/fio
optional pinwb.so "$engine" /opt/pinwb/engines/pinwb.so
optional pinwb-verify "$verify" /opt/pinwb/bin/pinwb-verify
# gup_test belongs to a kernel build: without --gup-test it is simply not
# included (the tests that use it skip and say so).
if [ -n "$guptest" ]; then
	optional gup_test "$guptest" /opt/pinwb/bin/gup_test
else
	echo "$prog: no --gup-test given: gup_test not included" >&2
fi

# The suite's own small C programs (tests/vm/helpers/*.c), built here for
# the guest at /opt/pinwb/bin/NAME: nothing built is kept in the tree.
for src in "$top"/tests/vm/helpers/*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	cc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$stage/$name.bin" "$src" ||
		die "building $src failed"
	copy_with_libs "$stage/$name.bin" "/opt/pinwb/bin/$name"
	rm -f "$stage/$name.bin"
	included+=("$name")
done

# The peers' suites: every program with the libraries it loads.
if [ -n "$peers" ]; then
	[ -d "$peers/mm" ] || [ -d "$peers/liburing" ] || die "--peers: '$peers' has no mm/ or liburing/ (run scripts/vm/peers-build.sh)"
	mkdir -p "$stage/opt/pinwb/peers"
	while IFS= read -r f; do
		rel=${f#"$peers"/}
		mkdir -p "$stage/opt/pinwb/peers/$(dirname "$rel")"
		if [ -x "$f" ]; then
			copy_with_libs "$f" "/opt/pinwb/peers/$rel"
		else
			cp "$f" "$stage/opt/pinwb/peers/$rel"
		fi
	done < <(find "$peers" -type f)
	included+=(peers)
fi

# What pinwb torture needs in the guest (--torture): the tools it calls,
# from this host (Debian's), each with its libraries; the scripts and the
# log checker at the paths scripts/lib/common.sh expects under /opt/pinwb.
TORTURE_TOOLS="bash mkfs.ext4 mkfs.xfs mkfs.btrfs dmsetup losetup findmnt mountpoint mount umount
fsfreeze blockdev cp mv rm ln mkdir rmdir cat touch chmod truncate mktemp stat timeout date sort
paste readlink dirname basename od cmp tail head wc dd sync sed grep awk pgrep tr cut tee sleep
env id uname find xargs seq nproc df du ls gzip"
if [ "$torture" -eq 1 ]; then
	logcheck=$top/engines/pinwb-logcheck
	[ -x "$logcheck" ] || die "--torture: $logcheck not built (run: make)"
	mkdir -p "$stage/opt/pinwb/gnu/bin"
	for t in $TORTURE_TOOLS; do
		p=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$t") || die "--torture: $t not found on this host (make deps)"
		copy_with_libs "$(readlink -f "$p")" "/opt/pinwb/gnu/bin/$t"
	done
	# Debian's interpreter (not a user's shim) and its standard library
	# at the prefix it was built for
	py=/usr/bin/python3
	[ -x "$py" ] || die "--torture: $py not found (apt-get install python3)"
	pylib=$("$py" -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')
	copy_with_libs "$(readlink -f "$py")" /opt/pinwb/gnu/bin/python3
	mkdir -p "$stage$pylib"
	(cd "$pylib" && find . -type d \( -name test -o -name tests -o -name __pycache__ -o -name idlelib \
		-o -name tkinter -o -name ensurepip -o -name lib2to3 -o -name turtledemo -o -name 'config-*' \
		-o -name site-packages -o -name dist-packages \) -prune -o -type f -print |
		cpio -pdm --quiet "$stage$pylib") || die "--torture: copying $pylib failed"
	copy_with_libs "$logcheck" /opt/pinwb/engines/pinwb-logcheck
	cp -r "$top/scripts" "$stage/opt/pinwb/scripts"
	# the device-view fault test the guest's torture test runs per fs
	mkdir -p "$stage/opt/pinwb/tests"
	cp -r "$top/tests/host" "$top/tests/lib" "$stage/opt/pinwb/tests/"
	included+=(torture)
fi

# The guest side: /init, the runner, the suite, and the workloads.
install -m 0755 "$top/tests/vm/init" "$stage/init"
mkdir -p "$stage/opt/pinwb/tests"
cp -r "$top/tests/vm" "$stage/opt/pinwb/tests/vm"
find "$stage/opt/pinwb/tests/vm" -name "*.sh" -exec chmod 0755 {} +
mkdir -p "$stage/opt/pinwb/workloads"
if compgen -G "$top/workloads/*.fio" >/dev/null; then
	cp "$top"/workloads/*.fio "$stage/opt/pinwb/workloads/"
fi
if [ -n "$bench_plan" ]; then
	[ -f "$bench_plan/plan.tsv" ] || die "--bench-plan: '$bench_plan' has no plan.tsv (write it: pinwbbench guest-plan)"
	cp -r "$bench_plan" "$stage/opt/pinwb/bench-plan"
	included+=(bench-plan)
fi
{
	echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "git=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "included=${included[*]}"
} >"$stage/etc/pinwb-build"

tmp_out=$(mktemp "$out.XXXXXX")
case $compress in
gzip) comp=(gzip -6 -n) ;;
zstd) comp=(zstd -q -10 -T2 --stdout) ;;
esac
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | "${comp[@]}" >"$tmp_out" ||
	die "cpio | ${comp[0]} failed"
mv "$tmp_out" "$out"
tmp_out=''
echo "$prog: $(du -h "$out" | cut -f1) with ${included[*]:-no build products}" >&2
echo "$out"
