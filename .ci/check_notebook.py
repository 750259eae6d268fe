#!/usr/bin/python3
"""Fails (exit 1) if an executed notebook has an error output in a cell not tagged raises-exception,
or a tagged cell that did not raise; prints the cells and their errors."""
import sys

import nbformat


def main(path):
    nb = nbformat.read(path, as_version=4)
    bad = 0
    cells = 0
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        cells += 1
        errors = [o for o in c.get("outputs", []) if o.get("output_type") == "error"]
        expected = "raises-exception" in c.get("metadata", {}).get("tags", [])
        if errors and not expected:
            bad += 1
            print("%s: cell %d failed: %s: %s" % (path, i, errors[0]["ename"], errors[0]["evalue"]))
        if expected and not errors:
            bad += 1
            print("%s: cell %d is tagged raises-exception but did not raise" % (path, i))
        if c.get("execution_count") is None and c.source.strip():
            bad += 1
            print("%s: cell %d did not run" % (path, i))
    print("%s: %d code cells, %d failed" % (path, cells, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(max(main(p) for p in sys.argv[1:]))
