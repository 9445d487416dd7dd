"""``trackbench export TRACKER_DIR --suite SUITE --format FORMAT --out DIR``: our results
in another toolkit's layout (see :data:`trackbench.results.convert.EXPORT_FORMATS`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trackbench.commands.common import add_dataset_arguments, load_dataset


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write trackbench results in another toolkit's layout",
        description="Write the results in TRACKER_DIR (OUT/SUITE/TRACKER/) into DEST in the layout of "
        "pysot, pytracking, got10k, the LaSOT toolkit, the VOT toolkit or the OTB MATLAB toolkit (.mat).",
    )
    parser.add_argument("tracker_dir", metavar="TRACKER_DIR", help="our result folder, e.g. results/otb2015/KCF")
    add_dataset_arguments(parser, suite_help="suite of the results")
    # the formats are checked by export_results: importing the converters here would slow every command
    parser.add_argument("--format", required=True,
                        help="target layout: pysot, pytracking, got10k, lasot, vot or otb-mat")
    parser.add_argument("--out", "--dest", dest="dest", required=True,
                        help="folder to write (the tracker folder of the target toolkit; --dest: older name)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from trackbench.results.convert import export_results

    suite, dataset = load_dataset(args)
    summary = export_results(Path(args.tracker_dir), suite, dataset, Path(args.dest), args.format)
    print(f"exported {summary.tracker} ({args.format}): {summary.sequences} sequences, "
          f"{len(summary.files)} files -> {summary.destination}")
    return 0
