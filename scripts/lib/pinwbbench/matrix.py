"""Matrix files: one `key = v1, v2, ...` line per axis or setting, `#`
comments. The file declares which axis is compared (exactly two values, the
baseline first); every combination of the other axes is a cell, and each
cell runs `reps` pairs of the two sides in alternating order (AB, BA, AB ...)
so that drift over time falls on both sides alike.

Axes (default when absent):
  engine   pinwb | fio                               (pinwb)
  buffer   file | shmem | anon | hugetlb             (file)
  io       uring | uring-fixed | sync                (uring)
  wb       none | default | MODE+MODE...             (none)  writeback driver
  rw       randread | randwrite | read | write       (randread)
  bs       size, a multiple of 4k                    (4k)
  iodepth  1..4096                                   (32)
  sysctl vm.NAME   integer values set before each run (not set)
Settings: compare = AXIS (required), reps = N (>= 5), runtime = S (10),
size = target file size (64m).
"""

import itertools
import re

AXES = {
    "engine": ["pinwb"],
    "buffer": ["file"],
    "io": ["uring"],
    "wb": ["none"],
    "rw": ["randread"],
    "bs": ["4k"],
    "iodepth": ["32"],
}
ORDER = ["engine", "buffer", "io", "wb", "rw", "bs", "iodepth"]
SETTINGS = {"compare", "reps", "runtime", "size"}
WB_MODES = {"sfr", "fdatasync", "msync_sync", "dontneed", "touch"}
MIN_REPS = 5


class MatrixError(ValueError):
    """A bad matrix file; the message names the file and line."""


def size_bytes(text):
    m = re.fullmatch(r"([0-9]+)([kKmMgG]?)", text)
    if not m:
        return None
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]
    return int(m.group(1)) * mult


def _check_value(key, v):
    """None if V is a valid value of axis KEY, else the accepted values."""
    ok = {
        "engine": ("pinwb", "fio"),
        "buffer": ("file", "shmem", "anon", "hugetlb"),
        "io": ("uring", "uring-fixed", "sync"),
        "rw": ("randread", "randwrite", "read", "write"),
    }
    if key in ok:
        return None if v in ok[key] else ", ".join(ok[key])
    if key == "wb":
        if v in ("none", "default") or all(m in WB_MODES for m in v.split("+")):
            return None
        return "none, default or modes joined by '+' from " + ", ".join(sorted(WB_MODES))
    if key == "bs":
        b = size_bytes(v)
        return None if b and b % 4096 == 0 else "a size that is a multiple of 4k (e.g. 4k, 64k)"
    if key == "iodepth":
        return None if v.isdigit() and 1 <= int(v) <= 4096 else "an integer 1..4096"
    if key.startswith("sysctl "):
        return None if re.fullmatch(r"-?[0-9]+", v) else "integers"
    return None


class Matrix:
    def __init__(self, path, axes, lines, settings):
        self.path = path
        self.axes = axes          # key -> [values]
        self.lines = lines        # key -> line number (for messages)
        self.compare = settings["compare"]
        self.reps = settings["reps"]
        self.runtime = settings["runtime"]
        self.size = settings["size"]

    def axis_keys(self):
        extra = sorted(k for k in self.axes if k.startswith("sysctl "))
        return ORDER + extra

    def sides(self):
        return list(self.axes[self.compare])

    def cells(self):
        """[{axis: value}] over every axis but the compared one."""
        keys = [k for k in self.axis_keys() if k != self.compare]
        out = []
        for combo in itertools.product(*(self.axes[k] for k in keys)):
            out.append(dict(zip(keys, combo)))
        return out

    def to_json(self):
        return {"file": self.path, "compare": self.compare, "sides": self.sides(),
                "axes": {k: self.axes[k] for k in self.axis_keys()},
                "reps": self.reps, "runtime_s": self.runtime, "size": self.size}


def _err(path, n, msg):
    return MatrixError("%s:%d: %s" % (path, n, msg))


