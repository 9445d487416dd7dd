"""One HTML page comparing trackers on one suite.

Layout on disk (``trackbench report --out OUT``; page NAME ``index`` by default):

* ``OUT/NAME.html``: the page, with a table of contents;
* ``OUT/figures/``: every plot as one file per format (``--figures png,pdf,svg``, PNG
  always, at ``--dpi``), for a paper, and ``styles.yaml`` with the colours, line styles
  and names used, to keep them in the next report (``--styles``);
* ``OUT/NAME_files/``: CSV and LaTeX tables and the viewer's videos and key frames.

With ``--single-file`` the page holds everything itself (figures, key frames and videos
as ``data:`` URIs, tables as downloadable ``data:`` links), the folders are still written.
Asset file names are slugified (``[a-z0-9-]``) and never contain tracker names.

The page is rendered by jinja2 with autoescaping on, so tracker and sequence names are
always text; the only script is a fixed, inline one (sortable tables with numeric sort,
and a count of loaded images and videos in ``<body data-images-loaded=...
data-images-total=... data-videos-loaded=... data-videos-total=...>``). No user data is
embedded in the script.

Input: :class:`trackbench.metrics.evaluate.TrackerEvaluation`-like objects (attributes
``tracker, suite, rules, sequences, metrics, curves, thresholds, per_sequence,
per_attribute, per_tag, ar, resampling``); anything missing is skipped.
"""

from __future__ import annotations

import base64
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
from trackbench.metrics import names as metric_names
from trackbench.report import breakdown, plots, tables
from trackbench.report import sequences as sequence_parts
from trackbench.report.figures import main_figures
from trackbench.report.provenance import Provenance
from trackbench.report.sections import ReportSection, SectionInputs
from trackbench.report.styles import assign_styles, write_styles
from trackbench.sequence import Dataset
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
    corner_rule: str | None = None


@dataclass
class ReportOptions:
    """How the page is drawn (``trackbench report`` options).

    ``names``: tracker -> display name; ``highlight``: trackers drawn thick (default the
    three best); ``saved_styles``: looks kept from a ``styles.yaml``; ``figure_format``:
    size, formats and dpi of the figures; ``single_file``: inline every asset;
    ``viewer``: ``auto`` | ``all`` | ``none`` (:func:`trackbench.report.sequences.viewer_section`);
    ``statistics``: bootstrap intervals and paired tests (``resamples``, ``seed``);
    ``latex_top3``: colour the LaTeX table's three best values; ``provenance``: the footer.
    """

    names: dict[str, str] = field(default_factory=dict)
    highlight: list[str] | None = None
    saved_styles: dict = field(default_factory=dict)
    figure_format: plots.FigureFormat = field(default_factory=plots.FigureFormat)
    single_file: bool = False
    viewer: str = "auto"
    statistics: bool = True
    resamples: int = 10_000
    seed: int = 0
    latex_top3: bool = False
    progress: bool = True
    provenance: Provenance | None = None

    def __post_init__(self) -> None:
        if self.viewer not in ("auto", "all", "none"):
            raise TrackbenchError(f"--viewer must be auto, all or none, got {self.viewer!r}")


_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".webm": "video/webm",
         ".webp": "image/webp", ".csv": "text/csv", ".tex": "application/x-tex"}


