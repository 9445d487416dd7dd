"""``trackbench list trackers|suites``: what can be run, and on what.

``list trackers``: every tracker registered in the ``trackbench.trackers`` entry-point
group, with the distribution that registered it and whether it declares itself
deterministic. ``list suites``: every benchmark suite with its family, protocol, the
dataset root it resolves to (``--root`` rules of :func:`trackbench.suites.resolve_root`)
and whether that root exists. ``--json`` prints the same as a JSON list.
"""

from __future__ import annotations

import argparse
import json
from typing import Any



def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "list",
        help="list registered trackers or benchmark suites",
        description="List the trackers registered as plugins, or the benchmark suites and where their data is.",
    )
    parser.add_argument("what", choices=["trackers", "suites"], help="what to list")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    parser.set_defaults(func=run)


def tracker_rows() -> list[dict[str, Any]]:
    """One dict per registered tracker: name, source, deterministic (True/False/None), target."""
    from trackbench.registry import available_trackers  # scans entry points: only when listing

    return [
        {"name": info.name, "source": info.source, "deterministic": info.deterministic, "target": info.target}
        for info in available_trackers().values()
    ]


def suite_rows() -> list[dict[str, Any]]:
    """One dict per suite: name, title, family, protocol, root (resolved) and whether it exists."""
    from trackbench.suites import list_suites, resolve_root

    rows = []
    for suite in list_suites():
        root = resolve_root(suite.name, None)
        rows.append(
            {
                "name": suite.name,
                "title": suite.title,
                "family": suite.family.name,
                "protocol": suite.protocol,
                "root": str(root),
                "exists": root.exists(),
            }
        )
    return rows


def format_table(rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> str:
    """Left-aligned text table with a header; ``columns`` = ``[(key, header), ...]``."""
    cells = [[header for _, header in columns]]
    for row in rows:
        cells.append([_cell(row[key]) for key, _ in columns])
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in cells)


def _cell(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "?"
    return str(value)


def run(args: argparse.Namespace) -> int:
    if args.what == "trackers":
        rows = tracker_rows()
        columns = [("name", "NAME"), ("source", "SOURCE"), ("deterministic", "DETERMINISTIC"), ("target", "TARGET")]
    else:
        rows = suite_rows()
        columns = [("name", "NAME"), ("family", "FAMILY"), ("protocol", "PROTOCOL"), ("root", "ROOT"),
                   ("exists", "EXISTS")]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(format_table(rows, columns))
    return 0
