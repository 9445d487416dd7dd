"""VOT long-term: precision / recall / F-score, checked by hand, against the VOT toolkit
package (vot-toolkit 0.9.0, run on the files our protocol wrote) and against pysot's
F1Benchmark formulas re-derived here from its published code."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from trackbench.errors import TrackbenchError
from trackbench.metrics.longterm import (
    PYSOT_RULES,
    VOT_RULES,
    LongTermSequence,
    determine_thresholds,
    evaluate_longterm,
    frame_overlaps,
    longterm_sequence,
    precision_recall,
)
from trackbench.protocols.ope import run_one_pass
from trackbench.results.vot_longterm import from_one_pass, read_longterm, write_longterm
from trackbench.sequence import Sequence

# ----------------------------------------------------------------------------- by hand

# One sequence of 5 frames: frame 0 initialisation (no confidence, overlap 0); frame 1
# overlap 0.8 at confidence 0.9; frame 2 0.4 at 0.5; frame 3 target absent and the
# prediction empty, confidence 0.3 (overlap 1 for the VOT toolkit, 0 for pysot); frame 4
# overlap 0 at 0.1. The target is visible on 4 frames (0, 1, 2, 4).
OVERLAPS_VOT = np.array([0.0, 0.8, 0.4, 1.0, 0.0])
SCORES = np.array([np.nan, 0.9, 0.5, 0.3, 0.1])


def test_hand_computed_vot_rules():
    sequence = LongTermSequence("a", OVERLAPS_VOT, np.array([0.0, 0.9, 0.5, 0.3, 0.1]), visible=4)
    result = evaluate_longterm([sequence], VOT_RULES)
    # fewer than 98 scores: every score is a threshold, sorted descending, plus +-inf
    np.testing.assert_array_equal(result.thresholds, [np.inf, 0.9, 0.5, 0.3, 0.1, 0.0, -np.inf])
    # threshold 0.3 reports frames 1, 2, 3: Pr = 2.2 / 3, Re = 2.2 / 4, F = 22 / 35
    expected_pr = [1, 0.8, 0.6, 2.2 / 3, 0.55, 0.44, 0.44]
    expected_re = [0, 0.2, 0.3, 0.55, 0.55, 0.55, 0.55]
    np.testing.assert_allclose(result.precision, expected_pr, atol=1e-12)
    np.testing.assert_allclose(result.recall, expected_re, atol=1e-12)
    scores = result.scores
    assert scores["f_score"] == pytest.approx(22 / 35, abs=1e-12)
    assert scores["precision"] == pytest.approx(11 / 15, abs=1e-12)
    assert scores["recall"] == pytest.approx(11 / 20, abs=1e-12)
    assert scores["threshold"] == 0.3


def test_hand_computed_pysot_rules_at_given_thresholds():
    overlaps = OVERLAPS_VOT.copy()
    overlaps[3] = 0.0  # pysot: an empty prediction never overlaps
    thresholds = np.array([np.inf, 0.5, 0.1, -np.inf])
    precision, recall = precision_recall(overlaps, SCORES, 4, thresholds, PYSOT_RULES)
    # 0.5: frames 1, 2 -> Pr 0.6, Re 0.3; 0.1: frames 1..4 -> 1.2 / 4; -inf: confidence > 0
    # only (frame 0's NaN counts as 0, so it is not reported either)
    np.testing.assert_allclose(precision, [1, 0.6, 0.3, 0.3])
    np.testing.assert_allclose(recall, [0, 0.3, 0.3, 0.3])
    # VOT rules at -inf report frame 0 too: Pr 1.2 / 5
    vot_precision, _ = precision_recall(overlaps, np.nan_to_num(SCORES), 4, thresholds, VOT_RULES)
    assert vot_precision[-1] == pytest.approx(0.24)


def test_overlap_of_empty_regions_follows_each_rule():
    regions = np.array([[np.nan] * 4, [10, 10, 20, 20], [np.nan] * 4, [10, 10, 20, 20]], dtype=float)
    truth = np.array([[np.nan] * 4, [np.nan] * 4, [10, 10, 20, 20], [10, 10, 20, 20]], dtype=float)
    np.testing.assert_allclose(frame_overlaps(regions, truth, (100, 100), VOT_RULES), [1, 0, 0, 1])
    np.testing.assert_allclose(frame_overlaps(regions, truth, (100, 100), PYSOT_RULES), [0, 0, 0, 1])


def test_pysot_rule_needs_enough_scores():
    with pytest.raises(TrackbenchError, match="98"):
        determine_thresholds(np.arange(10.0), PYSOT_RULES)


# ----------------------------------------------------------- a scripted long-term tracker

WIDTH, HEIGHT = 200, 150


class FrameSequence(Sequence):
    def image(self, index: int) -> np.ndarray:
        image = np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8)
        image[0, 0, 0], image[0, 0, 1] = index % 256, index // 256
        return image


def make_sequence(name: str, n: int, seed: int) -> FrameSequence:
    """Integer boxes drifting through (and partly out of) the image, absent on two spans."""
    rng = np.random.default_rng(seed)
    x = np.clip(np.cumsum(rng.integers(-3, 4, n)) + 80, -10, 190).astype(float)
    y = np.clip(np.cumsum(rng.integers(-2, 3, n)) + 60, -5, 140).astype(float)
    boxes = np.stack([x, y, np.full(n, 24.0), np.full(n, 18.0)], axis=1)
    boxes[n // 3: n // 3 + 25] = np.nan
    boxes[n - 15:] = np.nan
    boxes[0] = [80, 60, 24, 18]
    frames = [Path(f"/nonexistent/{name}/{i:08d}.jpg") for i in range(n)]
    return FrameSequence(name, boxes, frames=frames, image_size=(WIDTH, HEIGHT))


class ScriptedLongTerm:
    """Reports the ground truth shifted by a few pixels with a confidence in [0, 1); on some
    frames an empty prediction (NaN box) or a box elsewhere."""

    is_deterministic = True

    def __init__(self, ground_truth: np.ndarray, seed: int):
        self.ground_truth = ground_truth
        self.rng = np.random.default_rng(seed)

    def init(self, image, box):
        pass

    def update(self, image):
        frame = int(image[0, 0, 0]) + 256 * int(image[0, 0, 1])
        score = float(np.round(self.rng.random(), 3))
        roll = self.rng.random()
        truth = self.ground_truth[frame]
        if roll < 0.15 or (np.isnan(truth).any() and roll < 0.7):
            return np.full(4, np.nan), score
        if np.isnan(truth).any() or roll > 0.9:
            return np.array([5.0, 5.0, 20.0, 20.0]), score
        shift = self.rng.integers(-6, 7, 2).astype(float)
        return np.array([truth[0] + shift[0], truth[1] + shift[1], truth[2], truth[3]]), score


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lt") / "scripted"
    sequences = [make_sequence("alpha", 260, 1), make_sequence("beta", 180, 2)]
    for k, sequence in enumerate(sequences):
        run = run_one_pass(ScriptedLongTerm(sequence.ground_truth, 10 + k), sequence)
        write_longterm(folder, sequence.name, from_one_pass(run.boxes, run.scores, run.times))
    return folder, sequences


def test_files_are_in_the_vot_layout(written):
    folder, sequences = written
    lines = (folder / "longterm" / "alpha" / "alpha_001.txt").read_text().splitlines()
    confidence = (folder / "longterm" / "alpha" / "alpha_001_confidence.value").read_text().splitlines()
    assert len(lines) == len(confidence) == 260
    assert lines[0] == "1" and confidence[0] == ""
    assert "0" in lines[1:]  # empty predictions
    assert (folder / "longterm" / "alpha" / "alpha_001_time.value").is_file()
    run = read_longterm(folder, "alpha")
    assert np.isnan(run.boxes[0]).all() and np.isnan(run.scores[0])


def _vot_toolkit_scores(folder: Path, sequences):
    """The VOT toolkit's own functions on the written files (analysis/longterm.py)."""
    pytest.importorskip("vot")
    from vot.analysis.longterm import compute_tpr_curves, determine_thresholds as vot_thresholds
    from vot.region import Special
    from vot.region.io import read_trajectory
    from vot.region.shapes import Rectangle

    class ToolkitSequence:
        def __init__(self, sequence):
            self.size = (WIDTH, HEIGHT)
            self._gt = [Special(0) if np.isnan(b).any() else Rectangle(*b) for b in sequence.ground_truth]

        def groundtruth(self):
            return self._gt

    runs = []
    for sequence in sequences:
        base = folder / "longterm" / sequence.name / f"{sequence.name}_001"
        trajectory = read_trajectory(str(base) + ".txt")
        lines = Path(str(base) + "_confidence.value").read_text().splitlines()
        confidence = [float(line) if line.strip() else 0 for line in lines]  # missing -> get(..., 0)
        runs.append((trajectory, confidence, ToolkitSequence(sequence)))
    thresholds = vot_thresholds([c for _, conf, _ in runs for c in conf], 100)
    curves = [compute_tpr_curves(t, c, s, thresholds) for t, c, s in runs]
    precision = np.mean([pr for pr, _ in curves], axis=0)
    recall = np.mean([re for _, re in curves], axis=0)
    f = 2 * precision * recall / (precision + recall)
    best = int(np.argmax(f))
    return np.array(thresholds), precision, recall, f, best


