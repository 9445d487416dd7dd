"""The IMSiam paper's Table 1 and Fig. 7, end to end at demo scale, in one command::

    python -m trackbench.trackers.imsiam.ablation_study --out runs/ablation

For each variant of :data:`VARIANTS` (the paper's Table 1 rows), with ONE recipe
(``training/configs/ablation_demo_cpu.yaml``: generated sequences only, fixed seeds, the
CPU budget stated there): train the model ``<base>+ablation_<variant>`` (config composition,
:func:`..config.load_config`; base ``imsiam_demo``, the bundled demo model's scale), export
the last epoch, run it on a suite (default ``demo``: 8 generated sequences none of which
was trained on) and evaluate it with the official rules. Then write

* ``<out>/ablation.csv`` and ``<out>/ablation.md``: the table (stages, components, AUC,
  Prec@20), built by :func:`.analysis.ablation.ablation_table` from each run's
  ``run.json`` components;
* ``<out>/svd.png`` + CSVs: the neck-to-head SVD (Fig. 7) of the full variant
  (:func:`.analysis.svd.write_svd_analysis`).

Everything resumes: a finished training run is not re-trained (``--resume`` semantics of
``trackbench train``), finished sequences are skipped by the runner. ``--variants`` picks a
subset, ``--set key=value`` overrides the recipe (e.g. ``optim.epochs=2``).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from trackbench.errors import TrackbenchError

#: Table-1 variant -> config overlay (``configs/<overlay>.yaml``; ``None`` = the base itself).
VARIANTS: dict[str, str | None] = {
    "baseline": "ablation_baseline",
    "l1": "ablation_l1",
    "iou": "ablation_iou",
    "l1_identity": "ablation_l1_identity",
    "iou_l1": "ablation_iou_l1",
    "full": None,
}
RECIPE = "ablation_demo_cpu"


@dataclass
class VariantResult:
    name: str
    model_config: str
    weights: Path
    result_dir: Path
    auc: float
    precision: float


def variant_config(base: str, variant: str) -> str:
    """The composed model-config name of ``variant`` on ``base``."""
    if variant not in VARIANTS:
        raise TrackbenchError(f"unknown ablation variant {variant!r} (choose from {', '.join(VARIANTS)})")
    overlay = VARIANTS[variant]
    return base if overlay is None else f"{base}+{overlay}"


def train_variant(variant: str, out: Path, base: str, overrides: list[str], progress: bool) -> tuple[str, Path]:
    """Train (or finish training) one variant; returns its model config and exported weights."""
    from trackbench.trackers.imsiam.training.checkpoint import export_weights
    from trackbench.trackers.imsiam.training.config import load_training_config
    from trackbench.trackers.imsiam.training.loop import train

    model = variant_config(base, variant)
    cfg = load_training_config(RECIPE, overrides)
    cfg = replace(cfg, model=model, output_dir=str(out / "train" / variant))
    resume = (Path(cfg.output_dir) / "last.pt").is_file()
    train(cfg, resume=resume, show_progress=progress)
    weights = out / "weights" / f"{variant}.safetensors"
    weights.parent.mkdir(parents=True, exist_ok=True)
    export_weights(cfg.output_dir, weights, model)
    return model, weights


def run_and_evaluate(variant: str, weights: Path, out: Path, suite_name: str, root: str | None, progress: bool) -> tuple[Path, dict]:
    from trackbench.trackers.imsiam.tuning import run_and_score

    return run_and_score(f"imsiam-{variant}", {"checkpoint": str(weights), "threads": 1}, out, suite_name, root, progress)


def write_table(results: list[VariantResult], out: Path) -> pd.DataFrame:
    from trackbench.trackers.imsiam.analysis.ablation import COMPONENTS, ablation_csv_frame, ablation_table, read_components

    components = {r.name: read_components(r.result_dir) or {} for r in results}
    frame = ablation_table(components, {r.name: r.auc for r in results}, "success_auc")
    frame["precision"] = [next(r.precision for r in results if r.name == n) for n in frame.index]
    ablation_csv_frame(frame).to_csv(out / "ablation.csv", float_format="%.4f")
    header = ["Variant", "Stages", *COMPONENTS.values(), "AUC", "Prec@20"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, row in frame.iterrows():
        checks = ["\u2713" if row[k] else "" for k in COMPONENTS]
        lines.append("| " + " | ".join([name, row["stages"], *checks, f"{row['success_auc']:.3f}", f"{row['precision']:.3f}"]) + " |")
    (out / "ablation.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trackbench.trackers.imsiam.ablation_study", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/ablation"), help="working folder (default runs/ablation)")
    parser.add_argument("--base", default="imsiam_demo", help="model config the overlays apply to (default imsiam_demo)")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated subset of " + ", ".join(VARIANTS))
    parser.add_argument("--suite", default="demo", help="suite the variants are scored on (default demo)")
    parser.add_argument("--root", help="the suite's folder, if it needs one")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="recipe override")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    try:
        names = [v.strip() for v in args.variants.split(",") if v.strip()]
        for name in names:
            variant_config(args.base, name)
        args.out.mkdir(parents=True, exist_ok=True)
        results = []
        for name in names:
            print(f"== {name}: training", flush=True)
            model, weights = train_variant(name, args.out, args.base, args.overrides, not args.no_progress)
            result_dir, metrics = run_and_evaluate(name, weights, args.out, args.suite, args.root, not args.no_progress)
            results.append(VariantResult(name, model, weights, result_dir, metrics["success_auc"], metrics["precision"]))
            print(f"== {name}: AUC {metrics['success_auc']:.3f}, Prec@20 {metrics['precision']:.3f}", flush=True)
        frame = write_table(results, args.out)
        print(frame.to_string())
        if "full" in names:
            from trackbench.trackers.imsiam.analysis.svd import summary_text, write_svd_analysis

            svd = write_svd_analysis(args.out / "weights" / "full.safetensors", args.out)
            print(summary_text(svd.analysis))
        print(f"wrote {args.out / 'ablation.csv'}, {args.out / 'ablation.md'}" + (", svd.png" if "full" in names else ""))
    except TrackbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
