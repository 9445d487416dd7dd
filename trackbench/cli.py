"""The ``trackbench`` command line.

Each sub-command lives in its own module under :mod:`trackbench.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
import warnings

from trackbench import __version__
from trackbench.errors import TrackbenchError, TrackbenchWarning

# Sub-command modules, in the order `trackbench --help` lists them.
COMMANDS = ["list", "run", "eval", "report", "analyze", "train", "import_", "export", "pack", "datasets"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trackbench",
        description="Run single-object trackers on tracking benchmarks, evaluate and report.",
    )
    parser.add_argument("--version", action="version", version=f"trackbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        module_name = f"trackbench.commands.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warning(warnings.showwarning)
        return _run(args)


def _one_line_warning(default):
    """``warnings.showwarning`` printing a :class:`TrackbenchWarning` as one stderr line."""

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, TrackbenchWarning):
            print(f"trackbench: warning: {message}", file=sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)

    return show


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args) or 0)
    except TrackbenchError as exc:
        print(f"trackbench: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # unwritable output folder, full disk, permission denied ...
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"trackbench: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("trackbench: interrupted (finished results are kept; re-run to resume)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
