"""The field's plots, drawn with matplotlib (Agg, no LaTeX), from plain data.

Every function takes numpy arrays / dicts keyed by tracker name and returns a
:class:`matplotlib.figure.Figure` built without pyplot (no global figure registry) and
with its own Agg canvas, so importing this module never switches matplotlib's backend
for the caller; callers and tests can read the axes back; :func:`save_figure` writes it
to disk.

Conventions (as in pysot / the OTB MATLAB toolkit):

* legend entries ``[0.696] SiamRPN++`` (score with 3 decimals first), sorted by score,
  best first; curves are drawn in the same order;
* ``palette[name]`` is the tracker's :class:`~trackbench.report.styles.TrackerStyle`
  (display name, colour, line style, marker, highlight), fixed for the whole report so a
  tracker looks the same in every plot; a plain colour string is accepted too, and
  without a palette the ``highlight`` best trackers of each plot get thick solid lines
  and bold legend text, the others thin lines cycling through line styles;
* success plots: x = overlap threshold in [0, 1]; precision plots: x = location error
  threshold in pixels [0, 50]; normalised precision: x in [0, 0.5]; y always in [0, 1].
* A ``$`` in a tracker name is escaped so matplotlib never reads it as mathtext.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from trackbench.report.styles import COLORS, DEFAULT_HIGHLIGHT, LINE_STYLES, MARKERS, TrackerStyle
from trackbench.textio import atomic_write_bytes



def legend_label(name: str, score: float) -> str:
    """``[0.696] SiamRPN++``: the field's legend entry (``$`` escaped for matplotlib)."""
    return f"[{score:.3f}] {_plain(name)}"


def _plain(text: str) -> str:
    return str(text).replace("$", r"\$")


def ranked(scores: Mapping[str, float]) -> list[str]:
    """Tracker names sorted by score, best first (NaN last, ties by name)."""
    def key(name: str) -> tuple[bool, float, str]:
        value = scores[name]
        missing = value is None or not np.isfinite(value)
        return (missing, 0.0 if missing else -float(value), name)

    return sorted(scores, key=key)


@dataclass(frozen=True)
class FigureFormat:
    """Size and type of the figures: ``size`` ``screen`` (6 in wide, the HTML page),
    ``single`` (3.5 in, one column of a two-column paper) or ``double`` (7.16 in, the full
    text width); ``font_size`` in points at that size (legends are one step smaller);
    ``formats`` written into the figures folder; ``dpi`` of the raster (PNG) files."""

    size: str = "screen"
    formats: tuple[str, ...] = ("png",)
    dpi: int = 110

    def __post_init__(self) -> None:
        if self.size not in FIGURE_WIDTHS:
            raise ValueError(f"figure size must be one of {sorted(FIGURE_WIDTHS)}, got {self.size!r}")
        unknown = set(self.formats) - {"png", "pdf", "svg"}
        if unknown or not self.formats:
            raise ValueError(f"figure formats must be among png, pdf, svg, got {list(self.formats)}")

    @property
    def scale(self) -> float:
        return FIGURE_WIDTHS[self.size] / FIGURE_WIDTHS["screen"]

    @property
    def font_size(self) -> float:
        return FONT_SIZES[self.size]

    @contextmanager
    def active(self) -> Iterator[None]:
        """Draw the figures made inside this block at this size, with legible fonts."""
        token = _ACTIVE_FORMAT.set(self)
        try:
            with rc_context({"font.size": self.font_size, "axes.titlesize": "medium", "axes.labelsize": "medium",
                             "xtick.labelsize": "small", "ytick.labelsize": "small", "legend.fontsize": "small",
                             "pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none"}):
                yield
        finally:
            _ACTIVE_FORMAT.reset(token)


#: Figure widths in inches: the page, and the column / text widths of a two-column paper (IEEE, CVPR).
FIGURE_WIDTHS = {"screen": 6.0, "single": 3.5, "double": 7.16}
FONT_SIZES = {"screen": 10.0, "single": 7.0, "double": 8.0}
_ACTIVE_FORMAT: ContextVar[FigureFormat] = ContextVar("trackbench_figure_format", default=FigureFormat())


