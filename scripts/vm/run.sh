#!/usr/bin/env bash
# pinwb VM harness: build what is missing, boot the test kernel under QEMU
# with the pinwb initramfs and fresh test disks, run one in-VM suite, bring
# the results back, check the kernel log and print a per-test table.
#
# Results come back two ways: marker lines on a second serial port (what
# started, what passed; survives a guest that hangs or crashes) and a tar
# archive on a raw results disk (per-test logs, JSON, dmesg, metadata).
set -euo pipefail

prog=run.sh
top=$(cd "$(dirname "$0")/../.." && pwd)
vmdir=$top/scripts/vm
suites() { find "$top/tests/vm/suites" -maxdepth 1 -type f -printf '%f\n' | sort | tr '\n' ' '; }

usage() {
	cat <<USAGE
usage: scripts/vm/run.sh [options]     (also: scripts/pinwb vm, make vm-test)

  --kernel series|none|PATH  kernel to boot: built from the series, the baseline
                        (both via scripts/kernel/build.sh), or a bzImage: in a build
                        directory (arch/x86/boot/bzImage) or with its .config and
                        gup_test beside it (default: series)
  --config default|debug  with series|none: the kernel configuration; debug adds
                        kernel-patch/config.debug (lockdep, KASAN, DEBUG_VM, ...), built
                        in build/kernel/out-<kernel>-debug (default: default)
  --sysctl NAME=VALUE   set a sysctl at boot (kernel command line sysctl.NAME=VALUE);
                        the suite keeps it as the boot value; repeatable
  --guest-arg NAME=VALUE  pass pinwb.NAME=VALUE on the kernel command line for the
                        tests that read it (e.g. torture_duration=600); repeatable
  --peers-dir DIR       put the peers' suites (scripts/vm/peers-build.sh output) in
                        the guest (default with --suite peers: build/peers/bin, built
                        when missing)
  --peers [ARGS]        run scripts/vm/peers.sh ARGS instead: the peers' suites on the
                        baseline and the series, one table (see scripts/vm/peers.sh --help)
  --suite NAME          in-VM suite: $(suites)(default: short)
  --tests LIST          comma list: run only these tests of the suite
  --bench-matrix FILE   the matrix the in-VM test bench-matrix runs (a file, or NAME for
                        workloads/NAME.matrix; default: bench-policy-vm): planned here as
                        pinwb bench plans it, refused (exit 2, naming the line) when it uses
                        what the guest lacks; make the set with pinwb bench --from-vm OUT
  --mem SIZE            guest memory, QEMU syntax (default: 1G)
  --smp N               guest CPUs (default: 2)
  --timeout S           host-side limit for the whole boot in seconds; a guest
                        still running then is killed and the run fails (default:
                        1800 times the timeout scale)
  --timeout-scale N     multiply every test's timeout in the suite list (and the
                        default --timeout) by N: the lists are sized for TCG with
                        the default configuration (default: 1; 4 with --config
                        debug, whose KASAN and lockdep make TCG several times slower)
  --accel auto|kvm|tcg  auto: kvm when /dev/kvm is usable, else tcg (default: auto)
  --gup-test PATH       gup_test binary to use (default: <kernel out dir>/gup_test)
  --out DIR             run directory, created here: refused when it exists and is
                        not empty (default: build/vm/runs/<UTC timestamp>)
  --no-build            build nothing: use existing kernel, fio, engine, gup_test
  --allow-missing       bring-up only: boot even when fio/engine/gup_test are
                        missing (the tests that need them skip)
  --keep-disks          keep the disk images in the run directory
  --drop-initramfs      remove initramfs.cpio.gz from the run directory at the end
                        (its sha256 stays in initramfs.sha256), for result sets
                        kept in git (results/)
  -h, --help            this text

The run directory gets: console.log (serial console: kernel log and the guest's
transcript), markers.log, results/ (per test: log, result.json, fio and pinwb
JSON), dmesg.txt, results.json, meta.json, table.txt, initramfs.cpio.gz.
Exit: 0 every test passed or skipped and the kernel log is clean, 1 a test failed,
the guest hung or crashed, or the kernel log shows a WARNING/BUG/Oops/lockdep/
hung task, 2 usage or setup error (build failure, QEMU could not start).
USAGE
}

die() { echo "$prog: $*" >&2; exit 2; }
msg() { echo "$prog: $*" >&2; }

