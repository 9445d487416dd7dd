"""``trackbench datasets check --suite SUITE [--root DIR] [--sequences A,B] [--images]``: load
a suite's dataset and print what was found (sequences, frames, images, absent frames,
attributes, tags), or the one-line error naming the first bad file. With ``--images`` every
frame is decoded (truncated or undecodable images are listed, one line each, exit 2). The
suite may also be given positionally (``datasets check SUITE``)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from trackbench.commands.common import add_dataset_arguments, parse_sequences
from trackbench.errors import TrackbenchError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "datasets",
        help="check that a suite's dataset is found and readable",
        description="Dataset utilities. Layouts: datasets/README.md.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    check = actions.add_parser(
        "check",
        help="load a suite's dataset and print counts (or the first problem)",
        description="Load a suite's dataset as `trackbench run`/`eval` would and summarise it.",
    )
    check.add_argument("suite_name", nargs="?", metavar="SUITE", help="same as --suite")
    add_dataset_arguments(check, required=False)
    check.add_argument("--images", action="store_true",
                       help="also decode every frame of every sequence (in parallel, with a progress bar)")
    check.add_argument("--workers", type=int, default=None, help="decoding threads for --images (default: CPUs)")
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    from trackbench.suites import get_suite, resolve_root

    if args.suite and args.suite_name and args.suite != args.suite_name:
        raise TrackbenchError(f"two suites given: {args.suite_name!r} and --suite {args.suite!r}")
    name = args.suite or args.suite_name
    if not name:
        raise TrackbenchError("which suite? give --suite SUITE (see `trackbench list suites`)")
    suite = get_suite(name)
    dataset = suite.load(args.root, parse_sequences(args.sequences), require_images=args.images,
                         absent_flag=args.absent_flag)
    for line in summary_lines(suite.name, str(resolve_root(suite.name, args.root)), dataset):
        print(line)
    if args.images:
        problems = decode_all_frames(dataset, args.workers)
        for problem in problems:
            print(f"trackbench: error: {problem}", file=sys.stderr)
        print(f"  frames decoded: {dataset.total_frames - len(problems)} of {dataset.total_frames}")
        if problems:
            return 2
    return 0


def decode_all_frames(dataset: Any, workers: int | None = None) -> list[str]:
    """Decode every frame (:func:`trackbench.imageio.read_rgb`) in a thread pool (OpenCV
    releases the GIL), with a tqdm progress bar; returns one line per bad frame."""
    from concurrent.futures import ThreadPoolExecutor

    from tqdm import tqdm

    from trackbench.imageio import read_rgb

    def decode(path) -> str | None:
        try:
            read_rgb(path)
        except TrackbenchError as exc:
            return str(exc)
        return None

    frames = [frame for seq in dataset for frame in seq.frames]
    workers = workers or min(8, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(tqdm(pool.map(decode, frames), total=len(frames), unit="frame", desc="decoding",
                            disable=None, file=sys.stderr))
    return [r for r in results if r is not None]


def summary_lines(suite_name: str, root: str, dataset: Any) -> list[str]:
    """Human-readable counts of a loaded dataset."""
    sequences = list(dataset)
    with_images = sum(1 for s in sequences if s.has_images())
    lines = [
        f"suite {suite_name}: {root}",
        f"  sequences: {len(sequences)}",
        f"  frames: {dataset.total_frames}",
        f"  sequences with images: {with_images}",
    ]
    polygons = sum(1 for s in sequences if s.is_polygon)
    if polygons:
        lines.append(f"  sequences with polygon ground truth: {polygons}")
    flagged = [s for s in sequences if s.absent is not None]
    if flagged:
        lines.append(f"  absent frames: {sum(int(s.absent.sum()) for s in flagged)} (in {len(flagged)} sequences)")
    nan_rows = sum(int(s.missing_gt.sum()) for s in sequences)
    if nan_rows:
        lines.append(f"  frames without ground truth (NaN): {nan_rows}")
    sized = sum(1 for s in sequences if s.image_size is not None)
    lines.append(f"  sequences with a known image size: {sized}")
    attributes: dict[str, int] = {}
    tags: dict[str, int] = {}
    for s in sequences:
        for name, flag in s.attributes.items():
            attributes[name] = attributes.get(name, 0) + int(flag)
        for name, flags in s.tags.items():
            tags[name] = tags.get(name, 0) + int(flags.sum())
    if attributes:
        lines.append("  attributes (sequences): " + ", ".join(f"{k} {v}" for k, v in attributes.items()))
    if tags:
        lines.append("  tags (frames): " + ", ".join(f"{k} {v}" for k, v in tags.items()))
    return lines
