#!/bin/sh
# shellcheck shell=dash
# A long-term pinned, continuously re-dirtied buffer must neither stall the
# other writers of the device nor stay volatile.
#
# Part 1, writers: an io_uring registered (fixed) buffer over an ext4 file
# (vm.longterm_pin_file_mappings=1; io_uring re-dirties it after every
# READ_FIXED) is read into, with vm.gup_writeback_policy=1, while a buffered
# writer (fio, psync, end_fsync) writes another file on the same file system
# under small dirty limits. If writeback left pinned folios dirty, they would
# pile up against the limits and the writer would loop in
# balance_dirty_pages() (the test times out). The reader itself costs the
# writer CPU and device time whatever its buffer is, so each round runs the
# writer three ways: alone (A), beside the same READ_FIXED load into an
# anonymous registered buffer of the same size (N), and beside the file-backed
# pinned buffer (F); the order alternates (A N F, then F N A, ...) for PAIRS
# rounds in this boot. What the series costs the writer is F against N; the
# medians, the spreads and F/N and N/A are reported, not asserted (no timing
# assertions). Checked: every writer and reader finishes, the file pin was
# long-term (gup_longterm_file_pins), writeback wrote pinned folios
# (gup_wb_pinned_written) as copies (gup_wb_pinned_bounced), the engine's data
# verifies; NR_FILE_DIRTY is sampled while each writer runs (max reported).
#
# Part 2, volatility: the same kind of buffer on a small ext4 of its own, on a
# loop device over an image in the guest's RAM, so that the image is what the
# device was given; the loop device's bdi gets min_ratio 50, so that its share
# of the background limit is out of the buffer's reach. The job reads 2000 blocks and then idles with the
# buffer still registered (fio thinktime). Once the buffer stops changing, the
# test waits dirty_expire_centisecs plus a margin of writeback periods, with
# the background limit out of reach, so only kupdate writeback can write it,
# and then checks from outside: every 4 KiB block the buffer holds (each a
# pinwb block with its header) must be in the image. Fault seen to fail:
# PWT_INJECT=no-kupdate sets dirty_writeback_centisecs=0 for part 2 and the
# check reports the blocks missing. Booting with
# --sysctl vm.dirty_writeback_centisecs=0 selects the same fault.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_series
require_engine
for c in gup_wb_pinned_written gup_wb_pinned_bounced gup_longterm_file_pins; do
	have_counter "$c" || fail "$c missing from /proc/vmstat (CONFIG_STABLE_PINNED_WRITEBACK not built in?)"
done
have_sysctl longterm_pin_file_mappings || fail "vm.longterm_pin_file_mappings missing (series not applied?)"
command -v mke2fs >/dev/null || skip "mke2fs not in the guest (part 2 needs a file system of its own)"
is_mounted "$PINWB_MNT/ext4" || fail "ext4 test disk not mounted"
dir=$(fs_dir ext4) || fail "cannot make a directory on ext4"
inject=${PWT_INJECT:-none}
[ "$(get_sysctl dirty_writeback_centisecs)" -ne 0 ] || inject=no-kupdate
case $inject in none | no-kupdate) ;; *) fail "PWT_INJECT: unknown value '$inject' (accepted: none, no-kupdate)" ;; esac

# Undo everything on exit: the dirty sysctls (the runner does not restore
# them), the loop mount, the loop device and its image. Registered before any
# of them exists; each is undone only if it was made.
saved=""
for s in dirty_background_bytes dirty_bytes dirty_background_ratio dirty_ratio dirty_expire_centisecs dirty_writeback_centisecs; do
	saved="$saved $s=$(get_sysctl "$s")"
done
img="" loopdev="" lmnt="" pinned_pids="" bdi="" bdi_min_saved=""
# kill_tree PID: PID and its descendants (the job's subshell runs fio).
kill_tree() {
	local child
	awk -v p="$1" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null |
		while read -r child; do kill_tree "$child"; done
	kill "$1" 2>/dev/null || return 0
	wait "$1" 2>/dev/null || true
}
cleanup() {
	local kvpair pid
	# A failed check can leave a pinned job running: end it before its
	# file system goes away.
	for pid in $pinned_pids; do
		kill_tree "$pid"
	done
	[ -z "$lmnt" ] || ! is_mounted "$lmnt" || umount "$lmnt" || log "cannot unmount $lmnt"
	[ -z "$bdi_min_saved" ] || echo "$bdi_min_saved" >"$bdi/min_ratio" || log "cannot restore $bdi/min_ratio"
	[ -z "$loopdev" ] || losetup -d "$loopdev" || log "cannot detach $loopdev"
	[ -z "$img" ] || rm -f "$img"
	[ -z "$lmnt" ] || rmdir "$lmnt" 2>/dev/null || true
	# ratio and bytes exclude each other: the ratios last, if they were in use
	for kvpair in $saved; do
		case $kvpair in *_bytes=0 | *_ratio=0) continue ;; esac
		echo "${kvpair#*=}" >"/proc/sys/vm/${kvpair%=*}" 2>/dev/null || true
	done
}
trap cleanup EXIT

