"""Ablation tables in the style of the IMSiam paper's Table 1.

Each result directory written by ``trackbench run`` has a ``run.json`` whose
``tracker_config.components`` records which IMSiam components the run's config
enabled::

    {"stages": [2, 3, 4], "pdw_xcorr": true, "l1_difference": true,
     "search_identity": true, "cls_cen_reg": true, "iou": true}

When at least two runs carry components, the report shows one row per run: the stages,
a check mark per component and the score (the suite's primary metric).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from trackbench.errors import TrackbenchError
from trackbench.report.tables import latex_escape, metric_label, format_value

# Boolean components in the paper's column order, with their headings.
COMPONENTS: dict[str, str] = {
    "pdw_xcorr": "PDW-XCorr",
    "l1_difference": "L1 difference",
    "search_identity": "Search identity",
    "cls_cen_reg": "cls+cen+reg",
    "iou": "IoU",
}
CHECK = "\u2713"


def read_components(result_dir: str | Path) -> dict | None:
    """The ``tracker_config.components`` of ``<result_dir>/run.json``, or None when the
    file or the entry is absent. A malformed run.json is a :class:`TrackbenchError`."""
    path = Path(result_dir) / "run.json"
    if not path.is_file():
        return None
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TrackbenchError(f"malformed JSON: {exc.msg}", path, exc.lineno) from None
    config = info.get("tracker_config") if isinstance(info, dict) else None
    components = config.get("components") if isinstance(config, dict) else None
    if components is None:
        return None
    if not isinstance(components, dict):
        raise TrackbenchError("tracker_config.components must be a mapping", path)
    return components


def stages_text(stages) -> str:
    """``[2, 3, 4]`` -> ``"2+3+4"``; a single stage -> ``"4"``."""
    if stages is None:
        return ""
    if isinstance(stages, (list, tuple)):
        return "+".join(str(s) for s in stages)
    return str(stages)


def ablation_table(components: Mapping[str, dict], scores: Mapping[str, float], score_key: str) -> pd.DataFrame:
    """One row per variant (index ``Variant``): ``stages`` text, one bool column per
    component of :data:`COMPONENTS`, and the score column ``score_key``.
    Rows ordered by the number of enabled components, then by score (the full model last)."""
    rows = []
    for name, comps in components.items():
        row = {"stages": stages_text(comps.get("stages"))}
        row.update({key: bool(comps.get(key, False)) for key in COMPONENTS})
        row[score_key] = float(scores.get(name, np.nan))
        rows.append((name, row))
    frame = pd.DataFrame([r for _, r in rows], index=pd.Index([n for n, _ in rows], name="Variant"))
    enabled = frame[list(COMPONENTS)].sum(axis=1) + frame["stages"].str.count(r"\+")
    order = sorted(frame.index, key=lambda n: (int(enabled[n]), _sortable(frame.at[n, score_key]), n))
    return frame.loc[order]


def _sortable(value: float) -> float:
    return float(value) if np.isfinite(value) else -np.inf


def ablation_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The CSV form: components as 1/0 integers."""
    out = frame.copy()
    for key in COMPONENTS:
        out[key] = out[key].astype(int)
    return out


def ablation_cells(frame: pd.DataFrame, score_key: str) -> list[dict]:
    """Rows for the HTML template: ``{"name", "stages", "checks": [bool...], "score": text, "value": float}``."""
    return [
        {
            "name": name,
            "stages": row["stages"],
            "checks": [bool(row[key]) for key in COMPONENTS],
            "score": format_value(score_key, row[score_key]),
            "value": float(row[score_key]),
        }
        for name, row in frame.iterrows()
    ]


def ablation_latex(frame: pd.DataFrame, score_key: str, *, caption: str = "") -> str:
    """A booktabs table with ``\\checkmark`` per enabled component (needs amssymb)."""
    best = frame[score_key].max()
    header = ["Variant", "Stages"] + list(COMPONENTS.values()) + [metric_label(score_key)]
    lines = [r"\begin{table}[t]", r"\centering"]
    if caption:
        lines.append(r"\caption{" + latex_escape(caption) + "}")
    lines.append(r"\begin{tabular}{ll" + "c" * (len(COMPONENTS) + 1) + "}")
    lines += [r"\toprule", " & ".join(latex_escape(h) for h in header) + r" \\", r"\midrule"]
    for name, row in frame.iterrows():
        score = format_value(score_key, row[score_key]).replace("–", "--")
        if np.isfinite(row[score_key]) and np.isclose(row[score_key], best):
            score = r"\textbf{" + score + "}"
        cells = [latex_escape(name), latex_escape(row["stages"])]
        cells += [r"\checkmark" if row[key] else "" for key in COMPONENTS]
        cells.append(score)
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(lines)
