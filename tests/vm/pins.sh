# shellcheck shell=dash
# Pin accounting for the in-VM suites (sourced by run-suite.sh and the peers'
# tests under busybox sh). The kernel counts every FOLL_PIN page taken and
# given back (nr_foll_pin_acquired, nr_foll_pin_released in /proc/vmstat);
# once a test's processes are gone, what it pinned must all be released.
# io_uring unpins registered buffers from a work item after the ring's last
# reference is dropped, so the count is given time to settle.

# pins_outstanding: acquired - released, or "" on a kernel without the counters.
pins_outstanding() {
	awk '$1 == "nr_foll_pin_acquired" { a = $2; f++ } $1 == "nr_foll_pin_released" { r = $2; f++ }
		END { if (f == 2) print a - r }' /proc/vmstat
}

# pins_settle BASE SECONDS: wait up to SECONDS for the outstanding count to be
# back at BASE; prints the last count; status 0 when it is.
pins_settle() {
	local base=$1 n=0 limit=$(($2 * 2)) cur
	while :; do
		cur=$(pins_outstanding)
		if [ "$cur" = "$base" ]; then echo "$cur"; return 0; fi
		if [ "$n" -ge "$limit" ]; then echo "$cur"; return 1; fi
		sleep 0.5
		n=$((n + 1))
	done
}

# pgroup_alive PGID: a process of that process group still exists.
pgroup_alive() {
	# Field 5 of /proc/PID/stat is the process group (comm has no spaces
	# for the programs the suites run).
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v g="$1" '$5 == g { f = 1 } END { exit !f }'
}

# pgroup_reap PGID SECONDS: give the group SECONDS to end, then kill what is left.
pgroup_reap() {
	local n=0 limit=$(($2 * 2))
	while pgroup_alive "$1"; do
		if [ "$n" -ge "$limit" ]; then
			kill -KILL -"$1" 2>/dev/null
			sleep 1
			return 1
		fi
		sleep 0.5
		n=$((n + 1))
	done
	return 0
}

# pins_verdict BEFORE AFTER: "leak: ..." when pages stayed pinned (the
# failure), else "excess: ..." when more were released than counted as
# pinned. The excess is no leak and upstream has it: folio_add_pin(), which
# fs/direct-io.c uses for every extra reference to a page in a DIO (exfat
# here), pins without adding to nr_foll_pin_acquired, and the unpin counts.
pins_verdict() {
	local d=$(($2 - $1))
	if [ "$d" -gt 0 ]; then
		echo "leak: pin leak: $d pages pinned and not released (nr_foll_pin_acquired - nr_foll_pin_released $1 -> $2)"
	else
		echo "excess: $((-d)) more pages released than counted as pinned (folio_add_pin() pins uncounted, e.g. fs/direct-io.c)"
	fi
}