expire=300 wbperiod=100
# pinwb.pwt_dirty_bg_kib=N on the kernel command line (--guest-arg): the
# background dirty limit of part 1 in KiB (default 2048), the hard limit
# three times it; with the buffer size below, what share of the limits the
# re-dirtied buffer takes.
bgkib=$(guest_arg pwt_dirty_bg_kib)
bgkib=${bgkib:-2048}
[ "$bgkib" -ge 1024 ] || fail "pinwb.pwt_dirty_bg_kib=$bgkib: accepted values are 1024 or more (KiB)"
kv dirty_background_kib "$bgkib"
kv dirty_kib $((3 * bgkib))
set_sysctl dirty_background_bytes $((bgkib * 1024))
set_sysctl dirty_bytes $((3 * bgkib * 1024))
set_sysctl dirty_expire_centisecs "$expire"
set_sysctl dirty_writeback_centisecs "$wbperiod"
set_sysctl gup_writeback_policy 1
set_sysctl longterm_pin_file_mappings 1

size_kib=32768 pairs=5
[ "$LONG" -eq 1 ] && size_kib=65536 pairs=7
# pinwb.pwt_buffer_kib=N on the kernel command line (--guest-arg): the size of
# the registered buffers of part 1 (default 4096, twice the background limit:
# re-dirtied, it alone keeps nr_dirty at the writer's freerun ceiling).
bufkib=$(guest_arg pwt_buffer_kib)
bufkib=${bufkib:-4096}
[ "$bufkib" -ge 64 ] || fail "pinwb.pwt_buffer_kib=$bufkib: accepted values are 64 or more (KiB)"
kv buffer_kib "$bufkib"
# pinwb.pwt_mmap=1: each round also runs the writer beside M, fio's mmap
# engine storing continuously into a MAP_SHARED file region of the buffer's
# size: the same dirty footprint kept dirty by CPU stores, which the stock
# kernel throttles at each write fault. F against M asks whether the pinned
# buffer costs the writer more than a stock dirtier of the same size.
with_mmap=$(guest_arg pwt_mmap)
with_mmap=${with_mmap:-0}
case $with_mmap in 0 | 1) ;; *) fail "pinwb.pwt_mmap=$with_mmap: accepted values are 0 and 1" ;; esac
kv with_mmap "$with_mmap"
# writer NAME: buffered sequential writer; prints its bandwidth in KiB/s.
writer() {
	local job=$dir/$1.fio rc=0
	rm -f "$dir/writer"
	printf '%s\n' "[$1]" "ioengine=psync" "rw=write" "bs=256k" "size=${size_kib}k" \
		"filename=$dir/writer" "end_fsync=1" >"$job"
	cp "$job" "$PINWB_OUT/$1.fio"
	"$FIO" --output-format=json --output="$PINWB_OUT/$1.fio.json" "$job" \
		>"$PINWB_OUT/$1.fio.log" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || fail "$1: the writer's fio exited $rc"
	awk '/"write" : \{/ { w = 1 } w && /"bw" :/ { gsub(/[^0-9]/, "", $3); print $3; exit }' \
		"$PINWB_OUT/$1.fio.json"
}

