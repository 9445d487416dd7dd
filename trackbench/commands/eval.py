"""``trackbench eval``: score trackers' raw results on a suite.

    trackbench eval --suite SUITE [--root DATA] [--sequences A,B,...]
                    [--rules official|pysot|got10k|pytracking] [--json] RESULT_DIR...

Each RESULT_DIR holds one tracker's results in any layout in the wild (ours, pysot,
pytracking, got10k, VOT baseline, LaSOT toolkit), or is an archive of them; the tracker's
name is the folder (archive) name, or ``parent/name`` where two RESULT_DIRs share a name.
``--root`` is the dataset folder or a pysot-style JSON annotation file. No images are
needed. Prints a table ranked by the suite's main metric, or with ``--json`` a list of
``{"tracker", "suite", "rules", "sequences", "metrics"}``.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from trackbench.commands.common import add_dataset_arguments, add_rules_argument, load_dataset, tracker_labels

_HEADERS = {
    "success_auc": "AUC", "precision": "Prec@20", "norm_precision": "NPrec", "success_50": "SR0.5",
    "success_75": "SR0.75", "fps": "FPS", "ao": "AO", "sr50": "SR0.5", "sr75": "SR0.75", "eao": "EAO",
    "accuracy": "A", "robustness": "R", "failures": "Failures",
    "f_score": "F", "lt_precision": "Pr", "lt_recall": "Re", "lt_threshold": "Threshold",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="evaluate raw tracking results (any common layout) on a suite",
        description="Evaluate trackers' raw results with the official toolkits' rules (or another profile).",
    )
    add_dataset_arguments(parser, suite_help="suite name (otb2015, lasot, vot2018, got10k-val, ...)")
    add_rules_argument(parser)
    parser.add_argument("--json", action="store_true", help="print a JSON document instead of a table")
    parser.add_argument("results", nargs="+", type=Path, metavar="RESULT_DIR",
                        help="one tracker's result folder or archive (its name is the tracker's name)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from trackbench.metrics.evaluate import evaluate, rank

    suite, dataset = load_dataset(args)
    evaluations = [evaluate(suite, dataset, path, args.rules) for path in args.results]
    for evaluation, label in zip(evaluations, tracker_labels(args.results, [e.tracker for e in evaluations])):
        evaluation.tracker = label
    evaluations = rank(evaluations, suite.family.rank_key)
    if args.json:
        print(json.dumps([e.to_json() for e in evaluations], indent=2))
    else:
        print(format_table(evaluations, suite.family.columns, f"{suite.title} ({len(dataset)} sequences, rules: {args.rules})"))
    return 0


def format_table(evaluations: list, columns: tuple[str, ...], title: str) -> str:
    """A plain-text table of the metric keys ``columns``, one row per tracker in the given order."""
    header = ["#", "Tracker", *(_HEADERS[c] for c in columns)]
    rows = []
    for rank_number, e in enumerate(evaluations, start=1):
        cells = [str(rank_number), e.tracker]
        for c in columns:
            value = e.metrics.get(c)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                cells.append("-")
            elif c in ("fps",):
                cells.append(f"{value:.1f}")
            elif c == "failures":
                cells.append(f"{value:.1f}" if value != int(value) else str(int(value)))
            else:
                cells.append(f"{value:.3f}")
        rows.append(cells)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [title, "  ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))]
    for r in rows:
        lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(lines)