if [ "${1:-}" = --peers ]; then
	shift
	exec "$(dirname "$0")/peers.sh" "$@"
fi

kernel=series config=default suite=short tests='' mem=1G smp=2 timeout='' scale='' accel=auto out='' guptest_arg=''
no_build=0 allow_missing=0 keep_disks=0 drop_initramfs=0 peers_dir="" boot_sysctls=() guest_args=() bench_matrix=''
while [ $# -gt 0 ]; do
	case $1 in
	--kernel|--config|--sysctl|--guest-arg|--peers-dir|--suite|--tests|--bench-matrix|--mem|--smp|--timeout|--timeout-scale|--accel|--out|--gup-test)
		[ $# -ge 2 ] || die "$1 needs a value (see --help)"
		case $1 in
		--kernel) kernel=$2 ;;
		--config) config=$2 ;;
		--sysctl) boot_sysctls+=("$2") ;;
		--guest-arg) guest_args+=("$2") ;;
		--peers-dir) peers_dir=$2 ;;
		--suite) suite=$2 ;;
		--tests) tests=$2 ;;
		--bench-matrix) bench_matrix=$2 ;;
		--mem) mem=$2 ;;
		--smp) smp=$2 ;;
		--timeout) timeout=$2 ;;
		--timeout-scale) scale=$2 ;;
		--accel) accel=$2 ;;
		--out) out=$2 ;;
		--gup-test) guptest_arg=$2 ;;
		esac
		shift 2 ;;
	--no-build) no_build=1; shift ;;
	--allow-missing) allow_missing=1; shift ;;
	--keep-disks) keep_disks=1; shift ;;
	--drop-initramfs) drop_initramfs=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (accepted: --kernel, --config, --sysctl, --guest-arg, --peers-dir, --peers (first), --suite, --tests, --bench-matrix, --mem, --smp, --timeout, --timeout-scale, --accel, --out, --gup-test, --no-build, --allow-missing, --keep-disks, --drop-initramfs, --help)" ;;
	esac
done

suite_list=$top/tests/vm/suites/$suite
[ -f "$suite_list" ] || die "--suite: unknown suite '$suite' (accepted: $(suites))"
[[ $mem =~ ^[0-9]+[MG]$ ]] || die "--mem: '$mem' is not a size like 512M or 2G"
[[ $smp =~ ^[1-9][0-9]*$ ]] || die "--smp: '$smp' is not a positive number"
case $accel in auto|kvm|tcg) ;; *) die "--accel: unknown value '$accel' (accepted: auto, kvm, tcg)" ;; esac
case $config in default|debug) ;; *) die "--config: unknown value '$config' (accepted: default, debug)" ;; esac
for kv in "${guest_args[@]}"; do
	[[ $kv =~ ^[a-z][a-z0-9_]*=[^[:space:]]+$ ]] || die "--guest-arg: '$kv' is not NAME=VALUE without spaces (e.g. torture_duration=600)"
done
# The debug kernel's KASAN (every memory access checked) and lockdep make
# the same tests several times slower under TCG; 4 is a margin chosen before
# the factor was measured (README, VM section: what has been measured).
if [ -z "$scale" ]; then
	if [ "$config" = debug ]; then scale=4; else scale=1; fi
fi
[[ $scale =~ ^[1-9][0-9]*$ ]] || die "--timeout-scale: '$scale' is not a positive whole number"
timeout=${timeout:-$((1800 * scale))}
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout: '$timeout' is not a positive number of seconds"
for kv in "${boot_sysctls[@]}"; do
	[[ $kv =~ ^[a-z][a-z0-9_.]*=[^[:space:]]+$ ]] || die "--sysctl: '$kv' is not NAME=VALUE (e.g. vm.longterm_pin_file_mappings=1)"
done
accel_arg=$accel
# The run directory is the run's own: everything in it is written, replaced
# or removed by this run, so a directory that already holds something is
# refused rather than partly overwritten (and its disks/ deleted).
if [ -n "$out" ] && [ -e "$out" ]; then
	[ -d "$out" ] || die "--out: '$out' exists and is not a directory"
	[ -z "$(find "$out" -mindepth 1 -maxdepth 1 -print -quit)" ] ||
		die "--out: '$out' is not empty; refusing to write a run into it (name a new or empty directory)"
