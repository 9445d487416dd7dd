"""``trackbench run TRACKER --suite SUITE ...``: run a tracker over a suite, write results."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trackbench.commands.common import add_dataset_arguments, load_dataset
from trackbench.errors import TrackbenchError
from trackbench.execution.watch import DEFAULT_FRAME_TIMEOUT
from trackbench.yamlconfig import parse_override


def parse_set_options(items: list[str] | None) -> dict[str, Any]:
    """``["key=value", ...]`` -> options, each value parsed with ``yaml.safe_load``
    (:func:`trackbench.yamlconfig.parse_override`: ``0.3`` -> float, ``true`` -> bool,
    ``[1,2]`` -> list, ``cpu`` -> str)."""
    return dict(parse_override(item) for item in items or [])


def _split_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a tracker over a suite and write its raw results",
        description="Run TRACKER over every sequence of SUITE and write results to OUT/SUITE/NAME/. "
        "Finished sequences are skipped, so an interrupted run is resumed by running it again.",
    )
    parser.add_argument("tracker", metavar="TRACKER", help="registered name, module:Class, or trax:COMMAND")
    add_dataset_arguments(parser)
    parser.add_argument("--out", default="results", help="results folder (default: results)")
    parser.add_argument("--set", dest="set_options", action="append", metavar="KEY=VALUE",
                        help="tracker option (repeatable; value parsed as YAML)")
    parser.add_argument("--init-box", choices=["exact", "pysot", "pyvis"],
                        help="init-box convention (default: the tracker's own; exact = the annotation, "
                        "pysot / pyvis = those code bases' test.py; formulas in trackbench.initbox)")
    parser.add_argument("--tracker-name", help="name of the result folder (default: the tracker's name; "
                        "for trax:COMMAND the executable's or script's basename)")
    parser.add_argument("--executor", choices=["serial", "inline", "process", "ray"],
                        help="where units run: serial = one isolated worker process (a crash or hang fails only its "
                        "unit), inline = in this process (debugging, profiling; no isolation), process = N isolated "
                        "workers, ray (default: process if --workers > 1 or several --devices, else serial)")
    parser.add_argument("--workers", type=int, help="worker processes / Ray actors (default: one per CPU or device)")
    parser.add_argument("--devices", help="e.g. cuda:0,cuda:1: one worker pinned per device (process executor); with --executor ray, "
                        "one GPU actor per listed device, placed by Ray, which sets each actor's visible GPU (cuda:0)")
    parser.add_argument("--address", help="Ray cluster address (with --executor ray)")
    parser.add_argument("--threads", type=int, help="torch/OpenCV threads per worker (default: $OMP_NUM_THREADS "
                        "if set, else the usable cores divided by the workers)")
    parser.add_argument("--batch", type=int, default=1, help="sequences stepped in lockstep by a batch-aware tracker")
    parser.add_argument("--timeout", type=float, default=DEFAULT_FRAME_TIMEOUT, metavar="SECONDS",
                        help=f"limit per tracker call (a unit also gets SECONDS x its frames); 0: no limit "
                        f"(default: {DEFAULT_FRAME_TIMEOUT:g})")
    parser.add_argument("--no-wait", action="store_true",
                        help="fail at once if another run holds the results folder (default: wait for it)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    from trackbench.execution.runner import RunOptions, run_suite

    if args.workers is not None and args.workers < 1:
        raise TrackbenchError(f"--workers must be at least 1, got {args.workers}")
    if not args.timeout >= 0:
        raise TrackbenchError(f"--timeout must be 0 (no limit) or a number of seconds, got {args.timeout}")
    devices = _split_list(args.devices)
    executor = args.executor or ("process" if (args.workers or 1) > 1 or len(devices) > 1 else "serial")
    suite, dataset = load_dataset(args)
    options = RunOptions(
        tracker=args.tracker,
        options={**parse_set_options(args.set_options), **({"init_box": args.init_box} if args.init_box else {})},
        out=Path(args.out),
        tracker_name=args.tracker_name,
        executor=executor,
        workers=args.workers,
        devices=devices,
        batch=args.batch,
        address=args.address,
        progress=not args.no_progress,
        timeout=args.timeout,
        wait=not args.no_wait,
        threads=args.threads,
    )
    summary = run_suite(suite, dataset, options)
    print(summary.line())
    return 1 if summary.failed else 0
