#!/usr/bin/env bash
# Crash replay: replay a dm-log-writes log onto a copy of the original disk
# image up to each crash point (every FLUSH/FUA entry, or a seeded sample of
# them), let the file system recover on a throw-away copy of that state,
# mount it read-only and judge the buffer file with pinwb-logcheck file.
# The original image and the log are only read.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

prog=torture-replay # read by lib/common.sh
# shellcheck source=lib/common.sh
. "$(dirname "$(readlink -f "$0")")/lib/common.sh"
LOGCHECK=${PINWB_LOGCHECK_BIN:-$PINWB_TOP/engines/pinwb-logcheck}

usage() {
	cat <<USAGE
usage: torture-replay.sh --image IMG --log LOG --fs ext4|xfs|btrfs --file PATH
                         [--sample N] [--seed S] [--out DIR] [-- JUDGE_ARGS...]

Replays LOG onto a private copy of IMG (the device as it was when logging
started) up to each crash point, copies that state, mounts the copy
read-only (the file system replays its journal there), and judges the file
PATH (relative to the file system's root) with 'pinwb-logcheck file'.
  --sample N   check N crash points picked with --seed (always the last);
               default 0 = all of them
  --seed S     seed of the sample (default 1)
  --out DIR    write replay.json and replay.txt there (default: stdout only)
  JUDGE_ARGS   passed to pinwb-logcheck file (--bsize, --kind, --seed, --initial)
A crash point is inconsistent when the file holds a torn block or the file
system does not mount. A file not there yet at a point counts as absent.
Needs root (loop devices, mount).
Exit: 0 every checked point consistent, 1 an inconsistent point, 2 usage or setup error.
USAGE
}

image="" log="" fs="" file="" sample=0 seed=1 out=""
judge=()
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--image | --log | --fs | --file | --sample | --seed | --out)
		if [ $# -lt 2 ] || [ -z "$2" ]; then die_usage "$1 needs a value (see --help)"; fi
		case $1 in
		--image) image=$2 ;;
		--log) log=$2 ;;
		--fs) fs=$2 ;;
		--file) file=$2 ;;
		--sample) sample=$2 ;;
		--seed) seed=$2 ;;
		--out) out=$2 ;;
		esac
		shift 2
		;;
	--) shift; judge=("$@"); break ;;
	*) die_usage "unknown argument '$1' (accepted: --image, --log, --fs, --file, --sample, --seed, --out, --help, -- JUDGE_ARGS)" ;;
	esac
done
[ -f "$image" ] || die_usage "--image '$image' is not a regular file"
[ -r "$log" ] || die_usage "--log '$log' is not readable"
case $fs in
ext4 | xfs | btrfs) ;;
*) die_usage "--fs '$fs': accepted: ext4, xfs, btrfs" ;;
esac
[ -n "$file" ] || die_usage "--file PATH (the buffer file, relative to the file system root) is missing"
is_uint "$sample" || die_usage "--sample '$sample' is not a number"
is_uint "$seed" || die_usage "--seed '$seed' is not a number"
[ "$(id -u)" -eq 0 ] || die_setup "needs root (loop devices, mount)"
[ -x "$LOGCHECK" ] || die_setup "pinwb-logcheck not built at $LOGCHECK (run: make)"
if [ -n "$out" ]; then
	mkdir -p -- "$out" || die_setup "cannot create --out '$out'"
	[ ! -e "$out/replay.json" ] || die_usage "--out '$out' already holds replay.json; refusing to overwrite it"
fi