fi
case $kernel in
series|none) ;;
*) [ -f "$kernel" ] || die "--kernel: '$kernel' is neither series, none nor an existing bzImage"
	[ "$config" = default ] || die "--config $config: only with --kernel series|none (a bzImage PATH is configured already)" ;;
esac
kdir=out-$kernel
[ "$config" = default ] || kdir=out-$kernel-$config

# The tests to expect, in suite order (optionally filtered by --tests).
mapfile -t expected < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$suite_list" | awk '{ print $1 }')
if [ -n "$tests" ]; then
	IFS=, read -r -a wanted <<<"$tests"
	for t in "${wanted[@]}"; do
		# not a pipe: grep -q leaving at the first line would SIGPIPE
		# printf, and pipefail would call a listed test unknown
		grep -qxF -- "$t" < <(printf '%s\n' "${expected[@]}") ||
			die "--tests: '$t' is not in suite $suite (accepted: ${expected[*]})"
	done
	mapfile -t expected < <(printf '%s\n' "${expected[@]}" | grep -xF -f <(printf '%s\n' "${wanted[@]}"))
fi

# The bench matrix the in-VM test bench-matrix runs: checked now, before
# anything is built; planned once the guest kernel's .config is known.
bench_py() { PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$top/scripts/lib PINWB_PROG="pinwb vm" python3 -m pinwbbench "$@"; }
if printf '%s\n' "${expected[@]}" | grep -qx bench-matrix; then
	bench_matrix=${bench_matrix:-bench-policy-vm}
	if [ ! -f "$bench_matrix" ] && [ -f "$top/workloads/$bench_matrix.matrix" ]; then
		bench_matrix=$top/workloads/$bench_matrix.matrix
	fi
	[ -f "$bench_matrix" ] || die "--bench-matrix: '$bench_matrix' is neither a file nor workloads/NAME.matrix"
	bench_matrix=$(readlink -f "$bench_matrix")
	command -v python3 >/dev/null || die "python3 not found: it plans the bench matrix (make deps)"
	bench_py guest-plan --check "$bench_matrix" || exit 2
	bench_timeout=$(awk '$1 == "bench-matrix" { print $2 }' "$suite_list")
elif [ -n "$bench_matrix" ]; then
	die "--bench-matrix: the run has no bench-matrix test (it is in suite full: --suite full --tests bench-matrix)"
fi

# KVM only when /dev/kvm can be opened read-write here, and is not PVM
# alone (kvm_pvm runs only guest kernels built for PVM: an ordinary one hangs
# silently after the BIOS).
kvm_usable() {
	[ -c /dev/kvm ] && { exec 3<>/dev/kvm; } 2>/dev/null && exec 3<&- || return 1
	if [ -d /sys/module/kvm_pvm ] && [ ! -d /sys/module/kvm_intel ] && [ ! -d /sys/module/kvm_amd ]; then
		return 1
	fi
	return 0
}
if [ "$accel" = auto ]; then
	if kvm_usable; then accel=kvm; else accel=tcg; fi
elif [ "$accel" = kvm ] && ! kvm_usable; then
	die "--accel kvm: /dev/kvm is missing, not usable, or PVM-only (kvm_pvm) here (use --accel tcg or auto)"
fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (make deps installs qemu-system-x86)"
command -v jq >/dev/null || die "jq not found (make deps installs it)"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${out:-$top/build/vm/runs/$stamp}
mkdir -p "$out"
out=$(cd "$out" && pwd)
disks=$out/disks
qpid='' made_disks=0
# shellcheck disable=SC2317 # run by the trap
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -KILL "$qpid"
	fi
	# Only the disks directory this run made (mkdir without -p below).
	if [ "$keep_disks" -eq 0 ] && [ "$made_disks" -eq 1 ]; then
		rm -rf "$disks"
	fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM
mkdir "$disks" || die "cannot create $disks"
made_disks=1
t_start=$(date +%s.%N)

