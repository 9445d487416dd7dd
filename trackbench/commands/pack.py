"""``trackbench pack SERVER TRACKER_DIR``: the zip an evaluation server expects.

* ``got10k``: at the zip's root one folder per test sequence with ``<seq>_001.txt`` (and
  ``_002``, ``_003`` when the tracker ran three times) and ``<seq>_time.txt``: the layout of
  the got10k toolkit's own submission writer;
* ``trackingnet``: ``<seq>.txt`` per TEST sequence at the zip's root.

No dataset is needed: without ``--root`` GOT-10k's 180 test names are known and every
``<seq>.txt`` of a TrackingNet folder is packed as it is; with ``--root`` every sequence
of the suite must be there and as long as its ground truth says.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

DEFAULT_SUITES = {"got10k": "got10k-test", "trackingnet": "trackingnet"}
"""Server -> the suite whose results it takes (``--suite`` overrides)."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pack",
        help="package results for an evaluation server (GOT-10k, TrackingNet)",
        description="Zip the results in TRACKER_DIR the way the GOT-10k or TrackingNet test server expects.",
    )
    parser.add_argument("server", choices=sorted(DEFAULT_SUITES), help="evaluation server")
    parser.add_argument("tracker_dir", metavar="TRACKER_DIR", help="e.g. results/got10k-test/MyTracker")
    parser.add_argument("--suite", help="suite of the results (default: got10k-test / trackingnet)")
    parser.add_argument("--root", help="dataset folder of the suite, to check the results against it "
                                       "(default: the results alone)")
    parser.add_argument("--output", help="zip file to write (default: TRACKER_DIR.zip)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from trackbench.results.convert import pack_got10k, pack_trackingnet
    from trackbench.suites import get_suite

    packers = {"got10k": pack_got10k, "trackingnet": pack_trackingnet}
    tracker_dir = Path(args.tracker_dir)
    output = Path(args.output) if args.output else tracker_dir.with_name(tracker_dir.name + ".zip")
    dataset = get_suite(args.suite or DEFAULT_SUITES[args.server]).load(args.root) if args.root else None
    path = packers[args.server](tracker_dir, dataset, output)
    print(f"packed {tracker_dir.name} -> {path}")
    return 0
