"""One HTML page comparing trackers on one suite.

Layout on disk (chosen over data URIs so the page stays small and the figures can be
reused in a paper): ``OUT/NAME.html`` (``trackbench report --out OUT``; NAME ``index`` by default) and, beside it, ``OUT/NAME_files/`` with
every figure as PNG, the summary table as CSV and LaTeX, the per-sequence and
per-attribute tables as CSV, and the exports of plugins' sections (IMSiam: ablation, SVD). Asset file
names are slugified (``[a-z0-9-]``) and never contain tracker names.

The page is rendered by jinja2 with autoescaping on, so tracker and sequence names are
always text; the only script is a fixed, inline one (sortable tables, and a count of
loaded images in ``<body data-images-loaded=... data-images-total=...>`` set on the
window ``load`` event). No user data is embedded in the script.

Input: :class:`trackbench.metrics.evaluate.TrackerEvaluation`-like objects (attributes
``tracker, suite, rules, sequences, metrics, curves, thresholds, per_sequence,
per_attribute, per_tag, ar``); anything missing is skipped.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import jinja2
import markupsafe
import numpy as np
import pandas as pd

from trackbench import __version__
from trackbench.errors import TrackbenchError
from trackbench.report import plots, tables
from trackbench.report.figures import curve_set, main_figures
from trackbench.report.sections import ReportSection, SectionInputs
from trackbench.textio import atomic_write_text

if TYPE_CHECKING:
    from trackbench.suites import Family

TEMPLATES = Path(__file__).parent / "templates"


def slugify(text: str, fallback: str = "item") -> str:
    """A safe file-name stem: ASCII lower case letters, digits and single dashes."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60] or fallback


@dataclass
class ReportSpec:
    """What the page is about: the suite (name, family record, title), rules, EAO interval.

    The family names the ranking metric, the main figures and the breakdown table."""

    suite_name: str
    family: "Family"
    title: str
    rules: str = "official"
    eao_interval: tuple[int, int] | None = None
    dataset_sequences: int | None = None


@dataclass
class _Assets:
    """Writes files into the ``<name>_files`` folder and returns page-relative links."""

    folder: Path
    written: list[Path] = field(default_factory=list)

    def _unique(self, stem: str, suffix: str) -> Path:
        path = self.folder / f"{stem}{suffix}"
        number = 2
        while path in self.written:
            path = self.folder / f"{stem}-{number}{suffix}"
            number += 1
        self.written.append(path)
        return path

    def link(self, path: Path) -> str:
        return urllib.parse.quote(f"{self.folder.name}/{path.name}")

    def figure(self, figure, name: str, caption: str) -> dict:
        path = plots.save_figure(figure, self._unique(slugify(name, "figure"), ".png"))
        return {"src": self.link(path), "caption": caption, "alt": plots.describe(figure) or caption}

    def csv(self, frame: pd.DataFrame, name: str, float_format: str = "%.4f") -> str:
        return self.link(tables.to_csv(frame, self._unique(slugify(name, "table"), ".csv"), float_format))

    def text(self, content: str, name: str, suffix: str) -> str:
        path = self._unique(slugify(name, "file"), suffix)
        atomic_write_text(path, content)
        return self.link(path)