# ---- build what is missing -------------------------------------------
build_log=$out/build.log
: >"$build_log"
if [ "$kernel" = series ] || [ "$kernel" = none ]; then
	if [ $no_build -eq 1 ]; then
		bzimage=$top/build/kernel/$kdir/arch/x86/boot/bzImage
		[ -f "$bzimage" ] || die "--no-build: no $bzimage (build it: scripts/kernel/build.sh --patches $kernel --config $config)"
	else
		[ -x "$top/scripts/kernel/build.sh" ] || die "scripts/kernel/build.sh missing: cannot build --kernel $kernel (pass a bzImage PATH)"
		msg "building kernel ($kernel, config $config), log in $build_log"
		kout=$("$top/scripts/kernel/build.sh" --patches "$kernel" --config "$config" 2>>"$build_log") ||
			{ tail -n 30 "$build_log" >&2; die "kernel build failed (see $build_log)"; }
		bzimage=$(tail -n 1 <<<"$kout")
		[ -f "$bzimage" ] || die "scripts/kernel/build.sh printed '$bzimage', which is not a file"
	fi
else
	bzimage=$kernel
fi
bzimage=$(cd "$(dirname "$bzimage")" && pwd)/$(basename "$bzimage")
# The kernel's output directory (O=) when the bzImage came from one:
# its .config and the gup_test binary built with it.
kobj=''
case $bzimage in
*/arch/x86/boot/bzImage) kobj=${bzimage%/arch/x86/boot/bzImage} ;;
esac
# A bzImage copied out of its build (a kernel kept as bzImage, .config and
# gup_test in one directory) has them beside it instead: without its
# .config the test file systems would be guessed and differ from a build's.
kdir_side=''
[ -n "$kobj" ] || kdir_side=$(dirname "$bzimage")
kconfig=''
if [ -n "$kobj" ] && [ -f "$kobj/.config" ]; then
	kconfig=$kobj/.config
elif [ -n "$kdir_side" ] && [ -f "$kdir_side/.config" ]; then
	kconfig=$kdir_side/.config
fi
# scripts/kernel/build.sh writes it to <out>/gup_test. Required for the
# kernels built here; a bzImage given by path may come without one.
guptest=''
if [ -n "$guptest_arg" ]; then
	[ -x "$guptest_arg" ] || die "--gup-test: '$guptest_arg' is not an executable file"
	guptest=$guptest_arg
elif [ -n "$kobj" ] && [ -x "$kobj/gup_test" ]; then
	guptest=$kobj/gup_test
elif [ -n "$kdir_side" ] && [ -x "$kdir_side/gup_test" ]; then
	guptest=$kdir_side/gup_test
elif [ "$kernel" = series ] || [ "$kernel" = none ]; then
	[ $allow_missing -eq 1 ] || die "no gup_test beside $bzimage (expected ${kobj:-<out>}/gup_test from scripts/kernel/build.sh)"
else
	msg "no gup_test beside $bzimage: the gup_test-based tests will skip"
fi

fio=$top/build/fio-3.33/fio
if [ $no_build -eq 0 ]; then
	if [ ! -x "$fio" ]; then
		msg "building fio"
		"$top/scripts/build-fio.sh" >>"$build_log" 2>&1 || { tail -n 30 "$build_log" >&2; die "fio build failed (see $build_log)"; }
	fi
	if [ -f "$top/engines/Makefile" ]; then
		msg "building the engine"
		make -C "$top/engines" FIO_SRC="$top/build/fio-3.33" >>"$build_log" 2>&1 ||
			{ tail -n 30 "$build_log" >&2; die "engine build failed (see $build_log)"; }
	elif [ $allow_missing -eq 0 ]; then
		die "engines/Makefile missing: cannot build the engine (--allow-missing boots without it)"
	fi
fi

# The peers' suites: the peers suite needs them (built when missing).
if [ -z "$peers_dir" ] && [ "$suite" = peers ]; then
	peers_dir=$top/build/peers/bin
	if [ $no_build -eq 0 ] && { [ ! -f "$peers_dir/liburing.list" ] || [ ! -x "$peers_dir/mm/gup_longterm" ]; }; then
		msg "building the peers' suites (scripts/vm/peers-build.sh)"
		"$vmdir/peers-build.sh" --out "$peers_dir" >>"$build_log" 2>&1 ||
			{ tail -n 20 "$build_log" >&2; die "building the peers' suites failed (see $build_log)"; }
	fi
fi
[ -z "$peers_dir" ] || [ -d "$peers_dir" ] || die "--peers-dir: '$peers_dir' is not a directory (build it: scripts/vm/peers-build.sh)"

