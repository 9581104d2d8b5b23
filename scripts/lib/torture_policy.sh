# shellcheck shell=bash
# The kernel settings pinwb torture runs under (--policy), in one place:
#   safe    vm.gup_writeback_policy=1, vm.longterm_pin_file_mappings=1,
#           the io_uring re-dirty fault off (debugfs
#           io_uring/skip_file_redirty=0, when the kernel has it)
#   unsafe  vm.gup_writeback_policy=0, vm.longterm_pin_file_mappings=1,
#           io_uring/skip_file_redirty=1 (long-term file pins never
#           re-dirtied: writes through them may be lost)
#   keep    whatever the kernel has (the stock kernel has none of these)
# safe and unsafe also switch the series' stable-page detector on (debugfs
# gup_stable/enable=1) where the kernel has it: it is off at boot, and an
# off detector counts nothing. A knob with a "/" lives under debugfs
# (mounted for the run if it is not); a trailing "?" makes it optional.
# Source after lib/common.sh.

# shellcheck disable=SC2034 # read by the scripts that source this
POLICY_NAMES="safe, unsafe, keep"

# policy_knob_path NAME: where the knob NAME lives on this kernel ("" if nowhere)
policy_knob_path() {
	local p=/proc/sys/vm/$1
	case $1 in */*) p=$POLICY_DEBUGFS/$1 ;; esac
	[ -e "$p" ] && echo "$p"
	return 0
}

POLICY_DEBUGFS=/sys/kernel/debug

# policy_debugfs: mount debugfs for the run unless it is there (and
# unmount it at the end, cleanup_push)
policy_debugfs() {
	grep -qs " $POLICY_DEBUGFS debugfs " /proc/mounts && return 0
	[ -d "$POLICY_DEBUGFS" ] || return 0
	mount -t debugfs debugfs "$POLICY_DEBUGFS" 2>/dev/null || return 0
	cleanup_push umount "$POLICY_DEBUGFS"
}

# policy_settings POLICY: "knob=value" lines for POLICY
policy_settings() {
	case $1 in
	safe) printf '%s\n' gup_writeback_policy=1 longterm_pin_file_mappings=1 'io_uring/skip_file_redirty?=0' 'gup_stable/enable?=1' ;;
	unsafe) printf '%s\n' gup_writeback_policy=0 longterm_pin_file_mappings=1 io_uring/skip_file_redirty=1 'gup_stable/enable?=1' ;;
	keep) ;;
	*) return 2 ;;
	esac
}

policy_valid() { policy_settings "$1" >/dev/null; }

# policy_apply POLICY: set its knobs, registering the restore of each old
# value first (cleanup_push); a knob this kernel lacks is a setup error
# (the run would not test what it says). Sets POLICY_APPLIED to
# "knob=value ..." as set.
policy_apply() {
	local kv knob val path old optional
	POLICY_APPLIED=""
	[ "$1" = keep ] || policy_debugfs
	while read -r kv; do
		[ -n "$kv" ] || continue
		knob=${kv%%=*} val=${kv#*=} optional=0
		case $knob in *\?) knob=${knob%\?} optional=1 ;; esac
		path=$(policy_knob_path "$knob")
		[ -n "$path" ] || [ "$optional" -eq 0 ] || continue
		[ -n "$path" ] || die_setup "--policy $1 needs $knob, which this kernel ($(uname -r)) does not have (use --policy keep)"
		read -r old <"$path"
		cleanup_push policy_write "$path" "$old"
		policy_write "$path" "$val"
		POLICY_APPLIED+="$knob=$val "
	done < <(policy_settings "$1")
	POLICY_APPLIED=${POLICY_APPLIED% }
}

policy_write() { echo "$2" >"$1" || die_setup "cannot write $2 to $1"; }
