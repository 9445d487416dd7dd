"""``identity``: the trivial baseline that reports the initial box on every frame."""

from __future__ import annotations

import numpy as np

from trackbench.tracker import Tracker


class IdentityTracker(Tracker):
    """Returns the initialisation box for every frame (a lower bound for any tracker)."""

    name = "identity"
    is_deterministic = True

    def __init__(self) -> None:
        self._box: np.ndarray | None = None

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        self._box = np.asarray(box, dtype=np.float64).copy()

    def update(self, image: np.ndarray) -> np.ndarray:
        if self._box is None:
            raise RuntimeError("IdentityTracker.update called before init")
        return self._box.copy()