mapfile -t points < <("$LOGCHECK" points "$log") || die_setup "cannot list the crash points of $log"
"$LOGCHECK" points "$log" >/dev/null || die_setup "$log is not a readable dm-log-writes log (see above)"
total=${#points[@]}
[ "$total" -gt 0 ] || die_setup "$log has no FLUSH or FUA entry: no crash point to replay to"

# Seeded sample: the same seed picks the same points.
chosen=("${points[@]}")
if [ "$sample" -gt 0 ] && [ "$sample" -lt "$total" ]; then
	RANDOM=$seed
	declare -A pick=([$((total - 1))]=1)
	while [ ${#pick[@]} -lt "$sample" ]; do
		pick[$(((RANDOM * 32768 + RANDOM) % total))]=1
	done
	chosen=()
	for i in $(printf '%s\n' "${!pick[@]}" | sort -n); do
		chosen+=("${points[i]}")
	done
fi

install_traps
work=$(mktemp -d "${TMPDIR:-/var/tmp}/pinwb-replay.XXXXXX") || die_setup "mktemp failed"
cleanup_push rm_private_dir "$work"
cp --sparse=always -- "$image" "$work/dev.img" || die_setup "cannot copy $image"
mkdir "$work/mnt"
results=$work/results.txt
: >"$results"

mount_opts=ro
[ "$fs" != xfs ] || mount_opts=ro,nouuid

# check_point ENTRY: prints one result line (also into $results), returns 1
# when inconsistent. Runs in this shell, so the cleanup stack sees its mount.
check_point() {
	local entry=$1 dev res rc=0 txt
	cp --sparse=always -- "$work/dev.img" "$work/snap.img"
	dev=$(losetup --find --show "$work/snap.img" 2>&1) || die_setup "no free loop device: $dev"
	cleanup_push loop_detach "$dev"
	if ! txt=$(mount -t "$fs" -o "$mount_opts" "$dev" "$work/mnt" 2>&1); then
		res="inconsistent: mount failed: ${txt//$'\n'/ }"
		rc=1
	else
		cleanup_push fs_umount "$work/mnt"
		if [ ! -e "$work/mnt/$file" ]; then
			res="absent"
		else
			txt=$("$LOGCHECK" file "$work/mnt/$file" "${judge[@]}" 2>&1) || rc=$?
			case $rc in
			0) res="consistent: $(tail -n 1 <<<"$txt" | sed 's/^file check: [^:]*: //')" ;;
			1) res="inconsistent: $(grep -m 3 '^TORN' <<<"$txt" | tr '\n' ';')" ;;
			*) die_setup "pinwb-logcheck file failed at crash point $entry: $txt" ;;
			esac
		fi
		fs_umount "$work/mnt"
		unset '_pinwb_cleanup[-1]'
	fi
	loop_detach "$dev"
	unset '_pinwb_cleanup[-1]'
	rm -f -- "$work/snap.img"
	echo "crash point entry $entry: $res" | tee -a "$results"
	return "$rc"
}

prev=-1 bad=0
for p in "${chosen[@]}"; do
	"$LOGCHECK" replay "$log" "$work/dev.img" --from $((prev + 1)) --to "$p" >/dev/null ||
		die_setup "replay of entries $((prev + 1))..$p failed"
	prev=$p
	check_point "$p" || bad=$((bad + 1))
done
summary="replay: ${#chosen[@]} of $total crash points checked, $bad inconsistent"
echo "$summary"
if [ -n "$out" ]; then
	{ cat "$results"; echo "$summary"; } >"$out/replay.txt"
	awk -v total="$total" -v bad="$bad" -v n="${#chosen[@]}" '
		function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
		{ e = $4; sub(/:$/, "", e); r = $0; sub(/^[^:]*: /, "", r)
		  st = r; sub(/:.*/, "", st)
		  pts = pts (NR > 1 ? ",\n    " : "") "{\"entry\": " e ", \"result\": " q(st) ", \"detail\": " q(r) "}" }
		END { printf "{\"crash_points_total\": %d, \"crash_points_checked\": %d, \"inconsistent\": %d,\n \"points\": [\n    %s]}\n", total, n, bad, pts }
	' "$results" >"$out/replay.json"
fi
[ "$bad" -eq 0 ] || exit 1
exit 0
