"""``trackbench show``: one sequence with every tracker's boxes, as a video, a key-frame
strip and an IoU timeline.

    trackbench show RESULT_DIR... --suite SUITE --sequence NAME [--root DATA]
                    [--out FOLDER] [--names A=Name,...] [--styles styles.yaml]

Writes into ``--out`` (default ``reports/show``), named by the sequence's slug: ``<sequence>.webm`` (or ``.webp`` where
no WebM encoder opens), ``<sequence>-strip.jpg`` and ``<sequence>-iou.png``; without the
sequence's images, only the IoU timeline. Each RESULT_DIR is one tracker's results (any
layout ``eval`` reads); colours and names are those the report would use
(:mod:`trackbench.report.styles`), ranked by the tracker's score on this sequence.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trackbench.commands.common import add_dataset_arguments, load_dataset, tracker_labels
from trackbench.errors import TrackbenchError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "show",
        help="draw trackers' boxes on one sequence: video, key frames, IoU over time",
        description="Draw every tracker's results and the ground truth on one sequence's frames.",
    )
    parser.add_argument("results", nargs="+", type=Path, metavar="RESULT_DIR",
                        help="one tracker's result folder or archive (several allowed)")
    add_dataset_arguments(parser, sequences=False)
    parser.add_argument("--sequence", required=True, help="the sequence to show")
    parser.add_argument("--out", type=Path, default=Path("reports") / "show", help="output folder (default: reports/show)")
    parser.add_argument("--names", help="display names: TRACKER=Name,... ")
    parser.add_argument("--styles", type=Path, help="styles.yaml with colours and names to keep")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from trackbench.report.html import slugify
    from trackbench.report.playback import read_playbacks
    from trackbench.report.plots import save_figure
    from trackbench.report.styles import assign_styles, parse_names, read_styles
    from trackbench.report.viewer import build_sequence_view
    from trackbench.results.read import ResultIndex

    for directory in args.results:
        if not directory.exists():
            raise TrackbenchError("result directory (or archive) not found", directory)
    args.sequences = None
    suite, dataset = load_dataset(args)
    sequence = dataset.get(args.sequence)
    if sequence is None:
        raise TrackbenchError(f"suite {suite.name!r} has no sequence {args.sequence!r}", dataset.root)
    indices = [ResultIndex.build(directory) for directory in args.results]
    names = tracker_labels(args.results, [index.source.name for index in indices])
    playbacks = {name: read_playbacks(index, dataset, sequence, suite.family.protocol, suite.corner_rule or "x+w")
                 for name, index in zip(names, indices)}
    order = sorted(playbacks, key=lambda n: -float(np.nan_to_num(np.nanmean(playbacks[n].iou), nan=-1.0))
                   if np.any(np.isfinite(playbacks[n].iou)) else 1.0)
    styles = assign_styles(order, names=parse_names(args.names), saved=read_styles(args.styles) if args.styles else None)
    stem = slugify(sequence.name, "sequence")
    view = build_sequence_view(sequence, playbacks, styles, args.out, stem)
    timeline = save_figure(view.timeline, args.out / f"{stem}-iou.png", dpi=150)
    written = [p for p in (view.video, view.strip, timeline) if p is not None]
    note = "" if view.video is not None else " (no images found: IoU timeline only)"
    print(f"show: {sequence.name}, {len(playbacks)} trackers, {view.frames} frames -> "
          + ", ".join(str(p) for p in written) + note)
    return 0