def unique_names(names: Sequence[str]) -> list[str]:
    """Disambiguate repeated tracker names: ``A``, ``A (2)``, ..."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _table_rows(frame: pd.DataFrame, best: Mapping[str, set] | None = None) -> list[dict]:
    best = best or {}
    rows = []
    for name, row in frame.iterrows():
        cells = []
        for key in frame.columns:
            value = row[key]
            finite = value is not None and np.isfinite(value)
            cells.append({
                "text": tables.format_value(str(key), value),
                "sort": f"{float(value):.10g}" if finite else "",
                "best": name in best.get(key, ()),
            })
        rows.append({"name": str(name), "cells": cells})
    return rows


def _columns(frame: pd.DataFrame) -> list[dict]:
    return [{"key": str(k), "label": tables.metric_label(str(k))} for k in frame.columns]


def build_context(
    evaluations: Sequence[Any], spec: ReportSpec, assets: _Assets, *,
    sections: Sequence[ReportSection] = (), result_dirs: Mapping[str, Path] | None = None,
    extremes_count: int = 5, highlight: int = plots.DEFAULT_HIGHLIGHT,
) -> dict:
    """Compute tables, write figures and exports, return the template context."""
    names = unique_names([str(e.tracker) for e in evaluations])
    by_name = dict(zip(names, evaluations))
    primary = spec.family.rank_key
    summary = tables.summary_table({n: dict(e.metrics) for n, e in by_name.items()}, primary)
    sequence_counts = {n: getattr(e, "sequences", None) for n, e in by_name.items()}
    context: dict[str, Any] = {
        "spec": spec, "version": __version__, "primary_label": tables.metric_label(primary),
        "generated": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "columns": _columns(summary), "rows": _table_rows(summary, tables.best_per_column(summary)),
        "sequence_counts": sequence_counts, "figures": [], "attribute": None,
        "extremes": [], "sections": [],
    }
    context["summary_csv"] = assets.csv(summary, "summary")
    context["summary_tex"] = assets.text(
        tables.to_latex(summary, caption=f"Results on {spec.title} ({spec.rules} rules).", label=f"tab:{slugify(spec.suite_name)}"),
        "summary", ".tex")

    scores = {n: float(e.metrics.get(primary, np.nan)) for n, e in by_name.items()}
    palette = {name: plots.COLORS[i % len(plots.COLORS)] for i, name in enumerate(summary.index)}
    context["figures"] = main_figures(spec.family.figures, by_name, spec, assets, highlight, palette)
    context["attribute"] = _attribute_section(by_name, spec, assets, primary, scores, palette)

    seq_metric = spec.family.sequence_metric
    per_sequence = {n: getattr(e, "per_sequence", None) for n, e in by_name.items()}
    matrix = tables.per_sequence_matrix(per_sequence, seq_metric)
    if not matrix.empty:
        context["extremes"] = tables.sequence_extremes(per_sequence, seq_metric, extremes_count)
        context["extremes_label"] = tables.metric_label(seq_metric)
        context["per_sequence_csv"] = assets.csv(matrix, f"per-sequence-{seq_metric}")

    inputs = SectionInputs(result_dirs=dict(result_dirs or {}), scores=scores, primary=primary, assets=assets)
    for section in sections:
        variables = section.build(inputs)
        if variables is not None:
            context["sections"].append(render_section(section, variables))
    return context


def _attribute_section(by_name, spec: ReportSpec, assets: _Assets, primary: str, scores,
                       palette: Mapping[str, str]) -> dict | None:
    """Per-attribute (OTB/LaSOT) or per-tag (VOT) scores: a table, a figure per attribute
    when per-attribute curves exist (``curves["success/<attr>"]``), else a bar chart."""
    field_name = spec.family.breakdown
    tagged = field_name == "per_tag"
    metric = spec.family.breakdown_metric or primary
    frames = {n: getattr(e, field_name, None) for n, e in by_name.items()}
    frames = {n: f for n, f in frames.items() if f is not None and not f.empty and metric in f.columns}
    if not frames:
        return None
    order = plots.ranked({n: scores.get(n, np.nan) for n in frames})
    matrix = pd.DataFrame({n: frames[n][metric].astype(float) for n in order})
    matrix.index.name = "Tag" if tagged else "Attribute"
    counts = {}
    for frame in frames.values():
        if "sequences" in frame.columns:
            counts.update({str(a): int(v) for a, v in frame["sequences"].items() if np.isfinite(v)})
    figures = []
    for attribute in matrix.index:
        curves, x, attr_scores = curve_set(by_name, f"success/{attribute}", "success_auc")
        if not curves:
            continue
        for name in curves:
            attr_scores[name] = float(np.mean(curves[name]))
        subtitle = f"{attribute} ({counts[str(attribute)]})" if str(attribute) in counts else str(attribute)
        figure = plots.success_plot(next(iter(x.values())), curves, attr_scores, spec.title, subtitle=subtitle,
                                    palette=palette)
        figures.append(assets.figure(figure, f"success-{attribute}", f"Success plot, {subtitle}"))
    if not figures:
        table = {n: matrix[n].to_dict() for n in matrix.columns}
        figures.append(assets.figure(plots.attribute_bars(table, tables.metric_label(metric), spec.title, order=order,
                                                          group=matrix.index.name.lower(), palette=palette),
                                     f"{field_name}-bars", f"{tables.metric_label(metric)} per {matrix.index.name.lower()}"))
    transposed = matrix.T
    transposed.index.name = "Tracker"
    return {
        "title": "Per-tag analysis" if tagged else "Per-attribute analysis",
        "group": "tag" if tagged else "attribute",
        "metric": tables.metric_label(metric),
        "columns": [{"key": str(a), "label": f"{a} ({counts[str(a)]})" if str(a) in counts else str(a)}
                    for a in transposed.columns],
        "rows": _table_rows(transposed, tables.best_per_column(transposed)),
        "figures": figures,
        "csv": assets.csv(matrix, field_name.replace("_", "-")),
    }


def _environment(folder: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


def render(context: Mapping[str, Any]) -> str:
    """Render the page (autoescaped)."""
    return _environment(TEMPLATES).get_template("report.html.j2").render(**context)


def render_section(section: ReportSection, variables: dict) -> markupsafe.Markup:
    """A plugin section's HTML, rendered (autoescaped) with the page's template settings."""
    template = Path(section.template)
    html = _environment(template.parent).get_template(template.name).render(**{section.variable: variables})
    return markupsafe.Markup(html.rstrip("\n"))


def write_report(
    out_path: str | Path, evaluations: Sequence[Any], spec: ReportSpec, *,
    sections: Sequence[ReportSection] = (), result_dirs: Mapping[str, Path] | None = None,
    extremes_count: int = 5,
) -> Path:
    """Write ``out_path`` (HTML) and its ``<stem>_files/`` assets; returns the page path.

    ``sections``: plugins' sections (:mod:`trackbench.report.sections`), after the
    harness's own; ``result_dirs[tracker]``: each evaluation's result folder, for them.
    """
    out_path = Path(out_path)
    if not evaluations:
        raise TrackbenchError("nothing to report: no evaluated result directory", out_path)
    assets = _Assets(out_path.parent / f"{out_path.stem}_files")
    assets.folder.mkdir(parents=True, exist_ok=True)
    context = build_context(evaluations, spec, assets, sections=sections, result_dirs=result_dirs,
                            extremes_count=extremes_count)
    atomic_write_text(out_path, render(context))
    for stale in assets.folder.iterdir():  # figures/tables of an earlier report under this name
        if stale.suffix in (".png", ".csv", ".tex") and stale not in assets.written:
            stale.unlink()
    return out_path
