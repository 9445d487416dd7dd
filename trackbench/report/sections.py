"""Report sections contributed by plugins, the way a plugin contributes a tracker.

The entry-point group ``trackbench.report_sections`` maps a name to a module with

* ``add_arguments(parser)``: its options of ``trackbench report`` (IMSiam: ``--checkpoint``);
* ``report_sections(args) -> list[ReportSection]``: the sections the page gets for the
  parsed arguments (called before any result is evaluated, so bad options fail early).

A :class:`ReportSection` names a jinja template (rendered autoescaped, with the page's
settings) and a ``build`` function that gets a :class:`SectionInputs` once the trackers
are scored and returns the template's variables, or None to leave the section out. The
harness never imports a plugin: the modules are found through their entry points.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Callable, Mapping

from trackbench.errors import TrackbenchError

SECTION_GROUP = "trackbench.report_sections"


@dataclass(frozen=True)
class SectionInputs:
    """What a section may use: the trackers' result folders and names (page order of the
    arguments), their scores on the page's ranking metric ``primary``, and the page's
    assets writer (``figure(fig, name, caption)``, ``csv(frame, name)``, ``text(s, name, suffix)``)."""

    result_dirs: Mapping[str, Path]
    scores: Mapping[str, float]
    primary: str
    assets: Any


@dataclass(frozen=True)
class ReportSection:
    """One section of the page: ``template`` (a ``.j2`` file) rendered with
    ``{variable: build(inputs)}``; nothing when ``build`` returns None."""

    template: Path
    variable: str
    build: Callable[[SectionInputs], "dict | None"]


def section_modules() -> list[Any]:
    """The modules of the ``trackbench.report_sections`` entry points, by name; one that
    cannot be imported is an error."""
    modules = []
    for ep in sorted(entry_points(group=SECTION_GROUP), key=lambda ep: ep.name):
        try:
            modules.append(importlib.import_module(ep.value))
        except ImportError as exc:
            raise TrackbenchError(f"report section {ep.name!r}: cannot import {ep.value} ({exc})") from exc
    return modules
