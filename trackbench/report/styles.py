"""One look per tracker, fixed across every plot of a report (and across reports).

A :class:`TrackerStyle` is a tracker's display name, colour, line style, marker and
whether it is highlighted (thick line, bold legend entry). :func:`assign_styles` gives
each tracker its style **once per report**, from its overall rank on the report's main
metric, so a tracker keeps its colour and line style in every plot whatever its rank in
that plot (per-attribute plots rank trackers differently).

``styles.yaml`` keeps the looks between reports (``report --styles FILE``; every report
writes the one it used into its figures folder)::

    trackers:
      siamrpn_r50_l234_dwxcorr:
        name: SiamRPN++          # display name
        color: "#d62728"
        linestyle: "-"
        marker: o

Unknown keys and malformed colours are errors naming the file.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Iterable, Mapping

import yaml

from trackbench.errors import TrackbenchError
from trackbench.textio import atomic_write_text

# Distinct colours (tab10 then a darker set); line styles step once colours run out.
COLORS = (
    "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39",
)
LINE_STYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p")
DEFAULT_HIGHLIGHT = 3
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_FIELDS = ("name", "color", "linestyle", "marker")


@dataclass(frozen=True)
class TrackerStyle:
    """How one tracker is drawn: ``color`` ``#rrggbb``; ``linestyle`` a matplotlib dash
    style (``-``, ``--``, ``-.``, ``:``); ``highlight`` draws it thick and bold."""

    name: str
    color: str
    linestyle: str = "-"
    marker: str = "o"
    highlight: bool = False

    @property
    def linewidth(self) -> float:
        return 2.4 if self.highlight else 1.3

    def line_kwargs(self) -> dict:
        """Keyword arguments of ``Axes.plot`` for this tracker's curve."""
        return {"color": self.color, "linestyle": self.linestyle, "linewidth": self.linewidth}

    def rgb(self) -> tuple[int, int, int]:
        """The colour as an ``(r, g, b)`` byte triple (for drawing on frames)."""
        return tuple(int(self.color[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _nth_look(number: int) -> tuple[str, str, str]:
    """Colour, line style and marker of the ``number``-th tracker (0-based): colours first,
    then the next line style with the colours again, so no two trackers share both."""
    color = COLORS[number % len(COLORS)]
    linestyle = LINE_STYLES[(number // len(COLORS)) % len(LINE_STYLES)]
    return color, linestyle, MARKERS[number % len(MARKERS)]


def assign_styles(
    ranked: Iterable[str], *, names: Mapping[str, str] | None = None, saved: Mapping[str, TrackerStyle] | None = None,
    highlight: Iterable[str] | None = None, highlight_count: int = DEFAULT_HIGHLIGHT,
) -> dict[str, TrackerStyle]:
    """Styles of trackers listed best first (``ranked``, the report's overall ranking).

    ``saved`` styles (from a ``styles.yaml``) are kept as they are; the others get the
    first colour / line-style combinations no saved style uses, in rank order. ``names``
    (tracker -> display name, from ``--names``) wins over saved names. ``highlight``
    names the highlighted trackers (default: the ``highlight_count`` best).
    """
    ranked = list(ranked)
    saved = dict(saved or {})
    chosen = set(highlight) if highlight is not None else set(ranked[:highlight_count])
    used = {(s.color, s.linestyle) for s in saved.values()}
    styles: dict[str, TrackerStyle] = {}
    number = 0
    for tracker in ranked:
        if tracker in saved:
            style = saved[tracker]
        else:
            while True:
                color, linestyle, marker = _nth_look(number)
                number += 1
                if (color, linestyle) not in used:
                    break
            used.add((color, linestyle))
            style = TrackerStyle(tracker, color, linestyle, marker)
        styles[tracker] = replace(style, name=(names or {}).get(tracker, style.name), highlight=tracker in chosen)
    return styles


def parse_names(text: str | None) -> dict[str, str]:
    """``--names "siamrpn=SiamRPN++,atom=ATOM"`` -> ``{"siamrpn": "SiamRPN++", "atom": "ATOM"}``."""
    out: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise TrackbenchError(f"--names: expected TRACKER=Display name, got {part.strip()!r}")
        out[key.strip()] = value.strip()
    return out


def read_styles(path: str | Path) -> dict[str, TrackerStyle]:
    """Styles saved by :func:`write_styles` (or written by hand); errors name the file."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise TrackbenchError("styles file not found", path) from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise TrackbenchError(f"not valid YAML ({getattr(exc, 'problem', exc)})", path,
                              None if line is None else line + 1) from None
    if not isinstance(document, dict) or set(document) - {"trackers"}:
        raise TrackbenchError("expected a mapping with the single key 'trackers'", path)
    trackers = document.get("trackers") or {}
    if not isinstance(trackers, dict):
        raise TrackbenchError("'trackers' must map tracker names to styles", path)
    out = {}
    for tracker, entry in trackers.items():
        entry = dict(entry or {})
        unknown = set(entry) - set(_FIELDS)
        if unknown:
            raise TrackbenchError(f"tracker {tracker!r}: unknown keys {sorted(unknown)} (allowed: {list(_FIELDS)})", path)
        color = str(entry.get("color", ""))
        if not _HEX.match(color):
            raise TrackbenchError(f"tracker {tracker!r}: color must be #rrggbb, got {color!r}", path)
        linestyle = str(entry.get("linestyle", "-"))
        if linestyle not in LINE_STYLES:
            raise TrackbenchError(f"tracker {tracker!r}: linestyle must be one of {list(LINE_STYLES)}", path)
        marker = str(entry.get("marker", "o"))
        if marker not in MARKERS:
            raise TrackbenchError(f"tracker {tracker!r}: marker must be one of {list(MARKERS)}", path)
        out[str(tracker)] = TrackerStyle(str(entry.get("name", tracker)), color, linestyle, marker)
    return out


def write_styles(path: str | Path, styles: Mapping[str, TrackerStyle]) -> Path:
    """Save ``styles`` as ``styles.yaml`` (highlighting is per report and not saved)."""
    path = Path(path)
    document = {"trackers": {t: {k: v for k, v in asdict(s).items() if k in _FIELDS} for t, s in styles.items()}}
    atomic_write_text(path, yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    return path
