"""Per-attribute success curves for the field's per-attribute plots (OTB / LaSOT).

:class:`~trackbench.metrics.evaluate.TrackerEvaluation` carries per-attribute *scores*;
the plots need the curves. They are recomputed here with the metric code itself
(:mod:`trackbench.metrics.ope`), so curve and score come from the same rules: the
curve of attribute ``A`` is the mean of the per-sequence success curves of the
sequences flagged ``A`` (the same averaging as the overall curve).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from trackbench.sequence import Dataset


def attribute_success_curves(dataset: Dataset, result_dir: str | Path, rules: str = "official") -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``(thresholds, {attribute: success curve})`` of one tracker's results on ``dataset``.

    Attributes come from ``Sequence.attributes``; attributes no sequence has are left out.
    """
    from trackbench.metrics.ope import ope_curves, ope_frame_scores
    from trackbench.metrics.profiles import get_profile
    from trackbench.results.read import ResultIndex, read_ope_results

    profile = get_profile(rules)
    sequences = list(dataset)
    results = read_ope_results(ResultIndex.build(result_dir), dataset)
    scores = ope_frame_scores([s.ground_truth[:, :4] for s in sequences], [results[s.name] for s in sequences],
                              profile, [s.absent for s in sequences])
    curves = ope_curves(scores, profile)
    names: list[str] = []
    for sequence in sequences:
        names.extend(a for a in sequence.attributes if a not in names)
    out: dict[str, np.ndarray] = {}
    for name in names:
        mask = np.array([bool(s.attributes.get(name, False)) for s in sequences])
        if mask.any():
            out[name] = curves.success[mask].mean(axis=0)
    return np.asarray(curves.success_thresholds, dtype=np.float64), out


def add_attribute_curves(evaluation, dataset: Dataset, result_dir: str | Path, rules: str = "official") -> None:
    """Store the curves in ``evaluation.curves["success/<attribute>"]`` (thresholds likewise),
    where :mod:`trackbench.report.html` looks for them."""
    thresholds, curves = attribute_success_curves(dataset, result_dir, rules)
    for name, curve in curves.items():
        evaluation.curves[f"success/{name}"] = curve
        evaluation.thresholds[f"success/{name}"] = thresholds
