"""``trackbench report``: one HTML page comparing result directories on one suite.

    trackbench report --suite SUITE [--root DATA] [--rules PROFILE] --out reports/NAME.html
                      [--checkpoint CKPT] [--sequences A,B,...] RESULT_DIR...

Each RESULT_DIR is one tracker's results, a folder or an archive (any layout
:mod:`trackbench.results.read` understands). Its name is the tracker's name, or
``parent/name`` where two RESULT_DIRs share a name (see
:func:`trackbench.commands.common.tracker_labels`); it is evaluated with
:func:`trackbench.metrics.evaluate.evaluate`. The page and its assets (``NAME_files/``: PNG figures, CSV and LaTeX tables) are described in
:mod:`trackbench.report.html`. Runs whose ``run.json`` records IMSiam components add an
ablation table; ``--checkpoint`` adds the singular-value analysis of that checkpoint.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trackbench.commands.common import add_dataset_arguments, load_dataset, tracker_labels
from trackbench.errors import TrackbenchError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write an HTML report comparing trackers on a suite",
        description="Evaluate result directories on a suite and write one HTML report with tables and plots.",
    )
    parser.add_argument("results", nargs="+", metavar="RESULT_DIR",
                        help="one tracker's result folder or archive; its name is the tracker's name (several allowed)")
    add_dataset_arguments(parser, suite_help="benchmark suite, e.g. otb2015, lasot, vot2018, got10k-val")
    parser.add_argument("--rules", default="official", help="metric rule profile (official, pysot, got10k, pytracking)")
    parser.add_argument("--out", required=True, type=Path, help="output page, e.g. reports/otb.html")
    parser.add_argument("--checkpoint", type=Path, default=None, help="IMSiam checkpoint: add the singular-value analysis")
    parser.add_argument("--title", default=None, help="page title (default: the suite's title)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from trackbench.metrics.evaluate import evaluate
    from trackbench.report.ablation import read_components
    from trackbench.report.html import ReportSpec, write_report
    from trackbench.report.svd import analyze_checkpoint

    if args.out.suffix.lower() not in (".html", ".htm"):
        raise TrackbenchError("--out must name an .html file", args.out)
    result_dirs = [Path(d) for d in args.results]
    for directory in result_dirs:
        if not directory.exists():
            raise TrackbenchError("result directory (or archive) not found", directory)
    svd = analyze_checkpoint(args.checkpoint) if args.checkpoint is not None else None
    suite, dataset = load_dataset(args)
    evaluations = [evaluate(suite, dataset, directory, args.rules) for directory in result_dirs]
    names = tracker_labels(result_dirs, [e.tracker for e in evaluations])
    for evaluation, name in zip(evaluations, names):
        evaluation.tracker = name
    components = {}
    for name, directory in zip(names, result_dirs):
        record = read_components(directory)
        if record is not None:
            components[name] = record
    spec = ReportSpec(
        suite_name=suite.name, family=suite.family, title=args.title or suite.title, rules=args.rules,
        eao_interval=suite.eao_interval, dataset_sequences=len(dataset),
    )
    page = write_report(args.out, evaluations, spec, components=components, svd=svd)
    print(f"report: {page} ({len(evaluations)} trackers, {len(dataset)} sequences; assets in {page.stem}_files/)")
    return 0
