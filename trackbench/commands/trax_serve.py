"""``trackbench trax-serve TRACKER [--set KEY=VALUE ...]``: serve a tracker over TraX.

For the VOT toolkit's ``trackers.ini``::

    [mytracker]
    label = mytracker
    protocol = trax
    command = trackbench trax-serve imsiam --set suite=vot2018
"""

from __future__ import annotations

import argparse

from trackbench.commands.run import parse_set_options


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "trax-serve",
        help="run a tracker as a TraX server (for the VOT toolkit)",
        description="Run TRACKER as a TraX server on stdin/stdout, built on the official TraX library, so the VOT "
        "toolkit (or any TraX client) can run it: declare it in trackers.ini with protocol = trax and "
        "command = trackbench trax-serve TRACKER.",
    )
    parser.add_argument("tracker", metavar="TRACKER", help="registered name or module:Class")
    parser.add_argument("--set", dest="set_options", action="append", metavar="KEY=VALUE",
                        help="tracker option (repeatable; value parsed as YAML)")
    parser.add_argument("--init-rule", choices=["area", "bbox"], default="area",
                        help="box from an initial polygon: area-preserving (default, as trackbench run on VOT) or "
                        "bounding box")
    parser.add_argument("--device", help="device option for trackers that take one (e.g. cpu, cuda:0)")
    parser.add_argument("--log", action="store_true", help="log the protocol messages to stderr (libtrax logger)")
    parser.set_defaults(func=trax_serve_command)


def trax_serve_command(args: argparse.Namespace) -> int:
    from trackbench.execution.worker import build_tracker
    from trackbench.trax.serve import serve

    tracker = build_tracker(args.tracker, parse_set_options(args.set_options), args.device)
    return serve(tracker, init_rule=args.init_rule, log=args.log)
