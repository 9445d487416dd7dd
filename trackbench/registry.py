"""Finding and building trackers by name.

Trackers are plugins registered in the entry-point group ``trackbench.trackers`` (our
reference trackers are registered there exactly as a third party's would be). Each entry
point names a factory: a class or function whose keyword arguments are the tracker's
options (``--set key=value``). Besides registered names, a spec may be
``package.module:Attribute`` (code not installed as a plugin) or ``trax:COMMAND``
(an external executable speaking the TraX protocol).
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution, entry_points
from itertools import chain
from typing import Any, Callable

from trackbench.errors import TrackbenchError

ENTRY_POINT_GROUP = "trackbench.trackers"


@dataclass(frozen=True)
class TrackerInfo:
    """A registered tracker: its name, where it comes from, and the factory target."""

    name: str
    source: str  # distribution that registered it, e.g. "trackbench 0.1.0"
    target: str  # "module:attribute"
    deterministic: bool | None  # None when not declared on the factory


def available_trackers() -> dict[str, TrackerInfo]:
    """All trackers registered in the ``trackbench.trackers`` entry-point group, by name."""
    found: dict[str, TrackerInfo] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(ep, "dist", None)
        source = f"{dist.name} {dist.version}" if dist is not None else "?"
        deterministic = None
        try:
            factory = ep.load()
            value = getattr(factory, "is_deterministic", None)
            deterministic = value if isinstance(value, bool) else None
        except Exception:  # a broken plugin must not break listing the others
            source += " (fails to import)"
        found.setdefault(ep.name, TrackerInfo(ep.name, source, ep.value, deterministic))
    return dict(sorted(found.items()))


def _own_entry_points() -> list[Any]:
    """The trackers trackbench itself registers (its reference trackers), read from its own
    distribution's metadata: about 1 ms, where the scan of every installed distribution
    takes 10-30 ms (a cost every ``trackbench run`` and every worker pays)."""
    try:
        found = distribution("trackbench").entry_points
    except PackageNotFoundError:
        return []
    return [ep for ep in found if ep.group == ENTRY_POINT_GROUP]


def _all_entry_points() -> Any:
    """Every installed distribution's trackers, scanned only when iterated this far."""
    yield from entry_points(group=ENTRY_POINT_GROUP)


def resolve_factory(spec: str) -> Callable[..., Any]:
    """The factory behind a registered name or a ``module:Attribute`` spec. trackbench's
    own registrations are looked up first, then every installed distribution's."""
    if ":" in spec and not spec.startswith("trax:"):
        module_name, _, attr = spec.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise TrackbenchError(f"cannot import tracker module {module_name!r}: {exc}") from None
        try:
            obj: Any = module
            for part in attr.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            raise TrackbenchError(f"module {module_name!r} has no attribute {attr!r}") from None
        return obj
    for ep in chain(_own_entry_points(), _all_entry_points()):
        if ep.name == spec:
            try:
                return ep.load()
            except Exception as exc:
                raise TrackbenchError(f"tracker plugin {spec!r} ({ep.value}) fails to import: {exc}") from None
    names = ", ".join(available_trackers()) or "none"
    raise TrackbenchError(f"unknown tracker {spec!r} (registered: {names}; or give module:Class or trax:COMMAND)")


def create_tracker(spec: str, options: dict[str, Any] | None = None, factory: Any = None) -> Any:
    """Build a tracker from a spec and keyword options, wrapped to the trackbench contract.

    Unknown option names are an error naming the accepted ones. ``factory``: the
    :func:`resolve_factory` of ``spec`` when the caller already has it (it spares a scan
    of all installed distributions' entry points; ignored for ``trax:`` specs).
    The option ``init_box`` (``trackbench run --init-box``) is the harness's, for every
    tracker: it sets the built tracker's ``init_box_convention`` (:mod:`trackbench.initbox`).
    """
    from trackbench.adapters import as_tracker
    from trackbench.initbox import check_convention

    options = dict(options or {})
    convention = options.pop("init_box", None)
    if convention is not None:
        check_convention(str(convention))
    if spec.startswith("trax:"):
        from trackbench.adapters import TraxTracker

        return _with_convention(TraxTracker(spec[len("trax:"):], **options), convention)
    if factory is None:
        factory = resolve_factory(spec)
    if callable(factory):
        _check_options(spec, factory, options)
        obj = factory(**options) if inspect.isclass(factory) or options else factory()
    else:
        if options:
            raise TrackbenchError(f"tracker {spec!r} is an instance and takes no options")
        obj = factory
    tracker = as_tracker(obj)
    if spec and not getattr(tracker, "name", None):
        tracker.name = spec
    return _with_convention(tracker, convention)


def _with_convention(tracker: Any, convention: Any) -> Any:
    if convention is not None:
        tracker.init_box_convention = str(convention)
    return tracker


def _check_options(spec: str, factory: Callable[..., Any], options: dict[str, Any]) -> None:
    if not options:
        return
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    accepted = [n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and n != "self"]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise TrackbenchError(
            f"tracker {spec!r} has no option {', '.join(unknown)} (options: {', '.join(accepted) or 'none'})"
        )