@dataclass
class _Assets:
    """Writes the page's files and returns how the page refers to them: a relative link,
    or with ``inline`` a ``data:`` URI. Figures go to ``figures`` (one file per format),
    everything else to ``folder``."""

    folder: Path
    figures_folder: Path
    figure_format: plots.FigureFormat = field(default_factory=plots.FigureFormat)
    inline: bool = False
    written: list[Path] = field(default_factory=list)

    def _unique(self, stem: str, suffix: str, folder: Path | None = None) -> Path:
        folder = folder or self.folder
        path = folder / f"{stem}{suffix}"
        number = 2
        while path in self.written:
            path = folder / f"{stem}-{number}{suffix}"
            number += 1
        self.written.append(path)
        return path

    def stem(self, name: str) -> str:
        """A unique file stem in ``folder`` for files written by others (the viewer)."""
        base = slugify(name, "item")
        stem, number = base, 2
        while any(p.name.startswith(stem + ".") or p.name.startswith(stem + "-strip") for p in self.written):
            stem, number = f"{base}-{number}", number + 1
        self.written.append(self.folder / f"{stem}.reserved")
        return stem

    def link(self, path: Path) -> str:
        if self.inline:
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            return f"data:{_MIME.get(path.suffix.lower(), 'application/octet-stream')};base64,{data}"
        return urllib.parse.quote(f"{path.parent.name}/{path.name}")

    def media(self, path: Path) -> str:
        """The reference of a file written into ``folder`` by someone else (video, strip)."""
        self.written.append(path)
        return self.link(path)

    def figure(self, figure, name: str, caption: str) -> dict:
        stem = slugify(name, "figure")
        png = self._unique(stem, ".png", self.figures_folder)
        plots.save_figure(figure, png, dpi=self.figure_format.dpi)
        for fmt in self.figure_format.formats:
            if fmt != "png":
                other = png.with_suffix(f".{fmt}")
                plots.save_figure(figure, other, dpi=self.figure_format.dpi)
                self.written.append(other)
        return {"src": self.link(png), "caption": caption, "alt": plots.describe(figure) or caption,
                "file": png.name}

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


