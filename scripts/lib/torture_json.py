"""The final record of a pinwb torture run (torture.json), from the
key=value pairs scripts/torture.sh gathered. Stdlib only.

usage: python3 torture_json.py OUT key=value...
A key with dots nests (racers.drop_caches=3 -> {"racers": {"drop_caches": 3}});
a value of digits becomes an integer, true/false a boolean, "" null.
"""
import json
import sys


def typed(value):
    if value == "":
        return None
    if value in ("true", "false"):
        return value == "true"
    if value.lstrip("-").isdigit():
        return int(value)
    return value


def build(pairs):
    record = {"pinwb_torture_version": 1}
    for pair in pairs:
        if "=" not in pair:
            raise ValueError("not key=value: %r" % pair)
        key, value = pair.split("=", 1)
        node = record
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ValueError("key %r nests under a value" % key)
        node[parts[-1]] = typed(value)
    return record


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: torture_json.py OUT key=value...\n")
        return 2
    try:
        record = build(argv[2:])
    except ValueError as err:
        sys.stderr.write("torture_json.py: %s\n" % err)
        return 2
    with open(argv[1], "w") as out:
        json.dump(record, out, indent=1, sort_keys=True)
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
