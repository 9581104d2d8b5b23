#!/bin/sh
# shellcheck shell=dash
# Harness self-test of the pin accounting (tests/vm/pins.sh): leaks pins on
# purpose. A fio with io_uring registered buffers (fixedbufs: pinned with
# FOLL_PIN | FOLL_LONGTERM) is left running in its own session, outside the
# test's process group, so the pages stay pinned after the test ends; the
# runner must fail this test with "pin leak". (The guest powers off with fio
# still running; it reads a tmpfs file, no test file system.)
# shellcheck source=/dev/null # tests/vm/lib.sh, at its guest path
. "$PINWB_ROOT/tests/vm/lib.sh"
# shellcheck source=/dev/null # tests/vm/pins.sh, at its guest path
. "$PINWB_ROOT/tests/vm/pins.sh"
[ -x "$FIO" ] || skip "fio not in the initramfs (built with --allow-missing)"
base=$(pins_outstanding)
[ -n "$base" ] || skip "no nr_foll_pin_acquired/nr_foll_pin_released in /proc/vmstat"
dd if=/dev/zero of=/tmp/pin-leak bs=64k count=16 2>/dev/null || fail "cannot write /tmp/pin-leak"
setsid "$FIO" --name=pin-leak --ioengine=io_uring --fixedbufs=1 --filename=/tmp/pin-leak --size=1m \
	--bs=64k --iodepth=4 --rw=read --time_based=1 --runtime=86400 --thinktime=1000000 \
	>/tmp/pin-leak.log 2>&1 </dev/null &
n=0
while [ "$(pins_outstanding)" = "$base" ]; do
	[ $n -lt 120 ] || fail "fio registered no buffers within 60s: $(tail -n 1 /tmp/pin-leak.log)"
	sleep 0.5
	n=$((n + 1))
done
note "left fio (pid $!) holding $(( $(pins_outstanding) - base )) pinned pages in a registered io_uring buffer"
