"""The report's per-sequence parts: the full sequence x tracker table and its heatmap
(ordered by difficulty), the best / worst sequences of each tracker, the sequence
viewer (:mod:`trackbench.report.viewer`), and the significance table
(:mod:`trackbench.metrics.bootstrap`).

Difficulty of a sequence: the mean over trackers of its per-sequence score (the family's
``sequence_metric``); the hardest sequence comes first.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd
from tqdm import tqdm

from trackbench.metrics import names
from trackbench.metrics.bootstrap import Significance, difficulty_order
from trackbench.report import tables
from trackbench.report.styles import TrackerStyle

#: Timelines drawn without images when the viewer is left to choose: the hardest ones.
AUTO_TIMELINES = 12


def per_sequence_section(by_name: Mapping[str, Any], metric: str, order: list[str], styles: Mapping[str, TrackerStyle],
                         assets, extremes_count: int) -> dict | None:
    """The full matrix (hardest first), its heatmap and, for suites with more than twice
    ``extremes_count`` sequences, each tracker's best and worst sequences."""
    per_sequence = {n: getattr(by_name[n], "per_sequence", None) for n in order}
    matrix = tables.per_sequence_matrix(per_sequence, metric)
    if matrix.empty:
        return None
    matrix = matrix[[n for n in order if n in matrix.columns]]
    matrix = matrix.iloc[difficulty_order(matrix.to_numpy(dtype=np.float64))]
    lower = metric in names.LOWER_IS_BETTER
    best = tables.best_per_column(matrix.T, lower_is_better=lower)  # best tracker per sequence
    rows = []
    for sequence, values in matrix.iterrows():
        cells = [{"text": names.format_value(metric, v), "sort": f"{float(v):.10g}" if np.isfinite(v) else "",
                  "best": tracker in best.get(sequence, ())} for tracker, v in values.items()]
        mean = np.nanmean(values.to_numpy(dtype=float)) if np.isfinite(values.to_numpy(dtype=float)).any() else np.nan
        rows.append({"name": str(sequence), "cells": cells, "mean": names.format_value(metric, mean),
                     "mean_sort": f"{mean:.10g}" if np.isfinite(mean) else ""})
    section = {
        "metric": names.label(metric), "trackers": [styles[n].name if n in styles else n for n in matrix.columns],
        "rows": rows, "csv": assets.csv(matrix, f"per-sequence-{metric}"),
        "heatmap": assets.figure(heatmap(matrix, metric, styles), "per-sequence-heatmap",
                                 f"{names.label(metric)} per sequence and tracker, hardest sequence first")
        if len(matrix) >= 2 else None,
        "extremes": [], "extremes_count": extremes_count,
    }
    if len(matrix) > 2 * extremes_count:
        section["extremes"] = tables.sequence_extremes(per_sequence, metric, extremes_count)
    return section


def heatmap(matrix: pd.DataFrame, metric: str, styles: Mapping[str, TrackerStyle]):
    """Sequences (rows, in the given order) x trackers (columns) coloured by score."""
    from trackbench.report.plots import new_figure

    rows, columns = matrix.shape
    figure = new_figure(max(4.0, 1.6 + 0.55 * columns), min(16.0, max(2.6, 1.4 + 0.13 * rows)))
    axes = figure.add_subplot(1, 1, 1)
    values = matrix.to_numpy(dtype=np.float64)
    finite = values[np.isfinite(values)]
    vmax = 1.0 if metric not in names.LOWER_IS_BETTER or not finite.size else float(finite.max())
    cmap = "viridis_r" if metric in names.LOWER_IS_BETTER else "viridis"
    image = axes.imshow(np.ma.masked_invalid(values), aspect="auto", cmap=cmap, vmin=0.0, vmax=vmax,
                        interpolation="nearest")
    axes.set_xticks(np.arange(columns))
    axes.set_xticklabels([styles[c].name if c in styles else c for c in matrix.columns], rotation=35, ha="right",
                         fontsize="x-small")
    if rows <= 120:
        axes.set_yticks(np.arange(rows))
        axes.set_yticklabels([str(s) for s in matrix.index], fontsize=5 if rows > 60 else "x-small")
    else:
        axes.set_yticks([])
        axes.set_ylabel(f"{rows} sequences, hardest at the top", fontsize="small")
    axes.set_title(f"{names.label(metric)} per sequence", fontsize="medium", fontweight="bold")
    figure.colorbar(image, ax=axes, fraction=0.05, pad=0.02).ax.tick_params(labelsize="x-small")
    figure.tight_layout()
    return figure