# pinned_start NAME DIR RUNTIME KIND OPTION...: READ_FIXED into a registered
# buffer in the background, KIND file (a file mapping, long-term pinned) or
# anon (anonymous memory, the same load without a file); returns once the
# buffer is pinned.
pinned_pid="" pinned_name="" pinned_kind=""
pinned_start() {
	local name=$1 d=$2 runtime=$3 kind=$4 ctr need t0 base
	shift 4
	case $kind in
	file) ctr=gup_longterm_file_pins need=1 ;;
	# registration pins every page of the buffer
	anon) ctr=nr_foll_pin_acquired need=$((bufkib / 4)) ;;
	*) fail "pinned_start: unknown kind '$kind' (accepted: file, anon)" ;;
	esac
	base=$(counter "$ctr")
	pinned_name=$name pinned_kind=$kind
	(
		pinwb_run "$name" "$d" "size=16m" "rw=randread" "bs=16k" "pinwb_io=uring" \
			"pinwb_fixedbufs=1" "pinwb_fixedbufs_fallback=0" "pinwb_buffer=$kind" \
			"pinwb_buffer_size=${bufkib}k" "pinwb_wb_modes=none" "runtime=$runtime" "$@"
		echo "$JOB_RC $JOB_RESULT $JOB_KEPT" >"/tmp/$name.status"
	) &
	pinned_pid=$!
	pinned_pids="$pinned_pids $pinned_pid"
	t0=$(date +%s)
	while [ "$(counter "$ctr")" -lt $((base + need)) ]; do
		kill -0 "$pinned_pid" 2>/dev/null || fail "$name: the registered-buffer job ended before it pinned its buffer"
		[ $(($(date +%s) - t0)) -lt 120 ] || fail "$name: $ctr did not rise by $need in 120 s"
		sleep 1
	done
}

# mmap_start NAME RUNTIME: fio's mmap engine storing into a MAP_SHARED file
# of the buffer's size in the background, from the round's start; returns
# once the file is laid out and the job has run for 2 s.
mmap_start() {
	local job=$dir/$1.fio t0
	rm -f "$dir/$1.mmap"
	printf '%s\n' "[$1]" "ioengine=mmap" "rw=randwrite" "bs=16k" "size=${bufkib}k" \
		"filename=$dir/$1.mmap" "time_based=1" "runtime=$2" >"$job"
	cp "$job" "$PINWB_OUT/$1.fio"
	"$FIO" --output-format=json --output="$PINWB_OUT/$1.fio.json" "$job" \
		>"$PINWB_OUT/$1.fio.log" 2>&1 &
	pinned_pid=$!
	pinned_pids="$pinned_pids $pinned_pid"
	pinned_name=$1 pinned_kind=mmap
	t0=$(date +%s)
	while [ "$(stat -c %s "$dir/$1.mmap" 2>/dev/null || echo 0)" -lt $((bufkib * 1024)) ]; do
		kill -0 "$pinned_pid" 2>/dev/null || fail "$1: the mmap job ended before it laid out its file"
		[ $(($(date +%s) - t0)) -lt 120 ] || fail "$1: the mmap job's file not laid out in 120 s"
		sleep 1
	done
	sleep 2
}

# pinned_wait: waits for the pinned job and checks its verdict (an anonymous
# buffer leaves no buffer file for pinwb-verify).
pinned_wait() {
	local rc result kept
	if [ "$pinned_kind" = mmap ]; then
		wait "$pinned_pid" || fail "$pinned_name: the mmap job failed (see $pinned_name.fio.log)"
		rm -f "$dir/$pinned_name.mmap"
		return 0
	fi
	wait "$pinned_pid" || fail "$pinned_name: the pinned-buffer job failed"
	read -r rc result kept <"/tmp/$pinned_name.status" || fail "$pinned_name: the pinned-buffer job left no status"
	[ "$pinned_kind" = anon ] && [ "$kept" = error ] && kept=intact
	if [ "$rc" -ne 0 ] || [ "$result" != intact ] || [ "$kept" != intact ]; then
		fail "$pinned_name: fio rc=$rc, verify=$result, pinwb-verify=$kept"
	fi
}

# stats LIST: "median min max" of a list of integers.
stats() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)
		print m, v[1], v[NR] }'
}

# dirty_sampler FILE: appends nr_dirty (pages) every second until killed.
dirty_sampler() {
	while :; do
		awk '$1 == "nr_dirty" { print $2 }' /proc/vmstat >>"$1"
		sleep 1
	done
}

