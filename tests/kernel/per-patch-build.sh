#!/usr/bin/env bash
# tests/run-timeout: 1500
# Each patch of the series builds on its own: apply the patches one at a time and, after
# each, compile (with -Werror, like the tools/ files) the objects of the kernel .c files that patch touches;
# a patch touching kernel files but no kernel .c file (headers, Kconfig, Makefiles)
# compiles mm/gup.o; tools/ .c files are compiled with their own gcc command (gup_test
# is linked, static, against the tree's uapi headers).
#
# The first run on a machine pays for `make prepare` and the objects cold (a few minutes
# on 2 busy cores, hence the longer timeout above); later runs take about a minute.
#
# Not a full vmlinux link per step (that is what `scripts/kernel/build.sh` does for the
# whole series): an undefined symbol shows up only there.
#
# Speed: build/kernel/out-perpatch and build/kernel/src-perpatch are kept between runs
# and ccache is used, so only what a patch touches is recompiled. Correctness across
# runs: every file any run's patches touched is re-copied from the pristine tree at the
# start (a fresh mtime, and its own inode so the pristine tree is not touched), so kbuild
# rebuilds whatever depends on it and never trusts an object built from other contents.
set -euo pipefail
shopt -s inherit_errexit

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/kernel/lib.sh
. "$top/scripts/kernel/lib.sh"

usage() {
	cat <<USAGE
usage: tests/kernel/per-patch-build.sh [--series FILE] [--jobs N]

  --series FILE  series to check (default: kernel-patch/series, or \$PINWB_SERIES)
  --jobs N       parallel make jobs (default: min(nproc, 2))
Exit: 0 pass, 1 fail, 2 usage/setup error, 77 skip (empty series, no kernel source).
USAGE
}

