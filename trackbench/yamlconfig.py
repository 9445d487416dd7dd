"""Finding and reading YAML configuration files (bundled by name, or given as a path).

Used by every configurable part (tracker configs, training recipes) so that errors read
the same everywhere: one line naming the file and, for syntax errors, the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trackbench.errors import TrackbenchError


def resolve_named_yaml(name_or_path: str | Path, folder: Path, what: str) -> Path:
    """A ``*.yaml`` path as given, or ``<folder>/<name>.yaml`` for a bundled config name.

    ``what`` names the kind of config in error messages (e.g. ``"IMSiam config"``).
    """
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
        path = Path(text)
        if not path.is_file():
            raise TrackbenchError(f"{what} file not found", path)
        return path
    path = folder / f"{text}.yaml"
    if not path.is_file():
        bundled = ", ".join(sorted(p.stem for p in folder.glob("*.yaml")))
        raise TrackbenchError(f"unknown {what} {text!r} (bundled: {bundled}; or give a .yaml path)")
    return path


def read_yaml_mapping(path: Path, what: str) -> dict[str, Any]:
    """The top-level mapping of a YAML file (an empty file is an empty mapping)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        raise TrackbenchError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path, line) from None
    except OSError as exc:
        raise TrackbenchError(f"cannot read {what}: {exc.strerror}", path) from None
    if not isinstance(data, dict):
        raise TrackbenchError(f"a {what} must be a mapping of keys to values", path)
    return data
