"""Glue for the long-term, real-time and OTB TRE / SRE protocols: result folder -> evaluation.

Each is a family's ``evaluate(suite, dataset, index, profile)`` (:mod:`trackbench.suites`).

* long-term (``vot2018-lt``, ``vot2019-lt``): :mod:`trackbench.metrics.longterm` on the
  ``longterm/`` files (:mod:`trackbench.results.vot_longterm`); ``--rules pysot`` uses
  pysot's F1Benchmark rules, any other profile the VOT toolkit's; metric keys ``f_score``,
  ``lt_precision``, ``lt_recall``, ``lt_threshold`` (at the maximum F);
* real-time (``vot2017-realtime`` ...): the VOT baseline measures (EAO / A / R) on the
  ``realtime/`` folder;
* TRE / SRE (``otb2015-tre`` ...): :mod:`trackbench.metrics.otb_robustness` on
  ``results_TRE`` / ``results_SRE`` (:mod:`trackbench.results.otb_robustness_files`);
  :func:`with_robustness` adds them to an OTB one-pass evaluation when the folder has them
  (the report's OPE / TRE / SRE figure).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from trackbench.errors import TrackbenchError
from trackbench.geometry import polygon_to_bbox
from trackbench.metrics.longterm import evaluate_longterm, get_longterm_rules, longterm_sequence
from trackbench.metrics.ope import PRECISION_THRESHOLDS
from trackbench.metrics.ope import fps as speed
from trackbench.metrics.otb_robustness import evaluate_robustness
from trackbench.metrics.profiles import RuleProfile
from trackbench.results.otb_robustness_files import FOLDERS, read_robustness, robustness_path
from trackbench.results.read import ResultIndex
from trackbench.results.vot_longterm import read_longterm
from trackbench.sequence import Dataset


def _folder(index: ResultIndex) -> Path:
    path = Path(index.source.location)
    if not path.is_dir():
        raise TrackbenchError("expected a tracker's result folder (not an archive)", path)
    return path


def evaluate_longterm_folder(suite, dataset: Dataset, index: ResultIndex, profile: RuleProfile, *,
                             strict: bool = False, mismatches: list | None = None):
    """Precision / recall / F-score of a ``longterm/`` folder (see the module docstring)."""
    from trackbench.metrics.evaluate import TrackerEvaluation, frame

    folder = _folder(index)
    rules = get_longterm_rules("pysot" if profile.name == "pysot" else "vot")
    seqs = list(dataset)
    inputs, fps = [], []
    for seq in seqs:
        run = read_longterm(folder, seq.name)
        if len(run) != len(seq):
            raise TrackbenchError(f"{len(run)} lines for the {len(seq)} frames of {seq.name!r}",
                                  folder / "longterm" / seq.name)
        truth = polygon_to_bbox(seq.ground_truth) if seq.ground_truth.shape[1] == 8 else seq.ground_truth
        inputs.append(longterm_sequence(seq.name, run.boxes, run.scores, truth, seq.image_size, rules))
        fps.append(run.times)
    result = evaluate_longterm(inputs, rules)
    metrics = _longterm_keys(result.scores)
    metrics["fps"] = speed(fps)
    per_seq = frame([_longterm_keys(result.sequence_scores(s.name)) for s in seqs], index=[s.name for s in seqs])
    return TrackerEvaluation(
        tracker=folder.name, suite=suite.name, rules=rules.name, sequences=len(seqs), metrics=metrics,
        curves={"lt_precision": result.precision, "lt_recall": result.recall, "lt_f": result.f},
        thresholds={"lt_precision": result.thresholds, "lt_recall": result.thresholds, "lt_f": result.thresholds},
        per_sequence=per_seq,
    )


def _longterm_keys(scores: dict[str, float]) -> dict[str, float]:
    return {"f_score": scores["f_score"], "lt_precision": scores["precision"], "lt_recall": scores["recall"],
            "lt_threshold": scores["threshold"]}


def evaluate_realtime_folder(suite, dataset: Dataset, index: ResultIndex, profile: RuleProfile, *,
                             strict: bool = False, mismatches: list | None = None):
    """The baseline measures on ``<result folder>/realtime`` (the layout of ``baseline/``)."""
    from trackbench.metrics.evaluate import evaluate_supervised

    folder = _folder(index)
    realtime = folder / "realtime"
    if not realtime.is_dir():
        raise TrackbenchError("no realtime/ folder (VOT real-time results expected here)", folder)
    evaluation = evaluate_supervised(suite, dataset, ResultIndex.build(realtime), profile, strict=strict,
                                     mismatches=mismatches)
    evaluation.tracker = folder.name
    return evaluation


def evaluate_robustness_folder(suite, dataset: Dataset, index: ResultIndex, profile: RuleProfile, *,
                               strict: bool = False, mismatches: list | None = None):
    """Success / precision of ``results_TRE`` or ``results_SRE`` (``suite.protocol``)."""
    from trackbench.metrics.evaluate import TrackerEvaluation, frame

    folder = _folder(index)
    protocol = suite.protocol
    seqs = list(dataset)
    runs = {}
    for seq in seqs:
        path = robustness_path(folder, protocol, seq.name)
        if not path.is_file():
            matches = sorted(path.parent.glob(f"{seq.name}_*.mat"))
            if len(matches) != 1:
                raise TrackbenchError(f"no {protocol.upper()} result for {seq.name!r}", path)
            path = matches[0]
        result = read_robustness(path, protocol, seq.start_frame)
        runs[seq.name] = [(r.start, r.boxes) for r in result.runs]
    curves = evaluate_robustness({s.name: s.ground_truth[:, :4] for s in seqs}, runs, profile)
    per_seq = frame({"success_auc": curves.success.mean(axis=1), "precision": curves.precision[:, 20]},
                           index=curves.names)
    return TrackerEvaluation(
        tracker=folder.name, suite=suite.name, rules=profile.name, sequences=len(seqs), metrics=curves.scores,
        curves={"success": curves.success.mean(axis=0), "precision": curves.precision.mean(axis=0)},
        thresholds={"success": curves.success_thresholds, "precision": PRECISION_THRESHOLDS},
        per_sequence=per_seq,
    )


def with_robustness(evaluate_one_pass: Callable) -> Callable:
    """An OTB one-pass evaluator that also scores ``results_TRE`` / ``results_SRE`` found in
    the same folder (``evaluation.robustness["TRE"|"SRE"]``); scores and tables unchanged."""

    def evaluate(suite, dataset: Dataset, index: ResultIndex, profile: RuleProfile, *, strict: bool = False,
                 mismatches: list | None = None):
        evaluation = evaluate_one_pass(suite, dataset, index, profile, strict=strict, mismatches=mismatches)
        location = Path(index.source.location)
        for protocol, folder in FOLDERS.items():
            if location.is_dir() and (location / folder).is_dir():
                variant = _ProtocolView(suite, protocol)
                evaluation.robustness[protocol.upper()] = evaluate_robustness_folder(variant, dataset, index, profile)
        return evaluation

    return evaluate


class _ProtocolView:
    """``suite`` seen with another protocol (what :func:`evaluate_robustness_folder` reads)."""

    def __init__(self, suite, protocol: str):
        self.name, self.protocol = suite.name, protocol