def parse(text, path="<matrix>"):
    axes, lines, settings = {}, {}, {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" not in line:
            raise _err(path, n, "expected 'key = value, value...', got '%s'" % line)
        key, _, rhs = line.partition("=")
        key = " ".join(key.split())
        values = [v.strip() for v in rhs.split(",")]
        if key in lines:
            raise _err(path, n, "'%s' given again (first on line %d)" % (key, lines[key]))
        if any(not v for v in values):
            raise _err(path, n, "'%s' has an empty value" % key)
        if len(set(values)) != len(values):
            raise _err(path, n, "'%s' lists a value twice" % key)
        lines[key] = n
        if key in SETTINGS:
            if len(values) != 1:
                raise _err(path, n, "'%s' takes one value" % key)
            settings[key] = (values[0], n)
            continue
        if key.startswith("sysctl "):
            name = key[len("sysctl "):]
            if not re.fullmatch(r"vm\.[a-z0-9_]+", name):
                raise _err(path, n, "sysctl '%s' is not a vm.NAME sysctl" % name)
        elif key not in AXES:
            raise _err(path, n, "unknown key '%s' (accepted: %s, sysctl vm.NAME)" % (
                key, ", ".join(ORDER + sorted(SETTINGS))))
        for v in values:
            bad = _check_value(key, v)
            if bad:
                raise _err(path, n, "%s: '%s' is not one of %s" % (key, v, bad))
        axes[key] = values
    for k, d in AXES.items():
        axes.setdefault(k, list(d))
    if "compare" not in settings:
        raise _err(path, max(list(lines.values()) or [0]) + 1,
                   "no 'compare = AXIS' line (which axis's two values are compared)")
    cmp_axis, cn = settings["compare"]
    if cmp_axis not in axes:
        raise _err(path, cn, "compare: '%s' is not an axis of this file (%s)" % (
            cmp_axis, ", ".join(k for k in axes)))
    if len(axes[cmp_axis]) != 2:
        raise _err(path, lines.get(cmp_axis, cn),
                   "the compared axis '%s' needs exactly two values, baseline first" % cmp_axis)
    reps, rn = settings.get("reps", ("5", 0))
    if not reps.isdigit() or int(reps) < MIN_REPS:
        raise _err(path, rn, "reps: '%s' is not an integer >= %d" % (reps, MIN_REPS))
    runtime, tn = settings.get("runtime", ("10", 0))
    if not runtime.isdigit() or int(runtime) < 1:
        raise _err(path, tn, "runtime: '%s' is not a positive number of seconds" % runtime)
    size, sn = settings.get("size", ("64m", 0))
    if not size_bytes(size):
        raise _err(path, sn, "size: '%s' is not a size (e.g. 64m)" % size)
    m = Matrix(path, axes, lines, {"compare": cmp_axis, "reps": int(reps),
                                   "runtime": int(runtime), "size": size})
    _check_cells(m)
    return m


def run_axes(m, cell, side):
    """The full axis assignment of one side of a cell."""
    a = dict(cell)
    a[m.compare] = side
    return a


def _check_cells(m):
    """Combinations the fio engine cannot run, named by the line at fault."""
    for cell in m.cells():
        for side in m.sides():
            a = run_axes(m, cell, side)
            if a["engine"] != "fio":
                continue
            if a["wb"] != "none":
                raise _err(m.path, m.lines.get("wb", m.lines.get("engine", 0)),
                           "wb: '%s' needs the pinwb engine (fio's own engine has no writeback "
                           "driver); use wb = none with engine = fio" % a["wb"])
            if a["buffer"] == "hugetlb":
                raise _err(m.path, m.lines.get("buffer", 0),
                           "buffer: hugetlb is for the pinwb engine only")


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise MatrixError("%s: cannot read (%s)" % (path, e.strerror)) from e
    return parse(text, path)


def short(axis):
    """An axis as labels show it: 'sysctl vm.NAME' as NAME."""
    return axis.replace("sysctl vm.", "")


def label(cell, keys=None):
    """Short label of a cell: only the axes that vary in the matrix."""
    keys = keys if keys is not None else list(cell)
    return " ".join("%s=%s" % (short(k), cell[k]) for k in keys) or "all"


def varying(m):
    """Axes other than the compared one that have more than one value."""
    return [k for k in m.axis_keys() if k != m.compare and len(m.axes[k]) > 1]


def plan(m, reps=None):
    """Runs in order: for each repetition, every cell as a pair whose order
    alternates with the repetition (AB in even ones, BA in odd ones)."""
    reps = reps or m.reps
    cells = m.cells()
    runs = []
    for r in range(reps):
        for ci, cell in enumerate(cells):
            pair = m.sides() if r % 2 == 0 else list(reversed(m.sides()))
            for pos, side in enumerate(pair):
                runs.append({"cell": ci, "rep": r, "side": side, "pos": pos,
                             "axes": run_axes(m, cell, side)})
    return runs
