"""The ``trackbench`` command line.

Sub-commands are the entry points of the group ``trackbench.commands`` (name -> a module
exposing ``register(subparsers)``, which adds its parser and sets ``func(args) -> int``).
The harness's own live in :mod:`trackbench.commands`; a plugin adds one the way it adds a
tracker (IMSiam's ``analyze`` and ``train``). A registered module that cannot be imported
is an error. See docs/architecture.md.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from importlib.metadata import entry_points

from trackbench import __version__
from trackbench.errors import TrackbenchError, TrackbenchWarning

COMMAND_GROUP = "trackbench.commands"
# The harness's sub-commands, in the order `trackbench --help` lists them (plugins' follow, by name).
CORE_COMMANDS = ("list", "run", "eval", "report", "import", "export", "pack", "datasets", "trax-serve")


def command_modules() -> dict[str, str]:
    """``{command: module}`` of the ``trackbench.commands`` entry points, core commands
    first; a missing core command (a broken install) is an error."""
    found = {ep.name: ep.value for ep in entry_points(group=COMMAND_GROUP)}
    missing = [name for name in CORE_COMMANDS if name not in found]
    if missing:
        raise TrackbenchError(f"no {COMMAND_GROUP} entry point for {', '.join(missing)}: reinstall trackbench")
    plugins = sorted(name for name in found if name not in CORE_COMMANDS)
    return {name: found[name] for name in (*CORE_COMMANDS, *plugins)}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trackbench",
        description="Run single-object trackers on tracking benchmarks, evaluate and report.",
    )
    parser.add_argument("--version", action="version", version=f"trackbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, module_name in command_modules().items():
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise TrackbenchError(f"command {name!r}: cannot import {module_name} ({exc})") from exc
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
    except TrackbenchError as exc:
        print(f"trackbench: error: {exc}", file=sys.stderr)
        return 2
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
