"""Trackers and tiny generated sequences used by the runner/executor tests.

A plain module (not a test file) so that worker processes, Ray actors and
``python -m trackbench run --tracker helpers.trackers:Class`` subprocesses can import
it: the tests put ``tests/`` on ``PYTHONPATH`` in the environment they start
(``helpers.paths.helpers_pythonpath``).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from trackbench.sequence import Dataset, Sequence


def LocalSuite(name: str = "local", family: str = "otb", repetitions: int = 1, skip_initialize: int = 5,
               corner_rule: str | None = None, generic: bool = False):
    """A trackbench Suite of a registered family (protocol and layout come from the family)."""
    from trackbench.suites import FAMILIES, Suite

    return Suite(name, FAMILIES[family], name, repetitions=repetitions, skip_initialize=skip_initialize,
                 corner_rule=corner_rule, generic=generic)


def write_moving_square(folder: Path, frames: int, seed: int, size: tuple[int, int] = (64, 48)) -> Path:
    """Write an OTB-layout sequence: a textured 12x10 square drifting over noise.

    ``<folder>/img/0001.jpg`` ... and ``groundtruth_rect.txt`` (``x,y,w,h`` per frame).
    """
    rng = np.random.default_rng(seed)
    width, height = size
    background = rng.integers(0, 120, size=(height, width, 3), dtype=np.uint8)
    patch = rng.integers(130, 256, size=(10, 12, 3), dtype=np.uint8)
    (folder / "img").mkdir(parents=True, exist_ok=True)
    x, y = 5.0 + seed % 7, 6.0 + seed % 5
    rows = []
    for index in range(frames):
        image = background.copy()
        xi, yi = int(round(x)), int(round(y))
        image[yi : yi + 10, xi : xi + 12] = patch
        cv2.imwrite(str(folder / "img" / f"{index + 1:04d}.jpg"), image[:, :, ::-1])
        rows.append(f"{xi},{yi},12,10")
        x = min(max(x + rng.uniform(-1.5, 2.0), 0), width - 13)
        y = min(max(y + rng.uniform(-1.5, 1.5), 0), height - 11)
    (folder / "groundtruth_rect.txt").write_text("\n".join(rows) + "\n")
    return folder


def read_otb_folder(folder: Path, name: str | None = None) -> Sequence:
    """A Sequence from ``<folder>/img/*.jpg`` + ``groundtruth_rect.txt`` (any delimiter)."""
    from trackbench.textio import read_table

    gt_path = folder / "groundtruth_rect.txt"
    ground_truth = read_table(gt_path, 4)
    frames = sorted((folder / "img").glob("*.jpg"))[: len(ground_truth)]
    return Sequence(name or folder.name, ground_truth, frames, annotation_path=gt_path)


def make_dataset(root: Path, lengths: dict[str, int]) -> Dataset:
    """Generate one moving-square sequence per ``name: frames`` under ``root``."""
    sequences = []
    for seed, (name, frames) in enumerate(lengths.items()):
        folder = root / name
        if not (folder / "groundtruth_rect.txt").is_file():
            write_moving_square(folder, frames, seed)
        sequences.append(read_otb_folder(folder))
    return Dataset("local", sequences, root)


class TemplateTracker:
    """Deterministic template matching (normalised cross-correlation) near the last box."""

    name = "template"
    is_deterministic = True

    def __init__(self, margin: int = 8):
        self.margin = int(margin)
        self.template: np.ndarray | None = None
        self.box = np.zeros(4)

    def init(self, image: np.ndarray, box: np.ndarray) -> None:
        x, y, w, h = (int(round(v)) for v in box)
        self.template = cv2.cvtColor(image[y : y + h, x : x + w], cv2.COLOR_RGB2GRAY)
        self.box = np.asarray([x, y, w, h], dtype=np.float64)

    def update(self, image: np.ndarray):
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        x, y, w, h = (int(v) for v in self.box)
        x0, y0 = max(x - self.margin, 0), max(y - self.margin, 0)
        x1 = min(x + w + self.margin, gray.shape[1])
        y1 = min(y + h + self.margin, gray.shape[0])
        window = gray[y0:y1, x0:x1]
        if window.shape[0] < h or window.shape[1] < w:
            return self.box.copy(), 0.0
        response = cv2.matchTemplate(window, self.template, cv2.TM_CCOEFF_NORMED)
        _, best, _, (dx, dy) = cv2.minMaxLoc(response)
        self.box = np.asarray([x0 + dx, y0 + dy, w, h], dtype=np.float64)
        return self.box.copy(), float(best)


class BatchTemplateTracker:
    """TemplateTracker with the batch methods: one TemplateTracker per slot."""

    name = "template-batch"
    is_deterministic = True

    def __init__(self, margin: int = 8):
        self.margin = margin
        self.slots: list[TemplateTracker] = []
        self.batch_sizes: list[int] = []  # active slots per update_batch call (for tests)

    def init(self, image, box):
        self.slots = [TemplateTracker(self.margin)]
        self.slots[0].init(image, box)

    def update(self, image):
        return self.slots[0].update(image)

    def init_batch(self, images, boxes):
        self.slots = [TemplateTracker(self.margin) for _ in images]
        for slot, image, box in zip(self.slots, images, boxes):
            slot.init(image, box)

    def update_batch(self, images):
        self.batch_sizes.append(sum(image is not None for image in images))
        return [None if image is None else slot.update(image) for slot, image in zip(self.slots, images)]


class CSRTTracker:
    """OpenCV's CSRT (a real correlation-filter tracker), RGB in, ``[x, y, w, h]`` out."""

    name = "csrt"
    is_deterministic = True

    def init(self, image, box):
        self.tracker = cv2.TrackerCSRT.create()
        self.box = np.asarray(box, dtype=np.float64)
        self.tracker.init(np.ascontiguousarray(image[:, :, ::-1]), tuple(int(round(v)) for v in box))

    def update(self, image):
        ok, rect = self.tracker.update(np.ascontiguousarray(image[:, :, ::-1]))
        if ok:
            self.box = np.asarray(rect, dtype=np.float64)
        return self.box.copy()


class SlowIdentity:
    """Returns the initial box after sleeping ``delay`` seconds per update."""

    name = "slow"
    is_deterministic = True

    def __init__(self, delay: float = 0.02):
        self.delay = float(delay)

    def init(self, image, box):
        self.box = np.asarray(box, dtype=np.float64)

    def update(self, image):
        time.sleep(self.delay)
        return self.box.copy()


class FailOnImageWidth:
    """Identity, except that ``update`` raises on images ``width`` pixels wide."""

    name = "fail-on-width"
    is_deterministic = True

    def __init__(self, width: int = 80):
        self.width = int(width)

    def init(self, image, box):
        self.box = np.asarray(box, dtype=np.float64)
        self.bad = image.shape[1] == self.width

    def update(self, image):
        if self.bad:
            raise RuntimeError(f"deliberate failure on a {self.width}-pixel-wide image")
        return self.box.copy()


class FailOnce:
    """Identity whose very first ``init`` raises (to check the one retry)."""

    name = "fail-once"
    is_deterministic = True

    def __init__(self):
        self.calls = 0

    def init(self, image, box):
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("deliberate first-attempt failure")
        self.box = np.asarray(box, dtype=np.float64)

    def update(self, image):
        return self.box.copy()


class NoisyTracker:
    """A stochastic tracker: the initial box plus seeded-by-nothing jitter."""

    name = "noisy"
    is_deterministic = False

    def init(self, image, box):
        self.box = np.asarray(box, dtype=np.float64)
        self.rng = np.random.default_rng()

    def update(self, image):
        return self.box + self.rng.normal(0, 1, 4)


class DeviceTracker:
    """Identity that needs a ``device`` option; the box width becomes the device index."""

    name = "device"
    is_deterministic = True

    def __init__(self, device: str | None = None):
        if device is None:
            raise ValueError("no device given")
        self.index = float(device.rpartition(":")[2]) if device.startswith("cpu:") else -1.0

    def init(self, image, box):
        self.box = np.asarray(box, dtype=np.float64).copy()
        self.box[2] = self.index

    def update(self, image):
        return self.box.copy()


class UndeclaredTemplate:
    """TemplateTracker behind an object with no ``is_deterministic`` at all (undeclared:
    VOT runs 3, finds them identical and stops; GOT-10k runs all 3)."""

    name = "undeclared"

    def __init__(self, margin: int = 8):
        self.inner = TemplateTracker(margin)

    def init(self, image, box):
        self.inner.init(image, box)

    def update(self, image):
        return self.inner.update(image)


class UndeclaredNoisy:
    """NoisyTracker without ``is_deterministic`` (undeclared and really stochastic)."""

    name = "undeclared-noisy"

    def init(self, image, box):
        self.box = np.asarray(box, dtype=np.float64)
        self.rng = np.random.default_rng()

    def update(self, image):
        return self.box + self.rng.normal(0, 1, 4)


class DeclaredStochasticTemplate(TemplateTracker):
    """TemplateTracker declaring itself stochastic: every repetition runs, even identical ones."""

    name = "declared-stochastic"
    is_deterministic = False


class SuiteAware:
    """Identity whose factory takes a ``suite`` keyword; the box width becomes ``len(suite)``."""

    name = "suite-aware"
    is_deterministic = True

    def __init__(self, suite: str | None = None, scale: float = 1.0):
        self.suite = suite

    def init(self, image, box):
        self.box = np.asarray(box, dtype=np.float64).copy()
        self.box[2] = len(self.suite or "")

    def update(self, image):
        return self.box.copy()


class PathRecorder:
    """Identity that accepts image paths and records what ``init``/``update`` received."""

    name = "path-recorder"
    is_deterministic = True
    accepts_image_paths = True

    def __init__(self):
        self.calls: list[tuple[str, object, tuple[int, ...]]] = []

    def init(self, image, box, path=None):
        self.calls.append(("init", path, image.shape))
        self.box = np.asarray(box, dtype=np.float64)

    def update(self, image, path=None):
        self.calls.append(("update", path, image.shape))
        return self.box.copy()


class CrashOnImageWidth(FailOnImageWidth):
    """Like FailOnImageWidth, but the process dies (as in a crash in native code)."""

    name = "crash-on-width"

    def update(self, image):
        if self.bad:
            os._exit(3)
        return self.box.copy()


class NeedsCpu1:
    """Builds only for ``device="cpu:1"`` (a worker pinned elsewhere cannot build it)."""

    name = "needs-cpu1"
    is_deterministic = True

    def __init__(self, device: str | None = None):
        if device not in (None, "cpu", "cpu:1"):
            raise RuntimeError(f"device {device} is not available")
        self.device = device

    def init(self, image, box):
        self.box = np.asarray(box, dtype=np.float64)

    def update(self, image):
        return self.box.copy()


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux ``/proc``; empty elsewhere)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.is_file() else []


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, exited but not yet reaped, does not count)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False


class ThreadsTracker:
    """Identity that records, when it is built, the threads torch and OpenCV will use: the
    box x becomes torch's intra-op threads and y OpenCV's (torch imported here, after the
    worker chose its threads, as a real tracker would)."""

    name = "threads"
    is_deterministic = True

    def __init__(self):
        import torch

        self.threads = (float(torch.get_num_threads()), float(cv2.getNumThreads()))

    def init(self, image, box):
        self.box = np.asarray(box, dtype=np.float64).copy()
        self.box[:2] = self.threads

    def update(self, image):
        return self.box.copy()
