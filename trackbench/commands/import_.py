"""``trackbench import SOURCE... --suite SUITE``: published raw results -> our layout.

Each SOURCE is one tracker's results: a folder or archive in the pysot, pytracking,
got10k, VOT or LaSOT-toolkit layout, or a folder of OTB MATLAB ``<seq>_<tracker>.mat``
files. They are written to ``OUT/SUITE/TRACKER/`` (see :mod:`trackbench.results.convert`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trackbench.commands.common import add_dataset_arguments, load_dataset
from trackbench.errors import TrackbenchError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="convert published raw results into trackbench's layout",
        description="Convert raw results (pysot, pytracking, got10k, VOT, LaSOT toolkit, OTB .mat) "
        "into OUT/SUITE/TRACKER/ so that `trackbench eval` and `report` can use them.",
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="a tracker's result folder or archive")
    add_dataset_arguments(parser, suite_help="suite the results belong to (see `trackbench list suites`)")
    parser.add_argument("--out", default="results", help="results folder (default: results)")
    parser.add_argument("--tracker-name", help="result folder name (default: the source's name); one SOURCE only")
    parser.add_argument("--strict", action="store_true",
                        help="refuse result files whose length differs from the ground truth (default: warn)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from trackbench.results.convert import import_results

    if args.tracker_name and len(args.sources) > 1:
        raise TrackbenchError("--tracker-name needs a single SOURCE")
    suite, dataset = load_dataset(args)
    for source in args.sources:
        summary = import_results(Path(source), suite, dataset, Path(args.out), args.tracker_name, strict=args.strict)
        note = ""
        if summary.corner_sequences:
            note = f" (x1,y1,x2,y2 boxes converted in {len(summary.corner_sequences)} sequence(s))"
        print(f"imported {summary.tracker}: {summary.sequences} sequences -> {summary.destination}{note}")
    return 0
