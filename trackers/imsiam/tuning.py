"""Choosing a trained IMSiam's epoch and tracking hyper-parameters on GENERATED validation data::

    python -m trackbench.trackers.imsiam.tuning --run runs/imsiam_nano --model imsiam_nano \\
        --out runs/imsiam_nano_tuning --window-influence 0.3,0.45 --scale-lr 0.25,0.4

The validation sequences are rendered by :mod:`trackbench.data.synthetic` from the seeds
``[seed, i]`` (default seed 20261205, never a training seed of the shipped recipes and never
the demo suite's integer seeds 101..108) and written once in OTB layout under
``<out>/validation`` (:func:`write_validation_set`). Every exported epoch of the training run
``--run`` (``checkpoints/model_eNNN.safetensors``) is run on them with each
``(window_influence, scale_lr, penalty_k, size_update)`` of the grid and scored with the official OTB rules
(success AUC, Prec@20); the table goes to ``<out>/tuning.csv`` and the best row is printed.
No real sequence is involved: choosing on the evaluation sequences would make their score
meaningless. Finished sequences are skipped on a re-run (the runner resumes).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from trackbench.errors import TrackbenchError
from trackbench.trackers.imsiam.config import SIZE_UPDATES

VALIDATION_SEED = 20261205


@dataclass(frozen=True)
class ValidationSet:
    """Generated validation sequences: ``count`` sequences of ``length`` frames, 320 x 240,
    ``difficulty`` in [0, 1], target height / width log-uniform in ``aspect``, target shapes
    drawn from ``figures`` (:mod:`trackbench.data.figures`; the IMSiam-nano recipe's mix)."""

    seed: int = VALIDATION_SEED
    count: int = 8
    length: int = 100
    difficulty: float = 0.7
    aspect: tuple[float, float] = (0.33, 3.5)
    figures: tuple[str, ...] = ("box", "ellipse", "person", "person", "vehicle")


def write_validation_set(root: Path, spec: ValidationSet) -> Path:
    """Render ``spec`` into ``root/Val<i>/`` (OTB layout, see :mod:`trackbench.data.demo`);
    sequences already written are kept (a folder is renamed into place when complete)."""
    from trackbench.data.demo import write_otb_sequence
    from trackbench.data.synthetic import random_spec, render

    root.mkdir(parents=True, exist_ok=True)
    for i in range(spec.count):
        folder = root / f"Val{i:02d}"
        if (folder / "groundtruth_rect.txt").is_file():
            continue
        rng = np.random.default_rng([spec.seed, i])
        rendered = render(rng, random_spec(rng, spec.length, (320, 240), spec.difficulty, spec.aspect, spec.figures))
        staging = root / f".Val{i:02d}.partial"
        write_otb_sequence(staging, rendered)
        staging.rename(folder)
    return root


def run_and_score(
    name: str, options: dict[str, Any], out: Path, suite_name: str, root: str | Path | None, progress: bool
) -> tuple[Path, dict[str, float]]:
    """Run ``imsiam`` with ``options`` on a suite as tracker ``name`` (results under
    ``out/results``) and evaluate it with the official rules."""
    from trackbench.execution.runner import RunOptions, run_suite
    from trackbench.metrics.evaluate import evaluate
    from trackbench.suites import get_suite

    suite = get_suite(suite_name)
    dataset = suite.load(str(root) if root is not None else None)
    run = RunOptions(tracker="imsiam", options=options, out=out / "results", tracker_name=name, executor="serial", progress=progress)
    summary = run_suite(suite, dataset, run)
    if summary.failed:
        raise TrackbenchError(summary.line())
    return summary.tracker_dir, evaluate(suite, dataset, summary.tracker_dir, "official").metrics


def _floats(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise TrackbenchError(f"expected comma-separated numbers, got {text!r}") from None


def _epochs(run: Path, wanted: str | None) -> list[Path]:
    found = sorted((run / "checkpoints").glob("model_e*.safetensors"))
    if wanted:
        keep = {int(v) for v in wanted.split(",")}
        found = [p for p in found if int(p.stem.removeprefix("model_e")) in keep]
    if not found:
        raise TrackbenchError("no epoch checkpoint (model_eNNN.safetensors) to tune", run / "checkpoints")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trackbench.trackers.imsiam.tuning", description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True, help="training output folder (holds checkpoints/)")
    parser.add_argument("--model", required=True, help="model config of the run (e.g. imsiam_nano)")
    parser.add_argument("--out", type=Path, required=True, help="working folder (validation data, results, tuning.csv)")
    parser.add_argument("--epochs", help="comma-separated epochs (default: every exported epoch)")
    parser.add_argument("--window-influence", default="0.45", help="comma-separated lambda values (default 0.45)")
    parser.add_argument("--scale-lr", default="0.25", help="comma-separated gamma values (default 0.25)")
    parser.add_argument("--penalty-k", default="0", help="comma-separated SiamRPN change-penalty values (default 0: off)")
    parser.add_argument("--size-update", default="fixed", help="comma-separated size updates, fixed and/or score (default fixed)")
    parser.add_argument("--figures", default=",".join(ValidationSet.figures),
                        help=f"validation target figures, drawn per sequence (default {','.join(ValidationSet.figures)})")
    parser.add_argument("--seed", type=int, default=VALIDATION_SEED, help=f"validation seed (default {VALIDATION_SEED})")
    parser.add_argument("--count", type=int, default=8, help="validation sequences (default 8)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    try:
        lambdas, gammas, penalties = _floats(args.window_influence), _floats(args.scale_lr), _floats(args.penalty_k)
        updates = [u.strip() for u in args.size_update.split(",") if u.strip()]
        if not updates or set(updates) - set(SIZE_UPDATES):
            raise TrackbenchError(f"--size-update: expected {' and/or '.join(SIZE_UPDATES)}, got {args.size_update!r}")
        figures = tuple(f.strip() for f in args.figures.split(",") if f.strip())
        checkpoints = _epochs(args.run, args.epochs)
        validation = ValidationSet(seed=args.seed, count=args.count, figures=figures)
        root = write_validation_set(args.out / "validation", validation)
        rows = []
        for checkpoint in checkpoints:
            epoch = int(checkpoint.stem.removeprefix("model_e"))
            for lam, gamma, penalty_k, update in itertools.product(lambdas, gammas, penalties, updates):
                options = {"checkpoint": str(checkpoint), "config": args.model, "window_influence": lam, "scale_lr": gamma,
                           "penalty_k": penalty_k, "size_update": update}
                name = f"e{epoch:03d}-wi{lam:g}-sl{gamma:g}"
                if penalty_k or update != "fixed":
                    name += f"-pk{penalty_k:g}-{update}"
                _, metrics = run_and_score(name, options, args.out, "custom", root, not args.no_progress)
                rows.append({"epoch": epoch, "window_influence": lam, "scale_lr": gamma, "penalty_k": penalty_k,
                             "size_update": update, "success_auc": metrics["success_auc"], "precision": metrics["precision"]})
                print(f"{name}: AUC {metrics['success_auc']:.3f}, Prec@20 {metrics['precision']:.3f}", flush=True)
        table = pd.DataFrame(rows)
        table.to_csv(args.out / "tuning.csv", index=False, float_format="%.4f")
        best = table.loc[table["success_auc"].idxmax()]
        print(f"best on validation: epoch {int(best['epoch'])}, window_influence {best['window_influence']:g}, "
              f"scale_lr {best['scale_lr']:g}, penalty_k {best['penalty_k']:g}, size_update {best['size_update']} "
              f"(AUC {best['success_auc']:.3f}); wrote {args.out / 'tuning.csv'}")
    except TrackbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