def _table_rows(frame: pd.DataFrame, best: Mapping[str, set] | None = None, metric: str | None = None) -> list[dict]:
    """Cells of a table whose columns are metric keys, or (``metric``) all values of one
    metric (columns named by attribute, tag or tracker)."""
    best = best or {}
    rows = []
    for name, row in frame.iterrows():
        cells = []
        for key in frame.columns:
            value = row[key]
            finite = value is not None and np.isfinite(value)
            cells.append({
                "text": tables.format_value(metric or str(key), value),
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
    extremes_count: int = 5, options: ReportOptions | None = None, dataset=None,
) -> dict:
    """Compute tables, write figures and exports, return the template context.

    ``dataset`` (the evaluated :class:`~trackbench.sequence.Dataset`) enables the sequence
    viewer, which also needs ``result_dirs``."""
    options = options or ReportOptions()
    labels = unique_names([str(e.tracker) for e in evaluations])
    by_name = dict(zip(labels, evaluations))
    primary = spec.family.rank_key
    summary = tables.summary_table({n: dict(e.metrics) for n, e in by_name.items()}, primary)
    order = [str(n) for n in summary.index]
    styles = assign_styles(order, names=options.names, saved=options.saved_styles, highlight=options.highlight)
    display = {n: styles[n].name for n in order}
    stats = None
    if options.statistics:
        from trackbench.metrics.bootstrap import significance

        ranked = [by_name[n] for n in order]
        stats = significance(ranked, primary, resamples=options.resamples, seed=options.seed) \
            if any(getattr(e, "resampling", None) for e in ranked) else None
    vs_next = stats.tie_with_next() if stats is not None else {}
    rows = _table_rows(summary, tables.best_per_column(summary))
    for row in rows:
        tracker = row["name"]
        row["display"] = display[tracker]
        interval = stats.intervals.get(tracker, {}).get(primary) if stats is not None else None
        row["interval"] = (f"[{metric_names.format_value(primary, interval.low)}, "
                           f"{metric_names.format_value(primary, interval.high)}]") if interval is not None else ""
        pair = vs_next.get(tracker)
        row["vs_next"] = None if pair is None else {"tie": pair.tie, "p": sequence_parts.p_text(pair.bootstrap_p)}
    context: dict[str, Any] = {
        "spec": spec, "version": __version__, "primary_label": tables.metric_label(primary), "primary": primary,
        "generated": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "columns": _columns(summary), "rows": rows, "styles": [styles[n] for n in order],
        "sequence_counts": {n: getattr(e, "sequences", None) for n, e in by_name.items()},
        "figures": [], "attribute": None, "tags": None, "per_sequence": None, "viewer": None,
        "significance": None, "sections": [], "statistics": stats is not None,
        "glossary": [m for m in metric_names.METRICS if m.key in summary.columns or m.key == primary],
        "provenance": options.provenance, "single_file": options.single_file,
    }
    context["summary_csv"] = assets.csv(summary, "summary")
    context["summary_tex"] = assets.text(
        tables.to_latex(summary.rename(index=display), caption=f"Results on {spec.title} ({spec.rules} rules).",
                        label=f"tab:{slugify(spec.suite_name)}", top3=options.latex_top3),
        "summary", ".tex")

    scores = {n: float(e.metrics.get(primary, np.nan)) for n, e in by_name.items()}
    with options.figure_format.active():
        context["figures"] = main_figures(spec.family.figures, by_name, spec, assets, plots.DEFAULT_HIGHLIGHT, styles)
        if spec.family.breakdown == "per_tag":
            context["tags"] = breakdown.tag_section(by_name, spec, assets, order, styles, _table_rows)
        else:
            context["attribute"] = breakdown.attribute_section(by_name, spec, assets, order, styles, _table_rows,
                                                               spec.family.figures)
        context["significance"] = sequence_parts.significance_section(stats, by_name, styles, spec.family.columns)
        context["per_sequence"] = sequence_parts.per_sequence_section(by_name, spec.family.sequence_metric, order,
                                                                      styles, assets, extremes_count)
        if isinstance(dataset, Dataset) and result_dirs:
            from trackbench.results.read import ResultIndex

            indices = {n: ResultIndex.build(result_dirs[n]) for n in order if n in result_dirs}
            context["viewer"] = sequence_parts.viewer_section(
                dataset, spec.family.protocol, spec.corner_rule or "x+w", indices, styles, assets, by_name,
                spec.family.sequence_metric, options.viewer, options.progress)
        inputs = SectionInputs(result_dirs=dict(result_dirs or {}), scores=scores, primary=primary, assets=assets)
        for section in sections:
            variables = section.build(inputs)
            if variables is not None:
                context["sections"].append(render_section(section, variables))
    write_styles(assets.figures_folder / "styles.yaml", styles)
    context["styles_file"] = assets.media(assets.figures_folder / "styles.yaml") if not options.single_file else None
    context["toc"] = _table_of_contents(context)
    return context


def _table_of_contents(context: Mapping[str, Any]) -> list[dict]:
    """``[{id, title}]`` of the page's sections present, in page order."""
    entries = [("summary", "Summary", True), ("plots", "Plots", bool(context["figures"])),
               ("significance", "Significance", bool(context["significance"])),
               ("attributes", "Per-attribute analysis", bool(context["attribute"])),
               ("tags", "Per-tag analysis", bool(context["tags"])),
               ("sequences", "Per-sequence results", bool(context["per_sequence"])),
               ("viewer", "Sequence viewer", bool(context["viewer"])),
               ("plugins", "Further analyses", bool(context["sections"])),
               ("glossary", "Glossary", True)]
    return [{"id": key, "title": title} for key, title, present in entries if present]


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
    extremes_count: int = 5, options: ReportOptions | None = None, dataset=None,
) -> Path:
    """Write ``out_path`` (HTML), ``figures/`` and ``<stem>_files/`` beside it; returns the page path.

    ``sections``: plugins' sections (:mod:`trackbench.report.sections`), after the
    harness's own; ``result_dirs[tracker]``: each evaluation's result folder, for them and
    for the sequence viewer (with ``dataset``).
    """
    out_path = Path(out_path)
    options = options or ReportOptions()
    if not evaluations:
        raise TrackbenchError("nothing to report: no evaluated result directory", out_path)
    figures = "figures" if out_path.stem == "index" else f"{out_path.stem}_figures"
    assets = _Assets(out_path.parent / f"{out_path.stem}_files", out_path.parent / figures,
                     options.figure_format, options.single_file)
    assets.folder.mkdir(parents=True, exist_ok=True)
    assets.figures_folder.mkdir(parents=True, exist_ok=True)
    context = build_context(evaluations, spec, assets, sections=sections, result_dirs=result_dirs,
                            extremes_count=extremes_count, options=options, dataset=dataset)
    atomic_write_text(out_path, render(context))
    for folder in (assets.folder, assets.figures_folder):  # files of an earlier report under this name
        for stale in folder.iterdir():
            if stale.suffix in (".png", ".csv", ".tex", ".svg", ".pdf", ".jpg", ".webm", ".webp") \
                    and stale not in assets.written:
                stale.unlink()
    return out_path
