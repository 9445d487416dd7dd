"""The got10k package's evaluators, run as a whole process on the same files as
``trackbench eval`` (the peer side of ``benchmarks/peer_speed.py``).

    python benchmarks/got10k_peer.py ope --anno-dir DIR [--names LIST] [--delimiter comma|any] RESULT_DIR...
    python benchmarks/got10k_peer.py vot --json VOT2018.json --bounds DIR RESULT_DIR...

``vot``: the real ``got10k.experiments.vot.ExperimentVOT.report`` (accuracy and robustness
with got10k's ``poly_iou`` per frame, with and without burn-in; got10k has no EAO) on the
pysot-layout JSON annotations. ``report`` reads each sequence's image size from its first
image, so ``--bounds DIR`` holds one blank ``<seq>.png`` of that size per sequence (written
by the driver before timing); got10k 0.1.3 uses ``np.NaN``, gone in numpy 2 (restored as an
alias of ``np.nan``), and builds a ragged array in ``_calc_iou`` that numpy 2 refuses (the
same loop, with each IoU made a float, replaces it).

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


class _VotSequences:
    """What got10k's ``VOT`` dataset returns with ``return_meta``: ``(img_files, anno, meta)``."""

    def __init__(self, annotations: dict, bounds: Path):
        self.seq_names = sorted(annotations)
        self.annotations = annotations
        self.bounds = bounds

    def __len__(self) -> int:
        return len(self.seq_names)

    def __getitem__(self, index: int):
        name = self.seq_names[index]
        record = self.annotations[name]
        anno = np.array(record["gt_rect"], dtype=np.float64)
        meta = {}
        for tag in ("camera_motion", "illum_change", "occlusion", "size_change", "motion_change"):
            flags = np.zeros(len(anno), dtype=bool)  # tag lists may end early or be empty (pysot JSON)
            values = np.asarray(record.get(tag, []), dtype=bool)[: len(anno)]
            flags[: len(values)] = values
            meta[tag] = flags
        return [str(self.bounds / f"{name}.png")] * len(anno), anno, meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="kind", required=True)
    ope = sub.add_parser("ope")
    ope.add_argument("--anno-dir", type=Path, required=True)
    ope.add_argument("--names", type=Path, help="sequence list file (default: every <anno-dir>/*.txt)")
    ope.add_argument("--delimiter", choices=("comma", "any"), default="comma")
    ope.add_argument("--no-plots", action="store_true")
    vot = sub.add_parser("vot")
    vot.add_argument("--json", type=Path, required=True)
    vot.add_argument("--bounds", type=Path, required=True)
    for p in (ope, vot):
        p.add_argument("results", nargs="+", type=Path)
    args = parser.parse_args()
    if args.kind == "vot":
        run_vot(args)
    else:
        run_ope(args)


def report(experiment, results: list[Path]) -> dict:
    """``experiment.report`` over the tracker folders ``results``, linked into a temporary
    ``result_dir/<tracker>/`` as got10k expects (its report files go there too)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "results"
        root.mkdir()
        for folder in results:
            os.symlink(folder.resolve(), root / folder.name)
        experiment.result_dir = str(root)
        experiment.report_dir = str(Path(tmp) / "reports")
        return experiment.report([folder.name for folder in results])


def run_vot(args) -> None:
    import json

    np.NaN = np.nan  # got10k 0.1.3 predates numpy 2
    from got10k.experiments.vot import ExperimentVOT
    from got10k.utils.metrics import poly_iou

    def calc_iou(self, boxes, anno, bound, burnin=False):
        """got10k's ``ExperimentVOT._calc_iou`` (same loop), with ``poly_iou``'s one-element
        array made a float: numpy 2 no longer builds a ragged array of those and NaNs."""
        if burnin:
            boxes = boxes.copy()
            for ind in [i for i, box in enumerate(boxes) if box == [1.0]]:
                boxes[ind:ind + self.burnin] = [[0]] * self.burnin
        return np.array([float(np.squeeze(poly_iou(np.array(a), b, bound))) if len(a) > 1 else np.nan
                         for a, b in zip(boxes, anno)])

    ExperimentVOT._calc_iou = calc_iou
    experiment = object.__new__(ExperimentVOT)
    experiment.dataset = _VotSequences(json.loads(args.json.read_text()), args.bounds)
    experiment.skip_initialize, experiment.burnin, experiment.repetitions = 5, 10, 15
    experiment.tags = ["camera_motion", "illum_change", "occlusion", "size_change", "motion_change", "empty"]
    performance = report(experiment, args.results)
    for name, record in performance.items():
        print(f"{name}: accuracy {record['accuracy']:.4f} robustness {record['robustness']:.4f}")


def run_ope(args) -> None:
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
    performance = report(experiment, args.results)
    for name, record in performance.items():
        overall = record["overall"]
        print(f"{name}: success {overall['success_score']:.4f} precision {overall['precision_score']:.4f}")


if __name__ == "__main__":
    main()
