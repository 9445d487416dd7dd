"""One vocabulary for the metrics: the key (JSON, CSV columns), the label (CLI tables,
HTML, LaTeX, plot axes) and the definition (the report's glossary), in one place.

Keys are stable machine names; labels are what a reader of a paper expects. Every
surface shows the label; CSV and ``--json`` keep the key (the glossary of every report
lists both).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricName:
    """``key``: machine name; ``label``: short heading; ``definition``: one sentence;
    ``lower_is_better``: rank ascending; ``decimals``: digits shown (``None``: integer
    when whole)."""

    key: str
    label: str
    definition: str
    lower_is_better: bool = False
    decimals: int | None = 3


METRICS: tuple[MetricName, ...] = (
    MetricName("f_score", "F", "VOT long-term F-score: the maximum over confidence thresholds of the harmonic mean "
               "of tracking precision and recall."),
    MetricName("lt_precision", "Pr", "VOT long-term tracking precision at the F-score's threshold: mean overlap "
               "over the frames where the tracker reports the target."),
    MetricName("lt_recall", "Re", "VOT long-term tracking recall at the F-score's threshold: mean overlap over the "
               "frames where the target is visible."),
    MetricName("lt_threshold", "Threshold", "The confidence threshold at which the F-score is reached."),
    MetricName("eao", "EAO", "VOT expected average overlap: the mean, over sequence lengths in the suite's "
               "interval, of the expected overlap of a tracker restarted after each failure."),
    MetricName("accuracy", "A", "VOT accuracy: mean overlap of the reset-based run, burn-in frames after each "
               "(re-)initialisation excluded."),
    MetricName("robustness", "R", "VOT robustness as a failure rate: failures per 100 frames (lower is better). "
               "The A-R plot instead shows reliability exp(-30 F / N), higher is better.", lower_is_better=True),
    MetricName("failures", "Failures", "VOT failures: frames where the overlap dropped to 0 and the tracker was "
               "restarted, averaged over repetitions, summed over sequences.", lower_is_better=True, decimals=None),
    MetricName("success_auc", "AUC", "Area under the success plot: mean over sequences of the fraction of frames "
               "whose overlap exceeds each threshold, averaged over the thresholds 0..1."),
    MetricName("precision", "Prec@20", "Precision: fraction of frames whose centre error is within 20 pixels, "
               "averaged over sequences."),
    MetricName("norm_precision", "NPrec@0.2", "Normalised precision: as precision, the centre error divided by "
               "the ground-truth box size, at 0.2."),
    MetricName("success_50", "SR@0.5", "Success rate at overlap 0.5: fraction of frames with overlap > 0.5, "
               "averaged over sequences (OTB's OP50)."),
    MetricName("success_75", "SR@0.75", "Success rate at overlap 0.75 (as SR@0.5)."),
    MetricName("ao", "AO", "GOT-10k average overlap: the mean overlap over all frames of all sequences (and runs)."),
    MetricName("sr50", "SR@0.5", "GOT-10k success rate: fraction of all frames with overlap > 0.5."),
    MetricName("sr75", "SR@0.75", "GOT-10k success rate: fraction of all frames with overlap > 0.75."),
    MetricName("fps", "FPS", "Speed: frames divided by the summed per-frame tracker time (initialisation "
               "included), over every sequence that has times.", decimals=1),
    MetricName("fps_got10k", "FPS (got10k)", "GOT-10k's speed: the mean of 1 / t over all timed frames, as the "
               "got10k toolkit and server compute it.", decimals=1),
    MetricName("sequences", "Sequences", "Number of sequences scored.", decimals=None),
    MetricName("frames", "Frames", "Number of frames.", decimals=None),
    MetricName("length", "Length", "Number of frames of the sequence.", decimals=None),
)

BY_KEY: dict[str, MetricName] = {m.key: m for m in METRICS}
LOWER_IS_BETTER = frozenset(m.key for m in METRICS if m.lower_is_better)


def label(key: str) -> str:
    """The label of a metric key (the key itself when unknown)."""
    return BY_KEY[key].label if key in BY_KEY else key


def format_value(key: str, value) -> str:
    """Text of one value of metric ``key``: its decimals, integers where whole, ``–`` for none."""
    import math

    try:
        number = float(value)
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(number):
        return "–"
    decimals = BY_KEY[key].decimals if key in BY_KEY else 3
    if decimals is None:
        return f"{number:.0f}" if number.is_integer() else f"{number:.1f}"
    return f"{number:.{decimals}f}"