def new_figure(width: float = 6.0, height: float = 4.6) -> Figure:
    """A pyplot-free figure with an Agg canvas attached; ``width`` x ``height`` are the
    on-screen inches, scaled to the active :class:`FigureFormat` (a single-column figure
    keeps the proportions at 3.5 in)."""
    scale = _ACTIVE_FORMAT.get().scale
    figure = Figure(figsize=(width * scale, height * scale), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def style_for(rank: int, highlight: int, color: TrackerStyle | str | None = None) -> dict:
    """Line style of the tracker ranked ``rank`` (0 = best) in one plot. A
    :class:`TrackerStyle` (the report's fixed look of the tracker) is used as it is; a
    colour string overrides only the rank's colour."""
    if isinstance(color, TrackerStyle):
        return color.line_kwargs()
    color = color or COLORS[rank % len(COLORS)]
    if rank < highlight:
        return {"color": color, "linestyle": "-", "linewidth": 2.6}
    linestyle = LINE_STYLES[(rank // len(COLORS) + rank) % len(LINE_STYLES)]
    return {"color": color, "linestyle": linestyle, "linewidth": 1.3}


def display_name(name: str, look: TrackerStyle | str | None) -> str:
    """The tracker's display name (from its style), else its own name."""
    return look.name if isinstance(look, TrackerStyle) else name


def is_highlighted(rank: int, highlight: int, look: TrackerStyle | str | None) -> bool:
    """Bold / thick: the style's flag, else the plot's ``highlight`` best ranks."""
    return look.highlight if isinstance(look, TrackerStyle) else rank < highlight


def color_of(rank: int, look: TrackerStyle | str | None) -> str:
    if isinstance(look, TrackerStyle):
        return look.color
    return look or COLORS[rank % len(COLORS)]


def marker_of(rank: int, look: TrackerStyle | str | None) -> str:
    return look.marker if isinstance(look, TrackerStyle) else MARKERS[rank % len(MARKERS)]


def ranked_curves(
    thresholds: np.ndarray | Mapping[str, np.ndarray],
    curves: Mapping[str, np.ndarray],
    scores: Mapping[str, float],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    xlim: tuple[float, float],
    legend_loc: str,
    highlight: int = DEFAULT_HIGHLIGHT,
    palette: Mapping[str, TrackerStyle | str] | None = None,
) -> Figure:
    """One curve per tracker, legend ``[score] name`` sorted by score.

    ``thresholds`` is one x array shared by all trackers or a dict of them by tracker;
    ``palette`` optionally fixes each tracker's colour.
    """
    figure = new_figure()
    axes = figure.add_subplot(1, 1, 1)
    bold = []
    for rank, name in enumerate(ranked({n: scores[n] for n in curves})):
        look = (palette or {}).get(name)
        x = thresholds[name] if isinstance(thresholds, Mapping) else thresholds
        y = np.asarray(curves[name], dtype=np.float64)
        label = legend_label(display_name(name, look), scores[name])
        axes.plot(np.asarray(x, dtype=np.float64), y, label=label, **style_for(rank, highlight, look))
        bold.append(is_highlighted(rank, highlight, look))
    _decorate(axes, title, xlabel, ylabel, xlim, (0.0, 1.0))
    legend = axes.legend(loc=legend_loc, fontsize="small", framealpha=0.85)
    for text, strong in zip(legend.get_texts(), bold):
        if strong:
            text.set_fontweight("bold")
    figure.tight_layout()
    return figure


def _decorate(axes, title: str, xlabel: str, ylabel: str, xlim, ylim) -> None:
    axes.set_title(_plain(title), fontsize="medium", fontweight="bold")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xlim(*xlim)
    axes.set_ylim(*ylim)
    axes.grid(True, linestyle=":", linewidth=0.7, color="#999999")


def success_plot(
    thresholds: np.ndarray, curves: Mapping[str, np.ndarray], scores: Mapping[str, float],
    dataset_title: str, *, protocol: str = "OPE", subtitle: str | None = None, highlight: int = DEFAULT_HIGHLIGHT,
    palette: Mapping[str, str] | None = None,
) -> Figure:
    """"Success plots of OPE on OTB2015": overlap threshold vs success rate, AUC in the legend."""
    title = f"Success plots of {protocol} on {dataset_title}" + (f" - {subtitle}" if subtitle else "")
    return ranked_curves(
        thresholds, curves, scores, title=title, xlabel="Overlap threshold", ylabel="Success rate",
        xlim=(0.0, 1.0), legend_loc="lower left", highlight=highlight, palette=palette,
    )


def precision_plot(
    thresholds: np.ndarray, curves: Mapping[str, np.ndarray], scores: Mapping[str, float],
    dataset_title: str, *, protocol: str = "OPE", subtitle: str | None = None, highlight: int = DEFAULT_HIGHLIGHT,
    palette: Mapping[str, str] | None = None,
) -> Figure:
    """"Precision plots of OPE on ...": location error threshold (pixels) vs precision."""
    title = f"Precision plots of {protocol} on {dataset_title}" + (f" - {subtitle}" if subtitle else "")
    return ranked_curves(
        thresholds, curves, scores, title=title, xlabel="Location error threshold", ylabel="Precision",
        xlim=(0.0, float(np.max(thresholds))), legend_loc="lower right", highlight=highlight, palette=palette,
    )


def norm_precision_plot(
    thresholds: np.ndarray, curves: Mapping[str, np.ndarray], scores: Mapping[str, float],
    dataset_title: str, *, protocol: str = "OPE", subtitle: str | None = None, highlight: int = DEFAULT_HIGHLIGHT,
    palette: Mapping[str, str] | None = None,
) -> Figure:
    """"Normalized Precision plots of OPE on LaSOT": normalised error threshold in [0, 0.5]."""
    title = f"Normalized Precision plots of {protocol} on {dataset_title}" + (f" - {subtitle}" if subtitle else "")
    return ranked_curves(
        thresholds, curves, scores, title=title,
        xlabel="Location error threshold (normalized)", ylabel="Precision",
        xlim=(0.0, float(np.max(thresholds))), legend_loc="lower right", highlight=highlight, palette=palette,
    )


def got10k_success_plot(
    thresholds: np.ndarray, curves: Mapping[str, np.ndarray], scores: Mapping[str, float],
    dataset_title: str = "GOT-10k", *, highlight: int = DEFAULT_HIGHLIGHT,
    palette: Mapping[str, str] | None = None,
) -> Figure:
    """GOT-10k success curve (101 thresholds); the legend score is the AO."""
    return ranked_curves(
        thresholds, curves, scores, title=f"Success plots on {dataset_title}", xlabel="Overlap threshold",
        ylabel="Success rate", xlim=(0.0, 1.0), legend_loc="lower left", highlight=highlight, palette=palette,
    )


def eao_ranking_plot(
    eao: Mapping[str, float], dataset_title: str, *, highlight: int = DEFAULT_HIGHLIGHT,
    palette: Mapping[str, str] | None = None,
) -> Figure:
    """VOT-style EAO ranking: one bar per tracker, best on top, EAO written at each bar."""
    order = ranked(eao)
    figure = new_figure(6.0, max(2.2, 0.9 + 0.38 * len(order)))
    axes = figure.add_subplot(1, 1, 1)
    positions = np.arange(len(order))[::-1]
    values = [float(eao[name]) for name in order]
    looks = [(palette or {}).get(name) for name in order]
    colors = [color_of(rank, look) for rank, look in enumerate(looks)]
    bars = axes.barh(positions, values, color=colors, height=0.65)
    for rank, (bar, value, look) in enumerate(zip(bars, values, looks)):
        axes.text(bar.get_width() + 0.005, bar.get_y() + bar.get_height() / 2, f"{value:.3f}",
                  va="center", fontsize="small", fontweight="bold" if is_highlighted(rank, highlight, look) else "normal")
    axes.set_yticks(positions)
    axes.set_yticklabels([_plain(display_name(name, look)) for name, look in zip(order, looks)], fontsize="small")
    top = max([v for v in values if np.isfinite(v)] + [0.1])
    axes.set_xlim(0.0, min(1.0, top * 1.18 + 0.02))
    axes.set_xlabel("Expected average overlap (EAO)")
    axes.set_title(f"Expected average overlap on {_plain(dataset_title)}", fontsize="medium", fontweight="bold")
    axes.grid(True, axis="x", linestyle=":", linewidth=0.7, color="#999999")
    figure.tight_layout()
    return figure


def expected_overlap_plot(
    curves: Mapping[str, np.ndarray], eao: Mapping[str, float], interval: tuple[int, int] | None,
    dataset_title: str, *, highlight: int = DEFAULT_HIGHLIGHT, palette: Mapping[str, str] | None = None,
) -> Figure:
    """Expected overlap Phi(Ns) against sequence length Ns = 1..L, the EAO interval shaded.

    ``curves[name][k]`` is the expected overlap for length ``k + 1``. With an interval,
    the x axis stops at twice its upper end (the curves' tails carry little data).
    """
    figure = new_figure()
    axes = figure.add_subplot(1, 1, 1)
    longest = 1
    if interval is not None:
        axes.axvspan(interval[0], interval[1], color="#cccccc", alpha=0.45, lw=0,
                     label=f"EAO interval [{interval[0]}, {interval[1]}]")
    for rank, name in enumerate(ranked({n: eao[n] for n in curves})):
        look = (palette or {}).get(name)
        y = np.asarray(curves[name], dtype=np.float64)
        longest = max(longest, len(y))
        axes.plot(np.arange(1, len(y) + 1), y, label=legend_label(display_name(name, look), eao[name]),
                  **style_for(rank, highlight, look))
    right = float(longest) if interval is None else float(min(longest, 2 * interval[1]))
    _decorate(axes, f"Expected overlap curves on {dataset_title}", "Sequence length",
              "Expected overlap", (1.0, max(right, 2.0)), (0.0, 1.0))
    axes.legend(loc="upper right", fontsize="small", framealpha=0.85)
    figure.tight_layout()
    return figure


def reliability(failures: float, frames: float, sensitivity: float = 30.0) -> float:
    """VOT AR-plot robustness axis: ``exp(-S * failures / frames)`` with S = 30 (1 = no failure)."""
    return float(np.exp(-sensitivity * float(failures) / float(frames)))


def ar_plot(
    ar: Mapping[str, tuple[float, float]], dataset_title: str, *, sensitivity: float = 30.0,
    highlight: int = DEFAULT_HIGHLIGHT, scores: Mapping[str, float] | None = None,
    palette: Mapping[str, str] | None = None,
) -> Figure:
    """The VOT accuracy-robustness plot, one marker per tracker at
    ``ar[name] = (accuracy, reliability)`` where reliability = exp(-S failures / frames)
    (:func:`reliability`, as in ``TrackerEvaluation.ar``). Legend ordered by ``scores``
    (EAO) when given, else by accuracy."""
    order = ranked(dict(scores) if scores is not None else {n: ar[n][0] for n in ar})
    figure = new_figure(5.6, 5.0)
    axes = figure.add_subplot(1, 1, 1)
    for rank, name in enumerate(order):
        look = (palette or {}).get(name)
        accuracy, robust = ar[name]
        axes.plot([robust], [accuracy], linestyle="none",
                  marker=marker_of(rank, look), markersize=9 if is_highlighted(rank, highlight, look) else 7,
                  color=color_of(rank, look), markeredgecolor="black", markeredgewidth=0.6,
                  label=_plain(display_name(name, look)))
    _decorate(axes, f"AR plot on {dataset_title}", f"Reliability exp(-{sensitivity:g} F / N) (higher is better)",
              "Accuracy", (0.0, 1.0), (0.0, 1.0))
    axes.set_aspect("equal")
    axes.legend(loc="lower left", fontsize="small", framealpha=0.85)
    figure.tight_layout()
    return figure


def attribute_bars(
    table: Mapping[str, Mapping[str, float]], metric_label: str, dataset_title: str,
    *, order: Sequence[str] | None = None, group: str = "attribute", palette: Mapping[str, str] | None = None,
    top: float | None = None,
) -> Figure:
    """Grouped bars of a score per attribute, one bar colour per tracker.

    ``table[tracker][attribute] = score``; the y axis runs from 0 to ``top`` (default 1:
    scores in [0, 1]; counts such as failures need their own).
    """
    trackers = list(order) if order is not None else list(table)
    attributes: list[str] = []
    for scores in table.values():
        attributes.extend(a for a in scores if a not in attributes)
    figure = new_figure(max(6.0, 0.22 * len(attributes) * max(1, len(trackers)) + 2.5), 4.4)
    figure.set_layout_engine("constrained")
    axes = figure.add_subplot(1, 1, 1)
    width = 0.8 / max(1, len(trackers))
    x = np.arange(len(attributes))
    for rank, name in enumerate(trackers):
        look = (palette or {}).get(name)
        values = [table[name].get(a, np.nan) for a in attributes]
        axes.bar(x + (rank - (len(trackers) - 1) / 2) * width, values, width=width,
                 color=color_of(rank, look), label=_plain(display_name(name, look)))
    axes.set_xticks(x)
    axes.set_xticklabels([_plain(a) for a in attributes], fontsize="small", rotation=30, ha="right")
    axes.set_ylim(0.0, 1.0 if top is None else top)
    axes.set_ylabel(metric_label)
    axes.set_title(f"{metric_label} per {group} on {_plain(dataset_title)}", fontsize="medium", fontweight="bold")
    axes.grid(True, axis="y", linestyle=":", linewidth=0.7, color="#999999")
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), framealpha=0.85)
    return figure


def describe(figure: Figure) -> str:
    """Alt text of a figure: each panel's title and its legend entries in order, e.g.
    ``"Success plots of OPE on OTB2015: [0.696] SiamBAN; [0.695] SiamRPN++"``."""
    parts = []
    for axes in figure.axes:
        legend = axes.get_legend()
        entries = [t.get_text().replace("\\$", "$") for t in legend.get_texts()] if legend else []
        title = axes.get_title().replace("\\$", "$")
        parts.append(title + (": " + "; ".join(entries) if entries else ""))
    return " | ".join(p for p in parts if p)


def figure_bytes(figure: Figure, fmt: str = "png", dpi: int = 110) -> bytes:
    """Render ``figure`` to PNG/SVG/PDF bytes."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi)
    return buffer.getvalue()


def save_figure(figure: Figure, path: str | Path, dpi: int = 110) -> Path:
    """Write ``figure`` atomically; the format follows the suffix (.png, .svg, .pdf)."""
    path = Path(path)
    atomic_write_bytes(path, figure_bytes(figure, path.suffix.lstrip(".").lower() or "png", dpi))
    return path
