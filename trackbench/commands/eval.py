"""``trackbench eval``: score trackers' raw results on a suite.

    trackbench eval --suite SUITE [--root DATA] [--sequences A,B,...]
                    [--rules official|pysot|got10k|pytracking|vot-toolkit] [--strict]
                    [--per-sequence] [--json] RESULT_DIR...

Each RESULT_DIR holds one tracker's results in any layout in the wild (ours, pysot,
pytracking, got10k, VOT baseline, LaSOT toolkit), or is an archive of them; the tracker's
name is the folder (archive) name, or ``parent/name`` where two RESULT_DIRs share a name.
``--root`` is the dataset folder or a pysot-style JSON annotation file. No images are
needed. Prints a table ranked by the suite's main metric, or with ``--json`` a list of
``{"tracker", "suite", "rules", "sequences", "metrics", "length_mismatches", "warnings"}``
(plus ``"per_sequence"`` with ``--per-sequence``, which also prints one table per tracker
with a row per sequence, as pysot's ``eval.py -s`` and got10k's ``seq_wise`` report).
Result files with more or fewer rows than the ground truth are handled as the profile's
toolkit does, one warning line each (:mod:`trackbench.results.lengths`); ``--strict``
makes that an error.

``--ci`` adds 95 % bootstrap intervals over sequences (10,000 seeded resamples,
:mod:`trackbench.metrics.bootstrap`) to every score, and a paired test of each tracker
against the next one in the ranking ("tie" when the ranking is not supported at 5 %);
with ``--json`` each object gains ``"intervals"`` and ``"vs_next"``. Column headings are
the labels of :mod:`trackbench.metrics.names`, as in the HTML report.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from trackbench.commands.common import add_dataset_arguments, add_rules_argument, load_dataset, tracker_labels

from trackbench.metrics import names


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="evaluate raw tracking results (any common layout) on a suite",
        description="Evaluate trackers' raw results with the official toolkits' rules (or another profile).",
    )
    add_dataset_arguments(parser, suite_help="suite name (otb2015, lasot, vot2018, got10k-val, ...)")
    add_rules_argument(parser)
    parser.add_argument("--strict", action="store_true",
                        help="refuse result files whose length differs from the ground truth (default: "
                             "adjust as the profile's toolkit does, with a warning)")
    parser.add_argument("--per-sequence", action="store_true",
                        help="also give every sequence's scores (a table per tracker, or 'per_sequence' in --json)")
    parser.add_argument("--threads", type=int, help="threads of the numeric libraries (default: $OMP_NUM_THREADS "
                        "if set, else the usable cores)")
    parser.add_argument("--json", action="store_true", help="print a JSON document instead of a table")
    parser.add_argument("--ci", action="store_true",
                        help="95%% bootstrap intervals over sequences and paired tests of adjacent trackers")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap resamples (with --ci)")
    parser.add_argument("results", nargs="+", type=Path, metavar="RESULT_DIR",
                        help="one tracker's result folder or archive (its name is the tracker's name)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from trackbench.execution.threads import apply_threads, choose_threads
    from trackbench.metrics.evaluate import evaluate, rank
    from trackbench.table_cache import background_writes

    apply_threads(choose_threads(args.threads))

    with background_writes():  # cache entries written while the next files are parsed
        suite, dataset = load_dataset(args)
        evaluations = [evaluate(suite, dataset, path, args.rules, strict=args.strict)
                       for path in _progress(args.results)]
    for evaluation, label in zip(evaluations, tracker_labels(args.results, [e.tracker for e in evaluations])):
        evaluation.tracker = label
    evaluations = rank(evaluations, suite.family.rank_key)
    stats = None
    if args.ci:
        from trackbench.metrics.bootstrap import significance

        stats = significance(evaluations, suite.family.rank_key, seed=args.seed)
    if args.json:
        documents = [e.to_json(per_sequence=args.per_sequence) for e in evaluations]
        if stats is not None:
            ties = stats.tie_with_next()
            for document, e in zip(documents, evaluations):
                document["intervals"] = {k: i.to_json() for k, i in stats.intervals.get(e.tracker, {}).items()}
                document["vs_next"] = ties[e.tracker].to_json() if e.tracker in ties else None
        print(json.dumps(documents, indent=2))
        return 0
    print(format_table(evaluations, suite.family.columns, f"{suite.title} ({len(dataset)} sequences, rules: {args.rules})",
                       stats))
    if args.per_sequence:
        for e in evaluations:
            print()
            print(format_sequence_table(e))
    return 0


def _progress(results: list[Path]) -> Any:
    """The trackers with a progress bar on a terminal (tqdm, imported only then: with its
    logging import it costs 10-20 ms, and tqdm shows nothing on a pipe anyway)."""
    if not sys.stderr.isatty():
        return results
    from tqdm import tqdm

    return tqdm(results, desc="eval", unit="tracker", leave=False)


def format_sequence_table(evaluation: Any) -> str:
    """One row per sequence of ``evaluation.per_sequence`` (the metric columns present there)."""
    table = evaluation.per_sequence
    if table is None:
        return f"{evaluation.tracker}: no per-sequence scores"
    columns = [c for c in table.columns if c in names.BY_KEY]
    header = ["Sequence", *(names.label(c) for c in columns)]
    rows = [[str(name), *(names.format_value(c, row[c]).replace("–", "-") for c in columns)]
            for name, row in table.iterrows()]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [f"{evaluation.tracker} per sequence ({len(rows)})"]
    for r in [header, *rows]:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(lines)


def format_table(evaluations: list, columns: tuple[str, ...], title: str, stats=None) -> str:
    """A plain-text table of the metric keys ``columns``, one row per tracker in the given
    order; with ``stats`` (a :class:`trackbench.metrics.bootstrap.Significance`) each score
    gains its interval ``[low, high]`` and a last column compares the tracker with the next."""
    header = ["#", "Tracker", *(names.label(c) for c in columns)]
    ties = stats.tie_with_next() if stats is not None else {}
    if stats is not None:
        header.append("vs next (p)")
    rows = []
    for rank_number, e in enumerate(evaluations, start=1):
        cells = [str(rank_number), e.tracker]
        for c in columns:
            text = names.format_value(c, e.metrics.get(c))
            interval = stats.intervals.get(e.tracker, {}).get(c) if stats is not None else None
            if interval is not None and text != "–":
                text += f" [{names.format_value(c, interval.low)}, {names.format_value(c, interval.high)}]"
            cells.append(text.replace("–", "-"))
        if stats is not None:
            pair = ties.get(e.tracker)
            cells.append("" if pair is None else f"{'tie' if pair.tie else 'better'} ({pair.bootstrap_p:.3f})")
        rows.append(cells)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [title, "  ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))]
    for r in rows:
        lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    if stats is not None:
        lines.append(f"[low, high]: {100 * stats.confidence:.0f}% bootstrap interval over sequences "
                     f"({stats.resamples} resamples, seed {stats.seed}); vs next: paired bootstrap p-value on "
                     f"{names.label(stats.rank_key)} (tie: p >= 0.05, Wilcoxon too)")
    return "\n".join(lines)
