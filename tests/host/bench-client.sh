#!/usr/bin/env bash
# pinwb bench --client: fio's client/server mode, first against two
# `fio --server` processes on loopback (127.0.0.1 and 127.0.0.2), then
# across two network namespaces this test makes (a veth pair, addresses in
# 10.231.77.0/24 that exist only inside those namespaces), each running
# `fio --server` on its own address, the bench driven from the first. Every
# row carries its host and each run's all-hosts row is the sum of its
# per-host rows. Skips (77) when namespaces cannot be made.
# tests/run-timeout: 900
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_root
need_built
command -v ip >/dev/null || skip "ip (iproute2) not installed"
command -v ss >/dev/null || skip "ss (iproute2) not installed"
make_tmp

servers=() netns=()
# Run by the EXIT trap only. The servers this test started, by pid, then
# the namespaces it made (deleting one removes its end of the veth pair).
# shellcheck disable=SC2317
cleanup() {
	local p n rc
	for p in "${servers[@]}"; do
		if kill -0 "$p" 2>/dev/null; then
			kill "$p"
		fi
		rc=0
		wait "$p" 2>/dev/null || rc=$?
		[ "$rc" -eq 0 ] || [ "$rc" -eq 143 ] || echo "note: fio server $p ended with status $rc"
	done
	for n in "${netns[@]}"; do
		ip netns del "$n" || echo "warning: could not delete netns $n"
	done
	rm -rf -- "$T"
}
trap cleanup EXIT

# start_server NS ADDR PORT: fio --server in NS (- for this one), waiting
# until it listens.
start_server() {
	local ns=$1 addr=$2 port=$3 i
	local -a pre=()
	[ "$ns" = - ] || pre=(ip netns exec "$ns")
	"${pre[@]}" "$FIO" --server="ip:$addr,$port" >"$T/server-$addr-$port.log" 2>&1 &
	servers+=("$!")
	for ((i = 0; i < 100; i++)); do
		"${pre[@]}" ss -Hltn "sport = :$port" | grep -q "$addr:$port" && return 0
		kill -0 "${servers[-1]}" 2>/dev/null || { cat "$T/server-$addr-$port.log"; fail "fio --server on $addr:$port exited"; }
		sleep 0.1
	done
	fail "fio --server on $addr:$port does not listen after 10 s"
}

# check_set DIR HOST...: rows carry the hosts, all-hosts = sum of them.
check_set() {
	local dir=$1
	shift
	local hosts
	hosts=$(printf '%s\n' "$@" | jq -R . | jq -cs .)
	jq -e --argjson h "$hosts" '.hosts == $h' "$dir/bench.json" >/dev/null ||
		fail "bench.json hosts are not $hosts"
	jq -e --argjson h "$hosts" '[.cells[].sides[] | .per_host | keys] | all(. == ($h + ["all-hosts"] | sort))' \
		"$dir/bench.json" >/dev/null || fail "per-host rows are not exactly $hosts and all-hosts"
	jq -e '[.cells[].sides[].runs[].rows] | all(
		(map(select(.host != "all-hosts") | .iops) | add) as $sum
		| (map(select(.host == "all-hosts"))[0].iops) as $all
		| ($all - $sum | fabs) < 0.001 * $sum and $sum > 0)' "$dir/bench.json" >/dev/null ||
		fail "an all-hosts row is not the sum of its hosts' rows"
	grep -q '^## Per host' "$dir/summary.md" || fail "summary.md has no per-host table"
}

port=$((20000 + RANDOM % 20000))
start_server - 127.0.0.1 "$port"
start_server - 127.0.0.2 "$port"
"$PINWB" bench --reps 1 --runtime 1 --size 16m --fs "$T" --client "127.0.0.1:$port,127.0.0.2:$port" \
	--out "$T/loop" >"$T/loop.txt" 2>&1 || { cat "$T/loop.txt"; fail "bench over loopback failed"; }
cat "$T/loop.txt"
check_set "$T/loop" "127.0.0.1,$port" "127.0.0.2,$port"
echo "loopback: per-host and all-hosts rows correct"

a=pinwbtA$$ b=pinwbtB$$
ip netns add "$a" 2>"$T/netns.err" || skip "cannot make a network namespace: $(cat "$T/netns.err")"
netns+=("$a")
ip netns add "$b" || fail "made one network namespace but not a second"
netns+=("$b")
ip -n "$a" link add veth0 type veth peer name veth1 netns "$b" || skip "cannot make a veth pair"
ip -n "$a" addr add 10.231.77.1/24 dev veth0
ip -n "$b" addr add 10.231.77.2/24 dev veth1
for n in "$a" "$b"; do
	ip -n "$n" link set lo up
done
ip -n "$a" link set veth0 up
ip -n "$b" link set veth1 up
start_server "$a" 10.231.77.1 "$port"
start_server "$b" 10.231.77.2 "$port"
printf '# one fio server per namespace\nip:10.231.77.1,%s\nip:10.231.77.2,%s\n' "$port" "$port" >"$T/hosts"
ip netns exec "$a" "$PINWB" bench --reps 1 --runtime 1 --size 16m --fs "$T" --client "$T/hosts" \
	--out "$T/netns" >"$T/netns.txt" 2>&1 || { cat "$T/netns.txt"; fail "bench across namespaces failed"; }
cat "$T/netns.txt"
check_set "$T/netns" "ip:10.231.77.1,$port" "ip:10.231.77.2,$port"
pass "fio client/server bench over loopback and across two network namespaces"
