"""``trackbench report``: one HTML page comparing result directories on one suite.

    trackbench report --suite SUITE [--root DATA] [--rules PROFILE] --out FOLDER [--html NAME]
                      [--checkpoint CKPT] [--sequences A,B,...] RESULT_DIR...

``--out`` is a folder, as on every command: the page is ``FOLDER/index.html`` (or
``FOLDER/NAME.html`` with ``--html NAME``), its assets ``FOLDER/index_files/``.

Each RESULT_DIR is one tracker's results, a folder or an archive (any layout
:mod:`trackbench.results.read` understands). Its name is the tracker's name, or
``parent/name`` where two RESULT_DIRs share a name (see
:func:`trackbench.commands.common.tracker_labels`); it is evaluated with
:func:`trackbench.metrics.evaluate.evaluate`. The page and its assets (PNG figures, CSV and LaTeX tables) are described in
:mod:`trackbench.report.html`. Plugins add options and sections through the
``trackbench.report_sections`` entry points (:mod:`trackbench.report.sections`): IMSiam's
ablation table of runs whose ``run.json`` records its components, and ``--checkpoint``
with the singular-value analysis of a checkpoint.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trackbench.commands.common import add_dataset_arguments, add_rules_argument, load_dataset, tracker_labels
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
    add_rules_argument(parser)
    parser.add_argument("--out", required=True, type=Path, help="output folder: writes OUT/index.html and OUT/index_files/")
    parser.add_argument("--html", default="index", metavar="NAME",
                        help="page name inside --out (default: index -> OUT/index.html)")
    from trackbench.report.sections import section_modules

    for module in section_modules():
        module.add_arguments(parser)
    parser.add_argument("--title", default=None, help="page title (default: the suite's title)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from trackbench.metrics.evaluate import evaluate
    from trackbench.report.html import ReportSpec, write_report
    from trackbench.report.sections import section_modules

    page_path = report_page(args.out, args.html)
    result_dirs = [Path(d) for d in args.results]
    for directory in result_dirs:
        if not directory.exists():
            raise TrackbenchError("result directory (or archive) not found", directory)
    sections = [section for module in section_modules() for section in module.report_sections(args)]
    suite, dataset = load_dataset(args)
    evaluations = [evaluate(suite, dataset, directory, args.rules) for directory in result_dirs]
    names = tracker_labels(result_dirs, [e.tracker for e in evaluations])
    for evaluation, name in zip(evaluations, names):
        evaluation.tracker = name
    spec = ReportSpec(
        suite_name=suite.name, family=suite.family, title=args.title or suite.title, rules=args.rules,
        eao_interval=suite.eao_interval, dataset_sequences=len(dataset),
    )
    page = write_report(page_path, evaluations, spec, sections=sections, result_dirs=dict(zip(names, result_dirs)))
    print(f"report: {page} ({len(evaluations)} trackers, {len(dataset)} sequences; assets in {page.stem}_files/)")
    return 0


def report_page(out: Path, html: str) -> Path:
    """``OUT/NAME.html``; ``--out`` naming an .html file, or a NAME with a folder part, is
    an error (``--out`` is always a folder)."""
    if out.suffix.lower() in (".html", ".htm"):
        raise TrackbenchError("--out is a folder (the page is OUT/index.html); use --html NAME to name the page", out)
    name = html[: -len(".html")] if html.lower().endswith(".html") else html
    if not name or Path(name).name != name or name in (".", ".."):
        raise TrackbenchError(f"--html {html!r}: expected a plain page name such as 'index' or 'otb'")
    return out / f"{name}.html"
