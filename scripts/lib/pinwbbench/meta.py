"""meta.json of a result set: what ran where. Kernel release and version,
the series' sysctls when present (their presence is the series' mark; its
version is the PINWB_SERIES_VERSION the VM harness passes, when set),
every sysctl the matrix sets, file system, CPU model, TCG/KVM/none, fio and
liburing versions, the exact command and the git commit."""

import json
import os
import platform
import shutil
import subprocess
import time

SERIES_SYSCTLS = ["put_user_pages_batch", "gup_writeback_policy",
                  "longterm_pin_file_mappings"]
WB_SYSCTLS = ["dirty_ratio", "dirty_background_ratio", "dirty_expire_centisecs",
              "dirty_writeback_centisecs"]


def _read(p):
    try:
        with open(p, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return None


def _cmd(*argv):
    if not shutil.which(argv[0]):
        return None
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() or None


def vm_sysctls(names):
    out = {}
    for n in names:
        v = _read("/proc/sys/vm/" + n)
        if v is not None:
            out["vm." + n] = int(v) if v.lstrip("-").isdigit() else v
    return out


def cpu_model():
    for line in (_read("/proc/cpuinfo") or "").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or None


def virt():
    """'tcg' (QEMU without acceleration), 'kvm', another hypervisor or
    container name, or 'none'."""
    v = _cmd("systemd-detect-virt")
    if v == "qemu":
        return "tcg"
    if v:
        return v
    flags = _read("/proc/cpuinfo") or ""
    if " hypervisor" in flags:
        return "tcg" if "QEMU Virtual CPU" in flags or "QEMU TCG" in flags else "vm"
    return "none"


def load_average():
    """The 1, 5 and 15 minute load averages, as /proc/loadavg gives them:
    on a shared machine they say how much else ran beside the bench."""
    v = _read("/proc/loadavg")
    return " ".join(v.split()[:3]) if v else None


def liburing_version():
    return _cmd("pkg-config", "--modversion", "liburing") or _cmd(
        "dpkg-query", "-W", "-f=${Version}", "liburing-dev")


def git(top, *args):
    return _cmd("git", "-C", top, *args)


def collect(top, fio, command, fields, extra_sysctls=()):
    fio_version = _cmd(fio, "--version")
    commit = git(top, "rev-parse", "HEAD")
    dirty = bool(git(top, "status", "--porcelain", "--untracked-files=no")) if commit else None
    series = vm_sysctls(SERIES_SYSCTLS)
    meta = {
        "pinwb_meta_version": 2,
        "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": command,
        "kernel": platform.release(),
        "kernel_version": platform.version(),
        "series": bool(series),
        "series_version": os.environ.get("PINWB_SERIES_VERSION") or None,
        "machine": platform.machine(),
        "cpu_model": cpu_model(),
        "cpus": os.cpu_count(),
        "virt": virt(),
        "load_before": load_average(),
        "sysctls": dict(series, **vm_sysctls(extra_sysctls)),
        "writeback_sysctls": vm_sysctls(WB_SYSCTLS),
        "fio_version": fio_version,
        "liburing_version": liburing_version(),
        "git_commit": commit,
        "git_dirty": dirty,
    }
    meta.update(fields)
    return meta


def write(path, meta):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


def subtitle(meta):
    """The line every plot carries: kernel and machine."""
    if not meta:
        return "kernel ?, machine ?"
    return "kernel %s%s, %s x%s (%s), fs %s" % (
        meta.get("kernel"),
        (" +series %s" % meta["series_version"] if meta.get("series_version") else " +series")
        if meta.get("series") else "", meta.get("cpu_model"),
        meta.get("cpus"), meta.get("virt"), meta.get("fs"))
