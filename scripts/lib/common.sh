# shellcheck shell=bash disable=SC2034
# Helpers shared by scripts/pinwb, scripts/bench.sh and tests/: paths of the
# built tools, error exits, a cleanup stack run by the EXIT trap, a guarded
# child process, and the test file system (loop-mounted image or a directory).
# Source it; it defines functions and variables only.

PINWB_TOP=${PINWB_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# Overridable for VM images and for trying out other builds.
PINWB_FIO=${PINWB_FIO:-$PINWB_TOP/build/fio-3.33/fio}
PINWB_ENGINE_SO=${PINWB_ENGINE_SO:-$PINWB_TOP/engines/pinwb.so}
PINWB_VERIFY_BIN=${PINWB_VERIFY_BIN:-$PINWB_TOP/engines/pinwb-verify}
# The contract's sysctls (engines/README.md, kernel interface in the brief).
PINWB_SYSCTLS=(put_user_pages_batch gup_writeback_policy longterm_pin_file_mappings)

prog=${prog:-pinwb}

# Exit 2: bad command line or a machine that cannot run this.
die_usage() { echo "$prog: $*" >&2; exit 2; }
die_setup() { echo "$prog: $*" >&2; exit 2; }
warn() { echo "$prog: warning: $*" >&2; }
note() { echo "$prog: $*"; }

# --- cleanup stack -----------------------------------------------------------
# cleanup_push CMD ARGS... records a command; cleanup_run runs them newest
# first. install_traps makes every exit path (normal, error, Ctrl-C, TERM,
# HUP) run the stack exactly once, after stopping a running child.
_pinwb_cleanup=()
_pinwb_child=
cleanup_push() {
	local q
	q=$(printf '%q ' "$@")
	_pinwb_cleanup+=("$q")
}
cleanup_run() {
	local i
	stop_child
	for ((i = ${#_pinwb_cleanup[@]} - 1; i >= 0; i--)); do
		eval "${_pinwb_cleanup[i]}" || warn "cleanup step failed: ${_pinwb_cleanup[i]}"
	done
	_pinwb_cleanup=()
}
install_traps() {
	trap cleanup_run EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# run_child CMD ARGS...: run CMD in the background and wait for it, so that a
# signal reaches our trap at once; the trap then stops the child (TERM, then
# KILL after 10 s) before unmounting anything. Returns CMD's exit status.
run_child() {
	local rc=0
	"$@" &
	_pinwb_child=$!
	wait "$_pinwb_child" || rc=$?
	_pinwb_child=
	return "$rc"
}
# fio forks one process per job and each calls setsid(), so neither killing
# fio nor its process group reaches them: stop the whole tree by pid.
descendants() {
	local c
	for c in $(pgrep -P "$1"); do
		echo "$c"
		descendants "$c"
	done
}
stop_child() {
	local pid=$_pinwb_child i p alive
	local -a tree
	[ -n "$pid" ] || return 0
	_pinwb_child=
	kill -0 "$pid" 2>/dev/null || return 0
	mapfile -t tree < <(echo "$pid"; descendants "$pid")
	kill -TERM "${tree[@]}" 2>/dev/null || warn "could not signal all of ${tree[*]}"
	for ((i = 0; i < 100; i++)); do
		alive=()
		for p in "${tree[@]}"; do
			kill -0 "$p" 2>/dev/null && alive+=("$p")
		done
		[ ${#alive[@]} -gt 0 ] || break
		sleep 0.1
	done
	if [ ${#alive[@]} -gt 0 ]; then
		warn "fio processes ${alive[*]} ignored TERM for 10 s, killing them"
		kill -KILL "${alive[@]}" 2>/dev/null || warn "could not kill ${alive[*]}"
	fi
	wait "$pid" 2>/dev/null || return 0
}

# --- checks ------------------------------------------------------------------
need_built() {
	[ -x "$PINWB_FIO" ] || die_setup "fio not built at $PINWB_FIO (run: make)"
	[ -f "$PINWB_ENGINE_SO" ] || die_setup "engine not built at $PINWB_ENGINE_SO (run: make)"
}
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
is_size() { [[ $1 =~ ^[0-9]+[KkMmGgTt]?$ ]]; }

# Does DIR hold any file matching one of the globs?
dir_has() {
	local dir=$1 g
	shift
	for g in "$@"; do
		compgen -G "$dir/$g" >/dev/null && return 0
	done
	return 1
}

# --- the file system under test ----------------------------------------------
# fs_setup WHAT IMAGE_SIZE
#   WHAT ext4|xfs|btrfs: sparse image in a private temp dir, loop device,
#   mkfs, mount; all undone by the cleanup stack. Needs root.
#   WHAT anything else: an existing directory; a private subdirectory is made
#   in it (and removed afterwards) so no file of the user's is touched.
# Sets FS_KIND (ext4, xfs, btrfs, or the directory's fs type), FS_DIR (where
# fio puts its files), FS_SOURCE (loop device or the directory).
fs_setup() {
	local what=$1 size=$2 tmp dev out
	case $what in
	ext4 | xfs | btrfs)
		[ "$(id -u)" -eq 0 ] ||
			die_setup "--fs $what needs root (loop device, mkfs, mount); run as root, or pass --fs DIR to use an existing directory"
		command -v losetup >/dev/null || die_setup "losetup not found (make deps)"
		command -v "mkfs.$what" >/dev/null || die_setup "mkfs.$what not found (make deps)"
		if [ ! -e /dev/loop-control ]; then
			modprobe loop 2>/dev/null || warn "modprobe loop failed"
			[ -e /dev/loop-control ] || die_setup "no loop device support (/dev/loop-control missing)"
		fi
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/pinwb.XXXXXX") || die_setup "mktemp failed"
		cleanup_push rm_private_dir "$tmp"
		truncate -s "$size" "$tmp/fs.img" || die_setup "cannot create a $size image in $tmp"
		dev=$(losetup --find --show "$tmp/fs.img" 2>&1) ||
			die_setup "no free loop device: $dev"
		cleanup_push loop_detach "$dev"
		case $what in
		ext4) out=$(mkfs.ext4 -q -F "$dev" 2>&1) ;;
		xfs) out=$(mkfs.xfs -q -f "$dev" 2>&1) ;;
		btrfs) out=$(mkfs.btrfs -q -f "$dev" 2>&1) ;;
		esac || die_setup "mkfs.$what on $dev ($size image) failed: $out"
		mkdir "$tmp/mnt"
		out=$(mount -t "$what" "$dev" "$tmp/mnt" 2>&1) || die_setup "mount $dev failed: $out"
		cleanup_push fs_umount "$tmp/mnt"
		FS_KIND=$what FS_DIR=$tmp/mnt FS_SOURCE=$dev
		;;
	*)
		[ -d "$what" ] ||
			die_usage "--fs: '$what' is not ext4, xfs, btrfs or an existing directory"
		[ -w "$what" ] || die_setup "--fs: directory '$what' is not writable"
		FS_DIR=$(mktemp -d "$what/pinwb-run.XXXXXX") || die_setup "cannot create a directory in '$what'"
		cleanup_push rm_private_dir "$FS_DIR"
		FS_KIND=$(findmnt -n -o FSTYPE --target "$what" 2>/dev/null || stat -f -c %T "$what")
		FS_SOURCE=$(cd "$what" && pwd)
		;;
	esac
}

fs_umount() {
	local mnt=$1 i
	for ((i = 0; i < 50; i++)); do
		mountpoint -q "$mnt" || return 0
		umount "$mnt" 2>/dev/null && return 0
		sleep 0.2
	done
	warn "$mnt still busy, detaching it lazily"
	umount -l "$mnt"
}

loop_detach() {
	local dev=$1
	losetup -d "$dev" || { warn "losetup -d $dev failed"; return 1; }
}

# Remove a directory this tool created, never crossing into a mount.
rm_private_dir() {
	local dir=$1
	[ -d "$dir" ] || return 0
	if awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { found = 1 } END { exit !found }' /proc/mounts; then
		warn "not removing $dir: something is still mounted under it"
		return 1
	fi
	rm -rf -- "$dir"
}
