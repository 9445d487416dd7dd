"""The report's breakdowns: scores per sequence attribute (OTB, LaSOT, UAV ...) and per
frame tag (VOT).

Attributes: a table per metric (AUC, precision, normalised precision) with the
attribute's full name and its number of sequences ("Illumination variation (38)"), and
a success / precision / normalised-precision plot per attribute. Attributes with fewer
than :data:`MIN_SEQUENCES` sequences are listed in the tables but not plotted (the OTB
MATLAB toolkit's rule: a curve over one sequence says little).

Tags (VOT): accuracy, failures and EAO per tag (pysot's per-tag EAO: fragments weighted
by the share of their frames that carry the tag) with bar charts; the rows that are not
tags (``all`` frames, the ``pooled`` and tag-``weighted`` accuracies) go to a separate,
explained table. Robustness is named where it appears: "R" is failures per 100 frames
(lower is better), the A-R plot's axis is reliability exp(-30 F / N) (higher is better).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from trackbench.data.attributes import LONG_NAMES
from trackbench.metrics import names
from trackbench.report import plots
from trackbench.report.figures import curve_set

MIN_SEQUENCES = 2
#: Rows of a VOT per-tag frame that are summaries, not tags, and what they mean.
TAG_SUMMARIES = {
    "all": "every frame of every sequence",
    "pooled": "accuracy averaged over all frames (the official VOT A); failures summed",
    "weighted": "mean of the per-tag accuracies weighted by each tag's frames (got10k / VOT toolkit)",
}
_ATTRIBUTE_PLOTS = (
    ("success", "success_auc", plots.success_plot, "Success"),
    ("precision", "precision", plots.precision_plot, "Precision"),
    ("norm_precision", "norm_precision", plots.norm_precision_plot, "Normalized precision"),
)


def attribute_title(attribute: str, count: int | None) -> str:
    """``"Illumination Variation (38)"`` (the long name where known)."""
    long_name = LONG_NAMES.get(str(attribute), str(attribute))
    return f"{long_name} ({count})" if count is not None else long_name


def _matrix(frames: Mapping[str, pd.DataFrame], order: list[str], metric: str, rows: list[str]) -> pd.DataFrame:
    matrix = pd.DataFrame({n: frames[n][metric].astype(float) for n in order if metric in frames[n].columns})
    return matrix.reindex([r for r in rows if r in matrix.index])


def attribute_section(by_name: Mapping[str, Any], spec, assets, order: list[str], palette, table_rows: Callable,
                      figure_names: tuple[str, ...]) -> dict | None:
    """Tables and plots per attribute; ``figure_names`` are the family's main figures
    (an attribute gets the same kinds of plot)."""
    frames = {n: e.per_attribute for n, e in by_name.items() if getattr(e, "per_attribute", None) is not None
              and not e.per_attribute.empty}
    if not frames:
        return None
    order = [n for n in order if n in frames]
    attributes: list[str] = []
    counts: dict[str, int] = {}
    for frame in frames.values():
        attributes += [str(a) for a in frame.index if str(a) not in attributes]
        if "sequences" in frame.columns:
            counts.update({str(a): int(v) for a, v in frame["sequences"].items() if np.isfinite(v)})
    tables = []
    for kind, metric, _, _ in _ATTRIBUTE_PLOTS:
        if kind not in figure_names:
            continue
        matrix = _matrix(frames, order, metric, attributes)
        if matrix.empty:
            continue
        transposed = matrix.T.rename(index=lambda n: palette[n].name if n in palette else n)
        transposed.index.name = "Tracker"
        from trackbench.report.tables import best_per_column

        tables.append({
            "metric": names.label(metric), "key": metric,
            "columns": [{"key": a, "label": attribute_title(a, counts.get(a))} for a in transposed.columns],
            "rows": table_rows(transposed, best_per_column(transposed), metric),
            "csv": assets.csv(matrix.rename(index=lambda a: attribute_title(a, counts.get(a))), f"attribute-{metric}"),
        })
    plotted, listed = [], []
    for attribute in attributes:
        if counts.get(attribute, MIN_SEQUENCES) < MIN_SEQUENCES:
            listed.append(attribute_title(attribute, counts.get(attribute)))
            continue
        title = attribute_title(attribute, counts.get(attribute))
        figures = []
        for kind, _, draw, label in _ATTRIBUTE_PLOTS:
            if kind not in figure_names:
                continue
            curves, x, scores = curve_set(by_name, f"{kind}/{attribute}", "success_auc")
            if not curves:
                continue
            for name in curves:  # the legend score of the attribute's own curve
                scores[name] = _legend_score(kind, curves[name], x[name])
            figure = draw(next(iter(x.values())), curves, scores, spec.title, subtitle=title, palette=palette)
            figures.append(assets.figure(figure, f"{kind}-{attribute}", f"{label} plot, {title}"))
        if figures:
            plotted.append({"title": title, "figures": figures})
    return {"tables": tables, "attributes": plotted, "not_plotted": listed, "min_sequences": MIN_SEQUENCES}


def _legend_score(kind: str, curve: np.ndarray, thresholds: np.ndarray) -> float:
    """AUC for success curves; the value at 20 px / 0.2 for (normalised) precision."""
    if kind == "success":
        return float(np.mean(curve))
    target = 20.0 if kind == "precision" else 0.2
    return float(curve[int(np.argmin(np.abs(np.asarray(thresholds) - target)))])


def tag_section(by_name: Mapping[str, Any], spec, assets, order: list[str], palette, table_rows: Callable) -> dict | None:
    """VOT per-tag accuracy, failures and EAO, the summaries apart."""
    frames = {n: e.per_tag for n, e in by_name.items() if getattr(e, "per_tag", None) is not None and not e.per_tag.empty}
    if not frames:
        return None
    order = [n for n in order if n in frames]
    all_rows: list[str] = []
    for frame in frames.values():
        all_rows += [str(r) for r in frame.index if str(r) not in all_rows]
    tags = [r for r in all_rows if r not in TAG_SUMMARIES]
    from trackbench.report.tables import best_per_column

    tables, figures = [], []
    for metric in ("accuracy", "failures", "eao"):
        matrix = _matrix(frames, order, metric, tags)
        if matrix.empty or not np.isfinite(matrix.to_numpy(dtype=float)).any():
            continue
        transposed = matrix.T.rename(index=lambda n: palette[n].name if n in palette else n)
        transposed.index.name = "Tracker"
        frames_per_tag = next(iter(frames.values()))["frames"] if "frames" in next(iter(frames.values())).columns else None
        label = names.label(metric)
        tables.append({
            "metric": label, "key": metric,
            "columns": [{"key": t, "label": f"{t} ({int(frames_per_tag[t])} frames)" if frames_per_tag is not None
                         and t in frames_per_tag and np.isfinite(frames_per_tag[t]) else t} for t in transposed.columns],
            "rows": table_rows(transposed, best_per_column(transposed, lower_is_better=metric in names.LOWER_IS_BETTER),
                               metric),
            "csv": assets.csv(matrix, f"tag-{metric}"),
        })
        top = None if metric != "failures" else max(1.0, float(np.nanmax(matrix.to_numpy(dtype=float))) * 1.15)
        figure = plots.attribute_bars({n: matrix[n].to_dict() for n in matrix.columns}, label, spec.title,
                                      order=list(matrix.columns), group="tag", palette=palette, top=top)
        figures.append(assets.figure(figure, f"tag-{metric}", f"{label} per tag"))
    summary_rows = [r for r in all_rows if r in TAG_SUMMARIES]
    summaries = []
    for row in summary_rows:
        cells = []
        for name in order:
            frame = frames[name]
            cells.append({key: names.format_value(key, frame.loc[row, key]) if row in frame.index and key in frame.columns
                          else "–" for key in ("accuracy", "failures")})
        summaries.append({"row": row, "meaning": TAG_SUMMARIES[row], "cells": cells})
    return {"tables": tables, "figures": figures, "summaries": summaries,
            "trackers": [palette[n].name if n in palette else n for n in order]}
