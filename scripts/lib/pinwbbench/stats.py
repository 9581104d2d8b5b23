"""Order statistics used by every summary: median with min and max, and the
relative spread of repetitions (what compare uses as a run's own noise)."""

import statistics


def med_min_max(values):
    """{"median", "min", "max", "n"} of the non-None values, or None."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}


def rel_spread(values):
    """(max - min) / median of the values; 0 for fewer than two."""
    v = [x for x in values if x is not None]
    if len(v) < 2:
        return 0.0
    m = statistics.median(v)
    return (max(v) - min(v)) / m if m else 0.0