series=${PINWB_SERIES:-$KSERIES}
jobs=$(default_jobs)
while [ $# -gt 0 ]; do
	case $1 in
	--series) [ $# -ge 2 ] || usage_err "--series needs a file"; series=$2; shift 2 ;;
	--jobs) [ $# -ge 2 ] || usage_err "--jobs needs a number"
		[[ $2 =~ ^[1-9][0-9]*$ ]] || usage_err "--jobs: '$2' is not a positive integer"
		jobs=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage_err "unknown argument '$1' (accepted: --series FILE, --jobs N, --help)" ;;
	esac
done
series_list_or_skip "$series" build
for p in "${list[@]}"; do
	[ -f "$dir/$p" ] || { echo "FAIL: $p: listed in the series but missing"; exit 1; }
done
if ! "$top/scripts/kernel/source.sh" --patches none >/dev/null 2>&1; then
	echo "SKIP: cannot prepare the linux-source-6.12 tree (run: make deps; scripts/kernel/source.sh --patches none)"
	exit 77
fi
version=$(installed_version)
pristine=$KBUILD/pristine-$(version_tag "$version")
tree=$KBUILD/src-perpatch
out=$KBUILD/out-perpatch
mkdir -p "$out"

# One run at a time per output directory.
exec 9>"$KBUILD/per-patch-build.lock"
flock -n 9 || { echo "FAIL: another per-patch-build run holds $KBUILD/per-patch-build.lock"; exit 2; }

# A fresh tree: hard-linked pristine, then every file any run touched re-copied.
touched=$out/.pinwb-touched
touch "$touched"
for p in "${list[@]}"; do
	patch_files "$dir/$p"
done | sort -u - "$touched" >"$touched.new"
mv "$touched.new" "$touched"
rm -rf "$tree"
cp -al "$pristine" "$tree"
while IFS= read -r f; do
	if [ -f "$pristine/$f" ]; then
		cp --remove-destination "$pristine/$f" "$tree/$f"
	fi
done <"$touched"

# The objects (one per line) kbuild builds into DIR's built-in.a or lib.a with the
# current configuration, from kbuild's own Makefile.build evaluation of DIR.
# Fails when kbuild cannot evaluate DIR; the caller then compiles the object anyway.
enabled_objs() {
	local list
	# shellcheck disable=SC2016 # make variables, expanded by make
	list=$(cd "$out" && make -s -f "$tree/scripts/Makefile.build" obj="$1" src="$tree/$1" \
		srctree="$tree" objtree=. \
		--eval 'pinwb-print: ; @echo $(real-obj-y) $(lib-y)' pinwb-print 2>/dev/null) || return 1
	tr -s " " "\n" <<<"$list"
}

cc=$(kcc)
read -r -a ccv <<<"$cc"
export CCACHE_BASEDIR=$KBUILD
mkargs=(-C "$tree" O="$out" CC="$cc" HOSTCC="$cc" KCFLAGS=-Werror)
configure() {
	printf '%s perpatch-%s\n' "$version" "$1" >"$tree/$KMARK"
	"$top/scripts/kernel/configure.sh" --src "$tree" --out "$out" --series-options ifdefined \
		2>"$out/configure-step.log" || { sed 's/^/    /' "$out/configure-step.log"; return 1; }
}
if ! configure 0; then
	echo "FAIL: base tree: configuration"
	exit 1
fi

failed=0 headers_ok=0
started=$(date +%s)
for ((i = 1; i <= ${#list[@]}; i++)); do
	p=${list[i - 1]}
	t0=$(date +%s)
	if ! log=$("$top/scripts/kernel/apply.sh" --tree "$tree" --series "$series" --from "$i" --to "$i" 2>&1); then
		printf '%s\n' "$log" | sed 's/^/    /'
		echo "FAIL: $p: does not apply on top of patches 1..$((i - 1)); later patches not built"
		failed=$((failed + 1))
		break
	fi
	mapfile -t files < <(patch_files "$dir/$p")
	objs=() tools=() kernel_other=0 kconfig=0 uapi=0
	for f in "${files[@]}"; do
		[ -f "$tree/$f" ] || continue	# deleted by the patch
		case $f in
		tools/*.c) tools+=("$f") ;;
		tools/*|Documentation/*|scripts/*|samples/*|usr/*) ;;
		*.c) objs+=("${f%.c}.o") ;;
		*) kernel_other=1 ;;
		esac
		case $f in */Kconfig*|Kconfig*) kconfig=1 ;; esac
		case $f in include/uapi/*|arch/*/include/uapi/*) uapi=1 ;; esac
	done
	if [ "$kconfig" = 1 ] && ! configure "$i"; then
		echo "FAIL: $p: configuration after this patch"
		failed=$((failed + 1))
		break
	fi
	# Only objects the test config builds: kbuild compiles any single target asked for,
	# and a disabled file (say mm/memory-failure.c) does not compile against its
	# header's stubs.
	if [ "${#objs[@]}" -gt 0 ]; then
		if [ ! -f "$out/include/config/auto.conf" ] || [ "$out/.config" -nt "$out/include/config/auto.conf" ]; then
			make "${mkargs[@]}" syncconfig >"$out/syncconfig.log" 2>&1 ||
				{ tail -n 20 "$out/syncconfig.log" | sed 's/^/    /'; echo "FAIL: $p: syncconfig"; failed=$((failed + 1)); break; }
		fi
		enabled=()
		for o in "${objs[@]}"; do
			if ! list=$(enabled_objs "$(dirname "$o")"); then
				echo "  $p: cannot tell whether the test config builds $o; compiling it"
				enabled+=("$o")
			elif grep -qxF "$o" <<<"$list"; then
				enabled+=("$o")
			else
				echo "  $p: $o is not built in the test config, not compiled"
			fi
		done
		objs=("${enabled[@]}")
		[ "${#objs[@]}" -eq 0 ] && kernel_other=1
	fi
	[ "${#objs[@]}" -eq 0 ] && [ "$kernel_other" = 1 ] && objs=(mm/gup.o)
	[ "$uapi" = 1 ] && headers_ok=0

	step_failed=0
	if [ "${#objs[@]}" -gt 0 ]; then
		klog=$out/step-$i.log
		if ! make "${mkargs[@]}" -k -j"$jobs" "${objs[@]}" >"$klog" 2>&1; then
			bad=$(grep -oE '\*\*\* \[[^]]*: [^] ]+\.o\] Error' "$klog" |
				sed -E 's/.*: ([^] ]+\.o)\] Error/\1/' | sort -u | tr '\n' ' ') || bad=''
			bad=${bad% }
			grep -E 'error:|warning:' "$klog" | head -n 20 | sed 's/^/    /'
			echo "FAIL: $p: kernel objects do not compile: ${bad:-see $klog} (log: $klog)"
			step_failed=1
		else
			for o in "${objs[@]}"; do
				if [ ! -f "$out/$o" ]; then
					echo "FAIL: $p: $o was not built (not enabled in the test config? log: $klog)"
					step_failed=1
				fi
			done
		fi
	fi
	if [ "${#tools[@]}" -gt 0 ] && [ "$headers_ok" = 0 ]; then
		if make "${mkargs[@]}" -j"$jobs" headers >"$out/headers-step.log" 2>&1; then
			headers_ok=1
		else
			tail -n 20 "$out/headers-step.log" | sed 's/^/    /'
			echo "FAIL: $p: make headers failed (log: $out/headers-step.log)"
			step_failed=1
		fi
	fi
	mkdir -p "$out/tools"
	tflags=(-Wall -Werror -O2 -D_GNU_SOURCE= -U_FORTIFY_SOURCE -I "$tree" -isystem "$out/usr/include"
		-isystem "$tree/tools/include/uapi")
	for f in "${tools[@]}"; do
		[ "$headers_ok" = 1 ] || break
		name=$(basename "${f%.c}")
		case $f in
		tools/testing/selftests/mm/gup_test.c)
			st=$tree/tools/testing/selftests/mm
			cmd=("${ccv[@]}" "${tflags[@]}" -static -o "$out/tools/gup_test" "$st/gup_test.c"
				"$st/vm_util.c" "$st/thp_settings.c" -lrt -lpthread -lm) ;;
		*)
			cmd=("${ccv[@]}" "${tflags[@]}" -I "$tree/$(dirname "$f")" -I "$tree/tools/include"
				-c -o "$out/tools/$name.o" "$tree/$f") ;;
		esac
		if ! tout=$("${cmd[@]}" 2>&1); then
			printf '%s\n' "$tout" | head -n 20 | sed 's/^/    /'
			echo "FAIL: $p: $f does not compile: ${cmd[*]}"
			step_failed=1
		fi
	done

	what=$(printf '%s ' "${objs[@]}" "${tools[@]}")
	what=${what% }
	if [ "$step_failed" = 1 ]; then
		failed=$((failed + 1))
	elif [ -z "${what// /}" ]; then
		echo "PASS: $p: applies; touches nothing compiled ($(( $(date +%s) - t0 )) s)"
	else
		echo "PASS: $p: builds: $what ($(( $(date +%s) - t0 )) s)"
	fi
done

echo "per-patch-build: $(( $(date +%s) - started )) s for ${#list[@]} patches"
[ "$failed" -eq 0 ] || { echo "per-patch-build: $failed patches fail"; exit 1; }
echo "per-patch-build: every patch builds on its own"
