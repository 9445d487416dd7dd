"""Time trackbench's evaluation on the real data in ../shared/data and compare with the got10k
package's evaluators on the same data.

    python benchmarks/eval_speed.py [--data ../shared/data] [--got10k-vot-runs 1]

Prints:
* LaSOT test set (280 sequences, 685k frames), one tracker: annotation loading, result
  reading (archive decompression separately) and the metrics; then the got10k package's
  one-pass evaluator logic (``ExperimentOTB.report``: ``np.loadtxt`` per file, ``rect_iou``,
  ``center_error``, ``_calc_curves``; 0.1.3 has no LaSOT experiment, the OTB one is what it
  would run) on the same files;
* VOT2018 (60 sequences): one run (LightTrack) and a 15-run set (the real run plus 14
  copies with regions jittered by up to 0.5 px, so no two runs are identical), A / R / EAO; then the got10k package's VOT evaluator core (``poly_iou`` per frame,
  with and without burn-in, as ``ExperimentVOT.report`` does; it has no EAO) for
  ``--got10k-vot-runs`` runs, scaled to 15 runs when fewer are timed (marked "extrapolated").
"""

from __future__ import annotations

import argparse
import shutil
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

from trackbench.metrics.evaluate import evaluate
from trackbench.results.read import ResultIndex, read_vot_results
from trackbench.suites import get_suite

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def _timed(label: str, fn, *args, **kwargs):
    """Run ``fn``; print wall-clock and CPU seconds (CPU time is less sensitive to a busy machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = fn(*args, **kwargs)
    print(f"  {label:<58s} {time.perf_counter() - start:8.2f} s wall {time.process_time() - cpu:8.2f} s CPU")
    return value


def bench_lasot(data: Path, tracker: str = "SiamRPN++") -> None:
    print(f"LaSOT test set, {tracker}")
    suite = get_suite("lasot")
    dataset = _timed("load annotations (280 sequences)", suite.load, data / "lasot")
    archive = data / "lasot" / "results" / f"{tracker}.tar.xz"
    index = _timed("read the .tar.xz archive (decompression)", ResultIndex.build, archive)
    result = _timed("parse 280 result files + all metrics (official rules)", evaluate, suite, dataset, index)
    m = result.metrics
    print(f"    AUC {m['success_auc']:.4f}  P@20 {m['precision']:.4f}  NP {m['norm_precision']:.4f}")
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        folder = next(p for p in Path(tmp).iterdir() if p.is_dir())
        _timed("trackbench evaluate() on the unpacked folder", evaluate, suite, dataset, folder)
        _timed("got10k 0.1.3 ExperimentOTB.report logic, same files", _got10k_ope, dataset, folder)


def _got10k_ope(dataset, folder: Path) -> float:
    from got10k.experiments.otb import ExperimentOTB
    from got10k.utils.metrics import center_error, rect_iou

    experiment = object.__new__(ExperimentOTB)  # only the metric methods are used
    experiment.nbins_iou, experiment.nbins_ce = 21, 51
    succ, prec = [], []
    for seq in dataset:
        boxes = np.loadtxt(folder / f"{seq.name}.txt", delimiter=",")[: len(seq)]
        anno = seq.ground_truth
        boxes[0] = anno[0]
        ious, errors = rect_iou(boxes, anno), center_error(boxes, anno)
        s, p = experiment._calc_curves(ious, errors)
        succ.append(s)
        prec.append(p)
    return float(np.mean(np.mean(succ, axis=0)))


def bench_vot(data: Path, got10k_runs: int) -> None:
    print("VOT2018, LightTrack")
    suite = get_suite("vot2018")
    dataset = _timed("load annotations (pysot JSON)", suite.load, data / "vot2018" / "VOT2018.json")
    single = data / "vot2018" / "results" / "LightTrack"
    result = _timed("1 run: read + A / R / EAO (pysot rules)", evaluate, suite, dataset, single, "pysot")
    m = result.metrics
    print(f"    EAO {m['eao']:.4f}  A {m['accuracy']:.4f}  failures {m['failures']:.0f}")
    with tempfile.TemporaryDirectory() as tmp:
        fifteen = _fifteen_runs(single, Path(tmp) / "LightTrack15")
        result = _timed("15 runs: read + A / R / EAO (pysot rules)", evaluate, suite, dataset, fifteen, "pysot")
        m = result.metrics
        print(f"    EAO {m['eao']:.4f}  A {m['accuracy']:.4f}  failures {m['failures']:.1f}")
        _timed("15 runs: read + A / R / EAO (official rules)", evaluate, suite, dataset, fifteen, "official")
    trajectories = read_vot_results(single, dataset)
    start, cpu = time.perf_counter(), time.process_time()
    _got10k_vot(dataset, trajectories, got10k_runs)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {f'got10k 0.1.3 ExperimentVOT.report core, {got10k_runs} run(s)':<58s} {elapsed:8.2f} s wall "
          f"{cpu:8.2f} s CPU")
    if got10k_runs < 15:
        print(f"  {'  same, 15 runs (extrapolated x' + str(15 // got10k_runs) + ')':<58s} {elapsed * 15 / got10k_runs:8.2f} s wall "
              f"{cpu * 15 / got10k_runs:8.2f} s CPU")


def _fifteen_runs(single: Path, target_root: Path) -> Path:
    """The real run as run 1 and 14 copies with every region moved by up to 0.5 px (same
    codes), so that no two runs are identical: a worst case for the rasteriser."""
    rng = np.random.default_rng(0)
    for seq_dir in (single / "baseline").iterdir():
        target = target_root / "baseline" / seq_dir.name
        target.mkdir(parents=True)
        source = seq_dir / f"{seq_dir.name}_001.txt"
        shutil.copy(source, target / source.name)
        lines = source.read_text().splitlines()
        for run in range(2, 16):
            out = []
            for line in lines:
                values = [float(v) for v in line.split(",")]
                if len(values) > 1:
                    values = [v + rng.uniform(-0.5, 0.5) for v in values]
                    out.append(",".join(f"{v:.4f}" for v in values))
                else:
                    out.append(line)
            (target / f"{seq_dir.name}_{run:03d}.txt").write_text("\n".join(out) + "\n")
    return target_root


def _got10k_vot(dataset, trajectories, runs: int) -> None:
    """poly_iou per frame with and without burn-in, as ExperimentVOT.report (A and R only)."""
    from got10k.utils.metrics import poly_iou

    for seq in dataset:
        bound = seq.image_size
        anno = seq.ground_truth
        for _ in range(runs):
            traj = trajectories[seq.name][0]
            boxes = [[float(c)] if c >= 0 else list(r[:4] if rect else r)
                     for c, r, rect in zip(traj.codes, traj.regions, traj.is_rect)]
            for burnin in (True, False):
                frames = list(boxes)
                if burnin:
                    for i, b in enumerate(boxes):
                        if b == [1.0]:
                            frames[i:i + 10] = [[0]] * 10
                    frames = frames[: len(anno)]
                [poly_iou(np.array(a), b, bound) if len(a) > 1 else np.nan for a, b in zip(frames, anno)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--got10k-vot-runs", type=int, default=1, help="runs timed for the got10k VOT evaluator")
    args = parser.parse_args()
    bench_lasot(args.data)
    print()
    bench_vot(args.data, args.got10k_vot_runs)


if __name__ == "__main__":
    main()
