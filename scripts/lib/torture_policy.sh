# shellcheck shell=bash
# The kernel settings pinwb torture runs under (--policy), in one place:
#   safe    vm.gup_writeback_policy=1, vm.longterm_pin_file_mappings=1,
#           vm.longterm_pin_file_dirty=1 (long-term file pins re-dirtied)
#   unsafe  vm.gup_writeback_policy=0, vm.longterm_pin_file_mappings=1,
#           vm.longterm_pin_file_dirty=0 (long-term file pins never
#           re-dirtied: writes through them may be lost)
#   keep    whatever the kernel has (the stock kernel has none of these)
# The "no re-dirty" setting is a sysctl in the series this was written
# against; should it move elsewhere (a debugfs knob), only
# policy_knob_path below changes. Source after lib/common.sh.

# shellcheck disable=SC2034 # read by the scripts that source this
POLICY_NAMES="safe, unsafe, keep"

# policy_knob_path NAME: where the knob NAME lives on this kernel ("" if nowhere)
policy_knob_path() {
	local p=/proc/sys/vm/$1
	[ -e "$p" ] && echo "$p"
	return 0
}

# policy_settings POLICY: "knob=value" lines for POLICY
policy_settings() {
	case $1 in
	safe) printf '%s\n' gup_writeback_policy=1 longterm_pin_file_mappings=1 longterm_pin_file_dirty=1 ;;
	unsafe) printf '%s\n' gup_writeback_policy=0 longterm_pin_file_mappings=1 longterm_pin_file_dirty=0 ;;
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
	local kv knob val path old
	POLICY_APPLIED=""
	while read -r kv; do
		[ -n "$kv" ] || continue
		knob=${kv%%=*} val=${kv#*=}
		path=$(policy_knob_path "$knob")
		[ -n "$path" ] || die_setup "--policy $1 needs $knob, which this kernel ($(uname -r)) does not have (use --policy keep)"
		read -r old <"$path"
		cleanup_push policy_write "$path" "$old"
		policy_write "$path" "$val"
		POLICY_APPLIED+="$knob=$val "
	done < <(policy_settings "$1")
	POLICY_APPLIED=${POLICY_APPLIED% }
}

policy_write() { echo "$2" >"$1" || die_setup "cannot write $2 to $1"; }
