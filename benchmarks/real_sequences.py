"""Run trackers on the real sequences of ../shared/data/sequences in one go and print the table.

Usage: python benchmarks/real_sequences.py [--data ../shared/data] [--out runs/real_sequences]
       [--trackers imsiam-nano,opencv-nano,opencv-csrt,opencv-kcf,identity] [--set TRACKER:KEY=VALUE ...]

The three sequences (Couple and Crossing in OTB layout, bag in VOT layout, run one-pass and
scored against its polygons' axis-aligned bounds) are linked into ``<out>/sequences`` and
run as the ``custom`` suite, one tracker after the other in this process's run (serial
executor, one thread per tracker), then scored with the official OTB rules. Printed: success
AUC and Prec@20 over the three sequences and per sequence, and the harness's tracker-only
FPS (frames / summed tracker time). Re-running skips finished sequences (the runner
resumes); delete ``<out>/results`` to measure again.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

SEQUENCES = {"Couple": "otb/Couple", "Crossing": "otb/Crossing", "bag": "vot/bag"}
DEFAULT_TRACKERS = "imsiam-nano,opencv-nano,opencv-csrt,opencv-kcf,identity"


def link_sequences(data: Path, root: Path) -> Path:
    sources = {name: (data / "sequences" / relative).resolve() for name, relative in SEQUENCES.items()}
    for source in sources.values():
        if not source.is_dir():
            raise SystemExit(f"error: missing real sequence folder {source}")
    root.mkdir(parents=True, exist_ok=True)
    for name, source in sources.items():
        link = root / name
        if not link.exists():
            os.symlink(source, link)
    return root


def tracker_options(name: str, data: Path, extra: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    if name == "opencv-nano":  # the NanoTrack v2 ONNX pair of ../shared/data (Apache-2.0)
        folder = data / "models" / "nanotrack-v2"
        options = {"backbone": str(folder / "nanotrack_backbone_sim.onnx"), "neckhead": str(folder / "nanotrack_head_sim.onnx")}
    for item in extra:
        target, _, setting = item.partition(":")
        if target == name:
            key, _, value = setting.partition("=")
            options[key] = value
    return options


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=Path("runs/real_sequences"))
    parser.add_argument("--trackers", default=DEFAULT_TRACKERS)
    parser.add_argument("--set", dest="extra", action="append", default=[], metavar="TRACKER:KEY=VALUE")
    args = parser.parse_args(argv)

    from trackbench.execution.runner import RunOptions, run_suite
    from trackbench.metrics.evaluate import evaluate
    from trackbench.suites import get_suite

    root = link_sequences(args.data, args.out / "sequences")
    suite = get_suite("custom")
    dataset = suite.load(str(root))
    header = "| tracker | AUC | Prec@20 | FPS | " + " | ".join(f"{s} AUC / P20" for s in SEQUENCES) + " |"
    lines = [header, "|" + "---|" * (4 + len(SEQUENCES))]
    for name in [t.strip() for t in args.trackers.split(",") if t.strip()]:
        run = RunOptions(tracker=name, options=tracker_options(name, args.data, args.extra), out=args.out / "results",
                         executor="serial", threads=1, progress=False)
        summary = run_suite(suite, dataset, run)
        print(summary.line(), flush=True)
        if summary.failed:
            return 2
        result = evaluate(suite, dataset, summary.tracker_dir, "official")
        m, per = result.metrics, result.per_sequence
        cells = [f"{per.loc[s, 'success_auc']:.3f} / {per.loc[s, 'precision']:.3f}" for s in SEQUENCES]
        fps = "-" if name == "identity" else f"{m['fps']:.1f}"
        lines.append(f"| {name} | {m['success_auc']:.3f} | {m['precision']:.3f} | {fps} | " + " | ".join(cells) + " |")
    print("\n".join(lines))
    print(f"load average at the end: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
