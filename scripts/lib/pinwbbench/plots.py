"""gnuplot plots of a result set. Every plot is a data file NAME.dat and a
standalone script NAME.gp in OUT/plots; `cd OUT/plots && gnuplot NAME.gp`
writes NAME.png and NAME.svg. Each has a title, axis labels with units and
the kernel and machine in a subtitle.

  ratio      IOPS ratio side B / side A per cell, median bar, min-max whiskers
  latency    total latency p50/p99/p99.9 per cell and side (log scale)
  release    ns/page against pages per call (log-log), per page kind and
             method, from OUT/release.tsv (columns page_kind, batch, method,
             ns_per_page, header line first) when it is there
  integrity  lost blocks (verify mismatches) and gup_* counters per cell and
             side, when the pinwb reports have any
"""

import csv
import os
import shutil
import subprocess

from . import matrix

RELEASE_COLUMNS = ["page_kind", "batch", "method", "ns_per_page"]


def _esc(s):
    return str(s).replace("\\", "/").replace('"', "'")


def _q(s):
    return '"%s"' % str(s).replace("\\", "\\\\").replace('"', "'")


def _script(name, title, subtitle, body):
    """The .gp text: BODY (settings and one plot command) drawn as PNG, then
    replotted as SVG."""
    head = ["# %s: %s (standalone: gnuplot %s.gp writes %s.png and %s.svg)" % (
        name, title, name, name, name),
        "set terminal pngcairo noenhanced size 1000,560",
        "set output '%s.png'" % name,
        'set title "%s\\n%s"' % (_esc(title), _esc(subtitle)),
        "set key outside right top",
        "set grid ytics"]
    tail = ["set terminal svg noenhanced size 1000,560 dynamic",
            "set output '%s.svg'" % name, "replot", "unset output"]
    return "\n".join(head + body + tail) + "\n"


class Plot:
    def __init__(self, name, title, data, script):
        self.name, self.title, self.data, self.script = name, title, data, script


def ratio_plot(bench, subtitle):
    a, b = bench["sides"]
    rows = [c for c in bench["cells"] if c.get("ratio")]
    if not rows:
        return None
    data = ["# index cell median min max (IOPS %s / IOPS %s)" % (b, a)]
    for i, c in enumerate(rows):
        r = c["ratio"]
        data.append("%d %s %.6f %.6f %.6f" % (i, _q(c["label"]), r["median"], r["min"], r["max"]))
    body = ["set ylabel 'IOPS ratio %s / %s (1 = equal)'" % (b, a),
            "set xlabel 'cell (matrix axes)'",
            "set style fill solid 0.5 border -1", "set boxwidth 0.6",
            "set yrange [0:*]", "set xrange [-0.7:%f]" % (len(rows) - 0.3),
            "set xtics rotate by -15 nomirror",
            "plot 'ratio.dat' using 1:3:xtic(2) with boxes title 'median', "
            "'' using 1:3:4:5 with yerrorbars lc rgb 'black' pt 0 title 'min-max', "
            "1 with lines dt 2 lc rgb 'gray40' title 'equal'"]
    title = "IOPS ratio %s / %s per cell (%s)" % (b, a, matrix.short(bench["compare"]))
    return Plot("ratio", title, data, _script("ratio", title, subtitle, body))


def latency_plot(bench, subtitle):
    data = ["# index 'cell side' p50_us p99_us p99.9_us (total latency, median over repetitions)"]
    i = 0
    for c in bench["cells"]:
        for s in bench["sides"]:
            md = c["sides"][s]["median"]
            vals = [md.get("lat_p50_us"), md.get("lat_p99_us"), md.get("lat_p99.9_us")]
            if any(v is None for v in vals):
                continue
            data.append("%d %s %.3f %.3f %.3f" % (i, _q("%s | %s=%s" % (c["label"], matrix.short(bench["compare"]), s)), *vals))
            i += 1
    if i == 0:
        return None
    body = ["set ylabel 'total latency (submit to completion), us'",
            "set xlabel 'cell and side'", "set logscale y",
            "set style data histograms", "set style histogram clustered gap 1",
            "set style fill solid 0.6 border -1", "set xtics rotate by -15 nomirror",
            "plot 'latency.dat' using 3:xtic(2) title 'p50', '' using 4 title 'p99', "
            "'' using 5 title 'p99.9'"]
    title = "Latency percentiles per cell (with and without writeback where the matrix varies it)"
    return Plot("latency", title, data, _script("latency", title, subtitle, body))


class ReleaseTsvError(ValueError):
    pass


