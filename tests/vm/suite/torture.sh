#!/bin/sh
# shellcheck shell=dash
# pinwb torture in the guest, on each file system: first the device's view
# is proven able to fail (tests/host/torture-dmlog.sh through a real
# dm-log-writes target: a clean recording passes the device check and every
# crash point, a block torn in the log is reported by both), then
# scripts/pinwb torture runs timed rounds with all racers and device rounds
# recorded through dm-log-writes (--device-method dm), judged by the device
# check and the crash replay, under each policy asked for. A safe or kept
# policy must pass; policy unsafe (long-term file pins never re-dirtied)
# is expected to fail somewhere: its result is reported, not judged.
# Needs the initramfs built with --torture (scripts/vm/run.sh adds it for
# torture* tests). Kernel command line (scripts/vm/run.sh --guest-arg):
# pinwb.torture_duration=S (default 40, full suite 90), torture_fs=LIST
# (ext4,xfs,btrfs), torture_policies=LIST (safe on the series, keep on
# the stock kernel), torture_seed=N (1), torture_device_rounds=N (1),
# torture_replay_sample=N (crash points replayed per device round, 20; 0 =
# all), torture_dmlog=0 (leave out the device-view proof: for long runs
# that follow a run which made it).
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

GNU=$PINWB_ROOT/gnu/bin
[ -x "$GNU/bash" ] || skip "the initramfs has no torture tools (scripts/vm/initramfs.sh --torture)"
require_engine
duration=$(guest_arg torture_duration)
if [ -z "$duration" ]; then duration=40; [ "$LONG" -eq 1 ] && duration=90; fi
fslist=$(guest_arg torture_fs | tr , ' ')
[ -n "$fslist" ] || fslist="ext4 xfs btrfs"
policies=$(guest_arg torture_policies | tr , ' ')
if [ -z "$policies" ]; then
	if series_present; then policies=safe; else policies=keep; fi
fi
seed=$(guest_arg torture_seed)
[ -n "$seed" ] || seed=1
devrounds=$(guest_arg torture_device_rounds)
[ -n "$devrounds" ] || devrounds=1
sample=$(guest_arg torture_replay_sample)
[ -n "$sample" ] || sample=20
dmlog=$(guest_arg torture_dmlog)
[ -n "$dmlog" ] || dmlog=1
kv duration_s "$duration"
kv policies "$policies"
kv seed "$seed"

# images and scratch on the ext4 test disk, not in the initramfs's memory
scratch=$(fs_dir ext4) || skip "no ext4 test disk mounted for the torture's images"
work=$scratch/torture-work
mkdir -p "$work/build" "$work/tmp" "$PINWB_ROOT/build" || fail "cannot make $work"
mount --bind "$work/build" "$PINWB_ROOT/build" || fail "cannot bind $work/build"
cgroup_mounted=0
cleanup() {
	umount "$PINWB_ROOT/build" 2>/dev/null
	[ "$cgroup_mounted" -eq 0 ] || umount /sys/fs/cgroup 2>/dev/null
}
trap cleanup EXIT
# bash's process substitution needs /dev/fd; the memcg racer a cgroup2 mount
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd || fail "cannot link /dev/fd"
if [ ! -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw cgroup2 /proc/filesystems; then
	mkdir -p /sys/fs/cgroup
	mount -t cgroup2 none /sys/fs/cgroup && cgroup_mounted=1
	grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null &&
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
fi
export PATH="$GNU:$PATH" TMPDIR="$work/tmp" PINWB_FIO="$FIO" PINWB_ENGINE_SO="$ENGINE" \
	PINWB_VERIFY_BIN="$VERIFY" DM_DISABLE_UDEV=1

# keep SRC DEST: what a result set needs, without the device images and raw
# logs a failed device round leaves (copied first, they filled the guest's
# memory and truncated the rest: seen in a run)
keep() {
	local f rel
	find "$1" -type f ! -name '*.img' ! -name log ! -name 'log.*' ! -name 'snap*' |
		while read -r f; do
			rel=${f#"$1"/}
			if ! { mkdir -p "$2/$(dirname "$rel")" && cp "$f" "$2/$rel"; }; then
				log "copying $f failed"
			fi
		done
}

bad="" summary=""
for fs in $fslist; do
	if ! grep -qw "$fs" /proc/filesystems; then
		log "$fs: not in this kernel, left out"
		continue
	fi
	rc=0
	if [ "$dmlog" = 1 ]; then
		TORTURE_FS=$fs TORTURE_REPLAY_SAMPLE=$sample "$GNU/bash" "$PINWB_ROOT/tests/host/torture-dmlog.sh" >"$PINWB_OUT/dmlog-$fs.log" 2>&1 || rc=$?
		tail -n 3 "$PINWB_OUT/dmlog-$fs.log"
	else
		echo "SKIP: torture_dmlog=0" >"$PINWB_OUT/dmlog-$fs.log"
		rc=77
	fi
	case $rc in
	0) kv "dmlog_$fs" pass ;;
	77) kv "dmlog_$fs" skip; log "$fs device view: $(tail -n 1 "$PINWB_OUT/dmlog-$fs.log")" ;;
	*) kv "dmlog_$fs" fail; bad="$bad dmlog-$fs" ;;
	esac
	for pol in $policies; do
		out=$work/runs/$fs-$pol
		rm -rf "$out"
		rc=0
		"$GNU/bash" "$PINWB_ROOT/scripts/pinwb" torture --duration "$duration" --fs "$fs" --seed "$seed" \
			--policy "$pol" --racers drop_caches,memcg,ficlone,fork,remap,mremap,truncate,punch \
			--device-rounds "$devrounds" --device-method dm --replay-sample "$sample" \
			--out "$out" >"$work/console" 2>&1 || rc=$?
		keep "$out" "$PINWB_OUT/$fs-$pol"
		cp "$work/console" "$PINWB_OUT/$fs-$pol/console.txt"
		tail -n 4 "$work/console"
		res=$(sed -n 's/.*"result": "\([a-z]*\)".*/\1/p' "$out/torture.json" 2>/dev/null | tail -n 1)
		ops=$(sed -n 's/^ *"ops": \([0-9]*\).*/\1/p' "$out/torture.json" 2>/dev/null | head -n 1)
		kv "torture_${fs}_${pol}" "${res:-none} exit $rc ops ${ops:-0}"
		summary="$summary $fs/$pol=${res:-none}"
		case $pol in
		unsafe) [ "$rc" -le 1 ] || bad="$bad $fs-$pol(exit $rc)" ;;
		*) [ "$rc" -eq 0 ] || bad="$bad $fs-$pol" ;;
		esac
	done
done
[ -n "$summary" ] || skip "no file system to torture"
[ -z "$bad" ] || fail "failed:$bad; results:$summary"
note "dm-log-writes device view proven on each fs; torture${summary}"