# one_run KIND ROUND RUNTIME: the writer alone (KIND alone) or beside a
# registered-buffer reader of KIND; sets RUN_BW to the writer's KiB/s (not a
# subshell: the reader's pid must reach cleanup).
RUN_BW=0
one_run() {
	local kind=$1 i=$2 runtime=$3 bw spid dmax
	rm -f "/tmp/pwt.dirty.$kind$i"
	case $kind in
	alone) ;;
	mmap) mmap_start "$kind$i" "$runtime" ;;
	*) pinned_start "$kind$i" "$dir" "$runtime" "$kind" ;;
	esac
	dirty_sampler "/tmp/pwt.dirty.$kind$i" &
	spid=$!
	bw=$(writer "$kind$i")
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	dmax=$(sort -n "/tmp/pwt.dirty.$kind$i" | tail -n 1)
	kv "$kind$i.nr_dirty_max_pages" "${dmax:-0}"
	if [ "$kind" != alone ]; then
		kill -0 "$pinned_pid" 2>/dev/null ||
			fail "$kind$i: the reader ended before the writer (runtime ${runtime}s): the run does not measure it"
		pinned_wait
	fi
	kv "$kind$i.writer_kib_s" "$bw"
	RUN_BW=$bw
}

# ---- part 1: A N F, F N A, ... in one boot --------------------------------
# Sets the figures the final note reports.
part1() {
	local order k bw
	snap /tmp/pwt.vmstat.a
	alone="" anon="" pinned="" mmapped="" i=1
	# Long enough to outlast the writer even if it ran 3x slower than a
	# first writer alone (which is not counted).
	bw=$(writer warmup)
	runtime=$((15 + 3 * size_kib / (bw > 0 ? bw : 1)))
	[ "$runtime" -le 600 ] || runtime=600
	kv pinned_runtime_s "$runtime"
	while [ "$i" -le "$pairs" ]; do
		order="alone anon file"
		[ $((i % 2)) -eq 0 ] && order="file anon alone"
		if [ "$with_mmap" -eq 1 ]; then
			order="alone anon file mmap"
			[ $((i % 2)) -eq 0 ] && order="mmap file anon alone"
		fi
		for k in $order; do
			one_run "$k" "$i" "$runtime"
			case $k in
			alone) alone="$alone $RUN_BW" ;;
			anon) anon="$anon $RUN_BW" ;;
			file) pinned="$pinned $RUN_BW" ;;
			mmap) mmapped="$mmapped $RUN_BW" ;;
			esac
		done
		log "round $i ($order): alone $(echo "$alone" | awk '{ print $NF }'), anon $(echo "$anon" | awk '{ print $NF }'), file $(echo "$pinned" | awk '{ print $NF }') KiB/s"
		i=$((i + 1))
	done
	snap /tmp/pwt.vmstat.b
	# shellcheck disable=SC2086,SC2046 # word splitting of the lists is wanted
	set -- $(stats $alone) $(stats $anon) $(stats $pinned)
	a_med=$1 a_min=$2 a_max=$3 n_med=$4 n_min=$5 n_max=$6 p_med=$7 p_min=$8 p_max=$9
	pct=$((p_med * 100 / (a_med > 0 ? a_med : 1)))
	npct=$((n_med * 100 / (a_med > 0 ? a_med : 1)))
	fpct=$((p_med * 100 / (n_med > 0 ? n_med : 1)))
	kv alone.writer_kib_s_median "$a_med"
	kv alone.writer_kib_s_min "$a_min"
	kv alone.writer_kib_s_max "$a_max"
	kv anon.writer_kib_s_median "$n_med"
	kv anon.writer_kib_s_min "$n_min"
	kv anon.writer_kib_s_max "$n_max"
	kv pinned.writer_kib_s_median "$p_med"
	kv pinned.writer_kib_s_min "$p_min"
	kv pinned.writer_kib_s_max "$p_max"
	kv pinned.writer_pct_of_alone "$pct"
	kv anon.writer_pct_of_alone "$npct"
	kv pinned.writer_pct_of_anon "$fpct"
	kv pairs "$pairs"
	mnote=""
	if [ "$with_mmap" -eq 1 ]; then
		# shellcheck disable=SC2086,SC2046 # word splitting of the list is wanted
		set -- $(stats $mmapped)
		kv mmap.writer_kib_s_median "$1"
		kv mmap.writer_kib_s_min "$2"
		kv mmap.writer_kib_s_max "$3"
		mpct=$((p_med * 100 / ($1 > 0 ? $1 : 1)))
		kv pinned.writer_pct_of_mmap "$mpct"
		mnote="; beside an mmap store loop of the buffer's size $1 [$2..$3] (the pinned buffer at $mpct % of it)"
	fi
	for c in gup_longterm_file_pins gup_wb_pinned_skipped gup_wb_pinned_written gup_wb_pinned_bounced gup_wb_pinned_unbounced gup_longterm_file_dirtied; do
		have_counter "$c" && kv "pinned.$c" "$(delta /tmp/pwt.vmstat.a /tmp/pwt.vmstat.b "$c")"
	done
	pins=$(delta /tmp/pwt.vmstat.a /tmp/pwt.vmstat.b gup_longterm_file_pins)
	written=$(delta /tmp/pwt.vmstat.a /tmp/pwt.vmstat.b gup_wb_pinned_written)
	bounced=$(delta /tmp/pwt.vmstat.a /tmp/pwt.vmstat.b gup_wb_pinned_bounced)
	[ "$pins" -gt 0 ] || fail "gup_longterm_file_pins did not rise: the buffer was not long-term pinned"
	[ "$written" -gt 0 ] || fail "no pinned folio was written by writeback ($bounced pages copied)"
	[ "$bounced" -gt 0 ] || fail "pinned folios were written ($written) but no copy was made"
	log "writer median KiB/s [min..max]: alone $a_med [$a_min..$a_max], anon reader $n_med [$n_min..$n_max] ($npct % of alone), file-pinned reader $p_med [$p_min..$p_max] ($fpct % of anon), $pairs rounds"
}

