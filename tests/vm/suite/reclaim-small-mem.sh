#!/bin/sh
# shellcheck shell=dash
# Reclaim while pages are pinned: most of the guest's memory is taken by an
# unswappable tmpfs file (no swap), then a pinwb job runs O_DIRECT reads and
# writes through a buffer file larger than what is left, so the page cache of
# the buffer is reclaimed (and written back) while other slots are pinned
# under I/O. Integrity must hold and pgsteal must show that reclaim ran.
# Any kernel.
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"

require_engine
fs=$(first_fs)
dir=$(fs_dir "$fs") || fail "$fs not mounted"

# Leave about 160 MiB available, then use a buffer of 2.5 times that.
left_mb=160
avail_mb=$(awk '$1 == "MemAvailable:" { print int($2 / 1024) }' /proc/meminfo)
hog_mb=$((avail_mb - left_mb))
hog=/tmp/reclaim-hog
cleanup() {
	umount "$hog" 2>/dev/null
	rmdir "$hog" 2>/dev/null
}
trap cleanup EXIT
if [ "$hog_mb" -gt 0 ]; then
	mkdir -p "$hog"
	mount -t tmpfs -o "size=${hog_mb}m" tmpfs "$hog" || fail "cannot mount the tmpfs hog"
	fallocate -l "${hog_mb}m" "$hog/hog" || fail "cannot allocate the ${hog_mb} MiB hog"
fi
buf_mb=$((left_mb * 5 / 2))
kv mem_available_mb "$avail_mb"
kv hog_mb "$hog_mb"
kv buffer_mb "$buf_mb"
log "MemAvailable ${avail_mb} MiB, hog ${hog_mb} MiB, buffer ${buf_mb} MiB"

runtime=15
[ "$LONG" -eq 1 ] && runtime=60
snap /tmp/vmstat.a
pinwb_run reclaim "$dir" "rw=randrw" "bs=64k" "size=128m" "pinwb_io=sync" "pinwb_buffer=file" \
	"pinwb_buffer_size=${buf_mb}m" "pinwb_wb_modes=sfr,touch" "pinwb_wb_interval_us=2000" \
	"runtime=$runtime"
snap /tmp/vmstat.b
for c in pgsteal_kswapd pgsteal_direct pgsteal_file pgscan_file allocstall_normal nr_foll_pin_acquired; do
	kv "$c" "$(delta /tmp/vmstat.a /tmp/vmstat.b "$c")"
done
expect_intact reclaim
steal=$(delta /tmp/vmstat.a /tmp/vmstat.b pgsteal_file)
[ "$steal" != missing ] || fail "pgsteal_file missing from /proc/vmstat"
[ "$steal" -gt 0 ] || fail "pgsteal_file did not move: no reclaim happened (buffer ${buf_mb} MiB, ${left_mb} MiB left)"
note "buffer ${buf_mb} MiB with ~${left_mb} MiB free: pgsteal_file +$steal, verify intact"
