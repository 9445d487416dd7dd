"""YAML configuration: finding, reading, validating into dataclasses, ``--set`` overrides.

Used by every configurable part (tracker configs, training recipes, tracker options) so
that errors read the same everywhere: one line naming the file (and, for syntax errors,
the line) and the dotted key.
"""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Any, Callable, Mapping

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


Coercer = Callable[[Any, str, "str | Path"], Any]


def dataclass_from_mapping(
    cls: type,
    data: Any,
    where: str = "",
    source: str | Path = "<config>",
    *,
    special: Mapping[str, Coercer] | None = None,
) -> Any:
    """Build the dataclass ``cls`` from a YAML mapping, checked against its type hints.

    Keys must be field names (an unknown key is an error naming it and the known ones);
    missing keys take the field defaults. Values must match the hint: ``bool``, ``int``
    (not bool), ``float`` (an int is converted), ``str``, ``list[X]``, ``tuple[int, ...]``
    (from a list of integers), a nested dataclass (a mapping, built recursively).
    ``special`` maps a dotted key (``"tracking.suites"``) to ``coerce(value, where,
    source)`` for fields no hint describes. ``where`` is the dotted prefix of ``data``
    in messages; ``source`` the file they name. Errors: one-line :class:`TrackbenchError`.
    """
    special = special or {}
    if not isinstance(data, dict):
        raise TrackbenchError(f"config key {where or '<top>'} must be a mapping", source)
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in dataclasses.fields(cls))
    check_keys(data, names, where, source)
    values = {}
    for name, value in data.items():
        key = f"{where}.{name}" if where else name
        if key in special:
            values[name] = special[key](value, key, source)
        else:
            values[name] = _coerce(value, hints[name], key, source, special)
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:  # a required field is missing, a __post_init__ check
        raise TrackbenchError(f"config section {where or '<top>'}: {exc}", source) from None


def check_keys(data: Mapping[str, Any], known: tuple[str, ...], where: str, source: str | Path) -> None:
    """Every key of ``data`` is in ``known``, else one error naming the first unknown key."""
    unknown = sorted(set(data) - set(known))
    if unknown:
        prefix = f"{where}." if where else ""
        raise TrackbenchError(f"unknown config key {prefix}{unknown[0]} (known: {', '.join(known)})", source)


def coerce_scalar(value: Any, hint: type, where: str, source: str | Path) -> Any:
    """``value`` checked against ``bool`` / ``int`` / ``float`` / ``str`` (int -> float)."""
    bad = TrackbenchError(f"config key {where}: {value!r} is not a valid {getattr(hint, '__name__', hint)}", source)
    if hint is bool:
        if not isinstance(value, bool):
            raise bad
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise bad
        return value
    raise bad


def _coerce(value: Any, hint: Any, where: str, source: str | Path, special: Mapping[str, Coercer]) -> Any:
    if dataclasses.is_dataclass(hint):
        return dataclass_from_mapping(hint, value, where, source, special=special)
    origin = typing.get_origin(hint)
    if origin is list:
        if not isinstance(value, list):
            raise TrackbenchError(f"config key {where}: {value!r} is not a valid {getattr(hint, '__name__', hint)}", source)
        (item,) = typing.get_args(hint)
        return [_coerce(v, item, f"{where}.{i}", source, special) for i, v in enumerate(value)]
    if origin is tuple:
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise TrackbenchError(f"config key {where}: {value!r} is not a list of integers", source)
        return tuple(value)
    return coerce_scalar(value, hint, where, source)


def parse_override(item: str) -> tuple[str, Any]:
    """``"a.b=value"`` -> ``("a.b", value)``, the value parsed with ``yaml.safe_load``
    (``0.3`` -> float, ``true`` -> bool, ``[1,2]`` -> list, ``cpu`` -> str, empty -> "")."""
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise TrackbenchError(f"--set expects key=value, got {item!r}")
    try:
        return key, (yaml.safe_load(text) if text.strip() else "")
    except yaml.YAMLError as exc:
        raise TrackbenchError(f"--set {key}: cannot parse value {text!r} ({str(exc).splitlines()[0]})") from None


def apply_override(data: dict[str, Any], item: str, source: str | Path = "--set") -> None:
    """Set ``a.b.c=value`` (:func:`parse_override`) inside the nested mapping ``data``
    (a number selects a list item: ``data.sources.0.root=...``)."""
    key, value = parse_override(item)
    parts = key.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise TrackbenchError(f"--set {key}: {part!r} is not an index of the list ({len(node)} items)", source)
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
            continue
        if last:
            node[part] = value
        else:
            node = node.setdefault(part, {})
            if not isinstance(node, (dict, list)):
                raise TrackbenchError(f"--set {key}: {part!r} is not a section", source)
