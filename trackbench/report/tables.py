"""Tables of a report: the ranked summary, per-sequence best/worst, CSV and LaTeX exports.

Tables are pandas DataFrames whose index is the tracker name (or sequence / attribute)
and whose columns are metric keys of :mod:`trackbench.metrics.evaluate`
(``success_auc``, ``precision``, ``eao``, ...). :data:`METRIC_LABELS` gives the column
headings; :data:`LOWER_IS_BETTER` the keys ranked ascending.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from trackbench.metrics import names
from trackbench.textio import atomic_write_text

# Canonical column order and headings: the one vocabulary of trackbench.metrics.names.
METRIC_LABELS: dict[str, str] = {m.key: m.label for m in names.METRICS if m.key != "sequences"}
LOWER_IS_BETTER = names.LOWER_IS_BETTER


def metric_label(key: str) -> str:
    """Column heading of a metric key (the key itself when unknown)."""
    return names.label(key)


def format_value(key: str, value: float) -> str:
    """Text of one cell (:func:`trackbench.metrics.names.format_value`)."""
    return names.format_value(key, value)


def summary_table(metrics: Mapping[str, Mapping[str, float]], primary: str) -> pd.DataFrame:
    """Ranked summary: one row per tracker (index ``Tracker``), one column per metric
    present in any tracker (canonical order first, then any others sorted), rows sorted by
    ``primary`` (descending unless lower is better). FPS is dropped if no tracker has it."""
    present = {k for values in metrics.values() for k, v in values.items() if _finite(v)}
    keys = [k for k in METRIC_LABELS if k in present] + sorted(present - set(METRIC_LABELS))
    frame = pd.DataFrame(
        [[float(metrics[name].get(k, np.nan)) for k in keys] for name in metrics],
        index=pd.Index(list(metrics), name="Tracker"), columns=keys,
    )
    if primary in frame.columns:
        frame = frame.sort_values(primary, ascending=primary in LOWER_IS_BETTER, na_position="last", kind="stable")
    return frame


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def best_per_column(frame: pd.DataFrame, lower_is_better: bool | None = None) -> dict[str, set]:
    """Index labels holding the best value of each column (for bold cells). Columns are
    metric keys (lower is better for :data:`LOWER_IS_BETTER`) unless ``lower_is_better``
    says it for every column (columns named by attribute or tag)."""
    best: dict[str, set] = {}
    for key in frame.columns:
        column = frame[key].astype(float)
        if not column.notna().any() or key == "sequences":
            best[key] = set()
            continue
        lower = key in LOWER_IS_BETTER if lower_is_better is None else lower_is_better
        target = column.min() if lower else column.max()
        best[key] = set(column.index[np.isclose(column.to_numpy(), target, rtol=0, atol=1e-12)])
    return best


@dataclass
class SequenceExtremes:
    """The best and worst sequences of one tracker by one per-sequence metric."""

    tracker: str
    metric: str
    best: list[tuple[str, float]]
    worst: list[tuple[str, float]]


def sequence_extremes(per_sequence: Mapping[str, pd.DataFrame], metric: str, count: int = 5) -> list[SequenceExtremes]:
    """For each tracker, the ``count`` best and worst sequences by ``metric``
    (``per_sequence[tracker]`` indexed by sequence name). Trackers lacking the column are skipped."""
    out = []
    for tracker, frame in per_sequence.items():
        if frame is None or metric not in frame.columns:
            continue
        column = frame[metric].astype(float).dropna()
        ascending = column.sort_values(ascending=True, kind="stable")
        low = list(ascending.items())[:count]
        high = list(ascending[::-1].items())[:count]
        good, bad = (low, high) if metric in LOWER_IS_BETTER else (high, low)
        out.append(SequenceExtremes(tracker, metric, [(str(s), float(v)) for s, v in good],
                                    [(str(s), float(v)) for s, v in bad]))
    return out


def per_sequence_matrix(per_sequence: Mapping[str, pd.DataFrame], metric: str) -> pd.DataFrame:
    """Sequences x trackers matrix of one per-sequence metric (index ``Sequence``)."""
    columns = {t: f[metric].astype(float) for t, f in per_sequence.items() if f is not None and metric in f.columns}
    frame = pd.DataFrame(columns)
    frame.index.name = "Sequence"
    return frame


def to_csv(frame: pd.DataFrame, path: str | Path, float_format: str = "%.4f") -> Path:
    """Write ``frame`` (index included) as CSV atomically; metric keys as column names."""
    path = Path(path)
    atomic_write_text(path, frame.to_csv(float_format=float_format, lineterminator="\n"))
    return path


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}",
}


def latex_escape(text: str) -> str:
    """Escape LaTeX special characters in user text (tracker and sequence names)."""
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in str(text))


#: The field's top-3 colouring of result tables: first red, second blue, third green
#: (needs ``\usepackage{xcolor}`` in the paper).
TOP3_COLORS = ("red", "blue", "green!60!black")


def top_three(frame: pd.DataFrame) -> dict[str, dict]:
    """``{column: {row label: place}}`` with places 0, 1, 2 for the three best distinct
    values of each column (ties share a place)."""
    places: dict[str, dict] = {}
    for key in frame.columns:
        column = frame[key].astype(float)
        if key == "sequences" or not column.notna().any():
            places[key] = {}
            continue
        values = sorted(set(column.dropna().round(12)), reverse=key not in LOWER_IS_BETTER)[:3]
        places[key] = {name: values.index(round(v, 12)) for name, v in column.items()
                       if np.isfinite(v) and round(v, 12) in values}
    return places


def to_latex(
    frame: pd.DataFrame, *, caption: str = "", label: str = "", bold_best: bool = True,
    headers: Mapping[str, str] | None = None, cell_text: Mapping[str, Iterable[str]] | None = None,
    top3: bool = False,
) -> str:
    """A booktabs ``table`` for a paper: index as the first column, best values in bold.

    ``headers`` overrides column headings (already LaTeX); ``cell_text[column]`` gives
    ready-made LaTeX cells for a column (e.g. check marks) instead of numbers. ``top3``
    colours the three best values of each column red / blue / green instead (the
    field's convention; ``xcolor`` package).
    """
    headers = dict(headers or {})
    best = best_per_column(frame) if bold_best and not top3 else {}
    places = top_three(frame) if top3 else {}
    columns = list(frame.columns)
    lines = [r"\begin{table}[t]", r"\centering"]
    if caption:
        lines.append(r"\caption{" + latex_escape(caption) + "}")
    if label:
        lines.append(r"\label{" + latex_escape(label) + "}")
    lines.append(r"\begin{tabular}{l" + "c" * len(columns) + "}")
    lines.append(r"\toprule")
    head = [latex_escape(frame.index.name or "")]
    head += [headers.get(c, latex_escape(metric_label(str(c)))) for c in columns]
    lines.append(" & ".join(head) + r" \\")
    lines.append(r"\midrule")
    ready = {c: list(v) for c, v in (cell_text or {}).items()}
    for row_number, (name, row) in enumerate(frame.iterrows()):
        cells = [latex_escape(name)]
        for c in columns:
            if c in ready:
                cells.append(ready[c][row_number])
                continue
            text = format_value(str(c), row[c]).replace("–", "--")
            if name in best.get(c, ()):
                text = r"\textbf{" + text + "}"
            place = places.get(c, {}).get(name)
            if place is not None:
                text = r"\textcolor{" + TOP3_COLORS[place] + "}{" + text + "}"
            cells.append(text)
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(lines)


def write_latex(text: str, path: str | Path) -> Path:
    """Write a LaTeX table atomically."""
    path = Path(path)
    atomic_write_text(path, text)
    return path