a_med=- a_min=- a_max=- n_med=- n_min=- n_max=- p_med=- p_min=- p_max=- pct=- npct=- fpct=- written=- bounced=- mnote=""
if [ "$inject" = none ]; then
	part1
else
	log "inject=$inject: only part 2 runs"
fi

# ---- part 2: the pinned data reaches the device within dirty_expire -------
# Only kupdate may write: the background limit out of reach.
set_sysctl dirty_bytes $((512 * 1024 * 1024))
set_sysctl dirty_background_bytes $((256 * 1024 * 1024))
[ "$inject" = no-kupdate ] && set_sysctl dirty_writeback_centisecs 0
img=/tmp/pwt.$$.img
lmnt=/tmp/pwt.$$.mnt
truncate -s 32M "$img" || fail "cannot make $img"
mke2fs -F -b 4096 "$img" >"$PINWB_OUT/mke2fs.log" 2>&1 || fail "mke2fs on $img failed (see mke2fs.log)"
loopdev=$(losetup -f) || fail "no free loop device"
losetup "$loopdev" "$img" || { loopdev=""; fail "losetup $loopdev $img failed"; }
mkdir -p "$lmnt" || fail "cannot make $lmnt"
mount -t ext4 "$loopdev" "$lmnt" || fail "cannot mount $loopdev (ext4 driver over mke2fs's ext2)"
# Background writeback runs for one device as soon as its dirty pages pass
# its share of the background limit, and that share follows the device's
# recent writeout: a fresh loop device has almost none, so its first dirty
# pages could start background writeback at once. A minimum share of half
# the limit puts it out of reach, so that only kupdate can write the buffer.
bdi=/sys/class/bdi/$(cat "/sys/block/${loopdev#/dev/}/dev")
[ -w "$bdi/min_ratio" ] || fail "no $bdi/min_ratio to keep background writeback off the loop device"
bdi_min_saved=$(cat "$bdi/min_ratio")
echo 50 >"$bdi/min_ratio" || fail "cannot set $bdi/min_ratio to 50"
buf=$lmnt/buf
# 4 KiB slots: one pinwb block header per page, so each page is found alone.
# fio thinks after thinktime_blocks blocks (with thinktime_iotime it would
# stall only after iotime + thinktime); the job ends after the think.
think=90
# Its own target directory: a target laid out with another block size is
# not reused.
mkdir -p "$dir/durable" || fail "cannot make $dir/durable"
pinned_start durable "$dir/durable" $((think + 30)) file "bs=4k" "iodepth=4" "pinwb_buffer_size=2m" \
	"pinwb_buffer_file=$buf" "thinktime=${think}s" "thinktime_blocks=2000"
# The buffer is idle once it stops changing (the job thinks, still pinned).
prev="" t0=$(date +%s)
while :; do
	cur=$(md5sum <"$buf")
	[ "$cur" = "$prev" ] && break
	prev=$cur
	[ $(($(date +%s) - t0)) -lt $((think / 2)) ] || fail "durable: the buffer never stopped changing (fio did not think?)"
	sleep 2
