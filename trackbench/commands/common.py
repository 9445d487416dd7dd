"""Arguments and helpers shared by the sub-commands (``--suite/--root/--sequences``, tracker labels)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trackbench.errors import TrackbenchError

if TYPE_CHECKING:
    from trackbench.sequence import Dataset
    from trackbench.suites import Suite


def add_dataset_arguments(
    parser: argparse.ArgumentParser,
    *,
    suite_help: str = "suite name (see `trackbench list suites`)",
    sequences: bool = True,
    required: bool = True,
) -> None:
    """Add ``--suite`` (``required`` by default), ``--root`` and, if ``sequences``,
    ``--sequences`` (a comma-separated subset, read with :func:`parse_sequences`)."""
    parser.add_argument("--suite", required=required, help=suite_help)
    parser.add_argument("--root", help="dataset folder, or a pysot-style JSON annotation file, of the suite")
    parser.add_argument("--absent-flag", choices=("visible", "absent"),
                        help="what a 1 means in a pysot JSON's 'absent' lists (default: inferred, with a warning; "
                             "pysot's LaSOT.json uses visible)")
    if sequences:
        parser.add_argument("--sequences", help="comma-separated subset of sequences")


def add_rules_argument(parser: argparse.ArgumentParser) -> None:
    """``--rules``: the metric rule profile (:data:`trackbench.metrics.profiles.PROFILES`),
    with the same choices and default on every command."""
    from trackbench.metrics.profiles import PROFILES

    parser.add_argument("--rules", default="official", choices=sorted(PROFILES),
                        help="metric rule profile (default: official toolkits)")


def parse_sequences(text: str | None) -> list[str] | None:
    """``"a,b , c"`` -> ``["a", "b", "c"]``; ``None`` stays ``None``; only commas -> error."""
    if text is None:
        return None
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise TrackbenchError("--sequences is empty")
    return names


def load_dataset(args: argparse.Namespace, **options: Any) -> tuple["Suite", "Dataset"]:
    """``(suite, dataset)`` from the ``--suite/--root[/--sequences]`` arguments (``options``
    go to :meth:`trackbench.suites.Suite.load`, e.g. ``require_images=True``)."""
    from trackbench.suites import get_suite

    suite = get_suite(args.suite)
    if getattr(args, "absent_flag", None) is not None:
        options.setdefault("absent_flag", args.absent_flag)
    return suite, suite.load(args.root, parse_sequences(getattr(args, "sequences", None)), **options)


def tracker_labels(result_paths: list[str | Path], names: list[str]) -> list[str]:
    """Labels of trackers read from ``result_paths`` whose own names are ``names`` (the
    folder or archive names): the name, or ``parent/name`` for names given by more than one
    path (``a/X``, ``b/X``). Still ambiguous (the same folder twice) -> TrackbenchError."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    labels = []
    for path, name in zip(result_paths, names):
        parent = Path(path).absolute().parent.name if counts[name] > 1 else ""
        labels.append(f"{parent}/{name}" if parent else name)
    seen: dict[str, str] = {}
    for path, label in zip(result_paths, labels):
        if label in seen:
            raise TrackbenchError(
                f"{seen[label]} and {path} would both be labelled {label!r}: rename one of the result folders"
            )
        seen[label] = str(path)
    return labels