# The bench plan, kept in the run directory beside what it booted.
bench_plan=''
if [ -n "$bench_matrix" ]; then
	bench_plan=$out/bench-plan
	gp_args=(--workloads "$top/workloads")
	[ -z "$kconfig" ] || gp_args+=(--kernel-config "$kconfig")
	[ -f "$top/engines/pinwb.so" ] || gp_args+=(--no-engine)
	bench_py guest-plan "$bench_matrix" "$bench_plan" "${gp_args[@]}" >&2 || exit 2
	least=$(sed -n 's/^PLAN_LEAST_SECONDS=//p' "$bench_plan/plan.env")
	if [ -n "$bench_timeout" ] && [ "$least" -ge $((bench_timeout * scale)) ]; then
		die "--bench-matrix: $(basename "$bench_matrix") takes at least ${least}s of fio time, more than bench-matrix's timeout of $((bench_timeout * scale))s: pass --timeout-scale $(( least / bench_timeout + 2 )) (or cut its reps/runtime)"
	fi
fi

# In the run directory: what this run booted, whatever other runs build.
initrd=$out/initramfs.cpio.gz
ir_args=(--out "$initrd")
[ -n "$bench_plan" ] && ir_args+=(--bench-plan "$bench_plan")
[ -n "$peers_dir" ] && ir_args+=(--peers "$peers_dir")
[ -n "$guptest" ] && ir_args+=(--gup-test "$guptest")
[ $allow_missing -eq 1 ] && ir_args+=(--allow-missing)
# pinwb torture runs in the guest only for the tests that need its tools
if printf '%s\n' "${expected[@]}" | grep -q '^torture'; then ir_args+=(--torture); fi
"$vmdir/initramfs.sh" "${ir_args[@]}" >>"$build_log" 2>&1 ||
	{ tail -n 20 "$build_log" >&2; die "initramfs build failed (see $build_log)"; }
t_built=$(date +%s.%N)

# Test file systems: btrfs only when the kernel has it (when its .config
# says); exfat (O_DIRECT through fs/direct-io.c) only when its .config says so.
fslist=ext4,xfs,btrfs
if [ -n "$kconfig" ] && ! grep -q '^CONFIG_BTRFS_FS=y' "$kconfig"; then
	fslist=ext4,xfs
fi
if [ -n "$kconfig" ] && grep -q '^CONFIG_EXFAT_FS=y' "$kconfig"; then
	fslist+=,exfat
fi
"$vmdir/disks.sh" --dir "$disks" --fs "$fslist" >"$out/disks.txt" || die "creating disk images failed"
mapfile -t disk_lines <"$out/disks.txt"

# ---- boot --------------------------------------------------------------
# Timeouts in the suite lists are for KVM-less CI (TCG) on the default
# configuration; the guest multiplies them by pinwb.scale.
# no_timer_check: under TCG on a loaded host the boot-time IO-APIC timer
# check can miss its ticks and panic ("IO-APIC + timer doesn't work!").
append="console=ttyS0 printk.time=1 loglevel=7 panic=-1 no_timer_check rdinit=/init pinwb.suite=$suite pinwb.scale=$scale"
[ -n "$tests" ] && append+=" pinwb.tests=$tests"
for kv in "${boot_sysctls[@]}"; do append+=" sysctl.$kv"; done
for kv in "${guest_args[@]}"; do append+=" pinwb.$kv"; done
qemu_base=(qemu-system-x86_64 -machine pc -smp "$smp" -m "$mem" -nographic -no-reboot -net none
	-kernel "$bzimage" -initrd "$initrd"
	-serial "file:$out/console.log" -serial "file:$out/markers.log" -monitor none)
