"""The ``trackbench`` command line.

Sub-commands are the entry points of the group ``trackbench.commands`` (name -> a module
exposing ``register(subparsers)``, which adds its parser and sets ``func(args) -> int``).
The harness's own live in :mod:`trackbench.commands` (:data:`CORE_COMMANDS`, registered
as entry points like any plugin's); a plugin adds one the way it adds a tracker (IMSiam's
``analyze`` and ``train``). A registered module that cannot be imported is an error. See
docs/architecture.md.

Errors: bad input (:class:`TrackbenchError`), an ``OSError`` (naming its file) and any
other exception print one line ``trackbench: error: ...`` (exit 2; 1 for an unexpected
exception); ``--debug`` (anywhere on the line) shows the traceback instead. Start-up cost:
when the line names a sub-command, only that command's module is imported (the others are
only checked to exist, without running them), so ``trackbench eval`` never imports the
tracker plugins, torch or matplotlib; a core command is found in :data:`CORE_COMMANDS`
without scanning the installed distributions' entry points (``importlib.metadata`` and the
scan cost 25-30 ms, a tenth of a small evaluation), so a broken plugin command is reported
when plugins are listed (``--help``, a plugin's command, a typo), not on every run. Signals: the
first SIGINT or SIGTERM stops the command cleanly (a run flushes its manifest, stops its
workers: "re-run to resume"; exit 130 / 143), a second one exits at once.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import warnings
from trackbench import __version__
from trackbench.errors import TrackbenchError, TrackbenchWarning

COMMAND_GROUP = "trackbench.commands"
#: The harness's sub-commands and their modules, in the order ``trackbench --help`` lists
#: them (plugins' follow, by name); pyproject registers the same pairs as entry points.
CORE_COMMANDS = {
    "list": "trackbench.commands.list",
    "run": "trackbench.commands.run",
    "eval": "trackbench.commands.eval",
    "report": "trackbench.commands.report",
    "import": "trackbench.commands.import_",
    "export": "trackbench.commands.export",
    "pack": "trackbench.commands.pack",
    "datasets": "trackbench.commands.datasets",
    "trax-serve": "trackbench.commands.trax_serve",
}


def entry_points(group: str) -> list:
    """The installed distributions' entry points of ``group`` (``importlib.metadata``,
    imported here: it costs 20-25 ms)."""
    from importlib.metadata import entry_points as scan

    return list(scan(group=group))


def command_modules() -> dict[str, str]:
    """``{command: module}`` of the ``trackbench.commands`` entry points, core commands
    first; a missing core command (a broken install) is an error, and so is a plugin
    that registers a core command's name for another module."""
    found: dict[str, str] = {}
    for ep in entry_points(group=COMMAND_GROUP):
        if found.get(ep.name, ep.value) != ep.value or CORE_COMMANDS.get(ep.name, ep.value) != ep.value:
            raise TrackbenchError(f"{COMMAND_GROUP} entry point {ep.name!r} is registered twice "
                                  f"({found.get(ep.name) or CORE_COMMANDS[ep.name]} and {ep.value})")
        found[ep.name] = ep.value
    missing = [name for name in CORE_COMMANDS if name not in found]
    if missing:
        raise TrackbenchError(f"no {COMMAND_GROUP} entry point for {', '.join(missing)}: reinstall trackbench")
    plugins = sorted(name for name in found if name not in CORE_COMMANDS)
    return {name: found[name] for name in (*CORE_COMMANDS, *plugins)}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or, when ``argv`` names a sub-command, a parser that
    registers only that one (its module alone is imported; every other registered module
    must still exist). A module that cannot be found or imported is an error."""
    parser = argparse.ArgumentParser(
        prog="trackbench",
        description="Run single-object trackers on tracking benchmarks, evaluate and report.",
    )
    parser.add_argument("--version", action="version", version=f"trackbench {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks (also accepted after the command)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    wanted = _named_command(argv, CORE_COMMANDS)
    if wanted is not None:  # a core command: no scan of the installed entry points
        _register(sub, wanted, CORE_COMMANDS[wanted])
        return parser
    modules = command_modules()
    wanted = _named_command(argv, modules)
    for name, module_name in modules.items():
        if wanted is not None and name != wanted:
            if _find_module(module_name) is None:
                raise TrackbenchError(f"command {name!r}: cannot import {module_name} (no such module)")
            continue
        _register(sub, name, module_name)
    return parser


def _register(sub: argparse._SubParsersAction, name: str, module_name: str) -> None:
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise TrackbenchError(f"command {name!r}: cannot import {module_name} ({exc})") from exc
    module.register(sub)


def _named_command(argv: list[str] | None, modules: dict[str, str]) -> str | None:
    """The sub-command ``argv`` runs (its first word, after the top-level flags), or None
    (``--help``, ``--version``, a typo: then every command is registered)."""
    for word in argv or ():
        if word.startswith("-"):
            if word in ("-h", "--help", "--version"):
                return None
            continue
        return word if word in modules else None
    return None


def _find_module(name: str) -> object | None:
    """The import spec of module ``name``, found without running it or its parent
    packages (what ``importlib.util.find_spec`` does, except that it imports the parents:
    a plugin package's ``__init__`` may be costly), or None."""
    spec, locations = None, None
    parts = name.split(".")
    for depth in range(1, len(parts) + 1):
        prefix = ".".join(parts[:depth])
        loaded = sys.modules.get(prefix)
        if loaded is not None and getattr(loaded, "__spec__", None) is not None:
            spec = loaded.__spec__
        else:
            spec = next((found for finder in sys.meta_path if hasattr(finder, "find_spec")
                         for found in [finder.find_spec(prefix, locations)] if found is not None), None)
        if spec is None:
            return None
        locations = spec.submodule_search_locations
        if depth < len(parts) and locations is None:
            return None
    return spec


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv[: argv.index("--") if "--" in argv else len(argv)]
    if debug:
        argv.remove("--debug")
    try:
        parser = build_parser(argv)
    except TrackbenchError as exc:
        print(f"trackbench: error: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    args.debug = debug or args.debug
    previous = _install_signal_handlers()
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning(warnings.showwarning)
            return _run(args)
    finally:
        _restore_signal_handlers(previous)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C (a KeyboardInterrupt, so every cleanup runs)."""


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _install_signal_handlers() -> dict[int, object]:
    """The first SIGINT/SIGTERM raises KeyboardInterrupt (:class:`Terminated` for SIGTERM)
    in the main thread; the next one exits at once. Returns the previous handlers."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}
    state = {"stopping": False}

    def handler(signum: int, frame: object) -> None:
        if state["stopping"]:
            print("trackbench: interrupted again; exiting now", file=sys.stderr)
            os._exit(128 + signum)
        state["stopping"] = True
        raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()

    previous = {}
    for signum in _STOP_SIGNALS:
        previous[signum] = signal.getsignal(signum)
        signal.signal(signum, handler)
    return previous


def _restore_signal_handlers(previous: dict[int, object]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


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
    except Terminated:
        print("trackbench: terminated (finished results are kept; re-run to resume)", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("trackbench: interrupted (finished results are kept; re-run to resume)", file=sys.stderr)
        return 128 + signal.SIGINT
    except Exception as exc:
        if args.debug:
            raise
        print(f"trackbench: error: {error_line(exc)}", file=sys.stderr)
        return 2 if isinstance(exc, (TrackbenchError, OSError)) else 1


def error_line(exc: BaseException) -> str:
    """One line for an error: a TrackbenchError as it is; an OSError with its file
    (unwritable output folder, full disk, permission denied ...); anything else with its
    type and a hint at ``--debug``."""
    if isinstance(exc, TrackbenchError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text} (internal error; run with --debug for the traceback)"


if __name__ == "__main__":
    sys.exit(main())
