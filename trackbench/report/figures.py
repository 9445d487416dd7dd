"""The report's main figures by name: a family record lists the ones its page shows
(:attr:`trackbench.suites.Family.figures`), in order; each is drawn from the
evaluations' curves and scores with :mod:`trackbench.report.plots`.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from trackbench.report import plots, protocol_plots


def curve_set(by_name: Mapping[str, Any], key: str, score_key: str):
    """``(curves, thresholds, scores)`` by tracker, for trackers having curve ``key`` and score ``score_key``."""
    curves, thresholds, scores = {}, {}, {}
    for name, e in by_name.items():
        curve = (getattr(e, "curves", None) or {}).get(key)
        x = (getattr(e, "thresholds", None) or {}).get(key)
        if curve is None or x is None or score_key not in e.metrics:
            continue
        curves[name], thresholds[name], scores[name] = np.asarray(curve), np.asarray(x), float(e.metrics[score_key])
    return curves, thresholds, scores


def _same(arrays: Mapping[str, np.ndarray]) -> bool:
    values = list(arrays.values())
    return all(v.shape == values[0].shape and np.allclose(v, values[0]) for v in values[1:])


def _one_pass(key: str, score_key: str, draw: Callable, caption: str):
    def figure(by_name, spec, assets, highlight, palette) -> list[dict]:
        curves, x, scores = curve_set(by_name, key, score_key)
        if not curves:
            return []
        drawn = draw(next(iter(x.values())) if _same(x) else x, curves, scores, spec.title,
                     highlight=highlight, palette=palette)
        return [assets.figure(drawn, f"{key}-plot", caption)]

    return figure


def _got10k_success(by_name, spec, assets, highlight, palette) -> list[dict]:
    curves, x, scores = curve_set(by_name, "got10k_success", "ao")
    if not curves:
        return []
    drawn = plots.got10k_success_plot(next(iter(x.values())), curves, scores, spec.title,
                                      highlight=highlight, palette=palette)
    return [assets.figure(drawn, "got10k-success", "Success curve (legend: AO)")]


def _eao_scores(by_name) -> dict[str, float]:
    return {n: float(e.metrics["eao"]) for n, e in by_name.items() if "eao" in e.metrics}


def _eao_ranking(by_name, spec, assets, highlight, palette) -> list[dict]:
    eao = _eao_scores(by_name)
    if not eao:
        return []
    return [assets.figure(plots.eao_ranking_plot(eao, spec.title, highlight=highlight, palette=palette),
                          "eao-ranking", "EAO ranking")]


def _expected_overlap(by_name, spec, assets, highlight, palette) -> list[dict]:
    eao = _eao_scores(by_name)
    curves = {n: np.asarray(e.curves["expected_overlap"]) for n, e in by_name.items()
              if "expected_overlap" in (getattr(e, "curves", None) or {}) and n in eao}
    if not curves:
        return []
    drawn = plots.expected_overlap_plot(curves, eao, spec.eao_interval, spec.title, highlight=highlight,
                                        palette=palette)
    return [assets.figure(drawn, "expected-overlap", "Expected overlap curves (EAO interval shaded)")]


def _ar(by_name, spec, assets, highlight, palette) -> list[dict]:
    eao = _eao_scores(by_name)
    ar = {n: tuple(e.ar) for n, e in by_name.items() if getattr(e, "ar", None) is not None}
    if not ar:
        return []
    return [assets.figure(plots.ar_plot(ar, spec.title, highlight=highlight, scores=eao or None, palette=palette),
                          "ar-plot", "Accuracy-robustness plot")]


def _longterm(by_name) -> dict[str, Any]:
    return {n: e for n, e in by_name.items() if "lt_f" in (getattr(e, "curves", None) or {}) and "f_score" in e.metrics}


def _lt_precision_recall(by_name, spec, assets, highlight, palette) -> list[dict]:
    found = _longterm(by_name)
    if not found:
        return []
    curves = {n: (e.curves["lt_precision"], e.curves["lt_recall"]) for n, e in found.items()}
    best = {n: int(np.argmax(e.curves["lt_f"])) for n, e in found.items()}
    scores = {n: float(e.metrics["f_score"]) for n, e in found.items()}
    drawn = protocol_plots.longterm_pr_plot(curves, scores, best, spec.title, highlight=highlight, palette=palette)
    return [assets.figure(drawn, "lt-precision-recall", "Tracking precision / recall (legend: maximum F)")]


def _lt_f_score(by_name, spec, assets, highlight, palette) -> list[dict]:
    found = _longterm(by_name)
    if not found:
        return []
    scores = {n: float(e.metrics["f_score"]) for n, e in found.items()}
    drawn = protocol_plots.longterm_f_plot({n: e.curves["lt_f"] for n, e in found.items()}, scores, spec.title,
                                           highlight=highlight, palette=palette)
    return [assets.figure(drawn, "lt-f-score", "F-score vs confidence threshold (legend: maximum F)")]


def _ope_tre_sre(by_name, spec, assets, highlight, palette) -> list[dict]:
    """The OPE, TRE and SRE success plots side by side, when the folders hold TRE / SRE runs."""
    panels = {}
    for label in ("OPE", "TRE", "SRE"):
        sources = {n: e if label == "OPE" else (getattr(e, "robustness", None) or {}).get(label)
                   for n, e in by_name.items()}
        curves, x, scores = curve_set({n: s for n, s in sources.items() if s is not None}, "success", "success_auc")
        if curves:
            panels[label] = (next(iter(x.values())), curves, scores)
    if len(panels) < 2:
        return []
    drawn = protocol_plots.ope_tre_sre_plot(panels, spec.title, highlight=highlight, palette=palette)
    return [assets.figure(drawn, "ope-tre-sre", "Success plots of OPE, TRE and SRE side by side (legend: AUC)")]


#: Figure name -> ``draw(by_name, spec, assets, highlight, palette) -> [figure entries]``.
FIGURES: dict[str, Callable[..., list[dict]]] = {
    "success": _one_pass("success", "success_auc", plots.success_plot, "Success plot (legend: AUC)"),
    "precision": _one_pass("precision", "precision", plots.precision_plot,
                           "Precision plot (legend: precision at 20 px)"),
    "norm_precision": _one_pass("norm_precision", "norm_precision", plots.norm_precision_plot,
                                "Normalized precision plot (legend: at 0.20)"),
    "trackingnet_precision": _one_pass("precision", "precision", plots.precision_plot,
                                       "Precision plot (legend: area under the curve, 0-50 px, TrackingNet server)"),
    "trackingnet_norm_precision": _one_pass("norm_precision", "norm_precision", plots.norm_precision_plot,
                                            "Normalized precision plot (legend: area under the curve, 0-0.5)"),
    "got10k_success": _got10k_success,
    "eao_ranking": _eao_ranking,
    "expected_overlap": _expected_overlap,
    "ar": _ar,
    "lt_precision_recall": _lt_precision_recall,
    "lt_f_score": _lt_f_score,
    "ope_tre_sre": _ope_tre_sre,
}


def main_figures(names: tuple[str, ...], by_name: Mapping[str, Any], spec: Any, assets: Any, highlight: int,
                 palette: Mapping[str, str]) -> list[dict]:
    """The figures ``names`` (keys of :data:`FIGURES`), in order; an unknown name is an error."""
    figures: list[dict] = []
    for name in names:
        if name not in FIGURES:
            raise KeyError(f"unknown report figure {name!r} (known: {', '.join(FIGURES)})")
        figures += FIGURES[name](by_name, spec, assets, highlight, palette)
    return figures
