"""``trackbench pack got10k TRACKER_DIR``: the zip the GOT-10k evaluation server expects.

The zip holds, at its root, one folder per test sequence with ``<seq>_001.txt`` (and
``_002``, ``_003`` when the tracker ran three times) and ``<seq>_time.txt``: the layout of
the got10k toolkit's own submission writer. Without ``--root`` the 180 test sequence
names are known and each sequence is as long as its results: no dataset is needed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pack",
        help="package results for an evaluation server (GOT-10k)",
        description="Zip the results in TRACKER_DIR the way the GOT-10k test server expects.",
    )
    parser.add_argument("server", choices=["got10k"], help="evaluation server")
    parser.add_argument("tracker_dir", metavar="TRACKER_DIR", help="e.g. results/got10k-test/MyTracker")
    parser.add_argument("--suite", default="got10k-test", help="suite of the results (default: got10k-test)")
    parser.add_argument("--root", help="dataset folder of the suite, to check the results' lengths against it "
                                       "(default: the results alone, the 180 test names are known)")
    parser.add_argument("--output", help="zip file to write (default: TRACKER_DIR.zip)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from trackbench.results.convert import pack_got10k
    from trackbench.suites import get_suite

    tracker_dir = Path(args.tracker_dir)
    output = Path(args.output) if args.output else tracker_dir.with_name(tracker_dir.name + ".zip")
    dataset = get_suite(args.suite).load(args.root) if args.root else None
    path = pack_got10k(tracker_dir, dataset, output)
    print(f"packed {tracker_dir.name} -> {path}")
    return 0
