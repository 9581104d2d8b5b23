"""Reading the JSON files of a result set."""

import json


def load_json(path):
    """The JSON document in PATH, or None when it is missing or unreadable
    (callers say what its absence means)."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
