"""GOT-10k metrics equal the official got10k package (0.1.3) on a generated val-style folder
with cover labels, boxes leaving the image and three runs per sequence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trackbench.metrics.evaluate import evaluate
from trackbench.metrics.got10k import bounded_iou, evaluate_got10k
from trackbench.suites import get_suite

got10k = pytest.importorskip("got10k")


def _write_val_split(root: Path, rng: np.random.Generator) -> list[str]:
    """A GOT-10k ``val`` split (annotations, labels, meta, empty image files) and 3-run results."""
    split = root / "val"
    split.mkdir(parents=True)
    names = [f"GOT-10k_Val_{i:06d}" for i in range(1, 5)]
    (split / "list.txt").write_text("\n".join(names) + "\n")
    results = root / "results" / "GOT-10k" / "Noisy"
    for k, name in enumerate(names):
        n = 20 + 7 * k
        width, height = 320 + 40 * k, 240
        folder = split / name
        folder.mkdir()
        for i in range(1, n + 1):
            (folder / f"{i:08d}.jpg").write_bytes(b"")
        xy = rng.uniform(0, 200, size=(n, 2))
        wh = rng.uniform(20, 80, size=(n, 2))
        gt = np.round(np.hstack([xy, wh]), 1)
        np.savetxt(folder / "groundtruth.txt", gt, fmt="%.4f", delimiter=",")
        cover = rng.integers(0, 9, size=n)
        cover[1] = 0
        np.savetxt(folder / "cover.label", cover, fmt="%d")
        np.savetxt(folder / "absence.label", (cover == 0).astype(int), fmt="%d")
        np.savetxt(folder / "cut_by_image.label", np.zeros(n, dtype=int), fmt="%d")
        (folder / "meta_info.ini").write_text(
            "[METAINFO]\nurl: none\nbegin: 0\nend: 1\nanno_fps: 10Hz\nobject_class: thing\n"
            f"motion_class: moving\nmajor_class: x\nroot_class: y\nmotion_adverb: fast\nresolution: ({width}, {height})\n"
        )
        out = results / name
        out.mkdir(parents=True)
        times = []
        for run in range(1, 4):
            boxes = gt + rng.normal(0, 6, size=gt.shape)
            boxes[3] = [width - 10, height - 10, 60, 60]  # crosses the image border: clipped
            boxes[5] = gt[5]
            np.savetxt(out / f"{name}_{run:03d}.txt", boxes, fmt="%.3f", delimiter=",")
            t = rng.uniform(0.01, 0.05, size=n)
            t[2] = 0.0
            times.append(t)
        np.savetxt(out / f"{name}_time.txt", np.column_stack(times), fmt="%.8f", delimiter=",")
    return names


def test_equal_to_got10k_package(tmp_path):
    from got10k.experiments import ExperimentGOT10k

    rng = np.random.default_rng(11)
    _write_val_split(tmp_path / "data", rng)
    experiment = ExperimentGOT10k(str(tmp_path / "data"), subset="val", result_dir=str(tmp_path / "data" / "results"),
                                  report_dir=str(tmp_path / "reports"))
    reference = experiment.report(["Noisy"])["Noisy"]["overall"]

    suite = get_suite("got10k-val")
    dataset = suite.load(tmp_path / "data")
    ours = evaluate(suite, dataset, tmp_path / "data" / "results" / "GOT-10k" / "Noisy")
    assert ours.sequences == 4
    assert ours.metrics["ao"] == pytest.approx(reference["ao"], abs=1e-12)
    assert ours.metrics["sr50"] == pytest.approx(reference["sr"], abs=1e-12)
    assert ours.metrics["fps_got10k"] == pytest.approx(reference["speed_fps"], rel=1e-9)
    np.testing.assert_allclose(ours.curves["got10k_success"], reference["succ_curve"], atol=1e-12)
    assert ours.metrics["sr75"] == pytest.approx(reference["succ_curve"][75], abs=1e-12)


def test_bounded_iou_equals_rect_iou():
    from got10k.utils.metrics import rect_iou

    rng = np.random.default_rng(5)
    a = np.round(rng.uniform(-50, 400, size=(500, 4)), 2)
    b = np.round(rng.uniform(-50, 400, size=(500, 4)), 2)
    a[:, 2:] = np.abs(a[:, 2:])
    b[:, 2:] = np.abs(b[:, 2:])
    b[:10] = a[:10]
    a[10:20, 2] = 0  # zero-size boxes
    np.testing.assert_array_equal(bounded_iou(a, b, (320, 240)), rect_iou(a.copy(), b.copy(), bound=(320, 240)))
    np.testing.assert_array_equal(bounded_iou(a, b, None), rect_iou(a.copy(), b.copy()))


def test_first_frame_excluded_and_cover_mask():
    gt = np.tile([10, 10, 20, 20.0], (4, 1))
    run = gt.copy()
    run[0] = [200, 200, 5, 5]  # frame 0 ignored
    run[2] = [100, 100, 20, 20]  # IoU 0, but cover 0 there
    result = evaluate_got10k([gt], [[run]], [np.array([8, 8, 0, 8])], [(640, 480)])
    assert result.scores["ao"] == pytest.approx(1.0)
    assert result.scores["sr50"] == 1.0 and result.scores["sr75"] == 1.0