def significance_section(stats: Significance | None, by_name: Mapping[str, Any], styles: Mapping[str, TrackerStyle],
                         columns: tuple[str, ...]) -> dict | None:
    """Intervals of every headline score, and each adjacent pair's paired tests."""
    if stats is None or not stats.intervals:
        return None
    keys = [k for k in columns if any(k in v for v in stats.intervals.values())]
    rows = []
    for tracker, intervals in stats.intervals.items():
        cells = []
        for key in keys:
            interval = intervals.get(key)
            cells.append("–" if interval is None else
                         f"{names.format_value(key, interval.value)} [{names.format_value(key, interval.low)}, "
                         f"{names.format_value(key, interval.high)}]")
        rows.append({"name": styles[tracker].name if tracker in styles else tracker, "cells": cells})
    pairs = [{"a": styles[c.a].name if c.a in styles else c.a, "b": styles[c.b].name if c.b in styles else c.b,
              "difference": f"{c.difference.value:+.3f} [{c.difference.low:+.3f}, {c.difference.high:+.3f}]",
              "bootstrap_p": p_text(c.bootstrap_p),
              "wilcoxon_p": "–" if not np.isfinite(c.wilcoxon_p) else p_text(c.wilcoxon_p), "tie": c.tie}
             for c in stats.comparisons]
    return {"labels": [names.label(k) for k in keys], "rows": rows, "pairs": pairs,
            "metric": names.label(stats.rank_key), "resamples": stats.resamples, "seed": stats.seed,
            "confidence": round(100 * stats.confidence)}


def p_text(p: float) -> str:
    """A p-value as text: three decimals, ``< 0.001`` below."""
    return "–" if not np.isfinite(p) else ("< 0.001" if p < 0.001 else f"{p:.3f}")


def viewer_section(dataset, protocol: str, corner_rule: str, indices: Mapping[str, Any], styles: Mapping[str, TrackerStyle],
                   assets, by_name: Mapping[str, Any], metric: str, mode: str = "auto",
                   progress: bool = True) -> dict | None:
    """The sequence viewer: every sequence with images gets key frames, a video and IoU
    timelines; a suite evaluated from annotations alone gets timelines only (``mode``
    ``auto``: the :data:`AUTO_TIMELINES` hardest sequences; ``all``: every one; ``none``)."""
    from trackbench.report.playback import PLAYBACK_PROTOCOLS, read_playbacks
    from trackbench.report.viewer import build_sequence_view

    if mode == "none" or not indices or protocol not in PLAYBACK_PROTOCOLS:
        return None
    sequences = list(dataset)
    with_images = [s for s in sequences if s.has_images()]
    chosen = with_images
    note = ""
    if not with_images:
        per_sequence = {n: getattr(e, "per_sequence", None) for n, e in by_name.items()}
        matrix = tables.per_sequence_matrix(per_sequence, metric)
        ordered = [sequences[i] for i in difficulty_order(matrix.reindex([s.name for s in sequences]).to_numpy(dtype=float))] \
            if not matrix.empty else sequences
        chosen = ordered if mode == "all" else ordered[:AUTO_TIMELINES]
        note = ("No images were found, so each sequence shows its IoU timelines only"
                + (f"; the {len(chosen)} hardest of {len(sequences)} sequences are shown (report --viewer all shows every one)."
                   if len(chosen) < len(sequences) else "."))
    views = []
    for sequence in tqdm(chosen, desc="viewer", unit="sequence", leave=False, disable=None if progress else True):
        playbacks = {name: read_playbacks(index, dataset, sequence, protocol, corner_rule) for name, index in indices.items()}
        stem = assets.stem(f"sequence-{sequence.name}")
        view = build_sequence_view(sequence, playbacks, styles, assets.folder, stem)
        entry = {"name": sequence.name, "frames": view.frames, "video": None, "strip": None,
                 "timeline": assets.figure(view.timeline, f"{stem}-iou", f"IoU over time, {sequence.name}"),
                 "anchor": stem, "key_frames": ", ".join(str(sequence.start_frame + k) for k in view.key_frames)}
        if view.video is not None:
            entry["video"] = assets.media(view.video)
            entry["video_is_image"] = view.video.suffix == ".webp"
        if view.strip is not None:
            entry["strip"] = assets.media(view.strip)
        views.append(entry)
    return {"views": views, "note": note, "legend": [{"name": s.name, "color": s.color} for s in styles.values()]}
