"""The got10k package's one-pass evaluator, run as a whole process on the same files as
``trackbench eval`` (the peer side of ``benchmarks/peer_speed.py``).

    python benchmarks/got10k_peer.py --anno-dir DIR --delimiter comma|any RESULT_DIR...

got10k 0.1.3 has no ``ExperimentLaSOT`` and its ``LaSOT`` dataset class cannot be built
(``_check_integrity`` is called with one argument too many), so this script gives the real
``got10k.experiments.otb.ExperimentOTB.report`` (the evaluator of OTB, UAV123, DTB70,
NfS, TColor128; plots included) a minimal dataset object: it lists ``<anno-dir>/<seq>.txt``
and loads each annotation in ``__getitem__`` with ``np.loadtxt`` the way got10k's own
dataset classes do (``LaSOT``: ``delimiter=','``; ``OTB``: commas replaced by spaces).
Each RESULT_DIR holds ``<seq>.txt`` files (got10k's ``result_dir/<tracker>/<seq>.txt``);
result files longer than the ground truth are truncated in a copy first because got10k
asserts equal lengths. ``--no-plots`` leaves out got10k's matplotlib plots.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
from pathlib import Path

import numpy as np


class _Annotations:
    """What got10k's dataset classes return: ``(img_files, anno)`` per sequence."""

    def __init__(self, anno_dir: Path, names: list[str], delimiter: str):
        self.seq_names = names
        self.anno_files = [str(anno_dir / f"{n}.txt") for n in names]
        self.delimiter = delimiter

    def __len__(self) -> int:
        return len(self.seq_names)

    def __getitem__(self, index: int):
        if self.delimiter == "comma":  # got10k.datasets.lasot.LaSOT.__getitem__
            anno = np.loadtxt(self.anno_files[index], delimiter=",")
        else:  # got10k.datasets.otb.OTB.__getitem__
            with open(self.anno_files[index]) as handle:
                anno = np.loadtxt(io.StringIO(handle.read().replace(",", " ")))
        return [], anno


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anno-dir", type=Path, required=True)
    parser.add_argument("--names", type=Path, help="sequence list file (default: every <anno-dir>/*.txt)")
    parser.add_argument("--delimiter", choices=("comma", "any"), default="comma")
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument("results", nargs="+", type=Path)
    args = parser.parse_args()

    from got10k.experiments.otb import ExperimentOTB

    if args.names:
        names = [line.strip() for line in args.names.read_text().splitlines() if line.strip()]
    else:
        names = sorted(p.stem for p in args.anno_dir.glob("*.txt"))
    experiment = object.__new__(ExperimentOTB)
    experiment.dataset = _Annotations(args.anno_dir, names, args.delimiter)
    experiment.nbins_iou, experiment.nbins_ce = 21, 51
    if args.no_plots:
        experiment.plot_curves = lambda tracker_names: None
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "results"
        root.mkdir()
        for folder in args.results:
            os.symlink(folder.resolve(), root / folder.name)
        experiment.result_dir = str(root)
        experiment.report_dir = str(Path(tmp) / "reports")
        performance = experiment.report([folder.name for folder in args.results])
    for name, record in performance.items():
        overall = record["overall"]
        print(f"{name}: success {overall['success_score']:.4f} precision {overall['precision_score']:.4f}")


if __name__ == "__main__":
    main()
