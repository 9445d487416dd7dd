"""Result files whose row count differs from the ground truth: what each toolkit does.

Real published results are sometimes one row short (MDNet's OTB ``Board``: 697 rows for
698 frames) or longer (some LaSOT ``monkey-17`` files). The readers of
:mod:`trackbench.results.read` keep the rows they find and record a
:class:`LengthMismatch`; the evaluation then applies the rule profile's
``short_results`` policy (:class:`trackbench.metrics.profiles.RuleProfile`):

* longer results are cut to the ground-truth length under every profile (OTB/LaSOT
  MATLAB toolkits, pysot, pytracking and got10k all do);
* ``"fail"`` (``official``, ``pysot``): the missing trailing frames count as failures
  over the full ground-truth length (OTB ``genPerfMat.m``/``calcSeqErrRobust.m`` compare
  ``results.len`` rows and divide by the annotation length; pysot divides by
  ``len(gt)``, although its own code stops with an index error);
* ``"zero_pad"`` (``pytracking``): the result is padded with ``0,0,0,0`` boxes after
  sanitation (``extract_results.py::calc_seq_err_robust``), which fail in practice;
* ``"truncate"`` (``got10k``): ground truth and result are both cut to the shorter
  length (``ExperimentOTB.report``), so the missing frames leave the denominator.

Every adjustment is one warning line naming the file, the rows found and the rows
expected; ``strict=True`` makes any mismatch the error it used to be.
Repeated-run (GOT-10k) and VOT results that are too short stay an error: got10k and
the VOT toolkit refuse them too.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from trackbench.errors import TrackbenchError, TrackbenchWarning

SHORT_RESULT_POLICIES = ("fail", "zero_pad", "truncate")

_WHAT_HAPPENS = {
    "fail": "the missing frames count as failures",
    "zero_pad": "padded with 0,0,0,0 boxes (pytracking), which fail",
    "truncate": "ground truth cut to the result's length (got10k)",
}


@dataclass(frozen=True)
class LengthMismatch:
    """One result file whose rows (after aligning its start) differ from the ground truth."""

    where: str  # the file (``archive!member`` inside archives)
    sequence: str
    found: int
    expected: int

    def message(self, policy: str | None = None) -> str:
        """The one warning line; ``policy``: a short-result policy (for shorter results)."""
        head = f"{self.where}: {self.found} result rows but the ground truth of {self.sequence!r} has {self.expected} frames"
        if self.found > self.expected:
            return f"{head}: extra rows ignored"
        if policy is None:
            return f"{head}: kept as is (eval scores the missing frames by its --rules)"
        return f"{head}: {_WHAT_HAPPENS[policy]}"


def fit_rows(rows: np.ndarray, skip: int, expected: int, sequence: str, where: str, *, strict: bool,
             allow_short: bool, mismatches: list[LengthMismatch] | None) -> np.ndarray:
    """``rows[skip:]`` cut to ``expected`` rows; a mismatch is recorded in ``mismatches``.

    ``allow_short``: shorter results are returned as they are (one-pass); otherwise, and
    for any mismatch when ``strict``, a :class:`TrackbenchError` names the file.
    """
    rows = rows[skip:]
    if len(rows) == expected:
        return rows
    mismatch = LengthMismatch(where, sequence, len(rows), expected)
    if strict or (len(rows) < expected and not allow_short):
        raise TrackbenchError(f"{len(rows)} result rows but the ground truth of {sequence!r} has {expected} frames"
                              + (" (--strict)" if strict and (allow_short or len(rows) > expected) else ""), where)
    if mismatches is not None:
        mismatches.append(mismatch)
    return rows[:expected]


def warn_mismatches(mismatches: list[LengthMismatch], policy: str | None = None) -> None:
    """One :class:`TrackbenchWarning` line per mismatch (see :meth:`LengthMismatch.message`)."""
    for mismatch in mismatches:
        warnings.warn(mismatch.message(policy), TrackbenchWarning, stacklevel=2)
