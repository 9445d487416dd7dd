"""Plots read back from the matplotlib Figures the report functions return."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.patches import Polygon, Rectangle

from helpers.report_fakes import OVERLAP, PIXELS, ope_evaluation
from trackbench.report import plots

STRENGTHS = {"SiamRPN++": 2.3, "SiamBAN": 2.6, "DaSiamRPN": 1.6, "KCF": 0.8, "MOSSE": 0.5}


@pytest.fixture()
def ope():
    evaluations = {name: ope_evaluation(name, s) for name, s in STRENGTHS.items()}
    curves = {n: e.curves["success"] for n, e in evaluations.items()}
    scores = {n: e.metrics["success_auc"] for n, e in evaluations.items()}
    return curves, scores, evaluations


def test_success_plot_legend_sorted_with_scores(ope):
    curves, scores, _ = ope
    figure = plots.success_plot(OVERLAP, curves, scores, "OTB2015")
    (axes,) = figure.axes
    assert axes.get_title() == "Success plots of OPE on OTB2015"
    assert axes.get_xlim() == (0.0, 1.0) and axes.get_ylim() == (0.0, 1.0)
    assert axes.get_xlabel() == "Overlap threshold" and axes.get_ylabel() == "Success rate"
    lines = axes.get_lines()
    assert len(lines) == len(STRENGTHS)  # one curve per tracker
    expected = sorted(scores, key=lambda n: -scores[n])
    labels = [t.get_text() for t in axes.get_legend().get_texts()]
    assert labels == [f"[{scores[n]:.3f}] {n}" for n in expected]
    # Each curve carries the data of the tracker its label names.
    for line, name in zip(lines, expected):
        np.testing.assert_allclose(line.get_ydata(), curves[name])
        np.testing.assert_allclose(line.get_xdata(), OVERLAP)
    # The three best are highlighted: thicker lines, bold legend text.
    widths = [line.get_linewidth() for line in lines]
    assert min(widths[:3]) > max(widths[3:])
    weights = [t.get_fontweight() for t in axes.get_legend().get_texts()]
    assert weights[:3] == ["bold"] * 3 and "bold" not in weights[3:]


def test_legend_score_matches_mean_of_curve(ope):
    curves, scores, _ = ope
    figure = plots.success_plot(OVERLAP, curves, scores, "OTB2015")
    for text, line in zip(figure.axes[0].get_legend().get_texts(), figure.axes[0].get_lines()):
        assert text.get_text().startswith(f"[{np.mean(line.get_ydata()):.3f}]")


def test_precision_and_norm_precision_ranges(ope):
    _, _, evaluations = ope
    curves = {n: e.curves["precision"] for n, e in evaluations.items()}
    scores = {n: e.metrics["precision"] for n, e in evaluations.items()}
    figure = plots.precision_plot(PIXELS, curves, scores, "OTB2015")
    axes = figure.axes[0]
    assert axes.get_title() == "Precision plots of OPE on OTB2015"
    assert axes.get_xlim() == (0.0, 50.0) and axes.get_ylim() == (0.0, 1.0)
    assert len(axes.get_lines()) == len(curves)
    norm = plots.norm_precision_plot(PIXELS / 100, curves, scores, "LaSOT").axes[0]
    assert norm.get_xlim() == (0.0, 0.5)
    assert norm.get_title() == "Normalized Precision plots of OPE on LaSOT"


def test_attribute_subtitle_and_dollar_names_are_plain_text():
    curves = {"a$b$": OVERLAP[::-1].copy(), "<script>": OVERLAP * 0.5}
    scores = {n: float(np.mean(c)) for n, c in curves.items()}
    figure = plots.success_plot(OVERLAP, curves, scores, "OTB2015", subtitle="IV (38)")
    axes = figure.axes[0]
    assert axes.get_title() == "Success plots of OPE on OTB2015 - IV (38)"
    labels = [t.get_text() for t in axes.get_legend().get_texts()]
    assert labels == [r"[0.500] a\$b\$", "[0.250] <script>"]
    plots.figure_bytes(figure)  # renders without mathtext errors


def test_ties_and_nan_scores_are_ordered_deterministically():
    assert plots.ranked({"b": 0.5, "a": 0.5, "c": float("nan"), "d": 0.7}) == ["d", "a", "b", "c"]


def test_eao_ranking_bars_best_on_top():
    eao = {"LightTrack": 0.418, "NanoTrack": 0.311, "SiamRPN": 0.383}
    axes = plots.eao_ranking_plot(eao, "VOT2018").axes[0]
    bars = [p for p in axes.patches if isinstance(p, Rectangle)]
    assert len(bars) == 3
    top_to_bottom = sorted(bars, key=lambda b: -b.get_y())
    assert [round(b.get_width(), 3) for b in top_to_bottom] == [0.418, 0.383, 0.311]
    by_position = dict(zip(axes.get_yticks(), (t.get_text() for t in axes.get_yticklabels())))
    assert [by_position[p] for p in sorted(by_position, reverse=True)] == ["LightTrack", "SiamRPN", "NanoTrack"]


def test_expected_overlap_interval_shaded():
    lengths = 400
    curves = {"A": np.linspace(0.6, 0.3, lengths), "B": np.linspace(0.5, 0.2, lengths)}
    eao = {"A": 0.41, "B": 0.33}
    axes = plots.expected_overlap_plot(curves, eao, (100, 356), "VOT2018").axes[0]
    shaded = [p for p in axes.patches if isinstance(p, (Polygon, Rectangle))]
    assert len(shaded) == 1
    xs = shaded[0].get_path().transformed(shaded[0].get_patch_transform()).vertices[:, 0] \
        if isinstance(shaded[0], Rectangle) else shaded[0].get_xy()[:, 0]
    assert (xs.min(), xs.max()) == (100, 356)
    assert axes.get_xlim() == (1.0, float(lengths))
    long_curves = {n: np.linspace(0.6, 0.1, 1500) for n in curves}
    long_axes = plots.expected_overlap_plot(long_curves, eao, (100, 356), "VOT2018").axes[0]
    assert long_axes.get_xlim() == (1.0, 712.0)  # stops at twice the interval's end
    lines = axes.get_lines()
    assert len(lines) == 2 and lines[0].get_xdata()[0] == 1
    labels = [t.get_text() for t in axes.get_legend().get_texts()]
    assert labels[1:] == ["[0.410] A", "[0.330] B"]


def test_ar_plot_positions():
    ar = {"LightTrack": (0.5292, plots.reliability(38, 21356)), "NanoTrack": (0.5424, plots.reliability(70, 21356))}
    axes = plots.ar_plot(ar, "VOT2018", scores={"LightTrack": 0.418, "NanoTrack": 0.311}).axes[0]
    lines = axes.get_lines()
    assert [l.get_label() for l in lines] == ["LightTrack", "NanoTrack"]
    assert lines[0].get_xdata()[0] == pytest.approx(np.exp(-30 * 38 / 21356))
    assert lines[1].get_ydata()[0] == pytest.approx(0.5424)
    assert axes.get_xlim() == (0.0, 1.0) and axes.get_ylim() == (0.0, 1.0)


def test_got10k_success_plot():
    thresholds = np.linspace(0, 1, 101)
    curves = {"A": 1 - thresholds, "B": 1 - thresholds ** 0.5}
    scores = {"A": 0.61, "B": 0.35}
    axes = plots.got10k_success_plot(thresholds, curves, scores).axes[0]
    assert axes.get_title() == "Success plots on GOT-10k"
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["[0.610] A", "[0.350] B"]


def test_save_figure_png_and_svg(tmp_path, ope):
    curves, scores, _ = ope
    figure = plots.success_plot(OVERLAP, curves, scores, "OTB2015")
    png = plots.save_figure(figure, tmp_path / "s.png")
    svg = plots.save_figure(figure, tmp_path / "s.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:500]


def test_importing_plots_leaves_the_matplotlib_backend_alone(tmp_path):
    import subprocess
    import sys

    code = "import matplotlib; matplotlib.use('pdf'); import trackbench.report.plots; print(matplotlib.get_backend())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "pdf"
    # figures still render and save without any backend switch (own Agg canvas)
    assert plots.save_figure(plots.new_figure(), tmp_path / "x.png").read_bytes()[:4] == b"\x89PNG"