def read_release_tsv(path):
    """Rows of a release-cost TSV: header page_kind, batch, method, ns_per_page."""
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.DictReader(f, delimiter="\t")
        if not r.fieldnames or sorted(r.fieldnames) != sorted(RELEASE_COLUMNS):
            raise ReleaseTsvError("%s: header must be the columns %s (tab separated), got %s" % (
                path, ", ".join(RELEASE_COLUMNS), r.fieldnames))
        out = []
        for n, row in enumerate(r, 2):
            try:
                out.append((row["page_kind"], int(row["batch"]), row["method"], float(row["ns_per_page"])))
            except (TypeError, ValueError) as e:
                raise ReleaseTsvError("%s:%d: %s" % (path, n, e)) from e
    return out


def release_plot(rows, subtitle):
    if not rows:
        return None
    series = {}
    for kind, batch, method, ns in rows:
        series.setdefault((kind, method), []).append((batch, ns))
    data, plots = ["# blocks per (page kind, method): batch ns_per_page"], []
    for i, ((kind, method), pts) in enumerate(sorted(series.items())):
        if i:
            data += ["", ""]
        data.append("# %s %s" % (kind, method))
        data += ["%d %.3f" % p for p in sorted(pts)]
        plots.append("'release.dat' index %d using 1:2 with linespoints title %s" % (i, _q("%s %s" % (kind, method))))
    body = ["set logscale xy 2", "set xlabel 'pages released per call (batch)'",
            "set ylabel 'release cost, ns per page'", "plot " + ", ".join(plots)]
    title = "Release cost against batch size"
    return Plot("release", title, data, _script("release", title, subtitle, body))


# Counters of ordinary work (every release, every checked page): in the
# summary's table, left out of the plot, where they would dwarf the events.
ROUTINE_COUNTERS = {"read_check_failures", "gup_put_pages_single", "gup_put_pages_batched",
                    "gup_longterm_file_pins", "gup_stable_checked"}


def integrity_plot(bench, subtitle):
    items = [(c, s) for c in bench["cells"] for s in bench["sides"]
             if c["sides"][s].get("integrity_total")]
    # Only when there is something to count: the series' gup_* counters
    # (the detector's among them) or a lost block.
    if not any(k.startswith("gup_") or (k == "mismatches" and v)
               for c, s in items for k, v in c["sides"][s]["integrity_total"].items()):
        return None
    keys = sorted({k for c, s in items for k in c["sides"][s]["integrity_total"]
                   if k not in ROUTINE_COUNTERS})
    data = ["# index 'cell side' " + " ".join(keys) + " (totals over the repetitions)"]
    for i, (c, s) in enumerate(items):
        t = c["sides"][s]["integrity_total"]
        data.append("%d %s " % (i, _q("%s | %s=%s" % (c["label"], matrix.short(bench["compare"]), s)))
                    + " ".join(str(t.get(k, 0)) for k in keys))
    cols = ", ".join("'integrity.dat' using %d%s title %s" % (
        3 + j, ":xtic(2)" if j == 0 else "", _q("lost blocks (verify mismatches)" if k == "mismatches" else k))
        for j, k in enumerate(keys))
    body = ["set ylabel 'count (events over all repetitions)'", "set xlabel 'cell and side'",
            "set yrange [0:*]", "set style data histograms", "set style histogram clustered gap 1",
            "set style fill solid 0.6 border -1", "set xtics rotate by -15 nomirror", "plot " + cols]
    title = "Lost blocks and detector counters per cell and policy"
    return Plot("integrity", title, data, _script("integrity", title, subtitle, body))


def build(bench, subtitle, release_rows=None):
    ps = [ratio_plot(bench, subtitle), latency_plot(bench, subtitle),
          release_plot(release_rows or [], subtitle), integrity_plot(bench, subtitle)]
    return [p for p in ps if p]


def write(plots, outdir, run_gnuplot=True):
    """Write data and scripts; run gnuplot on each unless told not to.
    Returns the list of {"name", "title"} drawn; raises RuntimeError when
    gnuplot fails."""
    os.makedirs(outdir, exist_ok=True)
    done = []
    for p in plots:
        with open(os.path.join(outdir, p.name + ".dat"), "w", encoding="utf-8") as f:
            f.write("\n".join(p.data) + "\n")
        with open(os.path.join(outdir, p.name + ".gp"), "w", encoding="utf-8") as f:
            f.write(p.script)
        if run_gnuplot:
            if not shutil.which("gnuplot"):
                raise RuntimeError("gnuplot not installed (make deps installs gnuplot-nox)")
            r = subprocess.run(["gnuplot", p.name + ".gp"], cwd=outdir, capture_output=True,
                               text=True, check=False)
            if r.returncode != 0:
                raise RuntimeError("gnuplot %s.gp failed: %s" % (p.name, r.stderr.strip()[-500:]))
        done.append({"name": p.name, "title": p.title})
    return done