def _ours(folder: Path, sequences, rules):
    inputs = []
    for sequence in sequences:
        run = read_longterm(folder, sequence.name)
        inputs.append(longterm_sequence(sequence.name, run.boxes, run.scores, sequence.ground_truth,
                                        sequence.image_size, rules))
    return evaluate_longterm(inputs, rules)


def test_equal_to_the_vot_toolkit(written):
    folder, sequences = written
    thresholds, precision, recall, f, best = _vot_toolkit_scores(folder, sequences)
    ours = _ours(folder, sequences, VOT_RULES)
    assert len(thresholds) == 100  # 439 scores: the quantile selection is exercised
    np.testing.assert_allclose(ours.thresholds, thresholds, atol=1e-12)
    np.testing.assert_allclose(ours.precision, precision, atol=1e-6)
    np.testing.assert_allclose(ours.recall, recall, atol=1e-6)
    assert ours.best == best
    assert ours.scores["f_score"] == pytest.approx(f[best], abs=1e-6)
    assert 0.2 < ours.scores["f_score"] < 0.95


def _pysot_formulas(folder: Path, sequences):
    """pysot F1Benchmark, re-derived from toolkit/utils/statistics.py and f1_benchmark.py:
    frame-0 confidence NaN; thresholds from the ascending scores at
    floor(linspace(d - 1, n - d, 98) + 0.5), d = floor(n / 98), with -inf / +inf at the
    ends, then reversed; per video: overlaps (special regions NaN -> 0), NaN scores -> 0,
    at -inf the frames with score > 0, else score >= t; empty -> Pr 1, Re 0; Re divides by
    the visible frames; dataset Pr / Re = mean over videos, F from them, argmax."""
    from trackbench.metrics.region_overlap import vot_overlap

    per_video, all_scores = [], []
    for sequence in sequences:
        run = read_longterm(folder, sequence.name)
        scores = run.scores.copy()
        scores[0] = np.nan
        all_scores.append(scores)
        overlaps = np.zeros(len(sequence))
        for i, (box, truth) in enumerate(zip(run.boxes, sequence.ground_truth)):
            if not (np.isnan(box).any() or np.isnan(truth).any()):
                overlaps[i] = vot_overlap(box, truth, (WIDTH, HEIGHT), "x+w")
        visible = int((~np.isnan(sequence.ground_truth).any(axis=1)).sum())
        per_video.append((np.nan_to_num(overlaps), np.nan_to_num(scores), visible))
    values = np.concatenate(all_scores)
    values = np.sort(values[~np.isnan(values)])
    delta = math.floor(len(values) / 98)
    index = np.floor(np.linspace(delta - 1, len(values) - delta, 98) + 0.5).astype(np.int32)
    thresholds = np.concatenate([[-np.inf], values[index], [np.inf]])[::-1]
    precision, recall = np.zeros((len(per_video), 100)), np.zeros((len(per_video), 100))
    for v, (overlaps, scores, visible) in enumerate(per_video):
        for i, t in enumerate(thresholds):
            chosen = scores > 0 if t == -np.inf else scores >= t
            if chosen.sum() == 0:
                precision[v, i], recall[v, i] = 1, 0
            else:
                precision[v, i] = overlaps[chosen].mean()
                recall[v, i] = overlaps[chosen].sum() / visible
    pr, re = precision.mean(axis=0), recall.mean(axis=0)
    f = 2 * pr * re / (pr + re)
    return thresholds, pr, re, f, int(np.argmax(f))