done
wait_s=$(((expire + 3 * wbperiod) / 100 + 5))
kv durable.wait_after_idle_s "$wait_s"
# Sectors the loop device was asked to write, and dirty pages, at idle and
# after the wait: who wrote the buffer is then on record.
lstat=/sys/block/${loopdev#/dev/}/stat
kv durable.idle_loop_sectors_written "$(awk '{ print $7 }' "$lstat")"
kv durable.idle_nr_dirty "$(counter nr_dirty)"
snap /tmp/pwt.vmstat.idle
dbg_bdi=/sys/kernel/debug/bdi/${bdi##*/}/stats
[ -r "$dbg_bdi" ] && cp "$dbg_bdi" "$PINWB_OUT/bdi-stats.idle.txt"
sleep "$wait_s"
[ -r "$dbg_bdi" ] && cp "$dbg_bdi" "$PINWB_OUT/bdi-stats.after.txt"
kv durable.after_loop_sectors_written "$(awk '{ print $7 }' "$lstat")"
kv durable.after_nr_dirty "$(counter nr_dirty)"
snap /tmp/pwt.vmstat.after
for c in nr_written gup_wb_pinned_written gup_wb_pinned_bounced gup_longterm_file_dirtied; do
	have_counter "$c" && kv "durable.wait_$c" "$(delta /tmp/pwt.vmstat.idle /tmp/pwt.vmstat.after "$c")"
done
# Snapshot first, analyse after: the device side (the image) before the
# buffer side (page cache, read without flushing), both while the job still
# thinks. Once it ends the engine syncs the buffer file, which would make
# the check pass for the wrong reason.
cp "$img" /tmp/pwt.disk.img || fail "cannot copy $img"
cp "$buf" /tmp/pwt.held.bin || fail "cannot copy $buf"
# fio, the job subshell's child, must still be running (thinking).
awk -v p="$pinned_pid" '$4 == p && $2 == "(fio)"' /proc/[0-9]*/stat 2>/dev/null | grep -q . ||
	fail "durable: fio ended before the snapshot (think ${think}s too short here)"
[ "$(md5sum </tmp/pwt.held.bin)" = "$cur" ] || fail "durable: the buffer changed again before the snapshot (think ${think}s too short here)"
# One line per 4 KiB block (od: 512 little-endian u64 words); keep the
# pinwb blocks, whose first word is the magic "PINWBBLK".
magic=4b4c4242574e4950
od -An -v -tx8 -w4096 /tmp/pwt.held.bin | awk -v m="$magic" '$1 == m' >/tmp/pwt.held
od -An -v -tx8 -w4096 /tmp/pwt.disk.img | awk -v m="$magic" '$1 == m' >/tmp/pwt.disk
rm -f /tmp/pwt.held.bin /tmp/pwt.disk.img
held=$(wc -l </tmp/pwt.held)
ondev=$(wc -l </tmp/pwt.disk)
# FILENAME, not NR == FNR: with no pinwb block on the device the first file
# is empty, NR == FNR then holds for the second one too and nothing would
# count as missing (how v3's kupdate-off fault passed).
missing=$(awk 'FILENAME == ARGV[1] { d[$0] = 1; next } !($0 in d) { n++ } END { print n + 0 }' /tmp/pwt.disk /tmp/pwt.held)
rm -f /tmp/pwt.held /tmp/pwt.disk
kv durable.blocks_held "$held"
kv durable.pinwb_blocks_on_device "$ondev"
kv durable.blocks_missing_on_device "$missing"
kv durable.inject "$inject"
[ "$held" -gt 0 ] || fail "durable: the buffer holds no pinwb block: the reads did not land"
pinned_wait
[ "$missing" -eq 0 ] || fail "durable: $missing of $held blocks the pinned buffer held were not on the device ${wait_s}s after it went idle (dirty_expire ${expire}cs, inject=$inject)"
note "dirty limits ${bgkib}/$((3 * bgkib)) KiB, buffer ${bufkib} KiB; writer median KiB/s: alone $a_med [$a_min..$a_max], beside an anonymous fixed-buffer reader $n_med [$n_min..$n_max] ($npct %), beside the same reader into a pinned re-dirtied file buffer $p_med [$p_min..$p_max] ($fpct % of anon), $pairs rounds; pinned folios written $written times, $bounced pages copied$mnote; all $held blocks of an idle pinned buffer on the device ${wait_s}s after (dirty_expire ${expire}cs)"