for line in "${disk_lines[@]}"; do
	role=${line%% *} img=${line#* }
	qemu_base+=(-drive "file=$img,if=none,id=$role,format=raw,cache=unsafe"
		-device "virtio-blk-pci,drive=$role,serial=pinwb-$role")
done

# boot ACCEL BOOT_LIMIT: run QEMU until it exits or the host-side timeout;
# with BOOT_LIMIT > 0, give up (status 3) when the guest's init has not
# started by then. Sets qrc and timed_out.
boot() {
	local acc=$1 boot_limit=$2 now deadline booted=0 t0
	qemu=("${qemu_base[@]}")
	# Under TCG the guest runs tens of times slower than its clock (a
	# KASAN + lockdep kernel boots in about two minutes), so RCU's 21 s
	# stall and grace-period-start checks fire on emulation speed alone;
	# 300 s is the largest timeout RCU accepts and still catches a stall.
	boot_append=$append
	if [ "$acc" = kvm ]; then
		qemu+=(-accel kvm -cpu host)
	else
		qemu+=(-accel tcg -cpu max)
		boot_append+=" rcupdate.rcu_cpu_stall_timeout=300"
	fi
	qemu+=(-append "$boot_append")
	printf '%q ' "${qemu[@]}" >"$out/qemu.cmdline"
	echo >>"$out/qemu.cmdline"
	: >"$out/console.log"
	: >"$out/markers.log"
	msg "booting $(basename "$bzimage") ($acc, $mem, $smp CPUs), suite $suite; output in $out"
	qrc=0 timed_out=0
	t0=$(date +%s)
	deadline=$((t0 + timeout))
	"${qemu[@]}" </dev/null >"$out/qemu.stdout" 2>"$out/qemu.stderr" &
	qpid=$!
	while kill -0 "$qpid" 2>/dev/null; do
		now=$(date +%s)
		if [ $booted -eq 0 ] && grep -q PINWB-BOOTED "$out/markers.log"; then
			booted=1
		fi
		if [ "$boot_limit" -gt 0 ] && [ $booted -eq 0 ] && [ "$now" -ge $((t0 + boot_limit)) ]; then
			kill -KILL "$qpid"
			# Killed on purpose: its status says nothing (and bash's
			# "Killed" notice is noise).
			{ wait "$qpid"; } 2>/dev/null || true
			qpid=''
			return 3
		fi
		# Host-side watchdog: a guest that neither powers off nor reboots
		# in time is killed and the run fails.
		if [ "$now" -ge "$deadline" ]; then
			timed_out=1
			msg "guest still running after ${timeout}s: killing QEMU"
			kill -TERM "$qpid"
			sleep 5
			if kill -0 "$qpid" 2>/dev/null; then kill -KILL "$qpid"; fi
			break
		fi
		sleep 1
	done
	wait "$qpid" || qrc=$?
	qpid=''
	return 0
}

# What meta.json says about the kernel and the commit is taken now, as it
# boots: the build directory may be rebuilt, or the checkout moved on, while
# a long run is in the guest.
bzsha=$(sha256sum "$bzimage" | cut -c1-64)
gitrev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
kcfg='{}'
if [ -n "$kconfig" ]; then
	kcfg=$(sed -nE -e 's/^# (CONFIG_[A-Z0-9_]+) is not set/\1=n/' -e '/^CONFIG_/p' "$kconfig" |
		awk -F= '$1 ~ /^CONFIG_(BUG|PROVE_LOCKING|DETECT_HUNG_TASK|KASAN|KASAN_INLINE|DEBUG_VM|DEBUG_ATOMIC_SLEEP|DEBUG_LIST|DEBUG_OBJECTS|KALLSYMS|GUP_TEST|GUP_STABLE_PAGE_CHECK|BTRFS_FS|EXFAT_FS|TRANSPARENT_HUGEPAGE|HUGETLBFS|IO_URING)$/' | jq -R 'split("=") | {(.[0]): .[1]}' | jq -s 'add // {}')
fi

# With --accel auto, KVM must also work: nested KVM that cannot run the
# guest (seen on some hosts: no output after the BIOS) falls back to TCG.
kvm_fallback=false
t_boot=$(date +%s.%N)
if [ "$accel" = kvm ] && [ "$accel_arg" = auto ]; then
	brc=0
	boot kvm 30 || brc=$?
	if [ $brc -eq 3 ]; then
		msg "KVM guest did not reach init within 30s: falling back to TCG"
		cp "$out/console.log" "$out/console.kvm-failed.log"
		kvm_fallback=true accel=tcg
		t_boot=$(date +%s.%N)
		boot tcg 0
	fi
else
	boot "$accel" 0
fi
t_end=$(date +%s.%N)
tr -d '\r' <"$out/markers.log" >"$out/markers.txt"
if [ $timed_out -eq 0 ] && [ $qrc -ne 0 ] && ! grep -q '^PINWB-BOOTED' "$out/markers.txt"; then
	cat "$out/qemu.stderr" >&2
	die "QEMU exited $qrc before the guest started (see $out/qemu.stderr, $out/console.log)"
fi

# ---- collect -----------------------------------------------------------
mkdir -p "$out/results"
if [ -f "$disks/results.img" ] && grep -q '^PINWB-RESULTS-WRITTEN' "$out/markers.txt"; then
	tar -xf "$disks/results.img" -C "$out/results" || msg "results disk: tar could not read it"
fi
[ -f "$out/results/dmesg.txt" ] && cp "$out/results/dmesg.txt" "$out/dmesg.txt"
done_rc=$(sed -n 's/^PINWB-DONE rc=//p' "$out/markers.txt" | tail -n 1)

# dmesg: the dump from the guest and the kernel lines of the console (the
# only record when the guest hung).
dlogs=("$out/console.log")
[ -f "$out/dmesg.txt" ] && dlogs+=("$out/dmesg.txt")
drc=0
"$vmdir/dmesg-check.sh" "${dlogs[@]}" >"$out/dmesg-findings.txt" || drc=$?
[ $drc -le 1 ] || die "dmesg check could not run"

# One row per expected test: the marker says how it ended; a test that
# started and never ended was running when the guest hung or crashed.
rows=$out/rows.tsv
: >"$rows"
for t in "${expected[@]}"; do
	r=$(awk -v t="$t" '$1 == "PINWB-RESULT" && $2 == t' "$out/markers.txt" | tail -n 1)
	if [ -n "$r" ]; then
		read -r _ _ res secs note <<<"$r"
	elif grep -qxF "PINWB-START $t" "$out/markers.txt"; then
		res=FAIL secs=- note="did not finish: guest hung, crashed or was killed during this test"
	else
		res=FAIL secs=- note="never ran (guest stopped before it)"
	fi
	f=$(awk -F'\t' -v t="$t" '$1 == t { print $2; exit }' "$out/dmesg-findings.txt")
	if [ -n "$f" ]; then
		[ "$res" = FAIL ] || res=FAIL
		note="kernel log: $f${note:+ | $note}"
	fi
	printf '%s\t%s\t%s\t%s\n' "$t" "$res" "${secs:--}" "${note:-}" >>"$rows"
done

# ---- results.json, meta.json -------------------------------------------
results_json=$out/results.json
{
	for t in "${expected[@]}"; do
		IFS=$'\t' read -r _ res secs note < <(awk -F'\t' -v t="$t" '$1 == t' "$rows")
		rj=$out/results/$t/result.json
		base='{}'
		[ -f "$rj" ] && jq -e . "$rj" >/dev/null 2>&1 && base=$(cat "$rj")
		jq -c --arg n "$t" --arg r "$res" --arg s "$secs" --arg note "$note" \
			'. + {name: $n, result: $r, seconds: ($s | tonumber? // null), note: $note}' <<<"$base"
	done
} | jq -s '{tests: .}' >"$results_json"

meta_get() { sed -n "s/^$1=//p" "$out/results/meta.txt" 2>/dev/null | head -n 1; }
[ -f "$out/results/meta.txt" ] || sed -n 's/^PINWB-META //p' "$out/markers.txt" >"$out/results/meta.txt"
sysctls=$(sed -n 's/^sysctl\.//p' "$out/results/meta.txt" | jq -R 'split("=") | {(.[0]): (.[1] | tonumber? // .)}' | jq -s 'add // {}')
boot_s=$(sed -n 's/^PINWB-BOOTED uptime=//p' "$out/markers.txt" | head -n 1)
jq -n --arg stamp "$stamp" --arg uname_r "$(meta_get uname_r)" --arg uname_v "$(meta_get uname_v)" \
	--arg bzimage "$bzimage" --arg bzsha "$bzsha" --arg kernel_arg "$kernel" --arg kconfig_name "$config" \
	--arg boot_sysctls "${boot_sysctls[*]}" \
	--arg accel "$accel" --argjson kvm_fallback "$kvm_fallback" --arg qver "$(qemu-system-x86_64 --version | head -n 1)" \
	--arg qcmd "$(cat "$out/qemu.cmdline")" --arg append "$boot_append" --arg guest_cmdline "$(meta_get cmdline)" \
	--arg mem "$mem" --arg smp "$smp" --arg suite "$suite" --arg tests "$tests" --arg scale "$scale" --arg timeout "$timeout" \
	--arg fs "$(meta_get filesystems)" --arg gup "$(meta_get gup_counters)" \
	--arg host "$(uname -r)" --arg git "$gitrev" \
	--argjson sysctls "$sysctls" --argjson kconfig "$kcfg" \
	--arg build_s "$(awk -v a="$t_start" -v b="$t_built" 'BEGIN { printf "%.1f", b - a }')" \
	--arg vm_s "$(awk -v a="$t_boot" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }')" \
	--arg boot_s "${boot_s:-}" --arg suite_s "$(meta_get suite_seconds)" \
	--arg qrc "$qrc" --arg timed_out "$timed_out" --arg done_rc "${done_rc:-}" '
	{ stamp: $stamp, git: $git, host_kernel: $host,
	  kernel: { arg: $kernel_arg, config_name: $kconfig_name, bzimage: $bzimage, sha256: $bzsha, uname_r: $uname_r, uname_v: $uname_v, config: $kconfig },
	  sysctls: $sysctls, boot_sysctls: ($boot_sysctls | split(" ") | map(select(. != ""))), gup_counters: ($gup | split(",") | map(select(. != ""))),
	  qemu: { accel: $accel, kvm_fallback_to_tcg: $kvm_fallback, version: $qver, cmdline: $qcmd, exit: ($qrc | tonumber), killed_on_timeout: ($timed_out == "1") },
	  kernel_cmdline: $append, guest_cmdline: $guest_cmdline, mem: $mem, smp: ($smp | tonumber),
	  suite: $suite, tests: $tests, timeout_scale: ($scale | tonumber), host_timeout: ($timeout | tonumber), filesystems: $fs, guest_done_rc: ($done_rc | tonumber? // null),
	  seconds: { build: ($build_s | tonumber), vm_wall: ($vm_s | tonumber), guest_boot: ($boot_s | tonumber? // null),
	             suite: ($suite_s | tonumber? // null) } }' >"$out/meta.json"

if [ $drop_initramfs -eq 1 ] && [ -f "$initrd" ]; then
	(cd "$out" && sha256sum "$(basename "$initrd")") >"$out/initramfs.sha256"
	rm -f "$initrd"
fi

# ---- verdict -------------------------------------------------------------
{
	printf '%-28s %-6s %8s  %s\n' TEST RESULT SECONDS NOTE
	while IFS=$'\t' read -r t res secs note; do
		printf '%-28s %-6s %8s  %s\n' "$t" "$res" "$secs" "$note"
	done <"$rows"
} >"$out/table.txt"
cat "$out/table.txt"
passed=$(awk -F'\t' '$2 == "PASS"' "$rows" | wc -l)
failed=$(awk -F'\t' '$2 == "FAIL"' "$rows" | wc -l)
skipped=$(awk -F'\t' '$2 == "SKIP"' "$rows" | wc -l)
verdict=0
if [ $timed_out -eq 1 ]; then
	echo "run: FAIL: guest killed after the ${timeout}s timeout (console: $out/console.log)"
	verdict=1
elif [ -z "$done_rc" ]; then
	echo "run: FAIL: the guest never reported PINWB-DONE (crash or panic? console: $out/console.log)"
	verdict=1
fi
if [ $drc -ne 0 ]; then
	nf=$(wc -l <"$out/dmesg-findings.txt")
	echo "run: FAIL: $nf kernel log finding(s) ($out/dmesg-findings.txt):"
	head -n 10 "$out/dmesg-findings.txt" | sed 's/^/  /'
	[ "$nf" -le 10 ] || echo "  ... $((nf - 10)) more in $out/dmesg-findings.txt"
	verdict=1
fi
[ "$failed" -eq 0 ] || verdict=1
kcfg_bug=$(jq -r '.kernel.config.CONFIG_BUG // empty' "$out/meta.json")
[ "$kcfg_bug" != n ] || echo "run: note: the kernel has CONFIG_BUG off: WARN()/BUG() print nothing, the kernel log check sees only Oops/hung tasks/errors"
secs() { jq -r "if .seconds.$1 == null then \"-\" else \"\\(.seconds.$1)s\" end" "$out/meta.json"; }
printf 'times: build %s, VM %s (guest boot %s, suite %s), accel %s\n' \
	"$(secs build)" "$(secs vm_wall)" "$(secs guest_boot)" "$(secs suite)" "$accel"
echo "results: $out"
echo "$passed passed, $failed failed, $skipped skipped"
exit $verdict
