"""The embedded demo suite and the synthetic sequence renderer."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import trackbench.data.demo as demo
from trackbench.data.demo import DEMO_SEQUENCES, MARKER, OTB_ATTRIBUTES, ensure_demo, write_vot_fixture
from trackbench.data.synthetic import SyntheticSequenceSpec, render, render_sequence
from trackbench.errors import TrackbenchError
from trackbench.geometry import iou
from trackbench.imageio import image_size, read_rgb
from trackbench.textio import read_flags, read_table
from trackbench.trackers.identity import IdentityTracker


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory) -> Path:
    return ensure_demo(tmp_path_factory.mktemp("datasets") / "demo")


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_layout_and_sizes(demo_root):
    folders = sorted(p.name for p in demo_root.iterdir() if p.is_dir())
    assert folders == sorted(d.name for d in DEMO_SEQUENCES)
    assert 6 <= len(folders) <= 8
    for d in DEMO_SEQUENCES:
        folder = demo_root / d.name
        gt = read_table(folder / "groundtruth_rect.txt", 4)
        images = sorted((folder / "img").glob("*.jpg"))
        assert 60 <= len(gt) <= 150
        assert [p.name for p in images] == [f"{i:04d}.jpg" for i in range(1, len(gt) + 1)]
        assert image_size(images[0]) == (320, 240)
        flags = read_table(folder / "attrs.txt", len(OTB_ATTRIBUTES))
        assert set(flags.ravel()) <= {0.0, 1.0}


def test_generation_is_deterministic(demo_root, tmp_path):
    again = ensure_demo(tmp_path / "demo")
    first, second = _files(demo_root), _files(again)
    assert first.keys() == second.keys() and len(first) > 800
    assert all(first[name] == second[name] for name in first)


def test_files_match_the_in_memory_renderer(demo_root):
    d = DEMO_SEQUENCES[1]
    rendered = render(np.random.default_rng(d.seed), d.spec)
    gt = read_table(demo_root / d.name / "groundtruth_rect.txt", 4)
    np.testing.assert_array_equal(gt, rendered.boxes)
    decoded = read_rgb(demo_root / d.name / "img" / "0001.jpg").astype(float)
    assert np.abs(decoded - rendered.frames[0]).mean() < 4.0  # JPEG at quality 90


def test_ground_truth_inside_images(demo_root):
    for d in DEMO_SEQUENCES:
        gt = read_table(demo_root / d.name / "groundtruth_rect.txt", 4)
        width, height = d.spec.size
        assert np.all(gt[:, :2] >= 0) and np.all(gt[:, 2:] >= 4)
        assert np.all(gt[:, 0] + gt[:, 2] <= width) and np.all(gt[:, 1] + gt[:, 3] <= height)


def _chroma(pixels: np.ndarray) -> np.ndarray:
    mean = pixels.reshape(-1, 3).mean(axis=0)
    return mean / mean.sum()


def test_target_is_where_the_ground_truth_says(demo_root):
    """In every unoccluded frame the centre of the GT box has the target's colour (that
    of frame 1's box centre), and the ring around the box is clearly farther from it."""
    for d in DEMO_SEQUENCES:
        visibility = render(np.random.default_rng(d.seed), d.spec).visibility
        gt = read_table(demo_root / d.name / "groundtruth_rect.txt", 4).astype(int)
        reference = None
        for i in range(0, len(gt), 3):
            if visibility[i] < 1:
                continue
            frame = read_rgb(demo_root / d.name / "img" / f"{i + 1:04d}.jpg").astype(float)
            x, y, w, h = gt[i]
            inner = _chroma(frame[y + h // 4 : y + h - h // 4, x + w // 4 : x + w - w // 4])
            x0, y0 = max(0, x - w // 2), max(0, y - h // 2)
            x1, y1 = min(frame.shape[1], x + w + w // 2), min(frame.shape[0], y + h + h // 2)
            mask = np.ones((y1 - y0, x1 - x0), dtype=bool)
            mask[y - y0 : y + h - y0, x - x0 : x + w - x0] = False
            ring = _chroma(frame[y0:y1, x0:x1][mask])
            if reference is None:
                reference = inner
            assert np.abs(inner - reference).sum() + 0.15 < np.abs(ring - reference).sum(), (d.name, i)


def test_occlusion_is_flagged_where_it_happens(demo_root):
    for d in DEMO_SEQUENCES:
        rendered = render(np.random.default_rng(d.seed), d.spec)
        occ = read_table(demo_root / d.name / "attrs.txt", 11)[0][OTB_ATTRIBUTES.index("OCC")]
        assert occ == float(d.spec.occluder)
        if d.spec.occluder:
            hidden = np.flatnonzero(rendered.visibility < 0.9)
            assert 0.3 < rendered.visibility.min() < 0.8  # partial, never complete
            assert len(hidden) >= 3 and rendered.visibility[0] == 1 and rendered.visibility[-1] == 1
            # Hidden frames: the box centre changes colour (the bar is in front of it).
            gt = rendered.boxes.astype(int)
            worst = hidden[np.argmin(rendered.visibility[hidden])]
            x, y, w, h = gt[worst]
            frame = rendered.frames[worst].astype(float)
            x0, y0 = gt[0, 0], gt[0, 1]
            first = _chroma(rendered.frames[0][y0 : y0 + gt[0, 3], x0 : x0 + gt[0, 2]].astype(float))
            assert np.abs(_chroma(frame[y : y + h, x : x + w]) - first).sum() > 0.05
        else:
            assert np.all(rendered.visibility == 1)


def test_identity_tracker_scores_clearly_below_one(demo_root):
    thresholds = np.linspace(0, 1, 21)
    aucs = []
    for d in DEMO_SEQUENCES:
        gt = read_table(demo_root / d.name / "groundtruth_rect.txt", 4)
        tracker = IdentityTracker()
        tracker.init(np.zeros((240, 320, 3), np.uint8), gt[0])
        boxes = np.array([gt[0]] + [tracker.update(None) for _ in range(len(gt) - 1)])
        overlaps = iou(boxes, gt)
        aucs.append(np.mean([(overlaps > t).mean() for t in thresholds]))
    assert max(aucs) < 0.8 and np.mean(aucs) < 0.5


def test_ensure_demo_is_idempotent_and_replaces_old_versions(tmp_path):
    root = ensure_demo(tmp_path / "demo")
    stamp = (root / "DemoCar" / "img" / "0001.jpg").stat().st_mtime_ns
    assert ensure_demo(root) == root
    assert (root / "DemoCar" / "img" / "0001.jpg").stat().st_mtime_ns == stamp
    (root / MARKER).write_text("0\n")
    (root / "stale.txt").write_text("from an old generator")
    ensure_demo(root)
    assert (root / MARKER).read_text().strip() == demo.DEMO_VERSION and not (root / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]  # no temporary leftovers


def test_interrupted_generation_leaves_nothing(tmp_path, monkeypatch):
    calls = []

    def failing(folder, rendered):
        calls.append(folder)
        if len(calls) == 2:
            raise KeyboardInterrupt
        original(folder, rendered)

    original = demo.write_otb_sequence
    monkeypatch.setattr(demo, "write_otb_sequence", failing)
    with pytest.raises(KeyboardInterrupt):
        ensure_demo(tmp_path / "demo")
    assert list(tmp_path.iterdir()) == []


def test_stale_staging_folders_are_removed(tmp_path):
    stale = tmp_path / ".demo.tmp-killed"
    (stale / "DemoCar").mkdir(parents=True)
    os.utime(stale, (0, 0))
    fresh = tmp_path / ".demo.tmp-running"  # another process may be generating right now
    fresh.mkdir()
    ensure_demo(tmp_path / "demo")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".demo.tmp-running", "demo"]


def test_foreign_folder_is_refused(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "mine.txt").write_text("user data")
    with pytest.raises(TrackbenchError, match="not written by the demo generator"):
        ensure_demo(tmp_path / "demo")
    assert (tmp_path / "demo" / "mine.txt").read_text() == "user data"


def test_root_that_is_a_file_is_refused(tmp_path):
    from trackbench.suites import get_suite

    not_a_folder = tmp_path / "passwd"
    not_a_folder.write_text("root:x:0:0\n")
    with pytest.raises(TrackbenchError, match=r"passwd: not a folder"):
        ensure_demo(not_a_folder)
    with pytest.raises(TrackbenchError, match=r"passwd: not a folder"):
        get_suite("demo").load(not_a_folder)
    assert not_a_folder.read_text() == "root:x:0:0\n"


def test_render_sequence_for_training():
    frames, boxes = render_sequence(np.random.default_rng(7), length=12, size=(128, 96), difficulty=1.0)
    assert len(frames) == 12 and boxes.shape == (12, 4)
    assert all(f.shape == (96, 128, 3) and f.dtype == np.uint8 for f in frames)
    assert np.all(boxes[:, :2] >= 0)
    assert np.all(boxes[:, 0] + boxes[:, 2] <= 128) and np.all(boxes[:, 1] + boxes[:, 3] <= 96)
    frames2, boxes2 = render_sequence(np.random.default_rng(7), length=12, size=(128, 96), difficulty=1.0)
    np.testing.assert_array_equal(boxes, boxes2)
    assert all(np.array_equal(a, b) for a, b in zip(frames, frames2))
    with pytest.raises(TrackbenchError, match="difficulty"):
        render_sequence(np.random.default_rng(0), difficulty=2.0)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [({"length": 1}, "length"), ({"target_size": (100, 240)}, "does not fit"), ({"illumination": 0.9}, "illumination")],
)
def test_spec_validation(kwargs, fragment):
    with pytest.raises(TrackbenchError, match=fragment):
        SyntheticSequenceSpec(**kwargs)


def test_vot_fixture_layout(tmp_path):
    root = write_vot_fixture(tmp_path / "vot")
    names = (root / "list.txt").read_text().split()
    assert names == ["synth-rot", "synth-fast"]
    for name in names:
        polygons = read_table(root / name / "groundtruth.txt", 8)
        frames = sorted((root / name / "color").glob("*.jpg"))
        assert len(frames) == len(polygons) and frames[0].name == "00000001.jpg"
        width, height = image_size(frames[0])
        assert np.all(polygons[:, 0::2] >= 0) and np.all(polygons[:, 0::2] <= width)
        assert np.all(polygons[:, 1::2] >= 0) and np.all(polygons[:, 1::2] <= height)
        for tag in demo.VOT_TAGS:
            assert len(read_flags(root / name / f"{tag}.tag")) == len(polygons)
    # The rotating sequence really has rotated polygons (edges not axis-aligned).
    rot = read_table(root / "synth-rot" / "groundtruth.txt", 8)
    assert np.abs(rot[:, 1] - rot[:, 3]).max() > 3
    assert read_flags(root / "synth-rot" / "occlusion.tag").sum() >= 2