def test_equal_to_pysot_formulas_and_where_they_differ(written):
    folder, sequences = written
    thresholds, precision, recall, f, best = _pysot_formulas(folder, sequences)
    ours = _ours(folder, sequences, PYSOT_RULES)
    np.testing.assert_allclose(ours.thresholds, thresholds, atol=1e-12)
    np.testing.assert_allclose(ours.precision, precision, atol=1e-6)
    np.testing.assert_allclose(ours.recall, recall, atol=1e-6)
    assert ours.scores["f_score"] == pytest.approx(f[best], abs=1e-6)
    # The two rule sets differ on these files (empty predictions on absent frames count
    # as perfect for the VOT toolkit): the profiles are not interchangeable.
    vot = _ours(folder, sequences, VOT_RULES)
    assert vot.scores["f_score"] > ours.scores["f_score"] + 0.01


# ------------------------------------------------------------------ the suite end to end


def test_vot2018_lt_suite_run_eval_report(tmp_path, capsys):
    from trackbench.cli import main
    from trackbench.data.demo import write_vot_fixture

    root = write_vot_fixture(tmp_path / "votlt")
    names = ["synth-rot", "synth-fast"]
    for name in names:  # the target leaves the picture for a few frames
        path = root / name / "groundtruth.txt"
        lines = path.read_text().splitlines()
        lines[10:14] = ["nan,nan,nan,nan,nan,nan,nan,nan"] * 4
        path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "results"
    common = ["--suite", "vot2018-lt", "--root", str(root), "--sequences", ",".join(names)]
    assert main(["run", "identity", *common, "--out", str(out), "--no-progress"]) == 0
    tracker_dir = out / "vot2018-lt" / "identity"
    lines = (tracker_dir / "longterm" / "synth-rot" / "synth-rot_001.txt").read_text().splitlines()
    assert len(lines) == 40 and lines[0] == "1"
    capsys.readouterr()
    assert main(["eval", *common, "--json", str(tracker_dir)]) == 0
    import json

    metrics = json.loads(capsys.readouterr().out)[0]["metrics"]
    assert 0 < metrics["f_score"] <= 1 and 0 <= metrics["lt_recall"] <= 1 and 0 < metrics["lt_precision"] <= 1
    assert main(["report", *common, "--out", str(tmp_path / "report"), str(tracker_dir)]) == 0
    html = (tmp_path / "report" / "index.html").read_text()
    assert "Tracking precision / recall" in html and "F-score vs confidence threshold" in html
