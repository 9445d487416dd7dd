"""``trackbench train imsiam --config CONFIG [--resume] [--set key=value ...]``.

Trains IMSiam with a training recipe (a bundled name such as ``imsiam_r50`` or
``imsiam_small_cpu``, or a YAML path). Multi-process / multi-GPU runs start it under
``torchrun``, e.g. ``torchrun --nproc_per_node 4 -m trackbench train imsiam --config imsiam_r50``.
"""

from __future__ import annotations

import argparse

from trackbench.errors import TrackbenchError

TRAINABLE = ("imsiam",)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train a tracker (IMSiam) with a training recipe",
        description="Train IMSiam. Bundled recipes: imsiam_r50 (the paper's), imsiam_small_cpu (the demo model).",
    )
    parser.add_argument("tracker", help="tracker to train (imsiam)")
    parser.add_argument("--config", required=True, help="training recipe: bundled name or YAML path")
    parser.add_argument("--resume", action="store_true", help="continue from <output_dir>/last.pt")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key (dotted path, YAML value), e.g. --set optim.epochs=5 --set data.sources.0.root=/data/coco",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--export",
        metavar="PATH",
        help="do not train: write the weights of a finished epoch of output_dir to PATH (.safetensors) "
        "with the model config embedded as it reads now",
    )
    parser.add_argument("--epoch", type=int, help="with --export: the 0-based epoch (default: the last one)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.tracker not in TRAINABLE:
        raise TrackbenchError(f"cannot train {args.tracker!r} (trainable: {', '.join(TRAINABLE)})")
    from trackbench.trackers.imsiam.training.config import load_training_config
    from trackbench.trackers.imsiam.training.loop import train

    cfg = load_training_config(args.config, args.overrides)
    if args.export:
        from trackbench.trackers.imsiam.training.checkpoint import export_weights

        source = export_weights(cfg.output_dir, args.export, cfg.model, args.epoch)
        print(f"exported {source} -> {args.export} (model config {cfg.model})")
        return 0
    result = train(cfg, resume=args.resume, show_progress=not args.no_progress)
    state = "finished" if result.finished else "stopped"
    print(f"training {state} at epoch {result.epoch}, step {result.step} ({result.global_step} steps); output in {result.output_dir}")
    return 0
