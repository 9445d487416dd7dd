"""Report figures of the long-term and OTB robustness protocols.

* :func:`longterm_pr_plot`: tracking precision vs recall (one curve per tracker over the
  confidence thresholds, the maximum-F point marked), as in the VOT long-term reports;
* :func:`longterm_f_plot`: F-score vs the threshold's rank (thresholds are per tracker, so
  the x axis is the normalised threshold index, as the VOT toolkit's ``FScoreCurve`` plots it);
* :func:`ope_tre_sre_plot`: the OPE, TRE and SRE success plots side by side.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
from matplotlib.figure import Figure

from trackbench.report.plots import DEFAULT_HIGHLIGHT, _decorate, legend_label, new_figure, ranked, style_for


def longterm_pr_plot(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], f_scores: Mapping[str, float],
                     best: Mapping[str, int], title: str, *, highlight: int = DEFAULT_HIGHLIGHT,
                     palette: Mapping[str, str] | None = None) -> Figure:
    """``curves``: tracker -> ``(precision, recall)`` over thresholds; legend ``[F] name``."""
    figure = new_figure()
    axes = figure.add_subplot(1, 1, 1)
    for rank, name in enumerate(ranked({n: f_scores[n] for n in curves})):
        precision, recall = (np.asarray(c, dtype=np.float64) for c in curves[name])
        style = style_for(rank, highlight, (palette or {}).get(name))
        axes.plot(recall, precision, label=legend_label(name, f_scores[name]), **style)
        axes.plot([recall[best[name]]], [precision[best[name]]], "o", color=style["color"])
    _decorate(axes, f"Tracking precision / recall on {title}", "Recall", "Precision", (0.0, 1.0), (0.0, 1.0))
    axes.legend(loc="lower left", fontsize=8, framealpha=0.85)
    figure.tight_layout()
    return figure


def longterm_f_plot(curves: Mapping[str, np.ndarray], f_scores: Mapping[str, float], title: str, *,
                    highlight: int = DEFAULT_HIGHLIGHT, palette: Mapping[str, str] | None = None) -> Figure:
    """``curves``: tracker -> F over its thresholds (descending: +inf first)."""
    figure = new_figure()
    axes = figure.add_subplot(1, 1, 1)
    for rank, name in enumerate(ranked({n: f_scores[n] for n in curves})):
        f = np.asarray(curves[name], dtype=np.float64)
        x = np.linspace(1.0, 0.0, len(f))  # normalised threshold: 1 = the highest
        axes.plot(x, f, label=legend_label(name, f_scores[name]), **style_for(rank, highlight, (palette or {}).get(name)))
    _decorate(axes, f"F-score vs threshold on {title}", "Normalised confidence threshold", "F-score",
              (0.0, 1.0), (0.0, 1.0))
    axes.legend(loc="upper right", fontsize=8, framealpha=0.85)
    figure.tight_layout()
    return figure


def ope_tre_sre_plot(panels: Mapping[str, tuple[np.ndarray, Mapping[str, np.ndarray], Mapping[str, float]]],
                     title: str, *, highlight: int = DEFAULT_HIGHLIGHT,
                     palette: Mapping[str, str] | None = None) -> Figure:
    """``panels``: protocol label (``OPE``, ``TRE``, ``SRE``) -> ``(thresholds, curves,
    AUCs)``; one success plot per protocol, side by side."""
    figure = new_figure(width=5.0 * max(1, len(panels)), height=4.4)
    for column, (protocol, (x, curves, scores)) in enumerate(panels.items(), 1):
        axes = figure.add_subplot(1, len(panels), column)
        for rank, name in enumerate(ranked({n: scores[n] for n in curves})):
            axes.plot(np.asarray(x, dtype=np.float64), np.asarray(curves[name], dtype=np.float64),
                      label=legend_label(name, scores[name]), **style_for(rank, highlight, (palette or {}).get(name)))
        _decorate(axes, f"Success plots of {protocol} on {title}", "Overlap threshold", "Success rate",
                  (0.0, 1.0), (0.0, 1.0))
        axes.legend(loc="lower left", fontsize=8, framealpha=0.85)
    figure.tight_layout()
    return figure
