"""``trackbench analyze``: analyses of a trained model.

    trackbench analyze svd CHECKPOINT --out DIR

``svd``: singular values of IMSiam's neck-to-head sampling projection (the paper's
Fig. 7; see :mod:`trackbench.trackers.imsiam.analysis.svd`). Writes ``DIR/svd.png`` (two panels, cls and
reg), ``DIR/svd_spectra.csv`` (every singular value) and ``DIR/svd_summary.csv``, and
prints a short summary.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "analyze",
        help="analyse a trained model (svd: singular values of the IMSiam sampling projection)",
        description="Analyses of trained models.",
    )
    analyses = parser.add_subparsers(dest="analysis", metavar="ANALYSIS")
    analyses.required = True
    svd = analyses.add_parser(
        "svd",
        help="singular values of the 1x1 sampling projection split into L1-difference / identity / xcorr blocks",
        description="Singular-value analysis of an IMSiam checkpoint's sampling projection (paper Fig. 7).",
    )
    svd.add_argument("checkpoint", type=Path, help="IMSiam checkpoint (.safetensors or torch file)")
    svd.add_argument("--out", type=Path, required=True, help="output folder for svd.png and the CSV files")
    svd.set_defaults(func=run_svd)


def run_svd(args: argparse.Namespace) -> int:
    from trackbench.trackers.imsiam.analysis.svd import summary_text, write_svd_analysis

    outputs = write_svd_analysis(args.checkpoint, args.out)
    print(summary_text(outputs.analysis))
    print(f"wrote {outputs.figure}, {outputs.spectra_csv}, {outputs.summary_csv}")
    return 0
